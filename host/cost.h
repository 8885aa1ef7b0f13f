/*
 * host/cost.h — the host CPU cost model: cycles charged per work item.
 *
 * Defaults and their sources: mostly derived from Cai et al., "Understanding
 * Host Network Stack Overheads", SIGCOMM'21 (doi:10.1145/3452296.3472888), at
 * 3.4 GHz Skylake-SP — each entry in cost_params names its source and how the
 * number follows from it. Per-byte costs are in millicycles per byte so the state stays
 * integral (0.35 cycles/byte = 350).
 *
 * Each kind of work has a function that returns its charge by term (enum
 * cost_term below, each in one of the report's categories); the CPUs
 * (host/cpu.h) spend it. Charged on the receive path (per frame unless said):
 *   ISR:      irq_cycles per interrupt (hard IRQ + DPC/NAPI schedule);
 *   driver:   rx_pkt_cycles per buffer (descriptor, buffer, netdev work),
 *             dpc_cycles per DPC run;
 *   protocol: in the DPC, rx_tcp_cycles per TCP segment (gro_seg_cycles for
 *             one GRO merged), ack_rx_cycles for a pure ACK, rx_other_cycles
 *             for UDP and the rest; + csum_mcyc_per_byte over the L4 payload
 *             when the NIC did not verify the checksum; in the application
 *             (host.app_cpu's core), rx_app_cycles per TCP segment or
 *             aggregate;
 *   copy:     copy_mcyc_per_byte over the L4 payload to the application, or
 *             with NetDMA at or above the copy-break dma_cycles a copy and
 *             the stall of its wait.
 *   TCP and UDP receive protocol and copies are multiplied by the locality
 *   factor x_remote_permille when the application's core is not the DPC's.
 * Charged on the transmit path (host/driver_tx.c): per send, its first wire
 * frame (tx_wire_cycles, or ack_tx_cycles for a pure ACK) and each further
 * frame (tx_wire_cycles when the host segments, tx_wire_tso_cycles when the
 * NIC does), the copy of its payload (tx_copy_mcyc_per_byte), the software
 * checksum when insertion is off (csum_mcyc_per_byte over the L4 bytes),
 * and tx_clean_cycles when its completion is cleaned. The TOE's handoffs
 * and requests (toe_*_cycles) are charged by host/chimney.c. At another
 * clock than ref_clock_mhz every figure is scaled (cost_at_clock).
 * docs/cost-model.md has the whole model, its sources and its calibration.
 */
#ifndef NICSIM_HOST_COST_H
#define NICSIM_HOST_COST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/param.h"

/* What a core's cycles are spent on (the report's per-CPU categories). */
enum cpu_cat { CPU_ISR = 0, CPU_DRIVER, CPU_PROTOCOL, CPU_COPY, CPU_CAT_COUNT };

/* The terms of the cost model (docs/cost-model.md): what a charge is made of.
 * Each belongs to one category (cost_term_cat) and one line of the savings
 * (cost_term_feature). */
enum cost_term {
	COST_T_IRQ = 0,     /* an interrupt's ISR (cost.irq_cycles) */
	COST_T_DPC,         /* a DPC run's fixed part (cost.dpc_cycles) */
	COST_T_RX_DRIVER,   /* a receive buffer, an offload event read (cost.rx_pkt_cycles) */
	COST_T_TX_CLEAN,    /* a completed send cleaned (cost.tx_clean_cycles) */
	COST_T_RX_PROTO,    /* TCP/IP receive: a segment or an aggregate, in the DPC and in the
			     * application; a non-TCP frame */
	COST_T_TOE,         /* the chimney: handoffs and offloaded requests */
	COST_T_ACK_RX,      /* a pure ACK received */
	COST_T_ACK_TX,      /* a pure ACK sent */
	COST_T_RX_CSUM,     /* software checksum of a received frame */
	COST_T_TX_CSUM,     /* software checksum of a sent frame */
	COST_T_TX_OUTPUT,   /* TCP/IP output and the driver's transmit, per wire frame */
	COST_T_COPY_RX,     /* received payload copied to the application by a core */
	COST_T_COPY_TX,     /* the application's payload copied into a send */
	COST_T_DMA,         /* NetDMA: a copy submitted and completed, the stall waiting for it */
	COST_TERM_COUNT
};

/* The lines of the savings report: the work each offload removes or cuts
 * (docs/cost-model.md says which offload moves which). */
enum cost_feature {
	COST_F_INTERRUPTS = 0,  /* ISRs and DPC runs: moderation; fewer frames (TOE) */
	COST_F_DRIVER,          /* receive buffers and send cleaning: fewer frames (LSO, TOE) */
	COST_F_PROTOCOL,        /* TCP/IP receive work: GRO, TOE (less the handoffs and requests) */
	COST_F_ACKS,            /* pure ACKs: TOE */
	COST_F_RX_CSUM,         /* receive checksum offload */
	COST_F_TX_CSUM,         /* transmit checksum insertion */
	COST_F_SEGMENTATION,    /* per wire frame output: LSO, TOE */
	COST_F_COPIES,          /* copies: NetDMA (and TOE's zero-copy sends and placement) */
	COST_FEATURE_COUNT
};

extern const uint8_t cost_term_cat[COST_TERM_COUNT];
extern const uint8_t cost_term_feature[COST_TERM_COUNT];
const char *cost_feature_name(enum cost_feature f);
const char *cost_feature_desc(enum cost_feature f);

/* Shadow accounting (docs/cost-model.md): beside what each piece of work
 * costs, what the plain software path would have spent on it. A build with
 * -DNICSIM_NO_SAVINGS leaves the shadow out (the benchmark's comparison). */
#ifdef NICSIM_NO_SAVINGS
#define COST_SHADOW 0
#else
#define COST_SHADOW 1
#endif

/* A charge: cycles by term for one piece of work, and beside them (base)
 * what the software path would have spent on the same work: no checksum
 * offload, no LSO, no TOE, no NetDMA, no GRO, one interrupt and one DPC run
 * per frame received and per send completed; RSS and the application's
 * placement as configured. */
struct cost_charge {
	uint64_t cycles[COST_TERM_COUNT];
	uint64_t base[COST_TERM_COUNT];
};

struct cost_cfg {
	uint32_t irq_cycles;
	uint32_t rx_pkt_cycles;
	uint32_t rx_tcp_cycles;     /* TCP receive in the DPC, per segment or aggregate (same core) */
	uint32_t rx_app_cycles;     /* TCP receive in the application (recv), per segment or aggregate (same core) */
	uint32_t gro_seg_cycles;    /* a segment merged into an aggregate (host.gro), instead of rx_tcp_cycles */
	uint32_t rx_other_cycles;
	uint32_t copy_mcyc_per_byte;
	uint32_t csum_mcyc_per_byte;
	uint32_t dpc_cycles;        /* per DPC invocation (scheduling, re-arm, tail write) */
	uint32_t ack_rx_cycles;     /* a pure ACK received, instead of rx_tcp_cycles */
	uint32_t tx_wire_cycles;    /* a send's first wire frame: TCP/IP output and the driver's transmit */
	uint32_t tx_wire_tso_cycles;/* each further frame of a send the NIC segments */
	uint32_t ack_tx_cycles;     /* a pure ACK sent, instead of tx_wire_cycles */
	uint32_t tx_copy_mcyc_per_byte; /* the application's payload copied into a send */
	uint32_t tx_clean_cycles;   /* a completed send cleaned (descriptors, buffer freed) */
	uint32_t toe_offload_cycles, toe_upload_cycles;   /* a connection handed over, taken back (C_toe_off, C_toe_up) */
	uint32_t toe_io_cycles;     /* an offloaded request completed (C_toe_io) */
	uint32_t dma_cycles;        /* a NetDMA copy submitted and its completion taken (C_dma) */
	uint32_t x_remote_permille; /* locality: receive protocol and copy when the application is on another core */
	uint32_t ref_clock_mhz;     /* the clock the cycle figures are for */
	uint32_t rx_mem_pct;        /* the memory-bound share of receive work (clock scaling) */
	uint32_t tx_mem_pct;        /* the memory-bound share of transmit work */
	bool is_irq_per_frame;      /* cost.irq_per_frame: an interrupt and a DPC run per frame and per send */
};
extern const struct param_def cost_params[];

/* Per-byte costs are in millicycles; a charge rounds up to whole cycles. */
static inline uint64_t cost_per_byte(uint64_t bytes, uint32_t mcyc_per_byte)
{
	return (bytes * mcyc_per_byte + 999) / 1000;
}
/* x * permille / 1000, rounded to nearest. */
static inline uint64_t cost_permille(uint64_t x, uint32_t permille)
{
	return (x * permille + 500) / 1000;
}

/* The cost figures at the host's clock: each cycle count scaled by
 * (1 - m) + m * f / f_ref, m the memory-bound share of its side (receive
 * or transmit), since memory stalls take the same time at any clock and so
 * more cycles at a faster one (docs/cost-model.md). */
struct cost_cfg cost_at_clock(const struct cost_cfg *c, uint32_t clock_mhz);

/* The locality factor of receive protocol and copy work, in permille:
 * x_remote when the application runs on another core than the DPC. */
static inline uint32_t cost_locality(const struct cost_cfg *c, bool is_remote)
{
	return is_remote ? c->x_remote_permille : 1000;
}

/* One interrupt: the ISR (none with cost.irq_per_frame: each frame pays its own). */
static inline void cost_isr(const struct cost_cfg *c, struct cost_charge *ch)
{
	memset(ch, 0, sizeof *ch);
	ch->cycles[COST_T_IRQ] = c->is_irq_per_frame ? 0 : c->irq_cycles;
}

/* A DPC run's fixed part (dispatch, tail doorbell, re-arm). */
static inline uint64_t cost_dpc_run(const struct cost_cfg *c)
{
	return c->is_irq_per_frame ? 0 : c->dpc_cycles;
}

/* What the driver knows of a received frame: from its write-back descriptor
 * (protocol, whether the NIC checked the L4 checksum) and its own parse of
 * the buffer (the L4 payload). */
struct cost_rx_frame {
	bool is_tcp, is_udp;
	bool is_pure_ack;          /* TCP, no payload, ACK only: cost.ack_rx_cycles */
	bool is_l4_csum_checked;   /* the NIC verified the TCP/UDP checksum */
	bool is_merged;            /* GRO merged it into an open aggregate: cost.gro_seg_cycles */
	uint32_t buffers;          /* receive buffers it took */
	uint32_t payload_bytes;    /* L4 payload */
	uint32_t locality;         /* cost_locality */
};

/* One received frame's work in the DPC: its buffers, protocol (plus the
 * software checksum when the NIC did not check it), and with cost.irq_per_frame
 * its own interrupt and DPC run; beside it the software path's (every
 * checksum in software, no GRO, an interrupt and a DPC run of its own). The
 * application's side (its copy and recv) is host/driver.c's (app_unit).
 * Inline: it is charged once a frame. */
static inline void cost_rx_frame(const struct cost_cfg *c, const struct cost_rx_frame *f, struct cost_charge *ch)
{
	memset(ch, 0, sizeof *ch);
	uint64_t drv = (uint64_t)f->buffers * c->rx_pkt_cycles;
	ch->cycles[COST_T_RX_DRIVER] = drv;
	bool has_csum = f->is_tcp || f->is_udp;
	uint64_t csum = has_csum ? cost_per_byte(f->payload_bytes, c->csum_mcyc_per_byte) : 0;
	if (!f->is_l4_csum_checked)
		ch->cycles[COST_T_RX_CSUM] = csum;
	uint64_t proto = f->is_tcp ? cost_permille(c->rx_tcp_cycles, f->locality)
		       : f->is_udp ? cost_permille(c->rx_other_cycles, f->locality) : c->rx_other_cycles;
	if (f->is_pure_ack)
		ch->cycles[COST_T_ACK_RX] = c->ack_rx_cycles;
	else
		ch->cycles[COST_T_RX_PROTO] = f->is_merged ? cost_permille(c->gro_seg_cycles, f->locality) : proto;
	if (c->is_irq_per_frame) {
		ch->cycles[COST_T_IRQ] = c->irq_cycles;
		ch->cycles[COST_T_DPC] = c->dpc_cycles;
	}
	if (COST_SHADOW) {
		ch->base[COST_T_RX_DRIVER] = drv;
		ch->base[COST_T_RX_CSUM] = csum;
		if (f->is_pure_ack)
			ch->base[COST_T_ACK_RX] = c->ack_rx_cycles;
		else
			ch->base[COST_T_RX_PROTO] = proto;
		ch->base[COST_T_IRQ] = c->irq_cycles;
		ch->base[COST_T_DPC] = c->dpc_cycles;
	}
}

/* A send the driver posts. frames: the wire frames it becomes; the first
 * costs tx_wire_cycles (ack_tx_cycles for a pure ACK), each further one
 * tx_wire_cycles again when the host segments it and tx_wire_tso_cycles
 * when the NIC does. Beside: the copy of its payload, and the software
 * checksum of csum_bytes when the NIC does not insert it. The software
 * path (base): the capture's segments it covers each a send of its own,
 * base_frames wire frames the host builds, base_csum_bytes checksummed. */
struct cost_tx_send {
	bool is_pure_ack;
	bool is_nic_segmented;
	uint32_t frames;
	uint32_t payload_bytes;
	uint32_t csum_bytes;
	uint32_t base_frames;
	uint32_t base_csum_bytes;
};
static inline void cost_tx_send(const struct cost_cfg *c, const struct cost_tx_send *s, struct cost_charge *ch)
{
	memset(ch, 0, sizeof *ch);
	uint64_t more = s->is_nic_segmented ? c->tx_wire_tso_cycles : c->tx_wire_cycles;
	uint64_t copy = cost_per_byte(s->payload_bytes, c->tx_copy_mcyc_per_byte);
	if (s->is_pure_ack)
		ch->cycles[COST_T_ACK_TX] = c->ack_tx_cycles;
	else
		ch->cycles[COST_T_TX_OUTPUT] = c->tx_wire_cycles;
	ch->cycles[COST_T_TX_OUTPUT] += s->frames > 1 ? (uint64_t)(s->frames - 1) * more : 0;
	ch->cycles[COST_T_TX_CSUM] = cost_per_byte(s->csum_bytes, c->csum_mcyc_per_byte);
	ch->cycles[COST_T_COPY_TX] = copy;
	if (COST_SHADOW) {
		if (s->is_pure_ack)
			ch->base[COST_T_ACK_TX] = c->ack_tx_cycles;
		else
			ch->base[COST_T_TX_OUTPUT] = (uint64_t)s->base_frames * c->tx_wire_cycles;
		ch->base[COST_T_TX_CSUM] = cost_per_byte(s->base_csum_bytes, c->csum_mcyc_per_byte);
		ch->base[COST_T_COPY_TX] = copy;
	}
}

/* Sends completed: each cleaned (tx_clean_cycles), with cost.irq_per_frame
 * its own interrupt and DPC run; beside them the software path's
 * base_sends, each cleaned and with an interrupt and a DPC run of its own
 * (an LSO send is the capture's segments' sends there). Added to ch. */
static inline void cost_tx_done(const struct cost_cfg *c, uint64_t sends, uint64_t base_sends, struct cost_charge *ch)
{
	ch->cycles[COST_T_TX_CLEAN] += sends * c->tx_clean_cycles;
	if (c->is_irq_per_frame) {
		ch->cycles[COST_T_IRQ] += sends * c->irq_cycles;
		ch->cycles[COST_T_DPC] += sends * c->dpc_cycles;
	}
	if (COST_SHADOW) {
		ch->base[COST_T_TX_CLEAN] += base_sends * c->tx_clean_cycles;
		ch->base[COST_T_IRQ] += base_sends * c->irq_cycles;
		ch->base[COST_T_DPC] += base_sends * c->dpc_cycles;
	}
}

/* The application's side of received data, per unit (a TCP segment or
 * aggregate) and per byte copied by a core, with the locality factor. */
static inline uint64_t cost_rx_app(const struct cost_cfg *c, uint32_t locality)
{
	return cost_permille(c->rx_app_cycles, locality);
}
static inline uint64_t cost_rx_copy(const struct cost_cfg *c, uint64_t bytes, uint32_t locality)
{
	return cost_permille(cost_per_byte(bytes, c->copy_mcyc_per_byte), locality);
}

#endif
