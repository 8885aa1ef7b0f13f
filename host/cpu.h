/*
 * host/cpu.h — the host's cores: servers of typed work items.
 *
 * Each core runs one work item at a time and picks the next by kind: every
 * pending interrupt (ISR) before any deferred procedure call (DPC), then
 * sends, then the application's receive, each kind in the order posted, as
 * Windows runs ISRs above DPC level and DPCs from a per-CPU queue. ISRs and
 * DPCs run to completion; a step of a send or of the application's receive
 * (passive level, a thread's work) is preempted by an ISR or DPC posted to
 * its core and goes on where it stopped once they are done. An item is a sequence of steps; its owner's
 * handler says what each step costs (struct cost_charge, from host/cost.h),
 * the core charges the cycles to their categories and the step takes their
 * sum at the core's clock. The owner learns each step's end through the same
 * handler and either gives the next step or says the item is done.
 *
 * Later kinds (transmit, TOE requests, copies) are more enum values and
 * handlers; the core's rule stays the same.
 */
#ifndef NICSIM_HOST_CPU_H
#define NICSIM_HOST_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "host/cost.h"
#include "sim/kernel.h"

/* In the order a core picks them: interrupts, then DPCs, then transmit work
 * (sends are posted below DISPATCH level, where an application thread calls
 * into the stack). */
enum cpu_work { CPU_WORK_ISR = 0, CPU_WORK_DPC, CPU_WORK_TX, CPU_WORK_APP, CPU_WORK_KINDS };
/* A kind's short name, as a timeline labels a run: "ISR", "DPC", "TX",
 * "APP" (the application's receive: its recv work and copies). */
const char *cpu_work_name(enum cpu_work kind);

struct host_cpu_stats {
	uint64_t cycles[CPU_CAT_COUNT];   /* by category: the sums of the terms' (cost_term_cat) */
	uint64_t items[CPU_WORK_KINDS];   /* work items started, by kind (ISRs, DPC runs) */
	uint64_t preemptions;             /* passive-level steps an ISR or DPC preempted */
	uint64_t kind_cycles[CPU_WORK_KINDS];   /* cycles spent, by the kind of item that spent them */
	uint64_t term[COST_TERM_COUNT];   /* cycles spent, by term */
	uint64_t base[COST_TERM_COUNT];   /* what the software path would have spent, by term */
};
/* A core's counters, declared once (sim/stats.h): cycles by category and
 * work items by kind. */
extern const struct stat_def cpu_cycle_stat_defs[], cpu_item_stat_defs[];

static inline uint64_t host_cpu_busy_cycles(const struct host_cpu_stats *st)
{
	uint64_t busy = 0;
	for (int i = 0; i < CPU_CAT_COUNT; i++)
		busy += st->cycles[i];
	return busy;
}

/* The owner's handler of one kind of work. Called when a core starts item
 * (is_start) and when each of its steps ends. Returns true with *next set to
 * the next step's charge, or false: the item is done and the core moves on. */
typedef bool (*cpu_work_fn)(void *owner, uint32_t core, uint32_t item, bool is_start, struct cost_charge *next);

struct cpu;
/* items_max: how many items of one kind may wait on a core at once. */
int cpu_new(struct cpu **out, struct sim_kernel *k, uint32_t cores, uint32_t clock_mhz, uint32_t items_max,
	    char *err, size_t err_len);
void cpu_free(struct cpu *c);
void cpu_set_handler(struct cpu *c, enum cpu_work kind, cpu_work_fn fn, void *owner);
/* Queue an item on a core; it starts now if the core is idle. */
void cpu_post(struct cpu *c, uint32_t core, enum cpu_work kind, uint32_t item);
/* Whether the core is running (not merely holding) that item of that kind,
 * or holds a step of it an interrupt preempted. */
bool cpu_is_running_item(const struct cpu *c, uint32_t core, enum cpu_work kind, uint32_t item);
uint32_t cpu_cores(const struct cpu *c);
const struct host_cpu_stats *cpu_stats(const struct cpu *c, uint32_t core);
/* Book what the software path would have spent on work this core did not
 * do at all (frames the TOE took, sends it made): shadow only, no time. */
void cpu_book_base(struct cpu *c, uint32_t core, enum cost_term t, uint64_t cycles);
/* The same for every term of a charge's base (its cycles are ignored). */
void cpu_book_charge_base(struct cpu *c, uint32_t core, const struct cost_charge *ch);

/* An observer of the cores' work (the timeline, sim/nicsim/timeline.h):
 * called when a core starts an item (is_start) and when the item ends, with
 * the simulated time. An item whose handler has nothing to do at its start
 * ends at the same instant. The observer must not post work or change the
 * model; unset (fn NULL, the default) it costs one test per item. */
typedef void (*cpu_item_fn)(void *ctx, uint32_t core, enum cpu_work kind, uint32_t item, bool is_start, uint64_t t_ps);
void cpu_on_item(struct cpu *c, cpu_item_fn fn, void *ctx);

#endif
