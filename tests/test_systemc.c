/*
 * nicsim-systemc against nicsim run: the same model, stepped by SystemC
 * through TLM-2.0 sockets (sim/systemc/), must give the native run's report
 * at quantum 0 on every shipped capture (traces/, traces/ref/), but for the
 * fields that name what ran (run.kernel) and the process's memory. The
 * reference is the native kernel's run, a separate program. With a quantum,
 * the host takes interrupts only at quantum boundaries (its timeline shows
 * each on one), and the frames and bytes stay the native run's.
 *
 * Skipped, saying why, when the build has no SystemC (-DNICSIM_SYSTEMC=OFF or
 * libsystemc-dev missing).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef NICSIM_SYSTEMC_BIN

/* Run prog (its options first) on trace; the report in *j (NULL when it
 * failed), the exit status returned, its stderr in *err. */
static int run_json(const char *prog, const char *opts, const char *trace, json_t **j, char **err)
{
	const char *out = tu_tmpfile(".json");
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' %s --quiet --json '%s' '%s' 2>&1 </dev/null", prog, opts, out, trace);
	int rc = tu_run(cmd, err);
	*j = NULL;
	if (!rc)
		*j = tu_load_json(out);
	unlink(out);
	return rc;
}

/* What both reports leave out: what ran, and how much memory it took. */
static void drop_run_identity(json_t *j, const char *kernel_name, uint64_t quantum_ps)
{
	json_t *run = json_object_get(j, "run");
	assert_non_null(run);
	json_t *k = json_object_get(run, "kernel");
	assert_non_null(k);
	assert_string_equal(json_string_value(json_object_get(k, "name")), kernel_name);
	if (strcmp(kernel_name, "native"))
		assert_int_equal(json_integer_value(json_object_get(k, "quantum_ps")), quantum_ps);
	json_object_del(run, "kernel");
	json_object_del(run, "peak_rss_bytes");
}

/* "PROG: message" -> "message", to compare the two programs' errors. */
static const char *after_prog(const char *s)
{
	const char *c = strstr(s, ": ");
	return c ? c + 2 : s;
}

static void same_at_quantum_0(const char *trace, void *ctx)
{
	size_t *n = ctx;
	json_t *jn, *js;
	char *en, *es;
	int rn = run_json(tu_nicsim_bin(), "run", trace, &jn, &en);
	int rs = run_json(NICSIM_SYSTEMC_BIN, "--quantum 0", trace, &js, &es);
	if (rn != rs)
		fail_msg("%s: nicsim run exits %d (%s), nicsim-systemc %d (%s)", trace, rn, en, rs, es);
	if (rn) {   /* a capture nicsim refuses: refused alike, for the same reason */
		if (strcmp(after_prog(en), after_prog(es)))
			fail_msg("%s: nicsim run says\n%s\nnicsim-systemc says\n%s", trace, en, es);
	} else {
		drop_run_identity(jn, "native", 0);
		drop_run_identity(js, "systemc", 0);
		if (!json_equal(jn, js)) {
			char *a = json_dumps(jn, JSON_INDENT(1) | JSON_SORT_KEYS), *b = json_dumps(js, JSON_INDENT(1) | JSON_SORT_KEYS);
			const char *pa = tu_tmpfile(".json"), *pb = tu_tmpfile(".json");
			tu_write_file(pa, a, strlen(a));
			tu_write_file(pb, b, strlen(b));
			fail_msg("%s: the SystemC run's report differs from the native one (%s vs %s)", trace, pb, pa);
		}
		(*n)++;
	}
	json_decref(jn);
	json_decref(js);
	free(en);
	free(es);
}

static void test_systemc_quantum_0_reports_what_the_native_kernel_reports_on_every_shipped_capture(void **state)
{
	(void)state;
	size_t n_same = 0;
	size_t n = tu_walk_files(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, same_at_quantum_0, &n_same);
	/* The five shipped captures and the reference ones (traces/ref). */
	assert_true(n >= 5);
	assert_true(n_same >= 5);
	print_message("%zu captures, %zu reports identical (the rest refused alike)\n", n, n_same);
}

static json_int_t get_int(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_systemc_a_quantum_moves_interrupts_to_its_boundaries_and_changes_no_count(void **state)
{
	(void)state;
	const char *trace = tu_path(tu_src_dir(), "traces/bulk-ipv6.pcap");
	json_t *jn, *js;
	char *en, *es;
	assert_int_equal(run_json(tu_nicsim_bin(), "run", trace, &jn, &en), 0);
	assert_int_equal(run_json(NICSIM_SYSTEMC_BIN, "--quantum 10us", trace, &js, &es), 0);
	drop_run_identity(js, "systemc", 10000000);
	/* Every frame still arrives and leaves: the same per-queue packets and
	 * bytes, no drops, nothing left in flight. */
	json_t *qn = json_object_get(jn, "queues"), *qs = json_object_get(js, "queues");
	assert_int_equal(json_array_size(qn), json_array_size(qs));
	for (size_t i = 0; i < json_array_size(qn); i++) {
		assert_int_equal(get_int(json_array_get(qn, i), "packets", NULL, NULL),
				 get_int(json_array_get(qs, i), "packets", NULL, NULL));
		assert_int_equal(get_int(json_array_get(qn, i), "bytes", NULL, NULL),
				 get_int(json_array_get(qs, i), "bytes", NULL, NULL));
	}
	assert_int_equal(get_int(js, "run", "frames_in_flight_at_end", NULL), 0);
	assert_true(json_equal(json_object_get(jn, "drops"), json_object_get(js, "drops")));
	/* What moves is when the host takes each interrupt: at a 10 us
	 * boundary. The timeline (trace-event JSON, ts in us) shows every
	 * MSI-X the host took; natively they fall where the NIC sent them. */
	const char *tl = tu_tmpfile(".json");
	char cmd[8192], *o;
	for (int is_sc = 0; is_sc < 2; is_sc++) {
		if (is_sc)
			snprintf(cmd, sizeof cmd, "'%s' --quantum 10us --quiet --timeline '%s' --timeline-us 0 '%s' 2>&1",
				 NICSIM_SYSTEMC_BIN, tl, trace);
		else
			snprintf(cmd, sizeof cmd, "'%s' run --quiet --timeline '%s' --timeline-us 0 '%s' 2>&1",
				 tu_nicsim_bin(), tl, trace);
		assert_int_equal(tu_run(cmd, &o), 0);
		free(o);
		json_t *t = tu_load_json(tl), *evs = json_object_get(t, "traceEvents");
		size_t n_msix = 0, n_on_boundary = 0;
		for (size_t i = 0; i < json_array_size(evs); i++) {
			json_t *e = json_array_get(evs, i);
			const char *name = json_string_value(json_object_get(e, "name"));
			if (!name || strncmp(name, "MSI-X", 5))
				continue;
			long long ns = (long long)(json_number_value(json_object_get(e, "ts")) * 1000.0 + 0.5);
			n_msix++;
			n_on_boundary += ns % 10000 == 0;
		}
		json_decref(t);
		print_message("%s: %zu interrupts, %zu on a 10 us boundary\n", is_sc ? "quantum 10 us" : "native", n_msix,
			      n_on_boundary);
		assert_true(n_msix > 100);
		if (is_sc)
			assert_int_equal(n_on_boundary, n_msix);
		else
			assert_true(n_on_boundary < n_msix / 10);
	}
	unlink(tl);
	json_decref(jn);
	json_decref(js);
	free(en);
	free(es);
}

static void test_systemc_refuses_a_bad_quantum_naming_the_option(void **state)
{
	(void)state;
	const char *bad[] = { "5", "1.5us", "-1us", "1 furlong", "99999999999999999999ps" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char cmd[8192], *o;
		snprintf(cmd, sizeof cmd, "'%s' --quantum '%s' '%s/traces/bulk-ipv6.pcap' 2>&1", NICSIM_SYSTEMC_BIN, bad[i],
			 tu_src_dir());
		assert_int_equal(tu_run(cmd, &o), 2);
		assert_non_null(strstr(o, "--quantum"));
		free(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemc_quantum_0_reports_what_the_native_kernel_reports_on_every_shipped_capture),
		cmocka_unit_test(test_systemc_a_quantum_moves_interrupts_to_its_boundaries_and_changes_no_count),
		cmocka_unit_test(test_systemc_refuses_a_bad_quantum_naming_the_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_systemc_skipped(void **state)
{
	(void)state;
	print_message("SKIPPED: this build has no SystemC (libsystemc-dev not found by pkg-config, or "
		      "-DNICSIM_SYSTEMC=OFF): nicsim-systemc is not built and not checked\n");
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_systemc_skipped) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
