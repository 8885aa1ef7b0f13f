/*
 * sim/kernel.c — discrete-event kernel: a binary min-heap of pending events.
 *
 * Heap entries keep their sort key inline (time, then priority and insertion
 * sequence packed into one word) so comparisons do not chase pointers. Cost:
 * O(log n) per schedule/fire/cancel in pending events; n is what is in flight
 * (a few per packet in the model), never the trace length.
 */
#include "sim/kernel.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct heap_slot {
	uint64_t time_ps;
	uint64_t order;   /* prio << 56 | sequence: ties at one instant go by prio, then FIFO */
	struct sim_event *ev;
};

struct sim_kernel {
	uint64_t now_ps;
	uint64_t seq;
	uint64_t fired;
	struct heap_slot *heap;
	uint32_t n, cap;
	int stop;
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
	/* Pending events are not touched: their owners may be gone already
	 * (owners cancel their own events when they are freed first). */
	free(k->heap);
	free(k);
}

void sim_event_init(struct sim_event *ev, const char *name, enum sim_prio prio,
		    sim_event_fn fire, void *arg)
{
	memset(ev, 0, sizeof *ev);
	ev->heap_index = SIM_EVENT_IDLE;
	ev->prio = (uint8_t)prio;
	ev->name = name;
	ev->fire = fire;
	ev->arg = arg;
}

uint64_t sim_now_ps(const struct sim_kernel *k) { return k->now_ps; }
uint64_t sim_events_fired(const struct sim_kernel *k) { return k->fired; }
uint32_t sim_events_pending(const struct sim_kernel *k) { return k->n; }

static inline int slot_less(const struct heap_slot *a, const struct heap_slot *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->order < b->order);
}

static inline void heap_put(struct sim_kernel *k, uint32_t i, struct heap_slot s)
{
	k->heap[i] = s;
	s.ev->heap_index = i;
}

static void sift_up(struct sim_kernel *k, uint32_t i, struct heap_slot s)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!slot_less(&s, &k->heap[parent]))
			break;
		heap_put(k, i, k->heap[parent]);
		i = parent;
	}
	heap_put(k, i, s);
}

static void sift_down(struct sim_kernel *k, uint32_t i, struct heap_slot s)
{
	uint32_t n = k->n;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && slot_less(&k->heap[c + 1], &k->heap[c]))
			c++;
		if (!slot_less(&k->heap[c], &s))
			break;
		heap_put(k, i, k->heap[c]);
		i = c;
	}
	heap_put(k, i, s);
}

void sim_schedule_at(struct sim_kernel *k, struct sim_event *ev, uint64_t t_ps)
{
	assert(!sim_event_is_pending(ev) && "event scheduled while already pending");
	assert(t_ps >= k->now_ps && "event scheduled in the past");
	assert(ev->fire && "event without a handler (sim_event_init not called?)");
	if (k->n == k->cap) {
		/* Growth is bounded by what is in flight; amortised, and only while
		 * the model warms up. */
		uint32_t cap = k->cap * 2;
		struct heap_slot *h = realloc(k->heap, (size_t)cap * sizeof *h);
		assert(h && "out of memory growing the event heap");
		k->heap = h;
		k->cap = cap;
	}
	ev->time_ps = t_ps;
	struct heap_slot s = { t_ps, ((uint64_t)ev->prio << SEQ_BITS) | (k->seq++ & SEQ_MASK), ev };
	sift_up(k, k->n++, s);
}

static void heap_remove_at(struct sim_kernel *k, uint32_t i)
{
	struct sim_event *ev = k->heap[i].ev;
	ev->heap_index = SIM_EVENT_IDLE;
	k->n--;
	if (i == k->n)
		return;
	struct heap_slot last = k->heap[k->n];
	if (i > 0 && slot_less(&last, &k->heap[(i - 1) / 2]))
		sift_up(k, i, last);
	else
		sift_down(k, i, last);
}

void sim_cancel(struct sim_kernel *k, struct sim_event *ev)
{
	if (!sim_event_is_pending(ev))
		return;
	assert(ev->heap_index < k->n && k->heap[ev->heap_index].ev == ev);
	heap_remove_at(k, ev->heap_index);
}

uint64_t sim_next_time_ps(const struct sim_kernel *k)
{
	return k->n ? k->heap[0].time_ps : SIM_TIME_NEVER;
}

void sim_stop(struct sim_kernel *k) { k->stop = 1; }

uint64_t sim_run_until(struct sim_kernel *k, uint64_t t_ps)
{
	uint64_t fired = 0;
	k->stop = 0;
	while (k->n && k->heap[0].time_ps <= t_ps) {
		struct sim_event *ev = k->heap[0].ev;
		k->now_ps = k->heap[0].time_ps;
		heap_remove_at(k, 0);
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

uint64_t sim_clock_cycles_to_ps(const struct sim_clock *c, uint64_t cycles)
{
	assert(c->freq_hz > 0);
	unsigned __int128 num = (unsigned __int128)cycles * SIM_PS_PER_S;
	return (uint64_t)((num + c->freq_hz - 1) / c->freq_hz);
}

uint64_t sim_clock_ps_to_cycles(const struct sim_clock *c, uint64_t ps)
{
	return (uint64_t)((unsigned __int128)ps * c->freq_hz / SIM_PS_PER_S);
}
