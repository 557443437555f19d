/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format-syslog.c - FORMAT(SYSLOG): BSD syslog (RFC 3164)
 *
 *	<pri>Mmm dd hh:mm:ss host tag[pid]: text
 *
 * the syslog protocol (RFC 5424)
 *
 *	<pri>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] text
 *
 * and the files syslog daemons write, which drop "<pri>" and may use an
 * RFC 3339 time stamp (`Jun 14 15:16:01 combo sshd(pam_unix)[19939]: ...'
 * as in loghub's Linux logs).  Receiving datagrams or frames is the
 * source's job.
 *
 * Decisions (documented in vigil-rules(5)):
 * - The text is the MSG part only (after "tag[pid]: " and any blanks; a
 *   leading UTF-8 BOM is dropped in RFC 5424).
 * - The user is the tag's program name (its first word, without [pid]) or
 *   the RFC 5424 APP-NAME; the system is the host.  Without them, the
 *   source's USER and SYSTEM.
 * - The class is the severity plus one: 1 (emerg) to 8 (debug); 0 when the
 *   line has no <pri>.  Facility*8+severity+1 would make a CLASS list
 *   unreadable.
 * - The message id is the RFC 5424 MSGID when given, else a mainframe id
 *   at the start of the text (syslog gateways forward console messages),
 *   else the program name, so rules can be keyed on programs.
 * - RFC 5424 structured data is kept verbatim in `sd'.
 * - The header time is the message's time; RFC 3164 has no year: the year
 *   of `now', or the year before if that would put the message more than a
 *   day after `now'.  An RFC 3164 time is local time.
 * - A line with a <pri> but no valid header is a message whose text is
 *   what follows <pri>, counted as malformed; under FORMAT(SYSLOG) a line
 *   without <pri> or a time stamp is plain text, counted as malformed.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

#define TAG_MAX		48	/* program name */
#define TAG_TAIL_MAX	16	/* " 1.4.1" in "syslogd 1.4.1: text" */

/* A header time stamp, before it is made a time_t. */
struct stamp {
	int		 y;		/* 0: RFC 3164, no year */
	int		 mon, d, h, m, s;
	bool		 zone;		/* off is known */
	int		 off;		/* seconds east of UTC */
};

struct syslog_line {
	int		 pri;		/* -1: none */
	bool		 has_time;
	struct stamp	 ts;
	const char	*host;
	size_t		 hostlen;
	const char	*tag;
	size_t		 taglen;
	const char	*msgid;		/* RFC 5424 MSGID */
	size_t		 msgidlen;
	const char	*sd;
	size_t		 sdlen;
	const char	*text;
	size_t		 len;
};

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
digits(const char *p, const char *end, size_t n)
{
	size_t	 i;

	if ((size_t)(end - p) < n)
		return false;
	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
	}
	return true;
}

/* "<pri>": returns the byte after '>', or NULL. */
static const char *
parse_pri(const char *p, const char *end, int *pri)
{
	const char	*q;

	if (p == end || *p != '<')
		return NULL;
	for (q = p + 1; q < end && is_digit(*q) && q - p <= 3; q++)
		;
	if (q == p + 1 || q == end || *q != '>')
		return NULL;
	*pri = format_num(p + 1, (size_t)(q - p - 1));
	if (*pri > 191)
		return NULL;
	return q + 1;
}

/* "Mmm dd hh:mm:ss" (day " d", "dd" or "d"): the byte after it, or NULL. */
static const char *
parse_3164_time(const char *p, const char *end, struct stamp *ts)
{
	int		 mon, day;
	size_t		 i;

	if (end - p < 14 || p[3] != ' ' || p[0] < 'A' || p[0] > 'S')
		return NULL;
	for (mon = -1, i = 0; i < nitems(months); i++) {
		if (p[0] == months[i][0] && p[1] == months[i][1] &&
		    p[2] == months[i][2]) {
			mon = (int)i;
			break;
		}
	}
	if (mon < 0)
		return NULL;
	p += 4;
	if (*p == ' ')
		p++;
	if (!digits(p, end, 1))
		return NULL;
	day = *p++ - '0';
	if (p < end && is_digit(*p))
		day = day * 10 + (*p++ - '0');
	if (day < 1 || day > 31 || p == end || *p++ != ' ')
		return NULL;
	if (p == end || *p == ' ' ||
	    !format_hms(p, (size_t)(end - p), ':', &ts->h, &ts->m, &ts->s))
		return NULL;
	p += 8;
	if (p < end && *p != ' ')
		return NULL;
	ts->y = 0;
	ts->mon = mon + 1;
	ts->d = day;
	ts->zone = false;
	return p;
}

/*
 * An RFC 3339 time, "YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)" (local
 * time without a zone): the byte after it, or NULL.
 */
static const char *
parse_3339(const char *p, const char *end, struct stamp *ts)
{
	if (!digits(p, end, 4) || end - p < 19 || p[4] != '-' ||
	    !digits(p + 5, end, 2) || p[7] != '-' || !digits(p + 8, end, 2) ||
	    p[10] != 'T' || !digits(p + 11, end, 2) || p[13] != ':' ||
	    !digits(p + 14, end, 2) || p[16] != ':' || !digits(p + 17, end, 2))
		return NULL;
	ts->y = format_num(p, 4);
	ts->mon = format_num(p + 5, 2);
	ts->d = format_num(p + 8, 2);
	ts->h = format_num(p + 11, 2);
	ts->m = format_num(p + 14, 2);
	ts->s = format_num(p + 17, 2);
	if (ts->y == 0 || ts->mon < 1 || ts->mon > 12 || ts->d < 1 ||
	    ts->d > 31 || ts->h > 23 || ts->m > 59 || ts->s > 60)
		return NULL;
	p += 19;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++)
			;
	}
	ts->zone = false;
	ts->off = 0;
	if (p < end && *p == 'Z') {
		ts->zone = true;
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		if (end - p < 6 || !digits(p + 1, end, 2) || p[3] != ':' ||
		    !digits(p + 4, end, 2) || format_num(p + 1, 2) > 23 ||
		    format_num(p + 4, 2) > 59)
			return NULL;
		ts->off = (*p == '-' ? -1 : 1) *
		    (format_num(p + 1, 2) * 3600 + format_num(p + 4, 2) * 60);
		ts->zone = true;
		p += 6;
	}
	if (p < end && *p != ' ')
		return NULL;
	return p;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The time a stamp stands for (see the top of the file for the year). */
static time_t
stamp_time(struct msgreader *r, const struct stamp *ts, time_t now)
{
	struct tm	 tm;
	time_t		 t;
	int		 y = ts->y;

	if (ts->zone)
		return (time_t)(days_from_civil(y, ts->mon, ts->d) * 86400 +
		    ts->h * 3600 + ts->m * 60 + ts->s - ts->off);
	if (y == 0) {
		if (!format_local_now(r, now, &tm))
			return now;
		y = tm.tm_year + 1900;
		t = format_time_local(r, y, ts->mon, ts->d, ts->h, ts->m,
		    ts->s);
		if (t != (time_t)-1 && t > now + 86400)
			t = format_time_local(r, y - 1, ts->mon, ts->d, ts->h,
			    ts->m, ts->s);
	} else
		t = format_time_local(r, y, ts->mon, ts->d, ts->h, ts->m,
		    ts->s);
	return t == (time_t)-1 ? now : t;
}

/* A header word: up to the next blank. */
static const char *
word(const char *p, const char *end, const char **w, size_t *wlen)
{
	const char	*q;

	for (q = p; q < end && *q != ' '; q++)
		;
	*w = p;
	*wlen = (size_t)(q - p);
	return q;
}

/* RFC 5424 structured data: "-" or one or more "[...]". */
static const char *
parse_sd(const char *p, const char *end)
{
	bool	 quoted;

	if (p < end && *p == '-')
		return p + 1;
	if (p == end || *p != '[')
		return NULL;
	while (p < end && *p == '[') {
		quoted = false;
		for (p++; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p == end)
			return NULL;
		p++;
	}
	return p;
}

/* After "<pri>": "1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]". */
static bool
parse_5424(const char *p, const char *end, struct syslog_line *sl)
{
	const char	*w, *q;
	size_t		 wlen;

	if (p == end || *p < '1' || *p > '9')
		return false;
	for (p++; p < end && is_digit(*p); p++)
		;
	if (p == end || *p++ != ' ')
		return false;
	if (p < end && *p == '-' && (p + 1 == end || p[1] == ' '))
		p++;
	else {
		if ((p = parse_3339(p, end, &sl->ts)) == NULL)
			return false;
		sl->has_time = true;
	}
	if (p == end || *p++ != ' ')
		return false;
	p = word(p, end, &sl->host, &sl->hostlen);	/* HOSTNAME */
	if (p == end || *p++ != ' ')
		return false;
	p = word(p, end, &sl->tag, &sl->taglen);	/* APP-NAME */
	if (p == end || *p++ != ' ')
		return false;
	p = word(p, end, &w, &wlen);			/* PROCID */
	if (p == end || *p++ != ' ')
		return false;
	p = word(p, end, &sl->msgid, &sl->msgidlen);	/* MSGID */
	if (p == end || *p++ != ' ')
		return false;
	q = p;
	if ((p = parse_sd(p, end)) == NULL || (p < end && *p != ' '))
		return false;
	if (*q != '-') {
		sl->sd = q;
		sl->sdlen = (size_t)(p - q);
	}
	if (p < end)
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	sl->text = p;
	sl->len = (size_t)(end - p);
	if (sl->hostlen == 1 && *sl->host == '-')
		sl->host = NULL;
	if (sl->taglen == 1 && *sl->tag == '-')
		sl->tag = NULL;
	if (sl->msgidlen == 1 && *sl->msgid == '-')
		sl->msgid = NULL;
	return true;
}

/* Whether a word is a tag ("sshd:", "sshd[42]:") rather than a host. */
static bool
looks_like_tag(const char *w, size_t wlen)
{
	return wlen > 0 && (w[wlen - 1] == ':' || memchr(w, '[', wlen));
}

/* "host tag[pid]: text", host and tag optional. */
static void
parse_3164_rest(const char *p, const char *end, struct syslog_line *sl)
{
	const char	*w, *q, *r;
	size_t		 wlen;

	word(p, end, &w, &wlen);
	if (wlen > 0 && !looks_like_tag(w, wlen)) {
		sl->host = w;
		sl->hostlen = wlen;
		for (p = w + wlen; p < end && *p == ' '; p++)
			;
	}
	sl->text = p;
	sl->len = (size_t)(end - p);

	/* The program name, then "[pid]", then a short tail, then ':'. */
	for (q = p; q < end && *q != ' ' && *q != '[' && *q != ':'; q++)
		;
	if (q == p || q - p > TAG_MAX || q == end)
		return;
	if (*q == ':' && q + 1 < end && q[1] != ' ')
		return;		/* "pam_unix(sshd:auth)": not a tag */
	w = p;
	wlen = (size_t)(q - p);
	if (*q == '[') {
		for (r = q + 1; r < end && *r != ']' && r - q <= 16; r++)
			;
		if (r == end || *r != ']')
			return;
		q = r + 1;
	}
	if (q < end && *q != ':') {
		for (r = q; r < end && *r != ':' && r - q <= TAG_TAIL_MAX;
		    r++)
			;
		if (r == end || *r != ':' || (r + 1 < end && r[1] != ' '))
			return;
		q = r;
	}
	if (q == end)
		return;
	sl->tag = w;
	sl->taglen = wlen;
	for (q++; q < end && *q == ' '; q++)
		;
	sl->text = q;
	sl->len = (size_t)(end - q);
}

/*
 * Parse a line; false when it is not syslog.  With a <pri> the header is
 * what follows; without, a time stamp must start the line.
 */
static bool
syslog_parse(const char *s, size_t len, struct syslog_line *sl)
{
	const char	*p, *end = s + len, *q;

	memset(sl, 0, sizeof *sl);
	sl->pri = -1;
	p = parse_pri(s, end, &sl->pri);
	if (p == NULL) {
		sl->pri = -1;
		p = s;
	} else if (p < end && is_digit(*p) && parse_5424(p, end, sl))
		return true;
	else {
		memset(sl, 0, sizeof *sl);
		parse_pri(s, end, &sl->pri);
	}
	if ((q = parse_3164_time(p, end, &sl->ts)) == NULL &&
	    (q = parse_3339(p, end, &sl->ts)) == NULL) {
		sl->text = p;
		sl->len = (size_t)(end - p);
		return false;
	}
	sl->has_time = true;
	if (q < end)
		q++;
	parse_3164_rest(q, end, sl);
	return true;
}

/* Guessing, take only lines with a valid <pri> or a time stamp. */
bool
format_syslog_line(struct msgreader *r, const char *s, size_t len,
    time_t now, message_cb cb, void *arg, bool guess)
{
	struct syslog_line	 sl;
	struct message		*m;
	const char		*id = NULL;
	size_t			 n;

	if (!syslog_parse(s, len, &sl)) {
		if (guess && sl.pri < 0)
			return false;
		msgreader_malformed(r);
		if (sl.pri < 0) {
			format_plain_line(r, s, len, now, cb, arg);
			return true;
		}
	}
	if (sl.len == 0)
		return true;
	m = msgreader_begin(r, FMT_SYSLOG, sl.text, sl.len,
	    sl.has_time ? stamp_time(r, &sl.ts, now) : now, sl.has_time,
	    msgreader_line_flags(r));
	if (sl.pri >= 0)
		m->cls = (sl.pri & 7) + 1;
	if (sl.tag != NULL && sl.taglen > 0) {
		m->user = (char *)msgreader_keep(r, KEEP_USER, sl.tag,
		    sl.taglen);
		if (m->msgid[0] == '\0')
			id = m->user;
	}
	if (sl.host != NULL && sl.hostlen > 0)
		m->system = (char *)msgreader_keep(r, KEEP_SYSTEM, sl.host,
		    sl.hostlen);
	if (sl.sd != NULL)
		m->sd = (char *)msgreader_keep(r, KEEP_SD, sl.sd, sl.sdlen);
	if (sl.msgid != NULL && sl.msgidlen > 0)
		id = msgreader_keep(r, KEEP_MSGID, sl.msgid, sl.msgidlen);
	if (id != NULL) {
		/* At most MSGID_MAX - 1 bytes, not cutting a character. */
		n = strlen(id);
		if (n >= MSGID_MAX) {
			n = MSGID_MAX - 1;
			while (n > 0 && ((unsigned char)id[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(m->msgid, id, n);
		m->msgid[n] = '\0';
	}
	msgreader_emit(r, m, cb, arg);
	return true;
}
