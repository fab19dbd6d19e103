#include "base/money.h"

#include <gtest/gtest.h>

namespace tousu {
namespace {

TEST(Money, YuanAndFen) {
  EXPECT_EQ(Money::Yuan(500).fen(), 50000);
  EXPECT_EQ((Money::Fen(150) + Money::Fen(50)).fen(), 200);
  EXPECT_EQ((Money::Fen(150) * 3).fen(), 450);
  EXPECT_EQ(Money::Fen(12345).ToYuanString(), "123.45 元");
  EXPECT_EQ(Money::Fen(-5).ToYuanString(), "-0.05 元");
}

TEST(Money, MulDivRounds) {
  // 19800 fen × 7200 s / 31536000 s = 4.52... fen
  EXPECT_EQ(MulDiv(Money::Fen(19800), 7200, 31536000, Rounding::kDown).fen(), 4);
  EXPECT_EQ(MulDiv(Money::Fen(19800), 7200, 31536000, Rounding::kHalfUp).fen(), 5);
  EXPECT_EQ(MulDiv(Money::Fen(10), 1, 4, Rounding::kHalfUp).fen(), 3);   // 2.5 → 3
  EXPECT_EQ(MulDiv(Money::Fen(10), 1, 5, Rounding::kHalfUp).fen(), 2);   // exact
  EXPECT_EQ(MulDiv(Money::Fen(1), 1, 3, Rounding::kUp).fen(), 1);
  EXPECT_EQ(MulDiv(Money::Fen(1), 1, 3, Rounding::kHalfUp).fen(), 0);
  // No intermediate overflow: 9e15 × 1e6 fits only in 128 bits.
  EXPECT_EQ(MulDiv(Money::Fen(9000000000000000), 1000000, 1000000, Rounding::kDown).fen(),
            9000000000000000);
}

TEST(Money, CeilDiv) {
  EXPECT_EQ(CeilDiv(0, 86400), 0);
  EXPECT_EQ(CeilDiv(1, 86400), 1);
  EXPECT_EQ(CeilDiv(86400, 86400), 1);
  EXPECT_EQ(CeilDiv(86401, 86400), 2);
}

TEST(MoneyDeathTest, OverflowAborts) {
  EXPECT_DEATH((void)(Money::Fen(INT64_MAX) + Money::Fen(1)), "overflow");
}

}  // namespace
}  // namespace tousu
