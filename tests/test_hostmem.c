/*
 * tests/test_hostmem.c — host memory as the NIC's DMA sees it. Expected
 * offsets and bytes are the test's own arithmetic on the addresses the
 * allocator returned (base + k), not the allocator's lookup: a DMA inside a
 * region lands at its offset and reaches the region's owner with it; a DMA
 * that leaves its region, falls in a guard gap, below the first region or
 * past the last, is counted as bad and reads zeros. Regions larger than the
 * 2 MiB direct-map chunk exercise the chunk-crossing path.
 */
#include "testutil.h"

#include <string.h>

#include "host/hostmem.h"

#define MiB (1024ull * 1024ull)

struct owner {
	int calls;
	uint64_t last_off;
	uint32_t last_len;
};

static void on_write(void *o, uint64_t offset, struct bus_dma *op)
{
	struct owner *w = o;
	w->calls++;
	w->last_off = offset;
	w->last_len = op->len;
}

static void dma(struct hostmem *m, uint64_t addr, uint32_t len, bool is_write, uint8_t *data)
{
	struct bus_dma op = { .addr = addr, .len = len, .is_write = is_write, .data = data };
	hostmem_dma(m, &op);
}

static void test_hostmem_backed_round_trip_and_bounds(void **state)
{
	(void)state;
	struct hostmem *m = hostmem_new();
	assert_non_null(m);
	uint64_t ring = hostmem_alloc(m, 8192, true, NULL, NULL);
	assert_true(ring != 0);
	assert_int_equal(ring % (2 * MiB), 0);   /* documented: 2 MiB aligned */
	uint8_t w[16], r[16];
	for (int i = 0; i < 16; i++)
		w[i] = (uint8_t)(0xa0 + i);
	dma(m, ring + 8192 - 16, 16, true, w);   /* the last 16 bytes */
	memset(r, 0, sizeof r);
	dma(m, ring + 8192 - 16, 16, false, r);
	assert_memory_equal(r, w, 16);
	uint8_t *p = hostmem_ptr(m, ring, 8192);
	assert_non_null(p);
	assert_memory_equal(p + 8192 - 16, w, 16);
	assert_int_equal(hostmem_bad_dma(m), 0);

	dma(m, ring + 8192 - 15, 16, true, w);   /* one byte past the end */
	assert_int_equal(hostmem_bad_dma(m), 1);
	memset(r, 0xff, sizeof r);
	dma(m, ring + 8192 + 100, 16, false, r);  /* in the guard gap: zeros */
	assert_int_equal(hostmem_bad_dma(m), 2);
	for (int i = 0; i < 16; i++)
		assert_int_equal(r[i], 0);
	dma(m, 0x1000, 16, false, r);           /* below every region */
	dma(m, ring - 16, 16, true, w);         /* just before the region */
	dma(m, UINT64_MAX - 8, 8, true, w);     /* at the top of the bus space */
	assert_int_equal(hostmem_bad_dma(m), 5);
	assert_null(hostmem_ptr(m, ring, 8193));
	hostmem_free(m);
}

static void test_hostmem_unbacked_region_reaches_owner_with_offset(void **state)
{
	(void)state;
	struct hostmem *m = hostmem_new();
	struct owner a = { 0 }, b = { 0 };
	uint64_t ring = hostmem_alloc(m, 4096, true, NULL, NULL);
	/* 5 MiB: three chunks of the direct map. */
	uint64_t big = hostmem_alloc(m, 5 * MiB, false, on_write, &a);
	uint64_t small = hostmem_alloc(m, 2048, false, on_write, &b);
	assert_true(ring && big && small && big > ring && small > big + 5 * MiB);
	uint8_t data[4096] = { 0 };

	static const uint64_t offs[] = { 0, 2 * MiB - 64, 2 * MiB, 4 * MiB + 7, 5 * MiB - 1500 };
	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		dma(m, big + offs[i], 1500, true, data);
		assert_int_equal(a.calls, (int)i + 1);
		assert_true(a.last_off == offs[i]);
		assert_int_equal(a.last_len, 1500);
	}
	/* Crossing the 2 MiB and 4 MiB chunk boundaries inside the region. */
	dma(m, big + 2 * MiB - 100, 200, true, data);
	assert_true(a.last_off == 2 * MiB - 100);
	dma(m, big + 4 * MiB - 1, 2, true, data);
	assert_true(a.last_off == 4 * MiB - 1);
	assert_int_equal(a.calls, 7);
	/* Crossing the region's end: bad, the owner hears nothing. */
	dma(m, big + 5 * MiB - 100, 200, true, data);
	assert_int_equal(a.calls, 7);
	assert_int_equal(hostmem_bad_dma(m), 1);

	dma(m, small + 548, 1500, true, data);   /* exactly to the end */
	assert_int_equal(b.calls, 1);
	assert_true(b.last_off == 548);
	/* An unbacked region reads as zeros and has no pointer. */
	uint8_t r[8];
	memset(r, 0xff, sizeof r);
	dma(m, small, 8, false, r);
	for (int i = 0; i < 8; i++)
		assert_int_equal(r[i], 0);
	assert_null(hostmem_ptr(m, small, 8));
	assert_int_equal(hostmem_bad_dma(m), 1);
	hostmem_free(m);
}

/* Beyond the 64 GiB the direct map covers: the binary search must still find
 * regions there. 40 regions of 2 GiB, unbacked (address space only). */
static void test_hostmem_regions_beyond_the_direct_map(void **state)
{
	(void)state;
	struct hostmem *m = hostmem_new();
	struct owner o[40] = { 0 };
	uint64_t base[40];
	for (int i = 0; i < 40; i++) {
		base[i] = hostmem_alloc(m, 2048 * MiB, false, on_write, &o[i]);
		assert_true(base[i] != 0);
	}
	assert_true(base[39] - base[0] > 64 * 1024 * MiB);
	uint8_t data[64] = { 0 };
	for (int i = 0; i < 40; i += 13) {
		dma(m, base[i] + 2048 * MiB - 64, 64, true, data);
		assert_int_equal(o[i].calls, 1);
		assert_true(o[i].last_off == 2048 * MiB - 64);
		dma(m, base[i] + 2 * MiB - 32, 64, true, data);   /* across a chunk boundary */
		assert_true(o[i].last_off == 2 * MiB - 32);
		assert_int_equal(o[i].calls, 2);
	}
	/* The region that straddles the end of the direct map (64 GiB of bus
	 * addresses from 4 GiB, host/hostmem.c): DMAs just below the line,
	 * across it and just above it, inside that region. */
	const uint64_t map_end = 4096 * MiB + 64 * 1024 * MiB;
	int k = -1;
	for (int i = 0; i < 40; i++)
		if (base[i] < map_end && map_end < base[i] + 2048 * MiB)
			k = i;
	assert_true(k >= 0);
	uint64_t calls = (uint64_t)o[k].calls;
	static const int64_t around[] = { -64, -32, 0, 4096 };
	for (size_t j = 0; j < sizeof around / sizeof around[0]; j++) {
		uint64_t a = map_end + (uint64_t)around[j];
		dma(m, a, 64, true, data);
		assert_int_equal((uint64_t)o[k].calls, ++calls);
		assert_true(o[k].last_off == a - base[k]);
	}
	assert_int_equal(hostmem_bad_dma(m), 0);
	dma(m, base[39] + 2048 * MiB, 1, true, data);
	assert_int_equal(hostmem_bad_dma(m), 1);
	hostmem_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostmem_backed_round_trip_and_bounds),
		cmocka_unit_test(test_hostmem_unbacked_region_reaches_owner_with_offset),
		cmocka_unit_test(test_hostmem_regions_beyond_the_direct_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
