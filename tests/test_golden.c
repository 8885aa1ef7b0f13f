/*
 * Golden regression: every shipped capture is run with the default config and
 * its JSON report must match tests/golden/NAME.json value for value (`nicsim
 * check`). Updating a golden file is a deliberate act: see README "Golden
 * files". Also: two runs of the same input give byte-identical JSON but for
 * the process's peak memory (/run/peak_rss_bytes), which `nicsim check`
 * leaves out.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *traces[] = { "many-flows-ipv4.pcap.gz", "bulk-ipv6.pcap", "vlan-flows.pcapng",
				 "udp-and-reverse.pcap", "pcpp-sll.pcap" };

static void run_json(const char *trace, const char *out)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --json '%s' '%s/traces/%s' 2>&1", tu_nicsim_bin(), out,
		 tu_src_dir(), trace);
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("%s: exit %d: %s", cmd, rc, o);
	free(o);
}

static void test_golden_reports_match_for_every_shipped_capture(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		char name[256], golden[4096], cmd[8192];
		snprintf(name, sizeof name, "%s", traces[i]);
		*strchr(name, '.') = 0;
		snprintf(golden, sizeof golden, "%s/tests/golden/%s.json", tu_src_dir(), name);
		const char *out = tu_tmpfile(".json");
		run_json(traces[i], out);
		snprintf(cmd, sizeof cmd, "'%s' check '%s' '%s'", tu_nicsim_bin(), out, golden);
		char *o;
		int rc = tu_run(cmd, &o);
		if (rc)
			fail_msg("%s drifted from its golden report (exit %d):\n%s", traces[i], rc, o);
		free(o);
		unlink(out);
	}
}

/* Cut the line of "peak_rss_bytes" (the report is indented, one key a line). */
static void drop_peak_rss_line(char *json, size_t *len)
{
	char *k = strstr(json, "\"peak_rss_bytes\": ");
	assert_non_null(k);
	char *start = k, *end = strchr(k, '\n');
	assert_non_null(end);
	while (start > json && start[-1] != '\n')
		start--;
	memmove(start, end + 1, strlen(end + 1) + 1);
	*len -= (size_t)(end + 1 - start);
}

static void test_golden_two_runs_give_byte_identical_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		const char *a = tu_tmpfile(".json"), *b = tu_tmpfile(".json");
		run_json(traces[i], a);
		run_json(traces[i], b);
		size_t la, lb;
		char *ja = tu_read_file(a, &la), *jb = tu_read_file(b, &lb);
		assert_non_null(ja);
		assert_non_null(jb);
		drop_peak_rss_line(ja, &la);
		drop_peak_rss_line(jb, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(ja, jb, la);
		free(ja);
		free(jb);
		unlink(a);
		unlink(b);
	}
}

static void test_golden_check_reports_a_changed_value(void **state)
{
	(void)state;
	/* A golden with one number changed must fail the check and name the path. */
	char golden[4096], cmd[8192];
	snprintf(golden, sizeof golden, "%s/tests/golden/bulk-ipv6.json", tu_src_dir());
	json_t *j = tu_load_json(golden);
	json_t *rp = json_object_get(j, "replay");
	json_object_set_new(rp, "rx_frames", json_integer(json_integer_value(json_object_get(rp, "rx_frames")) + 1));
	const char *bad = tu_tmpfile(".json");
	assert_int_equal(json_dump_file(j, bad, JSON_INDENT(1)), 0);
	json_decref(j);
	snprintf(cmd, sizeof cmd, "'%s' check '%s' '%s'", tu_nicsim_bin(), golden, bad);
	char *o;
	assert_int_equal(tu_run(cmd, &o), 1);
	assert_non_null(strstr(o, "/replay/rx_frames"));
	free(o);
	unlink(bad);
}

static void test_golden_check_ignores_the_peak_memory_and_nothing_else_of_run(void **state)
{
	(void)state;
	/* A report's peak memory is a plausible process size (a run of a small
	 * capture: more than 1 MiB, less than 1 GiB) and differs from the
	 * golden's without a difference being reported; a changed event count
	 * beside it still is. */
	const char *now = tu_tmpfile(".json");
	run_json("bulk-ipv6.pcap", now);
	json_t *j = tu_load_json(now);
	json_t *run = json_object_get(j, "run");
	json_int_t rss = json_integer_value(json_object_get(run, "peak_rss_bytes"));
	assert_true(rss > (1 << 20) && rss < (1 << 30));
	json_object_set_new(run, "peak_rss_bytes", json_integer(rss + 4096));
	const char *other = tu_tmpfile(".json");
	assert_int_equal(json_dump_file(j, other, JSON_INDENT(1)), 0);
	char cmd[8192], *o;
	snprintf(cmd, sizeof cmd, "'%s' check '%s' '%s'", tu_nicsim_bin(), now, other);
	if (tu_run(cmd, &o))
		fail_msg("%s: %s", cmd, o);
	free(o);
	json_object_set_new(run, "events", json_integer(json_integer_value(json_object_get(run, "events")) + 1));
	assert_int_equal(json_dump_file(j, other, JSON_INDENT(1)), 0);
	json_decref(j);
	assert_int_equal(tu_run(cmd, &o), 1);
	assert_non_null(strstr(o, "/run/events"));
	assert_null(strstr(o, "peak_rss"));
	free(o);
	unlink(now);
	unlink(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_reports_match_for_every_shipped_capture),
		cmocka_unit_test(test_golden_two_runs_give_byte_identical_json),
		cmocka_unit_test(test_golden_check_reports_a_changed_value),
		cmocka_unit_test(test_golden_check_ignores_the_peak_memory_and_nothing_else_of_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
