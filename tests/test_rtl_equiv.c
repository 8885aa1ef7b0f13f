/*
 * tests/test_rtl_equiv.c — the C models against their Verilog twins (rtl/).
 *
 * docs/design.md "Cycle-approximate, and how we know": the RTL is the yardstick.
 * Both twins get the same inputs — the published vectors (read at run time
 * from tests/vectors/), and 100000+ random inputs per block from a fixed
 * seed, with random stalls (input valid low, output ready low) — and must
 * give identical results; the RTL's cycle count with the stall cycles taken
 * out must equal the C model's *_cycles(). A deliberately wrong Toeplitz
 * build must be caught by the published vectors. Every test ends with the
 * twins idle (nothing in flight).
 *
 * Expected values come from outside: the vectors' published hashes and sums;
 * for random inputs the RTL (an independent implementation) is the
 * reference for the C model and vice versa.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/pkt/csum.h"
#include "models/rss.h"
#include "models/pkt/rss_toeplitz.h"
#include "rtl/rtl_twins.h"

#define SEED 0x6e696373696d3031ull   /* "nicsim01" */
#define RANDOM_INPUTS 100000u

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* xorshift64*: reproducible, good enough to pick lengths and bytes. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
static void rnd_bytes(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(rnd() >> 56);
}

static const uint32_t widths[] = {4, 8};

/* ------------------------------------------------------------------ helpers */

static struct rtl_toeplitz *toe_open(uint32_t width, bool is_faulty)
{
	struct rtl_toeplitz *h;
	char err[256] = "";
	struct rtl_toeplitz_params p = {.width_bytes = width, .is_faulty = is_faulty};
	int rc = rtl_toeplitz_open(&h, &p, NULL, err, sizeof err);
	if (rc)
		fail_msg("rtl_toeplitz_open: %s", err);
	return h;
}

static struct rtl_csum *csum_open(uint32_t width)
{
	struct rtl_csum *h;
	char err[256] = "";
	struct rtl_csum_params p = {.width_bytes = width};
	if (rtl_csum_open(&h, &p, NULL, err, sizeof err))
		fail_msg("rtl_csum_open: %s", err);
	return h;
}

struct key {
	uint8_t bytes[RSS_KEY_BYTES_MAX];
	size_t len;
};

static struct key published_key(json_t *v)
{
	struct key k = {0};
	int n = tu_hex_decode(json_string_value(json_object_get(v, "key_hex")), k.bytes, sizeof k.bytes);
	assert_int_equal(n, 40);
	k.len = (size_t)n;
	return k;
}

/* Published rows: every row's input hashes to its expected value (the
 * derived_negative rows too: they are the hashes of wrongly built inputs). */
struct vec {
	uint8_t in[RSS_INPUT_BYTES_MAX];
	size_t len;
	uint32_t hash;
	bool is_primary;
};

static size_t load_rows(json_t *v, struct vec *out, size_t max)
{
	size_t n = 0;
	const char *sets[] = {"rows", "derived_rows"};
	for (size_t s = 0; s < 2; s++) {
		json_t *rows = json_object_get(v, sets[s]);
		assert_non_null(rows);
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r) {
			assert_true(n < max);
			int len = tu_hex_decode(json_string_value(json_object_get(r, "input_hex")), out[n].in,
						sizeof out[n].in);
			assert_true(len > 0);
			out[n].len = (size_t)len;
			out[n].hash = (uint32_t)strtoul(json_string_value(json_object_get(r, "expected_hash_hex")), NULL, 16);
			out[n].is_primary = !strcmp(json_string_value(json_object_get(r, "kind")), "primary");
			n++;
		}
	}
	return n;
}

/* Feed one input through the low-level API with random stalls: input valid
 * low before a word (p_idle in 1/4), output ready low (p 1/4). Returns the
 * hash; *cycles gets the cycles minus the stall cycles. */
static uint32_t toe_run_stalled(struct rtl_toeplitz *h, uint32_t width, const uint8_t *in, size_t len,
				uint32_t *cycles)
{
	size_t words = (len + width - 1) / width, next = 0;
	uint32_t total = 0, stalls = 0, hash = 0;
	bool is_driving = false;
	for (;;) {
		bool is_out_ready = rnd() % 4 != 0;
		rtl_toeplitz_set_out_ready(h, is_out_ready);
		bool is_idle = false;
		if (!is_driving && next < words) {
			if (rnd() % 4 == 0) {
				rtl_toeplitz_feed_idle(h);
				is_idle = true;
			} else {
				size_t off = next * width;
				uint32_t nb = (uint32_t)(len - off < width ? len - off : width);
				rtl_toeplitz_feed(h, in + off, nb, next + 1 == words);
				is_driving = true;
			}
		}
		bool is_accepted = rtl_toeplitz_step(h);
		total++;
		if (is_accepted) {
			is_driving = false;
			next++;
		} else if (is_idle || is_driving) {
			stalls++;   /* valid low, or valid high and not ready */
		} else if (next == words && !is_out_ready) {
			stalls++;   /* the hash is held */
		}
		if (rtl_toeplitz_result(h, &hash))
			break;
		assert_true(total < 1000);
	}
	rtl_toeplitz_set_out_ready(h, true);
	*cycles = total - stalls;
	return hash;
}

static uint32_t csum_run_stalled(struct rtl_csum *h, uint32_t width, const uint8_t *data, size_t len,
				 uint32_t start, uint32_t init, uint32_t *cycles)
{
	size_t words = (len + width - 1) / width, next = 0;
	uint32_t total = 0, stalls = 0;
	uint16_t sum = 0;
	bool is_driving = false;
	rtl_csum_set_packet(h, start, init);
	for (;;) {
		bool is_out_ready = rnd() % 4 != 0;
		rtl_csum_set_out_ready(h, is_out_ready);
		bool is_idle = false;
		if (!is_driving && next < words) {
			if (rnd() % 8 == 0) {
				rtl_csum_feed_idle(h);
				is_idle = true;
			} else {
				size_t off = next * width;
				uint32_t nb = (uint32_t)(len - off < width ? len - off : width);
				rtl_csum_feed(h, data + off, nb, next + 1 == words);
				is_driving = true;
			}
		}
		bool is_accepted = rtl_csum_step(h);
		total++;
		if (is_accepted) {
			is_driving = false;
			next++;
		} else if (is_idle || is_driving) {
			stalls++;
		} else if (next == words && !is_out_ready) {
			/* Stage 2 never stalls while the output register is free,
			 * so only a held output costs a cycle after the last word
			 * — and only from the cycle the sum reached the output. */
			uint32_t after_last = total - stalls - (uint32_t)words;
			if (after_last >= RTL_CSUM_LATENCY_CYCLES)
				stalls++;
		}
		if (rtl_csum_result(h, &sum))
			break;
		assert_true(total < 20000);
	}
	rtl_csum_set_out_ready(h, true);
	*cycles = total - stalls;
	return sum;
}

static uint16_t c_sum(const uint8_t *data, size_t len, uint32_t init)
{
	return csum_fold(csum_partial(data, len, init));
}

/* ---------------------------------------------------------------- Toeplitz */

static void test_rtl_toeplitz_published_vectors_match_c_and_cycles(void **state)
{
	(void)state;
	json_t *v = tu_load_json(tu_path(tu_vectors_dir(), "rss_toeplitz_vectors.json"));
	struct key k = published_key(v);
	struct vec rows[64];
	size_t n = load_rows(v, rows, 64);
	assert_true(n >= 16);
	static struct rss_toeplitz c;
	rss_toeplitz_setkey(&c, k.bytes, k.len);

	for (size_t wi = 0; wi < 2; wi++) {
		struct rtl_toeplitz *h = toe_open(widths[wi], false);
		assert_int_equal(rtl_toeplitz_set_key(h, k.bytes, k.len), 0);
		for (size_t i = 0; i < n; i++) {
			uint32_t cycles = 0;
			uint32_t rtl = rtl_toeplitz_hash(h, rows[i].in, rows[i].len, &cycles);
			if (rtl != rows[i].hash)
				fail_msg("width %u row %zu (len %zu): RTL 0x%08x, published 0x%08x", widths[wi], i,
					 rows[i].len, rtl, rows[i].hash);
			assert_int_equal(rss_toeplitz_hash(&c, rows[i].in, rows[i].len), rows[i].hash);
			assert_int_equal(cycles, rss_toeplitz_cycles((uint32_t)rows[i].len, widths[wi]));
		}
		assert_false(rtl_toeplitz_is_busy(h));
		rtl_toeplitz_close(h);
	}
	json_decref(v);
}

static void test_rtl_toeplitz_faulty_twin_disagrees_on_published_vectors(void **state)
{
	(void)state;
	json_t *v = tu_load_json(tu_path(tu_vectors_dir(), "rss_toeplitz_vectors.json"));
	struct key k = published_key(v);
	struct vec rows[64];
	size_t n = load_rows(v, rows, 64);
	struct rtl_toeplitz *h = toe_open(8, true);
	assert_int_equal(rtl_toeplitz_set_key(h, k.bytes, k.len), 0);
	size_t primary = 0, caught = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].is_primary)
			continue;
		primary++;
		uint32_t cycles;
		if (rtl_toeplitz_hash(h, rows[i].in, rows[i].len, &cycles) != rows[i].hash)
			caught++;
		assert_int_equal(cycles, rss_toeplitz_cycles((uint32_t)rows[i].len, 8));
	}
	/* Key bit 5 is used by every input with a 1 in its first six bits; each
	 * published input has one (0x42.., 0xc7.., 0x18.., 0x26.., 0x99.., 0x3f..). */
	assert_int_equal(primary, 16);
	assert_int_equal(caught, primary);
	assert_false(rtl_toeplitz_is_busy(h));
	rtl_toeplitz_close(h);

	/* The open refuses a faulty build that does not exist. */
	struct rtl_toeplitz *bad = NULL;
	char err[128] = "";
	struct rtl_toeplitz_params p = {.width_bytes = 4, .is_faulty = true};
	assert_true(rtl_toeplitz_open(&bad, &p, NULL, err, sizeof err) < 0);
	assert_null(bad);
	assert_true(strlen(err) > 0);
	json_decref(v);
}

static void test_rtl_toeplitz_random_inputs_with_stalls_match_c(void **state)
{
	(void)state;
	static const size_t lens[] = {8, 12, 32, 36};
	static struct rss_toeplitz c;
	rng_state = SEED;
	struct key k = {.len = 40};
	for (size_t wi = 0; wi < 2; wi++) {
		uint32_t w = widths[wi];
		struct rtl_toeplitz *h = toe_open(w, false);
		for (uint32_t i = 0; i < RANDOM_INPUTS / 2; i++) {
			if (i % 5000 == 0) {   /* a fresh key now and then, 40..52 bytes */
				k.len = 40 + (size_t)(rnd() % 13);
				rnd_bytes(k.bytes, k.len);
				assert_int_equal(rtl_toeplitz_set_key(h, k.bytes, k.len), 0);
				rss_toeplitz_setkey(&c, k.bytes, k.len);
			}
			uint8_t in[RSS_INPUT_BYTES_MAX];
			size_t len = lens[rnd() % 4];
			rnd_bytes(in, len);
			uint32_t cycles, expect = rss_toeplitz_hash(&c, in, len);
			uint32_t rtl = (i % 2) ? toe_run_stalled(h, w, in, len, &cycles) : rtl_toeplitz_hash(h, in, len, &cycles);
			if (rtl != expect)
				fail_msg("width %u input %u len %zu: RTL 0x%08x, C 0x%08x", w, i, len, rtl, expect);
			if (cycles != rss_toeplitz_cycles((uint32_t)len, w))
				fail_msg("width %u input %u len %zu: RTL %u cycles, C %u", w, i, len, cycles,
					 rss_toeplitz_cycles((uint32_t)len, w));
			if (i % 1000 == 0)   /* the bit-serial reference too, now and then */
				assert_int_equal(tu_toeplitz(k.bytes, k.len, in, len), expect);
		}
		assert_false(rtl_toeplitz_is_busy(h));
		rtl_toeplitz_close(h);
	}
}

/* Throughput: packets back to back take one cycle per word; only the last
 * packet's latency shows. */
static void test_rtl_toeplitz_back_to_back_packets_take_one_cycle_per_word(void **state)
{
	(void)state;
	static struct rss_toeplitz c;
	rng_state = SEED + 1;
	struct key k = {.len = 40};
	rnd_bytes(k.bytes, k.len);
	rss_toeplitz_setkey(&c, k.bytes, k.len);
	for (size_t wi = 0; wi < 2; wi++) {
		uint32_t w = widths[wi];
		struct rtl_toeplitz *h = toe_open(w, false);
		rtl_toeplitz_set_key(h, k.bytes, k.len);
		enum { PKTS = 50 };
		uint8_t in[PKTS][RSS_INPUT_BYTES_MAX];
		size_t len[PKTS];
		uint32_t words_total = 0, got = 0, hash;
		for (int p = 0; p < PKTS; p++) {
			len[p] = (size_t)(1 + rnd() % RSS_INPUT_BYTES_MAX);
			rnd_bytes(in[p], len[p]);
			words_total += (uint32_t)((len[p] + w - 1) / w);
		}
		uint64_t t0 = rtl_toeplitz_cycle(h);
		for (int p = 0; p < PKTS; p++) {
			size_t words = (len[p] + w - 1) / w;
			for (size_t x = 0; x < words; x++) {
				size_t off = x * w;
				uint32_t nb = (uint32_t)(len[p] - off < w ? len[p] - off : w);
				rtl_toeplitz_feed(h, in[p] + off, nb, x + 1 == words);
				assert_true(rtl_toeplitz_step(h));
				if (rtl_toeplitz_result(h, &hash)) {
					assert_int_equal(hash, rss_toeplitz_hash(&c, in[got], len[got]));
					got++;
				}
			}
		}
		rtl_toeplitz_feed_idle(h);
		while (got < PKTS) {
			rtl_toeplitz_step(h);
			assert_true(rtl_toeplitz_result(h, &hash));
			assert_int_equal(hash, rss_toeplitz_hash(&c, in[got], len[got]));
			got++;
		}
		assert_int_equal(rtl_toeplitz_cycle(h) - t0, words_total + RTL_TOEPLITZ_LATENCY_CYCLES);
		assert_false(rtl_toeplitz_is_busy(h));
		rtl_toeplitz_close(h);
	}
}

/* ---------------------------------------------------------------- checksum */

static void test_rtl_csum_published_vectors(void **state)
{
	(void)state;
	json_t *v = tu_load_json(tu_path(tu_vectors_dir(), "internet_checksum_vectors.json"));
	json_t *vecs = json_object_get(v, "vectors");
	assert_non_null(vecs);
	for (size_t wi = 0; wi < 2; wi++) {
		uint32_t w = widths[wi];
		struct rtl_csum *h = csum_open(w);
		size_t i, checked = 0;
		json_t *r;
		json_array_foreach(vecs, i, r) {
			const char *name = json_string_value(json_object_get(r, "name"));
			json_t *data_hex = json_object_get(r, "data_hex");
			uint32_t cycles;
			if (data_hex) {
				uint8_t d[256];
				int n = tu_hex_decode(json_string_value(data_hex), d, sizeof d);
				assert_true(n > 0);
				uint16_t sum = rtl_csum_sum(h, d, (size_t)n, 0, &cycles);
				assert_int_equal(sum, c_sum(d, (size_t)n, 0));
				assert_int_equal(cycles, csum_cycles((uint32_t)n, w));
				json_t *s = json_object_get(r, "ones_complement_sum_hex");
				if (s)
					assert_int_equal(sum, strtoul(json_string_value(s), NULL, 16));
				uint16_t ck = (uint16_t)strtoul(json_string_value(json_object_get(r, "checksum_hex")), NULL, 16);
				uint16_t rtl_ck = (uint16_t)~sum;
				if (rtl_ck != ck)
					fail_msg("%s (width %u): RTL checksum 0x%04x, published 0x%04x", name, w, rtl_ck, ck);
				if (json_object_get(r, "verify_sum_with_checksum_hex") && n >= 12) {
					/* IPv4 header: with the checksum in bytes 10-11 it sums to 0xffff. */
					d[10] = (uint8_t)(ck >> 8);
					d[11] = (uint8_t)ck;
					assert_int_equal(rtl_csum_sum(h, d, (size_t)n, 0, NULL), 0xffff);
				}
				checked++;
			} else if (json_object_get(r, "sum_of_other_fields_hex")) {
				/* RFC 1624 §4: full recomputation with the other fields as
				 * the initial sum: ~(0xcd7a + 0x3285) = 0x0000. */
				uint32_t other = (uint32_t)strtoul(json_string_value(json_object_get(r, "sum_of_other_fields_hex")), NULL, 16);
				uint16_t m_new = (uint16_t)strtoul(json_string_value(json_object_get(r, "m_new_hex")), NULL, 16);
				uint8_t d[2] = {(uint8_t)(m_new >> 8), (uint8_t)m_new};
				uint16_t sum = rtl_csum_sum(h, d, 2, other, &cycles);
				assert_int_equal(sum, c_sum(d, 2, other));
				assert_int_equal((uint16_t)~sum,
						 strtoul(json_string_value(json_object_get(r, "new_checksum_recomputed_hex")), NULL, 16));
				checked++;
			}
		}
		assert_true(checked >= 4);
		assert_false(rtl_csum_is_busy(h));
		rtl_csum_close(h);
	}
	json_decref(v);
}

static size_t csum_random_len(void)
{
	uint64_t r = rnd() % 1000;
	if (r == 0)
		return 9000;
	if (r < 10)
		return 1500;
	return (size_t)(1 + rnd() % 127);
}

static void test_rtl_csum_random_inputs_with_stalls_match_c(void **state)
{
	(void)state;
	static uint8_t buf[9000 + 64];
	rng_state = SEED + 2;
	for (size_t wi = 0; wi < 2; wi++) {
		uint32_t w = widths[wi];
		struct rtl_csum *h = csum_open(w);
		for (uint32_t i = 0; i < RANDOM_INPUTS / 2; i++) {
			size_t len = csum_random_len();
			rnd_bytes(buf, len);
			if (rnd() % 16 == 0)
				memset(buf, rnd() % 2 ? 0x00 : 0xff, len);   /* the 0 / 0xffff edges */
			/* Pseudo-header sums are a few 16-bit words: up to 24 bits. */
			uint32_t init = (rnd() % 8 == 0) ? 0 : (uint32_t)(rnd() & 0xffffff);
			uint32_t cycles;
			uint16_t rtl, expect;
			switch (i % 3) {
			case 0:   /* the whole buffer, back to back */
				rtl = rtl_csum_sum(h, buf, len, init, &cycles);
				expect = c_sum(buf, len, init);
				if (cycles != csum_cycles((uint32_t)len, w))
					fail_msg("width %u input %u len %zu: RTL %u cycles, C %u", w, i, len, cycles,
						 csum_cycles((uint32_t)len, w));
				break;
			case 1: { /* the whole buffer with stalls, or a range by start offset */
				uint32_t start = (rnd() % 2) ? 0 : (uint32_t)(rnd() % len);
				rtl = csum_run_stalled(h, w, buf, len, start, init, &cycles);
				expect = c_sum(buf + start, len - start, init);
				if (cycles != csum_cycles((uint32_t)len, w))
					fail_msg("width %u input %u len %zu start %u: RTL %u cycles, C %u", w, i, len, start,
						 cycles, csum_cycles((uint32_t)len, w));
				break;
			}
			default: { /* an arbitrary range of a word-aligned frame */
				size_t a = (size_t)(rnd() % len), b = a + 1 + (size_t)(rnd() % (len - a));
				rtl = rtl_csum_range(h, buf, a, b, init, &cycles);
				expect = c_sum(buf + a, b - a, init);
				uint32_t want = (uint32_t)((b + w - 1) / w - a / w) + RTL_CSUM_LATENCY_CYCLES;
				assert_int_equal(cycles, want);
				if (a % w == 0)
					assert_int_equal(cycles, csum_cycles((uint32_t)(b - a), w));
				break;
			}
			}
			if (rtl != expect)
				fail_msg("width %u input %u len %zu init 0x%x: RTL 0x%04x, C 0x%04x", w, i, len, init, rtl,
					 expect);
		}
		assert_false(rtl_csum_is_busy(h));
		rtl_csum_close(h);
	}
}

static void test_rtl_csum_back_to_back_packets_take_one_cycle_per_word(void **state)
{
	(void)state;
	rng_state = SEED + 3;
	for (size_t wi = 0; wi < 2; wi++) {
		uint32_t w = widths[wi];
		struct rtl_csum *h = csum_open(w);
		enum { PKTS = 40 };
		static uint8_t data[PKTS][128];
		size_t len[PKTS];
		uint32_t init[PKTS], words_total = 0, got = 0;
		uint16_t sum;
		for (int p = 0; p < PKTS; p++) {
			len[p] = (size_t)(1 + rnd() % 127);
			init[p] = (uint32_t)(rnd() & 0xfffff);
			rnd_bytes(data[p], len[p]);
			words_total += (uint32_t)((len[p] + w - 1) / w);
		}
		uint64_t t0 = rtl_csum_cycle(h);
		for (int p = 0; p < PKTS; p++) {
			size_t words = (len[p] + w - 1) / w;
			rtl_csum_set_packet(h, 0, init[p]);
			for (size_t x = 0; x < words; x++) {
				size_t off = x * w;
				uint32_t nb = (uint32_t)(len[p] - off < w ? len[p] - off : w);
				rtl_csum_feed(h, data[p] + off, nb, x + 1 == words);
				assert_true(rtl_csum_step(h));
				if (rtl_csum_result(h, &sum)) {
					assert_int_equal(sum, c_sum(data[got], len[got], init[got]));
					got++;
				}
			}
		}
		rtl_csum_feed_idle(h);
		while (got < PKTS) {
			rtl_csum_step(h);
			if (rtl_csum_result(h, &sum)) {
				assert_int_equal(sum, c_sum(data[got], len[got], init[got]));
				got++;
			}
		}
		assert_int_equal(rtl_csum_cycle(h) - t0, words_total + RTL_CSUM_LATENCY_CYCLES);
		assert_false(rtl_csum_is_busy(h));

		/* rtl_csum_sums (the full run's path: IPv4 header, then segment)
		 * gives each range the sum and the cycles of the C model, and the
		 * pair costs the words of both plus one latency of clocks. */
		for (int p = 0; p + 1 < PKTS; p++) {
			struct rtl_csum_seg seg[2] = {
				{ .data = data[p], .len = len[p], .init = init[p] },
				{ .data = data[p + 1], .len = len[p + 1], .init = init[p + 1] },
			};
			uint16_t sums[2];
			uint32_t cyc[2];
			uint64_t c0 = rtl_csum_cycle(h);
			assert_int_equal(rtl_csum_sums(h, seg, 2, sums, cyc), 0);
			for (int i = 0; i < 2; i++) {
				assert_int_equal(sums[i], c_sum(data[p + i], len[p + i], init[p + i]));
				assert_int_equal(cyc[i], csum_cycles((uint32_t)len[p + i], w));
			}
			assert_int_equal(rtl_csum_cycle(h) - c0,
					 (len[p] + w - 1) / w + (len[p + 1] + w - 1) / w + RTL_CSUM_LATENCY_CYCLES);
		}
		assert_int_equal(rtl_csum_sums(h, NULL, 0, NULL, NULL), -EINVAL);
		assert_false(rtl_csum_is_busy(h));
		rtl_csum_close(h);
	}
}

/* ------------------------------------------------------ indirection table */

static void test_rtl_rss_indir_matches_c_table(void **state)
{
	(void)state;
	json_t *v = tu_load_json(tu_path(tu_vectors_dir(), "rss_toeplitz_vectors.json"));
	json_t *ex = json_object_get(json_object_get(v, "indirection_index_examples"), "rows");
	assert_non_null(ex);
	static const uint32_t sizes[] = {64, 128, 512, 2048};
	rng_state = SEED + 4;
	for (size_t si = 0; si < 4; si++) {
		uint32_t size = sizes[si];
		struct rss_cfg cfg = {.queues = 16, .table_size = size, .key_len = 40, .default_queue = 0};
		struct rss *r;
		char err[256] = "";
		if (rss_init(&r, &cfg, err, sizeof err))
			fail_msg("rss_init: %s", err);
		struct rtl_rss_indir *h;
		struct rtl_rss_indir_params p = {.table_size = size};
		if (rtl_rss_indir_open(&h, &p, NULL, err, sizeof err))
			fail_msg("rtl_rss_indir_open: %s", err);
		for (uint32_t i = 0; i < size; i++) {
			uint16_t q = (uint16_t)(rnd() % cfg.queues);
			rss_table_set(r, i, q);
			assert_int_equal(rtl_rss_indir_table_set(h, i, q), 0);
		}
		/* Published index examples: index = low bits of the hash. */
		char key[32];
		snprintf(key, sizeof key, "index_%u", size);
		size_t i;
		json_t *row;
		json_array_foreach(ex, i, row) {
			uint32_t hash = (uint32_t)strtoul(json_string_value(json_object_get(row, "expected_hash_hex")), NULL, 16);
			uint32_t want = (uint32_t)json_integer_value(json_object_get(row, key));
			uint32_t index, cycles;
			uint16_t q = rtl_rss_indir_lookup(h, hash, &cycles);
			assert_true(rtl_rss_indir_result(h, NULL, &index));
			assert_int_equal(index, want);
			assert_int_equal(rss_table_index(r, hash), want);
			assert_int_equal(q, rss_queue_of(r, true, hash));
			assert_int_equal(cycles, 1 + RTL_RSS_INDIR_LATENCY_CYCLES);
		}
		for (uint32_t n = 0; n < 20000; n++) {
			uint32_t hash = (uint32_t)rnd(), cycles;
			if (n % 97 == 0) {   /* run-time table updates */
				uint32_t idx = (uint32_t)(rnd() % size);
				uint16_t q = (uint16_t)(rnd() % cfg.queues);
				rss_table_set(r, idx, q);
				rtl_rss_indir_table_set(h, idx, q);
			}
			assert_int_equal(rtl_rss_indir_lookup(h, hash, &cycles), rss_queue_of(r, true, hash));
			assert_int_equal(cycles, 1 + RTL_RSS_INDIR_LATENCY_CYCLES);
		}
		/* A write and a lookup of the same entry in one cycle: read-first. */
		uint32_t hash = (uint32_t)rnd(), idx = rss_table_index(r, hash);
		uint16_t old_q = rss_table_get(r, idx), new_q = (uint16_t)((old_q + 1) % cfg.queues), q;
		rtl_rss_indir_write(h, idx, new_q);
		rtl_rss_indir_feed(h, hash);
		assert_true(rtl_rss_indir_step(h));
		rtl_rss_indir_step(h);
		assert_true(rtl_rss_indir_result(h, &q, NULL));
		assert_int_equal(q, old_q);
		assert_int_equal(rtl_rss_indir_lookup(h, hash, NULL), new_q);
		/* Bad writes are refused. */
		assert_true(rtl_rss_indir_table_set(h, size, 0) < 0);
		assert_true(rtl_rss_indir_table_set(h, 0, 1u << RTL_RSS_INDIR_QUEUE_BITS) < 0);
		assert_false(rtl_rss_indir_is_busy(h));
		rtl_rss_indir_close(h);
		rss_free(r);
	}
	json_decref(v);
}

/* Output backpressure on the table: lookups queue behind a held result. */
static void test_rtl_rss_indir_output_stall_holds_result(void **state)
{
	(void)state;
	struct rtl_rss_indir *h;
	char err[256] = "";
	struct rtl_rss_indir_params p = {.table_size = 128};
	if (rtl_rss_indir_open(&h, &p, NULL, err, sizeof err))
		fail_msg("rtl_rss_indir_open: %s", err);
	for (uint32_t i = 0; i < 128; i++)
		rtl_rss_indir_table_set(h, i, (uint16_t)(i % 7));
	rtl_rss_indir_set_out_ready(h, false);
	rtl_rss_indir_feed(h, 10);
	assert_true(rtl_rss_indir_step(h));    /* accepted */
	rtl_rss_indir_feed(h, 11);
	assert_false(rtl_rss_indir_step(h));   /* result held: input stalls */
	assert_false(rtl_rss_indir_result(h, NULL, NULL));
	rtl_rss_indir_set_out_ready(h, true);
	uint16_t q;
	assert_true(rtl_rss_indir_step(h));    /* hash 10's queue leaves, 11 enters */
	assert_true(rtl_rss_indir_result(h, &q, NULL));
	assert_int_equal(q, 10 % 7);
	rtl_rss_indir_step(h);
	assert_true(rtl_rss_indir_result(h, &q, NULL));
	assert_int_equal(q, 11 % 7);
	assert_false(rtl_rss_indir_is_busy(h));
	rtl_rss_indir_close(h);

	/* Bad sizes are refused with a message. */
	p.table_size = 100;
	assert_true(rtl_rss_indir_open(&h, &p, NULL, err, sizeof err) < 0);
	assert_true(strstr(err, "100") != NULL);
}

/* ------------------------------------------------------------- waves, reset */

static void test_rtl_vcd_is_written_when_asked(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".vcd");
	struct rtl_toeplitz *h;
	char err[256] = "";
	struct rtl_toeplitz_params p = {.width_bytes = 8};
	assert_int_equal(rtl_toeplitz_open(&h, &p, path, err, sizeof err), 0);
	uint8_t key[40] = {0x6d, 0x5a}, in[12] = {1, 2, 3};
	rtl_toeplitz_set_key(h, key, sizeof key);
	rtl_toeplitz_hash(h, in, sizeof in, NULL);
	rtl_toeplitz_close(h);
	char *text = tu_read_file(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "$enddefinitions"));
	assert_non_null(strstr(text, "s_axis_tvalid"));
	assert_non_null(strstr(text, "m_axis_hash_valid"));
	free(text);
	unlink(path);

	/* A path that cannot be written is an error with the path named. */
	assert_true(rtl_toeplitz_open(&h, &p, "/nonexistent-dir/x.vcd", err, sizeof err) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/x.vcd"));
}

static void test_rtl_reset_drops_a_packet_in_flight(void **state)
{
	(void)state;
	uint8_t key[40], in[36];
	rng_state = SEED + 5;
	rnd_bytes(key, sizeof key);
	rnd_bytes(in, sizeof in);
	struct rtl_toeplitz *h = toe_open(8, false);
	rtl_toeplitz_set_key(h, key, sizeof key);
	rtl_toeplitz_feed(h, in, 8, false);
	assert_true(rtl_toeplitz_step(h));
	assert_true(rtl_toeplitz_is_busy(h));
	rtl_toeplitz_reset(h);
	assert_false(rtl_toeplitz_is_busy(h));
	/* The key survived the reset: the next hash is right. */
	static struct rss_toeplitz c;
	rss_toeplitz_setkey(&c, key, sizeof key);
	assert_int_equal(rtl_toeplitz_hash(h, in, 36, NULL), rss_toeplitz_hash(&c, in, 36));
	assert_false(rtl_toeplitz_is_busy(h));
	rtl_toeplitz_close(h);

	struct rtl_csum *cs = csum_open(8);
	rtl_csum_feed(cs, in, 8, false);
	assert_true(rtl_csum_step(cs));
	assert_true(rtl_csum_is_busy(cs));
	rtl_csum_reset(cs);
	assert_false(rtl_csum_is_busy(cs));
	assert_int_equal(rtl_csum_sum(cs, in, 36, 0, NULL), c_sum(in, 36, 0));
	assert_false(rtl_csum_is_busy(cs));
	rtl_csum_close(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtl_toeplitz_published_vectors_match_c_and_cycles),
		cmocka_unit_test(test_rtl_toeplitz_faulty_twin_disagrees_on_published_vectors),
		cmocka_unit_test(test_rtl_toeplitz_random_inputs_with_stalls_match_c),
		cmocka_unit_test(test_rtl_toeplitz_back_to_back_packets_take_one_cycle_per_word),
		cmocka_unit_test(test_rtl_csum_published_vectors),
		cmocka_unit_test(test_rtl_csum_random_inputs_with_stalls_match_c),
		cmocka_unit_test(test_rtl_csum_back_to_back_packets_take_one_cycle_per_word),
		cmocka_unit_test(test_rtl_rss_indir_matches_c_table),
		cmocka_unit_test(test_rtl_rss_indir_output_stall_holds_result),
		cmocka_unit_test(test_rtl_vcd_is_written_when_asked),
		cmocka_unit_test(test_rtl_reset_drops_a_packet_in_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
