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
// most `capacity` nodes. When it is full, a node takes the place of one of a lower level, and a
// node of the lowest level kept is not admitted: as the log grows past what fits (about 2
// million leaves by default), the cache keeps the top of the tree, which every proof reads,
// including the new nodes at the top that recent leaves' proofs need; the lowest kept level
// churns.
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
#include <vector>

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
  // Keeps a node a reader read, if its level is kept and there is room, or a node of a lower
  // level to give up (see above). `hash` must be the 32 bytes of a committed node; anything
  // else is not kept.
  void Add(int level, int64_t index, std::string_view hash);

  // Whether the node's level is one the cache keeps (a lookup below it is not worth a lock).
  bool Keeps(int level) const { return level >= min_level_ && level < kLevels; }
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

  static constexpr int kLevels = 64;  // a tree of at most 2^63 leaves

  const int min_level_;
  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, std::array<char, 32>, KeyHash> nodes_;  // GUARDED_BY(mu_)
  // The indexes kept at each level, so that a full cache finds a node of its lowest level to
  // give up in O(levels).
  std::array<std::vector<int64_t>, kLevels> by_level_;  // GUARDED_BY(mu_)
  mutable std::atomic<uint64_t> hits_{0};
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_LOG_NODE_CACHE_H_
