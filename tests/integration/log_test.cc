// The transparency log over HTTP and through `tousu verify`: proofs of evidence and events
// checked offline with nothing but the public key, consistency between checkpoints, tampering
// found and named by `tousu verify --store`. That no acknowledged evidence is lost to kill -9
// is crash_test.cc's to check, under filing and upload load.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"
#include "evidence/checkpoint.h"
#include "evidence/merkle.h"
#include "store/sqlite/sqlite_connection.h"
#include "tests/integration/evidence_client.h"

namespace tousu::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class LogTest : public ::testing::Test {
 protected:
  explicit LogTest(std::vector<std::string> server_args = {})
      : data_(dir_.path() + "/data"), server_(data_, std::move(server_args)), world_(server_) {
    world_.AddOrder("L-1", 5000);
    HttpResult c = world_.File("L-1", "not_received", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 5000}}});
    EXPECT_EQ(c.status, 201) << c.body;
    complaint_ = c.Str("id");
  }

  HttpResult UploadAs(const std::string& role, const std::string& bytes, const std::string& query = "kind=incident") {
    return Upload(server_, world_.tokens.at(role), complaint_, bytes, query, "application/octet-stream");
  }

  // Runs `tousu verify` with the proof (and its checkpoint) written to files.
  CommandResult VerifyProof(const json::object& proof, const std::string& key,
                            const std::string& file = "", std::string checkpoint = "") {
    if (checkpoint.empty()) checkpoint = std::string(proof.at("checkpoint").as_string());
    const std::string p = dir_.path() + "/proof.json", c = dir_.path() + "/checkpoint.txt";
    WriteFile(p, json::serialize(proof));
    WriteFile(c, checkpoint);
    std::vector<std::string> argv{TOUSU_BINARY, "verify", "--checkpoint", c, "--key", key, "--proof", p};
    if (!file.empty()) {
      argv.push_back("--file");
      argv.push_back(file);
    }
    return RunCommand(argv);
  }

  CommandResult VerifyStore(const std::string& dir) {
    return RunCommand({TOUSU_BINARY, "verify", "--store", dir});
  }

  TempDir dir_;
  std::string data_;
  Server server_;
  World world_;
  std::string complaint_;
};

TEST_F(LogTest, AnEvidenceProofVerifiesOfflineAndCatchesAWrongFile) {
  const std::string bytes = "转账记录 " + HexEncode(RandomBytes(64));
  HttpResult up = UploadAs("consumer", bytes, "kind=transaction&order_no=L-1&amount_fen=5000");
  ASSERT_EQ(up.status, 201) << up.body;
  HttpResult proof = world_.Get("consumer", "/v1/evidence/" + up.Str("id") + "/proof");
  ASSERT_EQ(proof.status, 200) << proof.body;
  const json::object& p = proof.obj();
  EXPECT_EQ(p.at("log_index").as_int64(), up.obj().at("log_index").as_int64());
  for (const char* field : {"leaf_hash", "tree_size", "root_hash", "audit_path", "checkpoint", "leaf", "content"}) {
    EXPECT_TRUE(p.contains(field)) << field;
  }
  // The public leaf names the file's hash but not the order, the amount or the uploader.
  const std::string leaf(p.at("leaf").as_string());
  EXPECT_NE(leaf.find(Sha256Hex(bytes)), std::string::npos);
  EXPECT_EQ(leaf.find("L-1"), std::string::npos);
  EXPECT_EQ(leaf.find("alice"), std::string::npos);
  HttpResult public_leaf = Http(server_.port(), "GET", "/v1/log/leaves/" + std::to_string(p.at("log_index").as_int64()));
  ASSERT_EQ(public_leaf.status, 200);
  EXPECT_EQ(public_leaf.body, leaf);
  EXPECT_EQ(HexEncode(DigestBytes(evidence::LeafHash(public_leaf.body))), p.at("leaf_hash").as_string());

  const std::string file = dir_.path() + "/evidence.bin";
  WriteFile(file, bytes);
  const std::string key = VerifierKey(data_);
  CommandResult ok = VerifyProof(p, key, file);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("verified"), std::string::npos) << ok.out;

  // The key as hex, and from a file.
  CommandResult show = RunCommand({TOUSU_BINARY, "key", "show", "--data", data_});
  const size_t at = show.out.find("public_key_hex: ") + 16;
  EXPECT_EQ(VerifyProof(p, show.out.substr(at, 64), file).exit_code, 0);
  WriteFile(dir_.path() + "/key.pub", key + "\n");
  EXPECT_EQ(VerifyProof(p, dir_.path() + "/key.pub", file).exit_code, 0);

  // Another file: exit 1, and the output says it was the file.
  WriteFile(file, bytes + ".");
  CommandResult bad_file = VerifyProof(p, key, file);
  EXPECT_EQ(bad_file.exit_code, 1);
  EXPECT_NE(bad_file.out.find("NOT VERIFIED: the file check failed"), std::string::npos) << bad_file.out;

  // Another log's key: the checkpoint's signature fails.
  TempDir other;
  ASSERT_EQ(RunCommand({TOUSU_BINARY, "init", "--data", other.path() + "/d"}).exit_code, 0);
  CommandResult bad_key = VerifyProof(p, VerifierKey(other.path() + "/d"));
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_NE(bad_key.out.find("the checkpoint check failed"), std::string::npos) << bad_key.out;

  // A damaged audit path.
  json::object damaged = p;
  std::string first(damaged["audit_path"].as_array()[0].as_string());
  first[0] = first[0] == '0' ? '1' : '0';
  damaged["audit_path"].as_array()[0] = first;
  CommandResult bad_path = VerifyProof(damaged, key);
  EXPECT_EQ(bad_path.exit_code, 1);
  EXPECT_NE(bad_path.out.find("the inclusion check failed"), std::string::npos) << bad_path.out;

  // Unreadable inputs are usage errors (2), not verification failures.
  EXPECT_EQ(RunCommand({TOUSU_BINARY, "verify", "--checkpoint", "/nonexistent", "--key", key, "--proof", "/nonexistent"}).exit_code, 2);
}

TEST_F(LogTest, ALaterCheckpointNeedsAProofForItsSize) {
  HttpResult up = UploadAs("consumer", "early evidence");
  ASSERT_EQ(up.status, 201);
  HttpResult first = world_.Get("consumer", "/v1/evidence/" + up.Str("id") + "/proof");
  ASSERT_EQ(first.status, 200);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(server_.Call("POST", "/v1/complaints/" + complaint_ + "/messages", world_.tokens.at("merchant"),
                           json::object{{"text", "回复 " + std::to_string(i)}}).status, 201);
  }
  HttpResult latest = Http(server_.port(), "GET", "/v1/log/checkpoint");
  ASSERT_EQ(latest.status, 200);
  EXPECT_EQ(latest.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/public/checkpoint").body, latest.body);
  const std::string key = VerifierKey(data_);
  CommandResult stale = VerifyProof(first.obj(), key, "", latest.body);
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.out.find("the proof check failed"), std::string::npos) << stale.out;
  // A proof for the checkpoint's size verifies against it.
  const std::string size = latest.body.substr(latest.body.find('\n') + 1, latest.body.find('\n', latest.body.find('\n') + 1) - latest.body.find('\n') - 1);
  HttpResult fresh = world_.Get("consumer", "/v1/evidence/" + up.Str("id") + "/proof?tree_size=" + size);
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(VerifyProof(fresh.obj(), key, "", latest.body).exit_code, 0);
  // And the two checkpoints are consistent.
  auto verifier = evidence::NoteVerifier::FromVerifierKey(key).value();
  auto c1 = evidence::OpenCheckpoint(verifier, std::string(first.obj().at("checkpoint").as_string())).value();
  auto c2 = evidence::OpenCheckpoint(verifier, latest.body).value();
  ASSERT_LT(c1.size, c2.size);
  HttpResult cons = Http(server_.port(), "GET", "/v1/log/consistency?first=" + std::to_string(c1.size) +
                                                    "&second=" + std::to_string(c2.size));
  ASSERT_EQ(cons.status, 200) << cons.body;
  std::vector<evidence::Hash> proof;
  for (const auto& h : cons.obj().at("proof").as_array()) proof.push_back(*evidence::HashFromHex(h.as_string()));
  EXPECT_TRUE(evidence::VerifyConsistency(c1.size, c2.size, proof, c1.root, c2.root).ok());
}

TEST_F(LogTest, EveryEventHasALeafAndItsProofVerifies) {
  ASSERT_EQ(server_.Call("POST", "/v1/complaints/" + complaint_ + "/messages", world_.tokens.at("consumer"),
                         json::object{{"text", "我的手机号 13800000000"}}).status, 201);
  ASSERT_EQ(world_.Act("merchant", complaint_, {{"action", "offer"}, {"refund_fen", 5000}, {"message", "退款"}}).status, 200);
  HttpResult timeline = world_.Get("consumer", "/v1/complaints/" + complaint_ + "/timeline");
  const auto& items = timeline.obj().at("items").as_array();
  ASSERT_EQ(items.size(), 4u);  // filed, sent_to_merchant, message, offer_made
  std::set<int64_t> indexes;
  const std::string key = VerifierKey(data_);
  for (const auto& e : items) {
    ASSERT_TRUE(e.at("log_index").is_int64()) << json::serialize(e);
    indexes.insert(e.at("log_index").as_int64());
    HttpResult proof = world_.Get("merchant", "/v1/complaints/" + complaint_ + "/events/" +
                                                  std::to_string(e.at("seq").as_int64()) + "/proof");
    ASSERT_EQ(proof.status, 200) << proof.body;
    EXPECT_EQ(proof.obj().at("log_index"), e.at("log_index"));
    CommandResult v = VerifyProof(proof.obj(), key);
    EXPECT_EQ(v.exit_code, 0) << v.out;
    if (e.at("type") == "message") {
      // The private text is in the content document the parties get, never in the public leaf.
      EXPECT_NE(std::string(proof.obj().at("content").as_string()).find("13800000000"), std::string::npos);
      EXPECT_EQ(std::string(proof.obj().at("leaf").as_string()).find("13800000000"), std::string::npos);
    }
  }
  EXPECT_EQ(indexes.size(), items.size());
  EXPECT_EQ(world_.Get("consumer2", "/v1/complaints/" + complaint_ + "/events/1/proof").status, 404);
  EXPECT_EQ(world_.Get("consumer", "/v1/complaints/" + complaint_ + "/events/99/proof").status, 404);
  EXPECT_EQ(world_.Get("consumer", "/v1/complaints/" + complaint_ + "/events/x/proof").status, 400);
}

TEST_F(LogTest, BadIndexesAndSizesAreFourHundredOrFourOhFour) {
  const struct {
    std::string target;
    int want;
  } cases[] = {
      {"/v1/log/leaves/abc", 400},          {"/v1/log/leaves/-1", 400},
      {"/v1/log/leaves/1e3", 400},          {"/v1/log/leaves/99999999999999999999", 400},
      {"/v1/log/leaves/1000000", 404},      {"/v1/log/consistency", 400},
      {"/v1/log/consistency?first=1", 400}, {"/v1/log/consistency?first=0&second=1", 400},
      {"/v1/log/consistency?first=2&second=1", 400}, {"/v1/log/consistency?first=1&second=1000000", 404},
      {"/v1/log/consistency?first=x&second=2", 400}, {"/v1/log/inclusion?index=1000000", 404},
      {"/v1/log/inclusion", 400},           {"/v1/log/inclusion?index=0&tree_size=0", 400},
      {"/v1/log/inclusion?index=0&tree_size=1000000", 404},
      // A sign is not a digit: "-0" was read as 0 (found by the router fuzz target).
      {"/v1/log/leaves/-0", 400},           {"/v1/log/leaves/+1", 400},
      {"/v1/log/inclusion?index=-0&tree_size=2", 400},
  };
  for (const auto& c : cases) {
    HttpResult r = Http(server_.port(), "GET", c.target);
    EXPECT_EQ(r.status, c.want) << c.target << " → " << r.body;
  }
  HttpResult leaf0 = Http(server_.port(), "GET", "/v1/log/leaves/0");
  EXPECT_EQ(leaf0.status, 200);
  EXPECT_EQ(leaf0.Header("content-type"), "application/octet-stream");
  HttpResult same = Http(server_.port(), "GET", "/v1/log/consistency?first=2&second=2");
  EXPECT_EQ(same.status, 200);
  EXPECT_TRUE(same.obj().at("proof").as_array().empty());
}

TEST_F(LogTest, VerifyStoreNamesWhatWasTampered) {
  for (int i = 0; i < 4; ++i) ASSERT_EQ(UploadAs("consumer", "evidence " + std::to_string(i)).status, 201);
  ASSERT_EQ(Http(server_.port(), "GET", "/v1/log/checkpoint").status, 200);
  ASSERT_EQ(server_.Stop(), 0);
  CommandResult clean = VerifyStore(data_);
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.out.find(" leaves, 4 blobs, "), std::string::npos) << clean.out;

  // Each tamper on its own copy of the data directory.
  auto copy = [&](const std::string& name) {
    const std::string to = dir_.path() + "/" + name;
    CopyDataDir(data_, to);
    return to;
  };
  // Each tamper in the SQL of the store the suite runs on (SQLite, or PostgreSQL).
  auto sql = [](const std::string& dir, const std::string& sqlite, const std::string& postgres) {
    auto db = OpenStoreDatabase(dir);
    const std::string& statement = db->dialect() == sql::Dialect::kSqlite ? sqlite : postgres;
    auto n = db->Exec(statement, {});
    ASSERT_TRUE(n.ok() && *n == 1) << statement << ": " << n.status().ToString();
  };

  const std::string blob_dir = copy("blob");
  const std::string hex = Sha256Hex("evidence 2");
  const std::string blob = blob_dir + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
  ::chmod(blob.c_str(), 0600);
  WriteFile(blob, "evidence 3");
  CommandResult r = VerifyStore(blob_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("blob " + hex), std::string::npos) << r.out;

  // The leaf of the third evidence record says another kind.
  int64_t evidence_leaf = -1;
  {
    auto db = OpenStoreDatabase(data_);
    evidence_leaf = db->Query("SELECT idx FROM log_leaves WHERE evidence_id IS NOT NULL ORDER BY idx LIMIT 1 OFFSET 2", {})
                        .value()
                        .at(0)
                        .Int(0);
  }
  const std::string leaf_dir = copy("leaf");
  const std::string leaf_where = " WHERE idx = " + std::to_string(evidence_leaf);
  sql(leaf_dir, "UPDATE log_leaves SET leaf = CAST(replace(CAST(leaf AS TEXT), 'incident', 'delivery') AS BLOB)" + leaf_where,
      "UPDATE log_leaves SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'incident', 'delivery'), 'UTF8')" +
          leaf_where);
  r = VerifyStore(leaf_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("leaf " + std::to_string(evidence_leaf) + ":"), std::string::npos) << r.out;

  const std::string node_dir = copy("node");
  sql(node_dir, "UPDATE log_nodes SET hash = randomblob(32) WHERE level = 1 AND idx = 1",
      "UPDATE log_nodes SET hash = decode(md5(random()::text) || md5(random()::text), 'hex') WHERE level = 1 AND idx = 1");
  r = VerifyStore(node_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("tree node (level 1, index 1)"), std::string::npos) << r.out;

  const std::string cp_dir = copy("checkpoint");
  const std::string cp_tamper = "UPDATE log_checkpoints SET note = replace(note, '—', '-') "
                                "WHERE tree_size = (SELECT MAX(tree_size) FROM log_checkpoints)";
  sql(cp_dir, cp_tamper, cp_tamper);
  r = VerifyStore(cp_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("checkpoint at tree size"), std::string::npos) << r.out;

  // Checked against another log's key, the genuine store fails at its first checkpoint.
  TempDir other;
  ASSERT_EQ(RunCommand({TOUSU_BINARY, "init", "--data", other.path() + "/d"}).exit_code, 0);
  r = RunCommand({TOUSU_BINARY, "verify", "--store", data_, "--key", VerifierKey(other.path() + "/d")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("checkpoint at tree size"), std::string::npos) << r.out;
}

class ConfiguredLogTest : public LogTest {
 protected:
  static std::vector<std::string> Args(const std::string& config) {
    WriteFile(config, "[evidence]\nmax_upload_bytes = 1000\ncheckpoint_interval_seconds = 1\n");
    return {"--config", config};
  }
  ConfiguredLogTest() : LogTest(Args(ConfigPath())) {}
  ~ConfiguredLogTest() override { fs::remove(ConfigPath()); }
  static std::string ConfigPath() {
    return fs::temp_directory_path().string() + "/tousu-log-config-" + std::to_string(::getpid()) + ".toml";
  }
};

TEST_F(ConfiguredLogTest, TheTimerSignsCheckpointsAndTheUploadLimitIsConfigurable) {
  EXPECT_EQ(UploadAs("consumer", std::string(1000, 'a')).status, 201);
  EXPECT_EQ(UploadAs("consumer", std::string(1001, 'a')).status, 413);
  // Without any request for one, the timer signs a checkpoint of the grown tree (read while the
  // server runs: at shutdown it signs one anyway).
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  {
    auto db = OpenStoreDatabase(data_);
    auto rows = db->Query("SELECT MAX(tree_size), (SELECT COUNT(*) FROM log_leaves) FROM log_checkpoints", {}).value();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].Int(0), rows[0].Int(1));
    EXPECT_GE(rows[0].Int(1), 3);  // filed, sent_to_merchant, the evidence (and any reassessment)
  }
  ASSERT_EQ(server_.Stop(), 0);
}

TEST(LogKey, InitMakesAPrivateKeyOnceAndKeyShowPrintsIt) {
  TempDir dir;
  const std::string data = dir.path() + "/d";
  CommandResult init = RunCommand({TOUSU_BINARY, "init", "--data", data, "--log-origin", "complaints.example/log"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  struct stat st;
  ASSERT_EQ(::stat((data + "/log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string key_file = ReadFile(data + "/log.key");
  EXPECT_EQ(key_file.rfind("PRIVATE+KEY+complaints.example/log+", 0), 0u);
  CommandResult show = RunCommand({TOUSU_BINARY, "key", "show", "--data", data});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("verifier_key: complaints.example/log+"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("PRIVATE"), std::string::npos);
  // Again: nothing changes.
  CommandResult again = RunCommand({TOUSU_BINARY, "init", "--data", data});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("nothing changed"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(data + "/log.key"), key_file);
  // A key others could read is refused.
  ::chmod((data + "/log.key").c_str(), 0644);
  CommandResult loose = RunCommand({TOUSU_BINARY, "key", "show", "--data", data});
  EXPECT_EQ(loose.exit_code, 2);
  EXPECT_NE(loose.err.find("chmod 600"), std::string::npos) << loose.err;
}

}  // namespace
}  // namespace tousu::testing
