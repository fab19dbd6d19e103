#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "base/encoding.h"

namespace tousu {

namespace {
[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "tousu: libcrypto failure in %s\n", what);
  std::abort();
}

const EVP_MD* Sha256Md() {
  // Fetched once and reused: EVP_MD_fetch is costly in OpenSSL 3.
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Die("EVP_MD_fetch(SHA256)");
    return m;
  }();
  return md;
}
}  // namespace

struct Sha256Hasher::Ctx {
  EVP_MD_CTX* md_ctx;
};

Sha256Hasher::Sha256Hasher() : ctx_(new Ctx{EVP_MD_CTX_new()}) {
  if (ctx_->md_ctx == nullptr) Die("EVP_MD_CTX_new");
  Reset();
}

Sha256Hasher::~Sha256Hasher() {
  EVP_MD_CTX_free(ctx_->md_ctx);
  delete ctx_;
}

void Sha256Hasher::Reset() {
  if (EVP_DigestInit_ex(ctx_->md_ctx, Sha256Md(), nullptr) != 1) Die("EVP_DigestInit_ex");
}

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_->md_ctx, data.data(), data.size()) != 1) Die("EVP_DigestUpdate");
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md_ctx, d.data(), &len) != 1 || len != d.size()) {
    Die("EVP_DigestFinal_ex");
  }
  return d;
}

Sha256Digest Sha256(std::string_view data) {
  // One context per thread, reused: EVP_Digest makes and frees one per call, which cost more
  // than hashing the few hundred bytes of a log leaf's content.
  thread_local Sha256Hasher hasher;
  hasher.Reset();
  hasher.Update(data);
  return hasher.Finish();
}

std::string DigestBytes(const Sha256Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string Sha256Hex(std::string_view data) { return HexEncode(DigestBytes(Sha256(data))); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr) {
    Die("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    Die("RAND_bytes");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tousu
