/*
 * tests/bench/bench_rtl_shims.c — a benchmark, not a test: how many whole
 * operations per second the RTL twins sustain through their C shims
 * (rtl/rtl_twins.h). Prints the rates; tests/bench/bench.sh runs it.
 *
 * Workload: the operations a receive path makes per packet: a 12-byte
 * (TCP/IPv4) or 36-byte (TCP/IPv6) Toeplitz hash, a 20-byte IPv4 header sum,
 * an indirection lookup. Widths 8 bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rtl/rtl_twins.h"

#define CHECK(x)                                                                 \
	do {                                                                     \
		if (!(x)) {                                                      \
			fprintf(stderr, "bench_rtl_shims: %s failed: %s\n", #x, err); \
			exit(1);                                                 \
		}                                                                \
	} while (0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	char err[256] = "";
	struct rtl_toeplitz *t;
	struct rtl_csum *c;
	struct rtl_rss_indir *r;
	struct rtl_toeplitz_params tp = {.width_bytes = 8};
	struct rtl_csum_params cp = {.width_bytes = 8};
	struct rtl_rss_indir_params rp = {.table_size = 128};
	CHECK(rtl_toeplitz_open(&t, &tp, NULL, err, sizeof err) == 0);
	CHECK(rtl_csum_open(&c, &cp, NULL, err, sizeof err) == 0);
	CHECK(rtl_rss_indir_open(&r, &rp, NULL, err, sizeof err) == 0);
	uint8_t key[40], in[36], hdr[20];
	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	for (unsigned i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 91 + 3);
	for (unsigned i = 0; i < sizeof hdr; i++)
		hdr[i] = (uint8_t)(i * 53 + 7);
	rtl_toeplitz_set_key(t, key, sizeof key);
	for (uint32_t i = 0; i < 128; i++)
		rtl_rss_indir_table_set(r, i, (uint16_t)(i % 8));

	enum { N = 200000 };
	uint32_t sink = 0;
	double t0 = now_s();
	for (int i = 0; i < N; i++) {
		in[0] = (uint8_t)i;
		sink += rtl_toeplitz_hash(t, in, 12, NULL);
	}
	double t1 = now_s();
	for (int i = 0; i < N; i++) {
		in[0] = (uint8_t)i;
		sink += rtl_toeplitz_hash(t, in, 36, NULL);
	}
	double t2 = now_s();
	for (int i = 0; i < N; i++) {
		hdr[0] = (uint8_t)i;
		sink += rtl_csum_sum(c, hdr, sizeof hdr, 0, NULL);
	}
	double t3 = now_s();
	for (int i = 0; i < N; i++)
		sink += rtl_rss_indir_lookup(r, (uint32_t)i * 2654435761u, NULL);
	double t4 = now_s();
	/* The mix a packet needs: hash + header checksum, counted as 2 ops. */
	for (int i = 0; i < N; i++) {
		in[0] = (uint8_t)i;
		hdr[0] = (uint8_t)i;
		sink += rtl_toeplitz_hash(t, in, 12, NULL);
		sink += rtl_csum_sum(c, hdr, sizeof hdr, 0, NULL);
	}
	double t5 = now_s();

	double toe12 = N / (t1 - t0), toe36 = N / (t2 - t1), cs20 = N / (t3 - t2), reta = N / (t4 - t3);
	double mix = 2.0 * N / (t5 - t4);
	printf("rtl shim throughput (ops/s): toeplitz 12 B %.0f, toeplitz 36 B %.0f, csum 20 B %.0f, "
	       "reta lookup %.0f, hash+csum mix %.0f (sink %u)\n", toe12, toe36, cs20, reta, mix, sink);
	rtl_toeplitz_close(t);
	rtl_csum_close(c);
	rtl_rss_indir_close(r);
	return 0;
}
