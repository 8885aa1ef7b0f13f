/*
 * tests/fuzz/fuzz_main.c — the libFuzzer entry point of one target; CMake
 * compiles it once per target with FUZZ_ONE naming the target's function.
 */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return FUZZ_ONE(data, size); }
