/*
 * models/nic.h — the NIC: a shell that takes MMIO and issues DMA and MSI-X
 * (igb's split), composing the receive blocks:
 *
 *   wire -> mac (serialise, packet buffer) -> rx pipeline (parse, checksum,
 *   RSS hash + indirection, cut-through) -> queue's descriptor ring -> dma
 *   (descriptor fetch, data write, descriptor write-back over the PCIe link,
 *   models/pcie.h) -> irq (moderation, MSI-X over the link)
 *
 * and, sending:
 *
 *   tail doorbell -> descriptor fetch -> data reads over the link -> TX
 *   buffer -> checksum insertion / TCP segmentation -> wire at line rate;
 *   DD write-back -> irq (the queue pair's vector) (models/nic_tx.c)
 *
 * The host meets the NIC only through struct bus (models/bus.h) and the
 * register map (models/nic_regs.h). The TCP offload engine
 * (models/toe.c) sits after the receive pipeline (models/nic_toe.c).
 *
 * Timing (docs/design.md "cycle-approximate"): the pipeline works on a frame
 * as it streams in, for max(csum cycles, hash cycles) of the NIC clock from
 * its first bit (or when free), done no earlier than its last bit, and the
 * frame leaves parse_depth cycles later (models/nic_rx.c); the engines'
 * cycle counts come from their twins' timing contracts (models/pkt/csum.h,
 * models/pkt/rss_toeplitz.h) or, with an RTL backend, from the RTL itself.
 * DMA transfers take the link's time (models/nic_dma.c).
 */
#ifndef NICSIM_MODELS_NIC_H
#define NICSIM_MODELS_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "models/bus.h"
#include "models/pkt/csum.h"
#include "models/irq.h"
#include "models/mac.h"
#include "models/pcie.h"
#include "models/pkt/parse.h"
#include "models/rss.h"
#include "models/toe.h"
#include "sim/hist.h"
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/pkt.h"

struct nic_cfg {
	uint32_t clock_mhz;           /* NIC core clock */
	uint32_t parse_depth_cycles;  /* pipeline depth of the header parser */
	uint32_t csum_width_bytes;    /* checksum engine datapath */
	uint32_t rss_width_bytes;     /* Toeplitz engine datapath */
	uint32_t indir_latency_cycles;/* indirection-table lookup */
	bool is_rx_csum;              /* verify IPv4/TCP/UDP checksums on receive */
};
extern const struct param_def nic_params[];
/* Counters, declared once (sim/stats.h): receive checksum verdicts, the
 * pipeline, NIC-wide drops, per-queue drops and per-queue counts. */
extern const struct stat_def nic_csum_stat_defs[], nic_stat_defs[], nic_drop_stat_defs[], nic_buffer_full_stat_defs[];
extern const struct stat_def nic_queue_drop_stat_defs[], nic_queue_stat_defs[];

/* Compute engines the pipeline uses; the C twins by default, RTL twins with
 * --backend rtl:... (sim/ wires those in; models/ knows only this interface). */
struct nic_engines {
	void *ctx;
	/* Toeplitz hash of in[0..len) with the key last given to set_key; *cycles = engine busy cycles. */
	uint32_t (*hash)(void *ctx, const uint8_t *in, uint32_t len, uint32_t *cycles);
	void (*set_key)(void *ctx, const uint8_t *key, uint32_t len);
	/* Receive checksum verdicts for a parsed frame; *cycles as above. */
	struct csum_rx_result (*csum)(void *ctx, const uint8_t *frame, uint32_t cap_len,
				      const struct parse_result *pr, uint32_t *cycles);
	/* Optional (NULL: the table of models/rss, nic.indir_latency_cycles):
	 * the indirection-table lookup of a hash, *cycles = its latency after the
	 * hash's hand-over; and the mirror of every table write (the NIC replays
	 * its whole table when the engines are set, then each RETA write). */
	uint16_t (*lookup)(void *ctx, uint32_t hash, uint32_t *cycles);
	void (*set_entry)(void *ctx, uint32_t index, uint16_t queue);
};

struct nic_queue_stats {
	uint64_t rx_packets, rx_bytes;       /* written to host memory */
	uint64_t hashed;                     /* (the three counted per frame first: see struct nic_rxq) */
	uint64_t drop_no_desc;               /* ring empty with DROP_EN: the driver fell behind */
	uint64_t drop_buffer_full;           /* packet buffer full when the frame arrived */
};

/* Per transmit queue. */
struct nic_txq_stats {
	uint64_t tx_packets, tx_bytes;       /* frames put on the wire, their bytes */
	uint64_t sends;                      /* packets taken from the ring (a TSO send is one) */
	uint64_t tso_sends;                  /* of them, segmented by the NIC */
};

/* The transmit path, NIC-wide. */
struct nic_tx_stats {
	uint64_t ip_csum_inserted, l4_csum_inserted;   /* frames whose checksum the NIC computed */
	uint64_t tso_frames;                 /* frames made by segmentation */
	uint64_t bad_descriptors;            /* packets refused: a descriptor type, length or context the NIC cannot take */
	uint64_t buffer_waits;               /* packets that waited for transmit-buffer room */
	uint64_t tag_waits;                  /* transmit reads (a packet's, or a fetch) that waited for read tags */
	uint64_t buffer_peak_bytes;
	uint64_t engine_cycles;              /* busy cycles of the segmentation/checksum engine */
};

/* A transmit packet's time in the NIC, in consecutive stages (per packet,
 * all queues; struct nic_tx_send's stamps). */
enum nic_tx_lat {
	NIC_TXLAT_FETCH = 0,   /* tail doorbell to its descriptors landed */
	NIC_TXLAT_BUFFER,      /* descriptors landed to its data reads issued (buffer room, read tags, packets ahead) */
	NIC_TXLAT_READ,        /* data reads issued to the last landed */
	NIC_TXLAT_WIRE,        /* data in the buffer to the last bit of its last frame on the wire (serialisation, frames ahead) */
	NIC_TXLAT_TOTAL,       /* doorbell to the last bit on the wire: the sum of the above */
	NIC_TXLAT_COUNT
};
const char *nic_tx_lat_name(enum nic_tx_lat s);
const char *nic_tx_lat_desc(enum nic_tx_lat s);

struct nic_stats {
	struct parse_stats parse;
	uint64_t csum_ip_good, csum_ip_bad, csum_l4_good, csum_l4_bad, csum_not_checked;
	uint64_t unknown_reg_reads, unknown_reg_writes;
	uint64_t last_unknown_reg;
	uint64_t rx_disabled_drops;          /* frames while RCTL.EN = 0 */
	uint64_t rx_too_many_buffers;        /* frames needing more buffers than the descriptor cache holds */
	uint64_t rx_too_long;                /* frames longer than mac.mtu allows (no jumbo frames) */
	uint64_t pipeline_cycles;            /* total busy cycles of the rx pipeline */
	uint64_t buffer_full_by_bus, buffer_full_by_descriptors, buffer_full_by_pipeline, buffer_full_by_oversize;
	uint64_t read_tag_waits;             /* descriptor fetches that waited for a read tag */
	uint64_t bad_dma_completions;        /* completions for no read on its way, or twice (a binding's fault) */
	uint64_t bad_dma_addresses;          /* fetches refused: the ring's read would wrap the address space */
};

struct nic;
/* rss_cfg gives the NIC's RSS capacity (queues, table entries); its key and
 * hash types are the driver's to program. */
int nic_new(struct nic **out, struct sim_kernel *k, struct bus *bus, const struct nic_cfg *cfg,
	    const struct mac_cfg *mac_cfg, const struct rss_cfg *rss_cfg, const struct pcie_cfg *pcie_cfg,
	    enum parse_link link, char *err, size_t err_len);
void nic_free(struct nic *n);
/* Fill b->nic with this NIC's entry points. */
void nic_attach(struct nic *n, struct bus *b);
/* The receive path's shortcut for a frame that meets an idle NIC (on by
 * default): the same results with one event fewer per such frame. Off, every
 * frame takes the pipeline-out event (test_nic compares the two). */
void nic_set_fast_path(struct nic *n, bool is_on);
/* Replace the compute engines (NULL, or a NULL member, is the C twin). */
void nic_set_engines(struct nic *n, const struct nic_engines *e);
uint32_t nic_queues(const struct nic *n);
const struct nic_queue_stats *nic_queue_stats(const struct nic *n, uint32_t q);
const struct nic_stats *nic_stats(const struct nic *n);
const struct mac_stats *nic_mac_stats(const struct nic *n);
struct irq_vec_stats nic_irq_stats(const struct nic *n, uint32_t q);
/* What crossed the NIC's PCIe link, per direction and class. */
const struct pcie_link_stats *nic_pcie_stats(const struct nic *n);
const struct nic_txq_stats *nic_txq_stats(const struct nic *n, uint32_t q);
const struct nic_tx_stats *nic_tx_stats(const struct nic *n);
/* The transmit latency histogram of a stage, in ps (all queues). */
const struct hist *nic_tx_lat(struct nic *n, enum nic_tx_lat s);
extern const struct stat_def nic_txq_stat_defs[], nic_tx_stat_defs[];
/* Transmit packets inside the NIC; 0 after a drained run. */
uint64_t nic_tx_in_flight(const struct nic *n);
/* The TCP offload engine (models/nic_toe.c, docs/toe.md): off unless
 * enabled here (toe.enable), before the driver starts. */
int nic_toe_enable(struct nic *n, const struct toe_cfg *cfg, char *err, size_t err_len);
struct nic_toe_stats {
	uint64_t commands, dma_reads, events, eq_overflows;
	uint64_t rx_frames, rx_to_host, forwarded;
	uint64_t tx_frames, tx_bytes, tx_dropped;
	uint64_t install_refused, send_overflow_bytes, bad_commands;
};
extern const struct stat_def nic_toe_stat_defs[];
/* What the NIC did for one offload (the host's id), for the report. */
struct nic_toe_rec {
	struct toe_conn_stats conn;   /* the engine's counters (at upload, or now if still offloaded) */
	uint64_t placed_bytes;        /* received bytes written into posted buffers (zero copy) */
	uint64_t indicated_bytes;     /* into the indication area (the host copies them) */
};
/* NULL without an engine. */
const struct nic_toe_stats *nic_toe_stats(const struct nic *n);
const struct toe_stats *nic_toe_engine_stats(const struct nic *n);
/* NULL for an id never offloaded. */
const struct nic_toe_rec *nic_toe_record(const struct nic *n, uint32_t id);
/* The frames the engine took from a receive queue, counted as the host's
 * path would have received them (its buffers at the queue's buffer size,
 * pure ACKs, L4 payload): the software path the cost model's savings
 * compare with (docs/cost-model.md). NULL without an engine. */
struct nic_toe_rx_work {
	uint64_t frames, buffers, pure_acks, data_frames, payload_bytes;   /* data_frames: with payload */
};
const struct nic_toe_rx_work *nic_toe_rx_work(const struct nic *n, uint32_t q);
/* Frames inside the NIC (FIFO, pipeline, DMA); 0 after a drained run. */
uint64_t nic_in_flight(const struct nic *n);

#endif
