#!/usr/bin/env bash
# tests/tools/info_memory.sh — what `nicsim info --flows` costs a flow: peak
# resident memory (/usr/bin/time -v) on generated captures of N distinct
# flows (tests/tools/flow_capture.c, one TCP SYN a flow), and the cost of a
# flow as the slope between the smallest and each larger N. The captures
# are written to a temporary directory and removed.
#
# usage: tests/tools/info_memory.sh NICSIM_BINARY [N...]   (default 250000 1000000 2000000)
set -eu
bin=$1
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250000 1000000 2000000)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/flow_capture" "$here/flow_capture.c"
printf '%-6s %10s %14s %14s\n' family flows peak_rss_kib bytes_a_flow
for fam in ipv4 ipv6; do
  base_n= base_kib=
  for n in "${sizes[@]}"; do
    "$tmp/flow_capture" "$n" "$tmp/c.pcap" "$fam"
    /usr/bin/time -v "$bin" info --flows /dev/null "$tmp/c.pcap" >/dev/null 2>"$tmp/time"
    kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
    if [ -z "$base_n" ]; then
      base_n=$n base_kib=$kib per=-
    else
      per=$(( (kib - base_kib) * 1024 / (n - base_n) ))
    fi
    printf '%-6s %10s %14s %14s\n' "$fam" "$n" "$kib" "$per"
  done
done
