/*
 * models/pkt/rss_toeplitz.c — the Toeplitz hash engine (C twin of rtl/rss_toeplitz.sv).
 *
 * What it models: the 32-bit Toeplitz hash of Microsoft "RSS hashing
 * functions" (rss-hashing-functions.md) and Intel 82599 datasheet §7.1.2.8 /
 * 82598EB §3.5.2.10, and the cycles the
 * hardware engine is busy for one input. What it leaves out: choosing the
 * input (models/rss.c) and the streaming handshake (the RTL twin).
 *
 * rss_toeplitz_setkey/_hash compute the hash as 36 x 256 precomputed words.
 * Toeplitz is linear over GF(2) in the input, so the hash is the XOR over
 * input bytes of "hash of that byte alone at that position"; lut[pos][v] is
 * exactly that, and a hash costs in_len loads and XORs. The table is 36 KiB
 * per key; setkey costs 36 x 256 XORs. (The tests hold it to a bit-serial
 * transcription of the spec of their own, tu_toeplitz, and to the published
 * vectors.)
 *
 * Key bits beyond key_len read as zero: "shift K left" shifts
 * zeros in, which is what a hardware key register does. The contract asks for
 * key_len >= in_len + 4, so with a valid configuration the zeros never reach
 * the window; rss_cfg_validate enforces it at the boundary.
 */
#include "models/pkt/rss_toeplitz.h"
#include "sim/check.h"

#include <string.h>

/* The 32-bit key window starting at key bit bit_off (bits past the key are 0). */
static uint32_t key_window(const uint8_t *key, size_t key_len, size_t bit_off)
{
	uint64_t w = 0;
	size_t first = bit_off / 8;
	for (size_t i = 0; i < 8; i++)      /* 8 bytes cover 32 bits at any bit shift */
		w = (w << 8) | (first + i < key_len ? key[first + i] : 0u);
	w <<= bit_off % 8;
	return (uint32_t)(w >> 32);
}

void rss_toeplitz_setkey(struct rss_toeplitz *t, const uint8_t *key, size_t key_len)
{
	for (size_t pos = 0; pos < RSS_INPUT_BYTES_MAX; pos++) {
		/* win[k]: window for the byte's bit of value 1 << k, i.e. input bit
		 * pos*8 + (7 - k) counted from the MSB of byte 0. */
		uint32_t win[8];
		for (unsigned k = 0; k < 8; k++)
			win[k] = key_window(key, key_len, pos * 8 + (7 - k));
		uint32_t *lut = t->lut[pos];
		lut[0] = 0;
		for (unsigned v = 1; v < 256; v++) {
			/* v = (v with its lowest set bit cleared) + that bit; linearity
			 * gives the entry from an earlier one. */
			unsigned low = 0;
			while (!((v >> low) & 1u))
				low++;
			lut[v] = lut[v & (v - 1)] ^ win[low];
		}
	}
}

uint32_t rss_toeplitz_hash(const struct rss_toeplitz *t, const uint8_t *in, size_t in_len)
{
	sim_check(in_len <= RSS_INPUT_BYTES_MAX, "rss_toeplitz_hash: input longer than the table (36 bytes)");
	uint32_t h = 0;
	for (size_t i = 0; i < in_len; i++)
		h ^= t->lut[i][in[i]];
	return h;
}

uint32_t rss_toeplitz_cycles(uint32_t in_len, uint32_t width_bytes)
{
	sim_check(width_bytes >= 1, "rss_toeplitz_cycles: datapath width must be at least 1 byte");
	/* One word of width_bytes per cycle (the last one may be partial), then
	 * the pipeline's latency; same formula as the RTL twin's header. */
	return (in_len + width_bytes - 1) / width_bytes + RSS_TOEPLITZ_LATENCY_CYCLES;
}
