/*
 * sim/nicsim/gen.c — `nicsim gen`: synthetic captures (docs/gen.md).
 *
 * What it models. Remote clients behind one router talk to one host; the
 * capture is taken at the host's port. Each flow is a TCP conversation
 * (client SYN, host SYN-ACK, client ACK, client data in segments, the host's
 * ACKs, client FIN, host FIN-ACK, client ACK) or a one-way UDP stream to the
 * host. With --host-sends the host sends a TCP flow's data instead: the
 * client still opens (SYN), the host sends its segments back to back
 * whenever its wire is free (round robin over such flows), the client ACKs
 * every second one a round trip after it left, and the host closes (FIN, the
 * client's FIN-ACK, the host's ACK). The host receives every SYN, so
 * `nicsim run` detects it (host/replay.h).
 * Frames to the host ("rx") are put on their wire by the arrival process:
 * each arrival goes to the next open flow, round robin, that has a frame to
 * send; frames from the host ("tx": SYN-ACK, ACKs, FIN-ACK) leave on the
 * other wire a turnaround after the frame they answer; the clients' ACKs to
 * the host's data take the next arrivals, in the order they are due, ahead of
 * the round robin. On both wires a frame starts only once the previous one
 * in that direction has left the wire
 * (eth_wire_time_ps: FCS, preamble and gap included), at a whole timestamp
 * unit: a generated trace is never faster than its line rate.
 *
 * The receiver model: the host ACKs every second in-order segment
 * (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2; every --ack-every-th), at once for a segment beyond a hole
 * (a duplicate ACK) and for one that fills a hole (RFC 5681 §4.2). A segment
 * lost before the capture point is not in the capture; the client resends it
 * after three later segments (three duplicate ACKs, RFC 5681 §3.2) or when it
 * has no new data. A reordered segment arrives after the next one.
 *
 * What it leaves out (TODO(#20)): loss and reordering of the host's segments
 * after the capture point (its retransmissions); the senders' congestion and
 * flow control (a client sends whenever the arrival process offers, the host
 * whenever its wire is free; the window is never the limit); delayed-ACK
 * timers (the receiver's FIN-ACK acknowledges what is left); retransmissions
 * are never lost.
 *
 * Determinism: all arithmetic is integer. The PRNG is xoshiro256** seeded
 * by splitmix64; each flow draws its frame sizes and fates from its own
 * stream, so the arrival process moves frames in time without changing them.
 * Logarithms and powers are fixed point (gen_log2_q32, gen_exp2_q62). The
 * output bytes depend only on the spec, the seed and (for .gz) zlib's version.
 */
#include "sim/nicsim/gen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "models/pkt/csum.h"
#include "models/pkt/parse.h"
#include "sim/check.h"
#include "sim/kernel.h"
#include "sim/nicsim/ini.h"

enum { GEN_EXIT_USAGE = 2, GEN_EXIT_WRITE = 3 };

/* ---- PRNG and fixed-point arithmetic ---- */

/* splitmix64: Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; the constants of Vigna's splitmix64.c
 * (prng.di.unimi.it), which recommends it to seed xoshiro. */
uint64_t gen_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Each (seed, stream) pair its own sequence: the stream number is mixed into
 * the splitmix64 state before the four words are drawn. */
void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t st = seed ^ (stream * 0xd1342543de82ef95ull);
	gen_splitmix64(&st);
	for (int i = 0; i < 4; i++)
		r->s[i] = gen_splitmix64(&st);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256**: Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4), 2021; xoshiro256starstar.c (prng.di.unimi.it). */
uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl64(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* A whole number in 0..n-1: the high word of a 64x64-bit product (Lemire,
 * "Fast random integer generation in an interval", ACM TOMACS 2019, without
 * the rejection step: the bias is below n / 2^64). */
static uint64_t rng_below(struct gen_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)gen_rng_next(r) * n) >> 64);
}

/* True with probability ppm / 10^6. */
static bool rng_chance_ppm(struct gen_rng *r, uint32_t ppm)
{
	return ppm && rng_below(r, 1000000u) < ppm;
}

/* Turner, "A fast binary logarithm algorithm", IEEE Signal Processing
 * Magazine 27(5), 2010: normalise x to m in [1, 2); each squaring of m
 * gives the next fraction bit (m^2 >= 2: the bit is 1, halve m). */
uint64_t gen_log2_q32(uint64_t x)
{
	sim_check(x >= 1, "gen_log2_q32 takes x >= 1");
	int ip = 63 - __builtin_clzll(x);
	uint64_t m = ip >= 62 ? x >> (ip - 62) : x << (62 - ip);   /* Q2.62 in [2^62, 2^63) */
	uint64_t r = (uint64_t)ip << 32;
	for (int b = 31; b >= 0; b--) {
		m = (uint64_t)(((unsigned __int128)m * m) >> 62);   /* [2^62, 2^64) */
		if (m >= (1ull << 63)) {
			m >>= 1;
			r |= 1ull << b;
		}
	}
	return r;
}

/* Square root of a 128-bit integer, truncated: the digit-by-digit method
 * (Warren, Hacker's Delight, 2nd ed., §11-1). */
static uint64_t isqrt128(unsigned __int128 v)
{
	unsigned __int128 res = 0, bit = (unsigned __int128)1 << 126;
	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= res + bit) {
			v -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)res;
}

/* exp2_root[i] = 2^(2^-i) in Q2.62, i = 0..32, each the integer square root
 * of the one before (exp2_root[1] = sqrt(2) = 0x5a827999fcef3242 / 2^62). */
static uint64_t exp2_root[33];

static void exp2_table_init(void)
{
	if (exp2_root[0])
		return;
	exp2_root[0] = 1ull << 63;
	for (int i = 1; i <= 32; i++)
		exp2_root[i] = isqrt128((unsigned __int128)exp2_root[i - 1] << 62);
}

/* 2^f = the product of 2^(2^-i) over the set bits of f (bit 31 is 2^-1). */
uint64_t gen_exp2_q62(uint32_t frac_q32)
{
	exp2_table_init();
	uint64_t acc = 1ull << 62;
	for (int i = 1; i <= 32; i++)
		if (frac_q32 & (1u << (32 - i)))
			acc = (uint64_t)(((unsigned __int128)acc * exp2_root[i]) >> 62);
	return acc;
}

/* -log2(U) in Q32.32 for U = (r/2 + 1) / 2^63 in (0, 1]: the exponential and
 * Pareto draws both start from it. */
static uint64_t neg_log2_uniform_q32(struct gen_rng *r)
{
	uint64_t u = (gen_rng_next(r) >> 1) + 1;   /* 1..2^63 */
	return (63ull << 32) - gen_log2_q32(u);
}

/* ln 2 in Q0.64: 0.693147180559945309417... x 2^64, truncated. */
#define LN2_Q64 0xb17217f7d1cf79abull

/* ---- the spec ---- */

#define GEN_MIX_MAX 16
#define GEN_FRAME_MIN_BYTES 64u      /* IEEE 802.3 minimum, FCS included */
#define GEN_FRAME_MAX_BYTES 9018u    /* a 9000-byte MTU jumbo frame, FCS included */
#define GEN_FCS_BYTES 4u             /* on the wire, not in the capture */
#define GEN_WIRE_OVERHEAD_BYTES 20u  /* preamble, SFD, inter-frame gap (IEEE 802.3 §4.4.2) */
#define GEN_FLOWS_MAX UINT64_C(4294967296)
#define GEN_CONCURRENT_MAX 65536u
#define GEN_FLOW_BYTES_MAX (UINT64_C(1) << 40)
#define GEN_ZIPF_N_MAX 1000000u
#define GEN_HOST_PORT 5201u          /* no Wireshark dissector claims it: payload stays "data" */
#define GEN_CLIENT_PORT_MIN 49152u   /* IANA dynamic ports (RFC 6335 §6) */
#define GEN_WSCALE 7u                /* window scale both ends announce: 65535 << 7 = 8 MiB */
#define GEN_ETH_HDR_BYTES 14u
#define GEN_ETHERTYPE_IPV4 0x0800u
#define GEN_ETHERTYPE_IPV6 0x86ddu

enum dist_kind { DIST_FIXED, DIST_UNIFORM, DIST_PARETO, DIST_ZIPF };

struct gen_dist {
	enum dist_kind kind;
	uint64_t min_bytes, max_bytes;   /* fixed: min; uniform, pareto: the range; zipf: unit x 1..n */
	uint64_t shape_micro;            /* pareto alpha, zipf s, in millionths */
	uint64_t unit_bytes;             /* zipf */
	uint32_t zipf_n;
	uint64_t *zipf_cdf;              /* zipf_n cumulative weights (Q40), built at the start */
};

struct gen_mix {
	uint32_t n;
	uint32_t size_bytes[GEN_MIX_MAX];   /* FCS included */
	uint32_t weight[GEN_MIX_MAX];
	uint64_t total_weight;
};

enum arrival_kind { ARRIVAL_LINERATE, ARRIVAL_POISSON, ARRIVAL_ONOFF };

struct gen_spec {
	uint64_t seed;
	uint64_t flows;
	uint32_t concurrent;
	struct gen_dist flow_size;
	struct gen_mix frame;
	enum arrival_kind arrival;
	uint64_t poisson_fps;
	uint64_t on_ps, off_ps;
	uint32_t rate_mbps;
	uint32_t ipv6_ppm, udp_ppm, host_sends_ppm, loss_ppm, reorder_ppm;
	uint64_t rtt_ps, turnaround_ps;
	uint32_t ack_every;              /* the host ACKs every ack_every-th in-order segment */
	uint64_t frames_max;             /* 0: no limit */
	uint64_t duration_ps;            /* 0: no limit */
	uint64_t ts_unit_ps;             /* 1000 (ns) or 10^6 (us) */
	const char *out;
	char out_buf[1024];
};

/* Decimal with up to 6 fraction digits, as millionths; k, M, G multiply
 * by 10^3, 10^6, 10^9 when is_suffixed. 0 or -1. */
static int parse_micro(const char *v, bool is_suffixed, uint64_t *out)
{
	if (!v || !*v)
		return -1;
	uint64_t ip = 0, frac = 0;
	int nfrac = 0, ndig = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9'; p++, ndig++) {
		if (ip > (UINT64_MAX / 1000000u - 9) / 10)
			return -1;
		ip = ip * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, ndig++) {
			if (nfrac == 6)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
			nfrac++;
		}
	}
	if (!ndig)
		return -1;
	while (nfrac++ < 6)
		frac *= 10;
	uint64_t mul = 1;
	if (is_suffixed && *p) {
		mul = *p == 'k' ? 1000u : *p == 'M' ? 1000000u : *p == 'G' ? 1000000000u : 0;
		if (!mul)
			return -1;
		p++;
	}
	uint64_t m = ip * 1000000u + frac;
	if (*p || m > UINT64_MAX / mul)
		return -1;
	*out = m * mul;
	return 0;
}

/* parse_micro counts in millionths, so a whole number stops at 2^64 / 10^6. */
#define GEN_WHOLE_MAX (UINT64_MAX / 1000000u)

/* A whole number in min..max (suffixes k, M, G: 10^3, 10^6, 10^9). */
static int parse_whole(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t m;
	if (parse_micro(v, true, &m) || m % 1000000u)
		return -1;
	m /= 1000000u;
	if (m < min || m > max)
		return -1;
	*out = m;
	return 0;
}

/* The next ':'- or ','-separated field of *p into buf (NUL-terminated), or NULL at the end. */
static const char *next_field(const char **p, char sep, char *buf, size_t len)
{
	if (!*p)
		return NULL;
	const char *e = strchr(*p, sep);
	size_t n = e ? (size_t)(e - *p) : strlen(*p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, *p, n);
	buf[n] = 0;
	*p = e ? e + 1 : NULL;
	return buf;
}

#define OPT_ERR(...) (snprintf(err, err_len, __VA_ARGS__), -1)

static int parse_bytes_field(const char *f, uint64_t min, uint64_t *out)
{
	return parse_whole(f, min, GEN_FLOW_BYTES_MAX, out);
}

static int opt_flow_size(struct gen_spec *s, const char *v, char *err, size_t err_len)
{
	char kind[16], a[32], b[32], c[32];
	const char *p = v;
	struct gen_dist d = { 0 };
	if (!next_field(&p, ':', kind, sizeof kind))
		goto bad;
	const char *fa = next_field(&p, ':', a, sizeof a), *fb = next_field(&p, ':', b, sizeof b),
		   *fc = next_field(&p, ':', c, sizeof c);
	if (p)
		goto bad;
	if (!strcmp(kind, "fixed") && fa && !fb) {
		d.kind = DIST_FIXED;
		if (parse_bytes_field(fa, 1, &d.min_bytes))
			goto bad;
		d.max_bytes = d.min_bytes;
	} else if (!strcmp(kind, "uniform") && fb && !fc) {
		d.kind = DIST_UNIFORM;
		if (parse_bytes_field(fa, 1, &d.min_bytes) || parse_bytes_field(fb, 1, &d.max_bytes) ||
		    d.max_bytes < d.min_bytes)
			goto bad;
	} else if (!strcmp(kind, "pareto") && fb) {
		d.kind = DIST_PARETO;
		d.max_bytes = 1000000000u;   /* a choice: 1 GB, an upper end of transfer sizes; docs/gen.md */
		if (parse_micro(fa, false, &d.shape_micro) || d.shape_micro < 100000u || d.shape_micro > 10000000u ||
		    parse_bytes_field(fb, 1, &d.min_bytes) || (fc && parse_bytes_field(fc, 1, &d.max_bytes)) ||
		    d.max_bytes < d.min_bytes)
			goto bad;
	} else if (!strcmp(kind, "zipf") && fb) {
		d.kind = DIST_ZIPF;
		uint64_t n;
		d.unit_bytes = 1460;   /* a full TCP/IPv4 segment: 1500-byte MTU - 20 - 20 */
		if (parse_micro(fa, false, &d.shape_micro) || d.shape_micro > 10000000u ||
		    parse_whole(fb, 1, GEN_ZIPF_N_MAX, &n) || (fc && parse_bytes_field(fc, 1, &d.unit_bytes)) ||
		    n * d.unit_bytes > GEN_FLOW_BYTES_MAX)
			goto bad;
		d.zipf_n = (uint32_t)n;
		d.min_bytes = d.unit_bytes;
		d.max_bytes = n * d.unit_bytes;
	} else {
		goto bad;
	}
	free(s->flow_size.zipf_cdf);
	s->flow_size = d;
	return 0;
bad:
	return OPT_ERR("needs fixed:BYTES, uniform:MIN:MAX, pareto:ALPHA:MIN[:MAX] (ALPHA 0.1..10) or "
		       "zipf:S:N[:UNIT] (S 0..10, N 1..%u), sizes 1..%" PRIu64 " bytes",
		       GEN_ZIPF_N_MAX, GEN_FLOW_BYTES_MAX);
}

static int opt_frame_size(struct gen_spec *s, const char *v, char *err, size_t err_len)
{
	struct gen_mix m = { 0 };
	const char *p = v;
	uint64_t n, w;
	if (v && !strncmp(v, "mix:", 4)) {
		p = v + 4;
		char item[64], num[32];
		while (next_field(&p, ',', item, sizeof item)) {
			const char *q = item;
			if (m.n == GEN_MIX_MAX || !next_field(&q, '=', num, sizeof num) ||
			    parse_whole(num, GEN_FRAME_MIN_BYTES, GEN_FRAME_MAX_BYTES, &n) || !q ||
			    parse_whole(q, 0, 1000000u, &w))
				goto bad;
			m.size_bytes[m.n] = (uint32_t)n;
			m.weight[m.n++] = (uint32_t)w;
			m.total_weight += w;
		}
		if (!m.total_weight)
			goto bad;
	} else {
		if (parse_whole(v, GEN_FRAME_MIN_BYTES, GEN_FRAME_MAX_BYTES, &n))
			goto bad;
		m.n = 1;
		m.size_bytes[0] = (uint32_t)n;
		m.weight[0] = 1;
		m.total_weight = 1;
	}
	s->frame = m;
	return 0;
bad:
	return OPT_ERR("needs a frame size or mix:SIZE=WEIGHT,... (at most %d sizes, %u..%u bytes with the FCS, "
		       "weights 0..1000000, not all 0)",
		       GEN_MIX_MAX, GEN_FRAME_MIN_BYTES, GEN_FRAME_MAX_BYTES);
}

static int opt_arrival(struct gen_spec *s, const char *v, char *err, size_t err_len)
{
	char kind[16], a[32], b[32];
	const char *p = v;
	if (!next_field(&p, ':', kind, sizeof kind))
		goto bad;
	const char *fa = next_field(&p, ':', a, sizeof a), *fb = next_field(&p, ':', b, sizeof b);
	uint64_t x, y;
	if (!strcmp(kind, "linerate") && !fa) {
		s->arrival = ARRIVAL_LINERATE;
	} else if (!strcmp(kind, "poisson") && fa && !fb && !p && !parse_whole(fa, 1, 10000000000ull, &x)) {
		s->arrival = ARRIVAL_POISSON;
		s->poisson_fps = x;
	} else if (!strcmp(kind, "onoff") && fb && !p && !parse_whole(fa, 1, 1000000000u, &x) &&
		   !parse_whole(fb, 0, 1000000000u, &y)) {
		s->arrival = ARRIVAL_ONOFF;
		s->on_ps = x * 1000000u;
		s->off_ps = y * 1000000u;
	} else {
		goto bad;
	}
	return 0;
bad:
	return OPT_ERR("needs linerate, poisson:FRAMES_PER_S (1..10G) or onoff:ON_US:OFF_US (1..10^9, 0..10^9)");
}

static int parse_pct(const char *v, uint32_t *ppm, char *err, size_t err_len)
{
	uint64_t m;
	if (parse_micro(v, false, &m) || m > 100000000u || m % 100u)
		return OPT_ERR("needs a percentage from 0 to 100 (at most 4 decimals)");
	*ppm = (uint32_t)(m / 100u);
	return 0;
}

static int opt_timestamps(struct gen_spec *s, const char *v, char *err, size_t err_len)
{
	if (v && !strcmp(v, "ns"))
		s->ts_unit_ps = 1000u;
	else if (v && !strcmp(v, "us"))
		s->ts_unit_ps = 1000000u;
	else
		return OPT_ERR("needs ns or us");
	return 0;
}

static int opt_output(struct gen_spec *s, const char *v, char *err, size_t err_len)
{
	if (!v || !*v || strlen(v) >= sizeof s->out_buf)
		return OPT_ERR("needs a file name ('-': standard output)");
	snprintf(s->out_buf, sizeof s->out_buf, "%s", v);
	s->out = s->out_buf;
	return 0;
}

/* Every option, declared once: the command line (--NAME VALUE), a spec file
 * (NAME = VALUE) and `nicsim help gen` all read this table; the defaults
 * are applied through the same parsers. An option with a parse function
 * parses itself; the others are numbers stored into the spec at field_off
 * by opt_number (the same checks and messages for every one). */
enum gen_opt_num { OPT_WHOLE, OPT_PCT };

struct gen_opt {
	const char *name;
	const char *metavar;
	const char *defval;     /* NULL: none */
	const char *desc;
	int (*parse)(struct gen_spec *s, const char *v, char *err, size_t err_len);   /* NULL: a number */
	enum gen_opt_num num;   /* OPT_WHOLE: min..max (suffixes k, M, G), times scale; OPT_PCT: in ppm */
	size_t field_off;       /* offsetof(struct gen_spec, ...) */
	size_t field_bytes;     /* 4 (uint32_t) or 8 (uint64_t) */
	uint64_t min, max, scale;
	const char *err_fmt;    /* OPT_WHOLE's message; takes min and max (PRIu64), in that order */
};

#define OPT_FIELD(f) .field_off = offsetof(struct gen_spec, f), .field_bytes = sizeof(((struct gen_spec *)0)->f)
#define OPT_WHOLE_FIELD(f, lo, hi, mul, fmt) \
	.num = OPT_WHOLE, OPT_FIELD(f), .min = (lo), .max = (hi), .scale = (mul), .err_fmt = (fmt)
#define OPT_PCT_FIELD(f) .num = OPT_PCT, OPT_FIELD(f)

static void opt_store(struct gen_spec *s, const struct gen_opt *o, uint64_t v)
{
	uint8_t *p = (uint8_t *)s + o->field_off;
	if (o->field_bytes == sizeof(uint32_t)) {
		uint32_t v32 = (uint32_t)v;
		memcpy(p, &v32, sizeof v32);
	} else {
		memcpy(p, &v, sizeof v);
	}
}

static int opt_number(struct gen_spec *s, const struct gen_opt *o, const char *v, char *err, size_t err_len)
{
	uint64_t n;
	if (o->num == OPT_PCT) {
		uint32_t ppm;
		if (parse_pct(v, &ppm, err, err_len))
			return -1;
		n = ppm;
	} else if (parse_whole(v, o->min, o->max, &n)) {
		return OPT_ERR(o->err_fmt, o->min, o->max);
	} else {
		n *= o->scale;
	}
	opt_store(s, o, n);
	return 0;
}

/* The defaults are choices, not measurements: one 100 kB flow of full
 * frames at 10GbE's line rate; 256 flows open (memory stays small, the
 * NIC's flow tables see churn); a 10 µs round trip and a 1 µs host
 * turnaround, of the order of one data-centre rack. */
static const struct gen_opt gen_opts[] = {
	{ "output", "FILE", NULL, "the pcap to write (required; -o for short); a name ending in .gz is "
	  "gzip-compressed; '-' is standard output", .parse = opt_output },
	{ "seed", "N", "1", "seed of every random draw: the same spec and seed give the same bytes",
	  OPT_WHOLE_FIELD(seed, 0, GEN_WHOLE_MAX, 1, "needs a whole number from %" PRIu64 " to %" PRIu64) },
	{ "flows", "N", "1", "flows in the trace (a TCP conversation or a UDP stream each)",
	  OPT_WHOLE_FIELD(flows, 1, GEN_FLOWS_MAX, 1,
			  "needs a whole number of flows from %" PRIu64 " to %" PRIu64 " (suffixes k, M, G)") },
	{ "concurrent", "N", "256", "flows open at a time; when one closes, the next opens",
	  OPT_WHOLE_FIELD(concurrent, 1, GEN_CONCURRENT_MAX, 1,
			  "needs a whole number of flows from %" PRIu64 " to %" PRIu64) },
	{ "flow-size", "DIST", "fixed:100000", "payload bytes a flow carries: fixed:B, uniform:MIN:MAX, "
	  "pareto:ALPHA:MIN[:MAX] (MAX 10^9 unless given), zipf:S:N[:UNIT] (k x UNIT bytes, k = 1..N with "
	  "weight k^-S; UNIT 1460)", .parse = opt_flow_size },
	{ "frame-size", "MIX", "1518", "data frame sizes on the wire with the FCS (64..9018; the capture holds 4 "
	  "bytes less): N, or mix:N=WEIGHT,... e.g. mix:64=50,594=20,1518=30", .parse = opt_frame_size },
	{ "arrival", "PROC", "linerate", "when frames reach the host: linerate (back to back), "
	  "poisson:FRAMES_PER_S (exponential gaps), onoff:ON_US:OFF_US (line rate for ON, silent for OFF)",
	  .parse = opt_arrival },
	/* 10 Mb/s (10BASE-T) to 1.6 Tb/s (IEEE 802.3dj) */
	{ "rate-mbps", "N", "10000", "line rate of each direction, Mb/s (no frame starts before the previous "
	  "one in its direction has left the wire)",
	  OPT_WHOLE_FIELD(rate_mbps, 10, 1600000, 1, "needs a line rate in Mb/s from %" PRIu64 " to %" PRIu64) },
	{ "ipv6", "PCT", "0", "percentage of flows over IPv6 (the rest IPv4)", OPT_PCT_FIELD(ipv6_ppm) },
	{ "udp", "PCT", "0", "percentage of flows over UDP (to the host only; the rest TCP both ways)",
	  OPT_PCT_FIELD(udp_ppm) },
	{ "host-sends", "PCT", "0", "percentage of the TCP flows in which the host sends the data (the client "
	  "still opens the connection; it ACKs every second segment, the host closes); the rest the host "
	  "receives", OPT_PCT_FIELD(host_sends_ppm) },
	{ "loss", "PCT", "0", "percentage of data frames to the host lost before the capture point (TCP resends them "
	  "after three duplicate ACKs; UDP's are gone)", OPT_PCT_FIELD(loss_ppm) },
	{ "reorder", "PCT", "0", "percentage of data frames that arrive after the next one of their flow",
	  OPT_PCT_FIELD(reorder_ppm) },
	{ "rtt-us", "N", "10", "round trip between the host and the clients, microseconds (SYN-ACK to ACK, "
	  "FIN-ACK to the last ACK)",
	  OPT_WHOLE_FIELD(rtt_ps, 0, 10000000u, SIM_PS_PER_US,
			  "needs a round trip in microseconds from %" PRIu64 " to %" PRIu64) },
	{ "turnaround-ns", "N", "1000", "the host's reply time after the frame it answers has arrived, ns",
	  OPT_WHOLE_FIELD(turnaround_ps, 0, 1000000000u, SIM_PS_PER_NS,
			  "needs a time in nanoseconds from %" PRIu64 " to %" PRIu64) },
	{ "ack-every", "N", "2", "the host ACKs every N-th in-order segment it receives (2: the delayed ACK of "
	  "RFC 1122 §4.2.3.2; a receiver with GRO ACKs about once an aggregate, 64 KiB / MSS segments)",
	  OPT_WHOLE_FIELD(ack_every, 1, 1000, 1, "needs a whole number of segments from %" PRIu64 " to %" PRIu64) },
	{ "frames", "N", "0", "stop after N frames, both directions (0: when every flow has closed)",
	  OPT_WHOLE_FIELD(frames_max, 0, GEN_WHOLE_MAX, 1, "needs a whole number of frames (0: no limit)") },
	{ "duration-us", "N", "0", "stop before the first frame at or after N microseconds (0: no limit)",
	  OPT_WHOLE_FIELD(duration_ps, 0, 86400000000ull, SIM_PS_PER_US,
			  "needs a time in microseconds from %" PRIu64 " (no limit) to %" PRIu64 " (a day)") },
	{ "timestamps", "UNIT", "ns", "ns (pcap magic a1b23c4d) or us (a1b2c3d4); frames start on whole units",
	  .parse = opt_timestamps },
};
#define GEN_OPTS (sizeof gen_opts / sizeof gen_opts[0])

static int opt_parse(struct gen_spec *s, const struct gen_opt *o, const char *v, char *err, size_t err_len)
{
	return o->parse ? o->parse(s, v, err, err_len) : opt_number(s, o, v, err, err_len);
}

static const struct gen_opt *gen_opt_find(const char *name)
{
	for (size_t i = 0; i < GEN_OPTS; i++)
		if (!strcmp(gen_opts[i].name, name))
			return &gen_opts[i];
	return NULL;
}

void gen_usage(FILE *f)
{
	fputs("usage: nicsim gen [options] -o FILE\n"
	      "\n"
	      "Writes a synthetic capture: flows between remote clients and one host (the receiver of every\n"
	      "SYN, so `nicsim run` finds it), TCP conversations both ways (handshake, data, the receiver's\n"
	      "ACKs, FIN; the client or, with --host-sends, the host sends the data) and UDP streams to the\n"
	      "host, with correct checksums. Deterministic: the same options and seed give the same bytes.\n"
	      "Prints a one-line summary. Definitions: docs/gen.md.\n"
	      "\n"
	      "options (defaults in brackets; whole numbers take suffixes k, M, G = 10^3, 10^6, 10^9):\n",
	      f);
	for (size_t i = 0; i < GEN_OPTS; i++) {
		const struct gen_opt *o = &gen_opts[i];
		char head[48];
		snprintf(head, sizeof head, "--%s %s", o->name, o->metavar);
		fprintf(f, "  %-22s ", head);
		/* The description wrapped at 72 columns after the option column. */
		const char *d = o->desc;
		int col = 0;
		while (*d) {
			const char *sp = strchr(d, ' ');
			int wl = sp ? (int)(sp - d) : (int)strlen(d);
			if (col && col + 1 + wl > 70) {
				fprintf(f, "\n  %-22s ", "");
				col = 0;
			} else if (col) {
				fputc(' ', f);
				col++;
			}
			fwrite(d, 1, (size_t)wl, f);
			col += wl;
			d += wl;
			while (*d == ' ')
				d++;
		}
		if (o->defval)
			fprintf(f, "%s[%s]", col + 3 + (int)strlen(o->defval) > 72 ? "\n                         " : " ",
				o->defval);
		fputc('\n', f);
	}
	fputs("  --spec FILE            options from FILE, one 'name = value' a line (names as above without\n"
	      "                         '--'; '#' comments); options apply in order, later ones win\n"
	      "\n"
	      "examples:\n"
	      "  nicsim gen --flows 1000 --flow-size pareto:1.2:10000 --frame-size mix:64=50,594=20,1518=30 \\\n"
	      "             --arrival poisson:1000000 --ipv6 20 --udp 10 --loss 0.1 --seed 7 -o mix.pcap.gz\n"
	      "  nicsim gen --udp 100 --frame-size 64 --frames 1M -o linerate64.pcap\n"
	      "  nicsim gen --flows 1 --flow-size fixed:1G -o bulk.pcap.gz\n",
	      f);
}

static int gen_apply(struct gen_spec *s, const struct gen_opt *o, const char *v, char *err, size_t err_len)
{
	char e[400];
	if (opt_parse(s, o, v, e, sizeof e)) {
		snprintf(err, err_len, "--%s %s: %s", o->name, v ? v : "(nothing)", e);
		return -1;
	}
	return 0;
}

static int on_spec_entry(void *ctx, const char *section, const char *name, const char *value, int line, char *err,
			 size_t err_len)
{
	struct gen_spec *s = ctx;
	(void)line;   /* ini_read puts it in front of the message */
	const struct gen_opt *o = gen_opt_find(name);
	if (*section && strcmp(section, "gen"))
		return OPT_ERR("section [%s]: a spec has no sections but [gen]", section);
	if (!o)
		return OPT_ERR("unknown option '%s'", name);
	char e[600];
	if (opt_parse(s, o, value, e, sizeof e))
		return OPT_ERR("%s = %s: %s", name, value, e);
	return 0;
}

static int gen_spec_file(struct gen_spec *s, const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_len, "--spec %s: %s", path, strerror(errno));
		return -1;
	}
	char e[800];
	int rc = ini_read(f, on_spec_entry, s, e, sizeof e);
	fclose(f);
	if (rc)
		snprintf(err, err_len, "%s: %s", path, e);
	return rc;
}

/* Build the Zipf table: weight(k) = k^-s = 2^(-s log2 k), Q40, at least 1. */
static int zipf_build(struct gen_dist *d)
{
	d->zipf_cdf = malloc((size_t)d->zipf_n * sizeof *d->zipf_cdf);
	if (!d->zipf_cdf)
		return -1;
	uint64_t sum = 0;
	for (uint32_t k = 1; k <= d->zipf_n; k++) {
		unsigned __int128 e = (unsigned __int128)gen_log2_q32(k) * d->shape_micro / 1000000u;   /* Q32 */
		uint64_t ip = (uint64_t)(e >> 32);
		uint32_t frac = (uint32_t)e;
		/* 2^-e = 2^-(ip+1) x 2^(1 - frac) */
		uint64_t w = 0;
		uint64_t m = frac ? gen_exp2_q62((uint32_t)(0u - frac)) : (1ull << 63);   /* 2^(1-frac) in Q62 */
		uint64_t shift = 22u + ip + 1u;   /* Q62 -> Q40, then 2^-(ip+1) */
		if (shift < 64)
			w = m >> shift;
		sum += w ? w : 1;
		d->zipf_cdf[k - 1] = sum;
	}
	return 0;
}

/* One flow's payload bytes. */
static uint64_t dist_draw(const struct gen_dist *d, struct gen_rng *r)
{
	switch (d->kind) {
	case DIST_FIXED:
		return d->min_bytes;
	case DIST_UNIFORM:
		return d->min_bytes + rng_below(r, d->max_bytes - d->min_bytes + 1);
	case DIST_PARETO: {
		/* Inverse CDF of P(X > x) = (min/x)^alpha: x = min x U^(-1/alpha). */
		unsigned __int128 e = (unsigned __int128)neg_log2_uniform_q32(r) * 1000000u / d->shape_micro;
		uint64_t ip = (uint64_t)(e >> 32);
		if (ip > 40)
			return d->max_bytes;
		unsigned __int128 x = ((unsigned __int128)d->min_bytes * gen_exp2_q62((uint32_t)e)) >> (62 - ip);
		return x > d->max_bytes ? d->max_bytes : (uint64_t)x;
	}
	case DIST_ZIPF: {
		uint64_t u = rng_below(r, d->zipf_cdf[d->zipf_n - 1]);
		uint32_t lo = 0, hi = d->zipf_n - 1;   /* the first k with cdf > u */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (d->zipf_cdf[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		return (uint64_t)(lo + 1) * d->unit_bytes;
	}
	}
	return d->min_bytes;
}

static uint32_t mix_draw(const struct gen_mix *m, struct gen_rng *r)
{
	if (m->n == 1)
		return m->size_bytes[0];
	uint64_t u = rng_below(r, m->total_weight);
	for (uint32_t i = 0; i < m->n; i++) {
		if (u < m->weight[i])
			return m->size_bytes[i];
		u -= m->weight[i];
	}
	return m->size_bytes[m->n - 1];
}

/* ---- the output ---- */

struct gen_out {
	FILE *f;
	gzFile gz;
	bool is_failed;
};

static void out_write(struct gen_out *o, const void *p, size_t n)
{
	if (o->is_failed)
		return;
	if (o->gz)
		o->is_failed = gzwrite(o->gz, p, (unsigned)n) != (int)n;
	else
		o->is_failed = fwrite(p, 1, n, o->f) != n;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

/* ---- flows ---- */

/* Segments held back (lost or late) a flow, at most: a modelling choice, not
 * a standard's number. It bounds a flow's memory and the holes its host
 * tracks; past it a frame is neither lost nor reordered (docs/gen.md). */
#define GEN_HELD_MAX 8
/* Out-of-order ranges the host keeps a flow: a hole needs a segment held
 * back, so GEN_HELD_MAX would do; twice that is headroom (host_receive
 * checks it). */
#define GEN_OOO_MAX (2 * GEN_HELD_MAX)
/* Later segments before a lost one is resent: each draws a duplicate ACK,
 * and the third starts the fast retransmit (RFC 5681 §3.2). */
#define GEN_RESEND_AFTER 3u
/* The largest data frame captured is GEN_FRAME_MAX_BYTES - GEN_FCS_BYTES =
 * 9014 bytes; rounded up. */
#define GEN_FRAME_BUF 9100u
/* The largest control frame (SYN, ACK, FIN) captured: Ethernet 14 + IPv6 40
 * + TCP 20 + the SYN's options 8 = 82 bytes; rounded up. */
#define GEN_CTRL_FRAME_BUF 96u

enum flow_state { FS_SYN, FS_HS_ACK, FS_DATA, FS_FIN, FS_LAST_ACK, FS_DONE };

struct seg {
	uint64_t off;           /* stream offset of the first payload byte */
	uint32_t len;
	uint32_t countdown;     /* later segments to go before it is sent */
};

struct flow {
	uint64_t index;
	bool is_v6, is_udp;
	enum flow_state state;
	uint16_t sport;
	uint8_t client_ip[16];
	uint32_t flow_label;
	uint32_t isn_client, isn_host;
	uint16_t ipid_client, ipid_host;
	uint64_t bytes_left, snd_nxt, total_bytes;
	struct seg held[GEN_HELD_MAX];
	uint32_t n_held;
	uint64_t rcv_nxt;
	struct { uint64_t lo, hi; } ooo[GEN_OOO_MAX];
	uint32_t n_ooo;
	uint32_t since_ack;
	bool is_host_sender;    /* --host-sends: the host sends the data, the client ACKs */
	uint32_t since_remote_ack;   /* host-sent segments the client has not ACKed yet */
	uint64_t send_ready_ps; /* a host sender: its first segment may not start before */
	struct flow *send_next; /* the host's send queues */
	uint32_t mss_bytes;     /* announced: the largest frame of the mix's payload */
	uint64_t ready_ps;
	bool has_started;       /* a frame of it is in the capture */
	struct gen_rng rng;     /* frame sizes and fates */
	struct flow *next;
};

struct tx_frame {
	uint64_t t_ps;
	uint32_t len;
	uint8_t bytes[GEN_CTRL_FRAME_BUF];
};

/* A client's ACK to the host's data (or its FIN-ACK), due at ready_ps. */
struct rx_ack {
	struct flow *f;
	uint64_t ready_ps;
	uint64_t ack_off;       /* stream offset acknowledged */
	bool is_fin;
};

struct gen {
	const struct gen_spec *s;
	struct gen_out out;
	struct gen_rng rng_sizes, rng_arrival, rng_ids, rng_v6, rng_udp;
	uint64_t sel_v6_want, sel_v6_got, sel_udp_want, sel_udp_got;
	uint64_t flows_opened, flows_closed, flows_started;
	struct flow *pool;
	struct flow *free_list;
	struct flow *ready_head, *ready_tail;
	struct flow *wait_head, *wait_tail;
	struct tx_frame *txq;
	size_t txq_cap, txq_head, txq_len;
	struct rx_ack *ackq;        /* the clients' ACKs to the host's data, in the order they are due */
	size_t ackq_cap, ackq_head, ackq_len;
	struct flow *send_head, *send_tail;     /* host senders with a frame to send: round robin */
	struct flow *start_head, *start_tail;   /* host senders before their first segment, by send_ready_ps */
	struct gen_rng rng_host;
	uint64_t sel_host_want, sel_host_got, flows_host_sender;
	uint64_t arrival_ps, rx_free_ps, tx_free_ps, tx_last_ps;
	bool is_stopped, is_past_ts_limit;
	uint32_t frame_max_bytes;   /* the mix's largest size with a weight */
	/* what the summary says */
	uint64_t frames_rx, frames_tx, bytes, first_ps, last_ps;
	uint64_t flows_udp, flows_v6, lost, reordered, resent;   /* TCP: flows_started - flows_udp */
	uint8_t buf[GEN_FRAME_BUF];
};

static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t host_ip4[4] = { 10, 0, 0, 1 };
static const uint8_t host_ip6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

static uint32_t hdr_ip_bytes(const struct flow *f) { return f->is_v6 ? IPV6_HDR_BYTES : IPV4_HDR_MIN_BYTES; }
static uint32_t hdr_l4_bytes(const struct flow *f) { return f->is_udp ? UDP_HDR_BYTES : TCP_HDR_MIN_BYTES; }

/* The payload a frame of frame_bytes (FCS included) carries: at least 1. */
static uint32_t payload_for_frame(const struct flow *f, uint32_t frame_bytes)
{
	uint32_t hdr = GEN_ETH_HDR_BYTES + hdr_ip_bytes(f) + hdr_l4_bytes(f) + GEN_FCS_BYTES;
	return frame_bytes > hdr ? frame_bytes - hdr : 1u;
}

/* The flow's addresses: a bijection of its index (an odd multiplier mod
 * 2^37, after a seed-dependent XOR) split into 23 address bits and 14 port
 * bits: every flow a distinct 5-tuple, spread over 10.128.0.0/9 (or
 * fd00:0:0:1::/64) and ports 49152..65535. */
static void flow_addresses(struct flow *f, uint64_t seed)
{
	const uint64_t mask = (1ull << 37) - 1;
	uint64_t y = ((f->index ^ (seed * 0x9e3779b97f4a7c15ull)) * 0x5851f42d4c957f2dull) & mask;
	uint32_t host_bits = (uint32_t)(y & ((1u << 23) - 1));
	f->sport = (uint16_t)(GEN_CLIENT_PORT_MIN + (y >> 23));
	memset(f->client_ip, 0, sizeof f->client_ip);
	if (f->is_v6) {
		static const uint8_t pfx[8] = { 0xfd, 0, 0, 0, 0, 0, 0, 1 };
		memcpy(f->client_ip, pfx, 8);
		put_be32(f->client_ip + 12, host_bits + 2u);   /* ::1 would be the host's own low bits */
	} else {
		put_be32(f->client_ip, (10u << 24) | (1u << 23) | host_bits);
	}
	f->flow_label = (uint32_t)(y >> 3) & 0xfffffu;
}

/* The round robin of flows with a frame to send: f joins at the tail. */
static void ready_push(struct gen *g, struct flow *f)
{
	f->next = NULL;
	if (g->ready_tail)
		g->ready_tail->next = f;
	else
		g->ready_head = f;
	g->ready_tail = f;
}

static void flow_open(struct gen *g)
{
	const struct gen_spec *s = g->s;
	struct flow *f = g->free_list;
	sim_check(f, "a flow struct is free while fewer than concurrent are open");
	g->free_list = f->next;
	memset(f, 0, sizeof *f);
	f->index = g->flows_opened++;
	/* Selection sampling (Knuth, TAOCP vol. 2, §3.4.2, Algorithm S): exactly
	 * want of the flows, each subset equally likely, one pass in index order. */
	uint64_t left = s->flows - f->index;
	f->is_v6 = rng_below(&g->rng_v6, left) < g->sel_v6_want - g->sel_v6_got;
	f->is_udp = rng_below(&g->rng_udp, left) < g->sel_udp_want - g->sel_udp_got;
	g->sel_v6_got += f->is_v6;
	g->sel_udp_got += f->is_udp;
	if (!f->is_udp) {
		/* The same sampling over the TCP flows only (their number is exact);
		 * of the f->index flows opened before f, sel_udp_got were UDP. */
		uint64_t tcp_left = s->flows - g->sel_udp_want - (f->index - g->sel_udp_got);
		f->is_host_sender = rng_below(&g->rng_host, tcp_left) < g->sel_host_want - g->sel_host_got;
		g->sel_host_got += f->is_host_sender;
	}
	f->total_bytes = f->bytes_left = dist_draw(&s->flow_size, &g->rng_sizes);
	uint64_t id = gen_rng_next(&g->rng_ids);
	f->isn_client = (uint32_t)id;
	f->isn_host = (uint32_t)(id >> 32);
	id = gen_rng_next(&g->rng_ids);
	f->ipid_client = (uint16_t)id;
	f->ipid_host = (uint16_t)(id >> 16);
	gen_rng_seed(&f->rng, s->seed, 0x100000000ull + f->index);
	flow_addresses(f, s->seed);
	f->mss_bytes = payload_for_frame(f, g->frame_max_bytes);
	f->state = f->is_udp ? FS_DATA : FS_SYN;
	ready_push(g, f);
}

/* Ethernet + IP + TCP/UDP headers and payload into buf; checksums right.
 * Returns the captured length (padded to 60 bytes). */
static uint32_t frame_build(uint8_t *buf, struct flow *f, bool is_from_host, uint8_t tcp_flags, uint32_t seq,
			    uint32_t ack, uint64_t payload_off, uint32_t payload_len)
{
	uint32_t ip_len = hdr_ip_bytes(f), opt_len = (!f->is_udp && (tcp_flags & TCP_FLAG_SYN)) ? 8u : 0u;
	uint32_t l4_len = hdr_l4_bytes(f) + opt_len + payload_len;
	uint8_t *eth = buf, *ip = buf + GEN_ETH_HDR_BYTES, *l4 = ip + ip_len;
	memcpy(eth, is_from_host ? router_mac : host_mac, 6);
	memcpy(eth + 6, is_from_host ? host_mac : router_mac, 6);
	put_be16(eth + 12, f->is_v6 ? GEN_ETHERTYPE_IPV6 : GEN_ETHERTYPE_IPV4);
	const uint8_t *src = is_from_host ? (f->is_v6 ? host_ip6 : host_ip4) : f->client_ip;
	const uint8_t *dst = is_from_host ? f->client_ip : (f->is_v6 ? host_ip6 : host_ip4);
	uint8_t proto = f->is_udp ? IPPROTO_UDP_ : IPPROTO_TCP_;
	uint32_t pseudo;
	if (f->is_v6) {
		put_be32(ip, (6u << 28) | f->flow_label);
		put_be16(ip + 4, l4_len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		/* RFC 8200 §8.1: addresses, upper-layer length (32 bits), next header */
		pseudo = csum_partial(ip + 8, 32, 0) + (l4_len >> 16) + (l4_len & 0xffffu) + proto;
	} else {
		uint16_t *id = is_from_host ? &f->ipid_host : &f->ipid_client;
		ip[0] = 0x45;
		ip[1] = 0;
		put_be16(ip + 2, ip_len + l4_len);
		put_be16(ip + 4, (*id)++);
		put_be16(ip + 6, 0x4000);   /* DF */
		ip[8] = 64;
		ip[9] = proto;
		put_be16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put_be16(ip + 10, csum_finish(csum_partial(ip, IPV4_HDR_MIN_BYTES, 0)));
		/* RFC 9293 §3.1 / RFC 768: addresses, zero, protocol, length */
		pseudo = csum_partial(ip + 12, 8, 0) + proto + l4_len;
	}
	uint16_t cport = f->sport, hport = GEN_HOST_PORT;
	put_be16(l4, is_from_host ? hport : cport);
	put_be16(l4 + 2, is_from_host ? cport : hport);
	uint8_t *pl;
	uint32_t csum_at;
	if (f->is_udp) {
		put_be16(l4 + 4, l4_len);
		put_be16(l4 + 6, 0);
		pl = l4 + UDP_HDR_BYTES;
		csum_at = 6;
	} else {
		put_be32(l4 + 4, seq);
		put_be32(l4 + 8, ack);
		l4[12] = (uint8_t)(((TCP_HDR_MIN_BYTES + opt_len) / 4u) << 4);
		l4[13] = tcp_flags;
		put_be16(l4 + 14, 65535);
		put_be16(l4 + 16, 0);
		put_be16(l4 + 18, 0);
		if (opt_len) {
			uint32_t mss = f->mss_bytes;
			l4[20] = 2; /* MSS, RFC 9293 §3.2 */
			l4[21] = 4;
			put_be16(l4 + 22, mss);
			l4[24] = 1; /* NOP */
			l4[25] = 3; /* window scale, RFC 7323 §2 */
			l4[26] = 3;
			l4[27] = GEN_WSCALE;
		}
		pl = l4 + TCP_HDR_MIN_BYTES + opt_len;
		csum_at = 16;
	}
	/* Payload: each byte 0x80 | the low 7 bits of its stream offset, so a
	 * placement (TOE, copy) can be checked byte for byte, and no byte is
	 * ASCII: Wireshark's heuristic text dissectors (IRC, seen claiming a
	 * segment that began with ':') never take generated data for theirs. */
	for (uint32_t i = 0; i < payload_len; i++)
		pl[i] = (uint8_t)(0x80u | ((payload_off + i) & 0x7fu));
	uint16_t c = csum_finish(csum_partial(l4, l4_len, pseudo));
	if (f->is_udp && !c)
		c = 0xffff;   /* RFC 768: a computed 0 is sent as all ones */
	put_be16(l4 + csum_at, c);
	uint32_t len = GEN_ETH_HDR_BYTES + ip_len + l4_len;
	if (len < ETH_MIN_FRAME_NO_FCS) {
		memset(buf + len, 0, ETH_MIN_FRAME_NO_FCS - len);
		len = ETH_MIN_FRAME_NO_FCS;
	}
	return len;
}

/* A full ring (cap elements of elem_bytes, len of them from head) moved
 * into one twice its size (1024 to start), in order from index 0. */
static void *ring_grow(void *q, size_t elem_bytes, size_t *cap, size_t *head, size_t len, const char *what)
{
	size_t new_cap = *cap ? *cap * 2 : 1024;
	uint8_t *n = malloc(new_cap * elem_bytes);
	sim_check(n, what);
	for (size_t i = 0; i < len; i++)
		memcpy(n + i * elem_bytes, (const uint8_t *)q + (*head + i) % *cap * elem_bytes, elem_bytes);
	free(q);
	*cap = new_cap;
	*head = 0;
	return n;
}

/* ---- time on the two wires ---- */

static uint64_t wire_ps(const struct gen *g, uint32_t cap_len)
{
	return eth_wire_time_ps(cap_len, g->s->rate_mbps, GEN_FCS_BYTES, GEN_WIRE_OVERHEAD_BYTES);
}

static uint64_t round_up_unit(const struct gen *g, uint64_t t)
{
	uint64_t u = g->s->ts_unit_ps;
	return (t + u - 1) / u * u;
}

/* When the next frame to the host may start: after the arrival process's
 * next time and after the previous frame has left the wire, on a whole
 * timestamp unit, inside an ON period (onoff). ON and OFF are whole
 * microseconds, so a period starts on a whole unit. */
static uint64_t rx_slot(const struct gen *g)
{
	const struct gen_spec *s = g->s;
	uint64_t t = round_up_unit(g, g->arrival_ps > g->rx_free_ps ? g->arrival_ps : g->rx_free_ps);
	if (s->arrival == ARRIVAL_ONOFF) {
		uint64_t period = s->on_ps + s->off_ps, in = t % period;
		if (in >= s->on_ps)
			t += period - in;
	}
	return t;
}

/* The arrival process after a frame to the host that started at t_ps. */
static void arrival_advance(struct gen *g, uint64_t t_ps)
{
	if (g->s->arrival == ARRIVAL_POISSON) {
		/* Exponential gaps of mean 1/rate: -ln(U) / rate = -log2(U) ln 2 / rate. */
		uint64_t nl_q32 = (uint64_t)(((unsigned __int128)neg_log2_uniform_q32(&g->rng_arrival) * LN2_Q64) >> 64);
		g->arrival_ps += (uint64_t)((((unsigned __int128)nl_q32 * 1000000000000ull) / g->s->poisson_fps) >> 32);
	} else {
		g->arrival_ps = t_ps;   /* back to back: the wire's own limit decides */
	}
}

/* Write a frame that starts at t_ps; a frame to the host (is_rx) holds its
 * wire until rx_free_ps, from which the answers to it start. */
static void emit(struct gen *g, uint64_t t_ps, const uint8_t *bytes, uint32_t len, bool is_rx)
{
	if (is_rx)
		g->rx_free_ps = t_ps + wire_ps(g, len);
	if (t_ps / SIM_PS_PER_S > UINT32_MAX) {
		g->is_stopped = true;   /* past pcap's 32-bit seconds: the summary says so */
		g->is_past_ts_limit = true;
		return;
	}
	uint8_t h[16];
	put_le32(h, (uint32_t)(t_ps / SIM_PS_PER_S));
	put_le32(h + 4, (uint32_t)(t_ps % SIM_PS_PER_S / g->s->ts_unit_ps));
	put_le32(h + 8, len);
	put_le32(h + 12, len);
	out_write(&g->out, h, sizeof h);
	out_write(&g->out, bytes, len);
	if (!g->frames_rx && !g->frames_tx)
		g->first_ps = t_ps;
	g->last_ps = t_ps;
	if (is_rx)
		g->frames_rx++;
	else
		g->frames_tx++;
	g->bytes += len;
	if (g->s->frames_max && g->frames_rx + g->frames_tx >= g->s->frames_max)
		g->is_stopped = true;
}

/* The host's wire: a frame of len bytes that may start at earliest_ps
 * starts once the previous one from the host has left the wire, on a whole
 * timestamp unit. Every frame from the host takes its start from here. */
static uint64_t tx_slot(struct gen *g, uint64_t earliest_ps, uint32_t len)
{
	uint64_t t = round_up_unit(g, earliest_ps > g->tx_free_ps ? earliest_ps : g->tx_free_ps);
	g->tx_free_ps = t + wire_ps(g, len);
	return t;
}

/* A frame from the host, answering one that arrived by trigger_ps: it
 * starts a turnaround later, once the wire is free. Returns when it has
 * left the wire (tx_slot's new tx_free_ps). */
static uint64_t tx_push(struct gen *g, uint64_t trigger_ps, const uint8_t *bytes, uint32_t len)
{
	sim_check(len <= sizeof g->txq[0].bytes, "frames from the host are control frames");
	uint64_t t = tx_slot(g, trigger_ps + g->s->turnaround_ps, len);
	if (g->txq_len == g->txq_cap)
		g->txq = ring_grow(g->txq, sizeof *g->txq, &g->txq_cap, &g->txq_head, g->txq_len,
				   "memory for the frames from the host in flight");
	struct tx_frame *e = &g->txq[(g->txq_head + g->txq_len++) % g->txq_cap];
	e->t_ps = t;
	e->len = len;
	memcpy(e->bytes, bytes, len);
	return g->tx_free_ps;
}

/* Write the frames from the host that start at or before t_ps (they were
 * queued in time order: one wire, first in first out). */
static void tx_flush(struct gen *g, uint64_t t_ps)
{
	while (g->txq_len && !g->is_stopped) {
		struct tx_frame *e = &g->txq[g->txq_head];
		if (e->t_ps > t_ps)
			break;
		if (g->s->duration_ps && e->t_ps >= g->s->duration_ps) {
			g->is_stopped = true;
			break;
		}
		emit(g, e->t_ps, e->bytes, e->len, false);
		g->txq_head = (g->txq_head + 1) % g->txq_cap;
		g->txq_len--;
	}
}

/* ---- the flows' frames ---- */

/* Every wait is the same round trip after a frame from the host, and
 * those leave in time order: the wait queue is in ready_ps order. */
static void wait_push(struct gen *g, struct flow *f, uint64_t ready_ps)
{
	sim_check(!g->wait_tail || g->wait_tail->ready_ps <= ready_ps, "flows wait in the order they become ready");
	f->ready_ps = ready_ps;
	f->next = NULL;
	if (g->wait_tail)
		g->wait_tail->next = f;
	else
		g->wait_head = f;
	g->wait_tail = f;
}

static void flow_close(struct gen *g, struct flow *f)
{
	f->state = FS_DONE;
	g->flows_closed++;
	f->next = g->free_list;
	g->free_list = f;
	if (g->flows_opened < g->s->flows)
		flow_open(g);
}

static void flow_started(struct gen *g, struct flow *f)
{
	if (f->has_started)
		return;
	f->has_started = true;
	g->flows_started++;
	g->flows_v6 += f->is_v6;
	g->flows_udp += f->is_udp;
	g->flows_host_sender += f->is_host_sender;
}

static uint32_t seq_client(const struct flow *f, uint64_t off) { return (uint32_t)(f->isn_client + 1u + off); }

/* rcv_nxt has moved: take in every out-of-order range it now reaches (one
 * range's end can reach the next, so the scan restarts after each). */
static void ooo_absorb(struct flow *f)
{
	for (uint32_t i = 0; i < f->n_ooo;) {
		if (f->ooo[i].lo > f->rcv_nxt) {
			i++;
			continue;
		}
		if (f->ooo[i].hi > f->rcv_nxt)
			f->rcv_nxt = f->ooo[i].hi;
		f->ooo[i] = f->ooo[--f->n_ooo];
		i = 0;
	}
}

/* A segment [lo, hi) beyond rcv_nxt: widen the first range it touches, or
 * keep it as a new one. */
static void ooo_add(struct flow *f, uint64_t lo, uint64_t hi)
{
	uint32_t i = 0;
	while (i < f->n_ooo && !(lo <= f->ooo[i].hi && hi >= f->ooo[i].lo))
		i++;
	if (i == f->n_ooo) {
		sim_check(f->n_ooo < GEN_OOO_MAX, "holes are fewer than the segments held back");
		f->ooo[f->n_ooo].lo = lo;
		f->ooo[f->n_ooo++].hi = hi;
		return;
	}
	if (lo < f->ooo[i].lo)
		f->ooo[i].lo = lo;
	if (hi > f->ooo[i].hi)
		f->ooo[i].hi = hi;
}

/* The host receives a data segment that ended on its wire at t_end_ps
 * (the receiver model in the file's header); ACKs if it should. */
static void host_receive(struct gen *g, struct flow *f, const struct seg *sg, uint64_t t_end_ps)
{
	bool is_ack_now;
	uint64_t lo = sg->off, hi = sg->off + sg->len;
	if (lo == f->rcv_nxt) {
		is_ack_now = f->n_ooo > 0;   /* fills (part of) a hole */
		f->rcv_nxt = hi;
		ooo_absorb(f);
		if (!is_ack_now)
			is_ack_now = ++f->since_ack >= g->s->ack_every;
	} else {
		if (lo > f->rcv_nxt)
			ooo_add(f, lo, hi);
		is_ack_now = true;   /* a duplicate ACK */
	}
	if (!is_ack_now)
		return;
	f->since_ack = 0;
	uint8_t b[GEN_CTRL_FRAME_BUF];
	uint32_t len = frame_build(b, f, true, TCP_FLAG_ACK, f->isn_host + 1u, seq_client(f, f->rcv_nxt), 0, 0);
	tx_push(g, t_end_ps, b, len);
}

static void hold(struct flow *f, const struct seg *sg, uint32_t countdown)
{
	f->held[f->n_held] = *sg;
	f->held[f->n_held++].countdown = countdown;
}

/* The next data segment of f: a held one that is due, else new data (which
 * may be lost or held back first). false if there is none (a UDP flow whose
 * last datagrams were lost). */
static bool flow_next_seg(struct gen *g, struct flow *f, struct seg *out)
{
	const struct gen_spec *s = g->s;
	for (;;) {
		uint32_t i = 0;
		while (i < f->n_held && f->held[i].countdown && f->bytes_left)
			i++;
		if (i < f->n_held) {
			*out = f->held[i];
			memmove(&f->held[i], &f->held[i + 1], (f->n_held - i - 1) * sizeof f->held[0]);
			f->n_held--;
			return true;
		}
		if (!f->bytes_left)
			return false;
		uint32_t pl = payload_for_frame(f, mix_draw(&s->frame, &f->rng));
		struct seg sg = { .off = f->snd_nxt, .len = pl > f->bytes_left ? (uint32_t)f->bytes_left : pl };
		f->snd_nxt += sg.len;
		f->bytes_left -= sg.len;
		/* A UDP flow's first datagram is never lost, so that every flow
		 * of the spec is in the capture (a lost TCP segment is resent). */
		bool is_first_udp = f->is_udp && sg.off == 0;
		if (!is_first_udp && f->n_held < GEN_HELD_MAX && rng_chance_ppm(&f->rng, s->loss_ppm)) {
			g->lost++;
			if (!f->is_udp) {
				hold(f, &sg, GEN_RESEND_AFTER);
				g->resent++;
			}
			continue;
		}
		if (f->n_held < GEN_HELD_MAX && rng_chance_ppm(&f->rng, s->reorder_ppm)) {
			g->reordered++;
			hold(f, &sg, 1);
			continue;
		}
		for (uint32_t k = 0; k < f->n_held; k++)
			if (f->held[k].countdown)
				f->held[k].countdown--;
		*out = sg;
		return true;
	}
}

/* ---- flows in which the host sends ---- */

/* Ready times grow with the handshake ACKs' arrivals, which are in time
 * order: the start queue is in send_ready_ps order. */
static void start_push(struct gen *g, struct flow *f, uint64_t ready_ps)
{
	sim_check(!g->start_tail || g->start_tail->send_ready_ps <= ready_ps,
		  "host senders start in the order their handshakes end");
	f->send_ready_ps = ready_ps;
	f->send_next = NULL;
	if (g->start_tail)
		g->start_tail->send_next = f;
	else
		g->start_head = f;
	g->start_tail = f;
}

static void send_push(struct gen *g, struct flow *f)
{
	f->send_next = NULL;
	if (g->send_tail)
		g->send_tail->send_next = f;
	else
		g->send_head = f;
	g->send_tail = f;
}

/* The client's answer to a frame from the host that left the wire at
 * t_end_ps: due a round trip later. Frames from the host leave in time
 * order, so the queue is in ready_ps order. O(ACKs of one round trip of the
 * host's wire) in memory. */
static void ackq_push(struct gen *g, struct flow *f, uint64_t t_end_ps, uint64_t ack_off, bool is_fin)
{
	if (g->ackq_len == g->ackq_cap)
		g->ackq = ring_grow(g->ackq, sizeof *g->ackq, &g->ackq_cap, &g->ackq_head, g->ackq_len,
				    "memory for the clients' ACKs in flight");
	sim_check(!g->ackq_len ||
			  g->ackq[(g->ackq_head + g->ackq_len - 1) % g->ackq_cap].ready_ps <= t_end_ps + g->s->rtt_ps,
		  "the clients' ACKs are due in the order the host's frames left");
	struct rx_ack *e = &g->ackq[(g->ackq_head + g->ackq_len++) % g->ackq_cap];
	e->f = f;
	e->ready_ps = t_end_ps + g->s->rtt_ps;
	e->ack_off = ack_off;
	e->is_fin = is_fin;
}

static bool ackq_is_due(const struct gen *g, uint64_t t_ps)
{
	return g->ackq_len && g->ackq[g->ackq_head].ready_ps <= t_ps;
}

/* When the host's next data frame (or FIN) starts, or UINT64_MAX if no
 * host sender has one: the round robin's head once the wire is free, else
 * the first flow to finish its handshake. */
static uint64_t send_next_ps(const struct gen *g)
{
	if (g->send_head)
		return round_up_unit(g, g->tx_free_ps);
	if (g->start_head) {
		uint64_t r = g->start_head->send_ready_ps;
		return round_up_unit(g, r > g->tx_free_ps ? r : g->tx_free_ps);
	}
	return UINT64_MAX;
}

/* The host's next segment of f (or its FIN once the data is out), starting
 * at t_ps; the client's ACK queued for every second segment, its FIN-ACK
 * for the FIN. The host's segments are in the capture as they leave, so
 * --loss and --reorder (before the capture point) do not touch them. */
static void host_send_frame(struct gen *g, struct flow *f, uint64_t t_ps)
{
	uint8_t *b = g->buf;
	uint32_t len;
	if (f->bytes_left) {
		uint32_t pl = payload_for_frame(f, mix_draw(&g->s->frame, &f->rng));
		uint64_t off = f->snd_nxt;
		uint32_t n = pl > f->bytes_left ? (uint32_t)f->bytes_left : pl;
		f->snd_nxt += n;
		f->bytes_left -= n;
		len = frame_build(b, f, true, TCP_FLAG_ACK | (f->bytes_left ? 0 : TCP_FLAG_PSH),
				  f->isn_host + 1u + (uint32_t)off, f->isn_client + 1u, off, n);
		uint64_t t = tx_slot(g, t_ps, len);
		sim_check(t == t_ps, "a host segment starts when send_next_ps said");
		emit(g, t, b, len, false);
		if (++f->since_remote_ack == 2) {
			f->since_remote_ack = 0;
			ackq_push(g, f, g->tx_free_ps, f->snd_nxt, false);
		}
		send_push(g, f);
		return;
	}
	len = frame_build(b, f, true, TCP_FLAG_FIN | TCP_FLAG_ACK, f->isn_host + 1u + (uint32_t)f->total_bytes,
			  f->isn_client + 1u, 0, 0);
	uint64_t t = tx_slot(g, t_ps, len);
	sim_check(t == t_ps, "a host FIN starts when send_next_ps said");
	emit(g, t, b, len, false);
	f->state = FS_LAST_ACK;
	ackq_push(g, f, g->tx_free_ps, f->total_bytes, true);
}

/* Every frame the host senders have that starts at or before t_ps, after
 * the queued answers that start before it. */
static void host_send_until(struct gen *g, uint64_t t_ps)
{
	for (;;) {
		uint64_t s_ps = send_next_ps(g);
		if (s_ps > t_ps || g->is_stopped)
			return;
		if (g->s->duration_ps && s_ps >= g->s->duration_ps) {
			g->is_stopped = true;
			return;
		}
		tx_flush(g, s_ps);
		if (g->is_stopped)
			return;
		if (!g->send_head) {
			struct flow *f = g->start_head;
			g->start_head = f->send_next;
			if (!g->start_head)
				g->start_tail = NULL;
			send_push(g, f);
		}
		struct flow *f = g->send_head;
		g->send_head = f->send_next;
		if (!g->send_head)
			g->send_tail = NULL;
		host_send_frame(g, f, s_ps);
	}
}

/* The client's due ACK (or FIN-ACK) to the host's data, starting at t_ps;
 * after the FIN-ACK, the host's last ACK and the flow closes. */
static uint32_t ack_rx_frame(struct gen *g, uint64_t t_ps)
{
	struct rx_ack e = g->ackq[g->ackq_head];
	g->ackq_head = (g->ackq_head + 1) % g->ackq_cap;
	g->ackq_len--;
	struct flow *f = e.f;
	uint8_t *b = g->buf, a[GEN_CTRL_FRAME_BUF];
	uint32_t ack = f->isn_host + 1u + (uint32_t)e.ack_off + (e.is_fin ? 1u : 0u);
	uint32_t len = frame_build(b, f, false, TCP_FLAG_ACK | (e.is_fin ? TCP_FLAG_FIN : 0), seq_client(f, 0), ack, 0, 0);
	emit(g, t_ps, b, len, true);
	if (e.is_fin) {
		uint32_t alen = frame_build(a, f, true, TCP_FLAG_ACK, ack, seq_client(f, 1u), 0, 0);
		tx_push(g, g->rx_free_ps, a, alen);
		flow_close(g, f);
	}
	return len;
}

/* f's next frame to the host, starting at t_ps; the host's answer queued.
 * Returns the frame's captured length, 0 if f had nothing to send. */
static uint32_t flow_rx_frame(struct gen *g, struct flow *f, uint64_t t_ps)
{
	uint8_t *b = g->buf, a[GEN_CTRL_FRAME_BUF];
	uint32_t len, alen;
	uint64_t tx_end_ps;
	switch (f->state) {
	case FS_SYN:
		len = frame_build(b, f, false, TCP_FLAG_SYN, f->isn_client, 0, 0, 0);
		flow_started(g, f);
		emit(g, t_ps, b, len, true);
		alen = frame_build(a, f, true, TCP_FLAG_SYN | TCP_FLAG_ACK, f->isn_host, f->isn_client + 1u, 0, 0);
		tx_end_ps = tx_push(g, g->rx_free_ps, a, alen);
		f->state = FS_HS_ACK;
		wait_push(g, f, tx_end_ps + g->s->rtt_ps);
		return len;
	case FS_HS_ACK:
		len = frame_build(b, f, false, TCP_FLAG_ACK, seq_client(f, 0), f->isn_host + 1u, 0, 0);
		emit(g, t_ps, b, len, true);
		f->state = FS_DATA;
		if (f->is_host_sender)
			start_push(g, f, g->rx_free_ps + g->s->turnaround_ps);
		else
			ready_push(g, f);
		return len;
	case FS_DATA: {
		struct seg sg;
		if (!flow_next_seg(g, f, &sg)) {
			flow_close(g, f);   /* UDP only: TCP always has a segment here */
			return 0;
		}
		bool is_last = sg.off + sg.len == f->total_bytes;
		len = frame_build(b, f, false, TCP_FLAG_ACK | (is_last ? TCP_FLAG_PSH : 0), seq_client(f, sg.off),
				  f->isn_host + 1u, sg.off, sg.len);
		flow_started(g, f);
		emit(g, t_ps, b, len, true);
		if (!f->is_udp)
			host_receive(g, f, &sg, g->rx_free_ps);
		if (f->bytes_left || f->n_held)
			ready_push(g, f);
		else if (f->is_udp)
			flow_close(g, f);
		else {
			f->state = FS_FIN;
			ready_push(g, f);
		}
		return len;
	}
	case FS_FIN:
		sim_check(f->rcv_nxt == f->total_bytes, "the host has every byte before the FIN");
		len = frame_build(b, f, false, TCP_FLAG_FIN | TCP_FLAG_ACK, seq_client(f, f->total_bytes),
				  f->isn_host + 1u, 0, 0);
		emit(g, t_ps, b, len, true);
		alen = frame_build(a, f, true, TCP_FLAG_FIN | TCP_FLAG_ACK, f->isn_host + 1u,
				   seq_client(f, f->total_bytes + 1u), 0, 0);
		tx_end_ps = tx_push(g, g->rx_free_ps, a, alen);
		f->state = FS_LAST_ACK;
		wait_push(g, f, tx_end_ps + g->s->rtt_ps);
		return len;
	case FS_LAST_ACK:
		len = frame_build(b, f, false, TCP_FLAG_ACK, seq_client(f, f->total_bytes + 1u), f->isn_host + 2u, 0, 0);
		emit(g, t_ps, b, len, true);
		flow_close(g, f);
		return len;
	case FS_DONE:
		break;
	}
	sim_check(false, "a closed flow is in no queue");
	return 0;
}

static void gen_run(struct gen *g)
{
	const struct gen_spec *s = g->s;
	uint64_t n_open = s->flows < s->concurrent ? s->flows : s->concurrent;
	for (uint64_t i = 0; i < n_open; i++)
		flow_open(g);
	while (!g->is_stopped) {
		uint64_t t = rx_slot(g);
		while (g->wait_head && g->wait_head->ready_ps <= t) {
			struct flow *f = g->wait_head;
			g->wait_head = f->next;
			if (!g->wait_head)
				g->wait_tail = NULL;
			ready_push(g, f);
		}
		bool is_ack_due = ackq_is_due(g, t);
		if (!g->ready_head && !is_ack_due) {
			/* The process waits for a flow with something to send; the host
			 * senders' frames before then go out meanwhile. */
			uint64_t next_ps = g->wait_head ? g->wait_head->ready_ps : UINT64_MAX;
			if (g->ackq_len && g->ackq[g->ackq_head].ready_ps < next_ps)
				next_ps = g->ackq[g->ackq_head].ready_ps;
			uint64_t send_ps = send_next_ps(g);
			if (send_ps <= t) {
				host_send_until(g, t);
				continue;
			}
			if (send_ps < next_ps)
				next_ps = send_ps;
			if (next_ps == UINT64_MAX)
				break;   /* every flow has closed */
			g->arrival_ps = next_ps;
			continue;
		}
		if (s->duration_ps && t >= s->duration_ps) {
			host_send_until(g, t);   /* what the host sends before the limit */
			break;
		}
		host_send_until(g, t);
		tx_flush(g, t);
		if (g->is_stopped)
			break;
		uint32_t len;
		if (is_ack_due) {
			len = ack_rx_frame(g, t);   /* the clients' ACKs to the host's data go first, in order */
		} else {
			struct flow *f = g->ready_head;
			g->ready_head = f->next;
			if (!g->ready_head)
				g->ready_tail = NULL;
			len = flow_rx_frame(g, f, t);
		}
		if (len)
			arrival_advance(g, g->rx_free_ps);   /* emit set it */
	}
	tx_flush(g, UINT64_MAX);
}

/* ---- the command ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int gen_usage_err(const char *msg)
{
	fprintf(stderr, "nicsim gen: %s\n(see: nicsim help gen)\n", msg);
	return GEN_EXIT_USAGE;
}

static int gen_write(struct gen_spec *s)
{
	struct gen *g = calloc(1, sizeof *g);
	uint64_t n_pool = s->flows < s->concurrent ? s->flows : s->concurrent;
	if (g)
		g->pool = calloc((size_t)n_pool, sizeof *g->pool);
	if (!g || !g->pool || (s->flow_size.kind == DIST_ZIPF && zipf_build(&s->flow_size))) {
		fprintf(stderr, "nicsim gen: out of memory\n");
		if (g)
			free(g->pool);
		free(g);
		return GEN_EXIT_WRITE;
	}
	g->s = s;
	for (uint64_t i = 0; i < n_pool; i++) {
		g->pool[i].next = g->free_list;
		g->free_list = &g->pool[i];
	}
	gen_rng_seed(&g->rng_sizes, s->seed, 1);
	gen_rng_seed(&g->rng_arrival, s->seed, 2);
	gen_rng_seed(&g->rng_ids, s->seed, 3);
	gen_rng_seed(&g->rng_v6, s->seed, 4);
	gen_rng_seed(&g->rng_udp, s->seed, 5);
	gen_rng_seed(&g->rng_host, s->seed, 6);
	/* Exact shares: round(flows x percentage). */
	g->sel_v6_want = (uint64_t)(((unsigned __int128)s->flows * s->ipv6_ppm + 500000u) / 1000000u);
	g->sel_udp_want = (uint64_t)(((unsigned __int128)s->flows * s->udp_ppm + 500000u) / 1000000u);
	g->sel_host_want =
		(uint64_t)(((unsigned __int128)(s->flows - g->sel_udp_want) * s->host_sends_ppm + 500000u) / 1000000u);
	uint32_t frame_max = 0;
	for (uint32_t i = 0; i < s->frame.n; i++)
		if (s->frame.weight[i] && s->frame.size_bytes[i] > frame_max)
			frame_max = s->frame.size_bytes[i];
	g->frame_max_bytes = frame_max;

	bool is_stdout = !strcmp(s->out, "-");
	if (is_stdout)
		g->out.f = stdout;
	else if (ends_with(s->out, ".gz"))
		g->out.gz = gzopen(s->out, "wb");
	else
		g->out.f = fopen(s->out, "wb");
	if (!g->out.f && !g->out.gz) {
		fprintf(stderr, "nicsim gen: %s: cannot write: %s\n", s->out, strerror(errno));
		free(g->pool);
		free(g);
		return GEN_EXIT_WRITE;
	}
	if (g->out.gz)
		gzbuffer(g->out.gz, 256u * 1024u);
	/* pcap-savefile(5): magic, version 2.4, zone 0, sigfigs 0, snaplen, Ethernet; little endian. */
	uint8_t h[24];
	put_le32(h, s->ts_unit_ps == 1000u ? 0xa1b23c4du : 0xa1b2c3d4u);
	h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
	put_le32(h + 8, 0);
	put_le32(h + 12, 0);
	put_le32(h + 16, 65535);
	put_le32(h + 20, 1);
	out_write(&g->out, h, sizeof h);
	gen_run(g);

	bool is_failed = g->out.is_failed;
	if (g->out.gz)
		is_failed |= gzclose(g->out.gz) != Z_OK;
	else if (!is_stdout)
		is_failed |= fclose(g->out.f) != 0;
	else
		is_failed |= fflush(stdout) != 0;
	int status = 0;
	if (is_failed) {
		fprintf(stderr, "nicsim gen: %s: write failed: %s\n", s->out, strerror(errno));
		status = GEN_EXIT_WRITE;
	} else {
		FILE *sf = is_stdout ? stderr : stdout;
		uint64_t span = g->last_ps - g->first_ps;
		fprintf(sf,
			"nicsim gen: %s: %" PRIu64 " flows (%" PRIu64 " TCP, %" PRIu64 " UDP; %" PRIu64 " IPv6), %" PRIu64
			" frames (%" PRIu64 " to the host, %" PRIu64 " from it), %" PRIu64 " bytes, span %" PRIu64
			".%09" PRIu64 " s",
			s->out, g->flows_started, g->flows_started - g->flows_udp, g->flows_udp, g->flows_v6, g->frames_rx + g->frames_tx,
			g->frames_rx, g->frames_tx, g->bytes, (uint64_t)(span / SIM_PS_PER_S), (uint64_t)(span % SIM_PS_PER_S / 1000u));
		if (s->host_sends_ppm)
			fprintf(sf, "; the host sends the data of %" PRIu64 " TCP flows", g->flows_host_sender);
		if (s->loss_ppm || s->reorder_ppm)
			fprintf(sf, "; %" PRIu64 " data frames lost (%" PRIu64 " resent), %" PRIu64 " reordered", g->lost,
				g->resent, g->reordered);
		if (g->flows_closed < g->flows_started)
			fprintf(sf, "; %" PRIu64 " flows still open at the end (%s)", g->flows_started - g->flows_closed,
				g->is_past_ts_limit ? "pcap's 32-bit seconds ran out" :
				s->frames_max && g->frames_rx + g->frames_tx >= s->frames_max ? "--frames" : "--duration-us");
		fputc('\n', sf);
	}
	free(g->txq);
	free(g->ackq);
	free(g->pool);
	free(g);
	return status;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_spec s;
	memset(&s, 0, sizeof s);
	char err[1200];
	for (size_t i = 0; i < GEN_OPTS; i++)
		if (gen_opts[i].defval && gen_apply(&s, &gen_opts[i], gen_opts[i].defval, err, sizeof err))
			sim_check(false, "every default of nicsim gen parses");
	int status = 0;
	for (int i = 0; i < argc && !status; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			gen_usage(stdout);
			goto out;
		}
		const struct gen_opt *o = !strcmp(a, "-o") ? gen_opt_find("output") :
					  !strncmp(a, "--", 2) ? gen_opt_find(a + 2) : NULL;
		if (!o && strcmp(a, "--spec")) {
			snprintf(err, sizeof err, "unknown option %s", a);
			status = gen_usage_err(err);
			break;
		}
		if (!v) {
			snprintf(err, sizeof err, "%s needs a value", a);
			status = gen_usage_err(err);
			break;
		}
		if (o ? gen_apply(&s, o, v, err, sizeof err) : gen_spec_file(&s, v, err, sizeof err))
			status = gen_usage_err(err);
		i++;
	}
	if (!status && !s.out)
		status = gen_usage_err("--output FILE (or -o FILE) is required");
	if (!status)
		status = gen_write(&s);
out:
	free(s.flow_size.zipf_cdf);
	return status;
}
