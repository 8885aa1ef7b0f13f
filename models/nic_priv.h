/*
 * models/nic_priv.h — the NIC's inside, shared by its three files and by
 * nothing else:
 *
 *   models/nic.c      the shell: parameters, the register table, life cycle;
 *   models/nic_rx.c   the receive path: MAC arrival, parse, checksum, RSS
 *                     steering and the pipeline's timing;
 *   models/nic_dma.c  the DMA engine: descriptor cache and fetch (reads over
 *                     the PCIe link, completing later), data write and
 *                     descriptor write-back, completion to the interrupt block.
 *
 * A received frame is the NIC's own record (struct nic_rx_frame) from the
 * moment it arrives until its write-back: what the NIC learnt about it (its
 * parse, verdicts, hash, queue, ring slot) stays here. The frame's bytes are
 * the packet record the wire lent (struct pkt), of which the NIC holds a
 * reference; the host learns what the NIC learnt only from the write-back
 * descriptor and the bytes in its buffer.
 */
#ifndef NICSIM_MODELS_NIC_PRIV_H
#define NICSIM_MODELS_NIC_PRIV_H

#include "models/nic.h"
#include "models/nic_regs.h"
#include "models/pcie.h"
#include "sim/pool.h"

/* The NIC's descriptor cache: the buffer addresses of the next descriptors
 * of a queue, read from the ring ahead of use. When it holds NIC_DCACHE_LOW or
 * fewer (counting a fetch on its way) and the ring has more, the NIC fills it
 * with one read over the PCIe link (at least four 16-byte descriptors when the
 * ring has them, a cache line's worth); a queue has at most one fetch on its
 * way, and a descriptor is used only once its fetch has landed. 8 is a
 * choice [A]: one 128-byte read fills it, and a queue's cache stays on two
 * cache lines. */
#define NIC_DCACHE_ENTRIES 8u
#define NIC_DCACHE_LOW (NIC_DCACHE_ENTRIES / 2)
/* Descriptors a ring may have: RDLEN / 16 for any RDLEN below 256 MiB; a
 * bound so that ring indices and their arithmetic stay far from 2^32. */
#define NIC_RING_ENTRIES_MAX (1u << 24)

/* A DMA read on its way: one entry of the NIC's table of pending reads, as
 * many as the link has read tags (pcie.read_tags). The bus carries op; its
 * tag is the entry's index. */
struct nic_dma_read {
	struct bus_dma op;
	struct sim_event ev;          /* the completion lands (scheduled when it comes with a later time) */
	uint32_t queue;               /* descriptor fetch: its queue, ring generation and count */
	uint32_t count;
	uint32_t gen;
	bool is_busy;
	uint8_t data[NIC_RX_DESC_BYTES * NIC_DCACHE_ENTRIES];
};

/* A received frame inside the NIC. */
struct nic_rx_frame {
	struct sim_event ev;          /* the stage that holds it: pipeline, then DMA */
	struct nic_rx_frame *next;    /* the DMA queue, or the free list */
	struct pkt *pkt;              /* the frame's bytes (a reference the NIC holds) */
	uint64_t buf_addr;            /* host buffer, from its descriptor */
	uint32_t rss_hash;            /* valid if has_hash */
	uint32_t slot;                /* descriptor index in its queue's ring */
	uint32_t placed;              /* bytes written to its buffer (truncated to the queue's buffer size) */
	uint16_t queue;               /* chosen by RSS (0 with RSS off) */
	uint32_t ring_gen;            /* the queue's ring generation when its DMA started */
	uint16_t pkt_type;            /* NIC_PTYPE_* for the write-back */
	uint8_t has_hash;
	uint8_t is_parsed;            /* headers parsed to the transport layer */
	uint8_t csum_ip, csum_l4;     /* enum csum_verdict */
};

struct nic_rx_frame_list {
	struct nic_rx_frame *head, *tail;
};

/* One receive queue: ring registers, descriptor cache, counters. Aligned so
 * that with many queues a frame's queue state spans few cache lines. */
struct nic_rxq {
	uint64_t ring_base;
	uint32_t entries;              /* ring_bytes / 16 */
	uint32_t head, tail;           /* RDH, RDT */
	uint32_t fetched;              /* descriptors landed up to (exclusive): the cache holds [head, fetched) */
	uint32_t fetch_end;            /* a fetch on its way covers [fetched, fetch_end); == fetched when none */
	uint32_t buf_bytes;
	uint32_t inflight;             /* frames steered here, not yet written back or dropped */
	uint16_t dc_first;             /* dcache index of descriptor head */
	uint32_t gen;                  /* ring generation: counts RDLEN writes and resets */
	bool is_drop_en;               /* SRRCTL.DROP_EN: a frame that finds the ring empty is dropped at once */
	bool is_fetch_wanted;          /* a fetch waits for a free read tag */
	struct nic_queue_stats st;
	uint32_t ring_bytes;
	uint64_t dcache[NIC_DCACHE_ENTRIES] __attribute__((aligned(64)));   /* buffer addresses */
} __attribute__((aligned(64)));

struct nic {
	struct sim_kernel *k;
	struct bus *bus;
	struct nic_cfg cfg;
	struct pcie_cfg pcie_cfg;
	struct sim_clock clk;
	enum parse_link link;
	struct mac mac;
	struct rss *rss;
	struct irq *irq;
	uint32_t nq;
	struct nic_rxq *q;
	uint32_t ctrl, rctl, mrqc;
	uint8_t key[RSS_KEY_BYTES_MAX];
	uint64_t pipe_free_ps;         /* the rx pipeline is busy until then */
	uint64_t pipe_bytes;           /* packet-buffer bytes of frames not out of the pipeline yet */
	bool is_fast_path;             /* see nic_set_fast_path */
	struct sim_pool frames;        /* frame records: grows to the most ever in flight */
	/* DMA engine: frames wait in the packet buffer in arrival order; the
	 * first goes onto the link when the link is free and its queue has a
	 * descriptor. */
	struct nic_rx_frame_list dma_q;
	struct sim_event dma_ev;       /* scheduled only while a frame waits for the link */
	bool is_dma_desc_wait;         /* the first frame waits for its queue's descriptor */
	uint64_t in_flight;
	struct pcie_link pcie;           /* the PCIe link, both directions */
	struct nic_dma_read *rd;       /* pending reads, cfg pcie.read_tags of them */
	uint32_t rd_busy;              /* entries in use */
	uint32_t fetch_waiters;        /* queues with is_fetch_wanted */
	struct nic_engines eng;
	struct nic_stats st;
};

/* Host address of descriptor slot of the queue's ring. */
static inline uint64_t nic_rxq_desc_addr(const struct nic_rxq *q, uint32_t slot)
{
	return q->ring_base + (uint64_t)slot * NIC_RX_DESC_BYTES;
}

/* Descriptors the queue's cache holds (landed). */
static inline uint32_t nic_rxq_cached(const struct nic_rxq *q)
{
	return (q->fetched + q->entries - q->head) % q->entries;
}
/* Descriptors landed or on their way. */
static inline uint32_t nic_rxq_cached_or_coming(const struct nic_rxq *q)
{
	return (q->fetch_end + q->entries - q->head) % q->entries;
}

/* A descriptor the NIC can use now: landed in the cache. */
static inline bool nic_rxq_has_desc(const struct nic_rxq *q)
{
	return q->head != q->fetched;
}
/* The ring has a descriptor for the NIC ([head, tail) is not empty),
 * landed or not. */
static inline bool nic_rxq_ring_has_desc(const struct nic_rxq *q)
{
	return q->entries && q->head != q->tail;
}

static inline struct nic_rx_frame *nic_rx_frame_of_ev(struct sim_event *ev)
{
	return (struct nic_rx_frame *)(void *)((char *)ev - offsetof(struct nic_rx_frame, ev));
}

/* nic.c: an access to no register, or a write the register refuses (counted,
 * the address kept for the report). */
void nic_reg_unknown(struct nic *n, uint64_t addr, bool is_write);

/* nic_rx.c */
void nic_rx_frame_in(void *nic, uint64_t t_ps, struct pkt *p);
/* A frame's record goes back to the pool, with the NIC's reference to its bytes. */
static inline void nic_rx_frame_put(struct nic *n, struct nic_rx_frame *f)
{
	pkt_release(f->pkt);
	sim_pool_give(&n->frames, f);
}
/* A frame leaves the NIC without a write-back: its queue's count, its
 * reference, its record. */
void nic_rx_drop(struct nic *n, struct nic_rx_frame *f);

/* nic_dma.c */
/* Let the engine look at its first frame again (a descriptor or DROP_EN came). */
void nic_dma_kick(struct nic *n);
/* Queue a frame that left the pipeline for the engine. */
void nic_dma_enqueue(struct nic *n, struct nic_rx_frame *f);
/* Start a frame's DMA at start_ps (>= now) with the queue's next descriptor,
 * bypassing the queue: the caller has checked that nothing else can reach
 * the link before start_ps and a descriptor is cached. */
void nic_dma_start(struct nic *n, struct nic_rx_frame *f, uint64_t start_ps);
/* A frame in the packet buffer that finds no descriptor (or loses it). */
void nic_dma_drop_no_desc(struct nic *n, struct nic_rx_frame *f);
/* Fetch descriptors for the queue if its cache runs low and the ring has more. */
void nic_dma_desc_fetch(struct nic *n, uint32_t qi);
void nic_dma_complete(void *nic, uint64_t t_ps, struct bus_dma *op);
/* nic_new/nic_free: the table of pending reads. */
int nic_dma_new(struct nic *n);
void nic_dma_free(struct nic *n);

#endif
