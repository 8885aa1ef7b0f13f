#include "host/replay.h"

#include "models/pkt/tso.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/flows.h"

const struct param_def replay_params[] = {
	{
		.key = "replay.timing", .type = PARAM_ENUM,
		.offset = offsetof(struct replay_cfg, timing), .unit = "",
		.defval = "trace", .choices = "trace,scaled,linerate",
		.desc = "When frames reach the NIC: at capture time, at capture time divided by speed_pct/100, or back to back at line rate.",
		.source = "choice: capture time is what the trace recorded",
	},
	{
		.key = "replay.speed_pct", .type = PARAM_U32,
		.offset = offsetof(struct replay_cfg, speed_pct), .unit = "%",
		.defval = "100", .min = 1, .max = 1000000,
		.desc = "For timing=scaled: replay speed in percent of capture speed (200 = twice as fast).",
		.source = "choice",
	},
	{
		.key = "replay.loops", .type = PARAM_U32,
		.offset = offsetof(struct replay_cfg, loops), .unit = "passes",
		.defval = "1", .min = 1, .max = 1000000,
		.desc = "Replay the capture this many times, each pass shifted after the previous one.",
		.source = "choice: captures are small; loops give benchmarks and sweeps enough work",
	},
	{
		.key = "replay.gap_us", .type = PARAM_U32,
		.offset = offsetof(struct replay_cfg, gap_us), .unit = "us",
		.defval = "0", .max = 1000000000,
		.desc = "Idle time between passes.",
		.source = "choice",
	},
	{
		.key = "replay.max_gap_us", .type = PARAM_U32,
		.offset = offsetof(struct replay_cfg, max_gap_us), .unit = "us",
		.defval = "0", .max = 3600000000u,
		.desc = "Cut idle time: a frame later than every earlier one by more than this is put this long after the latest, and the frames after it keep their spacing (counted); 0 = off. Lets a capture that jumps forward by days or years fit in simulated time (106 days).",
		.source = "choice: off, the capture's time as it is",
	},
	{
		.key = "replay.resegment", .type = PARAM_BOOL,
		.offset = offsetof(struct replay_cfg, is_resegment), .unit = "",
		.defval = "true",
		.desc = "Cut a received TCP frame longer than mac.mtu allows (a GRO/LRO super-frame, from a capture on "
			"the receiving host) into the MSS-sized wire frames it arrived as, headers and checksums "
			"rebuilt, payload unchanged; off, the NIC drops such frames (drops.too_long).",
		.source = "choice: the replay puts on the wire what crossed it; GRO and LRO merge in the receiving host "
			  "(Linux net/core/gro.c), after the wire",
	},
	{ .key = NULL },
};

/* ---- host identity ---- */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static bool ip_eq(const uint8_t *a, const uint8_t *b, bool is_v6) { return !memcmp(a, b, is_v6 ? 16 : 4); }

static bool is_host_ip(const struct host_id *id, const uint8_t *addr, bool is_v6)
{
	for (uint32_t i = 0; i < id->n_ip; i++)
		if (id->ip_is_v6[i] == is_v6 && ip_eq(id->ip[i], addr, is_v6))
			return true;
	return false;
}

/* Per-address counts for detection: small open-addressing map. */
struct addr_count {
	uint8_t addr[16];
	uint8_t is_v6, used;
	uint64_t syns, flows, partial;   /* SYNs received, flows it is an end of, unfinished checksums it sent */
};

static struct addr_count *addr_slot(struct addr_count *t, uint32_t cap, const uint8_t *a, bool v6)
{
	uint32_t h = 2166136261u;   /* FNV-1a 32 (draft-eastlake-fnv §6.1.1: offset basis, prime) */
	for (int i = 0; i < (v6 ? 16 : 4); i++)
		h = (h ^ a[i]) * 16777619u;
	for (uint32_t i = 0; i < cap; i++) {
		struct addr_count *s = &t[(h + i) & (cap - 1)];
		if (!s->used) {
			s->used = 1;
			s->is_v6 = v6;
			memcpy(s->addr, a, v6 ? 16 : 4);
			return s;
		}
		if (s->is_v6 == v6 && ip_eq(s->addr, a, v6))
			return s;
	}
	return NULL; /* full: ignore further addresses */
}

/* The capture host: an end of the most flows; ties go to the address that
 * sent the most frames with unfinished checksums (a capture on the sending
 * host shows its own frames before checksum offload), then to the most SYNs
 * received, then to the lowest address. */
static bool better(const struct addr_count *a, const struct addr_count *b)
{
	if (a->flows != b->flows)
		return a->flows > b->flows;
	if (a->partial != b->partial)
		return a->partial > b->partial;
	if (a->syns != b->syns)
		return a->syns > b->syns;
	if (a->is_v6 != b->is_v6)
		return !a->is_v6;
	return memcmp(a->addr, b->addr, 16) < 0;
}

/* A group address (IPv4 multicast 224/4 or broadcast 255.255.255.255, IPv6
 * ff00::/8) is no station's: it can be an end of many flows (mDNS, SSDP)
 * and never the capture host. */
static bool is_group_addr(const uint8_t *a, bool v6)
{
	if (v6)
		return a[0] == 0xff;
	return (a[0] & 0xf0) == 0xe0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

int replay_host_id_parse(const char *cfg_ip, const char *cfg_mac, struct host_id *id, char *err, size_t err_len)
{
	memset(id, 0, sizeof *id);
	snprintf(id->how, sizeof id->how, "none");
	if (cfg_mac && strcmp(cfg_mac, "auto") != 0) {
		if (parse_mac(cfg_mac, id->mac)) {
			snprintf(err, err_len, "host.mac: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", cfg_mac);
			return -1;
		}
		id->has_mac = true;
		snprintf(id->how, sizeof id->how, "configured");
	}
	if (cfg_ip && strcmp(cfg_ip, "auto") != 0) {
		char buf[128];
		snprintf(buf, sizeof buf, "%s", cfg_ip);
		for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (id->n_ip == REPLAY_HOST_IPS_MAX) {
				snprintf(err, err_len, "host.ip: more than %d addresses", REPLAY_HOST_IPS_MAX);
				return -1;
			}
			uint8_t *a = id->ip[id->n_ip];
			if (inet_pton(AF_INET, tok, a) == 1) {
				id->ip_is_v6[id->n_ip++] = 0;
			} else if (inet_pton(AF_INET6, tok, a) == 1) {
				id->ip_is_v6[id->n_ip++] = 1;
			} else {
				snprintf(err, err_len, "host.ip: '%s' is not an IPv4 or IPv6 address", tok);
				return -1;
			}
		}
		snprintf(id->how, sizeof id->how, "configured");
	}
	return 0;
}

/* Direction of a parsed frame: 1 RX (to host), 0 TX (from host), -1 foreign.
 * Once a frame, on the replay's hot path. */
static inline int replay_direction(struct host_id *id, const uint8_t *frame, const struct parse_result *pr,
		     enum parse_link link)
{
	if (id->use_sll_type)
		return (pr->flags & PARSE_F_SLL_OUTGOING) ? 0 : 1;
	if (pr->l3 && id->n_ip) {
		bool v6 = pr->l3 == PARSE_L3_IPV6;
		if (is_host_ip(id, pr->dst, v6)) {
			if (!id->has_mac && link == PARSE_LINK_ETH && pr->l3_off >= 14) {
				memcpy(id->mac, frame, 6);  /* learn the host MAC */
				id->has_mac = !(pr->flags & PARSE_F_L2_BCAST);
			}
			return 1;
		}
		if (is_host_ip(id, pr->src, v6))
			return 0;
	}
	if (id->has_mac && link == PARSE_LINK_ETH && pr->status != PARSE_TRUNC_L2) {
		if (!memcmp(frame, id->mac, 6))
			return 1;
		if (!memcmp(frame + 6, id->mac, 6))
			return 0;
		if (!pr->l3 && (pr->flags & PARSE_F_L2_BCAST))
			return 1; /* broadcast/multicast non-IP (ARP, LLDP): the host hears it */
	}
	if (!id->n_ip && !id->has_mac)
		return 1;  /* no identity at all: everything is received */
	return -1;
}

/* ---- the replay ---- */

/* A record kept in the look-ahead (40 bytes); its bytes are at la_data + off. */
struct la_rec {
	uint64_t index, ts_ps;
	uint32_t off, cap_len, wire_len, iface;
	bool is_ts_backwards;
};

/* Where frames go on the simulated timeline: the state that places one
 * (with the counts and first/last trace times kept in a replay_stats). */
struct replay_clock {
	bool has_first;
	uint64_t pass_offset_ps, last_t, pass_span;
	uint64_t t_limit_ps;        /* REPLAY_TIME_MAX_PS - pass_offset_ps: the latest time in the pass */
	uint64_t wire_free_ps;      /* the wire is busy with the previous frame until then */
};

/* Why a frame cannot be placed (what the message blames). */
enum place_fault { PLACE_OK = 0, PLACE_TRACE, PLACE_SPEED, PLACE_PASSES, PLACE_WIRE };

struct replay {
	struct sim_kernel *k;
	struct bus *bus;
	struct pkt_pool *pool;
	char path[4096];
	struct replay_cfg cfg;
	struct host_id id;
	struct trace_reader *tr;
	struct trace_info info;
	struct replay_clock clk;
	uint32_t loops;             /* passes to make (fewer once the file proves damaged) */
	/* The look-ahead: la[la_next..la_n) still to be replayed. */
	struct la_rec *la;
	uint32_t la_n, la_next;
	uint8_t *la_data;
	size_t la_bytes, la_cap;
	bool is_la_whole;           /* the look-ahead holds the whole capture */
	int status;
	char err[TRACE_ERR_MAX];
	struct replay_stats st;
	replay_record_fn on_record;
	void *on_record_ctx;
	/* The one frame read ahead, waiting for its time on the wire (RX) or
	 * in the host's stack (TX, with the replay's parse of it). */
	struct pkt *next_frame;
	bool next_is_rx;
	struct parse_result next_pr;
	replay_send_fn on_send;
	void *on_send_ctx;
	replay_wire_fn on_wire;
	void *on_wire_ctx;
	replay_gate_fn gate;
	void *gate_ctx;
	/* A received super-frame cut into wire frames: those still to go, in
	 * order, all at the record's time (paced by the wire). */
	struct pkt *pieces[REPLAY_PIECES_MAX];
	uint32_t n_pieces, next_piece;
	uint64_t piece_ts_ps;
	struct sim_event wire_ev;
	replay_progress_fn on_progress;
	void *on_progress_ctx;
	uint32_t progress_countdown;
};

static void la_get(const struct replay *r, const struct la_rec *l, struct trace_record *rec)
{
	*rec = (struct trace_record){ .index = l->index, .ts_ps = l->ts_ps, .cap_len = l->cap_len,
				      .wire_len = l->wire_len, .iface = l->iface,
				      .is_ts_backwards = l->is_ts_backwards, .data = r->la_data + l->off };
}

/* A time span for messages: "12.345 s", "5000 s", "12.3 days", "4.1 years". */
static const char *span_text(uint64_t ps, char *buf, size_t len)
{
	uint64_t tenths_day = ps / (8640ull * SIM_PS_PER_S);
	uint64_t tenths_year = tenths_day * 20u / 7305u;   /* a year of 365.25 days is 3652.5 tenths of a day */
	if (ps < 100 * SIM_PS_PER_S)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", (uint64_t)(ps / SIM_PS_PER_S),
			 (uint64_t)(ps % SIM_PS_PER_S / SIM_PS_PER_MS));
	else if (tenths_day < 10)
		snprintf(buf, len, "%" PRIu64 " s", (uint64_t)(ps / SIM_PS_PER_S));
	else if (tenths_year < 10)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " days", tenths_day / 10, tenths_day % 10);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " years", tenths_year / 10, tenths_year % 10);
	return buf;
}

static uint64_t gap_ps(const struct replay_cfg *cfg) { return (uint64_t)cfg->gap_us * SIM_PS_PER_US; }

/* Place a frame of wire_len bytes with trace time ts_ps: *t_ps is when it
 * starts on the wire (RX, is_rx) or when the host's stack has it (TX: not
 * paced here; the NIC's transmit path serialises it). Every sum is checked against REPLAY_TIME_MAX_PS; past
 * it, the fault says which input carried it there and *t_ps the time it
 * would have had (saturated). Once a frame, on the replay's hot path. */
static inline enum place_fault clock_place(struct replay_clock *c, struct replay_stats *st,
					   const struct replay_cfg *cfg, uint64_t ts_ps, uint32_t wire_len,
					   bool is_first_pass, bool is_rx, uint64_t *t_ps)
{
	if (!c->has_first) {
		c->has_first = true;
		st->first_ts_ps = ts_ps;
	}
	uint64_t rel = ts_ps >= st->first_ts_ps ? ts_ps - st->first_ts_ps : 0;
	if (is_first_pass && ts_ps > st->last_ts_ps)
		st->last_ts_ps = ts_ps;
	uint64_t t;
	switch (cfg->timing) {
	case REPLAY_TIMING_SCALED: {
		/* A timestamp the reader clamped has lost its true value. */
		if (ts_ps >= TRACE_TS_MAX_PS) {
			*t_ps = rel;
			return PLACE_TRACE;
		}
		unsigned __int128 v = (unsigned __int128)rel * 100u / cfg->speed_pct;
		if (v > REPLAY_TIME_MAX_PS) {
			*t_ps = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
			return rel > REPLAY_TIME_MAX_PS ? PLACE_TRACE : PLACE_SPEED;
		}
		t = (uint64_t)v;
		break;
	}
	case REPLAY_TIMING_LINERATE:
		t = 0;   /* the capture's times do not matter, however far apart */
		break;
	default:
		t = rel;
	}
	/* The pass's span in simulated time (scaled, or 0 back to back):
	 * the next pass starts after it. */
	if (t > c->pass_span)
		c->pass_span = t;
	/* One test for the time on its own and with the passes before it. */
	if (t > c->t_limit_ps) {
		*t_ps = t <= UINT64_MAX - c->pass_offset_ps ? t + c->pass_offset_ps : UINT64_MAX;
		return t > REPLAY_TIME_MAX_PS ? PLACE_TRACE : PLACE_PASSES;
	}
	t += c->pass_offset_ps;
	/* A timestamp before the previous one (the capture's own order, not
	 * the pacing below) is clamped and counted. */
	if (t < c->last_t) {
		st->ts_clamped++;
		t = c->last_t;
	}
	c->last_t = t;
	/* A sender cannot put frames on the wire faster than its rate
	 * (IEEE 802.3: 64-byte minimum with FCS, preamble and IFG). Pacing
	 * here keeps one frame in flight on the wire: memory stays bounded
	 * however fast the capture (or linerate mode) offers them. */
	if (cfg->wire_rate_mbps && is_rx) {
		if (t < c->wire_free_ps) {
			t = c->wire_free_ps;
			st->paced++;
			if (t > REPLAY_TIME_MAX_PS) {
				*t_ps = t;
				return PLACE_WIRE;
			}
		}
		/* <= REPLAY_TIME_MAX_PS + 2 s (a 256 KiB frame at 1 Mb/s): no wrap. */
		c->wire_free_ps = t + eth_wire_time_ps(wire_len, cfg->wire_rate_mbps, cfg->wire_fcs_bytes,
						      cfg->wire_overhead_bytes);
	}
	*t_ps = t;
	return PLACE_OK;
}

/* The message (in r->err) and return code for a frame that cannot be placed
 * (rec_ts_ps: its trace time, TRACE_TS_MAX_PS if the reader clamped it). */
static int place_refuse(struct replay *r, enum place_fault f, const struct replay_stats *st, uint64_t record,
			uint64_t rec_ts_ps, uint64_t t_ps)
{
	char a[32], b[32], lim[32];
	span_text(REPLAY_TIME_MAX_PS, lim, sizeof lim);
	switch (f) {
	case PLACE_TRACE:
		t_ps = rec_ts_ps >= st->first_ts_ps ? rec_ts_ps - st->first_ts_ps : 0;
		snprintf(r->err, sizeof r->err,
			 "%.200s: record %" PRIu64 ": its timestamp is %s%s after the first frame's, beyond the %s "
			 "simulated time holds: cut idle gaps with replay.max_gap_us (docs/replay.md)",
			 r->path, record, rec_ts_ps >= TRACE_TS_MAX_PS ? "more than " : "", span_text(t_ps, a, sizeof a),
			 lim);
		return TRACE_E_LIMIT;
	case PLACE_SPEED:
		snprintf(r->err, sizeof r->err,
			 "%.200s: record %" PRIu64 ": replay.speed_pct=%" PRIu32 " puts it %s%s after the first frame, "
			 "beyond the %s simulated time holds: raise replay.speed_pct or set replay.max_gap_us",
			 r->path, record, r->cfg.speed_pct, t_ps == UINT64_MAX ? "more than " : "",
			 span_text(t_ps, a, sizeof a), lim);
		return REPLAY_E_SETTINGS;
	case PLACE_PASSES:
		snprintf(r->err, sizeof r->err,
			 "%.200s: record %" PRIu64 ": in pass %" PRIu32 " of replay.loops=%" PRIu32
			 " (replay.gap_us=%" PRIu32 " between passes) it comes %s%s after the start, beyond the %s "
			 "simulated time holds: lower replay.loops or replay.gap_us",
			 r->path, record, r->st.passes, r->loops, r->cfg.gap_us, t_ps == UINT64_MAX ? "more than " : "",
			 span_text(t_ps, a, sizeof a), lim);
		return REPLAY_E_SETTINGS;
	default:
		snprintf(r->err, sizeof r->err,
			 "%.200s: record %" PRIu64 ": at mac.rate_mbps=%" PRIu32 " the wire is busy until %s%s, beyond "
			 "the %s simulated time holds: raise mac.rate_mbps or replay fewer passes",
			 r->path, record, r->cfg.wire_rate_mbps, t_ps == UINT64_MAX ? "more than " : "",
			 span_text(t_ps, b, sizeof b), lim);
		return REPLAY_E_SETTINGS;
	}
}

/* With the first pass's span known: do all the passes fit? The pass after
 * pass p starts span + gap + 1 ps after pass p's start. */
static int passes_check(struct replay *r, uint64_t span_ps)
{
	if (r->loops <= 1)
		return 0;
	unsigned __int128 step = (unsigned __int128)span_ps + gap_ps(&r->cfg) + 1;
	unsigned __int128 end = step * (r->loops - 1) + span_ps;
	if (end <= REPLAY_TIME_MAX_PS)
		return 0;
	char a[32], b[32], lim[32];
	snprintf(r->err, sizeof r->err,
		 "%.200s: replay.loops=%" PRIu32 " with replay.gap_us=%" PRIu32 ": one pass spans %s, the passes would "
		 "end %s%s after the start, beyond the %s simulated time holds: lower replay.loops or replay.gap_us",
		 r->path, r->loops, r->cfg.gap_us, span_text(span_ps, a, sizeof a), end > UINT64_MAX ? "more than " : "",
		 span_text(end > UINT64_MAX ? UINT64_MAX : (uint64_t)end, b, sizeof b),
		 span_text(REPLAY_TIME_MAX_PS, lim, sizeof lim));
	return REPLAY_E_SETTINGS;
}

/* The next record: from the look-ahead while it lasts, then the reader. */
static int next_record(struct replay *r, struct trace_record *rec)
{
	if (r->la) {
		if (r->la_next < r->la_n) {
			la_get(r, &r->la[r->la_next++], rec);
			return TRACE_OK;
		}
		/* done with it (its last record has been used): memory back */
		free(r->la);
		free(r->la_data);
		r->la = NULL;
		r->la_data = NULL;
		r->la_n = r->la_next = 0;
	}
	return trace_next(r->tr, rec, r->err, sizeof r->err);
}

/* Read up to REPLAY_LOOKAHEAD_RECORDS records (and about
 * REPLAY_LOOKAHEAD_BYTES of frames) into the look-ahead. The reader's end
 * or error after them is met again when the replay reaches it (the reader
 * repeats both), except an error the run cannot start with. */
static int lookahead_fill(struct replay *r)
{
	struct trace_record rec;
	int rc = TRACE_OK;
	while (r->la_n < REPLAY_LOOKAHEAD_RECORDS && r->la_bytes < REPLAY_LOOKAHEAD_BYTES) {
		rc = trace_next(r->tr, &rec, r->err, sizeof r->err);
		if (rc != TRACE_OK)
			break;
		if (r->la_bytes + rec.cap_len > r->la_cap) {
			size_t cap = r->la_cap ? r->la_cap : 64u * 1024u;
			while (cap < r->la_bytes + rec.cap_len)
				cap *= 2;
			uint8_t *d = realloc(r->la_data, cap);
			if (!d)
				goto nomem;
			r->la_data = d;
			r->la_cap = cap;
		}
		if ((r->la_n & (r->la_n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow the index at powers of two */
			struct la_rec *l = realloc(r->la, (r->la_n ? 2 * (size_t)r->la_n : 1) * sizeof *l);
			if (!l)
				goto nomem;
			r->la = l;
		}
		memcpy(r->la_data + r->la_bytes, rec.data, rec.cap_len);
		r->la[r->la_n++] = (struct la_rec){ rec.index, rec.ts_ps, (uint32_t)r->la_bytes, rec.cap_len,
						    rec.wire_len, rec.iface, rec.is_ts_backwards };
		r->la_bytes += rec.cap_len;
		continue;
nomem:
		snprintf(r->err, sizeof r->err, "%.400s: record %" PRIu64 ": out of memory reading ahead", r->path,
			 rec.index);
		return TRACE_E_NOMEM;
	}
	if (r->la_n < REPLAY_LOOKAHEAD_RECORDS && r->la_bytes < REPLAY_LOOKAHEAD_BYTES) {
		/* The reader stopped: the end, a cut last record (the replay
		 * reports it when it gets there), or damage that stops the run
		 * before it starts. */
		if (rc < 0 && rc != TRACE_E_TRUNCATED)
			return rc;
		r->is_la_whole = true;
	}
	return 0;
}

/* Host detection over the look-ahead (see replay.h). */
static int detect_host(struct replay *r)
{
	struct host_id *id = &r->id;
	if (r->info.link == PARSE_LINK_SLL || r->info.link == PARSE_LINK_SLL2) {
		id->use_sll_type = true;
		snprintf(id->how, sizeof id->how, "sll packet type");
		return 0;
	}
	struct addr_count *tab = calloc(REPLAY_DETECT_ADDRS, sizeof *tab);
	struct flow_table *ft = flows_new();   /* at most REPLAY_LOOKAHEAD_RECORDS flows */
	if (!tab || !ft) {
		free(tab);
		flows_free(ft);
		snprintf(r->err, sizeof r->err, "%.400s: out of memory detecting the host", r->path);
		return TRACE_E_NOMEM;
	}
	struct parse_result pr;
	uint64_t uncounted = 0;   /* frames whose destination found no room in tab */
	for (uint32_t i = 0; i < r->la_n; i++) {
		struct trace_record rec;
		la_get(r, &r->la[i], &rec);
		parse_frame(rec.data, rec.cap_len, rec.wire_len, r->info.link, &pr);
		if (!pr.l3)
			continue;
		bool v6 = pr.l3 == PARSE_L3_IPV6, is_uncounted = false;
		if (pr.l4 == PARSE_L4_TCP && (pr.flags & PARSE_F_HAS_PORTS) &&
		    (pr.tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN) {
			struct addr_count *s = addr_slot(tab, REPLAY_DETECT_ADDRS, pr.dst, v6);
			if (s)
				s->syns++;
			else
				is_uncounted = true;
		}
		if (tx_csum_is_partial(rec.data, rec.cap_len, &pr)) {
			struct addr_count *s = addr_slot(tab, REPLAY_DETECT_ADDRS, pr.src, v6);
			if (s)
				s->partial++;
			else
				is_uncounted = true;
		}
		struct flow_key key;
		if (flows_key_of(&pr, &key)) {
			uint64_t before = flows_count(ft);
			if (!flows_get(ft, &key, rec.index)) {
				snprintf(r->err, sizeof r->err,
					 "%.400s: record %" PRIu64 ": out of memory counting flows to detect the host; set host.ip",
					 r->path, rec.index);
				free(tab);
				flows_free(ft);
				return TRACE_E_NOMEM;
			}
			if (flows_count(ft) != before) {
				/* A new flow (one direction of a 5-tuple): both its
				 * ends count it. */
				for (int e = 0; e < 2; e++) {
					struct addr_count *s = addr_slot(tab, REPLAY_DETECT_ADDRS, e ? pr.src : pr.dst, v6);
					if (s)
						s->flows++;
					else
						is_uncounted = true;
				}
			}
		}
		uncounted += is_uncounted;
	}
	flows_free(ft);
	struct addr_count *best = NULL, *second = NULL;
	for (uint32_t i = 0; i < REPLAY_DETECT_ADDRS; i++) {
		struct addr_count *s = &tab[i];
		if (!s->used || !s->flows || is_group_addr(s->addr, s->is_v6))
			continue;
		if (!best || better(s, best)) {
			second = best;
			best = s;
		} else if (!second || better(s, second)) {
			second = s;
		}
	}
	if (best) {
		memcpy(id->ip[0], best->addr, 16);
		id->ip_is_v6[0] = best->is_v6;
		id->n_ip = 1;
		/* Say which rule decided: the flows, or the tie-break after them. */
		const char *why = !second || second->flows != best->flows ? ""
				  : second->partial != best->partial ? ", tie broken by unfinished checksums sent"
				  : second->syns != best->syns	   ? ", tie broken by TCP SYNs received"
								   : ", tie broken by the lowest address";
		int k = snprintf(id->how, sizeof id->how, "auto: an end of the most flows%s", why);
		if (uncounted && k > 0 && (size_t)k < sizeof id->how)
			snprintf(id->how + k, sizeof id->how - (size_t)k,
				 "; %" PRIu64 " frames of addresses beyond the first %u not counted", uncounted,
				 REPLAY_DETECT_ADDRS);
	}
	free(tab);
	return 0;
}

/* Place the look-ahead's RX frames on a scratch clock, as the replay will:
 * a frame that cannot be placed is refused before the run starts. With the
 * whole capture in the look-ahead, the passes are checked too. */
static int lookahead_check_times(struct replay *r)
{
	struct replay_clock c = { .t_limit_ps = REPLAY_TIME_MAX_PS };
	struct replay_stats st = { 0 };
	struct host_id id = r->id;   /* direction learns the host MAC: on a copy */
	struct parse_result pr;
	for (uint32_t i = 0; i < r->la_n; i++) {
		struct trace_record rec;
		la_get(r, &r->la[i], &rec);
		parse_frame(rec.data, rec.cap_len, rec.wire_len, r->info.link, &pr);
		if (replay_direction(&id, rec.data, &pr, r->info.link) != 1)
			continue;
		uint64_t t;
		enum place_fault f = clock_place(&c, &st, &r->cfg, rec.ts_ps, rec.wire_len, true, true, &t);
		if (f != PLACE_OK)
			return place_refuse(r, f, &st, rec.index, rec.ts_ps, t);
	}
	return r->is_la_whole && c.has_first ? passes_check(r, c.pass_span) : 0;
}

static void wire_fire(struct sim_kernel *k, struct sim_event *ev, void *arg);

/* The end of a pass: stats, and the next pass if there is one. Returns 1 to
 * go on reading, 0 when the replay is done, or < 0. */
static int pass_end(struct replay *r)
{
	r->st.trace = *trace_get_stats(r->tr);
	r->st.gaps_cut += r->st.trace.gaps_cut;
	struct trace_span sp;
	trace_time_span(r->tr, &sp);
	uint64_t cut_us = sp.cut_s > (uint64_t)INT64_MAX / 1000000u - 1 ? (uint64_t)INT64_MAX
									   : sp.cut_s * 1000000u + sp.cut_frac_ps / SIM_PS_PER_US;
	r->st.gap_cut_us = cut_us > (uint64_t)INT64_MAX - r->st.gap_cut_us ? (uint64_t)INT64_MAX : r->st.gap_cut_us + cut_us;
	if (r->st.passes == 1) {
		r->st.digest = trace_digest(r->tr);
		snprintf(r->st.skip_note, sizeof r->st.skip_note, "%s", trace_skip_note(r->tr));
	}
	if (r->st.passes >= r->loops || !r->clk.has_first)
		return 0;
	if (r->st.passes == 1) {
		int rc = passes_check(r, r->clk.pass_span);
		if (rc < 0)
			return rc;
	}
	/* Next pass starts after this one's span plus the gap: passes_check
	 * has bounded the sum. */
	r->clk.pass_offset_ps += r->clk.pass_span + gap_ps(&r->cfg) + 1;
	r->clk.t_limit_ps = REPLAY_TIME_MAX_PS - r->clk.pass_offset_ps;
	int rc = trace_rewind(r->tr, r->err, sizeof r->err);
	if (rc < 0)
		return rc;
	r->st.passes++;
	return 1;
}

static void progress(struct replay *r)
{
	r->progress_countdown = REPLAY_PROGRESS_RECORDS;
	struct replay_progress p = { .pass = r->st.passes, .passes = r->loops, .records = r->st.records,
				     .rx_frames = r->st.rx_frames, .sim_now_ps = sim_now_ps(r->k) };
	uint64_t done, total;
	if (trace_progress(r->tr, &done, &total) && total) {
		p.has_share = true;
		uint64_t pass_ppm = (uint64_t)((unsigned __int128)done * 1000000u / total);
		p.share_ppm = (uint32_t)(((uint64_t)(r->st.passes - 1) * 1000000u + pass_ppm) / r->loops);
	}
	r->on_progress(r->on_progress_ctx, &p);
}

/* Read records until the next RX frame; schedule it. Returns 0 or <0. */
/* Cut a received TCP super-frame into the wire frames it was: MSS = MTU
 * less its IP and TCP headers, each frame's headers and checksums rebuilt
 * (models/pkt/tso.h). Returns the pieces made (0: not cut). */
static uint32_t reseg_cut(struct replay *r, struct pkt *p, const struct parse_result *pr)
{
	struct tx_offload off;
	if (!tx_offload_from_parse(pr, &off) || off.l4 != PARSE_L4_TCP || p->cap_len != p->wire_len)
		return 0;
	uint32_t hdr = (uint32_t)off.l2_len + off.l3_len + off.l4_len;
	if (off.l3_len + off.l4_len >= r->cfg.mtu)
		return 0;
	off.mss = (uint16_t)(r->cfg.mtu - off.l3_len - off.l4_len);
	off.do_tso = true;
	off.do_ip_csum = !off.is_ipv6;
	off.do_l4_csum = true;
	/* The datagram ends where its IP length says (a trailer is not its). */
	uint32_t len = off.l2_len + pr->l3_len < p->cap_len ? off.l2_len + pr->l3_len : p->cap_len;
	uint32_t n = tso_segment_count(&off, len);
	if (n < 2 || n > REPLAY_PIECES_MAX)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct pkt *q = pkt_alloc(r->pool, hdr + off.mss);
		uint32_t fl = q ? tso_segment(&off, p->data, len, i, q->data, hdr + off.mss) : 0;
		if (!fl) {
			if (q)
				pkt_release(q);
			for (uint32_t j = 0; j < i; j++)
				pkt_release(r->pieces[j]);
			return 0;
		}
		q->cap_len = q->wire_len = fl;
		q->record = p->record;
		q->seq = p->seq;
		r->pieces[i] = q;
	}
	return n;
}

static int read_ahead(struct replay *r)
{
	struct trace_record rec;
	for (;;) {
		if (r->next_piece < r->n_pieces) {
			/* The next frame of a super-frame cut up: at the record's
			 * time, paced by the wire behind the one before. */
			struct pkt *p = r->pieces[r->next_piece++];
			uint64_t t;
			enum place_fault f = clock_place(&r->clk, &r->st, &r->cfg, r->piece_ts_ps, p->wire_len,
							 r->st.passes == 1, true, &t);
			if (f != PLACE_OK) {
				pkt_release(p);
				for (; r->next_piece < r->n_pieces; r->next_piece++)
					pkt_release(r->pieces[r->next_piece]);
				return place_refuse(r, f, &r->st, p->record, r->piece_ts_ps, t);
			}
			uint64_t now = sim_now_ps(r->k);
			r->st.rx_frames++;
			r->st.rx_bytes += p->wire_len;
			r->next_is_rx = true;
			r->next_frame = p;
			sim_schedule_at(r->k, &r->wire_ev, t < now ? now : t);
			return 0;
		}
		int rc = next_record(r, &rec);
		if (rc == TRACE_E_TRUNCATED && !r->st.truncated_tail) {
			/* A capture cut inside its last record (a killed tcpdump) is the
			 * commonest damage: what came before is good, so the run ends
			 * there, counted and reported, instead of failing. */
			r->st.truncated_tail = 1;
			snprintf(r->st.truncated_msg, sizeof r->st.truncated_msg, "%s", r->err);
			r->loops = r->st.passes; /* do not loop a damaged file */
			rc = TRACE_EOF;
		}
		if (rc == TRACE_EOF) {
			if ((rc = pass_end(r)) <= 0)
				return rc;
			continue;
		}
		if (rc < 0)
			return rc;
		r->st.records++;
		if (r->on_progress && !--r->progress_countdown)
			progress(r);
		struct pkt *p = pkt_alloc(r->pool, rec.cap_len);
		if (!p) {
			snprintf(r->err, sizeof r->err, "%.400s: record %llu: out of memory", r->path,
				 (unsigned long long)rec.index);
			return -1;
		}
		memcpy(p->data, rec.data, rec.cap_len);
		p->cap_len = rec.cap_len;
		p->wire_len = rec.wire_len;
		p->record = rec.index;
		p->seq = r->st.records;
		struct parse_result pr;
		parse_frame(p->data, p->cap_len, p->wire_len, r->info.link, &pr);
		int dir = replay_direction(&r->id, p->data, &pr, r->info.link);
		if (r->on_record)
			r->on_record(r->on_record_ctx, p, &pr, dir);
		if (dir < 0 || (dir == 0 && !r->on_send)) {
			if (dir == 0) {
				r->st.tx_frames++;
				r->st.tx_bytes += p->wire_len;
			} else {
				r->st.foreign_frames++;
			}
			pkt_release(p);
			continue;
		}
		if (dir == 1 && r->cfg.is_resegment && pr.l3 && p->wire_len > pr.l3_off &&
		    p->wire_len - pr.l3_off > r->cfg.mtu) {
			uint32_t n = reseg_cut(r, p, &pr);
			if (n) {
				r->st.reseg_superframes++;
				r->st.reseg_frames += n;
				pkt_release(p);
				r->n_pieces = n;
				r->next_piece = 0;
				r->piece_ts_ps = rec.ts_ps;
				continue;
			}
			r->st.reseg_refused++;
		}
		uint64_t t;
		enum place_fault f = clock_place(&r->clk, &r->st, &r->cfg, rec.ts_ps, p->wire_len, r->st.passes == 1,
						 dir == 1, &t);
		if (f != PLACE_OK) {
			pkt_release(p);
			return place_refuse(r, f, &r->st, rec.index, rec.ts_ps, t);
		}
		uint64_t now = sim_now_ps(r->k);
		if (t < now)
			t = now;
		if (dir == 1) {
			r->st.rx_frames++;
			r->st.rx_bytes += p->wire_len;
		} else {
			r->st.tx_frames++;
			r->st.tx_bytes += p->wire_len;
			r->next_pr = pr;
		}
		r->next_is_rx = dir == 1;
		r->next_frame = p;
		sim_schedule_at(r->k, &r->wire_ev, t);
		return 0;
	}
}

static void wire_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct replay *r = arg;
	struct pkt *p = r->next_frame;
	bool is_rx = r->next_is_rx;
	struct parse_result pr;
	if (!is_rx)
		pr = r->next_pr;
	r->next_frame = NULL;
	/* Read the next one first, so that the order of events is the order
	 * of the trace. */
	if (r->status == 0) {
		int rc = read_ahead(r);
		if (rc < 0) {
			r->status = rc;
			sim_stop(k);
		}
	}
	/* The bus lends the frame: the NIC takes its own reference if it keeps
	 * it; a frame the host sends is lent to its stack the same way. */
	if (is_rx) {
		if (!r->gate || !r->gate(r->gate_ctx, sim_now_ps(k), p))
			replay_rx_now(r, sim_now_ps(k), p);
	} else {
		r->on_send(r->on_send_ctx, p, &pr);
	}
	pkt_release(p);
}

int replay_new(struct replay **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const char *path, const struct replay_cfg *cfg, const struct host_id *id, char *err,
	       size_t err_len)
{
	*out = NULL;
	struct replay *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_len, "replay: out of memory");
		return -1;
	}
	r->k = k;
	sim_event_init(&r->wire_ev, "replay.wire", SIM_PRIO_WIRE, wire_fire, r);
	r->bus = bus;
	r->pool = pool;
	r->cfg = *cfg;
	r->loops = cfg->loops;
	r->clk.t_limit_ps = REPLAY_TIME_MAX_PS;
	r->id = *id;
	r->progress_countdown = REPLAY_PROGRESS_RECORDS;
	/* path names the trace in messages, as the reader names it */
	snprintf(r->path, sizeof r->path, "%s", strcmp(path, "-") ? path : TRACE_STDIN_NAME);
	int rc = trace_open(&r->tr, path, r->err, sizeof r->err);
	if (rc < 0)
		goto fail;
	r->info = *trace_get_info(r->tr);
	r->st.passes = 1;
	trace_set_max_gap_ps(r->tr, (uint64_t)cfg->max_gap_us * SIM_PS_PER_US);
	/* What the settings alone rule out, before anything is read. */
	if (r->loops > 1 && !trace_can_rewind(r->tr)) {
		snprintf(r->err, sizeof r->err,
			 "replay.loops=%" PRIu32 ": %.400s is a pipe, which can be read only once: write it to a file to loop it",
			 r->loops, r->path);
		rc = REPLAY_E_SETTINGS;
		goto fail;
	}
	if ((rc = passes_check(r, 0)) < 0)
		goto fail;
	if ((rc = lookahead_fill(r)) < 0)
		goto fail;
	if (!r->id.n_ip && !r->id.has_mac && (rc = detect_host(r)) < 0)
		goto fail;
	if ((rc = lookahead_check_times(r)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	snprintf(err, err_len, "%s", r->err);
	replay_free(r);
	return rc;
}

const struct host_id *replay_host(const struct replay *r) { return &r->id; }

void replay_on_record(struct replay *r, replay_record_fn fn, void *ctx)
{
	r->on_record = fn;
	r->on_record_ctx = ctx;
}

void replay_on_send(struct replay *r, replay_send_fn fn, void *ctx)
{
	r->on_send = fn;
	r->on_send_ctx = ctx;
}

void replay_rx_now(struct replay *r, uint64_t t_ps, struct pkt *p)
{
	if (r->on_wire)
		r->on_wire(r->on_wire_ctx, t_ps, p);
	bus_frame_in(r->bus, t_ps, p);
}

void replay_on_rx_gate(struct replay *r, replay_gate_fn fn, void *ctx)
{
	r->gate = fn;
	r->gate_ctx = ctx;
}

void replay_on_wire(struct replay *r, replay_wire_fn fn, void *ctx)
{
	r->on_wire = fn;
	r->on_wire_ctx = ctx;
}

void replay_on_progress(struct replay *r, replay_progress_fn fn, void *ctx)
{
	r->on_progress = fn;
	r->on_progress_ctx = ctx;
}

int replay_start(struct replay *r)
{
	int rc = read_ahead(r);
	if (rc < 0)
		r->status = rc;
	return rc;
}

int replay_status(const struct replay *r) { return r->status; }
const char *replay_error(const struct replay *r) { return r->err; }
const struct replay_stats *replay_stats(const struct replay *r) { return &r->st; }
const struct trace_info *replay_trace_info(const struct replay *r) { return &r->info; }

void replay_time_origin(const struct replay *r, int64_t *base_s, uint64_t *first_ps)
{
	*base_s = trace_get_info(r->tr)->ts_base_s;
	*first_ps = r->la_n ? r->la[0].ts_ps : 0;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	if (r->tr)
		trace_close(r->tr);
	if (r->next_frame) {
		sim_cancel(r->k, &r->wire_ev);
		pkt_release(r->next_frame);
	}
	for (; r->next_piece < r->n_pieces; r->next_piece++)
		pkt_release(r->pieces[r->next_piece]);
	free(r->la);
	free(r->la_data);
	free(r);
}
const struct stat_def replay_stat_defs[] = {
	STAT_DEF(struct replay_stats, rx_frames, "rx_frames", "frames", "Frames to the host, put on the wire into the NIC."),
	STAT_DEF(struct replay_stats, rx_bytes, "rx_bytes", "bytes", "Their bytes (frame lengths, no FCS)."),
	STAT_DEF(struct replay_stats, tx_frames, "tx_frames", "frames",
		 "Frames the host sent in the capture: handed to its stack, which makes them sends (tx.*)."),
	STAT_DEF(struct replay_stats, tx_bytes, "tx_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct replay_stats, foreign_frames, "foreign_frames", "frames",
		 "Frames between other stations: not replayed, as the NIC's address filter would drop them."),
	STAT_DEF(struct replay_stats, reseg_superframes, "resegmented_superframes", "frames",
		 "Received TCP frames longer than mac.mtu allows (GRO/LRO super-frames) cut into wire frames (replay.resegment)."),
	STAT_DEF(struct replay_stats, reseg_frames, "resegmented_frames", "frames", "The wire frames they became (in rx_frames)."),
	STAT_DEF(struct replay_stats, reseg_refused, "resegment_refused", "frames",
		 "Received frames longer than mac.mtu allows that could not be cut (not TCP, truncated, an IPv6 "
		 "jumbogram): put on the wire whole, for the NIC to drop (drops.too_long)."),
	STAT_DEF(struct replay_stats, ts_clamped, "timestamps_clamped", "frames",
		 "Frames whose capture time went backwards, clamped to the previous one."),
	STAT_DEF(struct replay_stats, paced, "paced_to_line_rate", "frames",
		 "Frames the capture had closer than the line rate, delayed to it by the sender."),
	STAT_DEF(struct replay_stats, gaps_cut, "gaps_cut", "gaps",
		 "Idle gaps longer than replay.max_gap_us, cut to it (all passes)."),
	STAT_DEF(struct replay_stats, gap_cut_us, "gap_cut_us", "us", "The time those cuts took out of the capture."),
	{ NULL },
};
