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
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tousu {

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

  // A trained dictionary, shared by every text packed with it.
  class Dictionary;

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
  std::vector<std::string> samples_;              // GUARDED_BY(mu_)
  size_t sample_bytes_ = 0;                       // GUARDED_BY(mu_)
  bool collecting_ = true;                        // GUARDED_BY(mu_)
  size_t packed_since_training_ = 0;              // GUARDED_BY(mu_)
  std::thread trainer_;                           // GUARDED_BY(mu_)
};

}  // namespace tousu

#endif  // TOUSU_BASE_COMPRESSION_H_
