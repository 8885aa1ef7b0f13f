#!/usr/bin/env python3
"""Write a SYN flood as a classic pcap: N TCP SYNs, each from its own source
address (10.0.0.0/8 upwards, then 11.0.0.0/8, ...) and port, to 192.168.0.1:80,
one every GAP_NS nanoseconds. For the memory benchmark (docs/performance.md):
a run's peak memory must not grow with the number of distinct sources.

usage: tests/bench/synflood.py N OUT.pcap [GAP_NS]   (default gap 1000 ns)
Checksums are left zero (the NIC counts them as bad, which costs the same)."""
import struct
import sys


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    gap_ns = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    # pcap header: nanosecond magic, 2.4, snaplen 65535, Ethernet.
    hdr = struct.pack('<IHHiIII', 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
    eth = bytes.fromhex('020000000001' '020000000002' '0800')
    dst = bytes([192, 168, 0, 1])
    with open(out, 'wb', buffering=1 << 20) as f:
        f.write(hdr)
        for i in range(n):
            a = (10 << 24) + i
            src = struct.pack('>I', a)
            ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, src, dst)
            tcp = struct.pack('>HHIIBBHHH', 1024 + i % 60000, 80, i, 0, 0x50, 0x02, 65535, 0, 0)
            frame = eth + ip + tcp
            t = 1_700_000_000 * 10**9 + i * gap_ns
            f.write(struct.pack('<IIII', t // 10**9, t % 10**9, len(frame), len(frame)))
            f.write(frame)


if __name__ == '__main__':
    main()
