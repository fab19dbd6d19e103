// Hashing and randomness over OpenSSL's libcrypto (SHA-256 uses the CPU's SHA instructions).
// Thread-safety: the free functions are safe from any thread; a Sha256Hasher is not shared.
#ifndef TOUSU_BASE_CRYPTO_H_
#define TOUSU_BASE_CRYPTO_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tousu {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string DigestBytes(const Sha256Digest& d);  // the 32 raw bytes as a string

// Incremental SHA-256; Reset() reuses the context for the next message.
class Sha256Hasher final {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  Sha256Digest Finish();  // then Reset() before reuse
  void Reset();

 private:
  struct Ctx;
  Ctx* ctx_;
};

// HMAC-SHA256(key, data), raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Cryptographically secure random bytes (OpenSSL RAND_bytes); aborts if the RNG fails.
std::string RandomBytes(size_t n);

// Constant-time comparison for secrets of equal length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tousu

#endif  // TOUSU_BASE_CRYPTO_H_
