/*
 * sim/jsondiff.h — structural comparison of two nicsim JSON reports, for
 * `nicsim check REPORT GOLDEN`.
 *
 * Both trees are walked together; each difference is one line naming its
 * place as a JSON pointer (RFC 6901: "/queues/0/latency_ps/rx_dma/p99", with
 * '~' written "~0" and '/' in a key written "~1"; the root is written "/"):
 *
 *   PATH: golden X, now Y        values differ (or their types do)
 *   PATH: missing in report      in the golden, not in the report
 *   PATH: not in golden          in the report, not in the golden
 *
 * A missing or extra subtree is one line, not one per leaf. Object keys are
 * visited in the golden's order, then the report's extra keys in its order;
 * array items by index. X and Y are compact JSON (reals in the shortest form
 * that reads back to the same double), cut at 80 characters.
 *
 * Numbers are exact by default: integers must be equal, reals must print the
 * same with %.17g (so -0.0 differs from 0.0), and an integer never equals a
 * real (2 vs 2.0 is a change of type in the report). A tolerance entry
 * relaxes one subtree to |now - golden| <= rel * |golden|, integers and reals
 * alike.
 *
 * Left out: array moves are not detected (an inserted item shows as a change
 * at every later index).
 */
#ifndef NICSIM_SIM_NICSIM_JSONDIFF_H
#define NICSIM_SIM_NICSIM_JSONDIFF_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Path patterns: an exact JSON pointer ("/run/wall_time_s"), or a prefix
 * ending in '*': "/run/" followed by '*' matches every path under /run but
 * not /run itself; "/host/cpu*" also matches "/host/cpu_util". */

struct jsondiff_tol {
	const char *path;  /* pattern; NULL ends the list */
	double rel;        /* allowed |now - golden| / |golden|, e.g. 0.01 */
};

struct jsondiff_opts {
	/* Subtrees to skip entirely (wall-clock time, host names, backend):
	 * NULL-terminated list of patterns, or NULL for none. */
	const char *const *ignore;
	/* Numeric tolerances; the first entry whose pattern matches a number's
	 * path applies. Terminated by path == NULL; NULL for none. */
	const struct jsondiff_tol *tol;
	/* Write at most this many difference lines, then "... N more";
	 * 0 = no limit. */
	size_t max_lines;
};

/* Compare report `now` against `golden`. opts may be NULL (exact, nothing
 * ignored, no limit). Lines go to out (NULL: count only). Returns the number
 * of differences (0 = match), or -1 if memory ran out. */
int jsondiff(const json_t *now, const json_t *golden, const struct jsondiff_opts *opts,
	     FILE *out);

/* Does path match pattern (exact, or prefix with a trailing '*')? Exposed for
 * the CLI's own use and for tests. */
int jsondiff_path_matches(const char *pattern, const char *path);

#endif
