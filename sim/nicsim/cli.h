/*
 * sim/nicsim/cli.h — pieces the nicsim commands share (main.c's info,
 * config, pcie, cmd_run.c's run, sweep.c's sweep): the usage-error message,
 * the --config and --set options, the configuration's warnings, the progress
 * line and the wall clock it reads. They print on stderr: this is the
 * program, not the library. And the run command itself, which nicsim and
 * nicsim-systemc (sim/systemc/) both offer: cmd_run.c is compiled into each
 * (not into the library: nicsim's has the RTL backend); cli_run.h declares it.
 */
#ifndef NICSIM_SIM_NICSIM_CLI_H
#define NICSIM_SIM_NICSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/nicsim/cli_run.h"
#include "sim/nicsim/config.h"

/* "nicsim CMD: " fmt (with arg), then "(see: nicsim help CMD)"; returns
 * CLI_EXIT_USAGE. */
int cli_usage_err(const char *fmt, const char *arg, const char *cmd);
/* --config FILE or --set KEY=VALUE (opt), applied to cfg: 0, or
 * CLI_EXIT_USAGE after the message. */
int cli_apply_cfg_opt(struct nicsim_cfg *cfg, const char *opt, const char *val, const char *cmd);
/* The configuration's warnings (config_warnings), on stderr. */
void cli_print_cfg_warnings(const struct nicsim_cfg *cfg, const char *cmd);
/* CLOCK_MONOTONIC in ns: wall time for progress lines, never for results. */
uint64_t cli_mono_ns(void);

/* A command-line word that is not one of cmd's options: the trace (one),
 * or an unknown option. 0, or CLI_EXIT_USAGE after the message. */
int cli_take_trace(const char *a, const char **trace, const char *cmd);

/* A progress line on stderr when it is a terminal (and not is_quiet),
 * redrawn a few times a second; the callers look at the clock only every
 * REPLAY_PROGRESS_RECORDS records. */
struct cli_progress {
	bool is_on;
	const char *cmd, *name;
	uint64_t t0_ns, shown_ns;
	bool has_shown;
};
void cli_progress_init(struct cli_progress *pg, const char *cmd, const char *trace, bool is_quiet);
void cli_progress_show(struct cli_progress *pg, bool has_share, uint32_t share_ppm, uint64_t frames, bool has_sim,
		       uint64_t sim_ps);
void cli_progress_end(struct cli_progress *pg);


#endif
