/*
 * sim/nicsim/ini.c — read and write the INI form of a configuration.
 *
 * A line is read whole into a fixed buffer (never split: a long line is
 * refused) and checked as text before it is parsed, so a NUL byte cannot
 * hide the rest of a line and a line number is known for every message.
 *
 * Invariant: for every string v without control characters (other than
 * tab) that is UTF-8, writing "k = " + ini_write_value(v) and reading the
 * line back gives v.
 */
#include "sim/nicsim/ini.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "sim/utf8.h"

const char ini_syntax_md[] =
	"An INI file is UTF-8 text: a line `[section]` starts a section, a line `name = value` sets\n"
	"`section.name`, and a line whose first non-blank character is `;` or `#` is a comment, as is the\n"
	"rest of a line from a `;` or `#` that follows a blank (space or tab): `queues = 8   ; queues`.\n"
	"Blanks around names and values are dropped. A value that holds `;`, `#`, `\"` or `\\`, starts or\n"
	"ends with a blank, or is empty goes in double quotes, inside which `\\\"` stands for `\"` and `\\\\`\n"
	"for `\\`: `schedule = \"500:0-63=1; 900:5=0\"`. `nicsim config` quotes exactly those values, so its\n"
	"output reads back to the same configuration. A key set twice in one file, a NUL byte, a control\n"
	"character other than tab, text that is not UTF-8 and a line longer than 8192 bytes are refused,\n"
	"naming the file and line.\n";

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Drop trailing blanks of s[0..n). */
static void trim_end(char *s, size_t n)
{
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	s[n] = '\0';
}

/* The rest of a line after a value or a section header: blanks, then
 * nothing or a comment. */
static bool is_rest_empty(const char *s)
{
	while (is_blank(*s))
		s++;
	return !*s || *s == ';' || *s == '#';
}

/* One physical line into buf (without its LF, or CRLF). 1 = a line, 0 =
 * end of file, -1 = error in err. */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len, int line, char *err, size_t err_len)
{
	size_t n = 0;
	int c;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap) {
			snprintf(err, err_len, "line %d: longer than %zu bytes; no setting is that long", line,
				 cap - 1);
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (ferror(f)) {
		snprintf(err, err_len, "line %d: could not be read: %s", line, strerror(errno));
		return -1;
	}
	if (c == EOF && n == 0)
		return 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 1;
}

/* Refuse what is not text: NUL and control bytes, and bytes that are not
 * UTF-8. */
static int check_text(const char *buf, size_t n, int line, char *err, size_t err_len)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == 0) {
			snprintf(err, err_len, "line %d, column %zu: a NUL byte; an INI file is text", line, i + 1);
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(err, err_len, "line %d, column %zu: control character 0x%02x; an INI file is text",
				 line, i + 1, c);
			return -1;
		}
	}
	size_t ok = utf8_valid_len(buf, n);
	if (ok != n) {
		snprintf(err, err_len, "line %d, column %zu: byte 0x%02x is not UTF-8 text; save the file as UTF-8",
			 line, ok + 1, (unsigned char)buf[ok]);
		return -1;
	}
	return 0;
}

/* The value after '=' (s), unquoted in place; *out points into s. */
static int parse_value(char *s, char **out, int line, char *err, size_t err_len)
{
	char *v = skip_blanks(s);
	if (*v == '"') {
		char *w = v, *p = v + 1;
		for (;; p++) {
			if (!*p) {
				snprintf(err, err_len, "line %d: no closing '\"' for the quoted value", line);
				return -1;
			}
			if (*p == '"')
				break;
			if (*p == '\\') {
				p++;
				if (*p != '"' && *p != '\\') {
					snprintf(err, err_len,
						 "line %d: '\\%c' inside quotes; write \\\" for \" and \\\\ for \\",
						 line, *p ? *p : ' ');
					return -1;
				}
			}
			*w++ = *p;
		}
		if (!is_rest_empty(p + 1)) {
			snprintf(err, err_len, "line %d: '%.20s' after the closing quote (only a comment may follow)",
				 line, skip_blanks(p + 1));
			return -1;
		}
		*w = '\0';
		*out = v;
		return 0;
	}
	/* Bare: up to a ';' or '#' that follows a blank. */
	size_t n = 0;
	for (; v[n]; n++)
		if ((v[n] == ';' || v[n] == '#') && ((n > 0 && is_blank(v[n - 1])) || (n == 0 && v > s)))
			break;
	trim_end(v, n);
	*out = v;
	return 0;
}

int ini_read(FILE *f, ini_entry_fn fn, void *ctx, char *err, size_t err_len)
{
	char buf[INI_LINE_BYTES_MAX + 1], section[INI_LINE_BYTES_MAX + 1] = "";
	size_t n;
	int rc;
	for (int line = 1; (rc = read_line(f, buf, sizeof buf, &n, line, err, err_len)) == 1; line++) {
		if (line == INT_MAX) {
			snprintf(err, err_len, "line %d: too many lines for a settings file", line);
			return -1;
		}
		if (check_text(buf, n, line, err, err_len))
			return -1;
		char *s = buf;
		if (line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3; /* a byte order mark some editors write */
		s = skip_blanks(s);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || !is_rest_empty(e + 1)) {
				snprintf(err, err_len, "line %d: a section is written [name]", line);
				return -1;
			}
			char *name = skip_blanks(s + 1);
			trim_end(name, (size_t)(e - name));
			if (!*name) {
				snprintf(err, err_len, "line %d: [] has no section name", line);
				return -1;
			}
			memmove(section, name, strlen(name) + 1);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_len, "line %d: not '[section]', 'name = value' or a comment", line);
			return -1;
		}
		trim_end(s, (size_t)(eq - s));
		if (!*s) {
			snprintf(err, err_len, "line %d: no name before '='", line);
			return -1;
		}
		char *value;
		if (parse_value(eq + 1, &value, line, err, err_len))
			return -1;
		char msg[600];
		if (fn(ctx, section, s, value, line, msg, sizeof msg)) {
			snprintf(err, err_len, "line %d: %s", line, msg);
			return -1;
		}
	}
	return rc;
}

void ini_write_value(FILE *f, const char *v)
{
	size_t n = strlen(v);
	bool is_quoted = n == 0 || is_blank(v[0]) || is_blank(v[n - 1]) || strpbrk(v, ";#\"\\");
	if (!is_quoted) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('"', f);
}
