#include "sim/nicsim/savings.h"

#include <inttypes.h>

#include "host/netdma.h"
#include "sim/kernel.h"

/* Baseline less spent, signed. */
static int64_t saved_of(const struct savings_line *l)
{
	return l->base >= l->spent ? (int64_t)(l->base - l->spent) : -(int64_t)(l->spent - l->base);
}

/* One core's lines by feature, and their sum. */
static void core_lines(const struct run *r, uint32_t c, struct savings_line by[COST_FEATURE_COUNT],
		       struct savings_line *all)
{
	const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
	for (int f = 0; f < COST_FEATURE_COUNT; f++)
		by[f] = (struct savings_line){ 0 };
	*all = (struct savings_line){ 0 };
	for (int t = 0; t < COST_TERM_COUNT; t++) {
		by[cost_term_feature[t]].spent += st->term[t];
		by[cost_term_feature[t]].base += st->base[t];
		all->spent += st->term[t];
		all->base += st->base[t];
	}
}

void savings_totals(const struct run *r, struct savings_line by[COST_FEATURE_COUNT], struct savings_line *all)
{
	for (int f = 0; f < COST_FEATURE_COUNT; f++)
		by[f] = (struct savings_line){ 0 };
	*all = (struct savings_line){ 0 };
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		struct savings_line cb[COST_FEATURE_COUNT], ca;
		core_lines(r, c, cb, &ca);
		for (int f = 0; f < COST_FEATURE_COUNT; f++) {
			by[f].spent += cb[f].spent;
			by[f].base += cb[f].base;
		}
		all->spent += ca.spent;
		all->base += ca.base;
	}
}

uint64_t savings_bytes(const struct run *r)
{
	return driver_rx_payload_bytes(r->drv) + driver_tx_payload_bytes(r->drv);
}

/* Saved share in parts per million, signed. */
static json_int_t saved_ppm(const struct savings_line *l)
{
	if (!l->base)
		return 0;
	double v = ((double)l->base - (double)l->spent) * 1e6 / (double)l->base;
	return (json_int_t)(v < 0 ? v - 0.5 : v + 0.5);
}

static json_t *line_json(const struct savings_line *l, uint64_t bytes, bool with_rates)
{
	json_t *o = json_object();
	json_object_set_new(o, "cycles", report_jint(l->spent));
	json_object_set_new(o, "baseline_cycles", report_jint(l->base));
	json_object_set_new(o, "saved_cycles", json_integer((json_int_t)saved_of(l)));
	json_object_set_new(o, "saved_ppm", json_integer(saved_ppm(l)));
	if (with_rates) {
		/* millicycles a byte; millihertz per bit/s = millicycles a bit */
		json_object_set_new(o, "mcyc_per_byte", report_jint(bytes ? l->spent * 1000 / bytes : 0));
		json_object_set_new(o, "baseline_mcyc_per_byte", report_jint(bytes ? l->base * 1000 / bytes : 0));
		json_object_set_new(o, "millihz_per_bps", report_jint(bytes ? l->spent * 1000 / (8 * bytes) : 0));
		json_object_set_new(o, "baseline_millihz_per_bps", report_jint(bytes ? l->base * 1000 / (8 * bytes) : 0));
	}
	return o;
}

void savings_json(const struct run *r, json_t *root)
{
	struct savings_line by[COST_FEATURE_COUNT], all;
	savings_totals(r, by, &all);
	uint64_t bytes = savings_bytes(r);
	json_object_set_new(root, "host_cycles", report_jint(all.spent));
	json_object_set_new(root, "baseline_cycles", report_jint(all.base));
	json_t *s = json_object();
	json_object_set_new(s, "rx_payload_bytes", report_jint(driver_rx_payload_bytes(r->drv)));
	json_object_set_new(s, "tx_payload_bytes", report_jint(driver_tx_payload_bytes(r->drv)));
	json_object_set_new(s, "total", line_json(&all, bytes, true));
	json_t *feat = json_object();
	for (int f = 0; f < COST_FEATURE_COUNT; f++)
		json_object_set_new(feat, cost_feature_name((enum cost_feature)f), line_json(&by[f], bytes, true));
	json_object_set_new(s, "features", feat);
	json_t *cpus = json_array();
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		struct savings_line cb[COST_FEATURE_COUNT], ca;
		core_lines(r, c, cb, &ca);
		json_t *o = json_object();
		json_object_set_new(o, "cpu", report_jint(c));
		json_t *cf = json_object();
		for (int f = 0; f < COST_FEATURE_COUNT; f++) {
			json_t *l = json_object();
			json_object_set_new(l, "cycles", report_jint(cb[f].spent));
			json_object_set_new(l, "baseline_cycles", report_jint(cb[f].base));
			json_object_set_new(cf, cost_feature_name((enum cost_feature)f), l);
		}
		json_object_update_new(o, line_json(&ca, 0, false));
		json_object_set_new(o, "features", cf);
		json_array_append_new(cpus, o);
	}
	json_object_set_new(s, "cpus", cpus);
	json_object_set_new(root, "savings", s);
	const struct netdma_stats *ns = driver_netdma_stats(r->drv);
	if (ns || r->is_toe_yielded) {
		json_t *o = json_object();
		json_object_set_new(o, "chimney_yielded", json_boolean(r->is_toe_yielded));
		if (ns) {
			report_stats_set(o, netdma_stat_defs, ns);
			uint64_t span = r->sim_end_ps ? r->sim_end_ps : 1;
			json_t *u = json_array();
			for (uint32_t ch = 0; ch < r->cfg.netdma.channels && ch < NETDMA_CHANNELS_MAX; ch++)
				json_array_append_new(u, report_jint((uint64_t)((sim_u128)ns->busy_ps[ch] * 1000000u / span)));
			json_object_set_new(o, "channel_utilisation_ppm", u);
		}
		json_object_set_new(root, "netdma", o);
	}
}

static void pct(char *b, size_t n, const struct savings_line *l)
{
	if (!l->base)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.1f%%", ((double)l->base - (double)l->spent) * 100.0 / (double)l->base);
}

void savings_text(const struct run *r, FILE *f)
{
	struct savings_line by[COST_FEATURE_COUNT], all;
	savings_totals(r, by, &all);
	uint64_t bytes = savings_bytes(r);
	fprintf(f, "\nhost cycles against the software path (no checksum offload, LSO, GRO, TOE or NetDMA; an "
		   "interrupt per frame; docs/cost-model.md):\n");
	fprintf(f, "%-13s %14s %14s %14s %8s %9s %9s\n", "", "spent", "baseline", "saved", "saved", "cyc/B", "Hz/(b/s)");
	for (int i = 0; i <= COST_FEATURE_COUNT; i++) {
		const struct savings_line *l = i < COST_FEATURE_COUNT ? &by[i] : &all;
		const char *name = i < COST_FEATURE_COUNT ? cost_feature_name((enum cost_feature)i) : "total";
		char p[16];
		pct(p, sizeof p, l);
		double cpb = bytes ? (double)l->spent / (double)bytes : 0.0;
		fprintf(f, "%-13s %14" PRIu64 " %14" PRIu64 " %14" PRId64 " %8s %9.3f %9.3f\n", name, l->spent, l->base,
			saved_of(l), p, cpb, cpb / 8.0);
	}
	fprintf(f, "per byte of the application's payload (%" PRIu64 " received, %" PRIu64 " sent); the software path: "
		   "%.3f cycles/B, %.3f Hz per bit/s\n",
		driver_rx_payload_bytes(r->drv), driver_tx_payload_bytes(r->drv),
		bytes ? (double)all.base / (double)bytes : 0.0, bytes ? (double)all.base / (double)bytes / 8.0 : 0.0);
	fprintf(f, "%4s %14s %14s %8s\n", "cpu", "spent", "baseline", "saved");
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		struct savings_line cb[COST_FEATURE_COUNT], ca;
		core_lines(r, c, cb, &ca);
		if (!ca.spent && !ca.base)
			continue;
		char p[16];
		pct(p, sizeof p, &ca);
		fprintf(f, "%4u %14" PRIu64 " %14" PRIu64 " %8s\n", c, ca.spent, ca.base, p);
	}
	const struct netdma_stats *ns = driver_netdma_stats(r->drv);
	if (r->is_toe_yielded)
		fprintf(f, "toe: not used: NetDMA and Chimney were both enabled and Windows then uses NetDMA (SNP rule, "
			   "docs/cost-model.md); set netdma.with_chimney=true to keep both\n");
	if (ns) {
		uint64_t span = r->sim_end_ps ? r->sim_end_ps : 1, busy = 0;
		for (uint32_t ch = 0; ch < r->cfg.netdma.channels && ch < NETDMA_CHANNELS_MAX; ch++)
			busy += ns->busy_ps[ch];
		fprintf(f, "netdma: %" PRIu64 " copies / %" PRIu64 " bytes by the engine in %" PRIu64 " batches, %" PRIu64
			   " / %" PRIu64 " below the copy-break by a core; engine busy %.1f%% (mean over %u channels); "
			   "applications waited %" PRIu64 " times, %.3f us in all (longest %.3f us), %.3f us of it "
			   "behind earlier copies\n",
			ns->dma_copies, ns->dma_bytes, ns->batches, ns->cpu_copies, ns->cpu_bytes,
			100.0 * (double)busy / (double)span / (double)r->cfg.netdma.channels, r->cfg.netdma.channels, ns->waits,
			(double)ns->wait_ps / 1e6, (double)ns->wait_max_ps / 1e6, (double)ns->queued_ps / 1e6);
	}
}

void savings_write_docs(FILE *f)
{
	fputs("\n## Savings\n\n"
	      "`host_cycles` is every core's cycles spent; `baseline_cycles` what the plain software path would have "
	      "spent on the same work (no receive or transmit checksum offload, no LSO, no GRO, no TOE, no NetDMA, "
	      "an interrupt and a DPC run per frame received and per send completed; RSS and `host.app_cpu` as "
	      "configured). `nicsim run --baseline` runs that path (docs/cost-model.md). `savings` holds "
	      "`rx_payload_bytes` and `tx_payload_bytes` (the application's bytes, the per-byte figures' "
	      "denominator), `total`, `features` (one object per line below) and `cpus[]` (per CPU: `cpu`, the "
	      "same four counts, and `features` with `cycles` and `baseline_cycles` each). Each line has `cycles` "
	      "(spent), `baseline_cycles`, `saved_cycles` (baseline - spent; negative when the offload costs more), "
	      "`saved_ppm` (of the baseline), `mcyc_per_byte` and `baseline_mcyc_per_byte` (millicycles a payload "
	      "byte), `millihz_per_bps` and `baseline_millihz_per_bps` (millihertz of a core per bit/s of payload: "
	      "1000 is the old rule of thumb, 1 Hz per bit/s).\n\n"
	      "| line | what it counts |\n|---|---|\n",
	      f);
	for (int i = 0; i < COST_FEATURE_COUNT; i++)
		fprintf(f, "| `%s` | %s |\n", cost_feature_name((enum cost_feature)i), cost_feature_desc((enum cost_feature)i));
	fputs("\n`netdma` (with `netdma.enable`, or when NetDMA made Chimney stand down): `chimney_yielded` (toe.enable "
	      "was set but the SNP rule kept Chimney off), the counters below, and `channel_utilisation_ppm` per "
	      "channel.\n\n| key | unit | what it counts |\n|---|---|---|\n",
	      f);
	report_docs_counters(f, "netdma.", netdma_stat_defs);
}
