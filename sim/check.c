#include "sim/check.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void sim_check_failed(const char *file, int line, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "nicsim: internal error at %s:%d: %s\n", file, line, msg);
	abort();
}
