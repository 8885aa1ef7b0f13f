/*
 * tests/fuzz/fuzz.h — what the fuzz targets share.
 *
 * Each target is one function, fuzz_TARGET_one(data, size), that feeds one
 * input to nicsim and checks the properties nicsim promises for every input
 * (no crash, no hang, messages that name the file, documented bounds). The
 * libFuzzer entry point LLVMFuzzerTestOneInput calls it (fuzz_main.c); the
 * regression test (tests/test_fuzz_regress.c) calls the same function on every
 * saved input under tests/fuzz/regress/TARGET/, without libFuzzer.
 *
 * A broken property stops the process with abort(): under libFuzzer that is
 * a crash, saved as an input to reproduce it.
 */
#ifndef NICSIM_TESTS_FUZZ_FUZZ_H
#define NICSIM_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                            \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                    \
			fputc('\n', stderr);                                             \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* A file holding exactly data[0..size), for code that reads a path: an
 * in-memory file (memfd) named through /proc/self/fd, or a temporary file
 * where that is not available. slot (0 or 1) lets a target hold two files at
 * once. The path stays valid until the next fuzz_file call on the same slot. */
const char *fuzz_file(unsigned slot, const void *data, size_t size);

/* The targets. Each returns 0 (libFuzzer's convention). */
int fuzz_reader_one(const uint8_t *data, size_t size);
int fuzz_parse_one(const uint8_t *data, size_t size);
int fuzz_config_one(const uint8_t *data, size_t size);
int fuzz_run_one(const uint8_t *data, size_t size);

#endif
