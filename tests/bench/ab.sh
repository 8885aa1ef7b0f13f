#!/usr/bin/env bash
# Two nicsim binaries on the same capture, runs interleaved (A, B, A, B, ...)
# so that both see the same machine: on a shared virtual machine the speed
# drifts by tens of percent between minutes, adjacent runs see the same.
# Prints per part the median wall time of each, packets/s, and B's change.
# usage: tests/bench/ab.sh NICSIM_A NICSIM_B CAPTURE [LOOPS] [RUNS]
#   AB_PARTS="plain gzip linerate info" (the default: all) picks the parts;
#   a gzip CAPTURE is unpacked for the plain parts, a plain one packed for gzip.
set -euo pipefail
a=$1 b=$2 cap=$3 loops=${4:-20} runs=${5:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if gzip -t "$cap" 2>/dev/null; then
  gz=$cap; plain=$tmp/plain.pcap; gzip -dc "$cap" >"$plain"
else
  plain=$cap; gz=$tmp/packed.pcap.gz; gzip -c "$cap" >"$gz"
fi
pkts=$("$a" info --top 0 "$plain" 2>/dev/null | awk '/^packets/ {print $2}')
now_ns() { date +%s%N; }
parts=" ${AB_PARTS:-plain gzip linerate info} "
echo "A: $a"
echo "B: $b"
echo "capture: $cap ($pkts packets; run loops it $loops times; $runs interleaved runs each)"
part() { # label packets args...
  local label=$1 n=$2; shift 2
  local i s e
  : >"$tmp/t"
  for i in $(seq "$runs"); do
    for w in A B; do
      bin=$a; [[ $w == B ]] && bin=$b
      s=$(now_ns); "$bin" "$@" >/dev/null 2>&1; e=$(now_ns)
      echo "$w $((e - s))" >>"$tmp/t"
    done
  done
  awk -v l="$label" -v n="$n" '
    function median(v, k,   i, j, t) { for (i = 2; i <= k; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
                                       return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }
    $1 == "A" { a[++na] = $2 } $1 == "B" { b[++nb] = $2 }
    END { ma = median(a, na) / 1e9; mb = median(b, nb) / 1e9
          printf "%-34s A %9.0f pkt/s (%.3f s)  B %9.0f pkt/s (%.3f s)  B/A time %+.1f%%\n", l, n / ma, ma, n / mb, mb, (mb / ma - 1) * 100 }' "$tmp/t"
}
n=$((pkts * loops))
[[ $parts == *" plain "* ]] && part "run, plain, capture timing" $n run --quiet --loops "$loops" "$plain"
[[ $parts == *" gzip "* ]] && part "run, gzip, capture timing" $n run --quiet --loops "$loops" "$gz"
[[ $parts == *" linerate "* ]] && part "run, plain, line rate" $n run --quiet --loops "$loops" --set replay.timing=linerate "$plain"
[[ $parts == *" info "* ]] && part "info, gzip" "$pkts" info --top 0 "$gz"
exit 0
