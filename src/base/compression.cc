#include "base/compression.h"

#include <zdict.h>
#include <zstd.h>

#include "base/log.h"

namespace tousu {

namespace {

// zstd's working state, one per thread that packs or unpacks (each several hundred KB).
struct Contexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

Contexts& ThisThreadContexts() {
  thread_local Contexts contexts;
  return contexts;
}

}  // namespace

class SampleTrainedCompressor::Dictionary {
 public:
  Dictionary(const std::string& bytes, int level)
      : compress_(ZSTD_createCDict(bytes.data(), bytes.size(), level)),
        decompress_(ZSTD_createDDict(bytes.data(), bytes.size())) {}
  ~Dictionary() {
    ZSTD_freeCDict(compress_);
    ZSTD_freeDDict(decompress_);
  }
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  bool ok() const { return compress_ != nullptr && decompress_ != nullptr; }
  const ZSTD_CDict* compress() const { return compress_; }
  const ZSTD_DDict* decompress() const { return decompress_; }

 private:
  ZSTD_CDict* const compress_;
  ZSTD_DDict* const decompress_;
};

SampleTrainedCompressor::SampleTrainedCompressor(Options options) : options_(options) {}

SampleTrainedCompressor::~SampleTrainedCompressor() {
  std::thread trainer;
  {
    std::lock_guard lock(mu_);
    trainer.swap(trainer_);
  }
  if (trainer.joinable()) trainer.join();
}

std::optional<SampleTrainedCompressor::Packed> SampleTrainedCompressor::Compress(std::string_view text) {
  std::shared_ptr<const Dictionary> dictionary;
  std::vector<std::string> to_train;
  std::thread finished_trainer;
  {
    std::lock_guard lock(mu_);
    dictionary = dictionary_;
    if (collecting_) {
      samples_.emplace_back(text);
      sample_bytes_ += text.size();
      if (samples_.size() >= options_.samples || sample_bytes_ >= options_.max_sample_bytes) {
        collecting_ = false;
        to_train.swap(samples_);
        sample_bytes_ = 0;
      }
    } else if (dictionary != nullptr && ++packed_since_training_ >= options_.retrain_after) {
      collecting_ = true;
      packed_since_training_ = 0;
    }
    if (!to_train.empty() && options_.train_in_background) {
      // The last trainer has published its dictionary (or given up) before samples were
      // collected again, so it is done or about to return: joined outside the lock.
      finished_trainer.swap(trainer_);
      trainer_ = std::thread([this, samples = std::move(to_train)]() mutable { Train(std::move(samples)); });
    }
  }
  if (finished_trainer.joinable()) finished_trainer.join();
  if (!to_train.empty()) {
    Train(std::move(to_train));
    std::lock_guard lock(mu_);
    dictionary = dictionary_;
  }

  Packed out;
  out.dictionary = dictionary;
  out.raw_size = static_cast<uint32_t>(text.size());
  out.bytes.resize(ZSTD_compressBound(text.size()));
  ZSTD_CCtx* cctx = ThisThreadContexts().compress;
  if (cctx == nullptr) return std::nullopt;
  const size_t n = dictionary != nullptr
                       ? ZSTD_compress_usingCDict(cctx, out.bytes.data(), out.bytes.size(), text.data(),
                                                  text.size(), dictionary->compress())
                       : ZSTD_compressCCtx(cctx, out.bytes.data(), out.bytes.size(), text.data(), text.size(), 1);
  if (ZSTD_isError(n)) return std::nullopt;  // out of memory: the buffer is large enough
  out.bytes.resize(n);
  out.bytes.shrink_to_fit();
  return out;
}

bool SampleTrainedCompressor::Decompress(const Dictionary* dictionary, std::string_view bytes, uint32_t raw_size,
                                         std::string* out) {
  out->resize(raw_size);
  ZSTD_DCtx* dctx = ThisThreadContexts().decompress;
  if (dctx == nullptr) return false;
  const size_t n = dictionary != nullptr
                       ? ZSTD_decompress_usingDDict(dctx, out->data(), out->size(), bytes.data(), bytes.size(),
                                                    dictionary->decompress())
                       : ZSTD_decompressDCtx(dctx, out->data(), out->size(), bytes.data(), bytes.size());
  return !ZSTD_isError(n) && n == raw_size;
}

void SampleTrainedCompressor::Train(std::vector<std::string> samples) {
  std::string joined;
  std::vector<size_t> sizes;
  sizes.reserve(samples.size());
  for (const auto& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  samples.clear();
  std::string bytes(options_.dictionary_bytes, '\0');
  const size_t n = ZDICT_trainFromBuffer(bytes.data(), bytes.size(), joined.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  std::shared_ptr<const Dictionary> trained;
  if (!ZDICT_isError(n)) {
    bytes.resize(n);
    auto d = std::make_shared<const Dictionary>(bytes, options_.level);
    if (d->ok()) trained = std::move(d);
  }
  std::lock_guard lock(mu_);
  if (trained == nullptr) {
    // Too few or too small samples (ZDICT needs some bulk): try again on the next ones.
    log::Warn("compression_dictionary_not_trained",
              {{"samples", static_cast<int64_t>(sizes.size())},
               {"detail", ZDICT_isError(n) ? ZDICT_getErrorName(n) : "out of memory"}});
    collecting_ = true;
    return;
  }
  dictionary_ = std::move(trained);
  packed_since_training_ = 0;
  trained_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tousu
