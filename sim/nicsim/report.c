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

#include "sim/hist.h"
#include "sim/nicsim/run.h"

static const char *lat_names[LAT_COUNT] = { "wire_to_dma", "wire_to_irq", "wire_to_dpc", "end_to_end" };
static const char *cpu_cat_names[CPU_CAT_COUNT] = { "isr", "driver", "protocol", "copy" };
static const struct {
	const char *name;
	uint32_t ppm;
} pcts[] = { { "p50", 500000 }, { "p90", 900000 }, { "p99", 990000 }, { "p99_9", 999000 } };
enum { P50 = 0, P99 = 2, P99_9 = 3 };   /* indexes into pcts */
/* The text report lists every queue up to this many; beyond, only the
 * queues that saw traffic (a choice: one screen). */
#define REPORT_QUEUES_ALL_MAX 16u

static json_t *jint(uint64_t v) { return json_integer((json_int_t)v); }

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static json_t *hist_json(const struct hist *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "count", jint(hist_count(h)));
	for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
		json_object_set_new(o, pcts[i].name, jint(hist_percentile(h, pcts[i].ppm)));
	json_object_set_new(o, "max", jint(hist_max(h)));
	json_object_set_new(o, "mean", jint(hist_count(h) ? hist_sum(h) / hist_count(h) : 0));
	return o;
}

static json_t *config_json(const struct nicsim_cfg *cfg)
{
	json_t *o = json_object();
	char v[256];
	for (const struct param_group *g = config_groups; g->section; g++) {
		json_t *s = json_object();
		for (const struct param_def *d = g->defs; d->key; d++) {
			param_format(d, (const char *)cfg + g->cfg_offset, v, sizeof v);
			json_object_set_new(s, strchr(d->key, '.') + 1, json_string(v));
		}
		json_object_set_new(o, g->section, s);
	}
	return o;
}

static void host_ip_text(const struct host_id *id, uint32_t i, char *buf, size_t len)
{
	inet_ntop(id->ip_is_v6[i] ? AF_INET6 : AF_INET, id->ip[i], buf, (socklen_t)len);
}

/* Busy cycles of a core and the run's length in its cycles. */
static void cpu_busy(const struct run *r, uint32_t c, uint64_t *busy, uint64_t *span)
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

/* Latency of every queue merged, per stage (for the all-queues lines). */
static void merge_queues(const struct run *r, struct hist all[LAT_COUNT])
{
	for (int s = 0; s < LAT_COUNT; s++) {
		hist_init(&all[s]);
		for (uint32_t q = 0; q < driver_queues(r->drv); q++)
			hist_merge(&all[s], driver_queue_lat(r->drv, q, (enum lat_stage)s));
	}
}

json_t *report_json(const struct run *r)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", jint(REPORT_SCHEMA_VERSION));
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
	json_object_set_new(tr, "records", jint(rs->records));
	json_object_set_new(tr, "passes", jint(rs->passes));
	json_t *sk = json_object();
	json_object_set_new(sk, "zero_length", jint(rs->trace.skipped_zero_len));
	json_object_set_new(sk, "caplen_over_length", jint(rs->trace.skipped_caplen_gt_len));
	json_object_set_new(sk, "original_length_absurd", jint(rs->trace.skipped_len_absurd));
	json_object_set_new(tr, "skipped_records", sk);
	json_object_set_new(tr, "timestamps_backwards", jint(rs->trace.ts_backwards));
	json_object_set_new(tr, "timestamps_out_of_range", jint(rs->trace.ts_clamped));
	json_object_set_new(tr, "truncated_tail", json_boolean(rs->truncated_tail));
	json_object_set_new(tr, "span_ps", jint(rs->last_ts_ps >= rs->first_ts_ps ? rs->last_ts_ps - rs->first_ts_ps : 0));
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
	json_object_set_new(run, "sim_time_ps", jint(r->sim_end_ps));
	json_object_set_new(run, "events", jint(r->events));
	json_object_set_new(root, "run", run);

	json_t *rp = json_object();
	json_object_set_new(rp, "rx_frames", jint(rs->rx_frames));
	json_object_set_new(rp, "rx_bytes", jint(rs->rx_bytes));
	json_object_set_new(rp, "tx_frames_not_simulated", jint(rs->tx_frames));
	json_object_set_new(rp, "tx_bytes_not_simulated", jint(rs->tx_bytes));
	json_object_set_new(rp, "foreign_frames", jint(rs->foreign_frames));
	json_object_set_new(rp, "timestamps_clamped", jint(rs->ts_clamped));
	json_object_set_new(rp, "paced_to_line_rate", jint(rs->paced));
	json_object_set_new(rp, "gaps_cut", jint(rs->gaps_cut));
	json_object_set_new(rp, "gap_cut_us", jint(rs->gap_cut_us));
	json_object_set_new(root, "replay", rp);

	const struct nic_stats *ns = nic_stats(r->nic);
	const struct mac_stats *ms = nic_mac_stats(r->nic);
	json_t *nic = json_object();
	json_t *ps = json_object();
	for (int s = 0; s < PARSE_STATUS_COUNT; s++)
		json_object_set_new(ps, parse_status_name((enum parse_status)s), jint(ns->parse.by_status[s]));
	json_object_set_new(nic, "parse_status", ps);
	json_t *kinds = json_object();
	json_object_set_new(kinds, "ipv4", jint(ns->parse.ipv4));
	json_object_set_new(kinds, "ipv6", jint(ns->parse.ipv6));
	json_object_set_new(kinds, "tcp", jint(ns->parse.tcp));
	json_object_set_new(kinds, "udp", jint(ns->parse.udp));
	json_object_set_new(kinds, "other_l4", jint(ns->parse.other_l4));
	json_object_set_new(kinds, "non_ip", jint(ns->parse.non_ip));
	json_object_set_new(kinds, "vlan_tagged", jint(ns->parse.vlan_tagged));
	json_object_set_new(kinds, "fragments", jint(ns->parse.fragments));
	json_object_set_new(nic, "frames_by_kind", kinds);
	json_t *cs = json_object();
	json_object_set_new(cs, "ip_good", jint(ns->csum_ip_good));
	json_object_set_new(cs, "ip_bad", jint(ns->csum_ip_bad));
	json_object_set_new(cs, "l4_good", jint(ns->csum_l4_good));
	json_object_set_new(cs, "l4_bad", jint(ns->csum_l4_bad));
	json_object_set_new(cs, "l4_not_checked", jint(ns->csum_not_checked));
	json_object_set_new(nic, "rx_checksum", cs);
	json_object_set_new(nic, "mac_rx_frames", jint(ms->rx_frames));
	json_object_set_new(nic, "mac_delayed_by_wire", jint(ms->rx_delayed_by_wire));
	json_object_set_new(nic, "fifo_peak_bytes", jint(ms->fifo_peak_bytes));
	json_object_set_new(nic, "pipeline_cycles", jint(ns->pipeline_cycles));
	json_object_set_new(nic, "unknown_register_accesses", jint(ns->unknown_reg_reads + ns->unknown_reg_writes));
	json_object_set_new(root, "nic", nic);

	uint64_t d_fifo = 0, d_desc = 0;
	for (uint32_t q = 0; q < nic_queues(r->nic); q++) {
		d_fifo += nic_queue_stats(r->nic, q)->drop_fifo_full;
		d_desc += nic_queue_stats(r->nic, q)->drop_no_desc;
	}
	json_t *drops = json_object();
	json_object_set_new(drops, "fifo_full", jint(d_fifo));
	json_object_set_new(drops, "no_descriptor", jint(d_desc));
	json_object_set_new(drops, "rx_disabled", jint(ns->rx_disabled_drops));
	json_object_set_new(root, "drops", drops);

	json_t *qs = json_array();
	for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
		const struct host_queue_stats *hq = driver_queue_stats(r->drv, q);
		const struct nic_queue_stats *nq = nic_queue_stats(r->nic, q);
		json_t *o = json_object();
		json_object_set_new(o, "queue", jint(q));
		json_object_set_new(o, "cpu", jint(driver_queue_cpu(r->drv, q)));
		json_object_set_new(o, "packets", jint(hq->packets));
		json_object_set_new(o, "bytes", jint(hq->bytes));
		json_t *dq = json_object();
		json_object_set_new(dq, "fifo_full", jint(nq->drop_fifo_full));
		json_object_set_new(dq, "no_descriptor", jint(nq->drop_no_desc));
		json_object_set_new(o, "drops", dq);
		json_object_set_new(o, "hashed", jint(nq->hashed));
		json_object_set_new(o, "interrupts", jint(nic_irq_stats(r->nic, q).interrupts));
		json_object_set_new(o, "dpc_runs", jint(hq->dpc_runs));
		json_t *lat = json_object();
		for (int s = 0; s < LAT_COUNT; s++)
			json_object_set_new(lat, lat_names[s], hist_json(driver_queue_lat(r->drv, q, (enum lat_stage)s)));
		json_object_set_new(o, "latency_ps", lat);
		json_array_append_new(qs, o);
	}
	json_object_set_new(root, "queues", qs);
	struct hist all[LAT_COUNT];
	merge_queues(r, all);
	json_t *tot = json_object();
	for (int s = 0; s < LAT_COUNT; s++)
		json_object_set_new(tot, lat_names[s], hist_json(&all[s]));
	json_object_set_new(root, "latency_ps_all_queues", tot);
	json_object_set_new(root, "queue_imbalance_max_over_mean_permille", jint(imbalance_permille(r)));
	if (r->rebal) {
		const struct rebalance_stats *b = rebalance_stats(r->rebal);
		json_t *o = json_object();
		json_object_set_new(o, "entries_moved", jint(b->entries_moved));
		json_object_set_new(o, "moves_after_drain", jint(b->moves_drained));
		json_object_set_new(o, "moves_forced_at_timeout", jint(b->moves_forced));
		json_object_set_new(o, "drain_polls", jint(b->drain_polls));
		json_object_set_new(o, "drain_polls_skipped_idle", jint(b->drain_polls_skipped));
		json_object_set_new(o, "policy_runs", jint(b->policy_runs));
		json_object_set_new(o, "policy_intervals_skipped_idle", jint(b->policy_idle_intervals));
		json_object_set_new(root, "rebalance", o);
	}
	/* Counted only with --flows or table updates (per-flow state); null otherwise. */
	json_object_set_new(root, "flow_reordered_frames", r->flows && flows_count(r->flows) ? jint(r->reordered) : json_null());

	json_t *cpus = json_array();
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		uint64_t busy, span;
		cpu_busy(r, c, &busy, &span);
		json_t *o = json_object();
		json_object_set_new(o, "cpu", jint(c));
		json_t *cy = json_object();
		for (int i = 0; i < CPU_CAT_COUNT; i++)
			json_object_set_new(cy, cpu_cat_names[i], jint(st->cycles[i]));
		json_object_set_new(cy, "idle", jint(span - busy));
		json_object_set_new(o, "cycles", cy);
		json_object_set_new(o, "utilisation_ppm", jint(span ? busy * 1000000u / span : 0));
		json_object_set_new(o, "isrs", jint(st->isrs));
		json_object_set_new(o, "dpcs", jint(st->dpcs));
		json_array_append_new(cpus, o);
	}
	json_object_set_new(root, "cpus", cpus);
	return root;
}

static void fmt_ps(char *b, size_t n, uint64_t ps)
{
	if (ps < 10 * SIM_PS_PER_US)
		snprintf(b, n, "%.2f us", (double)ps / SIM_PS_PER_US);
	else if (ps < 10 * SIM_PS_PER_MS)
		snprintf(b, n, "%.1f us", (double)ps / SIM_PS_PER_US);
	else
		snprintf(b, n, "%.2f ms", (double)ps / SIM_PS_PER_MS);
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
	fprintf(f, "records %" PRIu64 " (passes %" PRIu32 "): rx %" PRIu64 " frames / %" PRIu64
		   " bytes, tx %" PRIu64 " (counted, not simulated), foreign %" PRIu64 "\n",
		rs->records, rs->passes, rs->rx_frames, rs->rx_bytes, rs->tx_frames, rs->foreign_frames);
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
	if (ns->unknown_reg_reads + ns->unknown_reg_writes)   /* STYLE.md: unknown registers are traced */
		fprintf(f, "nic: %" PRIu64 " reads and %" PRIu64 " writes of unknown registers (the last at 0x%05" PRIx64 ")\n",
			ns->unknown_reg_reads, ns->unknown_reg_writes, ns->last_unknown_reg);
	char t[32];
	fmt_ps(t, sizeof t, r->sim_end_ps);
	fprintf(f, "simulated %s in %" PRIu64 " events, %.3f s wall\n\n", t, r->events, (double)r->wall_ns / 1e9);

	fprintf(f, "%5s %4s %10s %12s %9s %9s %8s %10s %10s %10s %10s\n", "queue", "cpu", "packets", "bytes",
		"drop:fifo", "drop:desc", "irqs", "e2e p50", "e2e p99", "e2e p99.9", "e2e max");
	uint32_t nq = driver_queues(r->drv);
	for (uint32_t q = 0; q < nq; q++) {
		const struct host_queue_stats *hq = driver_queue_stats(r->drv, q);
		const struct nic_queue_stats *qq = nic_queue_stats(r->nic, q);
		if (nq > REPORT_QUEUES_ALL_MAX && !hq->packets && !qq->drop_fifo_full && !qq->drop_no_desc)
			continue; /* many queues: show the ones that saw traffic */
		char a[16], b[16], c[16], d[16];
		const struct hist *e = driver_queue_lat(r->drv, q, LAT_E2E);
		fmt_ps(a, sizeof a, hist_percentile(e, pcts[P50].ppm));
		fmt_ps(b, sizeof b, hist_percentile(e, pcts[P99].ppm));
		fmt_ps(c, sizeof c, hist_percentile(e, pcts[P99_9].ppm));
		fmt_ps(d, sizeof d, hist_max(e));
		fprintf(f, "%5u %4u %10" PRIu64 " %12" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %10s %10s %10s %10s\n",
			q, driver_queue_cpu(r->drv, q), hq->packets, hq->bytes, qq->drop_fifo_full, qq->drop_no_desc,
			nic_irq_stats(r->nic, q).interrupts, a, b, c, d);
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

	fprintf(f, "latency, all queues      p50        p90        p99      p99.9        max\n");
	struct hist all[LAT_COUNT];
	merge_queues(r, all);
	for (int s = 0; s < LAT_COUNT; s++) {
		enum { NP = sizeof pcts / sizeof pcts[0] };
		_Static_assert(NP == 4, "the header and format above print four percentiles");
		char v[NP + 1][16];
		for (int i = 0; i < NP; i++)
			fmt_ps(v[i], sizeof v[i], hist_percentile(&all[s], pcts[i].ppm));
		fmt_ps(v[NP], sizeof v[NP], hist_max(&all[s]));
		fprintf(f, "  %-18s %10s %10s %10s %10s %10s\n", lat_names[s], v[0], v[1], v[2], v[3], v[4]);
	}
	fprintf(f, "\n%4s %7s %12s %12s %12s %12s %8s\n", "cpu", "util", "isr cyc", "driver cyc", "proto cyc",
		"copy cyc", "dpcs");
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		uint64_t busy, span;
		cpu_busy(r, c, &busy, &span);
		fprintf(f, "%4u %6.1f%% %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 "\n", c,
			span ? 100.0 * (double)busy / (double)span : 0.0, st->cycles[CPU_ISR], st->cycles[CPU_DRIVER],
			st->cycles[CPU_PROTOCOL], st->cycles[CPU_COPY], st->dpcs);
	}
}
