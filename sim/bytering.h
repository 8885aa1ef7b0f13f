/*
 * sim/bytering.h — room in a ring of bytes, taken and given back in FIFO
 * order: a transmit buffer (the NIC's packet buffer, the driver's data
 * arena). Each take is contiguous; one that does not fit before the end
 * skips the tail and starts at 0, and counts the skipped bytes as its own,
 * so the gives, in the same order, return exactly what was taken.
 */
#ifndef NICSIM_SIM_BYTERING_H
#define NICSIM_SIM_BYTERING_H

#include <stdbool.h>
#include <stdint.h>

struct bytering {
	uint32_t cap;
	uint32_t head;   /* the oldest take's first byte (its skip included) */
	uint32_t used;   /* bytes taken, skips included */
};

/* Room for len contiguous bytes: *off where they go, *taken what the take
 * counts (len, plus the tail it skipped). False: no room now. */
static inline bool bytering_take(struct bytering *r, uint32_t len, uint32_t *off, uint32_t *taken)
{
	if (len > r->cap || r->used + len > r->cap)
		return false;
	if (!r->used)
		r->head = 0;
	uint32_t tail = (uint32_t)(((uint64_t)r->head + r->used) % r->cap);
	if (tail >= r->head || !r->used) {
		/* Free: [tail, cap) and [0, head). */
		if (r->cap - tail >= len) {
			*off = tail;
			*taken = len;
		} else if (r->head >= len) {
			*off = 0;
			*taken = (r->cap - tail) + len;
		} else {
			return false;
		}
	} else if (r->head - tail >= len) {
		*off = tail;
		*taken = len;
	} else {
		return false;
	}
	r->used += *taken;
	return true;
}

/* Give back the oldest take (taken bytes of it). */
static inline void bytering_give(struct bytering *r, uint32_t taken)
{
	r->used -= taken;
	r->head = (uint32_t)(((uint64_t)r->head + taken) % r->cap);
}

#endif
