/*
 * sim/mem.h — zeroed arrays that start on a cache line.
 *
 * Per-queue state (NIC queues, interrupt vectors, driver queues) is laid out
 * so that what a frame touches sits in one or two whole cache lines
 * (__attribute__((aligned(64))) on the struct). calloc only promises 16-byte
 * alignment, which would split those lines again; these arrays keep them.
 * Free with free().
 */
#ifndef NICSIM_SIM_MEM_H
#define NICSIM_SIM_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SIM_CACHE_LINE 64u

/* calloc(n, size), the array starting on a cache line; NULL on overflow or
 * out of memory. */
static inline void *sim_calloc_lines(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	size_t bytes = n * size;
	bytes = (bytes + SIM_CACHE_LINE - 1) / SIM_CACHE_LINE * SIM_CACHE_LINE;
	if (bytes == 0)
		bytes = SIM_CACHE_LINE;
	void *p = aligned_alloc(SIM_CACHE_LINE, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

#endif
