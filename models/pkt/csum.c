/*
 * models/pkt/csum.c — Internet checksum engine (C twin of rtl/csum.sv) and the
 * receive-side checks a NIC makes with it.
 *
 * What it models: RFC 1071 ones'-complement sum, RFC 1624 Eqn. 3 incremental
 * update, and the receive checksum offload verdicts: IPv4 header checksum
 * (RFC 791), TCP/UDP checksum over the pseudo-header (RFC 9293 §3.1, RFC 768,
 * RFC 8200 §8.1). Worked examples: RFC 1071 §3, RFC 1624 §4.
 *
 * What it leaves out: TX insertion (the TX path computes csum_finish over the
 * same sums), SCTP CRC32c, checksums of tunnelled inner headers (a packet the
 * parser marks PARSE_F_IP_TUNNEL gets NOT_CHECKED for L4, because the
 * addresses it reports are the outer header's), and IPv6 routing headers whose
 * final destination we do not know how to find (RPL type 3, unknown types):
 * NOT_CHECKED.
 *
 * Invariant: a verdict is GOOD or BAD only when every byte it covers lies in
 * [frame, frame + cap_len); otherwise it is NOT_CHECKED ("could not check" is
 * not "bad").
 */
#include "models/pkt/csum.h"
#include "sim/check.h"

#include <string.h>

#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__) || !defined(__ORDER_BIG_ENDIAN__)
#error "csum.c needs the compiler's __BYTE_ORDER__ (GCC or Clang)"
#endif

/* Fold a 64-bit accumulator of 16-bit lanes to 16 bits with end-around carry. */
static uint16_t fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);   /* <= 2^33 */
	acc = (acc & 0xffffffffu) + (acc >> 32);   /* <= 2^32 */
	return csum_fold((uint32_t)acc);
}

/*
 * Sums data in native 64-bit loads, each added as two 32-bit halves into a
 * 64-bit accumulator (no carry can be lost before 2^32 words = 32 GiB), then
 * folds. Ones'-complement addition is associative and commutative and
 * byte-order independent (RFC 1071 §2(A)-(C)), so summing native words of
 * any width and swapping the folded result on a little-endian host gives the
 * sum of big-endian 16-bit words. memcpy loads make any start address fine:
 * byte lanes are set by the offset from data[0], not by the address.
 *
 * Lanes are relative to data[0], which is the high byte of the first word.
 * So a caller that splits a buffer must split it at even offsets; an odd-
 * length piece may only be the last one. Every caller in nicsim passes either
 * an even-length piece (pseudo-header, header) or the whole rest of the
 * segment, so the odd byte is always the final pad-with-zero byte of RFC 1071.
 */
uint32_t csum_partial(const uint8_t *data, size_t len, uint32_t sum)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 32 <= len; i += 32) {   /* four loads per iteration: the common case is >= 40 bytes */
		uint64_t a, b, c, d;
		memcpy(&a, data + i, 8);
		memcpy(&b, data + i + 8, 8);
		memcpy(&c, data + i + 16, 8);
		memcpy(&d, data + i + 24, 8);
		acc += (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) +
		       (c & 0xffffffffu) + (c >> 32) + (d & 0xffffffffu) + (d >> 32);
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t a;
		memcpy(&a, data + i, 8);
		acc += (a & 0xffffffffu) + (a >> 32);
	}
	if (i < len) {
		/* The tail starts at an offset that is a multiple of 8, so it keeps
		 * its lanes; zero-filling the rest is RFC 1071's zero pad byte. */
		uint8_t tail[8] = {0};
		for (size_t j = 0; i + j < len; j++)   /* <= 7 bytes: no library call */
			tail[j] = data[i + j];
		uint64_t a;
		memcpy(&a, tail, 8);
		acc += (a & 0xffffffffu) + (a >> 32);
	}
	uint16_t s16 = fold64(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s16 = (uint16_t)((s16 >> 8) | (s16 << 8));
#endif
	uint64_t s = (uint64_t)sum + s16;
	return (uint32_t)(s + (s >> 32));   /* end-around carry; cannot carry twice */
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
	/* RFC 1624 erratum 4782: with m' == m and HC == 0, Eqn. 3 turns 0x0000
	 * into 0xffff. An unchanged field leaves the checksum as it was. */
	if (old_word == new_word)
		return old_csum;
	/* Eqn. 3: HC' = ~(~HC + ~m + m'). Unlike RFC 1141's HC + m + ~m' (Eqn. 2)
	 * it never produces -0 (0xffff) where a full recomputation gives 0x0000. */
	uint32_t s = (uint32_t)(uint16_t)~old_csum + (uint16_t)~old_word + new_word;
	return (uint16_t)~csum_fold(s);
}

/* IPv4 header checksum: the sum over the header, checksum field included,
 * folds to 0xffff when it is right (RFC 1071 §1 "(3)"). */
static void plan_ipv4_header(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr,
			     struct csum_rx_plan *pl)
{
	if (pr->l3 != PARSE_L3_IPV4 || pr->status == PARSE_BAD_L3 || (uint32_t)pr->l3_off + IPV4_HDR_MIN_BYTES > cap_len)
		return;
	const uint8_t *ip = frame + pr->l3_off;
	uint32_t hdr_bytes = (ip[0] & 0x0fu) * 4u;
	if (hdr_bytes < IPV4_HDR_MIN_BYTES || pr->l3_off + hdr_bytes > cap_len)
		return;   /* options cut off by the capture */
	pl->ip.is_summed = true;
	pl->ip.off = pr->l3_off;
	pl->ip.len = hdr_bytes;
	pl->ip.init = 0;
}

/* Returns the verdict when it needs no sum (NOT_CHECKED, or BAD for a zero
 * UDP/IPv6 checksum); otherwise fills pl->l4 and returns CSUM_GOOD as "sum it". */
static uint8_t plan_l4(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr,
		       struct csum_rx_plan *pl)
{
	bool is_tcp = pr->l4 == PARSE_L4_TCP, is_udp = pr->l4 == PARSE_L4_UDP;
	if (pr->status != PARSE_OK || !(is_tcp || is_udp) || !(pr->flags & PARSE_F_HAS_PORTS))
		return CSUM_NOT_CHECKED;
	/* A fragment holds only part of the segment the checksum covers (first
	 * fragment included); the NIC cannot check it without reassembly. */
	if (pr->flags & PARSE_F_FRAG)   /* set for the first fragment too */
		return CSUM_NOT_CHECKED;
	if (pr->flags & PARSE_F_IP_TUNNEL)
		return CSUM_NOT_CHECKED;   /* pr->src/dst are the outer header's */
	if (pr->l4_off < pr->l3_off || pr->payload_off < pr->l4_off)
		return CSUM_NOT_CHECKED;   /* not a layout the parser produces; do not guess */

	/* Segment length from the IP headers (RFC 9293 §3.1 "TCP Length"), not
	 * from the capture: l3_len is the IPv4 total length or IPv6 40 + payload
	 * length (for a jumbogram, RFC 2675, the Jumbo Payload option's length:
	 * the parser put it there), minus IPv4 options / IPv6 extension headers
	 * before L4. */
	uint32_t l4_len;
	bool is_v6 = pr->l3 == PARSE_L3_IPV6;
	if (pr->l3_len >= (uint32_t)(pr->l4_off - pr->l3_off))
		l4_len = pr->l3_len - (uint32_t)(pr->l4_off - pr->l3_off);
	else
		return CSUM_NOT_CHECKED;
	if (l4_len < (is_tcp ? TCP_HDR_MIN_BYTES : UDP_HDR_BYTES))
		return CSUM_NOT_CHECKED;
	/* The whole segment must be in the capture (snaplen cuts are common). */
	if ((uint64_t)pr->l4_off + l4_len > cap_len)
		return CSUM_NOT_CHECKED;

	const uint8_t *l4 = frame + pr->l4_off;
	if (is_udp) {
		uint16_t ulen = parse_be16(l4 + 4);
		uint16_t ucsum = parse_be16(l4 + 6);
		/* UDP length: the datagram may be shorter than the IP payload
		 * (trailing bytes are not covered); longer is malformed, and 0 is
		 * legal only in an IPv6 jumbogram (RFC 2675 §4). A length the
		 * checksum cannot be computed over is "could not check"; the length
		 * error is the parser's to count. */
		bool is_jumbo_udp = ulen == 0 && is_v6 && l4_len > 0xffffu;
		if (!is_jumbo_udp) {
			if (ulen < UDP_HDR_BYTES || ulen > l4_len)
				return CSUM_NOT_CHECKED;
			l4_len = ulen;
		}
		if (ucsum == 0) {
			/* IPv4: 0 means "no checksum was sent" (RFC 768). IPv6: the
			 * checksum is mandatory and a zero one is an error (RFC 8200
			 * §8.1; RFC 6935/6936 tunnel exceptions are not modelled). */
			return is_v6 ? CSUM_BAD : CSUM_NOT_CHECKED;
		}
	}

	/* Pseudo-header, summed as 16-bit words (order does not matter). */
	uint32_t sum;
	if (!is_v6) {
		/* Four 16-bit words, added directly: this runs for every frame. */
		sum = (uint32_t)parse_be16(pr->src) + parse_be16(pr->src + 2) + parse_be16(pr->dst) + parse_be16(pr->dst + 2);
	} else {
		/* Mobile IPv6: the receiving node processes the packet as if the
		 * Home Address option's address were the source (RFC 6275 §9.3.1), so
		 * the pseudo-header uses it; the type-2 routing header is handled as
		 * the final destination below. */
		const uint8_t *src = pr->src;
		if (pr->flags & PARSE_F_IPV6_HOME)
			src = frame + pr->home_addr_off;
		/* RFC 8200 §8.1: a routing header in transit puts the final
		 * destination in the pseudo-header; the parser found it. */
		if (pr->final_dst_off == PARSE_FINAL_DST_UNKNOWN)
			return CSUM_NOT_CHECKED;
		const uint8_t *dst = pr->final_dst_off ? frame + pr->final_dst_off : pr->dst;
		sum = csum_partial(src, 16, 0);
		sum = csum_partial(dst, 16, sum);
	}
	/* zero, protocol; then the length (IPv6: 32 bits, so add the high half
	 * too). The sum stays far below 2^32. */
	sum += (is_tcp ? IPPROTO_TCP_ : IPPROTO_UDP_) + (l4_len & 0xffffu) + (l4_len >> 16);
	pl->l4.is_summed = true;
	pl->l4.off = pr->l4_off;
	pl->l4.len = l4_len;
	pl->l4.init = sum;
	return CSUM_GOOD;
}

struct csum_rx_plan csum_rx_plan(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr)
{
	struct csum_rx_plan pl = { 0 };
	plan_ipv4_header(frame, cap_len, pr, &pl);
	pl.l4_fixed = plan_l4(frame, cap_len, pr, &pl);
	return pl;
}

struct csum_rx_result csum_rx_verdict(const struct csum_rx_plan *pl, uint16_t ip_sum, uint16_t l4_sum)
{
	struct csum_rx_result r = { CSUM_NOT_CHECKED, pl->l4_fixed };
	if (pl->ip.is_summed)
		r.ip = ip_sum == 0xffffu ? CSUM_GOOD : CSUM_BAD;
	if (pl->l4.is_summed)
		r.l4 = l4_sum == 0xffffu ? CSUM_GOOD : CSUM_BAD;
	return r;
}

uint16_t csum_range_sum(const uint8_t *frame, const struct csum_range *rg)
{
	return csum_fold(csum_partial(frame + rg->off, rg->len, rg->init));
}

struct csum_rx_result csum_rx_sum_plan(const uint8_t *frame, const struct csum_rx_plan *pl)
{
	return csum_rx_verdict(pl, pl->ip.is_summed ? csum_range_sum(frame, &pl->ip) : 0,
			       pl->l4.is_summed ? csum_range_sum(frame, &pl->l4) : 0);
}

struct csum_rx_result csum_rx_check(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr)
{
	struct csum_rx_plan pl = csum_rx_plan(frame, cap_len, pr);
	return csum_rx_sum_plan(frame, &pl);
}

uint32_t csum_rx_cycles(const struct csum_rx_plan *pl, uint32_t width_bytes)
{
	return (pl->ip.is_summed ? csum_cycles(pl->ip.len, width_bytes) : 0) +
	       (pl->l4.is_summed ? csum_cycles(pl->l4.len, width_bytes) : 0);
}

uint32_t csum_cycles(uint32_t len, uint32_t width_bytes)
{
	sim_check(width_bytes >= 1, "csum_cycles: datapath width must be at least 1 byte");
	return (len + width_bytes - 1) / width_bytes + CSUM_LATENCY_CYCLES;
}
