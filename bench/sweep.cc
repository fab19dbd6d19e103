// bench_sweep: times one deadline sweep (Sweeper::RunDue, the server's own code) over a data
// directory seeded by bench_seed, at the moment when a given share of the seeded complaints'
// first deadline (merchant response, 48 h after filing) has passed. The sweep writes (it moves
// the due complaints to platform review), so give it a copy of the seeded directory.
//
//   bench_sweep --data DIR --meta META.json --due-fraction F
// Prints one JSON line: {"due_fraction", "due", "handled", "seconds", "due_query_seconds"}.
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/data_dir.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "service/complaints.h"
#include "service/sweeper.h"

int main(int argc, char** argv) {
  using namespace tousu;
  std::string data, meta_path;
  double fraction = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--meta")) meta_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--due-fraction")) fraction = std::atof(argv[i + 1]);
  }
  if (data.empty() || meta_path.empty() || fraction < 0 || fraction > 1) {
    std::fprintf(stderr, "usage: bench_sweep --data DIR --meta META.json --due-fraction F\n");
    return 2;
  }
  log::Init(log::Level::kWarn);
  std::ifstream in(meta_path);
  std::stringstream text;
  text << in.rdbuf();
  const auto meta = boost::json::parse(text.str()).as_object();
  const int64_t n = meta.at("complaints").as_int64();
  const int64_t per_second = meta.at("per_second").as_int64();
  const Instant first = Instant::FromUnixSeconds(meta.at("first_filed_at").as_int64());
  // Complaints filed in second k of the seed are due once now >= first + k + 48 h.
  const int64_t due_seconds = std::llround(fraction * static_cast<double>(n) / static_cast<double>(per_second));
  const Instant now = first + hours(48) + seconds(due_seconds - 1);

  auto opened = OpenDataDir(data);
  if (!opened.ok()) {
    std::fprintf(stderr, "bench_sweep: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto store = std::move(*opened);
  ManualClock clock(now);
  IdGenerator ids;
  ComplaintService complaints(clock, ids);
  Sweeper sweeper(*store, complaints);

  // How many index rows are due, by the same query the sweeper uses.
  size_t due = 0;
  auto q0 = std::chrono::steady_clock::now();
  Status s = store->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto rows, tx.DueDeadlines(now, 100000000));
    due = rows.size();
    return Status::Ok();
  });
  const double query_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - q0).count();
  if (!s.ok()) {
    std::fprintf(stderr, "bench_sweep: %s\n", s.ToString().c_str());
    return 1;
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto report = sweeper.RunDue(now);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  store->Close();
  if (!report.ok()) {
    std::fprintf(stderr, "bench_sweep: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("{\"due_fraction\": %g, \"due\": %zu, \"handled\": %d, \"failed\": %d, \"seconds\": %.6f, "
              "\"due_query_seconds\": %.6f}\n",
              fraction, due, report->handled, report->failed, secs, query_seconds);
  return report->failed == 0 ? 0 : 1;
}
