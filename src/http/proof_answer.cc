#include "http/proof_answer.h"

#include <boost/json.hpp>
#include <charconv>

#include "evidence/proof_bundle.h"
#include "http/handler_util.h"

namespace tousu::http {

namespace {

constexpr int64_t kMaxIndex = int64_t{1} << 53;

StatusOr<Response> Bundle(ReadTx& tx, int64_t index, int64_t tree_size,
                          const std::optional<CheckpointRecord>& checkpoint,
                          const std::optional<std::string>& content) {
  TOUSU_ASSIGN_OR_RETURN(LogInclusion p, LogInclusionProof(tx, index, tree_size));
  evidence::ProofBundle b;
  b.log_index = static_cast<uint64_t>(index);
  b.leaf_hash = p.leaf_hash;
  b.tree_size = static_cast<uint64_t>(tree_size);
  b.root = p.root;
  b.audit_path = std::move(p.audit_path);
  if (checkpoint) b.checkpoint = checkpoint->note;
  b.leaf = std::move(p.leaf.leaf);
  b.content = content;
  return JsonResponse(200, evidence::ToJson(b));
}

}  // namespace

Status RequireVault(const ApiDeps& d) {
  if (d.evidence == nullptr || d.checkpoints == nullptr || d.blobs == nullptr) {
    return Status::Unavailable("this server was started without the evidence vault and log");
  }
  return Status::Ok();
}

StatusOr<int64_t> ParseIndex(const std::string& field, const std::string& text) {
  int64_t v = -1;
  // Digits only: from_chars takes a '-', so "-0" would pass as 0 (found by the router fuzz target).
  const bool digits = !text.empty() && text.front() >= '0' && text.front() <= '9';
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!digits || ec != std::errc() || end != text.data() + text.size() || v < 0 || v > kMaxIndex) {
    return Status::InvalidArgument(field + " must be a whole number from 0 up")
        .WithField(field, "must be a non-negative whole number");
  }
  return v;
}

StatusOr<std::optional<int64_t>> IndexParam(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::optional<int64_t>();
  TOUSU_ASSIGN_OR_RETURN(int64_t v, ParseIndex(name, it->second));
  return std::optional<int64_t>(v);
}

StatusOr<Outcome> ProofAnswer(const ApiDeps& d, int64_t index, std::optional<std::string> content,
                              std::optional<int64_t> tree_size) {
  TOUSU_RETURN_IF_ERROR(RequireVault(d));
  Response out;
  bool need_checkpoint = false;
  TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(int64_t size, tx.LogSize());
    if (index >= size) {
      return Status::NotFound("leaf " + std::to_string(index) + " is beyond the log, which has " +
                              std::to_string(size) + " leaves");
    }
    if (tree_size) {
      TOUSU_ASSIGN_OR_RETURN(auto cp, tx.GetCheckpoint(*tree_size));
      TOUSU_ASSIGN_OR_RETURN(out, Bundle(tx, index, *tree_size, cp, content));
      return Status::Ok();
    }
    TOUSU_ASSIGN_OR_RETURN(auto latest, tx.LatestCheckpoint());
    if (!latest || latest->tree_size <= index) {
      need_checkpoint = true;
      return Status::Ok();
    }
    TOUSU_ASSIGN_OR_RETURN(out, Bundle(tx, index, latest->tree_size, latest, content));
    return Status::Ok();
  }));
  if (!need_checkpoint) return Outcome::Now(std::move(out));
  // No signed checkpoint covers the leaf yet: sign one (the tree grew) and prove against it.
  return Outcome::Write([checkpoints = d.checkpoints, index, content](WriteTx& tx) -> StatusOr<Response> {
    TOUSU_ASSIGN_OR_RETURN(CheckpointRecord cp, checkpoints->SignIfGrown(tx));
    if (cp.tree_size <= index) return Status::Internal("a new checkpoint does not cover its leaf");
    return Bundle(tx, index, cp.tree_size, cp, content);
  });
}

}  // namespace tousu::http
