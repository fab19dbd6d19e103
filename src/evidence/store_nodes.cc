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

Status StoreNodes::WriteNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) {
  if (writer_ == nullptr) return Status::Internal("a tree write outside a write transaction");
  std::vector<LogNode> rows;
  rows.reserve(nodes.size());
  for (const auto& [id, hash] : nodes) {
    rows.push_back({{id.level, static_cast<int64_t>(id.index)},
                    std::string(reinterpret_cast<const char*>(hash.data()), hash.size())});
  }
  return writer_->InsertLogNodes(rows);
}

}  // namespace tousu::evidence
