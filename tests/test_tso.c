/*
 * tests/test_tso.c — transmit checksum insertion and TCP segmentation
 * (models/pkt/tso.h).
 *
 * Expected values come from outside the code under test:
 *   - every expected frame is built here field by field (build_frame) from
 *     the segmentation rules written out in the test (lengths, IDs,
 *     sequence numbers, flags), and its checksums are filled in by a
 *     reference written here (ref_sum: RFC 1071 one 16-bit word at a time;
 *     the pseudo-headers laid out as bytes as RFC 768, RFC 9293 §3.1 and
 *     RFC 8200 §8.1 draw them), not by models/pkt/csum.c;
 *   - the IPv4 header checksum example from Wikipedia ("IPv4 header
 *     checksum"): 4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7 gives
 *     0xb861;
 *   - the receive checker (csum_rx_check) as a second opinion that every
 *     frame out is right.
 * Buffers are malloc'd at exactly their size so the ASan build catches a
 * read or write one byte outside.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "models/pkt/csum.h"
#include "models/pkt/parse.h"
#include "models/pkt/tso.h"

#define ETH_BYTES 14u
#define DSTOPT_BYTES 8u
#define TS_OPT_BYTES 12u   /* NOP, NOP, timestamps (kind 8, length 10) */
#define F_FIN 0x01u
#define F_PSH 0x08u
#define F_ACK 0x10u
#define F_CWR 0x80u

/* RFC 1071 by the letter: big-endian 16-bit words, an odd byte padded with
 * zero, carries folded at the end. Deliberately unlike csum_partial. */
static uint64_t ref_sum(const uint8_t *d, size_t len, uint64_t s)
{
	for (size_t i = 0; i < len; i += 2)
		s += (uint64_t)d[i] << 8 | (i + 1 < len ? d[i + 1] : 0u);
	return s;
}

static uint16_t ref_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v >> 16); wr16(p + 2, v); }

/* Payload byte k of a send: no period that divides an MSS, so a slice taken
 * from the wrong offset shows. */
static uint8_t pattern(uint32_t k) { return (uint8_t)(k * 31u + (k >> 8) + 7u); }

/* One frame, as a sender lays it out. */
struct spec {
	bool is_v6;
	bool has_dstopt;        /* IPv6: an 8-byte destination options header before L4 */
	uint8_t l4;             /* PARSE_L4_TCP or PARSE_L4_UDP */
	uint8_t tcp_opt_bytes;  /* 0 or TS_OPT_BYTES */
	uint16_t ip_len_field;  /* IPv4 total length / IPv6 payload length as written */
	uint16_t ip_id;
	uint32_t seq;
	uint8_t tcp_flags;
	uint16_t udp_len_field;
	uint16_t csum_fill;     /* what the checksum fields hold */
	uint32_t pay_from, pay_len;
};

static const uint8_t v4_src[4] = {10, 0, 0, 1}, v4_dst[4] = {10, 0, 0, 2};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static uint32_t l3_bytes(const struct spec *s) { return s->is_v6 ? 40u + (s->has_dstopt ? DSTOPT_BYTES : 0u) : 20u; }
static uint32_t l4_bytes(const struct spec *s) { return s->l4 == PARSE_L4_TCP ? 20u + s->tcp_opt_bytes : 8u; }
static uint32_t l4_off(const struct spec *s) { return ETH_BYTES + l3_bytes(s); }
static uint32_t frame_bytes(const struct spec *s) { return l4_off(s) + l4_bytes(s) + s->pay_len; }

static uint32_t build_frame(const struct spec *s, uint8_t *f)
{
	uint8_t proto = s->l4 == PARSE_L4_TCP ? 6 : 17;
	memset(f, 0, frame_bytes(s));
	const uint8_t mac[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	memcpy(f, mac, 12);
	uint8_t *ip = f + ETH_BYTES;
	if (s->is_v6) {
		wr16(f + 12, 0x86dd);
		ip[0] = 0x60;
		wr16(ip + 4, s->ip_len_field);
		ip[6] = s->has_dstopt ? 60 : proto;
		ip[7] = 64;
		memcpy(ip + 8, v6_src, 16);
		memcpy(ip + 24, v6_dst, 16);
		if (s->has_dstopt) {
			const uint8_t opt[8] = {proto, 0, 1, 4, 0, 0, 0, 0};   /* PadN of 4 */
			memcpy(ip + 40, opt, 8);
		}
	} else {
		wr16(f + 12, 0x0800);
		ip[0] = 0x45;
		wr16(ip + 2, s->ip_len_field);
		wr16(ip + 4, s->ip_id);
		ip[6] = 0x40;   /* DF */
		ip[8] = 64;
		ip[9] = proto;
		wr16(ip + 10, s->csum_fill);
		memcpy(ip + 12, v4_src, 4);
		memcpy(ip + 16, v4_dst, 4);
	}
	uint8_t *l4 = f + l4_off(s);
	wr16(l4, 40000);
	wr16(l4 + 2, s->l4 == PARSE_L4_TCP ? 80 : 53);
	if (s->l4 == PARSE_L4_TCP) {
		wr32(l4 + 4, s->seq);
		wr32(l4 + 8, 0x01020304);
		l4[12] = (uint8_t)((l4_bytes(s) / 4) << 4);
		l4[13] = s->tcp_flags;
		wr16(l4 + 14, 0xffff);
		wr16(l4 + 16, s->csum_fill);
		if (s->tcp_opt_bytes) {
			const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78};
			memcpy(l4 + 20, ts, 12);
		}
	} else {
		wr16(l4 + 4, s->udp_len_field);
		wr16(l4 + 6, s->csum_fill);
	}
	uint8_t *pay = l4 + l4_bytes(s);
	for (uint32_t k = 0; k < s->pay_len; k++)
		pay[k] = pattern(s->pay_from + k);
	return frame_bytes(s);
}

/* The pseudo-header's sum for an L4 segment of seg_len bytes, laid out as
 * bytes the way the RFCs draw it. */
static uint64_t ref_pseudo(const struct spec *s, uint32_t seg_len)
{
	uint8_t ph[40] = {0};
	uint8_t proto = s->l4 == PARSE_L4_TCP ? 6 : 17;
	if (s->is_v6) {   /* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next header */
		memcpy(ph, v6_src, 16);
		memcpy(ph + 16, v6_dst, 16);
		wr32(ph + 32, seg_len);
		ph[39] = proto;
		return ref_sum(ph, 40, 0);
	}
	/* RFC 768 / RFC 9293 §3.1: src, dst, zero, protocol, 16-bit length */
	memcpy(ph, v4_src, 4);
	memcpy(ph + 4, v4_dst, 4);
	ph[9] = proto;
	wr16(ph + 10, seg_len);
	return ref_sum(ph, 12, 0);
}

/* Fill in the IPv4 header and L4 checksums of frame f[0 .. len) by the reference. */
static void ref_finish(const struct spec *s, uint8_t *f, uint32_t len)
{
	if (!s->is_v6) {
		uint8_t *ip = f + ETH_BYTES;
		wr16(ip + 10, 0);
		wr16(ip + 10, (uint16_t)~ref_fold(ref_sum(ip, 20, 0)));
	}
	uint8_t *l4 = f + l4_off(s);
	uint32_t seg_len = len - l4_off(s);
	uint8_t *field = l4 + (s->l4 == PARSE_L4_TCP ? 16 : 6);
	wr16(field, 0);
	uint16_t c = (uint16_t)~ref_fold(ref_sum(l4, seg_len, ref_pseudo(s, seg_len)));
	if (s->l4 == PARSE_L4_UDP && c == 0)
		c = 0xffff;
	wr16(field, c);
}

static struct tx_offload ctx_for(const struct spec *s)
{
	struct tx_offload o = {
		.l2_len = ETH_BYTES,
		.l3_len = (uint16_t)l3_bytes(s),
		.l4_len = (uint16_t)l4_bytes(s),
		.l4 = s->l4,
		.is_ipv6 = s->is_v6,
		.do_ip_csum = true,
		.do_l4_csum = true,
	};
	return o;
}

static uint8_t *build_alloc(const struct spec *s, uint32_t *len)
{
	uint8_t *f = malloc(frame_bytes(s));
	assert_non_null(f);
	*len = build_frame(s, f);
	return f;
}

/* The receive side agrees the frame's checksums are right. */
static void assert_rx_good(const uint8_t *f, uint32_t len, bool is_v4)
{
	struct parse_result pr;
	assert_int_equal(parse_frame(f, len, len, PARSE_LINK_ETH, &pr), PARSE_OK);
	struct csum_rx_result r = csum_rx_check(f, len, &pr);
	assert_int_equal(r.l4, CSUM_GOOD);
	assert_int_equal(r.ip, is_v4 ? CSUM_GOOD : CSUM_NOT_CHECKED);
}

/*
 * A full-size send: 64 KiB of payload behind IPv4 and a TCP header with the
 * 12-byte timestamp option (L4LEN 32), MSS 1448. 65536 / 1448 = 45.26: 45
 * full frames (45 * 1448 = 65160) and one of 65536 - 65160 = 376 bytes.
 * The template has total length 0 (as Linux drivers leave it for TSO) and
 * junk checksums; ID and sequence number start close to their wrap.
 */
static void test_tso_64k_ipv4_send_is_46_frames_matching_hand_built_headers(void **state)
{
	(void)state;
	const uint32_t mss = 1448, payload = 65536;
	struct spec tpl = {.l4 = PARSE_L4_TCP, .tcp_opt_bytes = TS_OPT_BYTES, .ip_len_field = 0, .ip_id = 0xfff0,
			   .seq = 0xfffff000u, .tcp_flags = F_ACK | F_PSH, .csum_fill = 0xbeef, .pay_len = payload};
	uint32_t send_len;
	uint8_t *send = build_alloc(&tpl, &send_len);
	assert_int_equal(send_len, 14 + 20 + 32 + 65536);
	struct tx_offload o = ctx_for(&tpl);
	o.do_tso = true;
	o.mss = (uint16_t)mss;

	uint32_t n_want = (payload + mss - 1) / mss;
	assert_int_equal(n_want, 46);   /* the arithmetic above, by hand */
	assert_int_equal(tso_segment_count(&o, send_len), n_want);

	uint32_t total_payload = 0;
	for (uint32_t i = 0; i < n_want; i++) {
		uint32_t seg = i + 1 < n_want ? mss : payload - i * mss;
		struct spec e = tpl;
		e.ip_len_field = (uint16_t)(20 + 32 + seg);
		e.ip_id = (uint16_t)(0xfff0 + i);
		e.seq = 0xfffff000u + i * mss;
		e.tcp_flags = i + 1 < n_want ? F_ACK : F_ACK | F_PSH;
		e.pay_from = i * mss;
		e.pay_len = seg;
		uint32_t elen;
		uint8_t *want = build_alloc(&e, &elen);
		ref_finish(&e, want, elen);

		uint8_t *out = malloc(elen);   /* exactly the frame: ASan sees one byte over */
		assert_non_null(out);
		uint32_t got = tso_segment(&o, send, send_len, i, out, elen);
		assert_int_equal(got, elen);
		if (memcmp(out, want, elen) != 0) {
			for (uint32_t k = 0; k < elen; k++)
				if (out[k] != want[k])
					fail_msg("segment %u: byte %u is 0x%02x, want 0x%02x", i, k, out[k], want[k]);
		}
		assert_int_equal(be16(out + 14 + 4), (0xfff0 + i) & 0xffff);
		assert_int_equal(be32(out + 34 + 4), (uint32_t)(0xfffff000u + i * 1448u));
		assert_rx_good(out, got, true);
		total_payload += seg;
		free(out);
		free(want);
	}
	assert_int_equal(total_payload, payload);
	/* The last frame is 14 + 20 + 32 + 376 bytes; its ID wrapped to 0x001d. */
	uint8_t *last = malloc(14 + 20 + 32 + 376);
	assert_non_null(last);
	assert_int_equal(tso_segment(&o, send, send_len, 45, last, 14 + 20 + 32 + 376), 14 + 20 + 32 + 376);
	assert_int_equal(be16(last + 14 + 2), 20 + 32 + 376);
	assert_int_equal(be16(last + 14 + 4), 0x001d);
	free(last);
	free(send);
}

static uint8_t seg_flags(const struct tx_offload *o, const uint8_t *send, uint32_t send_len, uint32_t i)
{
	uint8_t out[14 + 20 + 20 + 100];
	uint32_t n = tso_segment(o, send, send_len, i, out, sizeof out);
	assert_true(n > 0);
	return out[14 + 20 + 13];
}

/* Template PSH|FIN|CWR|ACK over 250 bytes at MSS 100: three frames. */
static void test_tso_flags_cwr_on_first_psh_fin_on_last(void **state)
{
	(void)state;
	struct spec tpl = {.l4 = PARSE_L4_TCP, .ip_len_field = 290, .seq = 1000,
			   .tcp_flags = F_PSH | F_FIN | F_CWR | F_ACK, .pay_len = 250};
	uint32_t len;
	uint8_t *send = build_alloc(&tpl, &len);
	struct tx_offload o = ctx_for(&tpl);
	o.do_tso = true;
	o.mss = 100;
	assert_int_equal(tso_segment_count(&o, len), 3);
	assert_int_equal(seg_flags(&o, send, len, 0), F_CWR | F_ACK);
	assert_int_equal(seg_flags(&o, send, len, 1), F_ACK);
	assert_int_equal(seg_flags(&o, send, len, 2), F_ACK | F_PSH | F_FIN);
	free(send);

	/* One frame is both first and last: every flag stays. */
	tpl.pay_len = 100;
	send = build_alloc(&tpl, &len);
	assert_int_equal(tso_segment_count(&o, len), 1);
	assert_int_equal(seg_flags(&o, send, len, 0), F_PSH | F_FIN | F_CWR | F_ACK);
	free(send);
}

/* IPv6 with an 8-byte destination options header (IPLEN 48), TCP 20 bytes,
 * 3000 bytes at MSS 1220: frames of 1220, 1220 and 560 bytes, each with
 * payload length 8 + 20 + payload and no IP checksum to insert. */
static void test_tso_ipv6_ext_header_payload_length_and_checksum(void **state)
{
	(void)state;
	struct spec tpl = {.is_v6 = true, .has_dstopt = true, .l4 = PARSE_L4_TCP, .ip_len_field = 8 + 20 + 3000,
			   .seq = 7, .tcp_flags = F_ACK | F_PSH, .csum_fill = 0x1111, .pay_len = 3000};
	uint32_t len;
	uint8_t *send = build_alloc(&tpl, &len);

	struct parse_result pr;
	assert_int_equal(parse_frame(send, len, len, PARSE_LINK_ETH, &pr), PARSE_OK);
	struct tx_offload o;
	assert_true(tx_offload_from_parse(&pr, &o));
	assert_int_equal(o.l2_len, 14);
	assert_int_equal(o.l3_len, 48);
	assert_int_equal(o.l4_len, 20);
	assert_true(o.is_ipv6);
	o.do_ip_csum = o.do_l4_csum = o.do_tso = true;   /* do_ip_csum means nothing for IPv6 */
	o.mss = 1220;

	const uint32_t segs[3] = {1220, 1220, 560};
	assert_int_equal(tso_segment_count(&o, len), 3);
	for (uint32_t i = 0; i < 3; i++) {
		struct spec e = tpl;
		e.ip_len_field = (uint16_t)(8 + 20 + segs[i]);
		e.seq = 7 + i * 1220;
		e.tcp_flags = i < 2 ? F_ACK : F_ACK | F_PSH;
		e.pay_from = i * 1220;
		e.pay_len = segs[i];
		uint32_t elen;
		uint8_t *want = build_alloc(&e, &elen);
		ref_finish(&e, want, elen);
		uint8_t *out = malloc(elen);
		assert_non_null(out);
		assert_int_equal(tso_segment(&o, send, len, i, out, elen), elen);
		assert_memory_equal(out, want, elen);
		assert_int_equal(be16(out + 14 + 4), 8 + 20 + segs[i]);
		assert_rx_good(out, elen, false);
		free(out);
		free(want);
	}
	free(send);
}

/* A UDP datagram: checksum inserted over the pseudo-header; UDP is never
 * segmented even with do_tso. */
static void check_udp_insert(bool is_v6)
{
	struct spec s = {.is_v6 = is_v6, .l4 = PARSE_L4_UDP, .ip_len_field = is_v6 ? 8 + 301 : 20 + 8 + 301,
			 .udp_len_field = 8 + 301, .csum_fill = 0xabcd, .pay_len = 301};   /* odd: the pad byte */
	uint32_t len;
	uint8_t *f = build_alloc(&s, &len);
	uint8_t *want = build_alloc(&s, &len);
	ref_finish(&s, want, len);
	struct tx_offload o = ctx_for(&s);
	tx_csum_insert(&o, f, len);
	assert_memory_equal(f, want, len);
	assert_rx_good(f, len, !is_v6);

	build_frame(&s, f);
	o.do_tso = true;
	o.mss = 100;
	assert_int_equal(tso_segment_count(&o, len), 1);
	uint8_t *out = malloc(len);
	assert_int_equal(tso_segment(&o, f, len, 0, out, len), len);
	assert_memory_equal(out, want, len);
	assert_int_equal(tso_segment(&o, f, len, 1, out, len), 0);
	free(out);
	free(want);
	free(f);
}

/* The payload's first two bytes are chosen so that the sum with a zero
 * checksum field folds to 0xffff: the checksum computes to 0, which RFC 768
 * sends as 0xffff. */
static void check_udp_zero_becomes_ffff(bool is_v6)
{
	struct spec s = {.is_v6 = is_v6, .l4 = PARSE_L4_UDP, .ip_len_field = is_v6 ? 8 + 40 : 20 + 8 + 40,
			 .udp_len_field = 8 + 40, .pay_len = 40};
	uint32_t len;
	uint8_t *f = build_alloc(&s, &len);
	uint8_t *l4 = f + l4_off(&s);
	wr16(l4 + 8, 0);
	uint16_t rest = ref_fold(ref_sum(l4, 8 + 40, ref_pseudo(&s, 8 + 40)));   /* field is 0 */
	wr16(l4 + 8, (uint16_t)(0xffffu - rest));   /* rest + word = 0xffff, no carry */
	assert_int_equal(ref_fold(ref_sum(l4, 8 + 40, ref_pseudo(&s, 8 + 40))), 0xffff);

	struct tx_offload o = ctx_for(&s);
	tx_csum_insert(&o, f, len);
	assert_int_equal(be16(l4 + 6), 0xffff);
	assert_rx_good(f, len, !is_v6);
	free(f);
}

static void test_tx_csum_insert_udp_ipv4_and_ipv6(void **state)
{
	(void)state;
	check_udp_insert(false);
	check_udp_insert(true);
	check_udp_zero_becomes_ffff(false);
	check_udp_zero_becomes_ffff(true);
}

/* Wikipedia's IPv4 header checksum example, with and without a link header. */
static void test_tx_csum_insert_ipv4_header_published_example(void **state)
{
	(void)state;
	const uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				 0x12, 0x34, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};   /* junk in the field */
	struct tx_offload o = {.l2_len = 0, .l3_len = 20, .l4 = PARSE_L4_NONE, .do_ip_csum = true, .do_l4_csum = true};
	uint8_t *f = malloc(20);
	memcpy(f, hdr, 20);
	tx_csum_insert(&o, f, 20);
	assert_int_equal(be16(f + 10), 0xb861);
	assert_memory_equal(f + 12, hdr + 12, 8);
	free(f);

	uint8_t g[34] = {0};
	memcpy(g + 14, hdr, 20);
	o.l2_len = 14;
	tx_csum_insert(&o, g, sizeof g);
	assert_int_equal(be16(g + 14 + 10), 0xb861);
	/* do_ip_csum off: untouched. */
	o.do_ip_csum = false;
	memcpy(g + 14, hdr, 20);
	tx_csum_insert(&o, g, sizeof g);
	assert_int_equal(be16(g + 14 + 10), 0x1234);
}

static bool partial_of(const uint8_t *f, uint32_t cap, uint32_t len)
{
	struct parse_result pr;
	parse_frame(f, cap, len, PARSE_LINK_ETH, &pr);
	return tx_csum_is_partial(f, cap, &pr);
}

/* A frame whose L4 checksum field holds the folded pseudo-header sum
 * (computed here by the reference) is partial; once finished it is not; a
 * capture cut short cannot tell. */
static void check_partial(bool is_v6, uint8_t l4)
{
	struct spec s = {.is_v6 = is_v6, .l4 = l4, .tcp_flags = F_ACK, .pay_len = 200, .udp_len_field = 8 + 200};
	uint32_t seg_len = l4_bytes(&s) + 200;
	s.ip_len_field = (uint16_t)(is_v6 ? seg_len : 20 + seg_len);
	s.csum_fill = ref_fold(ref_pseudo(&s, seg_len));
	uint32_t len;
	uint8_t *f = build_alloc(&s, &len);
	if (!is_v6) {   /* the IPv4 header finished, as a sender with only L4 offload sends it */
		uint8_t *ip = f + ETH_BYTES;
		wr16(ip + 10, 0);
		wr16(ip + 10, (uint16_t)~ref_fold(ref_sum(ip, 20, 0)));
	}
	assert_true(partial_of(f, len, len));
	assert_false(partial_of(f, len - 1, len));   /* the last byte not captured */

	struct tx_offload o = ctx_for(&s);
	tx_csum_insert(&o, f, len);
	assert_rx_good(f, len, !is_v6);
	assert_false(partial_of(f, len, len));
	free(f);
}

static void test_tx_csum_is_partial_pseudo_header_sum_vs_finished(void **state)
{
	(void)state;
	check_partial(false, PARSE_L4_TCP);
	check_partial(false, PARSE_L4_UDP);
	check_partial(true, PARSE_L4_TCP);
	check_partial(true, PARSE_L4_UDP);
	/* A wrong checksum that is not the pseudo-header sum is not partial. */
	struct spec s = {.l4 = PARSE_L4_TCP, .tcp_flags = F_ACK, .ip_len_field = 20 + 20 + 10, .pay_len = 10,
			 .csum_fill = 0x1234};
	uint32_t len;
	uint8_t *f = build_alloc(&s, &len);
	assert_false(partial_of(f, len, len));
	free(f);
	assert_false(tx_csum_is_partial(NULL, 0, NULL));
}

static void test_tx_offload_from_parse_takes_tcp_udp_and_refuses_the_rest(void **state)
{
	(void)state;
	struct spec s = {.l4 = PARSE_L4_TCP, .tcp_opt_bytes = TS_OPT_BYTES, .ip_len_field = 20 + 32 + 10,
			 .tcp_flags = F_ACK, .pay_len = 10};
	uint8_t f[14 + 20 + 32 + 10];
	uint32_t len = build_frame(&s, f);
	struct parse_result pr;
	struct tx_offload o;
	assert_int_equal(parse_frame(f, len, len, PARSE_LINK_ETH, &pr), PARSE_OK);
	assert_true(tx_offload_from_parse(&pr, &o));
	assert_int_equal(o.l2_len, 14);
	assert_int_equal(o.l3_len, 20);
	assert_int_equal(o.l4_len, 32);
	assert_int_equal(o.l4, PARSE_L4_TCP);
	assert_false(o.is_ipv6 || o.do_ip_csum || o.do_l4_csum || o.do_tso);
	assert_int_equal(o.mss, 0);

	/* A fragment (MF set). */
	f[14 + 6] = 0x20;
	parse_frame(f, len, len, PARSE_LINK_ETH, &pr);
	assert_false(tx_offload_from_parse(&pr, &o));
	f[14 + 6] = 0x40;
	/* Another transport (ICMP). */
	f[14 + 9] = 1;
	parse_frame(f, len, len, PARSE_LINK_ETH, &pr);
	assert_false(tx_offload_from_parse(&pr, &o));
	f[14 + 9] = 6;
	/* Cut inside the TCP header. */
	parse_frame(f, 14 + 20 + 10, len, PARSE_LINK_ETH, &pr);
	assert_false(tx_offload_from_parse(&pr, &o));
	/* UDP over IPv6. */
	struct spec u = {.is_v6 = true, .l4 = PARSE_L4_UDP, .ip_len_field = 8 + 4, .udp_len_field = 8 + 4, .pay_len = 4};
	uint8_t g[14 + 40 + 8 + 4];
	len = build_frame(&u, g);
	assert_int_equal(parse_frame(g, len, len, PARSE_LINK_ETH, &pr), PARSE_OK);
	assert_true(tx_offload_from_parse(&pr, &o));
	assert_int_equal(o.l3_len, 40);
	assert_int_equal(o.l4_len, 8);
	assert_true(o.is_ipv6);
	assert_false(tx_offload_from_parse(NULL, &o));
}

/* Bad contexts and lengths give 0 or no change, never a byte outside. */
static void test_tso_bad_lengths_give_zero_without_touching_memory(void **state)
{
	(void)state;
	struct spec s = {.l4 = PARSE_L4_TCP, .tcp_flags = F_ACK, .ip_len_field = 20 + 20 + 300, .pay_len = 300};
	uint32_t len;
	uint8_t *send = build_alloc(&s, &len);
	struct tx_offload o = ctx_for(&s);
	o.do_tso = true;
	o.mss = 100;
	uint8_t *out = malloc(len);

	/* Send shorter than its headers (54 bytes). */
	assert_int_equal(tso_segment_count(&o, 53), 0);
	assert_int_equal(tso_segment(&o, send, 53, 0, out, len), 0);
	/* Headers only: one frame. */
	assert_int_equal(tso_segment_count(&o, 54), 1);
	assert_int_equal(tso_segment(&o, send, 54, 0, out, len), 54);
	/* out_cap one short of frame 0 (54 + 100). */
	assert_int_equal(tso_segment(&o, send, len, 0, out, 153), 0);
	assert_int_equal(tso_segment(&o, send, len, 0, out, 154), 154);
	/* i out of range. */
	assert_int_equal(tso_segment(&o, send, len, 3, out, len), 0);
	assert_int_equal(tso_segment(&o, send, len, 0xffffffffu, out, len), 0);
	/* NULLs. */
	assert_int_equal(tso_segment(NULL, send, len, 0, out, len), 0);
	assert_int_equal(tso_segment(&o, NULL, len, 0, out, len), 0);
	assert_int_equal(tso_segment(&o, send, len, 0, NULL, len), 0);
	assert_int_equal(tso_segment_count(NULL, len), 0);
	tx_csum_insert(NULL, out, len);

	/* mss 0: no segmentation, the send with its checksums, lengths as sent. */
	o.mss = 0;
	assert_int_equal(tso_segment_count(&o, len), 1);
	uint8_t *want = build_alloc(&s, &len);
	ref_finish(&s, want, len);
	assert_int_equal(tso_segment(&o, send, len, 0, out, len), len);
	assert_memory_equal(out, want, len);
	assert_int_equal(tso_segment(&o, send, len, 0, out, len - 1), 0);
	free(want);

	/* Header lengths below the fixed headers: nothing done. */
	struct tx_offload bad = o;
	bad.l3_len = 19;
	assert_int_equal(tso_segment_count(&bad, len), 0);
	memcpy(out, send, len);
	tx_csum_insert(&bad, out, len);
	assert_memory_equal(out, send, len);
	bad = o;
	bad.l4_len = 19;
	assert_int_equal(tso_segment_count(&bad, len), 0);
	/* tx_csum_insert with a frame shorter than the headers: unchanged. */
	tx_csum_insert(&o, out, 53);
	assert_memory_equal(out, send, len);

	/* More than 64 KiB of payload is more than a context describes. */
	struct tx_offload big = ctx_for(&s);
	big.do_tso = true;
	big.mss = 1460;
	assert_int_equal(tso_segment_count(&big, 54 + 65536), (65536 + 1459) / 1460);
	assert_int_equal(tso_segment_count(&big, 54 + 65537), 0);
	/* An IPv4 frame whose total length cannot hold one mss. */
	big.mss = 65535;
	assert_int_equal(tso_segment_count(&big, 54 + 65536), 0);
	free(out);
	free(send);
}

/* Every small context over every small send, buffers of exactly their size:
 * whatever comes out lies inside them (the ASan build checks). */
static void test_tso_sweep_small_contexts_stays_in_bounds(void **state)
{
	(void)state;
	for (uint32_t send_len = 0; send_len <= 96; send_len += 3) {
		uint8_t *send = malloc(send_len ? send_len : 1);
		for (uint32_t k = 0; k < send_len; k++)
			send[k] = (uint8_t)(k * 37u);
		for (uint16_t l3 = 18; l3 <= 44; l3 += 2)
			for (uint16_t l4 = 6; l4 <= 24; l4 += 2)
				for (uint8_t t = 0; t < 4; t++) {
					struct tx_offload o = {.l2_len = (uint16_t)(t * 5), .l3_len = l3, .l4_len = l4,
							       .l4 = (uint8_t)(t % 3), .is_ipv6 = l3 >= 40, .do_ip_csum = true,
							       .do_l4_csum = true, .do_tso = t != 3, .mss = (uint16_t)t};
					uint32_t n = tso_segment_count(&o, send_len);
					for (uint32_t i = 0; i <= n; i++) {
						uint8_t *out = malloc(send_len ? send_len : 1);
						uint32_t got = tso_segment(&o, send, send_len, i, out, send_len);
						assert_true(got <= send_len);
						if (i == n)
							assert_int_equal(got, 0);
						free(out);
					}
					uint8_t *f = malloc(send_len ? send_len : 1);
					memcpy(f, send, send_len);
					tx_csum_insert(&o, f, send_len);
					free(f);
				}
		free(send);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tso_64k_ipv4_send_is_46_frames_matching_hand_built_headers),
		cmocka_unit_test(test_tso_flags_cwr_on_first_psh_fin_on_last),
		cmocka_unit_test(test_tso_ipv6_ext_header_payload_length_and_checksum),
		cmocka_unit_test(test_tx_csum_insert_udp_ipv4_and_ipv6),
		cmocka_unit_test(test_tx_csum_insert_ipv4_header_published_example),
		cmocka_unit_test(test_tx_csum_is_partial_pseudo_header_sum_vs_finished),
		cmocka_unit_test(test_tx_offload_from_parse_takes_tcp_udp_and_refuses_the_rest),
		cmocka_unit_test(test_tso_bad_lengths_give_zero_without_touching_memory),
		cmocka_unit_test(test_tso_sweep_small_contexts_stays_in_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
