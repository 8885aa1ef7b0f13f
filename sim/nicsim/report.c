/*
 * sim/report.c — what a run reports: a JSON document with a versioned schema
 * (docs/report.md) and a readable summary. Floating point appears only here,
 * computed from the integer state at print time; the JSON carries the
 * integers, and ratios as integers in parts per million where a tool wants
 * them, so a report is byte-for-byte reproducible.
 */
#include <inttypes.h>
#include <arpa/inet.h>
#include <string.h>

#include "sim/check.h"
#include "sim/hist.h"
#include "sim/nicsim/peak_rss.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/savings.h"

static const struct {
	const char *name;
	uint32_t ppm;
} pcts[] = { { "p10", 100000 }, { "p50", 500000 }, { "p90", 900000 }, { "p99", 990000 }, { "p99_9", 999000 } };
enum { P50 = 1, P99 = 3, P99_9 = 4, NPCTS = sizeof pcts / sizeof pcts[0] };   /* indexes into pcts */

/* The link's directions and classes as the report names them (models/pcie.h). */
static const char *const pcie_dir_names[PCIE_DIRS] = { [PCIE_UP] = "up", [PCIE_DOWN] = "down" };
static const char *const pcie_class_names[PCIE_CLASSES] = {
	[PCIE_CL_DATA] = "data", [PCIE_CL_DESC] = "descriptors", [PCIE_CL_WB] = "write_back",
	[PCIE_CL_MSIX] = "msix", [PCIE_CL_DOORBELL] = "doorbells",
};
/* The text report lists every queue up to this many; beyond, only the
 * queues that saw traffic (a choice: one screen). */
#define REPORT_QUEUES_ALL_MAX 16u

json_t *report_jint(uint64_t v)
{
	sim_check(v <= (uint64_t)INT64_MAX, "a reported count or time does not fit a JSON integer");
	return json_integer((json_int_t)v);
}
void report_stats_set(json_t *o, const struct stat_def *defs, const void *st)
{
	for (const struct stat_def *d = defs; d->name; d++)
		json_object_set_new(o, d->name, report_jint(stat_value(d, st)));
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static json_t *hist_json(const struct hist *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "count", report_jint(hist_count(h)));
	json_object_set_new(o, "min", report_jint(hist_min(h)));
	for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
		json_object_set_new(o, pcts[i].name, report_jint(hist_percentile(h, pcts[i].ppm)));
	json_object_set_new(o, "max", report_jint(hist_max(h)));
	json_object_set_new(o, "mean", report_jint(hist_mean(h)));
	return o;
}

static json_t *config_json(const struct nicsim_cfg *cfg)
{
	json_t *o = json_object();
	char v[PARAM_VALUE_CHARS_MAX];
	for (const struct param_group *g = config_groups; g->section; g++) {
		json_t *s = json_object_get(o, g->section);   /* a section two blocks declare keys of */
		if (!s) {
			s = json_object();
			json_object_set_new(o, g->section, s);
		}
		for (const struct param_def *d = g->defs; d->key; d++) {
			param_format(d, (const char *)cfg + g->cfg_offset, v, sizeof v);
			json_object_set_new(s, strchr(d->key, '.') + 1, json_string(v));
		}
	}
	return o;
}

static void host_ip_text(const struct host_id *id, uint32_t i, char *buf, size_t len)
{
	inet_ntop(id->ip_is_v6[i] ? AF_INET6 : AF_INET, id->ip[i], buf, (socklen_t)len);
}

void report_cpu_busy(const struct run *r, uint32_t c, uint64_t *busy, uint64_t *span)
{
	const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
	*busy = host_cpu_busy_cycles(st);
	struct sim_clock clk = sim_clock_mhz(r->cfg.host.clock_mhz);
	*span = sim_clock_ps_to_cycles(&clk, r->sim_end_ps);
	if (*span < *busy)
		*span = *busy;
}

/* Max over mean of packets per queue, in parts per thousand (1000 = even). */
static uint64_t imbalance_permille(const struct run *r)
{
	uint64_t total = 0, max = 0;
	uint32_t n = driver_queues(r->drv);
	for (uint32_t q = 0; q < n; q++) {
		uint64_t p = driver_queue_stats(r->drv, q)->packets;
		total += p;
		if (p > max)
			max = p;
	}
	return total ? max * n * 1000u / total : 0;
}

/* A link direction's busy time, all classes. */
static uint64_t link_busy_ps(const struct pcie_link_stats *ls, int d)
{
	uint64_t busy = 0;
	for (int c = 0; c < PCIE_CLASSES; c++)
		busy += ls->busy_ps[d][c];
	return busy;
}

/* A direction's busy time as a share of the run, in parts per million. */
static uint64_t link_ppm(uint64_t busy_ps, uint64_t span_ps)
{
	if (!span_ps)
		return 0;
	if (busy_ps > span_ps)
		busy_ps = span_ps;   /* the link's last transfers may end after the last event */
	return (uint64_t)((__extension__(unsigned __int128)busy_ps * 1000000u) / span_ps);
}

/* Latency of every queue merged, per stage (for the all-queues lines). */
void report_lat_all_queues(const struct run *r, struct hist all[LAT_COUNT])
{
	for (int s = 0; s < LAT_COUNT; s++) {
		hist_init(&all[s]);
		for (uint32_t q = 0; q < driver_queues(r->drv); q++)
			hist_merge(&all[s], driver_queue_lat(r->drv, q, (enum lat_stage)s));
	}
}

/* More than half the TCP/UDP checksums the NIC checked on receive were bad:
 * the frames "received" were most likely the host's own, captured before
 * its checksum offload, so the host was guessed wrong. The message, or NULL. */
static const char *csum_warning(const struct run *r, char *buf, size_t len)
{
	const struct nic_stats *ns = nic_stats(r->nic);
	uint64_t checked = ns->csum_l4_good + ns->csum_l4_bad;
	if (!checked || ns->csum_l4_bad * 2 <= checked)
		return NULL;
	snprintf(buf, len,
		 "%" PRIu64 " of the %" PRIu64 " TCP/UDP checksums checked on receive are bad: the frames received are "
		 "probably the host's own sends, captured before its checksum offload, and the host (%s) was guessed "
		 "wrong (set host.ip), or the capture was taken inside a host (a bridge or veth, where every frame "
		 "precedes checksum offload)",
		 ns->csum_l4_bad, checked, r->host.how);
	return buf;
}


/* "addr:port" ("[addr]:port" for IPv6). */
static void endpoint_text(char *b, size_t n, bool is_v6, const uint8_t *ip, uint16_t port)
{
	char a[64];
	inet_ntop(is_v6 ? AF_INET6 : AF_INET, ip, a, sizeof a);
	snprintf(b, n, is_v6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* What the engine sent on a connection: ACKs (window updates with them),
 * and data segments (FINs with them). */
static uint64_t toe_acks_sent(const struct toe_conn_stats *c)
{
	return c ? c->tx_segs_by_kind[TOE_SEG_ACK] + c->tx_segs_by_kind[TOE_SEG_WINDOW_UPDATE] : 0;
}
static uint64_t toe_data_sent(const struct toe_conn_stats *c)
{
	return c ? c->tx_segs_by_kind[TOE_SEG_DATA] + c->tx_segs_by_kind[TOE_SEG_FIN] : 0;
}

/* The TCP offload engine's section (toe.enable): the host's side, the
 * NIC's, the engine's, and one row per connection offloaded. */
static json_t *toe_json(const struct run *r)
{
	json_t *t = json_object();
	const struct chimney_stats *cs = chimney_stats(r->drv);
	json_t *host = json_object();
	report_stats_set(host, chimney_stat_defs, cs);
	json_t *inel = json_object();
	for (int i = 0; i < CHIM_INEL_COUNT; i++)
		json_object_set_new(inel, chim_inel_name((enum chim_inel)i), report_jint(cs->ineligible[i]));
	json_object_set_new(host, "ineligible", inel);
	json_object_set_new(t, "host", host);
	json_t *nic = json_object();
	report_stats_set(nic, nic_toe_stat_defs, nic_toe_stats(r->nic));
	json_object_set_new(t, "nic", nic);
	const struct toe_stats *es = nic_toe_engine_stats(r->nic);
	json_t *eng = json_object();
	report_stats_set(eng, toe_stat_defs, es);
	json_t *ur = json_object();
	for (int i = 1; i < TOE_UP_REASON_COUNT; i++)
		json_object_set_new(ur, toe_upload_reason_name((enum toe_upload_reason)i), report_jint(es->upload_reqs_by_reason[i]));
	json_object_set_new(eng, "upload_reqs_by_reason", ur);
	json_object_set_new(t, "engine", eng);
	json_t *conns = json_array();
	for (uint32_t i = 0; i < chimney_recs(r->drv); i++) {
		const struct chimney_rec *h = chimney_rec(r->drv, i);
		const struct nic_toe_rec *n = nic_toe_record(r->nic, h->id);
		json_t *o = json_object();
		char b[80];
		json_object_set_new(o, "id", report_jint(h->id));
		endpoint_text(b, sizeof b, h->is_ipv6, h->local_ip, h->local_port);
		json_object_set_new(o, "local", json_string(b));
		endpoint_text(b, sizeof b, h->is_ipv6, h->remote_ip, h->remote_port);
		json_object_set_new(o, "remote", json_string(b));
		json_object_set_new(o, "offloaded_at_ps", report_jint(h->t_offload_ps));
		json_object_set_new(o, "uploaded_at_ps", h->t_upload_ps ? report_jint(h->t_upload_ps) : json_null());
		json_object_set_new(o, "upload_reason", json_string(toe_upload_reason_name((enum toe_upload_reason)h->upload_reason)));
		const struct toe_conn_stats *c = n ? &n->conn : NULL;
		json_object_set_new(o, "rx_bytes", report_jint(c ? c->rx_bytes : 0));
		json_object_set_new(o, "tx_bytes", report_jint(c ? c->tx_bytes : 0));
		json_t *te = json_object();
		json_object_set_new(te, "acks", report_jint(toe_acks_sent(c)));
		json_object_set_new(te, "data_segs", report_jint(toe_data_sent(c)));
		json_object_set_new(te, "retrans_segs", report_jint(c ? c->tx_segs_by_kind[TOE_SEG_RETRANS] : 0));
		json_object_set_new(te, "probes", report_jint(c ? c->tx_segs_by_kind[TOE_SEG_PROBE] : 0));
		json_object_set_new(te, "retrans_bytes", report_jint(c ? c->retrans_bytes : 0));
		json_object_set_new(te, "ooo_segs", report_jint(c ? c->ooo_segs : 0));
		json_object_set_new(te, "ooo_dropped", report_jint(c ? c->ooo_dropped : 0));
		json_object_set_new(te, "dup_segs", report_jint(c ? c->dup_segs : 0));
		json_object_set_new(te, "bad_segs", report_jint(c ? c->bad_segs : 0));
		json_object_set_new(te, "placed_bytes", report_jint(n ? n->placed_bytes : 0));
		json_object_set_new(te, "indicated_bytes", report_jint(n ? n->indicated_bytes : 0));
		json_object_set_new(o, "toe", te);
		json_t *cap = json_object();
		json_object_set_new(cap, "host_acks", report_jint(h->capture_acks));
		json_object_set_new(cap, "host_data_segs", report_jint(h->capture_data_segs));
		json_object_set_new(cap, "peer_bytes", report_jint(h->capture_peer_bytes));
		json_object_set_new(cap, "host_send_bytes", report_jint(h->send_bytes));
		json_object_set_new(o, "capture", cap);
		json_object_set_new(o, "replay_held", report_jint(h->replay_held));
		json_object_set_new(o, "replay_changed", report_jint(h->replay_changed));
		json_array_append_new(conns, o);
	}
	json_object_set_new(t, "connections", conns);
	return t;
}

json_t *report_json(const struct run *r)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", report_jint(REPORT_SCHEMA_VERSION));
	json_object_set_new(root, "generator", json_string("nicsim " NICSIM_VERSION));

	const struct replay_stats *rs = replay_stats(r->rep);
	const struct trace_info *ti = replay_trace_info(r->rep);
	json_t *tr = json_object();
	char digest[24];
	snprintf(digest, sizeof digest, "%016" PRIx64, rs->digest);
	json_object_set_new(tr, "file", json_string(base_name(r->trace_path)));
	json_object_set_new(tr, "format", json_string(ti->format));
	json_object_set_new(tr, "gzip", json_boolean(ti->is_gzip));
	json_object_set_new(tr, "link_type", json_string(ti->linktype_name));
	json_object_set_new(tr, "digest_fnv1a64", json_string(digest));
	json_object_set_new(tr, "records", report_jint(rs->records));
	json_object_set_new(tr, "passes", report_jint(rs->passes));
	json_t *sk = json_object();
	json_object_set_new(sk, "zero_length", report_jint(rs->trace.skipped_zero_len));
	json_object_set_new(sk, "caplen_over_length", report_jint(rs->trace.skipped_caplen_gt_len));
	json_object_set_new(sk, "original_length_absurd", report_jint(rs->trace.skipped_len_absurd));
	json_object_set_new(tr, "skipped_records", sk);
	json_object_set_new(tr, "timestamps_backwards", report_jint(rs->trace.ts_backwards));
	json_object_set_new(tr, "timestamps_out_of_range", report_jint(rs->trace.ts_clamped));
	json_object_set_new(tr, "truncated_tail", json_boolean(rs->truncated_tail));
	json_object_set_new(tr, "span_ps", report_jint(rs->last_ts_ps >= rs->first_ts_ps ? rs->last_ts_ps - rs->first_ts_ps : 0));
	json_object_set_new(root, "trace", tr);

	json_t *h = json_object();
	json_object_set_new(h, "how", json_string(r->host.how));
	json_t *ips = json_array();
	for (uint32_t i = 0; i < r->host.n_ip; i++) {
		char b[64];
		host_ip_text(&r->host, i, b, sizeof b);
		json_array_append_new(ips, json_string(b));
	}
	json_object_set_new(h, "ip", ips);
	json_object_set_new(root, "host_identity", h);

	json_object_set_new(root, "config", config_json(&r->cfg));

	json_t *run = json_object();
	json_object_set_new(run, "backend", json_string(r->backend));
	json_t *kn = json_object();
	json_object_set_new(kn, "name", json_string(r->kernel ? r->kernel->name : "native"));
	if (r->kernel)
		json_object_set_new(kn, "quantum_ps", report_jint(r->kernel->quantum_ps));
	json_object_set_new(run, "kernel", kn);
	json_object_set_new(run, "peak_rss_bytes", report_jint(peak_rss_bytes()));
	json_object_set_new(run, "sim_time_ps", report_jint(r->sim_end_ps));
	json_object_set_new(run, "events", report_jint(r->events));
	json_object_set_new(run, "frames_in_flight_at_end", report_jint(run_frames_in_flight(r)));
	json_object_set_new(root, "run", run);

	json_t *rp = json_object();
	report_stats_set(rp, replay_stat_defs, rs);
	json_object_set_new(root, "replay", rp);

	const struct nic_stats *ns = nic_stats(r->nic);
	const struct mac_stats *ms = nic_mac_stats(r->nic);
	json_t *nic = json_object();
	json_t *ps = json_object();
	for (int s = 0; s < PARSE_STATUS_COUNT; s++)
		json_object_set_new(ps, parse_status_name((enum parse_status)s), report_jint(ns->parse.by_status[s]));
	json_object_set_new(nic, "parse_status", ps);
	json_t *kinds = json_object();
	report_stats_set(kinds, parse_kind_stat_defs, &ns->parse);
	json_object_set_new(nic, "frames_by_kind", kinds);
	json_t *cs = json_object();
	report_stats_set(cs, nic_csum_stat_defs, ns);
	json_object_set_new(nic, "rx_checksum", cs);
	report_stats_set(nic, mac_stat_defs, ms);
	report_stats_set(nic, nic_stat_defs, ns);
	json_object_set_new(nic, "unknown_register_accesses", report_jint(ns->unknown_reg_reads + ns->unknown_reg_writes));
	json_object_set_new(root, "nic", nic);

	/* Drops by cause: the queues' summed, then the NIC's own. */
	struct nic_queue_stats sum = { 0 };
	for (uint32_t q = 0; q < nic_queues(r->nic); q++)
		for (const struct stat_def *d = nic_queue_drop_stat_defs; d->name; d++)
			*(uint64_t *)(void *)((char *)&sum + d->offset) += stat_value(d, nic_queue_stats(r->nic, q));
	json_t *drops = json_object();
	report_stats_set(drops, nic_queue_drop_stat_defs, &sum);
	report_stats_set(drops, nic_drop_stat_defs, ns);
	json_t *by = json_object();
	report_stats_set(by, nic_buffer_full_stat_defs, ns);
	json_object_set_new(drops, "buffer_full_by", by);
	json_object_set_new(root, "drops", drops);

	const struct pcie_link_stats *ls = nic_pcie_stats(r->nic);
	json_t *pl = json_object();
	for (int d = 0; d < PCIE_DIRS; d++) {
		json_t *dir = json_object();
		json_object_set_new(dir, "utilisation_ppm", report_jint(link_ppm(link_busy_ps(ls, d), r->sim_end_ps)));
		for (int c = 0; c < PCIE_CLASSES; c++) {
			json_t *cl = json_object();
			json_object_set_new(cl, "tlps", report_jint(ls->tlps[d][c]));
			json_object_set_new(cl, "bytes", report_jint(ls->bytes[d][c]));
			json_object_set_new(cl, "busy_ps", report_jint(ls->busy_ps[d][c]));
			json_object_set_new(dir, pcie_class_names[c], cl);
		}
		json_object_set_new(pl, pcie_dir_names[d], dir);
	}
	json_object_set_new(pl, "reads", report_jint(ls->reads));
	json_object_set_new(root, "pcie", pl);

	/* The transmit path: the stack's sends, the driver's work, the NIC's. */
	json_t *tx = json_object();
	json_t *txs = json_object();
	report_stats_set(txs, txstack_stat_defs, txstack_stats(r->txs));
	json_object_set_new(tx, "stack", txs);
	json_t *txh = json_object();
	report_stats_set(txh, host_tx_stat_defs, driver_tx_stats(r->drv));
	json_object_set_new(tx, "host", txh);
	json_t *txn = json_object();
	report_stats_set(txn, nic_tx_stat_defs, nic_tx_stats(r->nic));
	json_object_set_new(tx, "nic", txn);
	json_t *txl = json_object();
	for (int s = 0; s < HTX_COUNT; s++)
		json_object_set_new(txl, driver_tx_lat_name((enum host_tx_lat)s), hist_json(driver_tx_lat(r->drv, (enum host_tx_lat)s)));
	for (int s = 0; s < NIC_TXLAT_COUNT; s++)
		json_object_set_new(txl, nic_tx_lat_name((enum nic_tx_lat)s), hist_json(nic_tx_lat(r->nic, (enum nic_tx_lat)s)));
	json_object_set_new(tx, "latency_ps", txl);
	json_object_set_new(root, "tx", tx);

	json_t *qs = json_array();
	for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
		const struct host_queue_stats *hq = driver_queue_stats(r->drv, q);
		const struct nic_queue_stats *nq = nic_queue_stats(r->nic, q);
		json_t *o = json_object();
		json_object_set_new(o, "queue", report_jint(q));
		json_object_set_new(o, "cpu", report_jint(driver_queue_cpu(r->drv, q)));
		report_stats_set(o, host_queue_stat_defs, hq);
		json_t *dq = json_object();
		report_stats_set(dq, nic_queue_drop_stat_defs, nq);
		json_object_set_new(o, "drops", dq);
		report_stats_set(o, nic_queue_stat_defs, nq);
		struct irq_vec_stats iv = nic_irq_stats(r->nic, q);
		report_stats_set(o, irq_vec_stat_defs, &iv);
		report_stats_set(o, host_queue_dpc_stat_defs, hq);
		report_stats_set(o, host_txq_stat_defs, driver_txq_stats(r->drv, q));
		json_t *ntx = json_object();
		report_stats_set(ntx, nic_txq_stat_defs, nic_txq_stats(r->nic, q));
		json_object_set_new(o, "nic_tx", ntx);
		json_t *lat = json_object();
		for (int s = 0; s < LAT_COUNT; s++)
			json_object_set_new(lat, driver_lat_stage_name((enum lat_stage)s), hist_json(driver_queue_lat(r->drv, q, (enum lat_stage)s)));
		json_object_set_new(o, "latency_ps", lat);
		json_array_append_new(qs, o);
	}
	json_object_set_new(root, "queues", qs);
	struct hist all[LAT_COUNT];
	report_lat_all_queues(r, all);
	json_t *tot = json_object();
	for (int s = 0; s < LAT_COUNT; s++)
		json_object_set_new(tot, driver_lat_stage_name((enum lat_stage)s), hist_json(&all[s]));
	json_object_set_new(root, "latency_ps_all_queues", tot);
	json_object_set_new(root, "queue_imbalance_max_over_mean_permille", report_jint(imbalance_permille(r)));
	if (r->rebal) {
		json_t *o = json_object();
		report_stats_set(o, rebalance_stat_defs, rebalance_stats(r->rebal));
		json_object_set_new(root, "rebalance", o);
	}
	/* Counted only with --flows or table updates (per-flow state); null otherwise. */
	json_object_set_new(root, "flow_reordered_frames", r->flows && flows_count(r->flows) ? report_jint(r->reordered) : json_null());

	json_t *cpus = json_array();
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		uint64_t busy, span;
		report_cpu_busy(r, c, &busy, &span);
		json_t *o = json_object();
		json_object_set_new(o, "cpu", report_jint(c));
		json_t *cy = json_object();
		report_stats_set(cy, cpu_cycle_stat_defs, st);
		json_object_set_new(cy, "idle", report_jint(span - busy));
		json_object_set_new(o, "cycles", cy);
		json_object_set_new(o, "utilisation_ppm", report_jint(span ? busy * 1000000u / span : 0));
		report_stats_set(o, cpu_item_stat_defs, st);
		json_array_append_new(cpus, o);
	}
	json_object_set_new(root, "cpus", cpus);
	savings_json(r, root);
	if (r->is_toe)
		json_object_set_new(root, "toe", toe_json(r));
	json_t *warnings = json_array();
	char wbuf[512];
	if (csum_warning(r, wbuf, sizeof wbuf))
		json_array_append_new(warnings, json_string(wbuf));
	json_object_set_new(root, "warnings", warnings);
	return root;
}

static void fmt_ps(char *b, size_t n, uint64_t ps)
{
	if (ps < 100 * SIM_PS_PER_NS)
		snprintf(b, n, "%.1f ns", (double)ps / SIM_PS_PER_NS);
	else if (ps < SIM_PS_PER_US)
		snprintf(b, n, "%.0f ns", (double)ps / SIM_PS_PER_NS);
	else if (ps < 10 * SIM_PS_PER_US)
		snprintf(b, n, "%.2f us", (double)ps / SIM_PS_PER_US);
	else if (ps < 10 * SIM_PS_PER_MS)
		snprintf(b, n, "%.1f us", (double)ps / SIM_PS_PER_US);
	else
		snprintf(b, n, "%.2f ms", (double)ps / SIM_PS_PER_MS);
}

/* min, mean, the percentiles and max of each histogram, one row each: min,
 * mean and p10 beside the upper percentiles show a distribution with two
 * humps for what it is. */
static void lat_table(FILE *f, const char *title, int n, const struct hist *h, const char *const *names)
{
	fprintf(f, "%-20s %9s %9s", title, "min", "mean");
	for (int i = 0; i < NPCTS; i++)
		fprintf(f, " %9s", pcts[i].name);
	fprintf(f, " %9s\n", "max");
	for (int s = 0; s < n; s++) {
		char v[16];
		fprintf(f, "  %-18s", names[s]);
		fmt_ps(v, sizeof v, hist_min(&h[s]));
		fprintf(f, " %9s", v);
		fmt_ps(v, sizeof v, hist_mean(&h[s]));
		fprintf(f, " %9s", v);
		for (int i = 0; i < NPCTS; i++) {
			fmt_ps(v, sizeof v, hist_percentile(&h[s], pcts[i].ppm));
			fprintf(f, " %9s", v);
		}
		fmt_ps(v, sizeof v, hist_max(&h[s]));
		fprintf(f, " %9s\n", v);
	}
}

/* The PCIe link: utilisation per direction and its share by class; drops
 * the full packet buffer made, by what held it. */
static void link_text(FILE *f, const struct run *r)
{
	const struct pcie_link_stats *ls = nic_pcie_stats(r->nic);
	const struct pcie_cfg *c = &r->cfg.pcie;
	fprintf(f, "pcie gen%u x%u (%.2f Gb/s a direction), mps %u, mrrs %u: utilisation by class\n", c->gen, c->lanes,
		(double)pcie_link_kbps(c) / 1e6, c->mps, c->mrrs);
	for (int d = 0; d < PCIE_DIRS; d++) {
		fprintf(f, "  %-5s %6.2f%%", pcie_dir_names[d], (double)link_ppm(link_busy_ps(ls, d), r->sim_end_ps) / 1e4);
		for (int k = 0; k < PCIE_CLASSES; k++)
			if (ls->busy_ps[d][k])
				fprintf(f, "  %s %.2f%%", pcie_class_names[k], (double)link_ppm(ls->busy_ps[d][k], r->sim_end_ps) / 1e4);
		fputc('\n', f);
	}
	const struct nic_stats *ns = nic_stats(r->nic);
	uint64_t full = 0;
	for (const struct stat_def *d = nic_buffer_full_stat_defs; d->name; d++)
		full += stat_value(d, ns);
	if (full) {
		fprintf(f, "packet buffer full: %" PRIu64 " frames dropped, while", full);
		for (const struct stat_def *d = nic_buffer_full_stat_defs; d->name; d++)
			fprintf(f, " %s %" PRIu64, d->name, stat_value(d, ns));
		fputs(" held it\n", f);
	}
	if (ns->read_tag_waits)
		fprintf(f, "descriptor fetches that waited for a read tag: %" PRIu64 "\n", ns->read_tag_waits);
}

/* The transmit path in a few lines: sends, what segmented and summed them,
 * the NIC's frames, the host's cycles, and the stages. */
static void tx_text(FILE *f, const struct run *r)
{
	const struct txstack_stats *ss = txstack_stats(r->txs);
	const struct host_tx_stats *hs = driver_tx_stats(r->drv);
	const struct nic_tx_stats *ts = nic_tx_stats(r->nic);
	uint64_t frames = 0, bytes = 0;
	for (uint32_t q = 0; q < nic_queues(r->nic); q++) {
		frames += nic_txq_stats(r->nic, q)->tx_packets;
		bytes += nic_txq_stats(r->nic, q)->tx_bytes;
	}
	fprintf(f, "tx: %" PRIu64 " host frames -> %" PRIu64 " sends (%" PRIu64 " segments coalesced, %" PRIu64
		   " super-frames); NIC sent %" PRIu64 " frames / %" PRIu64 " bytes (%" PRIu64 " by TSO), "
		   "%" PRIu64 " sends segmented by the NIC, %" PRIu64 " by the host\n",
		ss->frames, ss->sends, ss->coalesced_segments, ss->superframes, frames, bytes, ts->tso_frames,
		hs->lso_sends, hs->sw_segmented);
	fprintf(f, "tx host cycles: output %" PRIu64 ", copy %" PRIu64 ", software checksum %" PRIu64 ", clean %" PRIu64
		   "; pure ACKs sent %" PRIu64 ", received %" PRIu64 "\n",
		hs->cycles_output, hs->cycles_copy, hs->cycles_csum, hs->cycles_clean, hs->ack_sends, hs->ack_rx);
	if (hs->backlog_drops || ts->bad_descriptors)
		fprintf(f, "warning: %" PRIu64 " sends dropped by the host's software queues, %" PRIu64
			   " packets refused by the NIC\n", hs->backlog_drops, ts->bad_descriptors);
	struct hist h[HTX_COUNT + NIC_TXLAT_COUNT];
	const char *names[HTX_COUNT + NIC_TXLAT_COUNT];
	for (int s = 0; s < HTX_COUNT; s++) {
		h[s] = *driver_tx_lat(r->drv, (enum host_tx_lat)s);
		names[s] = driver_tx_lat_name((enum host_tx_lat)s);
	}
	for (int s = 0; s < NIC_TXLAT_COUNT; s++) {
		h[HTX_COUNT + s] = *nic_tx_lat(r->nic, (enum nic_tx_lat)s);
		names[HTX_COUNT + s] = nic_tx_lat_name((enum nic_tx_lat)s);
	}
	lat_table(f, "tx latency (sends)", HTX_COUNT + NIC_TXLAT_COUNT, h, names);
	fputc('\n', f);
}

/* The offload engine's part of the summary: the host's side, then a row
 * per offloaded connection (the first REPORT_TOE_ROWS), the engine's
 * frames next to the capture's host frames they replaced. */
#define REPORT_TOE_ROWS 20
static void toe_text(const struct run *r, FILE *f)
{
	const struct chimney_stats *cs = chimney_stats(r->drv);
	uint64_t inel = 0;
	for (int i = 0; i < CHIM_INEL_COUNT; i++)
		inel += cs->ineligible[i];
	fprintf(f, "\ntoe: %" PRIu64 " connections followed, %" PRIu64 " offloaded (%" PRIu64 " refused, %" PRIu64
		   " not for a full table), %" PRIu64 " uploaded; %" PRIu64 " kept on the host as ineligible",
		cs->conns_tracked, cs->offloads_done, cs->offloads_refused, cs->table_full, cs->uploads, inel);
	for (int i = 0; i < CHIM_INEL_COUNT; i++)
		if (cs->ineligible[i])
			fprintf(f, " (%s %" PRIu64 ")", chim_inel_name((enum chim_inel)i), cs->ineligible[i]);
	fprintf(f, "\ntoe host cycles: offload %" PRIu64 ", upload %" PRIu64 ", requests %" PRIu64 ", copies %" PRIu64
		   "; received %" PRIu64 " bytes zero copy, %" PRIu64 " indicated\n",
		cs->cycles_offload, cs->cycles_upload, cs->cycles_io, cs->cycles_copy, cs->rx_placed_bytes,
		cs->rx_indicated_bytes);
	fprintf(f, "toe replay: %" PRIu64 " of the capture's host ACKs and %" PRIu64 " host data segments replaced by the "
		   "engine; %" PRIu64 " peer frames held, %" PRIu64 " with their ACK lowered, %" PRIu64 " held at the end\n",
		cs->capture_acks_skipped, cs->capture_data_segs, cs->replay_held, cs->replay_changed,
		cs->replay_held_at_end);
	uint32_t n = chimney_recs(r->drv);
	if (!n)
		return;
	fprintf(f, "%-28s %10s %10s %9s %9s %9s %9s %7s %5s %s\n", "offloaded connection (peer)", "rx bytes", "tx bytes",
		"toe acks", "cap acks", "toe data", "cap data", "retrans", "ooo", "upload");
	for (uint32_t i = 0; i < n && i < REPORT_TOE_ROWS; i++) {
		const struct chimney_rec *h = chimney_rec(r->drv, i);
		const struct nic_toe_rec *nr = nic_toe_record(r->nic, h->id);
		const struct toe_conn_stats *c = nr ? &nr->conn : NULL;
		char ep[80];
		endpoint_text(ep, sizeof ep, h->is_ipv6, h->remote_ip, h->remote_port);
		uint64_t acks = toe_acks_sent(c), data = toe_data_sent(c);
		fprintf(f, "%-28s %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64
			   " %5" PRIu64 " %s\n",
			ep, c ? c->rx_bytes : 0, c ? c->tx_bytes : 0, acks, h->capture_acks, data, h->capture_data_segs,
			c ? c->tx_segs_by_kind[TOE_SEG_RETRANS] : 0, c ? c->ooo_segs : 0,
			h->t_upload_ps ? toe_upload_reason_name((enum toe_upload_reason)h->upload_reason) : "-");
	}
	if (n > REPORT_TOE_ROWS)
		fprintf(f, "... %u more in the JSON report (toe.connections)\n", n - REPORT_TOE_ROWS);
}

void report_text(const struct run *r, FILE *f)
{
	const struct replay_stats *rs = replay_stats(r->rep);
	const struct trace_info *ti = replay_trace_info(r->rep);
	const struct nic_stats *ns = nic_stats(r->nic);
	fprintf(f, "nicsim %s — %s (%s%s, %s), digest %016" PRIx64 "\n", NICSIM_VERSION, r->trace_path, ti->format,
		ti->is_gzip ? "+gzip" : "", ti->linktype_name, rs->digest);
	char ipb[64] = "-";
	if (r->host.n_ip)
		host_ip_text(&r->host, 0, ipb, sizeof ipb);
	fprintf(f, "host %s (%s); mode %s, %u queue(s) on %u cpu(s), backend %s\n", ipb, r->host.how,
		r->cfg.host.mode == HOST_MODE_LEGACY ? "legacy (NDIS 5.1)" : "rss", driver_queues(r->drv),
		r->cfg.host.cpus, r->backend);
	if (r->cfg.cost.is_irq_per_frame)
		fprintf(f, "the software path (cost.irq_per_frame: an interrupt and a DPC run charged per frame and per "
			   "send; with --baseline every offload off too): docs/cost-model.md\n");
	fprintf(f, "records %" PRIu64 " (passes %" PRIu32 "): rx %" PRIu64 " frames / %" PRIu64
		   " bytes, tx %" PRIu64 " frames / %" PRIu64 " bytes, foreign %" PRIu64 "\n",
		rs->records, rs->passes, rs->rx_frames, rs->rx_bytes, rs->tx_frames, rs->tx_bytes, rs->foreign_frames);
	if (rs->trace.skipped_zero_len || rs->trace.skipped_caplen_gt_len || rs->trace.ts_backwards ||
	    rs->trace.skipped_len_absurd || rs->trace.ts_clamped)
		fprintf(f, "trace oddities: %" PRIu64 " zero-length, %" PRIu64 " caplen>len and %" PRIu64
			   " absurd-length records skipped, %" PRIu64 " timestamps backwards, %" PRIu64
			   " out of range (clamped)\n",
			rs->trace.skipped_zero_len, rs->trace.skipped_caplen_gt_len, rs->trace.skipped_len_absurd,
			rs->trace.ts_backwards, rs->trace.ts_clamped);
	if (rs->skip_note[0])
		fprintf(f, "warning: %s%s\n", rs->skip_note, rs->trace.skipped_len_absurd > 1 ? ", and the others counted above" : "");
	if (rs->ts_clamped || rs->paced || rs->gaps_cut)
		fprintf(f, "replay: %" PRIu64 " frames put at the previous one's time (timestamp went back), %" PRIu64
			   " paced to the line rate, %" PRIu64 " idle gaps cut to replay.max_gap_us (%.6f s removed)\n",
			rs->ts_clamped, rs->paced, rs->gaps_cut, (double)rs->gap_cut_us / 1e6);
	if (rs->truncated_tail)
		fprintf(f, "warning: %s — the run used the records before it\n", rs->truncated_msg);
	uint64_t unparsed = 0;
	for (int s = 1; s < PARSE_STATUS_COUNT; s++)
		unparsed += ns->parse.by_status[s];
	fprintf(f, "nic: parsed %" PRIu64 ", not parsed %" PRIu64 "; checksum l4 good %" PRIu64 " bad %" PRIu64
		   " unchecked %" PRIu64 "\n",
		ns->parse.by_status[PARSE_OK], unparsed, ns->csum_l4_good, ns->csum_l4_bad, ns->csum_not_checked);
	char wbuf[512];
	if (csum_warning(r, wbuf, sizeof wbuf))
		fprintf(f, "warning: %s\n", wbuf);
	if (ns->unknown_reg_reads + ns->unknown_reg_writes)   /* unknown registers are traced, not ignored */
		fprintf(f, "nic: %" PRIu64 " reads and %" PRIu64 " writes of unknown registers (the last at 0x%05" PRIx64 ")\n",
			ns->unknown_reg_reads, ns->unknown_reg_writes, ns->last_unknown_reg);
	char t[32];
	fmt_ps(t, sizeof t, r->sim_end_ps);
	fprintf(f, "simulated %s in %" PRIu64 " events, %.3f s wall", t, r->events, (double)r->wall_ns / 1e9);
	if (r->kernel) {
		char q[32];
		fmt_ps(q, sizeof q, r->kernel->quantum_ps);
		fprintf(f, " (%s kernel, quantum %s)", r->kernel->name, q);
	}
	fputc('\n', f);
	uint64_t left = run_frames_in_flight(r);
	if (left)
		fprintf(f, "warning: %" PRIu64 " frame(s) were still in the NIC or unprocessed in the host's rings when "
			   "the run ended (run.stop_us, or irq.frames without irq.usecs: no interrupt for them)\n", left);
	fputc('\n', f);

	/* The per-queue columns are declared counters: the driver's packets and
	 * bytes, the NIC's drops by cause, the vector's interrupts. */
	const struct { const struct stat_def *def; int width; } cols[] = {
		{ &host_queue_stat_defs[0], 10 }, { &host_queue_stat_defs[1], 12 },
		{ &nic_queue_drop_stat_defs[0], 9 }, { &nic_queue_drop_stat_defs[1], 13 },
		{ &irq_vec_stat_defs[0], 10 },
	};
	enum { NCOLS = sizeof cols / sizeof cols[0] };
	fprintf(f, "%5s %4s", "queue", "cpu");
	for (int i = 0; i < NCOLS; i++)
		fprintf(f, " %*s", cols[i].width, cols[i].def->name);
	fprintf(f, " %10s %10s %10s %10s\n", "e2e p50", "e2e p99", "e2e p99.9", "e2e max");
	uint32_t nq = driver_queues(r->drv);
	for (uint32_t q = 0; q < nq; q++) {
		const struct host_queue_stats *hq = driver_queue_stats(r->drv, q);
		const struct nic_queue_stats *qq = nic_queue_stats(r->nic, q);
		struct irq_vec_stats iv = nic_irq_stats(r->nic, q);
		const void *st[NCOLS] = { hq, hq, qq, qq, &iv };
		if (nq > REPORT_QUEUES_ALL_MAX && !hq->packets && !qq->drop_buffer_full && !qq->drop_no_desc)
			continue; /* many queues: show the ones that saw traffic */
		char a[16], b[16], c[16], d[16];
		const struct hist *e = driver_queue_lat(r->drv, q, LAT_E2E);
		fmt_ps(a, sizeof a, hist_percentile(e, pcts[P50].ppm));
		fmt_ps(b, sizeof b, hist_percentile(e, pcts[P99].ppm));
		fmt_ps(c, sizeof c, hist_percentile(e, pcts[P99_9].ppm));
		fmt_ps(d, sizeof d, hist_max(e));
		fprintf(f, "%5u %4u", q, driver_queue_cpu(r->drv, q));
		for (int i = 0; i < NCOLS; i++)
			fprintf(f, " %*" PRIu64, cols[i].width, stat_value(cols[i].def, st[i]));
		fprintf(f, " %10s %10s %10s %10s\n", a, b, c, d);
	}
	uint64_t imb = imbalance_permille(r);
	if (r->rebal) {
		const struct rebalance_stats *b = rebalance_stats(r->rebal);
		fprintf(f, "table updates: %" PRIu64 " entries moved (%" PRIu64 " after draining, %" PRIu64
			   " forced at timeout), %" PRIu64 " policy runs (%" PRIu64 " idle intervals skipped)\n",
			b->entries_moved, b->moves_drained, b->moves_forced, b->policy_runs, b->policy_idle_intervals);
	}
	fprintf(f, "queue imbalance (max/mean packets): %.2f", (double)imb / 1000.0);
	if (flows_count(r->flows))
		fprintf(f, "; frames reordered within a flow: %" PRIu64, r->reordered);
	fprintf(f, "\n\n");

	struct hist all[LAT_COUNT];
	report_lat_all_queues(r, all);
	const char *names[LAT_COUNT];
	for (int s = 0; s < LAT_COUNT; s++)
		names[s] = driver_lat_stage_name((enum lat_stage)s);
	lat_table(f, "latency, all queues", LAT_COUNT, all, names);
	fputc('\n', f);
	tx_text(f, r);
	link_text(f, r);
	/* Columns named by the declared counters. */
	fprintf(f, "\n%4s %7s", "cpu", "util");
	for (const struct stat_def *d = cpu_cycle_stat_defs; d->name; d++) {
		char h[32];
		snprintf(h, sizeof h, "%s cyc", d->name);
		fprintf(f, " %12s", h);
	}
	fprintf(f, " %8s\n", cpu_item_stat_defs[CPU_WORK_DPC].name);
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		uint64_t busy, span;
		report_cpu_busy(r, c, &busy, &span);
		fprintf(f, "%4u %6.1f%% %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 "\n", c,
			span ? 100.0 * (double)busy / (double)span : 0.0, st->cycles[CPU_ISR], st->cycles[CPU_DRIVER],
			st->cycles[CPU_PROTOCOL], st->cycles[CPU_COPY], st->items[CPU_WORK_DPC]);
	}
	savings_text(r, f);
	if (r->is_toe)
		toe_text(r, f);
}

/* ---- docs/report.md, from the same declarations ---- */

void report_docs_counters(FILE *f, const char *where, const struct stat_def *defs)
{
	for (const struct stat_def *d = defs; d->name; d++)
		fprintf(f, "| `%s%s` | %s | %s |\n", where, d->name, d->unit, d->desc);
}

void report_write_docs(FILE *f)
{
	fprintf(f, "# The JSON report (schema_version %d)\n\n", REPORT_SCHEMA_VERSION);
	fputs("Generated by `nicsim schema` from the counter declarations in the code; do not edit by hand.\n"
	      "Written by `nicsim run --json FILE`. All values are integers (times in picoseconds,\n"
	      "ratios in parts per million or per thousand as named) except strings and booleans,\n"
	      "so a report is reproducible byte for byte, but for `run.peak_rss_bytes`, which `nicsim check`\n"
	      "leaves out (as it does `run.backend` and `run.kernel`). Keys appear in this order.\n\n"
	      "| key | what |\n"
	      "|---|---|\n"
	      "| `schema_version`, `generator` | the schema version; \"nicsim VERSION\" |\n"
	      "| `trace` | file name, format, gzip, link type, `digest_fnv1a64` (see traces/reader.h), records, passes, "
	      "skipped records by cause, timestamps going backwards, `truncated_tail`, span |\n"
	      "| `host_identity` | how the host was identified and its address(es) |\n"
	      "| `config` | every setting, by section, as text (what `--set` accepts; docs/config.md) |\n"
	      "| `run` | backend (`c` or `rtl:...`), `kernel` (what stepped time: `name` `native`, or `systemc` "
	      "with its `quantum_ps`, docs/systemc.md), `peak_rss_bytes` (the process's peak resident memory when "
	      "the report was written, getrusage's `ru_maxrss`; it depends on the machine and the allocator), "
	      "simulated time, events fired, `frames_in_flight_at_end` (frames still in the NIC or unprocessed in the "
	      "host's rings when the run ended: a stopped run, or moderation by frame count alone that a burst's "
	      "last frames never reach) |\n"
	      "| `replay` | the replay's counters (below) |\n"
	      "| `nic` | parse status counts, frames by kind, receive-checksum verdicts, MAC counters, pipeline "
	      "cycles, unknown register accesses (below) |\n"
	      "| `drops` | totals by cause (below), and `buffer_full_by`: the `buffer_full` drops by what held the "
	      "packet buffer (below) |\n"
	      "| `pcie` | the NIC's PCIe link: per direction (`up`, device to host; `down`, host to device) "
	      "`utilisation_ppm` (busy time over simulated time) and, per class (`data`, `descriptors`, `write_back`, "
	      "`msix`, `doorbells`), `tlps`, `bytes` on the link (TLP headers, framing, payload) and `busy_ps`; "
	      "`reads`, the DMA reads issued (docs/pcie.md) |\n"
	      "| `tx` | the transmit path (docs/tx.md): `stack` (how the capture's host frames became sends), `host` "
	      "(the driver's transmit work and its cycles), `nic` (the NIC's transmit engine), `latency_ps` (a send's "
	      "stages in the host and in the NIC, below) |\n"
	      "| `queues[]` | per queue: `queue`, `cpu`, the per-queue counters below, `nic_tx` (the NIC's transmit "
	      "counters of the queue), `latency_ps` per stage (below) |\n"
	      "| `latency_ps_all_queues` | the latency of every queue merged, per stage |\n"

	      "| `queue_imbalance_max_over_mean_permille` | max/mean packets per queue × 1000 (1000 = even) |\n"
	      "| `rebalance` | with indirection-table updates only (below) |\n"
	      "| `flow_reordered_frames` | frames the host finished after a later frame of the same flow (null "
	      "unless --flows or table updates keep per-flow state) |\n"
	      "| `cpus[]` | per CPU: `cpu`, `cycles` by category and `idle`, `utilisation_ppm`, work items (below) |\n"
	      "| `host_cycles`, `baseline_cycles`, `savings` | cycles spent, what the software path would have spent, "
	      "and the savings by line of the cost model and per CPU (below, Savings) |\n"
	      "| `netdma` | with `netdma.enable` (below, Savings) |\n"
	      "| `toe` | with `toe.enable` only (docs/toe.md): `host` (the host's chimney: connections followed, "
	      "`ineligible` by reason, offloads and uploads, the handoff, the capture's host frames the engine "
	      "replaced, the replay rule, the cycles charged), `nic` (the engine's shell: commands, DMA, events, "
	      "frames), `engine` (the table, `upload_reqs_by_reason`), `connections[]` (one per offload: `id`, "
	      "`local`, `remote`, `offloaded_at_ps`, `uploaded_at_ps` (null: still offloaded at the end), "
	      "`upload_reason`, `rx_bytes` and `tx_bytes` through the engine, `toe` (what the engine sent: `acks` "
	      "(with window updates), `data_segs` (with FINs), `retrans_segs`, `probes`, `retrans_bytes`; what it "
	      "received: `ooo_segs`, `ooo_dropped`, `dup_segs`, `bad_segs`; `placed_bytes` zero copy, "
	      "`indicated_bytes` copied), `capture` (the capture's frames of it after the offload: `host_acks`, "
	      "`host_data_segs` and `peer_bytes`; `host_send_bytes` handed to the engine), `replay_held` and `replay_changed` (the replay rule) |\n"
	      "| `warnings` | what the text report warns of, as strings: more than half the TCP/UDP checksums checked on "
	      "receive bad (the host was probably guessed wrong: set `host.ip`) |\n\n",
	      f);
	fputs("## Counters\n\n| key | unit | what it counts |\n|---|---|---|\n", f);
	report_docs_counters(f, "replay.", replay_stat_defs);
	fputs("| `nic.parse_status.NAME` | frames | frames by parse verdict: ", f);
	for (int st = 0; st < PARSE_STATUS_COUNT; st++)
		fprintf(f, "%s`%s`", st ? ", " : "", parse_status_name((enum parse_status)st));
	fputs(" |\n", f);
	report_docs_counters(f, "nic.frames_by_kind.", parse_kind_stat_defs);
	report_docs_counters(f, "nic.rx_checksum.", nic_csum_stat_defs);
	report_docs_counters(f, "nic.", mac_stat_defs);
	report_docs_counters(f, "nic.", nic_stat_defs);
	fputs("| `nic.unknown_register_accesses` | accesses | reads and writes of no register, or refused "
	      "(the text report names the last address) |\n",
	      f);
	report_docs_counters(f, "drops.", nic_queue_drop_stat_defs);
	report_docs_counters(f, "drops.", nic_drop_stat_defs);
	report_docs_counters(f, "drops.buffer_full_by.", nic_buffer_full_stat_defs);
	report_docs_counters(f, "tx.stack.", txstack_stat_defs);
	report_docs_counters(f, "tx.host.", host_tx_stat_defs);
	report_docs_counters(f, "tx.nic.", nic_tx_stat_defs);
	report_docs_counters(f, "queues[].", host_queue_stat_defs);
	report_docs_counters(f, "queues[].drops.", nic_queue_drop_stat_defs);
	report_docs_counters(f, "queues[].", nic_queue_stat_defs);
	report_docs_counters(f, "queues[].", irq_vec_stat_defs);
	report_docs_counters(f, "queues[].", host_queue_dpc_stat_defs);
	report_docs_counters(f, "queues[].", host_txq_stat_defs);
	report_docs_counters(f, "queues[].nic_tx.", nic_txq_stat_defs);
	report_docs_counters(f, "rebalance.", rebalance_stat_defs);
	report_docs_counters(f, "cpus[].cycles.", cpu_cycle_stat_defs);
	fputs("| `cpus[].cycles.idle` | cycles | the run's length in the core's cycles, less the busy ones |\n", f);
	report_docs_counters(f, "cpus[].", cpu_item_stat_defs);
	report_docs_counters(f, "toe.host.", chimney_stat_defs);
	fputs("| `toe.host.ineligible.NAME` | connections | connections kept on the host, by the first reason: ", f);
	for (int i = 0; i < CHIM_INEL_COUNT; i++)
		fprintf(f, "%s`%s`", i ? ", " : "", chim_inel_name((enum chim_inel)i));
	fputs(" |\n", f);
	report_docs_counters(f, "toe.nic.", nic_toe_stat_defs);
	report_docs_counters(f, "toe.engine.", toe_stat_defs);
	fputs("| `toe.engine.upload_reqs_by_reason.NAME` | requests | upload requests by NDIS TCP_UPLOAD_REASON: ", f);
	for (int i = 1; i < TOE_UP_REASON_COUNT; i++)
		fprintf(f, "%s`%s`", i > 1 ? ", " : "", toe_upload_reason_name((enum toe_upload_reason)i));
	fputs(" |\n", f);
	savings_write_docs(f);
	fputs("\n## Latency\n\n"
	      "Each `latency_ps` object (per queue, and merged over the queues in `latency_ps_all_queues`) cuts a "
	      "frame's receive latency into consecutive stages, whose sum is `end_to_end` frame by frame:\n\n",
	      f);
	for (int st = 0; st < LAT_COUNT; st++)
		fprintf(f, "- `%s`: %s;\n", driver_lat_stage_name((enum lat_stage)st), driver_lat_stage_desc((enum lat_stage)st));
	fputs("\n`tx.latency_ps` cuts a send's time into consecutive stages, in the host (the first four; "
	      "`host_total` is their sum, send by send) and in the NIC (the next four; `doorbell_to_wire` is their "
	      "sum):\n\n",
	      f);
	for (int st = 0; st < HTX_COUNT; st++)
		fprintf(f, "- `%s`: %s;\n", driver_tx_lat_name((enum host_tx_lat)st), driver_tx_lat_desc((enum host_tx_lat)st));
	for (int st = 0; st < NIC_TXLAT_COUNT; st++)
		fprintf(f, "- `%s`: %s;\n", nic_tx_lat_name((enum nic_tx_lat)st), nic_tx_lat_desc((enum nic_tx_lat)st));
	fputs("\neach as `count`, `min`, `p10`, `p50`, `p90`, `p99`, `p99_9`, `max`, `mean`. Percentiles come from a\n"
	      "log-linear histogram (sim/hist.h): exact below 64 ps, then within 1/32 (3.1%) above the exact value;\n"
	      "`min`, `max` and `mean` are exact (the mean rounded down).\n",
	      f);
}
