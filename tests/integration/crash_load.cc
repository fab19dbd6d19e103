#include "tests/integration/crash_load.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "base/crypto.h"
#include "tests/integration/evidence_client.h"
#include "tests/integration/harness.h"

namespace tousu::testing {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kSharedFiles = 3;
constexpr const char* kKinds[] = {"incident", "communication", "delivery", "transaction"};
constexpr const char* kSources[] = {"fresh", "shared", "again"};

uint16_t ReadPort(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  in >> port;
  return static_cast<uint16_t>(port);
}

// Sends a request, and again with the same headers and body whenever the connection dies,
// to whatever port the server listens on by then.
class Caller {
 public:
  Caller(std::string port_file, Clock::time_point give_up) : port_file_(std::move(port_file)), give_up_(give_up) {}

  HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers, int* attempts) const {
    for (*attempts = 1;; ++*attempts) {
      try {
        return Http(ReadPort(port_file_), method, target, body, headers);
      } catch (const std::exception&) {
        if (Clock::now() > give_up_) _exit(3);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

 private:
  const std::string port_file_;
  const Clock::time_point give_up_;
};

std::string NoiseBytes(std::mt19937& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// The same bytes in every client process.
std::string SharedFile(int k) {
  std::mt19937 rng(static_cast<unsigned>(1000 + k));
  return "shared evidence " + std::to_string(k) + "\n" + NoiseBytes(rng, 2000 + 1000 * static_cast<size_t>(k));
}

// Small random files, a few of them large enough that a kill can land while the body streams.
std::string FreshFile(std::mt19937& rng, const std::string& name) {
  const size_t size = rng() % 10 < 7 ? 1 + rng() % 4096 : 4096 + rng() % (124 * 1024);
  return name + "\n" + NoiseBytes(rng, size);
}

std::string ValueOr(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

[[noreturn]] void RunLoadClient(const LoadClient& c) {
  const Caller caller(c.port_file, Clock::now() + std::chrono::seconds(240));
  std::mt19937 rng(c.seed);
  std::ofstream filings(c.filing_log, std::ios::app);
  std::ofstream uploads(c.upload_log, std::ios::app);
  auto json_headers = [](const std::string& token, const std::string& key) {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    if (!key.empty()) h["Idempotency-Key"] = key;
    return h;
  };
  std::string last_file;
  int upload_no = 0;
  for (int n = 0; n < 100000 && !fs::exists(c.stop_file); ++n) {
    const std::string order_no = "c" + std::to_string(c.index) + "-" + std::to_string(n);
    const int64_t amount = 1000 + n;
    int attempts = 0;
    HttpResult put = caller.Send("PUT", "/v1/orders/" + order_no, LoadOrderBody(order_no, amount),
                                 json_headers(c.platform_key, ""), &attempts);
    if (put.status != 200 && put.status != 201) {
      filings << "order-" << order_no << " " << put.status << " - " << attempts << " 0" << std::endl;
      _exit(4);
    }
    const std::string key = "crash-" + order_no;
    HttpResult r = caller.Send("POST", "/v1/complaints", LoadComplaintBody(order_no, amount),
                               json_headers(c.consumer_token, key), &attempts);
    filings << key << " " << r.status << " " << ValueOr(r.Str("id")) << " " << attempts << " "
            << (r.Header("idempotent-replayed") == "true" ? 1 : 0) << std::endl;
    if (r.status != 201) continue;

    // One to three pieces of evidence for the new complaint.
    for (int u = 1 + static_cast<int>(rng() % 3); u > 0; --u, ++upload_no) {
      const std::string name = "c" + std::to_string(c.index) + "-u" + std::to_string(upload_no);
      UploadSource source = UploadSource::kFresh;
      std::string file;
      std::string type = "application/octet-stream";
      switch (rng() % 6) {
        case 0:
          source = UploadSource::kShared;
          file = SharedFile(static_cast<int>(rng() % kSharedFiles));
          break;
        case 1:
          if (!last_file.empty()) {
            source = UploadSource::kAgain;
            file = last_file;
            break;
          }
          [[fallthrough]];
        default:
          file = FreshFile(rng, name);
          if (rng() % 4 == 0) {
            file = Png(0) + file;
            type = "image/png";
          }
      }
      last_file = file;
      const std::string kind = kKinds[rng() % 4];
      std::string query = "kind=" + kind;
      if (rng() % 3 != 0) query += "&captured_at=" + Enc("2029-12-31T2" + std::to_string(rng() % 4) + ":3" + std::to_string(rng() % 10) + ":00+00:00");
      if (rng() % 2 == 0) query += "&filename=" + Enc("证据 " + name + ".bin");
      if (kind == "transaction") query += "&order_no=" + Enc(order_no) + "&amount_fen=" + std::to_string(amount);
      const bool by_merchant = rng() % 4 == 0;
      const std::string upload_key = "evidence-" + name;
      const std::map<std::string, std::string> headers{
          {"Authorization", "Bearer " + (by_merchant ? c.merchant_token : c.consumer_token)},
          {"Content-Type", type},
          {"Idempotency-Key", upload_key}};
      const std::string id = r.Str("id");
      HttpResult up = caller.Send("POST", "/v1/complaints/" + id + "/evidence?" + query, file, headers, &attempts);
      const json::value* index = up.obj().if_contains("log_index");
      uploads << upload_key << " " << up.status << " " << id << " " << ValueOr(up.Str("id")) << " "
              << Sha256Hex(file) << " " << ValueOr(up.Str("sha256")) << " "
              << (index && index->is_int64() ? index->as_int64() : -1) << " " << file.size() << " "
              << (by_merchant ? "merchant" : "consumer") << " " << kSources[static_cast<int>(source)] << " "
              << attempts << " " << (up.Header("idempotent-replayed") == "true" ? 1 : 0) << std::endl;
    }
  }
  _exit(0);
}

std::string LoadOrderBody(const std::string& order_no, int64_t amount_fen) {
  return json::serialize(json::object{{"consumer", "alice"},
                                      {"merchant", "m1"},
                                      {"product_kind", "recharge"},
                                      {"title", "充值 " + order_no},
                                      {"amount_fen", amount_fen},
                                      {"paid_at", "2029-12-31T20:00:00Z"}});
}

std::string LoadComplaintBody(const std::string& order_no, int64_t amount_fen) {
  return json::serialize(json::object{
      {"order_no", order_no},
      {"category", "not_received"},
      {"incident_at", "2029-12-31T21:00:00Z"},
      {"description", "充值后一直未到账 " + order_no},
      {"demands", json::array{json::object{{"kind", "refund"}, {"amount_fen", amount_fen}}}}});
}

std::vector<FilingAck> ReadFilingLog(const std::string& path) {
  std::vector<FilingAck> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    FilingAck a;
    int replayed = 0;
    fields >> a.key >> a.status >> a.id >> a.attempts >> replayed;
    a.replayed = replayed != 0;
    out.push_back(a);
  }
  return out;
}

std::vector<UploadAck> ReadUploadLog(const std::string& path) {
  std::vector<UploadAck> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    UploadAck a;
    std::string source;
    int replayed = 0;
    fields >> a.key >> a.status >> a.complaint >> a.id >> a.sha256_sent >> a.sha256 >> a.log_index >> a.size >>
        a.role >> source >> a.attempts >> replayed;
    for (int s = 0; s < 3; ++s) {
      if (source == kSources[s]) a.source = static_cast<UploadSource>(s);
    }
    a.replayed = replayed != 0;
    out.push_back(a);
  }
  return out;
}

}  // namespace tousu::testing
