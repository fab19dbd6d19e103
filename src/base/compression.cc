#include "base/compression.h"

// ZDICT_optimizeTrainFromBuffer_fastCover and its parameters are in zstd's "static linking
// only" section; Debian 12's libzstd (1.5.4) exports them, as every release since 1.3.6 has.
#define ZDICT_STATIC_LINKING_ONLY
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

struct ZstdDictionary::States {
  ZSTD_CDict* compress = nullptr;
  ZSTD_DDict* decompress = nullptr;
  ~States() {
    ZSTD_freeCDict(compress);
    ZSTD_freeDDict(decompress);
  }
};

std::shared_ptr<const ZstdDictionary> ZstdDictionary::Make(std::string bytes, int level, bool compression) {
  std::shared_ptr<ZstdDictionary> d(new ZstdDictionary(std::move(bytes)));
  const std::string& b = d->bytes_;
  d->states_->decompress = ZSTD_createDDict(b.data(), b.size());
  if (d->states_->decompress == nullptr) return nullptr;
  if (compression) {
    d->states_->compress = ZSTD_createCDict(b.data(), b.size(), level);
    if (d->states_->compress == nullptr) return nullptr;
  }
  return d;
}

ZstdDictionary::ZstdDictionary(std::string bytes) : bytes_(std::move(bytes)), states_(std::make_unique<States>()) {}

ZstdDictionary::~ZstdDictionary() = default;

bool ZstdDictionary::Compress(std::string_view text, std::string* out) const {
  ZSTD_CCtx* cctx = ThisThreadContexts().compress;
  if (cctx == nullptr || states_->compress == nullptr) return false;
  out->resize(ZSTD_compressBound(text.size()));
  // The frame records the text's size (Decompress needs it; zstd writes it by default) and its
  // checksum, so that a damaged byte is an error and not another text.
  if (ZSTD_isError(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
      ZSTD_isError(ZSTD_CCtx_refCDict(cctx, states_->compress))) {
    return false;
  }
  const size_t n = ZSTD_compress2(cctx, out->data(), out->size(), text.data(), text.size());
  (void)ZSTD_CCtx_refCDict(cctx, nullptr);
  if (ZSTD_isError(n)) return false;  // out of memory: the buffer is large enough
  out->resize(n);
  return true;
}

bool ZstdDictionary::Decompress(std::string_view packed, size_t max_size, std::string* out) const {
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_size) return false;
  ZSTD_DCtx* dctx = ThisThreadContexts().decompress;
  if (dctx == nullptr) return false;
  out->resize(static_cast<size_t>(size));
  const size_t n = ZSTD_decompress_usingDDict(dctx, out->data(), out->size(), packed.data(), packed.size(),
                                              states_->decompress);
  return !ZSTD_isError(n) && n == size;
}

std::optional<std::string> TrainZstdDictionary(const std::vector<std::string>& samples, size_t max_bytes,
                                               std::string* why) {
  std::string joined;
  std::vector<size_t> sizes;
  sizes.reserve(samples.size());
  for (const auto& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  std::string bytes(max_bytes, '\0');
  // ZDICT_trainFromBuffer's own choice (fastCover, d=8, 4 steps) with a table of 2^16 entries,
  // not 2^20: it took ~12 MB of memory on a server meant to live in 100 MiB, whatever the
  // samples' size; with 2^16, ~1.5 MB, and the assessments pack as small (127-133 bytes
  // against 129-138 on 250-1,000 samples of real ones).
  ZDICT_fastCover_params_t params{};
  params.d = 8;
  params.steps = 4;
  params.f = 16;
  const size_t n = ZDICT_optimizeTrainFromBuffer_fastCover(bytes.data(), bytes.size(), joined.data(), sizes.data(),
                                                           static_cast<unsigned>(sizes.size()), &params);
  if (ZDICT_isError(n)) {
    *why = ZDICT_getErrorName(n);
    return std::nullopt;
  }
  bytes.resize(n);
  return bytes;
}

DictionarySampler::DictionarySampler(Options options, std::function<void(std::vector<std::string>)> train)
    : options_(options), train_(std::move(train)) {}

DictionarySampler::~DictionarySampler() { Stop(); }

void DictionarySampler::Stop() {
  std::thread trainer;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    trainer.swap(trainer_);
  }
  if (trainer.joinable()) trainer.join();
}

void DictionarySampler::Add(std::string_view text, bool packed_with_dictionary) {
  std::vector<std::string> to_train;
  std::thread finished_trainer;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (collecting_) {
      samples_.emplace_back(text);
      sample_bytes_ += text.size();
      if (samples_.size() >= options_.samples || sample_bytes_ >= options_.max_sample_bytes) {
        collecting_ = false;
        to_train.swap(samples_);
        sample_bytes_ = 0;
      }
    } else if (packed_with_dictionary && ++packed_since_trained_ >= options_.retrain_after) {
      collecting_ = true;
      packed_since_trained_ = 0;
    }
    if (!to_train.empty() && options_.background) {
      // The last training ended (Trained or Resume) before samples were taken again, so its
      // thread is done or about to return: joined outside the lock.
      finished_trainer.swap(trainer_);
      trainer_ = std::thread([this, samples = std::move(to_train)]() mutable { train_(std::move(samples)); });
    }
  }
  if (finished_trainer.joinable()) finished_trainer.join();
  if (!to_train.empty()) train_(std::move(to_train));
}

void DictionarySampler::Trained() {
  std::lock_guard lock(mu_);
  collecting_ = false;
  packed_since_trained_ = 0;
  samples_.clear();
  sample_bytes_ = 0;
}

void DictionarySampler::Resume() {
  std::lock_guard lock(mu_);
  collecting_ = true;
}

SampleTrainedCompressor::SampleTrainedCompressor(Options options)
    : options_(options),
      sampler_({options.samples, options.max_sample_bytes, options.retrain_after, options.train_in_background},
               [this](std::vector<std::string> samples) { Train(std::move(samples)); }) {}

SampleTrainedCompressor::~SampleTrainedCompressor() { sampler_.Stop(); }

std::optional<SampleTrainedCompressor::Packed> SampleTrainedCompressor::Compress(std::string_view text) {
  std::shared_ptr<const Dictionary> dictionary;
  {
    std::lock_guard lock(mu_);
    dictionary = dictionary_;
  }
  sampler_.Add(text, dictionary != nullptr);
  if (!options_.train_in_background) {
    // The text that completed the samples is packed with the dictionary trained on them.
    std::lock_guard lock(mu_);
    dictionary = dictionary_;
  }

  Packed out;
  out.dictionary = dictionary;
  out.raw_size = static_cast<uint32_t>(text.size());
  if (dictionary != nullptr) {
    if (!dictionary->Compress(text, &out.bytes)) return std::nullopt;
  } else {
    out.bytes.resize(ZSTD_compressBound(text.size()));
    ZSTD_CCtx* cctx = ThisThreadContexts().compress;
    if (cctx == nullptr) return std::nullopt;
    const size_t n = ZSTD_compressCCtx(cctx, out.bytes.data(), out.bytes.size(), text.data(), text.size(), 1);
    if (ZSTD_isError(n)) return std::nullopt;  // out of memory: the buffer is large enough
    out.bytes.resize(n);
  }
  out.bytes.shrink_to_fit();
  return out;
}

bool SampleTrainedCompressor::Decompress(const Dictionary* dictionary, std::string_view bytes, uint32_t raw_size,
                                         std::string* out) {
  if (dictionary != nullptr) return dictionary->Decompress(bytes, raw_size, out) && out->size() == raw_size;
  out->resize(raw_size);
  ZSTD_DCtx* dctx = ThisThreadContexts().decompress;
  if (dctx == nullptr) return false;
  const size_t n = ZSTD_decompressDCtx(dctx, out->data(), out->size(), bytes.data(), bytes.size());
  return !ZSTD_isError(n) && n == raw_size;
}

void SampleTrainedCompressor::Train(std::vector<std::string> samples) {
  std::string why = "out of memory";
  std::optional<std::string> bytes = TrainZstdDictionary(samples, options_.dictionary_bytes, &why);
  const size_t count = samples.size();
  samples.clear();
  std::shared_ptr<const Dictionary> trained = bytes ? ZstdDictionary::Make(std::move(*bytes), options_.level) : nullptr;
  if (trained == nullptr) {
    // Too few or too small samples (ZDICT needs some bulk): try again on the next ones.
    log::Warn("compression_dictionary_not_trained",
              {{"samples", static_cast<int64_t>(count)}, {"detail", why}});
    sampler_.Resume();
    return;
  }
  {
    std::lock_guard lock(mu_);
    dictionary_ = std::move(trained);
  }
  sampler_.Trained();
  trained_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tousu
