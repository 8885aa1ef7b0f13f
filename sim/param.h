/*
 * sim/param.h — parameters declared once.
 *
 * Each block exports one table of struct param_def: key, type, unit, default,
 * range, description and the source of the default. The config-file parser,
 * `--set` validation, `--help`, docs/config.md and the report's "config"
 * section are all generated from these tables, so a key is written down in
 * exactly one place.
 *
 * Values live in the block's plain-data cfg struct; a param_def names its field
 * by offset. All values are integers or strings (simulation state is integral).
 */
#ifndef NICSIM_SIM_PARAM_H
#define NICSIM_SIM_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum param_type {
	PARAM_U32,     /* uint32_t field; decimal or 0x hex; min..max */
	PARAM_U64,     /* uint64_t field; decimal or 0x hex; min..max */
	PARAM_BOOL,    /* bool field; true/false/on/off/1/0/yes/no */
	PARAM_ENUM,    /* uint32_t field holding the index into choices (comma list) */
	PARAM_FLAGS,   /* uint32_t field; '|' or ',' separated names from choices, bit i = choice i; "none" = 0 */
	PARAM_HEX,     /* uint8_t[] field of max bytes + uint32_t length field at len_offset; hex string */
	PARAM_STR,     /* char[] field of max bytes (NUL included); min..max-1 bytes of UTF-8 text,
			* no control characters */
};

/* The longest text param_format writes, NUL included: a PARAM_STR's max
 * is at most this (checked by param_defaults), and hex keys and flag lists
 * are far shorter. */
#define PARAM_VALUE_CHARS_MAX 1024

/* param_def.flags */
#define PARAM_F_POW2   0x1u  /* the value must be a power of two */

struct param_def {
	const char *key;       /* "section.name", e.g. "rss.table_size" */
	enum param_type type;
	size_t offset;         /* offsetof(struct X_cfg, field) */
	const char *unit;      /* "Mb/s", "bytes", "ns", "cycles", "" */
	const char *defval;    /* default, in the same text form a user writes */
	uint64_t min, max;     /* numbers: inclusive range; HEX/STR: byte length range */
	uint32_t flags;        /* PARAM_F_* */
	const char *choices;   /* ENUM/FLAGS: comma-separated names */
	size_t len_offset;     /* HEX: offsetof the uint32_t byte-count field */
	const char *desc;      /* one sentence: what it does */
	const char *source;    /* where the default comes from (datasheet, paper, "choice: ...") */
};

/* A block's table, registered with the offset of its cfg struct inside the
 * whole-run config. The list ends with a {NULL} entry. */
struct param_group {
	const char *section;            /* "rss" */
	const struct param_def *defs;   /* terminated by key == NULL */
	size_t cfg_offset;              /* offsetof(struct nicsim_cfg, rss) */
	const char *title;              /* "Receive-Side Scaling" */
};

/* Set one value from text. Returns 0, or -1 with "KEY: why" in err. */
int param_set(const struct param_def *d, void *cfg, const char *text, char *err, size_t err_len);
/* Apply every default of a table to cfg. */
void param_defaults(const struct param_def *defs, void *cfg);
/* Value as text, in the form param_set accepts. */
void param_format(const struct param_def *d, const void *cfg, char *buf, size_t len);
const struct param_def *param_find(const struct param_def *defs, const char *name_in_section);

#endif
