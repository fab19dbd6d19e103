// LogNodeCache: the upper levels of the transparency log's tree, kept in memory for the store's
// readers, shared by all of them.
//
// A proof at 10^6 leaves needs one node per level, about 20, and the store keys nodes by the
// last leaf they cover (schema version 11, so that appends write one region). A node high in
// the tree therefore sits on a page among low-level nodes far from any other proof's: a proof
// read about 16 pages that no cache held, most of its time in the kernel copying them. The
// nodes from level `min_level` up are few (n / 2^min_level), every proof asks for the same
// ones near the top, and a stored node never changes (it is the hash of a complete subtree),
// so they are kept here once read and never invalidated.
//
// Only what a reader read is kept: it was committed. The writer's transaction may read nodes it
// wrote itself and then roll back, so it never adds to the cache (SqlTx). The cache holds at
// most `capacity` nodes and then admits no more: the top levels, which every proof reads, are
// in it after the first few proofs.
//
// Thread-safety: safe for concurrent use.
#ifndef TOUSU_STORE_SQL_LOG_NODE_CACHE_H_
#define TOUSU_STORE_SQL_LOG_NODE_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tousu::sql {

class LogNodeCache {
 public:
  // At 10^6 leaves, levels 8 and up are 3,906 nodes (about 300 KB here).
  static constexpr int kDefaultMinLevel = 8;
  static constexpr size_t kDefaultCapacity = 8192;

  explicit LogNodeCache(int min_level = kDefaultMinLevel, size_t capacity = kDefaultCapacity)
      : min_level_(min_level), capacity_(capacity) {}

  LogNodeCache(const LogNodeCache&) = delete;
  LogNodeCache& operator=(const LogNodeCache&) = delete;

  // The hash of node (level, index), if kept.
  std::optional<std::string> Find(int level, int64_t index) const;
  // Keeps a node a reader read, if its level is kept and there is room. `hash` must be the
  // 32 bytes of a committed node; anything else is not kept.
  void Add(int level, int64_t index, std::string_view hash);

  // Whether the node's level is one the cache keeps (a lookup below it is not worth a lock).
  bool Keeps(int level) const { return level >= min_level_; }
  size_t size() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  struct Key {
    int level;
    int64_t index;
    bool operator==(const Key& o) const { return level == o.level && index == o.index; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<int64_t>()(k.index * 64 + k.level);
    }
  };

  const int min_level_;
  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, std::array<char, 32>, KeyHash> nodes_;
  mutable std::atomic<uint64_t> hits_{0};
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_LOG_NODE_CACHE_H_
