/*
 * sim/stats.h — counters declared once.
 *
 * A block declares each counter of its stats struct once, in a table of
 * struct stat_def: the name reports use, its unit, a one-sentence
 * description, and where the uint64_t lives in the struct. The JSON report,
 * the text report's column names and docs/report.md come from these tables
 * (sim/nicsim/report.c), as docs/config.md comes from the parameter tables.
 */
#ifndef NICSIM_SIM_STATS_H
#define NICSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stat_def {
	const char *name;     /* report key, e.g. "no_descriptor" */
	const char *unit;     /* "frames", "bytes", "cycles", ... */
	const char *desc;     /* one sentence: what it counts */
	size_t offset;        /* offsetof the uint64_t counter in the block's stats struct */
};

/* A table's entry for field of struct type. Tables end with { NULL }. */
#define STAT_DEF(type, field, name_, unit_, desc_) \
	{ .name = (name_), .unit = (unit_), .desc = (desc_), .offset = offsetof(type, field) }

static inline uint64_t stat_value(const struct stat_def *d, const void *stats)
{
	return *(const uint64_t *)(const void *)((const char *)stats + d->offset);
}

#endif
