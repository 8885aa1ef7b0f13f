/*
 * sim/pkt.c — the packet-record pool: a free list of records whose data
 * buffers only grow. Memory is bounded by the most records ever in flight at
 * once, times their largest frames.
 */
#include "sim/pkt.h"

#include "sim/pool.h"

#include <stdlib.h>
#include <string.h>

struct pkt_pool {
	struct sim_pool records;
	uint64_t in_use;
};

struct pkt_pool *pkt_pool_new(void)
{
	struct pkt_pool *pp = calloc(1, sizeof *pp);
	if (pp)
		sim_pool_init(&pp->records, sizeof(struct pkt), offsetof(struct pkt, next));
	return pp;
}

void pkt_pool_free(struct pkt_pool *pp)
{
	if (!pp)
		return;
	for (uint64_t i = 0; i < sim_pool_records(&pp->records); i++)
		free(((struct pkt *)sim_pool_record(&pp->records, i))->data);
	sim_pool_free(&pp->records);
	free(pp);
}

struct pkt *pkt_alloc(struct pkt_pool *pp, uint32_t cap_len)
{
	struct pkt *p = sim_pool_take(&pp->records);
	if (!p)
		return NULL;
	if (p->data_cap < cap_len) {
		/* Round up so a record settles at its working size quickly. */
		uint32_t want = cap_len < 2048 ? 2048 : cap_len;
		uint8_t *d = realloc(p->data, want);
		if (!d) {
			sim_pool_give(&pp->records, p);
			return NULL;
		}
		p->data = d;
		p->data_cap = want;
	}
	uint8_t *data = p->data;
	uint32_t data_cap = p->data_cap;
	memset(p, 0, offsetof(struct pkt, data));
	p->data = data;
	p->data_cap = data_cap;
	p->pool = pp;
	p->refs = 1;
	pp->in_use++;
	return p;
}

void pkt_release_last(struct pkt *p)
{
	struct pkt_pool *pp = p->pool;
	sim_pool_give(&pp->records, p);
	pp->in_use--;
}

uint64_t pkt_pool_in_use(const struct pkt_pool *pp) { return pp->in_use; }
