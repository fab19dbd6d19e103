#include "base/ids.h"

#include <chrono>
#include <cstring>

#include "base/crypto.h"
#include "base/encoding.h"

namespace tousu {

namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

void IdGenerator::TakeRandom(unsigned char* out, size_t n) {
  constexpr size_t kPool = 4096;
  if (pool_used_ + n > pool_.size()) {
    pool_ = RandomBytes(kPool);
    pool_used_ = 0;
  }
  std::memcpy(out, pool_.data() + pool_used_, n);
  // Bytes once used are wiped, so a later look at this memory does not show past ids' bits.
  std::memset(pool_.data() + pool_used_, 0, n);
  pool_used_ += n;
}

std::string IdGenerator::Next(std::string_view prefix) {
  uint64_t ms, hi, lo;
  {
    std::lock_guard lock(mu_);
    ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    if (ms <= last_ms_) {
      ms = last_ms_;
      if (++rand_lo_ == 0) rand_hi_ = (rand_hi_ + 1) & 0xffff;
    } else {
      unsigned char r[10];
      TakeRandom(r, sizeof r);
      rand_hi_ = (uint64_t{r[0]} << 8) | r[1];
      std::memcpy(&rand_lo_, r + 2, 8);
      rand_lo_ &= ~(uint64_t{1} << 63);  // headroom so increments stay in this millisecond
      last_ms_ = ms;
    }
    hi = rand_hi_;
    lo = rand_lo_;
  }
  // 128 bits: 48 time | 16 hi | 64 lo, written as 26 base32 digits (130 bits, top 2 zero).
  unsigned __int128 v = (static_cast<unsigned __int128>(ms & 0xffffffffffffULL) << 80) |
                        (static_cast<unsigned __int128>(hi) << 64) | lo;
  char body[26];
  for (int i = 25; i >= 0; --i) {
    body[i] = kCrockford[static_cast<int>(v & 31)];
    v >>= 5;
  }
  std::string out(prefix);
  out += '_';
  out.append(body, 26);
  return out;
}

std::string NewSecretToken(std::string_view prefix) {
  std::string out(prefix);
  out += '_';
  out += Base64UrlEncode(RandomBytes(32));
  return out;
}

}  // namespace tousu
