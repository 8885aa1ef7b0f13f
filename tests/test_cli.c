/*
 * The nicsim program as a user drives it: `info --flows` against the tshark
 * reference CSVs for every reference capture in traces/ref (and the shipped
 * captures in traces/), and bad input answered with a message naming the file, record or
 * key and the documented exit status — never a crash.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int checked;

static void check_flows(const char *cap, void *ctx)
{
	(void)ctx;
	char ref[4096], cmd[12288];
	/* The reference: the capture's name up to ".pcap", then ".flows.csv". */
	snprintf(ref, sizeof ref, "%s", cap);
	*strstr(strrchr(ref, '/'), ".pcap") = 0;
	snprintf(ref + strlen(ref), sizeof ref - strlen(ref), ".flows.csv");
	char *want = tu_read_file(ref, NULL);
	if (!want)
		return; /* no reference for this capture */
	const char *out = tu_tmpfile(".csv");
	snprintf(cmd, sizeof cmd, "'%s' info --top 0 --flows '%s' '%s' 2>&1", tu_nicsim_bin(), out, cap);
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("%s: exit %d: %s", cap, rc, o);
	free(o);
	char *got = tu_read_file(out, NULL);
	if (strcmp(got, want)) {
		char *a = got, *b = want;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		fail_msg("%s: flows differ from the tshark reference at line %d:\n now:    %.80s\n tshark: %.80s", cap,
			 line, a, b);
	}
	free(got);
	free(want);
	unlink(out);
	checked++;
}

static void test_cli_info_flows_match_tshark_for_every_reference_capture(void **state)
{
	(void)state;
	checked = 0;
	tu_walk_files(tu_ref_dir(), tu_capture_suffixes, check_flows, NULL);
	assert_true(checked >= 28); /* 6 recorded + 9 edge + 11 real + 2 bench (traces/ref/README.md) */
	checked = 0;
	tu_walk_dir(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, check_flows, NULL);
	assert_int_equal(checked, 5);
}

/* Run nicsim with args; expect exit status and every needle in the output. */
static void expect(const char *args, int status, const char *n1, const char *n2)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", tu_nicsim_bin(), args);
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc != status || (n1 && !strstr(o, n1)) || (n2 && !strstr(o, n2)))
		fail_msg("nicsim %s: exit %d (want %d), output:\n%s\n(want '%s' and '%s')", args, rc, status, o,
			 n1 ? n1 : "", n2 ? n2 : "");
	free(o);
}

/* The reference pages are generated from the declarations in the code
 * (parameters, counters); the shipped pages must be what the program
 * writes today, byte for byte. */
static void expect_generated(const char *args, const char *doc)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' %s", tu_nicsim_bin(), args);
	char *out;
	assert_int_equal(tu_run(cmd, &out), 0);
	size_t len;
	char *shipped = tu_read_file(tu_path(tu_src_dir(), doc), &len);
	assert_non_null(shipped);
	if (strcmp(out, shipped))
		fail_msg("%s differs from `nicsim %s`: regenerate it (nicsim %s > %s)", doc, args, args, doc);
	free(out);
	free(shipped);
}

static void test_cli_reference_pages_are_what_the_declarations_generate(void **state)
{
	(void)state;
	expect_generated("config --docs", "docs/config.md");
	expect_generated("schema", "docs/report.md");
}

static void test_cli_bad_input_gets_a_message_naming_the_place(void **state)
{
	(void)state;
	char args[8192];
	/* Bad magic. */
	const char *junk = tu_tmpfile(".pcap");
	tu_write_file(junk, "this is not a capture file at all", 33);
	snprintf(args, sizeof args, "run '%s'", junk);
	expect(args, 3, junk, "magic");
	snprintf(args, sizeof args, "info '%s'", junk);
	expect(args, 3, junk, "magic");
	/* A record whose caplen exceeds the snaplen: named by record number. The
	 * file is a valid pcap header (snaplen 64) + one good record + one bad. */
	uint8_t f[24 + 16 + 60 + 16] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	f[16] = 64;  /* snaplen */
	f[20] = 1;   /* ethernet */
	f[24 + 8] = 60;
	f[24 + 12] = 60;
	uint8_t *r2 = f + 24 + 16 + 60;
	r2[8] = 0xe8;
	r2[9] = 0x03; /* caplen 1000 > snaplen 64 */
	r2[12] = 0xe8;
	r2[13] = 0x03;
	const char *big = tu_tmpfile(".pcap");
	tu_write_file(big, f, sizeof f);
	snprintf(args, sizeof args, "run '%s'", big);
	expect(args, 3, "record 2", "snaplen");
	/* Missing file. */
	expect("run /nonexistent/trace.pcap", 3, "/nonexistent/trace.pcap", NULL);
	/* Configuration refused before the run, naming the key. */
	snprintf(args, sizeof args, "run --set rss.table_size=100 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "rss.table_size", "power of two");
	snprintf(args, sizeof args, "run --set rss.queues=0 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "rss.queues", NULL);
	snprintf(args, sizeof args, "run --set rss.key=00 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "rss.key", NULL);
	/* EITR's interval field is 16 bits: a longer interval would have been
	 * cut to its low 16 bits on the way to the register (70000 us -> 4464). */
	snprintf(args, sizeof args, "run --set irq.usecs=70000 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "irq.usecs", "0..65535");
	/* host.ip / host.mac are configuration: refused before the trace is
	 * read (exit 2, not the unreadable-trace 3), and by `config` too. */
	snprintf(args, sizeof args, "run --set host.mac=zz '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "host.mac", "'zz'");
	expect("config --set host.ip=1.2.3", 2, "host.ip", "'1.2.3'");
	snprintf(args, sizeof args, "run --set nosuch.key=1 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "nosuch.key", "unknown key");
	const char *ini = tu_tmpfile(".ini");
	tu_write_file(ini, "[rss]\nqueues = 4\ntable_siz = 64\n", 33);
	snprintf(args, sizeof args, "run --config '%s' '%s/traces/bulk-ipv6.pcap'", ini, tu_src_dir());
	expect(args, 2, ini, "rss.table_siz");
	expect("frobnicate", 2, "unknown command", NULL);
	expect("run --no-such-option x.pcap", 2, "--no-such-option", NULL);
	unlink(junk);
	unlink(big);
	unlink(ini);
}

static void test_cli_help_and_config_come_from_the_parameter_tables(void **state)
{
	(void)state;
	expect("--help", 0, "run TRACE", "check REPORT GOLDEN");
	expect("help run", 0, "--set KEY=VALUE", "--json FILE");
	expect("config", 0, "[rss]", "table_size = 128");
	expect("config --docs", 0, "`rss.table_size`", "82599");
	expect("config --changed --set rss.queues=16", 0, "queues = 16", NULL);
}

/* `nicsim pcie`, against figures worked by hand from the PCIe facts
 * (docs/pcie.md): Gen3 x8 carries 8 GT/s x 8 lanes x 128/130 = 63.015 Gb/s;
 * a 64-bit MWr costs 24 B a TLP and a CplD 20 B; DLLPs and SKIPs add 8.9%.
 * - write of 64 B: one MWr of 64 + 24 = 88 B, 88 x 8 x 1.089 = 766.656 bits
 *   in 766.656 / 63.015385 = 12.1661 ns, rounded up to 12.167 ns; back to back
 *   512 bits / 12.167 ns = 42.081 Gb/s (42081038 kb/s).
 * - read of 64 B: MRd 24 B (3.3185 -> 3.319 ns) + 545 ns + CplD 64 + 20 =
 *   84 B (11.6132 -> 11.614 ns) = 559.933 ns. */
static void test_cli_pcie_prints_tlps_bytes_bandwidth_and_latency(void **state)
{
	(void)state;
	expect("pcie --size 64 --dir write", 0, "1 MWr TLP, 88 B on the link", "12.167 ns");
	expect("pcie --size 64 --dir write", 0, "Gen3 x8", "42.081 Gb/s");
	expect("pcie --size 64 --dir read", 0, "1 CplD completion, 84 B", "559.933 ns");
	/* 1500 B at MPS 256: ceil(1500 / 256) = 6 MWr, 1500 + 6 x 24 = 1644 B. */
	expect("pcie --size 1500 --dir write", 0, "6 MWr TLPs, 1644 B", NULL);
	/* Gen1 x1: 2 Gb/s; 88 B x 8 x 1.089 / 2 Gb/s = 383.328 ns exactly. */
	expect("pcie --gen 1 --lanes 1 --size 64 --dir write", 0, "2.000 Gb/s a direction", "383.328 ns");
	/* Options take the configuration's pcie.* values as their defaults. */
	const char *ini = tu_tmpfile(".ini");
	tu_write_file(ini, "[pcie]\ngen = 1\nlanes = 1\n", 25);
	char args[8192];
	snprintf(args, sizeof args, "pcie --config '%s' --size 64 --dir write", ini);
	expect(args, 0, "Gen1 x1", "383.328 ns");
	unlink(ini);

	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' pcie --size 64 --json", tu_nicsim_bin());
	char *out;
	assert_int_equal(tu_run(cmd, &out), 0);
	json_error_t jerr;
	json_t *j = json_loads(out, 0, &jerr);
	if (!j)
		fail_msg("nicsim pcie --json is not JSON: %s\n%s", jerr.text, out);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "link"), "encoded_kbps")), 63015384);
	json_t *w = json_array_get(json_object_get(j, "transfers"), 0);
	json_t *r = json_array_get(json_object_get(j, "transfers"), 1);
	assert_string_equal(json_string_value(json_object_get(w, "dir")), "write");
	assert_int_equal(json_integer_value(json_object_get(w, "link_bytes")), 88);
	assert_int_equal(json_integer_value(json_object_get(w, "latency_ps")), 12167);
	assert_int_equal(json_integer_value(json_object_get(w, "data_kbps")), 42081038);
	assert_string_equal(json_string_value(json_object_get(r, "dir")), "read");
	assert_int_equal(json_integer_value(json_object_get(r, "latency_ps")), 559933);
	/* 32 tags x 512 bits / 559.933 ns = 29.2606 Gb/s (29260643 kb/s), below the
	 * completions' 512 bits / 11.614 ns = 44.08 Gb/s. */
	assert_string_equal(json_string_value(json_object_get(r, "limit")), "tags");
	assert_int_equal(json_integer_value(json_object_get(r, "data_kbps")), 29260643);
	json_decref(j);
	free(out);
}

/* The examples in README.md and docs/pcie.md are what `nicsim pcie` prints
 * today: every line of its output appears in them, indented as a code block. */
static void test_cli_pcie_examples_in_the_docs_are_current(void **state)
{
	(void)state;
	static const struct {
		const char *args, *doc;
	} ex[] = {
		{ "pcie --size 1500 --dir write", "README.md" },
		{ "pcie --size 1500 --dir write", "docs/pcie.md" },
		{ "pcie --size 64 --dir read", "docs/pcie.md" },
	};
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "'%s' %s", tu_nicsim_bin(), ex[i].args);
		char *out;
		assert_int_equal(tu_run(cmd, &out), 0);
		char *doc = tu_read_file(tu_path(tu_src_dir(), ex[i].doc), NULL);
		assert_non_null(doc);
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
			char want[1024];
			snprintf(want, sizeof want, "\n    %s\n", line);
			if (!strstr(doc, want))
				fail_msg("%s: the example of `nicsim %s` lacks the line '%s'; paste the output again",
					 ex[i].doc, ex[i].args, line);
		}
		free(doc);
		free(out);
	}
}

static void test_cli_pcie_refuses_bad_values_naming_the_option(void **state)
{
	(void)state;
	expect("pcie --gen 7", 2, "--gen 7", "pcie.gen");
	expect("pcie --lanes 3", 2, "--lanes 3", "power of two");
	expect("pcie --size 0", 2, "--size", "1 to 1G");
	expect("pcie --mps 100", 2, "--mps 100", "128..4096");
	expect("pcie --dir sideways", 2, "--dir", "write, read or both");
	expect("pcie --gen", 2, "--gen needs a value", NULL);
	expect("pcie --frob", 2, "unknown option --frob", NULL);
	expect("pcie --set pcie.rcb=256", 2, "pcie.rcb", "64..128");
	expect("help pcie", 0, "--read-latency-ns N", "sets pcie.read_tags");
	expect("--help", 0, "pcie ", "latency of one");
}

/* The retired DMA keys are refused, from --set and from a file, with the
 * pcie.* keys that replace them. */
static void test_cli_retired_dma_keys_name_their_pcie_replacements(void **state)
{
	(void)state;
	char args[8192];
	snprintf(args, sizeof args, "run --set nic.dma_latency_ns=500 '%s/traces/bulk-ipv6.pcap'", tu_src_dir());
	expect(args, 2, "nic.dma_latency_ns: removed", "pcie.read_latency_ns");
	expect("config --set nic.dma_rate_mbps=5000", 2, "nic.dma_rate_mbps: removed", "pcie.lanes");
	const char *ini = tu_tmpfile(".ini");
	tu_write_file(ini, "[nic]\ndma_latency_ns = 500\n", 26);
	snprintf(args, sizeof args, "config --config '%s'", ini);
	expect(args, 2, ini, "pcie.read_latency_ns");
	unlink(ini);
	/* and `nicsim config` no longer writes them */
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' config", tu_nicsim_bin());
	char *out;
	assert_int_equal(tu_run(cmd, &out), 0);
	assert_null(strstr(out, "dma_latency_ns"));
	assert_null(strstr(out, "dma_rate_mbps"));
	assert_non_null(strstr(out, "[pcie]\ngen = 3\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_info_flows_match_tshark_for_every_reference_capture),
		cmocka_unit_test(test_cli_bad_input_gets_a_message_naming_the_place),
		cmocka_unit_test(test_cli_reference_pages_are_what_the_declarations_generate),
		cmocka_unit_test(test_cli_help_and_config_come_from_the_parameter_tables),
		cmocka_unit_test(test_cli_pcie_prints_tlps_bytes_bandwidth_and_latency),
		cmocka_unit_test(test_cli_pcie_examples_in_the_docs_are_current),
		cmocka_unit_test(test_cli_pcie_refuses_bad_values_naming_the_option),
		cmocka_unit_test(test_cli_retired_dma_keys_name_their_pcie_replacements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
