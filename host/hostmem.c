#include "host/hostmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct region {
	uint64_t base, bytes;
	uint8_t *data;
	hostmem_write_fn on_write;
	void *owner;
};

/* Regions start on a 2 MiB chunk boundary, so no chunk holds two regions,
 * and the first 64 GiB of bus addresses are direct-mapped: chunk c holds a
 * copy of its region, one cache line, so a DMA finds its region with one
 * index and one line. With many queues every frame's DMA lands on a
 * different queue's buffers and ring; a hint table plus the region array cost
 * two cold lines a lookup, and 64 KiB chunks spread one queue's buffers over
 * 16 lines. Bus address space is plentiful (64-bit), so a small ring taking a
 * whole chunk costs nothing. Beyond the map: binary search. */
#define HOSTMEM_CHUNK_SHIFT 21
#define HOSTMEM_CHUNK_BYTES (1ull << HOSTMEM_CHUNK_SHIFT)
#define HOSTMEM_CHUNKS 32768u  /* 64 GiB */
struct chunk {
	struct region r;   /* bytes == 0: no region here */
} __attribute__((aligned(64)));

struct hostmem {
	struct region *r;
	uint32_t n, cap;
	uint64_t next_addr;
	struct chunk *chunk;   /* [HOSTMEM_CHUNKS], pages touched only where regions are */
	uint64_t bad_dma;
	uint8_t *arena;               /* backing of backed regions; see backing_alloc */
	size_t arena_used, arena_cap;
};

/* Backed regions (the descriptor rings) are carved from one reservation of
 * address space, transparent huge pages asked for. With many queues every
 * frame's descriptors are in a different ring; rings calloc'ed one by one
 * land on 4 KiB pages scattered over the heap, and each frame then pays a
 * TLB miss for its ring (docs/performance.md has the figures). The
 * reservation is address space only (MAP_NORESERVE): pages are committed
 * when first touched. A region that does not fit, or a system that refuses
 * the reservation, falls back to calloc. */
#define HOSTMEM_ARENA_BYTES (1ull << 30)

static uint8_t *backing_alloc(struct hostmem *m, uint64_t bytes)
{
	if (!m->arena && !m->arena_cap) {
		void *a = mmap(NULL, HOSTMEM_ARENA_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		m->arena_cap = HOSTMEM_ARENA_BYTES;  /* tried once */
		if (a != MAP_FAILED) {
			m->arena = a;
			(void)madvise(a, HOSTMEM_ARENA_BYTES, MADV_HUGEPAGE); /* a hint; fine if refused */
		}
	}
	uint64_t need = (bytes + 63) & ~63ull;   /* keep every region on a cache line */
	if (m->arena && bytes && need <= m->arena_cap - m->arena_used) {
		uint8_t *p = m->arena + m->arena_used;   /* zero: fresh pages, never reused */
		m->arena_used += need;
		return p;
	}
	return bytes <= SIZE_MAX ? calloc(1, bytes ? (size_t)bytes : 1) : NULL;
}

static bool in_arena(const struct hostmem *m, const uint8_t *p)
{
	return m->arena && p >= m->arena && p < m->arena + m->arena_used;
}

#define HOSTMEM_BASE 0x100000000ull  /* above 4 GiB: exercise 64-bit addressing */

struct hostmem *hostmem_new(void)
{
	struct hostmem *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	/* 2 MiB of zeroed table; calloc of this size maps zero pages, so
	 * only the chunks regions occupy cost memory. */
	m->chunk = calloc(HOSTMEM_CHUNKS, sizeof *m->chunk);
	if (!m->chunk) {
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
		if (!in_arena(m, m->r[i].data))
			free(m->r[i].data);
	if (m->arena)
		munmap(m->arena, m->arena_cap);
	free(m->r);
	free(m->chunk);
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
	uint64_t base = (m->next_addr + HOSTMEM_CHUNK_BYTES - 1) & ~(HOSTMEM_CHUNK_BYTES - 1);
	struct region *g = &m->r[m->n];
	*g = (struct region){ .base = base, .bytes = bytes, .on_write = on_write, .owner = owner };
	if (is_backed && !(g->data = backing_alloc(m, bytes)))
		return 0;
	m->n++;
	/* A guard page after each region catches overruns as bad DMA. */
	m->next_addr = base + ((bytes + 4095) & ~4095ull) + 4096;
	for (uint64_t a = base; a < base + bytes; a += HOSTMEM_CHUNK_BYTES) {
		uint64_t c = (a - HOSTMEM_BASE) >> HOSTMEM_CHUNK_SHIFT;
		if (c >= HOSTMEM_CHUNKS)
			break;
		m->chunk[c].r = *g;
	}
	return base;
}

/* [addr, addr + len) lies in g (written so that nothing overflows). */
static bool region_holds(const struct region *g, uint64_t addr, uint64_t len)
{
	return g->bytes && addr >= g->base && len <= g->bytes && addr - g->base <= g->bytes - len;
}

static struct region *find(struct hostmem *m, uint64_t addr, uint64_t len)
{
	uint64_t c = (addr - HOSTMEM_BASE) >> HOSTMEM_CHUNK_SHIFT;   /* wraps to huge below the base */
	if (c < HOSTMEM_CHUNKS) {
		struct region *g = &m->chunk[c].r;
		if (region_holds(g, addr, len))
			return g;
		if (addr + len <= HOSTMEM_BASE + (uint64_t)HOSTMEM_CHUNKS * HOSTMEM_CHUNK_BYTES)
			return NULL;   /* inside the map and not in the one region its chunk can hold */
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
	if (lo < m->n && region_holds(&m->r[lo], addr, len))
		return &m->r[lo];
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
		/* The NIC reads its rings in order: bring the next line in now, so
		 * that the next read of this ring finds it in cache (with many
		 * queues a ring line is otherwise cold, and far). */
		if (g->bytes - off - op->len >= 64)
			__builtin_prefetch(g->data + off + op->len);
	} else {
		memset(op->data, 0, op->len);
	}
}

uint64_t hostmem_bad_dma(const struct hostmem *m) { return m->bad_dma; }
