#include "base/ids.h"

#include <chrono>
#include <cstring>

#include "base/crypto.h"
#include "base/encoding.h"

namespace tousu {

namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
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
      std::string r = RandomBytes(10);
      rand_hi_ = (uint8_t(r[0]) << 8) | uint8_t(r[1]);
      std::memcpy(&rand_lo_, r.data() + 2, 8);
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
