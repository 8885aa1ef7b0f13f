/*
 * tests/test_cpu.c — the host's cores (host/cpu.h): the order work is
 * picked in, and an interrupt or DPC preempting passive-level work. Times
 * are worked here from the clock: at 3400 MHz, 3400 cycles are 1 us.
 */
#include "testutil.h"

#include <string.h>

#include "host/cpu.h"
#include "sim/kernel.h"

struct log {
	struct sim_kernel *k;
	uint64_t cycles[CPU_WORK_KINDS];   /* each item's one step */
	uint64_t start_ps[CPU_WORK_KINDS], end_ps[CPU_WORK_KINDS];
	int order[8], n_order;
};

static bool handler(struct log *l, enum cpu_work kind, bool is_start, struct cost_charge *next)
{
	if (!is_start) {
		l->end_ps[kind] = sim_now_ps(l->k);
		return false;
	}
	l->start_ps[kind] = sim_now_ps(l->k);
	l->order[l->n_order++] = kind;
	memset(next, 0, sizeof *next);
	next->cycles[kind == CPU_WORK_ISR ? COST_T_IRQ : kind == CPU_WORK_DPC ? COST_T_DPC : COST_T_TX_OUTPUT] =
		l->cycles[kind];
	return true;
}
static bool on_isr(void *o, uint32_t c, uint32_t i, bool s, struct cost_charge *n) { (void)c; (void)i; return handler(o, CPU_WORK_ISR, s, n); }
static bool on_dpc(void *o, uint32_t c, uint32_t i, bool s, struct cost_charge *n) { (void)c; (void)i; return handler(o, CPU_WORK_DPC, s, n); }
static bool on_tx(void *o, uint32_t c, uint32_t i, bool s, struct cost_charge *n) { (void)c; (void)i; return handler(o, CPU_WORK_TX, s, n); }
static bool on_app(void *o, uint32_t c, uint32_t i, bool s, struct cost_charge *n) { (void)c; (void)i; return handler(o, CPU_WORK_APP, s, n); }

static struct cpu *rig(struct log *l)
{
	memset(l, 0, sizeof *l);
	l->k = sim_kernel_new();
	struct cpu *c = NULL;
	char err[128];
	assert_int_equal(cpu_new(&c, l->k, 1, 3400, 4, err, sizeof err), 0);
	cpu_set_handler(c, CPU_WORK_ISR, on_isr, l);
	cpu_set_handler(c, CPU_WORK_DPC, on_dpc, l);
	cpu_set_handler(c, CPU_WORK_TX, on_tx, l);
	cpu_set_handler(c, CPU_WORK_APP, on_app, l);
	return c;
}

struct later {
	struct cpu *c;
	enum cpu_work kind;
};
static void post_later(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct later *w = arg;
	cpu_post(w->c, 0, w->kind, 0);
}

/* Waiting work is picked by kind: interrupts, then DPCs, then sends, then
 * the application's receive. An application step running when a DPC is
 * posted is preempted at once; the ISR posted during the DPC waits for it
 * (a DPC is not preempted) and runs next; then the preempted step goes on
 * (it does not start again), then the send, then the second application
 * item. */
static void test_cpu_picks_isr_dpc_tx_app_in_that_order(void **state)
{
	(void)state;
	struct log l;
	struct cpu *c = rig(&l);
	for (int k = 0; k < CPU_WORK_KINDS; k++)
		l.cycles[k] = 340;
	cpu_post(c, 0, CPU_WORK_APP, 0);   /* starts at once: the core is idle */
	cpu_post(c, 0, CPU_WORK_APP, 1);
	cpu_post(c, 0, CPU_WORK_TX, 0);
	cpu_post(c, 0, CPU_WORK_DPC, 0);
	cpu_post(c, 0, CPU_WORK_ISR, 0);
	sim_run_until(l.k, SIM_TIME_NEVER);
	static const int want[] = { CPU_WORK_APP, CPU_WORK_DPC, CPU_WORK_ISR, CPU_WORK_TX, CPU_WORK_APP };
	assert_int_equal(l.n_order, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(l.order[i], want[i]);
	cpu_free(c);
	sim_kernel_free(l.k);
}

/* A send's step of 3400 cycles (1 us) from t = 0; an ISR of 1700 cycles
 * (0.5 us) posted at 0.4 us runs at once, to 0.9 us; a DPC of 340 cycles
 * (0.1 us) posted at 0.6 us, during the ISR, waits for it (ISRs and DPCs
 * are not preempted) and runs to 1.0 us; the send's step then needs its
 * remaining 0.6 us and ends at 1.6 us. Its cycles are charged once. */
static void test_cpu_interrupt_preempts_a_send_which_resumes(void **state)
{
	(void)state;
	struct log l;
	struct cpu *c = rig(&l);
	l.cycles[CPU_WORK_TX] = 3400;
	l.cycles[CPU_WORK_ISR] = 1700;
	l.cycles[CPU_WORK_DPC] = 340;
	struct later isr = { c, CPU_WORK_ISR }, dpc = { c, CPU_WORK_DPC };
	struct sim_event e1, e2;
	sim_event_init(&e1, "test.isr", SIM_PRIO_BUS, post_later, &isr);
	sim_event_init(&e2, "test.dpc", SIM_PRIO_BUS, post_later, &dpc);
	sim_schedule_at(l.k, &e1, 400000);
	sim_schedule_at(l.k, &e2, 600000);
	cpu_post(c, 0, CPU_WORK_TX, 0);
	sim_run_until(l.k, SIM_TIME_NEVER);
	assert_int_equal(l.start_ps[CPU_WORK_ISR], 400000);
	assert_int_equal(l.end_ps[CPU_WORK_ISR], 900000);
	assert_int_equal(l.start_ps[CPU_WORK_DPC], 900000);   /* after the ISR, not into it */
	assert_int_equal(l.end_ps[CPU_WORK_DPC], 1000000);     /* 340 cycles = 0.1 us */
	assert_int_equal(l.end_ps[CPU_WORK_TX], 1600000);
	const struct host_cpu_stats *st = cpu_stats(c, 0);
	assert_int_equal(st->preemptions, 1);
	assert_int_equal(st->term[COST_T_TX_OUTPUT], 3400);
	assert_int_equal(st->items[CPU_WORK_TX], 1);
	assert_int_equal(host_cpu_busy_cycles(st), 3400 + 1700 + 340);
	cpu_free(c);
	sim_kernel_free(l.k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_picks_isr_dpc_tx_app_in_that_order),
		cmocka_unit_test(test_cpu_interrupt_preempts_a_send_which_resumes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
