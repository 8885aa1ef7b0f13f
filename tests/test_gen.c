/*
 * tests/test_gen.c — `nicsim gen` (sim/nicsim/gen.c) as a user drives it.
 *
 * Expected values come from outside the generator: libpcap reads every
 * generated file and this file's own minimal parse counts frames by
 * direction and conversations (unordered TCP/UDP 5-tuples); the expected
 * counts are worked by hand from the spec in the comments (docs/gen.md gives
 * the frames of a flow); tshark judges well-formedness and every checksum;
 * `nicsim run` judges pacing and the NIC's checksum verdicts.
 */
#include "testutil.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/nicsim/gen.h"

/* What the generator's host is (docs/gen.md): the destination MAC of every
 * frame to it. */
static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

struct counts {
	uint64_t rx, tx, conversations, tcp, udp, ipv6;
	char **keys;
	size_t n_keys, cap_keys;
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One conversation's key: protocol, then the two (address, port) ends in
 * a fixed order, so both directions give the same key. */
static void add_key(struct counts *c, const u_char *d, uint32_t caplen)
{
	if (caplen < 14)
		fail_msg("frame shorter than Ethernet");
	uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
	const u_char *ip = d + 14, *src = NULL, *dst = NULL, *l4 = NULL;
	int alen = 0, proto = -1;
	if (et == 0x0800) {
		proto = ip[9];
		src = ip + 12;
		dst = ip + 16;
		alen = 4;
		l4 = ip + (ip[0] & 15) * 4;
	} else if (et == 0x86dd) {
		proto = ip[6];
		src = ip + 8;
		dst = ip + 24;
		alen = 16;
		l4 = ip + 40;
	} else {
		fail_msg("ethertype %04x is neither IPv4 nor IPv6", et);
	}
	if (proto != 6 && proto != 17)
		fail_msg("protocol %d is neither TCP nor UDP", proto);
	char a[80], b[80], *k = malloc(200);
	int na = 0, nb = 0;
	for (int i = 0; i < alen; i++) {
		na += snprintf(a + na, sizeof a - (size_t)na, "%02x", src[i]);
		nb += snprintf(b + nb, sizeof b - (size_t)nb, "%02x", dst[i]);
	}
	snprintf(a + na, sizeof a - (size_t)na, ":%u", l4[0] << 8 | l4[1]);
	snprintf(b + nb, sizeof b - (size_t)nb, ":%u", l4[2] << 8 | l4[3]);
	snprintf(k, 200, "%d %s %s", proto, strcmp(a, b) < 0 ? a : b, strcmp(a, b) < 0 ? b : a);
	if (c->n_keys == c->cap_keys) {
		c->cap_keys = c->cap_keys ? 2 * c->cap_keys : 1024;
		c->keys = realloc(c->keys, c->cap_keys * sizeof *c->keys);
	}
	c->keys[c->n_keys++] = k;
}

/* Frames by direction and conversations of a plain pcap, read by libpcap;
 * and in each direction no frame starts before the previous one has left a
 * 10 Gb/s wire (the default --rate-mbps): its bytes, the FCS (4), preamble,
 * delimiter and gap (20), 800 ps a byte (IEEE 802.3 §4.4.2). */
static struct counts count_pcap(const char *path)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p)
		fail_msg("libpcap cannot open %s: %s", path, perr);
	struct counts c = { 0 };
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	uint64_t last_ns = 0, free_ps[2] = { 0, 0 };
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		if (ns < last_ns)
			fail_msg("%s: record %" PRIu64 " goes back in time", path, c.rx + c.tx + 1);
		last_ns = ns;
		if (h->caplen != h->len || h->caplen < 60)
			fail_msg("%s: record %" PRIu64 ": caplen %u, len %u", path, c.rx + c.tx + 1, h->caplen, h->len);
		bool is_rx = !memcmp(d, host_mac, 6);
		if (ns * 1000u < free_ps[is_rx])
			fail_msg("%s: record %" PRIu64 " (%s) starts %" PRIu64 " ps before the wire is free", path,
				 c.rx + c.tx + 1, is_rx ? "to the host" : "from it", free_ps[is_rx] - ns * 1000u);
		free_ps[is_rx] = ns * 1000u + ((uint64_t)h->len + 24u) * 800u;
		if (is_rx)
			c.rx++;
		else
			c.tx++;
		add_key(&c, d, h->caplen);
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("%s: libpcap: %s", path, pcap_geterr(p));
	pcap_close(p);
	qsort(c.keys, c.n_keys, sizeof *c.keys, cmp_str);
	for (size_t i = 0; i < c.n_keys; i++) {
		if (i && !strcmp(c.keys[i], c.keys[i - 1]))
			continue;
		c.conversations++;
		c.tcp += c.keys[i][0] == '6';
		c.udp += c.keys[i][0] == '1';
		c.ipv6 += strlen(c.keys[i]) > 60;   /* 32 hex digits an address */
	}
	for (size_t i = 0; i < c.n_keys; i++)
		free(c.keys[i]);
	free(c.keys);
	return c;
}

/* nicsim gen ARGS -o OUT; returns OUT (a fresh temporary file). */
static const char *gen(const char *args, const char *suffix)
{
	const char *out = tu_tmpfile(suffix);
	char cmd[4096], *o;
	snprintf(cmd, sizeof cmd, "'%s' gen %s -o '%s' 2>&1", tu_nicsim_bin(), args, out);
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("nicsim gen %s: exit %d: %s", args, rc, o);
	if (!strstr(o, "flows ("))
		fail_msg("nicsim gen %s: no summary: %s", args, o);
	free(o);
	return out;
}

static void expect_counts(const char *args, uint64_t rx, uint64_t tx, uint64_t tcp, uint64_t udp, uint64_t ipv6)
{
	const char *out = gen(args, ".pcap");
	struct counts c = count_pcap(out);
	if (c.rx != rx || c.tx != tx || c.tcp != tcp || c.udp != udp || c.ipv6 != ipv6)
		fail_msg("nicsim gen %s: %" PRIu64 " frames to the host, %" PRIu64 " from it, %" PRIu64 " TCP, %" PRIu64
			 " UDP, %" PRIu64 " IPv6 conversations; want %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
			 ", %" PRIu64,
			 args, c.rx, c.tx, c.tcp, c.udp, c.ipv6, rx, tx, tcp, udp, ipv6);
	unlink(out);
}

/* A TCP flow of D data segments: to the host SYN, ACK, D segments, FIN,
 * ACK (D + 4); from it SYN-ACK, an ACK every second segment, FIN-ACK
 * (D / 2 + 2). A UDP flow: D datagrams to the host. */
static void test_gen_flow_and_frame_counts_equal_the_spec(void **state)
{
	(void)state;
	/* 1518-byte frames: 1460 bytes of TCP/IPv4 payload, 14600 = 10 segments. */
	expect_counts("--flows 5 --flow-size fixed:14600", 5 * 14, 5 * 7, 5, 0, 0);
	/* --ack-every 4: an ACK after the 4th and 8th of the 10 segments, the
	 * FIN-ACK covers the rest: 1 + 10 / 4 + 1 = 4 from the host. */
	expect_counts("--flows 5 --flow-size fixed:14600 --ack-every 4", 5 * 14, 5 * 4, 5, 0, 0);
	/* IPv6: 1440 bytes a segment; 14401 = 11 segments (the last of 1 byte). */
	expect_counts("--flows 3 --ipv6 100 --flow-size fixed:14401", 3 * 15, 3 * 7, 3, 0, 3);
	/* UDP/IPv4: 1472 bytes a datagram, 10 each, nothing back. */
	expect_counts("--flows 4 --udp 100 --flow-size fixed:14720 --arrival poisson:100000", 40, 0, 0, 4, 0);
	/* Shares are exact: 10 flows, 5 UDP, 5 IPv6 (3 of each, round(0.25 x 10) = 3);
	 * one byte a flow: TCP 5 + 2 frames, UDP 1. */
	expect_counts("--flows 10 --udp 50 --ipv6 25 --flow-size fixed:1 --seed 3", 5 * 5 + 5 * 1, 5 * 2, 5, 5, 3);
	/* 64-byte frames carry 6 bytes of TCP/IPv4 payload: 600 bytes = 100 segments;
	 * fewer flows open than exist. */
	expect_counts("--flows 20 --concurrent 4 --frame-size 64 --flow-size fixed:600", 20 * 104, 20 * 52, 20, 0, 0);
	/* Loss never takes a UDP flow's first datagram: one-datagram flows at
	 * 50 % loss are all there (with the plain coin, about half went). */
	expect_counts("--flows 20 --udp 100 --flow-size fixed:1 --loss 50", 20, 0, 0, 20, 0);
	/* Loss: every lost segment is resent, so the data frames to the host stay
	 * 100 a flow; the host's duplicate ACKs make the count back vary. */
	const char *out = gen("--flows 5 --flow-size fixed:146000 --loss 3 --reorder 3", ".pcap");
	struct counts c = count_pcap(out);
	assert_int_equal(c.rx, 5 * 104);
	assert_true(c.tx > 5 * 52);
	assert_int_equal(c.conversations, 5);
	unlink(out);
	/* The host sending (docs/gen.md): a flow of D segments is D / 2 + 3
	 * frames to the host (SYN, ACK, the client's ACK every second segment,
	 * FIN-ACK) and D + 3 from it (SYN-ACK, D segments, FIN, ACK).
	 * D = 10: 8 and 13. */
	expect_counts("--flows 5 --host-sends 100 --flow-size fixed:14600", 5 * 8, 5 * 13, 5, 0, 0);
	/* IPv6, D = 11 (the last segment 1 byte): 5 + 3 and 11 + 3; the FIN-ACK
	 * acknowledges the eleventh. */
	expect_counts("--flows 3 --ipv6 100 --host-sends 100 --flow-size fixed:14401", 3 * 8, 3 * 14, 3, 0, 3);
	/* The share is of the TCP flows: 10 flows, 5 UDP (10 datagrams of 1472
	 * bytes each), 5 TCP of which round(0.4 x 5) = 2 host-sending (8 to,
	 * 13 from) and 3 receiving (14 to, 7 from). */
	expect_counts("--flows 10 --udp 50 --host-sends 40 --flow-size fixed:14600", 5 * 10 + 2 * 8 + 3 * 14,
		      2 * 13 + 3 * 7, 5, 5, 0);
	/* --loss and --reorder are of frames to the host, before the capture
	 * point: the host's own segments are in the capture as they leave, so
	 * the counts stay exact. */
	expect_counts("--flows 4 --host-sends 100 --flow-size fixed:14600 --loss 50 --reorder 50", 4 * 8, 4 * 13, 4, 0,
		      0);
	/* 64-byte frames, D = 100, 4 open at a time, half of 20 host-sending:
	 * 10 x (53 to, 103 from) + 10 x (104 to, 52 from); both wires busy. */
	expect_counts("--flows 20 --concurrent 4 --frame-size 64 --flow-size fixed:600 --host-sends 50 "
		      "--arrival poisson:5000000",
		      10 * 53 + 10 * 104, 10 * 103 + 10 * 52, 20, 0, 0);
	/* --frames cuts the capture at exactly N frames. */
	out = gen("--flows 1000 --udp 30 --frame-size mix:64=1,1518=1 --frames 1234", ".pcap");
	c = count_pcap(out);
	assert_int_equal(c.rx + c.tx, 1234);
	unlink(out);
}

static bool same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
	assert_non_null(x);
	assert_non_null(y);
	bool is_same = na == nb && !memcmp(x, y, na);
	free(x);
	free(y);
	return is_same;
}

static void test_gen_same_spec_and_seed_give_the_same_bytes(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"--flows 200 --flow-size pareto:1.2:2000 --frame-size mix:64=50,594=20,1518=30 --arrival poisson:2000000 "
		"--ipv6 20 --udp 10 --loss 1 --reorder 1",
		"--flows 50 --flow-size zipf:1.1:100 --arrival onoff:20:30 --udp 50",
		"--flows 30 --flow-size uniform:1:20000 --timestamps us",
		"--flows 40 --flow-size pareto:1.2:2000 --frame-size mix:64=50,1518=50 --host-sends 50 --udp 10 "
		"--loss 1 --rtt-us 50",
	};
	static const char *const suffixes[] = { ".pcap", ".pcap.gz" };
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		for (int z = 0; z < 2; z++) {
			char args[1024];
			snprintf(args, sizeof args, "%s --seed 42", specs[i]);
			const char *a = gen(args, suffixes[z]);
			char a_path[4096];
			snprintf(a_path, sizeof a_path, "%s", a);
			const char *b = gen(args, suffixes[z]);
			if (!same_file(a_path, b))
				fail_msg("nicsim gen %s -o *%s: two runs differ", args, suffixes[z]);
			unlink(b);
			snprintf(args, sizeof args, "%s --seed 43", specs[i]);
			b = gen(args, suffixes[z]);
			if (same_file(a_path, b))
				fail_msg("nicsim gen %s: seeds 42 and 43 give the same file", specs[i]);
			unlink(a_path);
			unlink(b);
		}
	}
}

/* tshark (Wireshark 4.0 in Debian 12) with every checksum check on: no
 * malformed packet, no bad checksum, no expert error. */
static void test_gen_output_passes_tshark(void **state)
{
	(void)state;
	char *o;
	if (tu_run("command -v tshark >/dev/null 2>&1", &o)) {
		free(o);
		print_message("tshark is not installed (.ci/setup.sh installs it): skipping the tshark check\n");
		skip();
	}
	free(o);
	static const char *const specs[] = {
		"--flows 300 --flow-size pareto:1.2:3000 --frame-size mix:64=50,594=20,1518=30 --arrival poisson:3000000 "
		"--ipv6 30 --udp 20 --loss 1 --reorder 1 --seed 5",
		"--flows 20 --ipv6 50 --udp 50 --frame-size 64 --flow-size fixed:3000",
		"--flows 4 --ipv6 50 --frame-size 9018 --flow-size fixed:100000",
		/* Large flows: with plain-offset payload bytes, one segment of this
		 * mix began with ':' and Wireshark's IRC heuristic called it
		 * malformed (gen.c now keeps every payload byte non-ASCII). */
		"--flows 200 --flow-size pareto:1.2:20000:2000000 --frame-size mix:64=40,576=20,1518=40 "
		"--arrival poisson:500000 --ipv6 20 --udp 10 --seed 7",
		/* The host sending half the TCP flows, mixed with receiving ones,
		 * loss and reordering on the frames to the host. */
		"--flows 300 --flow-size pareto:1.2:3000 --frame-size mix:64=50,594=20,1518=30 --arrival poisson:3000000 "
		"--ipv6 30 --udp 20 --host-sends 50 --loss 1 --reorder 1 --seed 5",
		"--flows 20 --ipv6 50 --host-sends 100 --frame-size 64 --flow-size fixed:3000",
	};
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		const char *out = gen(specs[i], ".pcap.gz");
		char cmd[8192];
		snprintf(cmd, sizeof cmd,
			 "tshark -r '%s' -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE "
			 "-Y '_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0 || "
			 "udp.checksum.status == 0 || _ws.expert.severity >= 8388608' 2>/dev/null",
			 out);
		int rc = tu_run(cmd, &o);
		if (rc || *o)
			fail_msg("tshark (exit %d) on nicsim gen %s:\n%.2000s", rc, specs[i], o);
		free(o);
		/* And tshark sees the frames as their checksums say: all good. */
		snprintf(cmd, sizeof cmd,
			 "tshark -r '%s' -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE "
			 "-Y 'tcp.checksum.status == 1 || udp.checksum.status == 1' 2>/dev/null | wc -l",
			 out);
		rc = tu_run(cmd, &o);
		assert_int_equal(rc, 0);
		assert_true(strtoull(o, NULL, 10) > 0);
		free(o);
		unlink(out);
	}
}

static uint64_t json_u64(json_t *j, const char *obj, const char *sub, const char *key)
{
	json_t *v = json_object_get(json_object_get(sub ? json_object_get(j, obj) : j, sub ? sub : obj), key);
	if (!json_is_integer(v))
		fail_msg("report has no %s/%s/%s", obj, sub ? sub : "", key);
	return (uint64_t)json_integer_value(v);
}

/* nicsim run --json on a generated capture; returns the report's path
 * (a fresh temporary file). */
static const char *run_report(const char *pcap)
{
	const char *json = tu_tmpfile(".json");
	char cmd[8192], *o;
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --json '%s' '%s' 2>&1", tu_nicsim_bin(), json, pcap);
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("nicsim run: exit %d: %s", rc, o);
	free(o);
	return json;
}

/* 64-byte frames back to back at 10 Gb/s: nicsim run finds the host, paces
 * nothing (each frame starts after the previous has left the wire) and
 * finds every checksum good. */
static void test_gen_linerate_64_byte_trace_replays_unpaced_with_good_checksums(void **state)
{
	(void)state;
	const char *out = gen("--flows 64 --udp 50 --ipv6 25 --frame-size 64 --flow-size fixed:2000", ".pcap");
	const char *json = run_report(out);
	struct counts c = count_pcap(out);
	json_t *j = tu_load_json(json);
	assert_int_equal(json_u64(j, "replay", NULL, "paced_to_line_rate"), 0);
	assert_int_equal(json_u64(j, "replay", NULL, "rx_frames"), c.rx);
	assert_int_equal(json_u64(j, "replay", NULL, "tx_frames"), c.tx);
	assert_int_equal(json_u64(j, "nic", "rx_checksum", "l4_good"), c.rx);
	assert_int_equal(json_u64(j, "nic", "rx_checksum", "l4_bad"), 0);
	assert_int_equal(json_u64(j, "nic", "rx_checksum", "l4_not_checked"), 0);
	assert_int_equal(json_u64(j, "nic", "rx_checksum", "ip_bad"), 0);
	json_decref(j);
	unlink(json);
	unlink(out);
}

/* The host sending: nicsim run still finds the host by the SYNs it
 * receives, and every frame it sent, its data among them, is counted as
 * its transmission. 8 flows of 600 bytes in 64-byte frames: 6 over IPv4
 * (6 bytes a segment, D = 100: 53 to, 103 from) and 2 over IPv6 (the
 * headers fill 64 bytes, so 1 byte a segment, D = 600: 303 to, 603 from). */
static void test_gen_host_sending_trace_replays_with_the_host_data_as_tx(void **state)
{
	(void)state;
	const char *out = gen("--flows 8 --host-sends 100 --ipv6 25 --frame-size 64 --flow-size fixed:600", ".pcap");
	const char *json = run_report(out);
	struct counts c = count_pcap(out);
	assert_int_equal(c.rx, 6 * 53 + 2 * 303);
	assert_int_equal(c.tx, 6 * 103 + 2 * 603);
	json_t *j = tu_load_json(json);
	assert_int_equal(json_u64(j, "replay", NULL, "paced_to_line_rate"), 0);
	assert_int_equal(json_u64(j, "replay", NULL, "rx_frames"), c.rx);
	assert_int_equal(json_u64(j, "replay", NULL, "tx_frames"), c.tx);
	assert_int_equal(json_u64(j, "nic", "rx_checksum", "l4_bad"), 0);
	json_decref(j);
	unlink(json);
	unlink(out);
}

static void expect_refused(const char *args, const char *needle)
{
	char cmd[4096], *o;
	snprintf(cmd, sizeof cmd, "'%s' gen %s 2>&1", tu_nicsim_bin(), args);
	int rc = tu_run(cmd, &o);
	if (rc != 2 || !strstr(o, needle))
		fail_msg("nicsim gen %s: exit %d (want 2), output:\n%s\n(want '%s')", args, rc, o, needle);
	free(o);
}

static void test_gen_bad_options_are_refused_naming_the_option(void **state)
{
	(void)state;
	const char *o = "-o /dev/null";
	char a[512];
	static const char *const bad[][2] = {
		{ "--flows 0", "--flows 0:" },
		{ "--flows x", "--flows x:" },
		{ "--flow-size pareto:0.01:100", "--flow-size" },
		{ "--flow-size uniform:10:5", "--flow-size" },
		{ "--flow-size zipf:1:0", "--flow-size" },
		{ "--flow-size fixed:0", "--flow-size" },
		{ "--frame-size 63", "--frame-size 63:" },
		{ "--frame-size mix:64=0", "--frame-size" },
		{ "--frame-size mix:64", "--frame-size" },
		{ "--arrival poisson", "--arrival" },
		{ "--arrival onoff:0:5", "--arrival" },
		{ "--ipv6 101", "--ipv6 101:" },
		{ "--host-sends 100.5", "--host-sends 100.5:" },
		{ "--loss -1", "--loss" },
		{ "--rate-mbps 5", "--rate-mbps" },
		{ "--timestamps ps", "--timestamps" },
		{ "--concurrent 0", "--concurrent" },
		{ "--bogus 1", "unknown option --bogus" },
		{ "--seed", "--seed needs a value" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(a, sizeof a, "%s %s", o, bad[i][0]);
		expect_refused(a, bad[i][1]);
	}
	expect_refused("--flows 3", "--output FILE");
	const char *spec = tu_tmpfile(".ini");
	const char *text = "# a spec\nflows = 3\nflow-size = pareto:0:1\n";
	tu_write_file(spec, text, strlen(text));
	snprintf(a, sizeof a, "%s --spec '%s'", o, spec);
	expect_refused(a, "line 3: flow-size = pareto:0:1");
	unlink(spec);
}

/* A spec file sets what the options set; a later option wins. */
static void test_gen_spec_file_is_the_options(void **state)
{
	(void)state;
	const char *spec = tu_tmpfile(".ini");
	const char *text = "[gen]\nflows = 6\nudp = 50\nflow-size = fixed:14720\nseed = 9\n";
	tu_write_file(spec, text, strlen(text));
	char args[4096];
	snprintf(args, sizeof args, "--spec '%s' --flows 4", spec);
	const char *out = gen(args, ".pcap");
	struct counts c = count_pcap(out);
	/* 4 flows, 2 UDP (10 datagrams), 2 TCP/IPv4 of 14720 bytes: 11 segments (10 x 1460 + 120). */
	assert_int_equal(c.udp, 2);
	assert_int_equal(c.tcp, 2);
	assert_int_equal(c.rx, 2 * 10 + 2 * 15);
	assert_int_equal(c.tx, 2 * (11 / 2 + 2));
	unlink(out);
	unlink(spec);
}

/* The fixed-point arithmetic against values worked elsewhere: sqrt(2) and
 * log2(3) and 2^0.75 to 60 digits (Python's decimal module), splitmix64's first output
 * from state 0 (Vigna's splitmix64.c). */
static void test_gen_fixed_point_and_prng_match_published_values(void **state)
{
	(void)state;
	uint64_t st = 0;
	assert_true(gen_splitmix64(&st) == 0xe220a8397b1dcdafull);
	assert_true(gen_exp2_q62(1u << 31) == 0x5a827999fcef3242ull);   /* sqrt(2) x 2^62, truncated */
	assert_true(gen_exp2_q62(0) == 1ull << 62);
	assert_true(gen_log2_q32(1) == 0);
	assert_true(gen_log2_q32(1024) == 10ull << 32);
	/* log2(3) x 2^32 = 6807362105.98...; truncation may cost an ulp or two. */
	uint64_t l3 = gen_log2_q32(3);
	if (l3 > 6807362105ull || l3 < 6807362103ull)
		fail_msg("log2(3) in Q32: %" PRIu64 ", want 6807362105", l3);
	/* 2^0.75 x 2^62 = 7755900482342532474.11...; two truncated products. */
	uint64_t e = gen_exp2_q62(3u << 30);
	if (e > 7755900482342532474ull || e < 7755900482342532474ull - 8)
		fail_msg("2^0.75 in Q62: %" PRIu64 ", want 7755900482342532474", e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_fixed_point_and_prng_match_published_values),
		cmocka_unit_test(test_gen_flow_and_frame_counts_equal_the_spec),
		cmocka_unit_test(test_gen_same_spec_and_seed_give_the_same_bytes),
		cmocka_unit_test(test_gen_output_passes_tshark),
		cmocka_unit_test(test_gen_linerate_64_byte_trace_replays_unpaced_with_good_checksums),
		cmocka_unit_test(test_gen_host_sending_trace_replays_with_the_host_data_as_tx),
		cmocka_unit_test(test_gen_bad_options_are_refused_naming_the_option),
		cmocka_unit_test(test_gen_spec_file_is_the_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
