/*
 * host/driver_priv.h — the driver's inside, shared by its two files and by
 * nothing else: host/driver.c (receive: rings, ISR, DPC, the NIC's set-up)
 * and host/driver_tx.c (transmit: the send backlog, TX rings, cleaning).
 */
#ifndef NICSIM_HOST_DRIVER_PRIV_H
#define NICSIM_HOST_DRIVER_PRIV_H

#include "host/chimney.h"
#include "host/driver.h"
#include "host/netdma.h"
#include "host/txstack.h"
#include "models/pkt/rss_toeplitz.h"
#include "sim/bytering.h"

/* A send posted to a TX ring, kept until its descriptors are cleaned. */
struct drv_tx_posted {
	struct pkt *pkt;            /* the driver's reference to the send's bytes */
	uint32_t eop_slot;          /* the descriptor whose DD says it is done */
	uint32_t ndesc;             /* descriptors it took */
	uint32_t arena_room;        /* bytes of the data arena it took (with a skip at the end) */
	uint64_t t_first, t_submit, t_posted;   /* stamps for the host's transmit stages */
	uint64_t t_irq;                         /* the interrupt that covered its write-back, */
	bool has_irq;                           /* once one has */
	uint32_t segments;                      /* the capture's frames it covers (the software path's sends) */
};

/* A send waiting for room in the ring (the software queue, a qdisc). */
struct drv_tx_pending {
	struct pkt *pkt;
	uint32_t len;               /* its bytes (struct tx_send.len) */
	struct tx_offload off;
	bool has_offload, is_pure_ack;
	uint32_t payload_bytes;
	uint32_t segments;          /* struct tx_send.segments */
	uint64_t t_first, t_submit;
};

/* One transmit queue of a queue pair: the ring, the data arena the sends'
 * bytes are copied into for the NIC to read, what is posted and what waits. */
struct drv_txq {
	uint8_t *ring;
	uint64_t ring_addr;
	uint32_t count;             /* ring entries */
	uint32_t next_to_use, next_to_clean;
	uint32_t free_desc;         /* descriptors the driver may still post (one slot always empty) */
	uint8_t *arena;
	uint64_t arena_addr;
	struct bytering room;            /* the arena's */
	struct drv_tx_posted *posted;    /* count entries, a ring: posted_head first */
	uint32_t posted_head, posted_n;
	uint32_t posted_rung;            /* of them, the first posted_rung are behind a doorbell */
	uint32_t irq_scan;               /* of those, the first irq_scan have an interrupt stamped */
	struct drv_tx_pending *backlog;  /* cfg.tx_backlog_pkts entries, a ring */
	uint32_t bl_head, bl_n;
	bool is_tx_queued;          /* a TX work item is on the CPU */
	bool is_doorbell_due;       /* descriptors posted in this item, tail not written yet */
	struct host_txq_stats st;
};

/* The application's receive work of a queue's flows, waiting for its core
 * (host.app_cpu): TCP units (segments, or aggregates with host.gro) and
 * their copies, by a core or NetDMA (host/netdma.h). */
struct drv_app {
	uint64_t proto_cycles;      /* recv work of the units waiting */
	uint64_t copy_cycles;       /* copies a core does */
	uint64_t dma_copies, dma_bytes;   /* copies for the engine */
	uint64_t stall_cycles;      /* the part of a wait the core could not fill */
	uint64_t irq_cycles;        /* completion interrupts taken (netdma.completion=interrupt) */
	uint64_t sub_copies, sub_bytes;   /* the batch of the step running, submitted at its end */
	uint64_t t_wait;            /* when the batch waited on was submitted */
	bool is_queued;             /* its work item is on the core */
	bool is_waiting;            /* waiting for a batch's completion */
	struct sim_event ev;        /* the batch's completion */
};

/* Ordered by use: what a frame's DPC step reads first, then the counters,
 * then what is cold. */
struct drv_q {
	struct driver *d;
	uint8_t *ring;              /* backed descriptor memory */
	/* The frame records whose data landed in this queue's buffers and the
	 * driver has not processed, in ring order from next_to_clean on (the
	 * NIC fills buffers in ring order), linked through pkt.next; irq_next
	 * is the first of them no interrupt has covered yet. */
	struct pkt_list landed;
	struct pkt *irq_next;
	uint32_t count;             /* ring entries */
	uint32_t next_to_clean;     /* next descriptor the driver looks at */
	uint32_t index;
	uint32_t cpu;
	uint32_t n_landed;          /* frames on the landed list */
	uint32_t n_landed_desc;     /* the descriptors (buffers) they fill */
	uint32_t pieces_left;       /* buffers still to come of the last frame landing (chained) */
	uint32_t cur_ndesc;         /* descriptors of the frame of the step running */
	bool is_dpc_queued;
	bool is_lat_ready;          /* latency group initialised (at the queue's first frame) */
	/* the DPC run in progress */
	uint32_t dpc_done;          /* descriptors done in the current DPC run */
	bool is_dpc_overhead_due;   /* the run's fixed cost (cost.dpc_cycles) is not charged yet */
	bool is_cur_eq;             /* the step running is an offload event (host/chimney.c) */
	struct pkt *cur_pkt;        /* the frame of the step running */
	struct parse_result cur_pr; /* the driver's parse of its buffer */
	struct host_queue_stats st;
	/* adaptive moderation (irq.mode=adaptive, host/itr.h): frames and
	 * bytes processed since the vector's interval was last chosen */
	uint64_t itr_bytes;
	uint32_t itr_frames;
	struct itr_state itr;
	/* cold */
	uint32_t itr_eitr;          /* an EITR word chosen, to write at the next ISR */
	bool is_itr_due;            /* itr_eitr is waiting to be written */
	uint64_t ring_addr, buf_addr;
	struct drv_txq tx;          /* the queue pair's transmit side */
	struct cost_charge tx_clean; /* cleaning charged with the DPC run's fixed part */
	/* GRO (host.gro): the aggregate open in this DPC run */
	bool is_gro_open;
	uint16_t gro_sport, gro_dport;
	uint32_t gro_next_seq, gro_bytes;
	uint8_t gro_src[16];
	/* the application's side */
	uint32_t app_core;          /* host.app_cpu's core for this queue's flows */
	uint32_t locality;          /* cost_locality: permille on receive protocol and copies */
	struct drv_app app;
} __attribute__((aligned(64)));

struct driver {
	struct sim_kernel *k;
	struct bus *bus;
	struct cpu *cpu;
	struct hostmem *mem;
	struct host_cfg cfg;
	struct cost_cfg cost;
	struct drv_rss_cfg rss;
	struct itr_cfg irq;
	enum itr_algo itr_algo;     /* adaptive moderation: which driver's, by line rate (host/itr.h) */
	uint32_t link_mbps;         /* the line rate, from STATUS */
	enum parse_link link;
	uint32_t nq, ncpu;
	uint32_t table_size;        /* RETA entries, from CAPS */
	struct drv_q *q;
	uint16_t *reta;             /* the indirection table as programmed */
	/* Latency histograms of all queues, one group a queue, out of line so
	 * the per-queue structs stay small; mapped lazily (huge pages where the
	 * kernel offers them) and touched only for queues that see frames. */
	uint8_t *lat_arena;
	size_t lat_arena_bytes, lat_stride;

	uint64_t *entry_frames;     /* frames per entry, from write-back hashes */
	driver_deliver_fn deliver;
	void *deliver_ctx;
	driver_msix_fn on_msix;     /* NULL when no one observes interrupts */
	void *on_msix_ctx;
	struct tx_cfg tx;           /* the transmit offloads the driver asks of the NIC */
	uint32_t mtu;
	struct rss_toeplitz *tx_hash;  /* the RSS key's tables: which queue pair a send goes to */
	struct hist_group *tx_lat;  /* host transmit stages, all queues */
	struct host_tx_stats tx_st;
	struct chimney *chim;       /* TCP Chimney (host/chimney.c), NULL when off */
	struct netdma *dma;         /* NetDMA (host/netdma.h), NULL when off */
	uint64_t rx_payload_bytes, tx_payload_bytes;   /* the application's bytes: received (also by the
							 * TOE), sent (also through it) */
};


/* driver_tx.c */
int driver_tx_new(struct driver *d);
void driver_tx_free(struct driver *d);
void driver_tx_start(struct driver *d);
/* In the DPC, before its receive work: clean the queue pair's completed
 * sends; their charge goes into q->tx_clean. */
void driver_tx_clean(struct driver *d, struct drv_q *q);
/* A frame of the capture the host did not send (the TOE's connection): what
 * the software path would have spent sending it as a send of its own, booked
 * on its queue pair's core (shadow only). */
void driver_tx_book_base(struct driver *d, const struct pkt *p, const struct parse_result *pr);
/* The queue pair's interrupt reached the host: stamps the sends it covers. */
void driver_tx_on_msix(struct driver *d, struct drv_q *q, uint64_t now);

/* chimney.c, inside the driver's DPC. */
void chimney_start(struct driver *d);
void chimney_free(struct driver *d);
/* The queue's offload event queue has an entry the host has not taken. */
bool chimney_eq_pending(const struct driver *d, const struct drv_q *q);
/* Take one: its effect now, its cost in *next (a DPC step). */
void chimney_eq_step(struct driver *d, struct drv_q *q, struct cost_charge *next);
/* End of the DPC run: tell the NIC how far the host has read (EQH). */
void chimney_eq_flush(struct driver *d, struct drv_q *q, uint64_t now);
/* Whether chimney_rx will keep the frame (its connection is being handed
 * over, with the engine or coming back): then no application gets it from
 * the host's path. No side effects; its answer holds until the frame's
 * step ends (only the connection's own queue's DPC changes that state). */
bool chimney_rx_keeps(const struct driver *d, const struct parse_result *pr);
/* A frame the host's receive path processed: followed for the offload
 * policy, or kept (held during a handoff, forwarded to the engine, left
 * to TCP's resend): chimney_rx_keeps said which. */
void chimney_rx(struct driver *d, struct pkt *p, const struct parse_result *pr, bool has_hash, uint32_t hash,
		bool is_l4_bad);

#endif
