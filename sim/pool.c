#include "sim/pool.h"

#include <stdlib.h>

void *sim_pool_make(struct sim_pool *p)
{
	if (p->n_all == p->cap_all) {
		uint64_t cap = p->cap_all ? p->cap_all * 2 : 64;
		void **a = realloc(p->all, cap * sizeof *a);
		if (!a)
			return NULL;
		p->all = a;
		p->cap_all = cap;
	}
	void *r = calloc(1, p->rec_bytes);
	if (r)
		p->all[p->n_all++] = r;
	return r;
}

void sim_pool_free(struct sim_pool *p)
{
	for (uint64_t i = 0; i < p->n_all; i++)
		free(p->all[i]);
	free(p->all);
	*p = (struct sim_pool){ 0 };
}
