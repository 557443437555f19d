/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.c - the message reader: it takes the physical lines of one
 * source, hands each to the reader of the source's format (format-*.c) or,
 * for FORMAT(AUTO), to the reader of the format the line looks like, and
 * counts what happened.  It owns what every format shares: the bounds on a
 * line, the reusable message a reader fills, the defaults a source gives
 * (user, system), times without a date, and the statistics.  Framing bytes
 * into lines is the source's job (engine/), not this file's.
 *
 * Decisions (vigil-rules(5) documents them):
 * - A line longer than MSG_MAX_LEN is cut there (before a UTF-8
 *   character, never inside one), counted in `truncated', and its message
 *   carries MSGF_TRUNCATED; it is never rejected.  A reader holds at most
 *   one message of MSG_MAX_LINES lines and MSG_MAX_LEN bytes, so memory
 *   stays bounded whatever the input.
 * - Trailing blanks, tabs and the end of line (CR, LF) are not part of a
 *   message: 3270 screens and fixed-length records pad lines with blanks,
 *   and a pattern without a trailing '*' is anchored at the text's end.
 * - A line that is empty once its transport prefix and trailing blanks are
 *   gone makes no message (there is nothing to match); it still counts in
 *   `lines'.
 * - AUTO decides line by line, each format reader parsing the line once
 *   and taking it only when it is clearly of its format: a line that
 *   continues the z/OS message being gathered; a z/OS SYSLOG record, minor
 *   record, JES2 job log line, or message id after ASA control; a Hercules
 *   line with an HHC id; a z/VM line (a time stamp, a MSG/WNG header, or
 *   a virtual-CPU "nn:" before a message id); a syslog line (a valid
 *   "<pri>", or the time stamp syslog files start with); otherwise plain.
 *   A message id alone in column 1 makes no format: every console shows
 *   them.  Under AUTO only a "<pri>" line with a bad header is malformed.
 * - A time of day without a date (z/VM, Hercules, the JES2 job log) is
 *   taken on the day of `now' in local time; when that would put it more
 *   than an hour after `now' it is the day before (a console read just
 *   after midnight).
 * - Times going backwards are counted in `out_of_order'; the message keeps
 *   its own time.
 * - A z/OS message may wait for its continuation lines until the next line
 *   or msgreader_flush(): a source that goes quiet should flush.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

#define TC_HOURS	4	/* hours cached (this year's and last's, ...) */

struct msgreader {
	int			 format;	/* enum src_format */
	char			*source;	/* the DEFSRC name, or NULL */
	char			*system;	/* SYSTEM, or NULL */
	char			*user;		/* USER, or NULL */
	struct msgreader_stats	 stats;

	unsigned		 line_flags;	/* MSGF_TRUNCATED: line cut */
	bool			 have_last;
	time_t			 last_time;	/* of the last timed message */

	/* mktime() reads the time zone again on every call: cache. */
	bool			 tc_now_ok;
	time_t			 tc_now;	/* this `now' ... */
	struct tm		 tc_tm;		/* ... in local time */
	struct {
		int		 key[4];	/* this local hour ... */
		time_t		 start;		/* ... starts then */
	}			 tc_hour[TC_HOURS];
	unsigned		 tc_used;	/* entries filled */
	unsigned		 tc_next;	/* the one to replace */

	struct message		 msg;		/* see msgreader_begin */
	struct strbuf		 text;		/* msg.text */
	struct strbuf		 keep[KEEP__COUNT];
	struct format_zos	*zos;
};

static const char *const format_names[] = {
	"AUTO", "PLAIN", "ZVM", "ZOSLOG", "SYSLOG", "HERCULES"
};

/* The name of a format as DEFSRC FORMAT writes it. */
const char *
format_name(int format)
{
	if (format < 0 || (size_t)format >= nitems(format_names))
		return "UNKNOWN";
	return format_names[format];
}

/* A reader for one source; source, system and user may be NULL. */
struct msgreader *
msgreader_create(int format, const char *source, const char *system,
    const char *user)
{
	struct msgreader	*r;
	size_t			 i;

	if (format < FMT_AUTO || format > FMT_HERCULES)
		fatalx("%s: bad format %d", __func__, format);
	r = xcalloc(1, sizeof *r);
	r->format = format;
	r->source = source != NULL ? xstrdup(source) : NULL;
	r->system = system != NULL ? xstrdup(system) : NULL;
	r->user = user != NULL ? xstrdup(user) : NULL;
	strbuf_init(&r->text);
	for (i = 0; i < KEEP__COUNT; i++)
		strbuf_init(&r->keep[i]);
	if (format == FMT_AUTO || format == FMT_ZOSLOG)
		r->zos = format_zos_create();
	return r;
}

/* Free a reader; a message it still holds is lost (flush first). */
void
msgreader_free(struct msgreader *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	format_zos_free(r->zos);
	strbuf_free(&r->text);
	for (i = 0; i < KEEP__COUNT; i++)
		strbuf_free(&r->keep[i]);
	free(r->source);
	free(r->system);
	free(r->user);
	free(r);
}

const struct msgreader_stats *
msgreader_stats(const struct msgreader *r)
{
	return &r->stats;
}

const char *
msgreader_user(const struct msgreader *r)
{
	return r->user;
}

const char *
msgreader_system(const struct msgreader *r)
{
	return r->system;
}

const char *
msgreader_source(const struct msgreader *r)
{
	return r->source;
}

unsigned
msgreader_line_flags(const struct msgreader *r)
{
	return r->line_flags;
}

void
msgreader_malformed(struct msgreader *r)
{
	r->stats.malformed++;
}

/*
 * Fill the reader's own message with a cleaned copy of text and the
 * source's defaults; lflags are the flags of the line(s) it came from
 * (msgreader_line_flags).  The caller adjusts what its format knows better
 * (user, system, class, job id) and passes it to msgreader_emit.
 */
struct message *
msgreader_begin(struct msgreader *r, int format, const char *text,
    size_t len, time_t time, bool has_time, unsigned lflags)
{
	struct message	*m = &r->msg;
	unsigned	 flags;

	strbuf_reset(&r->text);
	flags = message_clean(&r->text, text, len, MSG_MAX_LEN);
	/* Cut by cleaning (repair made it longer), not with its line. */
	if ((flags & MSGF_TRUNCATED) && !(lflags & MSGF_TRUNCATED))
		r->stats.truncated++;
	memset(m, 0, sizeof *m);
	m->text = r->text.data != NULL ? r->text.data : (char *)"";
	m->len = r->text.len;
	m->user = r->user != NULL ? r->user : (char *)"";
	m->system = r->system;
	m->source = r->source;
	msgid_find(m->text, m->len, m->msgid);
	m->time = time;
	m->has_time = has_time;
	m->format = format;
	m->flags = flags | lflags;
	m->line = r->stats.lines;
	return m;
}

/*
 * Keep a cleaned copy of a field (user, host, ...) in the reader until the
 * next line; the returned string lives as long as that.
 */
const char *
msgreader_keep(struct msgreader *r, enum keep_slot slot, const char *s,
    size_t len)
{
	struct strbuf	*sb = &r->keep[slot];

	strbuf_reset(sb);
	message_clean(sb, s, len, MSG_MAX_LEN);
	if (sb->data == NULL)
		strbuf_addn(sb, "", 0);
	return sb->data;
}

/* Count a finished message and give it to the callback. */
void
msgreader_emit(struct msgreader *r, struct message *m, message_cb cb,
    void *arg)
{
	r->stats.messages++;
	if (m->flags & MSGF_BADUTF8)
		r->stats.bad_utf8++;
	if (m->flags & MSGF_NUL)
		r->stats.nul++;
	if (m->flags & MSGF_UNENDED)
		r->stats.unended++;
	if (m->has_time) {
		if (r->have_last && m->time < r->last_time)
			r->stats.out_of_order++;
		r->have_last = true;
		r->last_time = m->time;
	}
	if (cb != NULL)
		cb(m, arg);
}

/* Where to cut a line of len bytes so that it holds at most max. */
static size_t
cut_at(const char *s, size_t len, size_t max)
{
	size_t	 n = max, back;

	if (len <= max)
		return len;
	/* s[n] is the first byte dropped: do not split its character. */
	for (back = 0; back < 3 && n > 0 &&
	    ((unsigned char)s[n] & 0xc0) == 0x80; back++)
		n--;
	if (((unsigned char)s[n] & 0xc0) == 0x80)
		n = max;	/* not UTF-8 anyway: cut at the bound */
	return n;
}

static bool
is_trailing_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\f' || c == '\v';
}

/* Feed one physical line (without or with its end of line). */
void
msgreader_line(struct msgreader *r, const char *line, size_t len,
    time_t now, message_cb cb, void *arg)
{
	r->stats.lines++;
	r->line_flags = 0;
	if (line == NULL)
		len = 0;
	if (len > MSG_MAX_LEN) {
		len = cut_at(line, len, MSG_MAX_LEN);
		r->line_flags |= MSGF_TRUNCATED;
		r->stats.truncated++;
	}
	while (len > 0 && is_trailing_space(line[len - 1]))
		len--;
	if (len == 0)
		return;

	switch (r->format) {
	case FMT_AUTO:
		/*
		 * Each reader parses the line once and takes it or not.  A
		 * z/OS message that the line does not continue goes out
		 * before the line's own message.  "<pri>" lines are nothing
		 * but syslog, so trying them last changes nothing.
		 */
		if (format_zos_line(r->zos, r, line, len, now, cb, arg, true))
			break;
		format_zos_flush(r->zos, r, cb, arg);
		if (format_hercules_line(r, line, len, now, cb, arg, true) ||
		    format_zvm_line(r, line, len, now, cb, arg, true) ||
		    format_syslog_line(r, line, len, now, cb, arg, true))
			break;
		format_plain_line(r, line, len, now, cb, arg);
		break;
	case FMT_PLAIN:
		format_plain_line(r, line, len, now, cb, arg);
		break;
	case FMT_ZVM:
		format_zvm_line(r, line, len, now, cb, arg, false);
		break;
	case FMT_ZOSLOG:
		format_zos_line(r->zos, r, line, len, now, cb, arg, false);
		break;
	case FMT_SYSLOG:
		format_syslog_line(r, line, len, now, cb, arg, false);
		break;
	case FMT_HERCULES:
		format_hercules_line(r, line, len, now, cb, arg, false);
		break;
	}
}

/* Emit what the reader holds (end of input, or the source is idle). */
void
msgreader_flush(struct msgreader *r, time_t now, message_cb cb, void *arg)
{
	(void)now;
	r->line_flags = 0;
	if (r->zos != NULL)
		format_zos_flush(r->zos, r, cb, arg);
}

/* Whether n bytes at p are all decimal digits. */
bool
format_digits(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

/* The value of n decimal digits at p (checked by the caller). */
int
format_num(const char *p, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * Parse "hh:mm:ss" (sep ':') or "hh.mm.ss" (sep '.') in exactly 8 bytes
 * at s; the hour may be written with one digit after a blank (" 6.41.22").
 */
bool
format_hms(const char *s, size_t len, char sep, int *h, int *m, int *sec)
{
	int	 v[3];
	size_t	 i;

	if (len < 8 || s[2] != sep || s[5] != sep)
		return false;
	for (i = 0; i < 3; i++) {
		if (s[i * 3 + 1] < '0' || s[i * 3 + 1] > '9')
			return false;
		if (i == 0 && s[0] == ' ')
			v[i] = s[1] - '0';
		else if (s[i * 3] < '0' || s[i * 3] > '9')
			return false;
		else
			v[i] = (s[i * 3] - '0') * 10 + (s[i * 3 + 1] - '0');
	}
	if (v[0] > 23 || v[1] > 59 || v[2] > 60)
		return false;
	*h = v[0];
	*m = v[1];
	*sec = v[2];
	return true;
}

/* now in local time, through the reader's cache. */
bool
format_local_now(struct msgreader *r, time_t now, struct tm *tm)
{
	if (!r->tc_now_ok || r->tc_now != now) {
		if (localtime_r(&now, &r->tc_tm) == NULL)
			return false;
		r->tc_now = now;
		r->tc_now_ok = true;
	}
	*tm = r->tc_tm;
	return true;
}

/*
 * A local date and time (mon 1-12; out-of-range days are normalised, so
 * day 244 of month 1 is a day of the year); (time_t)-1 if there is none.
 * The start of the hour is cached: time zones change at hour boundaries.
 */
time_t
format_time_local(struct msgreader *r, int y, int mon, int d, int h, int m,
    int s)
{
	struct tm	 tm;
	time_t		 t;
	unsigned	 i;

	for (i = 0; i < r->tc_used; i++) {
		if (r->tc_hour[i].key[0] == y && r->tc_hour[i].key[1] == mon &&
		    r->tc_hour[i].key[2] == d && r->tc_hour[i].key[3] == h)
			return r->tc_hour[i].start + m * 60 + s;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return t;
	i = r->tc_next;
	r->tc_next = (r->tc_next + 1) % TC_HOURS;
	if (r->tc_used < TC_HOURS)
		r->tc_used++;
	r->tc_hour[i].key[0] = y;
	r->tc_hour[i].key[1] = mon;
	r->tc_hour[i].key[2] = d;
	r->tc_hour[i].key[3] = h;
	r->tc_hour[i].start = t;
	return t + m * 60 + s;
}

/* A time of day on the day of now (or the day before, see above). */
time_t
format_time_today(struct msgreader *r, time_t now, int h, int m, int s)
{
	struct tm	 tm;
	time_t		 t;

	if (!format_local_now(r, now, &tm))
		return now;
	t = format_time_local(r, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    h, m, s);
	if (t != (time_t)-1 && t > now + 3600)
		t = format_time_local(r, tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday - 1, h, m, s);
	return t == (time_t)-1 ? now : t;
}
