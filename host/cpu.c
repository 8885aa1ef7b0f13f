/*
 * host/cpu.c — the host's cores (host/cpu.h): per core, one FIFO of waiting
 * items per kind and one event for the step it runs.
 */
#include "host/cpu.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/check.h"

struct cpu_core {
	struct cpu *cpu;
	struct sim_event ev;
	char name[24];
	bool is_busy;
	enum cpu_work cur_kind;
	uint32_t cur_item;
	/* Waiting items, a ring per kind. */
	uint32_t *fifo[CPU_WORK_KINDS];
	uint32_t head[CPU_WORK_KINDS], n[CPU_WORK_KINDS];
	/* A passive-level step an interrupt or DPC preempted (at most one: those
	 * are never preempted): its item and the time it still needs. */
	bool has_suspended;
	bool is_in_call;             /* inside an owner's handler: a post then waits (no preemption) */
	enum cpu_work susp_kind;
	uint32_t susp_item;
	uint64_t susp_left_ps;
	struct host_cpu_stats st;
};

struct cpu {
	struct sim_kernel *k;
	struct sim_clock clk;
	uint32_t ncores, cap;
	struct cpu_core *cores;
	cpu_work_fn fn[CPU_WORK_KINDS];
	void *owner[CPU_WORK_KINDS];
	cpu_item_fn on_item;    /* the observer, NULL when none (cpu_on_item) */
	void *on_item_ctx;
};

static void core_kick(struct cpu_core *c);

/* Tell the observer (cpu_on_item) that an item starts or ends now: one
 * predictable branch when none is set. */
static inline void core_note(struct cpu *cpu, uint32_t core, enum cpu_work kind, uint32_t item, bool is_start)
{
	if (cpu->on_item)
		cpu->on_item(cpu->on_item_ctx, core, kind, item, is_start, sim_now_ps(cpu->k));
}

/* The owner's handler of the item's kind. One call site per kind: each
 * indirect call then always goes to the same handler, which the branch
 * predictor learns (a shared site alternating between ISR and DPC handlers
 * mispredicts on nearly every step). */
static inline bool core_call_kind(struct cpu *cpu, enum cpu_work kind, uint32_t core, uint32_t item, bool is_start,
				  struct cost_charge *next)
{
	switch (kind) {
	case CPU_WORK_ISR:
		return cpu->fn[CPU_WORK_ISR](cpu->owner[CPU_WORK_ISR], core, item, is_start, next);
	case CPU_WORK_DPC:
		return cpu->fn[CPU_WORK_DPC](cpu->owner[CPU_WORK_DPC], core, item, is_start, next);
	case CPU_WORK_TX:
		return cpu->fn[CPU_WORK_TX](cpu->owner[CPU_WORK_TX], core, item, is_start, next);
	case CPU_WORK_APP:
		return cpu->fn[CPU_WORK_APP](cpu->owner[CPU_WORK_APP], core, item, is_start, next);
	default:
		sim_check(0, "a work item of a kind the CPU has no handler for");
		return false;
	}
}

/* A handler's call, marked so that work it posts to its own core does not
 * preempt the step it is deciding. */
static inline bool core_call(struct cpu *cpu, enum cpu_work kind, uint32_t core, uint32_t item, bool is_start,
			     struct cost_charge *next)
{
	struct cpu_core *c = &cpu->cores[core];
	c->is_in_call = true;
	bool r = core_call_kind(cpu, kind, core, item, is_start, next);
	c->is_in_call = false;
	return r;
}

/* Charge a step and schedule its end. */
static inline void core_run_step(struct cpu_core *c, const struct cost_charge *ch)
{
	uint64_t total = 0;
	for (int i = 0; i < COST_TERM_COUNT; i++) {
		c->st.term[i] += ch->cycles[i];
		total += ch->cycles[i];
	}
	c->st.kind_cycles[c->cur_kind] += total;
	if (COST_SHADOW)
		for (int i = 0; i < COST_TERM_COUNT; i++)
			c->st.base[i] += ch->base[i];
	sim_schedule_in(c->cpu->k, &c->ev, sim_clock_cycles_to_ps(&c->cpu->clk, total));
}

static void core_step_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct cpu_core *c = arg;
	struct cpu *cpu = c->cpu;
	struct cost_charge next;
	if (core_call(cpu, c->cur_kind, (uint32_t)(c - cpu->cores), c->cur_item, false, &next)) {
		core_run_step(c, &next);
		return;
	}
	c->is_busy = false;
	core_note(cpu, (uint32_t)(c - cpu->cores), c->cur_kind, c->cur_item, false);
	core_kick(c);
}

/* Start the next waiting item on an idle core: interrupts first. */
static void core_kick(struct cpu_core *c)
{
	struct cpu *cpu = c->cpu;
	while (!c->is_busy) {
		int kind = 0;
		while (kind < CPU_WORK_KINDS && !c->n[kind])
			kind++;
		if (c->has_suspended && kind >= CPU_WORK_TX) {
			/* The preempted step goes on where it stopped. */
			c->has_suspended = false;
			c->is_busy = true;
			c->cur_kind = c->susp_kind;
			c->cur_item = c->susp_item;
			core_note(cpu, (uint32_t)(c - cpu->cores), c->cur_kind, c->cur_item, true);
			sim_schedule_in(cpu->k, &c->ev, c->susp_left_ps);
			return;
		}
		if (kind == CPU_WORK_KINDS)
			return;
		uint32_t item = c->fifo[kind][c->head[kind]];
		c->head[kind] = (c->head[kind] + 1) % cpu->cap;
		c->n[kind]--;
		c->is_busy = true;
		c->cur_kind = (enum cpu_work)kind;
		c->cur_item = item;
		c->st.items[kind]++;
		uint32_t core = (uint32_t)(c - cpu->cores);
		core_note(cpu, core, (enum cpu_work)kind, item, true);
		struct cost_charge first;
		if (core_call(cpu, (enum cpu_work)kind, core, item, true, &first)) {
			core_run_step(c, &first);
		} else {
			c->is_busy = false;   /* nothing to do after all: the next item */
			core_note(cpu, core, (enum cpu_work)kind, item, false);
		}
	}
}

void cpu_post(struct cpu *cpu, uint32_t core, enum cpu_work kind, uint32_t item)
{
	struct cpu_core *c = &cpu->cores[core];
	sim_check(c->n[kind] < cpu->cap, "cpu_post: more items waiting on a core than items_max");
	c->fifo[kind][(c->head[kind] + c->n[kind]) % cpu->cap] = item;
	c->n[kind]++;
	if (c->is_busy && kind < CPU_WORK_TX && c->cur_kind >= CPU_WORK_TX && !c->is_in_call) {
		/* An interrupt or a DPC preempts a step at passive level (a send,
		 * the application's receive), as DIRQL and DISPATCH_LEVEL do a
		 * thread: the step's cycles are charged already, its end waits. */
		uint64_t now = sim_now_ps(cpu->k);
		c->susp_left_ps = c->ev.time_ps > now ? c->ev.time_ps - now : 0;
		sim_cancel(cpu->k, &c->ev);
		c->has_suspended = true;
		c->susp_kind = c->cur_kind;
		c->susp_item = c->cur_item;
		c->is_busy = false;
		c->st.preemptions++;
		core_note(cpu, core, c->cur_kind, c->cur_item, false);
	}
	if (!c->is_busy)
		core_kick(c);
}

int cpu_new(struct cpu **out, struct sim_kernel *k, uint32_t cores, uint32_t clock_mhz, uint32_t items_max,
	    char *err, size_t err_len)
{
	struct cpu *cpu = calloc(1, sizeof *cpu);
	if (!cpu)
		goto nomem;
	cpu->k = k;
	cpu->clk = sim_clock_mhz(clock_mhz);
	cpu->ncores = cores;
	cpu->cap = items_max;
	cpu->cores = calloc(cores, sizeof *cpu->cores);
	if (!cpu->cores)
		goto nomem;
	for (uint32_t i = 0; i < cores; i++) {
		struct cpu_core *c = &cpu->cores[i];
		c->cpu = cpu;
		for (int kind = 0; kind < CPU_WORK_KINDS; kind++)
			if (!(c->fifo[kind] = calloc(items_max, sizeof(uint32_t))))
				goto nomem;
		snprintf(c->name, sizeof c->name, "host.cpu%u", i);
		sim_event_init(&c->ev, c->name, SIM_PRIO_HOST, core_step_done, c);
	}
	*out = cpu;
	return 0;
nomem:
	snprintf(err, err_len, "host: out of memory for %u cpus", cores);
	cpu_free(cpu);
	return -1;
}

void cpu_free(struct cpu *cpu)
{
	if (!cpu)
		return;
	for (uint32_t i = 0; cpu->cores && i < cpu->ncores; i++) {
		sim_cancel(cpu->k, &cpu->cores[i].ev);
		for (int kind = 0; kind < CPU_WORK_KINDS; kind++)
			free(cpu->cores[i].fifo[kind]);
	}
	free(cpu->cores);
	free(cpu);
}

void cpu_set_handler(struct cpu *cpu, enum cpu_work kind, cpu_work_fn fn, void *owner)
{
	cpu->fn[kind] = fn;
	cpu->owner[kind] = owner;
}

void cpu_on_item(struct cpu *cpu, cpu_item_fn fn, void *ctx)
{
	cpu->on_item = fn;
	cpu->on_item_ctx = ctx;
}

bool cpu_is_running_item(const struct cpu *cpu, uint32_t core, enum cpu_work kind, uint32_t item)
{
	const struct cpu_core *c = &cpu->cores[core];
	return (c->is_busy && c->cur_kind == kind && c->cur_item == item) ||
	       (c->has_suspended && c->susp_kind == kind && c->susp_item == item);
}

uint32_t cpu_cores(const struct cpu *cpu) { return cpu->ncores; }
const struct host_cpu_stats *cpu_stats(const struct cpu *cpu, uint32_t core)
{
	struct host_cpu_stats *st = &cpu->cores[core].st;
	for (int i = 0; i < CPU_CAT_COUNT; i++)
		st->cycles[i] = 0;
	for (int t = 0; t < COST_TERM_COUNT; t++)
		st->cycles[cost_term_cat[t]] += st->term[t];
	return st;
}

void cpu_book_base(struct cpu *cpu, uint32_t core, enum cost_term t, uint64_t cycles)
{
	if (COST_SHADOW)
		cpu->cores[core].st.base[t] += cycles;
}

void cpu_book_charge_base(struct cpu *cpu, uint32_t core, const struct cost_charge *ch)
{
	if (COST_SHADOW)
		for (int t = 0; t < COST_TERM_COUNT; t++)
			cpu->cores[core].st.base[t] += ch->base[t];
}

const struct stat_def cpu_cycle_stat_defs[] = {
	STAT_DEF(struct host_cpu_stats, cycles[CPU_ISR], "isr", "cycles", "Interrupt service routines."),
	STAT_DEF(struct host_cpu_stats, cycles[CPU_DRIVER], "driver", "cycles", "Driver work: descriptors, buffers, DPC runs."),
	STAT_DEF(struct host_cpu_stats, cycles[CPU_PROTOCOL], "protocol", "cycles",
		 "TCP/IP stack work, with software checksums where the NIC did not check."),
	STAT_DEF(struct host_cpu_stats, cycles[CPU_COPY], "copy", "cycles", "Copies of payload to and from the application, NetDMA submits and stalls."),
	{ NULL },
};
static const char *const cpu_work_names[CPU_WORK_KINDS] = {
	[CPU_WORK_ISR] = "ISR",
	[CPU_WORK_DPC] = "DPC",
	[CPU_WORK_TX] = "TX",
	[CPU_WORK_APP] = "APP",
};
const char *cpu_work_name(enum cpu_work kind) { return cpu_work_names[kind]; }

const struct stat_def cpu_item_stat_defs[] = {
	STAT_DEF(struct host_cpu_stats, items[CPU_WORK_ISR], "isrs", "items", "ISRs the core ran."),
	STAT_DEF(struct host_cpu_stats, items[CPU_WORK_DPC], "dpcs", "items", "DPC runs the core ran."),
	STAT_DEF(struct host_cpu_stats, items[CPU_WORK_TX], "tx_runs", "items", "Transmit work items the core ran."),
	STAT_DEF(struct host_cpu_stats, items[CPU_WORK_APP], "app_runs", "items",
		 "Application receive work items the core ran (recv work and copies)."),
	STAT_DEF(struct host_cpu_stats, preemptions, "preemptions", "steps",
		 "Steps of sends or of the application's receive that an interrupt or a DPC preempted."),
	{ NULL },
};
