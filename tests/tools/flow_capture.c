/*
 * tests/tools/flow_capture.c — write a pcap of N distinct flows, one TCP
 * SYN each, for measuring what a flow costs (tests/tools/info_memory.sh).
 *
 *   flow_capture N OUT.pcap [ipv6]
 *
 * Flow i comes from address 10.0.0.0 + i (IPv4), or fd00::/64 + i (IPv6),
 * port 1024 + i % 60000, to 192.0.2.1:80 (or fd00:1::1:80), 1 us apart.
 * Frames are 54 bytes (IPv4) or 74 bytes (IPv6) with zero checksums: the
 * flow counts do not look at them. Plain C, so it builds wherever nicsim
 * does: `cc -O2 -o flow_capture tests/tools/flow_capture.c`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: flow_capture N OUT.pcap [ipv6]\n");
		return 2;
	}
	unsigned long long n = strtoull(argv[1], NULL, 10);
	int is_v6 = argc > 3 && !strcmp(argv[3], "ipv6");
	FILE *f = fopen(argv[2], "wb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	/* pcap header: little endian, us timestamps, v2.4, snaplen 65535, Ethernet */
	uint8_t h[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	le32(h + 16, 65535);
	le32(h + 20, 1);
	fwrite(h, 1, sizeof h, f);
	uint8_t rec[16 + 74];
	uint32_t len = is_v6 ? 74 : 54;
	for (unsigned long long i = 0; i < n; i++) {
		memset(rec, 0, sizeof rec);
		le32(rec, (uint32_t)(i / 1000000));
		le32(rec + 4, (uint32_t)(i % 1000000));
		le32(rec + 8, len);
		le32(rec + 12, len);
		uint8_t *e = rec + 16;
		memcpy(e, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
		uint8_t *tcp;
		if (is_v6) {
			e[12] = 0x86, e[13] = 0xdd;
			uint8_t *ip = e + 14;
			ip[0] = 0x60;
			ip[5] = 20; /* payload length */
			ip[6] = 6;  /* TCP */
			ip[7] = 64;
			ip[8] = 0xfd; /* source fd00::i */
			for (int b = 0; b < 8; b++)
				ip[8 + 15 - b] = (uint8_t)(i >> (8 * b));
			memcpy(ip + 24, "\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
			tcp = ip + 40;
		} else {
			e[12] = 0x08, e[13] = 0x00;
			uint8_t *ip = e + 14;
			ip[0] = 0x45;
			ip[3] = 40; /* total length */
			ip[8] = 64;
			ip[9] = 6; /* TCP */
			uint32_t src = 0x0a000000u + (uint32_t)i;
			ip[12] = (uint8_t)(src >> 24), ip[13] = (uint8_t)(src >> 16);
			ip[14] = (uint8_t)(src >> 8), ip[15] = (uint8_t)src;
			memcpy(ip + 16, "\xc0\x00\x02\x01", 4);
			tcp = ip + 20;
		}
		uint16_t sport = (uint16_t)(1024 + i % 60000);
		tcp[0] = (uint8_t)(sport >> 8), tcp[1] = (uint8_t)sport;
		tcp[3] = 80;
		tcp[12] = 0x50; /* data offset 5 words */
		tcp[13] = 0x02; /* SYN */
		tcp[15] = 0xff; /* window */
		fwrite(rec, 1, 16 + len, f);
	}
	if (fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
