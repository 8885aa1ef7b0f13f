/*
 * sim/nicsim/plot_run.h — the SVG plots of one run (nicsim run --plot DIR),
 * drawn with sim/nicsim/svg.h. docs/plots.md says what each shows.
 *
 *   DIR/latency-cdf.svg  end-to-end latency CDF of each queue and of all
 *                        queues merged (log µs axis);
 *   DIR/stages.svg       p50 and p99 of each latency stage, all queues merged;
 *   DIR/cpu-util.svg     each core's utilisation, stacked by cost category.
 */
#ifndef NICSIM_SIM_NICSIM_PLOT_RUN_H
#define NICSIM_SIM_NICSIM_PLOT_RUN_H

#include <stddef.h>

#include "sim/nicsim/run.h"

/* Make dir (and its missing parents) unless it is a directory already;
 * refuse a path that exists and is not one. 0, or -1 with a message naming
 * dir. Call it before the run so a bad DIR fails at once. */
int plot_dir_prepare(const char *dir, char *err, size_t err_len);

/* Write the three plots of r into dir (prepared here too). 0, or -1 with a
 * message naming the file. */
int plot_run(const struct run *r, const char *dir, char *err, size_t err_len);

#endif
