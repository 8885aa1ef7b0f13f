/*
 * tests/test_netdma.c — NetDMA (host/netdma.h, docs/cost-model.md): which
 * copies go to the engine, the SNP rule against Chimney, and the engine's
 * saturation as the application's wait. Counts to compare with come from
 * the capture through libpcap; times from the engine's figures worked here.
 */
#include "testutil.h"

#include <string.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/savings.h"

#define BULK4 "bulk-ipv4.pcap"
static const uint8_t host4[4] = { 10, 77, 0, 1 };   /* bulk-ipv4's receiver (the report's host_identity) */

static struct run *run_sets(const char *const *sets)
{
	return tu_run_sets(tu_path(tu_ref_dir(), BULK4), sets);
}

/* TCP segments to the host with payload (libpcap's reading of the
 * capture): how many reach min_bytes and how many do not, and the software
 * path's copy of them all worked here: each ceil(payload * 0.35) cycles
 * (cost.copy_mcyc_per_byte 350), times x_remote 1.6 rounded to the nearest
 * (the application on another core, host.app_cpu=other). */
struct seg_count {
	uint32_t min_bytes;
	uint64_t at_least, below, copy_base;
};
static void count_one(const struct tu_l4 *l, void *arg)
{
	struct seg_count *c = arg;
	if (l->is_ipv6 || l->proto != 6 || memcmp(l->dst, host4, 4) || !l->payload_len)
		return;
	if (l->payload_len >= c->min_bytes)
		c->at_least++;
	else
		c->below++;
	c->copy_base += (((uint64_t)l->payload_len * 350 + 999) / 1000 * 1600 + 500) / 1000;
}
static struct seg_count count_segments(uint32_t min_bytes)
{
	struct seg_count c = { .min_bytes = min_bytes };
	tu_pcap_l4_walk(tu_path(tu_ref_dir(), BULK4), count_one, &c);
	return c;
}

/* The settings the figures below are worked from, pinned (their defaults'
 * sources: docs/cost-model.md). */
#define PINNED "netdma.channel_mbps=16000", "netdma.latency_ns=1000", "cost.dma_cycles=1500", \
	"cost.copy_mcyc_per_byte=350", "cost.x_remote_permille=1600", "netdma.completion=poll"

/* Without GRO each segment is one receive copy: under the default
 * copy-break (4096) bulk-ipv4's segments (at most 1448 bytes) all stay on
 * the CPU; with a copy-break of 1000 those of 1000 bytes or more go to the
 * engine and the rest stay. */
static void test_netdma_copies_below_the_copybreak_stay_on_the_cpu(void **state)
{
	(void)state;
	struct seg_count c1000 = count_segments(1000), c4096 = count_segments(4096);
	assert_true(c1000.at_least > 1000 && c1000.below > 0 && c4096.at_least == 0);
	struct run *r = run_sets((const char *[]){ "netdma.enable=true", PINNED, NULL });
	const struct netdma_stats *s = driver_netdma_stats(r->drv);
	assert_non_null(s);
	assert_int_equal(run_frames_dropped(r), 0);
	assert_int_equal(s->dma_copies, 0);
	assert_int_equal(s->cpu_copies, c4096.below);
	run_free(r);
	r = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", PINNED, NULL });
	s = driver_netdma_stats(r->drv);
	assert_int_equal(run_frames_dropped(r), 0);
	assert_int_equal(s->dma_copies, c1000.at_least);
	assert_int_equal(s->cpu_copies, c1000.below);
	/* The application submits its run's copies together and, polling,
	 * waits for each batch before its next run. */
	assert_true(s->batches > 0 && s->batches <= s->dma_copies);
	assert_int_equal(s->waits, s->batches);
	/* The software path would have copied every segment on a core. */
	uint64_t copy_base = 0;
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++)
		copy_base += driver_cpu_stats(r->drv, c)->base[COST_T_COPY_RX];
	assert_int_equal(copy_base, c1000.copy_base);
	/* Below the default copy-break the engine does not pay: a copy costs the
	 * core cost.dma_cycles, 1500, where copying 1448 bytes itself costs
	 * 1448 * 0.35 * 1.6 (x_remote) = 811. So the copies line costs more than
	 * the software path's, by at least the submits less the copies saved. */
	struct savings_line by[COST_FEATURE_COUNT], all;
	savings_totals(r, by, &all);
	assert_true(by[COST_F_COPIES].spent >= by[COST_F_COPIES].base + s->dma_copies * (1500 - 811));
	run_free(r);
}

/* The SNP rule (docs/cost-model.md, NetDMA): with NetDMA and the TOE both enabled, NetDMA
 * is used and Chimney is not, unless netdma.with_chimney. */
static void test_netdma_and_toe_together_leave_chimney_off_unless_overridden(void **state)
{
	(void)state;
	struct run *r = run_sets((const char *[]){ "netdma.enable=true", "toe.enable=true", NULL });
	assert_false(r->is_toe);
	assert_true(r->is_toe_yielded);
	assert_null(chimney_stats(r->drv));
	json_t *j = report_json(r);
	assert_null(json_object_get(j, "toe"));
	assert_true(json_is_true(json_object_get(json_object_get(j, "netdma"), "chimney_yielded")));
	json_decref(j);
	run_free(r);
	r = run_sets((const char *[]){ "netdma.enable=true", "toe.enable=true", "netdma.with_chimney=true", NULL });
	assert_true(r->is_toe);
	assert_non_null(chimney_stats(r->drv));
	assert_true(chimney_stats(r->drv)->offloads_done >= 1);
	run_free(r);
	r = run_sets((const char *[]){ "toe.enable=true", NULL });   /* alone, the TOE is used */
	assert_true(r->is_toe && !r->is_toe_yielded);
	run_free(r);
}

/* A saturated engine: at 50 Mb/s a channel the application waits; each
 * wait lasts at least its batch's bytes at the channel's rate plus the
 * batch's latency, so the waits add up to at least dma_bytes * 8 / rate +
 * batches * latency. With many flows' applications on one channel, batches
 * also wait behind each other's. */
static void test_netdma_saturation_shows_as_application_wait(void **state)
{
	(void)state;
	struct run *fast = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", "host.gro=true",
						       PINNED, NULL });
	struct run *slow = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", "host.gro=true",
						       PINNED, "netdma.channel_mbps=50", NULL });
	const struct netdma_stats *f = driver_netdma_stats(fast->drv), *s = driver_netdma_stats(slow->drv);
	assert_true(f->dma_bytes > 1000000);
	/* ps: bytes * 8 bits at the channel's Mb/s, plus 1 us (1000 * 1000 ps) a batch */
	uint64_t min_f = f->dma_bytes * 8000000 / 16000 + f->batches * 1000 * 1000;
	uint64_t min_s = s->dma_bytes * 8000000 / 50 + s->batches * 1000 * 1000;
	assert_true(f->wait_ps >= min_f);
	assert_true(s->wait_ps >= min_s);
	/* the transfers take 16000 / 50 = 320 times longer; the latency is
	 * the same (and the slow run's batches fewer): well over 100 times */
	assert_true(s->wait_ps > 100 * f->wait_ps);
	/* one application alone never waits behind itself */
	assert_int_equal(s->queued_ps, 0);
	/* and the stall the cores could not fill grew the copies line */
	struct savings_line bf[COST_FEATURE_COUNT], bs[COST_FEATURE_COUNT], af, as;
	savings_totals(fast, bf, &af);
	savings_totals(slow, bs, &as);
	assert_true(bs[COST_F_COPIES].spent > bf[COST_F_COPIES].spent);
	run_free(fast);
	run_free(slow);
	/* many-flows-ipv4: eight queues' applications share one 200 Mb/s channel */
	struct run *r = tu_run_sets(tu_path(tu_src_dir(), "traces/many-flows-ipv4.pcap.gz"),
				    (const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1", PINNED,
						      "netdma.channels=1", "netdma.channel_mbps=200", NULL });
	s = driver_netdma_stats(r->drv);
	assert_true(s->queued_ps > 0);
	assert_true(s->wait_ps >= s->dma_bytes * 8000000 / 200 && s->wait_ps > s->queued_ps);
	run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netdma_copies_below_the_copybreak_stay_on_the_cpu),
		cmocka_unit_test(test_netdma_and_toe_together_leave_chimney_off_unless_overridden),
		cmocka_unit_test(test_netdma_saturation_shows_as_application_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
