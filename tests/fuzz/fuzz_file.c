/*
 * tests/fuzz/fuzz_file.c — an input as a file, for the code that opens paths
 * (the capture reader, the INI loader, whole runs).
 *
 * One memfd per slot, rewritten for every input: no disk traffic, nothing
 * left behind. The reader reopens the path (/proc/self/fd/N), which gives a
 * new descriptor with its own offset on the same in-memory file. Without
 * memfd_create, a temporary file under $TMPDIR is used instead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tests/fuzz/fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_SLOTS 2

static int slot_fd[FUZZ_SLOTS] = { -1, -1 };
static char slot_path[FUZZ_SLOTS][64];

static int open_slot(unsigned slot)
{
	int fd;
#ifdef MFD_CLOEXEC
	fd = memfd_create("nicsim-fuzz", MFD_CLOEXEC);
	if (fd >= 0) {
		snprintf(slot_path[slot], sizeof slot_path[slot], "/proc/self/fd/%d", fd);
		return fd;
	}
#endif
	const char *dir = getenv("TMPDIR");
	snprintf(slot_path[slot], sizeof slot_path[slot], "%s/nicsim-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(slot_path[slot]);
	FUZZ_CHECK(fd >= 0, "cannot create a temporary file in %s", slot_path[slot]);
	return fd;
}

const char *fuzz_file(unsigned slot, const void *data, size_t size)
{
	FUZZ_CHECK(slot < FUZZ_SLOTS, "slot %u", slot);
	if (slot_fd[slot] < 0)
		slot_fd[slot] = open_slot(slot);
	int fd = slot_fd[slot];
	FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
	const uint8_t *p = data;
	size_t done = 0;
	while (done < size) {
		ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);
		FUZZ_CHECK(n > 0, "pwrite");
		done += (size_t)n;
	}
	return slot_path[slot];
}
