/*
 * sim/hist.c — log-linear histogram: everything but the inline hot path.
 * See hist.h for the bucket layout and the percentile definition.
 */
#include "sim/hist.h"

#include "sim/check.h"

#include <string.h>

void hist_init(struct hist *h)
{
	*h = (struct hist)HIST_EMPTY;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

uint64_t hist_sum(const struct hist *h)
{
	return h->sum_hi ? UINT64_MAX : h->sum_lo;
}

uint64_t hist_mean(const struct hist *h) { return h->count ? hist_sum(h) / h->count : 0; }

void hist_bucket_range(unsigned index, uint64_t *lo, uint64_t *hi)
{
	sim_check(index < HIST_BUCKETS, "hist: bucket index out of range");
	/* Inverse of hist_bucket_index: the first 2 * SUB_COUNT indexes are the
	 * values themselves (shift 0); above, index = (shift << SUB_BITS) + top
	 * with top in [SUB_COUNT, 2 * SUB_COUNT). */
	unsigned shift = index < 2 * HIST_SUB_COUNT ? 0 : (index >> HIST_SUB_BITS) - 1;
	uint64_t top = index - (shift << HIST_SUB_BITS);
	*lo = top << shift;
	/* Written as lo + (width - 1) so the top bucket ends at UINT64_MAX
	 * without overflowing. */
	*hi = *lo + ((UINT64_C(1) << shift) - 1);
}

/* ceil(q_ppm * count / 10^6) without a 128-bit product: split count into
 * a * 10^6 + b; a * q_ppm <= count and b * q_ppm < 10^12 both fit. */
static uint64_t hist_rank(uint64_t count, uint32_t q_ppm)
{
	uint64_t a = count / HIST_PPM_MAX, b = count % HIST_PPM_MAX;
	return a * q_ppm + (b * q_ppm + HIST_PPM_MAX - 1) / HIST_PPM_MAX;
}

uint64_t hist_percentile(const struct hist *h, uint32_t q_ppm)
{
	sim_check(q_ppm <= HIST_PPM_MAX, "hist_percentile: q_ppm is parts per million, at most 10^6");
	uint64_t rank = hist_rank(h->count, q_ppm);
	if (rank == 0)
		return hist_min(h);

	/* O(HIST_BUCKETS) scan; reports ask for a handful of percentiles, so a
	 * cumulative index is not worth keeping up to date on the hot path. */
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t lo, hi;
			hist_bucket_range(i, &lo, &hi);
			return hi < h->max ? hi : h->max;
		}
	}
	sim_check(0, "hist: bucket counts sum to less than count");
	return h->max;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum_lo += src->sum_lo;
	dst->sum_hi += src->sum_hi + (dst->sum_lo < src->sum_lo);
}

void hist_group_init(struct hist_group *g, uint32_t n)
{
	g->n = n;
	g->n_staged = 0;
	g->is_ready = false;
	g->is_prefetch = true;
	g->staged = (uint64_t *)(void *)&g->h[n];
}

void hist_group_fold(struct hist_group *g) { hist_group_fold_n(g, g->n); }

const struct hist *hist_group_get(struct hist_group *g, uint32_t s)
{
	static const struct hist empty = HIST_EMPTY;
	if (!g->is_ready)
		return &empty;
	hist_group_fold(g);
	return &g->h[s];
}
