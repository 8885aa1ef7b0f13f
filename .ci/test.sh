#!/usr/bin/env bash
# Builds nicsim twice and runs every test in both: a normal build (with the
# Verilator twins), then AddressSanitizer + UndefinedBehaviorSanitizer.
# Everything the tests read is in the repository.
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
