/*
 * sim/nicsim/plot_run.c — the plots of one run: latency CDFs per queue, the
 * latency stages, per-core utilisation (plot_run.h). The numbers are the
 * report's (sim/nicsim/report.c): the same histograms, the same merge of
 * every queue, the same busy cycles over the run's length in core cycles.
 */
#include "sim/nicsim/plot_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/cpu.h"
#include "host/driver.h"
#include "sim/nicsim/svg.h"

/* The percentiles of the stages plot, in hist_percentile's parts per million. */
#define PLOT_P50_PPM 500000u
#define PLOT_P99_PPM 990000u

int plot_dir_prepare(const char *dir, char *err, size_t err_len)
{
	char path[4096];
	if (!*dir || strlen(dir) >= sizeof path) {
		snprintf(err, err_len, "--plot: '%s': not a usable directory name", dir);
		return -1;
	}
	strcpy(path, dir);
	/* Each prefix ending before a '/', then the whole path: mkdir -p. */
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = '\0';
		struct stat st;
		if (stat(path, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				snprintf(err, err_len, "--plot: %s exists and is not a directory", path);
				return -1;
			}
		} else if (mkdir(path, 0777) && errno != EEXIST) {
			snprintf(err, err_len, "--plot: could not create directory %s: %s", path, strerror(errno));
			return -1;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

/* The trace's file name, for titles. */
static const char *trace_name(const struct run *r)
{
	const char *slash = strrchr(r->trace_path, '/');
	return slash ? slash + 1 : r->trace_path;
}

/* A plot's file in dir and its title: what it shows (printf), then the
 * trace's name. */
struct plot_file {
	char path[4200], title[512];
};

static void plot_file(struct plot_file *pf, const struct run *r, const char *dir, const char *name, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));
static void plot_file(struct plot_file *pf, const struct run *r, const char *dir, const char *name, const char *fmt,
		      ...)
{
	size_t n = strlen(dir);
	snprintf(pf->path, sizeof pf->path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	char what[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(pf->title, sizeof pf->title, "%s: %.200s", what, trace_name(r));
}

static int out_of_memory(char *err, size_t err_len)
{
	snprintf(err, err_len, "--plot: out of memory");
	return -1;
}

/* Latency of every queue merged, per stage (report.c's all-queues lines). */
/* All queues first, then each queue, with its frame count in the name. */
static int plot_cdf(const struct run *r, const struct hist *all_e2e, const char *dir, char *err, size_t err_len)
{
	uint32_t nq = driver_queues(r->drv);
	struct svg_hist_series *se = calloc(nq + 1, sizeof *se);
	char(*names)[64] = calloc(nq + 1, sizeof *names);
	int rc = -1;
	if (!se || !names) {
		rc = out_of_memory(err, err_len);
		goto out;
	}
	snprintf(names[0], sizeof names[0], "all queues (%llu frames)", (unsigned long long)hist_count(all_e2e));
	se[0] = (struct svg_hist_series){ names[0], all_e2e };
	for (uint32_t q = 0; q < nq; q++) {
		const struct hist *h = driver_queue_lat(r->drv, q, LAT_E2E);
		snprintf(names[q + 1], sizeof names[0], "queue %u (%llu frames)", q, (unsigned long long)hist_count(h));
		se[q + 1] = (struct svg_hist_series){ names[q + 1], h };
	}
	struct plot_file pf;
	plot_file(&pf, r, dir, "latency-cdf.svg", "End-to-end latency CDF per queue");
	struct svg_cdf_plot p = {
		.title = pf.title,
		.x_label = "end-to-end latency, first bit on the wire to the end of the host's work",
		.x_unit = "µs",
		.y_label = "fraction of frames with latency ≤ x",
		.x_div = (double)SIM_PS_PER_US,
		.n_series = nq + 1,
		.series = se,
	};
	rc = svg_cdf(pf.path, &p, err, err_len);
out:
	free(se);
	free(names);
	return rc;
}

/* p50 and p99 of each stage (not end to end, which the CDF shows). */
static int plot_stages(const struct run *r, const struct hist all[LAT_COUNT], const char *dir, char *err,
		       size_t err_len)
{
	const char *names[LAT_E2E];
	double v[LAT_E2E * 2];
	for (int s = 0; s < LAT_E2E; s++) {
		names[s] = driver_lat_stage_name((enum lat_stage)s);
		v[s * 2] = (double)hist_percentile(&all[s], PLOT_P50_PPM) / (double)SIM_PS_PER_US;
		v[s * 2 + 1] = (double)hist_percentile(&all[s], PLOT_P99_PPM) / (double)SIM_PS_PER_US;
	}
	static const char *const parts[] = { "p50", "p99" };
	struct plot_file pf;
	plot_file(&pf, r, dir, "stages.svg", "Latency by stage, all queues (%llu frames)",
		  (unsigned long long)hist_count(&all[LAT_E2E]));
	struct svg_bars b = {
		.title = pf.title,
		.x_label = "stage of a frame's receive path, in order",
		.y_label = "latency of the stage",
		.y_unit = "µs",
		.n_bars = LAT_E2E,
		.bar_names = names,
		.n_parts = 2,
		.part_names = parts,
		.values = v,
		.is_value_labels = true,
	};
	return svg_bars(pf.path, &b, err, err_len);
}

/* Each category's busy cycles over the run's length in the core's cycles,
 * as report_cpu_busy gives them. The categories are the
 * declared cycle counters (host/cpu.h), in their order. */
static int plot_cpu(const struct run *r, const char *dir, char *err, size_t err_len)
{
	uint32_t ncpu = driver_cpus(r->drv);
	size_t ncat = 0;
	while (cpu_cycle_stat_defs[ncat].name)
		ncat++;
	double *v = calloc((size_t)ncpu * ncat, sizeof *v);
	char(*names)[16] = calloc(ncpu, sizeof *names);
	const char **bar_names = calloc(ncpu, sizeof *bar_names), **parts = calloc(ncat, sizeof *parts);
	int rc = -1;
	if (!v || !names || !bar_names || !parts) {
		rc = out_of_memory(err, err_len);
		goto out;
	}
	for (uint32_t c = 0; c < ncpu; c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		uint64_t busy, span;
		report_cpu_busy(r, c, &busy, &span);
		for (size_t k = 0; k < ncat; k++) {
			uint64_t cyc = stat_value(&cpu_cycle_stat_defs[k], st);
			v[(size_t)c * ncat + k] = span ? 100.0 * (double)cyc / (double)span : 0;
		}
		snprintf(names[c], sizeof names[c], "%u", c);
		bar_names[c] = names[c];
	}
	for (size_t k = 0; k < ncat; k++)
		parts[k] = cpu_cycle_stat_defs[k].name;
	struct plot_file pf;
	plot_file(&pf, r, dir, "cpu-util.svg", "CPU utilisation by category (%u MHz cores)", r->cfg.host.clock_mhz);
	struct svg_bars b = {
		.title = pf.title,
		.x_label = "CPU",
		.y_label = "utilisation, busy cycles over the run's cycles",
		.y_unit = "%",
		.n_bars = ncpu,
		.bar_names = bar_names,
		.n_parts = ncat,
		.part_names = parts,
		.values = v,
		.is_stacked = true,
		.is_value_labels = true,
		.has_y_max = true,
		.y_max = 100,
	};
	rc = svg_bars(pf.path, &b, err, err_len);
out:
	free(v);
	free(names);
	free(bar_names);
	free(parts);
	return rc;
}

int plot_run(const struct run *r, const char *dir, char *err, size_t err_len)
{
	if (plot_dir_prepare(dir, err, err_len))
		return -1;
	struct hist *all = malloc(LAT_COUNT * sizeof *all);   /* about 150 KiB: not on the stack */
	if (!all)
		return out_of_memory(err, err_len);
	report_lat_all_queues(r, all);
	int rc = plot_cdf(r, &all[LAT_E2E], dir, err, err_len);
	if (!rc)
		rc = plot_stages(r, all, dir, err, err_len);
	if (!rc)
		rc = plot_cpu(r, dir, err, err_len);
	free(all);
	return rc;
}
