/*
 * sim/pool.h — a pool of fixed-size records: a free list that grows to the
 * most records ever taken at once, so nothing is allocated once a run has
 * warmed up (DESIGN.md: no malloc on the hot path). The packet records
 * (sim/pkt.c) and the NIC's frame records come from pools.
 *
 * A free record is linked through a pointer field of the record itself, at
 * link_off; the pool keeps every record it made, so the owner can walk them
 * (sim_pool_record) and all are freed together. A record comes back as it
 * was given, zeroed only when first made.
 */
#ifndef NICSIM_SIM_POOL_H
#define NICSIM_SIM_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sim_pool {
	size_t rec_bytes;
	size_t link_off;        /* offsetof the record's own next pointer */
	void *free_list;
	void **all;             /* every record made */
	uint64_t n_all, cap_all;
};

static inline void sim_pool_init(struct sim_pool *p, size_t rec_bytes, size_t link_off)
{
	*p = (struct sim_pool){ .rec_bytes = rec_bytes, .link_off = link_off };
}

/* A new record when none is free; NULL when memory is exhausted. */
void *sim_pool_make(struct sim_pool *p);

static inline void *sim_pool_take(struct sim_pool *p)
{
	void *r = p->free_list;
	if (!r)
		return sim_pool_make(p);
	memcpy(&p->free_list, (char *)r + p->link_off, sizeof(void *));
	return r;
}

static inline void sim_pool_give(struct sim_pool *p, void *r)
{
	memcpy((char *)r + p->link_off, &p->free_list, sizeof(void *));
	p->free_list = r;
}

static inline uint64_t sim_pool_records(const struct sim_pool *p) { return p->n_all; }
static inline void *sim_pool_record(const struct sim_pool *p, uint64_t i) { return p->all[i]; }

/* Free every record the pool made (taken or not). */
void sim_pool_free(struct sim_pool *p);

#endif
