// Crash safety (issue 8): the real server, under filing and upload load from several client
// processes (crash_load.h), is killed with SIGKILL at random moments and restarted on the same
// data directory. Clients retry a request whose connection died with the same Idempotency-Key
// until they get an answer, so a kill between commit and reply must replay, not duplicate.
// Whether a random kill lands there is chance, so first one filing and one upload are answered,
// the server is killed at once, and their retries must come back as byte-identical replays.
// Afterwards:
//  - every complaint that was answered 201 is there, with all the events a filing writes, and
//    each of those events has its outbox entry (they commit in one transaction);
//  - every evidence upload that was answered 201 is listed on its complaint with the sha256 and
//    log_index it was answered with; its proof endpoint answers; its content and its blob file
//    hash to that sha256; a sample of proofs verifies offline through `tousu verify`;
//  - no idempotent retry created a second complaint or a second evidence record: the store holds
//    exactly the acknowledged ones, with one idempotency record each;
//  - every event and every evidence record has its own log leaf, and the log has no other;
//  - identical files are stored once (several processes upload the same bytes), and no blob is
//    left that no record names, nor any temp file of a killed upload;
//  - the deadline index (table deadlines) agrees with each complaint's deadlines_json;
//  - `tousu verify --store` passes, SQLite's own integrity check passes, and the server still
//    shuts down cleanly.
//
// `make test` runs 3 kills; `make crash-test` runs CRASH_KILLS (default 20). Environment:
//   TOUSU_CRASH_KILLS (3), TOUSU_CRASH_CLIENTS (3), TOUSU_CRASH_SEED (random; printed).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "base/crypto.h"
#include "base/time.h"
#include "tests/integration/crash_load.h"
#include "tests/integration/evidence_client.h"
#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

void WriteAtomically(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << text;
  }
  fs::rename(path + ".tmp", path);
}

// Kills the clients still running when a test fails half-way.
struct Children {
  std::vector<pid_t> pids;
  ~Children() {
    for (pid_t p : pids) {
      if (p > 0 && ::kill(p, SIGKILL) == 0) ::waitpid(p, nullptr, 0);
    }
  }
};

// Every row as text (integers in decimal, NULL as "").
std::vector<std::vector<std::string>> Query(sql::Connection& db, const std::string& statement) {
  std::vector<std::vector<std::string>> rows;
  auto found = db.Query(statement, {});
  EXPECT_TRUE(found.ok()) << statement << ": " << found.status().ToString();
  if (!found.ok()) return rows;
  for (const sql::Row& r : *found) {
    std::vector<std::string> row;
    for (size_t i = 0; i < r.size(); ++i) {
      const std::optional<int64_t> n = r.OptInt(i);
      row.push_back(n ? std::to_string(*n) : r.Text(i));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// `column` matches the shell pattern `pattern` (only * and [...]), in the store's SQL.
std::string Glob(const sql::Connection& db, const std::string& column, std::string pattern) {
  if (db.dialect() == sql::Dialect::kSqlite) return column + " GLOB '" + pattern + "'";
  for (char& c : pattern) {
    if (c == '*') c = '%';
  }
  return column + " SIMILAR TO '" + pattern + "'";
}

// Fails naming (up to ten of) the rows only one side holds, rather than printing both sets.
void ExpectSameRows(const std::set<std::vector<std::string>>& acked, const std::set<std::vector<std::string>>& stored,
                    const std::string& what) {
  auto join = [](const std::vector<std::string>& row) {
    std::string out;
    for (const std::string& v : row) out += (out.empty() ? "" : " ") + v;
    return out;
  };
  int shown = 0;
  for (const auto& row : acked) {
    if (!stored.count(row) && shown++ < 10) ADD_FAILURE() << what << " acknowledged but not stored as such: " << join(row);
  }
  for (const auto& row : stored) {
    if (!acked.count(row) && shown++ < 10) ADD_FAILURE() << what << " stored but never acknowledged: " << join(row);
  }
  EXPECT_EQ(stored.size(), acked.size()) << what;
}

std::string BlobPath(const std::string& data_dir, const std::string& hex) {
  return data_dir + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
}

// ---- what the clients were told -------------------------------------------------------------

void CheckFilingAnswers(const std::vector<FilingAck>& filings, int* retried) {
  std::set<std::string> ids;
  int replayed = 0;
  for (const FilingAck& a : filings) {
    EXPECT_EQ(a.status, 201) << a.key << " answered " << a.status << " after " << a.attempts << " attempts";
    EXPECT_TRUE(ids.insert(a.id).second) << "two keys were answered with complaint " << a.id;
    *retried += a.attempts > 1;
    replayed += a.replayed;
  }
  std::printf("crash test: %zu complaints acknowledged, %d retried after a kill, %d answered by replay\n",
              filings.size(), *retried, replayed);
}

void CheckUploadAnswers(const std::vector<UploadAck>& uploads, int* retried) {
  std::set<std::string> ids;
  std::map<std::string, int> per_sha;
  int replayed = 0;
  for (const UploadAck& a : uploads) {
    EXPECT_EQ(a.status, 201) << a.key << " answered " << a.status << " after " << a.attempts << " attempts";
    EXPECT_TRUE(ids.insert(a.id).second) << "two keys were answered with evidence " << a.id;
    EXPECT_EQ(a.sha256, a.sha256_sent) << a.key << ": the answer names other bytes than those sent";
    EXPECT_GE(a.log_index, 0) << a.key << " was answered without a log_index";
    ++per_sha[a.sha256_sent];
    *retried += a.attempts > 1;
    replayed += a.replayed;
  }
  int repeats = 0;
  for (const auto& [sha, n] : per_sha) repeats += n - 1;
  std::printf("crash test: %zu uploads acknowledged (%d of them repeat earlier bytes), %d retried after a kill, "
              "%d answered by replay\n",
              uploads.size(), repeats, *retried, replayed);
  EXPECT_GT(repeats, 0) << "no file was uploaded twice: deduplication was not exercised";
}

// ---- what the server says -------------------------------------------------------------------

void CheckComplaintsServed(const World& world, const std::vector<FilingAck>& filings,
                           const std::vector<std::string>& expected_events) {
  for (const FilingAck& a : filings) {
    if (a.status != 201) continue;
    HttpResult got = world.Get("consumer", "/v1/complaints/" + a.id);
    ASSERT_EQ(got.status, 200) << a.key << " was acknowledged as " << a.id << " but is gone: " << got.body;
    EXPECT_EQ("crash-" + got.Str("order_no"), a.key);
    HttpResult timeline = world.Get("consumer", "/v1/complaints/" + a.id + "/timeline");
    ASSERT_EQ(timeline.status, 200);
    std::vector<std::string> types;
    // Later filings in the same window, and evidence, may reassess it; every other event is
    // what one filing writes.
    for (const auto& e : timeline.obj().at("items").as_array()) {
      if (e.at("type").as_string() != "reassessed") types.emplace_back(e.as_object().at("type").as_string());
    }
    EXPECT_EQ(types, expected_events) << a.id;
  }
}

// Each complaint lists exactly its acknowledged evidence; each one's proof and content answer.
// Every `sample_every`th proof is also verified offline, with the content as the file.
void CheckEvidenceServed(const World& world, const std::string& work_dir, const std::vector<FilingAck>& filings,
                         const std::vector<UploadAck>& uploads, size_t sample_every) {
  std::map<std::string, std::map<std::string, const UploadAck*>> acked;  // complaint → id → ack
  for (const UploadAck& a : uploads) {
    if (a.status == 201) acked[a.complaint][a.id] = &a;
  }
  for (const FilingAck& f : filings) {
    if (f.status != 201) continue;
    HttpResult list = world.Get("consumer", "/v1/complaints/" + f.id + "/evidence");
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> listed;
    for (const auto& item : list.obj().at("items").as_array()) {
      const std::string id(item.at("id").as_string());
      listed.insert(id);
      auto it = acked[f.id].find(id);
      if (it == acked[f.id].end()) {
        ADD_FAILURE() << "complaint " << f.id << " lists evidence " << id << " that no upload was answered with";
        continue;
      }
      EXPECT_EQ(item.at("sha256").as_string(), it->second->sha256) << id;
      ASSERT_TRUE(item.at("log_index").is_int64()) << id << " has no log_index: " << json::serialize(item);
      EXPECT_EQ(item.at("log_index").as_int64(), it->second->log_index) << id;
    }
    for (const auto& [id, ack] : acked[f.id]) {
      EXPECT_TRUE(listed.count(id)) << ack->key << " was acknowledged as " << id << " but " << f.id
                                    << " does not list it";
    }
  }

  const std::string key = VerifierKey(world.server.data_dir());
  size_t n = 0;
  for (const UploadAck& a : uploads) {
    if (a.status != 201) continue;
    HttpResult proof = world.Get("consumer", "/v1/evidence/" + a.id + "/proof");
    ASSERT_EQ(proof.status, 200) << a.id << ": " << proof.body;
    EXPECT_EQ(proof.obj().at("log_index").as_int64(), a.log_index) << a.id;
    EXPECT_NE(std::string(proof.obj().at("leaf").as_string()).find(a.sha256), std::string::npos) << a.id;
    HttpResult content = world.Get("consumer", "/v1/evidence/" + a.id + "/content");
    ASSERT_EQ(content.status, 200) << a.id;
    EXPECT_EQ(Sha256Hex(content.body), a.sha256) << a.id;
    if (n++ % sample_every != 0) continue;
    const std::string file = work_dir + "/evidence.bin", p = work_dir + "/proof.json", c = work_dir + "/cp.txt";
    WriteFile(file, content.body);
    WriteFile(p, json::serialize(proof.obj()));
    WriteFile(c, std::string(proof.obj().at("checkpoint").as_string()));
    CommandResult v = RunCommand({TOUSU_BINARY, "verify", "--checkpoint", c, "--key", key, "--proof", p, "--file", file});
    EXPECT_EQ(v.exit_code, 0) << a.id << ": " << v.out << v.err;
  }
}

// ---- what the data directory holds ----------------------------------------------------------

// Each acknowledged file is stored once under its hash, intact; nothing else is stored, and no
// temp file of an upload killed half-way is left (the server removes them at start).
void CheckBlobs(const std::string& data_dir, const std::vector<UploadAck>& uploads) {
  std::set<std::string> shas;
  for (const UploadAck& a : uploads) {
    if (a.status == 201) shas.insert(a.sha256);
  }
  for (const std::string& sha : shas) {
    ASSERT_TRUE(fs::exists(BlobPath(data_dir, sha))) << "blob " << sha << " is missing";
    EXPECT_EQ(Sha256Hex(ReadFile(BlobPath(data_dir, sha))), sha) << "blob " << sha << " is damaged";
  }
  EXPECT_EQ(FilesUnder(data_dir + "/blobs/tmp"), std::vector<std::string>{}) << "temp files of killed uploads are left";
  // Every upload was retried until answered 201, so every committed blob has its record.
  for (const std::string& f : FilesUnder(data_dir + "/blobs")) {
    const std::string name = fs::path(f).filename().string();
    if (f.rfind("tmp/", 0) == 0) continue;
    EXPECT_TRUE(shas.count(name)) << "blob " << f << " is stored but no upload was answered with it";
  }
}

void CheckStore(sql::Connection& db, const std::vector<FilingAck>& filings, const std::vector<UploadAck>& uploads,
                size_t events_per_filing) {
  if (db.dialect() == sql::Dialect::kSqlite) {
    EXPECT_EQ(Query(db, "PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
  }
  auto count = [&](const std::string& sql) { return std::stoll(Query(db, sql).at(0).at(0)); };
  // Exactly one complaint per acknowledged key: none lost, none duplicated by a retry.
  EXPECT_EQ(count("SELECT count(*) FROM complaints WHERE " + Glob(db, "order_no", "c[0-9]*-[0-9]*")),
            static_cast<long long>(filings.size()));
  EXPECT_EQ(count("SELECT count(*) FROM idempotency WHERE " + Glob(db, "key", "crash-*")), static_cast<long long>(filings.size()));
  EXPECT_TRUE(Query(db, "SELECT order_no FROM complaints GROUP BY platform_id, order_no, category "
                        "HAVING count(*) > 1").empty());
  // Exactly the acknowledged evidence records, as answered: none lost, none added by a retry.
  std::set<std::vector<std::string>> acked, stored;
  for (const UploadAck& a : uploads) {
    if (a.status == 201) acked.insert({a.id, a.complaint, a.sha256, std::to_string(a.log_index)});
  }
  for (auto& row : Query(db, "SELECT id, complaint_id, sha256, log_index FROM evidence")) stored.insert(row);
  ExpectSameRows(acked, stored, "evidence (id, complaint, sha256, log_index)");
  EXPECT_EQ(count("SELECT count(*) FROM idempotency WHERE " + Glob(db, "key", "evidence-*")), static_cast<long long>(acked.size()));
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), count("SELECT count(*) FROM outbox WHERE topic = 'complaint.evidence'"));
  // All the events of every complaint, numbered 1..n, each with its outbox entry.
  EXPECT_TRUE(Query(db, "SELECT c.id FROM complaints c LEFT JOIN events e ON e.platform_id = c.platform_id "
                        "AND e.complaint_id = c.id GROUP BY c.platform_id, c.id HAVING "
                        "sum(CASE WHEN e.type <> 'reassessed' THEN 1 ELSE 0 END) != " + std::to_string(events_per_filing) +
                        " OR max(e.seq) != count(e.seq)").empty());
  EXPECT_EQ(count("SELECT count(*) FROM events"),
            count("SELECT count(*) FROM outbox WHERE topic = 'complaint.event'"));
  // Every event and every evidence record has the log leaf that names it; the log has no other.
  EXPECT_TRUE(Query(db, "SELECT e.complaint_id, e.seq FROM events e LEFT JOIN log_leaves l ON l.idx = e.log_index "
                        "AND l.platform_id = e.platform_id AND l.complaint_id = e.complaint_id "
                        "AND l.event_seq = e.seq WHERE l.idx IS NULL").empty());
  EXPECT_TRUE(Query(db, "SELECT v.id FROM evidence v LEFT JOIN log_leaves l ON l.idx = v.log_index "
                        "AND l.platform_id = v.platform_id AND l.evidence_id = v.id WHERE l.idx IS NULL").empty());
  EXPECT_EQ(count("SELECT count(*) FROM log_leaves"),
            count("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM evidence)"));
  // The deadline index holds exactly the deadlines the rows hold.
  std::set<std::string> from_rows, from_index;
  for (const auto& row : Query(db, "SELECT platform_id, id, deadlines_json FROM complaints")) {
    json::value v = json::parse(row[2]);
    for (const auto& [kind, at] : v.as_object()) {
      from_rows.insert(row[0] + "/" + row[1] + "/" + std::string(kind) + "@" + std::string(at.as_string()));
    }
  }
  for (const auto& row : Query(db, "SELECT platform_id, complaint_id, kind, due_at FROM deadlines")) {
    const std::string due = FormatRfc3339(Instant::FromUnixSeconds(std::stoll(row[3])));
    from_index.insert(row[0] + "/" + row[1] + "/" + row[2] + "@" + due);
  }
  EXPECT_EQ(from_rows, from_index);
  EXPECT_FALSE(from_rows.empty());
}

TEST(CrashSafety, KilledUnderFilingAndUploadLoadLosesNothing) {
  const int kills = EnvInt("TOUSU_CRASH_KILLS", 3);
  const int clients = EnvInt("TOUSU_CRASH_CLIENTS", 3);
  const unsigned seed = static_cast<unsigned>(EnvInt("TOUSU_CRASH_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
  std::printf("crash test: %d kills, %d clients, TOUSU_CRASH_SEED=%u\n", kills, clients, seed);
  std::mt19937 rng(seed);

  TempDir tmp;
  // The load comes from one address and two tokens, far above the default abuse limits.
  const std::string config = tmp.path() + "/tousu.toml";
  WriteAtomically(config, "[rate_limit]\naddress_per_second = 0\ntoken_per_second = 0\n");
  Server server(tmp.path() + "/data", {"--config", config});
  World world(server);

  // What one filing writes when nothing goes wrong: the events every load complaint must have.
  world.AddOrder("ref-1", 1000, "recharge");
  HttpResult ref = world.File("ref-1", "not_received", "2029-12-31T21:00:00Z",
                              json::array{json::object{{"kind", "refund"}, {"amount_fen", 1000}}});
  ASSERT_EQ(ref.status, 201) << ref.body;
  HttpResult ref_timeline = world.Get("consumer", "/v1/complaints/" + ref.Str("id") + "/timeline");
  ASSERT_EQ(ref_timeline.status, 200);
  std::vector<std::string> expected_events;
  for (const auto& e : ref_timeline.obj().at("items").as_array()) {
    expected_events.emplace_back(e.as_object().at("type").as_string());
  }
  ASSERT_FALSE(expected_events.empty());

  // What a random kill reaches only by chance, made certain: a filing and an upload are
  // committed and answered, the server dies at once, and the same requests with the same keys
  // must then be answered as replays of those answers. They join the load's answers below, so
  // the store checks also require exactly one complaint and one evidence record for them.
  FilingAck pinned_filing;
  UploadAck pinned_upload;
  {
    const std::string order_no = "c99-0";  // named as the load's orders are (clients are c0, c1, ...)
    ASSERT_EQ(Http(server.port(), "PUT", "/v1/orders/" + order_no, LoadOrderBody(order_no, 1000),
                   {{"Authorization", "Bearer " + world.platform_key}, {"Content-Type", "application/json"}})
                  .status,
              201);
    const std::map<std::string, std::string> file_headers{{"Authorization", "Bearer " + world.tokens.at("consumer")},
                                                          {"Content-Type", "application/json"},
                                                          {"Idempotency-Key", "crash-" + order_no}};
    const std::string file = "pinned evidence\n" + std::string(3000, 'e');
    auto file_it = [&] { return Http(server.port(), "POST", "/v1/complaints", LoadComplaintBody(order_no, 1000), file_headers); };
    auto upload_it = [&](const std::string& id) {
      return Upload(server, world.tokens.at("consumer"), id, file, "kind=communication", "application/octet-stream",
                    {{"Idempotency-Key", "evidence-c99-u0"}});
    };
    HttpResult filed = file_it();
    ASSERT_EQ(filed.status, 201) << filed.body;
    HttpResult uploaded = upload_it(filed.Str("id"));
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    server.Kill();
    server.Restart();
    HttpResult filed_again = file_it();
    EXPECT_EQ(filed_again.status, 201) << filed_again.body;
    EXPECT_EQ(filed_again.Header("idempotent-replayed"), "true");
    EXPECT_EQ(filed_again.body, filed.body);
    HttpResult uploaded_again = upload_it(filed.Str("id"));
    EXPECT_EQ(uploaded_again.status, 201) << uploaded_again.body;
    EXPECT_EQ(uploaded_again.Header("idempotent-replayed"), "true");
    EXPECT_EQ(uploaded_again.body, uploaded.body);
    pinned_filing = FilingAck{"crash-" + order_no, filed_again.status, filed_again.Str("id"), 2, true};
    pinned_upload.key = "evidence-c99-u0";
    pinned_upload.status = uploaded_again.status;
    pinned_upload.complaint = filed.Str("id");
    pinned_upload.id = uploaded_again.Str("id");
    pinned_upload.sha256_sent = Sha256Hex(file);
    pinned_upload.sha256 = uploaded_again.Str("sha256");
    pinned_upload.log_index = uploaded_again.obj().at("log_index").as_int64();
    pinned_upload.size = static_cast<int64_t>(file.size());
    pinned_upload.role = "consumer";
    pinned_upload.attempts = 2;
    pinned_upload.replayed = true;
  }

  const std::string port_file = tmp.path() + "/port";
  const std::string stop_file = tmp.path() + "/stop";
  WriteAtomically(port_file, std::to_string(server.port()) + "\n");
  Children children;
  for (int c = 0; c < clients; ++c) {
    const std::string log = tmp.path() + "/client-" + std::to_string(c);
    const LoadClient load{c, seed + 7919u * static_cast<unsigned>(c + 1), port_file, stop_file, log + ".filings",
                          log + ".uploads", world.platform_key, world.tokens.at("consumer"),
                          world.tokens.at("merchant")};
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) RunLoadClient(load);
    children.pids.push_back(pid);
  }

  std::uniform_int_distribution<int> pause_ms(150, 700);
  for (int k = 0; k < kills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    server.Kill();
    server.Restart();
    WriteAtomically(port_file, std::to_string(server.port()) + "\n");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  WriteAtomically(stop_file, "stop\n");
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (pid_t& p : children.pids) {
    int status = 0;
    while (::waitpid(p, &status, WNOHANG) == 0) {
      ASSERT_LT(Clock::now(), deadline) << "a load client did not stop";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    p = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "client exit status " << status;
  }

  // ---- what the clients were told ----
  std::vector<FilingAck> filings;
  std::vector<UploadAck> uploads;
  for (int c = 0; c < clients; ++c) {
    const std::string log = tmp.path() + "/client-" + std::to_string(c);
    for (FilingAck& a : ReadFilingLog(log + ".filings")) filings.push_back(std::move(a));
    for (UploadAck& a : ReadUploadLog(log + ".uploads")) uploads.push_back(std::move(a));
  }
  // Whether the random kills caught requests in flight is asked of the load's answers alone;
  // the pinned ones then join them for every check of what the store holds.
  int filings_retried = 0, uploads_retried = 0;
  CheckFilingAnswers(filings, &filings_retried);
  CheckUploadAnswers(uploads, &uploads_retried);
  filings.push_back(pinned_filing);
  uploads.push_back(pinned_upload);
  ASSERT_GE(filings.size(), static_cast<size_t>(clients)) << "the load never got going";
  ASSERT_GE(uploads.size(), static_cast<size_t>(clients)) << "no evidence was uploaded";
  EXPECT_GT(filings_retried + uploads_retried, 0) << "no request was in flight at any kill: the test did not test anything";
  // Uploads take most of the clients' time (each fsyncs its file, then commits): some kill must
  // have caught one.
  EXPECT_GT(uploads_retried, 0) << "no upload was in flight at any kill";

  // ---- what the server says ----
  CheckComplaintsServed(world, filings, expected_events);
  CheckEvidenceServed(world, tmp.path(), filings, uploads, /*sample_every=*/std::max<size_t>(1, uploads.size() / 8));

  // ---- what the data directory holds ----
  ASSERT_EQ(server.Stop(), 0) << "no clean shutdown after the crashes: " << server.Log();
  CommandResult verify = RunCommand({TOUSU_BINARY, "verify", "--store", server.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  CheckBlobs(server.data_dir(), uploads);
  CheckStore(*OpenStoreDatabase(server.data_dir()), filings, uploads, expected_events.size());
}

}  // namespace
}  // namespace tousu::testing
