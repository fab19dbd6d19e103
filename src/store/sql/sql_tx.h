// SqlTx: the Store's read and write operations written once in SQL over a sql::Connection.
// Both the SQLite and the PostgreSQL store run their transactions through it; the caller
// (the store) owns BEGIN/COMMIT.
// The definitions are split by concern: sql_tx.cc (accounts, orders, complaints, events and the
// rest of the case file), sql_tx_log.cc (evidence and the transparency log), sql_tx_rules.cc
// (policies, terms, similar complaints); rows.h holds the row mapping they share.
// Thread-safety: as its Connection (one thread at a time).
#ifndef TOUSU_STORE_SQL_SQL_TX_H_
#define TOUSU_STORE_SQL_SQL_TX_H_

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "store/sql/connection.h"
#include "store/sql/held_rows.h"
#include "store/sql/log_node_cache.h"
#include "store/sql/text_packer.h"
#include "store/store.h"

namespace tousu::sql {

// A statement and its parameters.
struct SqlQuery {
  std::string sql;
  std::vector<Value> params;
};

// The purpose under which the dictionaries that pack complaint assessments are stored.
inline constexpr char kAssessmentDictionary[] = "complaint_assessment";

// The statement ListSimilarComplaints runs for `q` (exposed so that a test can check its plan).
SqlQuery SimilarComplaintsQuery(Dialect dialect, std::string_view platform, const SimilarQuery& q);

// The writer's transaction (`writer`) remembers the log's size and the tree nodes it read or
// wrote, so that a group of filings asks SQLite for them once, not at every leaf, and each
// complaint's last event number once it knows it (from 0 for a complaint it inserted). It also
// holds back the rows it inserts into tables that write jobs do not read back (log leaves, log
// nodes, the outbox, events, the deadline index) and writes them in a few multi-row statements
// at Flush (held_rows.h): one statement per row cost more than the b-tree insert it made. Any
// statement on such a table other than those inserts (a read, a delete) flushes that table
// first. Its owner must Flush before COMMIT (and, running jobs in savepoints, at the end of each
// job inside its savepoint), and after rolling back to a savepoint call Forget. A reader's
// transaction keeps nothing itself; given the store's LogNodeCache, it looks up and adds the
// upper tree nodes there (log_node_cache.h).
//
// The writer's transaction also remembers the answers of the similar-complaint reads it made
// (not the refresh's), and keeps them true as it inserts complaints: a group of filings in a
// complaint storm asks the same four questions (same platform, category and incident time) for
// every filing, and each insert changes an answer only by the new complaint itself. An update of
// a complaint drops the answers about its category.
//
// A complaint's assessment is stored packed with the store's TextPacker when it has a
// dictionary (text_packer.h): assessment_dict and assessment_packed, with assessment_json
// empty; otherwise as text in assessment_json. Reads unpack it. Without a packer a transaction
// stores text and unpacks with the dictionary read from the database.
class SqlTx final : public WriteTx {
 public:
  explicit SqlTx(Connection& conn, bool writer = false, TextPacker* packer = nullptr)
      : db_(conn), writer_(writer), packer_(packer) {}
  // A reader's transaction that shares the upper tree nodes it reads through `node_cache`.
  SqlTx(Connection& conn, LogNodeCache& node_cache, TextPacker* packer = nullptr)
      : db_(conn), writer_(false), node_cache_(&node_cache), packer_(packer) {}

  // Text dictionaries (text_packer.h): the newest for `purpose` (id and bytes); one by id; a new
  // one, whose id is returned.
  StatusOr<std::optional<std::pair<int64_t, std::string>>> NewestTextDictionary(std::string_view purpose);
  StatusOr<std::optional<std::string>> GetTextDictionary(int64_t id);
  StatusOr<int64_t> InsertTextDictionary(std::string_view purpose, std::string_view bytes);

  // What a rollback to a savepoint may have undone: everything remembered, and the rows held
  // back since the savepoint (there are no older ones: the job before flushed its own).
  void Forget() {
    log_size_.reset();
    log_nodes_.clear();
    last_event_seq_.clear();
    for (HeldRows* h : {&held_leaves_, &held_nodes_, &held_outbox_, &held_events_, &held_deadlines_}) h->Clear();
    similar_memo_.clear();
  }
  // Writes the rows held back.
  Status Flush();
  // How many rows are held back: a job that adds some has written, although no row changed yet.
  size_t held_rows() const {
    return held_leaves_.size() + held_nodes_.size() + held_outbox_.size() + held_events_.size() +
           held_deadlines_.size();
  }
  // The complaints UpdateComplaint was called for in this transaction (including jobs rolled
  // back since), for Store::OnComplaintsUpdated.
  const std::vector<ComplaintKey>& updated_complaints() const { return updated_complaints_; }

  StatusOr<std::optional<std::string>> GetMeta(std::string_view key) override;
  StatusOr<std::optional<CredentialRecord>> FindCredential(std::string_view token_hash) override;
  StatusOr<std::optional<Platform>> GetPlatform(std::string_view id) override;
  StatusOr<std::vector<Platform>> ListPlatforms() override;
  StatusOr<std::optional<Merchant>> GetMerchant(std::string_view platform, std::string_view ref) override;
  StatusOr<std::optional<User>> GetUser(std::string_view platform, std::string_view ref) override;
  StatusOr<std::optional<Order>> GetOrder(std::string_view platform, std::string_view order_no) override;
  StatusOr<std::vector<Order>> ListOrders(std::string_view platform, const OrderFilter& f) override;
  StatusOr<std::vector<Incident>> ListIncidents(std::string_view platform, const IncidentFilter& f) override;
  StatusOr<std::optional<Complaint>> GetComplaint(std::string_view platform, std::string_view id) override;
  StatusOr<std::vector<Complaint>> ListComplaints(std::string_view platform, const ComplaintFilter& f) override;
  StatusOr<std::optional<std::string>> FindOpenComplaint(std::string_view platform,
                                                         std::string_view order_no,
                                                         Category category) override;
  StatusOr<std::vector<EventRecord>> ListEvents(std::string_view platform,
                                                std::string_view complaint_id) override;
  StatusOr<std::vector<MessageRecord>> ListMessages(std::string_view platform,
                                                    std::string_view complaint_id) override;
  StatusOr<std::optional<std::string>> LeastLoadedStaff(std::string_view platform, Role role) override;
  StatusOr<std::vector<DueDeadline>> DueDeadlines(Instant now, int limit) override;
  StatusOr<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view platform,
                                                            std::string_view scope,
                                                            std::string_view key) override;
  StatusOr<std::vector<MarkRecord>> ListMarks(std::string_view platform,
                                              std::string_view complaint_id) override;
  StatusOr<std::vector<ComplaintCount>> CountComplaints() override;
  StatusOr<DeadlineStats> CountDeadlines(Instant now) override;
  StatusOr<std::optional<PolicyRecord>> GetPolicy(std::string_view platform,
                                                  std::optional<int64_t> version) override;
  StatusOr<std::vector<SimilarComplaint>> ListSimilarComplaints(std::string_view platform,
                                                                const SimilarQuery& q) override;
  StatusOr<std::vector<Complaint>> ListOpenComplaintsTouching(std::string_view platform,
                                                              const TouchingQuery& q) override;
  StatusOr<std::optional<std::pair<std::string, Instant>>> GetPlatformTerms(std::string_view platform) override;
  StatusOr<std::optional<EventRecord>> GetEvent(std::string_view platform,
                                                std::string_view complaint_id, int64_t seq) override;
  StatusOr<std::optional<EvidenceRecord>> GetEvidence(std::string_view platform,
                                                      std::string_view id) override;
  StatusOr<std::vector<EvidenceRecord>> ListEvidence(std::string_view platform,
                                                     std::string_view complaint_id) override;
  StatusOr<int64_t> LogSize() override;
  StatusOr<std::optional<LogLeafRecord>> GetLogLeaf(int64_t index) override;
  StatusOr<std::vector<LogLeafRecord>> ListLogLeaves(int64_t from, int limit) override;
  StatusOr<std::vector<std::optional<std::string>>> GetLogNodes(
      const std::vector<LogNodeKey>& keys) override;
  StatusOr<std::optional<CheckpointRecord>> LatestCheckpoint() override;
  StatusOr<std::optional<CheckpointRecord>> GetCheckpoint(int64_t tree_size) override;
  StatusOr<std::vector<CheckpointRecord>> ListCheckpoints(int64_t after_size, int limit) override;
  StatusOr<std::optional<std::string>> FindUnloggedRecord() override;

  Status SetMeta(std::string_view key, std::string_view value) override;
  Status InsertCredential(const CredentialRecord& c) override;
  Status DeleteCredential(std::string_view id) override;
  Status InsertPlatform(const Platform& p) override;
  Status UpsertMerchant(const Merchant& m) override;
  Status UpsertUser(const User& u) override;
  Status UpsertOrder(const Order& o) override;
  Status InsertIncident(const Incident& i) override;
  Status InsertComplaint(const Complaint& c) override;
  Status UpdateComplaint(const Complaint& c, const Complaint& before) override;
  Status DeleteDeadline(const DueDeadline& d) override;
  Status InsertEvent(EventRecord* e) override;
  Status InsertMessage(const MessageRecord& m) override;
  Status InsertMark(const MarkRecord& m) override;
  Status AdjustStaffLoad(std::string_view platform, std::string_view user_ref, int delta) override;
  Status PutIdempotency(std::string_view platform, std::string_view scope, std::string_view key,
                        const IdempotencyRecord& r) override;
  Status InsertOutbox(std::string_view platform, std::string_view topic, std::string_view payload,
                      Instant at) override;
  Status InsertPolicy(const PolicyRecord& p) override;
  Status PutPlatformTerms(std::string_view platform, std::string_view terms, Instant at) override;
  Status InsertEvidence(const EvidenceRecord& r) override;
  Status InsertLogLeaf(const LogLeafRecord& l) override;
  Status InsertLogNodes(const std::vector<LogNode>& nodes) override;
  Status InsertCheckpoint(const CheckpointRecord& c) override;

 private:
  // The assessment's three columns (assessment_json, assessment_dict, assessment_packed).
  struct AssessmentColumns {
    Value text, dictionary, packed;
  };
  AssessmentColumns PackAssessment(const std::string& text);
  StatusOr<std::string> Unpack(int64_t dictionary_id, std::string_view bytes);
  // One row selected with kComplaintColumns (rows.h).
  StatusOr<Complaint> ComplaintOf(const Row& r);

  // The complaint's rows in the deadline index, from `before`'s (none for a new complaint) to c's.
  Status WriteDeadlineIndex(const Complaint& c, const std::map<DeadlineKind, Instant>& before);

  Connection& db_;
  // Adds a row to `held`, written at once outside the writer's transaction.
  Status Hold(HeldRows& held, std::vector<Value> row);
  static HeldRows HeldLeaves();
  static HeldRows HeldNodes();
  static HeldRows HeldOutbox();
  static HeldRows HeldEvents();
  static HeldRows HeldDeadlines();

  struct SimilarMemo {
    std::string platform;
    SimilarQuery query;
    std::vector<SimilarComplaint> found;
  };
  // The new complaint `c` into every remembered answer it belongs to.
  void NoteSimilar(const Complaint& c);

  const bool writer_;
  LogNodeCache* const node_cache_ = nullptr;  // readers only: what they read is committed
  TextPacker* const packer_ = nullptr;
  std::unique_ptr<TextPacker> own_packer_;  // without packer_: the dictionaries this one loaded
  std::vector<SimilarMemo> similar_memo_;
  HeldRows held_leaves_ = HeldLeaves();
  HeldRows held_nodes_ = HeldNodes();
  HeldRows held_outbox_ = HeldOutbox();
  HeldRows held_events_ = HeldEvents();
  HeldRows held_deadlines_ = HeldDeadlines();
  std::optional<int64_t> log_size_;
  // (platform, complaint) → its last event's seq, in this transaction.
  std::map<std::pair<std::string, std::string>, int64_t> last_event_seq_;
  std::map<std::pair<int, int64_t>, std::string> log_nodes_;  // (level, index) → hash
  std::vector<ComplaintKey> updated_complaints_;
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_SQL_TX_H_
