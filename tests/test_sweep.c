/*
 * `nicsim sweep`: the points a sweep makes, their reports against runs made
 * outside the sweep (`nicsim run` on the point's own configuration), resuming
 * after an interruption, rerunning only what changed, and the same table
 * from a one-node Slurm cluster on localhost (tests/slurm/localhost.sh; the
 * test is skipped, saying why, where Slurm cannot start).
 */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *trace(const char *name)
{
	static char buf[2][4096];
	static int k;
	k ^= 1;
	snprintf(buf[k], sizeof buf[k], "%s/traces/%s", tu_src_dir(), name);
	return buf[k];
}

/* A fresh directory for a sweep (mkdtemp). */
static const char *fresh_dir(void)
{
	static char dirs[8][64];
	static int n;
	char *d = dirs[n++ % 8];
	snprintf(d, 64, "/tmp/nicsim-sweep-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static int sweep(const char *args, char **out)
{
	char cmd[16384];
	snprintf(cmd, sizeof cmd, "'%s' sweep %s 2>&1", tu_nicsim_bin(), args);
	return tu_run(cmd, out);
}

static void rm_rf(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static json_t *table(const char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/table.json", dir);
	return tu_load_json(path);
}

/* The cartesian product, the last --vary fastest, the trace outermost; the
 * ranged forms expand as written (1..8*2 = 1,2,4,8; 2..6+2 = 2,4,6). Every
 * row agrees with `nicsim run` of that point's configuration, run here on
 * its own: the same p99, frames and interrupts. */
/* The table.csv of two sweep directories, byte for byte. */
static void assert_same_csv(const char *dir_a, const char *dir_b)
{
	char a[256], b[256];
	snprintf(a, sizeof a, "%s/table.csv", dir_a);
	snprintf(b, sizeof b, "%s/table.csv", dir_b);
	char *ta = tu_read_file(a, NULL), *tb = tu_read_file(b, NULL);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
}

static void test_sweep_runs_the_product_and_each_row_is_that_points_run(void **state)
{
	(void)state;
	const char *d = fresh_dir();
	char args[4096], *o;
	snprintf(args, sizeof args, "--quiet -j 2 --vary rss.queues=1..8*2 --vary irq.usecs=2..6+2 --out %s '%s' '%s'", d,
		 trace("bulk-ipv6.pcap"), trace("udp-and-reverse.pcap"));
	assert_int_equal(sweep(args, &o), 0);
	free(o);
	json_t *t = table(d), *rows = json_object_get(t, "rows");
	assert_int_equal(json_array_size(rows), 2 * 4 * 3);
	static const char *const q[] = { "1", "2", "4", "8" }, *const us[] = { "2", "4", "6" };
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i), *v = json_object_get(r, "values");
		assert_int_equal(json_integer_value(json_object_get(r, "point")), (json_int_t)i);
		assert_string_equal(json_string_value(json_object_get(r, "trace")),
				    i < 12 ? "bulk-ipv6.pcap" : "udp-and-reverse.pcap");
		assert_string_equal(json_string_value(json_object_get(v, "rss.queues")), q[(i % 12) / 3]);
		assert_string_equal(json_string_value(json_object_get(v, "irq.usecs")), us[i % 3]);
	}
	/* Points 4 and 17, run outside the sweep. */
	static const int pts[] = { 4, 17 };
	for (size_t k = 0; k < 2; k++) {
		const char *rep = tu_tmpfile(".json");
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "'%s' run --quiet --config %s/points/%04d.ini --json %s '%s'", tu_nicsim_bin(), d,
			 pts[k], rep, trace(pts[k] < 12 ? "bulk-ipv6.pcap" : "udp-and-reverse.pcap"));
		assert_int_equal(tu_run(cmd, &o), 0);
		free(o);
		json_t *j = tu_load_json(rep), *r = json_array_get(rows, (size_t)pts[k]);
		json_t *e2e = json_object_get(json_object_get(j, "latency_ps_all_queues"), "end_to_end");
		assert_int_equal(json_integer_value(json_object_get(r, "e2e_p99_ps")),
				 json_integer_value(json_object_get(e2e, "p99")));
		assert_int_equal(json_integer_value(json_object_get(r, "rx_frames")),
				 json_integer_value(json_object_get(json_object_get(j, "replay"), "rx_frames")));
		json_int_t irqs = 0;
		json_t *qs = json_object_get(j, "queues");
		for (size_t x = 0; x < json_array_size(qs); x++)
			irqs += json_integer_value(json_object_get(json_array_get(qs, x), "interrupts"));
		assert_int_equal(json_array_size(json_object_get(r, "queues")), json_array_size(qs));
		uint64_t sim = (uint64_t)json_integer_value(json_object_get(json_object_get(j, "run"), "sim_time_ps"));
		assert_int_equal(json_integer_value(json_object_get(r, "interrupts_per_s")),
				 (json_int_t)((uint64_t)irqs * 1000000000000ull / sim));
		json_decref(j);
		unlink(rep);
	}
	/* The plots beside the table: the metric against rss.queues (the first
	 * varied key of numbers), a line per trace and irq.usecs value. */
	char path[256];
	snprintf(path, sizeof path, "%s/plot-e2e-p99.svg", d);
	char *svg = tu_read_file(path, NULL);
	assert_non_null(svg);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "rss.queues"));
	assert_non_null(strstr(svg, "bulk-ipv6.pcap, irq.usecs=4"));
	assert_non_null(strstr(svg, "udp-and-reverse.pcap, irq.usecs=6"));
	assert_non_null(strstr(svg, "(µs)"));
	free(svg);
	json_decref(t);
	rm_rf(d);
}

static uint64_t count_reports(const char *dir, int points)
{
	uint64_t n = 0;
	for (int p = 0; p < points; p++) {
		char path[256];
		snprintf(path, sizeof path, "%s/points/%04d.key", dir, p);
		n += access(path, F_OK) == 0;
	}
	return n;
}

/* Stopped by a signal halfway, a sweep keeps the points it finished; the same
 * command then runs only the others, and the table is the one an
 * uninterrupted sweep makes. */
static void test_sweep_interrupted_then_rerun_completes_only_the_missing_points(void **state)
{
	(void)state;
	const char *whole = fresh_dir(), *cut = fresh_dir();
	/* Eight points of a few tenths of a second each (20 passes of the
	 * capture), one at a time. */
	const char *common = "--quiet -j 1 --set replay.loops=20 --vary rss.queues=1,2,3,4,5,6,7,8";
	char args[4096], *o;
	snprintf(args, sizeof args, "%s --out %s '%s'", common, whole, trace("many-flows-ipv4.pcap.gz"));
	assert_int_equal(sweep(args, &o), 0);
	free(o);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char out[64];
		snprintf(out, sizeof out, "%s", cut);
		execl(tu_nicsim_bin(), tu_nicsim_bin(), "sweep", "--quiet", "-j", "1", "--set", "replay.loops=20", "--vary",
		      "rss.queues=1,2,3,4,5,6,7,8", "--out", out, trace("many-flows-ipv4.pcap.gz"), (char *)NULL);
		_exit(127);
	}
	/* Wait for two points, then stop it. */
	for (int i = 0; i < 6000 && count_reports(cut, 8) < 2; i++)
		usleep(10000);
	kill(pid, SIGTERM);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	uint64_t done = count_reports(cut, 8);
	assert_true(done >= 2);
	if (done == 8)
		skip();   /* the machine was too fast to stop it halfway: nothing to resume */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);

	snprintf(args, sizeof args, "-j 1 --set replay.loops=20 --vary rss.queues=1,2,3,4,5,6,7,8 --out %s '%s'", cut,
		 trace("many-flows-ipv4.pcap.gz"));
	assert_int_equal(sweep(args, &o), 0);
	char want[128];
	snprintf(want, sizeof want, "8 points, %llu done before, %llu to run", (unsigned long long)done,
		 (unsigned long long)(8 - done));
	if (!strstr(o, want))
		fail_msg("rerun said '%s', not '%s'", o, want);
	free(o);
	assert_same_csv(whole, cut);
	rm_rf(whole);
	rm_rf(cut);
}

/* The same command again runs nothing; a changed base setting reruns every
 * point, since every point's configuration changed. */
static void test_sweep_reruns_only_points_whose_inputs_changed(void **state)
{
	(void)state;
	const char *d = fresh_dir();
	char args[4096], *o;
	snprintf(args, sizeof args, "--vary rss.queues=1,2 --out %s '%s'", d, trace("pcpp-sll.pcap"));
	assert_int_equal(sweep(args, &o), 0);
	assert_non_null(strstr(o, "2 points, 0 done before, 2 to run"));
	free(o);
	assert_int_equal(sweep(args, &o), 0);
	assert_non_null(strstr(o, "2 points, 2 done before, 0 to run"));
	free(o);
	snprintf(args, sizeof args, "--set irq.usecs=20 --vary rss.queues=1,2 --out %s '%s'", d, trace("pcpp-sll.pcap"));
	assert_int_equal(sweep(args, &o), 0);
	assert_non_null(strstr(o, "2 points, 0 done before, 2 to run"));
	free(o);
	rm_rf(d);
}

static void test_sweep_refuses_what_it_cannot_run_and_says_why(void **state)
{
	(void)state;
	static const struct {
		const char *args, *says;
	} bad[] = {
		{ "--vary rss.queues=1..64*1 --out /tmp/x t.pcap", "FACTOR >= 2" },
		{ "--vary rss.queues=8..1 --out /tmp/x t.pcap", "A <= B" },
		{ "--vary rss.qeues=1,2 --out /tmp/x t.pcap", "rss.qeues: unknown key" },
		{ "--vary rss.queues=1,,2 --out /tmp/x t.pcap", "an empty value" },
		{ "--vary rss.table_size=100 --out /tmp/x t.pcap", "rss.table_size" },
		{ "--vary rss.queues=1 --vary rss.queues=2 --out /tmp/x t.pcap", "varied twice" },
		{ "--vary rss.queues=1,2 t.pcap", "--out DIR is needed" },
		{ "--vary rss.queues=1,2 --out /tmp/x", "no trace given" },
		{ "-j 0 --out /tmp/x t.pcap", "-j needs" },
		{ "--collect /nonexistent-dir", "not a sweep directory" },
		{ "--slurm --vary rss.queues=1,2 --out '/tmp/a b' t.pcap", "no blank, quote" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *o;
		int rc = sweep(bad[i].args, &o);
		if (rc == 0 || !strstr(o, bad[i].says))
			fail_msg("sweep %s: exit %d, said '%s' (want '%s')", bad[i].args, rc, o, bad[i].says);
		free(o);
	}
}


/* A report cut short (a full disk, an edit) is not a result: the point runs
 * again. A manifest that is not one nicsim wrote is refused, not read. */
static void test_sweep_a_broken_report_or_manifest_is_not_taken_for_a_result(void **state)
{
	(void)state;
	const char *d = fresh_dir();
	char args[4096], path[256], *o;
	snprintf(args, sizeof args, "--vary rss.queues=1,2,4 --out %s '%s'", d, trace("pcpp-sll.pcap"));
	assert_int_equal(sweep(args, &o), 0);
	free(o);
	snprintf(path, sizeof path, "%s/points/0001.json", d);
	tu_write_file(path, "{\"queues\": [", 12);
	assert_int_equal(sweep(args, &o), 0);
	if (!strstr(o, "3 points, 2 done before, 1 to run"))
		fail_msg("after a cut report the sweep said '%s'", o);
	free(o);
	snprintf(path, sizeof path, "%s/sweep.json", d);
	static const char bad_manifest[] = "{\"varied\": [1], \"points\": [{\"point\": 0}]}";
	tu_write_file(path, bad_manifest, strlen(bad_manifest));
	snprintf(args, sizeof args, "--collect %s", d);
	int rc = sweep(args, &o);
	if (rc != 3 || !strstr(o, "not a manifest nicsim sweep wrote"))
		fail_msg("--collect on an edited manifest: exit %d, '%s'", rc, o);
	free(o);
	rm_rf(d);
}

/* Runs whose sweep is killed outright (SIGKILL, no chance to clean up) stop
 * with it; and while a sweep runs in a directory, a second one there is
 * refused. */
static void test_sweep_killed_outright_leaves_no_run_behind_and_holds_its_directory(void **state)
{
	(void)state;
	const char *d = fresh_dir();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(tu_nicsim_bin(), tu_nicsim_bin(), "sweep", "--quiet", "-j", "2", "--set", "replay.loops=40", "--vary",
		      "rss.queues=1,2,3,4", "--out", d, trace("many-flows-ipv4.pcap.gz"), (char *)NULL);
		_exit(127);
	}
	/* Wait until its runs have started (their logs exist). */
	char path[256];
	snprintf(path, sizeof path, "%s/points/0000.log", d);
	for (int i = 0; i < 3000 && access(path, F_OK); i++)
		usleep(10000);
	char args[4096], *o;
	snprintf(args, sizeof args, "--vary rss.queues=1,2,3,4 --out %s '%s'", d, trace("many-flows-ipv4.pcap.gz"));
	int rc = sweep(args, &o);
	if (rc == 0 || !strstr(o, "another nicsim sweep is using this directory"))
		fail_msg("a second sweep in a busy directory: exit %d, '%s'", rc, o);
	free(o);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* No `nicsim run` of this sweep is left (their configs name d). */
	char cmd[512];
	/* point[s]: the pattern does not match this shell's own command line. */
	snprintf(cmd, sizeof cmd, "for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -f '%s/point[s]' >/dev/null || exit 0; sleep 0.2; done; exit 1", d);
	assert_int_equal(tu_run(cmd, &o), 0);
	free(o);
	rm_rf(d);
}

/* The sweep through a one-node Slurm cluster on localhost: sbatch runs the
 * array, --collect builds the table, and it equals the local sweep's, byte
 * for byte. */
static void test_sweep_on_slurm_gives_the_local_table(void **state)
{
	(void)state;
	const char *local = fresh_dir(), *slurm = fresh_dir();
	char vary[1024], cmd[8192], *o;
	snprintf(vary, sizeof vary, "--vary rss.queues=1,4 --vary irq.mode=fixed,adaptive '%s' '%s'",
		 trace("bulk-ipv6.pcap"), trace("pcpp-sll.pcap"));
	snprintf(cmd, sizeof cmd, "--quiet --out %s %s", local, vary);
	assert_int_equal(sweep(cmd, &o), 0);
	free(o);
	snprintf(cmd, sizeof cmd, "sh '%s/tests/slurm/localhost.sh' '%s' %s -- %s 2>&1", tu_src_dir(), tu_nicsim_bin(),
		 slurm, vary);
	int rc = tu_run(cmd, &o);
	if (rc == 77) {
		printf("skipped: %s", o);
		free(o);
		rm_rf(local);
		rm_rf(slurm);
		skip();
	}
	if (rc)
		fail_msg("the Slurm sweep failed (exit %d):\n%s", rc, o);
	free(o);
	assert_same_csv(local, slurm);
	/* And the JSON table, row for row (its generator line names no path). */
	json_t *ja = table(local), *jb = table(slurm);
	char *sa = json_dumps(json_object_get(ja, "rows"), JSON_SORT_KEYS), *sb = json_dumps(json_object_get(jb, "rows"), JSON_SORT_KEYS);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	json_decref(ja);
	json_decref(jb);
	rm_rf(local);
	rm_rf(slurm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_runs_the_product_and_each_row_is_that_points_run),
		cmocka_unit_test(test_sweep_interrupted_then_rerun_completes_only_the_missing_points),
		cmocka_unit_test(test_sweep_reruns_only_points_whose_inputs_changed),
		cmocka_unit_test(test_sweep_refuses_what_it_cannot_run_and_says_why),
		cmocka_unit_test(test_sweep_a_broken_report_or_manifest_is_not_taken_for_a_result),
		cmocka_unit_test(test_sweep_killed_outright_leaves_no_run_behind_and_holds_its_directory),
		cmocka_unit_test(test_sweep_on_slurm_gives_the_local_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
