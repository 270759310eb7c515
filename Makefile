# aibridge: `make run` to start the gateway, `make test` to run the test suite.
JOBS ?= 2
BUILD ?= build
CONFIG ?= configs/aibridge.toml
CMAKE_FLAGS ?=

.PHONY: run build install test test-asan test-tsan bench profile fuzz soak format clean

run: build
	$(BUILD)/aibridge serve --config $(CONFIG)

build:
	@scripts/install-deps.sh build
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The binary and the example configuration under PREFIX (cmake --install).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

test:
	@scripts/install-deps.sh test
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build directory.
test-asan:
	@scripts/install-deps.sh test
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DAIBRIDGE_SANITIZE="address;undefined" -DAIBRIDGE_BUILD_BENCH=OFF >/dev/null
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS) -LE no_sanitizer

# The recorder and the multi-threaded server (2 network threads, the writer, the dump thread, the
# tool loop on both shards)
# under ThreadSanitizer, in its own build directory. (Not the kill -9 test: its 200 ms promise
# assumes a writer at full speed, not one slowed tenfold by the sanitizer.)
TSAN_TESTS = ^(RecorderTest|Backends/StoreTest|SqliteStoreTest|PostgresSessions|Server|RunningServer|Shutdown|Lifecycle|RequestLog|Faults|AdminApi|McpInjection|McpStart)\.|^CrashConsistency\.Sigterm
# GCC 12's TSan runtime cannot map its shadow memory on kernels with high mmap entropy; run
# without address randomisation where the kernel allows it.
NO_ASLR := $(shell setarch $$(uname -m) -R true 2>/dev/null && echo setarch $$(uname -m) -R)
test-tsan:
	@scripts/install-deps.sh test
	@cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DAIBRIDGE_SANITIZE=thread -DAIBRIDGE_BUILD_BENCH=OFF >/dev/null
	cmake --build build-tsan -j $(JOBS) --target aibridge mock_upstream recorder_test integration_test
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  $(NO_ASLR) ctest --test-dir build-tsan --output-on-failure -j $(JOBS) -R '$(TSAN_TESTS)'

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz

# libFuzzer targets built with clang in build-fuzz, each run for FUZZ_SECONDS from the seeds in
# tests/fuzz/seeds (CI runs them briefly; run longer on demand: make fuzz FUZZ_SECONDS=600).
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps.sh test
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DAIBRIDGE_BUILD_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	@for target in build-fuzz/tests/fuzz/*_fuzz; do \
	  name=$$(basename $$target); mkdir -p build-fuzz/corpus/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
	  if ! $$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/ \
	      build-fuzz/corpus/$$name tests/fuzz/seeds/$$name > build-fuzz/$$name.log 2>&1; then \
	    tail -n 40 build-fuzz/$$name.log; exit 1; \
	  fi; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/$$name.log; \
	done

# Benchmarks (SPEC §8): every lane side by side; writes bench/RESULTS.md. REPEATS=3 by default.
bench:
	@scripts/install-deps.sh bench
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	BUILD=$(BUILD) bench/run.sh

# Where the gateway's CPU goes (perf, flame graph in bench/out-profile); writes the Profile section
# of RESULTS.md, beside an older version's profile when PROFILE_BEFORE names its output.
PROFILE_BEFORE ?=
profile:
	@scripts/install-deps.sh bench
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	BUILD=$(BUILD) bench/profile.sh
	python3 bench/report.py --profile bench/out-profile $(PROFILE_BEFORE)

# Soak (≥ 10 minutes of mixed load with aborts and faults); writes the Soak section of RESULTS.md.
SOAK_SECONDS ?= 600
soak:
	@scripts/install-deps.sh bench
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	BUILD=$(BUILD) SOAK_SECONDS=$(SOAK_SECONDS) bench/soak.sh
