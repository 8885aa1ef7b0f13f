/*
 * The interrupt block on its own (models/irq.c), wired to a stub host through
 * the bus: the test programs one vector's EITR word (models/nic_regs.h),
 * calls a completion at chosen times by stepping the kernel from outside,
 * and the stub host records every MSI-X message and plays the driver's end
 * of a DPC: it unmasks the vector (EIMS) a fixed time after each interrupt.
 *
 * Expected times are worked by hand in the comments from the two timing
 * rules (models/irq.h): throttle, a minimum interval counted from the last
 * interrupt (Intel I210 datasheet section 7.3: an event after the count ran
 * out fires at once; otherwise when it runs out; the count reloads when an
 * interrupt is sent); delay, the interval counted from the first completion
 * not yet signalled (ethtool's struct ethtool_coalesce comment).
 */
#include "testutil.h"

#include <string.h>

#include "models/irq.h"
#include "models/nic_regs.h"

#define US SIM_PS_PER_US
#define MSIX_MAX 64

struct host {
	struct sim_kernel *k;
	struct irq *irq;
	uint64_t unmask_after_ps;   /* the DPC: EIMS this long after each interrupt */
	struct sim_event unmask_ev;
	uint64_t t_ps[MSIX_MAX];    /* every MSI-X message */
	uint32_t n;
};

static void host_unmask(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct host *h = arg;
	irq_unmask(h->irq, 0);
}

static void host_msix(void *opaque, uint64_t t_ps, uint64_t addr, uint32_t data)
{
	(void)addr;
	(void)data;
	struct host *h = opaque;
	assert_true(h->n < MSIX_MAX);
	h->t_ps[h->n++] = t_ps;
	sim_schedule_at(h->k, &h->unmask_ev, t_ps + h->unmask_after_ps);
}

/* One vector, its table entry unmasked, EITR = eitr, unmasked (as a driver
 * leaves it after start), at time 0. */
static void setup(struct host *h, struct bus *b, uint32_t eitr, uint64_t unmask_after_ps)
{
	memset(h, 0, sizeof *h);
	memset(b, 0, sizeof *b);
	h->k = sim_kernel_new();
	b->host = (struct bus_host_if){ .host = h, .msix = host_msix };
	h->irq = irq_new(h->k, b, NULL, 1);
	assert_non_null(h->irq);
	h->unmask_after_ps = unmask_after_ps;
	sim_event_init(&h->unmask_ev, "test.dpc", SIM_PRIO_HW, host_unmask, h);
	irq_msix_write(h->irq, 0, NIC_MSIX_CTRL, 0);
	irq_eitr_write(h->irq, 0, eitr);
	irq_unmask(h->irq, 0);
}

static void teardown(struct host *h)
{
	sim_cancel(h->k, &h->unmask_ev);
	irq_free(h->irq);
	sim_kernel_free(h->k);
}

/* A completion at t_us (everything due before or at it happens first). */
static void complete_at(struct host *h, uint64_t t_us)
{
	sim_run_until(h->k, t_us * US);
	irq_complete(h->irq, 0);
}

static void test_irq_throttle_lone_completion_after_a_quiet_spell_fires_at_once(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	setup(&h, &b, NIC_EITR(50, 0), 2 * US);   /* throttle (DELAY 0), 50 us */
	/* Never fired: the count starts run out, so the first completion, at
	 * 5 us, fires at 5 us. */
	complete_at(&h, 5);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.t_ps[0], 5 * US);
	/* Quiet until 1000 us (the count ran out at 55): fires at 1000, no
	 * moderation wait. */
	complete_at(&h, 1000);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[1], 1000 * US);
	sim_run_until(h.k, 2000 * US);
	assert_int_equal(h.n, 2);
	assert_int_equal(irq_vec_stats(h.irq, 0).completions, 2);
	teardown(&h);
}

static void test_irq_throttle_spaces_a_burst_by_the_interval_from_the_last_interrupt(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	setup(&h, &b, NIC_EITR(50, 0), 2 * US);
	/* Completions every 10 us from 100 to 290 us (20), the DPC unmasks 2 us
	 * after each interrupt:
	 *   100: count run out -> fire at 100 (1 completion); count to 150
	 *   102: unmask, nothing pending
	 *   110..140 pending; the count runs out at 150 -> fire (4); to 200
	 *   150 arrives just after, masked; 152 unmask: pending, wait for 200
	 *   200 fire (150..190: 5); 250 fire (200..240: 5); 300 fire (250..290: 5)
	 * So 100, 150, 200, 250, 300: 50 us from each interrupt, not from each
	 * unmask (which would give 152, 204, ...). */
	for (uint64_t t = 100; t < 300; t += 10)
		complete_at(&h, t);
	sim_run_until(h.k, 1000 * US);
	static const uint64_t want_us[] = { 100, 150, 200, 250, 300 };
	assert_int_equal(h.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(h.t_ps[i], want_us[i] * US);
	struct irq_vec_stats st = irq_vec_stats(h.irq, 0);
	assert_int_equal(st.completions, 20);
	assert_int_equal(st.interrupts, 5);
	assert_int_equal(st.by_timer, 5);
	teardown(&h);
}

static void test_irq_throttle_frame_limit_fires_before_the_interval(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	setup(&h, &b, NIC_EITR(50, 3), 2 * US);   /* 50 us, at most 3 frames */
	/* 100: fires at once (count run out), to 150. 110, 112, 114: the third
	 * pending completion reaches the limit at 114, before 150. */
	complete_at(&h, 100);
	complete_at(&h, 110);
	complete_at(&h, 112);
	assert_int_equal(h.n, 1);
	complete_at(&h, 114);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[1], 114 * US);
	assert_int_equal(irq_vec_stats(h.irq, 0).by_frames, 1);
	teardown(&h);
}

static void test_irq_delay_timing_keeps_the_wait_from_the_first_completion(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	setup(&h, &b, NIC_EITR(50, 0) | NIC_EITR_DELAY, 2 * US);
	assert_int_equal(irq_eitr_read(h.irq, 0), NIC_EITR(50, 0) | NIC_EITR_DELAY);
	/* A lone completion at 1000 waits the whole interval from itself:
	 * 1050; so does the next lone one at 2000 (2050), though the last
	 * interrupt was 950 us before it. */
	complete_at(&h, 1000);
	assert_int_equal(h.n, 0);
	sim_run_until(h.k, 1049 * US);
	assert_int_equal(h.n, 0);
	complete_at(&h, 2000);
	sim_run_until(h.k, 3000 * US);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[0], 1050 * US);
	assert_int_equal(h.t_ps[1], 2050 * US);
	teardown(&h);
}

static void test_irq_throttle_pending_at_unmask_fires_at_once_once_the_interval_ran_out(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	/* The DPC takes 80 us: 100 fires at once (count to 150); 120 arrives
	 * masked; the unmask at 180 finds it pending and the count run out:
	 * fire at 180. */
	setup(&h, &b, NIC_EITR(50, 0), 80 * US);
	complete_at(&h, 100);
	complete_at(&h, 120);
	sim_run_until(h.k, 1000 * US);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[0], 100 * US);
	assert_int_equal(h.t_ps[1], 180 * US);
	teardown(&h);
	/* The DPC takes 30 us: the unmask at 130 finds 120 pending but the count
	 * runs until 150: fire at 150, not at 130. */
	setup(&h, &b, NIC_EITR(50, 0), 30 * US);
	complete_at(&h, 100);
	complete_at(&h, 120);
	sim_run_until(h.k, 1000 * US);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[1], 150 * US);
	teardown(&h);
}

static void test_irq_an_eitr_write_does_not_restart_the_count(void **state)
{
	(void)state;
	struct host h;
	struct bus b;
	setup(&h, &b, NIC_EITR(50, 0), 2 * US);
	/* 100 fires at once, count to 150. The driver rewrites the same EITR at
	 * 110; 120 then fires at 150 (a restart at 110 would give 160). */
	complete_at(&h, 100);
	sim_run_until(h.k, 110 * US);
	irq_eitr_write(h.irq, 0, NIC_EITR(50, 0));
	complete_at(&h, 120);
	sim_run_until(h.k, 155 * US);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.t_ps[1], 150 * US);
	/* The count loaded at 150 runs to 200. The driver writes 20 us at 160;
	 * 170 fires at 200: not 180 (restarted with 20 at 160), not 170 (20 us
	 * counted from the interrupt at 150). */
	sim_run_until(h.k, 160 * US);
	irq_eitr_write(h.irq, 0, NIC_EITR(20, 0));
	complete_at(&h, 170);
	sim_run_until(h.k, 201 * US);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.t_ps[2], 200 * US);
	/* The interrupt at 200 loads the new interval: to 220. 205 (after the
	 * unmask at 202) fires at 220. */
	complete_at(&h, 205);
	sim_run_until(h.k, 1000 * US);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.t_ps[3], 220 * US);
	teardown(&h);
}

static void test_irq_interval_zero_is_frames_only_under_both_timings(void **state)
{
	(void)state;
	/* EITR's reset value (interval 0, one frame) fires every completion at
	 * once; interval 0 with a limit of 2 fires on every second one and
	 * never by time, throttle or delay alike. */
	for (int delay = 0; delay < 2; delay++) {
		struct host h;
		struct bus b;
		uint32_t mode = delay ? NIC_EITR_DELAY : 0;
		setup(&h, &b, NIC_EITR(0, 1) | mode, 1 * US);
		/* 10 fires at 10; the DPC unmasks at 11, just before the
		 * completion at 11, which fires at 11; 20 at 20. */
		complete_at(&h, 10);
		complete_at(&h, 11);
		complete_at(&h, 20);
		assert_int_equal(h.n, 3);
		assert_int_equal(h.t_ps[0], 10 * US);
		assert_int_equal(h.t_ps[1], 11 * US);
		assert_int_equal(h.t_ps[2], 20 * US);
		irq_eitr_write(h.irq, 0, NIC_EITR(0, 2) | mode);
		complete_at(&h, 200);
		sim_run_until(h.k, 10000 * US);
		assert_int_equal(h.n, 3);            /* one pending: no time rule fires it */
		complete_at(&h, 20000);
		assert_int_equal(h.n, 4);
		assert_int_equal(h.t_ps[3], 20000 * US);
		teardown(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_throttle_lone_completion_after_a_quiet_spell_fires_at_once),
		cmocka_unit_test(test_irq_throttle_spaces_a_burst_by_the_interval_from_the_last_interrupt),
		cmocka_unit_test(test_irq_throttle_frame_limit_fires_before_the_interval),
		cmocka_unit_test(test_irq_delay_timing_keeps_the_wait_from_the_first_completion),
		cmocka_unit_test(test_irq_throttle_pending_at_unmask_fires_at_once_once_the_interval_ran_out),
		cmocka_unit_test(test_irq_an_eitr_write_does_not_restart_the_count),
		cmocka_unit_test(test_irq_interval_zero_is_frames_only_under_both_timings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
