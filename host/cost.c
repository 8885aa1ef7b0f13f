#include "host/cost.h"

#include <stddef.h>

const struct param_def cost_params[] = {
	{ "cost.irq_cycles", PARAM_U32, offsetof(struct cost_cfg, irq_cycles), "cycles", "5000", 0, 10000000, 0,
	  NULL, 0, "Host cycles per interrupt: hard IRQ plus scheduling the DPC (direct + cache effects).",
	  "cpu-cost.md §6 C_irq = 5,000 [A], bounded by Tsafrir ExpCS'07 (5-15 us per tick interrupt)" },
	{ "cost.rx_pkt_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_pkt_cycles), "cycles", "850", 0, 10000000,
	  0, NULL, 0, "Driver/netdev cycles per received frame.",
	  "cpu-cost.md §6 C_rx_pkt = 850 [D], Cai et al. SIGCOMM'21 netdev share" },
	{ "cost.rx_tcp_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_tcp_cycles), "cycles", "3800", 0,
	  10000000, 0, NULL, 0, "TCP/IP stack cycles per received TCP segment (same-core).",
	  "cpu-cost.md §6 C_rx_tcp = 3,800 [D], Cai et al. SIGCOMM'21" },
	{ "cost.rx_other_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_other_cycles), "cycles", "1900", 0,
	  10000000, 0, NULL, 0, "Stack cycles per received non-TCP frame (UDP, ICMP, ARP, ...).",
	  "assumption [A]: half of C_rx_tcp (no connection state, no ACK generation); no published figure" },
	{ "cost.copy_mcyc_per_byte", PARAM_U32, offsetof(struct cost_cfg, copy_mcyc_per_byte), "millicycles/byte",
	  "350", 0, 1000000, 0, NULL, 0, "Copy of received payload to the application.",
	  "cpu-cost.md §6 c_copy_rx = 0.35 cycles/byte [D], Cai et al. all-opts" },
	{ "cost.csum_mcyc_per_byte", PARAM_U32, offsetof(struct cost_cfg, csum_mcyc_per_byte), "millicycles/byte",
	  "250", 0, 1000000, 0, NULL, 0, "Software checksum when the NIC did not verify it (nic.rx_csum=false).",
	  "cpu-cost.md §6 c_csum = 0.25 cycles/byte [A]" },
	{ "cost.dpc_cycles", PARAM_U32, offsetof(struct cost_cfg, dpc_cycles), "cycles", "1000", 0, 10000000, 0,
	  NULL, 0, "Fixed cycles per DPC run: dispatch, RX tail doorbell, interrupt re-arm.",
	  "assumption [A]: two MMIO writes (~250 ns each uncached) at 3.4 GHz rounded; no published figure" },
	{ NULL },
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
