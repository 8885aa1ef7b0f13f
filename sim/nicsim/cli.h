/*
 * sim/nicsim/cli.h — pieces the nicsim commands share (main.c's run, info,
 * config, pcie and sweep.c's sweep): the usage-error message, the --config
 * and --set options, the configuration's warnings, the wall clock that
 * progress lines read. They print on stderr: this is the program, not the
 * library.
 */
#ifndef NICSIM_SIM_NICSIM_CLI_H
#define NICSIM_SIM_NICSIM_CLI_H

#include <stdint.h>

#include "sim/nicsim/config.h"

/* The exit status of a usage or configuration error (main.c's list). */
#define CLI_EXIT_USAGE 2

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

#endif
