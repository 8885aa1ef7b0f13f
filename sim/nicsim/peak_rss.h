/*
 * sim/nicsim/peak_rss.h — the process's peak memory, for the report.
 *
 * getrusage(RUSAGE_SELF).ru_maxrss: the largest resident set the process
 * has had so far (Linux counts it in KiB: getrusage(2)). It is the one
 * value of a report that differs from run to run and machine to machine,
 * so `nicsim check` leaves /run/peak_rss_bytes out of the comparison.
 */
#ifndef NICSIM_SIM_NICSIM_PEAK_RSS_H
#define NICSIM_SIM_NICSIM_PEAK_RSS_H

#include <stdint.h>
#include <sys/resource.h>

/* Peak resident set so far in bytes; 0 if it cannot be read. */
static inline uint64_t peak_rss_bytes(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_maxrss < 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024u;
}

#endif
