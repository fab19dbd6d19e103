#!/usr/bin/env bash
# make test-sanitize: the test suites under sanitizers, in their own build trees.
#  1. ASan+UBSan (build-asan): every CTest test (unit, integration, fuzz corpus replay, the bench
#     tools' argument checks), and the tousu servers the integration tests start are
#     instrumented too.
#  2. TSan (build-tsan): the tests that run threads against each other: the integration suite
#     (a multi-threaded server, its writer and sweeper threads, concurrent clients and the
#     crash test) and the unit tests. Built with clang, so that CI compiles everything with
#     Debian's clang too, as `make fuzz` does: GCC accepts some C++20 that clang 14 refuses
#     (a lambda capturing a structured binding broke `make fuzz` for four days unnoticed).
# Only the programs the chosen tests run are built: each program a test runs is registered in
# CMake with tousu_test_program(), with the labels of its tests; ASan builds target
# test_programs (all of them), TSan test_programs_unit and test_programs_integration. Before the
# tests run, a chosen test whose program was not built fails the run by name; bench_file_cost's
# tests once ran as "Not Run" in CI when the list was kept here by hand. CTest itself can name a
# test's program only once it is built (gtest_discover_tests finds the unit and integration tests
# by running their binaries), which is why the list lives in CMake and not in a CTest query.
# Both build at -O1 -g1 (CMakeLists.txt): about half the build time of -O2 -g.
# Every sanitizer report of every process goes to a log file (log_path), so a report from a
# server child process fails the run as surely as one in the test process. Zero reports passes.
#   tests/sanitize.sh [asan|tsan]...   (default: both)
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(asan tsan)
status=0

# The chosen tests (CTest arguments ARGS... in build tree DIR) whose program is not built: CTest
# shows such a test without a command. Prints their names; succeeds when there is none.
unbuilt_tests() {
  local dir=$1; shift
  (cd "$dir" && ctest --show-only=json-v1 "$@") | python3 -c '
import json, sys
tests = json.load(sys.stdin)["tests"]
missing = [t["name"] for t in tests if not t.get("command")]
print("\n".join(missing))
sys.exit(1 if missing or not tests else 0)'
}

run_kind() {
  local kind=$1 dir option labels targets compilers
  case "$kind" in
    asan) dir=build-asan; option=address; labels=(); targets=(test_programs)
          compilers=(-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++) ;;
    # tousu_fuzz_replay too, though TSan runs no fuzz-corpus test: so that clang compiles the
    # fuzz harness (fuzz/*.cc) in CI as well.
    tsan) dir=build-tsan; option=thread; labels=(-L "unit|integration")
          targets=(test_programs_unit test_programs_integration tousu_fuzz_replay)
          compilers=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
    *) echo "sanitize.sh: unknown kind $kind (asan, tsan)" >&2; return 2 ;;
  esac
  # A tree configured with another compiler cannot switch in place: start it over.
  local want_clang=0 was_clang=0
  [ "$kind" = tsan ] && want_clang=1
  [ -f "$dir/CMakeCache.txt" ] && grep -q '^CMAKE_CXX_COMPILER:.*clang' "$dir/CMakeCache.txt" && was_clang=1
  if [ -f "$dir/CMakeCache.txt" ] && [ $was_clang -ne $want_clang ]; then
    echo "== $kind: $dir was configured with another compiler; building it again"
    rm -rf "$dir"
  fi
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOUSU_SANITIZE="$option" "${compilers[@]}" \
    >"$dir.cmake.log" 2>&1 || { cat "$dir.cmake.log"; return 1; }
  echo "== $kind: building ${targets[*]} in $dir"
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}" || return 1
  local missing
  if ! missing=$(unbuilt_tests "$dir" "${labels[@]}"); then
    echo "== $kind: no tests chosen, or tests whose program was not built (register it with" \
         "tousu_test_program() in CMake):" >&2
    echo "$missing" >&2
    return 1
  fi
  local reports="$PWD/$dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  echo "== $kind: tests (reports to $reports)"
  # The suppressions file lists reports judged false, each with its reason; it starts empty.
  (cd "$dir" &&
     ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
     UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1" \
     LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp" \
     TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$PWD/../tests/tsan.supp" \
     ctest --output-on-failure --no-tests=error -j "$jobs" "${labels[@]}" --timeout 900)
  local rc=$?
  local found
  found=$(find "$reports" -type f | wc -l)
  if [ "$found" -gt 0 ]; then
    echo "== $kind: $found sanitizer report file(s):"
    for f in "$reports"/*; do echo "--- $f"; head -60 "$f"; done
    rc=1
  fi
  [ $rc -eq 0 ] && echo "== $kind: all tests passed, no sanitizer report"
  return $rc
}

for k in "${kinds[@]}"; do
  run_kind "$k" || status=1
done
exit $status
