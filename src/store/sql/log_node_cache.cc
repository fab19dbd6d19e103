#include "store/sql/log_node_cache.h"

#include <algorithm>
#include <mutex>

namespace tousu::sql {

std::optional<std::string> LogNodeCache::Find(int level, int64_t index) const {
  if (!Keeps(level)) return std::nullopt;
  std::shared_lock lock(mu_);
  auto it = nodes_.find(Key{level, index});
  if (it == nodes_.end()) return std::nullopt;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return std::string(it->second.data(), it->second.size());
}

void LogNodeCache::Add(int level, int64_t index, std::string_view hash) {
  if (!Keeps(level) || index < 0 || hash.size() != 32) return;
  std::array<char, 32> h;
  std::copy(hash.begin(), hash.end(), h.begin());
  std::unique_lock lock(mu_);
  if (nodes_.contains(Key{level, index})) return;
  if (nodes_.size() >= capacity_) {
    // Give up the newest node of the lowest level below this one, if there is one.
    int lowest = min_level_;
    while (lowest < level && by_level_[lowest].empty()) ++lowest;
    if (lowest >= level) return;
    nodes_.erase(Key{lowest, by_level_[lowest].back()});
    by_level_[lowest].pop_back();
  }
  nodes_.emplace(Key{level, index}, h);
  by_level_[level].push_back(index);
}

size_t LogNodeCache::size() const {
  std::shared_lock lock(mu_);
  return nodes_.size();
}

}  // namespace tousu::sql
