#include "store/sql/text_packer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace tousu::sql {
namespace {

// Texts alike in the way assessments are: the same keys and sentences, other numbers.
std::string Assessment(int i) {
  return "{\"responsibility\":{\"party\":\"platform\",\"explanation\":\"平台没有这段时间的事故记录，但在 2 小时内有至少 " +
         std::to_string(3 + i % 40) + " 起针对同一商家的同类投诉，推定为平台故障。\"},\"remedy\":{\"refund_fen\":" +
         std::to_string(1000 + i * 37) + ",\"explanation\":\"商品或会员权益没有交付（开通），应全额退款 " +
         std::to_string(10 + i % 90) + ".00 元。\",\"basis\":[\"《电子商务法》第20条\",\"《消费者权益保护法》第24条\"]}," +
         "\"evidence\":{\"missing\":[\"transaction\",\"incident\",\"communication\"]},\"merchant\":\"m" +
         std::to_string(i % 97) + "\"}";
}

// A packer that trains on the caller's thread and hands each dictionary to `trained`.
struct Inline {
  explicit Inline(size_t samples, size_t retrain_after = 200000) : samples(samples) {
    TextPacker::Options o;
    o.samples = samples;
    o.retrain_after = retrain_after;
    o.train_in_background = false;
    packer = std::make_unique<TextPacker>(o, [this](std::string bytes) { trained.push_back(std::move(bytes)); });
  }
  // Trains on `samples` assessments and adopts the dictionary as `id`: the packer packs.
  void TrainAndAdopt(int64_t id) {
    for (int i = 0; i < static_cast<int>(samples); ++i) packer->Pack(Assessment(i));
    ASSERT_EQ(trained.size(), 1u);
    ASSERT_TRUE(packer->Adopt(id, trained[0], true).ok());
  }
  size_t samples;
  std::vector<std::string> trained;
  std::unique_ptr<TextPacker> packer;
};

TextPacker::Loader NoLoader() {
  return [](int64_t) -> StatusOr<std::optional<std::string>> { return std::optional<std::string>(); };
}

TEST(TextPacker, StoresTextUntilADictionaryIsAdoptedThenPacksFarSmaller) {
  Inline p(200);
  for (int i = 0; i < 199; ++i) EXPECT_FALSE(p.packer->Pack(Assessment(i)));
  EXPECT_TRUE(p.trained.empty());
  EXPECT_FALSE(p.packer->Pack(Assessment(199)));  // the 200th sample: trained, not yet stored
  ASSERT_EQ(p.trained.size(), 1u);
  EXPECT_FALSE(p.packer->Pack(Assessment(200)));  // not adopted: still text
  EXPECT_FALSE(p.packer->packing_dictionary());

  ASSERT_TRUE(p.packer->Adopt(7, p.trained[0], /*for_packing=*/true).ok());
  EXPECT_EQ(p.packer->packing_dictionary(), 7);
  for (int i = 1000; i < 1050; ++i) {
    const std::string text = Assessment(i);
    auto packed = p.packer->Pack(text);
    ASSERT_TRUE(packed);
    EXPECT_EQ(packed->dictionary_id, 7);
    EXPECT_LT(packed->bytes.size() * 4, text.size()) << packed->bytes.size() << " of " << text.size();
    auto back = p.packer->Unpack(7, packed->bytes, NoLoader());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, text);
  }
  EXPECT_EQ(p.trained.size(), 1u);  // no second training before retrain_after
}

TEST(TextPacker, AnUnknownDictionaryIsLoadedOnceAndKept) {
  Inline writer(100);
  writer.TrainAndAdopt(3);
  auto packed = writer.packer->Pack(Assessment(500));
  ASSERT_TRUE(packed);

  // Another process's packer, opened before dictionary 3 was stored.
  TextPacker reader{TextPacker::Options()};
  int loads = 0;
  TextPacker::Loader load = [&](int64_t id) -> StatusOr<std::optional<std::string>> {
    ++loads;
    if (id != 3) return std::optional<std::string>();
    return std::optional<std::string>(writer.trained[0]);
  };
  for (int k = 0; k < 3; ++k) {
    auto text = reader.Unpack(3, packed->bytes, load);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, Assessment(500));
  }
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(reader.dictionaries(), 1u);
  EXPECT_FALSE(reader.packing_dictionary());  // known for reading only

  auto missing = reader.Unpack(4, packed->bytes, load);
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  // A loader's failure passes through.
  auto failed = reader.Unpack(5, packed->bytes, [](int64_t) -> StatusOr<std::optional<std::string>> {
    return Status::Unavailable("database is locked");
  });
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
}

TEST(TextPacker, DamagedBytesOrAnotherDictionaryDoNotUnpack) {
  Inline p(100);
  p.TrainAndAdopt(1);
  auto packed = p.packer->Pack(Assessment(300));
  ASSERT_TRUE(packed);
  // Any one bit flipped, the length kept: never another text (another refund amount). The
  // frame's checksum or its structure refuses it, or (a bit the decoder does not use) the same
  // text comes out.
  int refused = 0;
  for (size_t i = 0; i < packed->bytes.size() * 8; ++i) {
    std::string damaged = packed->bytes;
    damaged[i / 8] = static_cast<char>(damaged[i / 8] ^ (1 << (i % 8)));
    auto back = p.packer->Unpack(1, damaged, NoLoader());
    if (back.ok()) {
      EXPECT_EQ(*back, Assessment(300)) << "bit " << i;
    } else {
      EXPECT_EQ(back.status().code(), StatusCode::kCorruption) << "bit " << i;
      ++refused;
    }
  }
  EXPECT_GT(refused * 10, static_cast<int>(packed->bytes.size() * 8 * 9));  // nearly every one
  std::string truncated = packed->bytes;
  truncated.resize(truncated.size() - 1);
  EXPECT_EQ(p.packer->Unpack(1, truncated, NoLoader()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(p.packer->Unpack(1, "", NoLoader()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(p.packer->Unpack(1, "not zstd at all", NoLoader()).status().code(), StatusCode::kCorruption);
  // Another dictionary (zstd takes any bytes as a raw-content one) does not unpack it either:
  // the frame names the dictionary it was packed with.
  ASSERT_TRUE(p.packer->Adopt(2, "not a trained dictionary", /*for_packing=*/false).ok());
  EXPECT_EQ(p.packer->Unpack(2, packed->bytes, NoLoader()).status().code(), StatusCode::kCorruption);
  TextPacker other{TextPacker::Options()};
  auto loaded_other = other.Unpack(9, packed->bytes, [](int64_t) -> StatusOr<std::optional<std::string>> {
    return std::optional<std::string>("not a trained dictionary");
  });
  EXPECT_EQ(loaded_other.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(p.packer->Unpack(1, packed->bytes, NoLoader()).value(), Assessment(300));
}

TEST(TextPacker, TrainsAgainAfterRetrainAfterAndOldValuesStillUnpack) {
  Inline p(100, /*retrain_after=*/50);
  for (int i = 0; i < 100; ++i) p.packer->Pack(Assessment(i));
  ASSERT_TRUE(p.packer->Adopt(1, p.trained.at(0), true).ok());
  auto old = p.packer->Pack(Assessment(1000));
  ASSERT_TRUE(old);
  // 49 more packed with dictionary 1, then 100 samples (still packed with 1), then a training.
  for (int i = 0; i < 149; ++i) {
    auto packed = p.packer->Pack(Assessment(2000 + i));
    ASSERT_TRUE(packed);
    EXPECT_EQ(packed->dictionary_id, 1);
  }
  ASSERT_EQ(p.trained.size(), 2u);
  ASSERT_TRUE(p.packer->Adopt(2, p.trained[1], true).ok());
  auto fresh = p.packer->Pack(Assessment(3000));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->dictionary_id, 2);
  EXPECT_EQ(p.packer->Unpack(1, old->bytes, NoLoader()).value(), Assessment(1000));
  EXPECT_EQ(p.packer->Unpack(2, fresh->bytes, NoLoader()).value(), Assessment(3000));
  // An older dictionary adopted later (read at open after a newer one) does not take over.
  ASSERT_TRUE(p.packer->Adopt(1, p.trained[0], true).ok());
  EXPECT_EQ(p.packer->packing_dictionary(), 2);
}

TEST(TextPacker, ADictionaryNotStoredIsFollowedByFreshSamples) {
  Inline p(100);
  for (int i = 0; i < 100; ++i) p.packer->Pack(Assessment(i));
  ASSERT_EQ(p.trained.size(), 1u);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(p.packer->Pack(Assessment(i)));  // training done, awaiting the store
  EXPECT_EQ(p.trained.size(), 1u);
  p.packer->Dropped();
  for (int i = 0; i < 100; ++i) p.packer->Pack(Assessment(i));
  EXPECT_EQ(p.trained.size(), 2u);
}

TEST(TextPacker, TooFewSamplesToTrainOnAreFollowedByFreshOnes) {
  Inline p(2);  // two short texts are too little for ZDICT
  p.packer->Pack("a");
  p.packer->Pack("b");
  EXPECT_TRUE(p.trained.empty());
  p.packer->Pack("c");
  p.packer->Pack("d");
  EXPECT_TRUE(p.trained.empty());
  EXPECT_FALSE(p.packer->packing_dictionary());
}

TEST(TextPacker, TrainsInTheBackgroundAndStopWaitsForIt) {
  std::vector<std::string> trained;
  TextPacker::Options o;
  o.samples = 300;
  TextPacker packer(o, [&trained](std::string bytes) { trained.push_back(std::move(bytes)); });
  for (int i = 0; i < 300; ++i) packer.Pack(Assessment(i));
  packer.Stop();
  ASSERT_EQ(trained.size(), 1u);
  // Stopped: no more samples are taken, even once the dictionary is dropped.
  packer.Dropped();
  for (int i = 0; i < 600; ++i) packer.Pack(Assessment(i));
  EXPECT_EQ(trained.size(), 1u);
}

}  // namespace
}  // namespace tousu::sql
