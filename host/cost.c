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
