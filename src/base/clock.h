// Clock: where "now" comes from. Everything that needs the time takes a Clock&, so tests and the
// --test-clock mode can move time by hand (deadlines, windows) without sleeping.
// Thread-safety: both implementations are safe to call from any thread.
#ifndef TOUSU_BASE_CLOCK_H_
#define TOUSU_BASE_CLOCK_H_

#include <atomic>

#include "base/time.h"

namespace tousu {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The system's real UTC time.
class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// A clock that stands still until moved, and moves only forward.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(start.unix_seconds()) {}
  Instant Now() const override { return Instant::FromUnixSeconds(now_.load()); }
  // Moves to `t`; false (and no change) when `t` is earlier than now.
  bool AdvanceTo(Instant t);

 private:
  std::atomic<int64_t> now_;
};

}  // namespace tousu

#endif  // TOUSU_BASE_CLOCK_H_
