/*
 * host/driver.h — an NDIS-miniport-like receive driver: its rings, its ISR
 * and DPC, and its policy for the NIC (RSS key, hash types and CPUs,
 * interrupt moderation), which reaches the NIC through registers only.
 *
 * Work runs on the host's cores (host/cpu.h) as typed work items:
 *   ISR (on the MSI-X vector's CPU): stamps the interrupt time on the
 *     completed descriptors, queues the queue's DPC on the same CPU;
 *   DPC: up to dpc_budget_pkts descriptors with DD set, one step each,
 *     charged by the cost model (host/cost.h); re-posts the buffers, writes
 *     the tail doorbell, and either re-queues itself (budget used up, as NAPI
 *     does) or unmasks the vector (EIMS).
 * Modes: rss (one queue, vector and DPC per CPU, NDIS 6 RSS) and legacy (one
 * queue, one interrupt, one DPC on one CPU, as NDIS 5.1), after Microsoft's
 * NDIS RSS documentation ("Introduction to Receive Side Scaling").
 *
 * Rings as Linux ixgbe keeps them: count entries; next_to_clean is the next
 * descriptor the driver looks at (the oldest the NIC may have written back);
 * the driver hands descriptors to the NIC by writing the tail (RDT) one
 * behind next_to_clean, so one slot always stays empty and head == tail
 * means "the NIC has none". The driver learns a frame's length, packet type,
 * RSS hash and checksum status from its write-back descriptor, and parses
 * the bytes in its buffer for what the cost model needs (the L4 payload).
 *
 * Interrupt moderation (host/itr.h): EITR from irq.* at start, with the
 * timing rule of irq.timing (EITR.DELAY); in adaptive mode the algorithm of
 * the Intel driver for the line rate the NIC reports in STATUS (ixgbe at
 * 10 Gb/s and up, igb or e1000e below) rewrites the interval.
 */
#ifndef NICSIM_HOST_DRIVER_H
#define NICSIM_HOST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "host/cost.h"
#include "host/cpu.h"
#include "host/netdma.h"
#include "host/hostmem.h"
#include "host/itr.h"
#include "models/bus.h"
#include "models/nic_regs.h"
#include "models/pkt/parse.h"
#include "models/pkt/rss_toeplitz.h"
#include "sim/hist.h"
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/pkt.h"

enum host_mode { HOST_MODE_RSS = 0, HOST_MODE_LEGACY };

struct host_cfg {
	uint32_t cpus;
	uint32_t clock_mhz;
	uint32_t mode;              /* enum host_mode */
	uint32_t ring_entries;      /* RX descriptors per queue */
	uint32_t buf_bytes;         /* RX buffer size */
	uint32_t dpc_budget_pkts;   /* descriptors per DPC run */
	uint32_t tx_ring_entries;   /* TX descriptors per queue */
	uint32_t tx_backlog_pkts;   /* sends the software queue holds per TX queue */
	uint32_t rx_drop_en;        /* enum host_drop_en: each queue's SRRCTL.DROP_EN */
	bool is_gro;                /* host.gro: the stack coalesces received segments (GRO) */
	uint32_t app_cpu;           /* enum host_app_cpu: where the application's receive runs */
	char ip[128];               /* host address(es), comma-separated, or "auto" */
	char mac[32];               /* host MAC or "auto" */
};
extern const struct param_def host_params[];
/* The driver's RSS policy (keys rss.key, rss.hash_types, rss.base_cpu,
 * rss.max_cpus, rss.default_queue): what it programs into the NIC and where
 * it runs each queue's work. The NIC's RSS capacity (rss.queues,
 * rss.table_size) is the NIC's and the driver reads it from the CAPS
 * register. */
struct drv_rss_cfg {
	uint8_t key[RSS_KEY_BYTES_MAX];
	uint32_t key_len;         /* bytes, >= 40 */
	uint32_t hash_types;      /* bit i = MRQC hash type i (NIC_MRQC_TYPE_CHOICES) */
	uint32_t base_cpu;        /* first CPU RSS may use (NDIS BaseCpuNumber) */
	uint32_t max_cpus;        /* CPUs RSS may use (NDIS MaxProcessors); 0 = all */
	uint32_t default_queue;   /* queue for packets without a hash */
};
extern const struct param_def drv_rss_params[];

/* Receive queues the driver uses of the nic_queues the NIC has: one in
 * legacy mode (NDIS 5.1), all otherwise. */
static inline uint32_t host_queues(const struct host_cfg *cfg, uint32_t nic_queues)
{
	return cfg->mode == HOST_MODE_LEGACY ? 1 : nic_queues;
}

/* host.rx_drop_en */
enum host_drop_en { HOST_DROP_EN_AUTO = 0, HOST_DROP_EN_ON, HOST_DROP_EN_OFF };
/* host.app_cpu: other, the application's receive runs on another core than
 * its queue's DPC (plain RSS: the scheduler, not the flow, places the
 * thread): the cores no queue uses, round robin, or with none the core
 * after the queue's; it pays cost.x_remote_permille on receive protocol and
 * copies. same: on the DPC's core (aRFS, or a thread pinned beside its
 * queue). */
enum host_app_cpu { HOST_APP_OTHER = 0, HOST_APP_SAME };

/* A frame's receive latency cut into consecutive stages, from its first bit
 * on the wire to the end of the host's work on it, and end to end (the
 * stages' sum, frame by frame; the stamps are the frame record's,
 * sim/pkt.h). Kept per queue. */
enum lat_stage {
	LAT_WIRE = 0,      /* first bit to last bit in */
	LAT_PIPELINE,      /* last bit to leaving the receive pipeline */
	LAT_BUFFER,        /* in the packet buffer until the DMA engine and the link were free for it */
	LAT_DESCRIPTOR,    /* waiting for a descriptor (a fetch landing, or the driver) */
	LAT_PCIE_WRITE,    /* its data crossing the link */
	LAT_WRITE_BACK,    /* its write-back crossing the link */
	LAT_MODERATION,    /* write-back landed to the interrupt reaching the host */
	LAT_ISR_TO_DPC,    /* the interrupt to its DPC starting on it */
	LAT_DPC,           /* the DPC's and the stack's work on it */
	LAT_E2E,           /* first bit to the end of the host's work: the sum of the above */
	LAT_COUNT
};

/* Where each stage starts and ends among the frame record's stamps
 * (sim/pkt.h): stage s runs from t_ps[from] to t_ps[to]. Consecutive
 * stages share a stamp; the DPC stage spans the driver's and the stack's
 * parts. dpc_frame_done records each stage from it, and the timeline draws
 * the same spans. */
struct lat_stage_stamps {
	uint8_t from, to;   /* enum pkt_stage */
};
extern const struct lat_stage_stamps lat_stage_stamps[LAT_COUNT];

struct host_queue_stats {
	uint64_t packets, bytes;
	uint64_t dpc_runs;
	/* latency histograms: driver_queue_lat() */
};
/* Per-queue counters, declared once (sim/stats.h). */
extern const struct stat_def host_queue_stat_defs[];      /* packets, bytes */
extern const struct stat_def host_queue_dpc_stat_defs[];  /* DPC runs (reported after the NIC's per-queue counts) */

/* Per queue pair, transmit side. */
struct host_txq_stats {
	uint64_t sends;              /* sends posted to the ring */
	uint64_t frames, bytes;      /* the wire frames they become (NIC or host segmentation), their bytes */
	uint64_t cleaned;            /* sends whose descriptors the driver cleaned */
	uint64_t backlog_drops;      /* sends dropped: the software queue (host.tx_backlog_pkts) was full, or
	                              * the send needs more descriptors or arena than the queue has */
	uint64_t ring_stops;         /* times the ring or data arena was full with sends waiting */
};
extern const struct stat_def host_txq_stat_defs[];

/* The host's transmit work, all queues: what it did and what it cost. */
struct host_tx_stats {
	uint64_t sends;              /* sends the stack handed the driver */
	uint64_t lso_sends;          /* of them, segmented by the NIC (TSO) */
	uint64_t sw_segmented;       /* of them, longer than the MTU and segmented by the host (tx.lso off) */
	uint64_t ack_sends;          /* pure ACKs sent */
	uint64_t data_frames;        /* wire frames of sends that are not pure ACKs */
	uint64_t sw_csum_frames;     /* frames whose checksums the host computed (tx.csum off) */
	uint64_t sw_csum_bytes;      /* the bytes it summed */
	uint64_t copy_bytes;         /* payload bytes copied from the application */
	uint64_t ack_rx;             /* pure ACKs received (charged cost.ack_rx_cycles) */
	uint64_t cycles_output;      /* TCP/IP output: per send and per wire frame */
	uint64_t cycles_copy;        /* the copies */
	uint64_t cycles_csum;        /* software checksums */
	uint64_t cycles_clean;       /* cleaning completed sends */
	uint64_t backlog_drops;
	uint64_t unsendable;         /* sends no one could segment (IPv6 jumbograms): not sent */
};
extern const struct stat_def host_tx_stat_defs[];

struct driver;
/* A send's time in the host, in consecutive stages (all queues). */
enum host_tx_lat {
	HTX_COALESCE = 0,   /* its first segment in the capture to the stack handing it on (coalescing for LSO) */
	HTX_POST,           /* handed on to its descriptors written and the tail rung (CPU, software queue, ring room) */
	HTX_COMPLETE,       /* doorbell to the MSI-X message that covers its write-back (the NIC's fetch and
	                     * reads, write-back, moderation); a send cleaned by a DPC that no interrupt of
	                     * its own started: to that DPC */
	HTX_CLEAN,          /* that interrupt to the DPC cleaning it */
	HTX_TOTAL,          /* first segment to cleaned: the sum of the above */
	HTX_COUNT
};
const char *driver_tx_lat_name(enum host_tx_lat s);
const char *driver_tx_lat_desc(enum host_tx_lat s);
const struct hist *driver_tx_lat(struct driver *d, enum host_tx_lat s);
const struct host_txq_stats *driver_txq_stats(const struct driver *d, uint32_t q);
const struct host_tx_stats *driver_tx_stats(const struct driver *d);

/* What the driver knows of a frame it delivers: its queue, the write-back's
 * hash, and its own parse of the buffer. */
struct driver_rx_info {
	uint32_t queue;
	bool has_hash;
	uint32_t rss_hash;
	const struct parse_result *pr;
};
/* Called for every frame the host finished with (before it is released). */
typedef void (*driver_deliver_fn)(void *ctx, const struct pkt *p, const struct driver_rx_info *info);

struct driver;
/* The NIC must be attached to bus: the driver reads its capacity (CAPS)
 * here. link: the medium, which says how to parse a received buffer. */
struct tx_cfg;
struct tx_send;
int driver_new(struct driver **out, struct sim_kernel *k, struct bus *bus, struct cpu *cpu,
	       const struct host_cfg *cfg, const struct cost_cfg *cost, const struct drv_rss_cfg *rss,
	       const struct itr_cfg *irq, const struct tx_cfg *tx, uint32_t mtu, enum parse_link link, char *err,
	       size_t err_len);
/* A send from the stack (host/txstack.h), now: queued on the queue pair
 * its connection receives on, posted by that queue's CPU. The record is lent. */
void driver_send(struct driver *d, const struct tx_send *s);
/* NetDMA (host/netdma.h): the application's receive copies at or above the
 * copy-break go to the engine. Before driver_start. */
int driver_netdma_enable(struct driver *d, const struct netdma_cfg *cfg, char *err, size_t err_len);
/* NULL when NetDMA is off. */
const struct netdma_stats *driver_netdma_stats(const struct driver *d);
/* The software path's cost of frames the TOE took from queue q instead of
 * the host (the NIC's nic_toe_rx_work): booked once, at the end of a run,
 * its per-byte terms rounded once over the bytes (per frame on the host's
 * path: at most a cycle a frame apart). */
void driver_book_offloaded_rx(struct driver *d, uint32_t q, uint64_t frames, uint64_t buffers, uint64_t pure_acks,
			      uint64_t data_frames, uint64_t payload_bytes);
/* The application's payload bytes: received (by the host's path and through
 * the TOE) and sent (the capture's host frames, also those the TOE sent). */
uint64_t driver_rx_payload_bytes(const struct driver *d);
uint64_t driver_tx_payload_bytes(const struct driver *d);
uint32_t driver_queue_app_cpu(const struct driver *d, uint32_t q);
/* Transmit work still in the host (waiting, posted and not cleaned). */
uint64_t driver_tx_in_flight(const struct driver *d);
void driver_free(struct driver *d);
/* Fill b->host with the host side's entry points. */
void driver_attach(struct driver *d, struct bus *b);
/* Program the NIC (reset, rings, RSS, vectors, enable). Call at time 0 after attach. */
void driver_start(struct driver *d);
void driver_on_deliver(struct driver *d, driver_deliver_fn fn, void *ctx);
/* An observer of interrupts (the timeline): called when a queue's MSI-X
 * message reaches the host, before its ISR is posted on the queue's CPU.
 * Unset (the default) it costs one test per interrupt. */
typedef void (*driver_msix_fn)(void *ctx, uint32_t queue, uint32_t cpu, uint64_t t_ps);
void driver_on_msix(struct driver *d, driver_msix_fn fn, void *ctx);

uint32_t driver_queues(const struct driver *d);
uint32_t driver_cpus(const struct driver *d);
const struct host_queue_stats *driver_queue_stats(const struct driver *d, uint32_t q);
const struct host_cpu_stats *driver_cpu_stats(const struct driver *d, uint32_t cpu);
const char *driver_lat_stage_name(enum lat_stage s);
const char *driver_lat_stage_desc(enum lat_stage s);
/* Latency histogram of a queue for one stage, in ps (an empty one if the
 * queue saw no frame). Not const: the driver stages a few samples
 * per queue before it adds them to the histograms, and reading adds them. */
const struct hist *driver_queue_lat(struct driver *d, uint32_t q, enum lat_stage s);
/* Frames the host holds (written by the NIC, not yet processed). */
uint64_t driver_in_flight(const struct driver *d);
uint64_t driver_bad_dma(const struct driver *d);

/* For the table rebalancer (host/rebalance.c). The driver keeps a copy of the
 * indirection table it programmed and counts, per entry, the frames whose
 * write-back hash indexed it (wb.rss_hash & (size - 1)). */
uint32_t driver_reta_size(const struct driver *d);
uint16_t driver_reta_get(const struct driver *d, uint32_t entry);
/* Rewrite one entry in the NIC (read-modify-write of its RETA register). */
void driver_reta_set(struct driver *d, uint32_t entry, uint16_t queue);
uint64_t driver_entry_frames(const struct driver *d, uint32_t entry);
/* A queue is drained when the NIC holds nothing for it (RXQ INFLIGHT register
 * reads 0) and the driver has processed every frame written to its ring. */
bool driver_queue_is_drained(struct driver *d, uint32_t q);
uint32_t driver_queue_cpu(const struct driver *d, uint32_t q);

#endif
