/*
 * sim/nicsim/cli.h — pieces the nicsim commands share (main.c's info,
 * config, pcie, cmd_run.c's run, sweep.c's sweep): the usage-error message,
 * the --config and --set options, the configuration's warnings, the progress
 * line and the wall clock it reads. They print on stderr: this is the
 * program, not the library. And the run command itself, which nicsim and
 * nicsim-systemc (sim/systemc/) both offer: cmd_run.c, the library
 * nicsim_cli that both link; cli_run.h declares it.
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
/* The program these messages name instead of "nicsim CMD" (another program
 * offering a command: nicsim-systemc's run); NULL: nicsim's own. */
void cli_set_who(const char *who);
/* --config FILE or --set KEY=VALUE (opt), applied to cfg: 0, or
 * CLI_EXIT_USAGE after the message. */
int cli_apply_cfg_opt(struct nicsim_cfg *cfg, const char *opt, const char *val, const char *cmd);
/* The configuration's warnings (config_warnings), on stderr. */
void cli_print_cfg_warnings(const struct nicsim_cfg *cfg, const char *cmd);
/* CLOCK_MONOTONIC in ns: wall time for progress lines, never for results. */
uint64_t cli_mono_ns(void);

/* A compute backend `nicsim run --backend` may name besides "c": nicsim's
 * RTL twins (rtl/backend_rtl.h), which main.c registers where they are
 * built. open: the backend spec ("rtl:rss,csum"), the run's settings and
 * the --vcd file (or NULL); 0 with *h set, or <0 with err. Unregistered
 * (NULL, the default), --backend names only "c". */
struct nic_engines;
struct cli_backend {
	int (*open)(void **h, const char *spec, const struct nicsim_cfg *cfg, const char *vcd, char *err, size_t err_len);
	const struct nic_engines *(*engines)(void *h);
	uint64_t (*mismatches)(void *h);   /* sums the twins disagreed on */
	void (*close)(void *h);
};
void cli_set_backend(const struct cli_backend *b);

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
