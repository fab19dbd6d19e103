#include "store/sql/text_packer.h"

#include "base/log.h"

namespace tousu::sql {

TextPacker::TextPacker(Options options, std::function<void(std::string)> on_trained)
    : options_(options),
      on_trained_(std::move(on_trained)),
      sampler_({options.samples, options.max_sample_bytes, options.retrain_after, options.train_in_background},
               [this](std::vector<std::string> samples) { Train(std::move(samples)); }) {}

TextPacker::~TextPacker() { Stop(); }

void TextPacker::Stop() { sampler_.Stop(); }

std::optional<TextPacker::Packed> TextPacker::Pack(std::string_view text) {
  std::shared_ptr<const ZstdDictionary> dictionary;
  Packed out;
  {
    std::lock_guard lock(mu_);
    dictionary = packing_;
    out.dictionary_id = packing_id_.value_or(0);
  }
  sampler_.Add(text, dictionary != nullptr);
  if (dictionary == nullptr) return std::nullopt;
  if (!dictionary->Compress(text, &out.bytes)) return std::nullopt;  // out of memory: kept as text
  return out;
}

StatusOr<std::string> TextPacker::Unpack(int64_t id, std::string_view bytes, const Loader& load) {
  std::shared_ptr<const ZstdDictionary> dictionary;
  {
    std::lock_guard lock(mu_);
    auto it = known_.find(id);
    if (it != known_.end()) dictionary = it->second;
  }
  if (dictionary == nullptr) {
    TOUSU_ASSIGN_OR_RETURN(std::optional<std::string> stored, load(id));
    if (!stored) return Status::Corruption("text dictionary " + std::to_string(id) + " is missing");
    dictionary = ZstdDictionary::Make(std::move(*stored), options_.level, /*compression=*/false);
    if (dictionary == nullptr) {
      return Status::Corruption("text dictionary " + std::to_string(id) + " is not a zstd dictionary");
    }
    std::lock_guard lock(mu_);
    known_.emplace(id, dictionary);
  }
  std::string text;
  if (!dictionary->Decompress(bytes, options_.max_text_bytes, &text)) {
    return Status::Corruption("a value packed with text dictionary " + std::to_string(id) + " does not unpack");
  }
  return text;
}

Status TextPacker::Adopt(int64_t id, std::string bytes, bool for_packing) {
  auto dictionary = ZstdDictionary::Make(std::move(bytes), options_.level, for_packing);
  if (dictionary == nullptr) {
    return Status::Corruption("text dictionary " + std::to_string(id) + " is not a zstd dictionary");
  }
  {
    std::lock_guard lock(mu_);
    known_[id] = dictionary;
    if (!for_packing || (packing_id_ && id <= *packing_id_)) return Status::Ok();
    packing_id_ = id;
    packing_ = std::move(dictionary);
  }
  sampler_.Trained();
  return Status::Ok();
}

void TextPacker::Dropped() { sampler_.Resume(); }

void TextPacker::Train(std::vector<std::string> samples) {
  std::string why = "out of memory";
  std::optional<std::string> bytes = TrainZstdDictionary(samples, options_.dictionary_bytes, &why);
  if (!bytes) {
    // Too few or too small samples (ZDICT needs some bulk): samples are taken again.
    log::Warn("text_dictionary_not_trained", {{"samples", static_cast<int64_t>(samples.size())}, {"detail", why}});
    Dropped();
    return;
  }
  log::Info("text_dictionary_trained",
            {{"samples", static_cast<int64_t>(samples.size())}, {"bytes", static_cast<int64_t>(bytes->size())}});
  if (on_trained_) {
    on_trained_(std::move(*bytes));
  } else {
    Dropped();  // nowhere to store it
  }
}

size_t TextPacker::dictionaries() const {
  std::lock_guard lock(mu_);
  return known_.size();
}

std::optional<int64_t> TextPacker::packing_dictionary() const {
  std::lock_guard lock(mu_);
  return packing_id_;
}

}  // namespace tousu::sql
