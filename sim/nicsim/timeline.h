/*
 * sim/nicsim/timeline.h — a timeline of one run for a trace viewer
 * (nicsim run --timeline FILE; docs/timeline.md).
 *
 * Writes the Chrome trace-event JSON format ("JSON Object Format": an object
 * with "traceEvents", read by https://ui.perfetto.dev and chrome://tracing)
 * while the run goes on, event by event, so memory does not grow with the
 * run. What it writes, for a window of simulated time:
 *   - each frame's nine latency stages (host/driver.h enum lat_stage) as
 *     complete events on its queue, the frame's first bit in the window;
 *   - each ISR and DPC run on its core, started in the window;
 *   - each MSI-X message reaching the host, as an instant on its core;
 *   - each indirection-table move (host/rebalance.h), as an instant.
 * Times are written as exact decimal microseconds from integer picoseconds
 * (ts 12.345678 is 12,345,678 ps): no floating point.
 *
 * Lifetime: the caller opens the timeline, passes it to run_trace (struct
 * run_opts.timeline), and closes it after run_trace returns, whether the run
 * succeeded, failed or stopped early: closing ends the JSON, so the file is
 * valid in every case. Items running and frames in flight when the run ends
 * are not written (they have no end).
 */
#ifndef NICSIM_SIM_NICSIM_TIMELINE_H
#define NICSIM_SIM_NICSIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/cpu.h"
#include "host/rebalance.h"
#include "sim/kernel.h"
#include "sim/pkt.h"

/* The window's default length. A whole run is too big to look at: at
 * 10 Gb/s, 64-byte frames arrive 14.9 million a second, each nine slices
 * and about 1.5 KB of JSON; 1 ms of them is about 22 MB, which the viewers
 * load in seconds, and long enough for a burst and its interrupts (the
 * moderation interval is tens of microseconds). */
#define TIMELINE_DEFAULT_US 1000u
/* The window's start and length are whole microseconds up to the kernel's
 * latest time. */
#define TIMELINE_US_MAX (SIM_TIME_MAX / SIM_PS_PER_US)

struct timeline;

/* Open path for writing and write the JSON's head. The window is
 * [from_ps, from_ps + len_ps); len_ps 0 = to the end of the run. */
int timeline_open(struct timeline **out, const char *path, uint64_t from_ps, uint64_t len_ps, char *err,
		  size_t err_len);
/* End the JSON (with a summary in "otherData") and close the file. Returns
 * <0 with a message if anything could not be written. NULL: nothing. */
int timeline_close(struct timeline *tl, char *err, size_t err_len);

/* The run's hooks (ctx is the timeline). A frame the host finished with, on
 * its queue: its stamps are final (sim/pkt.h). */
void timeline_frame(struct timeline *tl, const struct pkt *p, uint32_t queue);
/* cpu_item_fn (host/cpu.h) */
void timeline_cpu_item(void *ctx, uint32_t core, enum cpu_work kind, uint32_t item, bool is_start, uint64_t t_ps);
/* driver_msix_fn (host/driver.h) */
void timeline_msix(void *ctx, uint32_t queue, uint32_t cpu, uint64_t t_ps);
/* rebalance_move_fn (host/rebalance.h) */
void timeline_move(void *ctx, const struct rebalance_move_info *m);

/* Events written so far (metadata included), and frames. */
uint64_t timeline_events(const struct timeline *tl);
uint64_t timeline_frames(const struct timeline *tl);

#endif
