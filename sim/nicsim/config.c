#include "sim/nicsim/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/nicsim/ini.h"

static const struct param_def run_params[] = {
	{ "run.stop_us", PARAM_U32, offsetof(struct run_cfg, stop_us), "us", "0", 0, UINT32_MAX, 0, NULL, 0,
	  "Stop the simulation at this simulated time (0 = run until the trace is done and the NIC and host drain).",
	  "choice" },
	{ NULL },
};

const struct param_group config_groups[] = {
	{ "run", run_params, offsetof(struct nicsim_cfg, run), "Run" },
	{ "replay", replay_params, offsetof(struct nicsim_cfg, replay), "Trace replay (host/replay)" },
	{ "mac", mac_params, offsetof(struct nicsim_cfg, mac), "Ethernet MAC and RX FIFO (models/mac)" },
	{ "nic", nic_params, offsetof(struct nicsim_cfg, nic), "NIC receive pipeline and DMA (models/nic)" },
	{ "rss", rss_params, offsetof(struct nicsim_cfg, rss), "Receive-Side Scaling (models/rss, host/driver)" },
	{ "rss", drv_rss_params, offsetof(struct nicsim_cfg, rss_policy), "Receive-Side Scaling (models/rss, host/driver)" },
	{ "irq", itr_params, offsetof(struct nicsim_cfg, irq), "Interrupt moderation and MSI-X (host/itr, models/irq)" },
	{ "host", host_params, offsetof(struct nicsim_cfg, host), "Host CPUs and driver (host/driver)" },
	{ "cost", cost_params, offsetof(struct nicsim_cfg, cost), "Host CPU cost model (host/cost)" },
	{ "rebalance", rebalance_params, offsetof(struct nicsim_cfg, rebalance),
	  "Indirection-table updates at run time (host/rebalance)" },
	{ NULL },
};

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

int config_validate(const struct nicsim_cfg *cfg, char *err, size_t err_len)
{
	if (rss_cfg_validate(&cfg->rss, err, err_len))
		return -1;
	if (cfg->rss_policy.default_queue >= cfg->rss.queues) {
		snprintf(err, err_len, "rss.default_queue: %u must be below rss.queues (%u)", cfg->rss_policy.default_queue,
			 cfg->rss.queues);
		return -1;
	}
	if (itr_cfg_validate(&cfg->irq, err, err_len))
		return -1;
	if (cfg->rss_policy.max_cpus > cfg->host.cpus) {
		snprintf(err, err_len, "rss.max_cpus: %u is more than host.cpus (%u)", cfg->rss_policy.max_cpus,
			 cfg->host.cpus);
		return -1;
	}
	if (cfg->rss_policy.base_cpu >= cfg->host.cpus) {
		snprintf(err, err_len, "rss.base_cpu: CPU %u does not exist (host.cpus = %u)", cfg->rss_policy.base_cpu,
			 cfg->host.cpus);
		return -1;
	}
	if (rebalance_cfg_validate(&cfg->rebalance, cfg->rss.table_size, host_queues(&cfg->host, cfg->rss.queues),
				   NULL, err, err_len))
		return -1;
	struct host_id id;
	if (replay_host_id_parse(cfg->host.ip, cfg->host.mac, &id, err, err_len))
		return -1;
	return 0;
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
	      "before the run, naming the key.\n\n"
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
