/*
 * sim/kernel.h — the discrete-event kernel.
 *
 * Time is an unsigned 64-bit count of picoseconds. Events are named structs
 * embedded in their owners (a block, a queue, a packet record): scheduling
 * never allocates. Order is (time, priority, insertion sequence), so a run is
 * reproducible bit for bit. The kernel can be stepped from outside
 * (sim_run_until, sim_next_time_ps): that is how a SystemC wrapper or a test
 * owns time.
 *
 * Invariant: an event is pending at most once; it is never scheduled in the
 * past. Both are asserted (a violation is a bug in nicsim, not bad input).
 *
 * Time never wraps: now <= SIM_TIME_MAX (2^63 - 1 ps, 106 days; within
 * int64, so a JSON report shows every time as it is), conversions saturate
 * at SIM_TIME_MAX, and the delays the model adds are bounded by their
 * settings' ranges (far below 2^62 ps), so a time plus a delay cannot pass
 * 2^64. Inputs are placed below SIM_TIME_MAX by the replay; settings that
 * still carry the model past it (a host lagging by months) make the kernel
 * keep the event at SIM_TIME_MAX, stop, and name it (sim_time_overflow):
 * the caller reports that instead of a wrapped time.
 * Modelled on Redis' ae.c (one struct, add/process/delete) and gem5's named
 * events with a short list of priorities.
 */
#ifndef NICSIM_SIM_KERNEL_H
#define NICSIM_SIM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_TIME_NEVER UINT64_MAX
#define SIM_TIME_MAX ((uint64_t)INT64_MAX)   /* the latest time an event can have */
#define SIM_PS_PER_NS 1000ull
#define SIM_PS_PER_US 1000000ull
#define SIM_PS_PER_MS 1000000000ull
#define SIM_PS_PER_S  1000000000000ull

struct sim_kernel;
struct sim_event;

typedef void (*sim_event_fn)(struct sim_kernel *k, struct sim_event *ev, void *arg);

/* Priorities break ties between events at the same picosecond. Lower runs
 * first. Keep this list short and give each its reason. */
enum sim_prio {
	SIM_PRIO_WIRE = 0,    /* frames arrive before anything reacts at that instant */
	SIM_PRIO_HW = 1,      /* NIC pipeline stages */
	SIM_PRIO_BUS = 2,     /* messages delivered across the bus (DMA, MSI-X, MMIO) */
	SIM_PRIO_HOST = 3,    /* host CPU work items */
	SIM_PRIO_CONTROL = 4, /* control-plane changes (table updates): after the data at the same instant */
	SIM_PRIO_STATS = 5,   /* sampling: sees the state after everything else at that instant */
};

struct sim_event {
	uint64_t time_ps;     /* when it fires (valid while pending) */
	uint64_t sched_seq;   /* the kernel's sequence number of its current scheduling: older heap slots are stale */
	uint8_t is_pending;
	uint8_t prio;         /* enum sim_prio */
	const char *name;     /* static string, e.g. "irq.q3.itr" — for traces and assertions */
	sim_event_fn fire;
	void *arg;
};

struct sim_kernel *sim_kernel_new(void);
void sim_kernel_free(struct sim_kernel *k);

void sim_event_init(struct sim_event *ev, const char *name, enum sim_prio prio,
		    sim_event_fn fire, void *arg);
static inline bool sim_event_is_pending(const struct sim_event *ev)
{
	return ev->is_pending;
}

/* The kernel's time; inline, on every hot path. now_ps is struct
 * sim_kernel's first member (kernel.c asserts it), and a pointer to a struct
 * points to its first member (C11 6.7.2.1). */
static inline uint64_t sim_now_ps(const struct sim_kernel *k) { return *(const uint64_t *)(const void *)k; }
/* Schedule ev at absolute time t_ps >= now. ev must not be pending. A t_ps
 * beyond SIM_TIME_MAX stops the run (see the top of this file). */
void sim_schedule_at(struct sim_kernel *k, struct sim_event *ev, uint64_t t_ps);
/* delay_ps <= SIM_TIME_MAX, as every conversion gives: with now <= SIM_TIME_MAX
 * the sum cannot wrap, and sim_schedule_at checks it. */
static inline void sim_schedule_in(struct sim_kernel *k, struct sim_event *ev, uint64_t delay_ps)
{
	sim_schedule_at(k, ev, sim_now_ps(k) + delay_ps);
}
/* The first event asked for beyond SIM_TIME_MAX (NULL if none), and the time
 * it asked for in *t_ps. */
const char *sim_time_overflow(const struct sim_kernel *k, uint64_t *t_ps);
/* Remove a pending event; no-op when it is not pending. Cancellation is lazy:
 * the heap slot stays, marked stale by the generation, and is dropped when it
 * reaches the top — so the heap never writes into event structs while it
 * sifts (cache-friendly), at the price of stale slots until they surface. The
 * owner of a cancelled event must outlive the run (or the kernel). */
void sim_cancel(struct sim_kernel *k, struct sim_event *ev);

/* Time of the earliest pending event, SIM_TIME_NEVER if none (drops stale
 * slots on the way, hence not const). */
uint64_t sim_next_time_ps(struct sim_kernel *k);
/* Fire every event with time <= t_ps in order, then set now = t_ps (if
 * t_ps != SIM_TIME_NEVER). Returns the number of events fired. */
uint64_t sim_run_until(struct sim_kernel *k, uint64_t t_ps);
/* Run until no event is pending. */
uint64_t sim_run(struct sim_kernel *k);
/* Ask a running sim_run/sim_run_until to return after the current event. */
void sim_stop(struct sim_kernel *k);

uint64_t sim_events_fired(const struct sim_kernel *k);
uint32_t sim_events_pending(const struct sim_kernel *k);  /* live (not cancelled) events */

/* A clock domain converts cycles to picoseconds and back with integers only.
 * cycles -> ps rounds up (a block is busy for whole cycles) and saturates at
 * SIM_TIME_MAX; ps -> cycles rounds down. */
/* A clock: its frequency, and what turns cycles into ps without a division
 * on the hot path: the whole ps of a cycle when a cycle is a whole number of
 * ps (250 MHz: 4000), else floor(2^64 / freq_hz) for a multiply-and-correct
 * division (exact: the estimate is the quotient or one less). */
__extension__ typedef unsigned __int128 sim_u128;
struct sim_clock {
	uint64_t freq_hz;
	uint64_t ps_per_cycle;   /* 0 when not whole */
	uint64_t inv;            /* floor(2^64 / freq_hz) */
};
static inline struct sim_clock sim_clock_hz(uint64_t f)
{
	struct sim_clock c = { f, 0, 0 };   /* positional: C++ includes this too (sim/systemc/) */
	if (f) {
		c.ps_per_cycle = SIM_PS_PER_S % f ? 0 : SIM_PS_PER_S / f;
		c.inv = (uint64_t)(((sim_u128)1 << 64) / f > UINT64_MAX
					   ? UINT64_MAX : ((sim_u128)1 << 64) / f);
	}
	return c;
}
static inline struct sim_clock sim_clock_mhz(uint32_t mhz) { return sim_clock_hz((uint64_t)mhz * 1000000u); }
uint64_t sim_clock_cycles_to_ps_slow(const struct sim_clock *c, uint64_t cycles);
/* ceil(cycles x 10^12 / freq_hz): the ps that many cycles take. */
static inline uint64_t sim_clock_cycles_to_ps(const struct sim_clock *c, uint64_t cycles)
{
	if (c->ps_per_cycle && cycles < UINT64_MAX / SIM_PS_PER_S)
		return cycles * c->ps_per_cycle;
	if (c->inv && c->freq_hz > 1 && cycles < (UINT64_MAX - c->freq_hz) / SIM_PS_PER_S) {
		uint64_t n = cycles * SIM_PS_PER_S + c->freq_hz - 1;
		uint64_t q = (uint64_t)(((sim_u128)n * c->inv) >> 64);
		if (n - q * c->freq_hz >= c->freq_hz)
			q++;
		return q;
	}
	return sim_clock_cycles_to_ps_slow(c, cycles);
}
uint64_t sim_clock_ps_to_cycles(const struct sim_clock *c, uint64_t ps);

#endif
