/*
 * sim/nicsim/ini.h — the INI text nicsim reads (--config) and writes
 * (`nicsim config`): one reader and one writer, so that what is written
 * reads back to the same values.
 *
 * The syntax is ini_syntax_md (also printed in docs/config.md): [section]
 * lines, `name = value` lines, comments from ';' or '#' at the start of a
 * line or after a blank, and values in double quotes with \" and \\ for
 * text a bare value cannot hold. The file must be UTF-8 text: a NUL byte,
 * a control character other than tab, or a byte sequence that is not UTF-8
 * is refused with its line and column.
 *
 * Limits: a line holds at most INI_LINE_BYTES_MAX bytes (a longer one is
 * refused, not split); no continuation lines; names are not checked here
 * (the caller knows its keys).
 */
#ifndef NICSIM_SIM_NICSIM_INI_H
#define NICSIM_SIM_NICSIM_INI_H

#include <stddef.h>
#include <stdio.h>

/* Twice the longest value a key takes (1023 bytes, rebalance.schedule),
 * every byte escaped, and the name: no line nicsim writes comes near it. */
#define INI_LINE_BYTES_MAX 8192

/* One `name = value` line under section ("" before the first [section]).
 * Return 0 to go on, or -1 with a message in err (ini_read puts the line
 * number in front). */
typedef int (*ini_entry_fn)(void *ctx, const char *section, const char *name, const char *value, int line, char *err,
			    size_t err_len);

/* Read f to its end, calling fn for each entry in file order. Returns 0, or
 * -1 with "line N: why" (or "line N, column C: why") in err. */
int ini_read(FILE *f, ini_entry_fn fn, void *ctx, char *err, size_t err_len);

/* Write value so that ini_read gives back exactly value: as it is, or in
 * double quotes when it is empty, holds ';', '#', '"' or '\', or starts or
 * ends with a blank. */
void ini_write_value(FILE *f, const char *value);

/* The syntax, in Markdown, for docs/config.md. */
extern const char ini_syntax_md[];

#endif
