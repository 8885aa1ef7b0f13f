/*
 * Whole runs through the library: conservation (every frame delivered or
 * dropped, nothing left in flight), RSS keeps each flow on one queue on every
 * reference capture, and legacy vs RSS on a load that saturates one CPU.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/nic_regs.h"
#include "sim/nicsim/run.h"

static struct run *must_run(struct nicsim_cfg *cfg, const char *path, bool flows)
{
	struct run_opts o = { .want_flows = flows };
	struct run *r;
	char err[1024];
	int rc = run_trace(cfg, path, &o, &r, err, sizeof err);
	if (rc)
		fail_msg("%s: %s", path, err);
	return r;
}

static void test_run_every_frame_is_delivered_or_dropped_and_nothing_stays_in_flight(void **state)
{
	(void)state;
	/* The five recordings, and two captures with received super-frames the
	 * replay cuts (a record then puts several frames on the wire). */
	static const char *t[] = { "many-flows-ipv4.pcap.gz", "bulk-ipv6.pcap", "vlan-flows.pcapng",
				   "udp-and-reverse.pcap", "pcpp-sll.pcap", "ref/real/suri-sll2-gro.pcap",
				   "ref/edge/mptcp-v1.pcap" };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct nicsim_cfg cfg;
		config_defaults(&cfg);
		struct run *r = must_run(&cfg, tu_path(tu_path(tu_src_dir(), "traces"), t[i]), false);
		const struct replay_stats *rs = replay_stats(r->rep);
		/* Every frame the replay put on the wire (the replay's count, not the
		 * NIC's or the driver's) is delivered or dropped; and every record
		 * is sent, received or foreign. */
		assert_int_equal(run_frames_delivered(r) + run_frames_dropped(r), rs->rx_frames);
		assert_int_equal(rs->rx_frames - rs->reseg_frames + rs->reseg_superframes + rs->tx_frames + rs->foreign_frames,
				 rs->records);
		assert_int_equal(pkt_pool_in_use(r->pool), 0);
		assert_int_equal(nic_in_flight(r->nic), 0);
		assert_int_equal(driver_in_flight(r->drv), 0);
		assert_int_equal(nic_tx_in_flight(r->nic), 0);
		assert_int_equal(driver_tx_in_flight(r->drv), 0);
		assert_int_equal(txstack_records_in_use(r->txs), 0);
		assert_int_equal(driver_bad_dma(r->drv), 0);
		assert_int_equal(nic_stats(r->nic)->unknown_reg_reads + nic_stats(r->nic)->unknown_reg_writes, 0);
		/* The stages cut each frame's end-to-end latency without a gap or
		 * an overlap: on every queue their exact sums add up to the
		 * end-to-end sum, and each stage counted every frame. */
		for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
			const struct hist *e2e = driver_queue_lat(r->drv, q, LAT_E2E);
			uint64_t stages = 0;
			for (int st = 0; st < LAT_E2E; st++) {
				const struct hist *h = driver_queue_lat(r->drv, q, (enum lat_stage)st);
				stages += hist_sum(h);
				assert_int_equal(hist_count(h), hist_count(e2e));
			}
			assert_int_equal(stages, hist_sum(e2e));
			assert_int_equal(hist_count(e2e), driver_queue_stats(r->drv, q)->packets);
		}
		/* The same for a send's stages in the host and in the NIC. */
		uint64_t hs = 0, ns = 0;
		for (int st = 0; st < HTX_TOTAL; st++)
			hs += hist_sum(driver_tx_lat(r->drv, (enum host_tx_lat)st));
		assert_int_equal(hs, hist_sum(driver_tx_lat(r->drv, HTX_TOTAL)));
		for (int st = 0; st < NIC_TXLAT_TOTAL; st++)
			ns += hist_sum(nic_tx_lat(r->nic, (enum nic_tx_lat)st));
		assert_int_equal(ns, hist_sum(nic_tx_lat(r->nic, NIC_TXLAT_TOTAL)));
		assert_int_equal(hist_count(driver_tx_lat(r->drv, HTX_TOTAL)), driver_tx_stats(r->drv)->sends);
		run_free(r);
	}
}

static void check_one_queue_per_flow(const char *path)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	struct run *r = must_run(&cfg, path, true);
	struct flow_entry **f = flows_sorted(r->flows);
	for (uint64_t i = 0; i < flows_count(r->flows); i++) {
		if (f[i]->queue_changed) {
			char k[160];
			flows_format_key(&f[i]->key, k, sizeof k);
			fail_msg("%s: flow %s landed on more than one queue", path, k);
		}
		assert_int_equal(f[i]->reordered, 0);
	}
	assert_int_equal(r->reordered, 0);
	run_free(r);
}

static void check_capture(const char *path, void *ctx)
{
	(void)ctx;
	check_one_queue_per_flow(path);
}

/* The NIC's shortcut for a frame that meets an idle NIC (nic_set_fast_path)
 * must change no number but the count of events: the reports of every
 * shipped capture with it on and off are compared whole, run.events (and
 * the process's peak memory) apart,
 * at capture timing, at line rate, and with a FIFO and a ring small enough
 * to drop. */
static void test_run_nic_fast_path_changes_no_report_but_the_event_count(void **state)
{
	(void)state;
	static const char *t[] = { "many-flows-ipv4.pcap.gz", "bulk-ipv6.pcap", "vlan-flows.pcapng",
				   "udp-and-reverse.pcap", "pcpp-sll.pcap" };
	static const char *const settings[][4] = {
		{ NULL },
		{ "replay.timing=linerate", NULL },
		{ "replay.timing=linerate", "mac.rx_fifo_bytes=16384", NULL },
		{ "replay.timing=linerate", "host.ring_entries=16", NULL },
		{ "pcie.gen=1", "pcie.lanes=1", "pcie.read_tags=1", NULL },
		{ "host.rx_drop_en=off", "host.ring_entries=16", NULL },
		{ "irq.timing=delay", "nic.clock_mhz=50", NULL },
	};
	size_t shortcuts = 0;   /* runs in which the fast path saved events */
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (size_t k = 0; k < sizeof settings / sizeof settings[0]; k++) {
			char *doc[2];
			uint64_t events[2];
			for (int slow = 0; slow < 2; slow++) {
				struct nicsim_cfg cfg;
				config_defaults(&cfg);
				for (const char *const *s = settings[k]; *s; s++)
					assert_int_equal(config_set(&cfg, *s, NULL, 0), 0);
				struct run_opts o = { .is_nic_fast_path_off = slow };
				struct run *r;
				char err[1024];
				const char *path = tu_path(tu_path(tu_src_dir(), "traces"), t[i]);
				if (run_trace(&cfg, path, &o, &r, err, sizeof err))
					fail_msg("%s: %s", path, err);
				json_t *j = report_json(r);
				json_t *run = json_object_get(j, "run");
				events[slow] = (uint64_t)json_integer_value(json_object_get(run, "events"));
				json_object_del(run, "events");
				json_object_del(run, "peak_rss_bytes");   /* the process's, not the run's */
				doc[slow] = json_dumps(j, JSON_INDENT(1));
				json_decref(j);
				run_free(r);
			}
			if (strcmp(doc[0], doc[1]))
				fail_msg("%s, settings %zu: the fast path changed the report", t[i], k);
			assert_true(events[0] <= events[1]);
			shortcuts += events[0] < events[1];
			free(doc[0]);
			free(doc[1]);
		}
	}
	assert_true(shortcuts >= 5);   /* at least the capture-timed runs take it */
}

static void test_run_rss_keeps_each_flow_on_one_queue_on_every_reference_capture(void **state)
{
	(void)state;
	assert_true(tu_walk_files(tu_ref_dir(), tu_capture_suffixes, check_capture, NULL) >= 28);
}

static uint64_t max_util_ppm(const struct run *r)
{
	uint64_t best = 0;
	uint64_t span = r->sim_end_ps * r->cfg.host.clock_mhz / 1000000u;
	for (uint32_t c = 0; c < driver_cpus(r->drv); c++) {
		const struct host_cpu_stats *s = driver_cpu_stats(r->drv, c);
		uint64_t busy = 0;
		for (int i = 0; i < CPU_CAT_COUNT; i++)
			busy += s->cycles[i];
		if (busy * 1000000u / span > best)
			best = busy * 1000000u / span;
	}
	return best;
}

/* A run of one of the shipped traces with the given settings, applied in
 * order (the list ends at NULL). */
static struct run *run_with(const char *trace, const char *const *sets)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	for (; *sets; sets++)
		assert_int_equal(config_set(&cfg, *sets, NULL, 0), 0);
	return must_run(&cfg, tu_path(tu_path(tu_src_dir(), "traces"), trace), false);
}

#define MANY_FLOWS "many-flows-ipv4.pcap.gz"
/* bulk-ipv6's timestamps never go backwards: test_reader holds the reader to libpcap. */
#define BULK "bulk-ipv6.pcap"

/* Buffers smaller than the frames: each frame spans ceil(len / 256)
 * descriptors (a 1514-byte one six), and the host still gets every frame
 * whole: per flow, the packets and bytes the driver delivered are the
 * capture's as tshark counted them (traces/ref/bulk-ipv6.flows.csv, the
 * rows to the host fd77::1). */
static void test_run_frames_longer_than_a_buffer_span_several_and_arrive_whole(void **state)
{
	(void)state;
	FILE *csv = fopen(tu_path(tu_ref_dir(), "bulk-ipv6.flows.csv"), "r");
	assert_non_null(csv);
	char line[512];
	uint64_t want_pkts = 0, want_bytes = 0;
	while (fgets(line, sizeof line, csv)) {
		char proto[8], src[64], dst[64];
		unsigned sport, dport;
		unsigned long long pk, by;
		if (sscanf(line, "%7[^,],%63[^,],%u,%63[^,],%u,%llu,%llu", proto, src, &sport, dst, &dport, &pk, &by) == 7 &&
		    !strcmp(dst, "fd77::1")) {
			want_pkts += pk;
			want_bytes += by;
		}
	}
	fclose(csv);
	assert_true(want_pkts > 2000);
	static const char *const sets[] = { "host.buf_bytes=256", NULL };
	struct run *r = run_with(BULK, sets);
	uint64_t pkts = 0, bytes = 0;
	for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
		pkts += driver_queue_stats(r->drv, q)->packets;
		bytes += driver_queue_stats(r->drv, q)->bytes;
	}
	assert_int_equal(pkts, want_pkts);
	assert_int_equal(bytes, want_bytes);
	assert_int_equal(nic_stats(r->nic)->rx_too_many_buffers, 0);
	assert_int_equal(run_frames_in_flight(r), 0);
	run_free(r);
}

static void test_run_legacy_saturates_one_cpu_where_eight_rss_queues_do_not(void **state)
{
	(void)state;
	/* Independent arithmetic: at 10 Gb/s a 1514-byte frame arrives every
	 * (1514+4+20)*8/10 ns = 1.23 us. With all of TCP's receive work in the
	 * DPC (cost.rx_tcp_cycles=3800, cost.rx_app_cycles=0) and the
	 * application on the DPC's core (host.app_cpu=same), one core pays per
	 * TCP frame 850 (driver) + 3800 (TCP) in the DPC = 1.37 us at 3.4 GHz,
	 * and the copy, 1448*0.35 ~= 507 cycles, after: one core cannot keep up (legacy mode), eight share it
	 * easily. The one queue's backlog grows by 0.29 us a frame. With
	 * DROP_EN set, the 512-descriptor ring runs dry after about 2700 frames
	 * and the NIC drops (no_descriptor); with one queue DROP_EN is clear by
	 * default (ixgbe) and the 512 KB packet buffer holds 340 more such frames
	 * besides: this capture's 3126 do not overflow it, they only wait. */
	struct run *legacy = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "host.mode=legacy",
								   "host.rx_drop_en=on", "host.app_cpu=same",
								   "cost.rx_tcp_cycles=3800", "cost.rx_app_cycles=0", NULL });
	struct run *waits = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "host.mode=legacy",
								  "host.app_cpu=same", "cost.rx_tcp_cycles=3800",
								  "cost.rx_app_cycles=0", NULL });
	struct run *rss = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rss.queues=8",
								"host.app_cpu=same", "cost.rx_tcp_cycles=3800",
								"cost.rx_app_cycles=0", NULL });

	assert_true(max_util_ppm(legacy) > 900000);     /* the one CPU is (nearly) always busy */
	assert_true(nic_queue_stats(legacy->nic, 0)->drop_no_desc > 0);   /* its ring ran dry */
	assert_int_equal(run_frames_dropped(waits), 0);
	assert_true(hist_max(driver_queue_lat(waits->drv, 0, LAT_DESCRIPTOR)) > 0);
	assert_int_equal(run_frames_dropped(rss), 0);
	assert_true(max_util_ppm(rss) < 500000);
	run_free(legacy);
	run_free(waits);
	run_free(rss);
}

/* A synthetic capture of n 64-byte TCP frames at the 10 Gb/s line rate
 * ((64 + 4 + 20) x 0.8 ns = 67.2 ns apart; the microsecond timestamps put
 * about 15 in each microsecond and the replay paces them to the line rate),
 * from many sources to 10.0.0.1:80. */
static const char *line_rate_64(uint32_t n)
{
	const char *path = tu_tmpfile(".pcap");
	size_t cap = 24 + (size_t)n * (16 + 64);
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	size_t len = tu_pcap_header(buf);
	static const uint8_t dst[4] = { 10, 0, 0, 1 };
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t src[4] = { 10, 1, (uint8_t)(i / 250 % 250), (uint8_t)(i % 250) };
		len += tu_pcap_tcp4(buf + len, (uint32_t)((uint64_t)i * 672 / 10000), 64, src, (uint16_t)(1024 + i % 1000),
				    dst, 80, 0x10);
	}
	tu_write_file(path, buf, len);
	free(buf);
	return path;
}

static struct run *run_trace_with(const char *path, const char *const *sets)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	for (; *sets; sets++)
		assert_int_equal(config_set(&cfg, *sets, NULL, 0), 0);
	return must_run(&cfg, path, false);
}

static void test_run_a_narrow_link_drops_at_the_packet_buffer_and_says_the_bus_did_it(void **state)
{
	(void)state;
	/* Per 64-byte frame the up direction carries its data (24 + 64 = 88 B)
	 * and its write-back (24 + 16 = 40 B): 128 B, 1.089 x 128 = 139 B of link
	 * time with the DLLP factor. Gen1 x1 moves 2 Gb/s after 8b/10b: 557 ns a
	 * frame, against one every 67.2 ns: the link keeps up with 12 % of the
	 * frames, the packet buffer fills and the rest are dropped while frames
	 * waited for the bus. Gen3 x8 moves 63.0 Gb/s: 17.7 ns a frame, 26 % of
	 * the link; nothing waits for it. (Large rings, so that the host's own
	 * backlog never runs a ring dry.) */
	const char *trace = line_rate_64(30000);
	struct run *narrow = run_trace_with(trace, (const char *[]){ "host.ip=10.0.0.1", "host.ring_entries=4096",
								     "pcie.gen=1", "pcie.lanes=1", NULL });
	struct run *wide = run_trace_with(trace, (const char *[]){ "host.ip=10.0.0.1", "host.ring_entries=4096", NULL });
	const struct nic_stats *ns = nic_stats(narrow->nic);
	uint64_t full = 0;
	for (uint32_t q = 0; q < nic_queues(narrow->nic); q++)
		full += nic_queue_stats(narrow->nic, q)->drop_buffer_full;
	assert_true(full > 30000 / 2);
	assert_int_equal(ns->buffer_full_by_bus, full);
	assert_int_equal(run_frames_dropped(narrow), full);
	assert_int_equal(run_frames_delivered(narrow) + full, 30000);
	/* The up direction was (nearly) always busy. */
	const struct pcie_link_stats *ls = nic_pcie_stats(narrow->nic);
	uint64_t busy = 0;
	for (int c = 0; c < PCIE_CLASSES; c++)
		busy += ls->busy_ps[PCIE_UP][c];
	assert_true(busy > narrow->sim_end_ps / 10 * 9);

	assert_int_equal(run_frames_dropped(wide), 0);
	assert_int_equal(run_frames_delivered(wide), 30000);
	run_free(narrow);
	run_free(wide);
	unlink(trace);
}

static void test_run_a_nic_clock_too_slow_for_the_line_fills_the_packet_buffer_and_drops_there(void **state)
{
	(void)state;
	/* At 50 MHz the 8-byte checksum engine takes 64 / 8 = 8 cycles = 160 ns
	 * for a 64-byte frame that arrives every 67.2 ns: the pipeline keeps up
	 * with 42 % of them. Frames wait for it in the packet buffer (64 KiB,
	 * 1024 of them) and the rest are dropped there, while the pipeline held
	 * the buffer. Stopped half way, every frame inside the NIC holds room in
	 * the buffer: none waits outside it. */
	const char *trace = line_rate_64(30000);
	const char *const common[] = { "host.ip=10.0.0.1", "host.ring_entries=4096", "nic.clock_mhz=50",
				       "mac.rx_fifo_bytes=65536" };
	struct run *full = run_trace_with(trace, (const char *[]){ common[0], common[1], common[2], common[3], NULL });
	struct run *half = run_trace_with(trace, (const char *[]){ common[0], common[1], common[2], common[3],
								   "run.stop_us=1000", NULL });
	const struct nic_stats *ns = nic_stats(full->nic);
	assert_true(ns->buffer_full_by_pipeline > 30000 / 2);
	assert_int_equal(ns->buffer_full_by_bus + ns->buffer_full_by_descriptors, 0);
	assert_int_equal(run_frames_dropped(full), ns->buffer_full_by_pipeline);
	assert_int_equal(run_frames_delivered(full) + run_frames_dropped(full), 30000);
	assert_int_equal(nic_mac_stats(full->nic)->fifo_peak_bytes, 65536);

	assert_true(nic_in_flight(half->nic) > 0);
	assert_true(nic_in_flight(half->nic) * 64 <= 65536);
	run_free(full);
	run_free(half);
	unlink(trace);
}

static void test_run_pacing_and_scaling_clamp_no_timestamp_of_an_ordered_capture(void **state)
{
	(void)state;
	/* Pacing to the line rate delays frames; it does not make the capture's
	 * timestamps go backwards, so nothing is "clamped" (only paced). */
	struct run *r = run_with(BULK, (const char *[]){ "replay.timing=linerate", NULL });
	assert_int_equal(replay_stats(r->rep)->ts_clamped, 0);
	assert_true(replay_stats(r->rep)->paced > 0);
	run_free(r);
	/* Scaled replay, two passes: the second pass starts after the first's
	 * scaled span, so the passes do not overlap (no clamping) and two passes
	 * at half speed take at least twice one pass. */
	struct run *one = run_with(BULK, (const char *[]){ "replay.timing=scaled", "replay.speed_pct=50", NULL });
	struct run *two = run_with(BULK, (const char *[]){ "replay.timing=scaled", "replay.speed_pct=50", "replay.loops=2", NULL });
	assert_int_equal(replay_stats(one->rep)->ts_clamped, 0);
	assert_int_equal(replay_stats(two->rep)->ts_clamped, 0);
	assert_true(two->sim_end_ps >= 2 * one->sim_end_ps - one->sim_end_ps / 100);
	run_free(one);
	run_free(two);
}

static void test_run_table_moves_reorder_frames_unless_the_old_queue_drains_first(void **state)
{
	(void)state;
	/* Moving a hot entry while its old queue still holds frames lets newer
	 * frames of the same flow overtake them on the new CPU (NDIS: "a normal
	 * transient condition"); waiting for the old queue to drain prevents it.
	 * The outside value is the per-flow order of entry into the model.
	 * A 200 us interrupt interval (irq.usecs) holds frames in their queue
	 * long enough that the old queue still holds some when an entry moves;
	 * at 50 us this capture's moves mostly find the old queue empty. */
	struct run *imm = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rebalance.policy=busiest_to_idlest",
								 "rebalance.interval_us=200", "rebalance.move=immediate",
								 "irq.usecs=200", NULL });
	struct run *drn = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rebalance.policy=busiest_to_idlest",
								 "rebalance.interval_us=200", "rebalance.move=drain",
								 "irq.usecs=200", NULL });
	const struct rebalance_stats *a = rebalance_stats(imm->rebal), *b = rebalance_stats(drn->rebal);
	assert_true(a->entries_moved > 0);
	assert_true(b->entries_moved > 0);
	assert_true(imm->reordered > 0);
	assert_int_equal(drn->reordered, 0);
	assert_int_equal(b->moves_drained + b->moves_forced, b->entries_moved);
	/* Nothing lost either way. */
	assert_int_equal(run_frames_delivered(imm) + run_frames_dropped(imm), replay_stats(imm->rep)->rx_frames);
	assert_int_equal(pkt_pool_in_use(drn->pool), 0);
	run_free(imm);
	run_free(drn);
}

/* The most packets any queue delivered. */
static uint64_t max_queue_packets(const struct run *r)
{
	uint64_t max = 0;
	for (uint32_t q = 0; q < driver_queues(r->drv); q++)
		if (driver_queue_stats(r->drv, q)->packets > max)
			max = driver_queue_stats(r->drv, q)->packets;
	return max;
}

static void test_run_rebalancer_narrows_the_queue_imbalance(void **state)
{
	(void)state;
	/* 33 flows on 8 queues through a 128-entry table: the default spread is
	 * uneven (max/mean 1.49 on this capture); moving hot entries from the
	 * busiest CPU must narrow it. */
	struct run *base = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", NULL });
	struct run *bal = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rebalance.policy=busiest_to_idlest",
							     "rebalance.interval_us=200", NULL });
	assert_true(max_queue_packets(bal) < max_queue_packets(base));
	run_free(base);
	run_free(bal);
}

/* Six queues on eight CPUs: two CPUs serve no queue. With the applications
 * beside their queues (host.app_cpu=same) they are idle in every interval;
 * with the default placement the applications' work runs on them and they
 * can be the busiest CPUs of all. Either way the policy must move entries,
 * from the CPU whose queues' work is heaviest onto the least busy CPU that
 * has a queue, and narrow the spread. */
static void rebalance_six_queues(const char *app_cpu)
{
	struct run *base = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rss.queues=6",
								 app_cpu, NULL });
	struct run *bal = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rss.queues=6",
							     app_cpu, "rebalance.policy=busiest_to_idlest",
							     "rebalance.interval_us=200", NULL });
	assert_true(rebalance_stats(bal->rebal)->entries_moved > 0);
	assert_true(max_queue_packets(bal) < max_queue_packets(base));
	run_free(base);
	run_free(bal);
}

static void test_run_rebalancer_moves_onto_cpus_that_have_queues(void **state)
{
	(void)state;
	rebalance_six_queues("host.app_cpu=same");
	rebalance_six_queues("host.app_cpu=other");
}

static void test_run_schedule_moves_named_entries_and_refuses_bad_items(void **state)
{
	(void)state;
	/* Every entry to queue 1 at 1 ms: from then on only queue 1 receives. */
	struct run *r = run_with(MANY_FLOWS, (const char *[]){ "replay.timing=linerate", "rebalance.schedule=1000:0-127=1", NULL });
	assert_int_equal(rebalance_stats(r->rebal)->entries_moved, 112); /* 128 entries, 16 already on queue 1 */
	/* The NIC's table, read through its RETA registers (2 entries each). */
	for (uint32_t e = 0; e < 128; e++) {
		uint32_t v = (uint32_t)bus_reg_read(&r->bus, 0, NIC_REG_RETA + 4 * (e / 2));
		assert_int_equal((e & 1) ? v >> 16 : v & 0xffff, 1);
	}
	run_free(r);
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512];
	assert_int_equal(config_set(&cfg, "rebalance.schedule=100:0-300=1", err, sizeof err), 0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof err), 0);
	assert_non_null(strstr(err, "rebalance.schedule"));
	assert_int_equal(config_set(&cfg, "rebalance.schedule=100:0=9", err, sizeof err), 0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof err), 0);
	assert_non_null(strstr(err, "queue 9"));
	assert_int_equal(config_set(&cfg, "rebalance.schedule=soon", err, sizeof err), 0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof err), 0);
	assert_non_null(strstr(err, "T_US:FIRST[-LAST]=QUEUE"));
}

static void test_run_queues_stay_on_the_cpus_from_rss_base_cpu_up(void **state)
{
	(void)state;
	/* 4 CPUs, RSS from CPU 2 up (max_cpus 0 = to the last CPU): CPUs 2 and 3,
	 * round robin, so queues 0..3 go to CPUs 2, 3, 2, 3; CPUs 0 and 1 are the
	 * applications' (host.app_cpu=other: the cores no queue uses) and take
	 * no interrupt and run no DPC, only the applications' receive work. */
	struct run *r = run_with("bulk-ipv6.pcap", (const char *[]){ "host.cpus=4", "rss.queues=4", "rss.base_cpu=2", NULL });
	static const uint32_t want[] = { 2, 3, 2, 3 };
	for (uint32_t q = 0; q < 4; q++)
		assert_int_equal(driver_queue_cpu(r->drv, q), want[q]);
	for (uint32_t c = 0; c < 2; c++) {
		const struct host_cpu_stats *st = driver_cpu_stats(r->drv, c);
		assert_int_equal(st->items[CPU_WORK_ISR] + st->items[CPU_WORK_DPC], 0);
		assert_int_equal(st->cycles[CPU_ISR] + st->cycles[CPU_DRIVER], 0);
		assert_true(st->items[CPU_WORK_APP] > 0);
	}
	for (uint32_t q = 0; q < 4; q++)
		assert_int_equal(driver_queue_app_cpu(r->drv, q), q % 2);
	run_free(r);
}

static void test_run_report_config_holds_a_long_schedule_whole(void **state)
{
	(void)state;
	/* 100 items "0:0=1;10:1=1;...;990:99=1": 878 bytes, more than the
	 * report's old 255-byte value buffer. */
	char sched[1024] = "rebalance.schedule=", *p = sched + strlen(sched);
	for (int i = 0; i < 100; i++)
		p += sprintf(p, "%s%d:%d=1", i ? ";" : "", i * 10, i);
	const char *want = sched + strlen("rebalance.schedule=");
	assert_int_equal(strlen(want), 878);
	struct run *r = run_with("bulk-ipv6.pcap", (const char *[]){ sched, NULL });
	json_t *j = report_json(r);
	const char *got = json_string_value(json_object_get(json_object_get(json_object_get(j, "config"), "rebalance"),
							   "schedule"));
	assert_non_null(got);
	assert_string_equal(got, want);
	json_decref(j);
	run_free(r);
}

static void test_run_refuses_impossible_config_naming_the_key(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512];
	assert_int_equal(config_set(&cfg, "rss.table_size=100", err, sizeof err), -1);
	assert_non_null(strstr(err, "rss.table_size"));
	assert_non_null(strstr(err, "power of two"));
	assert_int_equal(config_set(&cfg, "rss.queues=0", err, sizeof err), -1);
	assert_non_null(strstr(err, "rss.queues"));
	assert_int_equal(config_set(&cfg, "rss.key=6d5a", err, sizeof err), -1);
	assert_non_null(strstr(err, "rss.key"));
	assert_int_equal(config_set(&cfg, "rss.tablesize=128", err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(config_set(&cfg, "irq.mode=sometimes", err, sizeof err), -1);
	assert_non_null(strstr(err, "fixed,adaptive,off"));
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "rss.base_cpu=9", err, sizeof err), 0);
	struct run *r;
	struct run_opts o = { 0 };
	assert_int_not_equal(run_trace(&cfg, "/nonexistent.pcap", &o, &r, err, sizeof err), 0);
	assert_non_null(strstr(err, "rss.base_cpu"));
}

/* One Ethernet/IPv4/TCP SYN from 10.0.0.1:1234 to dst:80, 54 bytes, at i us. */
static size_t syn_record(uint8_t *out, uint32_t i, const uint8_t src[4], const uint8_t dst[4])
{
	return tu_pcap_tcp4(out, i, 54, src, 1234, dst, 80, 0x02);
}

/* A run, at the defaults, of a capture built in memory (cap bytes of buf,
 * freed here); *path is the file it was written to, for the caller to unlink. */
static struct run *run_built(uint8_t *buf, size_t cap, const char **path)
{
	*path = tu_tmpfile(".pcap");
	tu_write_file(*path, buf, cap);
	free(buf);
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	return must_run(&cfg, *path, false);
}

/* The run found one host, the IPv4 address want. */
static void assert_host_v4(const struct run *r, const uint8_t want[4])
{
	assert_true(r->host.n_ip == 1 && !r->host.ip_is_v6[0] && !memcmp(r->host.ip[0], want, 4));
}

/* Host detection counts addresses in a table of 4096 (the documented size,
 * host/replay.c). A capture with more: detection still names the busiest,
 * and says how many frames it could not count instead of dropping them
 * silently. 20 SYNs from 20 clients to 192.168.0.1 first (21 addresses),
 * then 5000 SYNs, each between two new addresses: 2037 of them fit (4074
 * entries), the 2038th finds one entry left for its destination and none
 * for its source, and the 2962 after it find none: 2963 frames not
 * counted. The host is an end of 20 flows, every other address of one. */
static void test_run_host_detection_says_what_it_could_not_count(void **state)
{
	(void)state;
	size_t cap = 24 + (20 + 5000) * (16 + 54);
	uint8_t *buf = calloc(1, cap), *w = buf;
	assert_non_null(buf);
	w += tu_pcap_header(w);
	const uint8_t host[4] = { 192, 168, 0, 1 };
	uint32_t i = 0;
	for (; i < 20; i++) {
		const uint8_t src[4] = { 10, 0, 0, (uint8_t)(i + 1) };
		w += syn_record(w, i, src, host);
	}
	for (uint32_t k = 0; k < 5000; k++, i++) {
		const uint8_t src[4] = { 10, 2, (uint8_t)(k >> 8), (uint8_t)k };
		const uint8_t dst[4] = { 10, 1, (uint8_t)(k >> 8), (uint8_t)k };
		w += syn_record(w, i, src, dst);
	}
	assert_true((size_t)(w - buf) == cap);
	const char *path;
	struct run *r = run_built(buf, cap, &path);
	assert_host_v4(r, host);
	print_message("  host detection: %s\n", r->host.how);
	assert_non_null(strstr(r->host.how, "auto: an end of the most flows"));
	assert_non_null(strstr(r->host.how, "; 2963 frames of addresses beyond the first 4096 not counted"));
	run_free(r);
	unlink(path);
}

/* Both ends of a two-host capture are an end of every flow; the tie goes to
 * the one whose frames have unfinished checksums (captured on it, before
 * its checksum offload), over the one receiving the SYN and the lower
 * address. 10.0.0.9 connects to 10.0.0.2 and sends three data segments
 * whose checksum field holds only the pseudo-header sum, worked out here
 * (RFC 9293 §3.1: source, destination, zero and protocol 6, TCP length). */
static void test_run_host_detection_tie_goes_to_unfinished_checksums(void **state)
{
	(void)state;
	const uint8_t a[4] = { 10, 0, 0, 9 }, b[4] = { 10, 0, 0, 2 };
	enum { N = 5, LEN = 64 };
	size_t cap = 24 + N * (16 + LEN);
	uint8_t *buf = calloc(1, cap), *w = buf;
	assert_non_null(buf);
	w += tu_pcap_header(w);
	w += tu_pcap_tcp4(w, 0, LEN, a, 1000, b, 80, 0x02);   /* SYN to b */
	w += tu_pcap_tcp4(w, 1, LEN, b, 80, a, 1000, 0x12);   /* SYN-ACK */
	for (uint32_t i = 0; i < 3; i++) {
		uint8_t *rec = w;
		w += tu_pcap_tcp4(w, 2 + i, LEN, a, 1000, b, 80, 0x18);
		uint32_t tcp_len = LEN - 14 - 20;
		uint32_t sum = (uint32_t)(a[0] << 8 | a[1]) + (uint32_t)(a[2] << 8 | a[3]) + (uint32_t)(b[0] << 8 | b[1]) +
			       (uint32_t)(b[2] << 8 | b[3]) + 6u + tcp_len;
		while (sum >> 16)
			sum = (sum & 0xffffu) + (sum >> 16);
		uint8_t *tcp = rec + 16 + 14 + 20;
		tcp[16] = (uint8_t)(sum >> 8);
		tcp[17] = (uint8_t)sum;
		tcp[24] = 0x5a;   /* payload, so the full sum cannot verify by chance: checked below */
	}
	assert_true((size_t)(w - buf) == cap);
	const char *path;
	struct run *r = run_built(buf, cap, &path);
	assert_host_v4(r, a);
	assert_string_equal(r->host.how, "auto: an end of the most flows, tie broken by unfinished checksums sent");
	/* Its three segments are sends; the NIC finishes their checksums. */
	assert_int_equal(txstack_stats(r->txs)->partial_csum, 3);
	run_free(r);
	unlink(path);
}

/* A capture taken on a client: pcpp-example.pcap was captured on 10.0.0.6
 * (its DNS queries and HTTP requests all come from it); the servers it
 * talked to receive its SYNs, so "most SYNs received" names a server. The
 * capture host is an end of the most flows. */
static void test_run_host_detection_finds_the_client_that_captured(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	struct run *r = must_run(&cfg, tu_path(tu_path(tu_ref_dir(), "real"), "pcpp-example.pcap"), false);
	const uint8_t want[4] = { 10, 0, 0, 6 };
	assert_host_v4(r, want);
	assert_non_null(strstr(r->host.how, "auto: an end of the most flows"));
	/* Its frames are sent: about half the capture. */
	assert_true(replay_stats(r->rep)->tx_frames > replay_stats(r->rep)->records / 3);
	run_free(r);
}

/* The report warns when more than half the received TCP/UDP checksums
 * the NIC checked are bad. suri-pgsql-gro-offload.pcap was captured on a
 * container bridge: tshark finds all 385 frames from 172.18.0.1 with a bad
 * TCP checksum (`tshark -o tcp.check_checksum:TRUE -Y tcp.checksum.status==0`),
 * and both ends' frames precede checksum offload. bulk-ipv6.pcap's are all
 * good: no warning. */
static void test_run_warns_when_most_received_checksums_are_bad(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	struct run *r = must_run(&cfg, tu_path(tu_path(tu_ref_dir(), "real"), "suri-pgsql-gro-offload.pcap"), false);
	assert_int_equal(nic_stats(r->nic)->csum_l4_bad, 385);
	json_t *j = report_json(r);
	json_t *w = json_object_get(j, "warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "385 of the 385 TCP/UDP checksums"));
	json_decref(j);
	run_free(r);
	r = run_with(BULK, (const char *const[]){ NULL });
	j = report_json(r);
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 0);
	json_decref(j);
	run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_every_frame_is_delivered_or_dropped_and_nothing_stays_in_flight),
		cmocka_unit_test(test_run_rss_keeps_each_flow_on_one_queue_on_every_reference_capture),
		cmocka_unit_test(test_run_nic_fast_path_changes_no_report_but_the_event_count),
		cmocka_unit_test(test_run_frames_longer_than_a_buffer_span_several_and_arrive_whole),
		cmocka_unit_test(test_run_legacy_saturates_one_cpu_where_eight_rss_queues_do_not),
		cmocka_unit_test(test_run_a_narrow_link_drops_at_the_packet_buffer_and_says_the_bus_did_it),
		cmocka_unit_test(test_run_a_nic_clock_too_slow_for_the_line_fills_the_packet_buffer_and_drops_there),
		cmocka_unit_test(test_run_table_moves_reorder_frames_unless_the_old_queue_drains_first),
		cmocka_unit_test(test_run_rebalancer_narrows_the_queue_imbalance),
		cmocka_unit_test(test_run_rebalancer_moves_onto_cpus_that_have_queues),
		cmocka_unit_test(test_run_schedule_moves_named_entries_and_refuses_bad_items),
		cmocka_unit_test(test_run_queues_stay_on_the_cpus_from_rss_base_cpu_up),
		cmocka_unit_test(test_run_report_config_holds_a_long_schedule_whole),
		cmocka_unit_test(test_run_refuses_impossible_config_naming_the_key),
		cmocka_unit_test(test_run_pacing_and_scaling_clamp_no_timestamp_of_an_ordered_capture),
		cmocka_unit_test(test_run_host_detection_says_what_it_could_not_count),
		cmocka_unit_test(test_run_host_detection_finds_the_client_that_captured),
		cmocka_unit_test(test_run_host_detection_tie_goes_to_unfinished_checksums),
		cmocka_unit_test(test_run_warns_when_most_received_checksums_are_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
