/*
 * models/toe.c — the TCP offload engine's protocol core (toe.h).
 *
 * Where each rule comes from is said where it is applied; docs/toe.md
 * (with the host's side) lists them. The RFC numbers: 9293 (TCP, which
 * obsoletes 793), 1122 (host requirements), 5681 (congestion control),
 * 6298 (retransmission timer), 7323 (timestamps, window scale), 5961
 * (blind-attack mitigation).
 */
#include "models/toe.h"

#include <stdlib.h>
#include <string.h>

#include "models/pkt/tso.h"
#include "sim/check.h"

const struct param_def toe_params[] = {
	{
		.key = "toe.conns", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, conns), .unit = "connections",
		.defval = "1024", .min = 1, .max = TOE_CONNS_MAX,
		.desc = "Connections the engine's table holds; offloads beyond it are refused and counted.",
		.source = "choice: no source in the corpus gives a Chimney NIC's table size (a design parameter)",
	},
	{
		.key = "toe.reasm_bytes", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, reasm_bytes),
		.unit = "bytes", .defval = "262144", .min = 0, .max = 1u << 30,
		.desc = "Out-of-order store shared by all connections; segments beyond it are dropped and counted.",
		.source = "choice: four 64 KB windows; RFC 1122 §4.2.2.20 says only that out-of-order segments SHOULD be queued",
	},
	{
		.key = "toe.ooo_upload_segs", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, ooo_upload_segs),
		.unit = "segments", .defval = "0", .max = 1u << 30,
		.desc = "Out-of-order segments on one connection after which the engine asks for upload "
			"(HighOutOfOrderPackets); 0 never.",
		.source = "choice: the NDIS reason exists (docs/toe.md [WDK-upload]) but no threshold is documented",
	},
	{
		.key = "toe.delack_us", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, delack_us), .unit = "us",
		.defval = "200000", .min = 1, .max = 500000,
		.desc = "Delayed-ACK timer.",
		.source = "Windows TcpDelAckTicks 2 x 100 ms (docs/toe.md [WDK-toe]); RFC 1122 §4.2.3.2 caps it at 500 ms",
	},
	{
		.key = "toe.ack_every_segs", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, ack_every_segs),
		.unit = "segments", .defval = "2", .min = 1, .max = 2,
		.desc = "ACK at once when this many full-sized segments are unacknowledged.",
		.source = "RFC 1122 §4.2.3.2, RFC 5681 §4.2: at least every second full-sized segment (Windows TcpAckFrequency 2)",
	},
	{
		.key = "toe.rto_initial_us", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, rto_initial_us),
		.unit = "us", .defval = "1000000", .min = 1000, .max = 60000000,
		.desc = "Retransmission timeout before the first RTT sample.",
		.source = "RFC 6298 §2.1: 1 s",
	},
	{
		.key = "toe.rto_min_us", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, rto_min_us), .unit = "us",
		.defval = "1000000", .min = 1000, .max = 60000000,
		.desc = "Lower bound of the retransmission timeout.",
		.source = "RFC 6298 §2.4: SHOULD be 1 s",
	},
	{
		.key = "toe.rto_max_us", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, rto_max_us), .unit = "us",
		.defval = "60000000", .min = 1000, .max = 600000000,
		.desc = "Upper bound of the retransmission timeout as it backs off.",
		.source = "RFC 6298 §2.5: a maximum MAY be placed, at least 60 s",
	},
	{
		.key = "toe.max_retrans", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, max_retrans),
		.unit = "retransmissions", .defval = "5", .min = 1, .max = 255,
		.desc = "Retransmissions of one segment after which the engine asks for upload (TimeoutExpiration).",
		.source = "Windows TcpMaxDataRetransmissions default 5 (docs/toe.md [WDK-toe]: TcpMaximumRetransmissions, MaxRT)",
	},
	{
		.key = "toe.snd_buf_bytes", .type = PARAM_U32, .offset = offsetof(struct toe_cfg, snd_buf_bytes),
		.unit = "bytes", .defval = "262144", .min = 4096, .max = 1u << 28,
		.desc = "Send bytes the engine holds per connection (unacknowledged and unsent).",
		.source = "choice: 4 x the 64 KB unscaled window, so a connection with window scaling keeps its window full",
	},
	{ 0 }
};

const struct stat_def toe_stat_defs[] = {
	STAT_DEF(struct toe_stats, installs, "installs", "connections", "Connections installed (offloaded)."),
	STAT_DEF(struct toe_stats, removes, "removes", "connections", "Connections taken back (uploaded)."),
	STAT_DEF(struct toe_stats, install_full, "install_full", "connections",
		 "Offloads refused: the table was full (or the 4-tuple was there)."),
	STAT_DEF(struct toe_stats, rx_segs, "rx_segs", "segments", "Segments of offloaded connections taken."),
	STAT_DEF(struct toe_stats, rx_not_mine, "rx_not_mine", "frames", "TCP frames of no offloaded connection."),
	STAT_DEF(struct toe_stats, rx_to_host, "rx_to_host", "frames",
		 "Frames of an offloaded connection left to the host (IP fragments, IPv4 options)."),
	STAT_DEF(struct toe_stats, reasm_peak_bytes, "reasm_peak_bytes", "bytes",
		 "The out-of-order store's highest fill."),
	{ 0 }
};

const char *toe_tcp_state_name(enum toe_tcp_state s)
{
	static const char *const n[TOE_TCP_STATE_COUNT] = { "established", "fin_wait_1", "fin_wait_2", "closing",
							     "time_wait", "close_wait", "last_ack", "closed" };
	return (unsigned)s < TOE_TCP_STATE_COUNT ? n[s] : "?";
}

const char *toe_upload_reason_name(enum toe_upload_reason r)
{
	static const char *const n[TOE_UP_REASON_COUNT] = {
		"none", "low_activity", "high_drop_rate", "small_io", "no_buffer_preposting", "urgent_data",
		"high_fragmentation", "high_out_of_order", "timeout", "invalid_state", "upload_requested",
		"hardware_failure",
	};
	return (unsigned)r < TOE_UP_REASON_COUNT ? n[r] : "?";
}

/* ---- the table ---- */

/* A segment kept out of order (or, after urgent data, in order but held
 * for the host): its payload after the header, FIN with it. */
struct ooo_seg {
	struct ooo_seg *next;   /* by sequence number */
	uint32_t seq, len;
	bool has_fin;
	uint8_t data[];
};

struct toe_conn {
	bool is_live;
	struct toe_state st;
	struct toe_conn_stats stats;
	struct toe *t;
	uint32_t index;
	int32_t hash_next;
	uint32_t mss;              /* payload bytes a segment carries, options taken off (RFC 6691) */
	/* send: the bytes from snd_una on (unacknowledged, then unsent), a ring */
	uint8_t *sbuf;
	uint32_t sbuf_head, sbuf_len;
	bool is_fin_queued;        /* the application closed: FIN after the data */
	bool is_fin_sent;          /* the FIN has a sequence number: snd_una + sbuf_len */
	uint32_t retrans_count;    /* RTO expiries in a row */
	uint32_t persist_count;
	uint32_t probe_end;        /* after a zero-window probe: the end of its byte (an ACK of it is fine) */
	bool is_rtt_timing;        /* one segment timed at a time (RFC 6298 §3, Karn) */
	uint32_t rtt_seq;
	uint64_t rtt_t_ps;
	bool in_recovery;          /* fast recovery (RFC 5681 §3.2) until recover is acknowledged */
	uint32_t recover;
	/* receive */
	uint32_t unconsumed;       /* delivered, not yet given back by toe_conn_rcv_credit */
	uint32_t rcv_adv;          /* the right edge of the window last advertised */
	uint32_t last_ack_sent;    /* the ACK field of the last segment sent (RFC 7323 §4.3 Last.ACK.sent) */
	uint32_t segs_unacked;     /* full-sized segments received since the last ACK sent */
	bool is_ack_owed;          /* data or a FIN received and not yet acknowledged */
	struct ooo_seg *ooo;
	uint32_t ooo_count;        /* out-of-order segments taken, for ooo_upload_segs */
	bool is_urgent_hold;       /* urgent data seen: no more ACKs, every later byte held (docs/toe.md [WDK-upload]) */
	uint32_t upload_asked;     /* bit per reason already asked for */
	struct sim_event delack_ev, rto_ev, persist_ev;
};

struct toe {
	struct sim_kernel *k;
	struct toe_cfg cfg;
	struct toe_ops ops;
	struct toe_conn *conns;
	int32_t *hash_head;
	uint32_t hash_mask;
	uint32_t *free_list, n_free;
	uint32_t live;
	uint64_t reasm_bytes;       /* the out-of-order store's fill */
	uint16_t ip_id;
	struct toe_stats stats;
	/* the frame emit builds: Ethernet 14 + IPv6 40 + TCP with the most options
	 * 60 (a 4-bit data offset in words, RFC 9293 §3.1) + a 64 KiB payload */
	uint8_t frame[14 + IPV6_HDR_BYTES + 60 + TSO_SEND_MAX_PAYLOAD];
};

static uint32_t seq_diff(uint32_t a, uint32_t b) { return a - b; }

static int find(const struct toe *t, bool is_ipv6, const uint8_t *local, const uint8_t *remote, uint16_t lport,
		uint16_t rport)
{
	size_t n = is_ipv6 ? 16 : 4;
	for (int32_t i = t->hash_head[parse_tuple_hash(is_ipv6, local, remote, lport, rport) & t->hash_mask]; i >= 0;
	     i = t->conns[i].hash_next) {
		const struct toe_state *s = &t->conns[i].st;
		if (s->is_ipv6 == is_ipv6 && s->local_port == lport && s->remote_port == rport &&
		    !memcmp(s->local_ip, local, n) && !memcmp(s->remote_ip, remote, n))
			return i;
	}
	return -1;
}

int toe_conn_lookup(const struct toe *t, const struct parse_result *pr)
{
	if (pr->l4 != PARSE_L4_TCP || !(pr->flags & PARSE_F_HAS_PORTS) || !t->live)
		return -1;
	/* A received frame: its destination is the local end. */
	return find(t, pr->l3 == PARSE_L3_IPV6, pr->dst, pr->src, pr->dport, pr->sport);
}

int toe_new(struct toe **out, struct sim_kernel *k, const struct toe_cfg *cfg, const struct toe_ops *ops,
	    char *err, size_t err_len)
{
	*out = NULL;
	if (!cfg->conns || cfg->conns > TOE_CONNS_MAX) {
		snprintf(err, err_len, "toe.conns: %u is outside 1..%u", cfg->conns, TOE_CONNS_MAX);
		return -1;
	}
	struct toe *t = calloc(1, sizeof *t);
	uint32_t nh = 1;
	while (nh < cfg->conns * 2)
		nh <<= 1;
	if (t) {
		t->conns = calloc(cfg->conns, sizeof *t->conns);
		t->hash_head = malloc(nh * sizeof *t->hash_head);
		t->free_list = malloc(cfg->conns * sizeof *t->free_list);
	}
	if (!t || !t->conns || !t->hash_head || !t->free_list) {
		toe_free(t);
		snprintf(err, err_len, "out of memory for a table of %u offloaded connections", cfg->conns);
		return -1;
	}
	t->k = k;
	t->cfg = *cfg;
	t->ops = *ops;
	t->hash_mask = nh - 1;
	for (uint32_t i = 0; i < nh; i++)
		t->hash_head[i] = -1;
	for (uint32_t i = 0; i < cfg->conns; i++)
		t->free_list[i] = cfg->conns - 1 - i;   /* slot 0 first */
	t->n_free = cfg->conns;
	*out = t;
	return 0;
}

static void conn_release(struct toe *t, struct toe_conn *c);

void toe_free(struct toe *t)
{
	if (!t)
		return;
	if (t->conns)
		for (uint32_t i = 0; i < t->cfg.conns; i++)
			if (t->conns[i].is_live)
				conn_release(t, &t->conns[i]);
	free(t->conns);
	free(t->hash_head);
	free(t->free_list);
	free(t);
}

/* ---- sending frames ---- */

static uint64_t us_to_ps(uint64_t us) { return us * SIM_PS_PER_US; }

/* The window to advertise: the receive buffer less what the host holds
 * (RFC 9293 §3.8.6.2.2: the receiver's SWS avoidance keeps the right edge
 * until it can move by min(buffer / 2, MSS), toe_conn_rcv_credit). */
static uint32_t rcv_window(const struct toe_conn *c)
{
	uint32_t w = c->st.rcv_wnd_max > c->unconsumed ? c->st.rcv_wnd_max - c->unconsumed : 0;
	/* Never shrink what was advertised (RFC 9293 §3.8.6.2.2 MUST-... "SHOULD NOT shrink"). */
	uint32_t adv = tcp_seq_lt(c->st.rcv_nxt, c->rcv_adv) ? seq_diff(c->rcv_adv, c->st.rcv_nxt) : 0;
	return w > adv ? w : adv;
}

/* len bytes of a ring of cap bytes from offset at (at < cap). */
static void ring_read(const uint8_t *ring, uint32_t cap, uint32_t at, uint8_t *out, uint32_t len)
{
	uint32_t first = len < cap - at ? len : cap - at;
	memcpy(out, ring + at, first);
	memcpy(out + first, ring, len - first);
}

/* Build and transmit one segment: flags, seq, payload (len bytes of the
 * send buffer from offset off), with the ACK of rcv_nxt and the window. */
static void emit(struct toe *t, uint64_t t_ps, struct toe_conn *c, uint8_t flags, uint32_t seq, uint32_t off,
		 uint32_t len, enum toe_seg_kind kind)
{
	struct toe_state *s = &c->st;
	uint8_t *f = t->frame;
	uint32_t l3 = 14, ip_len = s->is_ipv6 ? 40 : 20, opt = s->has_timestamps ? 12 : 0;
	uint32_t l4 = l3 + ip_len, tcp_len = 20 + opt + len, pay = l4 + 20 + opt;
	memcpy(f, s->remote_mac, 6);
	memcpy(f + 6, s->local_mac, 6);
	parse_put_be16(f + 12, s->is_ipv6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + l3;
	if (s->is_ipv6) {
		parse_put_be32(ip, 0x60000000u | (uint32_t)s->tos << 20);
		parse_put_be16(ip + 4, (uint16_t)tcp_len);
		ip[6] = IPPROTO_TCP_;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->local_ip, 16);
		memcpy(ip + 24, s->remote_ip, 16);
	} else {
		ip[0] = 0x45;
		ip[1] = s->tos;
		parse_put_be16(ip + 2, (uint16_t)(20 + tcp_len));
		/* IDs from the upper half, the host's stack using the lower;
		 * DF always (docs/toe.md [WDK-toe]). */
		parse_put_be16(ip + 4, (uint16_t)(0x8000u | t->ip_id++));
		parse_put_be16(ip + 6, 0x4000);
		ip[8] = s->ttl;
		ip[9] = IPPROTO_TCP_;
		parse_put_be16(ip + 10, 0);
		memcpy(ip + 12, s->local_ip, 4);
		memcpy(ip + 16, s->remote_ip, 4);
	}
	uint8_t *tcp = f + l4;
	parse_put_be16(tcp, s->local_port);
	parse_put_be16(tcp + 2, s->remote_port);
	parse_put_be32(tcp + 4, seq);
	parse_put_be32(tcp + 8, s->rcv_nxt);
	tcp[12] = (uint8_t)((20 + opt) / 4 << 4);
	tcp[13] = flags | TCP_FLAG_ACK;
	uint32_t wnd = rcv_window(c);
	uint32_t field = wnd >> s->rcv_wscale;
	parse_put_be16(tcp + 14, (uint16_t)(field > 0xffff ? 0xffff : field));
	parse_put_be16(tcp + 16, 0);
	parse_put_be16(tcp + 18, 0);
	if (opt) {   /* NOP, NOP, timestamps (RFC 7323 appendix A layout) */
		tcp[20] = 1;
		tcp[21] = 1;
		tcp[22] = 8;
		tcp[23] = 10;
		parse_put_be32(tcp + 24, (uint32_t)(t_ps / SIM_PS_PER_MS) + s->ts_offset);
		parse_put_be32(tcp + 28, s->ts_recent);
	}
	ring_read(c->sbuf, t->cfg.snd_buf_bytes, (c->sbuf_head + off) % t->cfg.snd_buf_bytes, f + pay, len);
	/* The IPv4 header and TCP checksums, as the NIC's transmit path inserts
	 * them (models/pkt/tso.h). */
	struct tx_offload o = { .l2_len = (uint16_t)l3, .l3_len = (uint16_t)ip_len, .l4_len = (uint16_t)(20 + opt),
				.l4 = PARSE_L4_TCP, .is_ipv6 = s->is_ipv6, .do_ip_csum = !s->is_ipv6, .do_l4_csum = true };
	tx_csum_insert(&o, f, pay + len);
	uint32_t n = pay + len;
	if (n < ETH_MIN_FRAME_NO_FCS) {   /* pad to Ethernet's minimum */
		memset(f + n, 0, ETH_MIN_FRAME_NO_FCS - n);
		n = ETH_MIN_FRAME_NO_FCS;
	}
	/* Whatever goes out carries the ACK: nothing is owed any more. */
	c->segs_unacked = 0;
	c->is_ack_owed = false;
	sim_cancel(t->k, &c->delack_ev);
	uint32_t edge = s->rcv_nxt + wnd;
	if (tcp_seq_lt(c->rcv_adv, edge))
		c->rcv_adv = edge;
	s->rcv_wnd = wnd;
	c->last_ack_sent = s->rcv_nxt;
	c->stats.tx_segs_by_kind[kind]++;
	t->ops.xmit(t->ops.ctx, t_ps, c->index, f, n, kind);
}

static void send_ack(struct toe *t, uint64_t t_ps, struct toe_conn *c, enum toe_seg_kind kind)
{
	if (c->is_urgent_hold)
		return;   /* after urgent data: stop ACKing (docs/toe.md [WDK-upload]) */
	emit(t, t_ps, c, 0, c->st.snd_nxt, 0, 0, kind);
}

/* Ask the host to take the connection back, once per reason. Not in
 * FIN_WAIT_1, FIN_WAIT_2 or CLOSE_WAIT (docs/toe.md [WDK-upload]). */
static void ask_upload(struct toe *t, uint64_t t_ps, struct toe_conn *c, enum toe_upload_reason r)
{
	uint8_t st = c->st.tcp_state;
	if (st == TOE_TCP_FIN_WAIT_1 || st == TOE_TCP_FIN_WAIT_2 || st == TOE_TCP_CLOSE_WAIT)
		return;
	if (c->upload_asked & (1u << r))
		return;
	c->upload_asked |= 1u << r;
	t->stats.upload_reqs_by_reason[r]++;
	t->ops.event(t->ops.ctx, t_ps, c->index, TOE_EV_UPLOAD_REQ, r);
}

static void arm_rto(struct toe *t, struct toe_conn *c)
{
	sim_cancel(t->k, &c->rto_ev);
	sim_schedule_in(t->k, &c->rto_ev, us_to_ps(c->st.rto_us));
}

/* Bytes of the send buffer not yet sent: from snd_nxt to its end. */
static uint32_t unsent(const struct toe_conn *c)
{
	uint32_t off = seq_diff(c->st.snd_nxt, c->st.snd_una);
	return off < c->sbuf_len ? c->sbuf_len - off : 0;
}

/* Send what the windows allow (RFC 5681 §3.1: min(cwnd, rwnd); RFC 9293
 * §3.7.4 Nagle), then the FIN. */
static void output(struct toe *t, uint64_t t_ps, struct toe_conn *c)
{
	struct toe_state *s = &c->st;
	if (s->tcp_state == TOE_TCP_CLOSED || s->tcp_state == TOE_TCP_TIME_WAIT)
		return;
	for (;;) {
		uint32_t left = unsent(c);
		uint32_t in_flight = seq_diff(s->snd_nxt, s->snd_una);
		uint32_t wnd = s->snd_wnd < s->cwnd ? s->snd_wnd : s->cwnd;
		uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
		uint32_t len = left < c->mss ? left : c->mss;
		if (len > usable)
			len = usable;
		bool is_last = len == left;
		bool is_fin = c->is_fin_queued && !c->is_fin_sent && is_last;
		if (!len && !is_fin) {
			/* Data waits on a zero window with nothing in flight to bring an
			 * ACK: the persist timer probes it (RFC 1122 §4.2.2.17). */
			if (left && !s->snd_wnd && s->snd_una == s->snd_max && !sim_event_is_pending(&c->persist_ev) &&
			    !sim_event_is_pending(&c->rto_ev)) {
				c->persist_count = 0;
				sim_schedule_in(t->k, &c->persist_ev, us_to_ps(s->rto_us));
			}
			return;
		}
		/* Nagle: a small segment waits while data is unacknowledged,
		 * unless it is the last before a FIN. */
		if (s->is_nagle && len < c->mss && in_flight && !is_fin)
			return;
		if (len < left && is_fin)
			is_fin = false;
		uint32_t seq = s->snd_nxt;
		bool is_retrans = tcp_seq_lt(seq, s->snd_max);
		uint8_t flags = (is_last && len ? TCP_FLAG_PSH : 0) | (is_fin ? TCP_FLAG_FIN : 0);
		enum toe_seg_kind kind = is_fin ? TOE_SEG_FIN : is_retrans ? TOE_SEG_RETRANS : TOE_SEG_DATA;
		if (!is_retrans && !c->is_rtt_timing && len) {
			c->is_rtt_timing = true;
			c->rtt_seq = seq;
			c->rtt_t_ps = t_ps;
		}
		emit(t, t_ps, c, flags, seq, seq_diff(seq, s->snd_una), len, kind);
		if (is_retrans)
			c->stats.retrans_bytes += len;
		else
			c->stats.tx_bytes += len;
		s->snd_nxt = seq + len + (is_fin ? 1 : 0);
		if (tcp_seq_lt(s->snd_max, s->snd_nxt))
			s->snd_max = s->snd_nxt;
		if (is_fin) {
			c->is_fin_sent = true;
			if (s->tcp_state == TOE_TCP_ESTABLISHED)
				s->tcp_state = TOE_TCP_FIN_WAIT_1;
			else if (s->tcp_state == TOE_TCP_CLOSE_WAIT)
				s->tcp_state = TOE_TCP_LAST_ACK;
		}
		sim_cancel(t->k, &c->persist_ev);
		if (!sim_event_is_pending(&c->rto_ev))
			arm_rto(t, c);
		if (is_fin || !unsent(c))
			return;
	}
}

/* ---- timers ---- */

static void delack_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct toe_conn *c = arg;
	if (c->is_ack_owed)
		send_ack(c->t, sim_now_ps(k), c, TOE_SEG_ACK);
}

/* RFC 6298 §5: back off, go back to snd_una and send one segment (RFC
 * 5681 §3.1: loss window of one segment, ssthresh half the flight). */
static void rto_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct toe_conn *c = arg;
	struct toe *t = c->t;
	struct toe_state *s = &c->st;
	uint64_t now = sim_now_ps(k);
	if (s->snd_una == s->snd_max)
		return;
	c->stats.rto_fired++;
	if (c->retrans_count >= t->cfg.max_retrans) {
		ask_upload(t, now, c, TOE_UP_TIMEOUT);
		return;
	}
	c->retrans_count++;
	uint32_t flight = seq_diff(s->snd_max, s->snd_una);
	uint32_t half = flight / 2;
	s->ssthresh = half > 2 * c->mss ? half : 2 * c->mss;
	s->cwnd = c->mss;
	s->snd_nxt = s->snd_una;
	c->in_recovery = false;
	s->dup_acks = 0;
	c->is_rtt_timing = false;   /* Karn: no sample from a retransmitted segment */
	uint64_t rto = (uint64_t)s->rto_us * 2;
	s->rto_us = (uint32_t)(rto > t->cfg.rto_max_us ? t->cfg.rto_max_us : rto);
	if (c->is_fin_sent && seq_diff(s->snd_max, s->snd_una) == c->sbuf_len + 1)
		c->is_fin_sent = false;   /* the FIN goes again after the data */
	/* One segment: cwnd allows it; everything it sends is a retransmission. */
	output(t, now, c);
	if (!sim_event_is_pending(&c->rto_ev))
		arm_rto(t, c);
}

/* A zero-window probe: one byte beyond the window (RFC 1122 §4.2.2.17),
 * then again after an RTO doubled each time (docs/toe.md [WDK-toe]: RTO << count). */
static void persist_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct toe_conn *c = arg;
	struct toe *t = c->t;
	struct toe_state *s = &c->st;
	uint64_t now = sim_now_ps(k);
	if (s->snd_wnd || !unsent(c))
		return;
	emit(t, now, c, 0, s->snd_nxt, seq_diff(s->snd_nxt, s->snd_una), 1, TOE_SEG_PROBE);
	c->stats.probes++;
	c->probe_end = s->snd_nxt + 1;   /* an ACK of the probe's byte acknowledges sent data */
	c->persist_count++;
	uint64_t d = (uint64_t)s->rto_us << (c->persist_count < 16 ? c->persist_count : 16);
	sim_schedule_in(k, &c->persist_ev, us_to_ps(d > t->cfg.rto_max_us ? t->cfg.rto_max_us : d));
}

/* ---- install, upload ---- */

static void hash_insert(struct toe *t, struct toe_conn *c)
{
	const struct toe_state *s = &c->st;
	uint32_t b = parse_tuple_hash(s->is_ipv6, s->local_ip, s->remote_ip, s->local_port, s->remote_port) & t->hash_mask;
	c->hash_next = t->hash_head[b];
	t->hash_head[b] = (int32_t)c->index;
}

static void hash_remove(struct toe *t, struct toe_conn *c)
{
	const struct toe_state *s = &c->st;
	int32_t *p = &t->hash_head[parse_tuple_hash(s->is_ipv6, s->local_ip, s->remote_ip, s->local_port, s->remote_port) &
				   t->hash_mask];
	while (*p >= 0 && *p != (int32_t)c->index)
		p = &t->conns[*p].hash_next;
	sim_check(*p == (int32_t)c->index, "an offloaded connection missing from its hash chain");
	*p = c->hash_next;
}

int toe_conn_install(struct toe *t, uint64_t t_ps, const struct toe_state *st)
{
	(void)t_ps;
	if (!t->n_free || find(t, st->is_ipv6, st->local_ip, st->remote_ip, st->local_port, st->remote_port) >= 0) {
		t->stats.install_full++;
		return -1;
	}
	uint32_t i = t->free_list[--t->n_free];
	struct toe_conn *c = &t->conns[i];
	memset(c, 0, sizeof *c);
	c->sbuf = malloc(t->cfg.snd_buf_bytes);
	if (!c->sbuf) {
		t->free_list[t->n_free++] = i;
		t->stats.install_full++;
		return -1;
	}
	c->is_live = true;
	c->t = t;
	c->index = i;
	c->st = *st;
	struct toe_state *s = &c->st;
	/* Bytes sent before the offload, [snd_una, snd_nxt), are in flight:
	 * the host hands them over with the state (toe_conn_send right after
	 * install, docs/toe.md [WDK-state] "send data regions"), and they are sent again only
	 * if the retransmission timer says so. */
	if (tcp_seq_lt(s->snd_nxt, s->snd_una) || tcp_seq_lt(s->snd_max, s->snd_nxt))
		s->snd_nxt = s->snd_max = s->snd_una;
	if (!s->rto_us)
		s->rto_us = t->cfg.rto_initial_us;
	if (!s->cwnd)
		s->cwnd = 0xffffffffu;
	uint32_t hdr = (s->is_ipv6 ? 40 : 20) + 20;
	uint32_t mss = s->path_mtu > hdr ? s->path_mtu - hdr : 536;
	if (s->remote_mss && s->remote_mss < mss)
		mss = s->remote_mss;
	c->mss = mss > (s->has_timestamps ? 12u : 0u) + 1 ? mss - (s->has_timestamps ? 12u : 0u) : 1;
	c->rcv_adv = s->rcv_nxt + s->rcv_wnd;
	c->last_ack_sent = s->rcv_nxt;
	sim_event_init(&c->delack_ev, "toe.delack", SIM_PRIO_HW, delack_fire, c);
	sim_event_init(&c->rto_ev, "toe.rto", SIM_PRIO_HW, rto_fire, c);
	sim_event_init(&c->persist_ev, "toe.persist", SIM_PRIO_HW, persist_fire, c);
	hash_insert(t, c);
	t->live++;
	t->stats.installs++;
	if (s->snd_una != s->snd_max)
		arm_rto(t, c);
	return (int)i;
}

static void conn_release(struct toe *t, struct toe_conn *c)
{
	sim_cancel(t->k, &c->delack_ev);
	sim_cancel(t->k, &c->rto_ev);
	sim_cancel(t->k, &c->persist_ev);
	for (struct ooo_seg *o = c->ooo, *n; o; o = n) {
		n = o->next;
		t->reasm_bytes -= o->len;
		free(o);
	}
	c->ooo = NULL;
	free(c->sbuf);
	c->sbuf = NULL;
	c->is_live = false;
}

void toe_conn_upload(struct toe *t, uint64_t t_ps, uint32_t conn, struct toe_state *st, toe_ooo_fn fn, void *ctx)
{
	(void)t_ps;
	struct toe_conn *c = &t->conns[conn];
	sim_check(conn < t->cfg.conns && c->is_live, "upload of a connection the engine does not hold");
	c->st.rcv_wnd = rcv_window(c);
	*st = c->st;
	for (struct ooo_seg *o = c->ooo; o; o = o->next)
		if (fn)
			fn(ctx, o->seq, o->data, o->len);
	hash_remove(t, c);
	conn_release(t, c);
	t->free_list[t->n_free++] = conn;
	t->live--;
	t->stats.removes++;
}

/* ---- the application's side ---- */

uint32_t toe_conn_send_room(const struct toe *t, uint32_t conn)
{
	const struct toe_conn *c = &t->conns[conn];
	return c->is_live && !c->is_fin_queued ? t->cfg.snd_buf_bytes - c->sbuf_len : 0;
}

uint32_t toe_conn_send(struct toe *t, uint64_t t_ps, uint32_t conn, const uint8_t *data, uint32_t len)
{
	struct toe_conn *c = &t->conns[conn];
	uint32_t room = toe_conn_send_room(t, conn);
	if (len > room)
		len = room;
	uint32_t cap = t->cfg.snd_buf_bytes, at = (c->sbuf_head + c->sbuf_len) % cap;
	uint32_t first = len < cap - at ? len : cap - at;   /* up to the ring's end, then from its start */
	memcpy(c->sbuf + at, data, first);
	memcpy(c->sbuf, data + first, len - first);
	c->sbuf_len += len;
	if (len)
		output(t, t_ps, c);
	return len;
}

void toe_conn_close(struct toe *t, uint64_t t_ps, uint32_t conn)
{
	struct toe_conn *c = &t->conns[conn];
	if (!c->is_live || c->is_fin_queued)
		return;
	if (c->st.tcp_state != TOE_TCP_ESTABLISHED && c->st.tcp_state != TOE_TCP_CLOSE_WAIT)
		return;
	c->is_fin_queued = true;
	output(t, t_ps, c);
}

void toe_conn_rcv_credit(struct toe *t, uint64_t t_ps, uint32_t conn, uint32_t len)
{
	struct toe_conn *c = &t->conns[conn];
	if (!c->is_live)
		return;
	c->unconsumed = len < c->unconsumed ? c->unconsumed - len : 0;
	uint32_t w = c->st.rcv_wnd_max - c->unconsumed;
	uint32_t edge = c->st.rcv_nxt + w;
	/* RFC 9293 §3.8.6.2.2 (RFC 1122 §4.2.3.3): move the right edge when it
	 * moves by at least min(buffer / 2, MSS). */
	uint32_t step = c->st.rcv_wnd_max / 2 < c->mss ? c->st.rcv_wnd_max / 2 : c->mss;
	if (tcp_seq_lt(c->rcv_adv, edge) && seq_diff(edge, c->rcv_adv) >= step &&
	    c->st.tcp_state != TOE_TCP_CLOSED)
		send_ack(t, t_ps, c, TOE_SEG_WINDOW_UPDATE);
}

/* ---- receive ---- */

/* What a segment says (from its header and the parse). */
struct seg {
	uint32_t seq, ack, len;   /* len: payload bytes */
	uint32_t wnd;             /* scaled */
	uint8_t flags;
	bool has_ts;
	uint32_t tsval, tsecr;
	const uint8_t *data;
};

static bool parse_seg(const struct toe_conn *c, const uint8_t *frame, uint32_t len, const struct parse_result *pr,
		      struct seg *g)
{
	if (pr->l4_off + 20u > len)
		return false;
	const uint8_t *tcp = frame + pr->l4_off;
	uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || pr->l4_off + doff > len || pr->payload_off + (uint64_t)pr->payload_len > len)
		return false;
	g->seq = parse_be32(tcp + 4);
	g->ack = parse_be32(tcp + 8);
	g->flags = tcp[13];
	g->wnd = (uint32_t)parse_be16(tcp + 14) << c->st.snd_wscale;
	g->len = pr->payload_len;
	g->data = frame + pr->payload_off;
	struct tcp_opts o;   /* only the timestamps matter here */
	tcp_opts_parse(tcp, doff, &o);
	g->has_ts = o.has_ts;
	g->tsval = o.tsval;
	g->tsecr = o.tsecr;
	return true;
}

/* Keep an out-of-order segment (or, after urgent data, any), in sequence
 * order; false when the store is full (the segment is dropped, counted). */
static bool ooo_keep(struct toe *t, struct toe_conn *c, uint32_t seq, const uint8_t *data, uint32_t len, bool has_fin)
{
	if (t->reasm_bytes + len > t->cfg.reasm_bytes)
		return false;
	struct ooo_seg **p = &c->ooo;
	while (*p && tcp_seq_lt((*p)->seq, seq))
		p = &(*p)->next;
	if (*p && (*p)->seq == seq && (*p)->len >= len)
		return true;   /* already held */
	struct ooo_seg *o = malloc(sizeof *o + len);
	if (!o)
		return false;
	o->seq = seq;
	o->len = len;
	o->has_fin = has_fin;
	memcpy(o->data, data, len);
	o->next = *p;
	*p = o;
	t->reasm_bytes += len;
	if (t->reasm_bytes > t->stats.reasm_peak_bytes)
		t->stats.reasm_peak_bytes = t->reasm_bytes;
	return true;
}

static void fin_received(struct toe *t, uint64_t t_ps, struct toe_conn *c)
{
	struct toe_state *s = &c->st;
	s->rcv_nxt++;
	switch (s->tcp_state) {
	case TOE_TCP_ESTABLISHED:
		s->tcp_state = TOE_TCP_CLOSE_WAIT;
		break;
	case TOE_TCP_FIN_WAIT_1:
		s->tcp_state = TOE_TCP_CLOSING;
		break;
	case TOE_TCP_FIN_WAIT_2:
		s->tcp_state = TOE_TCP_TIME_WAIT;
		break;
	default:
		break;
	}
	t->ops.event(t->ops.ctx, t_ps, c->index, TOE_EV_FIN, 0);
	if (s->tcp_state == TOE_TCP_TIME_WAIT)
		ask_upload(t, t_ps, c, TOE_UP_REQUESTED);   /* docs/toe.md [WDK-toe]: a TIME_WAIT connection goes back to the host */
}

/* In-order bytes to the host: the part of [seq, seq + len) at rcv_nxt
 * within the window; then what the out-of-order store now continues.
 * Returns true when the store gave something (a hole was filled). */
static bool deliver(struct toe *t, uint64_t t_ps, struct toe_conn *c, const struct seg *g)
{
	struct toe_state *s = &c->st;
	uint32_t skip = seq_diff(s->rcv_nxt, g->seq);
	uint32_t n = g->len - skip, wnd = rcv_window(c);
	bool has_fin = (g->flags & TCP_FLAG_FIN) != 0;
	if (n > wnd) {
		n = wnd;
		has_fin = false;   /* the FIN lies beyond what was taken */
	}
	if (n) {
		s->rcv_nxt += n;
		c->stats.rx_bytes += n;
		uint32_t took = t->ops.deliver(t->ops.ctx, t_ps, c->index, g->data + skip, n, (g->flags & TCP_FLAG_PSH) != 0);
		c->unconsumed += n - (took < n ? took : n);
	}
	if (has_fin)
		fin_received(t, t_ps, c);
	bool filled = false;
	while (c->ooo && tcp_seq_le(c->ooo->seq, s->rcv_nxt) && !has_fin) {
		struct ooo_seg *o = c->ooo;
		uint32_t end = o->seq + o->len;
		if (tcp_seq_lt(s->rcv_nxt, end)) {
			uint32_t k = seq_diff(s->rcv_nxt, o->seq), m = o->len - k;
			s->rcv_nxt += m;
			c->stats.rx_bytes += m;
			uint32_t took = t->ops.deliver(t->ops.ctx, t_ps, c->index, o->data + k, m, false);
			c->unconsumed += m - (took < m ? took : m);
		}
		filled = true;
		c->ooo = o->next;
		t->reasm_bytes -= o->len;
		has_fin = o->has_fin && s->rcv_nxt == end;
		free(o);
		if (has_fin)
			fin_received(t, t_ps, c);
	}
	return filled;
}

/* The ACK field (RFC 9293 §3.10.7.4 "fifth, check the ACK field"; RFC
 * 5681 §3.2 for duplicates; RFC 6298 for the timer). Returns false when the
 * segment is to be dropped (an ACK of data not sent). */
static bool take_ack(struct toe *t, uint64_t t_ps, struct toe_conn *c, const struct seg *g)
{
	struct toe_state *s = &c->st;
	if (c->probe_end && tcp_seq_lt(s->snd_max, c->probe_end) && tcp_seq_le(g->ack, c->probe_end) &&
	    tcp_seq_lt(s->snd_max, g->ack))
		s->snd_max = g->ack;   /* the peer took the probe's byte */
	if (tcp_seq_lt(s->snd_max, g->ack)) {
		send_ack(t, t_ps, c, TOE_SEG_ACK);
		c->stats.bad_segs++;
		return false;
	}
	bool is_window_update = false;
	/* The send window from the newest segment (SND.WL1/WL2). */
	if (tcp_seq_lt(s->snd_wl1, g->seq) || (s->snd_wl1 == g->seq && tcp_seq_le(s->snd_wl2, g->ack))) {
		is_window_update = g->wnd != s->snd_wnd;
		s->snd_wnd = g->wnd;
		if (g->wnd > s->max_snd_wnd)
			s->max_snd_wnd = g->wnd;
		s->snd_wl1 = g->seq;
		s->snd_wl2 = g->ack;
	}
	if (tcp_seq_lt(s->snd_una, g->ack)) {
		uint32_t acked = seq_diff(g->ack, s->snd_una);
		bool fin_acked = c->is_fin_sent && g->ack == s->snd_max;
		uint32_t data = fin_acked ? acked - 1 : acked;
		if (data > c->sbuf_len)
			data = c->sbuf_len;
		c->sbuf_head = (c->sbuf_head + data) % t->cfg.snd_buf_bytes;
		c->sbuf_len -= data;
		s->snd_una = g->ack;
		if (tcp_seq_lt(s->snd_nxt, s->snd_una))
			s->snd_nxt = s->snd_una;   /* a probe's byte, or data resent after an RTO, taken */
		/* RTT (RFC 6298 §2.2-2.3; alpha 1/8, beta 1/4, K 4; G 1 ms). */
		if (c->is_rtt_timing && tcp_seq_lt(c->rtt_seq, g->ack)) {
			c->is_rtt_timing = false;
			uint32_t r = (uint32_t)((t_ps - c->rtt_t_ps) / SIM_PS_PER_US);
			if (!s->srtt_us) {
				s->srtt_us = r;
				s->rttvar_us = r / 2;
			} else {
				uint32_t d = s->srtt_us > r ? s->srtt_us - r : r - s->srtt_us;
				s->rttvar_us = (3 * s->rttvar_us + d) / 4;
				s->srtt_us = (7 * s->srtt_us + r) / 8;
			}
			uint64_t rto = (uint64_t)s->srtt_us + (4 * s->rttvar_us > 1000 ? 4 * s->rttvar_us : 1000);
			if (rto < t->cfg.rto_min_us)
				rto = t->cfg.rto_min_us;
			if (rto > t->cfg.rto_max_us)
				rto = t->cfg.rto_max_us;
			s->rto_us = (uint32_t)rto;
		}
		c->retrans_count = 0;
		/* Congestion window (RFC 5681 §3.1: slow start by min(acked, SMSS),
		 * congestion avoidance by SMSS^2/cwnd; §3.2 step 6: a full ACK ends
		 * recovery with cwnd = ssthresh). */
		if (c->in_recovery) {
			if (tcp_seq_le(c->recover, g->ack)) {
				c->in_recovery = false;
				s->cwnd = s->ssthresh;
			}
		} else if (s->cwnd < s->ssthresh) {
			s->cwnd += data < c->mss ? data : c->mss;
		} else {
			uint32_t inc = c->mss * c->mss / (s->cwnd ? s->cwnd : 1);
			s->cwnd += inc ? inc : 1;
		}
		s->dup_acks = 0;
		if (s->snd_una == s->snd_max)
			sim_cancel(t->k, &c->rto_ev);
		else
			arm_rto(t, c);   /* RFC 6298 §5.3 */
		if (fin_acked) {
			if (s->tcp_state == TOE_TCP_FIN_WAIT_1)
				s->tcp_state = TOE_TCP_FIN_WAIT_2;
			else if (s->tcp_state == TOE_TCP_CLOSING)
				s->tcp_state = TOE_TCP_TIME_WAIT;
			else if (s->tcp_state == TOE_TCP_LAST_ACK)
				s->tcp_state = TOE_TCP_CLOSED;
			if (s->tcp_state == TOE_TCP_CLOSED)
				ask_upload(t, t_ps, c, TOE_UP_REQUESTED);   /* closed both ways: the slot goes back */
		}
		if (data)
			t->ops.event(t->ops.ctx, t_ps, c->index, TOE_EV_SEND_DONE, data);
		if (s->tcp_state == TOE_TCP_TIME_WAIT)
			ask_upload(t, t_ps, c, TOE_UP_REQUESTED);
	} else if (g->ack == s->snd_una && s->snd_una != s->snd_max && !g->len &&
		   !(g->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) && !is_window_update && s->snd_wnd) {
		/* A duplicate ACK (RFC 5681 §2's five conditions; the answer to a
		 * zero-window probe is none). */
		s->dup_acks++;
		if (s->dup_acks == 3 && !c->in_recovery) {
			/* Fast retransmit (§3.2 steps 2-4). */
			uint32_t flight = seq_diff(s->snd_max, s->snd_una), half = flight / 2;
			s->ssthresh = half > 2 * c->mss ? half : 2 * c->mss;
			c->in_recovery = true;
			c->recover = s->snd_max;
			c->stats.fast_retrans++;
			c->is_rtt_timing = false;
			uint32_t n = c->sbuf_len < c->mss ? c->sbuf_len : c->mss;
			if (n) {
				emit(t, t_ps, c, 0, s->snd_una, 0, n, TOE_SEG_RETRANS);
				c->stats.retrans_bytes += n;
			}
			s->cwnd = s->ssthresh + 3 * c->mss;
		} else if (c->in_recovery) {
			s->cwnd += c->mss;   /* §3.2 step 5 */
		}
	}
	if (is_window_update && s->snd_wnd) {
		sim_cancel(t->k, &c->persist_ev);
		c->persist_count = 0;
		c->probe_end = 0;
	}
	return true;
}

enum toe_rx_verdict toe_rx(struct toe *t, uint64_t t_ps, const uint8_t *frame, uint32_t len,
			   const struct parse_result *pr, bool l4_ok)
{
	int ci = toe_conn_lookup(t, pr);
	if (ci < 0) {
		if (pr->l4 == PARSE_L4_TCP)
			t->stats.rx_not_mine++;
		return TOE_RX_NOT_MINE;
	}
	struct toe_conn *c = &t->conns[ci];
	struct toe_state *s = &c->st;
	/* The engine does not reassemble IP fragments nor process IPv4
	 * options: the host's path does, and is asked to take the connection
	 * (docs/toe.md [WDK-toe]; the upload reason HighFragmentation, [WDK-upload]). */
	if (pr->flags & (PARSE_F_FRAG | PARSE_F_IP_OPTIONS)) {
		t->stats.rx_to_host++;
		ask_upload(t, t_ps, c, TOE_UP_HIGH_FRAGMENTATION);
		return TOE_RX_TO_HOST;
	}
	t->stats.rx_segs++;
	c->stats.rx_segs++;
	struct seg g;
	if (!l4_ok || !parse_seg(c, frame, len, pr, &g)) {
		c->stats.bad_segs++;
		return TOE_RX_CONSUMED;
	}
	if (s->tcp_state == TOE_TCP_CLOSED)
		return TOE_RX_CONSUMED;
	uint32_t seg_len = g.len + ((g.flags & TCP_FLAG_FIN) ? 1 : 0);
	uint32_t wnd = rcv_window(c);
	/* Acceptability (RFC 9293 §3.10.7.4, the four cases). */
	bool ok;
	if (!seg_len)
		ok = wnd ? tcp_seq_le(s->rcv_nxt, g.seq) && tcp_seq_lt(g.seq, s->rcv_nxt + wnd) : g.seq == s->rcv_nxt;
	else
		ok = wnd && ((tcp_seq_le(s->rcv_nxt, g.seq) && tcp_seq_lt(g.seq, s->rcv_nxt + wnd)) ||
			     (tcp_seq_le(s->rcv_nxt, g.seq + seg_len - 1) && tcp_seq_lt(g.seq + seg_len - 1, s->rcv_nxt + wnd)));
	if (g.flags & TCP_FLAG_RST) {
		/* RFC 5961 §3.2: an RST at rcv_nxt resets; one elsewhere in the
		 * window gets a challenge ACK; outside it, nothing. */
		if (g.seq == s->rcv_nxt) {
			s->tcp_state = TOE_TCP_CLOSED;
			sim_cancel(t->k, &c->delack_ev);
			sim_cancel(t->k, &c->rto_ev);
			sim_cancel(t->k, &c->persist_ev);
			t->ops.event(t->ops.ctx, t_ps, c->index, TOE_EV_RST, 0);
		} else if (ok) {
			send_ack(t, t_ps, c, TOE_SEG_ACK);
		}
		return TOE_RX_CONSUMED;
	}
	if (!ok) {
		/* Old data again is a duplicate; the rest is outside the window.
		 * Either way an ACK says where we are (RFC 9293 §3.10.7.4). */
		if (seg_len && tcp_seq_le(g.seq + seg_len, s->rcv_nxt))
			c->stats.dup_segs++;
		else
			c->stats.bad_segs++;
		send_ack(t, t_ps, c, TOE_SEG_ACK);
		return TOE_RX_CONSUMED;
	}
	/* PAWS (RFC 7323 §5.3): a timestamp older than ts_recent is an old
	 * duplicate. */
	if (s->has_timestamps && g.has_ts && tcp_seq_lt(g.tsval, s->ts_recent)) {
		c->stats.dup_segs++;
		send_ack(t, t_ps, c, TOE_SEG_ACK);
		return TOE_RX_CONSUMED;
	}
	if (g.flags & TCP_FLAG_SYN) {
		/* An in-window SYN on an established connection: the host's to
		 * handle (docs/toe.md [WDK-toe]: upload, InvalidState); RFC 5961 §4 answers
		 * it with a challenge ACK meanwhile. */
		ask_upload(t, t_ps, c, TOE_UP_INVALID_STATE);
		send_ack(t, t_ps, c, TOE_SEG_ACK);
		return TOE_RX_CONSUMED;
	}
	if (!(g.flags & TCP_FLAG_ACK))
		return TOE_RX_CONSUMED;   /* RFC 9293: a segment without ACK is dropped */
	/* RFC 7323 §4.3 (2): TS.Recent from the segment that holds
	 * Last.ACK.sent, so a delayed ACK echoes the earliest segment it
	 * acknowledges. */
	if (s->has_timestamps && g.has_ts && tcp_seq_le(g.seq, c->last_ack_sent) &&
	    (tcp_seq_lt(c->last_ack_sent, g.seq + seg_len) || (!seg_len && g.seq == c->last_ack_sent)))
		s->ts_recent = g.tsval;
	if (!take_ack(t, t_ps, c, &g))
		return TOE_RX_CONSUMED;
	if (g.flags & TCP_FLAG_URG) {
		/* Urgent data (docs/toe.md [WDK-upload]): validated above; ask for upload, stop
		 * ACKing, hold this and every later byte for the host. */
		ask_upload(t, t_ps, c, TOE_UP_URGENT);
		c->is_urgent_hold = true;
		sim_cancel(t->k, &c->delack_ev);
	}
	if (c->is_urgent_hold) {
		if (seg_len && !ooo_keep(t, c, g.seq, g.data, g.len, (g.flags & TCP_FLAG_FIN) != 0))
			c->stats.ooo_dropped++;
		return TOE_RX_CONSUMED;
	}
	if (seg_len) {
		if (tcp_seq_le(g.seq, s->rcv_nxt)) {
			bool had_hole = c->ooo != NULL;
			bool filled = deliver(t, t_ps, c, &g);
			if (g.len >= c->mss)
				c->segs_unacked++;
			c->is_ack_owed = true;
			/* RFC 5681 §4.2: at once when a segment fills (part of) a gap;
			 * a FIN at once too. Otherwise every ack_every_segs full-sized
			 * segments, or the delayed-ACK timer (RFC 1122 §4.2.3.2). */
			bool now = had_hole || filled || (g.flags & TCP_FLAG_FIN) ||
				   c->segs_unacked >= t->cfg.ack_every_segs;
			output(t, t_ps, c);   /* data going out carries the ACK */
			if (c->is_ack_owed) {
				if (now)
					send_ack(t, t_ps, c, TOE_SEG_ACK);
				else if (!sim_event_is_pending(&c->delack_ev))
					sim_schedule_in(t->k, &c->delack_ev, us_to_ps(t->cfg.delack_us));
			}
		} else {
			/* Out of order: keep it (RFC 1122 §4.2.2.20) and say at once
			 * what is missing (RFC 5681 §4.2: a duplicate ACK). */
			if (ooo_keep(t, c, g.seq, g.data, g.len, (g.flags & TCP_FLAG_FIN) != 0)) {
				c->stats.ooo_segs++;
				c->ooo_count++;
				if (t->cfg.ooo_upload_segs && c->ooo_count >= t->cfg.ooo_upload_segs)
					ask_upload(t, t_ps, c, TOE_UP_HIGH_OUT_OF_ORDER);
			} else {
				c->stats.ooo_dropped++;
			}
			send_ack(t, t_ps, c, TOE_SEG_ACK);
		}
	}
	output(t, t_ps, c);
	return TOE_RX_CONSUMED;
}

const struct toe_state *toe_conn_state(const struct toe *t, uint32_t conn) { return &t->conns[conn].st; }
const struct toe_conn_stats *toe_conn_stats(const struct toe *t, uint32_t conn) { return &t->conns[conn].stats; }
bool toe_conn_is_live(const struct toe *t, uint32_t conn) { return conn < t->cfg.conns && t->conns[conn].is_live; }
const struct toe_stats *toe_stats(const struct toe *t) { return &t->stats; }
uint32_t toe_conns_live(const struct toe *t) { return t->live; }
