// Signed notes and checkpoints, against the reference example of golang.org/x/mod/sumdb/note
// (its note_test.go): Ed25519 is deterministic, so our signature must match byte for byte.
#include "evidence/note.h"

#include <gtest/gtest.h>

#include "evidence/checkpoint.h"

#include <random>

namespace tousu::evidence {
namespace {

constexpr std::string_view kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kSigLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

std::string GoNote() { return std::string(kText) + "\n" + std::string(kSigLine); }

TEST(Note, SignsTheGoReferenceExampleByteForByte) {
  auto signer = NoteSigner::FromSignerKey(kSkey);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->name(), "PeterNeumann");
  EXPECT_EQ(signer->VerifierKey(), kVkey);
  EXPECT_EQ(signer->SignerKey(), kSkey);
  EXPECT_EQ(signer->Sign(kText).value(), GoNote());
}

TEST(Note, OpensTheGoReferenceNote) {
  auto verifier = NoteVerifier::FromVerifierKey(kVkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(verifier->VerifierKey(), kVkey);
  EXPECT_EQ(verifier->Open(GoNote()).value(), kText);
}

TEST(Note, RefusesTamperedTextAndOtherKeys) {
  auto verifier = NoteVerifier::FromVerifierKey(kVkey).value();
  std::string tampered = GoNote();
  tampered[3] = 'Y';
  EXPECT_FALSE(verifier.Open(tampered).ok());
  auto other = NoteSigner::Generate("PeterNeumann").value();
  auto by_other = other.Sign(kText).value();
  auto opened = verifier.Open(by_other);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("no signature by"), std::string::npos);
  // A note signed by both keys opens with either.
  std::string both = by_other + std::string(kSigLine);
  EXPECT_EQ(verifier.Open(both).value(), kText);
  EXPECT_FALSE(verifier.Open(std::string(kText)).ok());
  EXPECT_FALSE(verifier.Open(std::string(kText) + "\n\xE2\x80\x94 PeterNeumann AAAA\n").ok());
}

// C2SP signed notes are UTF-8 text (Go's note.Open refuses any other bytes as malformed):
// such a note is neither signed nor opened, whatever its signature line says.
TEST(Note, RefusesTextThatIsNotUtf8) {
  auto signer = NoteSigner::Generate("PeterNeumann").value();
  const std::string bad = "tree\n\xC3\x28 not utf-8\n";
  auto signed_bad = signer.Sign(bad);
  ASSERT_FALSE(signed_bad.ok());
  EXPECT_NE(signed_bad.status().message().find("UTF-8"), std::string::npos);
  const std::string good = signer.Sign("tree\n\xC3\xA9 utf-8\n").value();
  EXPECT_TRUE(NoteVerifier::FromVerifierKey(signer.VerifierKey()).value().Open(good).ok());
  std::string mangled = good;
  mangled.replace(mangled.find("\xC3\xA9"), 2, "\xC3\x28");
  auto opened = NoteVerifier::FromVerifierKey(signer.VerifierKey()).value().Open(mangled);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("UTF-8"), std::string::npos);
}

TEST(Note, RefusesMangledKeys) {
  const std::string v(kVkey);
  for (size_t i = 0; i < v.size(); ++i) {
    std::string bad = v;
    bad[i] = static_cast<char>(bad[i] + 1);
    EXPECT_FALSE(NoteVerifier::FromVerifierKey(bad).ok()) << bad;
  }
  EXPECT_FALSE(NoteVerifier::FromVerifierKey(v.substr(0, v.size() - 1)).ok());
  EXPECT_FALSE(NoteVerifier::FromVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(NoteSigner::FromSignerKey(std::string(kSkey).replace(34, 1, "1")).ok());
  EXPECT_FALSE(NoteSigner::Generate("has space").ok());
  EXPECT_FALSE(NoteSigner::Generate("has+plus").ok());
}

TEST(Note, GeneratedKeysRoundTrip) {
  auto signer = NoteSigner::Generate("tousu.test/log").value();
  auto again = NoteSigner::FromSignerKey(signer.SignerKey()).value();
  EXPECT_EQ(again.VerifierKey(), signer.VerifierKey());
  auto verifier = NoteVerifier::FromVerifierKey(signer.VerifierKey()).value();
  EXPECT_EQ(verifier.Open(again.Sign("hello\n").value()).value(), "hello\n");
  EXPECT_EQ(signer.PublicKeyHex().size(), 64u);
  EXPECT_FALSE(signer.Sign("no newline").ok());
}

TEST(Checkpoint, FormatsParsesSignsAndOpens) {
  auto signer = NoteSigner::Generate("tousu.test/log").value();
  auto verifier = NoteVerifier::FromVerifierKey(signer.VerifierKey()).value();
  Checkpoint c{"tousu.test/log", 12345, LeafHash("x"), {}};
  const std::string text = FormatCheckpoint(c);
  EXPECT_EQ(text.substr(0, 21), "tousu.test/log\n12345\n");
  const std::string note = SignCheckpoint(signer, c).value();
  Checkpoint back = OpenCheckpoint(verifier, note).value();
  EXPECT_EQ(back.origin, c.origin);
  EXPECT_EQ(back.size, c.size);
  EXPECT_EQ(back.root, c.root);

  EXPECT_FALSE(SignCheckpoint(signer, Checkpoint{"other/log", 1, LeafHash("x"), {}}).ok());
  for (std::string_view bad : {"o\n1\n", "o\n01\nAAAA\n", "o\n-1\nAAAA\n", "o\n1\nnot base64\n",
                               "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
                               "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"}) {
    EXPECT_FALSE(ParseCheckpoint(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseCheckpoint("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").ok());
}

TEST(Checkpoint, RefusesACheckpointOfAnotherLogUnderTheSameKey) {
  // A key named "a" that signed text claiming origin "b" must not pass as a checkpoint of "a".
  auto signer = NoteSigner::Generate("a").value();
  auto verifier = NoteVerifier::FromVerifierKey(signer.VerifierKey()).value();
  auto note = signer.Sign(FormatCheckpoint(Checkpoint{"b", 1, LeafHash("x"), {}})).value();
  EXPECT_FALSE(OpenCheckpoint(verifier, note).ok());
}

// Any damaged byte of a signed checkpoint is refused (a changed signature line that names another
// key is refused too: then no signature by this key remains).
TEST(Checkpoint, EveryDamagedByteIsRefused) {
  auto signer = NoteSigner::Generate("tousu.test/log").value();
  auto verifier = NoteVerifier::FromVerifierKey(signer.VerifierKey()).value();
  const std::string note = SignCheckpoint(signer, Checkpoint{"tousu.test/log", 42, LeafHash("x"), {}}).value();
  std::mt19937_64 rng(9162);
  for (size_t i = 0; i < note.size(); ++i) {
    std::string bad = note;
    bad[i] = static_cast<char>(bad[i] ^ (1 + rng() % 255));
    EXPECT_FALSE(OpenCheckpoint(verifier, bad).ok()) << "byte " << i;
  }
}

}  // namespace
}  // namespace tousu::evidence
