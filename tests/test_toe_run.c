/*
 * tests/test_toe_run.c — TCP Chimney in whole runs (toe.enable=true),
 * judged from outside:
 *   - every capture shipped (traces/, traces/ref/) with an offloaded
 *     connection: tshark (Wireshark 4.0) reads the wire capture
 *     (--wire-pcap) and, on each offloaded connection after its offload,
 *     finds no acknowledgement of unseen data beyond what it finds in the
 *     original capture over the same span, no bad checksum on a frame the
 *     host's side sent, and the last cumulative ACK covering the peer's
 *     in-order data (worked out here from tshark's sequence numbers);
 *   - a generated capture of 48 bulk connections both ways with loss and
 *     reordering, judged the same way;
 *   - far more connections than the engine's table: the table never holds
 *     more than toe.conns, the rest are counted; a SYN flood ten times
 *     larger keeps the process's memory flat;
 *   - the host's protocol cycles fall when the engine carries a bulk
 *     connection.
 * Skipped, saying so, without tshark.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool has_tshark(void)
{
	char *o;
	int rc = tu_run("command -v tshark >/dev/null 2>&1", &o);
	free(o);
	if (rc)
		print_message("tshark is not installed (.ci/setup.sh installs it): the wire checks are skipped\n");
	return !rc;
}

static void run_toe(const char *trace, const char *extra, const char *wire, const char *json)
{
	char cmd[12000], *o;
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --set toe.enable=true %s %s%s%s --json '%s' '%s' 2>&1", tu_nicsim_bin(),
		 extra ? extra : "", wire ? "--wire-pcap '" : "", wire ? wire : "", wire ? "'" : "", json, trace);
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("%s: exit %d: %s", cmd, rc, o);
	free(o);
}

/* "a.b.c.d:port" or "[v6]:port" */
static void split_ep(const char *ep, char *addr, size_t n, unsigned *port, bool *is_v6)
{
	*is_v6 = ep[0] == '[';
	const char *colon = strrchr(ep, ':');
	size_t len = (size_t)(colon - ep);
	if (*is_v6) {
		ep++;
		len -= 2;
	}
	snprintf(addr, n, "%.*s", (int)len, ep);
	*port = (unsigned)atoi(colon + 1);
}

static bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

struct seg {
	uint32_t seq, len;
};
static uint32_t seg_base;   /* qsort's comparison: sequence order from here */
static int cmp_seg(const void *a, const void *b)
{
	uint32_t x = ((const struct seg *)a)->seq - seg_base, y = ((const struct seg *)b)->seq - seg_base;
	return x < y ? -1 : x > y;
}

/* tshark's view of one connection after t0 (epoch seconds): ACKs of unseen
 * segments, bad checksums from the local side, the last ACK from it, and
 * the end of the peer's in-order data from the first local ACK on. */
struct judged {
	int lost, bad, local_frames;
	uint32_t last_ack, in_order_end;
};

static void judge(const char *pcap, double t0, const char *local, unsigned lport, const char *remote, unsigned rport,
		  bool is_v6, struct judged *j)
{
	const char *ipf = is_v6 ? "ipv6" : "ip";
	char filter[2048], cmd[8192];
	snprintf(filter, sizeof filter,
		 "frame.time_epoch >= %.9f && ((%s.src==%s && tcp.srcport==%u && %s.dst==%s && tcp.dstport==%u) || "
		 "(%s.src==%s && tcp.srcport==%u && %s.dst==%s && tcp.dstport==%u))",
		 t0, ipf, local, lport, ipf, remote, rport, ipf, remote, rport, ipf, local, lport);
	snprintf(cmd, sizeof cmd,
		 "tshark -r '%s' -o tcp.check_checksum:TRUE -o tcp.relative_sequence_numbers:FALSE -Y '%s' -T fields "
		 "-e tcp.srcport -e tcp.seq_raw -e tcp.len -e tcp.ack_raw -e tcp.flags.fin -e tcp.analysis.ack_lost_segment "
		 "-e tcp.checksum.status 2>/dev/null",
		 pcap, filter);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	memset(j, 0, sizeof *j);
	size_t np = 0, cap = 1024;
	struct seg *peer = malloc(cap * sizeof *peer);
	bool has_first = false;
	uint32_t first_ack = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char *fld[7] = { 0 };
		char *p = line;
		for (int i = 0; i < 7; i++) {
			fld[i] = p;
			char *t = strchr(p, '\t');
			if (!t) {
				p[strcspn(p, "\n")] = 0;
				for (int k = i + 1; k < 7; k++)
					fld[k] = p + strlen(p);
				break;
			}
			*t = 0;
			p = t + 1;
		}
		unsigned sport = (unsigned)atoi(fld[0]);
		uint32_t seq = (uint32_t)strtoul(fld[1], NULL, 10), len = (uint32_t)strtoul(fld[2], NULL, 10);
		if (*fld[5])
			j->lost++;
		if (sport == rport) {
			if (np == cap)
				peer = realloc(peer, (cap *= 2) * sizeof *peer);
			peer[np++] = (struct seg){ seq, len + (!strcmp(fld[4], "1") ? 1u : 0u) };
		} else {
			j->local_frames++;
			if (!strcmp(fld[6], "0"))
				j->bad++;
			if (*fld[3]) {
				j->last_ack = (uint32_t)strtoul(fld[3], NULL, 10);
				if (!has_first) {
					has_first = true;
					first_ack = j->last_ack;
				}
			}
		}
	}
	pclose(f);
	/* The peer's in-order data from where the engine started: extend while
	 * the next segment starts at or before the end so far. */
	seg_base = first_ack;
	qsort(peer, np, sizeof *peer, cmp_seg);
	uint32_t end = first_ack;
	for (size_t i = 0; i < np; i++) {
		if (!seq_le(peer[i].seq, end))
			break;   /* a hole the capture never filled */
		if (seq_le(end, peer[i].seq + peer[i].len))
			end = peer[i].seq + peer[i].len;
	}
	j->in_order_end = end;
	free(peer);
}

static double first_epoch(const char *pcap)
{
	char cmd[4200], *o;
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -c 1 -T fields -e frame.time_epoch 2>/dev/null", pcap);
	assert_int_equal(tu_run(cmd, &o), 0);
	double t = atof(o);
	free(o);
	return t;
}

struct tally {
	size_t captures, conns;
};

/* Every offloaded connection of one run, judged. */
static void judge_run(const char *trace, const char *extra, struct tally *ta)
{
	const char *wire = tu_tmpfile(".pcapng"), *json = tu_tmpfile(".json");
	run_toe(trace, extra, wire, json);
	json_t *r = tu_load_json(json);
	json_t *conns = json_object_get(json_object_get(r, "toe"), "connections");
	if (json_array_size(conns)) {
		double base = first_epoch(trace);
		ta->captures++;
		for (size_t i = 0; i < json_array_size(conns); i++) {
			json_t *c = json_array_get(conns, i);
			char la[64], ra[64];
			unsigned lp, rp;
			bool v6;
			split_ep(json_string_value(json_object_get(c, "local")), la, sizeof la, &lp, &v6);
			split_ep(json_string_value(json_object_get(c, "remote")), ra, sizeof ra, &rp, &v6);
			double t0 = base + (double)json_integer_value(json_object_get(c, "offloaded_at_ps")) / 1e12;
			struct judged w, o;
			judge(wire, t0, la, lp, ra, rp, v6, &w);
			judge(trace, t0, la, lp, ra, rp, v6, &o);   /* the capture itself, same span */
			if (w.lost > o.lost || w.bad || (w.local_frames && !seq_le(w.in_order_end, w.last_ack)))
				fail_msg("%s: offloaded connection %s:%u <-> %s:%u: on the wire %d ACKs of unseen data (the "
					 "capture has %d), %d bad checksums from the host's side, last ACK %u against the peer's "
					 "in-order data to %u",
					 trace, la, lp, ra, rp, w.lost, o.lost, w.bad, w.last_ack, w.in_order_end);
			ta->conns++;
		}
	}
	json_decref(r);
	unlink(wire);
	unlink(json);
}

static void judge_capture(const char *path, void *ctx)
{
	judge_run(path, NULL, ctx);
}

static void test_toe_offloaded_connections_are_consistent_conversations_on_every_shipped_capture(void **state)
{
	(void)state;
	if (!has_tshark())
		skip();
	struct tally ta = { 0 };
	tu_walk_files(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, judge_capture, &ta);
	print_message("%zu captures with offloaded connections, %zu connections judged\n", ta.captures, ta.conns);
	assert_true(ta.captures >= 6);
	assert_true(ta.conns >= 20);
}

/* nicsim gen's capture (its bytes checked by test_gen): TCP both ways. */
static const char *gen(const char *opts)
{
	const char *out = tu_tmpfile(".pcap");
	char cmd[8192], *o;
	snprintf(cmd, sizeof cmd, "'%s' gen %s -o '%s' 2>&1", tu_nicsim_bin(), opts, out);
	if (tu_run(cmd, &o))
		fail_msg("%s: %s", cmd, o);
	free(o);
	return out;
}

static void test_toe_bulk_both_ways_with_loss_and_reordering_stays_consistent(void **state)
{
	(void)state;
	if (!has_tshark())
		skip();
	const char *cap = gen("--flows 48 --concurrent 16 --flow-size fixed:400000 --host-sends 50 --loss 1 --reorder 1 "
			      "--rtt-us 50 --seed 3");
	struct tally ta = { 0 };
	judge_run(cap, NULL, &ta);
	print_message("%zu connections offloaded and judged\n", ta.conns);
	assert_true(ta.conns >= 40);
	unlink(cap);
}

static json_int_t jget(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(json_object_get(json_object_get(j, a), b), c);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* 200 bulk connections, 64 at a time, against an 8-slot engine: never more
 * than 8 offloaded at once (what the engine installed less what it gave
 * back, connection by connection in offload order), the others counted
 * as left out for a full table. */
static void test_toe_the_engine_table_never_holds_more_than_its_size(void **state)
{
	(void)state;
	const char *cap = gen("--flows 200 --concurrent 64 --flow-size fixed:300000 --seed 5");
	const char *json = tu_tmpfile(".json");
	run_toe(cap, "--set toe.conns=8", NULL, json);
	json_t *r = tu_load_json(json);
	json_int_t installs = jget(r, "toe", "engine", "installs"), full = jget(r, "toe", "host", "table_full");
	print_message("%lld installs, %lld not offloaded for a full table\n", (long long)installs, (long long)full);
	assert_true(installs >= 8);
	assert_true(full > 0);
	/* Live offloads over time from the rows: +1 at each offload, -1 at each upload. */
	json_t *conns = json_object_get(json_object_get(r, "toe"), "connections");
	size_t n = json_array_size(conns);
	struct ev {
		json_int_t t;
		int d;
	} *ev = calloc(2 * n + 1, sizeof *ev);
	size_t ne = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(conns, i);
		ev[ne++] = (struct ev){ json_integer_value(json_object_get(c, "offloaded_at_ps")), +1 };
		json_t *u = json_object_get(c, "uploaded_at_ps");
		if (json_is_integer(u))
			ev[ne++] = (struct ev){ json_integer_value(u), -1 };
	}
	for (size_t i = 1; i < ne; i++)   /* by time; an upload before an offload at the same time */
		for (size_t k = i; k > 0 && (ev[k - 1].t > ev[k].t || (ev[k - 1].t == ev[k].t && ev[k - 1].d > ev[k].d)); k--) {
			struct ev t = ev[k];
			ev[k] = ev[k - 1];
			ev[k - 1] = t;
		}
	int live = 0, peak = 0;
	for (size_t i = 0; i < ne; i++) {
		live += ev[i].d;
		if (live > peak)
			peak = live;
	}
	assert_true(peak <= 8);
	free(ev);
	json_decref(r);
	unlink(json);
	unlink(cap);
}

/* A SYN flood: one SYN from each of N sources to the host's port 80. */
static const char *syn_flood(uint32_t n)
{
	const char *path = tu_tmpfile(".pcap");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint8_t b[256];
	size_t l = tu_pcap_header(b);
	assert_int_equal(fwrite(b, 1, l, f), l);
	const uint8_t dst[4] = { 10, 0, 0, 1 };
	for (uint32_t i = 0; i < n; i++) {
		uint8_t src[4] = { 11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		l = tu_pcap_tcp4(b, i, 60, src, (uint16_t)(1024 + i % 60000), dst, 80, 0x02);
		assert_int_equal(fwrite(b, 1, l, f), l);
	}
	fclose(f);
	return path;
}

static void test_toe_a_syn_flood_keeps_the_host_table_and_memory_flat(void **state)
{
	(void)state;
	json_int_t rss[2], evicted[2];
	const uint32_t n[2] = { 20000, 200000 };
	for (int i = 0; i < 2; i++) {
		const char *cap = syn_flood(n[i]), *json = tu_tmpfile(".json");
		run_toe(cap, "--set host.ip=10.0.0.1 --set toe.track_conns=4096", NULL, json);
		json_t *r = tu_load_json(json);
		rss[i] = json_integer_value(json_object_get(json_object_get(r, "run"), "peak_rss_bytes"));
		evicted[i] = jget(r, "toe", "host", "track_evicted");
		json_decref(r);
		unlink(json);
		unlink(cap);
	}
	print_message("peak memory %lld bytes for %u SYNs, %lld for %u; half-open evicted %lld, %lld\n", (long long)rss[0],
		      n[0], (long long)rss[1], n[1], (long long)evicted[0], (long long)evicted[1]);
	/* Connections beyond the table's 4096 (half-open; these SYNs also fail
	 * their checksum, so they are ineligible besides) make room for new ones. */
	assert_int_equal(evicted[0], n[0] - 4096);
	assert_int_equal(evicted[1], n[1] - 4096);
	assert_true((double)rss[1] < 1.25 * (double)rss[0]);
}

/* What the host's protocol work comes to with the engine carrying a bulk
 * connection (traces/ref/bulk-ipv4: one 3.7 MB transfer to the host):
 * frames the engine takes cost the host nothing each, so its protocol
 * cycles fall to the frames before the offload and the per-request costs. */
static json_int_t proto_cycles(json_t *r)
{
	json_int_t sum = 0;
	json_t *cpus = json_object_get(r, "cpus");
	for (size_t i = 0; i < json_array_size(cpus); i++)
		sum += json_integer_value(json_object_get(json_object_get(json_array_get(cpus, i), "cycles"), "protocol"));
	return sum;
}

/* The cost figures this test works with, set on both runs (their defaults'
 * sources are in docs/cost-model.md). */
#define COSTS "--set cost.ack_rx_cycles=1500 --set cost.toe_io_cycles=3000 --set cost.toe_offload_cycles=30000"

static void test_toe_the_hosts_protocol_cycles_fall_with_the_engine(void **state)
{
	(void)state;
	const char *trace = tu_path(tu_src_dir(), "traces/ref/bulk-ipv4.pcap");
	const char *on = tu_tmpfile(".json"), *off = tu_tmpfile(".json");
	run_toe(trace, COSTS, NULL, on);
	char cmd[8192], *o;
	snprintf(cmd, sizeof cmd, "'%s' run --quiet " COSTS " --json '%s' '%s' 2>&1", tu_nicsim_bin(), off, trace);
	assert_int_equal(tu_run(cmd, &o), 0);
	free(o);
	json_t *jon = tu_load_json(on), *joff = tu_load_json(off);
	json_int_t p_on = proto_cycles(jon), p_off = proto_cycles(joff);
	json_int_t taken = jget(jon, "toe", "nic", "rx_frames");
	json_int_t io = jget(jon, "toe", "host", "cycles_io"), offc = jget(jon, "toe", "host", "cycles_offload");
	print_message("protocol cycles: %lld without the engine, %lld with it (%lld frames it took; requests %lld, "
		      "offload %lld)\n",
		      (long long)p_off, (long long)p_on, (long long)taken, (long long)io, (long long)offc);
	/* The capture's frames to the host are 2741 (tshark -r bulk-ipv4.pcap -Y 'ip.dst==10.77.0.1'); the
	 * engine took most of them. */
	assert_true(taken > 2000 && taken <= 2741);
	/* One offload (30000 cycles) and a request (3000 each) per event the host took. */
	assert_int_equal(offc, 30000);
	assert_int_equal(io % 3000, 0);
	/* Each frame the engine took would have cost the host at least a pure
	 * ACK's 1500 cycles (the cheapest TCP frame): the fall is at least that,
	 * less what the requests and the offload cost, and that is a fall. */
	json_int_t floor = taken * 1500 - io - offc;
	assert_true(floor > 0);
	assert_true(p_on < p_off);
	assert_true(p_off - p_on >= floor);
	json_decref(jon);
	json_decref(joff);
	unlink(on);
	unlink(off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toe_offloaded_connections_are_consistent_conversations_on_every_shipped_capture),
		cmocka_unit_test(test_toe_bulk_both_ways_with_loss_and_reordering_stays_consistent),
		cmocka_unit_test(test_toe_the_engine_table_never_holds_more_than_its_size),
		cmocka_unit_test(test_toe_a_syn_flood_keeps_the_host_table_and_memory_flat),
		cmocka_unit_test(test_toe_the_hosts_protocol_cycles_fall_with_the_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
