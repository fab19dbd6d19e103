// Opaque, unique, time-ordered identifiers for objects the server creates ("cmp_01JD...").
//
// The body is a ULID: 48 bits of real wall-clock milliseconds then 80 random bits, in Crockford
// base32 (26 characters), so ids sort in creation order and make a natural list cursor. Within
// one millisecond the random part is incremented, so ids from one generator are strictly
// increasing. The wall clock is used on purpose, not the injectable business clock: ids record
// the order of creation, never a business time.
// Thread-safety: Next() may be called from any thread.
#ifndef TOUSU_BASE_IDS_H_
#define TOUSU_BASE_IDS_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace tousu {

class IdGenerator final {
 public:
  // "prefix_" + 26 base32 characters.
  std::string Next(std::string_view prefix);

 private:
  // Ten fresh random bytes for each new millisecond, taken from a pool that RAND_bytes fills
  // 4 KiB at a time: one RAND_bytes call per id cost the store's writer 1 % of a filing.
  void TakeRandom(unsigned char* out, size_t n);

  std::mutex mu_;
  std::string pool_;              // GUARDED_BY(mu_)
  size_t pool_used_ = 0;          // GUARDED_BY(mu_)
  uint64_t last_ms_ = 0;          // GUARDED_BY(mu_)
  uint64_t rand_hi_ = 0;          // 16 high random bits, GUARDED_BY(mu_)
  uint64_t rand_lo_ = 0;          // 64 low random bits, GUARDED_BY(mu_)
};

// A fresh secret token "prefix_" + 43 base64url characters (256 random bits).
std::string NewSecretToken(std::string_view prefix);

}  // namespace tousu

#endif  // TOUSU_BASE_IDS_H_
