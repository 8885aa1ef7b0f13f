/*
 * sim/kernel.c — discrete-event kernel: a binary min-heap of pending events.
 *
 * Heap entries keep their sort key inline (time, then priority and insertion
 * sequence packed into one word) so comparisons do not chase pointers. Cost:
 * O(log n) per schedule/fire/cancel in pending events; n is what is in flight
 * (a few per packet in the model), never the trace length.
 */
#include "sim/kernel.h"
#include "sim/check.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct heap_slot {
	uint64_t time_ps;
	uint64_t order;   /* prio << 56 | sequence: ties at one instant go by prio, then FIFO */
	struct sim_event *ev;
	uint64_t seq;     /* unique per scheduling; the event keeps the seq of its live slot */
};

struct sim_kernel {
	uint64_t now_ps;
	uint64_t seq;
	uint64_t fired;
	struct heap_slot *heap;
	uint32_t n, cap;
	uint32_t live;    /* pending events (n minus stale slots) */
	int stop;
	const char *overflow_name;   /* the first event asked for beyond SIM_TIME_MAX */
	uint64_t overflow_t_ps;
};

#define SEQ_BITS 56
#define SEQ_MASK ((1ull << SEQ_BITS) - 1)

struct sim_kernel *sim_kernel_new(void)
{
	struct sim_kernel *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->cap = 1024;
	k->heap = malloc(k->cap * sizeof *k->heap);
	if (!k->heap) {
		free(k);
		return NULL;
	}
	return k;
}

void sim_kernel_free(struct sim_kernel *k)
{
	if (!k)
		return;
	/* Pending events are not touched: their owners may be gone already. */
	free(k->heap);
	free(k);
}

void sim_event_init(struct sim_event *ev, const char *name, enum sim_prio prio,
		    sim_event_fn fire, void *arg)
{
	memset(ev, 0, sizeof *ev);  /* not pending; any slot still naming it is stale */
	ev->prio = (uint8_t)prio;
	ev->name = name;
	ev->fire = fire;
	ev->arg = arg;
}

_Static_assert(offsetof(struct sim_kernel, now_ps) == 0, "sim_now_ps (kernel.h) reads the first member");

const char *sim_time_overflow(const struct sim_kernel *k, uint64_t *t_ps)
{
	if (t_ps)
		*t_ps = k->overflow_t_ps;
	return k->overflow_name;
}
uint64_t sim_events_fired(const struct sim_kernel *k) { return k->fired; }
uint32_t sim_events_pending(const struct sim_kernel *k) { return k->live; }

static inline int slot_less(const struct heap_slot *a, const struct heap_slot *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->order < b->order);
}

void sim_schedule_at(struct sim_kernel *k, struct sim_event *ev, uint64_t t_ps)
{
	sim_check(!ev->is_pending, "event scheduled while already pending");
	sim_check(t_ps >= k->now_ps, "event scheduled in the past");
	sim_check(ev->fire, "event without a handler (sim_event_init not called?)");
	if (t_ps > SIM_TIME_MAX) {
		/* Settings carried the model past what time can hold: keep the heap
		 * consistent, stop, and let the caller say so. */
		if (!k->overflow_name) {
			k->overflow_name = ev->name;
			k->overflow_t_ps = t_ps;
		}
		t_ps = SIM_TIME_MAX;
		k->stop = 1;
	}
	if (k->n == k->cap) {
		/* Growth is bounded by what is in flight; amortised, and only while
		 * the model warms up. */
		uint32_t cap = k->cap * 2;
		struct heap_slot *h = realloc(k->heap, (size_t)cap * sizeof *h);
		sim_check(h, "out of memory growing the event heap");
		k->heap = h;
		k->cap = cap;
	}
	ev->time_ps = t_ps;
	ev->is_pending = 1;
	ev->sched_seq = ++k->seq;  /* starts at 1: a zeroed event matches no slot */
	struct heap_slot s = { t_ps, ((uint64_t)ev->prio << SEQ_BITS) | (k->seq & SEQ_MASK), ev, k->seq };
	uint32_t i = k->n++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!slot_less(&s, &k->heap[parent]))
			break;
		k->heap[i] = k->heap[parent];
		i = parent;
	}
	k->heap[i] = s;
	k->live++;
}

static void heap_pop(struct sim_kernel *k)
{
	uint32_t n = --k->n;
	if (n == 0)
		return;
	struct heap_slot last = k->heap[n];
	uint32_t i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && slot_less(&k->heap[c + 1], &k->heap[c]))
			c++;
		if (!slot_less(&k->heap[c], &last))
			break;
		k->heap[i] = k->heap[c];
		i = c;
	}
	k->heap[i] = last;
}

static inline bool slot_is_stale(const struct heap_slot *s)
{
	return !s->ev->is_pending || s->ev->sched_seq != s->seq;
}

/* Drop cancelled slots from the top. */
static void drop_stale(struct sim_kernel *k)
{
	while (k->n && slot_is_stale(&k->heap[0]))
		heap_pop(k);
}

void sim_cancel(struct sim_kernel *k, struct sim_event *ev)
{
	if (!ev->is_pending)
		return;
	ev->is_pending = 0;
	k->live--;
}

uint64_t sim_next_time_ps(struct sim_kernel *k)
{
	drop_stale(k);
	return k->n ? k->heap[0].time_ps : SIM_TIME_NEVER;
}

void sim_stop(struct sim_kernel *k) { k->stop = 1; }

uint64_t sim_run_until(struct sim_kernel *k, uint64_t t_ps)
{
	uint64_t fired = 0;
	if (k->overflow_name)   /* an overflow stops the run for good */
		return 0;
	k->stop = 0;
	for (;;) {
		drop_stale(k);
		if (!k->n || k->heap[0].time_ps > t_ps)
			break;
		struct sim_event *ev = k->heap[0].ev;
		k->now_ps = k->heap[0].time_ps;
		heap_pop(k);
		ev->is_pending = 0;
		k->live--;
		ev->fire(k, ev, ev->arg);
		fired++;
		if (k->stop)
			break;
	}
	k->fired += fired;
	if (!k->stop && t_ps != SIM_TIME_NEVER && t_ps > k->now_ps)
		k->now_ps = t_ps;
	return fired;
}

uint64_t sim_run(struct sim_kernel *k) { return sim_run_until(k, SIM_TIME_NEVER); }

uint64_t sim_clock_cycles_to_ps_slow(const struct sim_clock *c, uint64_t cycles)
{
	sim_check(c->freq_hz > 0, "a clock without a frequency");
	/* The inline path (kernel.h) takes what fits 64 bits; this, the rest. */
	if (cycles < UINT64_MAX / SIM_PS_PER_S)
		return (cycles * SIM_PS_PER_S + c->freq_hz - 1) / c->freq_hz;
	unsigned __int128 num = (unsigned __int128)cycles * SIM_PS_PER_S;
	unsigned __int128 ps = (num + c->freq_hz - 1) / c->freq_hz;
	return ps > SIM_TIME_MAX ? SIM_TIME_MAX : (uint64_t)ps;
}

uint64_t sim_clock_ps_to_cycles(const struct sim_clock *c, uint64_t ps)
{
	return (uint64_t)((unsigned __int128)ps * c->freq_hz / SIM_PS_PER_S);
}
