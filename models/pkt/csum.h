/*
 * models/pkt/csum.h — Internet checksum engine (C twin of rtl/csum.sv) and the
 * receive-side checks a NIC makes with it.
 *
 * RFC 1071 (ones'-complement sum of 16-bit words, odd length padded with a
 * zero byte), RFC 1624 (incremental update, Eqn. 3), RFC 768/9293/8200 §8.1
 * pseudo-headers. The sum is independent of byte order (RFC 1071 §2(B)), so
 * the engine sums big-endian words as they appear on the wire.
 *
 * Timing (shared with the RTL twin): bytes stream in words of width_bytes,
 * starting at a byte offset; one word per cycle; the sum is valid
 * CSUM_LATENCY_CYCLES after the last word. cycles(len) = ceil(len/width) + latency.
 */
#ifndef NICSIM_MODELS_PKT_CSUM_H
#define NICSIM_MODELS_PKT_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"

#define CSUM_LATENCY_CYCLES 2u

/* 32-bit accumulating partial sum of data (big-endian 16-bit words), added to sum. */
uint32_t csum_partial(const uint8_t *data, size_t len, uint32_t sum);
/* Fold a partial sum to 16 bits (end-around carry). */
uint16_t csum_fold(uint32_t sum);
/* The checksum field value: ~fold(partial). */
static inline uint16_t csum_finish(uint32_t sum) { return (uint16_t)~csum_fold(sum); }
/* RFC 1624 Eqn. 3: new checksum after a 16-bit field changes old_word -> new_word. */
uint16_t csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word);

/* Verdicts. "Could not check" is not "bad". */
enum csum_verdict { CSUM_NOT_CHECKED = 0, CSUM_GOOD, CSUM_BAD };

struct csum_rx_result {
	uint8_t ip;   /* IPv4 header checksum: enum csum_verdict */
	uint8_t l4;   /* TCP/UDP checksum (pseudo-header included): enum csum_verdict;
	               * NOT_CHECKED for fragments, truncated captures, UDP checksum 0 */
};
/* What the receive checksum offload reports for a parsed frame. */
struct csum_rx_result csum_rx_check(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr);

/* The same check split in two, so an engine (the C sum or the RTL twin) can
 * do the summing: the plan names the byte ranges to sum, each with its
 * initial partial sum (the pseudo-header for L4); the verdict turns the folded
 * sums into GOOD/BAD (a right checksum folds to 0xffff, RFC 1071 §1). A range
 * not summed has its verdict decided already (l4_fixed: NOT_CHECKED, or BAD
 * for a zero UDP checksum over IPv6). csum_rx_check is plan + csum_range_sum
 * + verdict. */
struct csum_range {
	bool is_summed;
	uint32_t off, len;   /* bytes of the frame */
	uint32_t init;       /* initial partial sum */
};
struct csum_rx_plan {
	struct csum_range ip, l4;
	uint8_t l4_fixed;    /* the L4 verdict when l4.is_summed is false */
};
struct csum_rx_plan csum_rx_plan(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr);
uint16_t csum_range_sum(const uint8_t *frame, const struct csum_range *rg);
struct csum_rx_result csum_rx_verdict(const struct csum_rx_plan *pl, uint16_t ip_sum, uint16_t l4_sum);
/* The plan's ranges summed by the C engine, then the verdict. */
struct csum_rx_result csum_rx_sum_plan(const uint8_t *frame, const struct csum_rx_plan *pl);
/* Engine cycles for a plan: one pass per summed range (header, then segment),
 * each ceil(len/width) + CSUM_LATENCY_CYCLES — the RTL twin's timing. */
uint32_t csum_rx_cycles(const struct csum_rx_plan *pl, uint32_t width_bytes);

uint32_t csum_cycles(uint32_t len, uint32_t width_bytes);

#endif
