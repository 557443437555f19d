/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format-zos.c - FORMAT(ZOSLOG): z/OS operator output.  Three kinds of
 * line are records:
 *
 * - SYSLOG hardcopy records: record type and request type, route codes,
 *   an optional system name, `yyddd' or `yyyyddd', `hh:mm:ss.th', then
 *   either the job id and the MPF flags of the fixed layout or, as the
 *   output of z/OS commands returned by tools shows it, blanks:
 *	NC0000000 SYS1     22244 16:00:49.00 STC00045 00000290  D U,ALL
 *	EC000000   2022244  16:00:49.00             IEE457I ...
 * - minor lines of a multi-line message (record type D, L or E, the
 *   connect id where the job id goes, the MPF flags, the text);
 * - JES2 job log lines, `hh.mm.ss JOBnnnnn  text', with or without ASA
 *   carriage control in column 1 (`JOB 1032' in MVS 3.8j).
 *
 * Decisions (documented in vigil-rules(5)):
 * - The text is what follows the record's fields, blanks before it
 *   removed, so a message id is in column 1 as on a console.
 * - A multi-line message is ONE message: its text is its lines joined by
 *   one blank (empty lines left out), `lines' holds each line.  The lines
 *   after the first are minor records and lines indented to at least the
 *   first line's text column minus one (two blanks at least), as in the
 *   D U,ALL reply; their indentation up to that column is removed, deeper
 *   indentation kept.  The message ends at an E record, at the next line
 *   that does not continue it, or at msgreader_flush(); a message opened by
 *   an M record that ends otherwise than with an E record is MSGF_UNENDED.
 * - It is bounded: when it reaches MSG_MAX_LINES lines, or another line
 *   would take it past MSG_MAX_LEN bytes, it is emitted as it is with
 *   MSGF_UNENDED, and what follows is emitted in further pieces flagged
 *   the same way.
 * - The record's date and time are the message's time, in local time; a
 *   job log line has only a time: its date is the last JES2 date line
 *   (`---- TUESDAY,   18 FEB 2020 ----') of the reader, else today's.
 * - The system is the record's system name, else the source's SYSTEM; the
 *   user is the source's USER, else the system; the job id is kept in
 *   `jobid' (`JOB 1032' is written JOB01032, as JES2 names its data sets).
 *   The class is 0: SYSLOG records do not carry one.
 * - A line with a message id in column 1, or in column 2 after ASA
 *   carriage control (` IEF236I ALLOC. FOR HELLO', JESYSMSG) is a message
 *   of the job log, without a time.  Indented lines may continue it like a
 *   record, so IEF032I keeps its CPU and VIRT lines.  (AUTO takes only the
 *   ASA form for z/OS: an id in column 1 is any console's.)
 * - Any other line (JCL listings, SYSPRINT) is a message of its own,
 *   counted as malformed, read as plain text without its ASA control
 *   character (when the output has started with a page eject, `1', or
 *   when removing it leaves a message id in column 1) and leading blanks.
 *   Indented lines continue it only if it starts with a message id.
 * - Blank lines are ignored: they neither make a message nor end one.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

enum zos_kind { ZOS_RECORD, ZOS_MINOR, ZOS_JOBLOG, ZOS_MSGLINE, ZOS_OTHER };

/* One line taken apart; pointers into the line. */
struct zos_rec {
	enum zos_kind	 kind;
	char		 type;		/* hardcopy record type */
	const char	*sys;
	size_t		 syslen;
	char		 jobid[16];
	bool		 has_date;	/* y and yday */
	int		 y, yday;
	bool		 has_time;
	int		 h, m, s;
	size_t		 textcol;	/* offset of the text in the line */
	size_t		 fieldend;	/* minor records: end of the fields */
};

struct format_zos {
	bool		 pending;	/* a message is being gathered */
	bool		 cont_ok;	/* continuations may follow a piece */
	bool		 multi;		/* opened by M: expects an E record */
	bool		 unended;	/* a piece of a message too big */
	int		 format;	/* FMT_ZOSLOG, or FMT_PLAIN */
	bool		 has_id;	/* the first line has a message id */
	size_t		 textcol;
	struct strbuf	 raw;		/* the lines, each ending in '\0' */
	size_t		 off[MSG_MAX_LINES + 1];
	size_t		 nlines;
	size_t		 joined;	/* bytes of the lines joined */
	unsigned	 flags;		/* the lines' MSGF_TRUNCATED */
	uint64_t	 first_line;	/* the reader's count at the first */
	time_t		 time;
	bool		 has_time;
	char		 system[16];
	char		 jobid[16];

	bool		 asa;		/* column 1 is carriage control */
	bool		 have_date;	/* from a JES2 date line */
	int		 y, mon, mday;
};

static const char *const zos_months[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* ASA carriage control: blank, 0, -, + or 1 (a page eject). */
static bool
is_asa(char c)
{
	return c == ' ' || c == '0' || c == '-' || c == '+' || c == '1';
}

static bool
is_hexu(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F');
}

static bool
all(const char *p, size_t n, bool (*f)(char))
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!f(p[i]))
			return false;
	}
	return true;
}

static bool
is_sysname(char c)
{
	return is_upper(c) || is_digit(c) || c == '$' || c == '#' || c == '@';
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* A hardcopy record (see the top of the file). */
static bool
zos_hardcopy(const char *s, size_t len, struct zos_rec *z)
{
	const char	*p, *end = s + len, *w;
	size_t		 n, wlen;

	if (len < 24 || !is_upper(s[0]) || (!is_upper(s[1]) && s[1] != ' '))
		return false;
	for (p = s + 2; p < end && is_hexu(*p) && p - s < 10; p++)
		;
	n = (size_t)(p - s - 2);
	if (n < 6 || n > 7 || p == end || *p != ' ')
		return false;
	p = skip_blanks(p, end);
	for (w = p; p < end && *p != ' '; p++)
		;
	wlen = (size_t)(p - w);
	if (!(wlen == 5 || wlen == 7) || !all(w, wlen, is_digit)) {
		if (wlen == 0 || wlen > 8 || !all(w, wlen, is_sysname))
			return false;
		z->sys = w;
		z->syslen = wlen;
		p = skip_blanks(p, end);
		for (w = p; p < end && *p != ' '; p++)
			;
		wlen = (size_t)(p - w);
		if (!(wlen == 5 || wlen == 7) || !all(w, wlen, is_digit))
			return false;
	}
	if (wlen == 5) {
		z->y = format_num(w, 2);
		z->y += z->y < 69 ? 2000 : 1900;
		z->yday = format_num(w + 2, 3);
	} else {
		z->y = format_num(w, 4);
		z->yday = format_num(w + 4, 3);
	}
	if (z->yday < 1 || z->yday > 366)
		return false;
	z->has_date = true;
	p = skip_blanks(p, end);
	if (p == end || *p == ' ' ||
	    !format_hms(p, (size_t)(end - p), ':', &z->h, &z->m, &z->s))
		return false;
	z->has_time = true;
	p += 8;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++)
			;
	}
	if (p < end && *p != ' ')
		return false;
	/* The fixed layout: " jobid--- mpfflags " after the time. */
	if (end - p >= 18 && p[9] == ' ' && all(p + 10, 8, is_hexu) &&
	    (end - p == 18 || p[18] == ' ')) {
		for (w = p + 1, n = 8; n > 0 && w[n - 1] == ' '; n--)
			;
		while (n > 0 && *w == ' ') {
			w++;
			n--;
		}
		memcpy(z->jobid, w, n);
		z->jobid[n] = '\0';
		p += end - p == 18 ? 18 : 19;
	}
	z->kind = ZOS_RECORD;
	z->type = s[0];
	z->textcol = (size_t)(skip_blanks(p, end) - s);
	return true;
}

/* A minor line of a multi-line message: "D   connid mpfflags  text". */
static bool
zos_minor(const char *s, size_t len, struct zos_rec *z)
{
	const char	*p, *end = s + len, *d;

	if (len < 12 || (s[0] != 'D' && s[0] != 'L' && s[0] != 'E') ||
	    s[1] != ' ')
		return false;
	p = skip_blanks(s + 1, end);
	for (d = p; p < end && is_digit(*p) && p - d < 9; p++)
		;
	if (p == d || p - d > 8 || end - p < 9 || *p != ' ' ||
	    !all(p + 1, 8, is_hexu) || (end - p > 9 && p[9] != ' '))
		return false;
	z->kind = ZOS_MINOR;
	z->type = s[0];
	z->fieldend = (size_t)(p + 9 - s);
	z->textcol = (size_t)(skip_blanks(p + 9, end) - s);
	return true;
}

/* "hh.mm.ss JOBnnnnn  text" at p. */
static bool
zos_joblog_at(const char *s, const char *p, const char *end,
    struct zos_rec *z)
{
	const char	*l, *d;
	size_t		 nl, nd;

	if (!format_hms(p, (size_t)(end - p), '.', &z->h, &z->m, &z->s))
		return false;
	p += 8;
	if (p == end || *p != ' ')
		return false;
	p = skip_blanks(p, end);
	for (l = p; p < end && is_upper(*p) && p - l < 4; p++)
		;
	nl = (size_t)(p - l);
	if (nl < 1 || nl > 3)
		return false;
	if (p < end && *p == ' ')
		p++;
	for (d = p; p < end && is_digit(*p) && p - d < 9; p++)
		;
	nd = (size_t)(p - d);
	if (nd < 1 || nd > 8 || (p < end && *p != ' '))
		return false;
	/* JOB 1032 is JOB01032, as JES2 writes it in data set names. */
	memcpy(z->jobid, l, nl);
	memset(z->jobid + nl, '0', nd < 5 ? 5 - nd : 0);
	memcpy(z->jobid + nl + (nd < 5 ? 5 - nd : 0), d, nd);
	z->jobid[nl + (nd < 5 ? 5 : nd)] = '\0';
	z->kind = ZOS_JOBLOG;
	z->has_time = true;
	z->textcol = (size_t)(skip_blanks(p, end) - s);
	return true;
}

static bool
zos_joblog(const char *s, size_t len, struct zos_rec *z)
{
	const char	*end = s + len;

	if (len < 12)
		return false;
	if (zos_joblog_at(s, s, end, z))
		return true;
	if (is_asa(s[0]))
		return zos_joblog_at(s, s + 1, end, z);
	return false;
}

/*
 * A message line of a job log or listing: a message id in column 1, or in
 * column 2 after ASA carriage control (" IEF236I ALLOC. FOR HELLO").
 * bare: accept the id in column 1 too.
 */
static bool
zos_msgline(const char *s, size_t len, struct zos_rec *z, bool bare)
{
	size_t	 skip = 0;

	if (len > 1 && is_asa(s[0]))
		skip = 1;
	else if (!bare)
		return false;
	if (msgid_find(s + skip, len - skip, NULL) == 0)
		return false;
	z->kind = ZOS_MSGLINE;
	z->textcol = skip;
	return true;
}

/*
 * Whether a line may be a record, a job log line or a message line after
 * ASA control: a quick test so that AUTO does not parse every line as
 * every kind of z/OS line.
 */
static bool
zos_maybe(const char *s, size_t len)
{
	if (len < 2)
		return false;
	if (is_upper(s[0]))
		return true;
	if (len > 3 && (s[2] == '.' || s[3] == '.'))
		return true;
	return is_asa(s[0]) && (is_upper(s[1]) || s[1] == '$' ||
	    s[1] == '*' || s[1] == '@' || s[1] == '+');
}

static bool
zos_parse(const char *s, size_t len, struct zos_rec *z, bool bare)
{
	memset(z, 0, sizeof *z);
	if (zos_hardcopy(s, len, z))
		return true;
	memset(z, 0, sizeof *z);
	if (zos_minor(s, len, z))
		return true;
	memset(z, 0, sizeof *z);
	if (zos_joblog(s, len, z))
		return true;
	memset(z, 0, sizeof *z);
	if (zos_msgline(s, len, z, bare))
		return true;
	memset(z, 0, sizeof *z);
	z->kind = ZOS_OTHER;
	return false;
}

/* Leading blanks of a line. */
static size_t
indent(const char *s, size_t len)
{
	size_t	 n = 0;

	while (n < len && s[n] == ' ')
		n++;
	return n;
}

/* Whether a line continues the message being gathered. */
static bool
zos_continues(const struct format_zos *st, const char *s,
    size_t len)
{
	struct zos_rec	 z;
	size_t		 n;

	if (st == NULL || !(st->pending || st->cont_ok))
		return false;
	memset(&z, 0, sizeof z);
	if (zos_minor(s, len, &z))
		return true;
	n = indent(s, len);
	if (n < 2 || n == len || n + 1 < st->textcol)
		return false;
	/* Listing lines are continued only after a message id. */
	if (st->format == FMT_PLAIN && !st->has_id)
		return false;
	return !zos_joblog(s, len, &z);
}

struct format_zos *
format_zos_create(void)
{
	struct format_zos	*st;

	st = xcalloc(1, sizeof *st);
	strbuf_init(&st->raw);
	return st;
}

void
format_zos_free(struct format_zos *st)
{
	if (st == NULL)
		return;
	strbuf_free(&st->raw);
	free(st);
}

static const char *
zos_line(const struct format_zos *st, size_t i, size_t *len)
{
	*len = st->off[i + 1] - st->off[i] - 1;
	return st->raw.data + st->off[i];
}

static void
zos_reset(struct format_zos *st)
{
	st->pending = false;
	st->multi = false;
	st->nlines = 0;
	st->joined = 0;
	st->flags = 0;
	strbuf_reset(&st->raw);
}

/* Build and emit the message gathered; ended says it ended properly. */
static void
zos_emit(struct format_zos *st, struct msgreader *r, bool ended,
    message_cb cb, void *arg)
{
	struct message	*m;
	struct strbuf	 join, one;
	const char	*line, *system, *user;
	char		**lines;
	unsigned	 flags = st->flags;
	size_t		 i, len;

	if (!st->pending)
		return;
	if (st->unended || (st->multi && !ended))
		flags |= MSGF_UNENDED;
	system = st->system[0] != '\0' ? st->system : msgreader_system(r);
	user = msgreader_user(r) != NULL ? msgreader_user(r) : system;

	if (st->nlines == 1) {
		line = zos_line(st, 0, &len);
		if (len == 0) {
			zos_reset(st);
			return;
		}
		m = msgreader_begin(r, st->format, line, len, st->time,
		    st->has_time, flags);
		m->line = st->first_line;
		if (st->system[0] != '\0')
			m->system = (char *)msgreader_keep(r, KEEP_SYSTEM,
			    st->system, strlen(st->system));
		if (user != NULL)
			m->user = (char *)msgreader_keep(r, KEEP_USER, user,
			    strlen(user));
		if (st->jobid[0] != '\0')
			m->jobid = (char *)msgreader_keep(r, KEEP_JOBID,
			    st->jobid, strlen(st->jobid));
		msgreader_emit(r, m, cb, arg);
		zos_reset(st);
		return;
	}

	lines = xreallocarray(NULL, st->nlines, sizeof *lines);
	strbuf_init(&join);
	for (i = 0; i < st->nlines; i++) {
		line = zos_line(st, i, &len);
		strbuf_init(&one);
		flags |= message_clean(&one, line, len, MSG_MAX_LEN) &
		    ~MSGF_ASCII;
		lines[i] = strbuf_steal(&one);
		if (lines[i][0] == '\0')
			continue;
		if (join.len > 0)
			strbuf_addc(&join, ' ');
		strbuf_adds(&join, lines[i]);
	}
	if (join.len == 0) {
		for (i = 0; i < st->nlines; i++)
			free(lines[i]);
		free(lines);
		strbuf_free(&join);
		zos_reset(st);
		return;
	}
	m = message_create(join.data, join.len, user, system,
	    msgreader_source(r), st->time);
	strbuf_free(&join);
	m->flags |= flags;
	m->has_time = st->has_time;
	m->format = st->format;
	m->lines = lines;
	m->nlines = st->nlines;
	m->line = st->first_line;
	if (st->jobid[0] != '\0')
		m->jobid = xstrdup(st->jobid);
	msgreader_emit(r, m, cb, arg);
	message_free(m);
	zos_reset(st);
}

/* Add a line's text to the message being gathered. */
static void
zos_add(struct format_zos *st, struct msgreader *r, const char *text,
    size_t len, message_cb cb, void *arg)
{
	if (st->pending && st->joined + 1 + len > MSG_MAX_LEN) {
		st->unended = true;
		zos_emit(st, r, false, cb, arg);
	}
	if (!st->pending) {
		zos_reset(st);
		st->pending = true;
		st->first_line = msgreader_stats(r)->lines;
	}
	st->off[st->nlines] = st->raw.len;
	strbuf_addn(&st->raw, text, len);
	strbuf_addc(&st->raw, '\0');
	st->nlines++;
	st->off[st->nlines] = st->raw.len;
	st->joined += (st->nlines > 1 ? 1 : 0) + len;
	st->flags |= msgreader_line_flags(r);
	if (st->nlines == MSG_MAX_LINES) {
		st->unended = true;
		st->cont_ok = true;
		zos_emit(st, r, false, cb, arg);
	}
}

/* A continuation line: a minor record or an indented line. */
static void
zos_continue(struct format_zos *st, struct msgreader *r, const char *s,
    size_t len, message_cb cb, void *arg)
{
	struct zos_rec	 z;
	size_t		 start, n;

	memset(&z, 0, sizeof z);
	if (zos_minor(s, len, &z)) {
		start = z.textcol;
		if (start > st->textcol && st->textcol >= z.fieldend)
			start = st->textcol;
	} else {
		n = indent(s, len);
		start = n < st->textcol ? n : st->textcol;
	}
	zos_add(st, r, s + start, len - start, cb, arg);
	if (z.kind == ZOS_MINOR && z.type == 'E' && st->pending)
		zos_emit(st, r, true, cb, arg);
}

/* "---- TUESDAY,   18 FEB 2020 ----": the date of the lines after it. */
static void
zos_date_line(struct format_zos *st, const char *p, const char *end)
{
	int	 d, mon;
	size_t	 i;

	if (end - p < 5 || memcmp(p, "---- ", 5) != 0)
		return;
	for (p += 5; p < end && is_upper(*p); p++)
		;
	if (p == end || *p++ != ',')
		return;
	p = skip_blanks(p, end);
	if (end - p < 11 || !is_digit(p[0]))
		return;
	d = p[0] - '0';
	p++;
	if (is_digit(*p))
		d = d * 10 + (*p++ - '0');
	if (end - p < 10 || *p++ != ' ')
		return;
	for (mon = 0, i = 0; i < nitems(zos_months); i++) {
		if (memcmp(p, zos_months[i], 3) == 0)
			mon = (int)i + 1;
	}
	if (mon == 0 || p[3] != ' ' || !all(p + 4, 4, is_digit))
		return;
	if (d < 1 || d > 31)
		return;
	st->have_date = true;
	st->y = format_num(p + 4, 4);
	st->mon = mon;
	st->mday = d;
}

/*
 * Guessing, take only continuation lines, records, job log lines and
 * message lines after ASA control: a message id in column 1 alone is any
 * console's.
 */
bool
format_zos_line(struct format_zos *st, struct msgreader *r, const char *s,
    size_t len, time_t now, message_cb cb, void *arg, bool guess)
{
	struct zos_rec	 z;
	const char	*end = s + len, *p;
	time_t		 t = now;
	bool		 ok;

	if (zos_continues(st, s, len)) {
		zos_continue(st, r, s, len, cb, arg);
		return true;
	}
	if (guess && !zos_maybe(s, len))
		return false;
	ok = zos_parse(s, len, &z, !guess);
	if (!ok && guess)
		return false;
	zos_emit(st, r, false, cb, arg);
	st->cont_ok = false;
	st->unended = false;
	st->system[0] = st->jobid[0] = '\0';
	st->format = FMT_ZOSLOG;

	if (!ok) {
		/* Not a record: plain text without carriage control. */
		msgreader_malformed(r);
		st->format = FMT_PLAIN;
		if (s[0] == '1' && len > 1 && (s[1] == ' ' || is_upper(s[1])))
			st->asa = true;
		p = s;
		if (s[0] != ' ' && is_asa(s[0]) &&
		    (st->asa || msgid_find(s + 1, len - 1, NULL) != 0))
			p++;
		p = skip_blanks(p, end);
		if (p == end)
			return true;
		st->time = now;
		st->has_time = false;
		st->textcol = (size_t)(p - s);
		st->has_id = msgid_find(p, (size_t)(end - p), NULL) != 0;
		zos_add(st, r, p, (size_t)(end - p), cb, arg);
		return true;
	}

	if (z.kind == ZOS_MSGLINE) {
		st->time = now;
		st->has_time = false;
		st->textcol = z.textcol;
		st->has_id = true;
		zos_add(st, r, s + z.textcol, len - z.textcol, cb, arg);
		return true;
	}
	if (z.kind == ZOS_MINOR) {
		/* No message to continue: this line starts one. */
		st->textcol = z.textcol;
		st->time = now;
		st->has_time = false;
		zos_continue(st, r, s, len, cb, arg);
		return true;
	}
	if (z.kind == ZOS_JOBLOG) {
		zos_date_line(st, s + z.textcol, end);
		if (st->have_date)
			t = format_time_local(r, st->y, st->mon, st->mday, z.h,
			    z.m, z.s);
		else
			t = format_time_today(r, now, z.h, z.m, z.s);
	} else {
		t = format_time_local(r, z.y, 1, z.yday, z.h, z.m, z.s);
		if (z.syslen > 0) {
			memcpy(st->system, z.sys, z.syslen);
			st->system[z.syslen] = '\0';
		}
	}
	st->time = t != (time_t)-1 ? t : now;
	st->has_time = t != (time_t)-1;
	memcpy(st->jobid, z.jobid, sizeof st->jobid);
	st->textcol = z.textcol;
	zos_add(st, r, s + z.textcol, len - z.textcol, cb, arg);
	st->multi = z.kind == ZOS_RECORD && z.type == 'M';
	return true;
}

void
format_zos_flush(struct format_zos *st, struct msgreader *r, message_cb cb,
    void *arg)
{
	if (st == NULL)
		return;
	zos_emit(st, r, false, cb, arg);
	st->cont_ok = false;
	st->unended = false;
}
