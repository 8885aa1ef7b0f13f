/*
 * host/txstack: the host's sends rebuilt from captured frames. Every frame
 * is built here by hand (Ethernet, IPv4 or IPv6, TCP with the timestamp
 * option or UDP, checksums from the tiny RFC 1071 sum below, not the
 * model's), fed at chosen times through a real kernel, and the sends are
 * checked against values worked out in the comments: counts, times, the
 * send's header fields read back from its bytes, and its payload byte for
 * byte. Each test ends with nothing held: no record in use, no event pending.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "host/txstack.h"
#include "models/pkt/parse.h"
#include "sim/kernel.h"
#include "sim/pkt.h"

#define US 1000000ull            /* ps */
#define MSS 1448u                /* 1500 - 20 (IPv4) - 32 (TCP with timestamps) */
#define ETH 14u
#define TCP_TS_HDR 32u           /* 20 + NOP NOP TS(10) */
#define SEQ0 1000000u

/* ---- an independent checksum (RFC 1071) ---- */

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

/* The payload byte at stream offset pos: any send's payload can be checked
 * against its sequence number. */
static uint8_t pat(uint32_t pos) { return (uint8_t)(pos * 31u + (pos >> 9) + 7u); }

/* ---- frames ---- */

struct seg {
	bool is_v6;
	bool is_udp;
	bool is_partial;         /* leave the L4 checksum as a sender before its offload does */
	bool is_fragment;        /* IPv4 MF set */
	uint8_t host;            /* last byte of the source address */
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t flags;
	uint32_t payload;
	uint32_t ts_val;         /* TCP timestamp value */
};

/* Build an Ethernet frame into out; returns its length. */
static uint32_t build(const struct seg *s, uint8_t *out)
{
	memset(out, 0, ETH);
	out[0] = 0x02, out[5] = 0x02;      /* dst 02:00:00:00:00:02 */
	out[6] = 0x02, out[11] = 0x01;     /* src 02:00:00:00:00:01 */
	put16(out + 12, s->is_v6 ? 0x86dd : 0x0800);
	uint8_t *ip = out + ETH;
	uint32_t l3 = s->is_v6 ? 40 : 20, l4 = s->is_udp ? 8 : TCP_TS_HDR;
	uint8_t *l4p = ip + l3, *pl = l4p + l4;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	if (s->is_v6) {
		src[0] = dst[0] = 0xfd;
		src[15] = s->host, dst[15] = 0x02;
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, l4 + s->payload);
		ip[6] = s->is_udp ? 17 : 6;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	} else {
		src[0] = dst[0] = 10;
		src[3] = s->host, dst[3] = 0x02;
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, l3 + l4 + s->payload);
		put16(ip + 4, s->seq & 0xffff);
		put16(ip + 6, s->is_fragment ? 0x2000 : 0x4000);
		ip[8] = 64;
		ip[9] = s->is_udp ? 17 : 6;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, (uint16_t)~fold(sum16(0, ip, 20)));
	}
	memset(l4p, 0, l4);
	put16(l4p, s->sport);
	put16(l4p + 2, s->dport);
	if (s->is_udp) {
		put16(l4p + 4, 8 + s->payload);
	} else {
		put32(l4p + 4, s->seq);
		put32(l4p + 8, 77);
		l4p[12] = (uint8_t)((l4 / 4) << 4);
		l4p[13] = s->flags;
		put16(l4p + 14, 0xffff);
		l4p[20] = 1, l4p[21] = 1, l4p[22] = 8, l4p[23] = 10;
		put32(l4p + 24, s->ts_val);
		put32(l4p + 28, 4242);
	}
	for (uint32_t i = 0; i < s->payload; i++)
		pl[i] = pat(s->seq + i);
	/* pseudo-header (RFC 768, 9293 §3.1, 8200 §8.1) */
	uint32_t ps = sum16(0, src, s->is_v6 ? 16 : 4);
	ps = sum16(ps, dst, s->is_v6 ? 16 : 4);
	ps += (s->is_udp ? 17u : 6u) + l4 + s->payload;
	uint32_t csum_off = s->is_udp ? 6 : 16;
	if (s->is_partial)
		put16(l4p + csum_off, fold(ps));
	else
		put16(l4p + csum_off, (uint16_t)~fold(sum16(ps, l4p, l4 + s->payload)));
	return ETH + l3 + l4 + s->payload;
}

/* ---- a run ---- */

struct sent {
	uint64_t t_ps;
	struct tx_send s;
	uint32_t len;
	uint8_t *data;           /* a copy of the send's bytes */
};

struct feed {
	struct sim_event ev;
	struct tcase *c;
	struct pkt *p;
};

#define FEEDS_MAX 600
#define SENT_MAX 600

struct tcase {
	struct sim_kernel *k;
	struct pkt_pool *pool;
	struct txstack *tx;
	struct feed feeds[FEEDS_MAX];
	uint32_t n_feeds;
	struct sent sent[SENT_MAX];
	uint32_t n_sent;
	struct pkt *kept;        /* one send the callback keeps a reference to */
};

static void on_send(void *ctx, const struct tx_send *s)
{
	struct tcase *c = ctx;
	assert_true(c->n_sent < SENT_MAX);
	struct sent *r = &c->sent[c->n_sent++];
	r->t_ps = sim_now_ps(c->k);
	r->s = *s;
	r->len = s->pkt->cap_len;
	if (s->has_offload)
		assert_int_equal(s->pkt->wire_len, s->pkt->cap_len);
	r->data = malloc(r->len);
	assert_non_null(r->data);
	memcpy(r->data, s->pkt->data, r->len);
	/* the record is lent: keep one past the call, as a driver would */
	if (!c->kept)
		c->kept = pkt_ref(s->pkt);
}

static struct tcase *tc_new(bool is_lso, uint32_t gap_us)
{
	struct tcase *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->k = sim_kernel_new();
	c->pool = pkt_pool_new();
	struct tx_cfg cfg = { .is_lso = is_lso, .is_csum = true, .coalesce_gap_us = gap_us };
	char err[256];
	assert_int_equal(txstack_new(&c->tx, c->k, &cfg, 1500, err, sizeof err), 0);
	txstack_on_send(c->tx, on_send, c);
	return c;
}

static void feed_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct feed *f = arg;
	struct parse_result pr;
	parse_frame(f->p->data, f->p->cap_len, f->p->wire_len, PARSE_LINK_ETH, &pr);
	txstack_frame(f->c->tx, f->p, &pr);
	pkt_release(f->p);
	f->p = NULL;
}

/* Frame s at t_ps, its capture cut to cap_len bytes (0: whole). Frames come
 * at the wire's priority, before the host's timers at the same instant. */
static void tc_at_cut(struct tcase *c, uint64_t t_ps, const struct seg *s, uint32_t cap_len)
{
	static uint8_t buf[70000];
	uint32_t len = build(s, buf);
	assert_true(c->n_feeds < FEEDS_MAX);
	struct feed *f = &c->feeds[c->n_feeds++];
	f->c = c;
	f->p = pkt_alloc(c->pool, len);
	assert_non_null(f->p);
	memcpy(f->p->data, buf, len);
	f->p->wire_len = len;
	f->p->cap_len = cap_len ? cap_len : len;
	sim_event_init(&f->ev, "test.frame", SIM_PRIO_WIRE, feed_fire, f);
	sim_schedule_at(c->k, &f->ev, t_ps);
}

static void tc_at(struct tcase *c, uint64_t t_ps, const struct seg *s) { tc_at_cut(c, t_ps, s, 0); }

/* Run everything, flush at the end, free; nothing may be left. */
static void tc_finish(struct tcase *c, uint64_t flush_at_ps)
{
	sim_run_until(c->k, flush_at_ps);
	txstack_flush(c->tx);
	sim_run(c->k);
	assert_int_equal(sim_events_pending(c->k), 0);
	if (c->kept)
		pkt_release(c->kept);
	assert_int_equal(txstack_records_in_use(c->tx), 0);   /* every send let go */
	txstack_free(c->tx);
	assert_int_equal(pkt_pool_in_use(c->pool), 0);
	for (uint32_t i = 0; i < c->n_sent; i++)
		free(c->sent[i].data);
	pkt_pool_free(c->pool);
	sim_kernel_free(c->k);
	free(c);
}

/* A data segment of connection 10.0.0.1:5001 -> 10.0.0.2:80. */
static struct seg data(uint32_t seq, uint8_t flags)
{
	return (struct seg){ .host = 1, .sport = 5001, .dport = 80, .seq = seq, .flags = flags, .payload = MSS,
			     .ts_val = 555 };
}

/* Check a coalesced IPv4 or IPv6 TCP send read back from its bytes. */
static void check_tcp_send(const struct sent *r, bool is_v6, uint32_t seq, uint8_t flags, uint32_t payload)
{
	uint32_t l3 = is_v6 ? 40 : 20;
	uint32_t hdr = ETH + l3 + TCP_TS_HDR;
	assert_int_equal(r->len, hdr + payload);
	assert_int_equal(r->s.payload_bytes, payload);
	const uint8_t *ip = r->data + ETH, *tcp = ip + l3;
	if (is_v6)
		assert_int_equal(get16(ip + 4), TCP_TS_HDR + payload);   /* payload length */
	else
		assert_int_equal(get16(ip + 2), l3 + TCP_TS_HDR + payload);   /* total length */
	assert_int_equal(get32(tcp + 4), seq);
	assert_int_equal(tcp[13], flags);
	for (uint32_t i = 0; i < payload; i++)
		if (r->data[hdr + i] != pat(seq + i))
			fail_msg("payload byte %u of the send at seq %u: %u, want %u", i, seq, r->data[hdr + i], pat(seq + i));
	assert_true(r->s.has_offload);
	assert_int_equal(r->s.off.l2_len, ETH);
	assert_int_equal(r->s.off.l3_len, l3);
	assert_int_equal(r->s.off.l4_len, TCP_TS_HDR);
	assert_int_equal(r->s.off.l4, PARSE_L4_TCP);
	assert_int_equal(r->s.off.is_ipv6, is_v6);
	assert_false(r->s.off.do_tso || r->s.off.do_l4_csum || r->s.off.do_ip_csum);
}

/* ---- tests ---- */

static void test_txstack_ten_in_order_segments_with_psh_last_are_one_send(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* 10 segments 1 us apart; CWR on the first, PSH on the last */
	for (uint32_t i = 0; i < 10; i++) {
		uint8_t fl = TCP_FLAG_ACK | (i == 0 ? 0x80 : 0) | (i == 9 ? TCP_FLAG_PSH : 0);
		struct seg s = data(SEQ0 + i * MSS, fl);
		tc_at(c, i * US, &s);
	}
	sim_run_until(c->k, 100 * US);
	/* one send, handed on at the PSH segment (9 us): 10 x 1448 = 14480
	 * bytes; headers 14 + 20 + 32 = 66, so 14546 bytes and IPv4 total
	 * length 20 + 32 + 14480 = 14532; flags ACK|CWR|PSH = 0x98 */
	assert_int_equal(c->n_sent, 1);
	const struct sent *r = &c->sent[0];
	assert_int_equal(r->t_ps, 9 * US);
	assert_int_equal(r->s.segments, 10);
	assert_int_equal(r->s.t_first_ps, 0);
	assert_int_equal(r->s.off.mss, 1448);
	assert_false(r->s.is_pure_ack);
	assert_false(r->s.is_l4_partial);
	check_tcp_send(r, false, SEQ0, 0x98, 14480);
	assert_int_equal(r->len, 14546);
	const struct txstack_stats *st = txstack_stats(c->tx);
	assert_int_equal(st->frames, 10);
	assert_int_equal(st->sends, 1);
	assert_int_equal(st->coalesced_segments, 9);
	assert_int_equal(st->end_psh, 1);
	assert_int_equal(st->end_gap + st->end_break + st->end_max + st->end_flush + st->end_fin + st->end_table, 0);
	tc_finish(c, 100 * US);
}

static void test_txstack_gap_longer_than_threshold_splits_at_last_plus_gap(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* 3 segments at 0, 1, 2 us; 2 more at 27 and 28 us (25 us > 20 us after 2) */
	uint64_t t[] = { 0, 1 * US, 2 * US, 27 * US, 28 * US };
	for (uint32_t i = 0; i < 5; i++) {
		struct seg s = data(SEQ0 + i * MSS, TCP_FLAG_ACK);
		tc_at(c, t[i], &s);
	}
	sim_run_until(c->k, 1000 * US);
	/* timers: 2 + 20 = 22 us and 28 + 20 = 48 us */
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 22 * US);
	assert_int_equal(c->sent[0].s.segments, 3);
	check_tcp_send(&c->sent[0], false, SEQ0, TCP_FLAG_ACK, 3 * MSS);
	assert_int_equal(c->sent[1].t_ps, 48 * US);
	assert_int_equal(c->sent[1].s.segments, 2);
	assert_int_equal(c->sent[1].s.t_first_ps, 27 * US);
	check_tcp_send(&c->sent[1], false, SEQ0 + 3 * MSS, TCP_FLAG_ACK, 2 * MSS);
	assert_int_equal(txstack_stats(c->tx)->end_gap, 2);
	tc_finish(c, 1000 * US);
}

static void test_txstack_segment_exactly_one_gap_later_still_joins(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK), b = data(SEQ0 + MSS, TCP_FLAG_ACK);
	tc_at(c, 0, &a);
	tc_at(c, 20 * US, &b);   /* "no more than tx.coalesce_gap_us after" */
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 1);
	assert_int_equal(c->sent[0].t_ps, 40 * US);
	assert_int_equal(c->sent[0].s.segments, 2);
	tc_finish(c, 1000 * US);
}

static void test_txstack_64k_limit_splits_50_segments_45_and_5(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	for (uint32_t i = 0; i < 50; i++) {
		struct seg s = data(SEQ0 + i * MSS, TCP_FLAG_ACK | (i == 49 ? TCP_FLAG_PSH : 0));
		tc_at(c, i * US, &s);
	}
	sim_run_until(c->k, 1000 * US);
	/* 45 x 1448 = 65160 <= 65536, 46 x 1448 = 66608 > 65536: the first send
	 * ends when segment 45 (0-based, at 45 us) comes; the rest, 5 x 1448 =
	 * 7240 bytes from seq SEQ0 + 65160, ends at the PSH at 49 us. IPv4
	 * total length 20 + 32 + 65160 = 65212 fits 16 bits. */
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 45 * US);
	assert_int_equal(c->sent[0].s.segments, 45);
	check_tcp_send(&c->sent[0], false, SEQ0, TCP_FLAG_ACK, 65160);
	assert_int_equal(c->sent[1].t_ps, 49 * US);
	assert_int_equal(c->sent[1].s.segments, 5);
	check_tcp_send(&c->sent[1], false, SEQ0 + 65160, TCP_FLAG_ACK | TCP_FLAG_PSH, 7240);
	assert_int_equal(txstack_stats(c->tx)->end_max, 1);
	assert_int_equal(txstack_stats(c->tx)->end_psh, 1);
	tc_finish(c, 1000 * US);
}

static void test_txstack_ipv4_send_stops_where_total_length_would_overflow(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* 1448 x 45 = 65160, then one more 400-byte segment: 65560 > 65536
	 * anyway; with 300: 65460 <= 65536, but 20 + 32 + 65460 = 65512 fits
	 * too. Take 360: 65520 <= 65536 while 20 + 32 + 65520 = 65572 > 65535:
	 * only the IP length field stops it. */
	for (uint32_t i = 0; i < 46; i++) {
		struct seg s = data(SEQ0 + i * MSS, TCP_FLAG_ACK);
		if (i == 45)
			s.payload = 360;
		tc_at(c, i * US, &s);
	}
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].s.segments, 45);
	assert_int_equal(c->sent[0].s.payload_bytes, 65160);
	assert_int_equal(c->sent[1].s.payload_bytes, 360);
	assert_int_equal(c->sent[1].t_ps, 45 * US + 20 * US);
	assert_int_equal(txstack_stats(c->tx)->end_max, 1);
	tc_finish(c, 1000 * US);
}

static void test_txstack_retransmission_breaks_the_send(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* A B C, then B again (seq goes back) and C with PSH */
	uint32_t seqs[] = { SEQ0, SEQ0 + MSS, SEQ0 + 2 * MSS, SEQ0 + MSS, SEQ0 + 2 * MSS };
	for (uint32_t i = 0; i < 5; i++) {
		struct seg s = data(seqs[i], TCP_FLAG_ACK | (i == 4 ? TCP_FLAG_PSH : 0));
		tc_at(c, i * US, &s);
	}
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 3 * US);
	assert_int_equal(c->sent[0].s.segments, 3);
	check_tcp_send(&c->sent[0], false, SEQ0, TCP_FLAG_ACK, 3 * MSS);
	assert_int_equal(c->sent[1].t_ps, 4 * US);
	assert_int_equal(c->sent[1].s.segments, 2);
	check_tcp_send(&c->sent[1], false, SEQ0 + MSS, TCP_FLAG_ACK | TCP_FLAG_PSH, 2 * MSS);
	assert_int_equal(txstack_stats(c->tx)->end_break, 1);
	tc_finish(c, 1000 * US);
}

static void test_txstack_changed_timestamp_option_breaks_the_send(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK), b = data(SEQ0 + MSS, TCP_FLAG_ACK | TCP_FLAG_PSH);
	b.ts_val = 556;   /* the next write, a tick later */
	tc_at(c, 0, &a);
	tc_at(c, 1 * US, &b);
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].s.segments, 1);
	assert_int_equal(c->sent[0].t_ps, 1 * US);
	assert_int_equal(c->sent[1].s.segments, 1);
	assert_int_equal(txstack_stats(c->tx)->end_break, 1);
	tc_finish(c, 1000 * US);
}

static void test_txstack_interleaved_ipv4_and_ipv6_connections_coalesce_separately(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* same ports and last address byte, IPv4 and IPv6: two connections */
	for (uint32_t i = 0; i < 4; i++) {
		struct seg a = data(SEQ0 + i * MSS, TCP_FLAG_ACK | (i == 3 ? TCP_FLAG_PSH : 0));
		struct seg b = data(7000 + i * 1428, TCP_FLAG_ACK | (i == 3 ? TCP_FLAG_PSH : 0));
		b.is_v6 = true;
		b.payload = 1428;   /* 1500 - 40 - 32 */
		tc_at(c, (2 * i) * US, &a);
		tc_at(c, (2 * i + 1) * US, &b);
	}
	sim_run_until(c->k, 1000 * US);
	/* the IPv4 send at its PSH at 6 us, the IPv6 one at 7 us: payload
	 * length 32 + 4 x 1428 = 5744 */
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 6 * US);
	assert_int_equal(c->sent[0].s.segments, 4);
	check_tcp_send(&c->sent[0], false, SEQ0, TCP_FLAG_ACK | TCP_FLAG_PSH, 4 * MSS);
	assert_int_equal(c->sent[1].t_ps, 7 * US);
	assert_int_equal(c->sent[1].s.segments, 4);
	assert_int_equal(c->sent[1].s.off.mss, 1428);
	check_tcp_send(&c->sent[1], true, 7000, TCP_FLAG_ACK | TCP_FLAG_PSH, 4 * 1428);
	assert_int_equal(get16(c->sent[1].data + ETH + 4), 5744);
	tc_finish(c, 1000 * US);
}

static void test_txstack_pure_ack_goes_alone_at_once_after_its_connections_open_send(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg d = data(SEQ0, TCP_FLAG_ACK);
	struct seg ack = data(SEQ0 + MSS, TCP_FLAG_ACK);
	ack.payload = 0;
	struct seg other = ack;   /* another connection's pure ACK */
	other.sport = 6000;
	tc_at(c, 0, &d);
	tc_at(c, 5 * US, &other);
	tc_at(c, 8 * US, &ack);
	sim_run_until(c->k, 1000 * US);
	/* 5 us: the other connection's ACK at once, the open send untouched;
	 * 8 us: this connection's ACK ends its open send (first), then goes */
	assert_int_equal(c->n_sent, 3);
	assert_int_equal(c->sent[0].t_ps, 5 * US);
	assert_true(c->sent[0].s.is_pure_ack);
	assert_int_equal(c->sent[0].s.payload_bytes, 0);
	assert_int_equal(c->sent[0].len, ETH + 20 + TCP_TS_HDR);
	assert_int_equal(c->sent[1].t_ps, 8 * US);
	assert_int_equal(c->sent[1].s.segments, 1);
	check_tcp_send(&c->sent[1], false, SEQ0, TCP_FLAG_ACK, MSS);
	assert_int_equal(c->sent[2].t_ps, 8 * US);
	assert_true(c->sent[2].s.is_pure_ack);
	assert_true(c->sent[2].s.has_offload);
	assert_int_equal(c->sent[2].s.off.mss, 0);
	const struct txstack_stats *st = txstack_stats(c->tx);
	assert_int_equal(st->end_break, 1);
	assert_int_equal(st->sends, 3);
	tc_finish(c, 1000 * US);
}

static void test_txstack_syn_fin_rst_and_urg_go_alone(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg syn = data(SEQ0 - 1, TCP_FLAG_SYN);
	syn.payload = 0;
	struct seg urg = data(SEQ0, TCP_FLAG_ACK | TCP_FLAG_URG);
	struct seg fin = data(SEQ0 + MSS, TCP_FLAG_ACK | TCP_FLAG_FIN);
	fin.payload = 0;
	tc_at(c, 0, &syn);
	tc_at(c, 1 * US, &urg);
	tc_at(c, 2 * US, &fin);
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(c->sent[i].t_ps, i * US);
		assert_int_equal(c->sent[i].s.segments, 1);
		assert_false(c->sent[i].s.is_pure_ack);
	}
	assert_int_equal(c->sent[1].s.payload_bytes, MSS);
	assert_int_equal(c->sent[1].s.off.mss, MSS);
	assert_int_equal(txstack_stats(c->tx)->coalesced_segments, 0);
	tc_finish(c, 1000 * US);
}

static void test_txstack_udp_goes_alone_at_once(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg u = { .is_udp = true, .host = 1, .sport = 53, .dport = 4000, .payload = 100 };
	tc_at(c, 3 * US, &u);
	tc_at(c, 4 * US, &u);
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 3 * US);
	assert_int_equal(c->sent[1].t_ps, 4 * US);
	assert_true(c->sent[0].s.has_offload);
	assert_int_equal(c->sent[0].s.off.l4, PARSE_L4_UDP);
	assert_int_equal(c->sent[0].s.off.l4_len, 8);
	assert_int_equal(c->sent[0].s.payload_bytes, 100);
	assert_int_equal(c->sent[0].len, ETH + 20 + 8 + 100);
	tc_finish(c, 1000 * US);
}

static void test_txstack_lso_off_makes_every_frame_a_send(void **state)
{
	(void)state;
	struct tcase *c = tc_new(false, 20);
	for (uint32_t i = 0; i < 10; i++) {
		struct seg s = data(SEQ0 + i * MSS, TCP_FLAG_ACK | (i == 9 ? TCP_FLAG_PSH : 0));
		tc_at(c, i * US, &s);
	}
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 10);
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(c->sent[i].t_ps, i * US);
		assert_int_equal(c->sent[i].s.segments, 1);
		assert_int_equal(c->sent[i].s.off.mss, MSS);
		check_tcp_send(&c->sent[i], false, SEQ0 + i * MSS, TCP_FLAG_ACK | (i == 9 ? TCP_FLAG_PSH : 0), MSS);
	}
	const struct txstack_stats *st = txstack_stats(c->tx);
	assert_int_equal(st->frames, 10);
	assert_int_equal(st->sends, 10);
	assert_int_equal(st->coalesced_segments, 0);
	tc_finish(c, 1000 * US);
}

static void test_txstack_superframe_is_a_send_with_mss_from_the_mtu(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK);
	struct seg big = data(SEQ0 + MSS, TCP_FLAG_ACK);
	big.payload = 6 * MSS;   /* IP datagram 20 + 32 + 8688 = 8740 > 1500 */
	struct seg v6 = big;
	v6.is_v6 = true;
	v6.sport = 7000;
	tc_at(c, 0, &a);
	tc_at(c, 1 * US, &big);
	tc_at(c, 2 * US, &v6);
	sim_run_until(c->k, 1000 * US);
	/* 1 us: the open send (a) ends, then the super-frame goes as it is,
	 * mss 1500 - 20 - 32 = 1448; 2 us: the IPv6 one, 1500 - 40 - 32 = 1428 */
	assert_int_equal(c->n_sent, 3);
	assert_int_equal(c->sent[0].s.segments, 1);
	assert_int_equal(c->sent[0].t_ps, 1 * US);
	assert_int_equal(c->sent[1].t_ps, 1 * US);
	assert_int_equal(c->sent[1].s.segments, 1);
	assert_int_equal(c->sent[1].s.off.mss, 1448);
	check_tcp_send(&c->sent[1], false, SEQ0 + MSS, TCP_FLAG_ACK, 8688);
	assert_int_equal(c->sent[2].s.off.mss, 1428);
	check_tcp_send(&c->sent[2], true, SEQ0 + MSS, TCP_FLAG_ACK, 8688);
	assert_int_equal(txstack_stats(c->tx)->superframes, 2);
	assert_int_equal(txstack_stats(c->tx)->end_break, 1);
	tc_finish(c, 1000 * US);
}

static void test_txstack_full_table_hands_on_the_oldest(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	/* TXSTACK_OPEN_MAX + 1 connections, one segment each, 10 ns apart */
	for (uint32_t i = 0; i <= TXSTACK_OPEN_MAX; i++) {
		struct seg s = data(SEQ0, TCP_FLAG_ACK);
		s.sport = (uint16_t)(10000 + i);
		tc_at(c, i * 10000ull, &s);
	}
	sim_run_until(c->k, 5 * US);   /* the last came at 2.56 us; no timer yet (20 us) */
	assert_int_equal(c->n_sent, 1);
	assert_int_equal(get16(c->sent[0].data + ETH + 20), 10000);   /* connection 0's */
	assert_int_equal(c->sent[0].t_ps, TXSTACK_OPEN_MAX * 10000ull);
	assert_int_equal(txstack_stats(c->tx)->end_table, 1);
	txstack_flush(c->tx);
	/* the rest at 5 us, oldest first: connections 1 .. 256 */
	assert_int_equal(c->n_sent, TXSTACK_OPEN_MAX + 1);
	for (uint32_t i = 1; i <= TXSTACK_OPEN_MAX; i++) {
		assert_int_equal(c->sent[i].t_ps, 5 * US);
		assert_int_equal(get16(c->sent[i].data + ETH + 20), 10000 + i);
	}
	assert_int_equal(txstack_stats(c->tx)->end_flush, TXSTACK_OPEN_MAX);
	tc_finish(c, 5 * US);
}

static void test_txstack_flush_hands_every_open_send_on(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK), b = data(SEQ0 + MSS, TCP_FLAG_ACK);
	struct seg x = data(50, TCP_FLAG_ACK);
	x.sport = 6001;
	tc_at(c, 0, &a);
	tc_at(c, 1 * US, &x);
	tc_at(c, 2 * US, &b);
	sim_run_until(c->k, 5 * US);
	assert_int_equal(c->n_sent, 0);
	txstack_flush(c->tx);
	assert_int_equal(c->n_sent, 2);
	assert_int_equal(c->sent[0].t_ps, 5 * US);
	assert_int_equal(c->sent[0].s.segments, 2);
	check_tcp_send(&c->sent[0], false, SEQ0, TCP_FLAG_ACK, 2 * MSS);
	assert_int_equal(c->sent[1].s.segments, 1);
	check_tcp_send(&c->sent[1], false, 50, TCP_FLAG_ACK, MSS);
	assert_int_equal(txstack_stats(c->tx)->end_flush, 2);
	assert_int_equal(sim_events_pending(c->k), 0);   /* the gap timers went with them */
	tc_finish(c, 5 * US);
}

static void test_txstack_partial_checksum_is_marked_and_counted(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK), b = data(SEQ0 + MSS, TCP_FLAG_ACK | TCP_FLAG_PSH);
	a.is_partial = b.is_partial = true;
	struct seg u = { .is_udp = true, .host = 1, .sport = 53, .dport = 4000, .payload = 100, .is_partial = true };
	struct seg whole = { .is_udp = true, .host = 1, .sport = 53, .dport = 4000, .payload = 100 };
	tc_at(c, 0, &a);
	tc_at(c, 1 * US, &b);
	tc_at(c, 2 * US, &u);
	tc_at(c, 3 * US, &whole);
	sim_run_until(c->k, 1000 * US);
	assert_int_equal(c->n_sent, 3);
	assert_true(c->sent[0].s.is_l4_partial);
	assert_int_equal(c->sent[0].s.segments, 2);
	assert_true(c->sent[1].s.is_l4_partial);
	assert_false(c->sent[2].s.is_l4_partial);
	assert_int_equal(txstack_stats(c->tx)->partial_csum, 3);
	tc_finish(c, 1000 * US);
}

static void test_txstack_truncated_and_fragmented_frames_go_alone_without_offload(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK), b = data(SEQ0 + MSS, TCP_FLAG_ACK);
	struct seg frag = data(SEQ0 + 2 * MSS, TCP_FLAG_ACK);
	frag.is_fragment = true;
	tc_at(c, 0, &a);
	tc_at_cut(c, 1 * US, &b, 96);   /* snaplen 96: headers whole, payload cut */
	tc_at(c, 2 * US, &frag);
	sim_run_until(c->k, 1000 * US);
	/* 1 us: a's send ends (the cut segment does not continue it), then the
	 * cut one goes as captured; 2 us: the fragment */
	assert_int_equal(c->n_sent, 3);
	assert_int_equal(c->sent[0].s.segments, 1);
	assert_true(c->sent[0].s.has_offload);
	assert_int_equal(c->sent[1].t_ps, 1 * US);
	assert_false(c->sent[1].s.has_offload);
	assert_int_equal(c->sent[1].len, 96);
	assert_int_equal(c->sent[2].t_ps, 2 * US);
	assert_false(c->sent[2].s.has_offload);
	tc_finish(c, 1000 * US);
}

static void test_txstack_free_with_open_sends_releases_them(void **state)
{
	(void)state;
	struct tcase *c = tc_new(true, 20);
	struct seg a = data(SEQ0, TCP_FLAG_ACK);
	tc_at(c, 0, &a);
	sim_run_until(c->k, 1 * US);
	assert_int_equal(txstack_records_in_use(c->tx), 1);   /* the open send's record */
	txstack_free(c->tx);
	assert_int_equal(sim_events_pending(c->k), 0);
	assert_int_equal(pkt_pool_in_use(c->pool), 0);
	pkt_pool_free(c->pool);
	sim_kernel_free(c->k);
	free(c);
}

static void test_txstack_new_refuses_an_impossible_mtu(void **state)
{
	(void)state;
	struct sim_kernel *k = sim_kernel_new();
	struct pkt_pool *pool = pkt_pool_new();
	struct tx_cfg cfg = { .is_lso = true, .coalesce_gap_us = 20 };
	struct txstack *tx = (struct txstack *)1;
	char err[256] = "";
	assert_int_equal(txstack_new(&tx, k, &cfg, 20, err, sizeof err), -1);
	assert_null(tx);
	assert_non_null(strstr(err, "mac.mtu"));
	pkt_pool_free(pool);
	sim_kernel_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txstack_ten_in_order_segments_with_psh_last_are_one_send),
		cmocka_unit_test(test_txstack_gap_longer_than_threshold_splits_at_last_plus_gap),
		cmocka_unit_test(test_txstack_segment_exactly_one_gap_later_still_joins),
		cmocka_unit_test(test_txstack_64k_limit_splits_50_segments_45_and_5),
		cmocka_unit_test(test_txstack_ipv4_send_stops_where_total_length_would_overflow),
		cmocka_unit_test(test_txstack_retransmission_breaks_the_send),
		cmocka_unit_test(test_txstack_changed_timestamp_option_breaks_the_send),
		cmocka_unit_test(test_txstack_interleaved_ipv4_and_ipv6_connections_coalesce_separately),
		cmocka_unit_test(test_txstack_pure_ack_goes_alone_at_once_after_its_connections_open_send),
		cmocka_unit_test(test_txstack_syn_fin_rst_and_urg_go_alone),
		cmocka_unit_test(test_txstack_udp_goes_alone_at_once),
		cmocka_unit_test(test_txstack_lso_off_makes_every_frame_a_send),
		cmocka_unit_test(test_txstack_superframe_is_a_send_with_mss_from_the_mtu),
		cmocka_unit_test(test_txstack_full_table_hands_on_the_oldest),
		cmocka_unit_test(test_txstack_flush_hands_every_open_send_on),
		cmocka_unit_test(test_txstack_partial_checksum_is_marked_and_counted),
		cmocka_unit_test(test_txstack_truncated_and_fragmented_frames_go_alone_without_offload),
		cmocka_unit_test(test_txstack_free_with_open_sends_releases_them),
		cmocka_unit_test(test_txstack_new_refuses_an_impossible_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
