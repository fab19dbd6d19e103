// The Store: tousu's one storage interface. SQLite (store/sqlite) is the embedded default;
// PostgreSQL (store/postgres) implements the same interface for larger deployments. Every
// table is keyed by platform first, so a sharded PostgreSQL can split on it.
//
// Reads run on the caller's thread in a snapshot (ReadTx). Writes are jobs: Write() queues a
// job that runs inside one transaction (WriteTx) and calls `done` only after the transaction is
// durable (fsynced) or rolled back. A job that fails rolls back alone; jobs may be committed
// together in one group commit, which is why a job must do all its reads through the WriteTx it
// is given, and must not block. A job may be run more than once (its group starts over when
// another job fails after writing), so it must do nothing outside its transaction that a second
// run would repeat wrongly.
//
// Thread-safety: Store methods may be called from any thread. A ReadTx/WriteTx belongs to the
// job or read function it was passed to and must not escape it.
#ifndef TOUSU_STORE_STORE_H_
#define TOUSU_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "domain/lifecycle.h"
#include "domain/model.h"
#include "domain/principal.h"

namespace tousu {

// A bearer secret as stored: only its SHA-256, never the token itself.
struct CredentialRecord {
  std::string id;          // "crd_..." (for logout and idempotency scope)
  std::string token_hash;  // raw 32 bytes of SHA-256(token)
  Role role = Role::kPublic;
  std::string platform_id;  // empty for admin
  std::string user_ref;     // users only
  std::optional<Instant> expires_at;
  Instant created_at;
};

struct EventRecord {
  std::string platform_id;
  std::string complaint_id;
  int64_t seq = 0;  // 1, 2, ... within the complaint; assigned by InsertEvent
  std::string type;
  Actor actor;
  ComplaintStatus from = ComplaintStatus::kSubmitted;
  ComplaintStatus to = ComplaintStatus::kSubmitted;
  Instant at;           // when it took effect (a deadline's due time for automatic events)
  Instant recorded_at;  // when the server wrote it
  std::string data_json;
  std::optional<int64_t> log_index;  // its leaf in the transparency log
};

struct MessageRecord {
  std::string platform_id;
  std::string complaint_id;
  std::string id;
  std::string author_ref;
  Role author_role = Role::kConsumer;
  std::string text;
  Instant at;
  int64_t event_seq = 0;
};

struct DueDeadline {
  std::string platform_id;
  std::string complaint_id;
  DeadlineKind kind = DeadlineKind::kMerchantResponse;
  Instant due_at;
};

struct IdempotencyRecord {
  std::string request_hash;  // hex SHA-256 of method, path and body
  int status = 0;
  std::string body;
  Instant created_at;
};

struct ComplaintFilter {
  std::optional<ComplaintStatus> status;
  std::optional<Category> category;
  std::optional<Tier> tier;
  std::string merchant_ref;
  std::string consumer_ref;
  std::string assignee;
  std::string before_id;  // cursor: ids strictly before this one (newest first)
  int limit = 50;
};

struct OrderFilter {
  std::string consumer_ref;
  std::string merchant_ref;
  std::string before_order_no;  // cursor
  int limit = 50;
};

struct IncidentFilter {
  std::optional<Instant> overlaps_from;  // incidents whose window meets [from, to]
  std::optional<Instant> overlaps_to;
  std::string before_id;
  int limit = 200;
};

// One version of a platform's rule policy, as the admin sent it (TOML text).
struct PolicyRecord {
  std::string platform_id;
  int64_t version = 0;  // 1, 2, ... per platform; every version is kept
  std::string text;
  std::string created_by;  // "admin"
  Instant created_at;
};

// Complaints like one being assessed: same category, incident time in [from, to], optionally the
// same merchant; withdrawn ones and `exclude_id` left out. Earliest incident first.
struct SimilarQuery {
  Category category = Category::kDisconnected;
  std::string merchant_ref;  // empty: any merchant of the platform
  Instant from;
  Instant to;
  std::string exclude_id;
  int limit = 1000;
  bool newest_first = false;            // order by incident_at descending
  bool only_undetermined_open = false;  // open complaints whose party is still undetermined
};

struct SimilarComplaint {
  std::string id;
  std::string merchant_ref;
  Instant incident_at;
  ComplaintStatus status = ComplaintStatus::kSubmitted;
  Party party = Party::kUndetermined;
};

// Open complaints whose incident window [incident_at, incident_ends_at or incident_at] touches
// [from, to]. `earliest_incident_at` bounds the index range (no complaint window is longer than
// the service allows). Paged by id ascending after `after_id`.
struct TouchingQuery {
  Instant from;
  Instant to;
  Instant earliest_incident_at;
  std::string merchant_ref;  // non-empty: only complaints against this merchant
  std::string after_id;
  int limit = 200;
};

// One leaf of the transparency log: its exact bytes and the record it stands for.
struct LogLeafRecord {
  int64_t index = 0;
  std::string leaf;  // the leaf bytes (docs/log_format.md)
  std::string platform_id;
  std::string complaint_id;
  std::optional<int64_t> event_seq;  // set for an event's leaf
  std::string evidence_id;           // set for an evidence record's leaf
};

// A signed checkpoint of the log (a C2SP signed note).
struct CheckpointRecord {
  int64_t tree_size = 0;
  std::string root_hash;  // 32 raw bytes
  Instant signed_at;
  std::string note;
};

// A position in the log's tree: node (level, index) covers leaves
// [index * 2^level, (index + 1) * 2^level).
struct LogNodeKey {
  int level = 0;
  int64_t index = 0;
};

struct LogNode {
  LogNodeKey key;
  std::string hash;  // 32 raw bytes
};

struct MarkRecord {
  std::string platform_id;
  Mark::Subject subject = Mark::Subject::kMerchant;
  std::string merchant_ref;
  std::string complaint_id;
  std::string kind;
  Instant at;
};

struct ComplaintCount {
  ComplaintStatus status = ComplaintStatus::kSubmitted;
  Tier tier = Tier::kNormal;
  int64_t count = 0;
};

struct DeadlineStats {
  int64_t pending = 0;               // every deadline in the index
  int64_t due = 0;                   // due at `now` and not yet acted on
  std::optional<Instant> oldest_due;  // the earliest of those
};

class ReadTx {
 public:
  virtual ~ReadTx() = default;

  virtual StatusOr<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  virtual StatusOr<std::optional<CredentialRecord>> FindCredential(std::string_view token_hash) = 0;

  virtual StatusOr<std::optional<Platform>> GetPlatform(std::string_view id) = 0;
  virtual StatusOr<std::vector<Platform>> ListPlatforms() = 0;
  virtual StatusOr<std::optional<Merchant>> GetMerchant(std::string_view platform,
                                                        std::string_view ref) = 0;
  virtual StatusOr<std::optional<User>> GetUser(std::string_view platform, std::string_view ref) = 0;
  virtual StatusOr<std::optional<Order>> GetOrder(std::string_view platform,
                                                  std::string_view order_no) = 0;
  virtual StatusOr<std::vector<Order>> ListOrders(std::string_view platform, const OrderFilter& f) = 0;
  virtual StatusOr<std::vector<Incident>> ListIncidents(std::string_view platform,
                                                        const IncidentFilter& f) = 0;

  virtual StatusOr<std::optional<Complaint>> GetComplaint(std::string_view platform,
                                                          std::string_view id) = 0;
  virtual StatusOr<std::vector<Complaint>> ListComplaints(std::string_view platform,
                                                          const ComplaintFilter& f) = 0;
  // The id of an open complaint about this order and category, if any.
  virtual StatusOr<std::optional<std::string>> FindOpenComplaint(std::string_view platform,
                                                                 std::string_view order_no,
                                                                 Category category) = 0;
  virtual StatusOr<std::vector<EventRecord>> ListEvents(std::string_view platform,
                                                        std::string_view complaint_id) = 0;
  virtual StatusOr<std::vector<MessageRecord>> ListMessages(std::string_view platform,
                                                            std::string_view complaint_id) = 0;

  // The staff member of `role` with the fewest open complaints (ties: smallest ref).
  virtual StatusOr<std::optional<std::string>> LeastLoadedStaff(std::string_view platform,
                                                                Role role) = 0;
  // Deadlines due at or before `now`, earliest first, across all platforms.
  virtual StatusOr<std::vector<DueDeadline>> DueDeadlines(Instant now, int limit) = 0;
  virtual StatusOr<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view platform,
                                                                    std::string_view scope,
                                                                    std::string_view key) = 0;
  virtual StatusOr<std::vector<MarkRecord>> ListMarks(std::string_view platform,
                                                      std::string_view complaint_id) = 0;

  // For metrics: complaints by status and tier across platforms (a scan), and the deadline index.
  virtual StatusOr<std::vector<ComplaintCount>> CountComplaints() = 0;
  virtual StatusOr<DeadlineStats> CountDeadlines(Instant now) = 0;
  // The platform's policy: the given version, or the current (highest) one; nullopt when the
  // platform has never set one (the built-in defaults apply).
  virtual StatusOr<std::optional<PolicyRecord>> GetPolicy(std::string_view platform,
                                                          std::optional<int64_t> version) = 0;
  virtual StatusOr<std::vector<SimilarComplaint>> ListSimilarComplaints(std::string_view platform,
                                                                        const SimilarQuery& q) = 0;
  virtual StatusOr<std::vector<Complaint>> ListOpenComplaintsTouching(std::string_view platform,
                                                                      const TouchingQuery& q) = 0;
  // The platform's own terms text and when it was set; nullopt when never set.
  virtual StatusOr<std::optional<std::pair<std::string, Instant>>> GetPlatformTerms(
      std::string_view platform) = 0;

  virtual StatusOr<std::optional<EventRecord>> GetEvent(std::string_view platform,
                                                        std::string_view complaint_id,
                                                        int64_t seq) = 0;

  // Evidence records. ListEvidence returns a complaint's records oldest first (the rules read
  // them as facts).
  virtual StatusOr<std::optional<EvidenceRecord>> GetEvidence(std::string_view platform,
                                                              std::string_view id) = 0;
  virtual StatusOr<std::vector<EvidenceRecord>> ListEvidence(std::string_view platform,
                                                             std::string_view complaint_id) = 0;

  // The transparency log (one tree for the whole deployment, not per platform).
  virtual StatusOr<int64_t> LogSize() = 0;
  virtual StatusOr<std::optional<LogLeafRecord>> GetLogLeaf(int64_t index) = 0;
  // Leaves from `from` on, in order, at most `limit`.
  virtual StatusOr<std::vector<LogLeafRecord>> ListLogLeaves(int64_t from, int limit) = 0;
  // The stored hashes (32 raw bytes) of the given nodes, in order; nullopt for a missing node.
  virtual StatusOr<std::vector<std::optional<std::string>>> GetLogNodes(
      const std::vector<LogNodeKey>& keys) = 0;
  virtual StatusOr<std::optional<CheckpointRecord>> LatestCheckpoint() = 0;
  virtual StatusOr<std::optional<CheckpointRecord>> GetCheckpoint(int64_t tree_size) = 0;
  // Checkpoints with a tree size above `after_size`, smallest first, at most `limit`.
  virtual StatusOr<std::vector<CheckpointRecord>> ListCheckpoints(int64_t after_size, int limit) = 0;
  // An event or evidence record whose leaf is missing or describes something else, named for a
  // report ("event shop/cmp_1#3"); nullopt when every record has its own leaf.
  virtual StatusOr<std::optional<std::string>> FindUnloggedRecord() = 0;
};

class WriteTx : public ReadTx {
 public:
  virtual Status SetMeta(std::string_view key, std::string_view value) = 0;
  virtual Status InsertCredential(const CredentialRecord& c) = 0;
  virtual Status DeleteCredential(std::string_view id) = 0;

  virtual Status InsertPlatform(const Platform& p) = 0;
  virtual Status UpsertMerchant(const Merchant& m) = 0;
  virtual Status UpsertUser(const User& u) = 0;
  virtual Status UpsertOrder(const Order& o) = 0;
  virtual Status InsertIncident(const Incident& i) = 0;

  virtual Status InsertComplaint(const Complaint& c) = 0;
  // Writes `c` (and its deadline index) over `before`, the complaint as this transaction read
  // it, if the stored version is still before.version; otherwise Conflict. Only the deadlines
  // that differ from before's are written.
  virtual Status UpdateComplaint(const Complaint& c, const Complaint& before) = 0;
  // Drops one deadline from the index (a stale one the sweeper found).
  virtual Status DeleteDeadline(const DueDeadline& d) = 0;
  // Appends the event and sets e->seq.
  virtual Status InsertEvent(EventRecord* e) = 0;
  virtual Status InsertMessage(const MessageRecord& m) = 0;
  virtual Status InsertMark(const MarkRecord& m) = 0;
  virtual Status AdjustStaffLoad(std::string_view platform, std::string_view user_ref,
                                 int delta) = 0;
  virtual Status PutIdempotency(std::string_view platform, std::string_view scope,
                                std::string_view key, const IdempotencyRecord& r) = 0;
  // Queues a payload for the log and notifications (the outbox), in this transaction.
  virtual Status InsertOutbox(std::string_view platform, std::string_view topic,
                              std::string_view payload, Instant at) = 0;
  // Stores a new policy version; Conflict if that version exists.
  virtual Status InsertPolicy(const PolicyRecord& p) = 0;
  virtual Status PutPlatformTerms(std::string_view platform, std::string_view terms, Instant at) = 0;

  virtual Status InsertEvidence(const EvidenceRecord& r) = 0;
  // Log writes: append-only. A leaf or node that exists already is a Conflict.
  virtual Status InsertLogLeaf(const LogLeafRecord& l) = 0;
  virtual Status InsertLogNodes(const std::vector<LogNode>& nodes) = 0;
  virtual Status InsertCheckpoint(const CheckpointRecord& c) = 0;
};

using ReadFn = std::function<Status(ReadTx&)>;

// A complaint's key: its platform and id.
struct ComplaintKey {
  std::string platform_id;
  std::string id;
};

// What a write, and an answer waiting for durability, gets once the store can no longer make
// writes durable (a failed fsync): 503 until the server is restarted.
Status NotDurable();
using WriteJob = std::function<Status(WriteTx&)>;
using WriteDone = std::function<void(Status)>;

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` in a read snapshot on this thread.
  virtual Status Read(const ReadFn& fn) = 0;
  // Queues `job`; `done` runs (on a store thread) once it is durable or has failed.
  virtual void Write(WriteJob job, WriteDone done) = 0;

  // Durability of what reads saw. A store may let a commit be seen by readers a moment before
  // it is on disk (the SQLite store fsyncs one group while it runs the next); no answer built
  // from a read may leave the server before what it saw is durable, or a crash could take back
  // something a client was shown. ReadHorizon(), taken after the reads, covers every commit
  // they could have seen; once Durable(horizon), they are all on disk. AfterDurable runs
  // `fn(Ok)` then, at once on this thread when that is already so. Otherwise `fn` gets an
  // Unavailable status that says why the answer must not go: NotDurable() if the store can no
  // longer make writes durable, or a disk that has not confirmed a sync for too long (the
  // answer is held no longer; the write itself still waits for its sync). A store that fsyncs
  // inside its commits keeps the defaults.
  virtual uint64_t ReadHorizon() const { return 0; }
  virtual bool Durable(uint64_t /*horizon*/) const { return true; }
  virtual void AfterDurable(uint64_t /*horizon*/, std::function<void(Status)> fn) { fn(Status::Ok()); }
  // Write and wait. Never call from inside a job or a `done` callback.
  Status WriteSync(WriteJob job);

  // For caches of what reads return (http/complaint_cache.h): `fn` learns of every complaint
  // row a commit updated (UpdateComplaint; rows only ever change that way), once the commit is
  // visible to readers and before any answer that depends on it may leave the server, since
  // every such answer waits for the commit to be durable and `fn` runs before that. A job that
  // rolled back may name rows that did not change. Runs on the store's writer: it must be quick
  // and must not call the store. Set once, before the first write.
  virtual void OnComplaintsUpdated(std::function<void(const std::vector<ComplaintKey>&)> fn) = 0;

  // True once the store answers and its schema is current.
  virtual bool Ready() = 0;
  // Folds the write-ahead log into the main file (at shutdown).
  virtual Status Checkpoint() = 0;
  // Finishes queued jobs, then stops accepting new ones (they fail with Unavailable).
  virtual void Close() = 0;
};

}  // namespace tousu

#endif  // TOUSU_STORE_STORE_H_
