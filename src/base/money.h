// Money: an amount in fen (1 yuan = 100 fen), always an integer, never a double.
//
// Arithmetic is checked: an overflow is a programming error and aborts rather than wrapping.
// Scaling (pro-rata refunds) goes through MulDiv with an explicit rounding mode.
// Thread-safety: value type.
#ifndef TOUSU_BASE_MONEY_H_
#define TOUSU_BASE_MONEY_H_

#include <compare>
#include <cstdint>
#include <string>

namespace tousu {

enum class Rounding {
  kDown,      // toward zero
  kUp,        // away from zero
  kHalfUp,    // nearest, .5 away from zero
};

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money Fen(int64_t fen) { return Money(fen); }
  static constexpr Money Yuan(int64_t yuan) { return Money(yuan * 100); }
  constexpr int64_t fen() const { return fen_; }

  Money operator+(Money o) const;
  Money operator-(Money o) const;
  Money operator*(int64_t k) const;
  Money& operator+=(Money o) { return *this = *this + o; }
  Money& operator-=(Money o) { return *this = *this - o; }
  constexpr auto operator<=>(const Money&) const = default;

  // "12.34 元" style text for explanations.
  std::string ToYuanString() const;

 private:
  constexpr explicit Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

// amount * num / den, rounded as asked. den must be positive; num and amount non-negative.
Money MulDiv(Money amount, int64_t num, int64_t den, Rounding rounding);

// Integer ceil(num / den) for non-negative num and positive den.
int64_t CeilDiv(int64_t num, int64_t den);

}  // namespace tousu

#endif  // TOUSU_BASE_MONEY_H_
