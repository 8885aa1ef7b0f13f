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
#define ENTRIES 8u

struct stub {
	uint8_t ring[ENTRIES * NIC_RX_DESC_BYTES];
	struct pkt *buf_pkt[ENTRIES];
	int msix[8];
	uint64_t msix_t[8];
	int bad_dma;
	struct pkt_pool *pool;
	struct sim_kernel *k;
};

static void stub_dma(void *h, uint64_t t, struct bus_dma *op)
{
	(void)t;
	struct stub *s = h;
	if (op->addr >= RING_ADDR && op->addr + op->len <= RING_ADDR + sizeof s->ring) {
		uint8_t *m = s->ring + (op->addr - RING_ADDR);
		if (op->is_write)
			memcpy(m, op->data, op->len);
		else
			memcpy(op->data, m, op->len);
	} else if (op->is_write && op->addr >= BUF_ADDR && op->addr < BUF_ADDR + ENTRIES * 2048) {
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

static struct nic *setup(struct stub *s, struct bus *b, uint32_t queues, const char *irq_mode)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char set[64];
	snprintf(set, sizeof set, "rss.queues=%u", queues);
	assert_int_equal(config_set(&cfg, set, NULL, 0), 0);
	memset(s, 0, sizeof *s);
	s->k = sim_kernel_new();
	s->pool = pkt_pool_new();
	memset(b, 0, sizeof *b);
	struct nic *n;
	char err[256];
	assert_int_equal(nic_new(&n, s->k, b, &cfg.nic, &cfg.mac, &cfg.rss, PARSE_LINK_ETH, err, sizeof err), 0);
	nic_attach(n, b);
	b->host = (struct bus_host_if){ .host = s, .dma = stub_dma, .msix = stub_msix };
	/* Program queue 0: ring of 8 descriptors, buffers 2 KiB apart. */
	for (uint32_t i = 0; i < ENTRIES; i++) {
		struct nic_rx_desc_read d = { .buf_addr = BUF_ADDR + i * 2048u };
		memcpy(s->ring + i * NIC_RX_DESC_BYTES, &d, sizeof d);
	}
	bus_reg_write(b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDBAL, (uint32_t)RING_ADDR);
	bus_reg_write(b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDLEN, ENTRIES * NIC_RX_DESC_BYTES);
	bus_reg_write(b, 0, NIC_REG_RXQ(0) + NIC_RXQ_BUFLEN, 2048);
	bus_reg_write(b, 0, NIC_REG_MSIX(0) + NIC_MSIX_DATA, 0);
	/* Moderation as a driver programs it: "fixed" is 50 us (irq.usecs'
	 * default) under the default throttle timing, "delay" the same under
	 * ethtool's delay rule (EITR.DELAY), "off" EITR's reset value, one
	 * interrupt per frame. */
	uint32_t eitr = !strcmp(irq_mode, "fixed") ? NIC_EITR(50, 0)
			: !strcmp(irq_mode, "delay") ? NIC_EITR(50, 0) | NIC_EITR_DELAY : NIC_EITR(0, 1);
	bus_reg_write(b, 0, NIC_REG_EITR(0), eitr);
	bus_reg_write(b, 0, NIC_REG_EIMS(0), 1);
	bus_reg_write(b, 0, NIC_REG_RCTL, 1);
	return n;
}

static void teardown(struct stub *s, struct nic *n)
{
	for (uint32_t i = 0; i < ENTRIES; i++)
		if (s->buf_pkt[i])
			pkt_release(s->buf_pkt[i]);
	nic_free(n);
	pkt_pool_free(s->pool);
	sim_kernel_free(s->k);
}

/* A minimal Ethernet + IPv4 + UDP frame of 64 bytes (checksums left 0). */
static struct pkt *frame_new(struct stub *s)
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
	p->data[35] = 1, p->data[37] = 2; /* ports 1 -> 2 */
	p->data[39] = 30;                 /* UDP length */
	p->cap_len = p->wire_len = 64;
	return p;
}

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
	/* Timing: wire 64+4+20 bytes at 10 Gb/s = 70.4 ns, of which the last bit
	 * is in 16 ns before the end (the 20-byte overhead); the first DMA starts
	 * after the pipeline and ends 560 ns (nic.dma_latency_ns) after its 64-byte
	 * transfer: the MSI-X (irq.mode=off) comes at least 70.4-16+560 ns in. */
	assert_true(s.msix_t[0] >= 54400 + 560000);
	assert_true(s.msix_t[0] < 2 * SIM_PS_PER_US);
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
	/* Tail 2: two descriptors; the third frame finds none. */
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
	/* The DMA ends 560 ns after its start (nic.dma_latency_ns): reset
	 * the ring at 300 ns, inside it. */
	sim_run_until(s.k, 300 * SIM_PS_PER_NS);
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
	 * fires at once: its MSI-X comes with its write-back, under 2 us in
	 * (test_nic_frame_is_written_back_and_signalled_by_msix's timing). The
	 * other two complete within the next few hundred ns, with the vector
	 * masked (the stub never unmasks): no second interrupt. */
	bus_reg_write(&b, 0, NIC_REG_RXQ(0) + NIC_RXQ_RDT, ENTRIES - 1);
	for (int i = 0; i < 3; i++)
		send_frame(&s, &b);
	sim_run_until(s.k, 2 * SIM_PS_PER_US);
	assert_int_equal(s.msix[0], 1);
	uint64_t first = s.msix_t[0];
	assert_true(first >= 54400 + 560000 && first < 2 * SIM_PS_PER_US);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
