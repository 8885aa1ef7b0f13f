/*
 * tests/test_jsondiff.c — report-vs-golden comparison on hand-written JSON
 * pairs; every expected line below was written by hand from the two
 * documents beside it.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sim/nicsim/jsondiff.h"

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
	if (!j)
		fail_msg("bad test JSON: %s: %s", text, err.text);
	return j;
}

/* Diff two JSON texts; returns the lines written (malloc'd) and the count. */
static char *diff_text(const char *now_text, const char *golden_text,
		       const struct jsondiff_opts *opts, int *count)
{
	json_t *now = parse(now_text), *golden = parse(golden_text);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	*count = jsondiff(now, golden, opts, out);
	fclose(out);
	json_decref(now);
	json_decref(golden);
	return buf;
}

static void expect_diff(const char *now_text, const char *golden_text,
			const struct jsondiff_opts *opts, int expected_count,
			const char *expected_lines)
{
	int count;
	char *lines = diff_text(now_text, golden_text, opts, &count);
	assert_string_equal(lines, expected_lines);
	assert_int_equal(count, expected_count);
	free(lines);
}

static const char report_golden[] =
	"{\"run\": {\"wall_time_s\": 1.5, \"backend\": \"c\", \"seed\": 1},"
	" \"queues\": [{\"latency_ps\": {\"rx_dma\": {\"p50\": 100, \"p99\": 250}},"
	"  \"pkts\": 10}]}";
static const char report_now[] =
	"{\"run\": {\"wall_time_s\": 2.25, \"backend\": \"rtl\", \"seed\": 1},"
	" \"queues\": [{\"latency_ps\": {\"rx_dma\": {\"p50\": 100, \"p99\": 260}},"
	"  \"pkts\": 10}]}";

static void test_jsondiff_identical_reports_have_no_differences(void **state)
{
	(void)state;
	expect_diff(report_golden, report_golden, NULL, 0, "");
}

static void test_jsondiff_changed_values_are_listed_in_golden_order(void **state)
{
	(void)state;
	expect_diff(report_now, report_golden, NULL, 3,
		    "/run/wall_time_s: golden 1.5, now 2.25\n"
		    "/run/backend: golden \"c\", now \"rtl\"\n"
		    "/queues/0/latency_ps/rx_dma/p99: golden 250, now 260\n");
}

static void test_jsondiff_ignored_paths_are_skipped(void **state)
{
	(void)state;
	static const char *const ignore[] = { "/run/wall_time_s", "/run/backend", NULL };
	struct jsondiff_opts opts = { .ignore = ignore };
	expect_diff(report_now, report_golden, &opts, 1,
		    "/queues/0/latency_ps/rx_dma/p99: golden 250, now 260\n");

	/* A prefix pattern covers the whole subtree. */
	static const char *const ignore_run[] = { "/run/*", NULL };
	opts.ignore = ignore_run;
	expect_diff(report_now, report_golden, &opts, 1,
		    "/queues/0/latency_ps/rx_dma/p99: golden 250, now 260\n");

	/* "/run/" + '*' does not cover /run itself; "/run*" does. */
	expect_diff("{\"x\": 1}", "{\"run\": {}, \"x\": 1}", &opts, 1,
		    "/run: missing in report\n");
	static const char *const ignore_run_too[] = { "/run*", NULL };
	opts.ignore = ignore_run_too;
	expect_diff("{\"x\": 1}", "{\"run\": {}, \"x\": 1}", &opts, 0, "");
}

static void test_jsondiff_missing_and_extra_members_are_one_line_each(void **state)
{
	(void)state;
	/* A missing subtree is one line, not one per leaf. */
	expect_diff("{\"a\": 1, \"b\": {\"c\": [1, 2]}, \"d\": null}",
		    "{\"a\": 1, \"b\": {\"c\": [1, 2, 3]}, \"e\": {\"f\": 1, \"g\": 2}}", NULL, 3,
		    "/b/c/2: missing in report\n"
		    "/e: missing in report\n"
		    "/d: not in golden\n");
	expect_diff("{\"c\": [1, 2, 3, {\"z\": 0}]}", "{\"c\": [1, 2]}", NULL, 2,
		    "/c/2: not in golden\n"
		    "/c/3: not in golden\n");
}

static void test_jsondiff_number_types_and_reals_are_exact_by_default(void **state)
{
	(void)state;
	/* An integer never equals a real: the report changed type. */
	expect_diff("{\"x\": 2.0}", "{\"x\": 2}", NULL, 1, "/x: golden 2, now 2.0\n");
	/* Same text, same double. */
	expect_diff("{\"x\": 0.1, \"y\": 1e300}", "{\"x\": 0.1, \"y\": 1e300}", NULL, 0, "");
	/* Shortest form that reads back: no exponent for integral values below
	 * 10^17, an exponent for tiny or huge ones. */
	expect_diff("{\"a\": 100.0, \"b\": 1e300, \"c\": 2.5e-7, \"d\": 12345678901234.5}",
		    "{\"a\": 101.0, \"b\": 1e299, \"c\": 2.5e-8, \"d\": 0.5}", NULL, 4,
		    "/a: golden 101.0, now 100.0\n"
		    "/b: golden 1e+299, now 1e+300\n"
		    "/c: golden 2.5e-08, now 2.5e-07\n"
		    "/d: golden 0.5, now 12345678901234.5\n");
	/* -0.0 and 0.0 print differently with %.17g. */
	expect_diff("{\"x\": 0.0}", "{\"x\": -0.0}", NULL, 1, "/x: golden -0.0, now 0.0\n");
	/* Integers at the edge of int64 compare exactly. */
	expect_diff("{\"x\": 9223372036854775807}", "{\"x\": 9223372036854775806}", NULL, 1,
		    "/x: golden 9223372036854775806, now 9223372036854775807\n");
}

static void test_jsondiff_reals_print_in_shortest_round_trip_form(void **state)
{
	(void)state;
	/* 0.1 + 0.2 is the double 0.30000000000000004 (17 significant digits
	 * needed); 0.3 reads back from "0.3". */
	json_t *now = json_pack("{s:f}", "x", 0.1 + 0.2);
	json_t *golden = parse("{\"x\": 0.3}");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(jsondiff(now, golden, NULL, out), 1);
	fclose(out);
	assert_string_equal(buf, "/x: golden 0.3, now 0.30000000000000004\n");
	free(buf);
	json_decref(now);
	json_decref(golden);
}

static void test_jsondiff_type_changes_are_differences(void **state)
{
	(void)state;
	expect_diff("{\"a\": false, \"b\": 0, \"c\": [1], \"d\": \"1\", \"e\": null}",
		    "{\"a\": true, \"b\": null, \"c\": {\"a\": 1}, \"d\": 1, \"e\": null}", NULL, 4,
		    "/a: golden true, now false\n"
		    "/b: golden null, now 0\n"
		    "/c: golden {\"a\":1}, now [1]\n"
		    "/d: golden 1, now \"1\"\n");
}

static void test_jsondiff_root_is_written_as_slash(void **state)
{
	(void)state;
	expect_diff("2", "1", NULL, 1, "/: golden 1, now 2\n");
	expect_diff("[]", "{}", NULL, 1, "/: golden {}, now []\n");
}

static void test_jsondiff_keys_are_escaped_as_json_pointer(void **state)
{
	(void)state;
	/* RFC 6901 section 3: '~' is "~0", '/' is "~1". */
	expect_diff("{\"a/b\": 1, \"m~n\": {\"\": 1}}", "{\"a/b\": 2, \"m~n\": {\"\": 2}}", NULL, 2,
		    "/a~1b: golden 2, now 1\n"
		    "/m~0n/: golden 2, now 1\n");
}

static void test_jsondiff_tolerance_applies_only_under_its_path(void **state)
{
	(void)state;
	/* rate: |100.5 - 100| = 0.5 <= 0.01 * 100; n: 5 / 1000 = 0.005 is not
	 * covered by the /rate tolerance. */
	static const struct jsondiff_tol rate_1pc[] = { { "/rate", 0.01 }, { NULL, 0 } };
	struct jsondiff_opts opts = { .tol = rate_1pc };
	expect_diff("{\"rate\": 100.5, \"n\": 1005}", "{\"rate\": 100.0, \"n\": 1000}", &opts, 1,
		    "/n: golden 1000, now 1005\n");

	/* 0.1 % everywhere: 0.5 % off fails for both; the first match wins, so
	 * the 1 % entry listed first still covers /rate. */
	static const struct jsondiff_tol all_01pc[] = { { "/*", 0.001 }, { NULL, 0 } };
	opts.tol = all_01pc;
	expect_diff("{\"rate\": 100.5, \"n\": 1005}", "{\"rate\": 100.0, \"n\": 1000}", &opts, 2,
		    "/rate: golden 100.0, now 100.5\n"
		    "/n: golden 1000, now 1005\n");
	static const struct jsondiff_tol first_wins[] = {
		{ "/rate", 0.01 }, { "/*", 0.001 }, { NULL, 0 } };
	opts.tol = first_wins;
	expect_diff("{\"rate\": 100.5, \"n\": 1005}", "{\"rate\": 100.0, \"n\": 1000}", &opts, 1,
		    "/n: golden 1000, now 1005\n");

	/* Under a tolerance an integer and a real compare by value; a zero
	 * golden allows only zero. */
	static const struct jsondiff_tol all_1pc[] = { { "/*", 0.01 }, { NULL, 0 } };
	opts.tol = all_1pc;
	expect_diff("{\"a\": 2.0, \"z\": 1e-9}", "{\"a\": 2, \"z\": 0}", &opts, 1,
		    "/z: golden 0, now 1e-09\n");
}

static void test_jsondiff_max_lines_caps_output_not_count(void **state)
{
	(void)state;
	struct jsondiff_opts opts = { .max_lines = 2 };
	expect_diff("[1, 2, 3, 4, 5]", "[0, 0, 0, 0, 0]", &opts, 5,
		    "/0: golden 0, now 1\n"
		    "/1: golden 0, now 2\n"
		    "... 3 more\n");
	/* Exactly at the cap: no "more" line. */
	opts.max_lines = 5;
	expect_diff("[1, 2, 3, 4, 5]", "[0, 0, 0, 0, 0]", &opts, 5,
		    "/0: golden 0, now 1\n"
		    "/1: golden 0, now 2\n"
		    "/2: golden 0, now 3\n"
		    "/3: golden 0, now 4\n"
		    "/4: golden 0, now 5\n");
}

static void test_jsondiff_null_out_only_counts(void **state)
{
	(void)state;
	json_t *now = parse(report_now), *golden = parse(report_golden);
	assert_int_equal(jsondiff(now, golden, NULL, NULL), 3);
	json_decref(now);
	json_decref(golden);
}

static void test_jsondiff_long_values_are_cut_at_80_chars(void **state)
{
	(void)state;
	/* A 100-char string dumps as 102 chars with its quotes; the line keeps
	 * the first 77 (the quote and 76 x) and "...". */
	char golden[160], expected[200], xs[101];
	memset(xs, 'x', 100);
	xs[100] = '\0';
	snprintf(golden, sizeof(golden), "{\"s\": \"%s\"}", xs);
	snprintf(expected, sizeof(expected), "/s: golden \"%.76s..., now \"y\"\n", xs);
	expect_diff("{\"s\": \"y\"}", golden, NULL, 1, expected);
}

static void test_jsondiff_path_patterns(void **state)
{
	(void)state;
	assert_true(jsondiff_path_matches("/run/wall_time_s", "/run/wall_time_s"));
	assert_false(jsondiff_path_matches("/run/wall_time_s", "/run/wall_time_s2"));
	assert_false(jsondiff_path_matches("/run/wall_time_s", "/run"));
	assert_true(jsondiff_path_matches("/run/*", "/run/x/y"));
	assert_false(jsondiff_path_matches("/run/*", "/run"));
	assert_true(jsondiff_path_matches("/host/cpu*", "/host/cpu_util"));
	assert_true(jsondiff_path_matches("*", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsondiff_identical_reports_have_no_differences),
		cmocka_unit_test(test_jsondiff_changed_values_are_listed_in_golden_order),
		cmocka_unit_test(test_jsondiff_ignored_paths_are_skipped),
		cmocka_unit_test(test_jsondiff_missing_and_extra_members_are_one_line_each),
		cmocka_unit_test(test_jsondiff_number_types_and_reals_are_exact_by_default),
		cmocka_unit_test(test_jsondiff_reals_print_in_shortest_round_trip_form),
		cmocka_unit_test(test_jsondiff_type_changes_are_differences),
		cmocka_unit_test(test_jsondiff_root_is_written_as_slash),
		cmocka_unit_test(test_jsondiff_keys_are_escaped_as_json_pointer),
		cmocka_unit_test(test_jsondiff_tolerance_applies_only_under_its_path),
		cmocka_unit_test(test_jsondiff_max_lines_caps_output_not_count),
		cmocka_unit_test(test_jsondiff_null_out_only_counts),
		cmocka_unit_test(test_jsondiff_long_values_are_cut_at_80_chars),
		cmocka_unit_test(test_jsondiff_path_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
