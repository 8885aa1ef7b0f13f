#include "host/rebalance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct param_def rebalance_params[] = {
	{
		.key = "rebalance.policy", .type = PARAM_ENUM,
		.offset = offsetof(struct rebalance_cfg, policy), .unit = "",
		.defval = "off", .choices = "off,busiest_to_idlest",
		.desc = "Move indirection-table entries at run time: off, or every interval from the busiest CPU to the least busy.",
		.source = "off: NDIS leaves rebalancing to the OS; RSS++ (Barbette et al., CoNEXT'19) for the policy",
	},
	{
		.key = "rebalance.interval_us", .type = PARAM_U32,
		.offset = offsetof(struct rebalance_cfg, interval_us), .unit = "us",
		.defval = "1000", .min = 1, .max = 100000000,
		.desc = "How often the policy looks at the CPUs' load.",
		.source = "choice: 1 ms, many interrupt intervals (irq.usecs) per decision",
	},
	{
		.key = "rebalance.move", .type = PARAM_ENUM,
		.offset = offsetof(struct rebalance_cfg, move), .unit = "",
		.defval = "immediate", .choices = "immediate,drain",
		.desc = "immediate: rewrite the entry at once (frames of a moved flow may be reordered); drain: wait until the old queue is empty.",
		.source = "immediate is what NDIS allows (rss-configuration.md: out-of-order is a normal transient)",
	},
	{
		.key = "rebalance.drain_timeout_us", .type = PARAM_U32,
		.offset = offsetof(struct rebalance_cfg, drain_timeout_us), .unit = "us",
		.defval = "1000", .min = 1, .max = 100000000,
		.desc = "With move=drain: give up waiting after this long and move anyway (counted).",
		.source = "choice: bounded so a queue that never empties still gets rebalanced",
	},
	{
		.key = "rebalance.schedule", .type = PARAM_STR,
		.offset = offsetof(struct rebalance_cfg, schedule), .unit = "",
		.defval = "", .max = 1024,
		.desc = "Table updates at fixed times: 'T_US:FIRST[-LAST]=QUEUE' items separated by ';', e.g. '500:0-63=1;900:5=0': " "at T_US (0..9223372036854 us, the 2^63 ps of simulated time; not before the item before it) entries " "FIRST..LAST (below rss.table_size) go to QUEUE (below rss.queues).",
		.source = "choice: none",
	},
	{ .key = NULL },
};

struct sched_item {
	uint64_t t_ps;
	uint32_t first, last;
	uint16_t queue;
};

struct pending_move {
	uint32_t entry;
	uint16_t from, to;
	uint64_t deadline_ps;       /* requested + drain_timeout_ps: the request time is derived from it */
};

struct rebalance {
	struct sim_kernel *k;
	struct driver *drv;
	struct rebalance_cfg cfg;
	struct sched_item items[REBALANCE_SCHEDULE_MAX];
	uint32_t n_items, next_item;
	struct pending_move *pend;
	uint32_t n_pend, cap_pend;
	uint64_t *last_cpu_busy, *last_entry_frames;
	bool *is_rss_cpu;           /* the CPU serves at least one queue (the policy moves only onto those) */
	struct sim_event sched_ev, tick_ev, poll_ev;
	struct rebalance_stats st;
	rebalance_move_fn on_move;  /* NULL when no one observes moves */
	void *on_move_ctx;
};

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Decimal digits at *p (after blanks) as a number up to max; *p moves past
 * them. 0, -1 if there are no digits, -2 if the number is above max. */
static int sched_number(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = skip_blanks(*p);
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	bool is_over = false;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10)
			is_over = true;
		else
			v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return is_over ? -2 : 0;
}

/* Expect the character c at *p (after blanks). */
static bool sched_expect(const char **p, char c)
{
	const char *s = skip_blanks(*p);
	if (*s != c)
		return false;
	*p = s + 1;
	return true;
}

static int parse_schedule(const char *s, struct sched_item *items, uint32_t *n, uint32_t table_size,
			  uint32_t queues, char *err, size_t err_len)
{
	*n = 0;
	const char *p = s;
	uint64_t last_t = 0;
	for (;;) {
		while (*(p = skip_blanks(p)) == ';')
			p++;
		if (!*p)
			break;
		const char *item = p;
		uint64_t t = 0, first = 0, last = 0, q = 0;
		int rc = sched_number(&p, REBALANCE_SCHEDULE_US_MAX, &t);
		if (rc == -2) {
			snprintf(err, err_len,
				 "rebalance.schedule: time in '%.40s' is beyond %llu us, the longest simulated time "
				 "(2^63 ps, about 106 days)", item, (unsigned long long)REBALANCE_SCHEDULE_US_MAX);
			return -1;
		}
		if (rc == 0 && sched_expect(&p, ':'))
			rc = sched_number(&p, UINT32_MAX, &first);
		else
			rc = -1;
		last = first;
		if (rc == 0 && sched_expect(&p, '-'))
			rc = sched_number(&p, UINT32_MAX, &last);
		int rc_q = -1;
		if (rc != -1 && sched_expect(&p, '='))
			rc_q = sched_number(&p, UINT32_MAX, &q);
		if (rc == -1 || rc_q == -1) {
			snprintf(err, err_len, "rebalance.schedule: '%.40s' is not T_US:FIRST[-LAST]=QUEUE", item);
			return -1;
		}
		if (rc == -2 || first > last || last >= table_size) {
			snprintf(err, err_len,
				 "rebalance.schedule: entries in '%.40s' are outside the table (0..%u, rss.table_size = %u)",
				 item, table_size - 1, table_size);
			return -1;
		}
		if (rc_q == -2 || q >= queues) {
			char qs[24] = "";
			if (rc_q == 0)
				snprintf(qs, sizeof qs, " %llu", (unsigned long long)q);
			snprintf(err, err_len, "rebalance.schedule: queue%s in '%.40s' does not exist (queues 0..%u)", qs,
				 item, queues - 1);
			return -1;
		}
		if (*n == REBALANCE_SCHEDULE_MAX) {
			snprintf(err, err_len, "rebalance.schedule: more than %d items", REBALANCE_SCHEDULE_MAX);
			return -1;
		}
		if (t * SIM_PS_PER_US < last_t) {
			snprintf(err, err_len, "rebalance.schedule: times must not go backwards (%llu us)",
				 (unsigned long long)t);
			return -1;
		}
		last_t = t * SIM_PS_PER_US;
		items[(*n)++] = (struct sched_item){ last_t, (uint32_t)first, (uint32_t)last, (uint16_t)q };
		p = skip_blanks(p);
		if (*p && *p != ';') {
			snprintf(err, err_len, "rebalance.schedule: unexpected '%.20s' (separate items with ';')", p);
			return -1;
		}
	}
	return 0;
}

int rebalance_cfg_validate(const struct rebalance_cfg *cfg, uint32_t table_size, uint32_t queues,
			   uint64_t *last_us, char *err, size_t err_len)
{
	struct sched_item items[REBALANCE_SCHEDULE_MAX];
	uint32_t n;
	if (parse_schedule(cfg->schedule, items, &n, table_size, queues, err, err_len))
		return -1;
	if (last_us)
		*last_us = n ? items[n - 1].t_ps / SIM_PS_PER_US : 0;
	return 0;
}

bool rebalance_is_active(const struct rebalance_cfg *cfg)
{
	return cfg->policy != REBALANCE_OFF || cfg->schedule[0];
}

/* How long a move waits for its old queue to drain before it is forced. */
static uint64_t drain_timeout_ps(const struct rebalance *r)
{
	return (uint64_t)r->cfg.drain_timeout_us * SIM_PS_PER_US;
}

/* Write the entry now, count the move and tell the observer. */
static void write_move(struct rebalance *r, uint32_t entry, uint16_t from, uint16_t to, enum rebalance_how how,
		       uint64_t requested_ps)
{
	driver_reta_set(r->drv, entry, to);
	r->st.entries_moved++;
	if (how == REBALANCE_HOW_DRAINED)
		r->st.moves_drained++;
	else if (how == REBALANCE_HOW_FORCED)
		r->st.moves_forced++;
	if (r->on_move) {
		struct rebalance_move_info m = { .entry = entry, .from = from, .to = to, .how = how,
						 .requested_ps = requested_ps, .t_ps = sim_now_ps(r->k) };
		r->on_move(r->on_move_ctx, &m);
	}
}

/* Do the move now, or queue it until the old queue drains. */
static void request_move(struct rebalance *r, uint32_t entry, uint16_t to)
{
	uint16_t from = driver_reta_get(r->drv, entry);
	if (from == to)
		return;
	if (r->cfg.move == REBALANCE_MOVE_IMMEDIATE) {
		write_move(r, entry, from, to, REBALANCE_HOW_IMMEDIATE, sim_now_ps(r->k));
		return;
	}
	if (r->n_pend == r->cap_pend) {
		uint32_t cap = r->cap_pend ? 2 * r->cap_pend : 64;
		struct pending_move *pm = realloc(r->pend, cap * sizeof *pm);
		if (!pm) { /* out of memory: fall back to an immediate move, counted as forced */
			write_move(r, entry, from, to, REBALANCE_HOW_FORCED, sim_now_ps(r->k));
			return;
		}
		r->pend = pm;
		r->cap_pend = cap;
	}
	r->pend[r->n_pend++] = (struct pending_move){ entry, from, to, sim_now_ps(r->k) + drain_timeout_ps(r) };
	if (!sim_event_is_pending(&r->poll_ev))
		sim_schedule_at(r->k, &r->poll_ev, sim_now_ps(r->k));
}

/* The next firing of a periodic event that last fired at now, every
 * period_ps: the first boundary now + k * period_ps (k >= 1) at or after
 * until_ps, the time before which nothing can change what it looks at.
 * *idle gets the boundaries passed over (k - 1). Events are what change
 * the model's state (busy cycles, frames, queues are counted in their
 * handlers), so a round at a boundary with no event since the last one
 * would see nothing new and do nothing: an idle stretch costs one event,
 * not one per period. */
static uint64_t next_boundary(uint64_t now, uint64_t period_ps, uint64_t until_ps, uint64_t *idle)
{
	uint64_t k = 1;
	if (until_ps != SIM_TIME_NEVER && until_ps > now + period_ps)
		k = (until_ps - now + period_ps - 1) / period_ps;   /* until_ps <= SIM_TIME_MAX: no wrap */
	*idle = k - 1;
	return now + k * period_ps;
}

static void poll_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct rebalance *r = arg;
	uint64_t now = sim_now_ps(k);
	uint32_t kept = 0;
	uint64_t first_deadline = SIM_TIME_NEVER;
	for (uint32_t i = 0; i < r->n_pend; i++) {
		struct pending_move *m = &r->pend[i];
		bool is_drained = driver_queue_is_drained(r->drv, m->from);
		if (is_drained || now >= m->deadline_ps) {
			write_move(r, m->entry, m->from, m->to, is_drained ? REBALANCE_HOW_DRAINED : REBALANCE_HOW_FORCED,
				   m->deadline_ps - drain_timeout_ps(r));
		} else {
			r->st.drain_polls++;
			r->pend[kept++] = *m;
			if (m->deadline_ps < first_deadline)
				first_deadline = m->deadline_ps;
		}
	}
	r->n_pend = kept;
	if (kept) {
		/* A queue drains only through events; a deadline passes on its own. */
		uint64_t until = sim_next_time_ps(k), idle;
		if (first_deadline < until)
			until = first_deadline;
		sim_schedule_at(k, &r->poll_ev, next_boundary(now, REBALANCE_POLL_US * SIM_PS_PER_US, until, &idle));
		r->st.drain_polls_skipped += idle * kept;   /* as drain_polls counts them: one a pending move */
	}
}

static void sched_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct rebalance *r = arg;
	while (r->next_item < r->n_items && r->items[r->next_item].t_ps <= sim_now_ps(k)) {
		const struct sched_item *it = &r->items[r->next_item++];
		for (uint32_t e = it->first; e <= it->last; e++)
			request_move(r, e, it->queue);
	}
	if (r->next_item < r->n_items)
		sim_schedule_at(k, &r->sched_ev, r->items[r->next_item].t_ps);
}

static void tick_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct rebalance *r = arg;
	struct driver *d = r->drv;
	uint32_t ncpu = driver_cpus(d), size = driver_reta_size(d), nq = driver_queues(d);
	r->st.policy_runs++;
	/* Busy cycles of each CPU in the interval, for the queues' work the
	 * table moves (interrupts, DPCs and the queue pairs' sends; not the
	 * applications', which run where host.app_cpu put them). The busiest
	 * and the least busy are both CPUs that serve a queue. */
	uint32_t busiest = 0, idlest = 0;
	uint64_t max = 0, min = UINT64_MAX;
	for (uint32_t c = 0; c < ncpu; c++) {
		const struct host_cpu_stats *s = driver_cpu_stats(d, c);
		uint64_t busy = s->kind_cycles[CPU_WORK_ISR] + s->kind_cycles[CPU_WORK_DPC] + s->kind_cycles[CPU_WORK_TX];
		uint64_t delta = busy - r->last_cpu_busy[c];
		r->last_cpu_busy[c] = busy;
		if (r->is_rss_cpu[c] && delta > max) {
			max = delta;
			busiest = c;
		}
		/* A CPU that serves no queue (left to applications, or more CPUs
		 * than queues) is idle, but no entry can be moved onto it. */
		if (r->is_rss_cpu[c] && delta < min) {
			min = delta;
			idlest = c;
		}
	}
	/* The hottest entry on the busiest CPU, and the busiest CPU's frames. */
	uint64_t hot = 0, cpu_frames = 0;
	uint32_t hot_entry = UINT32_MAX;
	for (uint32_t e = 0; e < size; e++) {
		uint64_t f = driver_entry_frames(d, e), delta = f - r->last_entry_frames[e];
		r->last_entry_frames[e] = f;
		if (driver_queue_cpu(d, driver_reta_get(d, e)) != busiest)
			continue;
		cpu_frames += delta;
		if (delta > hot) {
			hot = delta;
			hot_entry = e;
		}
	}
	uint32_t target = UINT32_MAX;
	for (uint32_t q = 0; q < nq && target == UINT32_MAX; q++)
		if (driver_queue_cpu(d, q) == idlest)
			target = q;
	if (busiest != idlest && hot_entry != UINT32_MAX && target != UINT32_MAX && 2 * hot < cpu_frames)
		request_move(r, hot_entry, (uint16_t)target);
	/* Keep ticking while anything else is going on, skipping intervals in
	 * which nothing happens; stop once the run drains. */
	uint64_t next = sim_next_time_ps(k), idle;
	if (next == SIM_TIME_NEVER)
		return;
	sim_schedule_at(k, &r->tick_ev,
			next_boundary(sim_now_ps(k), (uint64_t)r->cfg.interval_us * SIM_PS_PER_US, next, &idle));
	r->st.policy_idle_intervals += idle;
}

int rebalance_new(struct rebalance **out, struct sim_kernel *k, struct driver *drv, const struct rebalance_cfg *cfg,
		  char *err, size_t err_len)
{
	struct rebalance *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_len, "rebalance: out of memory");
		return -1;
	}
	r->k = k;
	r->drv = drv;
	r->cfg = *cfg;
	if (parse_schedule(cfg->schedule, r->items, &r->n_items, driver_reta_size(drv), driver_queues(drv), err,
			   err_len)) {
		free(r);
		return -1;
	}
	r->last_cpu_busy = calloc(driver_cpus(drv), sizeof *r->last_cpu_busy);
	r->is_rss_cpu = calloc(driver_cpus(drv), sizeof *r->is_rss_cpu);
	for (uint32_t q = 0; r->is_rss_cpu && q < driver_queues(drv); q++)
		r->is_rss_cpu[driver_queue_cpu(drv, q)] = true;
	r->last_entry_frames = calloc(driver_reta_size(drv), sizeof *r->last_entry_frames);
	if (!r->last_cpu_busy || !r->last_entry_frames || !r->is_rss_cpu) {
		rebalance_free(r);
		snprintf(err, err_len, "rebalance: out of memory");
		return -1;
	}
	sim_event_init(&r->sched_ev, "rebalance.schedule", SIM_PRIO_CONTROL, sched_fire, r);
	sim_event_init(&r->tick_ev, "rebalance.tick", SIM_PRIO_CONTROL, tick_fire, r);
	sim_event_init(&r->poll_ev, "rebalance.drain", SIM_PRIO_CONTROL, poll_fire, r);
	*out = r;
	return 0;
}

void rebalance_start(struct rebalance *r)
{
	if (r->n_items)
		sim_schedule_at(r->k, &r->sched_ev, r->items[0].t_ps);
	if (r->cfg.policy != REBALANCE_OFF)
		sim_schedule_in(r->k, &r->tick_ev, (uint64_t)r->cfg.interval_us * SIM_PS_PER_US);
}

const struct rebalance_stats *rebalance_stats(const struct rebalance *r) { return &r->st; }

void rebalance_on_move(struct rebalance *r, rebalance_move_fn fn, void *ctx)
{
	r->on_move = fn;
	r->on_move_ctx = ctx;
}

void rebalance_free(struct rebalance *r)
{
	if (!r)
		return;
	sim_cancel(r->k, &r->sched_ev);
	sim_cancel(r->k, &r->tick_ev);
	sim_cancel(r->k, &r->poll_ev);
	free(r->pend);
	free(r->last_cpu_busy);
	free(r->is_rss_cpu);
	free(r->last_entry_frames);
	free(r);
}

const struct stat_def rebalance_stat_defs[] = {
	STAT_DEF(struct rebalance_stats, entries_moved, "entries_moved", "entries", "RETA entries rewritten to another queue."),
	STAT_DEF(struct rebalance_stats, moves_drained, "moves_after_drain", "entries",
		 "Of them, written after the old queue drained."),
	STAT_DEF(struct rebalance_stats, moves_forced, "moves_forced_at_timeout", "entries",
		 "Of them, written at the drain timeout without draining."),
	STAT_DEF(struct rebalance_stats, drain_polls, "drain_polls", "polls", "Checks that found the old queue busy."),
	STAT_DEF(struct rebalance_stats, drain_polls_skipped, "drain_polls_skipped_idle", "polls",
		 "Drain checks not made because no event fired in their interval (nothing could have changed)."),
	STAT_DEF(struct rebalance_stats, policy_runs, "policy_runs", "runs", "Rounds of the rebalancing policy."),
	STAT_DEF(struct rebalance_stats, policy_idle_intervals, "policy_intervals_skipped_idle", "intervals",
		 "Policy rounds not run because no event fired in their interval."),
	{ NULL },
};
