#include "http/router.h"

#include <gtest/gtest.h>

namespace tousu::http {
namespace {

TEST(SplitPath, DecodesCleanPathsAndRefusesTheRest) {
  EXPECT_EQ(*SplitPath("/v1/orders/O%201"), (std::vector<std::string>{"v1", "orders", "O 1"}));
  EXPECT_EQ(*SplitPath("/v1/complaints/"), (std::vector<std::string>{"v1", "complaints"}));
  EXPECT_TRUE(SplitPath("/")->empty());
  for (const char* bad : {"", "v1", "//v1", "/v1//x", "/v1/./x", "/v1/../x", "/v1/%2e%2e/x", "/v1/%zz",
                          "/v1/%0", "/v1/a%00b"}) {
    EXPECT_FALSE(SplitPath(bad)) << bad;
  }
}

// Found by fuzz/router_fuzz.cc: an escaped NUL (%00) was refused but a raw NUL byte passed,
// although the header promises no NUL in any segment.
TEST(SplitPath, RegressionRawNulIsRefusedLikeAnEscapedOne) {
  EXPECT_FALSE(SplitPath(std::string("/v1/a\0b", 7)));
  EXPECT_FALSE(SplitPath(std::string("/\0", 2)));
}

}  // namespace
}  // namespace tousu::http
