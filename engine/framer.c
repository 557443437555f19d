/* SPDX-License-Identifier: Apache-2.0 */
/*
 * framer.c - cutting a byte stream into records (see framer.h): lines, and
 * RFC 6587 syslog over TCP with octet counting or non-transparent framing
 * chosen per record.  It knows nothing of where the bytes come from nor of
 * what a record means; its callers are the feeds (engine/feed.c).
 *
 * Decisions:
 * - A line is what precedes a '\n'; one '\r' just before the '\n' is
 *   removed.  Empty lines are given (the message reader counts and drops
 *   them).
 * - A record is given as soon as it is known to be longer than `max':
 *   its first `max' bytes with cut=true, and the rest of it is skipped
 *   without being held.  A line of exactly `max' bytes followed by "\r\n"
 *   is not cut: the '\r' is held until the next byte says what it is.
 * - Octet counting: "LEN SP MSG" where LEN is 1 to 9 digits without a
 *   leading zero (RFC 6587 says NONZERO-DIGIT *DIGIT).  MSG is given as it
 *   is, '\r' and '\n' included.  Anything else after the digits (a count
 *   of 0, a leading zero, ten digits or more, no space) is a bad count:
 *   counted in `bad', and every byte up to and including the next '\n' is
 *   skipped, as the stream can no longer be trusted before it.
 * - framer_finish() gives an unfinished line (one trailing '\r' removed:
 *   it is half an end of line) and the bytes of an unfinished octet-counted
 *   record; a count not yet followed by its space gives nothing.
 * - The buffer for a record split across pushes is allocated when first
 *   needed, at max + 1 bytes (the 1 for a '\r' whose meaning is not yet
 *   known), and released by framer_finish(): a record wholly inside one
 *   push is given straight from the caller's bytes without a copy.
 * - A callback must not push to or free the framer that calls it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/framer.h"
#include "util/util.h"

#define COUNT_DIGITS_MAX 9		/* octet count: at most 999,999,999 */

enum {
	PH_START,			/* FRAME_SYSLOG: a record begins */
	PH_LINE,			/* in a record that ends at '\n' */
	PH_COUNT,			/* in the digits of an octet count */
	PH_OCTETS,			/* in an octet-counted record */
	PH_RESYNC			/* after a bad count, up to '\n' */
};

/* Start a new stream: no record, nothing held. */
void
framer_init(struct framer *f, enum frame_mode mode, size_t max)
{
	if (max == 0 || max > (size_t)-1 / 2)
		fatalx("%s: bad maximum %zu", __func__, max);
	memset(f, 0, sizeof *f);
	f->mode = mode;
	f->max = max;
	f->phase = mode == FRAME_LINES ? PH_LINE : PH_START;
}

static void
record_done(struct framer *f)
{
	f->len = 0;
	f->want = 0;
	f->skipping = false;
	f->phase = f->mode == FRAME_LINES ? PH_LINE : PH_START;
}

static void
hold(struct framer *f, const char *p, size_t n)
{
	if (f->buf == NULL)
		f->buf = xmalloc(f->max + 1);
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

/*
 * A record that ends at '\n': consume what of p belongs to it, give it
 * when it ends or is known to be too long.  Returns the bytes consumed.
 */
static size_t
take_line(struct framer *f, const char *p, size_t n, frame_cb cb, void *arg)
{
	const char	*nl;
	size_t		 seg, used, total;
	char		 last;

	nl = memchr(p, '\n', n);
	seg = nl != NULL ? (size_t)(nl - p) : n;
	used = nl != NULL ? seg + 1 : n;

	if (f->skipping) {
		if (nl != NULL)
			record_done(f);
		return used;
	}
	if (nl != NULL && f->len == 0) {
		/* The common case: a whole line in the input, no copy. */
		if (seg > 0 && p[seg - 1] == '\r')
			seg--;
		record_done(f);
		if (seg > f->max) {
			f->cut++;
			cb(p, f->max, true, arg);
		} else
			cb(p, seg, false, arg);
		return used;
	}

	/*
	 * Up to max + 1 bytes may be held: the last one a '\r' that is not
	 * part of the record if a '\n' follows it.
	 */
	total = f->len + seg;
	last = seg > 0 ? p[seg - 1] : (f->len > 0 ? f->buf[f->len - 1] : 0);
	if (total > f->max + 1 || (total == f->max + 1 && last != '\r')) {
		if (f->len < f->max)
			hold(f, p, f->max - f->len);
		f->cut++;
		f->len = 0;
		if (nl != NULL)
			record_done(f);
		else
			f->skipping = true;
		cb(f->buf, f->max, true, arg);
		return used;
	}
	hold(f, p, seg);
	if (nl == NULL)
		return used;
	total = f->len;
	if (total > 0 && f->buf[total - 1] == '\r')
		total--;
	record_done(f);
	cb(f->buf, total, false, arg);
	return used;
}

/* The digits of an octet count, then its space.  Returns bytes consumed. */
static size_t
take_count(struct framer *f, const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			/* want holds the count; len the digits seen. */
			if ((f->len == 0 && p[i] == '0') ||
			    f->len == COUNT_DIGITS_MAX)
				break;
			f->want = f->want * 10 + (size_t)(p[i] - '0');
			f->len++;
			continue;
		}
		if (p[i] == ' ' && f->len > 0) {
			f->len = 0;
			f->phase = PH_OCTETS;
			return i + 1;
		}
		break;
	}
	if (i == n)
		return n;
	/* A bad count: resynchronise after the next '\n'. */
	f->bad++;
	f->len = 0;
	f->want = 0;
	if (p[i] == '\n') {
		record_done(f);
		return i + 1;
	}
	f->phase = PH_RESYNC;
	return i + 1;
}

/* The bytes of an octet-counted record.  Returns bytes consumed. */
static size_t
take_octets(struct framer *f, const char *p, size_t n, frame_cb cb,
    void *arg)
{
	size_t	 take = n < f->want ? n : f->want, len;

	if (f->skipping) {
		f->want -= take;
		if (f->want == 0)
			record_done(f);
		return take;
	}
	if (f->len == 0 && take == f->want && take <= f->max) {
		/* The whole record in the input, no copy. */
		record_done(f);
		cb(p, take, false, arg);
		return take;
	}
	if (take > f->max - f->len)
		take = f->max - f->len;
	hold(f, p, take);
	f->want -= take;
	if (f->want == 0) {
		len = f->len;
		record_done(f);
		cb(f->buf, len, false, arg);
	} else if (f->len == f->max) {
		/* Longer than max: give it now, skip the rest. */
		f->cut++;
		f->len = 0;
		f->skipping = true;
		cb(f->buf, f->max, true, arg);
	}
	return take;
}

/* Cut n bytes at p into records; each complete one goes to cb. */
void
framer_push(struct framer *f, const char *p, size_t n, frame_cb cb,
    void *arg)
{
	const char	*nl;
	size_t		 used;

	while (n > 0) {
		switch (f->phase) {
		case PH_START:
			if (*p >= '0' && *p <= '9') {
				f->phase = PH_COUNT;
				f->want = 0;
				f->len = 0;
				used = take_count(f, p, n);
			} else {
				f->phase = PH_LINE;
				used = take_line(f, p, n, cb, arg);
			}
			break;
		case PH_LINE:
			used = take_line(f, p, n, cb, arg);
			break;
		case PH_COUNT:
			used = take_count(f, p, n);
			break;
		case PH_OCTETS:
			used = take_octets(f, p, n, cb, arg);
			break;
		case PH_RESYNC:
			nl = memchr(p, '\n', n);
			if (nl == NULL)
				return;
			used = (size_t)(nl - p) + 1;
			record_done(f);
			break;
		default:
			fatalx("%s: bad phase %d", __func__, f->phase);
		}
		p += used;
		n -= used;
	}
}

/* End of stream: an unfinished record is given as it is. */
void
framer_finish(struct framer *f, frame_cb cb, void *arg)
{
	size_t	 len = f->len;
	bool	 give = false;

	if (!f->skipping && len > 0) {
		if (f->phase == PH_LINE) {
			if (f->buf[len - 1] == '\r')
				len--;
			give = true;
		} else if (f->phase == PH_OCTETS)
			give = true;
	}
	record_done(f);
	if (give)
		cb(f->buf, len, false, arg);
	free(f->buf);
	f->buf = NULL;
}

/* Bytes held in an unfinished record (not yet given). */
size_t
framer_pending(const struct framer *f)
{
	if (f->phase == PH_LINE || f->phase == PH_OCTETS)
		return f->len;
	return 0;
}

void
framer_free(struct framer *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	f->buf = NULL;
	f->len = 0;
}
