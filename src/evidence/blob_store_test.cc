#include "evidence/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "base/encoding.h"

namespace tousu::evidence {
namespace {

namespace fs = std::filesystem;

class BlobStoreTest : public ::testing::Test {
 protected:
  BlobStoreTest() {
    dir_ = fs::temp_directory_path() / ("tousu-blobs-" + HexEncode(RandomBytes(6)));
    fs::create_directories(dir_);
    store_ = BlobStore::Open(dir_.string()).value();
  }
  ~BlobStoreTest() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    for (auto& p : fs::recursive_directory_iterator(dir_, ec)) fs::permissions(p.path(), fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  size_t TempFiles() const {
    return std::distance(fs::directory_iterator(dir_ / "blobs" / "tmp"), fs::directory_iterator());
  }
  BlobInfo Put(const std::string& bytes, size_t chunk = 7) {
    auto w = store_->NewWriter().value();
    for (size_t i = 0; i < bytes.size(); i += chunk) EXPECT_TRUE(w->Append(bytes.substr(i, chunk)).ok());
    return w->Commit().value();
  }

  fs::path dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(BlobStoreTest, StoresUnderItsHashWithFanOut) {
  const std::string bytes = "evidence bytes 证据";
  BlobInfo info = Put(bytes);
  EXPECT_EQ(info.sha256_hex, Sha256Hex(bytes));
  EXPECT_EQ(info.size, static_cast<int64_t>(bytes.size()));
  const std::string path = store_->PathOf(info.sha256_hex);
  EXPECT_EQ(path, (dir_ / "blobs" / info.sha256_hex.substr(0, 2) / info.sha256_hex.substr(2, 2) /
                   info.sha256_hex).string());
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_EQ(TempFiles(), 0u);
  EXPECT_TRUE(store_->Check(info.sha256_hex, info.size).ok());
}

TEST_F(BlobStoreTest, TheSameBytesAreStoredOnce) {
  BlobInfo a = Put("same", 1);
  BlobInfo b = Put("same", 3);
  EXPECT_EQ(a.sha256_hex, b.sha256_hex);
  EXPECT_TRUE(store_->Check(a.sha256_hex, 4).ok());
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, AnAbandonedUploadLeavesNothing) {
  {
    auto w = store_->NewWriter().value();
    ASSERT_TRUE(w->Append(std::string(100000, 'x')).ok());
    EXPECT_EQ(TempFiles(), 1u);
  }
  EXPECT_EQ(TempFiles(), 0u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "blobs"), fs::directory_iterator()), 1);
}

TEST_F(BlobStoreTest, LeftoversOfACrashAreRemovedAtStart) {
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(w->Append("half an upload").ok());
  EXPECT_EQ(store_->RemoveLeftovers(), 1);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, CheckNamesAlteredMissingAndShortBlobs) {
  BlobInfo info = Put("original content");
  const std::string path = store_->PathOf(info.sha256_hex);
  EXPECT_FALSE(store_->Check(info.sha256_hex, info.size + 1).ok());
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('X');
  }
  Status s = store_->Check(info.sha256_hex, info.size);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(info.sha256_hex), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("altered"), std::string::npos) << s.message();
  fs::remove(path);
  EXPECT_NE(store_->Check(info.sha256_hex, info.size).message().find("missing"), std::string::npos);
}

TEST_F(BlobStoreTest, PathsComeOnlyFromWellFormedHashes) {
  EXPECT_EQ(store_->PathOf("../../etc/passwd"), "");
  EXPECT_EQ(store_->PathOf(std::string(64, 'A')), "");
  EXPECT_EQ(store_->PathOf(std::string(63, 'a')), "");
  EXPECT_NE(store_->PathOf(std::string(64, 'a')), "");
}

TEST_F(BlobStoreTest, HeadKeepsTheFirstBytesForSniffing) {
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(w->Append("\x89PNG").ok());
  ASSERT_TRUE(w->Append(std::string(10000, 'z')).ok());
  EXPECT_EQ(w->head().size(), 4096u);
  EXPECT_EQ(w->head().substr(0, 4), "\x89PNG");
  EXPECT_EQ(w->size(), 10004);
}

}  // namespace
}  // namespace tousu::evidence
