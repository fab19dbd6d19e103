// FuzzWorld: the real HTTP Api (route table, auth, handlers, store) over a throwaway SQLite
// store, for fuzz targets that drive whole requests. Built once per process on first use: a
// platform "fz" with a merchant, a user of every role, one order and one complaint, and a
// bearer token for each role. The store lives under /dev/shm when it exists (fsync is free
// there, so write paths fuzz at full speed) and is removed at exit.
// Thread-safety: one fuzzing thread.
#ifndef TOUSU_FUZZ_FUZZ_WORLD_H_
#define TOUSU_FUZZ_FUZZ_WORLD_H_

#include <memory>
#include <string>

#include "domain/principal.h"
#include "http/api.h"

namespace tousu::fuzz {

class FuzzWorld {
 public:
  static FuzzWorld& Get();

  const http::Router& router() const;
  // Runs one request through Api::Serve and waits for the answer.
  http::Response Serve(http::Request req);
  // The bearer token of `role` (empty for kPublic).
  const std::string& Token(Role role) const;
  const std::string& complaint_id() const;

  struct Impl;
  ~FuzzWorld();

 private:
  FuzzWorld();
  std::unique_ptr<Impl> impl_;
};

// Fills path and query from req.target the way the server does (http/server.cc); false when
// the server would refuse the target as malformed.
bool SplitTarget(http::Request& req);

}  // namespace tousu::fuzz

#endif  // TOUSU_FUZZ_FUZZ_WORLD_H_
