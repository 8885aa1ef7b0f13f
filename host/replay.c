#include "host/replay.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/flows.h"

const struct param_def replay_params[] = {
	{ "replay.timing", PARAM_ENUM, offsetof(struct replay_cfg, timing), "", "trace", 0, 0, 0,
	  "trace,scaled,linerate", 0,
	  "When frames reach the NIC: at capture time, at capture time divided by speed_pct/100, or back to back at line rate.",
	  "choice: capture time is what the trace recorded" },
	{ "replay.speed_pct", PARAM_U32, offsetof(struct replay_cfg, speed_pct), "%", "100", 1, 1000000, 0, NULL,
	  0, "For timing=scaled: replay speed in percent of capture speed (200 = twice as fast).", "choice" },
	{ "replay.loops", PARAM_U32, offsetof(struct replay_cfg, loops), "passes", "1", 1, 1000000, 0, NULL, 0,
	  "Replay the capture this many times, each pass shifted after the previous one.",
	  "choice: captures are small; loops give benchmarks and sweeps enough work" },
	{ "replay.gap_us", PARAM_U32, offsetof(struct replay_cfg, gap_us), "us", "0", 0, 1000000000, 0, NULL, 0,
	  "Idle time between passes.", "choice" },
	{ NULL },
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
	uint64_t syns, flows;
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

static bool better(const struct addr_count *a, const struct addr_count *b, bool by_syn)
{
	uint64_t va = by_syn ? a->syns : a->flows, vb = by_syn ? b->syns : b->flows;
	if (va != vb)
		return va > vb;
	if (a->is_v6 != b->is_v6)
		return !a->is_v6;
	return memcmp(a->addr, b->addr, 16) < 0;
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

int replay_identify_host(const char *path, const char *cfg_ip, const char *cfg_mac, struct host_id *id,
			 char *err, size_t err_len)
{
	if (replay_host_id_parse(cfg_ip, cfg_mac, id, err, err_len))
		return -1;
	if (id->n_ip || id->has_mac)
		return 0;

	struct trace_reader *tr;
	int rc = trace_open(&tr, path, err, err_len);
	if (rc < 0)
		return rc;
	const struct trace_info *ti = trace_get_info(tr);
	if (ti->link == PARSE_LINK_SLL || ti->link == PARSE_LINK_SLL2) {
		trace_close(tr);
		id->use_sll_type = true;
		snprintf(id->how, sizeof id->how, "sll packet type");
		return 0;
	}
	/* Addresses counted for detection (open addressing, a power of two):
	 * destinations of new flows in the first REPLAY_DETECT_RECORDS
	 * records; the shared captures have at most a few hundred. */
	enum { CAP = 4096 };
	struct addr_count *tab = calloc(CAP, sizeof *tab);
	struct flow_table *ft = flows_new();
	if (!tab || !ft) {
		free(tab);
		flows_free(ft);
		trace_close(tr);
		snprintf(err, err_len, "%s: out of memory detecting the host", path);
		return -1;
	}
	struct trace_record rec;
	struct parse_result pr;
	uint64_t n = 0, uncounted = 0;   /* frames whose destination found no room in tab */
	while (n < REPLAY_DETECT_RECORDS && (rc = trace_next(tr, &rec, err, err_len)) == TRACE_OK) {
		n++;
		parse_frame(rec.data, rec.cap_len, rec.wire_len, ti->link, &pr);
		if (!pr.l3)
			continue;
		bool v6 = pr.l3 == PARSE_L3_IPV6, is_uncounted = false;
		if (pr.l4 == PARSE_L4_TCP && (pr.flags & PARSE_F_HAS_PORTS) && (pr.tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN) {
			struct addr_count *s = addr_slot(tab, CAP, pr.dst, v6);
			if (s)
				s->syns++;
			else
				is_uncounted = true;
		}
		struct flow_key key;
		if (flows_key_of(&pr, &key)) {
			uint64_t before = flows_count(ft);
			if (!flows_get(ft, &key, rec.index)) {
				snprintf(err, err_len, "%s: record %" PRIu64 ": out of memory counting flows to detect "
					 "the host; set host.ip", path, rec.index);
				rc = TRACE_E_NOMEM;
				break;
			}
			if (flows_count(ft) != before) {
				struct addr_count *s = addr_slot(tab, CAP, pr.dst, v6);
				if (s)
					s->flows++;
				else
					is_uncounted = true;
			}
		}
		uncounted += is_uncounted;
	}
	flows_free(ft);
	if (rc < 0 && rc != TRACE_E_TRUNCATED) { /* a cut last record: the replay reports it */
		free(tab);
		trace_close(tr);
		return rc;
	}
	struct addr_count *best_syn = NULL, *best_flow = NULL;
	for (uint32_t i = 0; i < CAP; i++) {
		struct addr_count *s = &tab[i];
		if (!s->used)
			continue;
		if (s->syns && (!best_syn || better(s, best_syn, true)))
			best_syn = s;
		if (s->flows && (!best_flow || better(s, best_flow, false)))
			best_flow = s;
	}
	struct addr_count *best = best_syn ? best_syn : best_flow;
	if (best) {
		memcpy(id->ip[0], best->addr, 16);
		id->ip_is_v6[0] = best->is_v6;
		id->n_ip = 1;
		int k = snprintf(id->how, sizeof id->how, "%s",
				 best_syn ? "auto: most TCP SYNs received" : "auto: most flows received");
		if (uncounted && k > 0 && (size_t)k < sizeof id->how)
			snprintf(id->how + k, sizeof id->how - (size_t)k,
				 "; %" PRIu64 " SYNs or new flows to destinations beyond the first %d not counted",
				 uncounted, (int)CAP);
	}
	free(tab);
	trace_close(tr);
	return 0;
}

/* Direction of a parsed frame: 1 RX (to host), 0 TX (from host), -1 foreign. */
static int replay_direction(struct host_id *id, const uint8_t *frame, const struct parse_result *pr,
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

struct replay {
	struct sim_kernel *k;
	struct bus *bus;
	struct pkt_pool *pool;
	char path[4096];
	struct replay_cfg cfg;
	struct host_id id;
	struct trace_reader *tr;
	struct trace_info info;
	uint64_t pass_offset_ps, last_t, pass_span;
	uint64_t wire_free_ps;      /* the wire is busy with the previous frame until then */
	bool have_first;
	int status;
	char err[TRACE_ERR_MAX];
	struct replay_stats st;
	replay_record_fn on_record;
	void *on_record_ctx;
	/* The one frame read ahead, waiting for its time on the wire. */
	struct pkt *next_frame;
	struct sim_event wire_ev;
};


static void wire_fire(struct sim_kernel *k, struct sim_event *ev, void *arg);

static int open_pass(struct replay *r)
{
	if (r->tr)
		trace_close(r->tr);
	r->tr = NULL;
	int rc = trace_open(&r->tr, r->path, r->err, sizeof r->err);
	if (rc < 0)
		return rc;
	r->info = *trace_get_info(r->tr);
	r->st.passes++;
	return 0;
}

/* Read records until the next RX frame; schedule it. Returns 0 or <0. */
static int read_ahead(struct replay *r)
{
	struct trace_record rec;
	for (;;) {
		int rc = trace_next(r->tr, &rec, r->err, sizeof r->err);
		if (rc == TRACE_E_TRUNCATED && !r->st.truncated_tail) {
			/* A capture cut inside its last record (a killed tcpdump) is the
			 * commonest damage: what came before is good, so the run ends
			 * there, counted and reported, instead of failing. */
			r->st.truncated_tail = 1;
			snprintf(r->st.truncated_msg, sizeof r->st.truncated_msg, "%s", r->err);
			r->cfg.loops = r->st.passes; /* do not loop a damaged file */
			rc = TRACE_EOF;
		}
		if (rc == TRACE_EOF) {
			r->st.trace = *trace_get_stats(r->tr);
			if (r->st.passes == 1)
				r->st.digest = trace_digest(r->tr);
			if (r->st.passes >= r->cfg.loops || !r->have_first)
				return 0;
			/* Next pass starts after this one's span plus the gap. */
			r->pass_offset_ps += r->pass_span + (uint64_t)r->cfg.gap_us * SIM_PS_PER_US + 1;
			if ((rc = open_pass(r)) < 0)
				return rc;
			continue;
		}
		if (rc < 0)
			return rc;
		r->st.records++;
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
		if (dir != 1) {
			if (dir == 0) {
				r->st.tx_frames++;
				r->st.tx_bytes += p->wire_len;
			} else {
				r->st.foreign_frames++;
			}
			pkt_release(p);
			continue;
		}
		/* Time of this frame on the simulated wire. */
		if (!r->have_first) {
			r->have_first = true;
			r->st.first_ts_ps = rec.ts_ps;
		}
		uint64_t rel = rec.ts_ps >= r->st.first_ts_ps ? rec.ts_ps - r->st.first_ts_ps : 0;
		if (r->st.passes == 1 && rec.ts_ps > r->st.last_ts_ps)
			r->st.last_ts_ps = rec.ts_ps;
		uint64_t t;
		switch (r->cfg.timing) {
		case REPLAY_TIMING_SCALED:
			t = (uint64_t)((unsigned __int128)rel * 100u / r->cfg.speed_pct);
			break;
		case REPLAY_TIMING_LINERATE:
			t = 0;
			break;
		default:
			t = rel;
		}
		/* The pass's span in simulated time (scaled, or 0 back to back):
		 * the next pass starts after it. */
		if (t > r->pass_span)
			r->pass_span = t;
		t += r->pass_offset_ps;
		/* A timestamp before the previous one (the capture's own order, not
		 * the pacing below) is clamped and counted. */
		if (t < r->last_t) {
			r->st.ts_clamped++;
			t = r->last_t;
		}
		r->last_t = t;
		uint64_t now = sim_now_ps(r->k);
		if (t < now)
			t = now;
		/* A sender cannot put frames on the wire faster than its rate
		 * (IEEE 802.3: 64-byte minimum with FCS, preamble and IFG). Pacing
		 * here keeps one frame in flight on the wire: memory stays bounded
		 * however fast the capture (or linerate mode) offers them. */
		if (r->cfg.wire_rate_mbps) {
			if (t < r->wire_free_ps) {
				t = r->wire_free_ps;
				r->st.paced++;
			}
			r->wire_free_ps = t + eth_wire_time_ps(p->wire_len, r->cfg.wire_rate_mbps, r->cfg.wire_fcs_bytes,
							       r->cfg.wire_overhead_bytes);
		}
		r->st.rx_frames++;
		r->st.rx_bytes += p->wire_len;
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
	/* The bus lends the frame: the NIC takes its own reference if it keeps it. */
	bus_frame_in(r->bus, sim_now_ps(k), p);
	pkt_release(p);
}

int replay_new(struct replay **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const char *path, const struct replay_cfg *cfg, const struct host_id *id, char *err,
	       size_t err_len)
{
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
	r->id = *id;
	snprintf(r->path, sizeof r->path, "%s", path);
	int rc = open_pass(r);
	if (rc < 0) {
		snprintf(err, err_len, "%s", r->err);
		replay_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void replay_on_record(struct replay *r, replay_record_fn fn, void *ctx)
{
	r->on_record = fn;
	r->on_record_ctx = ctx;
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
	free(r);
}

const struct stat_def replay_stat_defs[] = {
	STAT_DEF(struct replay_stats, rx_frames, "rx_frames", "frames", "Frames to the host, put on the wire into the NIC."),
	STAT_DEF(struct replay_stats, rx_bytes, "rx_bytes", "bytes", "Their bytes (frame lengths, no FCS)."),
	STAT_DEF(struct replay_stats, tx_frames, "tx_frames_not_simulated", "frames",
		 "Frames the host sent in the capture: counted, not simulated yet."),
	STAT_DEF(struct replay_stats, tx_bytes, "tx_bytes_not_simulated", "bytes", "Their bytes."),
	STAT_DEF(struct replay_stats, foreign_frames, "foreign_frames", "frames",
		 "Frames between other stations: not replayed, as the NIC's address filter would drop them."),
	STAT_DEF(struct replay_stats, ts_clamped, "timestamps_clamped", "frames",
		 "Frames whose capture time went backwards, clamped to the previous one."),
	STAT_DEF(struct replay_stats, paced, "paced_to_line_rate", "frames",
		 "Frames the capture had closer than the line rate, delayed to it by the sender."),
	{ NULL },
};
