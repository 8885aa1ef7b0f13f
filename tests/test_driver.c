/*
 * The driver on its own, wired to a stub NIC through the bus: the stub
 * answers register reads (CAPS, INFLIGHT), records register writes, and
 * plays the NIC's side of a receive by hand: a DMA read of the descriptor,
 * the frame's data and write-back as DMA writes, then an MSI-X message. The
 * kernel is stepped from outside. Expected values are worked out in the
 * comments from the register map (models/nic_regs.h) and the cost model's
 * defaults (docs/config.md), not from the driver.
 */
#include "testutil.h"

#include <string.h>

#include "host/cpu.h"
#include "host/driver.h"
#include "models/nic_regs.h"
#include "sim/nicsim/config.h"

#define STUB_QUEUES 4u
#define STUB_RETA 128u
#define WRITES_MAX 4096

struct stub_nic {
	struct bus *bus;
	uint64_t ring[STUB_QUEUES];         /* RDBAL/RDBAH as written */
	uint32_t rdt[STUB_QUEUES];
	uint32_t eitr[STUB_QUEUES], eims[STUB_QUEUES];
	uint32_t mrqc, rctl, rssdefq;
	uint8_t key[NIC_REG_RSSRK_COUNT * 4];
	uint16_t reta[STUB_RETA];
	uint64_t addr[WRITES_MAX];          /* every register write, in order */
	uint32_t n_writes;
};

static uint64_t stub_reg_read(void *nic, uint64_t t, uint64_t addr)
{
	(void)t;
	(void)nic;
	if (addr == NIC_REG_CAPS)
		return STUB_QUEUES | STUB_RETA << 16;
	return 0;   /* INFLIGHT: nothing in the NIC; MRQC etc. read as reset */
}

static void stub_reg_write(void *nic, uint64_t t, uint64_t addr, uint64_t val)
{
	(void)t;
	struct stub_nic *s = nic;
	if (s->n_writes < WRITES_MAX)
		s->addr[s->n_writes++] = addr;
	uint32_t v = (uint32_t)val;
	if (addr >= NIC_REG_RXQ(0) && addr < NIC_REG_RXQ(STUB_QUEUES)) {
		uint32_t q = (uint32_t)(addr - NIC_REG_RXQ(0)) / 0x40u, off = (uint32_t)(addr - NIC_REG_RXQ(q));
		if (off == NIC_RXQ_RDBAL)
			s->ring[q] = (s->ring[q] & ~0xffffffffull) | v;
		else if (off == NIC_RXQ_RDBAH)
			s->ring[q] = (s->ring[q] & 0xffffffffull) | (uint64_t)v << 32;
		else if (off == NIC_RXQ_RDT)
			s->rdt[q] = v;
	} else if (addr >= NIC_REG_EITR(0) && addr < NIC_REG_EITR(STUB_QUEUES)) {
		s->eitr[(addr - NIC_REG_EITR(0)) / 4] = v;
	} else if (addr >= NIC_REG_EIMS(0) && addr < NIC_REG_EIMS(STUB_QUEUES)) {
		s->eims[(addr - NIC_REG_EIMS(0)) / 4]++;
	} else if (addr >= NIC_REG_RSSRK && addr < NIC_REG_RSSRK + 4 * NIC_REG_RSSRK_COUNT) {
		memcpy(s->key + (addr - NIC_REG_RSSRK), &v, 4);
	} else if (addr >= NIC_REG_RETA && addr < NIC_REG_RETA + 2 * STUB_RETA) {
		uint32_t i = (uint32_t)(addr - NIC_REG_RETA) / 4;
		s->reta[2 * i] = (uint16_t)v;
		s->reta[2 * i + 1] = (uint16_t)(v >> 16);
	} else if (addr == NIC_REG_MRQC) {
		s->mrqc = v;
	} else if (addr == NIC_REG_RCTL) {
		s->rctl = v;
	} else if (addr == NIC_REG_RSSDEFQ) {
		s->rssdefq = v;
	}
}

struct rig {
	struct sim_kernel *k;
	struct pkt_pool *pool;
	struct bus bus;
	struct stub_nic nic;
	struct cpu *cpu;
	struct driver *drv;
	struct nicsim_cfg cfg;
	uint32_t delivered;
	struct driver_rx_info last;
	uint32_t last_payload;
};

static void on_deliver(void *ctx, const struct pkt *p, const struct driver_rx_info *info)
{
	(void)p;
	struct rig *g = ctx;
	g->delivered++;
	g->last = *info;
	g->last_payload = info->pr->payload_len;
}

static void rig_up(struct rig *g, const char *const *sets)
{
	memset(g, 0, sizeof *g);
	config_defaults(&g->cfg);
	for (const char *const *s = sets; s && *s; s++)
		assert_int_equal(config_set(&g->cfg, *s, NULL, 0), 0);
	g->k = sim_kernel_new();
	g->pool = pkt_pool_new();
	g->nic.bus = &g->bus;
	g->bus.nic = (struct bus_nic_if){ .nic = &g->nic, .reg_read = stub_reg_read, .reg_write = stub_reg_write };
	char err[256];
	assert_int_equal(cpu_new(&g->cpu, g->k, g->cfg.host.cpus, g->cfg.host.clock_mhz, STUB_QUEUES + 1, err,
				 sizeof err), 0);
	assert_int_equal(driver_new(&g->drv, g->k, &g->bus, g->cpu, &g->cfg.host, &g->cfg.cost, &g->cfg.rss_policy,
				    &g->cfg.irq, &g->cfg.tx, g->cfg.mac.mtu, PARSE_LINK_ETH, err, sizeof err), 0);
	driver_attach(g->drv, &g->bus);
	driver_on_deliver(g->drv, on_deliver, g);
	driver_start(g->drv);
}

static void rig_down(struct rig *g)
{
	driver_free(g->drv);
	cpu_free(g->cpu);
	assert_int_equal(pkt_pool_in_use(g->pool), 0);
	pkt_pool_free(g->pool);
	sim_kernel_free(g->k);
}

/* The NIC's side of one receive on queue q, descriptor slot, now: read the
 * descriptor, write the frame's bytes to its buffer and the write-back
 * after them. A TCP/IPv4 frame of frame_len bytes (payload frame_len - 54). */
static void nic_receives(struct rig *g, uint32_t q, uint32_t slot, uint32_t frame_len, uint32_t hash)
{
	uint64_t now = sim_now_ps(g->k);
	uint8_t d[NIC_RX_DESC_BYTES];
	struct bus_dma rd = { .addr = g->nic.ring[q] + slot * NIC_RX_DESC_BYTES, .len = NIC_RX_DESC_BYTES, .data = d };
	bus_dma(&g->bus, now, &rd);
	struct nic_rx_desc_read desc;
	memcpy(&desc, d, sizeof desc);
	assert_true(desc.buf_addr != 0);

	uint8_t rec[16 + 2048];
	static const uint8_t a[4] = { 10, 0, 0, 2 }, b[4] = { 10, 0, 0, 1 };
	tu_pcap_tcp4(rec, 0, frame_len, a, 1000, b, 80, 0x10);
	struct pkt *p = pkt_alloc(g->pool, frame_len);
	memcpy(p->data, rec + 16, frame_len);
	p->cap_len = p->wire_len = frame_len;
	p->t_ps[PKT_T_WIRE] = now;
	p->t_ps[PKT_T_DMA_DONE] = now;
	struct bus_dma data = { .addr = desc.buf_addr, .len = frame_len, .is_write = true, .data = p->data, .pkt = p };
	bus_dma(&g->bus, now, &data);
	pkt_release(p);   /* the bus lent it: the driver holds its own reference now */
	struct nic_rx_desc_wb wb = {
		.rss_hash = hash, .length = (uint16_t)frame_len, .frame_len = frame_len,
		.pkt_type = NIC_PTYPE_IPV4 | NIC_PTYPE_TCP,
		.status = NIC_RXD_STAT_DD | NIC_RXD_STAT_EOP | NIC_RXD_STAT_RSS | NIC_RXD_STAT_IPCS | NIC_RXD_STAT_L4CS |
			  NIC_RXD_STAT_PARSED,
	};
	struct bus_dma w = { .addr = rd.addr, .len = NIC_RX_DESC_BYTES, .is_write = true, .data = (uint8_t *)&wb };
	bus_dma(&g->bus, now, &w);
}

static void test_driver_start_programs_the_nic_through_registers_only(void **state)
{
	(void)state;
	struct rig g;
	rig_up(&g, NULL);
	/* The first write resets the NIC; the last two enable receive, then
	 * (after the TX rings) transmit. */
	assert_int_equal(g.nic.addr[0], NIC_REG_CTRL);
	assert_int_equal(g.nic.addr[g.nic.n_writes - 1], NIC_REG_TCTL);
	bool has_rctl = false;
	for (uint32_t i = 0; i < g.nic.n_writes; i++)
		has_rctl |= g.nic.addr[i] == NIC_REG_RCTL;
	assert_true(has_rctl);
	assert_int_equal(g.nic.rctl, NIC_RCTL_EN);
	/* The default key is Microsoft's 40-byte verification key, then zeros. */
	static const uint8_t ms_key[40] = { 0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
					    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
					    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
					    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa };
	assert_memory_equal(g.nic.key, ms_key, 40);
	for (int i = 40; i < 52; i++)
		assert_int_equal(g.nic.key[i], 0);
	/* Four queues (from CAPS): RETA entry i -> queue i mod 4 over the
	 * 128 entries CAPS reports. */
	assert_int_equal(driver_queues(g.drv), STUB_QUEUES);
	for (uint32_t e = 0; e < STUB_RETA; e++)
		assert_int_equal(g.nic.reta[e], e % STUB_QUEUES);
	/* MRQC: RSS on (bit 31) and the six default types, bits 0..5 of
	 * ipv4,tcp_ipv4,udp_ipv4,ipv6,tcp_ipv6,udp_ipv6. */
	assert_int_equal(g.nic.mrqc, 0x8000003fu);
	assert_int_equal(g.nic.rssdefq, 0);
	for (uint32_t q = 0; q < STUB_QUEUES; q++) {
		assert_true(g.nic.ring[q] != 0);
		assert_int_equal(g.nic.rdt[q], 511);          /* 512 descriptors, one slot kept empty */
		assert_int_equal(g.nic.eitr[q], 50);          /* 50 us, no frame limit: (0 << 16) | 50 */
		assert_int_equal(g.nic.eims[q], 1);           /* armed once */
	}
	rig_down(&g);
}

static void test_driver_legacy_mode_uses_one_queue_and_turns_rss_off(void **state)
{
	(void)state;
	struct rig g;
	rig_up(&g, (const char *[]){ "host.mode=legacy", "irq.mode=off", NULL });
	assert_int_equal(driver_queues(g.drv), 1);
	assert_int_equal(g.nic.mrqc, 0x3fu);       /* types kept, RSS off */
	assert_int_equal(g.nic.eitr[0], 1u << 16); /* off: interval 0, one frame */
	for (uint32_t e = 0; e < STUB_RETA; e++)
		assert_int_equal(g.nic.reta[e], 0);
	rig_down(&g);
}

/* One 1514-byte TCP frame on queue 1 (payload 1460), interrupt at t = 0.
 * Host at 3.4 GHz, cost defaults. Queue 1's CPU is CPU 1 (RSS: queue q on
 * CPU q); its application runs on CPU 5 (host.app_cpu=other: the cores no
 * queue uses, 4..7, round robin), so receive protocol and copy pay
 * x_remote 1.6:
 *   ISR 5000 cycles, ends at 5000 / 3.4 GHz = 1470.588 ns -> 1470589 ps
 *   (rounded up);
 *   one DPC step of driver 850 + DPC fixed 1000 + TCP 1900 * 1.6 = 3040
 *   (checksum checked by the NIC: none in software) = 4890 cycles,
 *   1438.235 ns -> 1438236 ps: the frame is delivered at 2908825 ps;
 *   then on CPU 5 the application's recv 1900 * 1.6 = 3040 and its copy
 *   ceil(1460 * 0.350) = 511 * 1.6 = 817.6 -> 818: 3858 cycles,
 *   1134.706 ns -> 1134706 ps, ending at 4043531 ps.
 * The software path beside it (shadow): the same, plus the checksum in
 * software, ceil(1460 * 0.25) = 365 cycles. */
static void test_driver_isr_then_dpc_charge_the_cost_model_and_give_the_buffer_back(void **state)
{
	(void)state;
	struct rig g;
	rig_up(&g, NULL);
	nic_receives(&g, 1, 0, 1514, 0x12345678u);
	uint32_t eims_before = g.nic.eims[1];
	bus_msix(&g.bus, 0, 0xFEE00000ull, 1);
	sim_run_until(g.k, SIM_TIME_NEVER);
	assert_int_equal(g.delivered, 1);
	assert_int_equal(g.last.queue, 1);
	assert_true(g.last.has_hash);
	assert_int_equal(g.last.rss_hash, 0x12345678u);
	assert_int_equal(g.last_payload, 1460);
	const struct host_cpu_stats *c1 = driver_cpu_stats(g.drv, 1);
	assert_int_equal(c1->cycles[CPU_ISR], 5000);
	assert_int_equal(c1->cycles[CPU_DRIVER], 850 + 1000);
	assert_int_equal(c1->cycles[CPU_PROTOCOL], 3040);
	assert_int_equal(c1->cycles[CPU_COPY], 0);
	assert_int_equal(c1->items[CPU_WORK_ISR], 1);
	assert_int_equal(c1->items[CPU_WORK_DPC], 1);
	assert_int_equal(c1->base[COST_T_RX_CSUM], 365);
	assert_int_equal(c1->base[COST_T_IRQ] + c1->base[COST_T_DPC], 5000 + 1000);
	assert_int_equal(c1->base[COST_T_RX_PROTO], 3040);
	const struct host_cpu_stats *c5 = driver_cpu_stats(g.drv, 5);
	assert_int_equal(c5->cycles[CPU_PROTOCOL], 3040);
	assert_int_equal(c5->cycles[CPU_COPY], 818);
	assert_int_equal(c5->items[CPU_WORK_APP], 1);
	assert_int_equal(c5->base[COST_T_RX_PROTO] + c5->base[COST_T_COPY_RX], 3040 + 818);
	assert_int_equal(host_cpu_busy_cycles(driver_cpu_stats(g.drv, 0)), 0);
	assert_int_equal(sim_now_ps(g.k), 1470589 + 1438236 + 1134706);
	const struct hist *e2e = driver_queue_lat(g.drv, 1, LAT_E2E);
	assert_int_equal(hist_count(e2e), 1);
	assert_int_equal(hist_max(e2e), 1470589 + 1438236);
	/* The buffer went back: tail one behind next_to_clean (1), i.e. 0; and
	 * the vector is re-armed once the ring is empty. */
	assert_int_equal(g.nic.rdt[1], 0);
	assert_int_equal(g.nic.eims[1], eims_before + 1);
	assert_int_equal(driver_in_flight(g.drv), 0);
	assert_true(driver_queue_is_drained(g.drv, 1));
	rig_down(&g);
}

/* Three frames with a budget of two: the DPC runs twice (the second run
 * re-queued by the first, the vector still masked) and re-arms the vector
 * once, after the third frame. */
static void test_driver_dpc_budget_requeues_the_dpc_before_it_rearms(void **state)
{
	(void)state;
	struct rig g;
	rig_up(&g, (const char *[]){ "host.dpc_budget_pkts=2", NULL });
	for (uint32_t i = 0; i < 3; i++)
		nic_receives(&g, 0, i, 60, 0);
	uint32_t eims_before = g.nic.eims[0];
	bus_msix(&g.bus, 0, 0xFEE00000ull, 0);
	sim_run_until(g.k, SIM_TIME_NEVER);
	assert_int_equal(g.delivered, 3);
	assert_int_equal(driver_queue_stats(g.drv, 0)->dpc_runs, 2);
	assert_int_equal(driver_cpu_stats(g.drv, 0)->items[CPU_WORK_DPC], 2);
	/* Two fixed DPC costs and three frames' driver work. */
	assert_int_equal(driver_cpu_stats(g.drv, 0)->cycles[CPU_DRIVER], 2 * 1000 + 3 * 850);
	assert_int_equal(g.nic.eims[0], eims_before + 1);
	assert_int_equal(g.nic.rdt[0], 2);   /* next_to_clean 3, tail one behind */
	rig_down(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_start_programs_the_nic_through_registers_only),
		cmocka_unit_test(test_driver_legacy_mode_uses_one_queue_and_turns_rss_off),
		cmocka_unit_test(test_driver_isr_then_dpc_charge_the_cost_model_and_give_the_buffer_back),
		cmocka_unit_test(test_driver_dpc_budget_requeues_the_dpc_before_it_rearms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
