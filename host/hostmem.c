#include "host/hostmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/mem.h"

struct region {
	uint64_t base, bytes;
	uint8_t *data;
	hostmem_write_fn on_write;
	void *owner;
};

/* Regions start on a 2 MiB chunk boundary, so no chunk holds two regions,
 * and the first 64 GiB of bus addresses are direct-mapped: chunk c holds what
 * a DMA inside it needs of its region in 32 bytes, so a DMA finds its region
 * with one index and one line, and a queue's ring and buffers (allocated one
 * after the other, two neighbouring chunks) share that line. With many
 * queues every frame's DMA lands on a different queue's buffers and ring, and
 * every line more is a cache miss more. Bus address space is plentiful
 * (64-bit), so a small ring taking a whole chunk costs nothing. A DMA that
 * crosses a chunk boundary, or lies beyond the map: binary search. */
#define HOSTMEM_CHUNK_SHIFT 21
#define HOSTMEM_CHUNK_BYTES (1ull << HOSTMEM_CHUNK_SHIFT)
#define HOSTMEM_CHUNKS 32768u  /* 64 GiB */
#define HOSTMEM_PAGE 4096ull   /* x86 base page: the guard after each region */
struct chunk {
	uint8_t *data;             /* the region's bytes (NULL: unbacked) */
	hostmem_write_fn on_write;
	void *owner;
	uint32_t chunks_back;      /* the region starts this many chunks before this one */
	uint32_t valid;            /* bytes of the region in this chunk; 0: no region here */
};

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
	uint64_t room = m->arena_cap - m->arena_used;
	uint64_t need = (bytes + SIM_CACHE_LINE - 1) & ~(uint64_t)(SIM_CACHE_LINE - 1);   /* regions on cache lines */
	if (m->arena && bytes && bytes <= room && need <= room) {
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
	m->next_addr = base + ((bytes + HOSTMEM_PAGE - 1) & ~(HOSTMEM_PAGE - 1)) + HOSTMEM_PAGE;
	for (uint64_t a = base; a < base + bytes; a += HOSTMEM_CHUNK_BYTES) {
		uint64_t c = (a - HOSTMEM_BASE) >> HOSTMEM_CHUNK_SHIFT;
		if (c >= HOSTMEM_CHUNKS)
			break;
		uint64_t left = base + bytes - a;
		m->chunk[c] = (struct chunk){ .data = g->data, .on_write = on_write, .owner = owner,
					      .chunks_back = (uint32_t)((a - base) >> HOSTMEM_CHUNK_SHIFT),
					      .valid = (uint32_t)(left < HOSTMEM_CHUNK_BYTES ? left : HOSTMEM_CHUNK_BYTES) };
	}
	return base;
}

/* [addr, addr + len) lies in g (written so that nothing overflows). */
static bool region_holds(const struct region *g, uint64_t addr, uint64_t len)
{
	return g->bytes && addr >= g->base && len <= g->bytes && addr - g->base <= g->bytes - len;
}

/* Where a DMA lands: the region's bytes (NULL: unbacked), the offset in the
 * region, how many bytes of the region follow it (at least the DMA's), and
 * the region's owner. */
struct hit {
	uint8_t *data;
	uint64_t off, room;
	hostmem_write_fn on_write;
	void *owner;
};

static bool find(const struct hostmem *m, uint64_t addr, uint64_t len, struct hit *h)
{
	uint64_t c = (addr - HOSTMEM_BASE) >> HOSTMEM_CHUNK_SHIFT;   /* wraps to huge below the base */
	if (c < HOSTMEM_CHUNKS) {
		const struct chunk *k = &m->chunk[c];
		uint64_t in = (addr - HOSTMEM_BASE) & (HOSTMEM_CHUNK_BYTES - 1);
		if (k->valid && len <= k->valid && in <= k->valid - len) {
			*h = (struct hit){ .data = k->data, .on_write = k->on_write, .owner = k->owner,
					   .off = ((uint64_t)k->chunks_back << HOSTMEM_CHUNK_SHIFT) + in,
					   .room = k->valid - in };
			return true;
		}
		if (len <= HOSTMEM_CHUNK_BYTES - in)
			return false;   /* within one chunk, and not in the one region it can hold */
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
	if (lo < m->n && region_holds(&m->r[lo], addr, len)) {
		const struct region *g = &m->r[lo];
		*h = (struct hit){ .data = g->data, .off = addr - g->base, .room = g->bytes - (addr - g->base),
				   .on_write = g->on_write, .owner = g->owner };
		return true;
	}
	return false;
}

uint8_t *hostmem_ptr(struct hostmem *m, uint64_t addr, uint64_t len)
{
	struct hit h;
	return find(m, addr, len, &h) && h.data ? h.data + h.off : NULL;
}

void hostmem_dma(struct hostmem *m, struct bus_dma *op)
{
	struct hit h;
	if (!find(m, op->addr, op->len, &h)) {
		m->bad_dma++;
		if (!op->is_write)
			memset(op->data, 0, op->len);
		return;
	}
	if (op->is_write) {
		if (h.data)
			memcpy(h.data + h.off, op->data, op->len);
		if (h.on_write)
			h.on_write(h.owner, h.off, op);
	} else if (h.data) {
		memcpy(op->data, h.data + h.off, op->len);
		/* The NIC reads its rings in order: bring the next line in now, so
		 * that the next read of this ring finds it in cache (with many
		 * queues a ring line is otherwise cold, and far). */
		if (h.room - op->len >= SIM_CACHE_LINE)
			__builtin_prefetch(h.data + h.off + op->len);
	} else {
		memset(op->data, 0, op->len);
	}
}

uint64_t hostmem_bad_dma(const struct hostmem *m) { return m->bad_dma; }
