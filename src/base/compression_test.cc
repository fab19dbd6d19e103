#include "base/compression.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace tousu {
namespace {

// Texts alike in the way complaint answers are: the same keys and sentences, other numbers.
std::string Answer(int i) {
  return "{\"id\":\"cmp_" + std::to_string(100000 + i * 7919) +
         "\",\"status\":\"awaiting_merchant\",\"assessment\":{\"remedy\":{\"refund_fen\":" + std::to_string(500 + i) +
         ",\"explanation\":\"商品或会员权益没有交付（开通），应全额退款 " + std::to_string(5 + i % 90) +
         ".00 元。合计：退款与商家保留之和等于价款。\"},\"evidence\":{\"missing\":[\"transaction\",\"incident\","
         "\"communication\"],\"explanation\":\"需要完整的证据链（交易、交付、问题发生、协商等）。\"},"
         "\"routing\":{\"tier\":\"normal\",\"advice\":[\"small_claims\"]}}}";
}

SampleTrainedCompressor::Options Inline(size_t samples) {
  SampleTrainedCompressor::Options o;
  o.samples = samples;
  o.train_in_background = false;
  return o;
}

TEST(SampleTrainedCompressor, RoundTripsBeforeAndAfterItsDictionary) {
  SampleTrainedCompressor c(Inline(200));
  std::vector<SampleTrainedCompressor::Packed> packed;
  for (int i = 0; i < 400; ++i) {
    auto p = c.Compress(Answer(i));
    ASSERT_TRUE(p.has_value());
    packed.push_back(std::move(*p));
  }
  EXPECT_EQ(c.dictionaries_trained(), 1u);
  EXPECT_EQ(packed[0].dictionary, nullptr);   // a sample, packed without one
  EXPECT_NE(packed[399].dictionary, nullptr);
  for (int i = 0; i < 400; ++i) {
    std::string out;
    ASSERT_TRUE(SampleTrainedCompressor::Decompress(packed[i], &out)) << i;
    EXPECT_EQ(out, Answer(i));
  }
}

TEST(SampleTrainedCompressor, TheDictionaryPacksAlikeTextsFarSmaller) {
  SampleTrainedCompressor c(Inline(300));
  size_t before = 0, after = 0;
  for (int i = 0; i < 300; ++i) before += c.Compress(Answer(i))->bytes.size();
  for (int i = 300; i < 600; ++i) after += c.Compress(Answer(i))->bytes.size();
  EXPECT_LT(after * 3, before) << "before " << before / 300 << " B, after " << after / 300 << " B a text";
}

TEST(SampleTrainedCompressor, TrainsAgainOnFreshSamplesAndOldPacksStillUnpack) {
  SampleTrainedCompressor::Options o = Inline(100);
  o.retrain_after = 50;
  SampleTrainedCompressor c(o);
  auto first = *c.Compress(Answer(0));
  for (int i = 1; i < 150; ++i) (void)c.Compress(Answer(i));
  ASSERT_EQ(c.dictionaries_trained(), 1u);
  // 50 packed with the first, then 100 fresh samples (packed with it too) train the second.
  auto with_first = *c.Compress(Answer(150));
  for (int i = 151; i < 250; ++i) (void)c.Compress(Answer(i));
  EXPECT_EQ(c.dictionaries_trained(), 2u);
  auto with_second = *c.Compress(Answer(400));
  EXPECT_NE(with_first.dictionary, with_second.dictionary);
  for (auto [p, i] : {std::pair{&first, 0}, {&with_first, 150}, {&with_second, 400}}) {
    std::string out;
    ASSERT_TRUE(SampleTrainedCompressor::Decompress(*p, &out));
    EXPECT_EQ(out, Answer(i));
  }
}

TEST(SampleTrainedCompressor, TrainsInTheBackground) {
  SampleTrainedCompressor::Options o;
  o.samples = 100;
  SampleTrainedCompressor c(o);
  for (int i = 0; i < 100; ++i) (void)c.Compress(Answer(i));
  for (int tries = 0; tries < 500 && c.dictionaries_trained() == 0; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(c.dictionaries_trained(), 1u);
  auto p = c.Compress(Answer(1000));
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->dictionary, nullptr);
}

TEST(SampleTrainedCompressor, SamplesNoDictionaryCanBeTrainedOnAreFollowedByFreshOnes) {
  SampleTrainedCompressor c(Inline(20));
  for (int i = 0; i < 20; ++i) {  // empty texts: ZDICT refuses them ("Src size is incorrect")
    auto p = c.Compress("");
    ASSERT_TRUE(p.has_value());
    std::string out = "x";
    ASSERT_TRUE(SampleTrainedCompressor::Decompress(*p, &out));
    EXPECT_EQ(out, "");
  }
  EXPECT_EQ(c.dictionaries_trained(), 0u);
  for (int i = 0; i < 20; ++i) (void)c.Compress(Answer(i));
  EXPECT_EQ(c.dictionaries_trained(), 1u);
  auto p = c.Compress(Answer(99));
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->dictionary, nullptr);
}

TEST(SampleTrainedCompressor, DamagedBytesDoNotUnpack) {
  SampleTrainedCompressor c(Inline(50));
  for (int i = 0; i < 60; ++i) (void)c.Compress(Answer(i));
  auto p = *c.Compress(Answer(77));
  std::string out;
  auto cut = p;
  cut.bytes.resize(cut.bytes.size() / 2);
  EXPECT_FALSE(SampleTrainedCompressor::Decompress(cut, &out));
  auto wrong_size = p;
  wrong_size.raw_size += 1;
  EXPECT_FALSE(SampleTrainedCompressor::Decompress(wrong_size, &out));
  auto no_dictionary = p;
  no_dictionary.dictionary = nullptr;
  EXPECT_FALSE(SampleTrainedCompressor::Decompress(no_dictionary, &out));
}

}  // namespace
}  // namespace tousu
