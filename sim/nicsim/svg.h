/*
 * sim/nicsim/svg.h — a small SVG writer for the plots of a run and of a
 * sweep: line plots, CDFs from histograms, bar charts. No dependency; the
 * files open in any browser or image viewer.
 *
 * Every plot has a title, axes labelled "label (unit)", ticks at 1-2-5
 * steps (decades on a log axis), a grid, and a legend to the right of the
 * plot area naming each series. Colours come from a fixed palette readable in
 * print and by colour-blind readers (Okabe and Ito's, without its yellow);
 * line plots also cycle dash patterns once the colours run out.
 *
 * Output is deterministic: the same input gives the same bytes on every
 * call, in every locale. Numbers are written with integer arithmetic at a
 * fixed precision (no printf %f or %g, so LC_NUMERIC cannot change a decimal
 * point), coordinates to 0.1 px; text is UTF-8 and escaped for XML
 * (& < > " '). Only log10 (log axes, tick steps) comes from the C library,
 * whose last bit could in principle differ between libraries; at 0.1 px
 * that does not show in practice.
 *
 * Errors: every function returns 0, or -1 with a one-line message in err
 * (naming the file) when the file cannot be written or the arguments are not
 * a plot (NULL arrays with a count, no series). Data is never refused:
 * points that cannot be drawn (NaN, infinite, x <= 0 on a log axis) are
 * left out, and an empty series still appears in the legend.
 */
#ifndef NICSIM_SIM_NICSIM_SVG_H
#define NICSIM_SIM_NICSIM_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/hist.h"

/* One named line: n points (x[i], y[i]), drawn in the order given (sort by
 * x for a curve). Values are in the units of the axes' labels: convert
 * integer counters (ps, bytes) to the unit you name before the call. In
 * svg_lines a series of at most SVG_MARKERS_MAX points also gets a marker at
 * each point, so a sweep's few measured points stand out from the lines
 * between them. */
struct svg_series {
	const char *name;      /* legend text */
	size_t n;
	const double *x, *y;
};
#define SVG_MARKERS_MAX 40

/* A dotted horizontal guide line across the plot at y, named at its right
 * end (e.g. y = 0.99, "p99" on a CDF). */
struct svg_mark {
	double y;
	const char *name;
};

/* A line plot. Labels and units are free text ("latency", "µs"); a NULL or
 * empty unit leaves the parentheses out. Axis ranges are the data's,
 * widened to the enclosing ticks, unless fixed: has_x_min with x_min and so
 * on (e.g. has_y_min, y_min = 0 to start the y axis at zero). A log x axis
 * (is_log_x) spans whole decades; the y axis is linear. */
struct svg_plot {
	const char *title;
	const char *x_label, *x_unit;
	const char *y_label, *y_unit;
	bool is_log_x;
	bool has_x_min, has_x_max, has_y_min, has_y_max;
	double x_min, x_max, y_min, y_max;
	size_t n_series;
	const struct svg_series *series;
	size_t n_marks;                 /* optional guide lines (0, NULL: none) */
	const struct svg_mark *marks;
};

/* Write p to path as an SVG line plot (one line per series). */
int svg_lines(const char *path, const struct svg_plot *p, char *err, size_t err_len);

/* CDF curves of histograms (sim/hist.h), one per series: y is the fraction
 * of recorded values <= x, from 0 to 1, x the value divided by x_div (a
 * histogram of ps with x_div = 1e6 plots µs). The x axis is logarithmic and
 * the plot has guides at p50, p90 and p99. An empty histogram is a legend
 * entry without a curve. */
struct svg_hist_series {
	const char *name;
	const struct hist *h;
};
struct svg_cdf_plot {
	const char *title;
	const char *x_label, *x_unit;   /* e.g. "end-to-end latency", "µs" */
	const char *y_label;            /* e.g. "fraction of frames"; NULL: "fraction ≤ x" */
	double x_div;                   /* recorded units per x unit (> 0) */
	size_t n_series;
	const struct svg_hist_series *series;
};
int svg_cdf(const char *path, const struct svg_cdf_plot *p, char *err, size_t err_len);

/* The points svg_cdf draws for h, exact at every bucket edge: for each
 * non-empty bucket [lo, hi] (hist_bucket_range, clamped to the recorded min
 * and max) in increasing order, (lo / x_div, F_before) then (hi / x_div,
 * F_after), where F_before is the fraction of values below the bucket and
 * F_after the fraction <= hi. Between buckets the curve is flat (exact);
 * inside a bucket the line between its two points is the only
 * interpolation. Writes at most max points to x and y and returns how many
 * there are (0 for an empty histogram, never more than 2 * HIST_BUCKETS). */
size_t svg_cdf_points(const struct hist *h, double x_div, double *x, double *y, size_t max);

/* A bar chart: one bar (or group of bars) per category along x, values on
 * a linear y axis from 0. values holds n_bars * n_parts numbers, bar by
 * bar: values[b * n_parts + k] is part k of bar b. is_stacked: the parts of
 * a bar sit on top of each other (the bar's height is their sum, e.g. a
 * core's utilisation by category); otherwise they stand side by side (e.g.
 * p50 and p99 of each stage). part_names name the parts in the legend and
 * bar_names label the categories (slanted when they do not fit). With
 * is_value_labels each bar (a stack: its total) carries its value. The y
 * axis ends at the largest value widened to a tick, or at y_max if
 * has_y_max (values above it are cut at the top). */
struct svg_bars {
	const char *title;
	const char *x_label, *x_unit;   /* what the categories are, e.g. "CPU" */
	const char *y_label, *y_unit;   /* e.g. "utilisation", "%" */
	size_t n_bars;
	const char *const *bar_names;
	size_t n_parts;
	const char *const *part_names;
	const double *values;
	bool is_stacked;
	bool is_value_labels;
	bool has_y_max;
	double y_max;
};
int svg_bars(const char *path, const struct svg_bars *b, char *err, size_t err_len);

/* Ticks of a linear axis over [lo, hi]: the multiples of a 1-2-5 step
 * (1, 2 or 5 times a power of ten, about five intervals over the range)
 * that lie in [lo, hi], in increasing order. 0..87 gives 0, 20, 40, 60, 80.
 * Writes at most max and returns how many there are. */
size_t svg_ticks(double lo, double hi, double *out, size_t max);

/* v written with exactly decimals (0..9) digits after the point ("-1.50"
 * for -1.5 and 2), rounded half away from zero, independent of the locale.
 * |v| is clamped to 1e15 (to 9e18 / 10^decimals above three decimals);
 * NaN is written as 0. */
void svg_fmt_fixed(char *buf, size_t len, double v, int decimals);

#endif
