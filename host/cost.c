#include "host/cost.h"

#include <stddef.h>

const struct param_def cost_params[] = {
	{
		.key = "cost.irq_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, irq_cycles), .unit = "cycles",
		.defval = "5000", .max = 10000000,
		.desc = "Host cycles per interrupt: hard IRQ plus scheduling the DPC (direct + cache effects).",
		.source = "cpu-cost.md §6 C_irq = 5,000 [A], bounded by Tsafrir ExpCS'07 (5-15 us per tick interrupt)",
	},
	{
		.key = "cost.rx_pkt_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_pkt_cycles), .unit = "cycles",
		.defval = "850", .max = 10000000,
		.desc = "Driver/netdev cycles per received frame.",
		.source = "cpu-cost.md §6 C_rx_pkt = 850 [D], Cai et al. SIGCOMM'21 netdev share",
	},
	{
		.key = "cost.rx_tcp_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_tcp_cycles), .unit = "cycles",
		.defval = "3800", .max = 10000000,
		.desc = "TCP/IP stack cycles per received TCP segment (same-core).",
		.source = "cpu-cost.md §6 C_rx_tcp = 3,800 [D], Cai et al. SIGCOMM'21",
	},
	{
		.key = "cost.rx_other_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_other_cycles), .unit = "cycles",
		.defval = "1900", .max = 10000000,
		.desc = "Stack cycles per received non-TCP frame (UDP, ICMP, ARP, ...).",
		.source = "assumption [A]: half of C_rx_tcp (no connection state, no ACK generation); no published figure",
	},
	{
		.key = "cost.copy_mcyc_per_byte", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, copy_mcyc_per_byte), .unit = "millicycles/byte",
		.defval = "350", .max = 1000000,
		.desc = "Copy of received payload to the application.",
		.source = "cpu-cost.md §6 c_copy_rx = 0.35 cycles/byte [D], Cai et al. all-opts",
	},
	{
		.key = "cost.csum_mcyc_per_byte", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, csum_mcyc_per_byte), .unit = "millicycles/byte",
		.defval = "250", .max = 1000000,
		.desc = "Software checksum when the NIC did not verify it (nic.rx_csum=false).",
		.source = "cpu-cost.md §6 c_csum = 0.25 cycles/byte [A]",
	},
	{
		.key = "cost.dpc_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, dpc_cycles), .unit = "cycles",
		.defval = "1000", .max = 10000000,
		.desc = "Fixed cycles per DPC run: dispatch, RX tail doorbell, interrupt re-arm.",
		.source = "assumption [A]: two MMIO writes (~250 ns each uncached) at 3.4 GHz rounded; no published figure",
	},
	{ .key = NULL },
};

/* Per-byte costs are in millicycles; a charge rounds up to whole cycles. */
static uint64_t per_byte(uint32_t bytes, uint32_t mcyc_per_byte)
{
	return ((uint64_t)bytes * mcyc_per_byte + 999) / 1000;
}

struct cost_charge cost_isr(const struct cost_cfg *c)
{
	return (struct cost_charge){ .cycles[CPU_ISR] = c->irq_cycles };
}

struct cost_charge cost_dpc_run(const struct cost_cfg *c)
{
	return (struct cost_charge){ .cycles[CPU_DRIVER] = c->dpc_cycles };
}

struct cost_charge cost_rx_frame(const struct cost_cfg *c, const struct cost_rx_frame *f)
{
	struct cost_charge ch = { .cycles[CPU_DRIVER] = c->rx_pkt_cycles };
	uint64_t proto = f->is_tcp ? c->rx_tcp_cycles : c->rx_other_cycles;
	if (!f->is_l4_csum_checked && (f->is_tcp || f->is_udp))
		proto += per_byte(f->payload_bytes, c->csum_mcyc_per_byte);
	ch.cycles[CPU_PROTOCOL] = proto;
	ch.cycles[CPU_COPY] = per_byte(f->payload_bytes, c->copy_mcyc_per_byte);
	return ch;
}
