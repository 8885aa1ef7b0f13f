/*
 * tests/test_itr.c — adaptive interrupt moderation against intervals worked
 * by hand from the published driver code (igb_update_ring_itr;
 * e1000_update_itr with e1000_set_itr's rates and quarter steps;
 * ixgbe_update_itr's steps, sizes and jiffy rule; the rules are restated in
 * host/itr.h), then whole runs: with per-queue vectors, a queue that only
 * ever sees frames of one size ends with the EITR interval that size gives,
 * igb's at 1 Gb/s and ixgbe's at 10 Gb/s.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/itr.h"
#include "models/nic_regs.h"
#include "sim/nicsim/run.h"

static uint32_t ring_us(uint64_t frames, uint64_t bytes, bool is_cons)
{
	struct itr_state s = itr_start();
	itr_update_ring(&s, frames, bytes, is_cons);
	return itr_ring_usecs(&s);
}

static void test_itr_ring_interval_follows_the_average_frame(void **state)
{
	(void)state;
	/* No frames: the start value, IGB_START_ITR 648 ticks = 162 us. */
	assert_int_equal(ring_us(0, 0, true), 162);
	/* 64 B: 64 + 24 = 88, not in (300, 1200): 88 / 2 = 44 ticks = 11 us;
	 * conservative raises it to 196 ticks = 49 us. */
	assert_int_equal(ring_us(10, 640, false), 11);
	assert_int_equal(ring_us(10, 640, true), 49);
	/* 600 B: 624 / 3 = 208 ticks = 52 us, either mode. */
	assert_int_equal(ring_us(7, 4200, false), 52);
	assert_int_equal(ring_us(7, 4200, true), 52);
	/* 1514 B: 1538 / 2 = 769 ticks = 192 us. */
	assert_int_equal(ring_us(3, 4542, true), 192);
	/* 9000 B: capped at 3000, / 2 = 1500 ticks = 375 us. */
	assert_int_equal(ring_us(2, 18000, true), 375);
	/* The mid-size edges: 276 B -> 300, not above 300: / 2 = 150 ticks
	 * = 37 us; 1175 B -> 1199: / 3 = 399 = 99 us; 1176 B -> 1200: / 2 =
	 * 600 = 150 us. */
	assert_int_equal(ring_us(1, 276, false), 37);
	assert_int_equal(ring_us(1, 1175, false), 99);
	assert_int_equal(ring_us(1, 1176, false), 150);
	/* The average is integer bytes / frames: 3 frames of 100, 100, 101. */
	assert_int_equal(ring_us(3, 301, false), (100 + 24) / 2 / 4);
}

static void test_itr_single_vector_classes_and_quarter_steps(void **state)
{
	(void)state;
	/* Start: 20000/s (e1000e param.c), class lowest: 50 us. */
	struct itr_state s = itr_start();
	assert_int_equal(itr_single_usecs(&s), 50);
	/* Bulk, conservative: 20 frames of 1514 B (30280 B). lowest: 1514 <=
	 * 8000 and not < 5 frames: stays lowest, stored as low; target 20000
	 * = rate: 50 us. Next, from low: bytes > 10000 and 1514 > 1200: bulk,
	 * 4000/s (falling: at once) -> 250 us. */
	itr_update_single(&s, 20, 30280, true);
	assert_int_equal(itr_single_usecs(&s), 50);
	itr_update_single(&s, 20, 30280, true);
	assert_int_equal(itr_single_usecs(&s), 250);
	/* bulk, > 25000 bytes but not > 35 frames: stays bulk. */
	itr_update_single(&s, 20, 30280, true);
	assert_int_equal(itr_single_usecs(&s), 250);
	/* bulk, 40 frames of 700 B (28000 B > 25000, > 35 frames): low,
	 * rising from 4000 to 20000: 4000 + 5000 = 9000/s -> 111 us. */
	itr_update_single(&s, 40, 28000, true);
	assert_int_equal(itr_single_usecs(&s), 111);
	/* No frames: nothing changes. */
	itr_update_single(&s, 0, 0, true);
	assert_int_equal(itr_single_usecs(&s), 111);

	/* One small frame at a time, not conservative: lowest stays lowest
	 * (not < 5 frames with > 512 B), target 70000 rises by 17500 from
	 * 20000: 37500 -> 26 us, 55000 -> 18 us, then 70000 -> 14 us. */
	s = itr_start();
	static const uint32_t want[] = { 26, 18, 14, 14 };
	for (int i = 0; i < 4; i++) {
		itr_update_single(&s, 1, 64, false);
		assert_int_equal(itr_single_usecs(&s), want[i]);
	}
	/* Conservative: lowest is stored as low, 20000/s throughout. */
	s = itr_start();
	for (int i = 0; i < 3; i++) {
		itr_update_single(&s, 1, 64, true);
		assert_int_equal(itr_single_usecs(&s), 50);
	}
	/* low, under 10000 B and over 2000 B a frame: bulk. */
	itr_update_single(&s, 2, 6000, true);
	assert_int_equal(itr_single_usecs(&s), 250);
	/* bulk, under 6000 B (e1000e's threshold): low, 4000 + 5000 -> 111 us. */
	itr_update_single(&s, 3, 5999, true);
	assert_int_equal(itr_single_usecs(&s), 111);
}

/* ixgbe (host/itr.h): one choice from the start state (50 us, latency
 * mode), at time 0. */
static uint32_t ixgbe_us(uint64_t frames, uint64_t bytes)
{
	struct itr_state s = itr_start();
	itr_update_ixgbe(&s, frames, bytes, 0);
	return itr_ixgbe_usecs(&s);
}

static void test_itr_ixgbe_latency_and_bulk_by_frame_size(void **state)
{
	(void)state;
	/* Start: IXGBE_20K_ITR, 50 us. */
	struct itr_state s = itr_start();
	assert_int_equal(itr_ixgbe_usecs(&s), 50);
	/* Latency (under 4 frames and under 9000 bytes), by size, halved, then
	 * ceil(v / 512) * 2:
	 *   64 B: 64 * 40 + 2720 = 5280, / 2 = 2640, ceil(5.16) = 6 -> 12 us
	 *   60 B: 5120, / 2 = 2560, 5 -> 10 us (IXGBE_ITR_ADAPTIVE_MIN_USECS)
	 *   600 B: 600 * 15 + 11452 = 20452, / 2 = 10226, ceil(19.97) = 20 -> 40 us
	 *   1514 B: 1514 * 5 + 22420 = 29990, / 2 = 14995, ceil(29.29) = 30 -> 60 us
	 *   3 x 2999 B (8997 < 9000): 32256 / 2 = 16128, ceil(31.5) = 32 -> 64 us */
	assert_int_equal(ixgbe_us(1, 64), 12);
	assert_int_equal(ixgbe_us(2, 120), 10);
	assert_int_equal(ixgbe_us(3, 1800), 40);
	assert_int_equal(ixgbe_us(2, 3028), 60);
	assert_int_equal(ixgbe_us(3, 8997), 64);
	/* Bulk (256 frames or more), by size, not halved:
	 *   60 B: 5120 / 512 = 10 -> 20 us
	 *   316 B: 316 * 40 + 2720 = 15360, 30 -> 60 us; 317 B: 317 * 15 + 11452
	 *     = 16207, ceil(31.65) = 32 -> 64 us
	 *   1084 B: 27712, ceil(54.13) = 55 -> 110 us; 1085 B: 1085 * 5 + 22420
	 *     = 27845, ceil(54.38) = 55 -> 110 us
	 *   1500 B: 29920, ceil(58.44) = 59 -> 118 us
	 *   1967 B: 32255, ceil(62.998) = 63 -> 126 us; 1968 B and 9000 B: 32256,
	 *     63 -> 126 us (IXGBE_ITR_ADAPTIVE_MAX_USECS) */
	assert_int_equal(ixgbe_us(256, 256 * 60), 20);
	assert_int_equal(ixgbe_us(256, 256 * 316), 60);
	assert_int_equal(ixgbe_us(256, 256 * 317), 64);
	assert_int_equal(ixgbe_us(256, 256 * 1084), 110);
	assert_int_equal(ixgbe_us(256, 256 * 1085), 110);
	assert_int_equal(ixgbe_us(300, 300 * 1500), 118);
	assert_int_equal(ixgbe_us(256, 256 * 1967), 126);
	assert_int_equal(ixgbe_us(256, 256 * 1968), 126);
	assert_int_equal(ixgbe_us(1000, 9000000), 126);
	/* The average is integer bytes / frames: 300 frames, 300 * 1500 + 299
	 * bytes is still 1500 B. */
	assert_int_equal(ixgbe_us(300, 300 * 1500 + 299), 118);
}

static void test_itr_ixgbe_steps_by_frames_per_interrupt(void **state)
{
	(void)state;
	struct itr_state s = itr_start();
	/* 4 to 47 frames: bulk, the interval 2 us longer: 50 -> 52. 3 frames
	 * of 3000 B (9000 B, not under 9000) count here too: 54. */
	itr_update_ixgbe(&s, 10, 15000, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 52);
	assert_false(s.is_ixgbe_latency);
	itr_update_ixgbe(&s, 3, 9000, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 54);
	/* 48 to 95: just right, unchanged. */
	itr_update_ixgbe(&s, 60, 90000, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 54);
	/* 96 to 255: halved, 54 -> 27 -> 13 -> 6, held at 10. */
	static const uint32_t halved[] = { 27, 13, 10, 10 };
	for (int i = 0; i < 4; i++) {
		itr_update_ixgbe(&s, 100, 150000, 0);
		assert_int_equal(itr_ixgbe_usecs(&s), halved[i]);
	}
	/* No frames: 2 us longer, the mode kept (bulk here). */
	itr_update_ixgbe(&s, 0, 0, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 12);
	assert_false(s.is_ixgbe_latency);
	/* From latency (one 64 B frame: 12 us), no frames: 14 us, latency. */
	itr_update_ixgbe(&s, 1, 64, 0);
	assert_true(s.is_ixgbe_latency);
	itr_update_ixgbe(&s, 0, 0, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 14);
	assert_true(s.is_ixgbe_latency);
	/* At most 126: bulk 9000 B frames give 126; 10 frames more would be
	 * 128: 126. */
	itr_update_ixgbe(&s, 256, 256 * 9000, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 126);
	itr_update_ixgbe(&s, 10, 15000, 0);
	assert_int_equal(itr_ixgbe_usecs(&s), 126);
}

static void test_itr_ixgbe_a_choice_after_more_than_a_jiffy_resets_to_10_us(void **state)
{
	(void)state;
	/* Jiffies of 4 ms (HZ 250). The first choice is never stale: at 1 s
	 * (jiffy 250) 300 frames of 1500 B give 118 us; the next is due by
	 * jiffy 251. At 1.0079 s (jiffy 251) it is in time: 100 frames halve
	 * it, 59 us; due by 252. At 1.012 s (jiffy 253 > 252): stale, 10 us in
	 * latency mode whatever the counts. */
	struct itr_state s = itr_start();
	itr_update_ixgbe(&s, 300, 300 * 1500, 1000 * SIM_PS_PER_MS);
	assert_int_equal(itr_ixgbe_usecs(&s), 118);
	itr_update_ixgbe(&s, 100, 150000, 1007900 * SIM_PS_PER_US);
	assert_int_equal(itr_ixgbe_usecs(&s), 59);
	itr_update_ixgbe(&s, 300, 300 * 1500, 1012 * SIM_PS_PER_MS);
	assert_int_equal(itr_ixgbe_usecs(&s), 10);
	assert_true(s.is_ixgbe_latency);
}

static void test_itr_driver_by_line_rate_and_vectors(void **state)
{
	(void)state;
	assert_int_equal(itr_algo_for(10000, 8), ITR_ALGO_IXGBE);
	assert_int_equal(itr_algo_for(10000, 1), ITR_ALGO_IXGBE);
	assert_int_equal(itr_algo_for(40000, 4), ITR_ALGO_IXGBE);
	assert_int_equal(itr_algo_for(9999, 8), ITR_ALGO_IGB_RING);
	assert_int_equal(itr_algo_for(1000, 1), ITR_ALGO_E1000E);
}

/* A pcap of TCP frames of one size to 192.168.0.1 from eight clients
 * (10.0.c.c+1, port 4096 + 97c: RSS spreads them over five of the eight
 * queues), 10 us apart; a SYN from each first, so detection finds the host.
 * Checksums are left zero (counted as bad by the NIC, which changes nothing
 * here). */
static const char *one_size_capture(uint32_t frame_len, uint32_t n)
{
	enum { CLIENTS = 8 };
	size_t rec = 16 + frame_len, cap = 24 + (CLIENTS + n) * rec;
	uint8_t *buf = calloc(1, cap), *w = buf;
	assert_non_null(buf);
	w += tu_pcap_header(w);
	static const uint8_t host[4] = { 192, 168, 0, 1 };
	for (uint32_t i = 0; i < CLIENTS + n; i++) {
		uint32_t c = i % CLIENTS;
		const uint8_t src[4] = { 10, 0, (uint8_t)c, (uint8_t)(1 + c) };
		w += tu_pcap_tcp4(w, 10 * i, frame_len, src, (uint16_t)(4096 + 97 * c), host, 80,
				  i < CLIENTS ? 0x02 : 0x18);  /* SYN, then PSH|ACK */
	}
	assert_true((size_t)(w - buf) == cap);
	const char *path = tu_tmpfile(".pcap");
	tu_write_file(path, buf, cap);
	free(buf);
	return path;
}

static void run_and_check_eitr(uint32_t frame_len, const char *rate, const char *cons, uint32_t want_us)
{
	const char *path = one_size_capture(frame_len, 400);
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512];
	assert_int_equal(config_set(&cfg, "irq.mode=adaptive", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, rate, err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, cons, err, sizeof err), 0);
	struct run *r;
	struct run_opts o = { 0 };
	if (run_trace(&cfg, path, &o, &r, err, sizeof err))
		fail_msg("%s", err);
	int active = 0;
	for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
		if (driver_queue_stats(r->drv, q)->packets < 20)
			continue;  /* a queue no client hashed to */
		active++;
		uint32_t eitr = (uint32_t)bus_reg_read(&r->bus, r->sim_end_ps, NIC_REG_EITR(q));
		if (NIC_EITR_USECS(eitr) != want_us)
			fail_msg("%u-byte frames, %s, %s: queue %u EITR interval %u us, want %u", frame_len, rate, cons,
				 q, NIC_EITR_USECS(eitr), want_us);
	}
	assert_true(active >= 4);
	run_free(r);
	unlink(path);
}

static void test_itr_run_ends_each_queue_at_its_frame_size_interval(void **state)
{
	(void)state;
	/* 1 Gb/s, several queues: igb's ring ITR. The NIC's frame length is
	 * without FCS; the driver adds 24. */
	const char *gig = "mac.rate_mbps=1000";
	run_and_check_eitr(600, gig, "irq.adaptive_conservative=true", 52);    /* 624 / 3 / 4 */
	run_and_check_eitr(1514, gig, "irq.adaptive_conservative=true", 192);  /* 1538 / 2 / 4 */
	run_and_check_eitr(64, gig, "irq.adaptive_conservative=true", 49);     /* floor 196 / 4 */
	run_and_check_eitr(64, gig, "irq.adaptive_conservative=false", 11);    /* 88 / 2 / 4 */
	/* 10 Gb/s (the default rate): ixgbe. A queue's frames come at least
	 * 10 us apart and an interrupt covers fewer than 4 of them (under
	 * 9000 bytes): latency mode, by size, halved (worked in
	 * test_itr_ixgbe_latency_and_bulk_by_frame_size); conservative does not
	 * apply. */
	const char *ten = "mac.rate_mbps=10000";
	run_and_check_eitr(600, ten, "irq.adaptive_conservative=true", 40);
	run_and_check_eitr(64, ten, "irq.adaptive_conservative=true", 12);
	run_and_check_eitr(64, ten, "irq.adaptive_conservative=false", 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itr_ring_interval_follows_the_average_frame),
		cmocka_unit_test(test_itr_single_vector_classes_and_quarter_steps),
		cmocka_unit_test(test_itr_ixgbe_latency_and_bulk_by_frame_size),
		cmocka_unit_test(test_itr_ixgbe_steps_by_frames_per_interrupt),
		cmocka_unit_test(test_itr_ixgbe_a_choice_after_more_than_a_jiffy_resets_to_10_us),
		cmocka_unit_test(test_itr_driver_by_line_rate_and_vectors),
		cmocka_unit_test(test_itr_run_ends_each_queue_at_its_frame_size_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
