/*
 * The timeline (nicsim run --timeline, sim/nicsim/timeline.h): it loads as
 * trace-event JSON; each frame's stage slices carry the frame's stamps
 * (a lone frame's worked by hand, every frame's summed against the latency
 * histograms, which the driver fills on its own path); ISR and DPC runs sit
 * on the CPU the queue is mapped to; the window cuts where it says; table
 * moves appear; the report does not change; a run that stops early or fails
 * still leaves valid JSON.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/rebalance.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/timeline.h"

#define PS_PER_US 1000000ull
/* The file's fixed numbers (sim/nicsim/timeline.c, docs/timeline.md): the
 * CPUs are pid 1, queue q is pid 3 + q, and a thread of pid P is tid
 * P * 1000000 + its lane or core. */
#define PID_CPUS 1
#define PID_QUEUE0 3
#define TID_BASE 1000000
#define BURST_US 100u     /* the burst's capture time */
#define BURST_FRAMES 16u

/* A lone 64-byte frame at 0 us, then a burst of BURST_FRAMES 64-byte frames
 * of as many flows, all stamped BURST_US (the replay paces them at the line
 * rate), all to 10.0.0.1:80. */
static const char *crafted_capture(void)
{
	static char path[4096];
	if (path[0])
		return path;
	snprintf(path, sizeof path, "%s", tu_tmpfile(".pcap"));
	uint8_t buf[24 + (1 + BURST_FRAMES) * (16 + 64)];
	size_t len = tu_pcap_header(buf);
	static const uint8_t dst[4] = { 10, 0, 0, 1 }, lone[4] = { 10, 9, 9, 9 };
	len += tu_pcap_tcp4(buf + len, 0, 64, lone, 4000, dst, 80, 0x10);
	for (uint32_t i = 0; i < BURST_FRAMES; i++) {
		const uint8_t src[4] = { 10, 1, 2, (uint8_t)(i + 1) };
		len += tu_pcap_tcp4(buf + len, BURST_US, 64, src, (uint16_t)(2000 + 7 * i), dst, 80, 0x10);
	}
	tu_write_file(path, buf, len);
	return path;
}

/* Run the crafted capture with sets (NULL-terminated) and a timeline of
 * [from_us, from_us + len_us) into *tl_path. */
static struct run *run_with_timeline(const char *const *sets, uint64_t from_us, uint64_t len_us, const char **tl_path)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "host.ip=10.0.0.1", NULL, 0), 0);
	for (; sets && *sets; sets++)
		assert_int_equal(config_set(&cfg, *sets, NULL, 0), 0);
	*tl_path = tu_tmpfile(".json");
	struct run_opts o = { 0 };
	char err[4200];
	assert_int_equal(timeline_open(&o.timeline, *tl_path, from_us * PS_PER_US, len_us * PS_PER_US, err, sizeof err),
			 0);
	struct run *r;
	int rc = run_trace(&cfg, crafted_capture(), &o, &r, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(timeline_close(o.timeline, err, sizeof err), 0);
	return r;
}

/* A timeline file: valid JSON, the trace-event object form. */
static json_t *load_timeline(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s: line %d: %s", path, e.line, e.text);
	assert_true(json_is_object(j));
	assert_string_equal(json_string_value(json_object_get(j, "displayTimeUnit")), "ns");
	assert_true(json_is_array(json_object_get(j, "traceEvents")));
	return j;
}

/* A run of the crafted capture with a timeline, and the file loaded. */
struct tl_run {
	struct run *r;
	const char *path;
	json_t *j, *evs;            /* the file, and its "traceEvents" */
};

static struct tl_run tl_run(const char *const *sets, uint64_t from_us, uint64_t len_us)
{
	struct tl_run t;
	t.r = run_with_timeline(sets, from_us, len_us, &t.path);
	t.j = load_timeline(t.path);
	t.evs = json_object_get(t.j, "traceEvents");
	return t;
}

static void tl_run_free(struct tl_run *t)
{
	json_decref(t->j);
	run_free(t->r);
	unlink(t->path);
}

/* A time in the file (decimal microseconds) in ps. */
static uint64_t ev_ps(const json_t *ev, const char *key)
{
	const json_t *v = json_object_get(ev, key);
	assert_true(json_is_number(v));
	return (uint64_t)llround(json_number_value(v) * (double)PS_PER_US);
}

static const char *ev_str(const json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));
	return s ? s : "";
}

static json_int_t ev_int(const json_t *ev, const char *key) { return json_integer_value(json_object_get(ev, key)); }
static json_int_t ev_arg(const json_t *ev, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(ev, "args"), key));
}

static bool is_frame_slice(const json_t *ev) { return !strcmp(ev_str(ev, "cat"), "frame"); }

static int stage_of(const char *name)
{
	for (int s = 0; s < LAT_E2E; s++)
		if (!strcmp(name, driver_lat_stage_name((enum lat_stage)s)))
			return s;
	fail_msg("a frame slice named %s, not a stage", name);
	return -1;
}

/* The queue of a frame slice. */
static uint32_t queue_of(const json_t *ev) { return (uint32_t)(ev_int(ev, "pid") - PID_QUEUE0); }

static void test_timeline_stage_slices_carry_each_frames_stamps(void **state)
{
	(void)state;
	struct tl_run t = tl_run(NULL, 0, 0);
	uint32_t nq = driver_queues(t.r->drv);
	uint64_t *sum = calloc((size_t)nq * LAT_E2E, sizeof *sum), *count = calloc(nq, sizeof *count);
	assert_non_null(sum);
	assert_non_null(count);
	size_t i;
	json_t *ev;
	json_array_foreach(t.evs, i, ev) {
		if (!is_frame_slice(ev))
			continue;
		assert_string_equal(ev_str(ev, "ph"), "X");
		uint32_t q = queue_of(ev);
		assert_true(q < nq);
		int s = stage_of(ev_str(ev, "name"));
		sum[q * LAT_E2E + s] += ev_ps(ev, "dur");
		if (s == LAT_WIRE)
			count[q]++;
	}
	/* Summed per queue and stage, the slices are the histograms' sums, and
	 * every delivered frame is there once. */
	uint64_t frames = 0;
	for (uint32_t q = 0; q < nq; q++) {
		assert_int_equal(count[q], driver_queue_stats(t.r->drv, q)->packets);
		frames += count[q];
		for (int s = 0; s < LAT_E2E; s++)
			assert_int_equal(sum[q * LAT_E2E + s], hist_sum(driver_queue_lat(t.r->drv, q, (enum lat_stage)s)));
	}
	assert_int_equal(frames, 1 + BURST_FRAMES);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t.j, "otherData"), "frames")), frames);

	/* Frame by frame: nine slices on one thread, end to end. */
	for (uint64_t f = 1; f <= frames; f++) {
		uint64_t end = 0;
		json_int_t tid = -1;
		int n = 0;
		json_array_foreach(t.evs, i, ev) {
			if (!is_frame_slice(ev) || ev_arg(ev, "frame") != (json_int_t)f)
				continue;
			assert_int_equal(stage_of(ev_str(ev, "name")), n);
			if (n) {
				assert_int_equal(ev_ps(ev, "ts"), end);
				assert_int_equal(ev_int(ev, "tid"), tid);
			}
			tid = ev_int(ev, "tid");
			end = ev_ps(ev, "ts") + ev_ps(ev, "dur");
			n++;
		}
		assert_int_equal(n, LAT_E2E);
	}

	/* The lone frame, by hand: first bit at 0; (64 + 4 FCS) x 8 bits at
	 * 10 Gb/s = 54.4 ns on the wire; the parser's 8 cycles at 250 MHz =
	 * 32 ns after its last bit. Written exactly, in microseconds. */
	char *text = tu_read_file(t.path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "{\"name\":\"wire\",\"cat\":\"frame\",\"ph\":\"X\",\"pid\":"));
	assert_non_null(strstr(text, "\"ts\":0.000000,\"dur\":0.054400,\"args\":{\"frame\":1,"));
	assert_non_null(strstr(text, "\"ts\":0.054400,\"dur\":0.032000,\"args\":{\"frame\":1,"));
	free(text);

	free(sum);
	free(count);
	tl_run_free(&t);
}

static void test_timeline_lanes_of_a_queue_never_overlap(void **state)
{
	(void)state;
	struct tl_run t = tl_run((const char *[]){ "rss.queues=1", NULL }, 0, 0);
	/* Slices in file order are each frame's in stage order, frames in
	 * delivery order; on each thread a frame starts after the one before
	 * it on that thread ended. */
	struct { json_int_t tid; uint64_t end; } lanes[64];
	uint32_t n_lanes = 0;
	size_t i;
	json_t *ev;
	json_array_foreach(t.evs, i, ev) {
		if (!is_frame_slice(ev) || strcmp(ev_str(ev, "name"), "wire"))
			continue;
		uint64_t start = ev_ps(ev, "ts");
		uint32_t l = 0;
		while (l < n_lanes && lanes[l].tid != ev_int(ev, "tid"))
			l++;
		if (l == n_lanes) {
			assert_true(n_lanes < 64);
			lanes[n_lanes++].tid = ev_int(ev, "tid");
		} else {
			assert_true(start >= lanes[l].end);
		}
		/* its end: the end of its last slice, nine slices on */
		json_t *dpc = json_array_get(t.evs, i + LAT_E2E - 1);
		assert_string_equal(ev_str(dpc, "name"), "dpc");
		lanes[l].end = ev_ps(dpc, "ts") + ev_ps(dpc, "dur");
	}
	/* The burst's frames were in flight together: more than one lane. */
	assert_true(n_lanes > 1);
	tl_run_free(&t);
}

static void test_timeline_isr_dpc_and_application_runs_are_on_their_cores(void **state)
{
	(void)state;
	struct tl_run t = tl_run(NULL, 0, 0);
	uint32_t ncpu = driver_cpus(t.r->drv), nq = driver_queues(t.r->drv);
	uint64_t isrs[64] = { 0 }, msix_q[64] = { 0 }, isr_q[64] = { 0 };
	assert_true(ncpu <= 64 && nq <= 64 && nq >= ncpu);
	size_t i;
	json_t *ev;
	json_array_foreach(t.evs, i, ev) {
		const char *cat = ev_str(ev, "cat");
		if (strcmp(cat, "cpu") && strcmp(cat, "irq"))
			continue;
		assert_int_equal(ev_int(ev, "pid"), PID_CPUS);
		uint32_t cpu = (uint32_t)(ev_int(ev, "tid") - PID_CPUS * TID_BASE);
		uint32_t q = (uint32_t)ev_arg(ev, "queue");
		assert_true(cpu < ncpu && q < nq);
		const char *name = ev_str(ev, "name");
		/* The application's receive runs on its own core: with a queue on
		 * every core (the defaults, 8 and 8), host.app_cpu=other puts it on
		 * the core after its queue's. */
		assert_int_equal(cpu, !strncmp(name, "APP", 3) ? (driver_queue_cpu(t.r->drv, q) + 1) % ncpu
								: driver_queue_cpu(t.r->drv, q));
		if (!strcmp(cat, "irq")) {
			assert_string_equal(ev_str(ev, "ph"), "i");
			msix_q[q]++;
		} else if (!strncmp(name, "ISR", 3)) {
			isrs[cpu]++;
			isr_q[q]++;
		}
	}
	for (uint32_t c = 0; c < ncpu; c++)
		assert_int_equal(isrs[c], cpu_stats(t.r->cpu, c)->items[CPU_WORK_ISR]);
	for (uint32_t q = 0; q < nq; q++)
		assert_int_equal(msix_q[q], isr_q[q]);
	/* Each frame's dpc stage lies inside a DPC run of its queue on that CPU. */
	json_array_foreach(t.evs, i, ev) {
		if (!is_frame_slice(ev) || strcmp(ev_str(ev, "name"), "dpc"))
			continue;
		uint32_t q = queue_of(ev);
		uint64_t a = ev_ps(ev, "ts"), b = a + ev_ps(ev, "dur");
		char want[32];
		snprintf(want, sizeof want, "DPC q%u", q);
		bool is_inside = false;
		size_t k;
		json_t *run;
		json_array_foreach(t.evs, k, run) {
			if (strcmp(ev_str(run, "name"), want) ||
			    ev_int(run, "tid") != PID_CPUS * TID_BASE + (json_int_t)driver_queue_cpu(t.r->drv, q))
				continue;
			uint64_t ra = ev_ps(run, "ts"), rb = ra + ev_ps(run, "dur");
			is_inside |= ra <= a && b <= rb;
		}
		assert_true(is_inside);
	}
	tl_run_free(&t);
}

/* How many events of a category, and whether all of them (instants and
 * slice starts) lie in [from, from + len). */
static size_t count_cat(json_t *evs, const char *cat, uint64_t from_ps, uint64_t len_ps, bool *is_inside)
{
	size_t n = 0, i;
	json_t *ev;
	*is_inside = true;
	json_array_foreach(evs, i, ev) {
		if (strcmp(ev_str(ev, "cat"), cat))
			continue;
		n++;
		uint64_t ts = ev_ps(ev, "ts");
		*is_inside &= ts >= from_ps && ts - from_ps < len_ps;
	}
	return n;
}

static void test_timeline_window_keeps_what_starts_in_it(void **state)
{
	(void)state;
	/* [50, 150) us: the burst (first bits from 100 us), not the lone frame. */
	struct tl_run t = tl_run(NULL, 50, 100);
	bool is_inside;
	size_t i;
	json_t *ev;
	uint64_t wires = 0;
	json_array_foreach(t.evs, i, ev)
		if (is_frame_slice(ev) && !strcmp(ev_str(ev, "name"), "wire")) {
			wires++;
			assert_true(ev_arg(ev, "frame") > 1);
			assert_true(ev_ps(ev, "ts") >= BURST_US * PS_PER_US);
		}
	assert_int_equal(wires, BURST_FRAMES);
	assert_true(count_cat(t.evs, "cpu", 50 * PS_PER_US, 100 * PS_PER_US, &is_inside) > 0);
	assert_true(is_inside);
	assert_true(count_cat(t.evs, "irq", 50 * PS_PER_US, 100 * PS_PER_US, &is_inside) > 0);
	assert_true(is_inside);
	tl_run_free(&t);

	/* [0, 50) us: the lone frame only, and its ISR and DPC. */
	t = tl_run(NULL, 0, 50);
	assert_int_equal(count_cat(t.evs, "frame", 0, 50 * PS_PER_US, &is_inside), LAT_E2E);
	assert_true(is_inside);
	assert_true(count_cat(t.evs, "cpu", 0, 50 * PS_PER_US, &is_inside) >= 2);
	assert_true(is_inside);
	tl_run_free(&t);
}

static void test_timeline_shows_table_moves(void **state)
{
	(void)state;
	/* Every entry to queue 0 at 50 us: the 128-entry table held queue
	 * e mod 8, so 112 entries move; the burst then all lands on queue 0. */
	struct tl_run t = tl_run((const char *[]){ "rebalance.schedule=50:0-127=0", NULL }, 0, 0);
	bool is_inside;
	assert_int_equal(count_cat(t.evs, "rss", 50 * PS_PER_US, 1, &is_inside), 112);
	assert_true(is_inside);
	assert_int_equal(rebalance_stats(t.r->rebal)->entries_moved, 112);
	size_t i;
	json_t *ev;
	json_array_foreach(t.evs, i, ev) {
		if (!strcmp(ev_str(ev, "cat"), "rss")) {
			assert_string_equal(ev_str(ev, "ph"), "i");
			assert_int_equal(ev_arg(ev, "to"), 0);
			assert_int_not_equal(ev_arg(ev, "from"), 0);
		}
		if (is_frame_slice(ev) && ev_arg(ev, "frame") > 1)
			assert_int_equal(queue_of(ev), 0);
	}
	tl_run_free(&t);
}

static void test_timeline_is_valid_json_when_the_run_stops_early_or_fails(void **state)
{
	(void)state;
	/* Stopped 1 us into the burst: frames in flight are not written. */
	struct tl_run t = tl_run((const char *[]){ "run.stop_us=101", NULL }, 0, 0);
	assert_true(run_frames_in_flight(t.r) > 0);
	bool is_inside;
	assert_int_equal(count_cat(t.evs, "frame", 0, UINT64_MAX, &is_inside), LAT_E2E * run_frames_delivered(t.r));
	tl_run_free(&t);

	/* A run that cannot start: the file is still a (empty) timeline. */
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	struct run_opts o = { 0 };
	char err[4200];
	const char *path = tu_tmpfile(".json");
	struct run *r;
	assert_int_equal(timeline_open(&o.timeline, path, 0, 0, err, sizeof err), 0);
	assert_int_not_equal(run_trace(&cfg, "/nonexistent.pcap", &o, &r, err, sizeof err), 0);
	assert_int_equal(timeline_close(o.timeline, err, sizeof err), 0);
	json_t *j = load_timeline(path);
	assert_int_equal(json_array_size(json_object_get(j, "traceEvents")), 0);
	json_decref(j);
}

static void test_timeline_cli_changes_no_report_and_refuses_bad_windows(void **state)
{
	(void)state;
	const char *trace = crafted_capture(), *a = tu_tmpfile(".json"), *b = tu_tmpfile(".json"),
		   *tl = tu_tmpfile(".json");
	char cmd[16384], *out = NULL;
	snprintf(cmd, sizeof cmd, "%s run --quiet --set host.ip=10.0.0.1 --json %s %s", tu_nicsim_bin(), a, trace);
	assert_int_equal(tu_run(cmd, &out), 0);
	free(out);
	snprintf(cmd, sizeof cmd, "%s run --quiet --set host.ip=10.0.0.1 --json %s --timeline %s --timeline-from-us 0 "
		 "--timeline-us 0 %s", tu_nicsim_bin(), b, tl, trace);
	assert_int_equal(tu_run(cmd, &out), 0);
	free(out);
	snprintf(cmd, sizeof cmd, "%s check %s %s", tu_nicsim_bin(), b, a);
	assert_int_equal(tu_run(cmd, &out), 0);
	free(out);
	json_t *j = load_timeline(tl);
	bool is_inside;
	assert_int_equal(count_cat(json_object_get(j, "traceEvents"), "frame", 0, UINT64_MAX, &is_inside),
			 LAT_E2E * (1 + BURST_FRAMES));
	json_decref(j);
	/* The default window, 1000 us, holds the whole capture too. */
	snprintf(cmd, sizeof cmd, "%s run --quiet --set host.ip=10.0.0.1 --timeline %s %s", tu_nicsim_bin(), tl, trace);
	assert_int_equal(tu_run(cmd, &out), 0);
	free(out);
	j = load_timeline(tl);
	assert_int_equal(json_real_value(json_object_get(json_object_get(j, "otherData"), "window_us")), 1000.0);
	json_decref(j);

	static const char *const bad[] = { "--timeline-us x", "--timeline-us -1", "--timeline-from-us",
					   "--timeline-us 99999999999999999999", "--timeline" };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		snprintf(cmd, sizeof cmd, "%s run --quiet %s %s 2>&1", tu_nicsim_bin(), trace, bad[k]);
		assert_int_equal(tu_run(cmd, &out), 2);
		free(out);
	}
	snprintf(cmd, sizeof cmd, "%s run --quiet --timeline /nonexistent/dir/t.json %s 2>&1", tu_nicsim_bin(), trace);
	assert_int_equal(tu_run(cmd, &out), 2);
	assert_non_null(strstr(out, "/nonexistent/dir/t.json"));
	free(out);
	unlink(a);
	unlink(b);
	unlink(tl);
}

static int remove_capture(void **state)
{
	(void)state;
	unlink(crafted_capture());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeline_stage_slices_carry_each_frames_stamps),
		cmocka_unit_test(test_timeline_lanes_of_a_queue_never_overlap),
		cmocka_unit_test(test_timeline_isr_dpc_and_application_runs_are_on_their_cores),
		cmocka_unit_test(test_timeline_window_keeps_what_starts_in_it),
		cmocka_unit_test(test_timeline_shows_table_moves),
		cmocka_unit_test(test_timeline_is_valid_json_when_the_run_stops_early_or_fails),
		cmocka_unit_test(test_timeline_cli_changes_no_report_and_refuses_bad_windows),
	};
	return cmocka_run_group_tests(tests, NULL, remove_capture);
}
