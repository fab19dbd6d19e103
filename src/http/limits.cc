#include "http/limits.h"

#include <algorithm>
#include <cmath>

namespace tousu::http {

namespace {
constexpr size_t kEvictEvery = 4096;
constexpr auto kMaxBlock = std::chrono::minutes(15);

int SecondsUntil(SteadyTime later, SteadyTime now) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(later - now).count();
  return std::max<int>(1, static_cast<int>((d + 999) / 1000));
}
}  // namespace

std::optional<int> RateLimiter::Take(const std::string& key, SteadyTime now) {
  if (rate_ <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  if (++calls_ % kEvictEvery == 0) EvictIdle(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

void RateLimiter::EvictIdle(SteadyTime now) {
  // A bucket that would be full again carries no information.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.last).count();
    if (it->second.tokens + elapsed * rate_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<int> LoginThrottle::Check(const std::string& user_key, const std::string& address, SteadyTime now) {
  std::lock_guard lock(mu_);
  SteadyTime until{};
  if (auto it = users_.find(user_key); it != users_.end()) until = std::max(until, it->second.blocked_until);
  if (auto it = addresses_.find(address); it != addresses_.end()) until = std::max(until, it->second.blocked_until);
  if (until > now) return SecondsUntil(until, now);
  return std::nullopt;
}

void LoginThrottle::Fail(Records& map, const std::string& key, int allowance, SteadyTime now) {
  Record& r = map[key];
  if (r.failures > 0 && r.Forgotten(now)) r = Record{};  // not yet swept: it starts over all the same
  ++r.failures;
  r.last_failure = now;
  const int beyond = r.failures - allowance;
  if (beyond > 0) {
    auto delay = std::chrono::seconds(int64_t{1} << std::min(beyond - 1, 20));
    r.blocked_until = now + std::min<std::chrono::steady_clock::duration>(delay, kMaxBlock);
  }
}

void LoginThrottle::Failed(const std::string& user_key, const std::string& address, SteadyTime now) {
  std::lock_guard lock(mu_);
  if (++failures_ % kEvictEvery == 0) EvictForgotten(now);
  Fail(users_, user_key, free_, now);
  Fail(addresses_, address, free_ * 4, now);
}

void LoginThrottle::EvictForgotten(SteadyTime now) {
  for (Records* map : {&users_, &addresses_}) {
    std::erase_if(*map, [now](const auto& entry) { return entry.second.Forgotten(now); });
  }
}

size_t LoginThrottle::records() const {
  std::lock_guard lock(mu_);
  return users_.size() + addresses_.size();
}

void LoginThrottle::Succeeded(const std::string& user_key) {
  std::lock_guard lock(mu_);
  users_.erase(user_key);
}

}  // namespace tousu::http
