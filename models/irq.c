/*
 * models/irq.c — per-vector moderation (throttle or delay, models/irq.h) and
 * the MSI-X message. Invariant: a vector's timer is set only while the
 * vector is unmasked with completions pending and its time rule not yet
 * met; every interrupt sent goes through vec_fire, which reloads the
 * throttle count.
 *
 * Cost: one completion per frame reaches vec_evaluate; its work is a few
 * integer compares on the vector's first cache line.
 */
#include "models/irq.h"
#include "sim/check.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>

#include "models/nic_regs.h"
#include "sim/mem.h"

#define IRQ_MSIX_CROSSING_MAX 4u   /* MSI-X messages of one vector crossing the link at once: a choice [A]; only a
                                    * driver that unmasks before a message arrives has more than one */

/* Ordered by when the fields are touched: a completion, the decision and
 * firing by frame count, and the unmask first; the timer (touched only when
 * one is set, which is_timer_set tells without reading it) on the next cache
 * line; the rest is cold. by_frames is not kept: it is interrupts - by_timer. */
struct irq_vec {
	uint64_t interrupts, completions;
	uint64_t first_ps;        /* delay: time of the first pending completion */
	uint64_t throttle_end_ps; /* throttle: the count loaded at the last interrupt runs out */
	uint64_t msix_addr;
	uint32_t pending;         /* completions not yet signalled */
	uint32_t usecs;           /* EITR interval */
	uint32_t msix_data;
	uint32_t msix_ctrl;
	uint16_t frames;          /* EITR frame count */
	bool is_delay;            /* EITR.DELAY: ethtool's delay rule instead of the throttle */
	bool is_masked;           /* fired, waiting for the driver to unmask */
	bool is_held;             /* fired while the table entry was masked */
	bool is_timer_set;        /* timer_ev is scheduled */
	/* line 2 */
	struct sim_event timer_ev __attribute__((aligned(64)));
	uint64_t by_timer;
	/* cold */
	struct sim_event msix_ev; /* the first message crossing the link lands (scheduled then) */
	struct {
		uint64_t addr, land_ps;
		uint32_t data;
	} sent[IRQ_MSIX_CROSSING_MAX];   /* messages crossing, in order */
	uint32_t sent_first, sent_n;
	struct irq *owner;        /* for the timer's callback */
	char name[24];
} __attribute__((aligned(64)));

struct irq {
	struct sim_kernel *k;
	struct bus *bus;
	struct pcie_link *link;   /* NULL: messages reach the host at once */
	uint32_t n;
	struct irq_vec *v;
};

/* The first message crossing has landed: the host gets it; the next one's
 * landing is scheduled. */
static void msix_landed(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct irq_vec *v = arg;
	uint32_t i = v->sent_first;
	v->sent_first = (i + 1) % IRQ_MSIX_CROSSING_MAX;
	v->sent_n--;
	if (v->sent_n)
		sim_schedule_at(k, &v->msix_ev, v->sent[v->sent_first].land_ps);
	bus_msix(v->owner->bus, sim_now_ps(k), v->sent[i].addr, v->sent[i].data);
}

/* The MSI-X message: a 4-byte memory write to the address and data the
 * driver programmed, on the link's up direction behind the write-backs
 * already on it (posted writes stay in order, so the host sees the
 * descriptors first); the host gets it when it has crossed. A vector is
 * masked once it fired, so a second message while one crosses comes only
 * from a driver that unmasks before the first arrived; up to
 * IRQ_MSIX_CROSSING_MAX cross at once, each delivered when it lands (more:
 * the oldest is delivered at once, early by what is left of its crossing). */
static void msix_send(struct irq *q, struct irq_vec *v, uint64_t now)
{
	if (!q->link) {
		bus_msix(q->bus, now, v->msix_addr, v->msix_data);
		return;
	}
	if (v->sent_n == IRQ_MSIX_CROSSING_MAX) {
		sim_cancel(q->k, &v->msix_ev);
		msix_landed(q->k, &v->msix_ev, v);
	}
	uint32_t i = (v->sent_first + v->sent_n) % IRQ_MSIX_CROSSING_MAX;
	v->sent[i].addr = v->msix_addr;
	v->sent[i].data = v->msix_data;
	v->sent[i].land_ps = pcie_link_write(q->link, PCIE_UP, PCIE_CL_MSIX, now, v->msix_addr, 4);
	if (v->sent_n++ == 0)
		sim_schedule_at(q->k, &v->msix_ev, v->sent[i].land_ps);
}

static void timer_cancel(struct irq *q, struct irq_vec *v)
{
	if (v->is_timer_set) {
		sim_cancel(q->k, &v->timer_ev);
		v->is_timer_set = false;
	}
}

static void vec_fire(struct irq *q, struct irq_vec *v, bool by_frames)
{
	timer_cancel(q, v);
	if (v->msix_ctrl & NIC_MSIX_CTRL_MASKED) {
		v->is_held = true;  /* PCI MSI-X: pending bit; sent on unmask of the entry */
		return;
	}
	uint64_t now = sim_now_ps(q->k);
	v->interrupts++;
	if (!by_frames)
		v->by_timer++;
	v->pending = 0;
	v->is_masked = true;
	/* The interrupt is issued: the throttle count reloads with the
	 * interval programmed now (I210 section 7.3). */
	v->throttle_end_ps = now + (uint64_t)v->usecs * SIM_PS_PER_US;
	msix_send(q, v, now);
}

static void vec_timer(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct irq_vec *v = arg;
	v->is_timer_set = false;
	vec_fire(v->owner, v, false);
}

/* Decide, at now, whether a vector with pending completions fires. */
static void vec_evaluate(struct irq *q, struct irq_vec *v)
{
	if (v->is_masked || v->pending == 0)
		return;
	if (v->frames && v->pending >= v->frames) {
		vec_fire(q, v, true);
		return;
	}
	if (v->usecs == 0)
		return; /* frames-only moderation: wait for more */
	/* Throttle: due when the count loaded at the last interrupt runs out
	 * (already, after a quiet spell: fire now). Delay: the interval after
	 * the first pending completion. */
	uint64_t due = v->is_delay ? v->first_ps + (uint64_t)v->usecs * SIM_PS_PER_US : v->throttle_end_ps;
	uint64_t now = sim_now_ps(q->k);
	if (due <= now) {
		vec_fire(q, v, false);
	} else if (!v->is_timer_set) {
		sim_schedule_at(q->k, &v->timer_ev, due);
		v->is_timer_set = true;
	}
}

struct irq *irq_new(struct sim_kernel *k, struct bus *bus, struct pcie_link *link, uint32_t vectors)
{
	struct irq *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->v = sim_calloc_lines(vectors, sizeof *q->v);
	if (!q->v) {
		free(q);
		return NULL;
	}
	q->k = k;
	q->bus = bus;
	q->link = link;
	q->n = vectors;
	irq_reset(q);  /* the zeroed timers are not pending: nothing to cancel */
	return q;
}

void irq_reset(struct irq *q)
{
	for (uint32_t i = 0; i < q->n; i++) {
		struct irq_vec *v = &q->v[i];
		sim_cancel(q->k, &v->timer_ev);
		sim_cancel(q->k, &v->msix_ev);
		/* EITR's reset value: no interval, one frame (ethtool's usecs 0,
		 * frames 1), throttle timing: every completion fires until the
		 * driver programs moderation. The throttle count starts run out. */
		*v = (struct irq_vec){ .owner = q, .usecs = 0, .frames = 1, .is_masked = true };
		snprintf(v->name, sizeof v->name, "irq.q%u.itr", i);
		sim_event_init(&v->timer_ev, v->name, SIM_PRIO_HW, vec_timer, v);
		sim_event_init(&v->msix_ev, "irq.msix", SIM_PRIO_HW, msix_landed, v);
	}
}

void irq_free(struct irq *q)
{
	if (!q)
		return;
	for (uint32_t i = 0; i < q->n; i++) {
		sim_cancel(q->k, &q->v[i].timer_ev);
		sim_cancel(q->k, &q->v[i].msix_ev);
	}
	free(q->v);
	free(q);
}

void irq_complete(struct irq *q, uint32_t vi)
{
	sim_check(vi < q->n, "vi < q->n");
	struct irq_vec *v = &q->v[vi];
	v->completions++;
	if (v->pending++ == 0)
		v->first_ps = sim_now_ps(q->k);
	vec_evaluate(q, v);
}

void irq_unmask(struct irq *q, uint32_t vi)
{
	sim_check(vi < q->n, "vi < q->n");
	struct irq_vec *v = &q->v[vi];
	v->is_masked = false;
	vec_evaluate(q, v);
}

void irq_mask(struct irq *q, uint32_t vi)
{
	sim_check(vi < q->n, "vi < q->n");
	q->v[vi].is_masked = true;
	timer_cancel(q, &q->v[vi]);
}

/* Interval, frame limit and rule change; the running throttle count and a
 * timer already set do not (a write never restarts the count: models/irq.h).
 * The new interval is loaded at the next interrupt. */
void irq_eitr_write(struct irq *q, uint32_t vi, uint32_t eitr)
{
	sim_check(vi < q->n, "vi < q->n");
	struct irq_vec *v = &q->v[vi];
	v->usecs = NIC_EITR_USECS(eitr);
	v->frames = (uint16_t)NIC_EITR_FRAMES(eitr);
	v->is_delay = (eitr & NIC_EITR_DELAY) != 0;
}

uint32_t irq_eitr_read(const struct irq *q, uint32_t vi)
{
	const struct irq_vec *v = &q->v[vi];
	return NIC_EITR(v->usecs, v->frames) | (v->is_delay ? NIC_EITR_DELAY : 0);
}

void irq_msix_write(struct irq *q, uint32_t vi, uint32_t off, uint32_t val)
{
	struct irq_vec *v = &q->v[vi];
	switch (off) {
	case NIC_MSIX_ADDR_LO: v->msix_addr = (v->msix_addr & ~0xffffffffull) | val; break;
	case NIC_MSIX_ADDR_HI: v->msix_addr = (v->msix_addr & 0xffffffffull) | ((uint64_t)val << 32); break;
	case NIC_MSIX_DATA: v->msix_data = val; break;
	case NIC_MSIX_CTRL:
		v->msix_ctrl = val;
		if (!(val & NIC_MSIX_CTRL_MASKED) && v->is_held) {
			v->is_held = false;
			vec_fire(q, v, false);
		}
		break;
	}
}

uint32_t irq_msix_read(const struct irq *q, uint32_t vi, uint32_t off)
{
	const struct irq_vec *v = &q->v[vi];
	switch (off) {
	case NIC_MSIX_ADDR_LO: return (uint32_t)v->msix_addr;
	case NIC_MSIX_ADDR_HI: return (uint32_t)(v->msix_addr >> 32);
	case NIC_MSIX_DATA: return v->msix_data;
	case NIC_MSIX_CTRL: return v->msix_ctrl;
	}
	return 0;
}

struct irq_vec_stats irq_vec_stats(const struct irq *q, uint32_t vi)
{
	const struct irq_vec *v = &q->v[vi];
	return (struct irq_vec_stats){ .interrupts = v->interrupts, .completions = v->completions,
				       .by_frames = v->interrupts - v->by_timer, .by_timer = v->by_timer };
}

const struct stat_def irq_vec_stat_defs[] = {
	STAT_DEF(struct irq_vec_stats, interrupts, "interrupts", "messages", "MSI-X messages the vector sent."),
	{ NULL },
};
