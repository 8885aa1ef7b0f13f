#!/usr/bin/env bash
# nicsim throughput benchmark (figures, not a test). Prints packets/s of
# `nicsim run` and `nicsim info` on the largest shared packet-rate capture,
# plain and gzipped, next to `zcat FILE >/dev/null`. Medians of RUNS runs.
# usage: tests/bench/bench.sh [BUILD_DIR] [LOOPS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
loops=${2:-40}
runs=${3:-5}
shared=${NICSIM_SHARED:-$here/../shared}
gz=$shared/traces/bench/zeek-echo-connections.pcap.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plain=$tmp/zeek-echo-connections.pcap
zcat "$gz" >"$plain"
nicsim=$build/nicsim
pkts=$("$nicsim" info --top 0 "$plain" | awk '/^packets/ {print $2}')

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_s() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
measure() { # label packets cmd...
  local label=$1 n=$2; shift 2
  local t; t=$(for _ in $(seq "$runs"); do time_s "$@"; done | median)
  printf "%-44s %12.0f packets/s  (median %.3f s, %d packets)\n" "$label" "$(echo "$n / $t" | bc -l)" "$t" "$n"
}
echo "capture: $gz ($pkts packets; runs looped $loops times; median of $runs)"
measure "nicsim run, plain" $((pkts * loops)) "$nicsim" run --quiet --loops "$loops" --set replay.timing=linerate "$plain"
measure "nicsim run, gzip" $((pkts * loops)) "$nicsim" run --quiet --loops "$loops" --set replay.timing=linerate "$gz"
measure "nicsim run, plain, 1 queue" $((pkts * loops)) "$nicsim" run --quiet --loops "$loops" --set rss.queues=1 --set host.cpus=1 "$plain"
for q in 8 64 1024; do
  measure "nicsim run, plain, $q queues" $((pkts * loops)) "$nicsim" run --quiet --loops "$loops" --set rss.queues=$q --set host.cpus=$q "$plain"
done
measure "nicsim info, plain" "$pkts" "$nicsim" info --top 0 "$plain"
measure "nicsim info, gzip" "$pkts" "$nicsim" info --top 0 "$gz"
measure "zcat >/dev/null (reference)" "$pkts" zcat "$gz"
