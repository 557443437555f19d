/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed.c - one byte stream (a file, a connection, a terminal) or one
 * datagram peer of a source: the framer cuts records, the source's
 * message reader turns them into messages (it keeps per-stream state: a
 * z/OS message waits for its continuation lines), src_message() takes
 * each one.  Records are cut one byte beyond MSG_MAX_LEN so that the
 * reader sees a record was too long, cuts it and counts it.
 */
#include "config.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/source.h"
#include "rules/rules.h"

struct feed {
	struct src		*s;
	struct framer		 fr;
	struct msgreader	*reader;
};

static void
on_message(const struct message *msg, void *arg)
{
	struct feed	*f = arg;

	src_message(f->s, msg);
}

static void
on_record(const char *rec, size_t len, bool cut, void *arg)
{
	struct feed	*f = arg;

	(void)cut;	/* the reader counts it: len is MSG_MAX_LEN + 1 */
	msgreader_line(f->reader, rec, len, (time_t)ev_now(f->s->d->loop),
	    on_message, f);
}

struct feed *
feed_create(struct src *s, enum frame_mode mode)
{
	struct feed	*f = xcalloc(1, sizeof *f);

	f->s = s;
	framer_init(&f->fr, mode, MSG_MAX_LEN + 1);
	f->reader = msgreader_create(s->format, s->name, s->system, s->user);
	return f;
}

void
feed_bytes(struct feed *f, const char *p, size_t n)
{
	f->s->bytes += n;
	framer_push(&f->fr, p, n, on_record, f);
}

/* One whole record (a datagram): a final "\n" or "\r\n" is not text. */
void
feed_record(struct feed *f, const char *p, size_t n)
{
	f->s->bytes += n;
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	on_record(p, n > MSG_MAX_LEN + 1 ? MSG_MAX_LEN + 1 : n, false, f);
}

void
feed_end(struct feed *f)
{
	framer_finish(&f->fr, on_record, f);
	msgreader_flush(f->reader, (time_t)ev_now(f->s->d->loop), on_message,
	    f);
}

size_t
feed_pending(const struct feed *f)
{
	return framer_pending(&f->fr);
}

void
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	framer_free(&f->fr);
	msgreader_free(f->reader);
	free(f);
}
