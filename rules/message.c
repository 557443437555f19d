/* SPDX-License-Identifier: Apache-2.0 */
/*
 * message.c - the console message as rules see it: making one from any
 * bytes (message_create), cleaning text so that everything downstream may
 * rely on it (message_clean), and finding the message id at its start
 * (msgid_find).  Turning the lines of a source into messages is the
 * format readers' job (format.c, format-*.c), not this file's.
 *
 * Decisions:
 * - Text is always valid UTF-8 without NUL bytes: each maximal invalid
 *   subsequence (Unicode's "best practice", so one U+FFFD per broken
 *   character rather than one per byte) becomes U+FFFD and sets
 *   MSGF_BADUTF8; a NUL byte becomes a blank and sets MSGF_NUL.  Other
 *   control characters (tabs, ESC) are kept: they are data, and whoever
 *   logs or displays text escapes them.
 * - Text is at most MSG_MAX_LEN bytes after cleaning (repair can make it
 *   longer than the input), cut before a character, never inside one;
 *   MSGF_TRUNCATED says so.  MSGF_ASCII is set when every byte is below
 *   0x80, so a column is a byte.
 * - message_create never leaves user NULL (it is "" when unknown), so a
 *   USER filter never needs a NULL test; system and source may be NULL.
 * - A message id is recognised only at the start of the text, after an
 *   optional z/OS marker: '*' (action), '*nn ' (reply number), '@' or '+'
 *   (issued by a problem program), and at most one blank after it.  Forms:
 *   "$HASP" and 3-4 digits (JES2, no severity letter); otherwise 3 to 8
 *   letters, 3 to 5 digits and an IBM severity letter (A D E I R S T W):
 *   HCPSIG2113I, DMSACC724I, IEF403I, CBR3750I, ICH70001I, HHC01603I,
 *   HHCCP003I.  The id must end the text or be followed by a blank, a tab
 *   or one of ":,.;" so that words like "ABC123DEF" are not ids.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Length of the leading run of ASCII bytes other than NUL. */
static size_t
ascii_run(const unsigned char *s, size_t len)
{
	const uint64_t	 high = 0x8080808080808080ull;
	const uint64_t	 low = 0x0101010101010101ull;
	uint64_t	 w;
	size_t		 i = 0;

	while (i + 8 <= len) {
		memcpy(&w, s + i, 8);
		/* Any byte >= 0x80, or any zero byte. */
		if ((w & high) != 0 || ((w - low) & ~w & high) != 0)
			break;
		i += 8;
	}
	while (i < len && s[i] != 0 && s[i] < 0x80)
		i++;
	return i;
}

/*
 * Append text to out, cleaned: valid UTF-8, NUL bytes as blanks, at most
 * max bytes appended, never cutting a character.  Returns the MSGF_* flags
 * that describe what was done (MSGF_ASCII when every byte appended is
 * ASCII).
 */
unsigned
message_clean(struct strbuf *out, const char *text, size_t len, size_t max)
{
	const unsigned char	*s = (const unsigned char *)text;
	unsigned char		 lo, hi;
	unsigned		 flags = MSGF_ASCII;
	size_t			 i = 0, n, used = 0, run;
	int			 need, k;

	while (i < len) {
		run = ascii_run(s + i, len - i);
		if (run > 0) {
			if (run > max - used) {
				run = max - used;
				flags |= MSGF_TRUNCATED;
			}
			strbuf_addn(out, text + i, run);
			used += run;
			i += run;
			if (flags & MSGF_TRUNCATED)
				break;
			continue;
		}
		if (s[i] == 0) {
			if (used + 1 > max) {
				flags |= MSGF_TRUNCATED;
				break;
			}
			strbuf_addc(out, ' ');
			flags |= MSGF_NUL;
			used++;
			i++;
			continue;
		}
		flags &= ~MSGF_ASCII;
		need = utf8_lead(s[i], &lo, &hi);
		n = 1;
		if (need > 0) {
			for (k = 0; k < need && i + n < len; k++) {
				if (s[i + n] < lo || s[i + n] > hi)
					break;
				lo = 0x80;
				hi = 0xbf;
				n++;
			}
		}
		if (need > 0 && n == (size_t)need + 1) {
			if (used + n > max) {
				flags |= MSGF_TRUNCATED;
				break;
			}
			strbuf_addn(out, text + i, n);
			used += n;
		} else {
			/* The maximal invalid subsequence: one U+FFFD. */
			if (used + 3 > max) {
				flags |= MSGF_TRUNCATED;
				break;
			}
			strbuf_addn(out, UTF8_REPLACEMENT, 3);
			flags |= MSGF_BADUTF8;
			used += 3;
		}
		i += n;
	}
	return flags;
}

/* Create a message from any bytes: the text is copied and cleaned. */
struct message *
message_create(const char *text, size_t len, const char *user,
    const char *system, const char *source, time_t time)
{
	struct message	*m;
	struct strbuf	 sb;

	m = xcalloc(1, sizeof *m);
	strbuf_init(&sb);
	m->flags = message_clean(&sb, text != NULL ? text : "",
	    text != NULL ? len : 0, MSG_MAX_LEN);
	m->len = sb.len;
	/*
	 * PCRE2's JIT may read the allocation past the text in whole words;
	 * defined bytes there keep valgrind quiet and cost nothing real.
	 */
	if (sb.data != NULL)
		memset(sb.data + sb.len, 0, sb.cap - sb.len);
	m->text = strbuf_steal(&sb);
	m->user = xstrdup(user != NULL ? user : "");
	m->system = system != NULL ? xstrdup(system) : NULL;
	m->source = source != NULL ? xstrdup(source) : NULL;
	msgid_find(m->text, m->len, m->msgid);
	m->time = time;
	m->format = FMT_PLAIN;
	return m;
}

/* Free a message made by message_create; NULL is a no-op. */
void
message_free(struct message *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	free(m->text);
	free(m->user);
	free(m->system);
	free(m->source);
	for (i = 0; i < m->nlines; i++)
		free(m->lines[i]);
	free(m->lines);
	free(m->sd);
	free(m->jobid);
	free(m);
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether an id may end at p: the end, a blank or light punctuation. */
static bool
id_ends(const char *p, const char *end)
{
	return p == end || *p == ' ' || *p == '\t' || *p == ':' ||
	    *p == ',' || *p == '.' || *p == ';';
}

/* An IBM severity letter. */
static bool
is_severity(char c)
{
	switch (c) {
	case 'A': case 'D': case 'E': case 'I': case 'R': case 'S': case 'T':
	case 'W':
		return true;
	}
	return false;
}

/* Length of the message id starting exactly at p, 0 if none. */
static size_t
id_at(const char *p, const char *end)
{
	const char	*q;
	size_t		 letters, digits;

	if (p >= end)
		return 0;
	if (*p == '$') {
		if (end - p < 8 || memcmp(p, "$HASP", 5) != 0)
			return 0;
		for (q = p + 5; q < end && is_digit(*q) && q - p < 9; q++)
			;
		if (q - p >= 8 && id_ends(q, end))
			return (size_t)(q - p);
		return 0;
	}
	for (q = p; q < end && is_upper(*q) && q - p < 9; q++)
		;
	letters = (size_t)(q - p);
	if (letters < 3 || letters > 8)
		return 0;
	for (digits = 0; q < end && is_digit(*q) && digits < 6; q++)
		digits++;
	if (digits < 3 || digits > 5 || q == end || !is_severity(*q))
		return 0;
	q++;
	if (!id_ends(q, end))
		return 0;
	return (size_t)(q - p);
}

/*
 * Find the message id at the start of text (after an optional action or
 * reply marker).  Returns its length and copies it, NUL-terminated, to out
 * (MSGID_MAX bytes; out may be NULL); 0 and "" when there is none.
 */
size_t
msgid_find(const char *text, size_t len, char *out)
{
	const char	*p = text, *end = text + len, *q;
	size_t		 n;

	if (out != NULL)
		out[0] = '\0';
	if (text == NULL || len == 0)
		return 0;
	if (*p == '*') {
		p++;
		for (q = p; q < end && is_digit(*q) && q - p < 5; q++)
			;
		if (q > p && q - p <= 4 && q < end && *q == ' ')
			p = q;		/* "*nn ": a reply number */
	} else if (*p == '@' || *p == '+')
		p++;
	if (p > text && p < end && *p == ' ')
		p++;
	n = id_at(p, end);
	if (n == 0 || n >= MSGID_MAX)
		return 0;
	if (out != NULL) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
	return n;
}
