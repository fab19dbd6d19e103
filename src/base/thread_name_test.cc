#include "base/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace tousu {
namespace {

TEST(ThreadName, NamesTheCallingThreadAndCutsAt15Bytes) {
  std::string short_name, long_name;
  std::thread([&] {
    NameThisThread("tousu-writer");
    short_name = ThisThreadName();
    NameThisThread("tousu-a-name-longer-than-fifteen");
    long_name = ThisThreadName();
  }).join();
  EXPECT_EQ(short_name, "tousu-writer");
  EXPECT_EQ(long_name, "tousu-a-name-lo");
}

}  // namespace
}  // namespace tousu
