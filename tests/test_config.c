/*
 * The configuration front end: `nicsim config` output (config_write_ini)
 * reads back through config_load to the same value for every key, also for
 * text holding ';', '#', quotes and blanks; files that are not text, or a
 * directory, are refused with the file and line; docs/example.ini is what
 * the code generates; every number in rebalance.schedule is range-checked;
 * contradictions between keys are refused or warned about, naming both keys.
 *
 * Expected values are written out by hand here, in the form `nicsim config`
 * prints them (decimal numbers, lowercase hex, flags joined by '|' in table
 * order), never produced by the code under test.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/ini.h"

/* Every key, a value away from its default as a user might write it, and
 * that value as `nicsim config` prints it. Together they pass
 * config_validate: legacy mode (one queue), so the schedule moves to queue 0. */
static const struct {
	const char *key, *set, *want;
} every_key[] = {
	{ "run.stop_us", "123456", "123456" },
	{ "replay.timing", "SCALED", "scaled" },
	{ "replay.speed_pct", "250", "250" },
	{ "replay.loops", "3", "3" },
	{ "replay.gap_us", "0x4d", "77" },
	{ "replay.max_gap_us", "0x3e8", "1000" },
	{ "replay.resegment", "false", "false" },
	{ "mac.rate_mbps", "25000", "25000" },
	{ "mac.overhead_bytes", "12", "12" },
	{ "mac.fcs_bytes", "0", "0" },
	{ "mac.rx_fifo_bytes", "256k", "262144" }, /* 256 * 1024 */
	{ "mac.mtu", "9000", "9000" },
	{ "mac.tx_fifo_bytes", "64k", "65536" },
	{ "nic.clock_mhz", "322", "322" },
	{ "nic.parse_depth_cycles", "3", "3" },
	{ "nic.csum_width_bytes", "16", "16" },
	{ "nic.rss_width_bytes", "8", "8" },
	{ "nic.indir_latency_cycles", "2", "2" },
	{ "nic.rx_csum", "off", "false" },
	{ "pcie.gen", "4", "4" },
	{ "pcie.lanes", "16", "16" },
	{ "pcie.mps", "512", "512" },
	{ "pcie.mrrs", "4k", "4096" },
	{ "pcie.rcb", "128", "128" },
	{ "pcie.read_latency_ns", "0x258", "600" },
	{ "pcie.read_tags", "256", "256" },
	{ "pcie.dllp_permille", "12", "12" },
	{ "pcie.addr64", "off", "false" },
	{ "rss.queues", "6", "6" },
	{ "rss.table_size", "256", "256" },
	{ "rss.tunnel_hash", "inner", "inner" },
	{ "rss.key", "0x00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff0011223344556677",
	  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677" },
	{ "rss.hash_types", "udp_ipv6,IPV4", "ipv4|udp_ipv6" },
	{ "rss.base_cpu", "2", "2" },
	{ "rss.max_cpus", "6", "6" },
	{ "rss.default_queue", "5", "5" },
	{ "irq.mode", "adaptive", "adaptive" },
	{ "irq.timing", "DELAY", "delay" },
	{ "irq.usecs", "20", "20" },
	{ "irq.frames", "7", "7" },
	{ "irq.adaptive_conservative", "no", "false" },
	{ "host.cpus", "12", "12" },
	{ "host.clock_mhz", "2100", "2100" },
	{ "host.mode", "legacy", "legacy" },
	{ "host.ring_entries", "1024", "1024" },
	{ "host.buf_bytes", "4096", "4096" },
	{ "host.dpc_budget_pkts", "32", "32" },
	{ "host.tx_ring_entries", "256", "256" },
	{ "host.tx_backlog_pkts", "500", "500" },
	{ "host.rx_drop_en", "off", "off" },
	{ "host.gro", "true", "true" },
	{ "host.app_cpu", "same", "same" },
	{ "host.ip", "10.1.2.3, fd00::7", "10.1.2.3, fd00::7" },
	{ "host.mac", "02:00:00:00:00:0a", "02:00:00:00:00:0a" },
	{ "cost.irq_cycles", "1", "1" },
	{ "cost.rx_pkt_cycles", "2", "2" },
	{ "cost.rx_tcp_cycles", "4k", "4096" },
	{ "cost.rx_other_cycles", "4", "4" },
	{ "cost.copy_mcyc_per_byte", "5", "5" },
	{ "cost.csum_mcyc_per_byte", "6", "6" },
	{ "cost.dpc_cycles", "7", "7" },
	{ "cost.ack_rx_cycles", "8", "8" },
	{ "cost.tx_wire_cycles", "9", "9" },
	{ "cost.tx_wire_tso_cycles", "10", "10" },
	{ "cost.ack_tx_cycles", "11", "11" },
	{ "cost.tx_copy_mcyc_per_byte", "12", "12" },
	{ "cost.tx_clean_cycles", "13", "13" },
	{ "cost.toe_offload_cycles", "14", "14" },
	{ "cost.toe_upload_cycles", "15", "15" },
	{ "cost.toe_io_cycles", "16", "16" },
	{ "cost.rx_app_cycles", "17", "17" },
	{ "cost.gro_seg_cycles", "18", "18" },
	{ "cost.dma_cycles", "19", "19" },
	{ "cost.x_remote_permille", "1450", "1450" },
	{ "cost.ref_clock_mhz", "2000", "2000" },
	{ "cost.rx_mem_pct", "40", "40" },
	{ "cost.tx_mem_pct", "30", "30" },
	{ "cost.irq_per_frame", "yes", "true" },
	{ "rebalance.policy", "busiest_to_idlest", "busiest_to_idlest" },
	{ "rebalance.interval_us", "250", "250" },
	{ "rebalance.move", "drain", "drain" },
	{ "rebalance.drain_timeout_us", "30", "30" },
	/* " ;" would start a comment in a bare INI value */
	{ "rebalance.schedule", "500:0-63=0 ;900:5=0", "500:0-63=0 ;900:5=0" },
	{ "tx.lso", "off", "false" },
	{ "tx.csum", "no", "false" },
	{ "tx.coalesce_gap_us", "0", "0" },
	{ "toe.enable", "on", "true" },
	{ "toe.offload_after_bytes", "0", "0" },
	{ "toe.track_conns", "100", "100" },
	{ "toe.replay_hold_us", "250", "250" },
	{ "toe.conns", "77", "77" },
	{ "toe.reasm_bytes", "1000", "1000" },
	{ "toe.ooo_upload_segs", "9", "9" },
	{ "toe.delack_us", "40000", "40000" },
	{ "toe.ack_every_segs", "1", "1" },
	{ "toe.rto_initial_us", "3000000", "3000000" },
	{ "toe.rto_min_us", "300000", "300000" },
	{ "toe.rto_max_us", "120000000", "120000000" },
	{ "toe.max_retrans", "8", "8" },
	{ "toe.snd_buf_bytes", "65536", "65536" },
	{ "netdma.enable", "on", "true" },
	{ "netdma.channels", "2", "2" },
	{ "netdma.copybreak_bytes", "2048", "2048" },
	{ "netdma.channel_mbps", "8000", "8000" },
	{ "netdma.latency_ns", "500", "500" },
	{ "netdma.completion", "INTERRUPT", "interrupt" },
	{ "netdma.overlap_pct", "50", "50" },
	{ "netdma.with_chimney", "1", "true" },
};
#define N_KEYS (sizeof every_key / sizeof every_key[0])

/* The value of key in cfg, as `nicsim config` prints it. */
static const char *value_of(const struct nicsim_cfg *cfg, const char *key)
{
	static char v[PARAM_VALUE_CHARS_MAX];
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++)
			if (!strcmp(d->key, key)) {
				param_format(d, (const char *)cfg + g->cfg_offset, v, sizeof v);
				return v;
			}
	fail_msg("%s: not a key", key);
	return NULL;
}

/* cfg written by config_write_ini, then loaded into defaults. */
static void write_and_load(const struct nicsim_cfg *cfg, bool only_changed, struct nicsim_cfg *back, char **text)
{
	const char *path = tu_tmpfile(".ini");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	config_write_ini(cfg, f, only_changed);
	assert_int_equal(fclose(f), 0);
	config_defaults(back);
	char err[1024];
	if (config_load(back, path, err, sizeof err))
		fail_msg("reading back what config_write_ini wrote: %s", err);
	if (text)
		*text = tu_read_file(path, NULL);
	unlink(path);
}

static void test_config_ini_round_trips_every_key_set_away_from_its_default(void **state)
{
	(void)state;
	struct nicsim_cfg def, cfg, back;
	config_defaults(&def);
	config_defaults(&cfg);
	char err[1024];
	/* The list covers every key, each away from its default. */
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++) {
			if (config_retired(d->key))
				continue;   /* refused by config_set_kv, never written */
			size_t i = 0;
			while (i < N_KEYS && strcmp(every_key[i].key, d->key))
				i++;
			if (i == N_KEYS)
				fail_msg("%s: not in every_key[]; give it a value away from its default", d->key);
			if (!strcmp(value_of(&def, d->key), every_key[i].want))
				fail_msg("%s: %s is its default; choose another value", d->key, every_key[i].want);
		}
	for (size_t i = 0; i < N_KEYS; i++)
		if (config_set_kv(&cfg, every_key[i].key, every_key[i].set, err, sizeof err))
			fail_msg("%s", err);
	if (config_validate(&cfg, err, sizeof err))
		fail_msg("the test's configuration is refused: %s", err);
	for (int only_changed = 0; only_changed <= 1; only_changed++) {
		write_and_load(&cfg, only_changed, &back, NULL);
		for (size_t i = 0; i < N_KEYS; i++)
			if (strcmp(value_of(&back, every_key[i].key), every_key[i].want))
				fail_msg("%s: wrote %s, read back '%s'", every_key[i].key, every_key[i].want,
					 value_of(&back, every_key[i].key));
	}
}

static void test_config_ini_quotes_values_that_hold_semicolons_hashes_quotes_or_edge_blanks(void **state)
{
	(void)state;
	/* rebalance.schedule takes any text until config_validate reads it. */
	static const char *values[] = {
		"500:0-63=1;900:5=0",
		"500:0-63=1 ; 900:5=0",
		"a #b",
		"#",
		";",
		" lead",
		"trail ",
		"\tx\t",
		"say \"hi\"",
		"back\\slash",
		"\\\"",
		"\"",
		"",
		"caf\xc3\xa9 \xe2\x82\xac",
	};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		struct nicsim_cfg cfg, back;
		config_defaults(&cfg);
		char err[1024];
		if (config_set_kv(&cfg, "rebalance.schedule", values[i], err, sizeof err))
			fail_msg("%s", err);
		write_and_load(&cfg, false, &back, NULL);
		if (strcmp(back.rebalance.schedule, values[i]))
			fail_msg("'%s' read back as '%s'", values[i], back.rebalance.schedule);
	}
	/* The form written, by hand: quotes around what holds ';', a
	 * backslash before '"' and '\'; plain text stays bare. */
	struct nicsim_cfg cfg, back;
	config_defaults(&cfg);
	assert_int_equal(config_set_kv(&cfg, "rebalance.schedule", "500:0-63=1;900:5=0", NULL, 0), 0);
	assert_int_equal(config_set_kv(&cfg, "host.ip", "10.0.0.1", NULL, 0), 0);
	char *text;
	write_and_load(&cfg, true, &back, &text);
	assert_string_equal(text, "[host]\nip = 10.0.0.1\n[rebalance]\nschedule = \"500:0-63=1;900:5=0\"\n");
	free(text);
	assert_int_equal(config_set_kv(&cfg, "rebalance.schedule", "a\"b\\c", NULL, 0), 0);
	write_and_load(&cfg, true, &back, &text);
	assert_string_equal(text, "[host]\nip = 10.0.0.1\n[rebalance]\nschedule = \"a\\\"b\\\\c\"\n");
	free(text);
}

/* Load text as an INI file; return config_load's status, err filled. */
static int load_text(const char *text, size_t len, struct nicsim_cfg *cfg, char *err, size_t err_len,
		     const char **path_out)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s", tu_tmpfile(".ini"));
	tu_write_file(path, text, len);
	config_defaults(cfg);
	int rc = config_load(cfg, path, err, err_len);
	unlink(path);
	if (path_out)
		*path_out = path;
	return rc;
}

static void expect_refused(const char *text, size_t len, const char *n1, const char *n2)
{
	struct nicsim_cfg cfg;
	char err[1024];
	const char *path;
	if (!load_text(text, len, &cfg, err, sizeof err, &path))
		fail_msg("accepted: %.*s", (int)len, text);
	if (!strstr(err, path) || (n1 && !strstr(err, n1)) || (n2 && !strstr(err, n2)))
		fail_msg("message '%s' does not name the file, '%s' and '%s'", err, n1 ? n1 : "", n2 ? n2 : "");
}

#define REFUSED(lit, n1, n2) expect_refused(lit, sizeof lit - 1, n1, n2)

static void test_config_load_refuses_what_is_not_text_naming_file_and_line(void **state)
{
	(void)state;
	REFUSED("[rss]\nqueues = 4\x00"
		"99\n",
		"line 2, column 11", "NUL");
	REFUSED("[host]\nip = 10.0.0.1\xff\n", "line 2, column 14", "UTF-8");
	REFUSED("[host]\nip = \xc0\xaf\n", "line 2", "UTF-8");	       /* overlong '/' */
	REFUSED("[host]\nip = \xed\xa0\x80\n", "line 2", "UTF-8");     /* a surrogate, U+D800 */
	REFUSED("[host]\nip = \xf4\x90\x80\x80\n", "line 2", "UTF-8"); /* above U+10FFFF */
	REFUSED("[host]\n\nip = \xe2\x82\n", "line 3", "UTF-8");       /* cut short */
	REFUSED("[rss]\nqueues = 4\x1b\n", "line 2", "control character 0x1b");
	REFUSED("[rss]\nqueues = 4\rtable_size = 64\n", "line 2", "control character 0x0d");
}

static void test_config_load_refuses_a_directory_and_lines_it_cannot_read(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	char err[1024];
	config_defaults(&cfg);
	const char *dir = tu_tmpfile(".d");
	unlink(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_not_equal(config_load(&cfg, dir, err, sizeof err), 0);
	assert_non_null(strstr(err, dir));
	assert_non_null(strstr(err, "is a directory"));
	rmdir(dir);

	REFUSED("[rss]\nqueues = 4\n[host]\ncpus = 4\n[rss]\n  queues = 2\n", "line 6",
		"rss.queues: set again (first at line 2)");
	REFUSED("[rebalance]\nschedule = \"1:0=1\n", "line 2", "no closing");
	REFUSED("[rebalance]\nschedule = \"1:0\\=1\"\n", "line 2", "inside quotes");
	REFUSED("[rebalance]\nschedule = \"1:0=1\" x\n", "line 2", "after the closing quote");
	REFUSED("queues = 4\n", "line 1", "outside a [section]");
	REFUSED("[rss\nqueues = 4\n", "line 1", "[name]");
	REFUSED("[]\n", "line 1", "no section name");
	REFUSED("[rss]\nqueues\n", "line 2", "'name = value'");
	REFUSED("[rss]\n = 4\n", "line 2", "no name");
	REFUSED("[rss]\nqueue = 4\n", "line 2", "rss.queue: unknown key");
	REFUSED("[rss]\nqueues = 0\n", "line 2", "rss.queues");
	/* A line longer than the reader takes is refused, not cut into two. */
	static char longline[INI_LINE_BYTES_MAX + 64];
	int n = snprintf(longline, sizeof longline, "[rebalance]\nschedule = ");
	memset(longline + n, '1', sizeof longline - (size_t)n - 2);
	longline[sizeof longline - 2] = '\n';
	expect_refused(longline, sizeof longline - 1, "line 2", "longer than 8192 bytes");
}

static void test_config_load_reads_comments_quotes_crlf_and_a_byte_order_mark(void **state)
{
	(void)state;
	static const char text[] = "\xef\xbb\xbf; a comment\r\n"
				   "# another\r\n"
				   "  [ rss ]  ; the section\r\n"
				   "queues = 4   ; queues\r\n"
				   "table_size=64#not a comment: no blank before '#', so not a number\r\n";
	struct nicsim_cfg cfg;
	char err[1024];
	/* The last line's value is "64#not ...", which is not a number. */
	assert_int_not_equal(load_text(text, sizeof text - 1, &cfg, err, sizeof err, NULL), 0);
	assert_non_null(strstr(err, "line 5"));
	assert_non_null(strstr(err, "rss.table_size"));
	static const char good[] = "\xef\xbb\xbf; a comment\r\n"
				   "# another\r\n"
				   "  [ rss ]  ; the section\r\n"
				   "queues = 4   ; queues\r\n"
				   "\ttable_size\t=\t64\t# entries\r\n"
				   "[rebalance]\n"
				   "schedule = 1:0=1;2:1=2 ; ' ;' ends the value\n"
				   "[host]\n"
				   "ip = \"10.0.0.1\"  ; quoted though it need not be\n";
	if (load_text(good, sizeof good - 1, &cfg, err, sizeof err, NULL))
		fail_msg("%s", err);
	assert_int_equal(cfg.rss.queues, 4);
	assert_int_equal(cfg.rss.table_size, 64);
	assert_string_equal(cfg.rebalance.schedule, "1:0=1;2:1=2");
	assert_string_equal(cfg.host.ip, "10.0.0.1");
}

static void test_config_set_refuses_text_values_that_could_not_be_written_back(void **state)
{
	(void)state;
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[512];
	assert_int_not_equal(config_set(&cfg, "host.ip=", err, sizeof err), 0);
	assert_non_null(strstr(err, "host.ip: empty value"));
	assert_int_not_equal(config_set(&cfg, "rebalance.schedule=1:0=1\n2:0=1", err, sizeof err), 0);
	assert_non_null(strstr(err, "control character 0x0a"));
	assert_int_not_equal(config_set(&cfg, "host.mac=\xff", err, sizeof err), 0);
	assert_non_null(strstr(err, "not UTF-8"));
}

/* config_validate refuses cfg with a message holding both needles. */
static void expect_invalid(const char *const *sets, const char *n1, const char *n2)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[1024];
	for (; *sets; sets++)
		if (config_set(&cfg, *sets, err, sizeof err))
			fail_msg("%s", err);
	if (!config_validate(&cfg, err, sizeof err))
		fail_msg("accepted (want a message with '%s' and '%s')", n1, n2 ? n2 : "");
	if (!strstr(err, n1) || (n2 && !strstr(err, n2)))
		fail_msg("message '%s' lacks '%s' or '%s'", err, n1, n2 ? n2 : "");
}

static void expect_valid(const char *const *sets)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[1024];
	for (; *sets; sets++)
		if (config_set(&cfg, *sets, err, sizeof err))
			fail_msg("%s", err);
	if (config_validate(&cfg, err, sizeof err))
		fail_msg("refused: %s", err);
}

#define INVALID(n1, n2, ...) expect_invalid((const char *[]){ __VA_ARGS__, NULL }, n1, n2)
#define VALID(...) expect_valid((const char *[]){ __VA_ARGS__, NULL })

static void test_config_validate_refuses_contradictions_naming_both_keys(void **state)
{
	(void)state;
	/* 64 entries cannot name 128 queues; 128 can (one entry each). */
	INVALID("rss.table_size", "rss.queues", "rss.queues=128", "rss.table_size=64");
	VALID("rss.queues=128", "rss.table_size=128", "host.cpus=128");
	/* CPUs 4..11 on an 8-CPU host; 4..7 is fine, and so is "from 2 up". */
	INVALID("rss.base_cpu + rss.max_cpus", "host.cpus = 8", "rss.base_cpu=4", "rss.max_cpus=8");
	INVALID("rss.base_cpu", "host.cpus = 8", "rss.base_cpu=8");
	VALID("rss.base_cpu=4", "rss.max_cpus=4");
	VALID("rss.base_cpu=2", "rss.max_cpus=0");
	/* Address lists with nothing in them, or an empty item. */
	INVALID("host.ip", "empty item", "host.ip=,");
	INVALID("host.ip", "empty item", "host.ip= ");
	INVALID("host.ip", "empty item", "host.ip=10.0.0.1,,fd00::1");
	INVALID("host.ip", "empty item", "host.ip=10.0.0.1,");
	VALID("host.ip=10.0.0.1, fd00::1");
	/* Addresses no frame is sent to as the host's own. */
	INVALID("host.ip", "0.0.0.0", "host.ip=0.0.0.0");
	INVALID("host.ip", "::", "host.ip=10.0.0.1,::");
	INVALID("host.mac", "group", "host.mac=01:00:5e:00:00:01");
	INVALID("host.mac", "group", "host.mac=ff:ff:ff:ff:ff:ff");
	VALID("host.mac=02:00:00:00:00:01");
}

static void test_config_validate_range_checks_every_schedule_time_and_number(void **state)
{
	(void)state;
	/* Simulated time ends before 2^63 ps = 9223372036854775808 ps; the last
	 * whole microsecond before it is 9223372036854 us (9223372036854000000 ps). */
	VALID("rebalance.schedule=9223372036854:0=1");
	INVALID("rebalance.schedule", "beyond 9223372036854 us", "rebalance.schedule=9223372036855:0=1");
	INVALID("rebalance.schedule", "beyond", "rebalance.schedule=99999999999999999999999:0=1");
	/* strtoull would take "-1" as 2^64 - 1 */
	INVALID("rebalance.schedule", "T_US:FIRST[-LAST]=QUEUE", "rebalance.schedule=-1:0=1");
	INVALID("rebalance.schedule", "T_US:FIRST[-LAST]=QUEUE", "rebalance.schedule=1:-1=1");
	INVALID("rebalance.schedule", "T_US:FIRST[-LAST]=QUEUE", "rebalance.schedule=1:0=+1");
	/* 2^32 + 5 as an entry must not wrap to entry 5. */
	INVALID("rebalance.schedule", "rss.table_size = 128", "rebalance.schedule=1:4294967301=1");
	INVALID("rebalance.schedule", "rss.table_size = 128", "rebalance.schedule=1:0-4294967296=1");
	INVALID("rebalance.schedule", "rss.table_size = 128", "rebalance.schedule=1:5-4=1");
	/* ... nor 2^32 + 1 as a queue to queue 1. */
	INVALID("rebalance.schedule", "queues 0..7", "rebalance.schedule=1:0=4294967297");
	INVALID("rebalance.schedule", "queue 8", "rebalance.schedule=1:0=8");
	INVALID("rebalance.schedule", "backwards", "rebalance.schedule=5:0=1;4:0=1");
	VALID("rebalance.schedule= 5 : 0 - 3 = 1 ; 5:1=2 ; ");
}

/* The warnings of cfg; fails unless exactly `want` of them, the first
 * holding both needles. */
static void expect_warnings(const char *const *sets, size_t want, const char *n1, const char *n2)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[1024];
	for (; *sets; sets++)
		if (config_set(&cfg, *sets, err, sizeof err))
			fail_msg("%s", err);
	if (config_validate(&cfg, err, sizeof err))
		fail_msg("refused: %s", err);
	char w[8][CONFIG_WARNING_CHARS];
	size_t n = config_warnings(&cfg, w, 8);
	if (n != want)
		fail_msg("%zu warnings, want %zu (first: %s)", n, want, n ? w[0] : "none");
	if (want && (!strstr(w[0], n1) || !strstr(w[0], n2)))
		fail_msg("warning '%s' lacks '%s' or '%s'", w[0], n1, n2);
}

#define WARNS(n1, n2, ...) expect_warnings((const char *[]){ __VA_ARGS__, NULL }, 1, n1, n2)
#define QUIET(...) expect_warnings((const char *[]){ __VA_ARGS__, NULL }, 0, NULL, NULL)

static void test_config_warns_about_keys_another_key_makes_meaningless(void **state)
{
	(void)state;
	QUIET("run.stop_us=0");
	WARNS("replay.speed_pct=50", "replay.timing", "replay.speed_pct=50");
	QUIET("replay.speed_pct=50", "replay.timing=scaled");
	WARNS("replay.gap_us=100", "replay.loops", "replay.gap_us=100");
	QUIET("replay.gap_us=100", "replay.loops=2");
	WARNS("irq.usecs=20", "irq.mode", "irq.usecs=20", "irq.mode=off");
	WARNS("irq.frames=4", "irq.mode=off", "irq.frames=4", "irq.mode=off");
	WARNS("irq.adaptive_conservative=false", "irq.mode", "irq.adaptive_conservative=false");
	WARNS("irq.adaptive_conservative=false", "10 Gb/s", "irq.adaptive_conservative=false", "irq.mode=adaptive");
	QUIET("irq.adaptive_conservative=false", "irq.mode=adaptive", "mac.rate_mbps=1000");
	WARNS("irq.timing=delay", "irq.mode=off", "irq.timing=delay", "irq.mode=off");
	QUIET("irq.timing=delay");
	WARNS("rss.queues=4", "host.mode=legacy", "rss.queues=4", "host.mode=legacy");
	QUIET("rss.queues=1", "host.mode=legacy");
	WARNS("rss.hash_types=ipv4", "host.mode=legacy", "rss.hash_types=ipv4", "host.mode=legacy");
	WARNS("nic.indir_latency_cycles=3", "host.mode=legacy", "nic.indir_latency_cycles=3", "host.mode=legacy");
	WARNS("nic.csum_width_bytes=16", "nic.rx_csum", "nic.csum_width_bytes=16", "nic.rx_csum=false");
	QUIET("nic.csum_width_bytes=16");
	WARNS("rebalance.interval_us=200", "rebalance.policy", "rebalance.interval_us=200");
	WARNS("rebalance.drain_timeout_us=50", "rebalance.move", "rebalance.drain_timeout_us=50",
	      "rebalance.schedule=1:0=1");
	WARNS("rebalance.policy", "host.mode=legacy", "rebalance.policy=busiest_to_idlest", "host.mode=legacy");
	/* 16 queues on the 8 CPUs: two queues to a CPU; 4 queues from CPU 6 up
	 * (CPUs 6 and 7). */
	WARNS("rss.queues=16", "host.cpus=8", "rss.queues=16", "rss.table_size=128");
	WARNS("rss.queues=4", "rss.base_cpu=6", "rss.queues=4", "rss.base_cpu=6");
	QUIET("rss.queues=4", "rss.base_cpu=4");
	/* An item at 3 ms in a run stopped at 2 ms. */
	WARNS("rebalance.schedule", "run.stop_us=2000", "run.stop_us=2000", "rebalance.schedule=1000:0=1;3000:1=2");
	QUIET("run.stop_us=3000", "rebalance.schedule=1000:0=1;3000:1=2");
}

/* docs/example.ini is what `nicsim config` prints (test_cli holds
 * docs/config.md to `nicsim config --docs`). */
static void test_config_example_ini_is_generated_from_the_tables(void **state)
{
	(void)state;
	struct nicsim_cfg def;
	config_defaults(&def);
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	config_write_ini(&def, f, false);
	assert_int_equal(fclose(f), 0);
	char *ini = tu_read_file(tu_path(tu_src_dir(), "docs/example.ini"), NULL);
	assert_non_null(ini);
	if (strcmp(ini, buf))
		fail_msg("docs/example.ini differs from `nicsim config`; regenerate it");
	free(ini);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_ini_round_trips_every_key_set_away_from_its_default),
		cmocka_unit_test(test_config_ini_quotes_values_that_hold_semicolons_hashes_quotes_or_edge_blanks),
		cmocka_unit_test(test_config_load_refuses_what_is_not_text_naming_file_and_line),
		cmocka_unit_test(test_config_load_refuses_a_directory_and_lines_it_cannot_read),
		cmocka_unit_test(test_config_load_reads_comments_quotes_crlf_and_a_byte_order_mark),
		cmocka_unit_test(test_config_set_refuses_text_values_that_could_not_be_written_back),
		cmocka_unit_test(test_config_example_ini_is_generated_from_the_tables),
		cmocka_unit_test(test_config_validate_refuses_contradictions_naming_both_keys),
		cmocka_unit_test(test_config_validate_range_checks_every_schedule_time_and_number),
		cmocka_unit_test(test_config_warns_about_keys_another_key_makes_meaningless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
