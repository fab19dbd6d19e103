#include "http/complaint_cache.h"

#include <cstring>
#include <functional>
#include <new>

#include "domain/access.h"

namespace tousu::http {

namespace {
// What the map's node and bucket cost an entry beyond its own allocation (an estimate: the
// budget is what entries are counted as, not an allocator's exact figure).
constexpr size_t kMapOverhead = 64;

constexpr size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }
}  // namespace

// Layout of one allocation: Head, the key, consumer, merchant and assignee (padded to 8), then
// for each answer an AnswerHead followed by its packed bytes (padded to 8).
class ComplaintCache::Entry {
 public:
  struct Answer {
    Viewer viewer;
    Instant from;
    Instant until;
    const SampleTrainedCompressor::Packed* packed;  // to copy in
  };

  // Builds an entry holding `answers` (their packed bytes copied in).
  static Entry* Make(std::string_view key, std::string_view consumer, std::string_view merchant,
                     std::string_view assignee, const std::vector<Answer>& answers) {
    size_t size = Align8(sizeof(Entry) + key.size() + consumer.size() + merchant.size() + assignee.size());
    for (const Answer& a : answers) size += sizeof(AnswerHead) + Align8(a.packed->bytes.size());
    void* raw = ::operator new(size);
    Entry* e = new (raw) Entry();
    e->size_ = static_cast<uint32_t>(size);
    e->key_len_ = static_cast<uint16_t>(key.size());
    e->consumer_len_ = static_cast<uint16_t>(consumer.size());
    e->merchant_len_ = static_cast<uint16_t>(merchant.size());
    e->assignee_len_ = static_cast<uint16_t>(assignee.size());
    e->answers_ = static_cast<uint16_t>(answers.size());
    char* p = e->text();
    for (std::string_view part : {key, consumer, merchant, assignee}) {
      std::memcpy(p, part.data(), part.size());
      p += part.size();
    }
    char* at = e->first_answer();
    for (const Answer& a : answers) {
      auto* head = new (at) AnswerHead{a.packed->dictionary, a.from.unix_seconds(), a.until.unix_seconds(),
                                       a.packed->raw_size, static_cast<uint32_t>(a.packed->bytes.size()),
                                       a.viewer.role, a.viewer.is_assignee};
      std::memcpy(at + sizeof(AnswerHead), a.packed->bytes.data(), a.packed->bytes.size());
      e->raw_bytes_ += head->raw_size;
      at += sizeof(AnswerHead) + Align8(head->packed_size);
    }
    return e;
  }

  static void Free(Entry* e) {
    char* at = e->first_answer();
    for (int i = 0; i < e->answers_; ++i) {
      auto* head = reinterpret_cast<AnswerHead*>(at);
      at += sizeof(AnswerHead) + Align8(head->packed_size);
      head->~AnswerHead();
    }
    e->~Entry();
    ::operator delete(static_cast<void*>(e));
  }

  std::string_view key() const { return {text(), key_len_}; }
  std::string_view consumer() const { return {text() + key_len_, consumer_len_}; }
  std::string_view merchant() const { return {text() + key_len_ + consumer_len_, merchant_len_}; }
  std::string_view assignee() const {
    return {text() + key_len_ + consumer_len_ + merchant_len_, assignee_len_};
  }
  size_t size() const { return size_; }
  size_t raw_bytes() const { return raw_bytes_; }

  // Calls fn(viewer, from, until, dictionary, packed bytes, raw size) for each answer until it
  // returns true.
  template <class Fn>
  bool ForEachAnswer(Fn&& fn) const {
    const char* at = const_cast<Entry*>(this)->first_answer();
    for (int i = 0; i < answers_; ++i) {
      const auto* head = reinterpret_cast<const AnswerHead*>(at);
      const Viewer viewer{head->role, head->is_assignee};
      if (fn(viewer, Instant::FromUnixSeconds(head->from), Instant::FromUnixSeconds(head->until),
             head->dictionary, std::string_view(at + sizeof(AnswerHead), head->packed_size), head->raw_size)) {
        return true;
      }
      at += sizeof(AnswerHead) + Align8(head->packed_size);
    }
    return false;
  }

  Entry* newer = nullptr;  // the shard's list, under its lock
  Entry* older = nullptr;

 private:
  struct AnswerHead {
    std::shared_ptr<const SampleTrainedCompressor::Dictionary> dictionary;
    int64_t from;
    int64_t until;
    uint32_t raw_size;
    uint32_t packed_size;
    Role role;
    bool is_assignee;
  };
  static_assert(sizeof(AnswerHead) % 8 == 0);

  Entry() = default;
  ~Entry() = default;
  char* text() { return reinterpret_cast<char*>(this) + sizeof(Entry); }
  const char* text() const { return reinterpret_cast<const char*>(this) + sizeof(Entry); }
  char* first_answer() {
    return reinterpret_cast<char*>(this) +
           Align8(sizeof(Entry) + key_len_ + consumer_len_ + merchant_len_ + assignee_len_);
  }

  uint32_t size_ = 0;
  uint32_t raw_bytes_ = 0;
  uint16_t key_len_ = 0, consumer_len_ = 0, merchant_len_ = 0, assignee_len_ = 0;
  uint16_t answers_ = 0;
};

void ComplaintCache::EntryDeleter::operator()(Entry* e) const { Entry::Free(e); }

ComplaintCache::ComplaintCache(Options options) : options_(options), compressor_(options.compression) {}

std::string ComplaintCache::KeyOf(std::string_view platform, std::string_view id) {
  std::string key;
  key.reserve(platform.size() + 1 + id.size());
  key.append(platform);
  key.push_back('\0');  // neither part may hold a NUL, so the key names one complaint
  key.append(id);
  return key;
}

size_t ComplaintCache::StripeOf(std::string_view key) { return std::hash<std::string_view>{}(key) % kStripes; }

void ComplaintCache::Unlink(Shard& s, Entry* e) {
  (e->newer != nullptr ? e->newer->older : s.newest) = e->older;
  (e->older != nullptr ? e->older->newer : s.oldest) = e->newer;
  e->newer = e->older = nullptr;
}

void ComplaintCache::LinkNewest(Shard& s, Entry* e) {
  e->newer = nullptr;
  e->older = s.newest;
  (s.newest != nullptr ? s.newest->newer : s.oldest) = e;
  s.newest = e;
}

ComplaintCache::Ticket ComplaintCache::TicketFor(std::string_view platform, std::string_view id) const {
  return stripes_[StripeOf(KeyOf(platform, id))].load();
}

std::optional<std::string> ComplaintCache::Find(std::string_view platform, std::string_view id,
                                                const Principal& who, Instant now) {
  if (!enabled()) return std::nullopt;
  const std::string key = KeyOf(platform, id);
  Shard& s = shards_[StripeOf(key) % kShards];
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it != s.entries.end()) {
    Entry* e = it->second.get();
    if (CanSeeParties(who, platform, e->consumer(), e->merchant())) {
      const Viewer viewer = Viewer::Of(e->assignee(), who);
      std::string body;
      const bool found = e->ForEachAnswer([&](Viewer v, Instant from, Instant until, const auto& dictionary,
                                              std::string_view packed, uint32_t raw_size) {
        return v == viewer && from <= now && now < until &&
               SampleTrainedCompressor::Decompress(dictionary.get(), packed, raw_size, &body);
      });
      if (found) {
        Unlink(s, e);
        LinkNewest(s, e);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return body;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<ComplaintCache::Fill> ComplaintCache::Prepare(Ticket ticket, const Complaint& c, Viewer viewer,
                                                            Instant rendered_at, std::string_view body) {
  if (!enabled()) return std::nullopt;
  auto packed = compressor_.Compress(body);
  // Before the first dictionary an answer would take ten times the room: not cached (the
  // compressor keeps it as a sample for that dictionary).
  if (!packed || packed->dictionary == nullptr ||
      packed->bytes.size() + sizeof(Entry) + kMapOverhead > options_.max_bytes / kShards / 4) {
    return std::nullopt;
  }
  Fill f;
  f.ticket = ticket;
  f.key = KeyOf(c.platform_id, c.id);
  f.consumer_ref = c.consumer_ref;
  f.merchant_ref = c.merchant_ref;
  f.assignee = c.assignee;
  f.viewer = viewer;
  f.from = rendered_at;
  f.until = ActionsStableUntil(c, rendered_at);
  f.packed = std::move(*packed);
  return f;
}

void ComplaintCache::Put(Fill fill) {
  const size_t shard_budget = options_.max_bytes / kShards;
  const size_t stripe = StripeOf(fill.key);
  Shard& s = shards_[stripe % kShards];
  std::lock_guard lock(s.mu);
  if (stripes_[stripe].load() != fill.ticket) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::vector<Entry::Answer> answers{{fill.viewer, fill.from, fill.until, &fill.packed}};
  // Other viewers' answers stay: they are of the same version (a change would have invalidated
  // them). Copies of their packed bytes, since the old entry is freed below.
  std::vector<SampleTrainedCompressor::Packed> kept;
  auto it = s.entries.find(fill.key);
  if (it != s.entries.end()) {
    const Entry* old = it->second.get();
    if (old->consumer() == fill.consumer_ref && old->merchant() == fill.merchant_ref &&
        old->assignee() == fill.assignee) {
      kept.reserve(4);
      old->ForEachAnswer([&](Viewer v, Instant from, Instant until, const auto& dictionary, std::string_view packed,
                             uint32_t raw_size) {
        if (v != fill.viewer && kept.size() < 4) {
          kept.push_back({dictionary, std::string(packed), raw_size});
          answers.push_back({v, from, until, &kept.back()});
        }
        return false;
      });
    }
    Erase(s, it);
  }
  Entry* e = Entry::Make(fill.key, fill.consumer_ref, fill.merchant_ref, fill.assignee, answers);
  s.entries.emplace(e->key(), std::unique_ptr<Entry, EntryDeleter>(e));
  LinkNewest(s, e);
  s.bytes += e->size() + kMapOverhead;
  s.raw_bytes += e->raw_bytes();
  fills_.fetch_add(1, std::memory_order_relaxed);
  while (s.bytes > shard_budget && s.oldest != nullptr) {
    Erase(s, s.entries.find(s.oldest->key()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

void ComplaintCache::Erase(Shard& s,
                           std::unordered_map<std::string_view, std::unique_ptr<Entry, EntryDeleter>>::iterator it) {
  Entry* e = it->second.get();
  s.bytes -= e->size() + kMapOverhead;
  s.raw_bytes -= e->raw_bytes();
  Unlink(s, e);
  s.entries.erase(it);
}

void ComplaintCache::Invalidate(const std::vector<ComplaintKey>& keys) {
  for (const ComplaintKey& k : keys) {
    const std::string key = KeyOf(k.platform_id, k.id);
    const size_t stripe = StripeOf(key);
    Shard& s = shards_[stripe % kShards];
    std::lock_guard lock(s.mu);
    stripes_[stripe].fetch_add(1);
    if (auto it = s.entries.find(key); it != s.entries.end()) Erase(s, it);
    invalidations_.fetch_add(1, std::memory_order_relaxed);
  }
}

ComplaintCache::Stats ComplaintCache::stats() const {
  Stats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  out.fills = fills_.load(std::memory_order_relaxed);
  out.refused_fills = refused_.load(std::memory_order_relaxed);
  out.evictions = evictions_.load(std::memory_order_relaxed);
  out.invalidations = invalidations_.load(std::memory_order_relaxed);
  out.dictionaries = compressor_.dictionaries_trained();
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    out.entries += s.entries.size();
    out.bytes += s.bytes;
    out.raw_bytes += s.raw_bytes;
  }
  return out;
}

}  // namespace tousu::http
