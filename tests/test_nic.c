/*
 * The NIC on its own, wired to a stub host through the bus: the test programs
 * it by register writes, serves its DMAs from a small memory of its own,
 * records MSI-X messages, and steps the kernel from outside (sim_run_until),
 * as a SystemC wrapper would. Expected values are worked out in comments from
 * the register map (models/nic_regs.h) and the timing parameters.
 */
#include "testutil.h"

#include <string.h>

#include "models/nic.h"
#include "models/nic_regs.h"
#include "sim/nicsim/config.h"

#define RING_ADDR 0x10000ull
#define BUF_ADDR 0x100000ull
#define ENTRIES 8u      /* descriptors a ring; queue q's ring at RING_ADDR + q * ENTRIES * 16 */
#define QUEUES_MAX 4u

struct stub {
	uint8_t ring[QUEUES_MAX * ENTRIES * NIC_RX_DESC_BYTES];
	struct pkt *buf_pkt[QUEUES_MAX * ENTRIES];
	int msix[8];
	uint64_t msix_t[8];
	int bad_dma;
	uint64_t wb_t[QUEUES_MAX * ENTRIES];   /* when each descriptor's write-back landed */
	struct pkt_pool *pool;
	struct sim_kernel *k;
};

static void stub_dma(void *h, uint64_t t, struct bus_dma *op)
{
	struct stub *s = h;
	if (op->addr >= RING_ADDR && op->addr + op->len <= RING_ADDR + sizeof s->ring) {
		uint8_t *m = s->ring + (op->addr - RING_ADDR);
		if (op->is_write) {
			memcpy(m, op->data, op->len);
			s->wb_t[(op->addr - RING_ADDR) / NIC_RX_DESC_BYTES] = t;
		}
		else
			memcpy(op->data, m, op->len);
	} else if (op->is_write && op->addr >= BUF_ADDR && op->addr < BUF_ADDR + QUEUES_MAX * ENTRIES * 2048) {
		s->buf_pkt[(op->addr - BUF_ADDR) / 2048] = pkt_ref(op->pkt);   /* the bus lends it: keep a reference */
	} else {
		s->bad_dma++;
	}
}

static void stub_msix(void *h, uint64_t t, uint64_t addr, uint32_t data)
{
	struct stub *s = h;
	(void)addr;
	s->msix_t[data] = t;
	s->msix[data]++;
}

/* A NIC with `queues` queues (extra: one more key=value, or NULL), each
 * ring programmed, DROP_EN set, moderation as irq_mode says, receive on;
 * no tail written yet. */
static struct nic *setup_with(struct stub *s, struct bus *b, uint32_t queues, const char *irq_mode, const char *extra)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char set[64];
	snprintf(set, sizeof set, "rss.queues=%u", queues);
	assert_int_equal(config_set(&cfg, set, NULL, 0), 0);
	if (extra)
		assert_int_equal(config_set(&cfg, extra, NULL, 0), 0);
	memset(s, 0, sizeof *s);
	s->k = sim_kernel_new();
	s->pool = pkt_pool_new();
	memset(b, 0, sizeof *b);
	struct nic *n;
	char err[256];
	assert_int_equal(nic_new(&n, s->k, b, &cfg.nic, &cfg.mac, &cfg.rss, &cfg.pcie, PARSE_LINK_ETH, err, sizeof err), 0);
	nic_attach(n, b);
	b->host = (struct bus_host_if){ .host = s, .dma = stub_dma, .msix = stub_msix };
	/* Program each queue: a ring of 8 descriptors, buffers 2 KiB apart. */
	for (uint32_t i = 0; i < queues * ENTRIES; i++) {
		struct nic_rx_desc_read d = { .buf_addr = BUF_ADDR + i * 2048u };
		memcpy(s->ring + i * NIC_RX_DESC_BYTES, &d, sizeof d);
	}
	for (uint32_t q = 0; q < queues; q++) {
		uint64_t ring = RING_ADDR + q * ENTRIES * NIC_RX_DESC_BYTES;
		bus_reg_write(b, 0, NIC_REG_RXQ(q) + NIC_RXQ_RDBAL, (uint32_t)ring);
		bus_reg_write(b, 0, NIC_REG_RXQ(q) + NIC_RXQ_RDLEN, ENTRIES * NIC_RX_DESC_BYTES);
		bus_reg_write(b, 0, NIC_REG_RXQ(q) + NIC_RXQ_BUFLEN, 2048);
		bus_reg_write(b, 0, NIC_REG_RXQ(q) + NIC_RXQ_SRRCTL, NIC_SRRCTL_DROP_EN);
		bus_reg_write(b, 0, NIC_REG_MSIX(q) + NIC_MSIX_DATA, q);
		/* Moderation as a driver programs it: "fixed" is 50 us (irq.usecs'
		 * default) under the default throttle timing, "delay" the same under
		 * ethtool's delay rule (EITR.DELAY), "off" EITR's reset value, one
		 * interrupt per frame. */
		uint32_t eitr = !strcmp(irq_mode, "fixed") ? NIC_EITR(50, 0)
				: !strcmp(irq_mode, "delay") ? NIC_EITR(50, 0) | NIC_EITR_DELAY : NIC_EITR(0, 1);
		bus_reg_write(b, 0, NIC_REG_EITR(q), eitr);
		bus_reg_write(b, 0, NIC_REG_EIMS(q), 1);
	}
	bus_reg_write(b, 0, NIC_REG_RCTL, 1);
	return n;
}

static struct nic *setup(struct stub *s, struct bus *b, uint32_t queues, const char *irq_mode)
{
	return setup_with(s, b, queues, irq_mode, NULL);
}

static void teardown(struct stub *s, struct nic *n)
{
	for (uint32_t i = 0; i < QUEUES_MAX * ENTRIES; i++)
		if (s->buf_pkt[i])
			pkt_release(s->buf_pkt[i]);
	nic_free(n);
	pkt_pool_free(s->pool);
	sim_kernel_free(s->k);
}

/* A minimal Ethernet + IPv4 + UDP frame of 64 bytes (checksums left 0),
 * from source port sport. */
static struct pkt *frame_new_port(struct stub *s, uint16_t sport)
{
	struct pkt *p = pkt_alloc(s->pool, 64);
	memset(p->data, 0, 64);
	p->data[12] = 0x08;               /* ethertype IPv4 */
	p->data[14] = 0x45;
	p->data[17] = 50;                 /* total length 50 = 20 IP + 8 UDP + 22 */
	p->data[22] = 64;
	p->data[23] = 17;                 /* UDP */
	p->data[26] = 10, p->data[29] = 1;
	p->data[30] = 10, p->data[33] = 2;
	p->data[34] = (uint8_t)(sport >> 8), p->data[35] = (uint8_t)sport, p->data[37] = 2; /* ports sport -> 2 */
	p->data[39] = 30;                 /* UDP length */
	p->cap_len = p->wire_len = 64;
	return p;
}
static struct pkt *frame_new(struct stub *s) { return frame_new_port(s, 1); }

/* Put a frame on the wire now: the bus lends it, the test lets it go. */
static void send_frame(struct stub *s, struct bus *b)
{
	struct pkt *p = frame_new(s);
	bus_frame_in(b, sim_now_ps(s->k), p);
	pkt_release(p);
}

static void test_nic_frame_is_written_back_and_signalled_by_msix(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	/* Tail 7: descriptors 0..6 are the NIC's (one slot always empty). */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	send_frame(&s, &b);
	assert_int_equal(sim_next_time_ps(s.k) > 0, 1);
	sim_run_until(s.k, 100 * SIM_PS_PER_US);
	/* Descriptor 0 written back: DD|EOP, length 64. */
	struct nic_rx_desc_wb wb;
	memcpy(&wb, s.ring, sizeof wb);
	assert_true(wb.status & NIC_RXD_STAT_DD);
	assert_true(wb.status & NIC_RXD_STAT_EOP);
	assert_int_equal(wb.length, 64);
	assert_non_null(s.buf_pkt[0]);
	assert_int_equal(s.msix[0], 1);
	/* Timing, worked from the defaults (Gen3 x8, docs/pcie.md): the link
	 * moves 8 GT/s x 8 lanes x 128/130 = 63.015 Gb/s, and every TLP byte
	 * costs 1.089 bytes of link time (pcie.dllp_permille 89), so a byte is
	 * 8 x 1.089 / 63.015 ns = 138.252 ps, each transfer rounded up to a ps.
	 * The RDT write at 0 makes the NIC fetch descriptors 0..6 (7 x 16 =
	 * 112 B): a 24 B MRd up (3319 ps), pcie.read_latency_ns 545 ns, one
	 * 20 + 112 = 132 B CplD down (18250 ps): they land at 566569 ps. The
	 * frame is in by then (wire 64+4+20 bytes at 10 Gb/s: last bit at 54.4
	 * ns, the pipeline's depth 8 cycles of 4 ns after it: 86.4 ns) and waits
	 * for them; then its data, 24 + 64 = 88 B (12167 ps), and its write-back,
	 * 24 + 16 = 40 B (5531 ps): the write-back lands at 584267 ps. */
	assert_int_equal(s.wb_t[0], 3319 + 545000 + 18250 + 12167 + 5531);
	/* irq.mode=off: the completion fires at once, and the MSI-X message, a
	 * 4-byte MWr (24 + 4 = 28 B, 28 x 138.252 = 3871.06 -> 3872 ps), follows
	 * the write-back on the link. */
	assert_int_equal(s.msix_t[0], s.wb_t[0] + 3872);
	assert_int_equal(bus_reg_read(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDH), 1);
	assert_int_equal(nic_in_flight(n), 0);
	assert_int_equal(s.bad_dma, 0);
	teardown(&s, n);
}

static void test_nic_drops_for_want_of_a_descriptor_and_counts_it(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	/* Tail 2: two descriptors; the third frame finds none, and with
	 * SRRCTL.DROP_EN set (setup) it is dropped at once. */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, 2);
	for (int i = 0; i < 3; i++)
		send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 2);
	assert_int_equal(nic_queue_stats(n, 0)->drop_no_desc, 1);
	assert_int_equal(bus_reg_read(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_STAT_DROP), 1);
	assert_int_equal(pkt_pool_in_use(s.pool), 2); /* the two in the stub's buffers */
	teardown(&s, n);
}

/* The host rewrites RDLEN (a ring reset) while a frame is in its DMA: the
 * descriptor the frame was taking is gone, so nothing may be written to host
 * memory for it; it is dropped and counted as without a descriptor. The next
 * frame, after a new tail, lands in descriptor 0 of the new ring. */
static void test_nic_ring_reset_under_a_dma_drops_the_frame_and_writes_nothing(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	send_frame(&s, &b);
	/* The frame's DMA starts when the descriptors land, at 566.6 ns, and
	 * its write-back lands at 584.3 ns (the first test): reset the ring at
	 * 575 ns, inside it. */
	sim_run_until(s.k, 575 * SIM_PS_PER_NS);
	assert_int_equal(nic_in_flight(n), 1);
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_RDLEN, ENTRIES * NIC_RX_DESC_BYTES);
	sim_run_until(s.k, 100 * SIM_PS_PER_US);
	struct nic_rx_desc_wb wb;
	memcpy(&wb, s.ring, sizeof wb);
	assert_false(wb.status & NIC_RXD_STAT_DD);
	assert_null(s.buf_pkt[0]);
	assert_int_equal(s.msix[0], 0);
	assert_int_equal(nic_queue_stats(n, 0)->drop_no_desc, 1);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 0);
	assert_int_equal(nic_in_flight(n), 0);
	assert_int_equal(pkt_pool_in_use(s.pool), 0);
	/* The new ring works from descriptor 0 once the host gives a tail. */
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	memcpy(&wb, s.ring, sizeof wb);
	assert_true(wb.status & NIC_RXD_STAT_DD);
	assert_non_null(s.buf_pkt[0]);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 1);
	assert_int_equal(s.bad_dma, 0);
	teardown(&s, n);
}

static void test_nic_unknown_and_invalid_register_accesses_are_counted_not_fatal(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 2, "fixed");
	bus_reg_write(&b, 0, 0x7ffc, 1);                        /* nothing there */
	assert_int_equal(bus_reg_read(&b, 0, 0x7ffc), 0);
	bus_reg_write(&b, 0, NIC_REG_RXQ(5) + NIC_RXQ_RDT, 1);  /* queue 5 of 2 */
	bus_reg_write(&b, 0, NIC_REG_RETA, 7 | 7u << 16);      /* queue 7 of 2 */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, 99); /* tail beyond the ring */
	const struct nic_stats *st = nic_stats(n);
	assert_int_equal(st->unknown_reg_reads, 1);
	assert_int_equal(st->unknown_reg_writes, 4);
	assert_int_equal(st->last_unknown_reg, NIC_REG_RXQ(0) + NIC_RXQ_RDT);   /* the last one above */
	/* RETA keeps its reset contents (entry i -> i mod 2). */
	assert_int_equal(bus_reg_read(&b, 0, NIC_REG_RETA + 4), 0 | 1u << 16);
	teardown(&s, n);
}

static void test_nic_delay_moderation_holds_the_interrupt_for_usecs(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "delay");
	/* irq.usecs = 50 (default), irq.timing=delay: three frames, one
	 * interrupt, 50 us after the first completion. */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	for (int i = 0; i < 3; i++)
		send_frame(&s, &b);
	sim_run_until(s.k, 10 * SIM_PS_PER_US);
	assert_int_equal(s.msix[0], 0);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(s.msix[0], 1);
	assert_true(s.msix_t[0] >= 50 * SIM_PS_PER_US && s.msix_t[0] < 52 * SIM_PS_PER_US);
	assert_int_equal(nic_irq_stats(n, 0).by_timer, 1);
	teardown(&s, n);
}

static void test_nic_throttle_moderation_signals_a_lone_frame_at_once_then_paces(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "fixed");
	/* irq.usecs = 50, throttle (the default timing): the same three frames.
	 * The first completion finds the count run out (no interrupt yet) and
	 * fires at once: its MSI-X comes with its write-back, at 584.3 ns
	 * (test_nic_frame_is_written_back_and_signalled_by_msix's timing). The
	 * other two complete within the next few hundred ns, with the vector
	 * masked (the stub never unmasks): no second interrupt. */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	for (int i = 0; i < 3; i++)
		send_frame(&s, &b);
	sim_run_until(s.k, 2 * SIM_PS_PER_US);
	assert_int_equal(s.msix[0], 1);
	uint64_t first = s.msix_t[0];
	assert_true(first >= s.wb_t[0] && first < s.wb_t[0] + 10 * SIM_PS_PER_NS);
	/* Unmask at 10 us, within the 50 us from that interrupt: the two
	 * pending completions are signalled when the count runs out, 50 us
	 * after the first interrupt. */
	sim_run_until(s.k, 10 * SIM_PS_PER_US);
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_EIMS(0), 1);
	assert_int_equal(s.msix[0], 1);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(s.msix[0], 2);
	assert_int_equal(s.msix_t[0], first + 50 * SIM_PS_PER_US);
	teardown(&s, n);
}

static void test_nic_status_reports_link_up_and_the_line_rate(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	/* mac.rate_mbps = 10000 (default): bit 0 link up, bits 31:8 10000. */
	uint32_t st = (uint32_t)bus_reg_read(&b, 0, NIC_REG_STATUS);
	assert_int_equal(st, 1u | 10000u << 8);
	assert_int_equal(NIC_STATUS_SPEED_MBPS(st), 10000);
	teardown(&s, n);
}

/* DROP_EN clear (the ixgbe default with one queue): a frame that finds the
 * ring empty waits in the packet buffer for a descriptor, and every frame
 * behind it waits too; the buffer's overflow drops them at arrival, counted
 * as buffer_full while the first waited for a descriptor. */
static void test_nic_without_drop_en_a_frame_waits_for_a_descriptor_and_the_buffer_overflows(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	/* The smallest packet buffer, 2048 bytes: 32 frames of 64 bytes. */
	struct nic *n = setup_with(&s, &b, 1, "off", "mac.rx_fifo_bytes=2048");
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_SRRCTL, 0);
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, 2);
	/* 42 frames back to back (67.2 ns apart). The descriptors land at
	 * 566.6 ns (the first test), when 9 frames are in (576 bytes): frames 1
	 * and 2 take them and give their room back by 0.6 us; frame 3 finds the
	 * ring empty and waits. Frames 3..34 fill the buffer (32 x 64 = 2048);
	 * 35..42 find it full. */
	for (int i = 0; i < 42; i++) {
		sim_run_until(s.k, (uint64_t)i * 67200);   /* (64 + 4 + 20) x 0.8 ns at 10 Gb/s */
		send_frame(&s, &b);
	}
	sim_run_until(s.k, 100 * SIM_PS_PER_US);
	const struct nic_queue_stats *qs = nic_queue_stats(n, 0);
	assert_int_equal(qs->rx_packets, 2);
	assert_int_equal(qs->drop_no_desc, 0);
	assert_int_equal(qs->drop_buffer_full, 8);
	assert_int_equal(nic_stats(n)->buffer_full_by_descriptors, 8);
	assert_int_equal(nic_in_flight(n), 32);
	assert_int_equal(nic_mac_stats(n)->fifo_peak_bytes, 2048);
	/* The driver posts descriptors 2..6: five more frames go, in order. */
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	sim_run_until(s.k, 200 * SIM_PS_PER_US);
	assert_int_equal(qs->rx_packets, 7);
	assert_int_equal(nic_in_flight(n), 27);
	/* Setting DROP_EN now drops the frame that waits, and the rest as they
	 * come to the front. */
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_SRRCTL, NIC_SRRCTL_DROP_EN);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(qs->drop_no_desc, 27);
	assert_int_equal(nic_in_flight(n), 0);
	assert_int_equal(pkt_pool_in_use(s.pool), 7);
	teardown(&s, n);
}

/* Test bindings that deliver DMA read completions later than the link model
 * says, or in another order: the NIC's dma_complete is taken out of the bus
 * and called from the test's own events. */
struct late {
	struct sim_kernel *k;
	void *nic;
	void (*complete)(void *nic, uint64_t t_ps, struct bus_dma *op);
	uint64_t delay_ps;             /* delay binding: every completion this much later */
	bool is_reversing;             /* reversing binding: hold, then deliver the latest first */
	struct bus_dma *held[64];
	uint32_t n_held;
	uint32_t delivered, reversed;  /* completions delivered; of them, delivered before an older one */
	struct sim_event ev[64];
	struct bus_dma *ev_op[64];
	struct sim_event flush;
};

static void late_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct late *l = arg;
	uint32_t i = (uint32_t)(ev - l->ev);
	l->delivered++;
	l->complete(l->nic, sim_now_ps(k), l->ev_op[i]);
}

static void late_flush(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct late *l = arg;
	uint32_t n = l->n_held;
	l->n_held = 0;
	for (uint32_t i = n; i-- > 0;) {
		l->delivered++;
		l->reversed += i > 0;
		l->complete(l->nic, sim_now_ps(k), l->held[i]);
	}
}

static struct late *late_binding;
static void late_complete(void *nic, uint64_t t_ps, struct bus_dma *op)
{
	(void)nic;
	struct late *l = late_binding;
	if (l->is_reversing) {
		assert_true(l->n_held < 64);
		l->held[l->n_held++] = op;
		if (!sim_event_is_pending(&l->flush))
			sim_schedule_at(l->k, &l->flush, t_ps + 2 * SIM_PS_PER_US);
		return;
	}
	uint32_t i = (uint32_t)op->tag;   /* the NIC's pending-read index: one event each */
	assert_true(i < 64 && !sim_event_is_pending(&l->ev[i]));
	l->ev_op[i] = op;
	sim_schedule_at(l->k, &l->ev[i], t_ps + l->delay_ps);
}

static void late_install(struct late *l, struct stub *s, struct bus *b)
{
	memset(l, 0, sizeof *l);
	l->k = s->k;
	l->nic = b->nic.nic;
	l->complete = b->nic.dma_complete;
	for (int i = 0; i < 64; i++)
		sim_event_init(&l->ev[i], "test.late", SIM_PRIO_HW, late_fire, l);
	sim_event_init(&l->flush, "test.late.flush", SIM_PRIO_HW, late_flush, l);
	b->nic.dma_complete = late_complete;
	late_binding = l;
}

static void test_nic_a_binding_that_delays_every_read_completion_delays_only_the_frames(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	struct late l;
	late_install(&l, &s, &b);
	l.delay_ps = 3 * SIM_PS_PER_US;
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	for (int i = 0; i < 6; i++)
		send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	/* Every frame is placed, in order; the first one's write-back lands
	 * 3 us after it would with the native binding (584267 ps, the first
	 * test): the descriptors land 3 us later and it waited for them. */
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 6);
	assert_int_equal(s.wb_t[0], 584267 + 3 * SIM_PS_PER_US);
	for (int i = 1; i < 6; i++)
		assert_true(s.wb_t[i] > s.wb_t[i - 1]);
	assert_int_equal(l.delivered, 1);
	assert_int_equal(nic_in_flight(n), 0);
	assert_int_equal(s.bad_dma, 0);
	teardown(&s, n);
}

static void test_nic_a_binding_that_completes_reads_out_of_order_loses_no_frame(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	/* Four queues steered by RSS on UDP ports (the key below, the reset
	 * table: entry i -> queue i mod 4). */
	struct nic *n = setup(&s, &b, 4, "off");
	struct late l;
	late_install(&l, &s, &b);
	l.is_reversing = true;
	for (uint32_t i = 0; i < NIC_REG_RSSRK_COUNT; i++)
		bus_reg_write(&b, 0, NIC_REG_RSSRK + 4 * i, 0x6d5a56dau ^ (i * 0x9e3779b9u));
	bus_reg_write(&b, 0, NIC_REG_MRQC, NIC_MRQC_RSS_EN | 1u << 2);   /* udp_ipv4 */
	for (uint32_t q = 0; q < 4; q++)
		bus_reg_write(&b, 0, NIC_REG_RXQ(q) + NIC_RXQ_RDT, ENTRIES - 1);
	enum { FRAMES = 40 };
	for (int i = 0; i < FRAMES; i++) {
		struct pkt *p = frame_new_port(&s, (uint16_t)(1000 + 17 * i));
		bus_frame_in(&b, sim_now_ps(s.k), p);
		pkt_release(p);
	}
	sim_run_until(s.k, SIM_TIME_NEVER);
	/* The four fetches (one a queue) came back latest first. */
	assert_int_equal(l.delivered, 4);
	assert_int_equal(l.reversed, 3);
	uint64_t placed = 0, dropped = 0, used = 0;
	for (uint32_t q = 0; q < 4; q++) {
		const struct nic_queue_stats *qs = nic_queue_stats(n, q);
		placed += qs->rx_packets;
		dropped += qs->drop_no_desc + qs->drop_buffer_full;
		used += qs->rx_packets > 0;
		assert_true(qs->rx_packets <= ENTRIES - 1);
	}
	assert_int_equal(placed + dropped, FRAMES);
	assert_true(used >= 2);   /* RSS spread them */
	assert_int_equal(nic_in_flight(n), 0);
	assert_int_equal(pkt_pool_in_use(s.pool), placed);
	assert_int_equal(s.bad_dma, 0);
	teardown(&s, n);
}

/* A binding that completes a read twice, or completes what the NIC never
 * issued: counted and ignored, nothing else changes. */
static struct bus_dma *dup_op;
static void (*dup_complete)(void *nic, uint64_t t_ps, struct bus_dma *op);
static void dup_binding(void *nic, uint64_t t_ps, struct bus_dma *op)
{
	dup_complete(nic, t_ps, op);
	dup_complete(nic, t_ps, op);   /* the same completion again */
	struct bus_dma stray = *op;    /* and one for an op the NIC never lent */
	dup_complete(nic, t_ps, &stray);
	stray.tag = 1000;
	dup_complete(nic, t_ps, &stray);
	dup_op = op;
}

static void test_nic_completions_for_no_read_on_its_way_are_counted_and_ignored(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	dup_complete = b.nic.dma_complete;
	b.nic.dma_complete = dup_binding;
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_non_null(dup_op);
	assert_int_equal(nic_stats(n)->bad_dma_completions, 3);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 1);
	assert_int_equal(s.wb_t[0], 584267);   /* as with the native binding (the first test) */
	teardown(&s, n);
}

/* pcie.read_tags=1 and four queues given descriptors at once: one fetch at a
 * time, the other three wait for the tag (counted), and each queue gets its
 * descriptors in turn. */
static void test_nic_fetches_wait_for_a_read_tag(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup_with(&s, &b, 4, "off", "pcie.read_tags=1");
	for (uint32_t q = 0; q < 4; q++)
		bus_reg_write(&b, 0, NIC_REG_RXQ(q) + NIC_RXQ_RDT, ENTRIES - 1);
	assert_int_equal(nic_stats(n)->read_tag_waits, 3);
	sim_run_until(s.k, SIM_TIME_NEVER);
	/* Four reads, one after another: each 566.6 ns on an idle link (the
	 * first test), so the fourth lands after 4 x 566.6 = 2266 ns. */
	assert_int_equal(nic_pcie_stats(n)->reads, 4);
	assert_true(sim_now_ps(s.k) >= 4 * 566569);
	/* RSS is off (MRQC 0): frames go to queue 0, which has its descriptors. */
	send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 1);
	teardown(&s, n);
}

/* A ring reset (RDLEN rewritten) while a descriptor fetch is on its way: what
 * the fetch brings is discarded, and the new ring's own fetch gives the frame
 * descriptor 0. */
static void test_nic_a_fetch_that_lands_after_a_ring_reset_is_discarded(void **state)
{
	(void)state;
	struct stub s;
	struct bus b;
	struct nic *n = setup(&s, &b, 1, "off");
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);   /* fetch on its way until 566.6 ns */
	sim_run_until(s.k, 100 * SIM_PS_PER_NS);
	/* The driver moves the ring's buffers: descriptor 0 now points at the
	 * fourth buffer, and the ring is reset. */
	struct nic_rx_desc_read d = { .buf_addr = BUF_ADDR + 3 * 2048u };
	memcpy(s.ring, &d, sizeof d);
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_RDLEN, ENTRIES * NIC_RX_DESC_BYTES);
	sim_run_until(s.k, 1 * SIM_PS_PER_US);   /* the stale fetch has landed */
	bus_reg_write(&b, sim_now_ps(s.k), NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	send_frame(&s, &b);
	sim_run_until(s.k, SIM_TIME_NEVER);
	assert_int_equal(nic_queue_stats(n, 0)->rx_packets, 1);
	assert_null(s.buf_pkt[0]);        /* not the stale descriptor's buffer */
	assert_non_null(s.buf_pkt[3]);    /* the new descriptor 0's */
	assert_int_equal(nic_pcie_stats(n)->reads, 2);
	teardown(&s, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nic_frame_is_written_back_and_signalled_by_msix),
		cmocka_unit_test(test_nic_drops_for_want_of_a_descriptor_and_counts_it),
		cmocka_unit_test(test_nic_unknown_and_invalid_register_accesses_are_counted_not_fatal),
		cmocka_unit_test(test_nic_ring_reset_under_a_dma_drops_the_frame_and_writes_nothing),
		cmocka_unit_test(test_nic_delay_moderation_holds_the_interrupt_for_usecs),
		cmocka_unit_test(test_nic_throttle_moderation_signals_a_lone_frame_at_once_then_paces),
		cmocka_unit_test(test_nic_status_reports_link_up_and_the_line_rate),
		cmocka_unit_test(test_nic_without_drop_en_a_frame_waits_for_a_descriptor_and_the_buffer_overflows),
		cmocka_unit_test(test_nic_a_binding_that_delays_every_read_completion_delays_only_the_frames),
		cmocka_unit_test(test_nic_a_binding_that_completes_reads_out_of_order_loses_no_frame),
		cmocka_unit_test(test_nic_completions_for_no_read_on_its_way_are_counted_and_ignored),
		cmocka_unit_test(test_nic_fetches_wait_for_a_read_tag),
		cmocka_unit_test(test_nic_a_fetch_that_lands_after_a_ring_reset_is_discarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
