// One fuzz target, two builds.
//
// Under `make fuzz` (clang, -DTOUSU_FUZZ=ON) each fuzz/*_fuzz.cc becomes its own libFuzzer
// binary: TOUSU_FUZZ_TARGET(name) is LLVMFuzzerTestOneInput. In the normal build the same files
// are compiled into one plain program, tousu_fuzz_replay, where TOUSU_FUZZ_TARGET registers the
// function under `name`; CTest runs it over fuzz/corpus/<name> and fuzz/regressions/<name>, so
// every corpus and every past crash is replayed by `make test` with the normal compiler.
//
// A target must not crash, leak or hit undefined behaviour on any input, and checks its own
// invariants with FUZZ_CHECK (round trips, ranges), which aborts with a message: a failed check
// is a finding exactly like a crash.
#ifndef TOUSU_FUZZ_FUZZ_TARGET_H_
#define TOUSU_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tousu::fuzz {

using TargetFn = int (*)(const uint8_t* data, size_t size);

// Replay build only: adds a target to the table tousu_fuzz_replay runs. Returns true.
bool RegisterTarget(const char* name, TargetFn fn);

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed%s%s\n", file, line, expr,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

}  // namespace tousu::fuzz

// Aborts (a finding) when `cond` is false; `detail` is any std::string expression.
#define FUZZ_CHECK(cond, detail)                                                   \
  do {                                                                             \
    if (!(cond)) ::tousu::fuzz::CheckFailed(#cond, __FILE__, __LINE__, (detail)); \
  } while (0)

#ifdef TOUSU_LIBFUZZER
#define TOUSU_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define TOUSU_FUZZ_TARGET(name)                                                              \
  static int TousuFuzz_##name(const uint8_t* data, size_t size);                            \
  [[maybe_unused]] static const bool tousu_fuzz_registered_##name =                         \
      ::tousu::fuzz::RegisterTarget(#name, TousuFuzz_##name);                               \
  static int TousuFuzz_##name(const uint8_t* data, size_t size)
#endif

#endif  // TOUSU_FUZZ_FUZZ_TARGET_H_
