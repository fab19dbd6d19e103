#include "base/money.h"

#include <cstdio>
#include <cstdlib>

namespace tousu {

namespace {
[[noreturn]] void Overflow(const char* op) {
  std::fprintf(stderr, "tousu: money overflow in %s\n", op);
  std::abort();
}
}  // namespace

Money Money::operator+(Money o) const {
  int64_t r;
  if (__builtin_add_overflow(fen_, o.fen_, &r)) Overflow("+");
  return Money(r);
}

Money Money::operator-(Money o) const {
  int64_t r;
  if (__builtin_sub_overflow(fen_, o.fen_, &r)) Overflow("-");
  return Money(r);
}

Money Money::operator*(int64_t k) const {
  int64_t r;
  if (__builtin_mul_overflow(fen_, k, &r)) Overflow("*");
  return Money(r);
}

std::string Money::ToYuanString() const {
  const int64_t abs = fen_ < 0 ? -fen_ : fen_;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld 元", fen_ < 0 ? "-" : "",
                static_cast<long long>(abs / 100), static_cast<long long>(abs % 100));
  return buf;
}

Money MulDiv(Money amount, int64_t num, int64_t den, Rounding rounding) {
  if (den <= 0 || num < 0 || amount.fen() < 0) Overflow("MulDiv arguments");
  const __int128 product = static_cast<__int128>(amount.fen()) * num;
  __int128 q = product / den;
  const __int128 r = product % den;
  switch (rounding) {
    case Rounding::kDown: break;
    case Rounding::kUp: if (r != 0) ++q; break;
    case Rounding::kHalfUp: if (2 * r >= den) ++q; break;
  }
  if (q > INT64_MAX) Overflow("MulDiv");
  return Money::Fen(static_cast<int64_t>(q));
}

int64_t CeilDiv(int64_t num, int64_t den) { return num / den + (num % den != 0 ? 1 : 0); }

}  // namespace tousu
