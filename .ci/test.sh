#!/usr/bin/env bash
# Builds nicsim twice and runs every test in both: a normal build (with the
# Verilator twins), then AddressSanitizer + UndefinedBehaviorSanitizer. Then,
# where clang has libFuzzer, builds the fuzz targets (tests/fuzz) and runs each
# for a short smoke time (NICSIM_FUZZ_SECONDS, 25 s by default), failing on a
# crash, a hang or a broken property. Everything the tests read is in the
# repository.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (release, RTL twins on)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build (ASan + UBSan)"
# The Verilated C++ is generated code and slow to build twice on 2 cores;
# the sanitizer pass covers nicsim's own C (the RTL tests ran above).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNICSIM_SANITIZE=ON -DNICSIM_RTL=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs")

echo "== fuzz targets (libFuzzer)"
fuzz_secs=${NICSIM_FUZZ_SECONDS:-25}
probe='int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }'
if command -v clang >/dev/null && echo "$probe" | clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DNICSIM_FUZZ=ON -DNICSIM_TESTS=OFF >/dev/null
  cmake --build build-fuzz -j"$jobs"
  cmake --build build-fuzz --target fuzz_corpus
  fz=build-fuzz/tests/fuzz
  mkdir -p "$fz/work" "$fz/crashes"
  for t in reader parse config run; do
    # A fresh copy of the seeds each time: what a smoke run adds is not kept.
    rm -rf "${fz:?}/work/$t"
    cp -r "$fz/corpus/$t" "$fz/work/$t"
    echo "-- fuzz_$t for $fuzz_secs s"
    if ! "$fz/fuzz_$t" -max_total_time="$fuzz_secs" -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$fz/crashes/$t-" -print_final_stats=1 "$fz/work/$t" >"$fz/fuzz_$t.log" 2>&1; then
      tail -n 60 "$fz/fuzz_$t.log"
      echo "fuzz_$t failed; the input is in $fz/crashes/ (docs/fuzzing.md: make it a regression test)"
      exit 1
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE' "$fz/fuzz_$t.log" | tail -n 1
  done
else
  echo "clang with libFuzzer not found: fuzz targets skipped (.ci/setup.sh installs clang and libclang-rt-14-dev)"
fi
