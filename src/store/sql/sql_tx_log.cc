// SqlTx, part two: the evidence vault's records and the transparency log (leaves, interior
// nodes, signed checkpoints), and the check for records the log does not cover.
#include "store/sql/sql_tx.h"

#include <algorithm>

#include "store/sql/rows.h"

namespace tousu::sql {

using internal::All;
using internal::Done;
using internal::EnumAt;
using internal::One;
using internal::OptTime;
using internal::OptTimeAt;
using internal::TimeAt;
using internal::TimeValue;

namespace {

// ---- SQL, one named constant per statement -------------------------------------------------

const std::string kEvidenceColumns =
    "SELECT platform_id, id, complaint_id, uploader_ref, uploader_role, kind, media_type, "
    "declared_media_type, filename, size, sha256, captured_at, received_at, declared_order_no, "
    "declared_amount_fen, log_index FROM evidence";
const std::string kGetEvidence = kEvidenceColumns + " WHERE platform_id = ? AND id = ?";
const std::string kListEvidence =
    kEvidenceColumns + " WHERE platform_id = ? AND complaint_id = ? ORDER BY id";
const std::string kInsertEvidence =
    "INSERT INTO evidence (platform_id, id, complaint_id, uploader_ref, uploader_role, kind, "
    "media_type, declared_media_type, filename, size, sha256, captured_at, received_at, "
    "declared_order_no, declared_amount_fen, log_index) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// MAX over the INTEGER PRIMARY KEY is one B-tree descent, not a scan.
const std::string kLogSize = "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves";
const std::string kLeafColumns =
    "SELECT idx, leaf, platform_id, complaint_id, event_seq, evidence_id FROM log_leaves";
const std::string kGetLogLeaf = kLeafColumns + " WHERE idx = ?";
const std::string kListLogLeaves = kLeafColumns + " WHERE idx >= ? ORDER BY idx LIMIT ?";
// Held back (held_rows.h): followed by the VALUES rows of a batch.
const std::string kInsertLogLeaves =
    "INSERT INTO log_leaves (idx, leaf, platform_id, complaint_id, event_seq, evidence_id) VALUES ";
// The first column echoes the position of the key in the batch.
// Nodes are keyed by the last leaf they cover (schema version 11): see LastLeaf.
const std::string kGetLogNode = "SELECT ?, hash FROM log_nodes WHERE last = ? AND level = ?";
const std::string kInsertLogNodes = "INSERT INTO log_nodes (last, level, idx, hash) VALUES ";

const std::string kCheckpointColumns =
    "SELECT tree_size, root_hash, signed_at, note FROM log_checkpoints";
const std::string kLatestCheckpoint = kCheckpointColumns + " ORDER BY tree_size DESC LIMIT 1";
const std::string kGetCheckpoint = kCheckpointColumns + " WHERE tree_size = ?";
const std::string kListCheckpoints =
    kCheckpointColumns + " WHERE tree_size > ? ORDER BY tree_size LIMIT ?";
const std::string kInsertCheckpoint =
    "INSERT INTO log_checkpoints (tree_size, root_hash, signed_at, note) VALUES (?, ?, ?, ?)";

// Records whose log_index does not name a leaf that points back at them.
const std::string kFindUnloggedEvent =
    "SELECT e.platform_id, e.complaint_id, e.seq FROM events e "
    "LEFT JOIN log_leaves l ON l.idx = e.log_index "
    "WHERE l.idx IS NULL OR l.platform_id <> e.platform_id OR l.complaint_id <> e.complaint_id "
    "OR l.event_seq IS NULL OR l.event_seq <> e.seq LIMIT 1";
const std::string kFindUnloggedEvidence =
    "SELECT v.platform_id, v.id FROM evidence v LEFT JOIN log_leaves l ON l.idx = v.log_index "
    "WHERE l.idx IS NULL OR l.platform_id <> v.platform_id OR l.evidence_id IS NULL "
    "OR l.evidence_id <> v.id LIMIT 1";

// ---- row mappers ----------------------------------------------------------------------------

StatusOr<EvidenceRecord> EvidenceFrom(const Row& r) {
  EvidenceRecord e;
  e.platform_id = r.Text(0);
  e.id = r.Text(1);
  e.complaint_id = r.Text(2);
  e.uploader_ref = r.Text(3);
  TOUSU_ASSIGN_OR_RETURN(e.uploader_role, EnumAt<Role>(r, 4, "uploader role"));
  TOUSU_ASSIGN_OR_RETURN(e.kind, EnumAt<EvidenceKind>(r, 5, "evidence kind"));
  e.media_type = r.Text(6);
  e.declared_media_type = r.Text(7);
  e.filename = r.Text(8);
  e.size = r.Int(9);
  e.sha256_hex = r.Text(10);
  e.captured_at = OptTimeAt(r, 11);
  e.received_at = TimeAt(r, 12);
  e.declared_order_no = r.Text(13);
  if (auto fen = r.OptInt(14)) e.declared_amount = Money::Fen(*fen);
  e.log_index = r.OptInt(15);
  return e;
}

StatusOr<LogLeafRecord> LeafFrom(const Row& r) {
  return LogLeafRecord{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.OptInt(4), r.Text(5)};
}

StatusOr<CheckpointRecord> CheckpointFrom(const Row& r) {
  return CheckpointRecord{r.Int(0), r.Text(1), TimeAt(r, 2), r.Text(3)};
}

// The last leaf node (level, index) covers: its key's first part, so that the nodes an append
// writes (all ending at the new leaf) go to one end of the table. -1 for a node no tree can have.
bool ValidNode(const LogNodeKey& k) {
  return k.level >= 0 && k.level <= 62 && k.index >= 0 && k.index < (int64_t{1} << (62 - k.level));
}
int64_t LastLeaf(const LogNodeKey& k) { return ValidNode(k) ? ((k.index + 1) << k.level) - 1 : -1; }

}  // namespace

// ---- reads ----------------------------------------------------------------------------------

StatusOr<std::optional<EvidenceRecord>> SqlTx::GetEvidence(std::string_view platform,
                                                           std::string_view id) {
  return One<EvidenceRecord>(db_.Query(kGetEvidence, {Text(platform), Text(id)}), EvidenceFrom);
}

StatusOr<std::vector<EvidenceRecord>> SqlTx::ListEvidence(std::string_view platform,
                                                          std::string_view complaint_id) {
  return All<EvidenceRecord>(db_.Query(kListEvidence, {Text(platform), Text(complaint_id)}),
                             EvidenceFrom);
}

StatusOr<int64_t> SqlTx::LogSize() {
  if (log_size_) return *log_size_;
  TOUSU_RETURN_IF_ERROR(held_leaves_.Flush(db_));
  TOUSU_ASSIGN_OR_RETURN(std::vector<Row> rows, db_.Query(kLogSize, {}));
  const int64_t size = rows.empty() ? 0 : rows.front().Int(0);
  if (writer_) log_size_ = size;
  return size;
}

StatusOr<std::optional<LogLeafRecord>> SqlTx::GetLogLeaf(int64_t index) {
  TOUSU_RETURN_IF_ERROR(held_leaves_.Flush(db_));
  return One<LogLeafRecord>(db_.Query(kGetLogLeaf, {Int(index)}), LeafFrom);
}

StatusOr<std::vector<LogLeafRecord>> SqlTx::ListLogLeaves(int64_t from, int limit) {
  TOUSU_RETURN_IF_ERROR(held_leaves_.Flush(db_));
  return All<LogLeafRecord>(db_.Query(kListLogLeaves, {Int(from), Int(limit)}), LeafFrom);
}

StatusOr<std::vector<std::optional<std::string>>> SqlTx::GetLogNodes(
    const std::vector<LogNodeKey>& keys) {
  // One statement per batch of point lookups (a proof needs about log2(n) nodes): a UNION ALL of
  // primary-key searches, whose text depends only on the count, so it is prepared once per count.
  // Nodes this transaction has seen already are not asked again (they never change).
  constexpr size_t kBatch = 128;  // well under SQLite's limit of 500 compound terms
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<size_t> wanted;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (node_cache_ != nullptr) {
      out[i] = node_cache_->Find(keys[i].level, keys[i].index);
      if (out[i]) continue;
    }
    auto it = log_nodes_.find({keys[i].level, keys[i].index});
    if (it != log_nodes_.end()) {
      out[i] = it->second;
    } else {
      wanted.push_back(i);
    }
  }
  if (!wanted.empty()) TOUSU_RETURN_IF_ERROR(held_nodes_.Flush(db_));
  for (size_t from = 0; from < wanted.size(); from += kBatch) {
    const size_t to = std::min(wanted.size(), from + kBatch);
    std::string sql;
    std::vector<Value> params;
    params.reserve((to - from) * 3);
    for (size_t w = from; w < to; ++w) {
      const size_t i = wanted[w];
      sql += w == from ? kGetLogNode : " UNION ALL " + kGetLogNode;
      params.push_back(Int(static_cast<int64_t>(i)));
      params.push_back(Int(LastLeaf(keys[i])));
      params.push_back(Int(keys[i].level));
    }
    TOUSU_ASSIGN_OR_RETURN(std::vector<Row> rows, db_.Query(sql, params));
    for (const Row& r : rows) {
      const size_t i = static_cast<size_t>(r.Int(0));
      if (i >= keys.size()) return Status::Internal("a log node lookup answered for no key");
      out[i] = r.Text(1);
      if (writer_) log_nodes_[{keys[i].level, keys[i].index}] = *out[i];
      if (node_cache_ != nullptr) node_cache_->Add(keys[i].level, keys[i].index, *out[i]);
    }
  }
  return out;
}

StatusOr<std::optional<CheckpointRecord>> SqlTx::LatestCheckpoint() {
  return One<CheckpointRecord>(db_.Query(kLatestCheckpoint, {}), CheckpointFrom);
}

StatusOr<std::optional<CheckpointRecord>> SqlTx::GetCheckpoint(int64_t tree_size) {
  return One<CheckpointRecord>(db_.Query(kGetCheckpoint, {Int(tree_size)}), CheckpointFrom);
}

StatusOr<std::vector<CheckpointRecord>> SqlTx::ListCheckpoints(int64_t after_size, int limit) {
  return All<CheckpointRecord>(db_.Query(kListCheckpoints, {Int(after_size), Int(limit)}),
                               CheckpointFrom);
}

StatusOr<std::optional<std::string>> SqlTx::FindUnloggedRecord() {
  TOUSU_RETURN_IF_ERROR(held_leaves_.Flush(db_));
  TOUSU_RETURN_IF_ERROR(held_events_.Flush(db_));
  TOUSU_ASSIGN_OR_RETURN(std::vector<Row> events, db_.Query(kFindUnloggedEvent, {}));
  if (!events.empty()) {
    const Row& r = events.front();
    return std::optional<std::string>("event " + r.Text(0) + "/" + r.Text(1) + "#" +
                                      std::to_string(r.Int(2)));
  }
  TOUSU_ASSIGN_OR_RETURN(std::vector<Row> evidence, db_.Query(kFindUnloggedEvidence, {}));
  if (!evidence.empty()) {
    return std::optional<std::string>("evidence " + evidence.front().Text(0) + "/" +
                                      evidence.front().Text(1));
  }
  return std::optional<std::string>();
}

// ---- writes ---------------------------------------------------------------------------------

Status SqlTx::InsertEvidence(const EvidenceRecord& r) {
  return Done(db_.Exec(
      kInsertEvidence,
      {Text(r.platform_id), Text(r.id), Text(r.complaint_id), Text(r.uploader_ref),
       Text(ToString(r.uploader_role)), Text(ToString(r.kind)), Text(r.media_type),
       Text(r.declared_media_type), Text(r.filename), Int(r.size), Text(r.sha256_hex),
       OptTime(r.captured_at), TimeValue(r.received_at), Text(r.declared_order_no),
       r.declared_amount ? Int(r.declared_amount->fen()) : Null(), OptInt(r.log_index)}));
}

Status SqlTx::InsertLogLeaf(const LogLeafRecord& l) {
  // A leaf at a taken index is refused now, as the insert would be when it is held back.
  if (log_size_ && l.index < *log_size_) return Status::Conflict("log leaf " + std::to_string(l.index) + " exists");
  Status s = Hold(held_leaves_, {Int(l.index), Bytes(l.leaf), Text(l.platform_id), Text(l.complaint_id),
                                 OptInt(l.event_seq), l.evidence_id.empty() ? Null() : Text(l.evidence_id)});
  if (s.ok() && log_size_ && *log_size_ == l.index) {
    ++*log_size_;
  } else {
    log_size_.reset();
  }
  return s;
}

Status SqlTx::InsertLogNodes(const std::vector<LogNode>& nodes) {
  for (const LogNode& n : nodes) {
    if (!ValidNode(n.key)) {
      return Status::InvalidArgument("log node (" + std::to_string(n.key.level) + ", " + std::to_string(n.key.index) +
                                     ") is outside any tree");
    }
    TOUSU_RETURN_IF_ERROR(Hold(held_nodes_, {Int(LastLeaf(n.key)), Int(n.key.level), Int(n.key.index), Bytes(n.hash)}));
    if (writer_) log_nodes_[{n.key.level, n.key.index}] = n.hash;
  }
  return Status::Ok();
}

HeldRows SqlTx::HeldLeaves() { return HeldRows(kInsertLogLeaves, 6); }
HeldRows SqlTx::HeldNodes() { return HeldRows(kInsertLogNodes, 4); }

Status SqlTx::InsertCheckpoint(const CheckpointRecord& c) {
  return Done(db_.Exec(kInsertCheckpoint, {Int(c.tree_size), Bytes(c.root_hash),
                                           TimeValue(c.signed_at), Text(c.note)}));
}

}  // namespace tousu::sql
