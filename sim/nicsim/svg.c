/*
 * sim/nicsim/svg.c — the SVG writer of svg.h: line plots, CDFs, bar charts.
 *
 * Layout: a title above a plot area (a frame with grid lines at the ticks),
 * tick labels and the axis labels outside it, the legend to its right. The
 * canvas grows to fit the tick labels, the legend and slanted category
 * names; nothing is measured, so text widths are estimated from the number
 * of characters (SVG_CHAR_EM of the font size each, generous for the sans
 * fonts viewers pick).
 *
 * Determinism: every number in the file goes through svg_fmt_fixed (integer
 * digits from llround, no printf floating-point conversion), and the layout
 * uses only arithmetic, floor, ceil, fabs and log10 of the inputs, so two
 * calls with the same input write the same bytes. Ticks are computed as
 * integer multiples of their step, never by repeated addition.
 */
#include "sim/nicsim/svg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_CHAR_EM 0.6          /* estimated glyph width, in font sizes */
#define SVG_FONT_PX 12
#define SVG_SMALL_PX 10
#define SVG_TITLE_PX 15
#define SVG_TICKS_MAX 64
#define SVG_PLOT_W_PX 600.0
#define SVG_PLOT_H_PX 360.0
#define SVG_LEGEND_ROW_PX 18.0

/* Okabe and Ito, "Color Universal Design" (2008), without the yellow that
 * vanishes on white paper. */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#E69F00",
				       "#CC79A7", "#56B4E9", "#000000" };
#define PALETTE_N (sizeof palette / sizeof palette[0])
/* After the colours, lines change dash pattern. */
static const char *const dashes[] = { "", "7 4", "2 3", "9 3 2 3" };
#define DASHES_N (sizeof dashes / sizeof dashes[0])

/* ---- numbers and text ---- */

static double pow10i(int k)
{
	if (k < 0)
		return 1.0 / pow10i(-k);
	double r = 1.0;
	while (k-- > 0)
		r *= 10.0;
	return r;
}

void svg_fmt_fixed(char *buf, size_t len, double v, int decimals)
{
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	double scale = pow10i(decimals), limit = 1e15;
	if (limit > 9e18 / scale)
		limit = 9e18 / scale;
	if (isnan(v))
		v = 0;
	if (v > limit)
		v = limit;
	if (v < -limit)
		v = -limit;
	long long iv = llround(v * scale), sc = (long long)scale;
	unsigned long long u = iv < 0 ? (unsigned long long)-iv : (unsigned long long)iv;
	if (decimals)
		snprintf(buf, len, "%s%llu.%0*llu", iv < 0 ? "-" : "", u / (unsigned long long)sc, decimals,
			 u % (unsigned long long)sc);
	else
		snprintf(buf, len, "%s%llu", iv < 0 ? "-" : "", u);
}

/* v with about three significant digits (value labels). */
static void fmt_sig3(char *buf, size_t len, double v)
{
	double a = fabs(v);
	if (a < 5e-10) {
		snprintf(buf, len, "0");
		return;
	}
	int e = a > 0 ? (int)floor(log10(a)) : 0;
	svg_fmt_fixed(buf, len, v, e >= 2 ? 0 : 2 - e);
}

/* Characters (UTF-8 code points) of s. */
static size_t text_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static double text_px(const char *s, double font_px) { return (double)text_chars(s) * font_px * SVG_CHAR_EM; }

/* "label (unit)", or the label alone. */
static void axis_title(char *buf, size_t len, const char *label, const char *unit)
{
	snprintf(buf, len, "%s%s%s%s", label ? label : "", unit && *unit ? " (" : "", unit && *unit ? unit : "",
		 unit && *unit ? ")" : "");
}

/* s escaped for XML text and attribute values. Control characters other
 * than tab and newline are not XML: they are left out. */
static void put_xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
	}
}

/* A tiny printf for SVG: %s a string as is, %e a string escaped for XML,
 * %v a double with one decimal, %d an int, %% a percent sign. */
static void emit(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		switch (*++p) {
		case 's':
			fputs(va_arg(ap, const char *), f);
			break;
		case 'e':
			put_xml(f, va_arg(ap, const char *));
			break;
		case 'v': {
			char b[40];
			svg_fmt_fixed(b, sizeof b, va_arg(ap, double), 1);
			fputs(b, f);
			break;
		}
		case 'd':
			fprintf(f, "%d", va_arg(ap, int));
			break;
		case '%':
			fputc('%', f);
			break;
		default:
			fputc('%', f);
			if (!*p)
				p--;
			else
				fputc(*p, f);
		}
	}
	va_end(ap);
}

/* ---- axes ---- */

struct axis {
	double lo, hi;               /* the axis's ends, in data units */
	bool is_log;                 /* then lo, hi are powers of ten */
	size_t n_ticks;
	double ticks[SVG_TICKS_MAX];
	char labels[SVG_TICKS_MAX][32];
	size_t n_minor;              /* log axes: 2..9 times each decade, unlabelled */
	double minor[SVG_TICKS_MAX * 2];
};

/* The 1-2-5 step of about five intervals over [lo, hi] (hi > lo): s * 10^k. */
static void nice_step(double lo, double hi, int *s, int *k)
{
	double raw = (hi - lo) / 5.0;
	int e = (int)floor(log10(raw));
	while (pow10i(e + 1) <= raw)
		e++;
	while (pow10i(e) > raw)
		e--;
	double norm = raw / pow10i(e);
	*s = norm < 1.5 ? 1 : norm < 3.0 ? 2 : norm < 7.0 ? 5 : 10;
	if (*s == 10) {
		*s = 1;
		e++;
	}
	*k = e;
}

/* i * s * 10^k, with one rounding when k < 0 (0.6, not 0.6000000000000001). */
static double step_mul(long long i, int s, int k)
{
	return k >= 0 ? (double)(i * s) * pow10i(k) : (double)(i * s) / pow10i(-k);
}

/* Multiples of s * 10^k in [lo, hi]. */
static size_t ticks_of_step(double lo, double hi, int s, int k, double *out, size_t max)
{
	double step = step_mul(1, s, k);
	long long i0 = (long long)ceil(lo / step - 1e-9), i1 = (long long)floor(hi / step + 1e-9);
	size_t n = 0;
	for (long long i = i0; i <= i1; i++, n++)
		if (n < max)
			out[n] = step_mul(i, s, k);
	return n;
}

size_t svg_ticks(double lo, double hi, double *out, size_t max)
{
	if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
		return 0;
	int s, k;
	nice_step(lo, hi, &s, &k);
	return ticks_of_step(lo, hi, s, k, out, max);
}

/* A linear axis over the data range [lo, hi], widened to the enclosing
 * ticks where not fixed. */
static void axis_linear(struct axis *a, double lo, double hi, bool is_lo_fixed, bool is_hi_fixed)
{
	memset(a, 0, sizeof *a);
	if (!isfinite(lo) || !isfinite(hi) || lo > hi) {
		lo = 0;
		hi = 1;
	}
	if (hi == lo) {
		double d = lo == 0 ? 1 : fabs(lo) / 2;
		if (!is_lo_fixed)
			lo -= d;
		if (!is_hi_fixed || hi == lo)
			hi += d;
	}
	int s, k;
	nice_step(lo, hi, &s, &k);
	double step = step_mul(1, s, k);
	if (!is_lo_fixed)
		lo = step_mul((long long)floor(lo / step + 1e-9), s, k);
	if (!is_hi_fixed)
		hi = step_mul((long long)ceil(hi / step - 1e-9), s, k);
	a->lo = lo;
	a->hi = hi;
	a->n_ticks = ticks_of_step(lo, hi, s, k, a->ticks, SVG_TICKS_MAX);
	if (a->n_ticks > SVG_TICKS_MAX)
		a->n_ticks = SVG_TICKS_MAX;
	for (size_t i = 0; i < a->n_ticks; i++)
		svg_fmt_fixed(a->labels[i], sizeof a->labels[i], a->ticks[i], k < 0 ? -k : 0);
}

/* A log axis over the data range [lo, hi] (lo > 0), in whole decades.
 * Spanning at most two decades, 2 and 5 times each are labelled too. */
static void axis_log(struct axis *a, double lo, double hi)
{
	memset(a, 0, sizeof *a);
	a->is_log = true;
	if (!isfinite(lo) || !isfinite(hi) || !(lo > 0) || lo > hi) {
		lo = 1;
		hi = 10;
	}
	int klo = (int)floor(log10(lo)), khi = (int)ceil(log10(hi));
	while (pow10i(klo) > lo)
		klo--;
	while (pow10i(klo + 1) <= lo)
		klo++;
	while (pow10i(khi) < hi)
		khi++;
	while (khi - 1 > klo && pow10i(khi - 1) >= hi)
		khi--;
	if (khi <= klo)
		khi = klo + 1;
	a->lo = pow10i(klo);
	a->hi = pow10i(khi);
	bool is_125 = khi - klo <= 2;
	for (int k = klo; k <= khi; k++) {
		for (int m = 1; m <= 9; m++) {
			if (k == khi && m > 1)
				break;
			double v = step_mul(1, m, k);
			if (m == 1 || (is_125 && (m == 2 || m == 5))) {
				if (a->n_ticks < SVG_TICKS_MAX) {
					a->ticks[a->n_ticks] = v;
					svg_fmt_fixed(a->labels[a->n_ticks], sizeof a->labels[0], v, k < 0 ? -k : 0);
					a->n_ticks++;
				}
			} else if (khi - klo <= 8 && a->n_minor < SVG_TICKS_MAX * 2) {
				a->minor[a->n_minor++] = v;
			}
		}
	}
}

/* Where v falls on the axis, 0 at lo and 1 at hi (outside for values
 * outside; the plot area clips). */
static double axis_frac(const struct axis *a, double v)
{
	if (a->is_log)
		return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	return (v - a->lo) / (a->hi - a->lo);
}

static double axis_max_label_px(const struct axis *a)
{
	double w = 0;
	for (size_t i = 0; i < a->n_ticks; i++)
		if (text_px(a->labels[i], SVG_FONT_PX) > w)
			w = text_px(a->labels[i], SVG_FONT_PX);
	return w;
}

/* ---- the page: canvas, title, frame, axes, legend ---- */

struct frame {
	double x0, y0, w, h;         /* plot area, px; y0 is its top */
	double width, height;        /* canvas */
	double legend_x;
};

static double fx(const struct frame *fr, const struct axis *a, double v) { return fr->x0 + axis_frac(a, v) * fr->w; }
static double fy(const struct frame *fr, const struct axis *a, double v)
{
	return fr->y0 + fr->h - axis_frac(a, v) * fr->h;
}

/* The legend's width for these names (a 28 px sample and the text). */
static double legend_px(size_t n, const char *const *names, const struct svg_series *series)
{
	double w = 0;
	for (size_t i = 0; i < n; i++) {
		double t = text_px(names ? names[i] : series[i].name, SVG_FONT_PX);
		if (t > w)
			w = t;
	}
	return n ? 36 + w : 0;
}

static void page_open(FILE *f, const struct frame *fr, const char *title)
{
	emit(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	emit(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%v\" height=\"%v\" viewBox=\"0 0 %v %v\" "
		"font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"%d\">\n",
	     fr->width, fr->height, fr->width, fr->height, SVG_FONT_PX);
	emit(f, "<title>%e</title>\n", title ? title : "");
	emit(f, "<rect x=\"0\" y=\"0\" width=\"%v\" height=\"%v\" fill=\"#ffffff\"/>\n", fr->width, fr->height);
	emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\" font-size=\"%d\" font-weight=\"bold\">%e</text>\n",
	     fr->x0 + fr->w / 2, 26.0, SVG_TITLE_PX, title ? title : "");
	emit(f, "<defs><clipPath id=\"plot-area\"><rect x=\"%v\" y=\"%v\" width=\"%v\" height=\"%v\"/></clipPath></defs>\n",
	     fr->x0, fr->y0, fr->w, fr->h);
}

/* Grid, ticks and tick labels of the y axis (always linear), and its title. */
static void y_axis(FILE *f, const struct frame *fr, const struct axis *ya, const char *title)
{
	emit(f, "<g class=\"y-axis\">\n");
	for (size_t i = 0; i < ya->n_ticks; i++) {
		double y = fy(fr, ya, ya->ticks[i]);
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#dddddd\"/>\n", fr->x0, y, fr->x0 + fr->w, y);
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#000000\"/>\n", fr->x0 - 5, y, fr->x0, y);
		emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"end\">%e</text>\n", fr->x0 - 8, y + 4, ya->labels[i]);
	}
	double lx = fr->x0 - 14 - axis_max_label_px(ya), ly = fr->y0 + fr->h / 2;
	emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\" transform=\"rotate(-90 %v %v)\">%e</text>\n", lx, ly,
	     lx, ly, title);
	emit(f, "</g>\n");
}

/* The same for a numeric x axis, with minor ticks on a log axis. */
static void x_axis(FILE *f, const struct frame *fr, const struct axis *xa, const char *title)
{
	double yb = fr->y0 + fr->h;
	emit(f, "<g class=\"x-axis\">\n");
	for (size_t i = 0; i < xa->n_ticks; i++) {
		double x = fx(fr, xa, xa->ticks[i]);
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#dddddd\"/>\n", x, fr->y0, x, yb);
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#000000\"/>\n", x, yb, x, yb + 5);
		emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\">%e</text>\n", x, yb + 19, xa->labels[i]);
	}
	for (size_t i = 0; i < xa->n_minor; i++) {
		double x = fx(fr, xa, xa->minor[i]);
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#000000\"/>\n", x, yb, x, yb + 3);
	}
	emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\">%e</text>\n", fr->x0 + fr->w / 2, yb + 40, title);
	emit(f, "</g>\n");
}

static void frame_box(FILE *f, const struct frame *fr)
{
	emit(f, "<rect x=\"%v\" y=\"%v\" width=\"%v\" height=\"%v\" fill=\"none\" stroke=\"#000000\"/>\n", fr->x0,
	     fr->y0, fr->w, fr->h);
}

/* One legend row: a line sample (is_box false) or a filled box, and the name. */
static void legend_row(FILE *f, const struct frame *fr, size_t i, const char *name, bool is_box)
{
	double x = fr->legend_x, y = fr->y0 + 8 + SVG_LEGEND_ROW_PX * (double)i;
	const char *colour = palette[i % PALETTE_N], *dash = dashes[(i / PALETTE_N) % DASHES_N];
	if (is_box)
		emit(f, "<rect x=\"%v\" y=\"%v\" width=\"%v\" height=\"%v\" fill=\"%s\" stroke=\"#000000\" stroke-width=\"0.5\"/>\n",
		     x + 6, y - 6, 14.0, 12.0, colour);
	else
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s/>\n", x,
		     y, x + 26, y, colour, *dash ? " stroke-dasharray=\"" : "", dash, *dash ? "\"" : "");
	emit(f, "<text x=\"%v\" y=\"%v\">%e</text>\n", x + 34, y + 4, name ? name : "");
}

/* Write the file through fn(f, ctx); the message names path. */
static int write_file(const char *path, int (*fn)(FILE *f, const void *ctx), const void *ctx, char *err,
		      size_t err_len)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, err_len, "%s: could not write: %s", path, strerror(errno));
		return -1;
	}
	int rc = fn(f, ctx);
	int werr = ferror(f) ? errno : 0;
	if (fclose(f) && !werr)
		werr = errno;
	if (werr) {
		snprintf(err, err_len, "%s: could not write: %s", path, strerror(werr));
		return -1;
	}
	return rc;
}

/* ---- line plots ---- */

static bool point_ok(const struct svg_plot *p, double x, double y)
{
	return isfinite(x) && isfinite(y) && (!p->is_log_x || x > 0);
}

/* A line plot and whether short series get markers (not on a CDF, whose
 * points are bucket edges rather than measurements). */
struct lines_job {
	const struct svg_plot *p;
	bool has_markers;
};

static int lines_write(FILE *f, const void *ctx)
{
	const struct lines_job *job = ctx;
	const struct svg_plot *p = job->p;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	for (size_t s = 0; s < p->n_series; s++) {
		const struct svg_series *se = &p->series[s];
		for (size_t i = 0; i < se->n; i++) {
			if (!point_ok(p, se->x[i], se->y[i]))
				continue;
			xlo = fmin(xlo, se->x[i]);
			xhi = fmax(xhi, se->x[i]);
			ylo = fmin(ylo, se->y[i]);
			yhi = fmax(yhi, se->y[i]);
		}
	}
	if (xlo > xhi) {   /* no point at all */
		xlo = p->is_log_x ? 1 : 0;
		xhi = p->is_log_x ? 10 : 1;
		ylo = 0;
		yhi = 1;
	}
	if (p->has_x_min)
		xlo = p->x_min;
	if (p->has_x_max)
		xhi = p->x_max;
	if (p->has_y_min)
		ylo = p->y_min;
	if (p->has_y_max)
		yhi = p->y_max;
	struct axis xa, ya;
	if (p->is_log_x)
		axis_log(&xa, xlo, xhi);
	else
		axis_linear(&xa, xlo, xhi, p->has_x_min, p->has_x_max);
	axis_linear(&ya, ylo, yhi, p->has_y_min, p->has_y_max);

	char xt[256], yt[256];
	axis_title(xt, sizeof xt, p->x_label, p->x_unit);
	axis_title(yt, sizeof yt, p->y_label, p->y_unit);
	struct frame fr = { .w = SVG_PLOT_W_PX, .h = SVG_PLOT_H_PX, .y0 = 50 };
	fr.x0 = 40 + axis_max_label_px(&ya);
	fr.legend_x = fr.x0 + fr.w + 20;
	fr.width = fr.legend_x + legend_px(p->n_series, NULL, p->series) + 10;
	fr.height = fmax(fr.y0 + fr.h + 56, fr.y0 + 16 + SVG_LEGEND_ROW_PX * (double)p->n_series);

	page_open(f, &fr, p->title);
	y_axis(f, &fr, &ya, yt);
	x_axis(f, &fr, &xa, xt);
	for (size_t m = 0; m < p->n_marks; m++) {
		double y = fy(&fr, &ya, p->marks[m].y);
		if (!isfinite(y) || y < fr.y0 || y > fr.y0 + fr.h)
			continue;
		emit(f, "<line x1=\"%v\" y1=\"%v\" x2=\"%v\" y2=\"%v\" stroke=\"#777777\" stroke-dasharray=\"1 3\"/>\n",
		     fr.x0, y, fr.x0 + fr.w, y);
		emit(f, "<text x=\"%v\" y=\"%v\" font-size=\"%d\" fill=\"#555555\">%e</text>\n", fr.x0 + 4, y + 11,
		     SVG_SMALL_PX, p->marks[m].name ? p->marks[m].name : "");
	}
	emit(f, "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n");
	for (size_t s = 0; s < p->n_series; s++) {
		const struct svg_series *se = &p->series[s];
		const char *colour = palette[s % PALETTE_N], *dash = dashes[(s / PALETTE_N) % DASHES_N];
		emit(f, "<polyline stroke=\"%s\"%s%s%s points=\"", colour, *dash ? " stroke-dasharray=\"" : "", dash,
		     *dash ? "\"" : "");
		bool is_first = true;
		for (size_t i = 0; i < se->n; i++) {
			if (!point_ok(p, se->x[i], se->y[i]))
				continue;
			emit(f, "%s%v,%v", is_first ? "" : " ", fx(&fr, &xa, se->x[i]), fy(&fr, &ya, se->y[i]));
			is_first = false;
		}
		emit(f, "\"/>\n");
	}
	emit(f, "</g>\n");
	/* Markers outside the clip, so one on the frame shows whole; those
	 * outside a fixed range are left out. */
	for (size_t s = 0; job->has_markers && s < p->n_series; s++) {
		const struct svg_series *se = &p->series[s];
		for (size_t i = 0; se->n <= SVG_MARKERS_MAX && i < se->n; i++) {
			double ax = axis_frac(&xa, se->x[i]), ay = axis_frac(&ya, se->y[i]);
			if (point_ok(p, se->x[i], se->y[i]) && ax >= -1e-9 && ax <= 1 + 1e-9 && ay >= -1e-9 && ay <= 1 + 1e-9)
				emit(f, "<circle cx=\"%v\" cy=\"%v\" r=\"3\" fill=\"%s\"/>\n", fx(&fr, &xa, se->x[i]),
				     fy(&fr, &ya, se->y[i]), palette[s % PALETTE_N]);
		}
	}
	frame_box(f, &fr);
	emit(f, "<g class=\"legend\">\n");
	for (size_t s = 0; s < p->n_series; s++)
		legend_row(f, &fr, s, p->series[s].name, false);
	emit(f, "</g>\n</svg>\n");
	return 0;
}

static int plot_check(const struct svg_plot *p, const char *path, char *err, size_t err_len)
{
	if (!p->n_series || !p->series) {
		snprintf(err, err_len, "%s: a plot needs at least one series", path);
		return -1;
	}
	for (size_t s = 0; s < p->n_series; s++)
		if (p->series[s].n && (!p->series[s].x || !p->series[s].y)) {
			snprintf(err, err_len, "%s: series %zu has %zu points and no arrays", path, s, p->series[s].n);
			return -1;
		}
	if (p->n_marks && !p->marks) {
		snprintf(err, err_len, "%s: %zu marks and no array", path, p->n_marks);
		return -1;
	}
	return 0;
}

static int lines_file(const char *path, const struct svg_plot *p, bool has_markers, char *err, size_t err_len)
{
	if (plot_check(p, path, err, err_len))
		return -1;
	struct lines_job job = { p, has_markers };
	return write_file(path, lines_write, &job, err, err_len);
}

int svg_lines(const char *path, const struct svg_plot *p, char *err, size_t err_len)
{
	return lines_file(path, p, true, err, err_len);
}

/* ---- CDFs ---- */

size_t svg_cdf_points(const struct hist *h, double x_div, double *x, double *y, size_t max)
{
	uint64_t count = hist_count(h), below = 0;
	size_t n = 0;
	for (unsigned i = 0; i < HIST_BUCKETS && below < count; i++) {
		if (!h->buckets[i])
			continue;
		uint64_t lo, hi;
		hist_bucket_range(i, &lo, &hi);
		if (lo < h->min)
			lo = h->min;
		if (hi > h->max)
			hi = h->max;
		uint64_t upto = below + h->buckets[i];
		if (n < max) {
			x[n] = (double)lo / x_div;
			y[n] = (double)below / (double)count;
		}
		n++;
		if (n < max) {
			x[n] = (double)hi / x_div;
			y[n] = (double)upto / (double)count;
		}
		n++;
		below = upto;
	}
	return n;
}

int svg_cdf(const char *path, const struct svg_cdf_plot *p, char *err, size_t err_len)
{
	if (!p->n_series || !p->series || !(p->x_div > 0)) {
		snprintf(err, err_len, "%s: a CDF needs at least one histogram and x_div > 0", path);
		return -1;
	}
	struct svg_series *se = calloc(p->n_series, sizeof *se);
	double *xy = calloc(p->n_series * 4 * HIST_BUCKETS, sizeof *xy);
	if (!se || !xy) {
		free(se);
		free(xy);
		snprintf(err, err_len, "%s: out of memory", path);
		return -1;
	}
	for (size_t s = 0; s < p->n_series; s++) {
		double *x = xy + s * 4 * HIST_BUCKETS, *y = x + 2 * HIST_BUCKETS;
		se[s] = (struct svg_series){ .name = p->series[s].name, .x = x, .y = y };
		if (p->series[s].h)
			se[s].n = svg_cdf_points(p->series[s].h, p->x_div, x, y, 2 * HIST_BUCKETS);
	}
	static const struct svg_mark marks[] = { { 0.5, "p50" }, { 0.9, "p90" }, { 0.99, "p99" } };
	struct svg_plot lp = {
		.title = p->title,
		.x_label = p->x_label,
		.x_unit = p->x_unit,
		.y_label = p->y_label ? p->y_label : "fraction ≤ x",
		.is_log_x = true,
		.has_y_min = true,
		.has_y_max = true,
		.y_min = 0,
		.y_max = 1,
		.n_series = p->n_series,
		.series = se,
		.n_marks = sizeof marks / sizeof marks[0],
		.marks = marks,
	};
	int rc = lines_file(path, &lp, false, err, err_len);
	free(se);
	free(xy);
	return rc;
}

/* ---- bar charts ---- */

static double bar_value(const struct svg_bars *b, size_t bar, size_t part)
{
	double v = b->values[bar * b->n_parts + part];
	return isfinite(v) && v > 0 ? v : 0;
}

/* A stack's height: its parts' sum, in part order. */
static double bar_sum(const struct svg_bars *b, size_t bar)
{
	double sum = 0;
	for (size_t k = 0; k < b->n_parts; k++)
		sum += bar_value(b, bar, k);
	return sum;
}

/* The width of v's value label. */
static double value_label_px(double v)
{
	char lab[40];
	fmt_sig3(lab, sizeof lab, v);
	return text_px(lab, SVG_SMALL_PX);
}

/* The left edge of bar i (its group's, side by side), centred in its slot. */
static double bar_left(const struct svg_bars *b, const struct frame *fr, double slot, double bar_w, size_t i)
{
	return fr->x0 + slot * (double)i + (slot - (b->is_stacked ? bar_w : bar_w * (double)b->n_parts)) / 2;
}

static int bars_write(FILE *f, const void *ctx)
{
	const struct svg_bars *b = ctx;
	double vmax = 0, label_w = 0, name_w = 0;
	char lab[40];
	for (size_t i = 0; i < b->n_bars; i++) {
		if (b->is_stacked) {
			double sum = bar_sum(b, i);
			vmax = fmax(vmax, sum);
			label_w = fmax(label_w, value_label_px(sum));
		} else {
			for (size_t k = 0; k < b->n_parts; k++) {
				double v = bar_value(b, i, k);
				vmax = fmax(vmax, v);
				label_w = fmax(label_w, value_label_px(v));
			}
		}
		if (b->bar_names)
			name_w = fmax(name_w, text_px(b->bar_names[i], SVG_FONT_PX));
	}
	struct axis ya;
	axis_linear(&ya, 0, b->has_y_max ? b->y_max : vmax > 0 ? vmax : 1, true, b->has_y_max);

	/* A bar is at least as wide as its value label; a slot holds the bar
	 * (or the group) and a gap. */
	double bar_w = b->is_value_labels ? fmax(12, label_w + 4) : 12;
	double slot_min = b->is_stacked ? bar_w / 0.7 : bar_w * (double)b->n_parts / 0.8;
	struct frame fr = { .h = SVG_PLOT_H_PX, .y0 = 56 };
	fr.w = fmax(SVG_PLOT_W_PX, slot_min * (double)b->n_bars);
	double slot = fr.w / (double)b->n_bars;
	bar_w = b->is_stacked ? slot * 0.7 : slot * 0.8 / (double)b->n_parts;
	bool is_slanted = name_w > slot * 0.95;
	double names_h = is_slanted ? name_w * 0.643 + 16 : 20;   /* sin 40° */
	fr.x0 = 40 + axis_max_label_px(&ya);
	fr.legend_x = fr.x0 + fr.w + 20;
	fr.width = fr.legend_x + legend_px(b->n_parts, b->part_names, NULL) + 10;
	fr.height = fmax(fr.y0 + fr.h + names_h + 36, fr.y0 + 16 + SVG_LEGEND_ROW_PX * (double)b->n_parts);

	char xt[256], yt[256];
	axis_title(xt, sizeof xt, b->x_label, b->x_unit);
	axis_title(yt, sizeof yt, b->y_label, b->y_unit);
	page_open(f, &fr, b->title);
	y_axis(f, &fr, &ya, yt);
	double yb = fr.y0 + fr.h;
	emit(f, "<g class=\"x-axis\">\n");
	for (size_t i = 0; i < b->n_bars; i++) {
		double cx = fr.x0 + slot * ((double)i + 0.5);
		const char *name = b->bar_names ? b->bar_names[i] : "";
		if (is_slanted)
			emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"end\" transform=\"rotate(-40 %v %v)\">%e</text>\n",
			     cx + 4, yb + 14, cx + 4, yb + 14, name);
		else
			emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\">%e</text>\n", cx, yb + 17, name);
	}
	emit(f, "<text x=\"%v\" y=\"%v\" text-anchor=\"middle\">%e</text>\n", fr.x0 + fr.w / 2, yb + names_h + 22, xt);
	emit(f, "</g>\n");

	emit(f, "<g clip-path=\"url(#plot-area)\" stroke=\"#000000\" stroke-width=\"0.5\">\n");
	for (size_t i = 0; i < b->n_bars; i++) {
		double left = bar_left(b, &fr, slot, bar_w, i), base = 0;
		for (size_t k = 0; k < b->n_parts; k++) {
			double v = bar_value(b, i, k), x = b->is_stacked ? left : left + bar_w * (double)k;
			double y1 = fy(&fr, &ya, base + v), y0 = fy(&fr, &ya, base);
			if (v > 0)
				emit(f, "<rect x=\"%v\" y=\"%v\" width=\"%v\" height=\"%v\" fill=\"%s\"/>\n", x, y1, bar_w,
				     y0 - y1, palette[k % PALETTE_N]);
			if (b->is_stacked)
				base += v;
		}
	}
	emit(f, "</g>\n");
	if (b->is_value_labels) {
		emit(f, "<g class=\"values\" font-size=\"%d\" text-anchor=\"middle\">\n", SVG_SMALL_PX);
		for (size_t i = 0; i < b->n_bars; i++) {
			double left = bar_left(b, &fr, slot, bar_w, i);
			/* a stack: its total over it; a group: each bar's value */
			size_t n = b->is_stacked ? 1 : b->n_parts;
			for (size_t k = 0; k < n; k++) {
				double v = b->is_stacked ? bar_sum(b, i) : bar_value(b, i, k);
				fmt_sig3(lab, sizeof lab, v);
				double y = fmax(fy(&fr, &ya, v), fr.y0);
				emit(f, "<text x=\"%v\" y=\"%v\">%e</text>\n", left + bar_w * ((double)k + 0.5), y - 3, lab);
			}
		}
		emit(f, "</g>\n");
	}
	frame_box(f, &fr);
	emit(f, "<g class=\"legend\">\n");
	for (size_t k = 0; k < b->n_parts; k++)
		legend_row(f, &fr, k, b->part_names ? b->part_names[k] : "", true);
	emit(f, "</g>\n</svg>\n");
	return 0;
}

int svg_bars(const char *path, const struct svg_bars *b, char *err, size_t err_len)
{
	if (!b->n_bars || !b->n_parts || !b->values) {
		snprintf(err, err_len, "%s: a bar chart needs at least one bar, one part and the values", path);
		return -1;
	}
	return write_file(path, bars_write, b, err, err_len);
}
