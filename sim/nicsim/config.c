#include "sim/nicsim/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/check.h"
#include "sim/nicsim/ini.h"

static const struct param_def run_params[] = {
	{
		.key = "run.stop_us", .type = PARAM_U32,
		.offset = offsetof(struct run_cfg, stop_us), .unit = "us",
		.defval = "0", .max = UINT32_MAX,
		.desc = "Stop the simulation at this simulated time (0 = run until the trace is done and the NIC and host drain).",
		.source = "choice",
	},
	{ .key = NULL },
};

const struct param_group config_groups[] = {
	{ "run", run_params, offsetof(struct nicsim_cfg, run), "Run" },
	{ "replay", replay_params, offsetof(struct nicsim_cfg, replay), "Trace replay (host/replay)" },
	{ "mac", mac_params, offsetof(struct nicsim_cfg, mac), "Ethernet MAC and RX packet buffer (models/mac)" },
	{ "nic", nic_params, offsetof(struct nicsim_cfg, nic), "NIC receive pipeline (models/nic)" },
	{ "pcie", pcie_params, offsetof(struct nicsim_cfg, pcie), "PCIe link (models/pcie)" },
	{ "rss", rss_params, offsetof(struct nicsim_cfg, rss), "Receive-Side Scaling (models/rss, host/driver)" },
	{ "rss", drv_rss_params, offsetof(struct nicsim_cfg, rss_policy), "Receive-Side Scaling (models/rss, host/driver)" },
	{ "irq", itr_params, offsetof(struct nicsim_cfg, irq), "Interrupt moderation and MSI-X (host/itr, models/irq)" },
	{ "host", host_params, offsetof(struct nicsim_cfg, host), "Host CPUs and driver (host/driver)" },
	{ "cost", cost_params, offsetof(struct nicsim_cfg, cost), "Host CPU cost model (host/cost)" },
	{ "rebalance", rebalance_params, offsetof(struct nicsim_cfg, rebalance),
	  "Indirection-table updates at run time (host/rebalance)" },
	{ "tx", tx_params, offsetof(struct nicsim_cfg, tx), "Transmit: the host's sends and their offloads (host/txstack)" },
	{ "toe", chimney_params, offsetof(struct nicsim_cfg, chimney),
	  "TCP offload engine (TCP Chimney: models/toe, host/chimney, docs/toe.md)" },
	{ "toe", toe_params, offsetof(struct nicsim_cfg, toe),
	  "TCP offload engine (TCP Chimney: models/toe, host/chimney, docs/toe.md)" },
	{ "netdma", netdma_params, offsetof(struct nicsim_cfg, netdma),
	  "NetDMA: the host's receive-copy engine (host/netdma, docs/cost-model.md)" },
	{ NULL },
};

/* Keys that were removed, each with what to set instead. A file or --set
 * naming one is refused rather than silently ignored: the number it held
 * would no longer mean anything. */
static const struct {
	const char *key, *msg;
} config_retired_keys[] = {
	{ "nic.dma_latency_ns",
	  "nic.dma_latency_ns: removed; the PCIe model times DMA now: set pcie.read_latency_ns (read round trip) "
	  "and pcie.gen / pcie.lanes / pcie.mps (bandwidth); `nicsim pcie` shows what they give" },
	{ "nic.dma_rate_mbps",
	  "nic.dma_rate_mbps: removed; the PCIe model times DMA now: set pcie.gen / pcie.lanes / pcie.mps "
	  "(bandwidth) and pcie.read_latency_ns (read round trip); `nicsim pcie` shows what they give" },
};

const char *config_retired(const char *key)
{
	for (size_t i = 0; i < sizeof config_retired_keys / sizeof config_retired_keys[0]; i++)
		if (!strcmp(config_retired_keys[i].key, key))
			return config_retired_keys[i].msg;
	return NULL;
}

void config_defaults(struct nicsim_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (const struct param_group *g = config_groups; g->section; g++)
		param_defaults(g->defs, (char *)cfg + g->cfg_offset);
}

/* Find a parameter by full key; *base receives the block's cfg pointer. */
static const struct param_def *config_find(const struct nicsim_cfg *cfg, const char *key, void **base)
{
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++)
			if (!strcmp(d->key, key)) {
				if (base)
					*base = (char *)cfg + g->cfg_offset;
				return d;
			}
	return NULL;
}

/* A close match for an unknown key, so the message can say what was meant. */
static const char *suggest(const char *key)
{
	const char *dot = strchr(key, '.');
	const char *name = dot ? dot + 1 : key;
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++) {
			const char *dn = strchr(d->key, '.') + 1;
			if (!strcmp(dn, name) || (dot && !strncmp(d->key, key, (size_t)(dot - key)) &&
						  strstr(dn, name)))
				return d->key;
		}
	return NULL;
}

int config_set_kv(struct nicsim_cfg *cfg, const char *key, const char *value, char *err, size_t err_len)
{
	const char *retired = config_retired(key);
	if (retired) {
		snprintf(err, err_len, "%s", retired);
		return -1;
	}
	void *base;
	const struct param_def *d = config_find(cfg, key, &base);
	if (!d) {
		const char *s = suggest(key);
		if (s)
			snprintf(err, err_len, "%s: unknown key (did you mean %s? `nicsim config` lists them all)", key, s);
		else
			snprintf(err, err_len, "%s: unknown key (`nicsim config` lists them all)", key);
		return -1;
	}
	return param_set(d, base, value, err, err_len);
}

int config_set(struct nicsim_cfg *cfg, const char *a, char *err, size_t err_len)
{
	char scratch[8];
	if (!err) {
		err = scratch;
		err_len = sizeof scratch;
	}
	const char *eq = strchr(a, '=');
	if (!eq || eq == a) {
		snprintf(err, err_len, "--set %s: expected key=value, e.g. --set rss.queues=8", a);
		return -1;
	}
	char key[128];
	size_t n = (size_t)(eq - a);
	if (n >= sizeof key)
		n = sizeof key - 1;
	memcpy(key, a, n);
	key[n] = 0;
	return config_set_kv(cfg, key, eq + 1, err, err_len);
}

/* Flat index of a key over all groups (for the set-twice check), or -1. */
static int config_key_index(const char *key)
{
	int i = 0;
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++, i++)
			if (!strcmp(d->key, key))
				return i;
	return -1;
}

static int config_key_count(void)
{
	int n = 0;
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++)
			n++;
	return n;
}

struct load_ctx {
	struct nicsim_cfg *cfg;
	int *set_at_line;   /* per key (config_key_index): the line that set it, 0 = not yet */
};

static int on_ini_entry(void *user, const char *section, const char *name, const char *value, int line, char *err,
			size_t err_len)
{
	struct load_ctx *c = user;
	if (!*section) {
		snprintf(err, err_len, "key '%s' outside a [section]; write e.g. [rss] then table_size = 256", name);
		return -1;
	}
	char key[INI_LINE_BYTES_MAX + 2];
	snprintf(key, sizeof key, "%s.%s", section, name);
	int i = config_key_index(key);
	if (i >= 0 && c->set_at_line[i]) {
		snprintf(err, err_len, "%.200s: set again (first at line %d); keep one of the two", key,
			 c->set_at_line[i]);
		return -1;
	}
	if (config_set_kv(c->cfg, key, value, err, err_len))
		return -1;
	if (i >= 0)
		c->set_at_line[i] = line;
	return 0;
}

int config_load(struct nicsim_cfg *cfg, const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, err_len, "%s: is a directory; --config takes an INI file (docs/example.ini)", path);
		return -1;
	}
	struct load_ctx c = { cfg, calloc((size_t)config_key_count(), sizeof(int)) };
	if (!c.set_at_line) {
		fclose(f);
		snprintf(err, err_len, "%s: out of memory", path);
		return -1;
	}
	char msg[800];
	int rc = ini_read(f, on_ini_entry, &c, msg, sizeof msg);
	fclose(f);
	free(c.set_at_line);
	if (rc) {
		snprintf(err, err_len, "%s: %s", path, msg);
		return -1;
	}
	return 0;
}

/* CPUs RSS may use: base_cpu up to base_cpu + max_cpus - 1, or up to the
 * last CPU when max_cpus is 0. */
static uint32_t rss_cpu_count(const struct nicsim_cfg *cfg)
{
	const struct drv_rss_cfg *pol = &cfg->rss_policy;
	if (pol->max_cpus)
		return pol->max_cpus;
	return cfg->host.cpus > pol->base_cpu ? cfg->host.cpus - pol->base_cpu : 0;
}

/* host.ip: "auto", or addresses separated by commas with none left empty. */
static int check_host_ip_list(const char *ip, char *err, size_t err_len)
{
	if (!strcmp(ip, "auto"))
		return 0;
	for (const char *p = ip;; p++) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (strspn(p, " \t") >= n) {
			snprintf(err, err_len,
				 "host.ip: '%s' has an empty item; list one or more addresses separated by commas, "
				 "or write auto", ip);
			return -1;
		}
		if (!e)
			return 0;
		p = e;
	}
}

/* The host's own addresses are unicast: no frame is addressed from a host to
 * the unspecified address or to a group MAC. */
static int check_host_identity(const struct nicsim_cfg *cfg, char *err, size_t err_len)
{
	if (check_host_ip_list(cfg->host.ip, err, err_len))
		return -1;
	struct host_id id;
	if (replay_host_id_parse(cfg->host.ip, cfg->host.mac, &id, err, err_len))
		return -1;
	static const uint8_t zero[16];
	for (uint32_t i = 0; i < id.n_ip; i++)
		if (!memcmp(id.ip[i], zero, id.ip_is_v6[i] ? 16 : 4)) {
			snprintf(err, err_len, "host.ip: %s is the unspecified address, which no frame is sent to; "
				 "give the host's own address", id.ip_is_v6[i] ? "::" : "0.0.0.0");
			return -1;
		}
	if (id.has_mac && (id.mac[0] & 1)) {
		snprintf(err, err_len, "host.mac: %s is a group (multicast or broadcast) address; a host's own MAC "
			 "has bit 0 of the first byte clear (IEEE 802 I/G bit)", cfg->host.mac);
		return -1;
	}
	return 0;
}

int config_validate(const struct nicsim_cfg *cfg, char *err, size_t err_len)
{
	const struct toe_cfg *tc = &cfg->toe;
	if (tc->rto_min_us > tc->rto_max_us || tc->rto_initial_us < tc->rto_min_us || tc->rto_initial_us > tc->rto_max_us) {
		snprintf(err, err_len, "toe.rto_initial_us (%u) must lie within toe.rto_min_us (%u) .. toe.rto_max_us (%u)",
			 tc->rto_initial_us, tc->rto_min_us, tc->rto_max_us);
		return -1;
	}
	const struct rss_cfg *rss = &cfg->rss;
	const struct drv_rss_cfg *pol = &cfg->rss_policy;
	uint32_t cpus = cfg->host.cpus;
	if (rss_cfg_validate(rss, err, err_len))
		return -1;
	if (pol->default_queue >= rss->queues) {
		snprintf(err, err_len, "rss.default_queue: %u must be below rss.queues (%u)", pol->default_queue,
			 rss->queues);
		return -1;
	}
	if (itr_cfg_validate(&cfg->irq, err, err_len))
		return -1;
	if (pcie_cfg_validate(&cfg->pcie, err, err_len))
		return -1;
	if (pol->base_cpu >= cpus) {
		snprintf(err, err_len, "rss.base_cpu: CPU %u does not exist (host.cpus = %u, CPUs 0..%u)", pol->base_cpu,
			 cpus, cpus - 1);
		return -1;
	}
	if ((uint64_t)pol->base_cpu + pol->max_cpus > cpus) {
		snprintf(err, err_len,
			 "rss.base_cpu + rss.max_cpus: CPUs %u..%u do not all exist (host.cpus = %u); "
			 "lower rss.max_cpus to %u or less, or raise host.cpus",
			 pol->base_cpu, pol->base_cpu + pol->max_cpus - 1, cpus, cpus - pol->base_cpu);
		return -1;
	}
	if (cfg->host.mode == HOST_MODE_RSS && rss->table_size < rss->queues) {
		snprintf(err, err_len,
			 "rss.table_size: %u entries cannot name all rss.queues = %u queues (queues %u and up "
			 "would never receive); raise rss.table_size or lower rss.queues",
			 rss->table_size, rss->queues, rss->table_size);
		return -1;
	}
	if (rebalance_cfg_validate(&cfg->rebalance, rss->table_size, host_queues(&cfg->host, rss->queues), NULL, err,
				   err_len))
		return -1;
	return check_host_identity(cfg, err, err_len);
}

/* The text of key's value in cfg. */
static void format_key(const struct nicsim_cfg *cfg, const char *key, char *buf, size_t len)
{
	void *base;
	const struct param_def *d = config_find(cfg, key, &base);
	if (!d) {
		fprintf(stderr, "nicsim: bug: config_warnings names %s, which is not a key\n", key);
		abort();
	}
	param_format(d, base, buf, len);
}

struct warn_list {
	const struct nicsim_cfg *cfg;
	struct nicsim_cfg def;
	char (*out)[CONFIG_WARNING_CHARS];
	size_t max, n;
};

static void warn(struct warn_list *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct warn_list *w, const char *fmt, ...)
{
	if (w->n < w->max) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->out[w->n], CONFIG_WARNING_CHARS, fmt, ap);
		va_end(ap);
	}
	w->n++;
}

/* A key set away from its default that another key's value makes
 * meaningless: "KEY=VALUE has no effect: WHY". */
static void warn_unused(struct warn_list *w, const char *key, bool is_unused, const char *why)
{
	if (!is_unused)
		return;
	char v[PARAM_VALUE_CHARS_MAX], dv[PARAM_VALUE_CHARS_MAX];
	format_key(w->cfg, key, v, sizeof v);
	format_key(&w->def, key, dv, sizeof dv);
	if (strcmp(v, dv))
		warn(w, "%s=%.60s has no effect: %s", key, v, why);
}

size_t config_warnings(const struct nicsim_cfg *cfg, char (*out)[CONFIG_WARNING_CHARS], size_t max)
{
	struct warn_list w = { .cfg = cfg, .out = out, .max = max };
	config_defaults(&w.def);
	const struct replay_cfg *rp = &cfg->replay;
	const struct itr_cfg *irq = &cfg->irq;
	const struct rebalance_cfg *rb = &cfg->rebalance;
	bool is_legacy = cfg->host.mode == HOST_MODE_LEGACY;
	warn_unused(&w, "replay.speed_pct", rp->timing != REPLAY_TIMING_SCALED, "replay.timing is not scaled");
	warn_unused(&w, "replay.gap_us", rp->loops == 1, "replay.loops is 1 (the gap is between passes)");
	warn_unused(&w, "irq.usecs", irq->mode != ITR_MODE_FIXED,
		    "irq.mode is not fixed (adaptive chooses the interval, off interrupts every frame)");
	warn_unused(&w, "irq.frames", irq->mode == ITR_MODE_OFF, "irq.mode=off interrupts every frame");
	warn_unused(&w, "irq.adaptive_conservative", irq->mode != ITR_MODE_ADAPTIVE, "irq.mode is not adaptive");
	warn_unused(&w, "irq.adaptive_conservative", irq->mode == ITR_MODE_ADAPTIVE && cfg->mac.rate_mbps >= ITR_IXGBE_RATE_MBPS,
		    "at 10 Gb/s and up adaptive moderation is ixgbe's, which has no conservative mode");
	warn_unused(&w, "irq.timing", irq->mode == ITR_MODE_OFF, "irq.mode=off interrupts every frame");
	if (irq->mode == ITR_MODE_FIXED && irq->usecs == 0 && irq->frames > 1)
		warn(&w, "irq.frames=%u with irq.usecs=0: a vector fires only once %u completions are pending, so "
		     "the last frames of a burst wait for more and those at the end of the trace are never processed "
		     "(counted as run.frames_in_flight_at_end)", irq->frames, irq->frames);
	if (cfg->tx.is_lso && !cfg->tx.is_csum)
		warn(&w, "tx.lso=true with tx.csum=false: large send needs checksum insertion (Linux drops TSO "
		     "from a device without checksum offload), so the host segments and sums in software");
	warn_unused(&w, "nic.csum_width_bytes", !cfg->nic.is_rx_csum,
		    "nic.rx_csum is false (the checksum engine does not run)");
	warn_unused(&w, "rss.queues", is_legacy && cfg->rss.queues != 1, "host.mode=legacy has one queue");
	static const char *const hash_keys[] = { "rss.table_size", "rss.key", "rss.hash_types", "rss.default_queue",
						 "nic.rss_width_bytes", "nic.indir_latency_cycles" };
	for (size_t i = 0; i < sizeof hash_keys / sizeof hash_keys[0]; i++)
		warn_unused(&w, hash_keys[i], is_legacy, "host.mode=legacy does not hash (RSS is off)");
	warn_unused(&w, "rss.max_cpus", is_legacy, "host.mode=legacy runs everything on rss.base_cpu");
	warn_unused(&w, "rebalance.interval_us", rb->policy == REBALANCE_OFF, "rebalance.policy is off");
	warn_unused(&w, "rebalance.move", !rebalance_is_active(rb),
		    "rebalance.policy is off and rebalance.schedule is empty");
	warn_unused(&w, "rebalance.drain_timeout_us", rb->move != REBALANCE_MOVE_DRAIN,
		    "rebalance.move is not drain");
	if (is_legacy && rebalance_is_active(rb))
		warn(&w, "rebalance.%s has nothing to move: host.mode=legacy has one queue",
		     rb->policy != REBALANCE_OFF ? "policy" : "schedule");
	uint32_t rss_cpus = rss_cpu_count(cfg);
	if (!is_legacy && cfg->rss.queues > rss_cpus)
		warn(&w, "rss.queues=%u is more than the %u CPUs RSS may use (host.cpus=%u, rss.base_cpu=%u, "
		     "rss.max_cpus=%u): queues share CPUs", cfg->rss.queues, rss_cpus, cfg->host.cpus,
		     cfg->rss_policy.base_cpu, cfg->rss_policy.max_cpus);
	uint64_t last_us = 0;
	char err[256];
	if (cfg->run.stop_us &&
	    !rebalance_cfg_validate(rb, cfg->rss.table_size, host_queues(&cfg->host, cfg->rss.queues), &last_us, err,
				    sizeof err) &&
	    last_us > cfg->run.stop_us)
		warn(&w, "rebalance.schedule: the items after %u us never happen: run.stop_us=%u ends the run "
		     "(last item at %llu us)", cfg->run.stop_us, cfg->run.stop_us, (unsigned long long)last_us);
	return w.n;
}

static void md_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

void config_write_docs(FILE *f)
{
	fputs("# nicsim configuration reference\n\n"
	      "Generated by `nicsim config --docs` from the parameter tables in the code; do not edit by hand.\n"
	      "Set a key in a config file (`[section]` then `name = value`, see `docs/example.ini`) or on the\n"
	      "command line with `--set section.name=value`. An unknown key or an impossible value is refused\n"
	      "before the run, naming the key; so are two keys that contradict each other (a table smaller than\n"
	      "the queues, CPUs beyond host.cpus), naming both. A key set away from its default that another key\n"
	      "makes meaningless (replay.speed_pct without replay.timing=scaled) is run with a warning naming\n"
	      "both.\n\n"
	      "## The file\n\n",
	      f);
	fputs(ini_syntax_md, f);
	fputc('\n', f);
	for (const struct param_group *g = config_groups; g->section; g++) {
		/* A section whose keys two blocks declare is one table. */
		bool is_more = g != config_groups && !strcmp(g[-1].section, g->section);
		if (!is_more) {
			if (g != config_groups)
				fputc('\n', f);
			fprintf(f, "## [%s] — %s\n\n", g->section, g->title);
			fputs("| key | default | unit | range | what it does | source of the default |\n"
			      "|---|---|---|---|---|---|\n",
			      f);
		}
		for (const struct param_def *d = g->defs; d->key; d++) {
			char range[96] = "";
			switch (d->type) {
			case PARAM_U32:
			case PARAM_U64:
				snprintf(range, sizeof range, "%llu..%llu%s", (unsigned long long)d->min,
					 (unsigned long long)d->max, d->flags & PARAM_F_POW2 ? ", power of 2" : "");
				break;
			case PARAM_BOOL: snprintf(range, sizeof range, "true/false"); break;
			case PARAM_ENUM: snprintf(range, sizeof range, "one of %s", d->choices); break;
			case PARAM_FLAGS: snprintf(range, sizeof range, "any of %s joined by \\|, or none", d->choices); break;
			case PARAM_HEX: snprintf(range, sizeof range, "%llu..%llu bytes of hex", (unsigned long long)d->min,
						 (unsigned long long)d->max); break;
			case PARAM_STR: snprintf(range, sizeof range, "text of %llu..%llu bytes", (unsigned long long)d->min,
						 (unsigned long long)d->max - 1); break;
			}
			fprintf(f, "| `%s` | `", d->key);
			md_escape(f, d->defval);
			fprintf(f, "` | %s | ", d->unit && *d->unit ? d->unit : "");
			fputs(range, f);
			fputs(" | ", f);
			md_escape(f, d->desc);
			fputs(" | ", f);
			md_escape(f, d->source);
			fputs(" |\n", f);
		}
	}
	fputc('\n', f);
}

void config_write_ini(const struct nicsim_cfg *cfg, FILE *f, bool only_changed)
{
	struct nicsim_cfg def;
	config_defaults(&def);
	char v[PARAM_VALUE_CHARS_MAX], dv[PARAM_VALUE_CHARS_MAX];
	const char *section_done = NULL;   /* the last [section] written */
	for (const struct param_group *g = config_groups; g->section; g++) {
		bool header = section_done && !strcmp(section_done, g->section);
		for (const struct param_def *d = g->defs; d->key; d++) {
			param_format(d, (const char *)cfg + g->cfg_offset, v, sizeof v);
			param_format(d, (const char *)&def + g->cfg_offset, dv, sizeof dv);
			if (only_changed && !strcmp(v, dv))
				continue;
			if (!header) {
				fprintf(f, "[%s]\n", g->section);
				header = true;
				section_done = g->section;
			}
			fprintf(f, "%s = ", strchr(d->key, '.') + 1);
			ini_write_value(f, v);
			fprintf(f, "%s%s\n", d->unit && *d->unit ? "   ; " : "", d->unit && *d->unit ? d->unit : "");
		}
	}
}

static const char *const config_baseline_settings[] = {
	"nic.rx_csum=false", "tx.csum=false", "tx.lso=false", "toe.enable=false", "netdma.enable=false",
	"host.gro=false", "irq.mode=off", "cost.irq_per_frame=true",
	/* rings deep enough that the slower path drops nothing the offloaded
	 * run kept: the same work, its cost compared (the largest values the
	 * two keys take, host/driver.c) */
	"host.ring_entries=65536", "host.tx_backlog_pkts=1000000", NULL,
};

void config_baseline(struct nicsim_cfg *cfg)
{
	char err[256];
	for (const char *const *a = config_baseline_settings; *a; a++) {
		int rc = config_set(cfg, *a, err, sizeof err);
		sim_check(rc == 0, "a baseline setting is refused");
	}
}

