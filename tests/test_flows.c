/*
 * tests/test_flows.c — per-flow counting (traces/flows.c) against tshark.
 *
 * Expected values: every NAME.flows.csv under traces/ref (recursively)
 * was made by tshark from NAME.pcap / NAME.pcapng / NAME.pcap.gz (command in
 * traces/ref/README.md). flows_count_trace + flows_write_csv must reproduce each
 * one byte for byte; on a mismatch the first differing lines are printed.
 * The shipped captures directly in traces/ are checked the same way.
 * The table mechanics (growth, sorting, the NIC columns) are checked on
 * hand-made keys whose CSV text is written out here.
 */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "traces/flows.h"
#include "traces/reader.h"

/* Print the first few lines where a and b differ (line numbers 1-based). */
static void print_first_differences(const char *name, const char *got, const char *want)
{
	int line = 1, shown = 0;
	const char *g = got, *w = want;
	while ((*g || *w) && shown < 5) {
		const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
		size_t gl = ge ? (size_t)(ge - g) : strlen(g);
		size_t wl = we ? (size_t)(we - w) : strlen(w);
		if (gl != wl || memcmp(g, w, gl) != 0) {
			printf("%s: line %d\n  got:  %.*s\n  want: %.*s\n", name, line, (int)gl, g,
			       (int)wl, w);
			shown++;
		}
		g = ge ? ge + 1 : g + gl;
		w = we ? we + 1 : w + wl;
		line++;
	}
}

/* The capture next to NAME.flows.csv, or NULL. */
static const char *capture_for(const char *csv_path)
{
	static char buf[4096];
	static const char *const exts[] = {".pcap", ".pcapng", ".pcap.gz"};
	size_t base = strlen(csv_path) - strlen(".flows.csv");
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		snprintf(buf, sizeof buf, "%.*s%s", (int)base, csv_path, exts[i]);
		struct stat st;
		if (stat(buf, &st) == 0)
			return buf;
	}
	return NULL;
}

/* Count one capture and compare with its reference CSV. Returns 1 on match. */
static int check_one(const char *csv_path)
{
	const char *cap = capture_for(csv_path);
	if (!cap) {
		printf("%s: no capture next to it\n", csv_path);
		return 0;
	}
	struct flow_table *ft = flows_new();
	assert_non_null(ft);
	char err[TRACE_ERR_MAX];
	int rc = flows_count_trace(cap, ft, err, sizeof err);
	/* A capture whose last record is cut short (suri-pgsql-gro-offload.pcap
	 * ends one byte into a record header) is an error for the reader but
	 * tshark still reports the records before it; so must we. */
	if (rc != 0 && rc != TRACE_E_TRUNCATED) {
		printf("%s: %s\n", cap, err);
		flows_free(ft);
		return 0;
	}
	char *got = NULL;
	size_t got_len = 0;
	FILE *mem = open_memstream(&got, &got_len);
	assert_non_null(mem);
	assert_int_equal(flows_write_csv(ft, mem, false), 0);
	fclose(mem);
	flows_free(ft);

	size_t want_len = 0;
	char *want = tu_read_file(csv_path, &want_len);
	assert_non_null(want);
	int ok = got_len == want_len && memcmp(got, want, got_len) == 0;
	if (!ok)
		print_first_differences(csv_path, got, want);
	free(got);
	free(want);
	return ok;
}

struct flows_tally {
	int checked, failed;
};

static void check_csv(const char *path, void *ctx)
{
	struct flows_tally *t = ctx;
	t->checked++;
	if (!check_one(path))
		t->failed++;
}

/* Check every *.flows.csv under dir (below it too if is_recursive). */
static void walk(const char *dir, bool is_recursive, int *checked, int *failed)
{
	static const char *const csv[] = { ".flows.csv", NULL };
	struct flows_tally t = { 0, 0 };
	if (is_recursive)
		tu_walk_files(dir, csv, check_csv, &t);
	else
		tu_walk_dir(dir, csv, check_csv, &t);
	*checked = t.checked;
	*failed = t.failed;
}

static void test_flows_match_every_tshark_reference_csv(void **state)
{
	(void)state;
	int checked = 0, failed = 0;
	walk(tu_ref_dir(), true, &checked, &failed);
	printf("flows: %d reference CSVs checked, %d differ\n", checked, failed);
	/* traces/ref/README.md lists 28 captures with references; a missing directory
	 * must not pass silently. */
	assert_true(checked >= 28);
	assert_int_equal(failed, 0);
}

static void test_flows_match_shipped_copies_in_the_source_tree(void **state)
{
	(void)state;
	int checked = 0, failed = 0;
	walk(tu_path(tu_src_dir(), "traces"), false, &checked, &failed);
	printf("flows: %d shipped CSVs checked, %d differ\n", checked, failed);
	assert_int_equal(failed, 0);
}

static struct flow_key v4_key(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct flow_key k;
	memset(&k, 0, sizeof k);
	for (int i = 0; i < 4; i++) {
		k.src[i] = (uint8_t)(src >> (24 - 8 * i));
		k.dst[i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	k.proto = proto;
	k.sport = sport;
	k.dport = dport;
	return k;
}

static void test_flows_rows_sort_as_text_with_nic_columns(void **state)
{
	(void)state;
	struct flow_table *ft = flows_new();
	assert_non_null(ft);
	/* Inserted out of order; as text "10.0.0.138" < "10.0.0.4" and port
	 * "80," < "8080" (',' sorts before digits). */
	struct flow_key k1 = v4_key(6, 0x0a000004, 8080, 0x0a000001, 1);
	struct flow_key k2 = v4_key(6, 0x0a00008a, 5005, 0x0a000004, 49682);
	struct flow_key k3 = v4_key(6, 0x0a000004, 80, 0x0a000001, 1);
	struct flow_key k4 = v4_key(17, 0x0a000004, 53, 0x0a000001, 1);
	struct flow_key k6;
	memset(&k6, 0, sizeof k6);
	k6.is_ipv6 = 1;
	k6.proto = 6;
	k6.src[0] = 0xfd;
	k6.src[1] = 0x77;
	k6.src[15] = 1;
	k6.dst[0] = 0x20;
	k6.dst[1] = 0x01;
	k6.dst[2] = 0x0d;
	k6.dst[3] = 0xb8;
	k6.dst[7] = 1; /* 2001:db8:0:1:: — a single zero group stays "0" */
	k6.sport = 443;
	k6.dport = 50000;

	struct flow_entry *e = flows_get(ft, &k1, 1);
	e->packets = 1;
	e->bytes = 60;
	e->has_rx = 1;
	e->rss_hash = 0x0badf00d;
	e->queue = 3;
	struct flow_entry *e2 = flows_get(ft, &k2, 2);
	e2->packets = 5;
	e2->bytes = 495;
	e = flows_get(ft, &k3, 3);
	e->packets = 2;
	e->bytes = 120;
	e->has_rx = 1;
	e->rss_hash = 0x00000001;
	e->queue = 0;
	e = flows_get(ft, &k4, 4);
	e->packets = 1;
	e->bytes = 80;
	e = flows_get(ft, &k6, 5);
	e->packets = 7;
	e->bytes = 700;
	/* Finding an existing flow returns the same entry and keeps its
	 * first record. */
	assert_ptr_equal(flows_get(ft, &k2, 99), e2);
	assert_int_equal(e2->first_record, 2);
	assert_int_equal(flows_count(ft), 5);

	char *got = NULL;
	size_t got_len = 0;
	FILE *mem = open_memstream(&got, &got_len);
	assert_int_equal(flows_write_csv(ft, mem, true), 0);
	fclose(mem);
	assert_string_equal(got,
			    "proto,src,sport,dst,dport,packets,bytes,rss_hash,queue\n"
			    "tcp,10.0.0.138,5005,10.0.0.4,49682,5,495,,\n"
			    "tcp,10.0.0.4,80,10.0.0.1,1,2,120,00000001,0\n"
			    "tcp,10.0.0.4,8080,10.0.0.1,1,1,60,0badf00d,3\n"
			    "tcp,fd77::1,443,2001:db8:0:1::,50000,7,700,,\n"
			    "udp,10.0.0.4,53,10.0.0.1,1,1,80,,\n");
	free(got);
	flows_free(ft);
}

static void test_flows_table_grows_and_keeps_every_flow(void **state)
{
	(void)state;
	/* 100,000 distinct flows (many doublings from 64 slots), each seen
	 * three times; every count must come out 3 and pointers stay valid. */
	struct flow_table *ft = flows_new();
	assert_non_null(ft);
	enum { N = 100000 };
	struct flow_entry **first = malloc(N * sizeof *first);
	assert_non_null(first);
	for (int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < N; i++) {
			struct flow_key k = v4_key(6, 0xc0a80000u + (i >> 16), (uint16_t)i, 0x0a000001, 80);
			struct flow_entry *e = flows_get(ft, &k, (uint64_t)round * N + i + 1);
			assert_non_null(e);
			if (round == 0)
				first[i] = e;
			else
				assert_ptr_equal(e, first[i]);
			e->packets++;
		}
	}
	assert_int_equal(flows_count(ft), N);
	struct flow_entry **rows = flows_sorted(ft);
	assert_non_null(rows);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(rows[i]->packets, 3);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(first[i]->first_record, i + 1);
	free(first);
	flows_free(ft);
}

/* strcmp order of the CSV lines in text, and how many there are. */
static size_t csv_rows_in_order(char *text)
{
	size_t rows = 0;
	char *prev = NULL, *save = NULL;
	strtok_r(text, "\n", &save);   /* the header */
	for (char *line; (line = strtok_r(NULL, "\n", &save)) != NULL; prev = line, rows++)
		if (prev && strcmp(prev, line) >= 0)
			fail_msg("row %zu out of text order:\n  %s\n  %s", rows, prev, line);
	return rows;
}

static void test_flows_rows_sort_as_text_across_many_sort_runs(void **state)
{
	(void)state;
	/* More flows than one sort run holds (3 * 4096 + 17), IPv4 and IPv6,
	 * inserted in scrambled order: the CSV rows come out in strcmp order
	 * of whole lines, the order tshark's references are sorted in, each
	 * flow once. */
	enum { N = 3 * 4096 + 17 };
	struct flow_table *ft = flows_new();
	assert_non_null(ft);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t x = (i * 2654435761u) % 1000003u;   /* i in a scrambled order, spread over 0..1000002 */
		struct flow_key k = v4_key(x % 3 ? 6 : 17, 0x0a000000u + x % 700, (uint16_t)(x / 7), 0x0a000001, 80);
		if (x % 5 == 0) {
			memset(&k, 0, sizeof k);
			k.is_ipv6 = 1;
			k.proto = 6;
			k.src[0] = 0xfd;
			k.src[14] = (uint8_t)(x >> 8);
			k.src[15] = (uint8_t)x;
			k.dst[15] = 1;
			k.sport = (uint16_t)(x % 97);
			k.dport = 443;
		}
		struct flow_entry *e = flows_get(ft, &k, i + 1);
		assert_non_null(e);
		e->packets++;
	}
	char *got = NULL;
	size_t got_len = 0;
	FILE *mem = open_memstream(&got, &got_len);
	assert_int_equal(flows_write_csv(ft, mem, false), 0);
	fclose(mem);
	/* The N keys are all distinct (counted outside nicsim when the test was
	 * written), so every one is a row. */
	assert_int_equal(flows_count(ft), N);
	assert_int_equal(csv_rows_in_order(got), N);
	free(got);
	flows_free(ft);
}

static void test_flows_top_by_bytes_ranks_most_bytes_first_then_first_seen(void **state)
{
	(void)state;
	/* Flows first seen at records 1..5 with 100, 300, 100, 200, 300 bytes:
	 * by bytes, ties to the one seen first, the order is records 2, 5, 4,
	 * 1, 3. */
	static const uint64_t bytes[] = { 100, 300, 100, 200, 300 };
	struct flow_table *ft = flows_new();
	assert_non_null(ft);
	for (uint32_t i = 0; i < 5; i++) {
		struct flow_key k = v4_key(6, 0x0a000001, (uint16_t)(1000 + i), 0x0a000002, 80);
		struct flow_entry *e = flows_get(ft, &k, i + 1);
		assert_non_null(e);
		e->packets = 1;
		e->bytes = bytes[i];
	}
	static const uint64_t want[] = { 2, 5, 4, 1, 3 };
	struct flow_entry *top[8];
	for (uint32_t n = 0; n <= 8; n++) {
		uint32_t got = flows_top_by_bytes(ft, top, n);
		assert_int_equal(got, n < 5 ? n : 5);
		for (uint32_t i = 0; i < got; i++)
			assert_int_equal(top[i]->first_record, want[i]);
	}
	flows_free(ft);
}

static void test_flows_key_of_skips_fragments_icmp_and_unparsed(void **state)
{
	(void)state;
	struct parse_result pr;
	struct flow_key k;
	memset(&pr, 0, sizeof pr);
	pr.l3 = PARSE_L3_IPV4;
	pr.l4 = PARSE_L4_NONE;
	pr.flags = PARSE_F_FRAG; /* a later fragment */
	assert_false(flows_key_of(&pr, &k));
	pr.l4 = PARSE_L4_OTHER;  /* ICMP */
	pr.ip_proto = 1;
	assert_false(flows_key_of(&pr, &k));
	pr.l4 = PARSE_L4_TCP;    /* TCP header cut before the ports */
	pr.ip_proto = 6;
	pr.status = PARSE_TRUNC_L4;
	assert_false(flows_key_of(&pr, &k));
	pr.flags |= PARSE_F_HAS_PORTS; /* ports captured, rest cut: counts */
	pr.sport = 1;
	pr.dport = 2;
	assert_true(flows_key_of(&pr, &k));
	assert_int_equal(k.proto, 6);
	assert_int_equal(k.is_ipv6, 0);
}

static void test_flows_count_trace_names_the_file_it_cannot_open(void **state)
{
	(void)state;
	struct flow_table *ft = flows_new();
	char err[TRACE_ERR_MAX] = "";
	int rc = flows_count_trace("/nonexistent/nicsim-flows.pcap", ft, err, sizeof err);
	assert_true(rc < 0);
	assert_non_null(strstr(err, "/nonexistent/nicsim-flows.pcap"));
	assert_int_equal(flows_count(ft), 0);
	flows_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flows_match_every_tshark_reference_csv),
		cmocka_unit_test(test_flows_match_shipped_copies_in_the_source_tree),
		cmocka_unit_test(test_flows_rows_sort_as_text_with_nic_columns),
		cmocka_unit_test(test_flows_table_grows_and_keeps_every_flow),
		cmocka_unit_test(test_flows_rows_sort_as_text_across_many_sort_runs),
		cmocka_unit_test(test_flows_top_by_bytes_ranks_most_bytes_first_then_first_seen),
		cmocka_unit_test(test_flows_key_of_skips_fragments_icmp_and_unparsed),
		cmocka_unit_test(test_flows_count_trace_names_the_file_it_cannot_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
