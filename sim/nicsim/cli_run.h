/*
 * sim/nicsim/cli_run.h — the run command, and what lets another program
 * drive it: the boundary between nicsim-systemc (sim/systemc/, C++) and the
 * run (sim/nicsim/run.h). Plain C with nothing but standard headers, so C++
 * includes it as it is.
 */
#ifndef NICSIM_SIM_NICSIM_CLI_RUN_H
#define NICSIM_SIM_NICSIM_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses (main.c's usage text lists them): reports differ (check);
 * a usage or configuration error, settings that cannot replay the trace
 * included; an unreadable trace; the RTL and C twins disagreed. */
#define CLI_EXIT_DIFF 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_TRACE 3
#define CLI_EXIT_RTL_MISMATCH 4

struct run;
struct bus;
struct sim_kernel;

/* Who steps the kernel, when not the native loop (sim_run_until to the stop
 * time). bind: once the run is composed (NIC, host, replay attached to the
 * bus) and before anything starts, e.g. to route the bus through sockets;
 * <0 fails the run with err. drive: step the kernel to stop_ps
 * (SIM_TIME_NEVER: until no event is pending), leaving it where sim_run_until
 * would: every event due by then fired, and now = stop_ps when that is not
 * SIM_TIME_NEVER. The report names the kernel (run.kernel). */
struct run_kernel {
	const char *name;        /* run.kernel.name, e.g. "systemc" */
	uint64_t quantum_ps;     /* run.kernel.quantum_ps */
	const char *cli_name;    /* the program, in messages, e.g. "nicsim-systemc" */
	void *ctx;
	int (*bind)(void *ctx, struct run *r, char *err, size_t err_len);
	void (*drive)(void *ctx, struct run *r, uint64_t stop_ps);
};

/* A composed run's bus (both halves attached) and event kernel. */
struct bus *run_bus(struct run *r);
struct sim_kernel *run_sim_kernel(struct run *r);

/* "-h" or "--help". */
bool cli_is_help(const char *a);

/* `nicsim run`: its usage text, and the command (argv after "run"). kernel
 * NULL: the native kernel steps the run. Returns the exit status. */
extern const char cli_usage_run[];
int cli_run(int argc, char **argv, const struct run_kernel *kernel);

#ifdef __cplusplus
}
#endif

#endif
