/*
 * sim/nicsim/cli.c — what the nicsim commands share (cli.h).
 */
#include "sim/nicsim/cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "traces/reader.h"

/* Another program offering a command (nicsim-systemc's run), by its name. */
static const char *cli_who_name;

void cli_set_who(const char *who) { cli_who_name = who; }

/* "nicsim CMD" (or the program cli_set_who named) into b. */
static const char *who(char *b, size_t n, const char *cmd)
{
	if (cli_who_name)
		snprintf(b, n, "%s", cli_who_name);
	else
		snprintf(b, n, "nicsim%s%s", cmd ? " " : "", cmd ? cmd : "");
	return b;
}

int cli_usage_err(const char *fmt, const char *arg, const char *cmd)
{
	char w[64];
	fprintf(stderr, "%s: ", who(w, sizeof w, cmd));
	fprintf(stderr, fmt, arg);
	if (cli_who_name)
		fprintf(stderr, "\n(see: %s --help)\n", cli_who_name);
	else
		fprintf(stderr, "\n(see: nicsim help %s)\n", cmd ? cmd : "");
	return CLI_EXIT_USAGE;
}

int cli_apply_cfg_opt(struct nicsim_cfg *cfg, const char *opt, const char *val, const char *cmd)
{
	char err[600];
	if (!val)
		return cli_usage_err("%s needs a value", opt, cmd);
	int rc = !strcmp(opt, "--config") ? config_load(cfg, val, err, sizeof err) : config_set(cfg, val, err, sizeof err);
	if (rc) {
		char w[64];
		fprintf(stderr, "%s: %s\n", who(w, sizeof w, cmd), err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* At most CLI_WARNINGS_SHOWN, then how many more: a configuration rarely
 * has more than a few, and a screenful says enough. */
#define CLI_WARNINGS_SHOWN 16

void cli_print_cfg_warnings(const struct nicsim_cfg *cfg, const char *cmd)
{
	char w[CLI_WARNINGS_SHOWN][CONFIG_WARNING_CHARS], wb[64];
	size_t n = config_warnings(cfg, w, CLI_WARNINGS_SHOWN);
	for (size_t i = 0; i < n && i < CLI_WARNINGS_SHOWN; i++)
		fprintf(stderr, "%s: warning: %s\n", who(wb, sizeof wb, cmd), w[i]);
	if (n > CLI_WARNINGS_SHOWN)
		fprintf(stderr, "%s: warning: %zu more\n", who(wb, sizeof wb, cmd), n - CLI_WARNINGS_SHOWN);
}

uint64_t cli_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- progress on a terminal ---- */

/* Shown at most every PROGRESS_EVERY_NS and not before PROGRESS_FIRST_NS
 * (a short run shows nothing). */
#define PROGRESS_EVERY_NS 250000000ull
#define PROGRESS_FIRST_NS 500000000ull

void cli_progress_init(struct cli_progress *pg, const char *cmd, const char *trace, bool is_quiet)
{
	memset(pg, 0, sizeof *pg);
	pg->is_on = !is_quiet && isatty(STDERR_FILENO);
	pg->cmd = cmd;
	const char *slash = strrchr(trace, '/');
	pg->name = !strcmp(trace, "-") ? TRACE_STDIN_NAME : slash ? slash + 1 : trace;
	pg->t0_ns = cli_mono_ns();
}

/* One line, redrawn in place: share read (if known), frames, simulated
 * time (has_sim), frames/s, time left (if the share is known). */
void cli_progress_show(struct cli_progress *pg, bool has_share, uint32_t share_ppm, uint64_t frames, bool has_sim,
			  uint64_t sim_ps)
{
	if (!pg->is_on)
		return;
	uint64_t now = cli_mono_ns(), wall = now - pg->t0_ns;
	if (wall < PROGRESS_FIRST_NS || (pg->has_shown && now - pg->shown_ns < PROGRESS_EVERY_NS))
		return;
	pg->shown_ns = now;
	pg->has_shown = true;
	double secs = (double)wall / 1e9;
	char line[256];
	char w[64];
	int n = snprintf(line, sizeof line, "%s: ", who(w, sizeof w, pg->cmd));
	if (has_share)
		n += snprintf(line + n, sizeof line - (size_t)n, "%.1f%% of %s read, ", share_ppm / 1e4, pg->name);
	n += snprintf(line + n, sizeof line - (size_t)n, "%.2f M frames", (double)frames / 1e6);
	if (has_sim)
		n += snprintf(line + n, sizeof line - (size_t)n, ", %.3f s simulated", (double)sim_ps / 1e12);
	n += snprintf(line + n, sizeof line - (size_t)n, ", %.2f M frames/s", (double)frames / 1e6 / secs);
	if (has_share && share_ppm > 0)
		snprintf(line + n, sizeof line - (size_t)n, ", %.0f s left", secs * (1e6 - share_ppm) / share_ppm);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

/* Clear the line before anything else is written. */
void cli_progress_end(struct cli_progress *pg)
{
	if (pg->has_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		pg->has_shown = false;
	}
}

bool cli_is_help(const char *a) { return !strcmp(a, "-h") || !strcmp(a, "--help"); }

int cli_take_trace(const char *a, const char **trace, const char *cmd)
{
	if (a[0] == '-' && a[1])
		return cli_usage_err("unknown option %s", a, cmd);
	if (*trace)
		return cli_usage_err("one trace at a time (got also %s)", a, cmd);
	*trace = a;
	return 0;
}
