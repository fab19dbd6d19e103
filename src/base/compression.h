// SampleTrainedCompressor: compression of many small texts that look alike (rendered JSON
// answers, each a few KB, mostly the same keys and explanation sentences). Alone, zstd packs
// such a text about 2x; with a dictionary trained on texts of the same kind, 20x or more (a
// 4.7 KB complaint answer in under 200 bytes), because what the texts share is in the
// dictionary instead of in each of them.
//
// The dictionary comes from the data itself: the first `samples` texts compressed are kept as
// samples (and packed without a dictionary meanwhile); once there are enough, a dictionary is
// trained on them (zstd's ZDICT, on a thread of its own unless `train_in_background` is off)
// and used from then on. After `retrain_after` more texts it is trained again on fresh samples,
// so that it follows what the texts become. Every packed text keeps the dictionary it was
// packed with, so older ones still unpack.
//
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_BASE_COMPRESSION_H_
#define TOUSU_BASE_COMPRESSION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tousu {

// A zstd dictionary with its prepared compression (at one level) and decompression states,
// shared by every text packed with it. Packed texts are plain zstd frames that record their
// size, so unpacking needs nothing but the same dictionary.
// Thread-safety: immutable; Compress and Decompress may run on any thread at once.
class ZstdDictionary final {
 public:
  // With `compression` false, the dictionary only unpacks (Compress fails), which spares the
  // compression state. Null when zstd cannot get memory, or refuses bytes that begin
  // like a trained dictionary but are damaged; other bytes make a raw-content dictionary (a value
  // packed with another dictionary then fails to unpack).
  static std::shared_ptr<const ZstdDictionary> Make(std::string bytes, int level, bool compression = true);
  ~ZstdDictionary();
  ZstdDictionary(const ZstdDictionary&) = delete;
  ZstdDictionary& operator=(const ZstdDictionary&) = delete;

  const std::string& bytes() const { return bytes_; }
  // Packs `text` as one zstd frame that records its size and a checksum of the text. False when
  // zstd cannot get memory or the dictionary only unpacks.
  bool Compress(std::string_view text, std::string* out) const;
  // False if `packed` is damaged (its checksum, when it has one, does not match), was packed
  // with another dictionary, or unpacks to more than `max_size` bytes.
  bool Decompress(std::string_view packed, size_t max_size, std::string* out) const;

 private:
  struct States;
  explicit ZstdDictionary(std::string bytes);
  const std::string bytes_;
  std::unique_ptr<States> states_;
};

// A dictionary of at most `max_bytes` trained on `samples` (zstd's ZDICT). Nullopt, with the
// reason in *why, when the samples are too few or too small to train on.
std::optional<std::string> TrainZstdDictionary(const std::vector<std::string>& samples, size_t max_bytes,
                                               std::string* why);

// When to take samples for a dictionary and when to train one: the bookkeeping that every user
// of a trained dictionary shares. The first `samples` texts added (or fewer, once they add up to
// `max_sample_bytes`) are kept and then handed to `train`, on a thread of its own unless
// `background` is off (then on the thread of the Add that completed them). The owner answers
// with Trained (a dictionary packs from now on) or Resume (none came of it: take samples again).
// After `retrain_after` texts packed with a dictionary, samples are taken again.
// Thread-safety: all methods may be called from any thread; `train` must not call Add.
class DictionarySampler final {
 public:
  struct Options {
    size_t samples = 1000;
    size_t max_sample_bytes = 8 << 20;
    size_t retrain_after = 200000;
    bool background = true;
  };
  DictionarySampler(Options options, std::function<void(std::vector<std::string> samples)> train);
  ~DictionarySampler();  // Stop
  DictionarySampler(const DictionarySampler&) = delete;
  DictionarySampler& operator=(const DictionarySampler&) = delete;

  // Notes one text, packed with a dictionary or not.
  void Add(std::string_view text, bool packed_with_dictionary);
  void Trained();  // a new dictionary packs: counting toward the next training starts over
  void Resume();   // no dictionary came of the last samples: samples are taken again
  // Waits for a training under way on the background thread; none starts after this.
  void Stop();

 private:
  const Options options_;
  const std::function<void(std::vector<std::string>)> train_;
  std::mutex mu_;
  std::vector<std::string> samples_;  // GUARDED_BY(mu_)
  size_t sample_bytes_ = 0;           // GUARDED_BY(mu_)
  bool collecting_ = true;            // GUARDED_BY(mu_)
  size_t packed_since_trained_ = 0;   // GUARDED_BY(mu_)
  bool stopped_ = false;              // GUARDED_BY(mu_)
  std::thread trainer_;               // GUARDED_BY(mu_)
};

class SampleTrainedCompressor final {
 public:
  struct Options {
    size_t samples = 1000;              // texts to train a dictionary on
    size_t max_sample_bytes = 8 << 20;  // or fewer, once they add up to this
    size_t dictionary_bytes = 32 << 10;
    int level = 3;                      // zstd level with a dictionary (1 without)
    size_t retrain_after = 200000;      // texts packed with a dictionary before the next one
    bool train_in_background = true;    // false: trained on the thread that adds the last sample
  };

  using Dictionary = ZstdDictionary;

  struct Packed {
    std::shared_ptr<const Dictionary> dictionary;  // null: packed without one
    std::string bytes;
    uint32_t raw_size = 0;
  };

  explicit SampleTrainedCompressor(Options options);
  SampleTrainedCompressor() : SampleTrainedCompressor(Options()) {}
  ~SampleTrainedCompressor();  // waits for a training under way
  SampleTrainedCompressor(const SampleTrainedCompressor&) = delete;
  SampleTrainedCompressor& operator=(const SampleTrainedCompressor&) = delete;

  // Nullopt only when zstd cannot get memory.
  std::optional<Packed> Compress(std::string_view text);
  // False if `p` is damaged or zstd cannot get memory.
  static bool Decompress(const Packed& p, std::string* out) {
    return Decompress(p.dictionary.get(), p.bytes, p.raw_size, out);
  }
  // The same for packed bytes kept elsewhere, with the dictionary they were packed with.
  static bool Decompress(const Dictionary* dictionary, std::string_view bytes, uint32_t raw_size,
                         std::string* out);

  // How many dictionaries have been trained so far (0: texts are packed without one).
  uint64_t dictionaries_trained() const { return trained_.load(std::memory_order_relaxed); }

 private:
  void Train(std::vector<std::string> samples);

  const Options options_;
  std::atomic<uint64_t> trained_{0};
  mutable std::mutex mu_;
  std::shared_ptr<const Dictionary> dictionary_;  // GUARDED_BY(mu_)
  DictionarySampler sampler_;                     // last: its trainer uses the members above
};

}  // namespace tousu

#endif  // TOUSU_BASE_COMPRESSION_H_
