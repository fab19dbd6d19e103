// ReaderPool: the read connections of a store, opened on demand up to a limit and kept for the
// next read. Both stores read through one.
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_STORE_SQL_READER_POOL_H_
#define TOUSU_STORE_SQL_READER_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tousu::sql {

template <class Conn>
class ReaderPool {
 public:
  explicit ReaderPool(int max_open) : max_open_(max_open) {}

  // An idle connection, or a new one from `open()` (a StatusOr<std::unique_ptr<Conn>>) while
  // fewer than the limit are open; otherwise waits for one to come back.
  template <class Open>
  StatusOr<std::unique_ptr<Conn>> Acquire(Open&& open) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_open_; });
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++open_;
    }
    StatusOr<std::unique_ptr<Conn>> conn = std::forward<Open>(open)();
    if (!conn.ok()) {
      std::lock_guard lock(mu_);
      --open_;
      cv_.notify_one();
    }
    return conn;
  }

  void Release(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    cv_.notify_one();
  }

  // At close: runs `fn(idle)` on the idle connections under the pool's lock (no read starts
  // meanwhile), then closes them.
  template <class Fn>
  void CloseIdle(Fn&& fn) {
    std::lock_guard lock(mu_);
    std::forward<Fn>(fn)(idle_);
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
  }

 private:
  const int max_open_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                             // GUARDED_BY(mu_)
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_READER_POOL_H_
