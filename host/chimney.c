/*
 * host/chimney.c — the host's side of TCP Chimney (chimney.h, docs/toe.md).
 */
#include "host/chimney.h"

#include <stdlib.h>
#include <string.h>

#include "host/driver_priv.h"
#include "models/pkt/csum.h"
#include "sim/check.h"

const struct param_def chimney_params[] = {
	{
		.key = "toe.enable", .type = PARAM_BOOL, .offset = offsetof(struct chimney_cfg, enable), .unit = "",
		.defval = "false",
		.desc = "The NIC's TCP offload engine on, and the host offloading established connections to it (TCP Chimney).",
		.source = "Windows: Chimney off by default, in the OS and the adapter both (docs/toe.md [MS-policy], KB 951037)",
	},
	{
		.key = "toe.offload_after_bytes", .type = PARAM_U32,
		.offset = offsetof(struct chimney_cfg, offload_after_bytes), .unit = "bytes", .defval = "133120",
		.max = 1u << 31,
		.desc = "Payload bytes a connection carries (both ways) before the host offloads it; 0 at once.",
		.source = "130 KB, the commonly cited Automatic-mode threshold: [R] in docs/toe.md [MS-policy], not found in a primary "
			  "source, a design parameter",
	},
	{
		.key = "toe.track_conns", .type = PARAM_U32, .offset = offsetof(struct chimney_cfg, track_conns),
		.unit = "connections", .defval = "65536", .min = 16, .max = 1u << 24,
		.desc = "TCP connections the host's offload policy follows at once (its memory bound); beyond it, "
			"half-open ones are evicted, then new ones are not followed (counted).",
		.source = "choice: nicsim's bound, so a SYN flood keeps memory flat",
	},
	{
		.key = "toe.replay_hold_us", .type = PARAM_U32, .offset = offsetof(struct chimney_cfg, replay_hold_us),
		.unit = "us", .defval = "100", .min = 1, .max = 1000000,
		.desc = "The replay rule's patience: a peer frame whose ACK covers host data the engine has not put on "
			"the wire yet waits up to this long, then goes with its ACK lowered to what the wire shows "
			"(docs/toe.md).",
		.source = "choice: longer than the engine's frames take to leave a 10 Gb/s wire after an ACK opens "
			  "its window (a 64 KB burst: 53 us), shorter than an RTO",
	},
	{ 0 }
};

static const char *const inel_names[CHIM_INEL_COUNT] = {
	"no_handshake", "ip_options", "fragments", "urgent", "tcp_options", "vlan", "link", "ipv6_ext", "bad_checksum",
};
const char *chim_inel_name(enum chim_inel r) { return (unsigned)r < CHIM_INEL_COUNT ? inel_names[r] : "?"; }

const struct stat_def chimney_stat_defs[] = {
	STAT_DEF(struct chimney_stats, conns_tracked, "conns_tracked", "connections", "TCP connections the host followed."),
	STAT_DEF(struct chimney_stats, track_full, "track_full", "connections",
		 "Connections not followed: the table (toe.track_conns) was full of established ones."),
	STAT_DEF(struct chimney_stats, track_evicted, "track_evicted", "connections",
		 "Connections dropped from the table to make room: half-open, closed or ineligible ones."),
	STAT_DEF(struct chimney_stats, ipsec_frames, "ipsec_frames", "frames",
		 "AH/ESP frames: their connections stay on the host (docs/toe.md [MS-policy])."),
	STAT_DEF(struct chimney_stats, offloads, "offloads", "connections", "Offloads the host started."),
	STAT_DEF(struct chimney_stats, offloads_done, "offloads_done", "connections", "Offloads the engine completed."),
	STAT_DEF(struct chimney_stats, offloads_refused, "offloads_refused", "connections",
		 "Offloads the engine refused (its table full)."),
	STAT_DEF(struct chimney_stats, table_full, "table_full", "connections",
		 "Eligible connections not offloaded because every slot of the engine (TOE_CAPS) was in use."),
	STAT_DEF(struct chimney_stats, upload_reqs, "upload_reqs", "requests", "Uploads the engine asked for."),
	STAT_DEF(struct chimney_stats, uploads, "uploads", "connections", "Connections taken back by the host."),
	STAT_DEF(struct chimney_stats, held_frames, "held_frames", "frames",
		 "Frames of a connection being offloaded that reached the host, held and forwarded."),
	STAT_DEF(struct chimney_stats, forwarded_frames, "forwarded_frames", "frames", "Of them, forwarded to the engine."),
	STAT_DEF(struct chimney_stats, sends, "sends", "requests", "SEND requests posted to the engine."),
	STAT_DEF(struct chimney_stats, send_bytes, "send_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct chimney_stats, closes, "closes", "requests", "CLOSE requests (the host's FIN)."),
	STAT_DEF(struct chimney_stats, capture_acks_skipped, "capture_acks_skipped", "frames",
		 "The capture's pure ACKs from the host on offloaded connections: not replayed, the engine ACKs."),
	STAT_DEF(struct chimney_stats, capture_data_segs, "capture_data_segs", "frames",
		 "The capture's host data segments on offloaded connections, sent as SEND requests."),
	STAT_DEF(struct chimney_stats, rx_indicated_bytes, "rx_indicated_bytes", "bytes",
		 "Received bytes the engine indicated (copied by the host)."),
	STAT_DEF(struct chimney_stats, rx_placed_bytes, "rx_placed_bytes", "bytes",
		 "Received bytes placed in posted buffers (zero copy)."),
	STAT_DEF(struct chimney_stats, events, "events", "entries", "Event queue entries the host processed."),
	STAT_DEF(struct chimney_stats, replay_held, "replay_held", "frames",
		 "Peer frames the replay held until the engine had sent the data they acknowledge."),
	STAT_DEF(struct chimney_stats, replay_changed, "replay_changed", "frames",
		 "Peer frames whose ACK the replay lowered to what the engine had sent (docs/toe.md)."),
	STAT_DEF(struct chimney_stats, replay_dropped, "replay_dropped", "frames",
		 "Held pure ACKs the replay dropped: lowered, they would have acknowledged nothing new."),
	STAT_DEF(struct chimney_stats, replay_held_at_end, "replay_held_at_end", "frames",
		 "Of them, still held when the run ended (the engine never sent that data)."),
	STAT_DEF(struct chimney_stats, cycles_offload, "cycles_offload", "cycles", "Host cycles for offloads (cost.toe_offload_cycles)."),
	STAT_DEF(struct chimney_stats, cycles_upload, "cycles_upload", "cycles", "Host cycles for uploads (cost.toe_upload_cycles)."),
	STAT_DEF(struct chimney_stats, cycles_io, "cycles_io", "cycles",
		 "Host cycles per offloaded request completed (cost.toe_io_cycles)."),
	STAT_DEF(struct chimney_stats, cycles_copy, "cycles_copy", "cycles", "Host cycles copying indicated bytes."),
	{ 0 }
};

/* The host's view of a connection. */
enum chim_state {
	CS_FREE = 0,
	CS_HALF_OPEN,      /* a SYN seen, not both */
	CS_HOST,           /* established, the host's stack runs it */
	CS_INELIGIBLE,     /* the host's for good */
	CS_OFFLOADING,     /* OFFLOAD posted, not completed */
	CS_OFFLOADED,
	CS_UPLOADING,
	CS_DONE,           /* closed, or back from the engine: never offloaded again */
};

/* The host's buffers, nicsim's choices (docs/toe.md "fixed in the code"):
 * two posted receive buffers of 64 KB a connection, so one fills while the
 * host takes the other, each the unscaled TCP window (RFC 9293 §3.1); a send
 * request of at most 16 KB, and buffers that start at that and double; an
 * 8 MiB arena for send data and forwarded frames, a ring that takes 6.7 ms
 * to wrap at 10 Gb/s, where the NIC reads a command's bytes within
 * microseconds; a 1 MiB indication area (16 windows); 4096 event entries a
 * queue, more than a DPC's budget of events between two flushes. */
#define CHIM_POST_BYTES 65536u
#define CHIM_POSTS 2u
#define CHIM_SEND_CHUNK 16384u
#define CHIM_BUF_FIRST 16384u
#define CHIM_ARENA_BYTES (8u << 20)
#define CHIM_EQ_ENTRIES 4096u
#define CHIM_IND_BYTES (1u << 20)

struct chim_conn {
	uint8_t state;             /* enum chim_state */
	bool is_ipv6;
	uint8_t local_ip[16], remote_ip[16];
	uint16_t lport, rport;
	uint8_t local_mac[6], remote_mac[6];
	bool has_syn_peer, has_syn_host;
	uint16_t mss_peer;
	uint8_t ws_peer, ws_host;
	bool has_ws_peer, has_ws_host, has_ts_peer, has_ts_host, has_sack_peer, has_sack_host;
	bool has_fin;
	uint8_t ttl, tos;
	uint32_t rcv_nxt, snd_max, snd_una;
	uint32_t peer_seq, peer_wnd, host_wnd;
	uint32_t ts_recent, host_tsval;
	uint64_t t_host_ts_ps;
	uint64_t bytes;
	uint32_t rss_hash;
	int32_t id;                /* offload id, -1 */
	uint32_t slot;             /* its slot while offloaded */
	int32_t hash_next;
	/* during the handoff: the frames the host received, held */
	struct pkt_list held;
	/* the host's sent and unacknowledged bytes, [ua_seq, ua_seq + ua_len),
	 * kept once the connection nears the offload threshold: they go with
	 * the state block, so a sender can be offloaded mid-stream */
	uint8_t *ua;
	uint32_t ua_seq, ua_len, ua_cap;
	bool is_ua_valid;
	/* sends not yet posted (waiting for the handoff, or for the engine's room) */
	uint8_t *backlog;
	uint32_t bl_len, bl_cap;
	bool is_close_due;
	bool is_table_full_counted;
	uint32_t post_rot;         /* which posted buffer completes next */
	uint64_t posted, acked;    /* send bytes posted to / acknowledged by the engine */
	/* the replay rule: what the wire has shown of the host's side, and the
	 * peer frames held for it */
	uint32_t wire_snd_max;     /* without holes */
	bool has_wire, has_island;
	uint32_t island_start, island_end;
	uint32_t peer_ack_sent;    /* the highest ACK of the peer's frames let through */
	bool has_peer_ack;
	uint64_t rp_head_t;        /* when the first held frame became first */
	struct sim_event rp_ev;    /* its patience runs out */
	struct pkt_list rp_held;
	int32_t rec;               /* its record (chimney_rec), -1 */
	int32_t dirty_next;
};

struct chimney {
	struct chimney_cfg cfg;
	struct chimney_stats st;
	struct sim_kernel *k;
	uint32_t snd_buf;          /* what the engine holds of a connection's sends (TOE_SNDBUF) */
	struct chim_conn *conns;
	int32_t *hash_head;
	uint32_t hash_mask;
	uint32_t *free_list, n_free;
	uint32_t evict_cursor;
	uint32_t *slot_free, n_slot_free;   /* the engine's slots: state blocks, posted buffers */
	int32_t *id_conn;          /* offload id (one per offload, never reused) -> connection, -1 when over */
	uint32_t n_ids, cap_ids;
	uint64_t state_addr;       /* caps state blocks */
	uint8_t *state_mem;
	uint64_t arena_addr;
	uint8_t *arena;
	uint32_t arena_off;
	uint64_t post_addr;        /* caps x CHIM_POSTS buffers, not backed (zero copy lands there) */
	uint64_t ind_addr;
	uint8_t **eq_mem;          /* per queue */
	uint64_t *eq_addr;
	uint32_t *eq_head, *eq_acked;
	struct chimney_rec *recs;
	uint32_t n_recs, cap_recs;
	chimney_release_fn release;
	void *release_ctx;
	int32_t dirty;             /* connections with replay frames to look at */
	uint32_t n_engine;         /* connections being offloaded, offloaded or being uploaded */
	struct driver *drv;
	struct sim_event release_ev;
};


static int32_t lookup(const struct chimney *c, bool is_ipv6, const uint8_t *l, const uint8_t *r, uint16_t lp,
		      uint16_t rp)
{
	size_t n = is_ipv6 ? 16 : 4;
	for (int32_t i = c->hash_head[parse_tuple_hash(is_ipv6, l, r, lp, rp) & c->hash_mask]; i >= 0; i = c->conns[i].hash_next) {
		const struct chim_conn *x = &c->conns[i];
		if (x->is_ipv6 == is_ipv6 && x->lport == lp && x->rport == rp && !memcmp(x->local_ip, l, n) &&
		    !memcmp(x->remote_ip, r, n))
			return i;
	}
	return -1;
}

static void unlink_conn(struct chimney *c, int32_t i)
{
	struct chim_conn *x = &c->conns[i];
	sim_cancel(c->k, &x->rp_ev);
	int32_t *p = &c->hash_head[parse_tuple_hash(x->is_ipv6, x->local_ip, x->remote_ip, x->lport, x->rport) & c->hash_mask];
	while (*p >= 0 && *p != i)
		p = &c->conns[*p].hash_next;
	if (*p == i)
		*p = x->hash_next;
	free(x->backlog);
	free(x->ua);
	memset(x, 0, sizeof *x);
	c->free_list[c->n_free++] = (uint32_t)i;
}

static void rp_fire(struct sim_kernel *k, struct sim_event *ev, void *arg);

/* A slot for a new connection: a free one, else a half-open one evicted
 * (a clock hand over the table), else none. */
static int32_t new_conn(struct chimney *c)
{
	if (!c->n_free) {
		uint32_t n = c->cfg.track_conns;
		for (uint32_t k = 0; k < 64 && !c->n_free; k++) {
			uint32_t i = c->evict_cursor++ % n;
			uint8_t s = c->conns[i].state;
			if (s == CS_HALF_OPEN || s == CS_DONE || s == CS_INELIGIBLE) {
				c->st.track_evicted++;
				unlink_conn(c, (int32_t)i);
			}
		}
		if (!c->n_free) {
			c->st.track_full++;
			return -1;
		}
	}
	int32_t i = (int32_t)c->free_list[--c->n_free];
	memset(&c->conns[i], 0, sizeof c->conns[i]);
	c->conns[i].id = -1;
	c->conns[i].rec = -1;
	c->conns[i].dirty_next = -2;
	sim_event_init(&c->conns[i].rp_ev, "chimney.replay_hold", SIM_PRIO_WIRE, rp_fire, c->drv);
	return i;
}

static void insert_conn(struct chimney *c, int32_t i)
{
	struct chim_conn *x = &c->conns[i];
	uint32_t b = parse_tuple_hash(x->is_ipv6, x->local_ip, x->remote_ip, x->lport, x->rport) & c->hash_mask;
	x->hash_next = c->hash_head[b];
	c->hash_head[b] = i;
	c->st.conns_tracked++;
}

static void set_ineligible(struct chimney *c, struct chim_conn *x, enum chim_inel r)
{
	if (x->state == CS_INELIGIBLE || x->state >= CS_OFFLOADING)
		return;
	x->state = CS_INELIGIBLE;
	c->st.ineligible[r]++;
}

/* The connection a frame belongs to, from the host's side (is_rx: the
 * peer sent it); created at a SYN. */
static int32_t conn_of(struct driver *d, const struct parse_result *pr, bool is_rx, bool may_create)
{
	struct chimney *c = d->chim;
	bool v6 = pr->l3 == PARSE_L3_IPV6;
	const uint8_t *l = is_rx ? pr->dst : pr->src, *r = is_rx ? pr->src : pr->dst;
	uint16_t lp = is_rx ? pr->dport : pr->sport, rp = is_rx ? pr->sport : pr->dport;
	int32_t i = lookup(c, v6, l, r, lp, rp);
	if (i >= 0 || !may_create)
		return i;
	if ((i = new_conn(c)) < 0)
		return -1;
	struct chim_conn *x = &c->conns[i];
	x->is_ipv6 = v6;
	memcpy(x->local_ip, l, v6 ? 16 : 4);
	memcpy(x->remote_ip, r, v6 ? 16 : 4);
	x->lport = lp;
	x->rport = rp;
	x->state = CS_HALF_OPEN;
	insert_conn(c, i);
	if (!(pr->tcp_flags & TCP_FLAG_SYN))
		set_ineligible(c, x, CHIM_INEL_NO_HANDSHAKE);
	return i;
}

/* Room for need bytes in *buf (capacity *cap, doubling from CHIM_BUF_FIRST). */
static bool grow(uint8_t **buf, uint32_t *cap, uint32_t need)
{
	if (need <= *cap)
		return true;
	uint32_t n = *cap ? *cap : CHIM_BUF_FIRST;
	while (n < need)
		n *= 2;
	uint8_t *nb = realloc(*buf, n);
	if (!nb)
		return false;
	*buf = nb;
	*cap = n;
	return true;
}

/* The host's payload past snd_una, from its first byte (or any moment
 * nothing is in flight) while the connection is the host's: what an
 * offload hands over with the state. A copy that cannot be kept whole (a
 * gap, more than the engine would hold) is given up: such a sender waits
 * until the peer has acknowledged all. The buffer goes when it empties. */
static void keep_unacked(struct chimney *c, struct chim_conn *x, const uint8_t *f, uint32_t cap_len,
			 const struct parse_result *pr, uint32_t seq)
{
	uint32_t len = pr->payload_len;
	if (!len || x->state != CS_HOST)
		return;
	if (!x->is_ua_valid) {
		if (seq != x->snd_max || x->snd_una != x->snd_max)
			return;   /* start where nothing is in flight */
		x->is_ua_valid = true;
		x->ua_seq = seq;
		x->ua_len = 0;
	}
	uint32_t end = x->ua_seq + x->ua_len;
	if (tcp_seq_le(seq + len, end))
		return;   /* the capture's retransmission */
	if (seq != end || x->ua_len + len > c->snd_buf || pr->payload_off + len > cap_len) {
		x->is_ua_valid = false;
		return;
	}
	if (!grow(&x->ua, &x->ua_cap, x->ua_len + len)) {
		x->is_ua_valid = false;
		return;
	}
	memcpy(x->ua + x->ua_len, f + pr->payload_off, len);
	x->ua_len += len;
}

/* What every frame of the connection says, either way. */
static void follow(struct driver *d, struct chim_conn *x, const uint8_t *f, uint32_t cap_len,
		   const struct parse_result *pr, bool is_rx, uint64_t now)
{
	struct chimney *c = d->chim;
	const uint8_t *tcp = f + pr->l4_off;
	uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4;
	uint32_t seq = parse_be32(tcp + 4), ack = parse_be32(tcp + 8), wnd = parse_be16(tcp + 14);
	uint8_t fl = pr->tcp_flags;
	struct tcp_opts o;
	tcp_opts_parse(tcp, doff, &o);
	if (d->link != PARSE_LINK_ETH)
		set_ineligible(c, x, CHIM_INEL_LINK);
	if (pr->flags & PARSE_F_IP_OPTIONS)
		set_ineligible(c, x, CHIM_INEL_IP_OPTIONS);
	if (pr->flags & PARSE_F_FRAG)
		set_ineligible(c, x, CHIM_INEL_FRAGMENTS);
	if (pr->flags & PARSE_F_IPV6_EXT)
		set_ineligible(c, x, CHIM_INEL_IPV6_EXT);
	if (pr->vlan_count)
		set_ineligible(c, x, CHIM_INEL_VLAN);
	if (fl & TCP_FLAG_URG)
		set_ineligible(c, x, CHIM_INEL_URGENT);
	if (o.is_unsupported)
		set_ineligible(c, x, CHIM_INEL_TCP_OPTIONS);
	if (fl & (TCP_FLAG_FIN | TCP_FLAG_RST))
		x->has_fin = true;
	uint32_t len = pr->payload_len + ((fl & TCP_FLAG_SYN) ? 1 : 0) + ((fl & TCP_FLAG_FIN) ? 1 : 0);
	x->bytes += pr->payload_len;
	if (is_rx) {
		if (d->link == PARSE_LINK_ETH)
			memcpy(x->remote_mac, f + 6, 6);
		if (fl & TCP_FLAG_SYN) {
			x->has_syn_peer = true;
			x->mss_peer = o.has_mss ? o.mss : 0;
			x->has_ws_peer = o.has_ws;
			x->ws_peer = o.ws;
			x->has_ts_peer = o.has_ts;
			x->has_sack_peer = o.has_sack_perm;
			x->rcv_nxt = seq;
		}
		if (!tcp_seq_lt(seq + len, x->rcv_nxt) || (fl & TCP_FLAG_SYN))
			x->rcv_nxt = seq + len;
		if (fl & TCP_FLAG_ACK && (!x->snd_una || tcp_seq_lt(x->snd_una, ack)))
			x->snd_una = ack;
		if (x->is_ua_valid && tcp_seq_lt(x->ua_seq, x->snd_una)) {
			uint32_t k = x->snd_una - x->ua_seq;
			if (k >= x->ua_len) {
				x->ua_len = 0;
				free(x->ua);
				x->ua = NULL;
				x->ua_cap = 0;
			} else {
				memmove(x->ua, x->ua + k, x->ua_len - k);
				x->ua_len -= k;
			}
			x->ua_seq = x->snd_una;
		}
		x->peer_seq = seq;
		x->peer_wnd = wnd;
		if (o.has_ts)
			x->ts_recent = o.tsval;
	} else {
		if (d->link == PARSE_LINK_ETH)
			memcpy(x->local_mac, f + 6, 6);
		const uint8_t *ip = f + pr->l3_off;
		x->ttl = x->is_ipv6 ? ip[7] : ip[8];
		x->tos = x->is_ipv6 ? (uint8_t)(parse_be16(ip) >> 4) : ip[1];
		if (fl & TCP_FLAG_SYN) {
			x->has_syn_host = true;
			x->has_ws_host = o.has_ws;
			x->ws_host = o.ws;
			x->has_ts_host = o.has_ts;
			x->has_sack_host = o.has_sack_perm;
			x->snd_max = seq;
			x->snd_una = seq;
		}
		keep_unacked(c, x, f, cap_len, pr, seq);
		if (tcp_seq_lt(x->snd_max, seq + len) || (fl & TCP_FLAG_SYN))
			x->snd_max = seq + len;
		x->host_wnd = wnd;
		if (o.has_ts) {
			x->host_tsval = o.tsval;
			x->t_host_ts_ps = now;
		}
	}
	if (x->state == CS_HALF_OPEN && x->has_syn_peer && x->has_syn_host)
		x->state = CS_HOST;
}

/* ---- handing over ---- */

static void cmd(struct driver *d, uint32_t op, uint32_t id, uint64_t addr, uint32_t len)
{
	uint64_t t = sim_now_ps(d->k);
	bus_reg_write(d->bus, t, NIC_REG_TOE_CMD_ADDRL, (uint32_t)addr);
	bus_reg_write(d->bus, t, NIC_REG_TOE_CMD_ADDRH, (uint32_t)(addr >> 32));
	bus_reg_write(d->bus, t, NIC_REG_TOE_CMD_LEN, len);
	bus_reg_write(d->bus, t, NIC_REG_TOE_CMD, op << NIC_TOE_CMD_SHIFT | id);
}

/* Bytes into the arena ring (the NIC reads them by DMA when their command
 * comes: long before the ring wraps, docs/toe.md). */
static void release_list(struct pkt_list *l)
{
	for (struct pkt *p; (p = pkt_list_pop(l));)
		pkt_release(p);
}

static uint64_t arena_put(struct chimney *c, const uint8_t *data, uint32_t len)
{
	if (c->arena_off + len > CHIM_ARENA_BYTES)
		c->arena_off = 0;
	memcpy(c->arena + c->arena_off, data, len);
	uint64_t a = c->arena_addr + c->arena_off;
	c->arena_off += (len + 63) & ~63u;
	return a;
}

/* A frame of the engine's connection the host received: to the engine. */
static void forward(struct driver *d, struct chim_conn *x, const struct pkt *p)
{
	struct chimney *c = d->chim;
	cmd(d, NIC_TOE_OP_FORWARD, (uint32_t)x->id, arena_put(c, p->data, p->cap_len), p->cap_len);
	c->st.forwarded_frames++;
}

/* The connection's k-th posted receive buffer. */
static uint64_t post_buf(const struct chimney *c, const struct chim_conn *x, uint32_t k)
{
	return c->post_addr + ((uint64_t)x->slot * CHIM_POSTS + k) * CHIM_POST_BYTES;
}

static void offload(struct driver *d, int32_t ci, uint64_t now)
{
	struct chimney *c = d->chim;
	struct chim_conn *x = &c->conns[ci];
	if (!c->n_slot_free) {
		if (!x->is_table_full_counted) {   /* once a connection: it is tried again when a slot frees */
			x->is_table_full_counted = true;
			c->st.table_full++;
		}
		return;
	}
	if (c->n_ids == c->cap_ids) {
		uint32_t cap = c->cap_ids ? c->cap_ids * 2 : 256;
		int32_t *ni = realloc(c->id_conn, (size_t)cap * sizeof *ni);
		sim_check(ni, "out of memory for the offload ids");
		c->id_conn = ni;
		c->cap_ids = cap;
	}
	sim_check(c->n_ids <= NIC_TOE_ID_MASK, "more offloads than the command's id field counts");
	uint32_t id = c->n_ids++;
	x->slot = c->slot_free[--c->n_slot_free];
	x->id = (int32_t)id;
	c->id_conn[id] = ci;
	struct toe_state s;
	memset(&s, 0, sizeof s);
	s.is_ipv6 = x->is_ipv6;
	memcpy(s.local_ip, x->local_ip, 16);
	memcpy(s.remote_ip, x->remote_ip, 16);
	s.local_port = x->lport;
	s.remote_port = x->rport;
	memcpy(s.local_mac, x->local_mac, 6);
	memcpy(s.remote_mac, x->remote_mac, 6);
	bool ws = x->has_ws_peer && x->has_ws_host;   /* RFC 7323 §2.2: both or neither */
	s.snd_wscale = ws ? x->ws_peer : 0;
	s.rcv_wscale = ws ? x->ws_host : 0;
	s.remote_mss = x->mss_peer ? x->mss_peer : (x->is_ipv6 ? 1220 : 536);   /* RFC 9293 §3.7.1 */
	s.has_timestamps = x->has_ts_peer && x->has_ts_host;
	s.has_sack = x->has_sack_peer && x->has_sack_host;
	s.rss_hash = x->rss_hash;
	s.path_mtu = (uint16_t)d->mtu;
	/* No host frame seen to copy the TTL from: 64, the default RFC 1700
	 * recommended (Linux's ip_default_ttl; Windows' DefaultTTL is 128). */
	s.ttl = x->ttl ? x->ttl : 64;
	s.tos = x->tos;
	uint32_t w = x->host_wnd << s.rcv_wscale;
	s.rcv_wnd_max = w > 65535 ? w : 65535;
	s.is_nagle = true;
	s.tcp_state = TOE_TCP_ESTABLISHED;
	s.rcv_nxt = x->rcv_nxt;
	s.rcv_wnd = s.rcv_wnd_max;
	s.snd_una = x->snd_una;
	s.snd_nxt = s.snd_max = x->snd_max;
	s.snd_wnd = s.max_snd_wnd = x->peer_wnd << s.snd_wscale;
	s.snd_wl1 = x->peer_seq;
	s.snd_wl2 = x->snd_una;
	/* The host's congestion state is not in the capture: the initial
	 * window of RFC 6928 (10 segments), no threshold yet. */
	s.cwnd = 10u * s.remote_mss;
	s.ssthresh = 0x3fffffffu;
	s.ts_recent = x->ts_recent;
	/* Keep the host's timestamp clock going: TSval = ms + offset (toe.h). */
	s.ts_offset = x->host_tsval + (uint32_t)((now - x->t_host_ts_ps) / SIM_PS_PER_MS) -
		      (uint32_t)(now / SIM_PS_PER_MS);
	/* The block goes in the arena, the bytes in flight after it; the slot's
	 * block is where the upload writes it back. */
	uint32_t flight = x->snd_max - x->snd_una;
	sim_check(flight <= CHIM_ARENA_BYTES / 2, "an offload's bytes in flight beyond the arena");
	if (c->arena_off + sizeof s + flight > CHIM_ARENA_BYTES)
		c->arena_off = 0;
	uint64_t addr = c->arena_addr + c->arena_off;
	memcpy(c->arena + c->arena_off, &s, sizeof s);
	if (flight)
		memcpy(c->arena + c->arena_off + sizeof s, x->ua, flight);
	c->arena_off += ((uint32_t)sizeof s + flight + 63) & ~63u;
	x->state = CS_OFFLOADING;
	c->n_engine++;
	x->acked = 0;
	c->st.offloads++;
	if (c->n_recs == c->cap_recs) {
		uint32_t cap = c->cap_recs ? c->cap_recs * 2 : 64;
		struct chimney_rec *nr = realloc(c->recs, (size_t)cap * sizeof *nr);
		sim_check(nr, "out of memory for the offload records");
		c->recs = nr;
		c->cap_recs = cap;
	}
	struct chimney_rec *rec = &c->recs[c->n_recs];
	memset(rec, 0, sizeof *rec);
	rec->id = id;
	rec->is_ipv6 = x->is_ipv6;
	memcpy(rec->local_ip, x->local_ip, 16);
	memcpy(rec->remote_ip, x->remote_ip, 16);
	rec->local_port = x->lport;
	rec->remote_port = x->rport;
	rec->t_offload_ps = now;
	x->rec = (int32_t)c->n_recs++;
	cmd(d, NIC_TOE_OP_OFFLOAD, id, addr, (uint32_t)sizeof s + flight);
	x->posted = flight;   /* the engine holds them: they count against its send buffer */
	x->is_ua_valid = false;
	x->ua_len = 0;
}

static bool is_eligible_now(const struct chimney *c, const struct chim_conn *x)
{
	bool is_flight_known = x->snd_una == x->snd_max ||
			       (x->is_ua_valid && x->ua_seq == x->snd_una && x->ua_seq + x->ua_len == x->snd_max);
	return x->state == CS_HOST && !x->has_fin && is_flight_known && x->bytes >= c->cfg.offload_after_bytes &&
	       x->remote_mac[0] | x->remote_mac[1] | x->remote_mac[2] | x->remote_mac[3] | x->remote_mac[4] | x->remote_mac[5];
}

/* Post what the engine has room for. */
static void post_sends(struct driver *d, struct chim_conn *x)
{
	struct chimney *c = d->chim;
	if (x->state != CS_OFFLOADED)
		return;
	uint32_t off = 0;
	while (off < x->bl_len) {
		uint64_t held = x->posted - x->acked;
		uint64_t room = held < (uint64_t)c->snd_buf ? c->snd_buf - held : 0;
		uint32_t n = x->bl_len - off;
		if (n > CHIM_SEND_CHUNK)
			n = CHIM_SEND_CHUNK;
		if (n > room)
			n = (uint32_t)room;
		if (!n)
			break;
		uint64_t a = arena_put(c, x->backlog + off, n);
		cmd(d, NIC_TOE_OP_SEND, (uint32_t)x->id, a, n);
		x->posted += n;
		off += n;
		c->st.sends++;
		c->st.send_bytes += n;
		if (x->rec >= 0)
			c->recs[x->rec].send_bytes += n;
	}
	if (off) {
		memmove(x->backlog, x->backlog + off, x->bl_len - off);
		x->bl_len -= off;
	}
	if (!x->bl_len && x->is_close_due) {
		x->is_close_due = false;
		cmd(d, NIC_TOE_OP_CLOSE, (uint32_t)x->id, 0, 0);
		c->st.closes++;
	}
}

static void replay_release_all(struct driver *d, struct chim_conn *x, uint64_t now);

/* The connection leaves the engine for good: its id and slot are free, and
 * the peer frames the replay held go. */
static void leave_engine(struct driver *d, struct chim_conn *x, uint64_t now)
{
	struct chimney *c = d->chim;
	if (x->id >= 0) {
		c->id_conn[x->id] = -1;
		c->slot_free[c->n_slot_free++] = x->slot;
		x->id = -1;
	}
	c->n_engine--;
	x->state = CS_DONE;
	replay_release_all(d, x, now);
}

/* Uploaded: the host's stack has it again. */
static void back_to_host(struct driver *d, struct chim_conn *x, uint64_t now)
{
	struct chimney *c = d->chim;
	if (x->rec >= 0)
		c->recs[x->rec].t_upload_ps = now;
	leave_engine(d, x, now);
}

/* ---- events ---- */

bool chimney_eq_pending(const struct driver *d, const struct drv_q *q)
{
	const struct chimney *c = d->chim;
	const struct nic_toe_eq_entry *e =
		(const void *)(c->eq_mem[q->index] + (size_t)(c->eq_head[q->index] % CHIM_EQ_ENTRIES) * NIC_TOE_EQ_ENTRY_BYTES);
	return e->seq == c->eq_head[q->index] + 1;
}

void chimney_eq_step(struct driver *d, struct drv_q *q, struct cost_charge *next)
{
	struct chimney *c = d->chim;
	uint32_t qi = q->index;
	struct nic_toe_eq_entry e;
	memcpy(&e, c->eq_mem[qi] + (size_t)(c->eq_head[qi] % CHIM_EQ_ENTRIES) * NIC_TOE_EQ_ENTRY_BYTES, sizeof e);
	c->eq_head[qi]++;
	c->st.events++;
	memset(next, 0, sizeof *next);
	uint64_t now = sim_now_ps(d->k);
	int32_t ci = e.id < c->n_ids ? c->id_conn[e.id] : -1;
	struct chim_conn *x = ci >= 0 ? &c->conns[ci] : NULL;
	next->cycles[COST_T_RX_DRIVER] = d->cost.rx_pkt_cycles;   /* reading the entry, as a descriptor */
	if (!x)
		return;
	/* A request completed (data indicated, a posted buffer, a send, a FIN)
	 * costs its post and completion (C_toe_io). */
	if (e.type == NIC_TOE_EV_RX_IND || e.type == NIC_TOE_EV_RX_DONE || e.type == NIC_TOE_EV_SEND_DONE ||
	    e.type == NIC_TOE_EV_FIN) {
		next->cycles[COST_T_TOE] += d->cost.toe_io_cycles;
		c->st.cycles_io += d->cost.toe_io_cycles;
	}
	switch (e.type) {
	case NIC_TOE_EV_OFFLOADED:
		if (e.arg) {   /* refused: the host keeps it, for good */
			c->st.offloads_refused++;
			release_list(&x->held);
			leave_engine(d, x, now);
			break;
		}
		c->st.offloads_done++;
		x->state = CS_OFFLOADED;
		next->cycles[COST_T_TOE] += d->cost.toe_offload_cycles;
		c->st.cycles_offload += d->cost.toe_offload_cycles;
		/* Frames that reached the host during the handoff, in order. */
		for (struct pkt *p; (p = pkt_list_pop(&x->held));) {
			forward(d, x, p);
			pkt_release(p);
		}
		for (uint32_t k = 0; k < CHIM_POSTS; k++)
			cmd(d, NIC_TOE_OP_POST, e.id, post_buf(c, x, k), CHIM_POST_BYTES);
		post_sends(d, x);
		break;
	case NIC_TOE_EV_RX_IND: {
		uint64_t copy = cost_per_byte(e.arg, d->cost.copy_mcyc_per_byte);
		next->cycles[COST_T_COPY_RX] += copy;
		c->st.cycles_copy += copy;
		c->st.rx_indicated_bytes += e.arg;
		cmd(d, NIC_TOE_OP_CREDIT, e.id, 0, e.arg);
		break;
	}
	case NIC_TOE_EV_RX_DONE: {
		/* A posted buffer completed: zero copy. The application takes it
		 * and posts it again. */
		c->st.rx_placed_bytes += e.arg;
		cmd(d, NIC_TOE_OP_CREDIT, e.id, 0, e.arg);
		cmd(d, NIC_TOE_OP_POST, e.id, post_buf(c, x, x->post_rot++ % CHIM_POSTS), CHIM_POST_BYTES);
		break;
	}
	case NIC_TOE_EV_SEND_DONE:
		x->acked += e.arg;
		post_sends(d, x);
		break;
	case NIC_TOE_EV_FIN:
		break;
	case NIC_TOE_EV_RST:
	case NIC_TOE_EV_UPLOAD_REQ:
		if (e.type == NIC_TOE_EV_UPLOAD_REQ) {
			c->st.upload_reqs++;
			if (x->rec >= 0)
				c->recs[x->rec].upload_reason = e.reason;
		}
		if (x->state == CS_OFFLOADED) {
			x->state = CS_UPLOADING;
			cmd(d, NIC_TOE_OP_UPLOAD, e.id, c->state_addr + (uint64_t)x->slot * sizeof(struct toe_state),
			    sizeof(struct toe_state));
		}
		break;
	case NIC_TOE_EV_UPLOADED: {
		struct toe_state s;
		memcpy(&s, c->state_mem + (size_t)x->slot * sizeof s, sizeof s);
		x->rcv_nxt = s.rcv_nxt;
		x->snd_una = s.snd_una;
		x->snd_max = s.snd_max;
		next->cycles[COST_T_TOE] += d->cost.toe_upload_cycles;
		c->st.cycles_upload += d->cost.toe_upload_cycles;
		c->st.uploads++;
		back_to_host(d, x, now);
		break;
	}
	default: break;
	}
}

void chimney_eq_flush(struct driver *d, struct drv_q *q, uint64_t now)
{
	struct chimney *c = d->chim;
	if (c->eq_acked[q->index] != c->eq_head[q->index]) {
		c->eq_acked[q->index] = c->eq_head[q->index];
		bus_reg_write(d->bus, now, NIC_REG_TOE_EQ(q->index) + NIC_TOE_EQH, c->eq_head[q->index]);
	}
}

/* ---- the host's receive and send paths ---- */

bool chimney_rx_keeps(const struct driver *d, const struct parse_result *pr)
{
	const struct chimney *c = d->chim;
	if (pr->l4 != PARSE_L4_TCP || !(pr->flags & PARSE_F_HAS_PORTS) || pr->status != PARSE_OK || !c->n_engine)
		return false;
	bool v6 = pr->l3 == PARSE_L3_IPV6;
	int32_t i = lookup(c, v6, pr->dst, pr->src, pr->dport, pr->sport);
	if (i < 0)
		return false;
	uint8_t st = c->conns[i].state;
	return st == CS_OFFLOADING || st == CS_OFFLOADED || st == CS_UPLOADING;
}

void chimney_rx(struct driver *d, struct pkt *p, const struct parse_result *pr, bool has_hash, uint32_t hash,
		bool is_l4_bad)
{
	struct chimney *c = d->chim;
	if (pr->ip_proto == IPPROTO_ESP_ || pr->ip_proto == IPPROTO_AH_)
		c->st.ipsec_frames++;
	if (pr->l4 != PARSE_L4_TCP || !(pr->flags & PARSE_F_HAS_PORTS) || pr->status != PARSE_OK)
		return;
	int32_t ci = conn_of(d, pr, true, true);
	if (ci < 0)
		return;
	struct chim_conn *x = &c->conns[ci];
	uint64_t now = sim_now_ps(d->k);
	if (x->state == CS_OFFLOADING) {   /* the handoff: hold it, forward it when done */
		pkt_list_push(&x->held, pkt_ref(p));
		c->st.held_frames++;
		return;
	}
	if (x->state == CS_OFFLOADED && (pr->flags & (PARSE_F_FRAG | PARSE_F_IP_OPTIONS)))
		return;   /* the engine left it to the host and asked for upload: TCP resends it after */
	if (x->state == CS_OFFLOADED) {
		/* It reached the host's ring before the engine held the
		 * connection: the engine's. */
		forward(d, x, p);
		return;
	}
	if (x->state == CS_UPLOADING)
		return;   /* counted in the engine's state handed back: the host's stack resumes from it */
	if (has_hash)
		x->rss_hash = hash;
	follow(d, x, p->data, p->cap_len, pr, true, now);
	if (is_l4_bad)
		set_ineligible(c, x, CHIM_INEL_BAD_CSUM);
	if (is_eligible_now(c, x))
		offload(d, ci, now);
}

bool chimney_host_send(struct driver *d, struct pkt *p, const struct parse_result *pr)
{
	struct chimney *c = d->chim;
	if (!c || pr->l4 != PARSE_L4_TCP || !(pr->flags & PARSE_F_HAS_PORTS) || pr->status != PARSE_OK)
		return false;
	int32_t ci = conn_of(d, pr, false, true);
	if (ci < 0)
		return false;
	struct chim_conn *x = &c->conns[ci];
	uint64_t now = sim_now_ps(d->k);
	if (x->state != CS_OFFLOADING && x->state != CS_OFFLOADED) {
		follow(d, x, p->data, p->cap_len, pr, false, now);
		return false;
	}
	struct chimney_rec *rec = x->rec >= 0 ? &c->recs[x->rec] : NULL;
	uint8_t fl = pr->tcp_flags;
	uint32_t len = pr->payload_len;
	if (pr->payload_off + len > p->cap_len)
		len = p->cap_len > pr->payload_off ? p->cap_len - pr->payload_off : 0;
	driver_tx_book_base(d, p, pr);   /* the software path would have sent it */
	if (!len && !(fl & (TCP_FLAG_FIN | TCP_FLAG_RST | TCP_FLAG_SYN))) {
		c->st.capture_acks_skipped++;   /* the engine makes its own */
		if (rec)
			rec->capture_acks++;
		return true;
	}
	/* Only new data: the capture's own retransmissions are the engine's business now. */
	const uint8_t *tcp = p->data + pr->l4_off;
	uint32_t seq = parse_be32(tcp + 4), skip = 0;
	uint32_t next_seq = x->snd_max;
	if (tcp_seq_lt(seq, next_seq))
		skip = next_seq - seq < len ? next_seq - seq : len;
	if (len > skip) {
		uint32_t n = len - skip;
		sim_check(grow(&x->backlog, &x->bl_cap, x->bl_len + n), "out of memory for an offloaded connection's sends");
		memcpy(x->backlog + x->bl_len, p->data + pr->payload_off + skip, n);
		x->bl_len += n;
		x->snd_max += n;
	}
	if (len) {
		c->st.capture_data_segs++;
		if (rec)
			rec->capture_data_segs++;
	}
	if (fl & TCP_FLAG_FIN)
		x->is_close_due = true;
	post_sends(d, x);
	return true;
}

/* ---- the replay rule ---- */

void chimney_on_release(struct driver *d, chimney_release_fn fn, void *ctx)
{
	if (!d->chim)
		return;
	d->chim->release = fn;
	d->chim->release_ctx = ctx;
}

static uint32_t ack_of(const struct pkt *p, const struct parse_result *pr)
{
	return parse_be32(p->data + pr->l4_off + 8);
}

/* Lower a peer frame's ACK to what the wire has shown of the host's side,
 * its TCP checksum mended to match (RFC 1624), counted. */
static void clamp_ack(struct chimney *c, struct chim_conn *x, struct pkt *p, const struct parse_result *pr)
{
	uint8_t *tcp = p->data + pr->l4_off;
	uint32_t old = parse_be32(tcp + 8), nw = x->wire_snd_max;
	if (!tcp_seq_lt(nw, old))
		return;
	uint16_t cs = parse_be16(tcp + 16);
	cs = csum_update16(cs, (uint16_t)(old >> 16), (uint16_t)(nw >> 16));
	cs = csum_update16(cs, (uint16_t)old, (uint16_t)nw);
	parse_put_be32(tcp + 8, nw);
	parse_put_be16(tcp + 16, cs);
	c->st.replay_changed++;
	if (x->rec >= 0)
		c->recs[x->rec].replay_changed++;
}

/* Whether a peer frame goes now. Its ACK within what the wire has shown:
 * as it is. Beyond it: it waits, up to toe.replay_hold_us once it is the
 * first waiting, then goes with its ACK lowered to what the wire shows;
 * a pure ACK that, lowered, would acknowledge nothing new is dropped then
 * instead (it would be a duplicate ACK the capture's peer never sent). */
enum rp_verdict { RP_GO, RP_WAIT, RP_DROP };
static enum rp_verdict rp_judge(struct chimney *c, struct chim_conn *x, struct pkt *p, const struct parse_result *pr,
				bool is_patience_out)
{
	uint32_t ack = ack_of(p, pr);
	if (!(pr->tcp_flags & TCP_FLAG_ACK) || !x->has_wire || !tcp_seq_lt(x->wire_snd_max, ack)) {
		if ((pr->tcp_flags & TCP_FLAG_ACK) && (!x->has_peer_ack || tcp_seq_lt(x->peer_ack_sent, ack))) {
			x->peer_ack_sent = ack;
			x->has_peer_ack = true;
		}
		return RP_GO;
	}
	if (!is_patience_out)
		return RP_WAIT;
	bool is_pure = !pr->payload_len && !(pr->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST));
	if (is_pure && x->has_peer_ack && !tcp_seq_lt(x->peer_ack_sent, x->wire_snd_max))
		return RP_DROP;
	clamp_ack(c, x, p, pr);
	x->peer_ack_sent = x->wire_snd_max;
	x->has_peer_ack = true;
	return RP_GO;
}

bool chimney_hold_peer(struct driver *d, uint64_t t_ps, struct pkt *p)
{
	struct chimney *c = d->chim;
	if (!c->n_engine)
		return false;   /* no connection the rule applies to: no parse on the way in */
	struct parse_result pr;
	if (parse_frame(p->data, p->cap_len, p->wire_len, d->link, &pr) != PARSE_OK || pr.l4 != PARSE_L4_TCP ||
	    !(pr.flags & PARSE_F_HAS_PORTS))
		return false;
	int32_t ci = conn_of(d, &pr, true, false);
	if (ci < 0)
		return false;
	struct chim_conn *x = &c->conns[ci];
	if (x->state != CS_OFFLOADING && x->state != CS_OFFLOADED && x->state != CS_UPLOADING)
		return false;
	if (x->rec >= 0)
		c->recs[x->rec].capture_peer_bytes += pr.payload_len;
	/* In order: once one waits, those behind it wait too. */
	if (!x->rp_held.head && rp_judge(c, x, p, &pr, false) == RP_GO)
		return false;
	if (!x->rp_held.head) {
		x->rp_head_t = t_ps;
		sim_cancel(d->k, &x->rp_ev);
		sim_schedule_at(d->k, &x->rp_ev, t_ps + (uint64_t)c->cfg.replay_hold_us * SIM_PS_PER_US);
	}
	pkt_list_push(&x->rp_held, pkt_ref(p));
	c->st.replay_held++;
	if (x->rec >= 0)
		c->recs[x->rec].replay_held++;
	return true;
}

/* The held frames that may go now, in order (all of them, as they are,
 * when the connection is the host's again). */
static void release_conn(struct driver *d, struct chim_conn *x, uint64_t now, bool is_all)
{
	struct chimney *c = d->chim;
	uint64_t hold = (uint64_t)c->cfg.replay_hold_us * SIM_PS_PER_US;
	while (x->rp_held.head) {
		struct pkt *p = x->rp_held.head;
		struct parse_result pr;
		parse_frame(p->data, p->cap_len, p->wire_len, d->link, &pr);
		enum rp_verdict v = is_all ? RP_GO : rp_judge(c, x, p, &pr, now >= x->rp_head_t + hold);
		if (v == RP_WAIT)
			break;
		(void)pkt_list_pop(&x->rp_held);
		p->next = NULL;
		x->rp_head_t = now;
		if (v == RP_DROP) {
			c->st.replay_dropped++;
		} else if (c->release) {
			c->release(c->release_ctx, now, p);
		}
		pkt_release(p);
	}
	sim_cancel(d->k, &x->rp_ev);
	if (x->rp_held.head)
		sim_schedule_at(d->k, &x->rp_ev, x->rp_head_t + hold);
}

static void rp_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct driver *d = arg;
	struct chim_conn *x = (struct chim_conn *)(void *)((char *)ev - offsetof(struct chim_conn, rp_ev));
	release_conn(d, x, sim_now_ps(k), false);
}

static void replay_release_all(struct driver *d, struct chim_conn *x, uint64_t now)
{
	release_conn(d, x, now, true);
}

static void release_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct driver *d = arg;
	struct chimney *c = d->chim;
	uint64_t now = sim_now_ps(k);
	while (c->dirty >= 0) {
		struct chim_conn *x = &c->conns[c->dirty];
		c->dirty = x->dirty_next;
		x->dirty_next = -2;
		release_conn(d, x, now, false);
	}
}

void chimney_wire_frame(struct driver *d, uint64_t t_ps, const struct pkt *p)
{
	(void)t_ps;
	struct chimney *c = d->chim;
	struct parse_result pr;
	if (parse_frame(p->data, p->cap_len, p->wire_len, d->link, &pr) != PARSE_OK || pr.l4 != PARSE_L4_TCP ||
	    !(pr.flags & PARSE_F_HAS_PORTS))
		return;
	int32_t ci = conn_of(d, &pr, false, false);
	if (ci < 0)
		return;
	struct chim_conn *x = &c->conns[ci];
	const uint8_t *tcp = p->data + pr.l4_off;
	uint32_t seq = parse_be32(tcp + 4);
	uint32_t end = seq + pr.payload_len + ((pr.tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) ? 1 : 0);
	/* What the wire has shown of the host's side, without holes: the host's
	 * path may still send what was queued before the offload after the
	 * engine's newer frames, so one island beyond a hole is kept and joined
	 * when the hole fills. */
	if (!x->has_wire) {
		x->wire_snd_max = end;
		x->has_wire = true;
	} else if (!tcp_seq_lt(x->wire_snd_max, seq)) {
		if (tcp_seq_lt(x->wire_snd_max, end))
			x->wire_snd_max = end;
		if (x->has_island && !tcp_seq_lt(x->wire_snd_max, x->island_start)) {
			if (tcp_seq_lt(x->wire_snd_max, x->island_end))
				x->wire_snd_max = x->island_end;
			x->has_island = false;
		}
	} else if (!x->has_island) {
		x->has_island = true;
		x->island_start = seq;
		x->island_end = end;
	} else if (!tcp_seq_lt(x->island_end, seq)) {
		if (tcp_seq_lt(x->island_end, end))
			x->island_end = end;
	} else {
		x->island_start = seq;   /* a second hole: keep the newest island */
		x->island_end = end;
	}
	if (x->rp_held.head && x->dirty_next == -2) {
		x->dirty_next = c->dirty;
		c->dirty = ci;
		if (!sim_event_is_pending(&c->release_ev))
			sim_schedule_in(d->k, &c->release_ev, 0);
	}
}

/* ---- life cycle ---- */

int chimney_enable(struct driver *d, const struct chimney_cfg *cfg, char *err, size_t err_len)
{
	uint32_t caps = (uint32_t)bus_reg_read(d->bus, sim_now_ps(d->k), NIC_REG_TOE_CAPS);
	if (!caps) {
		snprintf(err, err_len, "toe.enable: the NIC reports no offload engine (TOE_CAPS 0)");
		return -1;
	}
	struct chimney *c = calloc(1, sizeof *c);
	if (!c)
		goto nomem;
	d->chim = c;
	c->cfg = *cfg;
	c->k = d->k;
	c->drv = d;
	c->snd_buf = (uint32_t)bus_reg_read(d->bus, sim_now_ps(d->k), NIC_REG_TOE_SNDBUF);
	c->dirty = -1;
	uint32_t n = cfg->track_conns, nh = 1;
	while (nh < n * 2)
		nh <<= 1;
	c->conns = calloc(n, sizeof *c->conns);
	c->hash_head = malloc(nh * sizeof *c->hash_head);
	c->free_list = malloc(n * sizeof *c->free_list);
	c->slot_free = malloc(caps * sizeof *c->slot_free);
	c->eq_mem = calloc(d->nq, sizeof *c->eq_mem);
	c->eq_addr = calloc(d->nq, sizeof *c->eq_addr);
	c->eq_head = calloc(d->nq, sizeof *c->eq_head);
	c->eq_acked = calloc(d->nq, sizeof *c->eq_acked);
	if (!c->conns || !c->hash_head || !c->free_list || !c->slot_free || !c->eq_mem || !c->eq_addr ||
	    !c->eq_head || !c->eq_acked)
		goto nomem;
	c->hash_mask = nh - 1;
	for (uint32_t i = 0; i < nh; i++)
		c->hash_head[i] = -1;
	for (uint32_t i = 0; i < n; i++)
		c->free_list[i] = n - 1 - i;
	c->n_free = n;
	for (uint32_t i = 0; i < caps; i++)
		c->slot_free[i] = caps - 1 - i;
	c->n_slot_free = caps;
	c->state_addr = hostmem_alloc(d->mem, (uint64_t)caps * sizeof(struct toe_state), true, NULL, NULL);
	c->arena_addr = hostmem_alloc(d->mem, CHIM_ARENA_BYTES, true, NULL, NULL);
	c->post_addr = hostmem_alloc(d->mem, (uint64_t)caps * CHIM_POSTS * CHIM_POST_BYTES, false, NULL, NULL);
	c->ind_addr = hostmem_alloc(d->mem, CHIM_IND_BYTES, false, NULL, NULL);
	if (!c->state_addr || !c->arena_addr || !c->post_addr || !c->ind_addr)
		goto nomem;
	c->state_mem = hostmem_ptr(d->mem, c->state_addr, (uint64_t)caps * sizeof(struct toe_state));
	c->arena = hostmem_ptr(d->mem, c->arena_addr, CHIM_ARENA_BYTES);
	for (uint32_t q = 0; q < d->nq; q++) {
		c->eq_addr[q] = hostmem_alloc(d->mem, (uint64_t)CHIM_EQ_ENTRIES * NIC_TOE_EQ_ENTRY_BYTES, true, NULL, NULL);
		if (!c->eq_addr[q])
			goto nomem;
		c->eq_mem[q] = hostmem_ptr(d->mem, c->eq_addr[q], (uint64_t)CHIM_EQ_ENTRIES * NIC_TOE_EQ_ENTRY_BYTES);
	}
	sim_event_init(&c->release_ev, "chimney.replay_release", SIM_PRIO_WIRE, release_fire, d);
	return 0;
nomem:
	snprintf(err, err_len, "toe: out of memory for the host's offload tables (toe.track_conns %u)", cfg->track_conns);
	return -1;
}

void chimney_start(struct driver *d)
{
	struct chimney *c = d->chim;
	uint64_t t = sim_now_ps(d->k);
	for (uint32_t q = 0; q < d->nq; q++) {
		bus_reg_write(d->bus, t, NIC_REG_TOE_EQ(q) + NIC_TOE_EQBAL, (uint32_t)c->eq_addr[q]);
		bus_reg_write(d->bus, t, NIC_REG_TOE_EQ(q) + NIC_TOE_EQBAH, (uint32_t)(c->eq_addr[q] >> 32));
		bus_reg_write(d->bus, t, NIC_REG_TOE_EQ(q) + NIC_TOE_EQLEN, CHIM_EQ_ENTRIES * NIC_TOE_EQ_ENTRY_BYTES);
	}
	bus_reg_write(d->bus, t, NIC_REG_TOE_INDL, (uint32_t)c->ind_addr);
	bus_reg_write(d->bus, t, NIC_REG_TOE_INDH, (uint32_t)(c->ind_addr >> 32));
	bus_reg_write(d->bus, t, NIC_REG_TOE_INDLEN, CHIM_IND_BYTES);
	bus_reg_write(d->bus, t, NIC_REG_TOE_CTL, NIC_TOE_CTL_EN);
}

void chimney_free(struct driver *d)
{
	struct chimney *c = d->chim;
	if (!c)
		return;
	sim_cancel(d->k, &c->release_ev);
	if (c->conns)
		for (uint32_t i = 0; i < c->cfg.track_conns; i++) {
			struct chim_conn *x = &c->conns[i];
			release_list(&x->held);
			release_list(&x->rp_held);   /* counted already (chimney_count_held) */
			free(x->backlog);
			free(x->ua);
		}
	free(c->conns);
	free(c->hash_head);
	free(c->free_list);
	free(c->slot_free);
	free(c->id_conn);
	free(c->eq_mem);
	free(c->eq_addr);
	free(c->eq_head);
	free(c->eq_acked);
	free(c->recs);
	free(c);
	d->chim = NULL;
}

/* Frames the replay rule still holds (the run's end: they count). */
void chimney_count_held(struct driver *d)
{
	struct chimney *c = d->chim;
	if (!c)
		return;
	c->st.replay_held_at_end = 0;
	for (uint32_t i = 0; i < c->cfg.track_conns; i++)
		for (struct pkt *p = c->conns[i].rp_held.head; p; p = p->next)
			c->st.replay_held_at_end++;
}

uint32_t chimney_recs(const struct driver *d) { return d->chim ? d->chim->n_recs : 0; }
const struct chimney_rec *chimney_rec(const struct driver *d, uint32_t i) { return &d->chim->recs[i]; }
const struct chimney_stats *chimney_stats(const struct driver *d) { return d->chim ? &d->chim->st : NULL; }
