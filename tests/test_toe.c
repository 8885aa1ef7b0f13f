/*
 * tests/test_toe.c — the offload engine's TCP state machine (models/toe.h)
 * on crafted segment sequences.
 *
 * The connection: the host 10.0.0.1:80 (the engine's side), the peer
 * 10.0.0.2:40000; the peer's next byte is 1000 (rcv_nxt), ours 5000; MSS
 * 1460 (path MTU 1500, IPv4, no options); windows 65535 without scaling;
 * cwnd 10 segments (14600), ssthresh 65535; Nagle on. Each test feeds the
 * peer's segments at given times and holds the frames the engine sends to
 * an ACK stream worked out by hand from the RFCs, in the comments: its
 * time, sequence and acknowledgement numbers, window, length, flags and
 * kind. Every frame the engine sends is also parsed and its IPv4 and TCP
 * checksums verified (csum_rx_check, itself held to RFC 1071 vectors in
 * test_csum).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "models/pkt/csum.h"
#include "models/pkt/parse.h"
#include "models/toe.h"
#include "sim/kernel.h"

#define US SIM_PS_PER_US
#define MS SIM_PS_PER_MS
#define SEC SIM_PS_PER_S
#define F_FIN 0x01u
#define F_SYN 0x02u
#define F_RST 0x04u
#define F_PSH 0x08u
#define F_ACK 0x10u
#define F_URG 0x20u

#define PEER_ISS 1000u   /* the peer's next sequence number at offload */
#define OUR_ISS 5000u

struct tx {
	uint64_t t;
	uint32_t seq, ack, wnd, len;
	uint8_t flags;
	enum toe_seg_kind kind;
	bool has_ts;
	uint32_t tsval, tsecr;
	uint8_t first_byte;
};

struct h {
	struct sim_kernel *k;
	struct toe *toe;
	int conn;
	struct tx tx[64];
	int ntx;
	uint8_t dlv[1 << 16];
	uint32_t ndlv;
	int n_deliver, n_push;
	uint32_t ev_count[TOE_EV_COUNT];
	uint32_t last_ev_arg[TOE_EV_COUNT];
	uint32_t send_done_bytes;
	/* upload's held segments */
	uint32_t up_seq[8], up_len[8];
	int nup;
};

static void on_xmit(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *f, uint32_t len, enum toe_seg_kind kind)
{
	struct h *h = ctx;
	(void)conn;
	struct parse_result pr;
	assert_int_equal(parse_frame(f, len, len, PARSE_LINK_ETH, &pr), PARSE_OK);
	assert_int_equal(pr.l4, PARSE_L4_TCP);
	struct csum_rx_result cr = csum_rx_check(f, len, &pr);
	assert_int_equal(cr.ip, CSUM_GOOD);
	assert_int_equal(cr.l4, CSUM_GOOD);
	/* DF and an ID from the upper half (docs/toe.md [WDK-toe]). */
	assert_int_equal(f[14 + 6] & 0x40, 0x40);
	assert_true(f[14 + 4] & 0x80);
	assert_true(h->ntx < 64);
	struct tx *x = &h->tx[h->ntx++];
	const uint8_t *tcp = f + pr.l4_off;
	x->t = t_ps;
	x->seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	x->ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 | (uint32_t)tcp[10] << 8 | tcp[11];
	x->wnd = (uint32_t)tcp[14] << 8 | tcp[15];
	x->flags = tcp[13];
	x->len = pr.payload_len;
	x->kind = kind;
	x->first_byte = x->len ? f[pr.payload_off] : 0;
	x->has_ts = (tcp[12] >> 4) == 8 && tcp[22] == 8;
	if (x->has_ts) {
		x->tsval = (uint32_t)tcp[24] << 24 | (uint32_t)tcp[25] << 16 | (uint32_t)tcp[26] << 8 | tcp[27];
		x->tsecr = (uint32_t)tcp[28] << 24 | (uint32_t)tcp[29] << 16 | (uint32_t)tcp[30] << 8 | tcp[31];
	}
}

static uint32_t on_deliver(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *data, uint32_t len, bool is_push)
{
	struct h *h = ctx;
	(void)t_ps;
	(void)conn;
	assert_true(h->ndlv + len <= sizeof h->dlv);
	memcpy(h->dlv + h->ndlv, data, len);
	h->ndlv += len;
	h->n_deliver++;
	h->n_push += is_push;
	return 0;   /* no buffer posted: the bytes wait for toe_conn_rcv_credit, the window closes by them */
}

static void on_event(void *ctx, uint64_t t_ps, uint32_t conn, enum toe_event ev, uint32_t arg)
{
	struct h *h = ctx;
	(void)t_ps;
	(void)conn;
	h->ev_count[ev]++;
	h->last_ev_arg[ev] = arg;
	if (ev == TOE_EV_SEND_DONE)
		h->send_done_bytes += arg;
}

static const uint8_t host_ip[4] = { 10, 0, 0, 1 }, peer_ip[4] = { 10, 0, 0, 2 };
static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0, 1 }, peer_mac[6] = { 2, 0, 0, 0, 0, 2 };

static struct toe_state base_state(void)
{
	struct toe_state s = { 0 };
	memcpy(s.local_ip, host_ip, 4);
	memcpy(s.remote_ip, peer_ip, 4);
	s.local_port = 80;
	s.remote_port = 40000;
	memcpy(s.local_mac, host_mac, 6);
	memcpy(s.remote_mac, peer_mac, 6);
	s.remote_mss = 1460;
	s.path_mtu = 1500;
	s.ttl = 64;
	s.rcv_wnd_max = 65535;
	s.is_nagle = true;
	s.tcp_state = TOE_TCP_ESTABLISHED;
	s.rcv_nxt = PEER_ISS;
	s.rcv_wnd = 65535;
	s.snd_una = s.snd_nxt = s.snd_max = OUR_ISS;
	s.snd_wnd = s.max_snd_wnd = 65535;
	s.snd_wl1 = PEER_ISS;
	s.snd_wl2 = OUR_ISS;
	s.cwnd = 14600;
	s.ssthresh = 65535;
	return s;
}

static void setup_with(struct h *h, const struct toe_state *st, uint32_t conns)
{
	memset(h, 0, sizeof *h);
	h->k = sim_kernel_new();
	struct toe_cfg cfg;
	param_defaults(toe_params, &cfg);
	cfg.conns = conns;
	struct toe_ops ops = { .ctx = h, .xmit = on_xmit, .deliver = on_deliver, .event = on_event };
	char err[200];
	assert_int_equal(toe_new(&h->toe, h->k, &cfg, &ops, err, sizeof err), 0);
	h->conn = toe_conn_install(h->toe, 0, st);
	assert_true(h->conn >= 0);
}

static void setup(struct h *h)
{
	struct toe_state st = base_state();
	setup_with(h, &st, 16);
}

static void teardown(struct h *h)
{
	toe_free(h->toe);
	sim_kernel_free(h->k);
}

/* The peer's segment at time t (the kernel run up to t first): payload
 * bytes are (seq + i) & 0xff, so delivery order is checkable. */
static enum toe_rx_verdict peer_ts(struct h *h, uint64_t t, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t wnd,
				   uint32_t len, bool ip_options, bool has_ts, uint32_t tsval, uint32_t tsecr)
{
	sim_run_until(h->k, t);
	static uint8_t f[2048];
	uint32_t ihl = ip_options ? 24 : 20, opt = has_ts ? 12 : 0, l4 = 14 + ihl, pay = l4 + 20 + opt;
	memset(f, 0, sizeof f);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	uint32_t tot = ihl + 20 + opt + len;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, peer_ip, 4);
	memcpy(ip + 16, host_ip, 4);
	if (ip_options)
		ip[20] = 1, ip[21] = 1, ip[22] = 1, ip[23] = 0;   /* NOP NOP NOP EOL */
	uint8_t *tcp = f + l4;
	tcp[0] = 40000 >> 8;
	tcp[1] = 40000 & 0xff;
	tcp[3] = 80;
	for (int i = 0; i < 4; i++) {
		tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	tcp[12] = (uint8_t)((20 + opt) / 4 << 4);
	tcp[13] = flags;
	tcp[14] = (uint8_t)(wnd >> 8);
	tcp[15] = (uint8_t)wnd;
	if (has_ts) {
		tcp[20] = 1, tcp[21] = 1, tcp[22] = 8, tcp[23] = 10;
		for (int i = 0; i < 4; i++) {
			tcp[24 + i] = (uint8_t)(tsval >> (24 - 8 * i));
			tcp[28 + i] = (uint8_t)(tsecr >> (24 - 8 * i));
		}
	}
	for (uint32_t i = 0; i < len; i++)
		f[pay + i] = (uint8_t)(seq + i);
	uint32_t n = pay + len < 60 ? 60 : pay + len;
	struct parse_result pr;
	assert_int_equal(parse_frame(f, n, n, PARSE_LINK_ETH, &pr), PARSE_OK);
	return toe_rx(h->toe, t, f, n, &pr, true);   /* checksums as the NIC found them: good */
}

static enum toe_rx_verdict peer(struct h *h, uint64_t t, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t wnd,
				uint32_t len)
{
	return peer_ts(h, t, seq, ack, flags, wnd, len, false, false, 0, 0);
}

/* One expected frame from the engine. */
static void expect_tx(const struct h *h, int i, uint64_t t, uint32_t seq, uint32_t ack, uint32_t wnd, uint32_t len,
		      uint8_t flags, enum toe_seg_kind kind)
{
	if (i >= h->ntx)
		fail_msg("frame %d expected at %llu ps, only %d sent", i, (unsigned long long)t, h->ntx);
	const struct tx *x = &h->tx[i];
	if (x->t != t || x->seq != seq || x->ack != ack || x->wnd != wnd || x->len != len || x->flags != flags ||
	    x->kind != kind)
		fail_msg("frame %d: got t=%llu seq=%u ack=%u wnd=%u len=%u flags=0x%02x kind=%d; expected t=%llu seq=%u "
			 "ack=%u wnd=%u len=%u flags=0x%02x kind=%d",
			 i, (unsigned long long)x->t, x->seq, x->ack, x->wnd, x->len, x->flags, x->kind,
			 (unsigned long long)t, seq, ack, wnd, len, flags, kind);
}

static void assert_delivered_in_order(const struct h *h, uint32_t n)
{
	assert_int_equal(h->ndlv, n);
	for (uint32_t i = 0; i < n; i++)
		if (h->dlv[i] != (uint8_t)(PEER_ISS + i))
			fail_msg("delivered byte %u is 0x%02x, expected 0x%02x", i, h->dlv[i], (uint8_t)(PEER_ISS + i));
}

/* In order: RFC 1122 §4.2.3.2 / RFC 5681 §4.2: an ACK at least for every
 * second full-sized segment, the rest within the delayed-ACK timer (200 ms,
 * toe.delack_us). Segments of 1460 at 1000, 2460, 3920 at 0, 10, 20 us:
 *   after the second (10 us): ACK 3920, window 65535 - 2920 = 62615;
 *   the third waits for the timer: 20 us + 200 ms, ACK 5380, window 65535 - 4380 = 61155. */
static void test_toe_in_order_acks_every_second_segment_and_delays_the_odd_one(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	assert_int_equal(peer(&h, 0, 1000, OUR_ISS, F_ACK, 65535, 1460), TOE_RX_CONSUMED);
	assert_int_equal(h.ntx, 0);
	peer(&h, 10 * US, 2460, OUR_ISS, F_ACK, 65535, 1460);
	peer(&h, 20 * US, 3920, OUR_ISS, F_ACK | F_PSH, 65535, 1460);
	sim_run_until(h.k, 1 * SEC);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 0, 10 * US, OUR_ISS, 3920, 62615, 0, F_ACK, TOE_SEG_ACK);
	expect_tx(&h, 1, 20 * US + 200 * MS, OUR_ISS, 5380, 61155, 0, F_ACK, TOE_SEG_ACK);
	assert_delivered_in_order(&h, 4380);
	assert_int_equal(h.n_push, 1);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->rcv_nxt, 5380);
	teardown(&h);
}

/* Timestamps (RFC 7323 §3.2, §4.3): every segment carries TSval (1 ms
 * ticks, toe_state.ts_offset added) and TSecr = TS.Recent, which §4.3 (2)
 * takes only from the segment holding Last.ACK.sent: of two segments
 * acknowledged together (TSval 42 at 1000, TSval 43 at 2448; nothing
 * acknowledged since 1000), the ACK echoes the earlier one, 42. */
static void test_toe_timestamps_are_echoed_and_ticked_in_ms(void **state)
{
	(void)state;
	struct toe_state st = base_state();
	st.has_timestamps = true;
	st.ts_offset = 7000;
	st.ts_recent = 41;
	struct h h;
	setup_with(&h, &st, 16);
	/* MSS 1460 - 12 option bytes = 1448 payload a full-sized segment. */
	peer_ts(&h, 3 * MS, 1000, OUR_ISS, F_ACK, 65535, 1448, false, true, 42, 7000);
	peer_ts(&h, 5 * MS, 2448, OUR_ISS, F_ACK, 65535, 1448, false, true, 43, 7001);
	assert_int_equal(h.ntx, 1);
	expect_tx(&h, 0, 5 * MS, OUR_ISS, 3896, 65535 - 2896, 0, F_ACK, TOE_SEG_ACK);
	assert_true(h.tx[0].has_ts);
	assert_int_equal(h.tx[0].tsval, 7000 + 5);
	assert_int_equal(h.tx[0].tsecr, 42);
	/* PAWS (RFC 7323 §5.3): a TSval older than TS.Recent (42) is an old
	 * duplicate, answered with an ACK. */
	peer_ts(&h, 6 * MS, 3896, OUR_ISS, F_ACK, 65535, 100, false, true, 40, 7001);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 1, 6 * MS, OUR_ISS, 3896, 65535 - 2896, 0, F_ACK, TOE_SEG_ACK);
	assert_int_equal(toe_conn_stats(h.toe, (uint32_t)h.conn)->dup_segs, 1);
	assert_int_equal(h.ndlv, 2896);
	teardown(&h);
}

/* Out of order, then the hole filled: 1000 (0 us), 3920 (10 us), 2460
 * (20 us), each 1460. RFC 5681 §4.2: an out-of-order segment is
 * acknowledged at once (a duplicate ACK: 2460, window 65535 - 1460), and so
 * is the one that fills the hole (ACK 5380, window 65535 - 4380). Nothing
 * after: the delayed ACK the first segment started was sent with the
 * duplicate. Delivery is in order, all 4380 bytes. */
static void test_toe_out_of_order_then_the_hole_filled_is_acknowledged_at_once(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1000, OUR_ISS, F_ACK, 65535, 1460);
	peer(&h, 10 * US, 3920, OUR_ISS, F_ACK, 65535, 1460);
	peer(&h, 20 * US, 2460, OUR_ISS, F_ACK, 65535, 1460);
	sim_run_until(h.k, 1 * SEC);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 0, 10 * US, OUR_ISS, 2460, 64075, 0, F_ACK, TOE_SEG_ACK);
	expect_tx(&h, 1, 20 * US, OUR_ISS, 5380, 61155, 0, F_ACK, TOE_SEG_ACK);
	assert_delivered_in_order(&h, 4380);
	assert_int_equal(toe_conn_stats(h.toe, (uint32_t)h.conn)->ooo_segs, 1);
	assert_int_equal(toe_stats(h.toe)->reasm_peak_bytes, 1460);
	teardown(&h);
}

/* A duplicate: 1000+1460 at 0 (its ACK 2460 at 200 ms, the delayed-ACK
 * timer), the same again at 300 ms: not acceptable (RFC 9293 §3.10.7.4: all
 * of it before rcv_nxt), so an ACK at once (2460 again) and nothing
 * delivered twice. */
static void test_toe_a_duplicate_is_dropped_and_answered_with_an_ack(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1000, OUR_ISS, F_ACK, 65535, 1460);
	peer(&h, 300 * MS, 1000, OUR_ISS, F_ACK, 65535, 1460);
	sim_run_until(h.k, 1 * SEC);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 0, 200 * MS, OUR_ISS, 2460, 64075, 0, F_ACK, TOE_SEG_ACK);
	expect_tx(&h, 1, 300 * MS, OUR_ISS, 2460, 64075, 0, F_ACK, TOE_SEG_ACK);
	assert_delivered_in_order(&h, 1460);
	assert_int_equal(toe_conn_stats(h.toe, (uint32_t)h.conn)->dup_segs, 1);
	teardown(&h);
}

/* Retransmission after a lost ACK: the application sends 1000 bytes at 0
 * (one segment, PSH: the last of what is queued). The peer's ACK is lost:
 * the retransmission timer (RFC 6298 §2.1: 1 s before any RTT sample)
 * resends it at 1 s. The peer's ACK 6000 at 1.001 s completes the send; no
 * sample is taken from the retransmitted segment (Karn, RFC 6298 §3) and
 * nothing more is sent. */
static void test_toe_a_lost_ack_brings_one_retransmission_at_the_rto(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	uint8_t data[1000];
	for (int i = 0; i < 1000; i++)
		data[i] = (uint8_t)(OUR_ISS + i);
	assert_int_equal(toe_conn_send(h.toe, 0, (uint32_t)h.conn, data, 1000), 1000);
	sim_run_until(h.k, 1 * SEC + 1 * MS);
	peer(&h, 1 * SEC + 1 * MS, 1000, OUR_ISS + 1000, F_ACK, 65535, 0);
	sim_run_until(h.k, 10 * SEC);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 0, 0, OUR_ISS, 1000, 65535, 1000, F_ACK | F_PSH, TOE_SEG_DATA);
	expect_tx(&h, 1, 1 * SEC, OUR_ISS, 1000, 65535, 1000, F_ACK | F_PSH, TOE_SEG_RETRANS);
	assert_int_equal(h.tx[1].first_byte, (uint8_t)OUR_ISS);
	assert_int_equal(h.send_done_bytes, 1000);
	const struct toe_conn_stats *cs = toe_conn_stats(h.toe, (uint32_t)h.conn);
	assert_int_equal(cs->rto_fired, 1);
	assert_int_equal(cs->retrans_bytes, 1000);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->srtt_us, 0);
	teardown(&h);
}

/* Zero window and persist (RFC 1122 §4.2.2.17; docs/toe.md [WDK-toe]: probes back off
 * as RTO << count): the peer's window is 0 at offload. 100 bytes queued at
 * 0 wait; a 1-byte probe at 1 s (the RTO), answered with window 0 at
 * 1.01 s; the next probe 2 s later, at 3 s; the window opens at 3.5 s and
 * the 100 bytes go at once. */
static void test_toe_zero_window_is_probed_with_backoff_until_it_opens(void **state)
{
	(void)state;
	struct toe_state st = base_state();
	st.snd_wnd = 0;
	struct h h;
	setup_with(&h, &st, 16);
	uint8_t data[100];
	for (int i = 0; i < 100; i++)
		data[i] = (uint8_t)(0xa0 + i);
	toe_conn_send(h.toe, 0, (uint32_t)h.conn, data, 100);
	assert_int_equal(h.ntx, 0);
	peer(&h, 1 * SEC + 10 * MS, 1000, OUR_ISS, F_ACK, 0, 0);
	peer(&h, 3 * SEC + 500 * MS, 1000, OUR_ISS, F_ACK, 65535, 0);
	sim_run_until(h.k, 4 * SEC);
	assert_int_equal(h.ntx, 3);
	expect_tx(&h, 0, 1 * SEC, OUR_ISS, 1000, 65535, 1, F_ACK, TOE_SEG_PROBE);
	assert_int_equal(h.tx[0].first_byte, 0xa0);
	expect_tx(&h, 1, 3 * SEC, OUR_ISS, 1000, 65535, 1, F_ACK, TOE_SEG_PROBE);
	expect_tx(&h, 2, 3 * SEC + 500 * MS, OUR_ISS, 1000, 65535, 100, F_ACK | F_PSH, TOE_SEG_DATA);
	assert_int_equal(toe_conn_stats(h.toe, (uint32_t)h.conn)->probes, 2);
	teardown(&h);
}

/* Three duplicate ACKs and fast retransmit (RFC 5681 §3.2): 5 x 1460 sent
 * at 0 (cwnd 14600 allows them all: 5000, 6460, 7920, 9380, 10840, the last
 * with PSH). The peer ACKs the first (6460 at 10 us), loses the second, and
 * answers the other three with duplicates of 6460 (20, 30, 40 us): at the
 * third, 6460 is resent at once. ssthresh = max(flight / 2, 2 SMSS) with
 * flight 12300 - 6460 = 5840: 2920. The ACK of everything (12300 at 50 us)
 * ends recovery with cwnd = ssthresh = 2920; no timer fires afterwards. */
static void test_toe_three_duplicate_acks_bring_a_fast_retransmit(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	static uint8_t data[7300];
	for (int i = 0; i < 7300; i++)
		data[i] = (uint8_t)(OUR_ISS + i);
	assert_int_equal(toe_conn_send(h.toe, 0, (uint32_t)h.conn, data, 7300), 7300);
	assert_int_equal(h.ntx, 5);
	for (int i = 0; i < 5; i++)
		expect_tx(&h, i, 0, OUR_ISS + 1460u * (uint32_t)i, 1000, 65535, 1460, F_ACK | (i == 4 ? F_PSH : 0),
			  TOE_SEG_DATA);
	peer(&h, 10 * US, 1000, 6460, F_ACK, 65535, 0);
	peer(&h, 20 * US, 1000, 6460, F_ACK, 65535, 0);
	peer(&h, 30 * US, 1000, 6460, F_ACK, 65535, 0);
	assert_int_equal(h.ntx, 5);
	peer(&h, 40 * US, 1000, 6460, F_ACK, 65535, 0);
	assert_int_equal(h.ntx, 6);
	expect_tx(&h, 5, 40 * US, 6460, 1000, 65535, 1460, F_ACK, TOE_SEG_RETRANS);
	assert_int_equal(h.tx[5].first_byte, (uint8_t)6460);
	peer(&h, 50 * US, 1000, 12300, F_ACK, 65535, 0);
	sim_run_until(h.k, 10 * SEC);
	assert_int_equal(h.ntx, 6);
	const struct toe_state *s = toe_conn_state(h.toe, (uint32_t)h.conn);
	assert_int_equal(s->ssthresh, 2920);
	assert_int_equal(s->cwnd, 2920);
	assert_int_equal(s->snd_una, 12300);
	assert_int_equal(h.send_done_bytes, 7300);
	const struct toe_conn_stats *cs = toe_conn_stats(h.toe, (uint32_t)h.conn);
	assert_int_equal(cs->fast_retrans, 1);
	assert_int_equal(cs->rto_fired, 0);
	teardown(&h);
}

/* Urgent data (docs/toe.md [WDK-upload]): the segment is validated, upload is asked for
 * (ReceivedUrgentData, 5), the engine stops ACKing and holds this and every
 * later byte; at upload they go to the host with their sequence numbers, and
 * rcv_nxt is where the host's stack takes over. */
static void up_seg(void *ctx, uint32_t seq, const uint8_t *data, uint32_t len)
{
	struct h *h = ctx;
	assert_true(h->nup < 8);
	assert_int_equal(data[0], (uint8_t)seq);
	h->up_seq[h->nup] = seq;
	h->up_len[h->nup++] = len;
}

static void test_toe_urgent_data_asks_for_upload_and_stops_the_acks(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1000, OUR_ISS, F_ACK | F_URG | F_PSH, 65535, 100);
	assert_int_equal(h.ev_count[TOE_EV_UPLOAD_REQ], 1);
	assert_int_equal(h.last_ev_arg[TOE_EV_UPLOAD_REQ], TOE_UP_URGENT);
	peer(&h, 10 * US, 1100, OUR_ISS, F_ACK, 65535, 100);
	sim_run_until(h.k, 1 * SEC);
	assert_int_equal(h.ntx, 0);
	assert_int_equal(h.ndlv, 0);
	struct toe_state out;
	toe_conn_upload(h.toe, 1 * SEC, (uint32_t)h.conn, &out, up_seg, &h);
	assert_int_equal(out.rcv_nxt, 1000);
	assert_int_equal(h.nup, 2);
	assert_int_equal(h.up_seq[0], 1000);
	assert_int_equal(h.up_len[0], 100);
	assert_int_equal(h.up_seq[1], 1100);
	assert_int_equal(h.up_len[1], 100);
	assert_int_equal(toe_conns_live(h.toe), 0);
	assert_int_equal(toe_stats(h.toe)->upload_reqs_by_reason[TOE_UP_URGENT], 1);
	teardown(&h);
}

/* FIN both ways (RFC 9293 §3.6, §3.10.7.4): the peer's 100 bytes with FIN
 * at 0: delivered (PSH), the FIN indicated, ACK 1101 at once; CLOSE_WAIT.
 * The application closes at 1 ms: FIN at 5000 (ACK 1101), LAST_ACK. The
 * peer's ACK 5001 at 2 ms: CLOSED, and nothing more is sent. */
static void test_toe_fin_both_ways_ends_in_closed(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1000, OUR_ISS, F_ACK | F_PSH | F_FIN, 65535, 100);
	assert_int_equal(h.ev_count[TOE_EV_FIN], 1);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->tcp_state, TOE_TCP_CLOSE_WAIT);
	sim_run_until(h.k, 1 * MS);
	toe_conn_close(h.toe, 1 * MS, (uint32_t)h.conn);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->tcp_state, TOE_TCP_LAST_ACK);
	peer(&h, 2 * MS, 1101, OUR_ISS + 1, F_ACK, 65535, 0);
	sim_run_until(h.k, 10 * SEC);
	assert_int_equal(h.ntx, 2);
	expect_tx(&h, 0, 0, OUR_ISS, 1101, 65435, 0, F_ACK, TOE_SEG_ACK);
	expect_tx(&h, 1, 1 * MS, OUR_ISS, 1101, 65435, 0, F_ACK | F_FIN, TOE_SEG_FIN);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->tcp_state, TOE_TCP_CLOSED);
	assert_delivered_in_order(&h, 100);
	assert_int_equal(h.n_push, 1);
	teardown(&h);
}

/* RST (RFC 5961 §3.2): in the window but not at rcv_nxt, a challenge ACK
 * (ACK 1000) and nothing else; outside the window, nothing; at rcv_nxt,
 * the connection is gone: TOE_EV_RST, CLOSED, and later segments get no
 * answer. */
static void test_toe_rst_at_rcv_nxt_closes_elsewhere_is_challenged_or_ignored(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1010, OUR_ISS, F_RST | F_ACK, 0, 0);
	assert_int_equal(h.ntx, 1);
	expect_tx(&h, 0, 0, OUR_ISS, 1000, 65535, 0, F_ACK, TOE_SEG_ACK);
	peer(&h, 1 * US, 1000 + 100000, OUR_ISS, F_RST, 0, 0);
	assert_int_equal(h.ntx, 1);
	assert_int_equal(h.ev_count[TOE_EV_RST], 0);
	peer(&h, 2 * US, 1000, OUR_ISS, F_RST, 0, 0);
	assert_int_equal(h.ev_count[TOE_EV_RST], 1);
	assert_int_equal(toe_conn_state(h.toe, (uint32_t)h.conn)->tcp_state, TOE_TCP_CLOSED);
	peer(&h, 3 * US, 1000, OUR_ISS, F_ACK, 65535, 100);
	sim_run_until(h.k, 1 * SEC);
	assert_int_equal(h.ntx, 1);
	assert_int_equal(h.ndlv, 0);
	teardown(&h);
}

/* RFC 9293 §3.10.7.4: an ACK of data never sent is answered with an ACK
 * and the segment dropped (its data too). */
static void test_toe_an_ack_of_unsent_data_is_answered_and_dropped(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	peer(&h, 0, 1000, OUR_ISS + 500, F_ACK, 65535, 100);
	assert_int_equal(h.ntx, 1);
	expect_tx(&h, 0, 0, OUR_ISS, 1000, 65535, 0, F_ACK, TOE_SEG_ACK);
	assert_int_equal(h.ndlv, 0);
	assert_int_equal(toe_conn_stats(h.toe, (uint32_t)h.conn)->bad_segs, 1);
	teardown(&h);
}

/* The engine does not process IP fragments or IPv4 options (docs/toe.md [WDK-toe]):
 * such a frame of an offloaded connection goes to the host's path
 * (TOE_RX_TO_HOST) and the engine asks for upload once (HighFragmentation);
 * frames of no offloaded connection are not its own. Here a frame with
 * IPv4 options; a fragment takes the same branch (PARSE_F_FRAG). */
static void test_toe_ip_options_go_to_the_host_with_an_upload_request(void **state)
{
	(void)state;
	struct h h;
	setup(&h);
	assert_int_equal(peer_ts(&h, 0, 1000, OUR_ISS, F_ACK, 65535, 100, true, false, 0, 0), TOE_RX_TO_HOST);
	assert_int_equal(h.last_ev_arg[TOE_EV_UPLOAD_REQ], TOE_UP_HIGH_FRAGMENTATION);
	assert_int_equal(h.ev_count[TOE_EV_UPLOAD_REQ], 1);
	assert_int_equal(toe_stats(h.toe)->rx_to_host, 1);
	assert_int_equal(h.ndlv, 0);
	struct toe_state out;
	toe_conn_upload(h.toe, 0, (uint32_t)h.conn, &out, NULL, NULL);
	assert_int_equal(peer(&h, 1 * US, 1000, OUR_ISS, F_ACK, 65535, 100), TOE_RX_NOT_MINE);
	teardown(&h);
}

/* The table never grows beyond toe.conns: the fifth of four is refused and
 * counted; an upload frees a slot for another. */
static void test_toe_the_table_holds_its_size_and_no_more(void **state)
{
	(void)state;
	struct h h;
	struct toe_state st = base_state();
	setup_with(&h, &st, 4);
	for (uint16_t p = 1; p <= 3; p++) {
		st.remote_port = (uint16_t)(40000 + p);
		assert_true(toe_conn_install(h.toe, 0, &st) >= 0);
	}
	st.remote_port = 40010;
	assert_int_equal(toe_conn_install(h.toe, 0, &st), -1);
	st.remote_port = 40000;
	assert_int_equal(toe_conn_install(h.toe, 0, &st), -1);   /* the 4-tuple is there */
	assert_int_equal(toe_stats(h.toe)->install_full, 2);
	assert_int_equal(toe_conns_live(h.toe), 4);
	struct toe_state out;
	toe_conn_upload(h.toe, 0, 2, &out, NULL, NULL);
	st.remote_port = 40010;
	assert_int_equal(toe_conn_install(h.toe, 0, &st), 2);
	assert_int_equal(toe_conns_live(h.toe), 4);
	teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toe_in_order_acks_every_second_segment_and_delays_the_odd_one),
		cmocka_unit_test(test_toe_timestamps_are_echoed_and_ticked_in_ms),
		cmocka_unit_test(test_toe_out_of_order_then_the_hole_filled_is_acknowledged_at_once),
		cmocka_unit_test(test_toe_a_duplicate_is_dropped_and_answered_with_an_ack),
		cmocka_unit_test(test_toe_a_lost_ack_brings_one_retransmission_at_the_rto),
		cmocka_unit_test(test_toe_zero_window_is_probed_with_backoff_until_it_opens),
		cmocka_unit_test(test_toe_three_duplicate_acks_bring_a_fast_retransmit),
		cmocka_unit_test(test_toe_urgent_data_asks_for_upload_and_stops_the_acks),
		cmocka_unit_test(test_toe_fin_both_ways_ends_in_closed),
		cmocka_unit_test(test_toe_rst_at_rcv_nxt_closes_elsewhere_is_challenged_or_ignored),
		cmocka_unit_test(test_toe_an_ack_of_unsent_data_is_answered_and_dropped),
		cmocka_unit_test(test_toe_ip_options_go_to_the_host_with_an_upload_request),
		cmocka_unit_test(test_toe_the_table_holds_its_size_and_no_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
