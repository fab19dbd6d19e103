#include "base/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tousu {
namespace {

bool IsCrockford(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

// Over more than a thousand milliseconds (so the random pool is refilled a few times, each new
// millisecond taking ten bytes of it): ids are well formed, strictly increasing, and the random
// part of each millisecond's first id is fresh, never the zeros a used pool byte is wiped to.
TEST(IdGenerator, IdsAreWellFormedIncreasingAndFreshlyRandomAcrossPoolRefills) {
  IdGenerator ids;
  std::string last;
  std::set<std::string> first_random_parts;
  std::string last_time_part;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1100);
  int n = 0;
  while (std::chrono::steady_clock::now() < until) {
    const std::string id = ids.Next("cmp");
    ASSERT_EQ(id.size(), 4u + 26u) << id;
    ASSERT_EQ(id.substr(0, 4), "cmp_");
    for (char c : id.substr(4)) ASSERT_TRUE(IsCrockford(c)) << id;
    ASSERT_LT(last, id) << "not strictly increasing";
    const std::string time_part = id.substr(4, 10);
    if (time_part != last_time_part) {
      first_random_parts.insert(id.substr(14));
      last_time_part = time_part;
    }
    last = id;
    if (++n % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_GT(first_random_parts.size(), 600u) << "too few milliseconds seen to cross a pool refill";
  EXPECT_EQ(first_random_parts.count(std::string(16, '0')), 0u);
}

TEST(IdGenerator, ConcurrentCallersGetDistinctIds) {
  IdGenerator ids;
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (auto& out : got) {
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 20000; ++i) out.push_back(ids.Next("evt"));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : got) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 80000u);
}

}  // namespace
}  // namespace tousu
