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

TEST(LogNodeCache, WhenFullOnlyAHigherNodeIsAdmitted) {
  LogNodeCache cache(0, 3);
  for (int64_t i = 0; i < 3; ++i) cache.Add(1, i, HashOf(1, i));
  cache.Add(1, 9, HashOf(1, 9));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Find(1, 9)) << "a node of the lowest level kept took another's place";
  // A node already kept is not replaced by a second read of it.
  cache.Add(1, 0, HashOf(7, 7));
  EXPECT_EQ(cache.Find(1, 0), HashOf(1, 0));

  // Higher nodes take the places of level-1 nodes, newest first, then of level-2 ones; never
  // of their own level or a higher one.
  cache.Add(3, 0, HashOf(3, 0));
  EXPECT_FALSE(cache.Find(1, 2));
  cache.Add(2, 0, HashOf(2, 0));
  EXPECT_FALSE(cache.Find(1, 1));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Find(3, 0), HashOf(3, 0));
  EXPECT_EQ(cache.Find(2, 0), HashOf(2, 0));
  EXPECT_EQ(cache.Find(1, 0), HashOf(1, 0));
  cache.Add(2, 1, HashOf(2, 1));
  EXPECT_FALSE(cache.Find(1, 0));
  cache.Add(2, 2, HashOf(2, 2));
  EXPECT_FALSE(cache.Find(2, 2));
  cache.Add(3, 1, HashOf(3, 1));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Find(3, 0), HashOf(3, 0));
  EXPECT_EQ(cache.Find(3, 1), HashOf(3, 1));
  EXPECT_EQ(cache.Find(2, 0), HashOf(2, 0));
  EXPECT_FALSE(cache.Find(2, 1));
}

TEST(LogNodeCache, IgnoresLevelsBeyondAnyTree) {
  LogNodeCache cache(0, 10);
  cache.Add(64, 0, HashOf(64, 0));
  cache.Add(1000, 0, HashOf(1000, 0));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find(64, 0));
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
