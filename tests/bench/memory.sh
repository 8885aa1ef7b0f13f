#!/usr/bin/env bash
# Peak memory (maximum resident set, /usr/bin/time -v) of `nicsim run` on SYN
# floods of 250,000 and 2,000,000 distinct sources, written by synflood.py
# into a temporary directory (140 MB for the larger). A figure, not a test:
# test_replay holds the bound (docs/performance.md).
# usage: tests/bench/memory.sh [BUILD_DIR]   (needs python3 and GNU time, Debian package time)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 250000 2000000; do
  python3 "$here/tests/bench/synflood.py" "$n" "$tmp/flood.pcap"
  kib=$(/usr/bin/time -v "$build/nicsim" run --quiet "$tmp/flood.pcap" 2>&1 >/dev/null |
        awk '/Maximum resident set size/ {print $NF}')
  awk -v n="$n" -v k="$kib" 'BEGIN {printf "%9d sources: peak RSS %6.1f MB\n", n, k / 1000}'
done
