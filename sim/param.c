/*
 * sim/param.c — parse, check and print parameter values from their tables.
 * Every message starts with the key, so a user knows what to fix.
 */
#include "sim/param.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/utf8.h"

static int fail(char *err, size_t n, const struct param_def *d, const char *fmt, const char *text)
{
	char what[512];
	snprintf(what, sizeof what, fmt, text);
	snprintf(err, n, "%s: %s", d->key, what);
	return -1;
}

/* Index of name in a comma-separated list, or -1. */
static int choice_index(const char *choices, const char *name, size_t name_len)
{
	int i = 0;
	const char *p = choices;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == name_len && strncasecmp(p, name, n) == 0)
			return i;
		i++;
		if (!e)
			break;
		p = e + 1;
	}
	return -1;
}

static int parse_u64(const char *text, uint64_t *out)
{
	if (!*text || *text == '-' || isspace((unsigned char)*text))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || end == text)
		return -1;
	/* Optional size suffixes make big values readable: 256k, 4M (binary). */
	if (*end == 'k' || *end == 'K') { v <<= 10; end++; }
	else if (*end == 'M') { v <<= 20; end++; }
	else if (*end == 'G') { v <<= 30; end++; }
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int param_set(const struct param_def *d, void *cfg, const char *text, char *err, size_t err_len)
{
	char *base = (char *)cfg;
	switch (d->type) {
	case PARAM_U32:
	case PARAM_U64: {
		uint64_t v;
		if (parse_u64(text, &v))
			return fail(err, err_len, d, "'%s' is not a whole number", text);
		if (v < d->min || v > d->max) {
			char msg[160];
			snprintf(msg, sizeof msg, "%" PRIu64 " is outside %" PRIu64 "..%" PRIu64 " %s", v,
				 d->min, d->max, d->unit ? d->unit : "");
			return fail(err, err_len, d, "%s", msg);
		}
		if ((d->flags & PARAM_F_POW2) && (v & (v - 1)))
			return fail(err, err_len, d, "%s is not a power of two", text);
		if (d->type == PARAM_U32)
			*(uint32_t *)(base + d->offset) = (uint32_t)v;
		else
			*(uint64_t *)(base + d->offset) = v;
		return 0;
	}
	case PARAM_BOOL: {
		static const char *yes[] = { "1", "true", "on", "yes" }, *no[] = { "0", "false", "off", "no" };
		for (int i = 0; i < 4; i++) {
			if (!strcasecmp(text, yes[i])) { *(bool *)(base + d->offset) = true; return 0; }
			if (!strcasecmp(text, no[i])) { *(bool *)(base + d->offset) = false; return 0; }
		}
		return fail(err, err_len, d, "'%s' is not true/false (on/off, yes/no, 1/0)", text);
	}
	case PARAM_ENUM: {
		int i = choice_index(d->choices, text, strlen(text));
		if (i < 0) {
			char msg[300];
			snprintf(msg, sizeof msg, "'%s' is not one of %s", text, d->choices);
			return fail(err, err_len, d, "%s", msg);
		}
		*(uint32_t *)(base + d->offset) = (uint32_t)i;
		return 0;
	}
	case PARAM_FLAGS: {
		uint32_t bits = 0;
		if (strcasecmp(text, "none") != 0) {
			const char *p = text;
			while (*p) {
				size_t n = strcspn(p, "|,+");
				int i = choice_index(d->choices, p, n);
				if (i < 0) {
					char msg[400];
					snprintf(msg, sizeof msg, "'%.*s' is not one of %s (join with '|', or 'none')",
						 (int)n, p, d->choices);
					return fail(err, err_len, d, "%s", msg);
				}
				bits |= 1u << i;
				p += n;
				if (*p)
					p++;
			}
		}
		*(uint32_t *)(base + d->offset) = bits;
		return 0;
	}
	case PARAM_HEX: {
		const char *h = text;
		if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
			h += 2;
		size_t n = strlen(h);
		if (n % 2)
			return fail(err, err_len, d, "hex value has an odd number of digits (%s)", text);
		if (n / 2 < d->min || n / 2 > d->max) {
			char msg[160];
			snprintf(msg, sizeof msg, "%zu bytes given, %" PRIu64 "..%" PRIu64 " needed", n / 2,
				 d->min, d->max);
			return fail(err, err_len, d, "%s", msg);
		}
		uint8_t *out = (uint8_t *)(base + d->offset);
		for (size_t i = 0; i < n / 2; i++) {
			int hi = isxdigit((unsigned char)h[2 * i]), lo = isxdigit((unsigned char)h[2 * i + 1]);
			if (!hi || !lo)
				return fail(err, err_len, d, "'%s' is not hex", text);
			char b[3] = { h[2 * i], h[2 * i + 1], 0 };
			out[i] = (uint8_t)strtoul(b, NULL, 16);
		}
		*(uint32_t *)(base + d->len_offset) = (uint32_t)(n / 2);
		return 0;
	}
	case PARAM_STR: {
		size_t n = strlen(text);
		if (n + 1 > d->max) {
			char msg[160];
			snprintf(msg, sizeof msg, "value of %zu bytes is too long (at most %" PRIu64 ")", n, d->max - 1);
			return fail(err, err_len, d, "%s", msg);
		}
		if (n < d->min)
			return fail(err, err_len, d, "empty value; expected: %s", d->desc);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				char msg[80];
				snprintf(msg, sizeof msg, "control character 0x%02x at byte %zu; values are text", c, i + 1);
				return fail(err, err_len, d, "%s", msg);
			}
		}
		size_t ok = utf8_valid_len(text, n);
		if (ok != n) {
			char msg[80];
			snprintf(msg, sizeof msg, "byte %zu (0x%02x) is not UTF-8 text", ok + 1, (unsigned char)text[ok]);
			return fail(err, err_len, d, "%s", msg);
		}
		memcpy(base + d->offset, text, n + 1);
		return 0;
	}
	}
	return fail(err, err_len, d, "bad parameter type%s", "");
}

void param_defaults(const struct param_def *defs, void *cfg)
{
	char err[256];
	for (const struct param_def *d = defs; d->key; d++) {
		if (d->type == PARAM_STR && d->max > PARAM_VALUE_CHARS_MAX) {
			fprintf(stderr, "nicsim: bug: %s holds up to %" PRIu64 " bytes, more than PARAM_VALUE_CHARS_MAX\n",
				d->key, d->max);
			abort();
		}
		/* A default that does not pass its own checks is a bug in the table
		 * (said and stopped even where asserts are compiled out). */
		if (param_set(d, cfg, d->defval, err, sizeof err)) {
			fprintf(stderr, "nicsim: bug: default of %s rejected: %s\n", d->key, err);
			abort();
		}
	}
}

void param_format(const struct param_def *d, const void *cfg, char *buf, size_t len)
{
	const char *base = (const char *)cfg;
	switch (d->type) {
	case PARAM_U32:
		snprintf(buf, len, "%" PRIu32, *(const uint32_t *)(base + d->offset));
		return;
	case PARAM_U64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)(base + d->offset));
		return;
	case PARAM_BOOL:
		snprintf(buf, len, "%s", *(const bool *)(base + d->offset) ? "true" : "false");
		return;
	case PARAM_ENUM: {
		uint32_t v = *(const uint32_t *)(base + d->offset);
		const char *p = d->choices;
		for (uint32_t i = 0; i < v && p; i++) {
			p = strchr(p, ',');
			if (p)
				p++;
		}
		size_t n = p ? strcspn(p, ",") : 0;
		snprintf(buf, len, "%.*s", (int)n, p ? p : "");
		return;
	}
	case PARAM_FLAGS: {
		uint32_t v = *(const uint32_t *)(base + d->offset);
		size_t o = 0;
		buf[0] = 0;
		const char *p = d->choices;
		for (uint32_t i = 0; p && *p; i++) {
			size_t n = strcspn(p, ",");
			if ((v >> i) & 1)
				o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.*s", o ? "|" : "", (int)n, p);
			p = p[n] ? p + n + 1 : NULL;
		}
		if (!v)
			snprintf(buf, len, "none");
		return;
	}
	case PARAM_HEX: {
		uint32_t n = *(const uint32_t *)(base + d->len_offset);
		const uint8_t *b = (const uint8_t *)(base + d->offset);
		size_t o = 0;
		buf[0] = 0;
		for (uint32_t i = 0; i < n && o + 3 <= len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", b[i]);
		return;
	}
	case PARAM_STR:
		snprintf(buf, len, "%s", base + d->offset);
		return;
	}
}

const struct param_def *param_find(const struct param_def *defs, const char *name)
{
	for (const struct param_def *d = defs; d->key; d++) {
		const char *dot = strchr(d->key, '.');
		if (!strcmp(dot ? dot + 1 : d->key, name) || !strcmp(d->key, name))
			return d;
	}
	return NULL;
}
