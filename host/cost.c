#include "host/cost.h"

#include <stddef.h>

const struct param_def cost_params[] = {
	{
		.key = "cost.irq_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, irq_cycles), .unit = "cycles",
		.defval = "5000", .max = 10000000,
		.desc = "Host cycles per interrupt: hard IRQ plus scheduling the DPC (direct + cache effects).",
		.source = "assumption [A]: 5,000, within Tsafrir, ExpCS'07 (a 1000 Hz tick costs 0.5-1.5% of a CPU: 5-15 us per interrupt)",
	},
	{
		.key = "cost.rx_pkt_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_pkt_cycles), .unit = "cycles",
		.defval = "850", .max = 10000000,
		.desc = "Driver/netdev cycles per received frame.",
		.source = "derived from Cai et al., SIGCOMM'21: the receiver's netdev share, 750 cycles a frame without offloads, 1,050 with all on",
	},
	{
		.key = "cost.rx_tcp_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_tcp_cycles), .unit = "cycles",
		.defval = "3800", .max = 10000000,
		.desc = "TCP/IP stack cycles per received TCP segment (same-core).",
		.source = "derived from Cai et al., SIGCOMM'21: tcp/ip + skb + mm + lock = 6,120 cycles a packet without offloads, with the application on another core; / 1.6 for the same core (their aRFS gain)",
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
		.source = "derived from Cai et al., SIGCOMM'21, all optimisations on: the receiver's copy share, 0.35 cycles/byte at 3.4 GHz",
	},
	{
		.key = "cost.csum_mcyc_per_byte", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, csum_mcyc_per_byte), .unit = "millicycles/byte",
		.defval = "250", .max = 1000000,
		.desc = "Software checksum when the NIC did not verify it (nic.rx_csum=false).",
		.source = "assumption [A]: 0.25 cycles/byte, a data-touching cost of the copy's class (Clark et al., IEEE Commun. Mag. 1989; Kay and Pasquale, SIGCOMM'93)",
	},
	{
		.key = "cost.dpc_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, dpc_cycles), .unit = "cycles",
		.defval = "1000", .max = 10000000,
		.desc = "Fixed cycles per DPC run: dispatch, RX tail doorbell, interrupt re-arm.",
		.source = "assumption [A]: two MMIO writes (~250 ns each uncached) at 3.4 GHz rounded; no published figure",
	},
	{
		.key = "cost.ack_rx_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, ack_rx_cycles), .unit = "cycles",
		.defval = "1500", .max = 10000000,
		.desc = "Stack cycles per pure ACK received (instead of cost.rx_tcp_cycles).",
		.source = "assumption [A]: 1,500 within a 1,000-2,500 range, below a data segment's cost (no payload, "
			  "no copy, no delivery to the application); no published figure",
	},
	{
		.key = "cost.tx_wire_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, tx_wire_cycles), .unit = "cycles",
		.defval = "4200", .max = 10000000,
		.desc = "TCP/IP output and driver transmit per wire frame the host builds itself: a send's first frame, "
			"and every frame when the host segments (tx.lso off).",
		.source = "derived from Cai et al., SIGCOMM'21, the sender without optimisations: 4,200 cycles a segment "
			  "besides the copy (C_tx_wire without TSO)",
	},
	{
		.key = "cost.tx_wire_tso_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, tx_wire_tso_cycles), .unit = "cycles",
		.defval = "850", .max = 10000000,
		.desc = "Host cycles per further wire frame of a send the NIC segments (TSO).",
		.source = "derived from Cai et al., SIGCOMM'21, the sender with TSO/GRO: 850 cycles a 1.5 KB wire packet "
			  "besides the copy (C_tx_wire with TSO)",
	},
	{
		.key = "cost.ack_tx_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, ack_tx_cycles), .unit = "cycles",
		.defval = "1500", .max = 10000000,
		.desc = "Host cycles per pure ACK sent (instead of cost.tx_wire_cycles).",
		.source = "assumption [A]: 1,500 within a 1,000-2,500 range, below cost.tx_wire_cycles (no payload to "
			  "segment or copy); no published figure",
	},
	{
		.key = "cost.tx_copy_mcyc_per_byte", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, tx_copy_mcyc_per_byte), .unit = "millicycles/byte",
		.defval = "200", .max = 1000000,
		.desc = "Copy of the application's payload into a send.",
		.source = "derived from Cai et al., SIGCOMM'21: the sender's copy share, 0.20 cycles/byte (c_copy_tx)",
	},
	{
		.key = "cost.tx_clean_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, tx_clean_cycles), .unit = "cycles",
		.defval = "300", .max = 10000000,
		.desc = "Driver cycles per completed send cleaned in the DPC (descriptors, buffer freed).",
		.source = "assumption [A]: about a third of cost.rx_pkt_cycles (ixgbe_clean_tx_irq's per-packet work "
			  "is a descriptor read and a buffer free); no published figure",
	},
	{
		.key = "cost.toe_offload_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, toe_offload_cycles), .unit = "cycles",
		.defval = "30000", .max = 100000000,
		.desc = "Host cycles to hand one connection to the offload engine (C_toe_off).",
		.source = "cpu-cost.md §6, assumption [A] (range 10k-100k): chosen so that offload breaks even around "
			  "100-130 KB a connection, the [R] Microsoft policy",
	},
	{
		.key = "cost.toe_upload_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, toe_upload_cycles), .unit = "cycles",
		.defval = "30000", .max = 100000000,
		.desc = "Host cycles to take one connection back from the engine (C_toe_up).",
		.source = "cpu-cost.md §6, assumption [A] (range 10k-100k)",
	},
	{
		.key = "cost.toe_io_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, toe_io_cycles), .unit = "cycles",
		.defval = "3000", .max = 10000000,
		.desc = "Host cycles per offloaded request completed (a send acknowledged, received data indicated or "
			"a posted buffer completed): post and completion (C_toe_io).",
		.source = "cpu-cost.md §6, assumption [A]",
	},
	{ .key = NULL },
};
