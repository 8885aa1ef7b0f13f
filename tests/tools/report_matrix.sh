#!/usr/bin/env bash
# tests/tools/report_matrix.sh — the JSON report of a set of configurations
# that between them change every configuration key, on every capture given,
# one file per (configuration, capture) in OUTDIR. A refactoring that must
# leave behaviour unchanged is checked by running this with the binary from
# before and after and comparing the two directories (`diff -r`); the peak
# memory line is dropped from each report, as `nicsim check` ignores it.
#
# usage: tests/tools/report_matrix.sh NICSIM_BINARY OUTDIR CAPTURE...
set -u
bin=$1 out=$2
shift 2
mkdir -p "$out"
# name|settings (space-separated --set values)
configs=(
  "default|"
  "stop|run.stop_us=2000"
  "linerate|replay.timing=linerate"
  "scaled|replay.timing=scaled replay.speed_pct=50"
  "loops|replay.loops=3 replay.gap_us=100"
  "gige|mac.rate_mbps=1000"
  "nooverhead|mac.overhead_bytes=0 mac.fcs_bytes=0"
  "smallfifo|mac.rx_fifo_bytes=16384 replay.timing=linerate"
  "slowclock|nic.clock_mhz=50 replay.timing=linerate"
  "deepparse|nic.parse_depth_cycles=100"
  "narrow|nic.csum_width_bytes=2 nic.rss_width_bytes=1"
  "indir|nic.indir_latency_cycles=5"
  "nocsum|nic.rx_csum=false"
  "slowdma|pcie.gen=1 pcie.lanes=2 pcie.read_latency_ns=2000 replay.timing=linerate"
  "pcietlp|pcie.mps=128 pcie.mrrs=128 pcie.rcb=128 pcie.read_tags=8 pcie.dllp_permille=0 pcie.addr64=false"
  "q1|rss.queues=1"
  "q64|rss.queues=64 rss.table_size=512"
  "q1024|rss.queues=1024 rss.table_size=2048 host.cpus=64"
  "key52|rss.key=3f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
  "ip2tuple|rss.hash_types=ipv4|ipv6"
  "nohash|rss.hash_types=none"
  "ex|rss.hash_types=ipv4|tcp_ipv4|udp_ipv4|ipv6|tcp_ipv6|udp_ipv6|ipv6_ex|tcp_ipv6_ex|udp_ipv6_ex"
  "cpus|rss.base_cpu=2 rss.max_cpus=4"
  "defq|rss.default_queue=3 rss.hash_types=tcp_ipv4"
  "adaptive|irq.mode=adaptive"
  "adaptive_aggr|irq.mode=adaptive irq.adaptive_conservative=false"
  "adaptive_q1|irq.mode=adaptive rss.queues=1"
  "irqoff|irq.mode=off"
  "irqlong|irq.usecs=200 irq.frames=16"
  "hostsmall|host.cpus=2 host.clock_mhz=1000"
  "legacy|host.mode=legacy replay.timing=linerate"
  "ring16|host.ring_entries=16 replay.timing=linerate"
  "buf512|host.buf_bytes=512"
  "budget4|host.dpc_budget_pkts=4 replay.timing=linerate"
  "hostip|host.ip=10.77.0.1,fd77::1"
  "hostmac|host.ip=10.77.0.1 host.mac=02:00:00:00:00:01"
  "cost|cost.irq_cycles=7000 cost.rx_pkt_cycles=900 cost.rx_tcp_cycles=4000 cost.rx_other_cycles=2000 cost.copy_mcyc_per_byte=400 cost.csum_mcyc_per_byte=300 cost.dpc_cycles=1200"
  "policy|rebalance.policy=busiest_to_idlest rebalance.interval_us=200 replay.timing=linerate"
  "drain|rebalance.policy=busiest_to_idlest rebalance.interval_us=200 rebalance.move=drain rebalance.drain_timeout_us=50 replay.timing=linerate"
  "schedule|rebalance.schedule=1000:0-63=1"
)
for c in "${configs[@]}"; do
  name=${c%%|*} sets=${c#*|}
  args=()
  for s in $sets; do args+=(--set "$s"); done
  for t in "$@"; do
    b=$(basename "$t"); b=${b%%.*}
    "$bin" run --quiet "${args[@]}" --json "$out/$name.$b.json" "$t" >/dev/null 2>"$out/$name.$b.err"
    echo "exit $?" >>"$out/$name.$b.err"
    # the one value that differs from run to run (docs/report.md)
    [ -f "$out/$name.$b.json" ] && sed -i '/^ *"peak_rss_bytes": /d' "$out/$name.$b.json"
  done
done
