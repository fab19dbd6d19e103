#!/usr/bin/env bash
# make test-sanitize: the test suites under sanitizers, in their own build trees.
#  1. ASan+UBSan (build-asan): every CTest test (unit, integration, fuzz corpus replay, the bench
#     tools' argument checks), and the tousu servers the integration tests start are
#     instrumented too.
#  2. TSan (build-tsan): the tests that run threads against each other: the integration suite
#     (a multi-threaded server, its writer and sweeper threads, concurrent clients and the
#     crash test) and the unit tests.
# Only what the chosen tests run is built: the binaries their commands name, read from CTest
# (test_binaries below), plus the tousu server the integration tests start. A test added with a
# new binary is covered without anyone listing it (bench_file_cost's tests once failed CI as
# "Not Run" when the list was kept by hand).
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

# The executables of the build tree DIR that the commands of its tests (CTest arguments ARGS...)
# run, by target name; a command may name one inside a shell line (sh -c "... ; test $? ...").
test_binaries() {
  local dir=$1; shift
  (cd "$dir" && ctest --show-only=json-v1 "$@") | python3 -c '
import json, os, re, sys
root = os.path.realpath(sys.argv[1]) + "/"
names = set()
for test in json.load(sys.stdin)["tests"]:
    for word in test.get("command", []):
        names.update(os.path.basename(p) for p in re.findall(re.escape(root) + r"[^\s\"\x27;]+", word))
print(" ".join(sorted(names)))' "$dir"
}

run_kind() {
  local kind=$1 dir option labels
  case "$kind" in
    asan) dir=build-asan; option=address; labels=() ;;
    tsan) dir=build-tsan; option=thread; labels=(-L "unit|integration") ;;
    *) echo "sanitize.sh: unknown kind $kind (asan, tsan)" >&2; return 2 ;;
  esac
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOUSU_SANITIZE="$option" >"$dir.cmake.log" 2>&1 \
    || { cat "$dir.cmake.log"; return 1; }
  local targets
  targets="tousu $(test_binaries "$dir" "${labels[@]}")" || return 1
  echo "== $kind: building $targets in $dir"
  # shellcheck disable=SC2086  # the target list is meant to split
  cmake --build "$dir" -j "$jobs" --target $targets || return 1
  local reports="$PWD/$dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  echo "== $kind: tests (reports to $reports)"
  # The suppressions file lists reports judged false, each with its reason; it starts empty.
  (cd "$dir" &&
     ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
     UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1" \
     LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp" \
     TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$PWD/../tests/tsan.supp" \
     ctest --output-on-failure -j "$jobs" "${labels[@]}" --timeout 900)
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
