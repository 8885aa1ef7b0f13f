/*
 * sim/nicsim/cli.c — what the nicsim commands share (cli.h).
 */
#include "sim/nicsim/cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cli_usage_err(const char *fmt, const char *arg, const char *cmd)
{
	fprintf(stderr, "nicsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
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
		fprintf(stderr, "nicsim %s: %s\n", cmd, err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* At most CLI_WARNINGS_SHOWN, then how many more: a configuration rarely
 * has more than a few, and a screenful says enough. */
#define CLI_WARNINGS_SHOWN 16

void cli_print_cfg_warnings(const struct nicsim_cfg *cfg, const char *cmd)
{
	char w[CLI_WARNINGS_SHOWN][CONFIG_WARNING_CHARS];
	size_t n = config_warnings(cfg, w, CLI_WARNINGS_SHOWN);
	for (size_t i = 0; i < n && i < CLI_WARNINGS_SHOWN; i++)
		fprintf(stderr, "nicsim %s: warning: %s\n", cmd, w[i]);
	if (n > CLI_WARNINGS_SHOWN)
		fprintf(stderr, "nicsim %s: warning: %zu more\n", cmd, n - CLI_WARNINGS_SHOWN);
}

uint64_t cli_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
