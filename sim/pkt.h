/*
 * sim/pkt.h — the packet record that travels the whole path.
 *
 * One record per frame, taken from a pool when the frame enters the model
 * (wire or TX submission) and returned when it leaves (delivered, dropped or
 * sent). It carries its stage timestamps so per-stage latency falls out
 * without bookkeeping elsewhere, and its own event: a packet is in at most one
 * stage at a time, so one embedded event is enough and nothing is allocated
 * per hop.
 *
 * Invariant: every record taken from the pool is returned exactly once;
 * pkt_pool_in_use() == 0 at the end of a run (asserted by tests).
 */
#ifndef NICSIM_SIM_PKT_H
#define NICSIM_SIM_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"
#include "sim/kernel.h"

enum pkt_stage {
	PKT_T_WIRE = 0,     /* first bit on the wire at the NIC (capture timestamp) */
	PKT_T_MAC,          /* last bit received, frame in the RX FIFO */
	PKT_T_DMA_DONE,     /* data and descriptor write-back in host memory */
	PKT_T_IRQ,          /* the MSI-X message that covers it reached the host */
	PKT_T_DRIVER,       /* the driver's DPC processed its descriptor */
	PKT_T_DELIVERED,    /* the host stack finished with it */
	PKT_T_COUNT
};

struct pkt {
	struct sim_event ev;       /* the packet's own event, for whatever stage holds it */
	struct pkt *next;          /* link for the FIFO / ring / free list that holds it */
	uint64_t t_ps[PKT_T_COUNT];
	uint64_t record;           /* 1-based record number in the trace */
	uint64_t seq;              /* 1-based order of entry into the model, across replay passes */
	uint64_t buf_addr;         /* host buffer the NIC writes the frame to (from its descriptor) */
	uint32_t wire_len;         /* frame length on the wire (bytes, without FCS/preamble) */
	uint32_t cap_len;          /* bytes captured (<= wire_len) */
	uint32_t data_cap;         /* allocated size of data[] */
	uint32_t rss_hash;         /* Toeplitz hash, valid if has_hash */
	uint32_t slot;             /* descriptor index in its queue's ring */
	uint16_t queue;            /* RX/TX queue chosen by the NIC */
	uint16_t ring_gen;         /* the queue's ring generation when its DMA started */
	uint8_t has_hash;
	uint8_t csum_ip, csum_l4;  /* enum csum_verdict, set by the NIC's receive checksum */
	uint8_t *data;             /* the frame bytes (cap_len of them) */
	struct parse_result pr;
};

/* A FIFO of records linked through pkt.next (the NIC's DMA queue, the
 * driver's landed frames). */
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

/* The record whose embedded event ev is (event handlers get the event). */
static inline struct pkt *pkt_of_ev(struct sim_event *ev)
{
	return (struct pkt *)((char *)ev - offsetof(struct pkt, ev));
}

struct pkt_pool;
struct pkt_pool *pkt_pool_new(void);
void pkt_pool_free(struct pkt_pool *pp);
/* Take a record able to hold cap_len bytes. Records are recycled; a record's
 * buffer only grows (realloc), so after warm-up nothing is allocated. Returns
 * NULL only when memory is exhausted. */
struct pkt *pkt_alloc(struct pkt_pool *pp, uint32_t cap_len);
void pkt_release(struct pkt_pool *pp, struct pkt *p);
uint64_t pkt_pool_in_use(const struct pkt_pool *pp);

#endif
