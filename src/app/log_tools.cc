#include "app/log_tools.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/data_dir.h"
#include "evidence/blob_store.h"
#include "evidence/checkpoint.h"
#include "evidence/proof_bundle.h"
#include "evidence/store_verifier.h"

namespace tousu {

namespace {

constexpr size_t kMaxInput = 16 * 1024 * 1024;

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxInput) return Status::InvalidArgument(path + " is larger than 16 MiB");
  return text.str();
}

// A key argument is the key itself or a file that holds it.
StatusOr<std::string> KeyText(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return ReadFile(arg);
  return arg;
}

int Fail(const char* tool, const Status& s) {
  std::fprintf(stderr, "tousu %s: %s\n", tool, s.message().c_str());
  return 2;
}

}  // namespace

int RunKeyShow(const std::string& data_dir) {
  auto signer = LoadLogSigner(data_dir);
  if (!signer.ok()) return Fail("key show", signer.status());
  std::printf("verifier_key: %s\n", signer->VerifierKey().c_str());
  std::printf("public_key_hex: %s\n", signer->PublicKeyHex().c_str());
  std::printf("origin: %s\n", signer->name().c_str());
  return 0;
}

int RunVerifyOffline(const OfflineVerifyArgs& args) {
  auto checkpoint = ReadFile(args.checkpoint_file);
  if (!checkpoint.ok()) return Fail("verify", checkpoint.status());
  auto proof_text = ReadFile(args.proof_file);
  if (!proof_text.ok()) return Fail("verify", proof_text.status());
  auto key_text = KeyText(args.key);
  if (!key_text.ok()) return Fail("verify", key_text.status());
  // A bare hex key takes its name from the checkpoint's origin line.
  const std::string origin = checkpoint->substr(0, checkpoint->find('\n'));
  auto key = evidence::ParseVerifierKey(*key_text, origin);
  if (!key.ok()) return Fail("verify", key.status().Annotate("--key"));
  auto proof = evidence::ParseProofBundle(*proof_text);
  if (!proof.ok()) return Fail("verify", proof.status());

  evidence::OfflineResult result = evidence::VerifyOffline(*key, *checkpoint, *proof, args.evidence_file);
  for (const auto& step : result.steps) {
    std::printf("%-7s %-10s %s\n", step.ok ? "ok" : "FAILED", step.part.c_str(), step.detail.c_str());
  }
  if (!result.ok) {
    std::printf("NOT VERIFIED: the %s check failed\n", result.steps.back().part.c_str());
    return 1;
  }
  std::printf("verified\n");
  return 0;
}

int RunVerifyStore(const std::string& data_dir, const std::string& key_arg) {
  std::optional<evidence::NoteVerifier> key;
  if (key_arg.empty()) {
    auto signer = LoadLogSigner(data_dir);
    if (!signer.ok()) return Fail("verify", signer.status());
    key = evidence::NoteVerifier::FromVerifierKey(signer->VerifierKey()).value();
  } else {
    auto text = KeyText(key_arg);
    if (!text.ok()) return Fail("verify", text.status());
    auto parsed = evidence::ParseVerifierKey(*text, "");
    if (!parsed.ok()) return Fail("verify", parsed.status().Annotate("--key (give a verifier key)"));
    key = std::move(*parsed);
  }
  auto store = OpenDataDir(data_dir);
  if (!store.ok()) return Fail("verify", store.status());
  auto blobs = evidence::BlobStore::Open(data_dir);
  if (!blobs.ok()) return Fail("verify", blobs.status());

  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  std::fprintf(stderr, "verifying %s against %s\n", data_dir.c_str(), key->VerifierKey().c_str());
  auto report = evidence::VerifyStore(**store, **blobs, *key, [terminal](int64_t done, int64_t total) {
    if (!terminal) return;
    std::fprintf(stderr, "\r  leaves %lld/%lld (%lld%%)", static_cast<long long>(done),
                 static_cast<long long>(total), static_cast<long long>(total ? done * 100 / total : 100));
    std::fflush(stderr);
  });
  if (terminal) std::fprintf(stderr, "\n");
  (*store)->Close();
  if (!report.ok()) return Fail("verify", report.status());
  if (!report->ok) {
    std::printf("NOT VERIFIED: %s\n", report->problem.c_str());
    return 1;
  }
  std::printf("verified: %lld leaves, %lld blobs, %lld checkpoints\n",
              static_cast<long long>(report->leaves), static_cast<long long>(report->blobs),
              static_cast<long long>(report->checkpoints));
  return 0;
}

}  // namespace tousu
