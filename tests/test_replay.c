/*
 * The replay against captures no capture, setting or pipe should break:
 * timestamps that jump by years or sit at 0xFFFFFFFF seconds, loops, gaps
 * and scaling that would carry time past what 64 bits hold, idle gaps with
 * the rebalancing policy on, original lengths no frame can have, standard
 * input and named pipes, progress on a terminal, and memory that does not
 * grow with the number of sources. Every capture is built here; expected
 * values are worked out by hand in the comments.
 */
/* posix_openpt, grantpt, unlockpt, ptsname (XSI) */
#define _XOPEN_SOURCE 700

#include "testutil.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/nicsim/run.h"

#define PS_PER_S 1000000000000ull
#define DAY_S 86400u
#define T0_S 1700000000u   /* 2023-11-14, a plausible capture date */

/* ---- building captures ---- */

struct cap {
	uint8_t *b;
	size_t n, cap;
};

static void cap_put(struct cap *c, const void *p, size_t n)
{
	if (c->n + n > c->cap) {
		c->cap = (c->n + n) * 2 + 4096;
		c->b = realloc(c->b, c->cap);
		assert_non_null(c->b);
	}
	memcpy(c->b + c->n, p, n);
	c->n += n;
}

static void put32(struct cap *c, uint32_t v) { cap_put(c, &v, 4); }   /* little endian host */

/* Classic pcap, microseconds, snaplen 65535, Ethernet (testutil's header). */
static void cap_header(struct cap *c)
{
	uint8_t h[24];
	cap_put(c, h, tu_pcap_header(h));
}

/* A 54-byte Ethernet/IPv4/TCP SYN from 10.(src>>16).(src>>8).src:1024 to
 * 192.168.0.(dst_last):80 (MAC 02:00:00:00:00:dst_last), recorded with
 * caplen 54 and original length wire_len. Checksums zero (counted as bad by
 * the NIC, costing the same). */
static void cap_syn(struct cap *c, uint32_t sec, uint32_t usec, uint32_t src, uint8_t dst_last, uint32_t wire_len)
{
	uint8_t f[54] = { 2, 0, 0, 0, 0, dst_last, 2, 0, 0, 0, 0, 0xfe, 0x08, 0x00 };
	uint8_t *ip = f + 14, *tcp = f + 34;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10;
	ip[13] = (uint8_t)(src >> 16);
	ip[14] = (uint8_t)(src >> 8);
	ip[15] = (uint8_t)src;
	ip[16] = 192;
	ip[17] = 168;
	ip[18] = 0;
	ip[19] = dst_last;
	tcp[0] = 1024 >> 8;
	tcp[3] = 80;
	tcp[12] = 0x50;
	tcp[13] = 0x02;
	put32(c, sec);
	put32(c, usec);
	put32(c, sizeof f);
	put32(c, wire_len);
	cap_put(c, f, sizeof f);
}

static const char *cap_write(struct cap *c)
{
	const char *path = tu_tmpfile(".pcap");
	tu_write_file(path, c->b, c->n);
	free(c->b);
	memset(c, 0, sizeof *c);
	return path;
}

/* Two SYNs to 192.168.0.1, dt_s seconds apart (plus dt_us). */
static const char *two_frames(uint32_t dt_s, uint32_t dt_us)
{
	struct cap c = { 0 };
	cap_header(&c);
	cap_syn(&c, T0_S, 0, 1, 1, 54);
	cap_syn(&c, T0_S + dt_s, dt_us, 2, 1, 54);
	return cap_write(&c);
}

/* ---- running ---- */

static int run_with(const char *path, const char *const *settings, struct run **out, char *err, size_t err_len)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	for (; settings && *settings; settings++)
		if (config_set(&cfg, *settings, err, err_len))
			fail_msg("%s: %s", *settings, err);
	struct run_opts o = { 0 };
	return run_trace(&cfg, path, &o, out, err, err_len);
}

static struct run *must_run(const char *path, const char *const *settings)
{
	struct run *r;
	char err[1024];
	if (run_with(path, settings, &r, err, sizeof err))
		fail_msg("%s: %s", path, err);
	return r;
}

static void assert_contains(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("expected '%s' in:\n%s", want, s);
}

static char *nicsim(const char *args, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' %s", tu_nicsim_bin(), args);
	char *out;
	*status = tu_run(cmd, &out);
	return out;
}

/* ---- time ---- */

/* A second frame 30 years (946,080,000 s, 365-day years) after the first:
 * 9.46e20 ps, beyond 2^63 ps (9.22e18, 106.75 days), so the reader clamps
 * it and the replay must refuse it (exit 3), naming record 2 and the key
 * that lets it run; it is in the look-ahead, so nothing is simulated and no
 * summary printed. */
static void test_replay_forward_jump_of_years_is_refused_naming_the_record(void **state)
{
	(void)state;
	const char *p = two_frames(946080000u, 0);
	struct run *r;
	char err[1024];
	assert_int_equal(run_with(p, NULL, &r, err, sizeof err), TRACE_E_LIMIT);
	assert_null(r);
	assert_contains(err, "record 2: its timestamp is more than");
	assert_contains(err, "replay.max_gap_us");
	char args[600];
	int st;
	snprintf(args, sizeof args, "run '%s' 2>/dev/null", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 3);
	assert_string_equal(o, "");
	free(o);
	unlink(p);

	/* Past the look-ahead (32,768 records) the jump is met while the run
	 * goes on: 33,000 SYNs 1 us apart, then one 30 years later, record
	 * 33,001. Refused there, the same way. */
	struct cap c = { 0 };
	cap_header(&c);
	for (uint32_t i = 0; i < 33000; i++)
		cap_syn(&c, T0_S, i, i, 1, 54);
	cap_syn(&c, T0_S + 946080000u, 0, 33000, 1, 54);
	p = cap_write(&c);
	assert_int_equal(run_with(p, NULL, &r, err, sizeof err), TRACE_E_LIMIT);
	assert_contains(err, "record 33001: its timestamp is more than");
	unlink(p);
}

/* The same capture with replay.max_gap_us = 1 s: the jump is cut to 1 s,
 * counted once, and the time taken out is 946,080,000 s - 1 s =
 * 946,079,999,000,000 us. The second frame starts on the wire at exactly
 * 1 s (1e12 ps), which is the span the report gives. */
static void test_replay_max_gap_cuts_the_jump_and_counts_it(void **state)
{
	(void)state;
	const char *p = two_frames(946080000u, 0);
	const char *set[] = { "replay.max_gap_us=1000000", NULL };
	struct run *r = must_run(p, set);
	const struct replay_stats *rs = replay_stats(r->rep);
	assert_int_equal(rs->rx_frames, 2);
	assert_int_equal(rs->gaps_cut, 1);
	assert_int_equal(rs->gap_cut_us, 946079999000000ull);
	assert_int_equal(rs->last_ts_ps - rs->first_ts_ps, PS_PER_S);
	assert_true(r->sim_end_ps >= PS_PER_S && r->sim_end_ps < PS_PER_S + 1000000000ull);
	json_t *j = report_json(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "replay"), "gaps_cut")), 1);
	json_decref(j);
	run_free(r);
	unlink(p);
}

/* 0xFFFFFFFF seconds (2106-02-07) is where a 32-bit pcap second ends.
 * After a 2023 record it is a jump of 4,294,967,295 - 1,700,000,000 =
 * 2,594,967,295 s: refused, record 2. Before two 2023 records (as a broken
 * clock writes it) the base is 2106, the later records fall before it:
 * clamped to 0 and counted (2 out of range), the run goes on. nicsim info
 * gives that capture's true duration, 2,594,967,295 s (30,034.3 days),
 * never the 18,446,744 s of a wrapped 2^64 ps. */
static void test_replay_0xffffffff_seconds_is_refused_or_clamped_never_wrapped(void **state)
{
	(void)state;
	struct cap c = { 0 };
	cap_header(&c);
	cap_syn(&c, T0_S, 0, 1, 1, 54);
	cap_syn(&c, 0xFFFFFFFFu, 0, 2, 1, 54);
	const char *fwd = cap_write(&c);
	struct run *r;
	char err[1024];
	assert_int_equal(run_with(fwd, NULL, &r, err, sizeof err), TRACE_E_LIMIT);
	assert_contains(err, "record 2:");

	cap_header(&c);
	cap_syn(&c, 0xFFFFFFFFu, 0, 1, 1, 54);
	cap_syn(&c, T0_S, 0, 2, 1, 54);
	cap_syn(&c, T0_S + 1, 0, 3, 1, 54);
	const char *back = cap_write(&c);
	r = must_run(back, NULL);
	const struct replay_stats *rs = replay_stats(r->rep);
	assert_int_equal(rs->rx_frames, 3);
	assert_int_equal(rs->trace.ts_clamped, 2);
	assert_int_equal(rs->trace.ts_backwards, 1);
	run_free(r);

	char args[600];
	int st;
	snprintf(args, sizeof args, "info '%s'", back);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 0);
	assert_contains(o, "duration    2594967295.000000 s (30034.3 days)");
	assert_contains(o, "longer than a run can simulate");
	assert_null(strstr(o, "18446744"));
	free(o);
	unlink(fwd);
	unlink(back);
}

/* Settings alone: 1,000,000 passes with 1,000 s between them need
 * 999,999 * 1e15 ps = 1e21 ps > 2^63: refused before the trace is read
 * (exit 2), naming both keys, nothing printed on stdout. */
static void test_replay_loops_and_gaps_past_the_range_are_refused_before_the_run(void **state)
{
	(void)state;
	const char *p = two_frames(0, 10);
	const char *set[] = { "replay.loops=1000000", "replay.gap_us=1000000000", NULL };
	struct run *r;
	char err[1024];
	assert_int_equal(run_with(p, set, &r, err, sizeof err), REPLAY_E_SETTINGS);
	assert_contains(err, "replay.loops=1000000 with replay.gap_us=1000000000");
	char args[600];
	int st;
	snprintf(args, sizeof args, "run --loops 1000000 --set replay.gap_us=1000000000 '%s' 2>&1", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 2);
	assert_contains(o, "replay.gap_us=1000000000");
	free(o);
	unlink(p);
}

/* A capture of one day (two frames 86,400 s apart) replayed 200 times: pass
 * k starts (k - 1) * (1 day + 1 ps) in, so the last frame would come at
 * 199 * (1 day + 1 ps) + 1 day = 200 days, more than the 105.75 days a
 * frame may take (2^63 ps less a day to drain). The whole capture is in the
 * look-ahead, so this is known before the run: refused, exit 2. 100 passes
 * end at 99 * 86,400,000,000,000,001 + 86,400,000,000,000,000 =
 * 8,640,000,000,000,000,099 ps (100 days and 99 ps): they run, and the
 * report's simulated time is that plus the last frame's few microseconds,
 * a positive JSON integer. */
static void test_replay_loops_that_would_pass_the_range_are_refused_and_those_that_fit_run(void **state)
{
	(void)state;
	const char *p = two_frames(DAY_S, 0);
	const char *too_many[] = { "replay.loops=200", NULL };
	struct run *r;
	char err[1024];
	assert_int_equal(run_with(p, too_many, &r, err, sizeof err), REPLAY_E_SETTINGS);
	assert_contains(err, "replay.loops=200");
	assert_contains(err, "one pass spans 1.0 days");

	/* A capture longer than the look-ahead, 33,000 records over one day:
	 * the loops are checked when pass 1 ends, its span known, before
	 * pass 2 starts. */
	struct cap c = { 0 };
	cap_header(&c);
	for (uint32_t i = 0; i < 33000; i++)
		cap_syn(&c, T0_S, i, i, 1, 54);
	cap_syn(&c, T0_S + DAY_S, 0, 33000, 1, 54);
	const char *longer = cap_write(&c);
	assert_int_equal(run_with(longer, too_many, &r, err, sizeof err), REPLAY_E_SETTINGS);
	assert_contains(err, "replay.loops=200");
	unlink(longer);

	const char *fit[] = { "replay.loops=100", NULL };
	r = must_run(p, fit);
	const struct replay_stats *rs = replay_stats(r->rep);
	assert_int_equal(rs->passes, 100);
	assert_int_equal(rs->rx_frames, 200);
	const uint64_t last_ps = 8640000000000000099ull;
	assert_true(r->sim_end_ps >= last_ps && r->sim_end_ps < last_ps + 1000000000ull);
	json_t *j = report_json(r);
	json_int_t t = json_integer_value(json_object_get(json_object_get(j, "run"), "sim_time_ps"));
	assert_true(t > 0 && (uint64_t)t == r->sim_end_ps);
	json_decref(j);
	run_free(r);
	unlink(p);
}

/* Two frames 2 days apart at replay.speed_pct = 1: 2 days * 100 = 200
 * days, beyond 105.75: refused naming the key and record 2 (exit 2). At
 * 2 %: 2 days * 50 = 100 days = 8,640,000,000,000,000,000 ps exactly, when
 * the second frame starts on the wire. */
static void test_replay_scaled_timing_at_1_percent_is_refused_naming_the_key(void **state)
{
	(void)state;
	const char *p = two_frames(2 * DAY_S, 0);
	const char *one[] = { "replay.timing=scaled", "replay.speed_pct=1", NULL };
	struct run *r;
	char err[1024];
	assert_int_equal(run_with(p, one, &r, err, sizeof err), REPLAY_E_SETTINGS);
	assert_contains(err, "record 2: replay.speed_pct=1 puts it 200.0 days after the first frame");
	char args[600];
	int st;
	snprintf(args, sizeof args, "run --set replay.timing=scaled --set replay.speed_pct=1 '%s' 2>&1", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 2);
	free(o);

	const char *two[] = { "replay.timing=scaled", "replay.speed_pct=2", NULL };
	r = must_run(p, two);
	const uint64_t second_ps = 8640000000000000000ull;
	assert_true(r->sim_end_ps >= second_ps && r->sim_end_ps < second_ps + 1000000000ull);
	run_free(r);
	unlink(p);
}

/* events and policy rounds of a run, from its JSON report */
static void policy_run(const char *p, uint64_t *events, uint64_t *runs, uint64_t *idle)
{
	const char *json = tu_tmpfile(".json");
	char args[1200];
	int st;
	snprintf(args, sizeof args,
		 "run --quiet --json '%s' --set rebalance.policy=busiest_to_idlest --set rebalance.interval_us=1 '%s'",
		 json, p);
	char *o = nicsim(args, &st);
	if (st)
		fail_msg("%s: exit %d: %s", p, st, o);
	free(o);
	json_t *j = tu_load_json(json);
	*events = (uint64_t)json_integer_value(json_object_get(json_object_get(j, "run"), "events"));
	json_t *rb = json_object_get(j, "rebalance");
	*runs = (uint64_t)json_integer_value(json_object_get(rb, "policy_runs"));
	*idle = (uint64_t)json_integer_value(json_object_get(rb, "policy_intervals_skipped_idle"));
	json_decref(j);
	unlink(json);
}

/* Idle time is free: two frames 100 s apart with the policy looking every
 * 1 us pass 10^8 interval boundaries, but a round happens only where
 * something did, so the run fires exactly as many events as the same two
 * frames 1 ms apart (the events grow with frames, not with the span), and
 * the boundaries passed over are counted: rounds + skipped >= 10^8. */
static void test_replay_idle_gap_with_the_policy_on_costs_no_events(void **state)
{
	(void)state;
	const char *far = two_frames(100, 0), *near = two_frames(0, 1000);
	uint64_t ev_far, runs_far, idle_far, ev_near, runs_near, idle_near;
	policy_run(far, &ev_far, &runs_far, &idle_far);
	policy_run(near, &ev_near, &runs_near, &idle_near);
	print_message("  100 s apart: %" PRIu64 " events, %" PRIu64 " rounds, %" PRIu64 " intervals skipped\n", ev_far,
		      runs_far, idle_far);
	assert_int_equal(ev_far, ev_near);
	assert_int_equal(runs_far, runs_near);
	assert_true(ev_far < 1000);
	assert_true(runs_far + idle_far >= 100000000u);
	unlink(far);
	unlink(near);
}

/* ---- lengths ---- */

/* Records 2 and 3 claim original lengths of 0xFFFFFFFF and 300,000 bytes
 * (> 262,144): skipped, counted (2) and the first named; record 4 at exactly
 * 262,144 is a frame (a BIG TCP super-frame can be that long). 5 records,
 * 3 replayed. */
static const char *absurd_lengths(void)
{
	struct cap c = { 0 };
	cap_header(&c);
	cap_syn(&c, T0_S, 0, 1, 1, 54);
	cap_syn(&c, T0_S, 10, 2, 1, 0xFFFFFFFFu);
	cap_syn(&c, T0_S, 20, 3, 1, 300000);
	cap_syn(&c, T0_S, 30, 4, 1, 262144);
	cap_syn(&c, T0_S, 300, 5, 1, 54);
	return cap_write(&c);
}

static void test_replay_absurd_original_lengths_are_skipped_counted_and_named(void **state)
{
	(void)state;
	const char *p = absurd_lengths();
	struct run *r = must_run(p, NULL);
	const struct replay_stats *rs = replay_stats(r->rep);
	assert_int_equal(rs->records, 3);
	assert_int_equal(rs->rx_frames, 3);
	assert_int_equal(rs->rx_bytes, 54 + 262144 + 54);
	assert_int_equal(rs->trace.skipped_len_absurd, 2);
	assert_contains(rs->skip_note, "record 2: original length 4294967295 > 262144");
	run_free(r);

	char args[600];
	int st;
	snprintf(args, sizeof args, "run --quiet '%s' 2>&1", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 0);
	assert_contains(o, "warning: ");
	assert_contains(o, "record 2: original length 4294967295");
	assert_contains(o, "(2 such records)");
	free(o);
	snprintf(args, sizeof args, "run '%s' 2>/dev/null", p);
	o = nicsim(args, &st);
	assert_contains(o, "0 caplen>len and 2 absurd-length records skipped");
	assert_contains(o, "record 2: original length 4294967295");
	free(o);
	snprintf(args, sizeof args, "info '%s' 2>&1", p);
	o = nicsim(args, &st);
	assert_int_equal(st, 0);
	assert_contains(o, "packets     3\n");
	assert_contains(o, "2 absurd-length (> 262144) records skipped");
	assert_contains(o, "record 2: original length 4294967295");
	free(o);
	unlink(p);
}

/* Record 1 is good, 2 has caplen 0 and 3 an absurd length (both skipped),
 * and the file ends 10 bytes into record 4's data: nicsim info names record
 * 4, counting the skipped ones as Wireshark numbers frames (it said 2, one
 * past the records it counted). */
static void test_replay_info_names_the_right_record_after_skipped_ones(void **state)
{
	(void)state;
	struct cap c = { 0 };
	cap_header(&c);
	cap_syn(&c, T0_S, 0, 1, 1, 54);
	put32(&c, T0_S);
	put32(&c, 1);
	put32(&c, 0);
	put32(&c, 60);
	cap_syn(&c, T0_S, 2, 3, 1, 0xFFFFFFFFu);
	cap_syn(&c, T0_S, 3, 4, 1, 54);
	c.n -= 44;   /* 10 of record 4's 54 bytes are left */
	const char *p = cap_write(&c);
	char args[600];
	int st;
	snprintf(args, sizeof args, "info '%s' 2>&1", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 0);
	assert_contains(o, "truncated   the file ends inside record 4\n");
	assert_contains(o, "record 4: file ends inside the packet data");
	free(o);
	unlink(p);
}

/* ---- streams ---- */

/* A capture longer than the look-ahead (32,768 records), so that a stream
 * is read past it: 40,000 SYNs to 192.168.0.1 from 40,000 sources, 1 us
 * apart. */
static const char *long_capture(uint32_t n)
{
	struct cap c = { 0 };
	cap_header(&c);
	for (uint32_t i = 0; i < n; i++)
		cap_syn(&c, T0_S + i / 1000000u, i % 1000000u, i, 1, 54);
	return cap_write(&c);
}

/* Standard input, a shell's <(...), a named pipe and gzip through a pipe
 * give the report of the file itself (the file name and gzip flag aside):
 * the trace is read once, host detection included. info reads stdin too. */
static void test_replay_standard_input_and_pipes_read_like_the_file(void **state)
{
	(void)state;
	const char *p = long_capture(40000);
	const char *ref = tu_tmpfile(".json");
	char args[4096];
	int st;
	snprintf(args, sizeof args, "run --quiet --json '%s' '%s'", ref, p);
	free(nicsim(args, &st));
	assert_int_equal(st, 0);
	const char *fifo = tu_tmpfile(".fifo");
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char cmds[4][2048];
	snprintf(cmds[0], sizeof cmds[0], "'%s' run --quiet --json J - < '%s'", tu_nicsim_bin(), p);
	snprintf(cmds[1], sizeof cmds[1], "cat '%s' | '%s' run --quiet --json J -", p, tu_nicsim_bin());
	snprintf(cmds[2], sizeof cmds[2], "bash -c \"'%s' run --quiet --json J <(cat '%s')\"", tu_nicsim_bin(), p);
	snprintf(cmds[3], sizeof cmds[3], "(cat '%s' > '%s' &) ; '%s' run --quiet --json J '%s'", p, fifo,
		 tu_nicsim_bin(), fifo);
	for (int i = 0; i < 4; i++) {
		const char *out = tu_tmpfile(".json");
		char cmd[4096], *o;
		/* J stands for the output file in the commands above */
		const char *j = strstr(cmds[i], " J ");
		snprintf(cmd, sizeof cmd, "%.*s '%s' %s 2>&1", (int)(j - cmds[i]), cmds[i], out, j + 3);
		st = tu_run(cmd, &o);
		if (st)
			fail_msg("%s: exit %d: %s", cmd, st, o);
		free(o);
		snprintf(cmd, sizeof cmd, "'%s' check --ignore /trace/file '%s' '%s'", tu_nicsim_bin(), out, ref);
		st = tu_run(cmd, &o);
		if (st)
			fail_msg("%s differs from the file's report:\n%s", cmds[i], o);
		free(o);
		unlink(out);
	}
	char cmd[4096], *o;
	const char *out = tu_tmpfile(".json");
	snprintf(cmd, sizeof cmd, "gzip -c '%s' | '%s' run --quiet --json '%s' - && '%s' check --ignore /trace/file --ignore /trace/gzip '%s' '%s'",
		 p, tu_nicsim_bin(), out, tu_nicsim_bin(), out, ref);
	st = tu_run(cmd, &o);
	if (st)
		fail_msg("gzip through a pipe: %s", o);
	free(o);
	unlink(out);

	snprintf(cmd, sizeof cmd, "cat '%s' | '%s' info --top 0 - 2>&1", p, tu_nicsim_bin());
	st = tu_run(cmd, &o);
	assert_int_equal(st, 0);
	assert_contains(o, "file        stdin\n");
	assert_contains(o, "packets     40000\n");
	assert_contains(o, "flows       40000 ");
	free(o);
	unlink(fifo);
	unlink(ref);
	unlink(p);
}

/* A pipe can be read once: --loops 2 is refused (exit 2) naming the key;
 * standard input redirected from a file can be read again, and loops. */
static void test_replay_a_pipe_cannot_loop_but_a_redirected_file_can(void **state)
{
	(void)state;
	const char *p = two_frames(0, 10);
	char cmd[4096], *o;
	snprintf(cmd, sizeof cmd, "cat '%s' | '%s' run --loops 2 - 2>&1", p, tu_nicsim_bin());
	int st = tu_run(cmd, &o);
	assert_int_equal(st, 2);
	assert_contains(o, "replay.loops=2: stdin is a pipe");
	free(o);
	const char *out = tu_tmpfile(".json");
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --loops 3 --json '%s' - < '%s'", tu_nicsim_bin(), out, p);
	st = tu_run(cmd, &o);
	assert_int_equal(st, 0);
	free(o);
	json_t *j = tu_load_json(out);
	json_t *tr = json_object_get(j, "trace");
	assert_int_equal(json_integer_value(json_object_get(tr, "passes")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "replay"), "rx_frames")), 6);
	json_decref(j);
	unlink(out);
	unlink(p);
}

/* --json - writes the JSON alone on stdout: it parses as one document. */
static void test_replay_json_on_stdout_stands_alone(void **state)
{
	(void)state;
	const char *p = absurd_lengths();
	char args[600];
	int st;
	snprintf(args, sizeof args, "run --json - '%s' 2>/dev/null", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 0);
	json_error_t e;
	json_t *j = json_loads(o, 0, &e);
	if (!j)
		fail_msg("stdout is not one JSON document (%s at line %d):\n%.300s", e.text, e.line, o);
	json_decref(j);
	free(o);
	unlink(p);
}

/* What nicsim writes on stderr when stderr is a terminal (a pseudo-terminal
 * here), stdout to /dev/null. */
static char *stderr_on_a_terminal(const char *const *argv)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	const char *slave = ptsname(m);
	assert_non_null(slave);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s = open(slave, O_RDWR | O_NOCTTY);
		int null = open("/dev/null", O_WRONLY);
		if (s < 0 || null < 0)
			_exit(120);
		dup2(s, STDERR_FILENO);
		dup2(null, STDOUT_FILENO);
		close(m);
		execv(argv[0], (char *const *)argv);
		_exit(121);
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
		ssize_t got = read(m, buf + n, cap - n - 1);
		if (got <= 0)
			break;   /* EIO once the child has exited and the slave is closed */
		n += (size_t)got;
	}
	buf[n] = 0;
	int st;
	waitpid(pid, &st, 0);
	close(m);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return buf;
}

/* On a terminal, a run of some seconds shows its progress (share read,
 * frames, frames/s, time left) on stderr; --quiet shows nothing, and
 * neither does a run whose stderr is not a terminal. */
static void test_replay_progress_only_on_a_terminal(void **state)
{
	(void)state;
	const char *p = long_capture(100000);
	const char *run[] = { tu_nicsim_bin(), "run", "--loops", "40", p, NULL };
	char *e = stderr_on_a_terminal(run);
	assert_contains(e, "nicsim run: ");
	assert_contains(e, "% of ");
	assert_contains(e, " M frames/s");
	assert_contains(e, " s left");
	free(e);
	const char *quiet[] = { tu_nicsim_bin(), "run", "--quiet", "--loops", "40", p, NULL };
	e = stderr_on_a_terminal(quiet);
	assert_string_equal(e, "");
	free(e);
	char args[600];
	int st;
	snprintf(args, sizeof args, "run --loops 40 '%s' 2>&1 >/dev/null", p);
	char *o = nicsim(args, &st);
	assert_int_equal(st, 0);
	assert_string_equal(o, "");
	free(o);
	unlink(p);
}

/* Host detection sees the first 32,768 records (docs/replay.md): 33,000
 * SYNs to 192.168.0.1, then 60,000 to 192.168.0.2 — the host found is .1,
 * which has all 32,768 SYNs of the look-ahead (a pre-pass over the whole
 * capture would have found .2). */
static void test_replay_host_detection_looks_a_bounded_way_ahead(void **state)
{
	(void)state;
	struct cap c = { 0 };
	cap_header(&c);
	for (uint32_t i = 0; i < 93000; i++)
		cap_syn(&c, T0_S, i % 1000000u, i, i < 33000 ? 1 : 2, 54);
	const char *p = cap_write(&c);
	struct run *r = must_run(p, NULL);
	const uint8_t want[4] = { 192, 168, 0, 1 };
	assert_true(r->host.n_ip == 1 && !r->host.ip_is_v6[0] && !memcmp(r->host.ip[0], want, 4));
	/* Both ends of a flow count: the look-ahead's 32,768 SYNs come from as
	 * many sources, of which 4,095 fit beside the host in the table of
	 * 4,096 addresses; the frames of the other 28,673 are not counted (and
	 * the host, an end of every flow, still wins). */
	assert_string_equal(r->host.how, "auto: an end of the most flows; 28673 frames of addresses beyond the first 4096 "
					 "not counted");
	assert_int_equal(replay_stats(r->rep)->rx_frames, 33000);
	assert_int_equal(replay_stats(r->rep)->foreign_frames, 60000);
	run_free(r);
	unlink(p);
}

/* Peak memory (ru_maxrss) of `nicsim run -` fed a SYN flood of n sources
 * through a pipe, built here as it is written: no capture on disk. */
static long flood_peak_kib(uint32_t n)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		execl(tu_nicsim_bin(), tu_nicsim_bin(), "run", "--quiet", "-", (char *)NULL);
		_exit(121);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	struct cap c = { 0 };
	cap_header(&c);
	for (uint32_t i = 0; i < n; i++) {
		cap_syn(&c, T0_S + i / 1000000u, i % 1000000u, i, 1, 54);
		if (c.n > (1u << 20) || i + 1 == n) {
			for (size_t off = 0; off < c.n;) {
				ssize_t w = write(fds[1], c.b + off, c.n - off);
				assert_true(w > 0);
				off += (size_t)w;
			}
			c.n = 0;
		}
	}
	free(c.b);
	close(fds[1]);
	int st;
	struct rusage ru;
	assert_true(wait4(pid, &st, 0, &ru) == pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return ru.ru_maxrss;
}

#if defined(__SANITIZE_ADDRESS__)
#define HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAS_ASAN 1
#endif
#endif

/* A run's memory is bounded by what is in flight and its documented
 * tables, not by the number of flows: 2,000,000 sources within 1.25 times
 * the peak of 250,000 (the bound asked of it). */
static void test_replay_peak_memory_does_not_grow_with_sources(void **state)
{
	(void)state;
#ifdef HAS_ASAN
	print_message("  skipped: AddressSanitizer's own memory would be measured\n");
	return;
#endif
	long small = flood_peak_kib(250000), big = flood_peak_kib(2000000);
	print_message("  peak RSS: %ld KiB at 250,000 sources, %ld KiB at 2,000,000\n", small, big);
	assert_true(big * 4 <= small * 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_forward_jump_of_years_is_refused_naming_the_record),
		cmocka_unit_test(test_replay_max_gap_cuts_the_jump_and_counts_it),
		cmocka_unit_test(test_replay_0xffffffff_seconds_is_refused_or_clamped_never_wrapped),
		cmocka_unit_test(test_replay_loops_and_gaps_past_the_range_are_refused_before_the_run),
		cmocka_unit_test(test_replay_loops_that_would_pass_the_range_are_refused_and_those_that_fit_run),
		cmocka_unit_test(test_replay_scaled_timing_at_1_percent_is_refused_naming_the_key),
		cmocka_unit_test(test_replay_idle_gap_with_the_policy_on_costs_no_events),
		cmocka_unit_test(test_replay_absurd_original_lengths_are_skipped_counted_and_named),
		cmocka_unit_test(test_replay_info_names_the_right_record_after_skipped_ones),
		cmocka_unit_test(test_replay_standard_input_and_pipes_read_like_the_file),
		cmocka_unit_test(test_replay_a_pipe_cannot_loop_but_a_redirected_file_can),
		cmocka_unit_test(test_replay_json_on_stdout_stands_alone),
		cmocka_unit_test(test_replay_progress_only_on_a_terminal),
		cmocka_unit_test(test_replay_host_detection_looks_a_bounded_way_ahead),
		cmocka_unit_test(test_replay_peak_memory_does_not_grow_with_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
