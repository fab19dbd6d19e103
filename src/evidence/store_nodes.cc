#include "evidence/store_nodes.h"

namespace tousu::evidence {

StatusOr<std::vector<Hash>> StoreNodes::ReadNodes(const std::vector<NodeId>& ids) {
  std::vector<LogNodeKey> keys;
  keys.reserve(ids.size());
  for (const NodeId& id : ids) keys.push_back({id.level, static_cast<int64_t>(id.index)});
  TOUSU_ASSIGN_OR_RETURN(auto stored, tx_.GetLogNodes(keys));
  if (stored.size() != ids.size()) return Status::Internal("GetLogNodes returned a wrong count");
  std::vector<Hash> out;
  out.reserve(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    auto h = stored[i] ? HashFromBytes(*stored[i]) : std::nullopt;
    if (!h) {
      return Status::Corruption("log tree node (level " + std::to_string(ids[i].level) +
                                ", index " + std::to_string(ids[i].index) + ") is missing or malformed");
    }
    out.push_back(*h);
  }
  return out;
}

Status StoreNodes::WriteNode(const NodeId& id, const Hash& hash) {
  if (writer_ == nullptr) return Status::Internal("a tree write outside a write transaction");
  return writer_->InsertLogNode({id.level, static_cast<int64_t>(id.index)},
                                std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

}  // namespace tousu::evidence
