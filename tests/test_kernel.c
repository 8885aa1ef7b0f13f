/*
 * Kernel: ordering by (time, priority, insertion), cancel, stepping from
 * outside, clock conversions. Expected orders and values are worked by hand
 * in the comments.
 */
#include "testutil.h"

#include "sim/kernel.h"

static char trace_buf[64];
static int trace_n;

static void rec(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	trace_buf[trace_n++] = *(const char *)arg;
	trace_buf[trace_n] = 0;
}

static void test_kernel_orders_by_time_then_priority_then_insertion(void **state)
{
	(void)state;
	struct sim_kernel *k = sim_kernel_new();
	struct sim_event e[6];
	/* a@10 HOST, b@5 HOST, c@10 WIRE, d@10 HOST (after a), e@0 STATS, f@5 WIRE
	 * -> e(0) f(5,WIRE) b(5,HOST) c(10,WIRE) a(10,HOST) d(10,HOST) */
	static const char names[] = "abcdef";
	const uint64_t t[] = { 10, 5, 10, 10, 0, 5 };
	const enum sim_prio p[] = { SIM_PRIO_HOST, SIM_PRIO_HOST, SIM_PRIO_WIRE, SIM_PRIO_HOST, SIM_PRIO_STATS,
				    SIM_PRIO_WIRE };
	trace_n = 0;
	for (int i = 0; i < 6; i++) {
		sim_event_init(&e[i], "t", p[i], rec, (void *)&names[i]);
		sim_schedule_at(k, &e[i], t[i]);
	}
	assert_int_equal(sim_next_time_ps(k), 0);
	assert_int_equal(sim_run(k), 6);
	assert_string_equal(trace_buf, "efbcad");
	assert_int_equal(sim_now_ps(k), 10);
	assert_int_equal(sim_next_time_ps(k), SIM_TIME_NEVER);
	sim_kernel_free(k);
}

static void test_kernel_cancel_and_run_until_step_from_outside(void **state)
{
	(void)state;
	struct sim_kernel *k = sim_kernel_new();
	struct sim_event e[100];
	static const char x = 'x';
	trace_n = 0;
	for (int i = 0; i < 100; i++) {
		sim_event_init(&e[i], "t", SIM_PRIO_HW, rec, (void *)&x);
		sim_schedule_at(k, &e[i], (uint64_t)(99 - i) * 1000);
	}
	for (int i = 0; i < 100; i += 2)
		sim_cancel(k, &e[i]);  /* cancels times 99000, 97000, ..., 1000 */
	assert_false(sim_event_is_pending(&e[0]));
	assert_int_equal(sim_events_pending(k), 50);
	/* Remaining: even thousands 0..98000. Up to 10000 inclusive: 0,2000,...,10000 = 6. */
	assert_int_equal(sim_run_until(k, 10000), 6);
	assert_int_equal(sim_now_ps(k), 10000);
	assert_int_equal(sim_next_time_ps(k), 12000);
	assert_int_equal(sim_run_until(k, 11999), 0);
	assert_int_equal(sim_now_ps(k), 11999);
	assert_int_equal(sim_run(k), 44);
	assert_int_equal(trace_n, 50);
	sim_kernel_free(k);
}

static void test_kernel_clock_converts_with_integers(void **state)
{
	(void)state;
	/* 156.25 MHz: 6400 ps a cycle exactly. 3.4 GHz: 1e12/3.4e9 = 294.1176 ps,
	 * so 1 cycle rounds up to 295 ps and 34 cycles are exactly 10000 ps. */
	struct sim_clock c = sim_clock_hz(156250000);
	assert_int_equal(sim_clock_cycles_to_ps(&c, 1), 6400);
	assert_int_equal(sim_clock_ps_to_cycles(&c, 6399), 0);
	assert_int_equal(sim_clock_ps_to_cycles(&c, 64000), 10);
	struct sim_clock h = sim_clock_hz(3400000000ull);
	assert_int_equal(sim_clock_cycles_to_ps(&h, 1), 295);
	assert_int_equal(sim_clock_cycles_to_ps(&h, 34), 10000);
	/* The multiply-and-correct division (kernel.h) against the plain one, an
	 * independent computation, over a spread of counts and odd clocks. */
	const uint64_t hz[] = { 3400000000ull, 2999999999ull, 1000003ull, 7ull, 999999999999ull };
	for (size_t i = 0; i < sizeof hz / sizeof hz[0]; i++) {
		struct sim_clock k = sim_clock_hz(hz[i]);
		for (uint64_t cy = 0; cy < 18000000ull; cy = cy * 3 + 1) {
			uint64_t want = (cy * SIM_PS_PER_S + hz[i] - 1) / hz[i];
			assert_int_equal(sim_clock_cycles_to_ps(&k, cy), want);
		}
	}
	/* No overflow for a day of cycles at 5 GHz: 4.32e14 cycles -> 8.64e16 ps. */
	struct sim_clock g = sim_clock_hz(5000000000ull);
	assert_int_equal(sim_clock_cycles_to_ps(&g, 432000000000000ull), 86400000000000000ull);
}

/* Time never passes 2^63 - 1 ps. An event asked for beyond it (from
 * SIM_TIME_MAX - 10 ps, 11 ps later: one past the limit) is kept at the limit,
 * the run stops before firing it, and the kernel names it; a conversion of
 * 2^62 cycles at 1 MHz (4.6e30 ps) saturates at the limit instead of
 * wrapping. */
static void test_kernel_time_beyond_2_pow_63_stops_the_run_and_names_the_event(void **state)
{
	(void)state;
	struct sim_kernel *k = sim_kernel_new();
	struct sim_event a, b;
	static const char x = 'x';
	trace_n = 0;
	sim_event_init(&a, "first", SIM_PRIO_HW, rec, (void *)&x);
	sim_event_init(&b, "too.late", SIM_PRIO_HW, rec, (void *)&x);
	sim_schedule_at(k, &a, INT64_MAX - 10);
	assert_int_equal(sim_run(k), 1);
	assert_int_equal(sim_now_ps(k), INT64_MAX - 10);
	assert_null(sim_time_overflow(k, NULL));
	sim_schedule_in(k, &b, 11);
	uint64_t t;
	assert_string_equal(sim_time_overflow(k, &t), "too.late");
	assert_true(t == (uint64_t)INT64_MAX + 1);   /* the time asked for */
	assert_int_equal(sim_run(k), 0);   /* stopped: not fired, time not moved */
	assert_int_equal(sim_now_ps(k), INT64_MAX - 10);
	assert_int_equal(trace_n, 1);
	sim_kernel_free(k);
	struct sim_clock slow = sim_clock_hz(1000000);
	assert_int_equal(sim_clock_cycles_to_ps(&slow, 1ull << 62), INT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_orders_by_time_then_priority_then_insertion),
		cmocka_unit_test(test_kernel_cancel_and_run_until_step_from_outside),
		cmocka_unit_test(test_kernel_clock_converts_with_integers),
		cmocka_unit_test(test_kernel_time_beyond_2_pow_63_stops_the_run_and_names_the_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
