/*
 * sim/pkt.c — the packet-record pool: a free list of records whose data
 * buffers only grow. Memory is bounded by the most records ever in flight at
 * once, times their largest frames.
 */
#include "sim/pkt.h"

#include <stdlib.h>
#include <string.h>

struct pkt_pool {
	struct pkt *free_list;
	struct pkt **all;      /* every record ever made, to free them */
	uint64_t n_all, cap_all;
	uint64_t in_use;
};

struct pkt_pool *pkt_pool_new(void) { return calloc(1, sizeof(struct pkt_pool)); }

void pkt_pool_free(struct pkt_pool *pp)
{
	if (!pp)
		return;
	for (uint64_t i = 0; i < pp->n_all; i++) {
		free(pp->all[i]->data);
		free(pp->all[i]);
	}
	free(pp->all);
	free(pp);
}

struct pkt *pkt_alloc(struct pkt_pool *pp, uint32_t cap_len)
{
	struct pkt *p = pp->free_list;
	if (p) {
		pp->free_list = p->next;
	} else {
		if (pp->n_all == pp->cap_all) {
			uint64_t cap = pp->cap_all ? pp->cap_all * 2 : 256;
			struct pkt **a = realloc(pp->all, cap * sizeof *a);
			if (!a)
				return NULL;
			pp->all = a;
			pp->cap_all = cap;
		}
		p = calloc(1, sizeof *p);
		if (!p)
			return NULL;
		pp->all[pp->n_all++] = p;
	}
	if (p->data_cap < cap_len) {
		/* Round up so a record settles at its working size quickly. */
		uint32_t want = cap_len < 2048 ? 2048 : cap_len;
		uint8_t *d = realloc(p->data, want);
		if (!d) {
			p->next = pp->free_list;
			pp->free_list = p;
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
	p->next = pp->free_list;
	pp->free_list = p;
	pp->in_use--;
}

uint64_t pkt_pool_in_use(const struct pkt_pool *pp) { return pp->in_use; }
