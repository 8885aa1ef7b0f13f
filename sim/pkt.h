/*
 * sim/pkt.h — the packet record: a frame's bytes and what every side may see
 * of it.
 *
 * One record per frame, taken from a pool when the frame enters the model
 * (read from the trace) and returned when the last holder lets it go. It
 * holds the bytes, the lengths, the trace record and entry sequence numbers,
 * and the stage timestamps that the report's per-stage latency comes from.
 * The timestamps are measurement: each side stamps the stage it owns, and no
 * decision of the model reads them. What a block learns about a frame (the
 * NIC's parse, verdicts, hash, queue, ring slot) stays in that block's own
 * records; the host learns it from the write-back descriptor and the bytes.
 *
 * Ownership: the bus lends a record, it does not hand it over. A receiver
 * that keeps the record past the call takes its own reference (pkt_ref) and
 * lets it go with pkt_release; the sender releases its own. The record goes
 * back to the pool when its last reference is released.
 *
 * Invariant: every reference taken is released exactly once;
 * pkt_pool_in_use() == 0 at the end of a run (checked by tests).
 */
#ifndef NICSIM_SIM_PKT_H
#define NICSIM_SIM_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/check.h"

enum pkt_stage {
	PKT_T_WIRE = 0,     /* first bit on the wire at the NIC (capture timestamp) */
	PKT_T_MAC,          /* last bit received (the frame is in the packet buffer from its first bit) */
	PKT_T_PIPE,         /* left the receive pipeline (parse, checksum, hash) */
	PKT_T_DMA_READY,    /* first in line for the DMA engine, with the link free */
	PKT_T_DMA_START,    /* has its descriptor: its data goes onto the link */
	PKT_T_DATA,         /* its data is in host memory */
	PKT_T_DMA_DONE,     /* its descriptor write-back is in host memory */
	PKT_T_IRQ,          /* the MSI-X message that covers it reached the host */
	PKT_T_DPC,          /* the driver's DPC started on its descriptor */
	PKT_T_DELIVERED,    /* the host stack finished with it */
	PKT_T_COUNT
};

struct pkt_pool;

struct pkt {
	struct pkt *next;          /* link of the one list that holds it (the driver's landed frames, the free list) */
	struct pkt_pool *pool;     /* where it returns */
	uint32_t refs;             /* holders */
	uint32_t wire_len;         /* frame length on the wire (bytes, without FCS/preamble) */
	uint32_t cap_len;          /* bytes captured (<= wire_len) */
	uint32_t data_cap;         /* allocated size of data[] */
	uint64_t record;           /* 1-based record number in the trace */
	uint64_t seq;              /* 1-based order of entry into the model, across replay passes */
	uint64_t t_ps[PKT_T_COUNT];
	uint8_t *data;             /* the frame bytes (cap_len of them) */
};

/* A FIFO of records linked through pkt.next (the driver's landed frames). */
struct pkt_list {
	struct pkt *head, *tail;
};

static inline void pkt_list_push(struct pkt_list *l, struct pkt *p)
{
	p->next = NULL;
	if (l->tail)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
}

/* The first record, removed; NULL when empty. */
static inline struct pkt *pkt_list_pop(struct pkt_list *l)
{
	struct pkt *p = l->head;
	if (p) {
		l->head = p->next;
		if (!l->head)
			l->tail = NULL;
	}
	return p;
}

struct pkt_pool *pkt_pool_new(void);
void pkt_pool_free(struct pkt_pool *pp);
/* Take a record able to hold cap_len bytes, with one reference (the
 * caller's). Records are recycled; a record's buffer only grows (realloc),
 * so after warm-up nothing is allocated. Returns NULL only when memory is
 * exhausted. */
struct pkt *pkt_alloc(struct pkt_pool *pp, uint32_t cap_len);
/* Take one more reference; returns p. */
static inline struct pkt *pkt_ref(struct pkt *p)
{
	p->refs++;
	return p;
}
/* Let one reference go; the last returns the record to its pool. */
void pkt_release_last(struct pkt *p);
static inline void pkt_release(struct pkt *p)
{
	sim_check(p->refs > 0, "packet record released more often than referenced");
	if (--p->refs == 0)
		pkt_release_last(p);
}
uint64_t pkt_pool_in_use(const struct pkt_pool *pp);

#endif
