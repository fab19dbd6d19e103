// TextPacker: how the store keeps a long text column that repeats itself from row to row
// small on disk: each value is packed as a zstd frame with a dictionary trained on earlier
// values of the same column, and the dictionary is a row of its own (text_dictionaries).
//
// It exists for the complaint's assessment: 3.7 KB of JSON (2,500 characters, much of it the
// rules' Chinese explanations and legal basis), the same sentences in every complaint with
// other numbers. Kept as text, a complaint row (~4.1 KB) did not fit a 4 KB page: each filing
// wrote an overflow page besides its share of a leaf, and the complaints table was more than
// half of the store. Packed with a dictionary it is 80-140 bytes on the benchmark's complaints
// (whose texts are more alike than real ones), at ~2 µs to pack and ~1 µs to unpack; without a
// dictionary zstd gets only 2x on a text this short.
//
// The life of a dictionary:
//   1. Until there is one, values are stored as text, and the first `samples` of them (or
//      `max_sample_bytes`) are kept as samples (250 by default).
//   2. Then a dictionary is trained on them, on a thread of the packer's own (~0.1-0.3 s), and
//      handed to `on_trained`. The store writes it to text_dictionaries in a transaction of
//      its own and, once that commit is durable, calls Adopt with the id it got.
//   3. From then on Pack uses it. Because the dictionary's commit precedes every commit of a
//      value packed with it, no crash can leave a row whose dictionary is missing.
//   4. After `retrain_after` values packed with it by this process (counted from the start),
//      samples are taken again and a fresh dictionary follows, so that packing keeps up with
//      what the texts become. Every dictionary stays: old values unpack with the one they name.
// A trained dictionary that could not be stored is dropped and samples are taken again.
//
// Readers unpack with the dictionaries the packer knows: the newest, adopted at open, and each
// new one, adopted before any value packed with it commits. One it does not know (an older one,
// or one another process stored after this one opened the database) is loaded through the
// caller's function and kept, for unpacking only.
//
// A dictionary is trained on values of every platform: it holds fragments of texts that the
// rules engine wrote (sentences, merchant refs, amounts), never shown to anyone, and used only
// inside the store to pack and unpack. It is store-wide, as SQLite's own statistics are.
//
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_STORE_SQL_TEXT_PACKER_H_
#define TOUSU_STORE_SQL_TEXT_PACKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/compression.h"
#include "base/status.h"

namespace tousu::sql {

class TextPacker final {
 public:
  struct Options {
    // Values to train a dictionary on, or fewer once they add up to max_sample_bytes: 250
    // assessments (0.9 MB) make as good a dictionary as 1,000 (130 against 138 bytes a value).
    size_t samples = 250;
    size_t max_sample_bytes = 1 << 20;
    size_t dictionary_bytes = 32 << 10;
    int level = 1;                      // zstd level: with a dictionary, 3 packs only ~5 % smaller at 3x the time
    size_t retrain_after = 200000;      // values packed with a dictionary before samples are taken again
    bool train_in_background = true;    // false: trained on the thread that adds the last sample (tests)
    size_t max_text_bytes = 16 << 20;   // larger unpacked sizes are taken for damage
  };

  struct Packed {
    int64_t dictionary_id = 0;
    std::string bytes;
  };

  // `on_trained` receives each newly trained dictionary's bytes, to store. It runs on the
  // trainer thread (the caller's, without background training) and must not call back into
  // the packer except through Adopt or Dropped.
  explicit TextPacker(Options options, std::function<void(std::string bytes)> on_trained = nullptr);
  ~TextPacker();  // waits for a training under way
  TextPacker(const TextPacker&) = delete;
  TextPacker& operator=(const TextPacker&) = delete;

  // `text` packed with the newest adopted dictionary, or nullopt: no dictionary yet (the text
  // is then kept as a sample and stored as it is). Counts toward the next training.
  std::optional<Packed> Pack(std::string_view text);

  // The text of a value packed with dictionary `id`. A dictionary the packer does not know is
  // asked of `load` (its bytes, or nullopt when the database has no such dictionary). Damaged
  // bytes, or a missing dictionary, are Corruption.
  using Loader = std::function<StatusOr<std::optional<std::string>>(int64_t id)>;
  StatusOr<std::string> Unpack(int64_t id, std::string_view bytes, const Loader& load);

  // A dictionary that is in the database as `id`: known from now on for unpacking, and used
  // for packing when `for_packing` (the newest one, once its commit is durable).
  Status Adopt(int64_t id, std::string bytes, bool for_packing);
  // The trained dictionary handed to `on_trained` was not stored: samples are taken again.
  void Dropped();

  // Waits for a training under way; no training starts after this (the store calls it before
  // it stops its writer, which `on_trained` hands the dictionary to).
  void Stop();

  size_t dictionaries() const;
  std::optional<int64_t> packing_dictionary() const;

 private:
  void Train(std::vector<std::string> samples);

  const Options options_;
  const std::function<void(std::string)> on_trained_;
  mutable std::mutex mu_;
  std::map<int64_t, std::shared_ptr<const ZstdDictionary>> known_;  // GUARDED_BY(mu_)
  std::optional<int64_t> packing_id_;                               // GUARDED_BY(mu_)
  std::shared_ptr<const ZstdDictionary> packing_;                   // GUARDED_BY(mu_)
  DictionarySampler sampler_;  // last: its trainer uses the members above
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_TEXT_PACKER_H_
