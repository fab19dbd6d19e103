# tousu: the two commands of the README's quick start, and the longer runs beside them.
#   make run    install what is missing, build, initialise ./data with demo data, serve on 127.0.0.1:8080
#   make test   install what is missing, build, run every test (ends with CTest's summary)
# Longer runs, each in its own target (docs/benchmarks.md, docs/testing.md):
#   make test-sanitize  unit + integration suites under ASan+UBSan, concurrency tests under TSan
#   make fuzz           every libFuzzer target for FUZZ_SECONDS (default 60) with ASan+UBSan
#   make crash-test     kill -9 the server under load CRASH_KILLS (default 20) times, check nothing is lost
#   make bench          load benchmarks on a Release build; table in bench/results/; then bench-log
#   make bench-peer     the same filing/read load against Request Tracker 5 (installed, then removed)
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
DATA       ?= data
LISTEN     ?= 127.0.0.1:8080
CMAKE_ARGS ?=

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
CRASH_KILLS ?= 20

BENCH_BUILD ?= build-release
BENCH_COMPLAINTS ?= 1000000
BENCH_ARGS ?=

.PHONY: all deps build run test clean help fuzz crash-test test-sanitize bench bench-log bench-peer

all: build

help:
	@sed -n '1,9p' Makefile

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >$(BUILD).cmake.log 2>&1 || { cat $(BUILD).cmake.log; exit 1; }
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@$(BUILD)/tousu init --data $(DATA)
	@$(BUILD)/tousu demo --data $(DATA) --listen $(LISTEN)
	@exec $(BUILD)/tousu serve --data $(DATA) --listen $(LISTEN)

test: build
	@scripts/deps.sh --extra test
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD).cmake.log

# libFuzzer needs clang; a separate build tree, everything instrumented with ASan+UBSan.
fuzz:
	@scripts/deps.sh --extra fuzz
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOUSU_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >build-fuzz.cmake.log 2>&1 \
	  || { cat build-fuzz.cmake.log; exit 1; }
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	@fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The crash-safety test of make test (3 kills), with more kills: CRASH_KILLS=20.
crash-test: build
	@cd $(BUILD) && TOUSU_CRASH_KILLS=$(CRASH_KILLS) ./tousu_integration_tests --gtest_filter='CrashSafety.*'

# Unit, integration and fuzz-corpus tests under ASan+UBSan, then under TSan built with clang
# (tests/sanitize.sh).
test-sanitize:
	@scripts/deps.sh --extra fuzz --extra test
	@JOBS=$(JOBS) tests/sanitize.sh

# Load benchmarks against a Release build (bench/run.py; docs/benchmarks.md).
bench:
	@scripts/deps.sh --extra bench
	@$(MAKE) --no-print-directory build BUILD=$(BENCH_BUILD) BUILD_TYPE=Release
	@bench/run.py --build $(BENCH_BUILD) --complaints $(BENCH_COMPLAINTS) $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-log

# Transparency log appends and proofs at 10^6 leaves (part of make bench): 3 repetitions,
# medians; table and raw JSON in bench/results/ (bench/log_table.py; latest-log.md).
bench-log:
	@$(MAKE) --no-print-directory build BUILD=$(BENCH_BUILD) BUILD_TYPE=Release
	@bench/log_table.py --build $(BENCH_BUILD)

# The same filing and read loads against Request Tracker 5, installed for the run and removed.
bench-peer:
	@scripts/deps.sh --extra bench
	@$(MAKE) --no-print-directory build BUILD=$(BENCH_BUILD) BUILD_TYPE=Release
	@bench/peer_rt.sh $(BENCH_BUILD)
