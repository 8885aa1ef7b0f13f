/*
 * models/nic_priv.h — the NIC's inside, shared by its four files and by
 * nothing else:
 *
 *   models/nic.c      the shell: parameters, the register table, life cycle;
 *   models/nic_rx.c   the receive path: MAC arrival, parse, checksum, RSS
 *                     steering and the pipeline's timing;
 *   models/nic_dma.c  the DMA engine: descriptor cache and fetch (reads over
 *                     the PCIe link, completing later), data write and
 *                     descriptor write-back, completion to the interrupt block;
 *   models/nic_tx.c   the transmit path: descriptor fetch, buffer reads, the
 *                     transmit buffer, segmentation and checksums, the wire.
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
#include "models/pkt/tso.h"
#include "sim/bytering.h"
#include "sim/hist.h"
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

/* Transmit descriptors a queue's cache holds: fetched ahead in one read of
 * up to 512 bytes (32 descriptors, MRRS 512's worth); a packet has at most
 * this many descriptors. The 82599 keeps 40 a queue [recalled]; 32 is a
 * choice that keeps one fetch one read request at the default MRRS. */
#define NIC_TX_DCACHE_ENTRIES 32u
#define NIC_TX_DCACHE_LOW (NIC_TX_DCACHE_ENTRIES / 2)
/* The largest descriptor fetch (bytes): what a read-table entry holds. */
#define NIC_DMA_FETCH_MAX (NIC_TX_DESC_BYTES * NIC_TX_DCACHE_ENTRIES)
/* Link-layer bytes a frame may have before its IP header beyond the MTU
 * (Ethernet with up to four VLAN tags, 30; Linux cooked headers, 16 or 20):
 * a packet the NIC is not to segment may be at most mac.mtu + this. */
#define NIC_TX_L2_MAX (14u + 4u * PARSE_VLAN_MAX)

/* What a pending read is for. */
enum nic_read_kind { NIC_READ_RX_DESC = 0, NIC_READ_TX_DESC, NIC_READ_TX_DATA };

/* A DMA read on its way: one entry of the NIC's table of pending reads. A
 * read holds one read tag per MRRS-sized request it makes (a descriptor
 * fetch one, a transmit buffer read ceil(len / MRRS)) until it lands; the
 * tags in use never exceed pcie.read_tags, so neither do the entries. The
 * bus carries op; its tag is the entry's index. A transmit packet whose
 * buffers outnumber the tags it may hold shares them (some reads hold
 * none), so the table has a packet's worth of entries beyond the tags. */
struct nic_dma_read {
	struct bus_dma op;
	struct sim_event ev;          /* the completion lands (scheduled when it comes with a later time) */
	uint32_t queue;               /* descriptor fetch: its queue, ring generation and count */
	uint32_t count;
	uint32_t gen;
	uint32_t tags;                /* read tags it holds */
	uint8_t kind;                 /* enum nic_read_kind */
	bool is_busy;
	bool is_issued;               /* handed to the bus (a transmit read is counted first, issued after) */
	struct nic_tx_send *send;     /* NIC_READ_TX_DATA: the send it reads for */
	uint8_t data[NIC_DMA_FETCH_MAX];
};

/* A packet the transmit path took from a queue's ring: from its descriptors
 * through its data reads, the transmit buffer and the wire, to its
 * write-back. Its bytes sit in the transmit buffer (nic.txbuf) from the
 * reads' issue until its last frame has left. */
struct nic_tx_send {
	struct sim_event ev;          /* its next frame's start on the wire, then its end */
	struct sim_event wb_ev;       /* its write-back lands */
	struct nic_tx_send *next;     /* the transmit FIFO, or the free list */
	struct tx_offload off;
	uint32_t queue, gen;
	uint32_t rs_slot;             /* ring index of the descriptor whose DD is written back */
	uint32_t len;                 /* bytes of the send (all its buffers) */
	uint32_t buf_off, buf_room;   /* where in the transmit buffer, room taken (with any skip at its end) */
	uint32_t reads_pending;
	uint32_t segs, seg_next;      /* frames it becomes, and the next to go */
	bool is_rs;
	bool is_wire_done, is_wb_pending;   /* freed when both are done with it */
	uint8_t rs_desc[NIC_TX_DESC_BYTES]; /* the RS descriptor as read: written back with DD */
	uint64_t t_doorbell, t_desc, t_read, t_data, t_wire_end;
};

/* One transmit queue. */
struct nic_txq {
	uint64_t ring_base;
	uint32_t ring_bytes, entries;
	uint32_t head, tail;           /* TDH, TDT */
	uint32_t fetched, fetch_end;   /* as nic_rxq: the cache holds [head, fetched) */
	uint32_t gen;
	bool is_enabled;               /* TXDCTL.ENABLE */
	bool is_fetch_wanted;          /* a fetch waits for a free read tag */
	bool is_start_wanted;          /* a packet waits for buffer room or read tags */
	uint64_t t_doorbell;           /* the last tail write that gave the NIC descriptors */
	struct nic_tx_desc_ctx ctx;    /* the last context descriptor */
	struct nic_txq_stats st;
	uint8_t dcache[NIC_TX_DCACHE_ENTRIES][NIC_TX_DESC_BYTES];   /* descriptors [head, fetched), dc_first first */
	uint64_t dc_doorbell[NIC_TX_DCACHE_ENTRIES];   /* per cached descriptor: the tail write before its fetch, */
	uint64_t dc_landed[NIC_TX_DCACHE_ENTRIES];     /* and when its fetch landed (measurement) */
	uint64_t fetch_doorbell;                       /* the fetch on its way: the tail write before it */
	uint16_t dc_first;
};

struct nic_tx_send_list {
	struct nic_tx_send *head, *tail;
};

/* A received frame inside the NIC. */
struct nic_rx_frame {
	struct sim_event ev;          /* the stage that holds it: pipeline, then DMA */
	struct nic_rx_frame *next;    /* the DMA queue, or the free list */
	struct pkt *pkt;              /* the frame's bytes (a reference the NIC holds) */
	uint64_t bufs[NIC_DCACHE_ENTRIES];  /* host buffers, from its descriptors: a frame longer than one
	                                     * buffer spans several (chained, EOP on the last) */
	uint32_t rss_hash;            /* valid if has_hash */
	uint32_t slot;                /* descriptor index in its queue's ring */
	uint32_t placed;              /* bytes written to its buffers */
	uint8_t ndesc;                /* descriptors (buffers) it takes */
	bool is_too_long;             /* longer than mac.mtu allows: dropped at arrival */
	uint16_t queue;               /* chosen by RSS (0 with RSS off) */
	uint32_t ring_gen;            /* the queue's ring generation when its DMA started */
	uint16_t pkt_type;            /* NIC_PTYPE_* for the write-back */
	uint8_t has_hash;
	uint8_t is_parsed;            /* headers parsed to the transport layer */
	uint8_t csum_ip, csum_l4;     /* enum csum_verdict */
	bool is_toe;                  /* an offloaded connection's: to the engine after the pipeline */
	struct parse_result toe_pr;   /* with is_toe: the pipeline's parse, for the engine */
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


/* ---- the offload engine's shell (models/nic_toe.c) ---- */
/* The shell's sizes, nicsim's choices (docs/toe.md): 64 DMA reads in flight,
 * twice the 32 read tags of pcie.tags so commands never wait on the shell
 * (its reads do not take those tags, a simplification docs/toe.md states);
 * 4 posted buffers a connection, twice what host/chimney.c posts; 1024
 * engine frames queued for the wire, more than a full 256 KB send buffer
 * (toe.snd_buf_bytes) cut into 1448-byte segments (182). */
#define NIC_TOE_READS 64u            /* its DMA reads in flight */
#define NIC_TOE_TAG_BASE (1ull << 32) /* bus_dma tags at and above: the shell's reads */
#define NIC_TOE_POSTS 4u             /* receive buffers a connection may have posted */
#define NIC_TOE_WIRE_SLOTS 1024u     /* engine frames waiting for the wire */

struct nic_toe_read {
	struct bus_dma op;
	struct sim_event ev;
	uint8_t *data;
	uint32_t data_cap;
	bool is_busy, is_landed;
};
struct nic_toe_cmd {
	uint32_t op, id, len, arg;
	uint64_t addr;
	uint32_t read;                /* its read slot (UINT32_MAX: none yet) */
};
struct nic_toe_post {
	uint64_t addr;
	uint32_t len, filled;
};
struct nic_toe_off {                 /* one offload, by the host's id */
	struct sim_event push_ev;     /* the push timer of the head posted buffer */
	int32_t conn;                 /* the engine's index while installed, else -1 */
	uint32_t id;
	uint16_t queue;               /* RSS's queue for its hash: where its events go */
	bool is_live, is_upload_asked;
	struct nic_toe_post post[NIC_TOE_POSTS];
	uint8_t post_head, post_n;
	struct nic_toe_rec rec;
};
struct nic_toe_eq {
	uint64_t base;
	uint32_t entries;
	uint32_t head, tail;          /* entries consumed (host) and written (NIC), counts */
};
struct nic_toe_pend {                /* an event write on the link */
	uint64_t t_land_ps, addr;
	uint32_t q;
	struct nic_toe_eq_entry e;
};
struct nic_toe {
	struct toe *eng;
	struct toe_cfg cfg;
	uint32_t ctl;
	uint64_t cmd_addr;
	uint32_t cmd_len, cmd_arg;
	uint64_t ind_base;
	uint32_t ind_bytes, ind_off;
	struct nic_toe_eq *eq;        /* per receive queue */
	struct nic_toe_rx_work *rxw;  /* per receive queue */
	int32_t *conn_id;             /* engine index -> the host's id (-1) */
	struct nic_toe_off **offs;    /* by id */
	uint32_t n_offs;
	struct nic_toe_cmd *cmd;      /* commands in order, a ring */
	uint32_t cmd_head, cmd_n, cmd_cap, cmd_issued;
	struct nic_toe_read rd[NIC_TOE_READS];
	struct nic_toe_pend *pend;    /* event writes on the link, in landing order */
	uint32_t pend_head, pend_n, pend_cap;
	struct sim_event eq_ev;
	uint8_t *wire_mem;            /* NIC_TOE_WIRE_SLOTS frames of slot_bytes */
	uint32_t wire_len[NIC_TOE_WIRE_SLOTS];
	uint32_t wire_head, wire_n, slot_bytes;
	struct sim_event wire_ev;
	struct nic_toe_stats st;
};

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
	struct nic_dma_read *rd;       /* pending reads: rd_entries of them */
	uint32_t rd_entries;           /* pcie.read_tags + NIC_TX_DCACHE_ENTRIES */
	uint32_t rd_busy;              /* entries in use */
	uint32_t tags_busy;            /* read tags in use (a transmit read may hold several) */
	uint32_t fetch_waiters;        /* queues with is_fetch_wanted */
	/* The transmit path (models/nic_tx.c). */
	uint32_t tctl;
	struct nic_txq *tq;
	uint8_t *txbuf_mem;            /* the transmit packet buffer, mac.tx_fifo_bytes */
	struct bytering txbuf;         /* its room */
	struct nic_tx_send_list tx_fifo;  /* sends in the order their reads were issued */
	struct sim_pool tx_sends;
	uint64_t tx_wire_free_ps;      /* the transmit wire is busy until then */
	uint64_t tx_engine_free_ps;    /* the segmentation/checksum engine is busy until then */
	uint32_t tx_start_waiters;     /* queues with is_start_wanted */
	uint32_t tx_fetch_waiters;     /* transmit queues with is_fetch_wanted */
	uint8_t *tx_frame;             /* one frame being built (TSO_HDR_MAX + TSO_SEND_MAX_PAYLOAD) */
	struct nic_tx_stats tx_st;
	struct hist_group *tx_lat;     /* transmit stages, all queues (enum nic_tx_lat) */
	struct nic_engines eng;
	struct nic_stats st;
	struct nic_toe *toe;           /* NULL: no offload engine (toe.enable off) */
};

/* Host address of descriptor slot of the queue's ring. */
static inline uint64_t nic_rxq_desc_addr(const struct nic_rxq *q, uint32_t slot)
{
	return q->ring_base + (uint64_t)slot * NIC_RX_DESC_BYTES;
}

/* Descriptors the queue's cache holds (landed). */
static inline uint32_t nic_rxq_cached(const struct nic_rxq *q)
{
	return q->entries ? (q->fetched + q->entries - q->head) % q->entries : 0;
}
/* Descriptors landed or on their way. */
static inline uint32_t nic_rxq_cached_or_coming(const struct nic_rxq *q)
{
	return (q->fetch_end + q->entries - q->head) % q->entries;
}

/* Descriptors a frame of len bytes takes: one per buffer of the queue's
 * size (at least one). */
static inline uint32_t nic_rxq_descs_for(const struct nic_rxq *q, uint32_t len)
{
	uint32_t b = q->buf_bytes ? q->buf_bytes : 1;
	return len <= b ? 1 : (uint32_t)(((uint64_t)len + b - 1) / b);
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

/* nic_tx.c */
int nic_tx_new(struct nic *n, const struct mac_cfg *mac_cfg);
void nic_tx_free(struct nic *n);
void nic_tx_reset(struct nic *n);
uint32_t nic_txq_read(struct nic *n, uint32_t qi, uint32_t off);
void nic_txq_write(struct nic *n, uint32_t qi, uint32_t off, uint32_t v);
/* A transmit read landed (descriptors or data). */
void nic_tx_read_land(struct nic *n, struct nic_dma_read *r);
/* Read tags came free: queues waiting for them go on. */
void nic_tx_tags_freed(struct nic *n);

/* nic_dma.c */
/* A descriptor fetch of a ring: how many descriptors from fetched on
 * (up to room, the ring's end or tail, and the next MRRS boundary: one read
 * request) and their address; 0 for none (a fetch that would wrap the
 * address space is counted in bad_dma_addresses). */
uint32_t nic_dma_fetch_span(struct nic *n, uint64_t ring_base, uint32_t entries, uint32_t fetched, uint32_t tail,
			    uint32_t room, uint32_t desc_bytes, uint64_t *addr);
/* Issue it with one read tag, *fetch_end set to new_end first; NULL when
 * no tag is free (the caller waits). */
struct nic_dma_read *nic_dma_fetch_issue(struct nic *n, enum nic_read_kind kind, uint32_t qi, uint32_t gen,
					 uint64_t addr, uint32_t cnt, uint32_t desc_bytes, uint32_t *fetch_end,
					 uint32_t new_end);
/* An entry of the read table holding tags read tags, or NULL (none free). */
struct nic_dma_read *nic_dma_read_take(struct nic *n, uint32_t tags);
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

/* nic_toe.c */
bool nic_toe_reg_write(struct nic *n, uint64_t addr, uint32_t v);
bool nic_toe_reg_read(const struct nic *n, uint64_t addr, uint32_t *v);
void nic_toe_read_complete(struct nic *n, uint64_t t_ps, struct bus_dma *op);
int32_t nic_toe_lookup(const struct nic *n, const struct parse_result *pr);
bool nic_toe_rx(struct nic *n, struct nic_rx_frame *f);
void nic_toe_free(struct nic *n);
/* nic_new/nic_free: the table of pending reads. */
int nic_dma_new(struct nic *n);
void nic_dma_free(struct nic *n);

#endif
