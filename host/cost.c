#include "host/cost.h"

#include <stddef.h>
#include <stdint.h>

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
		.defval = "1900", .max = 10000000,
		.desc = "TCP/IP receive work in the DPC per TCP segment (per aggregate with host.gro), same core as the "
			"application; times cost.x_remote_permille when it is on another.",
		.source = "derived from Cai et al., SIGCOMM'21: tcp/ip + skb + mm + lock = 6,120 cycles a packet without "
			  "offloads with the application on another core, / 1.6 (their aRFS gain) = 3,800 for the same "
			  "core, split evenly between the softirq and the application's recv (their receiver ran 100% "
			  "softirq and 86% application core) [D/A]; docs/cost-model.md",
	},
	{
		.key = "cost.rx_app_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_app_cycles), .unit = "cycles",
		.defval = "1900", .max = 10000000,
		.desc = "TCP receive work in the application's recv per segment (per aggregate with host.gro), on the "
			"application's core (host.app_cpu); times cost.x_remote_permille when that is not the DPC's.",
		.source = "the other half of the 3,800 above (Cai et al., SIGCOMM'21) [D/A]; docs/cost-model.md",
	},
	{
		.key = "cost.gro_seg_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, gro_seg_cycles), .unit = "cycles",
		.defval = "600", .max = 10000000,
		.desc = "A segment GRO merges into an open aggregate (host.gro), instead of cost.rx_tcp_cycles.",
		.source = "fitted to Cai et al., SIGCOMM'21, all optimisations: tcp/ip + skb + mm + lock 17.5% of 0.645 "
			  "cycles/byte = 1,010 cycles a 9 KB frame, 7 frames an aggregate, less the aggregate's "
			  "cost.rx_tcp_cycles and cost.rx_app_cycles [D]; docs/cost-model.md",
	},
	{
		.key = "cost.rx_other_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_other_cycles), .unit = "cycles",
		.defval = "1900", .max = 10000000,
		.desc = "Stack cycles per received non-TCP frame (UDP, ICMP, ARP, ...).",
		.source = "assumption [A]: half of the 3,800 cycles a TCP segment costs in the DPC and the recv together "
			  "(no connection state, no ACK generation); no published figure",
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
		.source = "assumption [A] (range 10k-100k, docs/cost-model.md): chosen so that offload breaks even around "
			  "100-130 KB a connection, the [R] Microsoft policy",
	},
	{
		.key = "cost.toe_upload_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, toe_upload_cycles), .unit = "cycles",
		.defval = "30000", .max = 100000000,
		.desc = "Host cycles to take one connection back from the engine (C_toe_up).",
		.source = "assumption [A] (range 10k-100k, docs/cost-model.md)",
	},
	{
		.key = "cost.toe_io_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, toe_io_cycles), .unit = "cycles",
		.defval = "3000", .max = 10000000,
		.desc = "Host cycles per offloaded request completed (a send acknowledged, received data indicated or "
			"a posted buffer completed): post and completion (C_toe_io).",
		.source = "assumption [A] (docs/cost-model.md); no published figure",
	},
	{
		.key = "cost.dma_cycles", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, dma_cycles), .unit = "cycles",
		.defval = "1500", .max = 10000000,
		.desc = "Host cycles per NetDMA copy: descriptor setup and submit, and taking its completion (C_dma).",
		.source = "derived [D], range 900-4,000: the copy-break (2-4 KB, ioatdma) times a CPU copy's "
			  "0.45-1.0 cycles/byte, where the engine starts to pay",
	},
	{
		.key = "cost.x_remote_permille", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, x_remote_permille), .unit = "permille",
		.defval = "1600", .min = 1000, .max = 10000,
		.desc = "Locality: receive protocol and copy work cost this much more when the application runs on "
			"another core than the DPC (host.app_cpu=other) - cache lines of the socket and the data move.",
		.source = "derived from Cai et al., SIGCOMM'21: aRFS gives 1.58x throughput per core with jumbo frames and "
			  "1.89x with TSO/GRO: 1.6 (range 1.45-1.9)",
	},
	{
		.key = "cost.ref_clock_mhz", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, ref_clock_mhz), .unit = "MHz",
		.defval = "3400", .min = 100, .max = 10000,
		.desc = "The clock the cycle figures are for; at another host.clock_mhz each is scaled (cost.rx_mem_pct, "
			"cost.tx_mem_pct).",
		.source = "Cai et al., SIGCOMM'21: Xeon Gold 6128 at 3.4 GHz, the machine the defaults come from",
	},
	{
		.key = "cost.rx_mem_pct", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, rx_mem_pct), .unit = "%",
		.max = 100, .defval = "50",
		.desc = "Memory-bound share of receive-side cycles: at clock f each receive figure is scaled by "
			"(1 - m) + m * f / cost.ref_clock_mhz.",
		.source = "assumption [A]: receive is memory-bound (Makineni and Iyer, HPCA'04) and "
			  "network throughput scales only 33-68% with the clock (Freimuth et al., USENIX'05)",
	},
	{
		.key = "cost.tx_mem_pct", .type = PARAM_U32,
		.offset = offsetof(struct cost_cfg, tx_mem_pct), .unit = "%",
		.max = 100, .defval = "20",
		.desc = "Memory-bound share of transmit-side cycles (as cost.rx_mem_pct).",
		.source = "assumption [A]: transmit is compute-bound (Makineni and Iyer, HPCA'04)",
	},
	{
		.key = "cost.irq_per_frame", .type = PARAM_BOOL,
		.offset = offsetof(struct cost_cfg, is_irq_per_frame),
		.defval = "false",
		.desc = "Charge an interrupt and a DPC run for every frame received and every send completed, instead "
			"of for each one taken: the software path's interrupt cost, without moderation or batching "
			"(nicsim run --baseline sets it).",
		.source = "the issue's baseline: one interrupt per frame (docs/cost-model.md)",
	},
	{ .key = NULL },
};

const uint8_t cost_term_cat[COST_TERM_COUNT] = {
	[COST_T_IRQ] = CPU_ISR,           [COST_T_DPC] = CPU_DRIVER,       [COST_T_RX_DRIVER] = CPU_DRIVER,
	[COST_T_TX_CLEAN] = CPU_DRIVER,   [COST_T_RX_PROTO] = CPU_PROTOCOL, [COST_T_TOE] = CPU_PROTOCOL,
	[COST_T_ACK_RX] = CPU_PROTOCOL,   [COST_T_ACK_TX] = CPU_PROTOCOL,  [COST_T_RX_CSUM] = CPU_PROTOCOL,
	[COST_T_TX_CSUM] = CPU_PROTOCOL,  [COST_T_TX_OUTPUT] = CPU_PROTOCOL, [COST_T_COPY_RX] = CPU_COPY,
	[COST_T_COPY_TX] = CPU_COPY,      [COST_T_DMA] = CPU_COPY,
};
const uint8_t cost_term_feature[COST_TERM_COUNT] = {
	[COST_T_IRQ] = COST_F_INTERRUPTS,     [COST_T_DPC] = COST_F_INTERRUPTS,
	[COST_T_RX_DRIVER] = COST_F_DRIVER,   [COST_T_TX_CLEAN] = COST_F_DRIVER,
	[COST_T_RX_PROTO] = COST_F_PROTOCOL,  [COST_T_TOE] = COST_F_PROTOCOL,
	[COST_T_ACK_RX] = COST_F_ACKS,        [COST_T_ACK_TX] = COST_F_ACKS,
	[COST_T_RX_CSUM] = COST_F_RX_CSUM,    [COST_T_TX_CSUM] = COST_F_TX_CSUM,
	[COST_T_TX_OUTPUT] = COST_F_SEGMENTATION,
	[COST_T_COPY_RX] = COST_F_COPIES,     [COST_T_COPY_TX] = COST_F_COPIES, [COST_T_DMA] = COST_F_COPIES,
};

static const char *const feature_names[COST_FEATURE_COUNT][2] = {
	[COST_F_INTERRUPTS] = { "interrupts", "ISRs and DPC runs (cost.irq_cycles, cost.dpc_cycles): interrupt "
					      "moderation and batching; fewer frames with the TOE" },
	[COST_F_DRIVER] = { "driver", "receive buffers, offload events read and sends cleaned (cost.rx_pkt_cycles, "
				      "cost.tx_clean_cycles): fewer sends with LSO, fewer frames with the TOE" },
	[COST_F_PROTOCOL] = { "protocol", "TCP/IP receive work in the DPC and the application (cost.rx_tcp_cycles, "
					  "cost.rx_app_cycles, cost.rx_other_cycles), the TOE's handoffs and requests: GRO, "
					  "the TOE" },
	[COST_F_ACKS] = { "acks", "pure ACKs received and sent (cost.ack_rx_cycles, cost.ack_tx_cycles): the TOE" },
	[COST_F_RX_CSUM] = { "rx_checksum", "software checksums of received frames: receive checksum offload" },
	[COST_F_TX_CSUM] = { "tx_checksum", "software checksums of sent frames: transmit checksum insertion" },
	[COST_F_SEGMENTATION] = { "segmentation", "per wire frame output (cost.tx_wire_cycles, "
						  "cost.tx_wire_tso_cycles): LSO, the TOE" },
	[COST_F_COPIES] = { "copies", "payload copies by a core, and NetDMA's submits and stalls: NetDMA, the "
				      "TOE's sends (read from the application's buffer by the engine)" },
};
const char *cost_feature_name(enum cost_feature f) { return feature_names[f][0]; }
const char *cost_feature_desc(enum cost_feature f) { return feature_names[f][1]; }

static uint32_t scaled(uint32_t cycles, uint32_t mem_pct, uint32_t f, uint32_t f_ref)
{
	/* cycles * ((100 - m) + m * f / f_ref) / 100, in integers, rounded */
	uint64_t num = (uint64_t)cycles * ((uint64_t)(100 - mem_pct) * f_ref + (uint64_t)mem_pct * f);
	uint64_t den = 100ull * f_ref;
	uint64_t v = (num + den / 2) / den;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

struct cost_cfg cost_at_clock(const struct cost_cfg *c, uint32_t clock_mhz)
{
	struct cost_cfg e = *c;
	uint32_t f = clock_mhz, r = c->ref_clock_mhz ? c->ref_clock_mhz : clock_mhz;
	if (f == r)
		return e;
	uint32_t *rx[] = { &e.irq_cycles, &e.rx_pkt_cycles, &e.rx_tcp_cycles, &e.rx_app_cycles, &e.gro_seg_cycles,
			   &e.rx_other_cycles, &e.copy_mcyc_per_byte, &e.csum_mcyc_per_byte, &e.dpc_cycles,
			   &e.ack_rx_cycles, &e.toe_offload_cycles, &e.toe_upload_cycles, &e.toe_io_cycles,
			   &e.dma_cycles };
	uint32_t *tx[] = { &e.tx_wire_cycles, &e.tx_wire_tso_cycles, &e.ack_tx_cycles, &e.tx_copy_mcyc_per_byte,
			   &e.tx_clean_cycles };
	for (size_t i = 0; i < sizeof rx / sizeof rx[0]; i++)
		*rx[i] = scaled(*rx[i], c->rx_mem_pct, f, r);
	for (size_t i = 0; i < sizeof tx / sizeof tx[0]; i++)
		*tx[i] = scaled(*tx[i], c->tx_mem_pct, f, r);
	return e;
}
