#include "fuzz/fuzz_world.h"

#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>

#include "app/data_dir.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "evidence/blob_store.h"
#include "evidence/media_type.h"
#include "fuzz/fuzz_target.h"
#include "http/problem.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/evidence.h"
#include "service/passwords.h"
#include "service/platforms.h"
#include "service/sweeper.h"
#include "service/transparency_log.h"

namespace tousu::fuzz {

namespace fs = std::filesystem;

struct FuzzWorld::Impl {
  std::string dir;
  std::unique_ptr<Store> store;
  SystemClock clock;
  IdGenerator ids;
  AuthService auth{clock, ids, hours(12)};
  PlatformService platforms{clock, ids, auth};
  ComplaintService complaints{clock, ids};
  EvidenceService evidence{clock, ids, complaints};
  std::unique_ptr<evidence::BlobStore> blobs;
  std::unique_ptr<CheckpointSigner> checkpoints;
  std::unique_ptr<Sweeper> sweeper;
  std::atomic<bool> stopping{false};
  std::unique_ptr<http::Api> api;
  std::map<Role, std::string> tokens;
  std::string complaint_id;
  std::string evidence_id;

  ~Impl() {
    api.reset();
    if (store) store->Close();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

namespace {

[[noreturn]] void Die(const std::string& what, const Status& s) {
  throw std::runtime_error("fuzz world: " + what + ": " + s.ToString());
}

std::string MakeDir() {
  const std::string base = fs::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0
                               ? "/dev/shm"
                               : fs::temp_directory_path().string();
  std::string tmpl = base + "/tousu-fuzz-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

Principal PlatformPrincipal(const std::string& platform) {
  Principal p;
  p.role = Role::kPlatform;
  p.platform_id = platform;
  return p;
}

// The world's consumer, who files the complaint and adds its evidence.
Principal Alice() {
  Principal p;
  p.role = Role::kConsumer;
  p.platform_id = "fz";
  p.user_ref = "alice";
  return p;
}

}  // namespace

FuzzWorld& FuzzWorld::Get() {
  static FuzzWorld world;  // destroyed at exit: closes and removes the store
  return world;
}

FuzzWorld::~FuzzWorld() = default;

FuzzWorld::FuzzWorld() : impl_(std::make_unique<Impl>()) {
  log::Init(log::Level::kOff);
  if (!InitPasswordHashing()) throw std::runtime_error("libsodium failed to initialise");
  Impl& w = *impl_;
  w.dir = MakeDir();
  auto init = InitDataDir(w.dir);
  if (!init.ok()) Die("init", init.status());
  auto store = OpenDataDir(w.dir);
  if (!store.ok()) Die("open", store.status());
  w.store = std::move(*store);
  auto blobs = evidence::BlobStore::Open(w.dir);
  if (!blobs.ok()) Die("blobs", blobs.status());
  w.blobs = std::move(*blobs);
  auto signer = LoadLogSigner(w.dir);
  if (!signer.ok()) Die("log key", signer.status());
  w.checkpoints = std::make_unique<CheckpointSigner>(w.clock, std::move(*signer));
  w.sweeper = std::make_unique<Sweeper>(*w.store, w.complaints);

  auto hash = HashPassword("password-123");
  if (!hash.ok()) Die("hash", hash.status());
  Status s = w.store->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(IssuedToken admin, w.auth.Issue(tx, Role::kAdmin, "", ""));
    w.tokens[Role::kAdmin] = admin.token;
    TOUSU_ASSIGN_OR_RETURN(CreatedPlatform p, w.platforms.CreatePlatform(tx, "Fuzz shop", "fz"));
    w.tokens[Role::kPlatform] = p.api_key;
    const Principal platform = PlatformPrincipal("fz");
    TOUSU_RETURN_IF_ERROR(
        w.platforms.PutMerchant(tx, platform, "m1", MerchantInput{"Merchant One", true, "本店保留最终解释权。"})
            .status());
    struct U { const char* ref; Role role; const char* merchant; };
    const U users[] = {{"alice", Role::kConsumer, ""}, {"m1-staff", Role::kMerchant, "m1"},
                       {"agent1", Role::kAgent, ""},   {"risk1", Role::kRisk, ""},
                       {"arb1", Role::kArbitrator, ""}};
    for (const auto& u : users) {
      TOUSU_RETURN_IF_ERROR(
          w.platforms.PutUser(tx, platform, u.ref, UserInput{u.role, u.ref, *hash, u.merchant}).status());
      TOUSU_ASSIGN_OR_RETURN(IssuedToken t, w.auth.Issue(tx, u.role, "fz", u.ref));
      w.tokens[u.role] = t.token;
    }
    const Instant now = w.clock.Now();
    OrderInput order;
    order.consumer_ref = "alice";
    order.merchant_ref = "m1";
    order.product_kind = ProductKind::kMembership;
    order.title = "年度会员";
    order.amount = Money::Fen(19800);
    order.paid_at = now - days(3);
    order.delivered_at = now - days(3);
    order.service_starts_at = now - days(3);
    order.service_ends_at = now + days(362);
    TOUSU_RETURN_IF_ERROR(w.platforms.PutOrder(tx, platform, "O1", order).status());
    order.product_kind = ProductKind::kCardCode;
    order.service_starts_at = order.service_ends_at = std::nullopt;
    TOUSU_RETURN_IF_ERROR(w.platforms.PutOrder(tx, platform, "O2", order).status());
    FileCommand cmd{"O1", Category::kDisconnected, now - hours(5), now - hours(4), "会员掉线",
                    {Demand{DemandKind::kExtend, Money(), 1}}, ""};
    TOUSU_ASSIGN_OR_RETURN(Complaint c, w.complaints.File(tx, Alice(), cmd));
    w.complaint_id = c.id;
    return Status::Ok();
  });
  if (!s.ok()) Die("seed", s);

  // One piece of evidence from the consumer, stored as an upload is (the blob first), and a
  // checkpoint over the seeded log.
  static constexpr std::string_view kEvidence = "订单 O1 会员掉线截图说明\nmembership dropped 2 days after top-up\n";
  auto writer = w.blobs->NewWriter();
  if (!writer.ok()) Die("blob writer", writer.status());
  if (Status a = (*writer)->Append(kEvidence); !a.ok()) Die("blob append", a);
  auto blob = (*writer)->Commit();
  if (!blob.ok()) Die("blob commit", blob.status());
  s = w.store->WriteSync([&](WriteTx& tx) -> Status {
    EvidenceUpload u;
    u.kind = EvidenceKind::kIncident;
    u.filename = "说明.txt";
    u.declared_media_type = "text/plain";
    u.sha256_hex = blob->sha256_hex;
    u.size = blob->size;
    u.media_type = evidence::SniffMediaType(kEvidence, true);
    TOUSU_ASSIGN_OR_RETURN(EvidenceRecord e, w.evidence.Add(tx, Alice(), w.complaint_id, u));
    w.evidence_id = e.id;
    TOUSU_ASSIGN_OR_RETURN(CheckpointRecord cp, w.checkpoints->SignIfGrown(tx));
    if (cp.tree_size != kSeededLogSize) {
      return Status::Internal("the seeded log has " + std::to_string(cp.tree_size) +
                              " leaves; set kSeededLogSize (fuzz/fuzz_world.h) and the seeds that use it");
    }
    return Status::Ok();
  });
  if (!s.ok()) Die("seed evidence", s);
  http::ApiDeps deps{*w.store, w.clock, nullptr, w.ids, w.auth, w.platforms, w.complaints, *w.sweeper, &w.stopping};
  deps.evidence = &w.evidence;
  deps.checkpoints = w.checkpoints.get();
  deps.blobs = w.blobs.get();
  deps.max_upload_bytes = kMaxUploadBytes;
  w.api = std::make_unique<http::Api>(deps);
}

const http::Router& FuzzWorld::router() const { return impl_->api->router(); }

const std::string& FuzzWorld::Token(Role role) const {
  static const std::string kNone;
  auto it = impl_->tokens.find(role);
  return it == impl_->tokens.end() ? kNone : it->second;
}

const std::string& FuzzWorld::complaint_id() const { return impl_->complaint_id; }

const std::string& FuzzWorld::evidence_id() const { return impl_->evidence_id; }

const evidence::BlobStore& FuzzWorld::blobs() const { return *impl_->blobs; }

http::Response FuzzWorld::Serve(http::Request req, size_t chunk, bool chunked) {
  http::Api& api = *impl_->api;
  std::promise<http::Response> answer;
  auto done = answer.get_future();
  auto reply = [&answer](http::Response r) { answer.set_value(std::move(r)); };
  const http::BodyPlan plan = api.PlanBody(req.method, req.path);
  if (!plan.streamed) {
    api.Serve(std::move(req), reply);
    return done.get();
  }
  // What http/server.cc does with a streamed route: a Content-Length checked against the
  // route's limit, the sink opened before any of the body is read, the length checked against
  // the sink's limit, then the body in pieces. A chunked body has no length to check first: it
  // is refused once it grows past the limit.
  const std::string body = std::move(req.body);
  req.body.clear();
  auto too_large = [&](size_t limit) {
    return http::Problem(Status::TooLarge("upload of " + std::to_string(body.size()) +
                                          " bytes is over the limit of " + std::to_string(limit) + " bytes"),
                         req.request_id);
  };
  if (!chunked && body.size() > plan.max_bytes) return too_large(plan.max_bytes);
  auto sink = api.OpenStream(req);
  if (!sink.ok()) {
    api.RefuseStream(req, sink.status(), reply);
    return done.get();
  }
  const size_t limit = std::min(plan.max_bytes, (*sink)->MaxBodyBytes());
  if (!chunked && body.size() > limit) return too_large(limit);
  chunk = std::max<size_t>(chunk, 1);
  for (size_t at = 0; at < body.size(); at += chunk) {
    const std::string_view piece = std::string_view(body).substr(at, chunk);
    if (at + piece.size() > limit) {
      return http::Problem(Status::TooLarge("request body is over the limit of " + std::to_string(limit) + " bytes"),
                           req.request_id);
    }
    Status s = (*sink)->Append(piece);
    if (!s.ok()) return http::Problem(s, req.request_id);
  }
  api.FinishStream(std::move(req), std::move(*sink), reply);
  return done.get();
}

bool SplitTarget(http::Request& req) {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return false;
  req.path = std::string(url->encoded_path());
  for (auto param : url->params()) req.query[std::string(param.key)] = std::string(param.value);
  return true;
}

Role CallerOf(uint8_t byte) {
  static constexpr Role kCallers[] = {Role::kPublic,   Role::kAdmin, Role::kPlatform, Role::kConsumer,
                                      Role::kMerchant, Role::kAgent, Role::kRisk,     Role::kArbitrator};
  return kCallers[byte % 8];
}

std::string_view TakeLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

void CheckAnswer(const http::Response& r) {
  namespace json = boost::json;
  FUZZ_CHECK(r.status != 500, "500 for a client request: " + r.body);
  FUZZ_CHECK(r.status >= 200 && r.status < 600, "status " + std::to_string(r.status));
  if (r.status < 400) return;
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  FUZZ_CHECK(!ec && v.is_object() && v.as_object().contains("status") && v.as_object().at("status").is_int64() &&
                 v.as_object().at("status").as_int64() == r.status,
             "error is not a problem+json with its status: " + r.body);
  FUZZ_CHECK(r.content_type == "application/problem+json", "error content type " + r.content_type);
}

}  // namespace tousu::fuzz
