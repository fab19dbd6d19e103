#include "store/sqlite/schema.h"

namespace tousu::sql {

namespace {

// Version 1: the backbone. Times are INTEGER Unix seconds (UTC); money INTEGER fen; booleans
// INTEGER 0/1; nested values JSON text (domain/codec.h). Every table is keyed by platform_id
// first (admin-level rows use the empty platform id).
constexpr char kV1[] = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE platforms (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE credentials (
  token_hash  BLOB PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  platform_id TEXT NOT NULL,
  role        TEXT NOT NULL,
  user_ref    TEXT NOT NULL,
  expires_at  INTEGER,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE merchants (
  platform_id  TEXT NOT NULL,
  ref          TEXT NOT NULL,
  name         TEXT NOT NULL,
  kyc_verified INTEGER NOT NULL,
  terms        TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (platform_id, ref)
) WITHOUT ROWID;

CREATE TABLE users (
  platform_id   TEXT NOT NULL,
  ref           TEXT NOT NULL,
  role          TEXT NOT NULL,
  name          TEXT NOT NULL,
  merchant_ref  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  open_load     INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (platform_id, ref)
) WITHOUT ROWID;
CREATE INDEX users_by_load ON users (platform_id, role, open_load, ref);

CREATE TABLE orders (
  platform_id       TEXT NOT NULL,
  order_no          TEXT NOT NULL,
  consumer_ref      TEXT NOT NULL,
  merchant_ref      TEXT NOT NULL,
  product_kind      TEXT NOT NULL,
  title             TEXT NOT NULL,
  amount_fen        INTEGER NOT NULL,
  paid_at           INTEGER NOT NULL,
  delivered_at      INTEGER,
  service_starts_at INTEGER,
  service_ends_at   INTEGER,
  payment_channel   TEXT NOT NULL,
  payment_ref       TEXT NOT NULL,
  self_declared     INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (platform_id, order_no)
) WITHOUT ROWID;
CREATE INDEX orders_by_consumer ON orders (platform_id, consumer_ref, order_no);
CREATE INDEX orders_by_merchant ON orders (platform_id, merchant_ref, order_no);

CREATE TABLE incidents (
  platform_id      TEXT NOT NULL,
  id               TEXT NOT NULL,
  kind             TEXT NOT NULL,
  starts_at        INTEGER NOT NULL,
  ends_at          INTEGER NOT NULL,
  announced_at     INTEGER,
  members_notified INTEGER NOT NULL,
  merchant_ref     TEXT NOT NULL,
  description      TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (platform_id, id)
) WITHOUT ROWID;
CREATE INDEX incidents_by_start ON incidents (platform_id, starts_at);

CREATE TABLE complaints (
  platform_id      TEXT NOT NULL,
  id               TEXT NOT NULL,
  order_no         TEXT NOT NULL,
  consumer_ref     TEXT NOT NULL,
  merchant_ref     TEXT NOT NULL,
  category         TEXT NOT NULL,
  incident_at      INTEGER NOT NULL,
  incident_ends_at INTEGER,
  description      TEXT NOT NULL,
  demands_json     TEXT NOT NULL,
  late_reason      TEXT NOT NULL,
  late             INTEGER NOT NULL,
  status           TEXT NOT NULL,
  tier             TEXT NOT NULL,
  assignee         TEXT NOT NULL,
  version          INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  offer_json       TEXT,
  decision_json    TEXT,
  owed_json        TEXT NOT NULL,
  done_json        TEXT NOT NULL,
  appealed         INTEGER NOT NULL,
  review_overdue   INTEGER NOT NULL,
  reply_overdue    INTEGER NOT NULL,
  escalation       TEXT,
  rating_json      TEXT,
  assessment_json  TEXT NOT NULL,
  deadlines_json   TEXT NOT NULL,
  PRIMARY KEY (platform_id, id)
) WITHOUT ROWID;
CREATE INDEX complaints_by_status   ON complaints (platform_id, status, id);
CREATE INDEX complaints_by_consumer ON complaints (platform_id, consumer_ref, id);
CREATE INDEX complaints_by_merchant ON complaints (platform_id, merchant_ref, id);
CREATE INDEX complaints_by_assignee ON complaints (platform_id, assignee, id);
CREATE INDEX complaints_by_order    ON complaints (platform_id, order_no);
CREATE INDEX complaints_by_category ON complaints (platform_id, category, created_at);

-- The sweeper's index: one row per pending deadline; it reads only the due ones.
CREATE TABLE deadlines (
  platform_id  TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  kind         TEXT NOT NULL,
  due_at       INTEGER NOT NULL,
  PRIMARY KEY (platform_id, complaint_id, kind)
) WITHOUT ROWID;
CREATE INDEX deadlines_by_due ON deadlines (due_at);

CREATE TABLE events (
  platform_id  TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  type         TEXT NOT NULL,
  actor_kind   TEXT NOT NULL,
  actor_ref    TEXT NOT NULL,
  actor_role   TEXT NOT NULL,
  from_status  TEXT NOT NULL,
  to_status    TEXT NOT NULL,
  at           INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL,
  data_json    TEXT NOT NULL,
  log_index    INTEGER,
  PRIMARY KEY (platform_id, complaint_id, seq)
) WITHOUT ROWID;

CREATE TABLE messages (
  platform_id  TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  id           TEXT NOT NULL,
  author_ref   TEXT NOT NULL,
  author_role  TEXT NOT NULL,
  text         TEXT NOT NULL,
  at           INTEGER NOT NULL,
  event_seq    INTEGER NOT NULL,
  PRIMARY KEY (platform_id, complaint_id, id)
) WITHOUT ROWID;

-- Strikes against merchants and the platform: missed deadlines, for the public record.
CREATE TABLE marks (
  platform_id  TEXT NOT NULL,
  subject      TEXT NOT NULL,
  merchant_ref TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  kind         TEXT NOT NULL,
  at           INTEGER NOT NULL,
  PRIMARY KEY (platform_id, complaint_id, kind, at)
) WITHOUT ROWID;
CREATE INDEX marks_by_merchant ON marks (platform_id, merchant_ref, at);

CREATE TABLE idempotency (
  platform_id  TEXT NOT NULL,
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (platform_id, scope, key)
) WITHOUT ROWID;

-- Payloads for the transparency log and notifications, written in the same transaction as
-- the change they describe.
CREATE TABLE outbox (
  seq         INTEGER PRIMARY KEY,
  platform_id TEXT NOT NULL,
  topic       TEXT NOT NULL,
  payload     TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
)sql";

// Version 2: the evidence vault and the transparency log (docs/log_format.md). The log is one
// tree for the whole deployment, so its tables are not keyed by platform: under a sharded
// PostgreSQL they stay on the coordinator. Hashes are raw 32-byte BLOBs.
constexpr char kV2[] = R"sql(
CREATE TABLE evidence (
  platform_id         TEXT NOT NULL,
  id                  TEXT NOT NULL,
  complaint_id        TEXT NOT NULL,
  uploader_ref        TEXT NOT NULL,
  uploader_role       TEXT NOT NULL,
  kind                TEXT NOT NULL,
  media_type          TEXT NOT NULL,
  declared_media_type TEXT NOT NULL,
  filename            TEXT NOT NULL,
  size                INTEGER NOT NULL,
  sha256              TEXT NOT NULL,
  captured_at         INTEGER,
  received_at         INTEGER NOT NULL,
  declared_order_no   TEXT NOT NULL,
  declared_amount_fen INTEGER,
  log_index           INTEGER NOT NULL,
  PRIMARY KEY (platform_id, id)
) WITHOUT ROWID;
CREATE INDEX evidence_by_complaint ON evidence (platform_id, complaint_id, id);

-- Leaf i of the log: its exact bytes and the record it stands for (an event or an evidence row).
CREATE TABLE log_leaves (
  idx          INTEGER PRIMARY KEY,
  leaf         BLOB NOT NULL,
  platform_id  TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  event_seq    INTEGER,
  evidence_id  TEXT
);

-- Complete subtree hashes: node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level).
CREATE TABLE log_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Every signed checkpoint, kept forever: C2SP signed notes, one per tree size.
CREATE TABLE log_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root_hash BLOB NOT NULL,
  signed_at INTEGER NOT NULL,
  note      TEXT NOT NULL
);
)sql";

// Version 3: the rules engine. Each platform's rule policies, every version kept (an
// assessment names the version it used); the platform's own terms; indexes for the similar-complaints count and for the
// open complaints an incident touches. (Version 2 is the evidence log's.)
constexpr char kV3[] = R"sql(
CREATE TABLE policies (
  platform_id TEXT NOT NULL,
  version     INTEGER NOT NULL,
  text        TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (platform_id, version)
) WITHOUT ROWID;

-- The platform's own terms (用户协议), scanned for unfair clauses like the merchants' terms.
CREATE TABLE platform_terms (
  platform_id TEXT PRIMARY KEY,
  terms       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX complaints_by_category_incident ON complaints (platform_id, category, incident_at);
CREATE INDEX complaints_by_merchant_category ON complaints (platform_id, merchant_ref, category, incident_at);
CREATE INDEX complaints_by_incident ON complaints (platform_id, incident_at);
)sql";

// Version 4: fixed planner statistics. Without sqlite_stat1, SQLite guesses that walking a
// platform's rows in primary-key order beats an index on consumer, status or order number (it
// avoids a sort), and at 10^6 complaints each filing then scanned the whole platform
// (docs/benchmarks.md). These rows describe the shape of a large deployment — about 10^5
// complaints per platform, 10 per consumer, 1 per order and category — so the plans are right
// from the first complaint. (SQLite documents fixed statistics for this purpose.) A later
// ANALYZE on real data replaces them with measured ones.
constexpr char kV4[] = R"sql(
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE tbl IN ('complaints', 'orders', 'deadlines', 'events', 'users');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'complaints',                      '1000000 100000 1'),
  ('complaints', 'complaints_by_status',            '1000000 100000 20000 1'),
  ('complaints', 'complaints_by_consumer',          '1000000 100000 10 1'),
  ('complaints', 'complaints_by_merchant',          '1000000 100000 1000 1'),
  ('complaints', 'complaints_by_assignee',          '1000000 100000 2000 1'),
  ('complaints', 'complaints_by_order',             '1000000 100000 1'),
  ('complaints', 'complaints_by_category',          '1000000 100000 10000 2'),
  ('complaints', 'complaints_by_category_incident', '1000000 100000 10000 2'),
  ('complaints', 'complaints_by_merchant_category', '1000000 100000 1000 100 2'),
  ('complaints', 'complaints_by_incident',          '1000000 100000 2'),
  ('orders', 'orders',                              '2000000 200000 1'),
  ('orders', 'orders_by_consumer',                  '2000000 200000 20 1'),
  ('orders', 'orders_by_merchant',                  '2000000 200000 2000 1'),
  ('deadlines', 'deadlines',                        '3000000 300000 3 1'),
  ('deadlines', 'deadlines_by_due',                 '3000000 2'),
  ('events', 'events',                              '6000000 600000 6 1'),
  ('users', 'users',                                '200000 20000 1'),
  ('users', 'users_by_load',                        '200000 20000 5000 50 1');
ANALYZE sqlite_schema;
)sql";

// Version 5: the responsibility party beside the assessment, and one covering index for the
// similar-complaints count, so that filing in a complaint storm reads index entries only
// instead of thousands of complaint rows (each carrying a 2-3 KB assessment).
constexpr char kV5[] = R"sql(
ALTER TABLE complaints ADD COLUMN party TEXT NOT NULL DEFAULT 'undetermined';
UPDATE complaints SET party = COALESCE(json_extract(assessment_json, '$.responsibility.party'), 'undetermined');
DROP INDEX complaints_by_category_incident;
CREATE INDEX complaints_similar ON complaints (platform_id, category, incident_at, merchant_ref, status, party);
DELETE FROM sqlite_stat1 WHERE idx IN ('complaints_by_category_incident', 'complaints_similar');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'complaints_similar', '1000000 100000 10000 2 2 2 2');
ANALYZE sqlite_schema;
)sql";

// Version 6: the undetermined complaints of a category by incident time, so that the refresh
// after a filing reads only those (in a storm, once the cluster is found, none). The statistics
// say undetermined ones are few, which is what makes the planner prefer this index.
constexpr char kV6[] = R"sql(
CREATE INDEX complaints_undetermined ON complaints (platform_id, category, party, incident_at);
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'complaints_undetermined', '1000000 100000 10000 100 2');
ANALYZE sqlite_schema;
)sql";

// Version 7: two indexes no query uses any more (every index costs each complaint insert and
// update a b-tree write on the single writer thread).
constexpr char kV7[] = R"sql(
DROP INDEX IF EXISTS complaints_by_category;
DROP INDEX IF EXISTS complaints_by_merchant_category;
DELETE FROM sqlite_stat1 WHERE idx IN ('complaints_by_category', 'complaints_by_merchant_category');
ANALYZE sqlite_schema;
)sql";

// Version 8: the similar complaints of one merchant by incident time. Without it, the nearest
// ones of a merchant were found by walking complaints_similar, where all of a storm's
// complaints of the same second sort by merchant first: thousands of entries per filing.
constexpr char kV8[] = R"sql(
CREATE INDEX complaints_similar_by_merchant ON complaints (platform_id, merchant_ref, category, incident_at, status, party);
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'complaints_similar_by_merchant', '1000000 100000 1000 100 2 2 2');
ANALYZE sqlite_schema;
)sql";

// Version 9: complaints and idempotency records become rowid tables. A WITHOUT ROWID table is
// an index b-tree: its interior pages hold whole rows, and a row over ~1,000 bytes (a complaint
// with its 2-3 KB assessment; an idempotency record with the complaint body it answered) spills
// into overflow pages that SQLite reads in full at every comparison on the way down. A read of
// one complaint took 12 page reads at 10^5 complaints. As rowid tables the rows live in the
// leaves only (one page each), the (platform_id, id) key is a small separate index, and the
// secondary indexes carry an 8-byte rowid instead of the key (so the two covering indexes of the
// similar-complaints reads now name `id` themselves). Rows are copied in key order, so rowids
// follow filing order within a platform (ids are time-ordered).
constexpr char kV9[] = R"sql(
ALTER TABLE complaints RENAME TO complaints_v8;
CREATE TABLE complaints (
  platform_id      TEXT NOT NULL,
  id               TEXT NOT NULL,
  order_no         TEXT NOT NULL,
  consumer_ref     TEXT NOT NULL,
  merchant_ref     TEXT NOT NULL,
  category         TEXT NOT NULL,
  incident_at      INTEGER NOT NULL,
  incident_ends_at INTEGER,
  description      TEXT NOT NULL,
  demands_json     TEXT NOT NULL,
  late_reason      TEXT NOT NULL,
  late             INTEGER NOT NULL,
  status           TEXT NOT NULL,
  tier             TEXT NOT NULL,
  assignee         TEXT NOT NULL,
  version          INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  offer_json       TEXT,
  decision_json    TEXT,
  owed_json        TEXT NOT NULL,
  done_json        TEXT NOT NULL,
  appealed         INTEGER NOT NULL,
  review_overdue   INTEGER NOT NULL,
  reply_overdue    INTEGER NOT NULL,
  escalation       TEXT,
  rating_json      TEXT,
  assessment_json  TEXT NOT NULL,
  deadlines_json   TEXT NOT NULL,
  party            TEXT NOT NULL DEFAULT 'undetermined',
  PRIMARY KEY (platform_id, id)
);
INSERT INTO complaints (platform_id, id, order_no, consumer_ref, merchant_ref, category, incident_at,
  incident_ends_at, description, demands_json, late_reason, late, status, tier, assignee, version,
  created_at, updated_at, offer_json, decision_json, owed_json, done_json, appealed, review_overdue,
  reply_overdue, escalation, rating_json, assessment_json, deadlines_json, party)
SELECT platform_id, id, order_no, consumer_ref, merchant_ref, category, incident_at,
  incident_ends_at, description, demands_json, late_reason, late, status, tier, assignee, version,
  created_at, updated_at, offer_json, decision_json, owed_json, done_json, appealed, review_overdue,
  reply_overdue, escalation, rating_json, assessment_json, deadlines_json, party
FROM complaints_v8 ORDER BY platform_id, id;
DROP TABLE complaints_v8;
CREATE INDEX complaints_by_status    ON complaints (platform_id, status, id);
CREATE INDEX complaints_by_consumer  ON complaints (platform_id, consumer_ref, id);
CREATE INDEX complaints_by_merchant  ON complaints (platform_id, merchant_ref, id);
CREATE INDEX complaints_by_assignee  ON complaints (platform_id, assignee, id);
CREATE INDEX complaints_by_order     ON complaints (platform_id, order_no);
CREATE INDEX complaints_by_incident  ON complaints (platform_id, incident_at);
CREATE INDEX complaints_similar      ON complaints (platform_id, category, incident_at, merchant_ref, status, party, id);
CREATE INDEX complaints_undetermined ON complaints (platform_id, category, party, incident_at);
CREATE INDEX complaints_similar_by_merchant ON complaints (platform_id, merchant_ref, category, incident_at, status, party, id);

ALTER TABLE idempotency RENAME TO idempotency_v8;
CREATE TABLE idempotency (
  platform_id  TEXT NOT NULL,
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (platform_id, scope, key)
);
INSERT INTO idempotency (platform_id, scope, key, request_hash, status, body, created_at)
SELECT platform_id, scope, key, request_hash, status, body, created_at FROM idempotency_v8
ORDER BY created_at;
DROP TABLE idempotency_v8;

DELETE FROM sqlite_stat1 WHERE tbl IN ('complaints', 'complaints_v8', 'idempotency', 'idempotency_v8');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'sqlite_autoindex_complaints_1',  '1000000 100000 1'),
  ('complaints', 'complaints_by_status',           '1000000 100000 20000 1'),
  ('complaints', 'complaints_by_consumer',         '1000000 100000 10 1'),
  ('complaints', 'complaints_by_merchant',         '1000000 100000 1000 1'),
  ('complaints', 'complaints_by_assignee',         '1000000 100000 2000 1'),
  ('complaints', 'complaints_by_order',            '1000000 100000 1'),
  ('complaints', 'complaints_by_incident',         '1000000 100000 2'),
  ('complaints', 'complaints_similar',             '1000000 100000 10000 2 2 2 2 1'),
  ('complaints', 'complaints_undetermined',        '1000000 100000 10000 100 2'),
  ('complaints', 'complaints_similar_by_merchant', '1000000 100000 1000 100 2 2 2 1');
ANALYZE sqlite_schema;
)sql";

// Version 10: the deadline index as one b-tree keyed by due time first. It was a table keyed by
// complaint with a second b-tree by due time, two b-tree writes per deadline on every filing
// and update; a complaint's rows are found from the deadlines it carries (UpdateComplaint is
// given the complaint as read), and the sweeper reads the head of this one.
constexpr char kV10[] = R"sql(
CREATE TABLE deadlines_v10 (
  due_at       INTEGER NOT NULL,
  platform_id  TEXT NOT NULL,
  complaint_id TEXT NOT NULL,
  kind         TEXT NOT NULL,
  PRIMARY KEY (due_at, platform_id, complaint_id, kind)
) WITHOUT ROWID;
INSERT INTO deadlines_v10 (due_at, platform_id, complaint_id, kind)
SELECT due_at, platform_id, complaint_id, kind FROM deadlines ORDER BY due_at, platform_id, complaint_id, kind;
DROP TABLE deadlines;
ALTER TABLE deadlines_v10 RENAME TO deadlines;
DELETE FROM sqlite_stat1 WHERE tbl IN ('deadlines', 'deadlines_v10');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('deadlines', 'deadlines', '3000000 2 2 1 1');
ANALYZE sqlite_schema;
)sql";

// Version 11: log nodes keyed by the last leaf they cover, then level. Keyed (level, idx), the
// nodes one append writes went to the ends of up to ~20 level ranges, and a group commit of 40
// filings dirtied 23 pages of this table; every node an append writes covers up to the new
// leaf, so keyed this way they all go to the table's one end (idx stays, for reading).
constexpr char kV11[] = R"sql(
CREATE TABLE log_nodes_v11 (
  last  INTEGER NOT NULL,
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (last, level)
) WITHOUT ROWID;
INSERT INTO log_nodes_v11 (last, level, idx, hash)
SELECT ((idx + 1) << level) - 1, level, idx, hash FROM log_nodes ORDER BY ((idx + 1) << level) - 1, level;
DROP TABLE log_nodes;
ALTER TABLE log_nodes_v11 RENAME TO log_nodes;
)sql";

// Version 12: two fewer b-tree writes on every filing (a complaint insert was 13 b-tree
// operations). complaints_by_incident served only the rare read of an incident's open
// complaints, which now ranges over complaints_similar's category and incident time instead;
// complaints_undetermined holds only open complaints whose party is still undetermined, the
// only ones its reader (the refresh after a filing) asks for: in a complaint storm, once the
// cluster is found, new complaints are presumed platform fault and are not in it at all.
constexpr char kV12[] = R"sql(
DROP INDEX IF EXISTS complaints_by_incident;
DROP INDEX IF EXISTS complaints_undetermined;
CREATE INDEX complaints_undetermined ON complaints (platform_id, category, incident_at)
  WHERE party = 'undetermined' AND status IN ('submitted', 'awaiting_merchant', 'offer_made', 'platform_review', 'decided', 'remedy_due');
DELETE FROM sqlite_stat1 WHERE idx IN ('complaints_by_incident', 'complaints_undetermined');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('complaints', 'complaints_undetermined', '1000 1000 100 2');
ANALYZE sqlite_schema;
)sql";

// Version 13: a complaint's assessment packed with a trained zstd dictionary (text_packer.h).
// As text it made the row ~4.1 KB, over what a 4 KB page holds: every complaint took an overflow
// page besides its share of a leaf, and the complaints table was more than half of the store.
// Rows written once the store has a dictionary carry its id and the packed bytes, with
// assessment_json empty; older rows keep their text and are packed when next updated.
constexpr char kV13[] = R"sql(
CREATE TABLE text_dictionaries (
  id      INTEGER PRIMARY KEY,
  purpose TEXT NOT NULL,
  bytes   BLOB NOT NULL
);
ALTER TABLE complaints ADD COLUMN assessment_dict INTEGER;
ALTER TABLE complaints ADD COLUMN assessment_packed BLOB;
)sql";

// Version 14: the two similar-complaint indexes keyed by incident time, then id. Keyed (...,
// incident_at, merchant_ref, status, party, id), complaints of the same second (a storm's, or an
// announced outage's start) were spread by merchant, status and party, and a group commit of
// filings dirtied a page per merchant in each index: ~20 pages each of the ~125 a group wrote.
// Ids follow filing time, so now each second's new complaints go to its end. The reads need only
// the category (and merchant) and the incident range as key; the other columns stay in the
// index so that it still covers them.
constexpr char kV14[] = R"sql(
DROP INDEX complaints_similar;
DROP INDEX complaints_similar_by_merchant;
CREATE INDEX complaints_similar ON complaints (platform_id, category, incident_at, id, merchant_ref, status, party);
CREATE INDEX complaints_similar_by_merchant ON complaints (platform_id, merchant_ref, category, incident_at, id, status, party);
DELETE FROM sqlite_stat1 WHERE idx IN ('complaints_similar', 'complaints_similar_by_merchant');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('complaints', 'complaints_similar',             '1000000 100000 10000 2 1 1 1 1'),
  ('complaints', 'complaints_similar_by_merchant', '1000000 100000 1000 100 2 1 1 1');
ANALYZE sqlite_schema;
)sql";

}  // namespace

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "backbone: platforms, people, orders, incidents, complaints, deadlines, events", kV1},
      // Version 2 shipped after version 3: a store that got 3 first gets 2 when it lacks its tables.
      {2, "evidence vault and transparency log", kV2, "log_leaves"},
      {3, "rules: per-platform policies; indexes for similar and touched complaints", kV3},
      {4, "fixed planner statistics for large deployments", kV4},
      {5, "responsibility party column; covering index for similar complaints", kV5},
      {6, "index of undetermined complaints for the similar-complaints refresh", kV6},
      {7, "drop unused complaint indexes", kV7},
      {8, "index of one merchant's similar complaints", kV8},
      {9, "complaints and idempotency records as rowid tables (no overflow reads on lookups)", kV9},
      {10, "the deadline index as one b-tree keyed by due time", kV10},
      {11, "log nodes keyed by the last leaf they cover", kV11},
      {12, "two fewer complaint indexes written per filing", kV12},
      {13, "complaint assessments packed with a trained dictionary", kV13},
      {14, "similar-complaint indexes keyed by incident time, then id", kV14},
  };
  return kMigrations;
}

}  // namespace tousu::sql
