/*
 * sim/hist.h — a log-linear histogram of unsigned 64-bit integers, for
 * latencies in picoseconds (the histogram itself does not care about units).
 *
 * Layout (the HdrHistogram scheme with 2^HIST_SUB_BITS sub-buckets):
 *   - values 0 .. 2^(HIST_SUB_BITS+1)-1 (0..63) each have their own bucket;
 *   - above that, each power of two [2^m, 2^(m+1)) is cut into 2^HIST_SUB_BITS
 *     (32) equal buckets of width 2^(m - HIST_SUB_BITS).
 * A bucket [lo, hi] therefore has hi - lo < lo / 32: any value reported from a
 * bucket is within 1/32 (3.1 %) of every value recorded in it. The top bucket
 * ends at UINT64_MAX, so every uint64_t value is recordable.
 *
 * The state is a fixed array (no allocation per record; struct hist can be
 * embedded in its owner, about 15 KiB). Integers only: no floating point in
 * the state or in the percentile computation, so a report is reproducible bit
 * for bit across compilers.
 *
 * count, min, max and sum are exact. Percentiles are bucket-resolution, see
 * hist_percentile().
 */
#ifndef NICSIM_SIM_HIST_H
#define NICSIM_SIM_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)                  /* 32 buckets per power of two */
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB_COUNT) /* 1920 */
#define HIST_PPM_MAX 1000000u  /* hist_percentile(h, HIST_PPM_MAX) is p100 */

struct hist {
	uint64_t count;
	uint64_t min;        /* UINT64_MAX while empty (so the first record sets it) */
	uint64_t max;        /* 0 while empty */
	uint64_t sum_lo;     /* exact 128-bit sum: sum_hi * 2^64 + sum_lo */
	uint64_t sum_hi;
	uint64_t buckets[HIST_BUCKETS];
};

/* Index of the bucket holding value. Values below 2^(SUB_BITS+1) index
 * themselves; above, shift drops all but the top SUB_BITS+1 bits, and
 * (shift << SUB_BITS) + top lands each power of two on its own 32 buckets.
 * OR-ing in 2^(SUB_BITS+1)-1 keeps clz defined for 0 and makes shift 0 for
 * the small exact values, with no branch. */
static inline unsigned hist_bucket_index(uint64_t value)
{
	unsigned shift = (unsigned)(63 - HIST_SUB_BITS)
			 - (unsigned)__builtin_clzll(value | (2 * HIST_SUB_COUNT - 1));
	return (shift << HIST_SUB_BITS) + (unsigned)(value >> shift);
}

/* An empty histogram, as an initializer (what hist_init() makes). */
#define HIST_EMPTY { .min = UINT64_MAX }
void hist_init(struct hist *h);

/* Hot path: a clz, a shift, an increment and the min/max/sum updates. */
static inline void hist_record(struct hist *h, uint64_t value)
{
	h->buckets[hist_bucket_index(value)]++;
	h->count++;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->sum_lo += value;
	h->sum_hi += h->sum_lo < value;  /* carry */
}

/* hist_record() of n values, v[0], v[stride], ..., v[(n - 1) * stride], with
 * the same result. For batches: count, min, max and sum are updated once, in
 * registers, instead of once per value through memory. */
static inline void hist_record_n(struct hist *h, const uint64_t *v, uint32_t n, uint32_t stride)
{
	uint64_t mn = h->min, mx = h->max, lo = h->sum_lo, hi = h->sum_hi;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t x = v[(size_t)i * stride];
		h->buckets[hist_bucket_index(x)]++;
		mn = x < mn ? x : mn;
		mx = x > mx ? x : mx;
		lo += x;
		hi += lo < x;
	}
	h->count += n;
	h->min = mn;
	h->max = mx;
	h->sum_lo = lo;
	h->sum_hi = hi;
}
uint64_t hist_count(const struct hist *h);
/* Exact smallest / largest recorded value; 0 when empty. */
uint64_t hist_min(const struct hist *h);
uint64_t hist_max(const struct hist *h);
/* Exact sum of recorded values, saturated at UINT64_MAX (the state keeps 128
 * bits, so merges and further records stay exact past saturation). */
uint64_t hist_sum(const struct hist *h);
/* hist_sum / hist_count, rounded down; 0 when empty. */
uint64_t hist_mean(const struct hist *h);

/* The q_ppm-th percentile, q_ppm in parts per million (500000 = p50,
 * 999000 = p99.9, HIST_PPM_MAX = p100); q_ppm > HIST_PPM_MAX is a caller bug
 * (asserted).
 *
 * Definition: let rank = ceil(q_ppm * count / 10^6). If rank == 0 (q_ppm == 0,
 * or the histogram is empty) the result is hist_min() (0 when empty).
 * Otherwise it is the smallest upper edge of a bucket such that at least rank
 * recorded values are <= it, clamped to at most hist_max().
 *
 * Consequences: p0 == min and p100 == max exactly; for any q, if x is the
 * exact rank-th smallest recorded value, x <= result <= x + x / 32 (and
 * result == x below 64). */
uint64_t hist_percentile(const struct hist *h, uint32_t q_ppm);

/* dst += src: afterwards dst is exactly as if every value recorded in src had
 * been recorded in dst too. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Inclusive value range [*lo, *hi] of bucket index (< HIST_BUCKETS); for
 * reports that print the buckets. */
void hist_bucket_range(unsigned index, uint64_t *lo, uint64_t *hi);

/* A group of n histograms recorded together, one sample each per event
 * (the stages of one frame's latency), staged HIST_GROUP_BATCH events at a
 * time and then added stage by stage. A sample then writes part of one
 * staging line instead of a line of every histogram; the histograms come out
 * the same, since recording is order-free (counts, min, max, exact sum).
 * Reading folds what is staged first. The histograms start empty at the
 * group's first event. A group lives in hist_group_bytes(n) bytes: the
 * struct, its n histograms, then its staging area. */
#define HIST_GROUP_BATCH 64u
struct hist_group {
	uint32_t n;                 /* histograms */
	uint32_t n_staged;          /* events staged */
	bool is_ready;              /* histograms initialised */
	bool is_prefetch;           /* fold: request the lines first (hist_group_init: true) */
	uint64_t *staged;           /* HIST_GROUP_BATCH * n samples, event-major, after h[n] */
	struct hist h[];
};
static inline size_t hist_group_bytes(uint32_t n)
{
	return sizeof(struct hist_group) + n * sizeof(struct hist) + (size_t)HIST_GROUP_BATCH * n * sizeof(uint64_t);
}
/* g points at hist_group_bytes(n) bytes. */
void hist_group_init(struct hist_group *g, uint32_t n);

/* Add the staged samples to the histograms, stage by stage. n is the
 * group's (a constant at the call site lets the compiler unroll the
 * stages). With is_prefetch, every line the fold will write is requested
 * first: the misses then overlap instead of queueing one behind the other.
 * That pays when the groups outgrow the caches (many queues); with a few
 * queues' groups in cache, computing each bucket twice costs more than it
 * saves (docs/performance.md, issue #15). */
static inline void hist_group_fold_n(struct hist_group *g, uint32_t n)
{
	for (uint32_t s = 0; g->is_prefetch && s < n; s++) {
		__builtin_prefetch(&g->h[s], 1);
		for (uint32_t i = 0; i < g->n_staged; i++)
			__builtin_prefetch(&g->h[s].buckets[hist_bucket_index(g->staged[(size_t)i * n + s])], 1);
	}
	for (uint32_t s = 0; s < n; s++)
		hist_record_n(&g->h[s], &g->staged[s], g->n_staged, n);
	g->n_staged = 0;
}
void hist_group_fold(struct hist_group *g);

/* The next event's n samples, to fill: the caller writes all n and then
 * calls hist_group_commit_n with the same n. */
static inline uint64_t *hist_group_next(struct hist_group *g)
{
	if (!g->is_ready) {
		g->is_ready = true;
		for (uint32_t s = 0; s < g->n; s++)
			hist_init(&g->h[s]);
	}
	return g->staged + (size_t)g->n_staged * g->n;
}
static inline void hist_group_commit_n(struct hist_group *g, uint32_t n)
{
	if (++g->n_staged == HIST_GROUP_BATCH)
		hist_group_fold_n(g, n);
}
/* Histogram s, staged samples folded in (an empty one before any event). */
const struct hist *hist_group_get(struct hist_group *g, uint32_t s);

#endif
