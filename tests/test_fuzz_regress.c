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

#include <string.h>

#include "tests/fuzz/fuzz.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_regress_reader_inputs_keep_the_reader_properties),
		cmocka_unit_test(test_fuzz_regress_parse_inputs_keep_the_parser_properties),
		cmocka_unit_test(test_fuzz_regress_config_inputs_keep_the_config_properties),
		cmocka_unit_test(test_fuzz_regress_run_inputs_keep_the_run_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
