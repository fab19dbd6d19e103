#include "base/clock.h"

#include <chrono>

namespace tousu {

Instant SystemClock::Now() const {
  using namespace std::chrono;
  return Instant::FromUnixSeconds(
      duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

bool ManualClock::AdvanceTo(Instant t) {
  int64_t current = now_.load();
  while (t.unix_seconds() >= current) {
    if (now_.compare_exchange_weak(current, t.unix_seconds())) return true;
  }
  return false;
}

}  // namespace tousu
