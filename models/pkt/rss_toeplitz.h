/*
 * models/pkt/rss_toeplitz.h — the Toeplitz hash engine (C twin of rtl/rss_toeplitz.sv).
 *
 * Function: Microsoft "RSS hashing functions" / Intel 82599 datasheet
 * §7.1.2.8: for each input bit, MSB of byte 0 first, if the bit is 1 XOR the
 * leftmost 32 bits of the key into the result, then shift the key left by one.
 * The key must hold at least in_len + 4 bytes (40-byte key: up to 36 input
 * bytes, the TCP/IPv6 4-tuple).
 *
 * Timing (shared with the RTL twin, which is the yardstick): the input is
 * streamed in words of width_bytes; one word per cycle when valid/ready are
 * both high; the hash is valid RSS_TOEPLITZ_LATENCY_CYCLES after the last
 * word is accepted. cycles(len) = ceil(len / width) + latency.
 */
#ifndef NICSIM_MODELS_PKT_RSS_TOEPLITZ_H
#define NICSIM_MODELS_PKT_RSS_TOEPLITZ_H

#include <stddef.h>
#include <stdint.h>

#define RSS_KEY_BYTES_MAX 52      /* enough for 36 input bytes + 4, rounded; NDIS uses 40 */
#define RSS_INPUT_BYTES_MAX 36    /* TCP/IPv6 4-tuple */
/* A key must cover the longest input plus the last 32-bit window:
 * Microsoft, "RSS hashing functions" (input length limit). */
#define RSS_KEY_BYTES_MIN (RSS_INPUT_BYTES_MAX + 4u)
#define RSS_TOEPLITZ_LATENCY_CYCLES 1u

/* Fast table-driven engine: one 256-entry table per input byte position. */
struct rss_toeplitz {
	uint32_t lut[RSS_INPUT_BYTES_MAX][256];
};
void rss_toeplitz_setkey(struct rss_toeplitz *t, const uint8_t *key, size_t key_len);
uint32_t rss_toeplitz_hash(const struct rss_toeplitz *t, const uint8_t *in, size_t in_len);

/* Cycles the engine is busy for an input of in_len bytes at width_bytes per cycle. */
uint32_t rss_toeplitz_cycles(uint32_t in_len, uint32_t width_bytes);

#endif
