#include "host/cost.h"

#include <stddef.h>

const struct param_def cost_params[] = {
	{ "cost.irq_cycles", PARAM_U32, offsetof(struct cost_cfg, irq_cycles), "cycles", "5000", 0, 10000000, 0,
	  NULL, 0, "Host cycles per interrupt: hard IRQ plus scheduling the DPC (direct + cache effects).",
	  "assumption [A]: 5,000, within Tsafrir, ExpCS'07 (a 1000 Hz tick costs 0.5-1.5% of a CPU: 5-15 us per interrupt)" },
	{ "cost.rx_pkt_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_pkt_cycles), "cycles", "850", 0, 10000000,
	  0, NULL, 0, "Driver/netdev cycles per received frame.",
	  "derived from Cai et al., SIGCOMM'21: the receiver's netdev share, 750 cycles a frame without offloads, 1,050 with all on" },
	{ "cost.rx_tcp_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_tcp_cycles), "cycles", "3800", 0,
	  10000000, 0, NULL, 0, "TCP/IP stack cycles per received TCP segment (same-core).",
	  "derived from Cai et al., SIGCOMM'21: tcp/ip + skb + mm + lock = 6,120 cycles a packet without offloads, with the application on another core; / 1.6 for the same core (their aRFS gain)" },
	{ "cost.rx_other_cycles", PARAM_U32, offsetof(struct cost_cfg, rx_other_cycles), "cycles", "1900", 0,
	  10000000, 0, NULL, 0, "Stack cycles per received non-TCP frame (UDP, ICMP, ARP, ...).",
	  "assumption [A]: half of C_rx_tcp (no connection state, no ACK generation); no published figure" },
	{ "cost.copy_mcyc_per_byte", PARAM_U32, offsetof(struct cost_cfg, copy_mcyc_per_byte), "millicycles/byte",
	  "350", 0, 1000000, 0, NULL, 0, "Copy of received payload to the application.",
	  "derived from Cai et al., SIGCOMM'21, all optimisations on: the receiver's copy share, 0.35 cycles/byte at 3.4 GHz" },
	{ "cost.csum_mcyc_per_byte", PARAM_U32, offsetof(struct cost_cfg, csum_mcyc_per_byte), "millicycles/byte",
	  "250", 0, 1000000, 0, NULL, 0, "Software checksum when the NIC did not verify it (nic.rx_csum=false).",
	  "assumption [A]: 0.25 cycles/byte, a data-touching cost of the copy's class (Clark et al., IEEE Commun. Mag. 1989; Kay and Pasquale, SIGCOMM'93)" },
	{ "cost.dpc_cycles", PARAM_U32, offsetof(struct cost_cfg, dpc_cycles), "cycles", "1000", 0, 10000000, 0,
	  NULL, 0, "Fixed cycles per DPC run: dispatch, RX tail doorbell, interrupt re-arm.",
	  "assumption [A]: two MMIO writes (~250 ns each uncached) at 3.4 GHz rounded; no published figure" },
	{ NULL },
};
