// bench_seed: fills a fresh data directory for the benchmarks through the real services and
// store — ComplaintService::File with its rules, lifecycle, events and log leaves — in large
// transactions and without HTTP.
//
//   bench_seed --data DIR --complaints N --load-orders M --out META.json [--postgres CONNINFO]
// With --postgres, DIR's store is that (empty) PostgreSQL database, as `tousu init --postgres`.
//
// What it makes, on platform "bench":
//  - 10 merchants, 1,000 consumers, 10 agents; N orders and N complaints (six categories, a
//    refund of the order's amount), filed 100 per second of business time, the newest one second
//    before now, so that during an HTTP benchmark none of their deadlines (48 h at the soonest)
//    falls due;
//  - M spare orders of consumer "loadc" for the filing load (f0 ... f{M-1});
//  - bearer tokens for "loadc" and agent "a0"; a random sample of complaint ids for the reads.
// META.json names all of it for bench/run.py and the wrk scripts.
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "app/data_dir.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "rules/engine.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/passwords.h"
#include "service/platforms.h"

namespace tousu {
namespace {

constexpr int kPerSecond = 100;
// Filings per write job. The writer keeps a job's savepoint journal in memory, which grows
// with the job: 500 seeded 10^5 complaints in 47 s here, 5,000 in 57 s.
constexpr int kBatch = 500;
constexpr int kConsumers = 1000;
constexpr int kMerchants = 10;
constexpr int kAgents = 10;
constexpr int kSampleIds = 50000;
const Category kCategories[] = {Category::kNotReceived, Category::kNotAsDescribed, Category::kDeliveryLate,
                                Category::kDisconnected, Category::kRightsNotOpened, Category::kAfterSaleRefused};

Principal PlatformPrincipal() {
  Principal p;
  p.role = Role::kPlatform;
  p.platform_id = "bench";
  return p;
}

Principal Consumer(const std::string& ref) {
  Principal p;
  p.role = Role::kConsumer;
  p.platform_id = "bench";
  p.user_ref = ref;
  return p;
}

OrderInput MakeOrder(const std::string& consumer, int merchant, Instant paid, int64_t fen) {
  OrderInput o;
  o.consumer_ref = consumer;
  o.merchant_ref = "m" + std::to_string(merchant);
  o.product_kind = ProductKind::kRecharge;
  o.title = "游戏充值";
  o.amount = Money::Fen(fen);
  o.paid_at = paid;
  o.delivered_at = paid + minutes(1);
  o.payment_channel = "alipay";
  return o;
}

int Run(const std::string& dir, int64_t n, int64_t load_orders, const std::string& out_path,
        const std::string& postgres) {
  log::Init(log::Level::kWarn);
  if (!InitPasswordHashing()) return 1;
  auto init = InitDataDir(dir, "", postgres);
  if (!init.ok() || !init->created) {
    if (!init.ok()) std::fprintf(stderr, "bench_seed: %s\n", init.status().ToString().c_str());
    std::fprintf(stderr, "bench_seed: %s must be a new data directory\n", dir.c_str());
    return 2;
  }
  auto opened = OpenDataDir(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "bench_seed: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto store = std::move(*opened);
  const auto started = std::chrono::steady_clock::now();
  SystemClock wall;
  const Instant now = wall.Now();
  const Instant first = now - seconds(n / kPerSecond + 1);
  ManualClock clock(first);
  IdGenerator ids;
  AuthService auth(wall, ids, hours(24 * 90));
  PlatformService platforms(clock, ids, auth);
  ComplaintService complaints(clock, ids);
  const Principal platform = PlatformPrincipal();
  std::string consumer_token, agent_token;

  auto hash = HashPassword("bench-password");
  if (!hash.ok()) return 1;
  Status s = store->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_RETURN_IF_ERROR(platforms.CreatePlatform(tx, "Bench", "bench").status());
    for (int m = 0; m < kMerchants; ++m) {
      TOUSU_RETURN_IF_ERROR(platforms.PutMerchant(tx, platform, "m" + std::to_string(m),
                                                  MerchantInput{"商户" + std::to_string(m), true, ""}).status());
    }
    for (int c = 0; c < kConsumers; ++c) {
      TOUSU_RETURN_IF_ERROR(platforms.PutUser(tx, platform, "u" + std::to_string(c),
                                              UserInput{Role::kConsumer, "用户", *hash, ""}).status());
    }
    TOUSU_RETURN_IF_ERROR(platforms.PutUser(tx, platform, "loadc", UserInput{Role::kConsumer, "压测用户", *hash, ""}).status());
    for (int a = 0; a < kAgents; ++a) {
      TOUSU_RETURN_IF_ERROR(platforms.PutUser(tx, platform, "a" + std::to_string(a),
                                              UserInput{Role::kAgent, "客服", *hash, ""}).status());
    }
    TOUSU_ASSIGN_OR_RETURN(IssuedToken ct, auth.Issue(tx, Role::kConsumer, "bench", "loadc"));
    TOUSU_ASSIGN_OR_RETURN(IssuedToken at, auth.Issue(tx, Role::kAgent, "bench", "a0"));
    consumer_token = ct.token;
    agent_token = at.token;
    return Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "bench_seed: people: %s\n", s.ToString().c_str());
    return 1;
  }

  std::mt19937_64 rng(42);
  std::vector<std::string> sample;
  sample.reserve(kSampleIds);
  for (int64_t done = 0; done < n;) {
    const int64_t end = std::min(n, done + kBatch);
    s = store->WriteSync([&](WriteTx& tx) -> Status {
      for (int64_t i = done; i < end; ++i) {
        clock.AdvanceTo(first + seconds(i / kPerSecond));
        const Instant at = clock.Now();
        const std::string consumer = "u" + std::to_string(i % kConsumers);
        const std::string order_no = "o" + std::to_string(i);
        const int64_t fen = 500 + static_cast<int64_t>(i % 40000);
        TOUSU_ASSIGN_OR_RETURN(auto order,
                               platforms.PutOrder(tx, platform, order_no,
                                                  MakeOrder(consumer, static_cast<int>(i % kMerchants), at - hours(2), fen)));
        FileCommand cmd;
        cmd.order_no = order.value.order_no;
        cmd.category = kCategories[i % std::size(kCategories)];
        cmd.incident_at = at - hours(1);
        cmd.description = "充值后一直未到账，客服不回复。订单 " + order_no;
        cmd.demands = {Demand{DemandKind::kRefund, order.value.amount, 0}};
        TOUSU_ASSIGN_OR_RETURN(Complaint c, complaints.File(tx, Consumer(consumer), cmd));
        // Reservoir sample of ids for the read load.
        if (static_cast<int64_t>(sample.size()) < kSampleIds) {
          sample.push_back(c.id);
        } else if (auto j = rng() % (i + 1); j < static_cast<uint64_t>(kSampleIds)) {
          sample[j] = c.id;
        }
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "bench_seed: complaints: %s\n", s.ToString().c_str());
      return 1;
    }
    done = end;
    if (done % 100000 == 0 || done == n) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "bench_seed: %lld complaints in %.1f s\n", static_cast<long long>(done), secs);
    }
  }
  for (int64_t done = 0; done < load_orders;) {
    const int64_t end = std::min(load_orders, done + 4 * kBatch);
    s = store->WriteSync([&](WriteTx& tx) -> Status {
      for (int64_t j = done; j < end; ++j) {
        TOUSU_RETURN_IF_ERROR(platforms.PutOrder(tx, platform, "f" + std::to_string(j),
                                                 MakeOrder("loadc", static_cast<int>(j % kMerchants), now - hours(2),
                                                           1000 + j % 9000))
                                  .status());
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "bench_seed: load orders: %s\n", s.ToString().c_str());
      return 1;
    }
    done = end;
  }
  (void)store->Checkpoint();
  store->Close();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const std::string ids_path = out_path + ".ids";
  {
    std::ofstream idf(ids_path);
    for (const auto& id : sample) idf << id << "\n";
  }
  std::ofstream out(out_path);
  out << "{\"platform\": \"bench\", \"complaints\": " << n << ", \"load_orders\": " << load_orders
      << ", \"per_second\": " << kPerSecond << ", \"first_filed_at\": " << first.unix_seconds()
      << ", \"consumer_token\": \"" << consumer_token << "\", \"agent_token\": \"" << agent_token
      << "\", \"ids_file\": \"" << ids_path << "\", \"seed_seconds\": " << secs << "}\n";
  std::fprintf(stderr, "bench_seed: %lld complaints and %lld load orders in %.1f s\n", static_cast<long long>(n),
               static_cast<long long>(load_orders), secs);
  return 0;
}

}  // namespace
}  // namespace tousu

int main(int argc, char** argv) {
  std::string data, out, postgres;
  long long n = 1000000, load_orders = 600000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--complaints")) n = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--load-orders")) load_orders = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--out")) out = argv[i + 1];
    else if (!std::strcmp(argv[i], "--postgres")) postgres = argv[i + 1];
  }
  if (data.empty() || out.empty() || n < 1) {
    std::fprintf(stderr, "usage: bench_seed --data DIR --complaints N --load-orders M --out META.json [--postgres CONNINFO]\n");
    return 2;
  }
  return tousu::Run(data, n, load_orders, out, postgres);
}
