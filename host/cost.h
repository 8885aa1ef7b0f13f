/*
 * host/cost.h — the host CPU cost model: cycles charged per work item.
 *
 * Defaults and their sources: mostly derived from Cai et al., "Understanding
 * Host Network Stack Overheads", SIGCOMM'21 (doi:10.1145/3452296.3472888), at
 * 3.4 GHz Skylake-SP — each entry in cost_params names its source and how the
 * number follows from it. Per-byte costs are in millicycles per byte so the state stays
 * integral (0.35 cycles/byte = 350).
 *
 * Each kind of work has a function that returns its charge by category;
 * the CPUs (host/cpu.h) spend it. Charged on the receive path (per packet
 * unless said):
 *   ISR:      irq_cycles per interrupt (hard IRQ + DPC/NAPI schedule);
 *   driver:   rx_pkt_cycles (descriptor, buffer, netdev work);
 *   protocol: rx_tcp_cycles for TCP, rx_other_cycles for other IP/non-IP;
 *             + csum_mcyc_per_byte over the IP payload when the NIC did not
 *             verify the checksum;
 *   copy:     copy_mcyc_per_byte over the L4 payload (to the application).
 * Charged on the transmit path (host/driver_tx.c): per send, its first wire
 * frame (tx_wire_cycles, or ack_tx_cycles for a pure ACK) and each further
 * frame (tx_wire_cycles when the host segments, tx_wire_tso_cycles when the
 * NIC does), the copy of its payload (tx_copy_mcyc_per_byte), the software
 * checksum when insertion is off (csum_mcyc_per_byte over the L4 bytes),
 * and tx_clean_cycles when its completion is cleaned. A pure ACK received
 * costs ack_rx_cycles instead of rx_tcp_cycles.
 * Left out for now: locality (x_remote), clock scaling, TOE and NetDMA
 * terms (later issues).
 */
#ifndef NICSIM_HOST_COST_H
#define NICSIM_HOST_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/param.h"

/* What a core's cycles are spent on (the report's per-CPU categories). */
enum cpu_cat { CPU_ISR = 0, CPU_DRIVER, CPU_PROTOCOL, CPU_COPY, CPU_CAT_COUNT };

/* A charge: cycles by category for one piece of work.
 * TODO(#18): beside them, what the plain software path would have spent. */
struct cost_charge {
	uint64_t cycles[CPU_CAT_COUNT];
};

struct cost_cfg {
	uint32_t irq_cycles;
	uint32_t rx_pkt_cycles;
	uint32_t rx_tcp_cycles;
	uint32_t rx_other_cycles;
	uint32_t copy_mcyc_per_byte;
	uint32_t csum_mcyc_per_byte;
	uint32_t dpc_cycles;        /* per DPC invocation (scheduling, re-arm, tail write) */
	uint32_t ack_rx_cycles;     /* a pure ACK received, instead of rx_tcp_cycles */
	uint32_t tx_wire_cycles;    /* a send's first wire frame: TCP/IP output and the driver's transmit */
	uint32_t tx_wire_tso_cycles;/* each further frame of a send the NIC segments */
	uint32_t ack_tx_cycles;     /* a pure ACK sent, instead of tx_wire_cycles */
	uint32_t tx_copy_mcyc_per_byte; /* the application's payload copied into the send */
	uint32_t tx_clean_cycles;   /* a completed send cleaned (descriptors, buffer freed) */
	uint32_t toe_offload_cycles, toe_upload_cycles;   /* a connection handed over, taken back (C_toe_off, C_toe_up) */
	uint32_t toe_io_cycles;     /* an offloaded request completed (C_toe_io) */
};
extern const struct param_def cost_params[];

/* Per-byte costs are in millicycles; a charge rounds up to whole cycles. */
static inline uint64_t cost_per_byte(uint32_t bytes, uint32_t mcyc_per_byte)
{
	return ((uint64_t)bytes * mcyc_per_byte + 999) / 1000;
}

/* One interrupt: the ISR. */
static inline struct cost_charge cost_isr(const struct cost_cfg *c)
{
	return (struct cost_charge){ .cycles[CPU_ISR] = c->irq_cycles };
}

/* A DPC run's fixed part (dispatch, tail doorbell, re-arm), charged to the driver. */
static inline struct cost_charge cost_dpc_run(const struct cost_cfg *c)
{
	return (struct cost_charge){ .cycles[CPU_DRIVER] = c->dpc_cycles };
}

/* What the driver knows of a received frame: from its write-back descriptor
 * (protocol, whether the NIC checked the L4 checksum) and its own parse of
 * the buffer (the L4 payload). */
struct cost_rx_frame {
	bool is_tcp, is_udp;
	bool is_pure_ack;          /* TCP, no payload, ACK only: cost.ack_rx_cycles */
	bool is_l4_csum_checked;   /* the NIC verified the TCP/UDP checksum */
	uint32_t payload_bytes;    /* L4 payload */
};

/* One received frame: driver work, protocol (plus the software checksum when
 * the NIC did not check it), and the copy to the application. Inline: it is
 * charged once a frame. */
static inline struct cost_charge cost_rx_frame(const struct cost_cfg *c, const struct cost_rx_frame *f)
{
	struct cost_charge ch = { .cycles[CPU_DRIVER] = c->rx_pkt_cycles };
	uint64_t proto = f->is_pure_ack ? c->ack_rx_cycles : f->is_tcp ? c->rx_tcp_cycles : c->rx_other_cycles;
	if (!f->is_l4_csum_checked && (f->is_tcp || f->is_udp))
		proto += cost_per_byte(f->payload_bytes, c->csum_mcyc_per_byte);
	ch.cycles[CPU_PROTOCOL] = proto;
	ch.cycles[CPU_COPY] = cost_per_byte(f->payload_bytes, c->copy_mcyc_per_byte);
	return ch;
}

/* A send the driver posts. frames: the wire frames it becomes; the first
 * costs tx_wire_cycles (ack_tx_cycles for a pure ACK), each further one
 * tx_wire_cycles again when the host segments it and tx_wire_tso_cycles
 * when the NIC does. Beside: the copy of its payload, and the software
 * checksum of csum_bytes when the NIC does not insert it. */
struct cost_tx_send {
	bool is_pure_ack;
	bool is_nic_segmented;
	uint32_t frames;
	uint32_t payload_bytes;
	uint32_t csum_bytes;
};
static inline struct cost_charge cost_tx_send(const struct cost_cfg *c, const struct cost_tx_send *s)
{
	struct cost_charge ch = { 0 };
	uint64_t first = s->is_pure_ack ? c->ack_tx_cycles : c->tx_wire_cycles;
	uint64_t more = s->is_nic_segmented ? c->tx_wire_tso_cycles : c->tx_wire_cycles;
	ch.cycles[CPU_PROTOCOL] = first + (s->frames > 1 ? (uint64_t)(s->frames - 1) * more : 0) +
				  cost_per_byte(s->csum_bytes, c->csum_mcyc_per_byte);
	ch.cycles[CPU_COPY] = cost_per_byte(s->payload_bytes, c->tx_copy_mcyc_per_byte);
	return ch;
}

#endif
