/*
 * tests/test_netdma.c — NetDMA (host/netdma.h, docs/cost-model.md): which
 * copies go to the engine, the SNP rule against Chimney, and the engine's
 * saturation as the application's wait. Counts to compare with come from
 * the capture through libpcap; times from the engine's figures worked here.
 */
#include "testutil.h"

#include <pcap/pcap.h>
#include <string.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/savings.h"

#define BULK4 "bulk-ipv4.pcap"
static const uint8_t host4[4] = { 10, 77, 0, 1 };   /* bulk-ipv4's receiver (the report's host_identity) */

static struct run *run_sets(const char *const *sets)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512] = "";
	for (; *sets; sets++)
		if (config_set(&cfg, *sets, err, sizeof err))
			fail_msg("%s: %s", *sets, err);
	struct run *r = NULL;
	if (run_trace(&cfg, tu_path(tu_ref_dir(), BULK4), NULL, &r, err, sizeof err))
		fail_msg("%s", err);
	return r;
}

/* TCP segments to the host with payload, by whether the payload reaches
 * min_bytes (libpcap's reading of the capture). */
static void count_segments(uint32_t min_bytes, uint64_t *at_least, uint64_t *below)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(tu_path(tu_ref_dir(), BULK4), eb);
	assert_non_null(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	*at_least = *below = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen < 54 || d[12] != 0x08 || d[13] != 0x00 || d[14 + 9] != 6 || memcmp(d + 14 + 16, host4, 4))
			continue;
		uint32_t ihl = (uint32_t)(d[14] & 15) * 4, tot = (uint32_t)d[16] << 8 | d[17];
		uint32_t doff = (uint32_t)(d[14 + ihl + 12] >> 4) * 4;
		uint32_t pay = tot - ihl - doff;
		if (!pay)
			continue;
		if (pay >= min_bytes)
			(*at_least)++;
		else
			(*below)++;
	}
	pcap_close(p);
}

/* Without GRO each segment is one receive copy: under the default
 * copy-break (4096) bulk-ipv4's segments (at most 1448 bytes) all stay on
 * the CPU; with a copy-break of 1000 those of 1000 bytes or more go to the
 * engine and the rest stay. */
static void test_netdma_copies_below_the_copybreak_stay_on_the_cpu(void **state)
{
	(void)state;
	uint64_t big, small, all_big, none;
	count_segments(1000, &big, &small);
	count_segments(4096, &none, &all_big);
	assert_true(big > 1000 && small > 0 && none == 0);
	struct run *r = run_sets((const char *[]){ "netdma.enable=true", NULL });
	const struct netdma_stats *s = driver_netdma_stats(r->drv);
	assert_non_null(s);
	assert_int_equal(run_frames_dropped(r), 0);
	assert_int_equal(s->dma_copies, 0);
	assert_int_equal(s->cpu_copies, all_big);
	run_free(r);
	r = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", NULL });
	s = driver_netdma_stats(r->drv);
	assert_int_equal(run_frames_dropped(r), 0);
	assert_int_equal(s->dma_copies, big);
	assert_int_equal(s->cpu_copies, small);
	assert_true(s->batches > 0 && s->batches <= s->dma_copies);
	assert_int_equal(s->waits, s->batches);
	/* Below the default copy-break the engine does not pay: a copy costs the
	 * core cost.dma_cycles, 1500, where copying 1448 bytes itself costs
	 * 1448 * 0.35 * 1.6 (x_remote) = 811. So the copies line costs more than
	 * the software path's, by at least the submits less the copies saved. */
	struct savings_line by[COST_FEATURE_COUNT], all;
	savings_totals(r, by, &all);
	assert_true(by[COST_F_COPIES].spent >= by[COST_F_COPIES].base + s->dma_copies * (1500 - 811));
	run_free(r);
}

/* The SNP rule (specs §2.6): with NetDMA and the TOE both enabled, NetDMA
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
	struct run *fast = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", "host.gro=true", NULL });
	struct run *slow = run_sets((const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1000", "host.gro=true",
						       "netdma.channel_mbps=50", NULL });
	const struct netdma_stats *f = driver_netdma_stats(fast->drv), *s = driver_netdma_stats(slow->drv);
	assert_true(f->dma_bytes > 1000000);
	uint64_t min_f = f->dma_bytes * 8000000 / 16000 + f->batches * 1000 * 1000;
	uint64_t min_s = s->dma_bytes * 8000000 / 50 + s->batches * 1000 * 1000;
	assert_true(f->wait_ps >= min_f);
	assert_true(s->wait_ps >= min_s);
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
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[256];
	for (const char *const *a = (const char *[]){ "netdma.enable=true", "netdma.copybreak_bytes=1", "netdma.channels=1",
						      "netdma.channel_mbps=200", NULL };
	     *a; a++)
		assert_int_equal(config_set(&cfg, *a, err, sizeof err), 0);
	struct run *r = NULL;
	assert_int_equal(run_trace(&cfg, tu_path(tu_src_dir(), "traces/many-flows-ipv4.pcap.gz"), NULL, &r, err, sizeof err), 0);
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
