/*
 * tests/test_hist.c — the log-linear histogram against an independent
 * computation: the test keeps every recorded value in a sorted array, so the
 * exact rank-th value is known without the histogram; the histogram must
 * report within its documented error (x <= p <= x + x/32, p100 == max).
 * Bucket edges are checked against hand-worked binary examples.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sim/hist.h"

/* splitmix64 (Steele, Lea, Flood 2014): fixed seed, so the "random" set is
 * the same on every run. */
static uint64_t sm_state;
static uint64_t sm_next(void)
{
	uint64_t z = (sm_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The exact q_ppm-th value of sorted[0..n): rank ceil(q*n/10^6), rank 0 -> the
 * smallest. n <= 10^6 here, so q*n fits in 64 bits. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, uint32_t q_ppm)
{
	uint64_t rank = ((uint64_t)q_ppm * n + 999999) / 1000000;
	return sorted[rank ? rank - 1 : 0];
}

static void check_one_percentile(const struct hist *h, const uint64_t *sorted, size_t n,
				 uint32_t q_ppm)
{
	uint64_t x = exact_percentile(sorted, n, q_ppm);
	uint64_t p = hist_percentile(h, q_ppm);
	if (p < x || p - x > x / 32 || p > sorted[n - 1] || (x < 64 && p != x))
		fail_msg("q_ppm %u: exact %llu, histogram %llu (allowed [x, x + x/32], <= max %llu)",
			 q_ppm, (unsigned long long)x, (unsigned long long)p,
			 (unsigned long long)sorted[n - 1]);
}

/* Every percentile on a grid of step_ppm, plus the tails reports ask for. */
static void check_percentiles(const struct hist *h, uint64_t *values, size_t n, uint32_t step_ppm)
{
	qsort(values, n, sizeof(values[0]), cmp_u64);
	assert_int_equal(hist_count(h), n);
	assert_true(hist_min(h) == values[0]);
	assert_true(hist_max(h) == values[n - 1]);
	assert_true(hist_percentile(h, 0) == values[0]);
	assert_true(hist_percentile(h, HIST_PPM_MAX) == values[n - 1]);
	for (uint32_t q = 0; q <= HIST_PPM_MAX; q += step_ppm)
		check_one_percentile(h, values, n, q);
	static const uint32_t tails[] = { 1, 10, 100, 990000, 999000, 999900, 999990, 999999 };
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		check_one_percentile(h, values, n, tails[i]);
	/* Percentiles never decrease with q. */
	uint64_t prev = 0;
	for (uint32_t q = 0; q <= HIST_PPM_MAX; q += step_ppm) {
		uint64_t p = hist_percentile(h, q);
		assert_true(p >= prev);
		prev = p;
	}
}

static void test_hist_empty_reports_zero_everywhere(void **state)
{
	(void)state;
	struct hist h;
	hist_init(&h);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 0);
	assert_int_equal(hist_sum(&h), 0);
	assert_int_equal(hist_mean(&h), 0);
	assert_int_equal(hist_percentile(&h, 0), 0);
	assert_int_equal(hist_percentile(&h, 500000), 0);
	assert_int_equal(hist_percentile(&h, HIST_PPM_MAX), 0);
}

/* hist_init on a used histogram empties it: the state of an empty one,
 * written out (min UINT64_MAX so the first record sets it, all else 0). */
static void test_hist_init_forgets_everything(void **state)
{
	(void)state;
	static struct hist h;
	hist_init(&h);
	hist_record(&h, 12345);
	hist_record(&h, UINT64_MAX);
	hist_init(&h);
	assert_true(h.count == 0 && h.min == UINT64_MAX && h.max == 0 && h.sum_lo == 0 && h.sum_hi == 0);
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		assert_true(h.buckets[i] == 0);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_percentile(&h, HIST_PPM_MAX), 0);
}

/* Bucket edges worked by hand from the binary form:
 *   63 = 0b111111: below 64, its own bucket [63, 63].
 *   64 = 0b1000000: 7 bits, keep the top 6 -> width 2: [64, 65].
 *   1000 = 0b1111101000: 10 bits, top 6 = 0b111110 = 62, width 2^4: [992, 1007].
 *   2^63: width 2^58: [2^63, 2^63 + 2^58 - 1].
 *   UINT64_MAX: top 6 bits all ones, width 2^58: [63 * 2^58, 2^64 - 1]. */
static void test_hist_bucket_edges_match_hand_worked_examples(void **state)
{
	(void)state;
	static const struct { uint64_t v, lo, hi; } cases[] = {
		{ 0, 0, 0 },
		{ 1, 1, 1 },
		{ 31, 31, 31 },
		{ 32, 32, 32 },
		{ 63, 63, 63 },
		{ 64, 64, 65 },
		{ 65, 64, 65 },
		{ 127, 126, 127 },
		{ 128, 128, 131 },
		{ 1000, 992, 1007 },
		{ 1ull << 63, 1ull << 63, (1ull << 63) + (1ull << 58) - 1 },
		{ UINT64_MAX, 63ull << 58, UINT64_MAX },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t lo, hi;
		unsigned idx = hist_bucket_index(cases[i].v);
		assert_true(idx < HIST_BUCKETS);
		hist_bucket_range(idx, &lo, &hi);
		if (lo != cases[i].lo || hi != cases[i].hi)
			fail_msg("value %llu: bucket [%llu, %llu], expected [%llu, %llu]",
				 (unsigned long long)cases[i].v, (unsigned long long)lo,
				 (unsigned long long)hi, (unsigned long long)cases[i].lo,
				 (unsigned long long)cases[i].hi);
	}
	assert_int_equal(hist_bucket_index(UINT64_MAX), HIST_BUCKETS - 1);
}

/* Adjacent buckets tile the whole uint64 range: no gap, no overlap. */
static void test_hist_buckets_tile_the_uint64_range(void **state)
{
	(void)state;
	uint64_t lo, hi, prev_hi;
	hist_bucket_range(0, &lo, &prev_hi);
	assert_int_equal(lo, 0);
	for (unsigned i = 1; i < HIST_BUCKETS; i++) {
		hist_bucket_range(i, &lo, &hi);
		assert_true(lo == prev_hi + 1);
		assert_true(hi >= lo);
		/* The documented error bound: width - 1 < lo / 32 above 64. */
		if (lo >= 64)
			assert_true(hi - lo < lo / 32);
		assert_int_equal(hist_bucket_index(lo), i);
		assert_int_equal(hist_bucket_index(hi), i);
		prev_hi = hi;
	}
	assert_true(prev_hi == UINT64_MAX);
}

static void test_hist_one_to_a_million_percentiles_within_error(void **state)
{
	(void)state;
	enum { N = 1000000 };
	static struct hist h;
	uint64_t *values = malloc(N * sizeof(*values));
	assert_non_null(values);
	hist_init(&h);
	for (uint64_t v = 1; v <= N; v++) {
		values[v - 1] = v;
		hist_record(&h, v);
	}
	/* n (n + 1) / 2 for n = 10^6. */
	assert_true(hist_sum(&h) == 500000500000ull);
	/* (n + 1) / 2 = 500000.5, rounded down. */
	assert_int_equal(hist_mean(&h), 500000);
	/* Hand-checked points: p50 of 1..10^6 is the 500000th value, which lies
	 * in bucket [61 * 2^13, 62 * 2^13 - 1] = [499712, 507903] (19 bits, top 6
	 * kept = 0b111101 = 61, width 2^13), so the histogram says 507903. */
	assert_int_equal(hist_percentile(&h, 500000), 507903);
	assert_int_equal(hist_percentile(&h, HIST_PPM_MAX), 1000000);
	assert_int_equal(hist_percentile(&h, 0), 1);
	check_percentiles(&h, values, N, 1000);
	free(values);
}

static void test_hist_random_values_percentiles_within_error(void **state)
{
	(void)state;
	enum { N = 200000 };
	static struct hist h;
	uint64_t *values = malloc(N * sizeof(*values));
	assert_non_null(values);
	hist_init(&h);
	sm_state = 42;
	uint64_t sum = 0;
	int sum_saturated = 0;
	for (size_t i = 0; i < N; i++) {
		/* Log-uniform-ish: a random 64-bit word shifted right by 0..63,
		 * so every power of two gets values. */
		uint64_t v = sm_next() >> (sm_next() % 64);
		values[i] = v;
		hist_record(&h, v);
		if (sum + v < sum)
			sum_saturated = 1;
		sum += v;
	}
	assert_true(hist_sum(&h) == (sum_saturated ? UINT64_MAX : sum));
	check_percentiles(&h, values, N, 997);
	free(values);
}

/* Latency-like: 1 ns .. 100 us in ps, narrow range, many duplicates. */
static void test_hist_random_latencies_percentiles_within_error(void **state)
{
	(void)state;
	enum { N = 100000 };
	static struct hist h;
	uint64_t *values = malloc(N * sizeof(*values));
	assert_non_null(values);
	hist_init(&h);
	sm_state = 7;
	uint64_t sum = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t v = 1000 + sm_next() % 100000000;
		values[i] = v;
		hist_record(&h, v);
		sum += v;
	}
	assert_true(hist_sum(&h) == sum);
	check_percentiles(&h, values, N, 499);
	free(values);
}

/* hist_record_n, as the driver folds staged latencies: batches of values
 * strided through an interleaved array (4 series side by side, as four
 * latency stages). Each series' histogram must hold exactly its own values:
 * checked against the sorted values, as above. */
static void test_hist_record_n_strided_batches_percentiles_within_error(void **state)
{
	(void)state;
	enum { N = 40000, SERIES = 4, BATCH = 64 };
	static struct hist h[SERIES];
	static uint64_t staged[BATCH][SERIES];
	uint64_t *values[SERIES];
	uint64_t sum[SERIES] = { 0 };
	__extension__ unsigned __int128 sum128[SERIES] = { 0 };   /* the exact sum, for the carry */
	for (int s = 0; s < SERIES; s++) {
		values[s] = malloc(N * sizeof(*values[s]));
		assert_non_null(values[s]);
		hist_init(&h[s]);
	}
	sm_state = 11;
	uint32_t n_staged = 0, batches = 0;
	for (size_t i = 0; i < N; i++) {
		for (int s = 0; s < SERIES; s++) {
			/* series s: 10^(3+s) ps scale, plus the odd huge value */
			uint64_t v = i % 997 == 0 ? UINT64_MAX - i : 1000 + sm_next() % (1000ull << (3 * s));
			values[s][i] = v;
			staged[n_staged][s] = v;
			sum128[s] += v;
			if (sum[s] + v < sum[s])
				sum[s] = UINT64_MAX;  /* saturates, as hist_sum */
			else if (sum[s] != UINT64_MAX)
				sum[s] += v;
		}
		/* Batches of every size up to BATCH, the last one short. */
		if (++n_staged == 1 + batches % BATCH || i == N - 1) {
			for (int s = 0; s < SERIES; s++)
				hist_record_n(&h[s], &staged[0][s], n_staged, SERIES);
			n_staged = 0;
			batches++;
		}
	}
	for (int s = 0; s < SERIES; s++) {
		assert_true(hist_sum(&h[s]) == sum[s]);
		assert_true(h[s].sum_lo == (uint64_t)sum128[s] && h[s].sum_hi == (uint64_t)(sum128[s] >> 64));
		check_percentiles(&h[s], values[s], N, 4999);
		free(values[s]);
	}
}

static void test_hist_extreme_values_are_recorded_exactly_at_the_ends(void **state)
{
	(void)state;
	struct hist h;
	hist_init(&h);
	hist_record(&h, 0);
	hist_record(&h, 1);
	hist_record(&h, 1ull << 63);
	hist_record(&h, UINT64_MAX);
	assert_int_equal(hist_count(&h), 4);
	assert_true(hist_min(&h) == 0);
	assert_true(hist_max(&h) == UINT64_MAX);
	/* 0 + 1 + 2^63 + (2^64 - 1) > 2^64 - 1: saturates. */
	assert_true(hist_sum(&h) == UINT64_MAX);
	/* Ranks ceil(q * 4): p25 -> 1st (0), p50 -> 2nd (1), p75 -> 3rd (2^63,
	 * reported as its bucket's upper edge 2^63 + 2^58 - 1), p100 -> max. */
	assert_true(hist_percentile(&h, 0) == 0);
	assert_true(hist_percentile(&h, 250000) == 0);
	assert_true(hist_percentile(&h, 250001) == 1);
	assert_true(hist_percentile(&h, 500000) == 1);
	assert_true(hist_percentile(&h, 750000) == (1ull << 63) + (1ull << 58) - 1);
	assert_true(hist_percentile(&h, 750001) == UINT64_MAX);
	assert_true(hist_percentile(&h, HIST_PPM_MAX) == UINT64_MAX);
}

static void test_hist_sum_is_exact_up_to_uint64_max(void **state)
{
	(void)state;
	struct hist h;
	hist_init(&h);
	hist_record(&h, UINT64_MAX - 5);
	hist_record(&h, 5);
	assert_true(hist_sum(&h) == UINT64_MAX);  /* exactly, not saturated */
	hist_record(&h, 1);
	assert_true(hist_sum(&h) == UINT64_MAX);  /* saturated */
}

static void test_hist_single_value_is_every_percentile(void **state)
{
	(void)state;
	struct hist h;
	hist_init(&h);
	hist_record(&h, 1000);  /* bucket [992, 1007], clamped to max = 1000 */
	for (uint32_t q = 0; q <= HIST_PPM_MAX; q += 50000)
		assert_int_equal(hist_percentile(&h, q), 1000);
	assert_int_equal(hist_sum(&h), 1000);
}

static void test_hist_merge_equals_recording_both(void **state)
{
	(void)state;
	enum { N = 50000 };
	static struct hist a, b, both, empty;
	static uint64_t values[N + 2];
	hist_init(&a);
	hist_init(&b);
	hist_init(&both);
	hist_init(&empty);
	sm_state = 99;
	for (int i = 0; i < N; i++) {
		uint64_t v = sm_next() >> (sm_next() % 64);
		values[i] = v;
		hist_record(i % 3 ? &a : &b, v);
		hist_record(&both, v);
	}
	/* Push the 128-bit sum over 2^64 on both sides so the carry is tested. */
	hist_record(&a, UINT64_MAX);
	hist_record(&b, UINT64_MAX);
	hist_record(&both, UINT64_MAX);
	hist_record(&both, UINT64_MAX);
	values[N] = values[N + 1] = UINT64_MAX;

	hist_merge(&a, &b);
	assert_memory_equal(&a, &both, sizeof(a));
	/* And against the values themselves: the exact 128-bit sum, and every
	 * percentile within the histogram's error of the sorted values. */
	__extension__ unsigned __int128 sum = 0;
	for (int i = 0; i < N + 2; i++)
		sum += values[i];
	assert_true(a.sum_lo == (uint64_t)sum && a.sum_hi == (uint64_t)(sum >> 64));
	check_percentiles(&a, values, N + 2, 997);

	/* Merging an empty histogram changes nothing; merging into an empty
	 * one copies. */
	hist_merge(&a, &empty);
	assert_memory_equal(&a, &both, sizeof(a));
	hist_merge(&empty, &both);
	assert_memory_equal(&empty, &both, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_empty_reports_zero_everywhere),
		cmocka_unit_test(test_hist_init_forgets_everything),
		cmocka_unit_test(test_hist_bucket_edges_match_hand_worked_examples),
		cmocka_unit_test(test_hist_buckets_tile_the_uint64_range),
		cmocka_unit_test(test_hist_one_to_a_million_percentiles_within_error),
		cmocka_unit_test(test_hist_random_values_percentiles_within_error),
		cmocka_unit_test(test_hist_random_latencies_percentiles_within_error),
		cmocka_unit_test(test_hist_record_n_strided_batches_percentiles_within_error),
		cmocka_unit_test(test_hist_extreme_values_are_recorded_exactly_at_the_ends),
		cmocka_unit_test(test_hist_sum_is_exact_up_to_uint64_max),
		cmocka_unit_test(test_hist_single_value_is_every_percentile),
		cmocka_unit_test(test_hist_merge_equals_recording_both),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
