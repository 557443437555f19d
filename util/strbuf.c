/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strbuf.c - a growable, always NUL-terminated byte string used to build
 * messages and dumps without fixed-size buffers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void
strbuf_init(struct strbuf *sb)
{
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->data != NULL)
		sb->data[0] = '\0';
}

static void
strbuf_grow(struct strbuf *sb, size_t more)
{
	size_t	 want = sb->len + more + 1;

	if (want <= sb->cap)
		return;
	if (sb->cap == 0)
		sb->cap = 64;
	while (sb->cap < want)
		sb->cap *= 2;
	sb->data = xreallocarray(sb->data, sb->cap, 1);
}

void
strbuf_addn(struct strbuf *sb, const char *s, size_t n)
{
	if (n == 0)		/* s may be NULL then */
		return;
	strbuf_grow(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_addn(sb, &c, 1);
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_addn(sb, s, strlen(s));
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	strbuf_addn(sb, s, (size_t)n);
	free(s);
}

/*
 * Append untrusted text with control characters and bytes that are not
 * printable ASCII escaped as \xNN, so it cannot drive a terminal.
 */
void
strbuf_add_escaped(struct strbuf *sb, const char *s, size_t n)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\\')
			strbuf_adds(sb, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addc(sb, (char)c);
	}
}

char *
strbuf_steal(struct strbuf *sb)
{
	char	*s;

	if (sb->data == NULL)
		return xstrdup("");
	s = sb->data;
	strbuf_init(sb);
	return s;
}
