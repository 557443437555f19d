/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.c - what a valid UTF-8 sequence is (Unicode's table 3-7: no
 * overlong forms, no UTF-16 surrogates, nothing above U+10FFFF), for the
 * message cleaner, the console log and the JSON log, which each decide
 * differently what to do with what is not.
 */
#include "config.h"

#include "util/util.h"

/* Bytes after a lead byte c, and the range of the first of them; -1 if c
 * cannot start a sequence of more than one byte. */
int
utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c == 0xe0)
		*lo = 0xa0;
	else if (c == 0xed)
		*hi = 0x9f;		/* no UTF-16 surrogates */
	if (c >= 0xe0 && c <= 0xef)
		return 2;
	if (c == 0xf0)
		*lo = 0x90;
	else if (c == 0xf4)
		*hi = 0x8f;		/* nothing above U+10FFFF */
	if (c >= 0xf0 && c <= 0xf4)
		return 3;
	return -1;
}

/* Length of the valid multi-byte sequence at s (n bytes), 0 if none. */
size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char	 lo, hi;
	int		 need, k;

	if (n == 0 || (need = utf8_lead(s[0], &lo, &hi)) < 0 ||
	    (size_t)need >= n)
		return 0;
	for (k = 1; k <= need; k++) {
		if (s[k] < lo || s[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return (size_t)need + 1;
}
