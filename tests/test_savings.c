/*
 * tests/test_savings.c — the offload savings (docs/cost-model.md): an
 * offloaded run's baseline_cycles against a run of the software path
 * itself (nicsim run --baseline), on every shipped capture; and the
 * baseline's lines against counts taken from the capture with libpcap and
 * the cost model's published figures, worked here.
 *
 * Why the two cannot always agree exactly (the 1% allowance): a per-byte
 * charge is rounded up per unit (a frame on the software path, a GRO
 * aggregate or an application run offloaded): at most a cycle a frame; an
 * LSO send's segments are cut at the NIC's MSS where the capture's sender
 * may have cut otherwise (the checksum bytes of a header more or less); the
 * TOE drops frames that arrive during an upload, which the software path
 * receives; sends still in flight when the trace ends are cleaned by
 * neither. Measured: within 0.003% on every capture under every
 * configuration below; the allowance, 1%, is the one the savings issue
 * (#18) sets.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/savings.h"

static struct run *must_run(const struct nicsim_cfg *cfg, const char *path)
{
	struct run *r = NULL;
	char err[512] = "";
	int rc = run_trace(cfg, path, NULL, &r, err, sizeof err);
	if (rc)
		fail_msg("%s: %s", path, err);
	return r;
}

static void cfg_with(struct nicsim_cfg *cfg, const char *const *sets)
{
	config_defaults(cfg);
	for (; sets && *sets; sets++) {
		char err[256];
		if (config_set(cfg, *sets, err, sizeof err))
			fail_msg("%s: %s", *sets, err);
	}
}

/* The configurations the agreement is held in: the defaults (receive and
 * transmit checksum offload, LSO, moderation), the TOE on, and GRO with
 * NetDMA under adaptive moderation. */
static const char *const cfg_default[] = { NULL };
static const char *const cfg_toe[] = { "toe.enable=true", NULL };
static const char *const cfg_gro_netdma[] = { "host.gro=true", "netdma.enable=true", "irq.mode=adaptive", NULL };
static const char *const *const configs[] = { cfg_default, cfg_toe, cfg_gro_netdma };
static const char *const config_names[] = { "defaults", "toe.enable", "host.gro+netdma.enable" };

struct agree_ctx {
	size_t captures;
	double worst_pct;
	char worst[600];
};

static void agree_one(const char *path, void *arg)
{
	struct agree_ctx *a = arg;
	a->captures++;
	for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
		struct nicsim_cfg cfg;
		cfg_with(&cfg, configs[c]);
		struct run *off = must_run(&cfg, path);
		struct savings_line by[COST_FEATURE_COUNT], all_off, all_base;
		savings_totals(off, by, &all_off);
		config_baseline(&cfg);
		struct run *base = must_run(&cfg, path);
		savings_totals(base, by, &all_base);
		/* An internal invariant: on the software path, what a run spent is
		 * what it would have spent. */
		assert_int_equal(all_base.spent, all_base.base);
		uint64_t want = all_base.spent, got = all_off.base;
		double pct = want ? 100.0 * ((double)got - (double)want) / (double)want : 0.0;
		if (!want)
			assert_int_equal(got, 0);
		if (pct < 0)
			pct = -pct;
		if (pct > a->worst_pct) {
			a->worst_pct = pct;
			snprintf(a->worst, sizeof a->worst, "%s under %s: baseline_cycles %" PRIu64 ", --baseline's host_cycles %" PRIu64,
				 path, config_names[c], got, want);
		}
		if (pct > 1.0)
			fail_msg("%s under %s: baseline_cycles %" PRIu64 " but the software path's run spent %" PRIu64 " (%.3f%%)",
				 path, config_names[c], got, want, pct);
		run_free(off);
		run_free(base);
	}
}

static void test_savings_baseline_run_agrees_with_every_offloaded_runs_baseline_cycles(void **state)
{
	(void)state;
	struct agree_ctx a = { 0 };
	size_t n = tu_walk_files(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, agree_one, &a);
	assert_true(n >= 30);   /* the shipped captures: traces/ and traces/ref/ */
	printf("# %zu captures x %zu configurations; worst %.4f%%: %s\n", a.captures,
	       sizeof configs / sizeof configs[0], a.worst_pct, a.worst);
}

/* ---- the baseline's lines from the capture ---- */

/* What libpcap shows of a capture, for one IPv6 host address: frames to
 * it and from it, the L4 payload of the TCP ones to it, and
 * the receive checksum's cycles over that payload, each frame's rounded up
 * to whole cycles at csum_mcyc (bulk-ipv6 carries nothing else). */
struct pcap_counts {
	const uint8_t *host6;
	uint32_t csum_mcyc;
	uint64_t rx_frames, tx_frames, rx_csum_cycles, rx_payload;
};

static void count_one(const struct tu_l4 *l, void *arg)
{
	struct pcap_counts *c = arg;
	if (!l->is_ipv6)
		return;
	bool is_rx = !memcmp(l->dst, c->host6, 16), is_tx = !memcmp(l->src, c->host6, 16);
	c->rx_frames += is_rx;
	c->tx_frames += is_tx;
	if (is_rx && l->proto == 6) {
		c->rx_payload += l->payload_len;
		c->rx_csum_cycles += ((uint64_t)l->payload_len * c->csum_mcyc + 999) / 1000;
	}
}

static void count_capture(const char *path, const uint8_t host6[16], uint32_t csum_mcyc, struct pcap_counts *c)
{
	*c = (struct pcap_counts){ .host6 = host6, .csum_mcyc = csum_mcyc };
	tu_pcap_l4_walk(path, count_one, c);
}

/* bulk-ipv6 (host fd77::1) under the defaults: the NIC checks every
 * checksum, so the host spends nothing on them, and the software path
 * would have summed every payload byte at cost.csum_mcyc_per_byte (0.25
 * cycles a byte, rounded up per frame); it takes an interrupt and a DPC run
 * (5000 + 1000 cycles) for every frame received and every send completed:
 * with LSO each of the capture's host frames is a send of its own on that
 * path. The counts are libpcap's. */
static void test_savings_lines_match_the_capture_worked_by_hand(void **state)
{
	(void)state;
	const char *path = tu_path(tu_path(tu_src_dir(), "traces"), "bulk-ipv6.pcap");
	static const uint8_t host6[16] = { 0xfd, 0x77, [15] = 1 };
	struct pcap_counts pc;
	count_capture(path, host6, 250, &pc);
	assert_true(pc.rx_frames > 1000 && pc.tx_frames > 100);
	struct nicsim_cfg cfg;
	cfg_with(&cfg, cfg_default);
	struct run *r = must_run(&cfg, path);
	struct savings_line by[COST_FEATURE_COUNT], all;
	savings_totals(r, by, &all);
	assert_int_equal(by[COST_F_RX_CSUM].spent, 0);
	assert_int_equal(by[COST_F_RX_CSUM].base, pc.rx_csum_cycles);
	assert_int_equal(by[COST_F_INTERRUPTS].base, (pc.rx_frames + pc.tx_frames) * (5000 + 1000));
	assert_int_equal(driver_rx_payload_bytes(r->drv), pc.rx_payload);
	/* Internal invariants: the lines add up to the totals, the totals to
	 * the cores', the JSON and the text say the same. */
	uint64_t spent = 0, base = 0, cores = 0;
	for (int f = 0; f < COST_FEATURE_COUNT; f++) {
		spent += by[f].spent;
		base += by[f].base;
	}
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++)
		cores += host_cpu_busy_cycles(driver_cpu_stats(r->drv, c));
	assert_int_equal(spent, all.spent);
	assert_int_equal(base, all.base);
	assert_int_equal(cores, all.spent);
	/* The JSON says the same, and the text report prints each line. */
	json_t *j = report_json(r);
	json_t *s = json_object_get(j, "savings");
	assert_int_equal(json_integer_value(json_object_get(j, "host_cycles")), all.spent);
	assert_int_equal(json_integer_value(json_object_get(j, "baseline_cycles")), all.base);
	json_t *rx = json_object_get(json_object_get(s, "features"), "rx_checksum");
	assert_int_equal(json_integer_value(json_object_get(rx, "saved_cycles")), pc.rx_csum_cycles);
	assert_int_equal(json_integer_value(json_object_get(rx, "saved_ppm")), 1000000);
	json_decref(j);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text(r, f);
	fclose(f);
	for (int i = 0; i < COST_FEATURE_COUNT; i++)
		assert_non_null(strstr(buf, cost_feature_name((enum cost_feature)i)));
	assert_non_null(strstr(buf, "Hz/(b/s)"));
	free(buf);
	run_free(r);
}

/* The software path run and an offloaded one differ where the offloads do:
 * with the TOE on bulk-ipv4 the engine takes nearly all of the connection's
 * frames, so the host's protocol, ACK and interrupt lines fall and its
 * savings are positive, while the baseline is the same work. */
static void test_savings_toe_saves_protocol_acks_and_interrupts(void **state)
{
	(void)state;
	const char *path = tu_path(tu_ref_dir(), "bulk-ipv4.pcap");
	struct nicsim_cfg cfg;
	cfg_with(&cfg, cfg_toe);
	struct run *toe = must_run(&cfg, path);
	cfg_with(&cfg, cfg_default);
	struct run *plain = must_run(&cfg, path);
	struct savings_line bt[COST_FEATURE_COUNT], bp[COST_FEATURE_COUNT], at, ap;
	savings_totals(toe, bt, &at);
	savings_totals(plain, bp, &ap);
	/* The engine took 2630 of the capture's 2741 frames to the host (96%;
	 * test_toe_run counts them): what the host spends falls to well under a
	 * fifth. */
	assert_true(at.spent * 5 < ap.spent);
	assert_true(bt[COST_F_PROTOCOL].spent < bp[COST_F_PROTOCOL].spent);
	assert_true(bt[COST_F_ACKS].spent < bp[COST_F_ACKS].spent);
	assert_true(bt[COST_F_INTERRUPTS].spent < bp[COST_F_INTERRUPTS].spent);
	/* The same work on the software path, within the rounding of per-byte
	 * charges: at most a cycle a frame for each of the three (checksum,
	 * copy, the copy's locality), 3 x 2741 cycles, against some 40 M: under
	 * a thousandth. */
	uint64_t d = at.base > ap.base ? at.base - ap.base : ap.base - at.base;
	assert_true(d * 1000 < ap.base);
	run_free(toe);
	run_free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_savings_lines_match_the_capture_worked_by_hand),
		cmocka_unit_test(test_savings_toe_saves_protocol_acks_and_interrupts),
		cmocka_unit_test(test_savings_baseline_run_agrees_with_every_offloaded_runs_baseline_cycles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
