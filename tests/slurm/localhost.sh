#!/bin/sh
# A one-node Slurm cluster on localhost, started for one sweep and stopped
# after it: tests/test_sweep.c runs it to hold `nicsim sweep --slurm` and
# `--collect` to the local sweep's table.
#
# usage: tests/slurm/localhost.sh NICSIM OUT_DIR -- SWEEP_ARGS...
#   runs NICSIM sweep --slurm --out OUT_DIR SWEEP_ARGS..., submits the array
#   with sbatch --wait, then NICSIM sweep --collect OUT_DIR.
# Exit 0 when the table was built; 77 (skipped) when Slurm cannot start here,
# with the reason on stdout; anything else is a failure.
#
# The configuration is the smallest one that works without systemd and
# cgroups on Debian 12's slurm-wlm 22.05 (proctrack/linuxproc, cons_tres so
# that tasks share the node, MinJobAge=5 so sbatch --wait returns promptly;
# ports 16817/16818 so a site's own Slurm is not disturbed); docs/sweep.md.
set -eu
nicsim=$1 out=$2
shift 2
[ "${1:-}" = "--" ] && shift

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root: slurmd and munged need root to start here"
for c in slurmctld slurmd sbatch sinfo squeue munged munge; do
  command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (.ci/setup.sh installs slurmctld slurmd slurm-client munge)"
done

tmp=$(mktemp -d)
C= D= M=
cleanup() {
  [ -n "$M" ] && [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  [ -n "$D" ] && kill "$D" 2>/dev/null || true
  [ -n "$C" ] && kill "$C" 2>/dev/null || true
  [ -n "$D" ] && wait "$D" 2>/dev/null || true
  [ -n "$C" ] && wait "$C" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# munge: the key the package made, its run directory, the daemon as user munge.
mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
[ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create >/dev/null 2>&1 || skip "no munge key and mungekey failed"
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged >/dev/null 2>&1 || skip "munged does not start"
  M=started   # ours: stopped again at the end
  i=0; until munge -n 2>/dev/null | unmunge >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 50 ] || skip "munged does not answer"; sleep 0.1; done
fi

host=$(hostname -s)
node=$(slurmd -C 2>/dev/null | head -n 1)
case $node in NodeName=*) ;; *) skip "slurmd -C does not describe this node";; esac
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=nicsimci
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D >"$tmp/ctld.err" 2>&1 & C=$!
slurmd -D >"$tmp/d.err" 2>&1 & D=$!
i=0
until [ "$(sinfo -h -n "$host" -o %T 2>/dev/null)" = idle ]; do
  i=$((i + 1))
  if [ $i -ge 300 ] || ! kill -0 "$C" 2>/dev/null || ! kill -0 "$D" 2>/dev/null; then
    echo "slurmctld log:"; tail -n 5 "$tmp/slurmctld.log" 2>/dev/null || true
    echo "slurmd log:"; tail -n 5 "$tmp/slurmd.log" 2>/dev/null || true
    skip "the node did not come up idle within 30 s"
  fi
  sleep 0.1
done

"$nicsim" sweep --slurm --quiet --out "$out" "$@"
# A task that cannot start leaves no report: the wait is bounded, and the
# collect step counts the reports.
timeout 600 sbatch --wait --quiet "$out/sweep.sbatch"
"$nicsim" sweep --collect "$out"
