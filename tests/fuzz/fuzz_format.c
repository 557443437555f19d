/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_format.c - libFuzzer target for the message readers (format.c,
 * format-*.c) and message cleaning (message.c): the first byte chooses the
 * format (AUTO, PLAIN, ZVM, ZOSLOG, SYSLOG, HERCULES), the rest is split on
 * '\n' and fed line by line, then the reader is flushed.  Besides "no
 * crash, no leak", every message must keep the readers' promises: text of
 * at most MSG_MAX_LEN bytes, valid UTF-8 without NUL, NUL-terminated at
 * len, a user, at most MSG_MAX_LINES lines, and the statistics must count
 * what the callback saw.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const char *what, const char *s, size_t len)
{
	struct strbuf	 sb;
	unsigned	 flags;

	if (s == NULL || strlen(s) != len || len > MSG_MAX_LEN) {
		fprintf(stderr, "%s: bad length\n", what);
		abort();
	}
	strbuf_init(&sb);
	flags = message_clean(&sb, s, len, MSG_MAX_LEN);
	if ((flags & (MSGF_BADUTF8 | MSGF_NUL | MSGF_TRUNCATED)) != 0 ||
	    sb.len != len || (len > 0 && memcmp(sb.data, s, len) != 0)) {
		fprintf(stderr, "%s: not clean UTF-8\n", what);
		abort();
	}
	strbuf_free(&sb);
}

static void
on_message(const struct message *m, void *arg)
{
	uint64_t	*count = arg;
	size_t		 i;

	(*count)++;
	check_text("text", m->text, m->len);
	if (m->len == 0 || m->user == NULL ||
	    strlen(m->msgid) >= MSGID_MAX || m->nlines > MSG_MAX_LINES ||
	    (m->nlines > 0 && m->lines == NULL)) {
		fprintf(stderr, "bad message fields\n");
		abort();
	}
	check_text("user", m->user, strlen(m->user));
	for (i = 0; i < m->nlines; i++)
		check_text("line", m->lines[i], strlen(m->lines[i]));
	for (i = 0; i < m->len && (unsigned char)m->text[i] < 0x80; i++)
		;
	if ((i == m->len) != ((m->flags & MSGF_ASCII) != 0)) {
		fprintf(stderr, "MSGF_ASCII is wrong\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgreader		*r;
	const struct msgreader_stats	*st;
	const char			*p, *end, *nl;
	uint64_t			 count = 0, lines = 0;
	time_t				 now = 1700000000;
	struct message			*m;

	if (size == 0)
		return 0;
	r = msgreader_create(data[0] % 6, "SRC", (data[0] & 8) ? "SYS" : NULL,
	    (data[0] & 16) ? "OPERATOR" : NULL);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		msgreader_line(r, p, (size_t)(nl - p), now, on_message,
		    &count);
		lines++;
		now += data[0] & 1;
		p = nl + 1;
	}
	msgreader_flush(r, now, on_message, &count);
	st = msgreader_stats(r);
	if (st->messages != count || st->lines != lines ||
	    st->malformed > lines) {
		fprintf(stderr, "statistics do not add up\n");
		abort();
	}
	msgreader_free(r);

	/* The same bytes as one message. */
	m = message_create((const char *)data, size, NULL, NULL, NULL, now);
	check_text("message_create", m->text, m->len);
	message_free(m);
	return 0;
}
