// BlobStore: evidence files, each stored once as a plain file named by its SHA-256 under the
// data directory, with two levels of fan-out:
//
//   DIR/blobs/ab/cd/abcd…  (64 lower-case hex digits; read-only, mode 0400)
//   DIR/blobs/tmp/         uploads in progress
//
// A BlobWriter streams an upload into a temp file while hashing it (never holding the file in
// memory). Commit() fsyncs the file, links it under its hash (an existing blob is never
// replaced: the same bytes are already there), fsyncs the directory and drops the temp name,
// so a committed blob survives a crash. A writer destroyed without Commit() removes its temp
// file: an oversized or abandoned upload leaves nothing behind. Blobs are found only by hash,
// never by a path taken from a request.
// Thread-safety: BlobStore is immutable and may be shared; a BlobWriter belongs to one upload.
#ifndef TOUSU_EVIDENCE_BLOB_STORE_H_
#define TOUSU_EVIDENCE_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/crypto.h"
#include "base/status.h"

namespace tousu::evidence {

struct BlobInfo {
  std::string sha256_hex;
  int64_t size = 0;
};

class BlobWriter final {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Writes and hashes the next bytes. Unavailable on a disk error (the writer is then dead).
  Status Append(std::string_view bytes);
  int64_t size() const { return size_; }
  // The file's first bytes (up to evidence::kSniffBytes), for sniffing its media type.
  const std::string& head() const { return head_; }
  // Makes the blob durable under its hash; the writer is finished afterwards.
  StatusOr<BlobInfo> Commit();

 private:
  friend class BlobStore;
  BlobWriter(std::string blobs_dir, std::string temp_path, int fd);
  void Discard();

  const std::string blobs_dir_;
  const std::string temp_path_;
  int fd_;
  bool failed_ = false;
  int64_t size_ = 0;
  std::string head_;
  Sha256Hasher hasher_;
};

class BlobStore final {
 public:
  // Opens (creating when missing) DIR/blobs and DIR/blobs/tmp.
  static StatusOr<std::unique_ptr<BlobStore>> Open(const std::string& data_dir);

  // Removes temp files left by uploads that never finished (a crash); call at server start.
  // Returns how many it removed.
  int RemoveLeftovers() const;

  StatusOr<std::unique_ptr<BlobWriter>> NewWriter() const;

  // Where the blob with this SHA-256 lives; "" when the hash is malformed.
  std::string PathOf(std::string_view sha256_hex) const;
  // Re-hashes a stored blob. Corruption naming the blob when it is missing, of another size or
  // its bytes do not hash to its name.
  Status Check(std::string_view sha256_hex, int64_t size) const;

  const std::string& dir() const { return blobs_dir_; }

 private:
  explicit BlobStore(std::string blobs_dir) : blobs_dir_(std::move(blobs_dir)) {}
  const std::string blobs_dir_;
};

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_BLOB_STORE_H_
