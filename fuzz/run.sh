#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed budget (make fuzz). Each target starts from its seed
# corpus (fuzz/corpus/NAME) and its past crashes (fuzz/regressions/NAME); new inputs go to a
# work corpus in the build dir, never into the repo unless FUZZ_MERGE=1, which minimises them
# into fuzz/corpus/NAME (FUZZ_MERGE_FLAGS adds libFuzzer flags to that merge: -use_counters=0
# keeps only inputs that reach new code, for a small corpus). A crash, leak, UB report or
# FUZZ_CHECK failure fails the run and names the input to copy into fuzz/regressions/NAME (and to
# turn into a unit test) once fixed.
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]}
seconds=${2:?seconds per target}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/fuzz/fuzz_*; do targets+=("$(basename "$f" | sed 's/^fuzz_//')"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz/run.sh: no $bin (build the fuzz_targets target)" >&2; exit 2; }
  work="$build/fuzz-work/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  dirs=("$work/corpus" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  echo "== fuzz $t for ${seconds}s"
  "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "${dirs[@]}" >"$work/log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$work/log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$work/log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$work/log" | tail -1 | grep -oE 'cov: [0-9]+' | awk '{print $2}')
  corpus=$(find "$work/corpus" -type f | wc -l)
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-12s FAILED (exit %s) execs=%s; see %s/log, input in %s/artifacts' "$t" "$rc" "${execs:-?}" "$work" "$work")")
    grep -m5 -E 'ERROR: |FUZZ_CHECK|runtime error' "$work/log" | sed 's/^/   /'
  else
    summary+=("$(printf '%-12s ok  execs=%-9s exec/s=%-6s cov=%-6s new-corpus=%s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus")")
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
      # shellcheck disable=SC2086 # FUZZ_MERGE_FLAGS is a list of flags
      "$bin" -merge=1 ${FUZZ_MERGE_FLAGS:-} "fuzz/corpus/$t" "$work/corpus" >>"$work/log" 2>&1
    fi
  fi
done
echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no finding"
