// ComplaintCache: rendered answers of GET /v1/complaints/{id}, kept compressed within a memory
// budget, so that reading a complaint that was read before needs neither SQLite nor rendering.
//
// What an entry holds. A complaint's answer depends on the complaint's row, on the caller only
// through its Viewer (role; for an agent, whether the complaint is theirs) and on the time only
// at the complaint's deadlines (views.h). So an entry is one complaint's answer for one Viewer,
// with the span of time it holds for ([rendered at, ActionsStableUntil)), and the parties that
// CanSee checks for every caller who would be given it.
//
// Why it never answers stale data. The store calls Invalidate for every complaint a commit
// updated, after the commit and before any answer that depends on it may leave
// (Store::OnComplaintsUpdated). A reader that fills the cache takes a Ticket before it starts
// its read transaction, and offers its answer only once what it read is durable; Put refuses
// the answer if the complaint's stripe was invalidated since the ticket, because the reader's
// snapshot may then predate the commit. (Stripes, 4,096 counters chosen by a hash of the key,
// stand in for one counter per complaint; two complaints sharing one cost a refused fill, never
// a stale answer.) The store's writer is assumed to be the only one writing complaints, as it
// is: no other process writes a served data directory.
//
// Memory: answers are packed by a SampleTrainedCompressor (base/compression.h), a 4.7 KB
// answer in about 200 bytes with a dictionary trained on the first answers read (until that
// dictionary exists, a second or so after the start of reads, nothing is cached: packed without
// one, answers would take ten times the room), and the least recently used entries are dropped
// past `max_bytes`.
//
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_HTTP_COMPLAINT_CACHE_H_
#define TOUSU_HTTP_COMPLAINT_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/compression.h"
#include "base/time.h"
#include "domain/lifecycle.h"
#include "domain/model.h"
#include "domain/principal.h"
#include "store/store.h"

namespace tousu::http {

class ComplaintCache final {
 public:
  struct Options {
    size_t max_bytes = 32 << 20;  // 0: nothing is cached
    SampleTrainedCompressor::Options compression;
  };
  using Ticket = uint64_t;

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t fills = 0;
    uint64_t refused_fills = 0;  // the complaint changed (or its stripe did) during the read
    uint64_t evictions = 0;
    uint64_t invalidations = 0;
    size_t entries = 0;  // complaints with at least one answer
    size_t bytes = 0;    // what the entries are counted as (packed answers and bookkeeping)
    size_t raw_bytes = 0;  // the answers unpacked
    uint64_t dictionaries = 0;
  };

  explicit ComplaintCache(Options options);
  ComplaintCache() : ComplaintCache(Options()) {}

  bool enabled() const { return options_.max_bytes > 0; }

  // Before the read transaction whose answer may be offered to Put.
  Ticket TicketFor(std::string_view platform, std::string_view id) const;

  // The answer for `who` at `now`, if one is cached and `who` may see the complaint; nullopt
  // otherwise (then read the store, which answers 404 where `who` may not see it).
  std::optional<std::string> Find(std::string_view platform, std::string_view id, const Principal& who,
                                  Instant now);

  // An answer packed for Put: packing is the costly part, done by the reader on its own thread.
  class Fill;
  // Packs `body`, ComplaintBody(c, viewer, rendered_at), read after `ticket` was taken; nullopt
  // when there is nothing to cache (the cache is off, or the answer is too large for it).
  std::optional<Fill> Prepare(Ticket ticket, const Complaint& c, Viewer viewer, Instant rendered_at,
                              std::string_view body);
  // Caches a prepared answer, unless the complaint changed since its ticket. Call only once what
  // the read saw is durable (Store::AfterDurable).
  void Put(Fill fill);

  // The store's commits updated these complaints (Store::OnComplaintsUpdated).
  void Invalidate(const std::vector<ComplaintKey>& keys);

  Stats stats() const;

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kStripes = 4096;  // a multiple of kShards: a stripe lies in one shard

  // One complaint's answers, its key and parties in a single allocation (complaint_cache.cc):
  // about 400 bytes a complaint with the map's share, where separate strings and vectors took
  // twice that.
  class Entry;
  struct EntryDeleter {
    void operator()(Entry* e) const;
  };
  struct Shard {
    mutable std::mutex mu;
    // GUARDED_BY(mu). The keys are views of the keys their entries hold.
    std::unordered_map<std::string_view, std::unique_ptr<Entry, EntryDeleter>> entries;
    Entry* newest = nullptr;  // GUARDED_BY(mu): the entries as a list, most recently used first
    Entry* oldest = nullptr;  // GUARDED_BY(mu)
    size_t bytes = 0;         // GUARDED_BY(mu)
    size_t raw_bytes = 0;     // GUARDED_BY(mu)
  };

 public:
  class Fill {
   private:
    friend class ComplaintCache;
    Ticket ticket = 0;
    std::string key;
    std::string consumer_ref;
    std::string merchant_ref;
    std::string assignee;
    Viewer viewer;
    Instant from;   // rendered at
    Instant until;  // ActionsStableUntil: the answer holds over [from, until)
    SampleTrainedCompressor::Packed packed;
  };

 private:
  static std::string KeyOf(std::string_view platform, std::string_view id);
  static size_t StripeOf(std::string_view key);
  // REQUIRES: s.mu held.
  static void Unlink(Shard& s, Entry* e);
  static void LinkNewest(Shard& s, Entry* e);
  void Erase(Shard& s, std::unordered_map<std::string_view, std::unique_ptr<Entry, EntryDeleter>>::iterator it);

  const Options options_;
  SampleTrainedCompressor compressor_;
  std::array<Shard, kShards> shards_;
  // Invalidations per stripe; read by TicketFor without a lock, changed under the shard's lock.
  std::array<std::atomic<uint64_t>, kStripes> stripes_{};
  std::atomic<uint64_t> hits_{0}, misses_{0}, fills_{0}, refused_{0}, evictions_{0}, invalidations_{0};
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_COMPLAINT_CACHE_H_
