/*
 * tests/fuzz/fuzz_config.c — the configuration front end (sim/nicsim/config.h):
 * INI files and --set assignments.
 *
 * Input: byte 0 picks the way in. Even: the rest is an INI file, loaded with
 * config_load (through a real path, as --config does). Odd: the rest is a list
 * of KEY=VALUE assignments, one a line, each given to config_set as --set
 * gives them (a NUL ends a line's text, as it would end an argument).
 * Whatever was accepted is then checked with config_validate and written
 * back with config_write_ini.
 *
 * Checked: a refusal always comes with a message; nothing crashes, hangs or
 * reads out of bounds on any text.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "sim/nicsim/config.h"

static void check_refusal(int rc, const char *err, const char *what)
{
	if (rc != 0)
		FUZZ_CHECK(err[0] != '\0', "%s refused without a message", what);
}

int fuzz_config_one(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct nicsim_cfg cfg;
	char err[1024] = "";
	config_defaults(&cfg);
	const uint8_t *text = data + 1;
	size_t len = size - 1;
	if ((data[0] & 1u) == 0) {
		int rc = config_load(&cfg, fuzz_file(0, text, len), err, sizeof err);
		check_refusal(rc, err, "config_load");
		if (rc != 0)
			return 0;
	} else {
		char *line = malloc(len + 1);
		FUZZ_CHECK(line != NULL, "out of memory");
		size_t start = 0;
		while (start <= len) {
			const uint8_t *nl = memchr(text + start, '\n', len - start);
			size_t end = nl ? (size_t)(nl - text) : len;
			memcpy(line, text + start, end - start);
			line[end - start] = '\0';
			err[0] = '\0';
			check_refusal(config_set(&cfg, line, err, sizeof err), err, "config_set");
			start = end + 1;
		}
		free(line);
	}
	err[0] = '\0';
	check_refusal(config_validate(&cfg, err, sizeof err), err, "config_validate");
	char *ini = NULL;
	size_t ini_len = 0;
	FILE *f = open_memstream(&ini, &ini_len);
	FUZZ_CHECK(f != NULL, "open_memstream");
	config_write_ini(&cfg, f, false);
	config_write_ini(&cfg, f, true);
	fclose(f);
	free(ini);
	return 0;
}
