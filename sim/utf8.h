/*
 * sim/utf8.h — is a byte string UTF-8 text?
 *
 * Well-formed UTF-8 as RFC 3629 §4 defines it: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF. Used where text from
 * a user (an INI file, a --set value) must be text that can be written back.
 */
#ifndef NICSIM_SIM_UTF8_H
#define NICSIM_SIM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length of the longest well-formed prefix of s[0..n): n if all of it is
 * UTF-8, else the offset of the first byte of the first bad sequence. */
static inline size_t utf8_valid_len(const char *s, size_t n)
{
	const uint8_t *b = (const uint8_t *)s;
	size_t i = 0;
	while (i < n) {
		uint8_t c = b[i];
		size_t len;
		uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte (RFC 3629 §4) */
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0; /* no overlong 3-byte forms */
			else if (c == 0xed)
				hi = 0x9f; /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90; /* no overlong 4-byte forms */
			else if (c == 0xf4)
				hi = 0x8f; /* nothing above U+10FFFF */
		} else {
			return i; /* a continuation byte, 0xc0, 0xc1 or 0xf5..0xff */
		}
		if (n - i < len || b[i + 1] < lo || b[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if (b[i + k] < 0x80 || b[i + k] > 0xbf)
				return i;
		i += len;
	}
	return n;
}

#endif
