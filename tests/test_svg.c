/*
 * tests/test_svg.c — the SVG writer (sim/nicsim/svg.h) and `nicsim run
 * --plot`. Expected ticks and CDF points are worked by hand in the comments;
 * well-formedness is checked by a small XML reader below (balanced tags,
 * quoted attributes, only the five predefined entities and character
 * references, one root element), so the test needs no XML library.
 */
#include "testutil.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/hist.h"
#include "sim/nicsim/svg.h"

/* ---- a small XML well-formedness check ---- */

static bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':'; }
static bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

/* An entity or character reference at s ('&'): its length, or 0 if bad. */
static size_t entity_len(const char *s)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	for (size_t i = 0; i < 5; i++)
		if (!strncmp(s, ents[i], strlen(ents[i])))
			return strlen(ents[i]);
	if (s[1] == '#') {
		size_t n = 2;
		while (s[n] >= '0' && s[n] <= '9')
			n++;
		return n > 2 && s[n] == ';' ? n + 1 : 0;
	}
	return 0;
}

#define XML_BAD(...) do { snprintf(buf, len, __VA_ARGS__); return buf; } while (0)

/* NULL if doc is well-formed, else what is wrong and at which byte offset. */
static const char *xml_error(const char *doc, char *buf, size_t len)
{
	const char *stack[64];
	size_t stack_len[64], depth = 0, roots = 0;
	const char *p = doc;
	if (!strncmp(p, "<?xml", 5)) {
		p = strstr(p, "?>");
		if (!p)
			XML_BAD("unterminated XML declaration");
		p += 2;
	}
	while (*p) {
		if (*p == '&') {
			size_t n = entity_len(p);
			if (!n)
				XML_BAD("offset %td: bare '&' in text", p - doc);
			p += n;
		} else if (*p != '<') {
			if (!depth && *p != '\n' && *p != ' ')
				XML_BAD("offset %td: text outside the root element", p - doc);
			p++;
		} else if (!strncmp(p, "<!--", 4)) {
			const char *e = strstr(p + 4, "-->");
			if (!e)
				XML_BAD("offset %td: unterminated comment", p - doc);
			p = e + 3;
		} else if (p[1] == '/') {
			const char *n = p + 2, *e = n;
			while (is_name_char(*e))
				e++;
			if (!depth || (size_t)(e - n) != stack_len[depth - 1] || strncmp(n, stack[depth - 1], stack_len[depth - 1]))
				XML_BAD("offset %td: end tag </%.*s> does not close the open element", p - doc, (int)(e - n), n);
			if (*e != '>')
				XML_BAD("offset %td: end tag not closed by '>'", e - doc);
			depth--;
			p = e + 1;
		} else {
			const char *n = p + 1, *e = n;
			if (!is_name_start(*e))
				XML_BAD("offset %td: '<' not starting a tag", p - doc);
			while (is_name_char(*e))
				e++;
			size_t name_len = (size_t)(e - n);
			for (;;) {   /* attributes */
				while (*e == ' ' || *e == '\n' || *e == '\t')
					e++;
				if (*e == '>' || (e[0] == '/' && e[1] == '>'))
					break;
				if (!is_name_start(*e))
					XML_BAD("offset %td: bad attribute", e - doc);
				while (is_name_char(*e))
					e++;
				if (*e++ != '=' || (*e != '"' && *e != '\''))
					XML_BAD("offset %td: attribute without a quoted value", e - doc);
				char q = *e++;
				for (; *e != q; e++) {
					if (!*e || *e == '<')
						XML_BAD("offset %td: unterminated attribute value", e - doc);
					if (*e == '&' && !entity_len(e))
						XML_BAD("offset %td: bare '&' in an attribute", e - doc);
				}
				e++;
			}
			if (!depth && roots++)
				XML_BAD("offset %td: a second root element", p - doc);
			if (*e == '/') {
				p = e + 2;
			} else {
				if (depth == 64)
					XML_BAD("offset %td: nesting deeper than 64", p - doc);
				stack[depth] = n;
				stack_len[depth++] = name_len;
				p = e + 1;
			}
		}
	}
	if (depth)
		XML_BAD("%zu element(s) left open, innermost <%.*s>", depth, (int)stack_len[depth - 1], stack[depth - 1]);
	if (!roots)
		XML_BAD("no root element");
	return NULL;
}

static void assert_well_formed(const char *doc, const char *what)
{
	char buf[256];
	const char *e = xml_error(doc, buf, sizeof buf);
	if (e)
		fail_msg("%s: not well-formed XML: %s", what, e);
}

/* The checker itself accepts what it should and catches what it is for. */
static void test_svg_xml_check_accepts_and_refuses(void **state)
{
	(void)state;
	char buf[256];
	assert_null(xml_error("<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\"><b/><c>t &lt; u &#956;</c></a>\n", buf,
			      sizeof buf));
	static const char *const bad[] = {
		"<a><b></a>", "<a>&</a>", "<a x=1/>", "<a/><b/>", "<a x=\"<\"/>", "<a>", "text", "<a></a>x", "<a x=\"&b;\"/>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!xml_error(bad[i], buf, sizeof buf))
			fail_msg("accepted %s", bad[i]);
}

static char *read_svg(const char *path)
{
	char *s = tu_read_file(path, NULL);
	if (!s)
		fail_msg("%s: %s", path, strerror(errno));
	return s;
}

static void assert_contains(const char *doc, const char *needle, const char *what)
{
	if (!strstr(doc, needle))
		fail_msg("%s: no \"%s\"", what, needle);
}

/* The file a writer returned rc for: rc 0, read back, well-formed. */
static char *written_svg(int rc, const char *path)
{
	assert_int_equal(rc, 0);
	char *s = read_svg(path);
	assert_well_formed(s, path);
	return s;
}

/* ---- numbers and ticks ---- */

static void assert_ticks(double lo, double hi, const double *want, size_t n_want)
{
	double t[64];
	size_t n = svg_ticks(lo, hi, t, 64);
	if (n != n_want)
		fail_msg("ticks of [%g, %g]: %zu, want %zu", lo, hi, n, n_want);
	for (size_t i = 0; i < n; i++)
		if (fabs(t[i] - want[i]) > 1e-12 * fmax(1, fabs(want[i])))
			fail_msg("ticks of [%g, %g]: tick %zu is %.17g, want %g", lo, hi, i, t[i], want[i]);
}

/* Five intervals wanted: (hi - lo) / 5 rounded to 1, 2 or 5 times a power
 * of ten (below 1.5 -> 1, below 3 -> 2, below 7 -> 5, else 10), then the
 * multiples inside the range. */
static void test_svg_ticks_are_1_2_5_steps_inside_the_range(void **state)
{
	(void)state;
	/* 87 / 5 = 17.4 = 1.74 * 10 -> step 20 */
	assert_ticks(0, 87, (double[]){ 0, 20, 40, 60, 80 }, 5);
	/* 1 / 5 = 0.2 -> step 0.2, both ends on a tick */
	assert_ticks(0, 1, (double[]){ 0, 0.2, 0.4, 0.6, 0.8, 1.0 }, 6);
	/* 4 / 5 = 0.8 = 8 * 0.1 -> rounds up to step 1 */
	assert_ticks(3, 7, (double[]){ 3, 4, 5, 6, 7 }, 5);
	/* 0.074 / 5 = 0.0148 = 1.48 * 0.01 -> step 0.01, from 0.02 to 0.08 */
	assert_ticks(0.013, 0.087, (double[]){ 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08 }, 7);
	/* 3000 / 5 = 600 = 6 * 100 -> step 500 */
	assert_ticks(-1000, 2000, (double[]){ -1000, -500, 0, 500, 1000, 1500, 2000 }, 7);
	/* an empty or reversed range has none */
	assert_int_equal(svg_ticks(5, 5, NULL, 0), 0);
	assert_int_equal(svg_ticks(5, 1, NULL, 0), 0);
}

static void test_svg_numbers_are_fixed_point_rounded_half_away(void **state)
{
	(void)state;
	char b[64];
	svg_fmt_fixed(b, sizeof b, -1.5, 2);
	assert_string_equal(b, "-1.50");
	svg_fmt_fixed(b, sizeof b, 0.125, 2);   /* 12.5 hundredths, exact in binary */
	assert_string_equal(b, "0.13");
	svg_fmt_fixed(b, sizeof b, -0.004, 2);  /* rounds to zero: no sign */
	assert_string_equal(b, "0.00");
	svg_fmt_fixed(b, sizeof b, 1234.5, 0);
	assert_string_equal(b, "1235");
	svg_fmt_fixed(b, sizeof b, 0.05, 1);    /* 0.05 is a little above in binary */
	assert_string_equal(b, "0.1");
	svg_fmt_fixed(b, sizeof b, 3e20, 1);
	assert_string_equal(b, "1000000000000000.0");
	svg_fmt_fixed(b, sizeof b, NAN, 1);
	assert_string_equal(b, "0.0");
}

/* ---- CDF points ---- */

/* Values 10, 20, 20, 20, 1000, 2000 (six). Below 64 each value is its own
 * bucket; 1000 (2^9..2^10, buckets 16 wide) is in [992, 1007]; 2000 (2^10..
 * 2^11, 32 wide) in [1984, 2015], whose top is cut at the max, 2000. Each
 * bucket gives (lo, fraction below) and (hi, fraction up to and with it). */
static void test_svg_cdf_points_are_exact_at_bucket_edges(void **state)
{
	(void)state;
	struct hist h;
	hist_init(&h);
	const uint64_t v[] = { 20, 1000, 10, 20, 2000, 20 };
	for (size_t i = 0; i < 6; i++)
		hist_record(&h, v[i]);
	const double want_x[] = { 10, 10, 20, 20, 992, 1007, 1984, 2000 };
	const double want_y[] = { 0, 1.0 / 6, 1.0 / 6, 4.0 / 6, 4.0 / 6, 5.0 / 6, 5.0 / 6, 1 };
	double x[16], y[16];
	assert_int_equal(svg_cdf_points(&h, 1, x, y, 16), 8);
	for (size_t i = 0; i < 8; i++) {
		if (x[i] != want_x[i] || fabs(y[i] - want_y[i]) > 1e-15)
			fail_msg("point %zu: (%g, %g), want (%g, %g)", i, x[i], y[i], want_x[i], want_y[i]);
	}
	/* x_div scales x only (ps to ns here); max bounds the writes, not the count */
	assert_int_equal(svg_cdf_points(&h, 1000, x, y, 3), 8);
	assert_true(x[0] == 0.01 && x[2] == 0.02 && y[2] == 1.0 / 6);
	struct hist empty;
	hist_init(&empty);
	assert_int_equal(svg_cdf_points(&empty, 1, x, y, 16), 0);
}

/* ---- whole plots ---- */

static const double sx[] = { 1, 2, 4, 8 }, sy1[] = { 9.5, 18.1, 33.0, 41.2 }, sy2[] = { 9.9, 19.6, 38.7, 77.0 };
static const struct svg_series two_series[] = {
	{ "rss.queues=1 & <legacy>", 4, sx, sy1 },
	{ "rss.queues=8", 4, sx, sy2 },
};
static const struct svg_plot sweep_plot = {
	.title = "Throughput against load \"sweep\"",
	.x_label = "offered load",
	.x_unit = "Gb/s",
	.y_label = "delivered",
	.y_unit = "Mpps",
	.n_series = 2,
	.series = two_series,
};

static void test_svg_lines_is_well_formed_with_labels_and_every_series(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".svg");
	char err[512];
	char *s = written_svg(svg_lines(path, &sweep_plot, err, sizeof err), path);
	assert_contains(s, "offered load (Gb/s)", path);
	assert_contains(s, "delivered (Mpps)", path);
	assert_contains(s, "Throughput against load &quot;sweep&quot;", path);
	assert_contains(s, ">rss.queues=1 &amp; &lt;legacy&gt;</text>", path);
	assert_contains(s, ">rss.queues=8</text>", path);
	/* x 1..8: 7 / 5 = 1.4 -> step 1, ticks 1..8; y 9.5..77: 67.5 / 5 =
	 * 13.5 -> step 10, axis widened to 0..80 */
	assert_contains(s, ">8</text>", path);
	assert_contains(s, ">80</text>", path);
	assert_contains(s, ">0</text>", path);
	assert_contains(s, "<circle", path);   /* four points each: markers */
	free(s);
	unlink(path);
}

/* A log axis over 0.3..40 spans the decades 0.1..100; three decades label
 * the powers of ten only. */
static void test_svg_log_axis_labels_decades(void **state)
{
	(void)state;
	static const double x[] = { 0.3, 3, 40 }, y[] = { 0, 0.5, 1 };
	static const struct svg_series se[] = { { "q", 3, x, y } };
	struct svg_plot p = { .title = "t", .x_label = "latency", .x_unit = "µs", .y_label = "f", .is_log_x = true,
			      .n_series = 1, .series = se };
	const char *path = tu_tmpfile(".svg");
	char err[512];
	char *s = written_svg(svg_lines(path, &p, err, sizeof err), path);
	assert_contains(s, ">0.1</text>", path);
	assert_contains(s, ">1</text>", path);
	assert_contains(s, ">10</text>", path);
	assert_contains(s, ">100</text>", path);
	assert_contains(s, "latency (µs)", path);
	assert_null(strstr(s, ">20</text>"));
	free(s);
	unlink(path);
}

static void test_svg_output_is_byte_identical_on_every_call(void **state)
{
	(void)state;
	const char *a = tu_tmpfile(".svg"), *b = tu_tmpfile(".svg");
	char err[512];
	assert_int_equal(svg_lines(a, &sweep_plot, err, sizeof err), 0);
	/* A locale with a decimal comma must not change a number, where one is
	 * installed (the writer never formats a double with printf). */
	const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
	if (!loc)
		loc = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
	assert_int_equal(svg_lines(b, &sweep_plot, err, sizeof err), 0);
	setlocale(LC_NUMERIC, "C");
	size_t la, lb;
	char *sa = tu_read_file(a, &la), *sb = tu_read_file(b, &lb);
	assert_non_null(sa);
	assert_non_null(sb);
	assert_int_equal(la, lb);
	assert_memory_equal(sa, sb, la);
	free(sa);
	free(sb);
	unlink(a);
	unlink(b);
}

static void test_svg_cdf_and_bars_are_well_formed_and_named(void **state)
{
	(void)state;
	char err[512];
	struct hist h1, h2;
	hist_init(&h1);
	hist_init(&h2);
	for (uint64_t i = 1; i <= 1000; i++) {
		hist_record(&h1, i * 20000);        /* 0.02 .. 20 µs */
		hist_record(&h2, 3000000 + i * 7);  /* about 3 µs */
	}
	struct hist empty;
	hist_init(&empty);
	const struct svg_hist_series hs[] = { { "queue 0", &h1 }, { "queue 1", &h2 }, { "queue 2 (none)", &empty } };
	struct svg_cdf_plot cp = { .title = "CDF", .x_label = "latency", .x_unit = "µs", .x_div = 1e6,
				   .n_series = 3, .series = hs };
	const char *path = tu_tmpfile(".svg");
	char *s = written_svg(svg_cdf(path, &cp, err, sizeof err), path);
	assert_contains(s, "latency (µs)", path);
	assert_contains(s, "fraction ≤ x", path);
	assert_contains(s, ">queue 0</text>", path);
	assert_contains(s, ">queue 2 (none)</text>", path);
	assert_contains(s, ">p99</text>", path);
	assert_contains(s, ">0.01</text>", path);   /* 0.02 .. 20 µs: decades 0.01 .. 100 */
	assert_contains(s, ">1.0</text>", path);    /* the y axis's top */
	free(s);

	static const char *const cpus[] = { "0", "1", "2" }, *const cats[] = { "isr", "driver", "protocol", "copy" };
	static const double util[] = { 1, 2, 10, 0.5, 0, 0, 0, 0, 3, 4, 40, 2 };
	struct svg_bars b = { .title = "CPU", .x_label = "CPU", .y_label = "utilisation", .y_unit = "%",
			      .n_bars = 3, .bar_names = cpus, .n_parts = 4, .part_names = cats, .values = util,
			      .is_stacked = true, .is_value_labels = true, .has_y_max = true, .y_max = 100 };
	s = written_svg(svg_bars(path, &b, err, sizeof err), path);
	assert_contains(s, "utilisation (%)", path);
	for (size_t i = 0; i < 4; i++)
		assert_contains(s, cats[i], path);
	assert_contains(s, ">13.5</text>", path);  /* cpu 0's total: 1 + 2 + 10 + 0.5 */
	assert_contains(s, ">49.0</text>", path);  /* cpu 2's */
	assert_contains(s, ">100</text>", path);
	free(s);

	static const char *const stages[] = { "wire", "a_rather_long_stage_name" }, *const pct[] = { "p50", "p99" };
	static const double lat[] = { 1.21, 1.21, 12.1, 44 };
	struct svg_bars g = { .title = "stages", .x_label = "stage", .y_label = "latency", .y_unit = "µs",
			      .n_bars = 2, .bar_names = stages, .n_parts = 2, .part_names = pct, .values = lat,
			      .is_value_labels = true };
	s = written_svg(svg_bars(path, &g, err, sizeof err), path);
	assert_contains(s, ">a_rather_long_stage_name</text>", path);
	assert_contains(s, ">44.0</text>", path);
	assert_contains(s, ">50</text>", path);    /* 44 / 5 = 8.8 -> step 10, axis 0..50 */
	free(s);
	unlink(path);
}

static void test_svg_errors_name_the_file(void **state)
{
	(void)state;
	char err[512] = "";
	assert_int_equal(svg_lines("/nonexistent-dir/x.svg", &sweep_plot, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/x.svg: could not write"));
	struct svg_plot none = sweep_plot;
	none.n_series = 0;
	assert_int_equal(svg_lines("x.svg", &none, err, sizeof err), -1);
	assert_non_null(strstr(err, "x.svg: a plot needs at least one series"));
	struct svg_series bad = { "b", 3, NULL, NULL };
	none.n_series = 1;
	none.series = &bad;
	assert_int_equal(svg_lines("x.svg", &none, err, sizeof err), -1);
	assert_int_equal(access("x.svg", F_OK), -1);   /* nothing written */
}

/* ---- nicsim run --plot ---- */

static void test_cli_run_plot_writes_three_labelled_svgs(void **state)
{
	(void)state;
	char tmpl[512];
	const char *tmp = getenv("TMPDIR");
	snprintf(tmpl, sizeof tmpl, "%s/nicsim-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(tmpl));
	char dir[600], cmd[2048], path[700];
	snprintf(dir, sizeof dir, "%s/made/here", tmpl);   /* missing parents are made */
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --plot '%s' '%s' 2>&1", tu_nicsim_bin(), dir,
		 tu_path(tu_src_dir(), "traces/bulk-ipv6.pcap"));
	char *out = NULL;
	int rc = tu_run(cmd, &out);
	if (rc)
		fail_msg("%s: exit %d: %s", cmd, rc, out);
	free(out);
	/* 2238: the frames to the host, fd77::1, in the capture's tshark-made
	 * flow table (traces/bulk-ipv6.flows.csv: 14 + 557 + 556 + 556 + 555). */
	static const struct {
		const char *file, *needles[4];
	} want[] = {
		{ "latency-cdf.svg", { "(µs)", ">all queues (2238 frames)</text>", ">queue 0 (", ">p50</text>" } },
		{ "stages.svg", { "latency of the stage (µs)", ">descriptor_wait</text>", ">moderation_wait</text>", ">p99</text>" } },
		{ "cpu-util.svg", { "(%)", ">isr</text>", ">protocol</text>", "CPU</text>" } },
	};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, want[i].file);
		char *s = read_svg(path);
		assert_well_formed(s, path);
		for (size_t k = 0; k < 4; k++)
			assert_contains(s, want[i].needles[k], path);
		free(s);
		unlink(path);
	}
	/* A file where the directory should be is refused before the run. */
	snprintf(path, sizeof path, "%s/file", tmpl);
	tu_write_file(path, "x", 1);
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --plot '%s' '%s' 2>&1", tu_nicsim_bin(), path,
		 tu_path(tu_src_dir(), "traces/bulk-ipv6.pcap"));
	rc = tu_run(cmd, &out);
	assert_int_equal(rc, 2);
	if (!strstr(out, "exists and is not a directory"))
		fail_msg("%s: %s", cmd, out);
	free(out);
	unlink(path);
	snprintf(path, sizeof path, "%s/made/here", tmpl);
	rmdir(path);
	snprintf(path, sizeof path, "%s/made", tmpl);
	rmdir(path);
	rmdir(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_xml_check_accepts_and_refuses),
		cmocka_unit_test(test_svg_ticks_are_1_2_5_steps_inside_the_range),
		cmocka_unit_test(test_svg_numbers_are_fixed_point_rounded_half_away),
		cmocka_unit_test(test_svg_cdf_points_are_exact_at_bucket_edges),
		cmocka_unit_test(test_svg_lines_is_well_formed_with_labels_and_every_series),
		cmocka_unit_test(test_svg_log_axis_labels_decades),
		cmocka_unit_test(test_svg_output_is_byte_identical_on_every_call),
		cmocka_unit_test(test_svg_cdf_and_bars_are_well_formed_and_named),
		cmocka_unit_test(test_svg_errors_name_the_file),
		cmocka_unit_test(test_cli_run_plot_writes_three_labelled_svgs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
