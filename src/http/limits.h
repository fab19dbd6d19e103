// Abuse limits: token buckets per client address and per credential (429 with Retry-After),
// and login throttling with a growing delay per user and per address. In memory: they protect
// this process; a restart forgets them, which is acceptable for rate limits.
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_HTTP_LIMITS_H_
#define TOUSU_HTTP_LIMITS_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tousu::http {

using SteadyTime = std::chrono::steady_clock::time_point;

class RateLimiter final {
 public:
  // `per_second` tokens refill each second up to `burst`; per_second <= 0 turns it off.
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}

  // Takes a token for `key`. nullopt: allowed; otherwise the seconds to wait (>= 1).
  std::optional<int> Take(const std::string& key, SteadyTime now);

 private:
  struct Bucket {
    double tokens;
    SteadyTime last;
  };
  void EvictIdle(SteadyTime now);  // REQUIRES: mu_ held

  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
  uint64_t calls_ = 0;                               // GUARDED_BY(mu_)
};

// After `free_failures` wrong passwords in a row for a user (or 4× that from one address), each
// further attempt must wait 2^k seconds (k = failures beyond the allowance), up to 15 minutes.
// A user or address without a failure for kForgetAfter, and not blocked, starts over: its
// record is dropped (so memory follows the failures of the last hour, not every name ever
// tried) and its next failure counts from one.
class LoginThrottle final {
 public:
  static constexpr std::chrono::hours kForgetAfter{1};

  explicit LoginThrottle(int free_failures) : free_(free_failures) {}

  // Seconds to wait before this user or address may try again; nullopt when it may try now.
  std::optional<int> Check(const std::string& user_key, const std::string& address, SteadyTime now);
  void Failed(const std::string& user_key, const std::string& address, SteadyTime now);
  void Succeeded(const std::string& user_key);
  // Users and addresses with a record (for tests).
  size_t records() const;

 private:
  struct Record {
    int failures = 0;
    SteadyTime last_failure;
    SteadyTime blocked_until;
    bool Forgotten(SteadyTime now) const { return blocked_until <= now && now - last_failure >= kForgetAfter; }
  };
  using Records = std::unordered_map<std::string, Record>;
  void Fail(Records& map, const std::string& key, int allowance, SteadyTime now);  // REQUIRES: mu_ held
  void EvictForgotten(SteadyTime now);                                             // REQUIRES: mu_ held

  const int free_;
  mutable std::mutex mu_;
  Records users_;      // GUARDED_BY(mu_)
  Records addresses_;  // GUARDED_BY(mu_)
  uint64_t failures_ = 0;  // GUARDED_BY(mu_): every kEvictEvery-th failure sweeps both maps
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_LIMITS_H_
