#!/usr/bin/env bash
# Installs what nicsim needs to build and test on Debian 12 (run as root).
# Idempotent: packages already present are left alone.
set -euo pipefail
# tshark: test_gen's judge of generated captures (malformed packets, checksums).
pkgs=(cmake make gcc g++ pkg-config zlib1g-dev libjansson-dev libcmocka-dev libpcap-dev verilator clang libclang-rt-14-dev
      tshark)
# SystemC/TLM-2.0 (2.3.4): the SystemC modules and nicsim-systemc (sim/systemc/).
pkgs+=(libsystemc-dev)
# Slurm for test_sweep's one-node cluster on localhost (tests/slurm/localhost.sh):
# the smallest set, without the 40-odd packages slurm-wlm recommends.
pkgs+=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "nicsim setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
