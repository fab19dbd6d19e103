// The transparency log's speed at 10^6 leaves (issue 4): appends and proofs, in memory (the
// algorithm alone) and through the SQLite store (what the server does), each append figure
// reported as a ratio to raw OpenSSL SHA-256 node hashes per second, measured again in every
// run of the benchmark (so in every repetition), right after its appends.
//
// An append costs one leaf hash plus, on average, one node hash, so its ceiling is half the raw
// node-hash rate: `ceiling_ratio` = appends/s ÷ (node hashes/s ÷ 2). Goals: append ≥ 0.5 of
// that ceiling; an inclusion proof < 50 µs at 10^6 leaves.
//
//   make bench-log        (part of make bench: 3 repetitions, table by bench/log_table.py)
//   build-release/bench/tousu_log_bench --benchmark_filter=...
// The SQLite tree of 10^6 leaves is built once into <build>/bench-data/ and reused.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "base/log.h"
#include "evidence/merkle.h"
#include "evidence/merkle_tree.h"
#include "evidence/store_nodes.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {
namespace {

namespace fs = std::filesystem;
using evidence::Hash;

constexpr uint64_t kLeaves = 1'000'000;

std::string LeafBytes(uint64_t i) {
  // About the size of a real event leaf's fixed part.
  return "{\"leaf\":\"event\",\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(64, 'x') + "\"}";
}

// Raw OpenSSL SHA-256 node hashes per second (64-byte children + prefix), measured for ~0.2 s.
// Measured anew on every call: this machine's speed changes by the hour, so a ratio is only
// taken against a ceiling measured beside it.
double NodeHashesPerSecond() {
  Hash a = evidence::LeafHash("a"), b = evidence::LeafHash("b");
  const auto start = std::chrono::steady_clock::now();
  uint64_t n = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200)) {
    for (int i = 0; i < 1000; ++i) a = evidence::NodeHash(a, b);
    n += 1000;
  }
  benchmark::DoNotOptimize(a);
  return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `appends` took `seconds` of wall time: their rate, the hashing ceiling measured now (in the
// same run, so in the same repetition), and the ratio of the two.
void ReportAppends(benchmark::State& state, uint64_t appends, double seconds) {
  const double rate = seconds > 0 ? appends / seconds : 0;
  const double node_hashes = NodeHashesPerSecond();
  state.counters["appends_per_s"] = rate;
  state.counters["node_hashes_per_s"] = node_hashes;
  state.counters["ceiling_ratio"] = rate / (node_hashes / 2);
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- raw hashing: the ceiling ---------------------------------------------------------------

void BM_RawNodeHash(benchmark::State& state) {
  Hash a = evidence::LeafHash("a"), b = evidence::LeafHash("b");
  for (auto _ : state) {
    a = evidence::NodeHash(a, b);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawNodeHash);

// ---- in memory ------------------------------------------------------------------------------

evidence::MemoryNodes& MemoryTree() {
  static evidence::MemoryNodes* nodes = [] {
    auto* n = new evidence::MemoryNodes();
    for (uint64_t i = 0; i < kLeaves; ++i) (void)evidence::AppendLeafHash(*n, i, evidence::LeafHash(LeafBytes(i)));
    return n;
  }();
  return *nodes;
}

// Appends (leaf hash + subtree hashes) onto a fresh in-memory tree, from 0 to 10^6 leaves.
void BM_AppendMemory(benchmark::State& state) {
  uint64_t appended = 0;
  double seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    evidence::MemoryNodes nodes;
    std::vector<std::string> leaves;
    leaves.reserve(kLeaves);
    for (uint64_t i = 0; i < kLeaves; ++i) leaves.push_back(LeafBytes(i));
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kLeaves; ++i) {
      Status s = evidence::AppendLeafHash(nodes, i, evidence::LeafHash(leaves[i]));
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
    seconds += Since(start);
    appended += kLeaves;
  }
  ReportAppends(state, appended, seconds);
}
BENCHMARK(BM_AppendMemory)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_InclusionProofMemory(benchmark::State& state) {
  evidence::MemoryNodes& nodes = MemoryTree();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto proof = evidence::InclusionProof(nodes, rng() % kLeaves, kLeaves);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProofMemory)->Unit(benchmark::kMicrosecond);

// ---- through the SQLite store ---------------------------------------------------------------

Status AppendInTx(WriteTx& tx, uint64_t index) {
  const std::string leaf = LeafBytes(index);
  TOUSU_RETURN_IF_ERROR(tx.InsertLogLeaf({static_cast<int64_t>(index), leaf, "bench", "cmp_bench", 1, ""}));
  evidence::StoreNodes nodes(tx, &tx);
  return evidence::AppendLeafHash(nodes, index, evidence::LeafHash(leaf));
}

// Appends leaves [from, to) in write jobs of `batch` appends each (one job = one group commit).
Status AppendRange(Store& store, uint64_t from, uint64_t to, uint64_t batch) {
  for (uint64_t start = from; start < to; start += batch) {
    const uint64_t end = std::min(to, start + batch);
    TOUSU_RETURN_IF_ERROR(store.WriteSync([&](WriteTx& tx) -> Status {
      for (uint64_t i = start; i < end; ++i) TOUSU_RETURN_IF_ERROR(AppendInTx(tx, i));
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

// The store with a tree of exactly 10^6 leaves (built once, then copied per use).
std::string SqliteTreeOf1e6() {
  const fs::path dir = fs::path(TOUSU_BENCH_DATA_DIR);
  const std::string path = (dir / "log-1e6.db").string();
  if (fs::exists(path)) return path;
  fs::create_directories(dir);
  const std::string building = path + ".building";
  fs::remove(building);
  fs::remove(building + "-wal");
  {
    auto store = SqliteStore::Open(building, true).value();
    Status s = AppendRange(*store, 0, kLeaves, 20000);
    if (!s.ok()) {
      std::fprintf(stderr, "building the benchmark tree failed: %s\n", s.ToString().c_str());
      std::abort();
    }
    store->Close();
  }
  fs::rename(building, path);
  return path;
}

std::unique_ptr<SqliteStore> FreshCopy(const std::string& name) {
  const std::string source = SqliteTreeOf1e6();
  const std::string copy = (fs::path(TOUSU_BENCH_DATA_DIR) / name).string();
  fs::remove(copy);
  fs::remove(copy + "-wal");
  fs::remove(copy + "-shm");
  fs::copy_file(source, copy);
  return SqliteStore::Open(copy, false).value();
}

// Appends onto the stored tree of 10^6 leaves, `batch` appends per transaction.
void BM_AppendSqliteAt1e6(benchmark::State& state) {
  auto store = FreshCopy("append.db");
  const uint64_t batch = static_cast<uint64_t>(state.range(0));
  uint64_t next = kLeaves;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Status s = AppendRange(*store, next, next + batch, batch);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    next += batch;
  }
  ReportAppends(state, next - kLeaves, Since(start));
  store->Close();
}
BENCHMARK(BM_AppendSqliteAt1e6)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// An inclusion proof (and the root) for a random leaf of the stored tree of 10^6 leaves.
void BM_InclusionProofSqliteAt1e6(benchmark::State& state) {
  static std::unique_ptr<SqliteStore> store = FreshCopy("proof.db");
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    Status s = store->Read([&](ReadTx& tx) -> Status {
      evidence::StoreNodes nodes(tx);
      TOUSU_ASSIGN_OR_RETURN(auto proof, evidence::InclusionProof(nodes, rng() % kLeaves, kLeaves));
      benchmark::DoNotOptimize(proof);
      return Status::Ok();
    });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_InclusionProofSqliteAt1e6)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofSqliteAt1e6(benchmark::State& state) {
  static std::unique_ptr<SqliteStore> store = FreshCopy("consistency.db");
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    Status s = store->Read([&](ReadTx& tx) -> Status {
      evidence::StoreNodes nodes(tx);
      TOUSU_ASSIGN_OR_RETURN(auto proof, evidence::ConsistencyProof(nodes, 1 + rng() % kLeaves, kLeaves));
      benchmark::DoNotOptimize(proof);
      return Status::Ok();
    });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_ConsistencyProofSqliteAt1e6)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tousu

// BENCHMARK_MAIN, with the store's own log lines (its migrations) at warn like the other bench
// tools, so that the output is the benchmark table.
int main(int argc, char** argv) {
  tousu::log::Init(tousu::log::Level::kWarn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
