/*
 * host/rebalance.h — indirection-table updates while the run goes on.
 *
 * Two sources of moves, both off by default:
 *   - a schedule (rebalance.schedule): "T_US:FIRST[-LAST]=QUEUE;..." moves
 *     entries FIRST..LAST to QUEUE at simulated time T_US;
 *   - a policy (rebalance.policy=busiest_to_idlest): every interval_us, the
 *     CPU with the most busy cycles in the interval gives the table entry that
 *     carried the most frames in the interval to a queue of the CPU with the
 *     fewest (both among the CPUs that serve a queue, counting the queues'
 *     own work: interrupts, DPCs and sends, not the applications' receive,
 *     which the table does not move), if that entry's share of the busiest CPU's frames is below half
 *     (so the move narrows the gap instead of swapping the hot spot).
 *     Modelled on RSS++ (Barbette et al., CoNEXT'19), which moves entries
 *     from overloaded to underloaded cores; the one-entry-per-interval rule is
 *     nicsim's simplification.
 * How a move is made (rebalance.move):
 *   - immediate: the RETA register is written at once. Frames of a moved flow
 *     still queued on the old queue may be delivered after newer ones from the
 *     new queue: "a normal transient condition" for NDIS (Microsoft rss-configuration.md), and
 *     what the report's flow_reordered_frames counts.
 *   - drain: the write waits until the old queue is drained (the NIC holds no
 *     frame for it — RXQ INFLIGHT register — and the driver has processed every
 *     completed descriptor), polled every REBALANCE_POLL_US; after
 *     drain_timeout_us it is written anyway and counted as forced.
 * Periodic rounds and polls skip stretches in which no event fires (an idle
 * gap of the capture): nothing they look at can change there, so skipping
 * changes no result; the skipped ones are counted.
 * The rebalancer's own CPU time is not charged (control plane).
 */
#ifndef NICSIM_HOST_REBALANCE_H
#define NICSIM_HOST_REBALANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "host/driver.h"
#include "sim/kernel.h"
#include "sim/param.h"

#define REBALANCE_POLL_US 1u
#define REBALANCE_SCHEDULE_MAX 256
/* A schedule time, in us, must convert to picoseconds in 64 bits. */
#define REBALANCE_SCHEDULE_US_MAX (SIM_TIME_MAX / SIM_PS_PER_US)   /* the kernel's latest time, whole us */

enum rebalance_policy { REBALANCE_OFF = 0, REBALANCE_BUSIEST_TO_IDLEST };
enum rebalance_move { REBALANCE_MOVE_IMMEDIATE = 0, REBALANCE_MOVE_DRAIN };

struct rebalance_cfg {
	uint32_t policy;            /* enum rebalance_policy */
	uint32_t interval_us;
	uint32_t move;              /* enum rebalance_move */
	uint32_t drain_timeout_us;
	char schedule[1024];
};
extern const struct param_def rebalance_params[];
/* Checks the schedule's syntax and ranges against the table and queues;
 * *last_us (if not NULL) receives the time of its last item (0 if none). */
int rebalance_cfg_validate(const struct rebalance_cfg *cfg, uint32_t table_size, uint32_t queues,
			   uint64_t *last_us, char *err, size_t err_len);
bool rebalance_is_active(const struct rebalance_cfg *cfg);

struct rebalance_stats {
	uint64_t entries_moved;     /* RETA entries rewritten to another queue */
	uint64_t moves_drained;     /* of them, written after the old queue drained */
	uint64_t moves_forced;      /* written at the drain timeout, not drained */
	uint64_t drain_polls;       /* checks that found the old queue busy */
	uint64_t drain_polls_skipped; /* checks not made: nothing happened until the next one */
	uint64_t policy_runs;
	uint64_t policy_idle_intervals; /* intervals in which nothing happened: no round */
};
extern const struct stat_def rebalance_stat_defs[];

struct rebalance;
int rebalance_new(struct rebalance **out, struct sim_kernel *k, struct driver *drv, const struct rebalance_cfg *cfg,
		  char *err, size_t err_len);
/* Schedule the first events (call at time 0, after the driver started). */
void rebalance_start(struct rebalance *r);
const struct rebalance_stats *rebalance_stats(const struct rebalance *r);

/* An observer of table moves (the timeline): called when an entry's RETA
 * register is rewritten to another queue, at that time (t_ps); requested_ps
 * is when the move was asked for (the same but for drained or forced moves). */
enum rebalance_how { REBALANCE_HOW_IMMEDIATE = 0, REBALANCE_HOW_DRAINED, REBALANCE_HOW_FORCED };
struct rebalance_move_info {
	uint32_t entry;
	uint16_t from, to;          /* queues */
	enum rebalance_how how;
	uint64_t requested_ps, t_ps;
};
typedef void (*rebalance_move_fn)(void *ctx, const struct rebalance_move_info *m);
void rebalance_on_move(struct rebalance *r, rebalance_move_fn fn, void *ctx);
void rebalance_free(struct rebalance *r);

#endif
