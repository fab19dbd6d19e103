#include "store/sql/log_node_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tousu::sql {
namespace {

std::string HashOf(int level, int64_t index) {
  std::string h(32, '\0');
  for (int i = 0; i < 32; ++i) h[i] = static_cast<char>((index * 31 + level * 7 + i) & 0xff);
  return h;
}

TEST(LogNodeCache, KeepsNodesFromItsLowestLevelUp) {
  LogNodeCache cache(/*min_level=*/3, /*capacity=*/100);
  cache.Add(2, 5, HashOf(2, 5));
  cache.Add(3, 5, HashOf(3, 5));
  cache.Add(9, 0, HashOf(9, 0));
  EXPECT_FALSE(cache.Find(2, 5));
  EXPECT_EQ(cache.Find(3, 5), HashOf(3, 5));
  EXPECT_EQ(cache.Find(9, 0), HashOf(9, 0));
  EXPECT_FALSE(cache.Find(3, 6));
  EXPECT_FALSE(cache.Find(4, 5)) << "a node is found only under its own level";
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(LogNodeCache, KeepsOnlyWellFormedHashes) {
  LogNodeCache cache(0, 100);
  cache.Add(0, 1, std::string(31, 'x'));
  cache.Add(0, 2, std::string(33, 'x'));
  cache.Add(0, -1, std::string(32, 'x'));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LogNodeCache, AdmitsNothingOnceFull) {
  LogNodeCache cache(0, 3);
  for (int64_t i = 0; i < 10; ++i) cache.Add(1, i, HashOf(1, i));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Find(1, 0), HashOf(1, 0));
  EXPECT_EQ(cache.Find(1, 2), HashOf(1, 2));
  EXPECT_FALSE(cache.Find(1, 3));
  // A node already kept is not replaced by a second read of it.
  cache.Add(1, 0, HashOf(7, 7));
  EXPECT_EQ(cache.Find(1, 0), HashOf(1, 0));
}

// Readers on several threads add and find at once (the store's readers do); run under TSan by
// make test-sanitize.
TEST(LogNodeCache, ReadersShareItAcrossThreads) {
  LogNodeCache cache(0, 100000);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int64_t i = 0; i < 2000; ++i) {
        const int64_t index = (i * 7 + t) % 1500;
        cache.Add(4, index, HashOf(4, index));
        auto got = cache.Find(4, (index * 3) % 1500);
        if (got && *got != HashOf(4, (index * 3) % 1500)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.size(), 1500u);
}

}  // namespace
}  // namespace tousu::sql
