/*
 * The PCIe link model (models/pcie): TLP counts and bytes of writes, read
 * requests and completions, wire times, one link per direction, and the
 * query `nicsim pcie` prints.
 *
 * Every expected value is worked by hand in the comment beside it from the
 * facts in docs/pcie.md (PCI Express Base Specification; pcie-bench/pcie-model
 * model/pcie.py), never taken from the code's output:
 * - a 64-bit MWr or MRd costs 24 B a TLP (8 framing, sequence number and LCRC
 *   + 16 B 4-DW header), a 32-bit one 20 B, a CplD 20 B, besides the data;
 * - Gen3 x8: 8000 MT/s x 8 lanes x 128/130 = 63015.38 Mb/s, so one byte takes
 *   8 x 130 / (8000 x 8 x 128) us = 126.953125 ps; with the default 89 permille
 *   of DLLPs, 138.251953125 ps; Gen1 x1: 2 Gb/s, 4 ns a byte.
 */
#include "testutil.h"

#include <string.h>

#include "models/pcie.h"
#include "sim/nicsim/config.h"

/* The defaults (Gen3 x8, MPS 256, MRRS 512, RCB 64, 64-bit, 89 permille,
 * 545 ns, 32 tags) with some fields changed. */
static struct pcie_cfg cfg_default(void)
{
	struct pcie_cfg c;
	memset(&c, 0, sizeof c);
	param_defaults(pcie_params, &c);
	return c;
}

static struct pcie_cfg cfg_sizes(uint32_t mps, uint32_t mrrs, uint32_t rcb)
{
	struct pcie_cfg c = cfg_default();
	c.mps = mps;
	c.mrrs = mrrs;
	c.rcb = rcb;
	return c;
}

static void expect_bytes(struct pcie_bytes got, uint64_t tlps, uint64_t bytes, const char *what)
{
	if (got.tlps != tlps || got.bytes != bytes)
		fail_msg("%s: %llu TLPs, %llu B; want %llu TLPs, %llu B", what, (unsigned long long)got.tlps,
			 (unsigned long long)got.bytes, (unsigned long long)tlps, (unsigned long long)bytes);
}

static void test_pcie_defaults_are_gen3_x8_mps256_mrrs512_rcb64(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	assert_int_equal(c.gen, 3);
	assert_int_equal(c.lanes, 8);
	assert_int_equal(c.mps, 256);
	assert_int_equal(c.mrrs, 512);
	assert_int_equal(c.rcb, 64);
	assert_int_equal(c.read_tags, 32);
	assert_int_equal(c.dllp_permille, 89);
	assert_int_equal(c.read_latency_ns, 545);
	assert_true(c.is_addr64);
	char err[256];
	assert_int_equal(pcie_cfg_validate(&c, err, sizeof err), 0);
}

/* Writes at MPS 256 and 128, from address 0: ceil(len / MPS) TLPs of
 * 24 B each plus the data. */
static void test_pcie_write_splits_at_mps(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_sizes(256, 512, 64);
	expect_bytes(pcie_write_bytes(&c, 0, 64), 1, 64 + 24, "64 B, MPS 256");
	expect_bytes(pcie_write_bytes(&c, 0, 256), 1, 256 + 24, "256 B, MPS 256");
	expect_bytes(pcie_write_bytes(&c, 0, 257), 2, 257 + 48, "257 B, MPS 256: 256 + 1");
	expect_bytes(pcie_write_bytes(&c, 0, 1514), 6, 1514 + 144, "1514 B, MPS 256: 5 x 256 + 234");
	expect_bytes(pcie_write_bytes(&c, 0, 4096), 16, 4096 + 384, "4096 B, MPS 256");
	c.mps = 128;
	expect_bytes(pcie_write_bytes(&c, 0, 64), 1, 64 + 24, "64 B, MPS 128");
	expect_bytes(pcie_write_bytes(&c, 0, 256), 2, 256 + 48, "256 B, MPS 128");
	expect_bytes(pcie_write_bytes(&c, 0, 257), 3, 257 + 72, "257 B, MPS 128: 128 + 128 + 1");
	expect_bytes(pcie_write_bytes(&c, 0, 1514), 12, 1514 + 288, "1514 B, MPS 128: 11 x 128 + 106");
	expect_bytes(pcie_write_bytes(&c, 0, 4096), 32, 4096 + 768, "4096 B, MPS 128");
	/* 32-bit addressing: a 3-DW header, 20 B a TLP. */
	c.is_addr64 = false;
	expect_bytes(pcie_write_bytes(&c, 0, 64), 1, 64 + 20, "64 B, 32-bit address");
	/* Nothing to write, nothing on the link. */
	expect_bytes(pcie_write_bytes(&c, 0, 0), 0, 0, "0 B");
}

/* An unaligned write is also cut at every MPS-aligned address (and so never
 * crosses 4 KB). */
static void test_pcie_write_splits_at_mps_aligned_addresses(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_sizes(256, 512, 64);
	/* 64 B at 0x1f0 (496): [496, 512) 16 B + [512, 560) 48 B. */
	expect_bytes(pcie_write_bytes(&c, 0x1f0, 64), 2, 64 + 48, "64 B at 0x1f0");
	/* 256 B at 0x1f0: [496, 512) 16 + [512, 752) 240. */
	expect_bytes(pcie_write_bytes(&c, 0x1f0, 256), 2, 256 + 48, "256 B at 0x1f0");
	/* 257 B at 0x100: [256, 512) 256 + [512, 513) 1. */
	expect_bytes(pcie_write_bytes(&c, 0x100, 257), 2, 257 + 48, "257 B at 0x100");
	/* 1514 B at 0x1f0, to 2010: 16 | 512, 768, 1024, 1280, 1536: 5 x 256 |
	 * [1792, 2010) 218: 7 TLPs (16 + 1280 + 218 = 1514). */
	expect_bytes(pcie_write_bytes(&c, 0x1f0, 1514), 7, 1514 + 168, "1514 B at 0x1f0");
	/* 4096 B at 0x10, to 4112: [16, 256) 240 | 15 x 256 up to 4096 | [4096,
	 * 4112) 16: 17 TLPs, the one at 4096 starting a new 4 KB page. */
	expect_bytes(pcie_write_bytes(&c, 0x10, 4096), 17, 4096 + 408, "4096 B at 0x10");
	c.mps = 128;
	/* 2 B at 0x7f: [127, 128) + [128, 129). */
	expect_bytes(pcie_write_bytes(&c, 0x7f, 2), 2, 2 + 48, "2 B at 0x7f, MPS 128");
	/* 1514 B at 0x1f0 with MPS 128, to 2010: [496, 512) 16 | 11 x 128 up to
	 * 1920 | [1920, 2010) 90: 13 TLPs (16 + 1408 + 90 = 1514). */
	expect_bytes(pcie_write_bytes(&c, 0x1f0, 1514), 13, 1514 + 312, "1514 B at 0x1f0, MPS 128");
}

/* A read's requests: one MRd of 24 B for each MRRS-aligned piece. */
static void test_pcie_read_requests_split_at_mrrs(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_sizes(256, 512, 64);
	expect_bytes(pcie_read_req_bytes(&c, 0, 64), 1, 24, "64 B, MRRS 512");
	expect_bytes(pcie_read_req_bytes(&c, 0, 512), 1, 24, "512 B, MRRS 512");
	expect_bytes(pcie_read_req_bytes(&c, 0, 513), 2, 48, "513 B, MRRS 512");
	expect_bytes(pcie_read_req_bytes(&c, 0, 2048), 4, 96, "2048 B, MRRS 512");
	/* 512 B at 0x1c0 (448): [448, 512) 64 + [512, 960) 448. */
	expect_bytes(pcie_read_req_bytes(&c, 0x1c0, 512), 2, 48, "512 B at 0x1c0, MRRS 512");
	/* 2048 B at 0x20, to 2080: [32, 512) | 1024 | 1536 | 2048 | [2048, 2080). */
	expect_bytes(pcie_read_req_bytes(&c, 0x20, 2048), 5, 120, "2048 B at 0x20, MRRS 512");
	c.mrrs = 128;
	expect_bytes(pcie_read_req_bytes(&c, 0, 64), 1, 24, "64 B, MRRS 128");
	expect_bytes(pcie_read_req_bytes(&c, 0, 512), 4, 96, "512 B, MRRS 128");
	expect_bytes(pcie_read_req_bytes(&c, 0, 513), 5, 120, "513 B, MRRS 128");
	expect_bytes(pcie_read_req_bytes(&c, 0, 2048), 16, 384, "2048 B, MRRS 128");
	/* 513 B at 0x10, to 529: [16, 128) 112 | 256 | 384 | 512 | [512, 529) 17. */
	expect_bytes(pcie_read_req_bytes(&c, 0x10, 513), 5, 120, "513 B at 0x10, MRRS 128");
	c.is_addr64 = false;
	expect_bytes(pcie_read_req_bytes(&c, 0, 64), 1, 20, "64 B, 32-bit address");
}

/* Completions: each request answered on its own, cut at RCB-aligned
 * addresses into CplDs of at most MPS, 20 B each plus the data. */
static void test_pcie_read_completions_split_at_rcb_and_mps(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_sizes(256, 512, 64);
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 64), 1, 64 + 20, "64 B");
	/* One request of 512 B: [0, 256) + [256, 512). */
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 512), 2, 512 + 40, "512 B");
	/* Requests [0, 512) (2 CplD) and [512, 513) (1). */
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 513), 3, 513 + 60, "513 B");
	/* Four requests of 512, two CplDs each. */
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 2048), 8, 2048 + 160, "2048 B");
	/* 64 B at 0x20: one request [32, 96), answered whole (within MPS). */
	expect_bytes(pcie_read_cpl_bytes(&c, 0x20, 64), 1, 64 + 20, "64 B at 0x20");
	/* 512 B at 0x20: requests [32, 512) and [512, 544). The first comes back
	 * as [32, 256) (the last RCB boundary within MPS of 32: 288 rounded down
	 * to 64s) and [256, 512); the second in one: 3 CplDs. */
	expect_bytes(pcie_read_cpl_bytes(&c, 0x20, 512), 3, 512 + 60, "512 B at 0x20");
	/* 2048 B at 0x20: requests [32, 512) (2 CplDs), three of 512 (2 each),
	 * [2048, 2080) (1): 9. */
	expect_bytes(pcie_read_cpl_bytes(&c, 0x20, 2048), 9, 2048 + 180, "2048 B at 0x20");
	/* MRRS 128: each request of at most 128 B fits one CplD. */
	c.mrrs = 128;
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 2048), 16, 2048 + 320, "2048 B, MRRS 128");
	expect_bytes(pcie_read_cpl_bytes(&c, 0x10, 513), 5, 513 + 100, "513 B at 0x10, MRRS 128");
	/* MPS 128 with MRRS 512: a 512 B request comes back in 4. */
	c = cfg_sizes(128, 512, 64);
	expect_bytes(pcie_read_cpl_bytes(&c, 0, 512), 4, 512 + 80, "512 B, MPS 128");
	/* RCB 64 against 128, MPS 128: 128 B at 0x40, one request [64, 192).
	 * RCB 64: the last 64-boundary within 128 of 64 is 192, so one CplD.
	 * RCB 128: the last 128-boundary within 128 of 64 is 128: [64, 128) and
	 * [128, 192), two. */
	expect_bytes(pcie_read_cpl_bytes(&c, 0x40, 128), 1, 128 + 20, "128 B at 0x40, RCB 64");
	c.rcb = 128;
	expect_bytes(pcie_read_cpl_bytes(&c, 0x40, 128), 2, 128 + 40, "128 B at 0x40, RCB 128");
	/* RCB 128, 513 B at 0x20 with MPS 256, MRRS 512: requests [32, 512) and
	 * [512, 545). First: [32, 256) (288 rounded down to 128s), [256, 512);
	 * second one: 3. */
	c = cfg_sizes(256, 512, 128);
	expect_bytes(pcie_read_cpl_bytes(&c, 0x20, 513), 3, 513 + 60, "513 B at 0x20, RCB 128");
}

static void test_pcie_wire_time_of_gen1_x1_and_gen3_x8(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	assert_int_equal(pcie_link_kbps(&c), 63015384);   /* 64 Gb/s x 128/130, 63015384.6 */
	assert_int_equal(pcie_raw_kbps(&c), 64000000);
	c.dllp_permille = 0;
	/* 1024 B x 126.953125 ps = 130000 ps exactly. */
	assert_int_equal(pcie_wire_ps(&c, 1024), 130000);
	/* 100 B x 126.953125 = 12695.3125, rounded up. */
	assert_int_equal(pcie_wire_ps(&c, 100), 12696);
	c.dllp_permille = 89;
	/* 88 B x 126.953125 x 1.089 = 12166.17 ps, rounded up. */
	assert_int_equal(pcie_wire_ps(&c, 88), 12167);
	c.gen = 1;
	c.lanes = 1;
	assert_int_equal(pcie_link_kbps(&c), 2000000);   /* 2.5 Gb/s x 8/10 */
	assert_int_equal(pcie_raw_kbps(&c), 2500000);
	/* 4 ns a byte: 100 B = 400 ns, and x 1.089 = 435.6 ns. */
	assert_int_equal(pcie_wire_ps(&c, 100), 435600);
	c.dllp_permille = 0;
	assert_int_equal(pcie_wire_ps(&c, 100), 400000);
	/* Gen2 x4: 5 x 4 x 0.8 = 16 Gb/s, half a ns a byte. */
	c.gen = 2;
	c.lanes = 4;
	assert_int_equal(pcie_wire_ps(&c, 100), 50000);
	/* Gen5 x16: 130 B x 8 x 130 / (32000 x 16 x 128) us = 135200 / 65536 ns
	 * = 2.06299 ns, rounded up to 2063 ps. */
	c.gen = 5;
	c.lanes = 16;
	assert_int_equal(pcie_wire_ps(&c, 130), 2063);
	/* Gen4 x16: 256 Gb/s x 128/130 = 252061538.46 kb/s. */
	c.gen = 4;
	assert_int_equal(pcie_link_kbps(&c), 252061538);
	assert_int_equal(pcie_wire_ps(&c, 0), 0);
}

/* The default read latency is chosen so that a 64-byte read on an idle
 * Gen3 x8 link takes pcie-bench's median 560 ns (Xeon E5): MRd 24 B,
 * 24 x 138.251953125 = 3318.05 -> 3319 ps; 545 ns; CplD 84 B,
 * 84 x 138.251953125 = 11613.16 -> 11614 ps: 559933 ps, 560 ns. */
static void test_pcie_64_byte_read_round_trip_is_560_ns_at_gen3_x8(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	struct pcie_link l;
	pcie_link_init(&l, &c);
	uint64_t landed = pcie_link_read(&l, PCIE_CL_DESC, 0, 0, 64);
	assert_int_equal(landed, 3319 + 545000 + 11614);
	assert_true(landed >= 559500 && landed < 560500);
	struct pcie_query q = pcie_query(&c, 64, false);
	assert_int_equal(q.latency_ps, 559933);
	assert_int_equal(q.tlps, 2);
	assert_int_equal(q.link_bytes, 24 + 84);
	assert_int_equal(l.st.reads, 1);
	assert_int_equal(l.st.tlps[PCIE_UP][PCIE_CL_DESC], 1);
	assert_int_equal(l.st.bytes[PCIE_UP][PCIE_CL_DESC], 24);
	assert_int_equal(l.st.busy_ps[PCIE_UP][PCIE_CL_DESC], 3319);
	assert_int_equal(l.st.tlps[PCIE_DOWN][PCIE_CL_DESC], 1);
	assert_int_equal(l.st.bytes[PCIE_DOWN][PCIE_CL_DESC], 84);
	assert_int_equal(l.st.busy_ps[PCIE_DOWN][PCIE_CL_DESC], 11614);
}

/* Back-to-back writes at Gen3 x8, defaults: data / (data + 24 B a TLP) of
 * 63.015 Gb/s / 1.089 = 57.865 Gb/s.
 * - 64 B: 64/88 of it = 42.084 Gb/s; the wire time rounded up to 12167 ps
 *   makes it 512 bits / 12167 ps = 42081038 kb/s.
 * - 1500 B: 6 TLPs, 1500/1644 of it = 52.797 Gb/s; 1644 x 138.251953125 =
 *   227286.2 -> 227287 ps; 12000 bits / 227287 ps = 52796684 kb/s. */
static void test_pcie_write_bandwidth_of_64_and_1500_byte_transfers(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	struct pcie_query q = pcie_query(&c, 64, true);
	assert_int_equal(q.tlps, 1);
	assert_int_equal(q.link_bytes, 88);
	assert_int_equal(q.latency_ps, 12167);
	assert_int_equal(q.data_kbps, 42081038);
	assert_int_equal(q.limit, PCIE_LIMIT_UP);
	q = pcie_query(&c, 1500, true);
	assert_int_equal(q.tlps, 6);
	assert_int_equal(q.link_bytes, 1644);
	assert_int_equal(q.latency_ps, 227287);
	assert_int_equal(q.data_kbps, 52796684);
	/* Unaligned, a TLP more: 1500 B at 0x80 is [128, 256) 128 | 5 x 256 up
	 * to 1536 | [1536, 1628) 92: 7 TLPs, 1668 B. */
	q = pcie_query_at(&c, 0x80, 1500, true);
	assert_int_equal(q.tlps, 7);
	assert_int_equal(q.link_bytes, 1668);
}

/* Reads are bounded by their tags: read_tags reads in flight, each holding
 * its tag a round trip, carry at most tags x size per round trip. */
static void test_pcie_read_bandwidth_is_bounded_by_the_tags(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	/* 64 B, 32 tags: 32 x 512 bits / 559933 ps = 29260643 kb/s, below the
	 * completions' 512 bits / 11614 ps = 44084725 kb/s. */
	struct pcie_query q = pcie_query(&c, 64, false);
	assert_int_equal(q.limit, PCIE_LIMIT_TAGS);
	assert_int_equal(q.data_kbps, 29260643);
	/* 256 tags: 8 times that, 234 Gb/s, is beyond the link; the
	 * completions set the pace. */
	c.read_tags = 256;
	q = pcie_query(&c, 64, false);
	assert_int_equal(q.limit, PCIE_LIMIT_DOWN);
	assert_int_equal(q.data_kbps, 44084725);
	/* One tag: 512 bits per 559933 ps = 914395 kb/s. */
	c.read_tags = 1;
	q = pcie_query(&c, 64, false);
	assert_int_equal(q.limit, PCIE_LIMIT_TAGS);
	assert_int_equal(q.data_kbps, 914395);
	/* The tag is a request's, not a read's: 2048 B at MRRS 512 is four
	 * requests, which one tag takes one after another. One request's round
	 * trip, a 512-byte read alone: MRd 24 B (3319 ps), 545 ns, then two
	 * 256-byte CplDs (20 + 256 = 276 B, 38158 ps each) = 624635 ps; four
	 * rounds of it carry 2048 B: 4096 bits per 624635 ps = 6557429 kb/s. */
	q = pcie_query(&c, 2048, false);
	assert_int_equal(q.limit, PCIE_LIMIT_TAGS);
	assert_int_equal(q.data_kbps, 6557429);
	c.read_tags = 32;
	struct pcie_query all = pcie_query(&c, 2048, false);
	assert_int_equal(q.latency_ps, all.latency_ps + 3 * 624635);
}

/* Transfers in one direction queue behind each other. */
static void test_pcie_link_contention_serializes_each_direction(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	struct pcie_link l;
	pcie_link_init(&l, &c);
	/* Two 64 B writes offered at 0: 88 B each, 12167 ps each. */
	assert_int_equal(pcie_link_write(&l, PCIE_UP, PCIE_CL_DATA, 0, 0x1000, 64), 12167);
	assert_int_equal(pcie_link_write(&l, PCIE_UP, PCIE_CL_WB, 0, 0x2000, 64), 2 * 12167);
	/* A read offered at 0 too: its MRd (3319 ps) waits for both; the
	 * completion is ready 545 ns after, and the down direction is free. */
	uint64_t req_end = 2 * 12167 + 3319;
	assert_int_equal(pcie_link_read(&l, PCIE_CL_DESC, 0, 0x3000, 64), req_end + 545000 + 11614);
	/* A write offered once the link is idle again starts at once. */
	assert_int_equal(pcie_link_write(&l, PCIE_UP, PCIE_CL_DATA, 1000000, 0, 64), 1000000 + 12167);
	/* Down: a host MMIO write of 4 B (28 B: 28 x 138.251953125 = 3871.05 ->
	 * 3872 ps) at 2000000, then a read issued at 1900000 whose completion
	 * is ready at 1900000 + 3319 + 545000 = 2448319: the down direction is
	 * free by then; but a second MMIO write at 2448000 delays it to
	 * 2448000 + 3872 = 2451872, and it lands 11614 ps later. */
	assert_int_equal(pcie_link_write(&l, PCIE_DOWN, PCIE_CL_DOORBELL, 2000000, 0x10, 4), 2000000 + 3872);
	assert_int_equal(pcie_link_write(&l, PCIE_DOWN, PCIE_CL_DOORBELL, 2448000, 0x10, 4), 2448000 + 3872);
	assert_int_equal(pcie_link_read(&l, PCIE_CL_DATA, 1900000, 0x4000, 64), 2451872 + 11614);
	/* What crossed, by direction and class. */
	assert_int_equal(l.st.tlps[PCIE_UP][PCIE_CL_DATA], 3);   /* two writes + one MRd */
	assert_int_equal(l.st.bytes[PCIE_UP][PCIE_CL_DATA], 88 + 88 + 24);
	assert_int_equal(l.st.busy_ps[PCIE_UP][PCIE_CL_DATA], 12167 + 12167 + 3319);
	assert_int_equal(l.st.tlps[PCIE_UP][PCIE_CL_WB], 1);
	assert_int_equal(l.st.tlps[PCIE_DOWN][PCIE_CL_DOORBELL], 2);
	assert_int_equal(l.st.bytes[PCIE_DOWN][PCIE_CL_DOORBELL], 56);
	assert_int_equal(l.st.busy_ps[PCIE_DOWN][PCIE_CL_DOORBELL], 2 * 3872);
	assert_int_equal(l.st.bytes[PCIE_DOWN][PCIE_CL_DESC], 84);
	assert_int_equal(l.st.bytes[PCIE_DOWN][PCIE_CL_DATA], 84);
	assert_int_equal(l.st.reads, 2);
	/* An empty write puts nothing on the link and is done when offered. */
	assert_int_equal(pcie_link_write(&l, PCIE_UP, PCIE_CL_DATA, 5, 0, 0), 5);
	assert_int_equal(l.st.tlps[PCIE_UP][PCIE_CL_DATA], 3);
}

static void expect_refused(struct pcie_cfg c, const char *key)
{
	char err[256] = "";
	if (pcie_cfg_validate(&c, err, sizeof err) == 0 || strncmp(err, key, strlen(key)))
		fail_msg("want a refusal naming %s, got '%s'", key, err);
}

static void test_pcie_impossible_settings_are_refused_naming_the_key(void **state)
{
	(void)state;
	struct pcie_cfg c = cfg_default();
	c.gen = 6;
	expect_refused(c, "pcie.gen");
	c = cfg_default();
	c.lanes = 3;
	expect_refused(c, "pcie.lanes");
	c.lanes = 32;
	expect_refused(c, "pcie.lanes");
	c = cfg_sizes(100, 512, 64);
	expect_refused(c, "pcie.mps");
	c = cfg_sizes(256, 8192, 64);
	expect_refused(c, "pcie.mrrs");
	c = cfg_sizes(256, 512, 256);
	expect_refused(c, "pcie.rcb");
	c = cfg_default();
	c.read_tags = 0;
	expect_refused(c, "pcie.read_tags");
	/* MRRS below MPS is allowed (no rule between them). */
	c = cfg_sizes(512, 128, 64);
	char err[256];
	assert_int_equal(pcie_cfg_validate(&c, err, sizeof err), 0);
	/* The same through the parameter table. */
	struct nicsim_cfg all;
	config_defaults(&all);
	assert_int_not_equal(config_set_kv(&all, "pcie.lanes", "3", err, sizeof err), 0);
	assert_non_null(strstr(err, "pcie.lanes"));
	assert_int_not_equal(config_set_kv(&all, "pcie.lanes", "32", err, sizeof err), 0);
	assert_int_not_equal(config_set_kv(&all, "pcie.mps", "100", err, sizeof err), 0);
	assert_int_not_equal(config_set_kv(&all, "pcie.gen", "0", err, sizeof err), 0);
	assert_int_equal(config_set_kv(&all, "pcie.lanes", "16", err, sizeof err), 0);
	assert_int_equal(all.pcie.lanes, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcie_defaults_are_gen3_x8_mps256_mrrs512_rcb64),
		cmocka_unit_test(test_pcie_write_splits_at_mps),
		cmocka_unit_test(test_pcie_write_splits_at_mps_aligned_addresses),
		cmocka_unit_test(test_pcie_read_requests_split_at_mrrs),
		cmocka_unit_test(test_pcie_read_completions_split_at_rcb_and_mps),
		cmocka_unit_test(test_pcie_wire_time_of_gen1_x1_and_gen3_x8),
		cmocka_unit_test(test_pcie_64_byte_read_round_trip_is_560_ns_at_gen3_x8),
		cmocka_unit_test(test_pcie_write_bandwidth_of_64_and_1500_byte_transfers),
		cmocka_unit_test(test_pcie_read_bandwidth_is_bounded_by_the_tags),
		cmocka_unit_test(test_pcie_link_contention_serializes_each_direction),
		cmocka_unit_test(test_pcie_impossible_settings_are_refused_naming_the_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
