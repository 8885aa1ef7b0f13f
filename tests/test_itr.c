/*
 * tests/test_itr.c — adaptive interrupt moderation against intervals worked
 * by hand from the published driver code (igb_update_ring_itr;
 * e1000_update_itr with e1000_set_itr's rates and quarter steps; the rules
 * are restated in host/itr.h), then a whole run: with per-queue vectors, a
 * queue that only ever sees frames of one size ends with the EITR interval
 * that size gives.
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

static void run_and_check_eitr(uint32_t frame_len, const char *cons, uint32_t want_us)
{
	const char *path = one_size_capture(frame_len, 400);
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512];
	assert_int_equal(config_set(&cfg, "irq.mode=adaptive", err, sizeof err), 0);
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
		if ((eitr & 0xffffu) != want_us)
			fail_msg("%u-byte frames, %s: queue %u EITR interval %u us, want %u", frame_len, cons, q,
				 eitr & 0xffffu, want_us);
	}
	assert_true(active >= 4);
	run_free(r);
	unlink(path);
}

static void test_itr_run_ends_each_queue_at_its_frame_size_interval(void **state)
{
	(void)state;
	/* The NIC's frame length is without FCS; the driver adds 24. */
	run_and_check_eitr(600, "irq.adaptive_conservative=true", 52);    /* 624 / 3 / 4 */
	run_and_check_eitr(1514, "irq.adaptive_conservative=true", 192);  /* 1538 / 2 / 4 */
	run_and_check_eitr(64, "irq.adaptive_conservative=true", 49);     /* floor 196 / 4 */
	run_and_check_eitr(64, "irq.adaptive_conservative=false", 11);    /* 88 / 2 / 4 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itr_ring_interval_follows_the_average_frame),
		cmocka_unit_test(test_itr_single_vector_classes_and_quarter_steps),
		cmocka_unit_test(test_itr_run_ends_each_queue_at_its_frame_size_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
