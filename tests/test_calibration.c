/*
 * tests/test_calibration.c — the host cost model against published
 * measurements: the receiver of Cai et al., SIGCOMM'21's single-flow rows
 * (tests/calibration/README.md), each on a synthetic bulk flow at that
 * row's rate and MTU; and the clock scaling worked by hand.
 *
 * A fit check, not a validation: the defaults were derived from these two
 * rows (cost.copy_mcyc_per_byte from all-opts' copy share, cost.rx_tcp_cycles
 * and cost.rx_app_cycles from no-opts, cost.gro_seg_cycles fitted to
 * all-opts; host/cost.c), so the test holds the model, its traces and its
 * configurations to the rows they were fitted on. The tolerances, 15% on
 * cycles a byte and 5 points on the copy share, are the savings issue's
 * (#18). docs/cost-model.md gives the configurations between the rows, which
 * nothing here fits.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cost.h"
#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/savings.h"

struct row {
	const char *name, *ini, *gen;
	double cycles_per_byte, copy_pct;   /* the published row, derived at 3.4 GHz */
};

/* Cai et al., SIGCOMM'21, artifact table: receiver CPU 185.8% at 9.009 Gb/s
 * (no-opts), 100.0% at 42.20 Gb/s (all-opts); copy 7.4% and 54.3% of the
 * receiver's cycles. Cycles a byte = CPU share * 3.4e9 / (Gb/s * 1e9 / 8). */
static const struct row rows[] = {
	{ "no-opts", "cai-no-opts.ini", "--flows 1 --flow-size fixed:30000000 --frame-size 1518 --rate-mbps 9009",
	  1.858 * 3.4e9 / (9.009e9 / 8), 7.4 },
	{ "all-opts", "cai-all-opts.ini", "--flows 1 --flow-size fixed:60000000 --frame-size 9018 --rate-mbps 42200 --ack-every 7",
	  1.000 * 3.4e9 / (42.20e9 / 8), 54.3 },
};

static void test_calibration_receiver_matches_the_published_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *w = &rows[i];
		const char *trace = tu_tmpfile(".pcap");
		char cmd[1024];
		snprintf(cmd, sizeof cmd, "'%s' gen %s -o '%s' 2>&1", tu_nicsim_bin(), w->gen, trace);
		char *out = NULL;
		if (tu_run(cmd, &out) != 0)
			fail_msg("%s: %s", cmd, out ? out : "");
		free(out);
		struct nicsim_cfg cfg;
		config_defaults(&cfg);
		char err[512] = "";
		const char *ini = tu_path(tu_path(tu_src_dir(), "tests/calibration"), w->ini);
		if (config_load(&cfg, ini, err, sizeof err))
			fail_msg("%s", err);
		struct run *r = NULL;
		if (run_trace(&cfg, trace, NULL, &r, err, sizeof err))
			fail_msg("%s", err);
		struct savings_line by[COST_FEATURE_COUNT], all;
		savings_totals(r, by, &all);
		uint64_t bytes = driver_rx_payload_bytes(r->drv);
		assert_int_equal(run_frames_dropped(r), 0);
		assert_int_equal(driver_tx_stats(r->drv)->backlog_drops, 0);
		double cpb = (double)all.spent / (double)bytes;
		double copy = 100.0 * (double)by[COST_F_COPIES].spent / (double)all.spent;
		double gbps_core = 8.0 * 3.4e9 / cpb / 1e9;
		printf("# %s: %.3f cycles/byte (published %.3f, %+.1f%%), copy %.1f%% (published %.1f%%), %.2f Gb/s a core\n",
		       w->name, cpb, w->cycles_per_byte, 100.0 * (cpb / w->cycles_per_byte - 1.0), copy, w->copy_pct, gbps_core);
		assert_true(cpb > w->cycles_per_byte * 0.85 && cpb < w->cycles_per_byte * 1.15);
		assert_true(copy > w->copy_pct - 5.0 && copy < w->copy_pct + 5.0);
		run_free(r);
		unlink(trace);
	}
}

/* At another clock each figure is scaled by (1 - m) + m * f / f_ref, m the
 * memory-bound share: at 1.7 GHz, half of 3.4, receive figures (m = 0.5)
 * by 0.75 and transmit ones (m = 0.2) by 0.9; at the reference clock none. */
static void test_calibration_clock_scaling_follows_the_memory_bound_share(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	/* the figures worked below, pinned */
	cfg.cost.rx_pkt_cycles = 850;
	cfg.cost.irq_cycles = 5000;
	cfg.cost.copy_mcyc_per_byte = 350;
	cfg.cost.rx_tcp_cycles = 1900;
	cfg.cost.tx_wire_cycles = 4200;
	cfg.cost.ack_tx_cycles = 1500;
	cfg.cost.rx_mem_pct = 50;
	cfg.cost.tx_mem_pct = 20;
	cfg.cost.ref_clock_mhz = 3400;
	struct cost_cfg c = cost_at_clock(&cfg.cost, 1700);
	assert_int_equal(c.rx_pkt_cycles, 638);          /* 850 * 0.75 = 637.5, rounded */
	assert_int_equal(c.irq_cycles, 3750);            /* 5000 * 0.75 */
	assert_int_equal(c.copy_mcyc_per_byte, 263);     /* 350 * 0.75 = 262.5 */
	assert_int_equal(c.tx_wire_cycles, 3780);        /* 4200 * 0.9 */
	assert_int_equal(c.ack_tx_cycles, 1350);         /* 1500 * 0.9 */
	c = cost_at_clock(&cfg.cost, 6800);              /* twice: receive 1.5, transmit 1.2 */
	assert_int_equal(c.rx_tcp_cycles, 2850);         /* 1900 * 1.5 */
	assert_int_equal(c.tx_wire_cycles, 5040);         /* 4200 * 1.2 */
	c = cost_at_clock(&cfg.cost, 3400);
	assert_memory_equal(&c, &cfg.cost, sizeof c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calibration_clock_scaling_follows_the_memory_bound_share),
		cmocka_unit_test(test_calibration_receiver_matches_the_published_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
