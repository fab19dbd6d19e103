// FuzzWorld: the real HTTP Api (route table, auth, handlers, store) over a throwaway SQLite
// store, for fuzz targets that drive whole requests. Built once per process on first use: a
// platform "fz" with a merchant, a user of every role, one order and one complaint, and a
// bearer token for each role; the evidence vault (blobs under the same directory, uploads up to
// kMaxUploadBytes) and the transparency log's checkpoint signer. The complaint's consumer has
// added one piece of evidence (a small text file), and a checkpoint is signed over the log as
// seeded (kSeededLogSize leaves), so that the evidence, proof and log routes have something to
// find. The store lives under /dev/shm when it exists (fsync is free
// there, so write paths fuzz at full speed) and is removed at exit.
// Thread-safety: one fuzzing thread.
#ifndef TOUSU_FUZZ_FUZZ_WORLD_H_
#define TOUSU_FUZZ_FUZZ_WORLD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "domain/principal.h"
#include "evidence/blob_store.h"
#include "http/api.h"

namespace tousu::fuzz {

// The world's upload limit: small, so that fuzz inputs reach it, and over the sniffing window
// (evidence::kSniffBytes, 4 KiB), so that a stored file's head can be cut short.
inline constexpr int64_t kMaxUploadBytes = 5000;

// Leaves in the log once the world is seeded (the complaint's events, then the evidence), and
// the size of the checkpoint signed then: fuzz seeds ask for proofs at exactly this size. The
// world checks it when it is built, so a change of what filing logs shows up here.
inline constexpr int64_t kSeededLogSize = 4;

class FuzzWorld {
 public:
  static FuzzWorld& Get();

  const http::Router& router() const;
  // Runs one request as the server does and waits for the answer: through Api::Serve, or, for
  // a streamed route (uploads), through OpenStream, the body's pieces of `chunk` bytes and
  // FinishStream, with the server's size checks: before the body for a Content-Length, as it
  // arrives when `chunked` (Transfer-Encoding: chunked).
  http::Response Serve(http::Request req, size_t chunk = 4096, bool chunked = false);
  const evidence::BlobStore& blobs() const;
  // The bearer token of `role` (empty for kPublic).
  const std::string& Token(Role role) const;
  const std::string& complaint_id() const;
  // The id of the evidence the world's complaint holds.
  const std::string& evidence_id() const;

  struct Impl;
  ~FuzzWorld();

 private:
  FuzzWorld();
  std::unique_ptr<Impl> impl_;
};

// Fills path and query from req.target the way the server does (http/server.cc); false when
// the server would refuse the target as malformed.
bool SplitTarget(http::Request& req);

// The caller a fuzz input's byte picks: none, admin, platform, consumer, merchant, agent, risk,
// arbitrator (byte % 8).
Role CallerOf(uint8_t byte);

// The next line of `rest`, without its "\n" or "\r\n", taken off `rest`.
std::string_view TakeLine(std::string_view& rest);

// What every answer to a client's request must be (API.md): never a 500, a status 200-599,
// and every error a problem+json carrying its status. A failure is a finding (FUZZ_CHECK).
void CheckAnswer(const http::Response& r);

}  // namespace tousu::fuzz

#endif  // TOUSU_FUZZ_FUZZ_WORLD_H_
