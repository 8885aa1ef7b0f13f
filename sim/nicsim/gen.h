/*
 * sim/nicsim/gen.h — `nicsim gen`: a synthetic capture from a short spec.
 *
 * Writes a pcap (nanosecond or microsecond timestamps, Ethernet; gzip when
 * the name ends in .gz) of N flows between remote clients and one host:
 * TCP conversations in both directions (handshake, data, the host's ACKs,
 * FIN close) and one-way UDP streams, with flow sizes, frame sizes and
 * arrivals drawn from the spec's distributions. Same spec and seed, same
 * bytes. The spec, the distributions and the limits: docs/gen.md.
 */
#ifndef NICSIM_SIM_NICSIM_GEN_H
#define NICSIM_SIM_NICSIM_GEN_H

#include <stdint.h>
#include <stdio.h>

/* `nicsim gen [options]` (argv without the command word). Returns the exit
 * status: 0, 2 for a bad option or spec (the message names it), 3 when the
 * output cannot be written. */
int cmd_gen(int argc, char **argv);
/* `nicsim help gen`: the options, from the option table. */
void gen_usage(FILE *f);

/* The arithmetic the distributions rest on, for the tests. */
/* xoshiro256** (Blackman and Vigna), seeded through splitmix64 from (seed, stream). */
struct gen_rng {
	uint64_t s[4];
};
uint64_t gen_splitmix64(uint64_t *state);
void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t gen_rng_next(struct gen_rng *r);
/* log2(x) for x >= 1, in Q32.32 (32 fraction bits, truncated). */
uint64_t gen_log2_q32(uint64_t x);
/* 2^(f / 2^32) for a fraction f, in Q2.62: [2^62, 2^63). */
uint64_t gen_exp2_q62(uint32_t frac_q32);

#endif
