/*
 * host/txstack.c — the host's sends rebuilt from the frames a capture shows
 * it sending (the rules are in host/txstack.h).
 *
 * Open sends live in a fixed table of TXSTACK_OPEN_MAX entries, found
 * through an open-addressing index (linear probing, backward-shift delete,
 * twice as many slots as entries so probes stay short) keyed by IP version,
 * addresses and ports. Each entry owns one packet record sized for 64 KiB of
 * payload plus headers: the first segment's headers and every payload are
 * copied into it, so the capture's records are only lent to us.
 *
 * The gap timer is one event per entry. It is not moved when a segment
 * joins (a cancel leaves a stale heap slot behind, one per segment): when it
 * fires early it is set again for last arrival + gap, so a send ends exactly
 * tx.coalesce_gap_us after its last segment at the cost of at most one
 * extra firing per gap.
 *
 * Invariant: an entry is in the index exactly when it holds a record; its
 * timer is pending exactly then.
 */
#include "host/txstack.h"

#include <stdlib.h>
#include <string.h>

#include "traces/flows.h"

#define TXSTACK_SLOTS (2u * TXSTACK_OPEN_MAX)   /* a power of two */
#define IP_LEN_FIELD_MAX 65535u                 /* IPv4 total length, IPv6 payload length: 16 bits */

const struct param_def tx_params[] = {
	{
		.key = "tx.lso", .type = PARAM_BOOL,
		.offset = offsetof(struct tx_cfg, is_lso), .unit = "",
		.defval = "true",
		.desc = "Large send offload (TSO): the host hands the driver up to 64 KiB of a TCP connection's data "
			"at once and the NIC cuts it into MSS-sized frames; off, every captured frame is a send of its own.",
		.source = "Intel 82599 and every 10 GbE NIC since offer TSO; Windows LSOv2 and Linux TSO are on by default",
	},
	{
		.key = "tx.csum", .type = PARAM_BOOL,
		.offset = offsetof(struct tx_cfg, is_csum), .unit = "",
		.defval = "true",
		.desc = "Transmit checksum insertion: the NIC fills in IPv4 header and TCP/UDP checksums; off, the host "
			"computes them in software.",
		.source = "checksum insertion is on by default in ixgbe and NDIS",
	},
	{
		.key = "tx.coalesce_gap_us", .type = PARAM_U32,
		.offset = offsetof(struct tx_cfg, coalesce_gap_us), .unit = "us",
		.defval = "20", .min = 0, .max = 1000000,
		.desc = "With tx.lso: the longest pause between a connection's captured segments that still counts "
			"them as one send; a send is handed on this long after its last segment.",
		.source = "choice: above one 1518-byte frame's time at 1 Gb/s (12.3 us), so a burst a TSO send became "
			  "on a gigabit wire stays one send",
	},
	{ .key = NULL },
};

const struct stat_def txstack_stat_defs[] = {
	STAT_DEF(struct txstack_stats, frames, "frames", "frames", "Frames the capture shows the host sending."),
	STAT_DEF(struct txstack_stats, sends, "sends", "sends", "Sends handed to the driver."),
	STAT_DEF(struct txstack_stats, coalesced_segments, "coalesced_segments", "frames",
		 "Segments that joined an open send (its first not counted)."),
	STAT_DEF(struct txstack_stats, superframes, "superframes", "frames",
		 "TCP frames longer than mac.mtu: TSO/GSO sends captured on the sending host, sent as they are."),
	STAT_DEF(struct txstack_stats, partial_csum, "partial_csum", "frames",
		 "Frames whose TCP/UDP checksum the capture shows unfinished (taken before the checksum offload)."),
	STAT_DEF(struct txstack_stats, end_psh, "end_psh", "sends", "Coalesced sends ended by a segment with PSH."),
	STAT_DEF(struct txstack_stats, end_fin, "end_fin", "sends", "Coalesced sends ended by a segment with FIN."),
	STAT_DEF(struct txstack_stats, end_max, "end_max", "sends",
		 "Coalesced sends ended because the next segment would pass 64 KiB (or the IP length field)."),
	STAT_DEF(struct txstack_stats, end_gap, "end_gap", "sends",
		 "Coalesced sends ended by tx.coalesce_gap_us without a segment."),
	STAT_DEF(struct txstack_stats, end_break, "end_break", "sends",
		 "Coalesced sends ended by a frame of their connection that did not continue them."),
	STAT_DEF(struct txstack_stats, end_table, "end_table", "sends",
		 "Coalesced sends ended to make room in the full table of open sends."),
	STAT_DEF(struct txstack_stats, end_flush, "end_flush", "sends", "Coalesced sends ended by the end of the trace."),
	{ NULL },
};

enum txstack_end { END_PSH, END_FIN, END_MAX, END_GAP, END_BREAK, END_TABLE, END_FLUSH };

struct txstack_open {
	struct txstack *s;
	struct sim_event gap_ev;
	struct pkt *pkt;               /* the send being built; NULL: the entry is free */
	struct flow_key key;
	uint32_t hash;
	struct tx_offload off;         /* from the first segment's parse */
	uint16_t l3_off, l4_off, hdr_bytes;   /* the first segment's offsets; hdr_bytes = payload_off */
	bool is_ipv6;
	bool is_l4_partial;            /* any segment's checksum unfinished */
	uint8_t flags_or;
	uint32_t payload_bytes, payload_max_bytes, mss_bytes, segments;
	uint32_t next_seq;
	uint64_t t_first_ps, t_last_ps;
	uint64_t open_order;           /* opening order: the oldest goes first when the table is full */
};

struct txstack {
	struct sim_kernel *k;
	/* The open sends' records, 64 KiB each, in a pool of their own: in the
	 * run's pool every record would grow to 64 KiB in time, and each
	 * received frame's bytes would then sit on a page of their own (a
	 * two-way capture ran 1.8 times slower so). */
	struct pkt_pool *send_pool;
	struct tx_cfg cfg;
	uint32_t mtu;
	uint64_t gap_ps;
	txstack_send_fn on_send;
	void *on_send_ctx;
	struct txstack_stats st;
	uint32_t n_open;
	uint64_t next_open_order;
	uint16_t slot[TXSTACK_SLOTS];  /* entry index + 1; 0: empty */
	struct txstack_open open[TXSTACK_OPEN_MAX];
};

/* ---- the index ---- */

static struct txstack_open *index_find(struct txstack *s, const struct flow_key *key, uint32_t h)
{
	for (uint32_t i = h & (TXSTACK_SLOTS - 1);; i = (i + 1) & (TXSTACK_SLOTS - 1)) {
		if (!s->slot[i])
			return NULL;   /* at most TXSTACK_OPEN_MAX of the slots are used: an empty one comes */
		struct txstack_open *e = &s->open[s->slot[i] - 1];
		if (e->hash == h && !memcmp(&e->key, key, sizeof *key))
			return e;
	}
}

static void index_insert(struct txstack *s, struct txstack_open *e)
{
	uint32_t i = e->hash & (TXSTACK_SLOTS - 1);
	while (s->slot[i])
		i = (i + 1) & (TXSTACK_SLOTS - 1);
	s->slot[i] = (uint16_t)(e - s->open + 1);
}

/* Backward-shift delete (Knuth 6.4 algorithm R): no tombstones, so a
 * lookup's probe never grows with the churn of connections. */
static void index_remove(struct txstack *s, struct txstack_open *e)
{
	uint16_t want = (uint16_t)(e - s->open + 1);
	uint32_t i = e->hash & (TXSTACK_SLOTS - 1);
	while (s->slot[i] != want)
		i = (i + 1) & (TXSTACK_SLOTS - 1);
	for (uint32_t j = (i + 1) & (TXSTACK_SLOTS - 1);; j = (j + 1) & (TXSTACK_SLOTS - 1)) {
		if (!s->slot[j])
			break;
		uint32_t home = s->open[s->slot[j] - 1].hash & (TXSTACK_SLOTS - 1);
		/* j's entry may fill the hole at i unless its home lies cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i] = 0;
}

/* ---- sends ---- */

static void send_hand_on(struct txstack *s, const struct tx_send *snd)
{
	s->st.sends++;
	if (s->on_send)
		s->on_send(s->on_send_ctx, snd);
}

/* Hand an open send on: its headers get the OR of its segments' flags and
 * the IP length of the whole send (the checksums stay as captured: the NIC,
 * or the host when tx.csum is off, inserts them). */
static void open_end(struct txstack *s, struct txstack_open *e, enum txstack_end why)
{
	static const size_t end_counter[] = {
		[END_PSH] = offsetof(struct txstack_stats, end_psh),
		[END_FIN] = offsetof(struct txstack_stats, end_fin),
		[END_MAX] = offsetof(struct txstack_stats, end_max),
		[END_GAP] = offsetof(struct txstack_stats, end_gap),
		[END_BREAK] = offsetof(struct txstack_stats, end_break),
		[END_TABLE] = offsetof(struct txstack_stats, end_table),
		[END_FLUSH] = offsetof(struct txstack_stats, end_flush),
	};
	(*(uint64_t *)(void *)((char *)&s->st + end_counter[why]))++;
	sim_cancel(s->k, &e->gap_ev);
	index_remove(s, e);
	s->n_open--;

	struct pkt *p = e->pkt;
	e->pkt = NULL;
	uint32_t len = e->hdr_bytes + e->payload_bytes;
	uint8_t *ip = p->data + e->l3_off;
	/* payload_max_bytes keeps both within 16 bits */
	uint32_t ip_len = len - e->l3_off - (e->is_ipv6 ? IPV6_HDR_BYTES : 0);
	ip[e->is_ipv6 ? 4 : 2] = (uint8_t)(ip_len >> 8);
	ip[e->is_ipv6 ? 5 : 3] = (uint8_t)ip_len;
	p->data[e->l4_off + 13] = e->flags_or;
	p->wire_len = p->cap_len = len;

	struct tx_send snd = {
		.pkt = p,
		.len = len,
		.off = e->off,
		.has_offload = true,
		.is_l4_partial = e->is_l4_partial,
		.segments = e->segments,
		.payload_bytes = e->payload_bytes,
		.t_first_ps = e->t_first_ps,
	};
	snd.off.mss = (uint16_t)e->mss_bytes;
	send_hand_on(s, &snd);
	pkt_release(p);
}

static void gap_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct txstack_open *e = arg;
	struct txstack *s = e->s;
	uint64_t due_ps = e->t_last_ps + s->gap_ps;
	if (sim_now_ps(k) < due_ps)
		sim_schedule_at(k, &e->gap_ev, due_ps);   /* segments came since it was set */
	else
		open_end(s, e, END_GAP);
}

/* The oldest open send (first opened): O(TXSTACK_OPEN_MAX), paid only when
 * the table is full or at the end. */
static struct txstack_open *open_oldest(struct txstack *s)
{
	struct txstack_open *old = NULL;
	for (uint32_t i = 0; i < TXSTACK_OPEN_MAX; i++) {
		struct txstack_open *e = &s->open[i];
		if (e->pkt && (!old || e->open_order < old->open_order))
			old = e;
	}
	return old;
}

/* Whether segment p repeats the open send's headers: link header, IP header
 * and TCP header byte for byte, but for what differs between the frames of
 * one TSO send or one connection's writes (IP lengths, identification and
 * checksum; sequence and acknowledgment numbers, flags, window, checksum,
 * urgent pointer). Options are compared whole, so a TCP timestamp that
 * moved ends the send, as it ends a TSO burst. */
static bool same_headers(const struct txstack_open *e, const struct pkt *p, const struct parse_result *pr)
{
	if (pr->l3_off != e->l3_off || pr->l4_off != e->l4_off || pr->payload_off != e->hdr_bytes)
		return false;
	const uint8_t *a = e->pkt->data, *b = p->data;
	if (memcmp(a, b, e->l3_off))
		return false;
	const uint8_t *ia = a + e->l3_off, *ib = b + e->l3_off;
	uint32_t l3_hdr = e->l4_off - e->l3_off;
	if (e->is_ipv6) {
		if (memcmp(ia, ib, 4) || memcmp(ia + 6, ib + 6, l3_hdr - 6))
			return false;
	} else {
		if (memcmp(ia, ib, 2) || memcmp(ia + 6, ib + 6, 4) || memcmp(ia + 12, ib + 12, l3_hdr - 12))
			return false;
	}
	const uint8_t *ta = a + e->l4_off, *tb = b + e->l4_off;
	uint32_t l4_hdr = e->hdr_bytes - e->l4_off;
	return !memcmp(ta, tb, 4) && ta[12] == tb[12] && !memcmp(ta + 20, tb + 20, l4_hdr - 20);
}

static uint32_t tcp_seq(const struct pkt *p, const struct parse_result *pr)
{
	return parse_be32(p->data + pr->l4_off + 4);   /* RFC 9293 §3.1 */
}

/* Open a send with segment p (whole, eligible). NULL when no record could
 * be had (memory exhausted): the caller sends the segment alone. */
static struct txstack_open *open_new(struct txstack *s, struct pkt *p, const struct parse_result *pr,
				     const struct tx_offload *off, const struct flow_key *key, uint32_t h, bool is_partial)
{
	if (s->n_open == TXSTACK_OPEN_MAX)
		open_end(s, open_oldest(s), END_TABLE);
	struct pkt *rec = pkt_alloc(s->send_pool, pr->payload_off + TSO_SEND_MAX_PAYLOAD);
	if (!rec)
		return NULL;
	struct txstack_open *e = NULL;
	for (uint32_t i = 0; i < TXSTACK_OPEN_MAX && !e; i++)
		if (!s->open[i].pkt)
			e = &s->open[i];
	sim_check(e != NULL, "txstack: a free entry after making room");
	/* the record stands for the send: its first segment's trace record and stage times */
	rec->record = p->record;
	rec->seq = p->seq;
	memcpy(rec->t_ps, p->t_ps, sizeof rec->t_ps);
	memcpy(rec->data, p->data, pr->payload_off + pr->payload_len);

	uint32_t hdr_ip = pr->payload_off - pr->l3_off - (pr->l3 == PARSE_L3_IPV6 ? IPV6_HDR_BYTES : 0);
	uint32_t room = IP_LEN_FIELD_MAX - hdr_ip;   /* from_parse keeps headers under TSO_HDR_MAX */
	*e = (struct txstack_open){
		.s = s,
		.pkt = rec,
		.hash = h,
		.off = *off,
		.l3_off = pr->l3_off,
		.l4_off = pr->l4_off,
		.hdr_bytes = pr->payload_off,
		.is_ipv6 = pr->l3 == PARSE_L3_IPV6,
		.is_l4_partial = is_partial,
		.flags_or = pr->tcp_flags,
		.payload_bytes = pr->payload_len,
		.payload_max_bytes = room < TSO_SEND_MAX_PAYLOAD ? room : TSO_SEND_MAX_PAYLOAD,
		.mss_bytes = pr->payload_len,
		.segments = 1,
		.next_seq = tcp_seq(p, pr) + pr->payload_len,
		.t_first_ps = sim_now_ps(s->k),
		.t_last_ps = sim_now_ps(s->k),
		.open_order = s->next_open_order++,
	};
	e->key = *key;
	sim_event_init(&e->gap_ev, "txstack.gap", SIM_PRIO_HOST, gap_fire, e);
	sim_schedule_at(s->k, &e->gap_ev, e->t_last_ps + s->gap_ps);
	index_insert(s, e);
	s->n_open++;
	return e;
}

static void open_append(struct txstack *s, struct txstack_open *e, const struct pkt *p,
			const struct parse_result *pr, bool is_partial)
{
	memcpy(e->pkt->data + e->hdr_bytes + e->payload_bytes, p->data + pr->payload_off, pr->payload_len);
	e->payload_bytes += pr->payload_len;
	if (pr->payload_len > e->mss_bytes)
		e->mss_bytes = pr->payload_len;
	e->segments++;
	e->flags_or |= pr->tcp_flags;
	e->is_l4_partial |= is_partial;
	e->next_seq += pr->payload_len;
	e->t_last_ps = sim_now_ps(s->k);
	s->st.coalesced_segments++;
}

/* ---- the interface ---- */

int txstack_new(struct txstack **out, struct sim_kernel *k, const struct tx_cfg *cfg, uint32_t mtu, char *err,
		size_t err_len)
{
	*out = NULL;
	if (!k || !cfg) {
		snprintf(err, err_len, "txstack: no kernel or configuration");
		return -1;
	}
	/* 68: the smallest IPv4 MTU (RFC 791); a super-frame's MSS must stay positive */
	if (mtu < 68 || mtu > IP_LEN_FIELD_MAX) {
		snprintf(err, err_len, "mac.mtu: %u out of range 68..65535 for the transmit stack", mtu);
		return -1;
	}
	if (cfg->coalesce_gap_us > 1000000) {
		snprintf(err, err_len, "tx.coalesce_gap_us: %u above 1000000", cfg->coalesce_gap_us);
		return -1;
	}
	struct txstack *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_len, "txstack: out of memory");
		return -1;
	}
	s->k = k;
	s->send_pool = pkt_pool_new();
	if (!s->send_pool) {
		free(s);
		snprintf(err, err_len, "txstack: out of memory");
		return -1;
	}
	s->cfg = *cfg;
	s->mtu = mtu;
	s->gap_ps = (uint64_t)cfg->coalesce_gap_us * SIM_PS_PER_US;
	*out = s;
	return 0;
}

void txstack_free(struct txstack *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < TXSTACK_OPEN_MAX; i++)
		if (s->open[i].pkt) {
			sim_cancel(s->k, &s->open[i].gap_ev);
			pkt_release(s->open[i].pkt);
		}
	/* Free it after whoever kept the sends (the driver) let them go. */
	pkt_pool_free(s->send_pool);
	free(s);
}

uint64_t txstack_records_in_use(const struct txstack *s) { return pkt_pool_in_use(s->send_pool); }

void txstack_on_send(struct txstack *s, txstack_send_fn fn, void *ctx)
{
	s->on_send = fn;
	s->on_send_ctx = ctx;
}

void txstack_frame(struct txstack *s, struct pkt *p, const struct parse_result *pr)
{
	s->st.frames++;
	bool is_partial = tx_csum_is_partial(p->data, p->cap_len, pr);
	if (is_partial)
		s->st.partial_csum++;
	struct tx_offload off = { 0 };
	bool is_parsed = pr->status == PARSE_OK && tx_offload_from_parse(pr, &off);
	bool is_whole = p->cap_len >= p->wire_len && (uint32_t)pr->payload_off + pr->payload_len <= p->cap_len;
	bool is_super = pr->l4 == PARSE_L4_TCP && pr->l3 != PARSE_L3_NONE && !(pr->flags & PARSE_F_FRAG) &&
			pr->l3_len > s->mtu;
	uint8_t f = pr->tcp_flags;
	bool flags_join = (f & TCP_FLAG_ACK) && !(f & (TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_URG));
	uint64_t now_ps = sim_now_ps(s->k);

	/* The connection (the flow tables' key: flows_key_of zeroes what an
	 * IPv4 address leaves unused, so keys compare whole). */
	struct flow_key key;
	struct txstack_open *e = NULL;
	uint32_t h = 0;
	if (s->cfg.is_lso && pr->l4 == PARSE_L4_TCP && flows_key_of(pr, &key)) {
		h = flows_key_hash(&key);
		e = index_find(s, &key, h);
	}
	bool can_join = s->cfg.is_lso && is_parsed && off.l4 == PARSE_L4_TCP && is_whole && !is_super &&
			pr->payload_len > 0 && flags_join;

	if (e) {
		/* the timer ends a send at last + gap; this is for a frame that
		 * comes at a later instant before the timer's turn */
		if (now_ps - e->t_last_ps > s->gap_ps)
			open_end(s, e, END_GAP);
		else if (!can_join || tcp_seq(p, pr) != e->next_seq || !same_headers(e, p, pr))
			open_end(s, e, END_BREAK);
		else if (e->payload_bytes + pr->payload_len > e->payload_max_bytes)
			open_end(s, e, END_MAX);
		else {
			open_append(s, e, p, pr, is_partial);
			goto check_end;
		}
		e = NULL;
	}
	if (can_join) {
		e = open_new(s, p, pr, &off, &key, h, is_partial);
		if (e)
			goto check_end;
	}

	/* a send of its own, the frame as captured, up to its IP datagram's end */
	uint32_t len = p->cap_len;
	if (is_parsed && is_whole && (uint32_t)pr->l3_off + pr->l3_len < len)
		len = pr->l3_off + pr->l3_len;
	struct tx_send snd = {
		.pkt = p,
		.len = len,
		.has_offload = is_parsed && is_whole,
		.is_l4_partial = is_partial,
		.is_pure_ack = parse_is_bare_ack(pr),
		.segments = 1,
		.payload_bytes = pr->status == PARSE_OK && (pr->l4 == PARSE_L4_TCP || pr->l4 == PARSE_L4_UDP)
					 ? pr->payload_len : 0,
		.t_first_ps = now_ps,
	};
	if (is_parsed)
		snd.off = off;
	if (is_super) {
		s->st.superframes++;
		uint32_t hdr_bytes = (uint32_t)off.l3_len + off.l4_len;
		if (is_parsed && hdr_bytes < s->mtu)
			snd.off.mss = (uint16_t)(s->mtu - hdr_bytes);
	} else if (is_parsed && off.l4 == PARSE_L4_TCP) {
		snd.off.mss = (uint16_t)pr->payload_len;   /* within one frame of at most mtu bytes */
	}
	send_hand_on(s, &snd);
	return;

check_end:
	if (f & TCP_FLAG_FIN)
		open_end(s, e, END_FIN);
	else if (f & TCP_FLAG_PSH)
		open_end(s, e, END_PSH);
}

void txstack_flush(struct txstack *s)
{
	for (struct txstack_open *e; (e = open_oldest(s));)
		open_end(s, e, END_FLUSH);
}

const struct txstack_stats *txstack_stats(const struct txstack *s)
{
	return &s->st;
}
