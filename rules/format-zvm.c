/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format-zvm.c - FORMAT(ZVM): lines of a z/VM virtual machine's console
 * as a console log or a spooled console shows them:
 *
 *	hh:mm:ss HCPSIG2113I User BKRLNXD ...
 *	 hh:mm:ss 04: HCPGSP2627I The virtual machine is placed in CP mode ...
 *	hh:mm:ss  * MSG FROM EREP    : text
 *
 * Decisions (documented in vigil-rules(5)):
 * - The text that MATCH and MCOL see is the message as the console shows
 *   it without the transport prefix: blanks before the time stamp, the
 *   `hh:mm:ss' time stamp and one or two blanks after it, and a virtual
 *   CPU prefix `nn: ' are removed, so a message id is in column 1 (the
 *   reference's samples anchor ids there: MATCH 'RPISMF056I*').  Multi-line
 *   CP messages repeat their id on each line and stay one message a line.
 * - The time stamp is the message's time, on the day of `now' (format.c).
 * - `* MSG FROM user : text' is a CP MSG: text `text', user `user', class
 *   1; `* WNG FROM user : text' a CP warning, class 2.  Anything else is
 *   virtual console output, class 5, from the source's USER (the owner of
 *   the console).
 * - A line with neither a time stamp, a virtual CPU prefix nor a MSG/WNG
 *   header is still a message: plain text, counted as malformed.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

#define ZVM_CLASS_MSG		1	/* CP MSG, MSGNOH */
#define ZVM_CLASS_WNG		2	/* CP WARNING */
#define ZVM_CLASS_CONSOLE	5	/* virtual console output */

struct zvm_line {
	bool		 has_time;
	int		 h, m, s;
	bool		 vcpu;
	const char	*text;
	size_t		 len;
	int		 cls;
	const char	*from;		/* MSG/WNG sender, or NULL */
	size_t		 fromlen;
};

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
	    (c >= 'a' && c <= 'f');
}

/* "MSG FROM user : " or "WNG FROM user : " (after an optional '*'). */
static bool
zvm_from(struct zvm_line *z, const char *p, const char *end)
{
	const char	*u, *q;
	size_t		 ulen;
	int		 cls;

	if (p < end && *p == '*') {
		p++;
		while (p < end && *p == ' ')
			p++;
	}
	if (end - p < 10 || memcmp(p + 3, " FROM ", 6) != 0)
		return false;
	if (memcmp(p, "MSG", 3) == 0)
		cls = ZVM_CLASS_MSG;
	else if (memcmp(p, "WNG", 3) == 0)
		cls = ZVM_CLASS_WNG;
	else
		return false;
	for (u = q = p + 9; q < end && *q != ' ' && *q != ':'; q++)
		;
	ulen = (size_t)(q - u);
	if (ulen == 0 || ulen > 8)
		return false;
	while (q < end && *q == ' ')
		q++;
	if (q == end || *q != ':')
		return false;
	z->from = u;
	z->fromlen = ulen;
	q++;
	if (q < end && *q == ' ')
		q++;
	z->cls = cls;
	z->text = q;
	z->len = (size_t)(end - q);
	return true;
}

/* Split a line into its prefix parts; false if it has none of them. */
static bool
zvm_parse(const char *s, size_t len, struct zvm_line *z)
{
	const char	*p = s, *end = s + len;
	bool		 any = false;
	int		 i;

	memset(z, 0, sizeof *z);
	z->cls = ZVM_CLASS_CONSOLE;
	while (p < end && *p == ' ')
		p++;
	if (format_hms(p, (size_t)(end - p), ':', &z->h, &z->m, &z->s) &&
	    p[0] != ' ' && (end - p == 8 || p[8] == ' ')) {
		z->has_time = any = true;
		p += 8;
		for (i = 0; i < 2 && p < end && *p == ' '; i++)
			p++;
	} else
		p = s;
	if (end - p >= 3 && is_hex(p[0]) && is_hex(p[1]) && p[2] == ':' &&
	    (end - p == 3 || p[3] == ' ')) {
		z->vcpu = any = true;
		p += end - p == 3 ? 3 : 4;
	}
	if (zvm_from(z, p, end))
		return true;
	z->text = p;
	z->len = (size_t)(end - p);
	return any;
}

/*
 * Guessing, take only lines with a time stamp, a MSG/WNG header or a CPU
 * prefix before a message id: a bare "nn:" is too common in other text.
 */
bool
format_zvm_line(struct msgreader *r, const char *s, size_t len, time_t now,
    message_cb cb, void *arg, bool guess)
{
	struct zvm_line	 z;
	struct message	*m;
	time_t		 t = now;
	bool		 ok;

	ok = zvm_parse(s, len, &z);
	if (guess && (!ok || (!z.has_time && z.from == NULL &&
	    msgid_find(z.text, z.len, NULL) == 0)))
		return false;
	if (!ok) {
		msgreader_malformed(r);
		format_plain_line(r, s, len, now, cb, arg);
		return true;
	}
	if (z.len == 0)
		return true;
	if (z.has_time)
		t = format_time_today(r, now, z.h, z.m, z.s);
	m = msgreader_begin(r, FMT_ZVM, z.text, z.len, t, z.has_time,
	    msgreader_line_flags(r));
	m->cls = z.cls;
	if (z.from != NULL)
		m->user = (char *)msgreader_keep(r, KEEP_USER, z.from,
		    z.fromlen);
	msgreader_emit(r, m, cb, arg);
	return true;
}
