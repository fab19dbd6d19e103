# tousu: the two commands of the README's quick start, and the longer runs beside them.
#   make run    install what is missing, build, initialise ./data with demo data, serve on 127.0.0.1:8080
#   make test   install what is missing, build, run every test (ends with CTest's summary)
#   make bench  build and run the benchmarks (bench-log: transparency log appends and proofs)
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
DATA       ?= data
LISTEN     ?= 127.0.0.1:8080
CMAKE_ARGS ?=

.PHONY: all deps build run test bench bench-log clean help

all: build

help:
	@sed -n '1,5p' Makefile

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >$(BUILD).cmake.log 2>&1 || { cat $(BUILD).cmake.log; exit 1; }
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@$(BUILD)/tousu init --data $(DATA)
	@$(BUILD)/tousu demo --data $(DATA)
	@exec $(BUILD)/tousu serve --data $(DATA) --listen $(LISTEN)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: bench-log

bench-log: build
	@$(BUILD)/tousu_log_bench

clean:
	rm -rf $(BUILD) $(BUILD).cmake.log
