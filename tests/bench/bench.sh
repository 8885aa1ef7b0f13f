#!/usr/bin/env bash
# nicsim throughput benchmark (figures, not a test). Prints packets/s of
# `nicsim run` and `nicsim info` on the largest shared packet-rate capture,
# plain and gzipped, next to `zcat FILE >/dev/null`, the queue-count scaling
# of issue #3 and, if built, the run with the RTL twins in the loop and the
# RTL shims' operations per second.
# Medians of RUNS runs; the capture is replayed LOOPS times per run.
# usage: tests/bench/bench.sh [BUILD_DIR] [LOOPS] [RUNS]
#   BENCH_PARTS="run scale rtl info" (the default: all) picks the parts.
# Wall-clock figures on a shared virtual machine drift by tens of percent from
# minute to minute: compare figures taken in the same invocation.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
loops=${2:-20}
runs=${3:-5}
shared=${NICSIM_SHARED:-$here/../shared}
gz=$shared/traces/bench/zeek-echo-connections.pcap.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plain=$tmp/zeek-echo-connections.pcap
zcat "$gz" >"$plain"
nicsim=$build/nicsim
pkts=$("$nicsim" info --top 0 "$plain" | awk '/^packets/ {print $2}')

now_ns() { date +%s%N; }
median_s() { # cmd... : median wall seconds of $runs runs
  local i s e
  for i in $(seq "$runs"); do s=$(now_ns); "$@" >/dev/null; e=$(now_ns); echo $((e - s)); done |
    sort -n | awk '{a[NR]=$1} END {printf "%.4f\n", a[int((NR+1)/2)] / 1e9}'
}
measure() { # label packets cmd...
  local label=$1 n=$2; shift 2
  local t; t=$(median_s "$@")
  awk -v l="$label" -v n="$n" -v t="$t" 'BEGIN {printf "%-52s %10.0f packets/s %8.0f ns/packet (median %.3f s)\n", l, n/t, t*1e9/n, t}'
}
parts=" ${BENCH_PARTS:-run scale rtl info} "
want() { [[ $parts == *" $1 "* ]]; }
echo "capture: $gz ($pkts packets; nicsim run loops it $loops times; median of $runs runs)"
n=$((pkts * loops))
if want run; then
measure "nicsim run, plain, capture timing" $n "$nicsim" run --quiet --loops "$loops" "$plain"
measure "nicsim run, gzip, capture timing" $n "$nicsim" run --quiet --loops "$loops" "$gz"
measure "nicsim run, plain, back to back at line rate" $n "$nicsim" run --quiet --loops "$loops" --set replay.timing=linerate "$plain"
fi
# Queue scaling (issue #3): the per-frame cost is the marginal one, (time of
# LOOPS + 2 loops - time of 2 loops) / (LOOPS frames' worth), so that setting
# up 1024 queues (about 60 ms, mostly first-touch page faults of rings and
# arrays) is not counted against every frame. Rounds interleave the queue
# counts so a drift of the machine hits them alike; median and minimum over
# RUNS rounds (noise on a shared machine only ever adds time, so the minimum is
# the steadier figure when the machine is busy).
if want scale; then
echo "queue scaling, marginal cost per frame (8 CPUs; irq.mode=off keeps the simulated work per frame the same at every queue count; the default 128-entry table feeds at most 128 queues):"
scale_cfgs=("1" "8" "64" "1024")
for mode in "" "irq.mode=off"; do
  : >"$tmp/scale"
  for r in $(seq "$runs"); do
    for q in "${scale_cfgs[@]}"; do
      extra=(--set rss.queues="$q"); [ -n "$mode" ] && extra+=(--set "$mode")
      s=$(now_ns); "$nicsim" run --quiet --loops 2 "${extra[@]}" "$plain" >/dev/null; e=$(now_ns); a=$((e - s))
      s=$(now_ns); "$nicsim" run --quiet --loops $((loops + 2)) "${extra[@]}" "$plain" >/dev/null; e=$(now_ns)
      echo "$q $(( (e - s) - a ))" >>"$tmp/scale"
    done
  done
  base=""
  for q in "${scale_cfgs[@]}"; do
    read -r ns lo < <(awk -v q="$q" -v n="$n" '$1 == q {print $2 / n}' "$tmp/scale" | sort -n |
      awk '{a[NR]=$1} END {printf "%.1f %.1f\n", a[int((NR+1)/2)], a[1]}')
    [ -z "$base" ] && { base=$ns; base_lo=$lo; }
    awk -v l="  rss.queues=$q ${mode:-(default moderation)}" -v ns="$ns" -v b="$base" -v lo="$lo" -v blo="$base_lo" \
      'BEGIN {printf "%-44s %8.1f ns/packet median (%+5.1f%%), %8.1f min (%+5.1f%%) vs 1 queue\n", l, ns, (ns/b - 1) * 100, lo, (lo/blo - 1) * 100}'
  done
done
fi
if want rtl && "$nicsim" run --quiet --backend rtl:rss,csum "$here/traces/pcpp-sll.pcap" 2>/dev/null; then
  measure "nicsim run, plain, --backend rtl:rss,reta,csum" $n "$nicsim" run --quiet --loops "$loops" --backend rtl:rss,reta,csum "$plain"
  measure "nicsim run, plain, --backend rtl:rss,csum" $n "$nicsim" run --quiet --loops "$loops" --backend rtl:rss,csum "$plain"
  measure "nicsim run, plain, C blocks (same build)" $n "$nicsim" run --quiet --loops "$loops" "$plain"
  if [ -x "$build/tests/bench_rtl_shims" ]; then "$build/tests/bench_rtl_shims"; fi
fi
if want info; then
measure "nicsim info, plain" "$pkts" "$nicsim" info --top 0 "$plain"
measure "nicsim info, gzip" "$pkts" "$nicsim" info --top 0 "$gz"
measure "zcat >/dev/null (reference)" "$pkts" zcat "$gz"
fi
