#include "evidence/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/encoding.h"
#include "evidence/media_type.h"

namespace tousu::evidence {

namespace fs = std::filesystem;

namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Status FsyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(Errno("open " + path));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Unavailable(Errno("fsync " + path));
  return Status::Ok();
}

// mkdir that is durable: the new entry's parent directory is fsynced.
Status MakeDir(const std::string& path, const std::string& parent) {
  if (::mkdir(path.c_str(), 0700) == 0) return FsyncPath(parent);
  if (errno == EEXIST) return Status::Ok();
  return Status::Unavailable(Errno("mkdir " + path));
}

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

// ---- BlobWriter -----------------------------------------------------------------------------

BlobWriter::BlobWriter(std::string blobs_dir, std::string temp_path, int fd)
    : blobs_dir_(std::move(blobs_dir)), temp_path_(std::move(temp_path)), fd_(fd) {}

BlobWriter::~BlobWriter() { Discard(); }

void BlobWriter::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }
}

Status BlobWriter::Append(std::string_view bytes) {
  if (fd_ < 0 || failed_) return Status::Internal("append to a finished blob writer");
  if (head_.size() < kSniffBytes) head_.append(bytes.substr(0, kSniffBytes - head_.size()));
  hasher_.Update(bytes);
  size_ += static_cast<int64_t>(bytes.size());
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      return Status::Unavailable(Errno("writing an upload"));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

StatusOr<BlobInfo> BlobWriter::Commit() {
  if (fd_ < 0 || failed_) return Status::Internal("commit of a finished blob writer");
  BlobInfo info{HexEncode(DigestBytes(hasher_.Finish())), size_};
  if (::fchmod(fd_, 0400) != 0 || ::fsync(fd_) != 0) {
    failed_ = true;
    return Status::Unavailable(Errno("fsync of an upload"));
  }
  const std::string level1 = blobs_dir_ + "/" + info.sha256_hex.substr(0, 2);
  const std::string level2 = level1 + "/" + info.sha256_hex.substr(2, 2);
  TOUSU_RETURN_IF_ERROR(MakeDir(level1, blobs_dir_));
  TOUSU_RETURN_IF_ERROR(MakeDir(level2, level1));
  const std::string final_path = level2 + "/" + info.sha256_hex;
  // link() never replaces: when the blob exists, the same bytes are stored already.
  if (::link(temp_path_.c_str(), final_path.c_str()) != 0 && errno != EEXIST) {
    failed_ = true;
    return Status::Unavailable(Errno("link " + final_path));
  }
  TOUSU_RETURN_IF_ERROR(FsyncPath(level2));
  Discard();
  return info;
}

// ---- BlobStore ------------------------------------------------------------------------------

StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& data_dir) {
  const std::string blobs = (fs::path(data_dir) / "blobs").string();
  TOUSU_RETURN_IF_ERROR(MakeDir(blobs, data_dir));
  TOUSU_RETURN_IF_ERROR(MakeDir(blobs + "/tmp", blobs));
  return std::unique_ptr<BlobStore>(new BlobStore(blobs));
}

int BlobStore::RemoveLeftovers() const {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(blobs_dir_ + "/tmp", ec)) {
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

StatusOr<std::unique_ptr<BlobWriter>> BlobStore::NewWriter() const {
  const std::string path = blobs_dir_ + "/tmp/upload-" + HexEncode(RandomBytes(12));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(Errno("create " + path));
  return std::unique_ptr<BlobWriter>(new BlobWriter(blobs_dir_, path, fd));
}

std::string BlobStore::PathOf(std::string_view hex) const {
  if (!IsLowerHex64(hex)) return "";
  return blobs_dir_ + "/" + std::string(hex.substr(0, 2)) + "/" + std::string(hex.substr(2, 2)) +
         "/" + std::string(hex);
}

Status BlobStore::Check(std::string_view hex, int64_t size) const {
  const std::string path = PathOf(hex);
  const std::string name = "blob " + std::string(hex);
  if (path.empty()) return Status::Corruption(name + ": not a SHA-256 in hex");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Corruption(name + " is missing (" + std::strerror(errno) + ")");
  Sha256Hasher hasher;
  int64_t total = 0;
  std::string buf(1 << 16, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status::Corruption(name + " cannot be read: " + std::strerror(errno));
    }
    if (n == 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    total += n;
  }
  ::close(fd);
  if (total != size) {
    return Status::Corruption(name + " has " + std::to_string(total) + " bytes, the record says " +
                              std::to_string(size));
  }
  const std::string actual = HexEncode(DigestBytes(hasher.Finish()));
  if (actual != hex) return Status::Corruption(name + " has been altered: its bytes hash to " + actual);
  return Status::Ok();
}

}  // namespace tousu::evidence
