#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace tousu {
namespace {

// Writes `text` to a temporary file and loads it as the server's config.
StatusOr<Config> Load(const std::string& text) {
  char path[] = "/tmp/tousu-config-test-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << text;
  auto c = LoadConfigFile(path);
  ::unlink(path);
  return c;
}

TEST(LoadConfigFile, ReadsKnownKeysAndRefusesUnknownOnes) {
  auto c = Load("listen = \"127.0.0.1:9000\"\nthreads = 4\n[limits]\nmax_connections = 10\n"
                "max_connections_per_address = 0\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->threads, 4);
  EXPECT_EQ(c->limits.max_connections, 10);
  EXPECT_EQ(c->limits.max_connections_per_address, 0);
  EXPECT_FALSE(Load("[limits]\nmax_connections_per_address = -1\n").ok());
  // The body budget must hold at least one body of the largest size.
  EXPECT_FALSE(Load("[limits]\nmax_buffered_body_bytes = 2048\n").ok());
  EXPECT_TRUE(Load("[limits]\nmax_body_bytes = 2048\nmax_buffered_body_bytes = 2048\n").ok());
  EXPECT_FALSE(Load("thread = 4\n").ok());
  EXPECT_FALSE(Load("threads = 1000\n").ok());
}

TEST(LoadConfigFile, TheComplaintCacheHasABudgetOrIsOff) {
  auto c = Load("[cache]\ncomplaint_bytes = 1048576\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->complaint_cache_bytes, 1048576);
  auto off = Load("[cache]\ncomplaint_bytes = 0\n");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->complaint_cache_bytes, 0);
  EXPECT_EQ(Load("")->complaint_cache_bytes, 32 << 20);
  auto negative = Load("[cache]\ncomplaint_bytes = -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("complaint_bytes"), std::string::npos) << negative.status().message();
  EXPECT_FALSE(Load("[cache]\nbytes = 10\n").ok());
  EXPECT_FALSE(Load("cache = 10\n").ok());
}

TEST(LoadConfigFile, MetricsCountsIntervalIsBounded) {
  EXPECT_EQ(Load("")->metrics_counts_interval, seconds(15));
  auto c = Load("[metrics]\ncounts_interval_seconds = 0\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->metrics_counts_interval, seconds(0));
  auto negative = Load("[metrics]\ncounts_interval_seconds = -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("counts_interval_seconds"), std::string::npos);
  EXPECT_FALSE(Load("[metrics]\ncounts_interval_seconds = 3601\n").ok());
  EXPECT_FALSE(Load("[metrics]\ninterval = 10\n").ok());
  EXPECT_FALSE(Load("metrics = 10\n").ok());
}

// Found by fuzz/config_toml_fuzz.cc under UBSan: an integer option given a float out of int64's
// range (max_body_bytes = 2097E52) was converted to int64 before its type was checked.
TEST(LoadConfigFile, RegressionFloatForIntegerIsRefusedBeforeConversion) {
  for (const char* text : {"[limits]\nmax_body_bytes = 2097E52\n", "threads = 1e300\n", "threads = 4.0\n",
                           "threads = -inf\n", "threads = nan\n"}) {
    auto c = Load(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(c.status().message().find("must be an integer"), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace tousu
