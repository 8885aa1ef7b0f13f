/*
 * tests/test_fuzz_regress.c — the saved fuzz inputs, replayed without
 * libFuzzer in every build (with AddressSanitizer and UBSan in .ci/test.sh's
 * second pass).
 *
 * Every file under tests/fuzz/regress/TARGET/ (but its README.md, which says
 * what each one is) goes through the same function
 * the fuzz target calls (tests/fuzz/fuzz_TARGET.c), which checks the
 * properties nicsim promises for every input and aborts on a broken one.
 * Inputs there once crashed, hung or broke a property; docs/fuzzing.md says
 * how one gets there. The tests further down hold the particular behaviour
 * each of them now has (the message, the count), against values worked out
 * by hand from the input's bytes.
 */
#include "testutil.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/fuzz/fuzz.h"
#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "traces/reader.h"

struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
	size_t replayed;
};

static void replay_one(const char *path, void *ctx)
{
	struct target *t = ctx;
	size_t n = strlen(path);
	if (n > 3 && strcmp(path + n - 3, ".md") == 0)
		return;   /* the directory's README.md: what each input is */
	size_t len;
	char *data = tu_read_file(path, &len);
	assert_non_null(data);
	printf("%s: %s (%zu bytes)\n", t->name, path, len);
	fflush(stdout);
	t->one((const uint8_t *)data, len);
	free(data);
	t->replayed++;
}

static void replay(struct target *t)
{
	static const char *const any[] = { "", NULL };
	char rel[256];
	snprintf(rel, sizeof rel, "tests/fuzz/regress/%s", t->name);
	tu_walk_dir(tu_path(tu_src_dir(), rel), any, replay_one, t);
	printf("%s: %zu saved inputs replayed\n", t->name, t->replayed);
}

static void test_fuzz_regress_reader_inputs_keep_the_reader_properties(void **state)
{
	(void)state;
	struct target t = { "reader", fuzz_reader_one, 0 };
	replay(&t);
}

static void test_fuzz_regress_parse_inputs_keep_the_parser_properties(void **state)
{
	(void)state;
	struct target t = { "parse", fuzz_parse_one, 0 };
	replay(&t);
}

static void test_fuzz_regress_config_inputs_keep_the_config_properties(void **state)
{
	(void)state;
	struct target t = { "config", fuzz_config_one, 0 };
	replay(&t);
}

static void test_fuzz_regress_run_inputs_keep_the_run_properties(void **state)
{
	(void)state;
	struct target t = { "run", fuzz_run_one, 0 };
	replay(&t);
}

/* ---- the particular inputs ---- */

/* Where a classic little-endian pcap ends inside a record, found by walking
 * its 24-byte file header and 16-byte record headers by hand (pcap-savefile(5):
 * caplen at offset 8 of a record header): the record's number, its caplen and
 * the data bytes present. */
struct cut {
	uint64_t complete, record;
	uint32_t caplen, got;
};

static struct cut find_cut(const uint8_t *d, size_t n)
{
	struct cut c = { 0, 0, 0, 0 };
	size_t at = 24;
	while (at + 16 <= n) {
		uint32_t caplen = (uint32_t)d[at + 8] | (uint32_t)d[at + 9] << 8 | (uint32_t)d[at + 10] << 16 |
				  (uint32_t)d[at + 11] << 24;
		if (at + 16 + caplen > n) {
			c.record = c.complete + 1;
			c.caplen = caplen;
			c.got = (uint32_t)(n - at - 16);
			return c;
		}
		at += 16 + caplen;
		c.complete++;
	}
	fail_msg("the input does not end inside a record's data");
	return c;
}

static void expect_cut(const char *path, const struct cut *c)
{
	struct trace_reader *r;
	struct trace_record rec;
	char err[TRACE_ERR_MAX], want[TRACE_ERR_MAX + 64];
	assert_int_equal(trace_open(&r, path, err, sizeof err), TRACE_OK);
	int rc;
	while ((rc = trace_next(r, &rec, err, sizeof err)) == TRACE_OK)
		;
	assert_int_equal(rc, TRACE_E_TRUNCATED);
	snprintf(want, sizeof want, "%s: record %llu: file ends inside the packet data: expected %u bytes, got %u", path,
		 (unsigned long long)c->record, c->caplen, c->got);
	assert_string_equal(err, want);
	assert_int_equal(trace_get_stats(r)->records, c->complete);
	trace_close(r);
}

/* tests/fuzz/regress/reader/short-conns-cut-at-4096: the first 4096 bytes of
 * traces/ref/short-conns.pcap, a capture cut inside record 22 (21 whole
 * records ending at byte 3385, then record 22's header and 695 of
 * its 1466 data bytes). Read plain and gzip-compressed, it must give the same
 * 21 records and the same error naming the file and record 22. (The bytes
 * consumed differ after the error, on purpose: the gzip stream is then read
 * to its end to learn whether zlib has the real cause.) */
static void test_fuzz_regress_capture_cut_inside_a_record_fails_alike_plain_and_gzip(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d = (uint8_t *)tu_read_file(tu_path(tu_src_dir(), "tests/fuzz/regress/reader/short-conns-cut-at-4096"),
					     &n);
	assert_non_null(d);
	assert_int_equal(n, 4096);
	struct cut c = find_cut(d, n);
	assert_int_equal(c.record, 22);   /* the hand walk agrees with the comment above */
	assert_int_equal(c.got, 695);
	const char *plain = tu_tmpfile(".pcap"), *gz = tu_tmpfile(".pcap.gz");
	tu_write_file(plain, d, n);
	gzFile g = gzopen(gz, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, d, (unsigned)n), (int)n);
	assert_int_equal(gzclose(g), Z_OK);
	expect_cut(plain, &c);
	expect_cut(gz, &c);
	unlink(plain);
	unlink(gz);
	free(d);
}

/* tests/fuzz/regress/run/one-short-frame.pcap: one 5-byte frame. With
 * irq.usecs=0 and irq.frames=3 its vector waits for three completions and
 * never fires, so the frame stays in its ring: the configuration is warned
 * about, and the report counts 1 frame in flight at the end, 0 delivered.
 * With irq.frames=1 the same frame is delivered and nothing is left. */
static void test_fuzz_regress_frames_left_by_frame_count_moderation_are_reported(void **state)
{
	(void)state;
	const char *path = tu_path(tu_src_dir(), "tests/fuzz/regress/run/one-short-frame.pcap");
	for (int frames = 1; frames <= 3; frames += 2) {
		struct nicsim_cfg cfg;
		config_defaults(&cfg);
		char set[64];
		assert_int_equal(config_set(&cfg, "irq.usecs=0", NULL, 0), 0);
		snprintf(set, sizeof set, "irq.frames=%d", frames);
		assert_int_equal(config_set(&cfg, set, NULL, 0), 0);
		char w[16][CONFIG_WARNING_CHARS];
		size_t nw = config_warnings(&cfg, w, 16);
		bool is_warned = false;
		for (size_t i = 0; i < nw; i++)
			is_warned |= strstr(w[i], "irq.frames=3 with irq.usecs=0") != NULL;
		assert_int_equal(is_warned, frames == 3);
		struct run *r;
		char err[1024];
		assert_int_equal(run_trace(&cfg, path, NULL, &r, err, sizeof err), 0);
		json_t *j = report_json(r);
		json_t *run = json_object_get(j, "run");
		assert_int_equal(json_integer_value(json_object_get(run, "frames_in_flight_at_end")), frames == 3 ? 1 : 0);
		assert_int_equal(run_frames_delivered(r), frames == 3 ? 0 : 1);
		json_decref(j);
		run_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_regress_reader_inputs_keep_the_reader_properties),
		cmocka_unit_test(test_fuzz_regress_parse_inputs_keep_the_parser_properties),
		cmocka_unit_test(test_fuzz_regress_config_inputs_keep_the_config_properties),
		cmocka_unit_test(test_fuzz_regress_run_inputs_keep_the_run_properties),
		cmocka_unit_test(test_fuzz_regress_capture_cut_inside_a_record_fails_alike_plain_and_gzip),
		cmocka_unit_test(test_fuzz_regress_frames_left_by_frame_count_moderation_are_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
