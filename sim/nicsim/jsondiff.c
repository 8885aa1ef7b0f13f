/*
 * sim/jsondiff.c — walk a report and its golden together, one line per
 * difference. See jsondiff.h for the line formats and the numeric policy.
 *
 * The path of the node being visited is kept in one growing buffer: a child
 * appends "/key" and truncates back on return, so a walk allocates only when
 * the tree gets deeper (or keys longer) than anything seen so far.
 */
#include "sim/nicsim/jsondiff.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Values longer than this in a difference line are cut, so one changed
 * subtree cannot flood the terminal. */
#define JSONDIFF_VALUE_CHARS_MAX 80

struct jsondiff_walk {
	const struct jsondiff_opts *opts;
	FILE *out;
	char *path;        /* NUL-terminated JSON pointer of the current node */
	size_t path_len;
	size_t path_cap;
	bool is_oom;
	int count;         /* differences found */
	size_t lines;      /* difference lines written */
};

int jsondiff_path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);
	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

/* The current path; the root's buffer is not allocated until a child needs it. */
static const char *jsondiff_path_str(const struct jsondiff_walk *w)
{
	return w->path ? w->path : "";
}

static bool jsondiff_is_ignored(const struct jsondiff_walk *w)
{
	if (!w->opts || !w->opts->ignore)
		return false;
	for (const char *const *p = w->opts->ignore; *p; p++)
		if (jsondiff_path_matches(*p, jsondiff_path_str(w)))
			return true;
	return false;
}

static const struct jsondiff_tol *jsondiff_find_tol(const struct jsondiff_walk *w)
{
	if (!w->opts || !w->opts->tol)
		return NULL;
	for (const struct jsondiff_tol *t = w->opts->tol; t->path; t++)
		if (jsondiff_path_matches(t->path, jsondiff_path_str(w)))
			return t;
	return NULL;
}

/* Append "/" + key with RFC 6901 escapes; returns the length to restore. */
static size_t jsondiff_path_push(struct jsondiff_walk *w, const char *key)
{
	size_t old_len = w->path_len;
	size_t need = w->path_len + 1 + 2 * strlen(key) + 1;  /* worst case: every char escaped */
	if (need > w->path_cap) {
		size_t cap = w->path_cap ? w->path_cap : 64;
		while (cap < need)
			cap *= 2;
		char *p = realloc(w->path, cap);
		if (!p) {
			w->is_oom = true;
			return old_len;
		}
		w->path = p;
		w->path_cap = cap;
	}
	w->path[w->path_len++] = '/';
	for (const char *c = key; *c; c++) {
		if (*c == '~' || *c == '/') {
			w->path[w->path_len++] = '~';
			w->path[w->path_len++] = *c == '~' ? '0' : '1';
		} else {
			w->path[w->path_len++] = *c;
		}
	}
	w->path[w->path_len] = '\0';
	return old_len;
}

static void jsondiff_path_pop(struct jsondiff_walk *w, size_t len)
{
	w->path_len = len;
	if (w->path)
		w->path[len] = '\0';
}

/* A real in the shortest %.Ng that reads back to the same double, with ".0"
 * added where it would otherwise read as an integer (as jansson writes it).
 * Where %g would switch to an exponent only because N is smaller than the
 * integer digits (100 -> "1e+02"), N is raised so it reads "100.0"; 17
 * digits is where %.17g itself would use an exponent. */
static void jsondiff_format_real(double v, char *buf, size_t len)
{
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, len, "%.*e", prec - 1, v);
	const char *e = strchr(buf, 'e');
	long exp10 = e ? strtol(e + 1, NULL, 10) : 0;
	if (exp10 >= prec && exp10 < 17)
		prec = (int)exp10 + 1;
	snprintf(buf, len, "%.*g", prec, v);
	if (!strpbrk(buf, ".eEni"))  /* no fraction, exponent, inf or nan */
		strncat(buf, ".0", len - strlen(buf) - 1);
}

/* Compact JSON of v into buf, cut with "..." past JSONDIFF_VALUE_CHARS_MAX. */
static void jsondiff_format_value(const json_t *v, char *buf, size_t len)
{
	if (json_is_real(v)) {
		jsondiff_format_real(json_real_value(v), buf, len);
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s) {
		snprintf(buf, len, "(unprintable)");
		return;
	}
	if (strlen(s) > JSONDIFF_VALUE_CHARS_MAX)
		snprintf(buf, len, "%.*s...", JSONDIFF_VALUE_CHARS_MAX - 3, s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

/* Count one difference; write its line if the budget allows. golden or now
 * NULL selects the "not in golden" / "missing in report" forms. */
static void jsondiff_report(struct jsondiff_walk *w, const json_t *now, const json_t *golden)
{
	w->count++;
	if (!w->out)
		return;
	if (w->opts && w->opts->max_lines && w->lines >= w->opts->max_lines)
		return;
	w->lines++;
	const char *path = w->path_len ? w->path : "/";
	if (!now) {
		fprintf(w->out, "%s: missing in report\n", path);
	} else if (!golden) {
		fprintf(w->out, "%s: not in golden\n", path);
	} else {
		char g[JSONDIFF_VALUE_CHARS_MAX + 8], n[JSONDIFF_VALUE_CHARS_MAX + 8];
		jsondiff_format_value(golden, g, sizeof(g));
		jsondiff_format_value(now, n, sizeof(n));
		fprintf(w->out, "%s: golden %s, now %s\n", path, g, n);
	}
}

static bool jsondiff_numbers_equal(const struct jsondiff_walk *w, const json_t *now,
				   const json_t *golden)
{
	if (json_is_integer(now) && json_is_integer(golden) &&
	    json_integer_value(now) == json_integer_value(golden))
		return true;
	const struct jsondiff_tol *t = jsondiff_find_tol(w);
	if (t) {
		double n = json_number_value(now), g = json_number_value(golden);
		return fabs(n - g) <= t->rel * fabs(g);
	}
	if (json_is_real(now) && json_is_real(golden)) {
		/* "Exactly as printed": the %.17g text round-trips every double,
		 * so equal text is equal bits except that -0 and 0 differ, which
		 * is what a byte-for-byte golden would say too. */
		char a[32], b[32];
		snprintf(a, sizeof(a), "%.17g", json_real_value(now));
		snprintf(b, sizeof(b), "%.17g", json_real_value(golden));
		return strcmp(a, b) == 0;
	}
	return false;  /* integers that differ, or an integer against a real */
}

static void jsondiff_walk(struct jsondiff_walk *w, const json_t *now, const json_t *golden);

static void jsondiff_child(struct jsondiff_walk *w, const char *key, const json_t *now,
			   const json_t *golden)
{
	size_t len = jsondiff_path_push(w, key);
	if (w->is_oom)
		return;
	if (!jsondiff_is_ignored(w)) {
		if (!now || !golden)
			jsondiff_report(w, now, golden);
		else
			jsondiff_walk(w, now, golden);
	}
	jsondiff_path_pop(w, len);
}

static void jsondiff_walk(struct jsondiff_walk *w, const json_t *now, const json_t *golden)
{
	if (json_is_object(now) && json_is_object(golden)) {
		/* jansson's iterators take non-const objects but do not modify
		 * them. Golden order first, so lines follow the golden's layout. */
		const char *key;
		json_t *g, *n;
		json_object_foreach((json_t *)golden, key, g) {
			jsondiff_child(w, key, json_object_get(now, key), g);
			if (w->is_oom)
				return;
		}
		json_object_foreach((json_t *)now, key, n) {
			if (!json_object_get(golden, key))
				jsondiff_child(w, key, n, NULL);
			if (w->is_oom)
				return;
		}
		return;
	}
	if (json_is_array(now) && json_is_array(golden)) {
		size_t nn = json_array_size(now), ng = json_array_size(golden);
		size_t most = nn > ng ? nn : ng;
		for (size_t i = 0; i < most; i++) {
			char idx[24];
			snprintf(idx, sizeof(idx), "%zu", i);
			jsondiff_child(w, idx, i < nn ? json_array_get(now, i) : NULL,
				       i < ng ? json_array_get(golden, i) : NULL);
			if (w->is_oom)
				return;
		}
		return;
	}
	if (json_is_number(now) && json_is_number(golden)) {
		if (!jsondiff_numbers_equal(w, now, golden))
			jsondiff_report(w, now, golden);
		return;
	}
	if (json_is_string(now) && json_is_string(golden)) {
		size_t ln = json_string_length(now);
		if (ln != json_string_length(golden) ||
		    memcmp(json_string_value(now), json_string_value(golden), ln) != 0)
			jsondiff_report(w, now, golden);
		return;
	}
	/* null, true, false: equal iff the same type; anything else is a change
	 * of type. */
	if (json_typeof(now) != json_typeof(golden))
		jsondiff_report(w, now, golden);
}

int jsondiff(const json_t *now, const json_t *golden, const struct jsondiff_opts *opts,
	     FILE *out)
{
	struct jsondiff_walk w = { .opts = opts, .out = out };
	if (!jsondiff_is_ignored(&w))
		jsondiff_walk(&w, now, golden);
	free(w.path);
	if (w.is_oom)
		return -1;
	if (out && (size_t)w.count > w.lines)
		fprintf(out, "... %zu more\n", (size_t)w.count - w.lines);
	return w.count;
}
