#include "host/hostmem.h"

#include <stdlib.h>
#include <string.h>

struct region {
	uint64_t base, bytes;
	uint8_t *data;
	hostmem_write_fn on_write;
	void *owner;
};

#define HOSTMEM_HINTS 65536u  /* 4 GiB of 64 KiB chunks: no aliasing for 1024 queues of rings and buffers */
#define HOSTMEM_HINT_SHIFT 16

struct hostmem {
	struct region *r;
	uint32_t n, cap;
	uint64_t next_addr;
	/* Region hint per 64 KiB chunk of the address space (direct-mapped): a
	 * DMA lands on its region in one compare instead of a binary search. */
	uint32_t *hint;
	uint64_t bad_dma;
};

#define HOSTMEM_BASE 0x100000000ull  /* above 4 GiB: exercise 64-bit addressing */

struct hostmem *hostmem_new(void)
{
	struct hostmem *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->hint = calloc(HOSTMEM_HINTS, sizeof *m->hint);
	if (!m->hint) {
		free(m);
		return NULL;
	}
	m->next_addr = HOSTMEM_BASE;
	return m;
}

void hostmem_free(struct hostmem *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->n; i++)
		free(m->r[i].data);
	free(m->r);
	free(m->hint);
	free(m);
}

uint64_t hostmem_alloc(struct hostmem *m, uint64_t bytes, bool is_backed, hostmem_write_fn on_write, void *owner)
{
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 16;
		struct region *r = realloc(m->r, cap * sizeof *r);
		if (!r)
			return 0;
		m->r = r;
		m->cap = cap;
	}
	struct region *g = &m->r[m->n];
	*g = (struct region){ .base = m->next_addr, .bytes = bytes, .on_write = on_write, .owner = owner };
	if (is_backed && !(g->data = calloc(1, bytes ? bytes : 1)))
		return 0;
	m->n++;
	m->next_addr += (bytes + 4095) & ~4095ull;
	m->next_addr += 4096; /* a guard page between regions catches overruns as bad DMA */
	return g->base;
}

static struct region *find(struct hostmem *m, uint64_t addr, uint64_t len)
{
	uint32_t *hint = &m->hint[(addr >> HOSTMEM_HINT_SHIFT) % HOSTMEM_HINTS];
	if (*hint < m->n) {
		struct region *g = &m->r[*hint];
		if (addr >= g->base && addr + len <= g->base + g->bytes)
			return g;
	}
	/* Regions are allocated at increasing addresses: binary search. */
	uint32_t lo = 0, hi = m->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (m->r[mid].base + m->r[mid].bytes <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && addr >= m->r[lo].base && addr + len <= m->r[lo].base + m->r[lo].bytes) {
		*hint = lo;
		return &m->r[lo];
	}
	return NULL;
}

uint8_t *hostmem_ptr(struct hostmem *m, uint64_t addr, uint64_t len)
{
	struct region *g = find(m, addr, len);
	return g && g->data ? g->data + (addr - g->base) : NULL;
}

void hostmem_dma(struct hostmem *m, struct bus_dma *op)
{
	struct region *g = find(m, op->addr, op->len);
	if (!g) {
		m->bad_dma++;
		if (!op->is_write)
			memset(op->data, 0, op->len);
		return;
	}
	uint64_t off = op->addr - g->base;
	if (op->is_write) {
		if (g->data)
			memcpy(g->data + off, op->data, op->len);
		if (g->on_write)
			g->on_write(g->owner, off, op);
	} else if (g->data) {
		memcpy(op->data, g->data + off, op->len);
	} else {
		memset(op->data, 0, op->len);
	}
}

uint64_t hostmem_bad_dma(const struct hostmem *m) { return m->bad_dma; }
