// bench_file_cost: the store's cost of one filing, without HTTP and without a load generator on
// the same cores. Files N complaints on a data directory seeded by bench_seed, through the real
// ComplaintService and SqliteStore, each filing its own write job as under the server, queued
// G at a time so that the writer commits groups of about G, and prints the CPU seconds per
// filing of the whole process and of the writer thread. Under `valgrind --tool=callgrind` the
// instruction count per filing is repeatable on a noisy machine, which timings here are not
// (docs/benchmarks.md).
//
//   bench_file_cost --data DIR [--filings N] [--group G] [--first-order K]
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <unistd.h>

#include "app/data_dir.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "base/time.h"
#include "service/complaints.h"

namespace tousu {
namespace {

// CPU seconds of this process's threads named `name` (all threads when empty).
double CpuSeconds(const std::string& name) {
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (!name.empty() && n != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoll(field);
      if (i == 15) stime = std::stoll(field);
    }
    total += static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

Principal LoadConsumer() {
  Principal p;
  p.role = Role::kConsumer;
  p.platform_id = "bench";
  p.user_ref = "loadc";
  return p;
}

int Run(const std::string& dir, int64_t filings, int group, int64_t first_order) {
  log::Init(log::Level::kWarn);
  auto opened = OpenDataDir(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "bench_file_cost: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto store = std::move(*opened);
  SystemClock clock;
  IdGenerator ids;
  ComplaintService complaints(clock, ids);
  const Principal who = LoadConsumer();
  const Instant incident = clock.Now() - minutes(30);

  std::mutex mu;
  std::condition_variable cv;
  int64_t in_flight = 0, failed = 0;
  Status first_error = Status::Ok();
  const double cpu0 = CpuSeconds(""), writer0 = CpuSeconds("tousu-writer");
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < filings; ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < group; });
      ++in_flight;
    }
    FileCommand cmd;
    cmd.order_no = "f" + std::to_string(first_order + i);
    cmd.category = Category::kNotReceived;
    cmd.incident_at = incident;
    cmd.description = "充值后一直未到账，请处理";
    cmd.demands = {Demand{DemandKind::kRefund, Money::Fen(1000), 0}};
    store->Write([&complaints, who, cmd](WriteTx& tx) { return complaints.File(tx, who, cmd).status(); },
                 [&](Status s) {
                   std::lock_guard lock(mu);
                   if (!s.ok() && failed++ == 0) first_error = s;
                   --in_flight;
                   cv.notify_all();
                 });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds("") - cpu0, writer = CpuSeconds("tousu-writer") - writer0;
  store->Close();
  if (failed > 0) {
    std::fprintf(stderr, "bench_file_cost: %lld filings failed, the first: %s\n", static_cast<long long>(failed),
                 first_error.ToString().c_str());
    return 1;
  }
  std::printf("{\"filings\": %lld, \"group\": %d, \"seconds\": %.3f, \"per_second\": %.0f, "
              "\"cpu_us_per_filing\": %.1f, \"writer_us_per_filing\": %.1f}\n",
              static_cast<long long>(filings), group, wall, filings / wall, 1e6 * cpu / filings,
              1e6 * writer / filings);
  return 0;
}

}  // namespace
}  // namespace tousu

int main(int argc, char** argv) {
  std::string data;
  long long filings = 20000, first = 0;
  int group = 32;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("usage: bench_file_cost --data DIR [--filings N] [--group G] [--first-order K]\n"
                  "Files N complaints (default 20000) on orders fK, fK+1, ... of consumer loadc in a data\n"
                  "directory seeded by bench_seed, G write jobs in flight (default 32), and prints CPU\n"
                  "seconds per filing of the process and of its writer thread.\n");
      return 0;
    } else if (!std::strcmp(argv[i], "--data") && has_value) {
      data = argv[++i];
    } else if (!std::strcmp(argv[i], "--filings") && has_value) {
      filings = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--group") && has_value) {
      group = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--first-order") && has_value) {
      first = std::atoll(argv[++i]);
    } else {
      std::fprintf(stderr, "bench_file_cost: unknown or incomplete argument '%s' (see --help)\n", argv[i]);
      return 2;
    }
  }
  if (data.empty() || filings < 1 || group < 1 || first < 0) {
    std::fprintf(stderr, "bench_file_cost: --data is required; --filings and --group must be positive (see --help)\n");
    return 2;
  }
  return tousu::Run(data, filings, group, first);
}
