/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format-hercules.c - FORMAT(HERCULES): the log of the Hercules emulator,
 * `HHCnnnnnS text' (Hercules 4, e.g. HHC01603I) or `HHCxxnnnS text'
 * (Hercules 3, e.g. HHCCP003I), optionally after a `hh:mm:ss' or
 * `yyyy-mm-dd hh:mm:ss[.frac]' time stamp.
 *
 * Decisions (documented in vigil-rules(5)):
 * - As for z/VM, the time stamp and the blanks after it are not part of
 *   the text, so the HHC id is in column 1; the time stamp is the
 *   message's time (a time of day alone is on the day of `now').
 * - The user is the source's USER, or "HERCULES" without one; the class
 *   is 0 (Hercules has none).
 * - A line with neither a time stamp nor an HHC message id is plain text,
 *   counted as malformed.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

struct herc_line {
	bool		 has_time;
	bool		 has_date;
	int		 y, mon, d, h, m, s;
	const char	*text;
	size_t		 len;
	bool		 hhc;		/* text starts with an HHC id */
};

static void
herc_parse(const char *s, size_t len, struct herc_line *hl)
{
	const char	*p = s, *end = s + len;
	char		 id[MSGID_MAX];

	memset(hl, 0, sizeof *hl);
	if (len >= 11 && format_digits(p, 4) && p[4] == '-' && format_digits(p + 5, 2) &&
	    p[7] == '-' && format_digits(p + 8, 2) && p[10] == ' ') {
		hl->y = format_num(p, 4);
		hl->mon = format_num(p + 5, 2);
		hl->d = format_num(p + 8, 2);
		if (hl->mon >= 1 && hl->mon <= 12 && hl->d >= 1 &&
		    hl->d <= 31) {
			hl->has_date = true;
			p += 11;
		}
	}
	if (p < end && p[0] != ' ' &&
	    format_hms(p, (size_t)(end - p), ':', &hl->h, &hl->m, &hl->s)) {
		hl->has_time = true;
		p += 8;
		if (p < end && *p == '.') {
			for (p++; p < end && *p >= '0' && *p <= '9'; p++)
				;
		}
		if (p < end && *p != ' ') {
			hl->has_time = false;	/* not a time stamp */
			p = s;
		}
	}
	if (!hl->has_time) {
		hl->has_date = false;
		p = s;
	}
	while (p < end && *p == ' ')
		p++;
	hl->text = p;
	hl->len = (size_t)(end - p);
	hl->hhc = hl->len >= 3 && memcmp(p, "HHC", 3) == 0 &&
	    msgid_find(p, hl->len, id) != 0 && strncmp(id, "HHC", 3) == 0;
}

/*
 * Whether "HHC" is where an id would be: column 1, after `hh:mm:ss ' or
 * after `yyyy-mm-dd hh:mm:ss[.frac] '.  A quick test for AUTO.
 */
static bool
herc_maybe(const char *s, size_t len)
{
	size_t	 i;

	if (len >= 3 && s[0] == 'H')
		return memcmp(s, "HHC", 3) == 0;
	if (len >= 12 && s[2] == ':')
		return memcmp(s + 9, "HHC", 3) == 0;
	if (len >= 23 && s[4] == '-') {
		for (i = 19; i < len && ((s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.'); i++)
			;
		return len - i >= 4 && s[i] == ' ' &&
		    memcmp(s + i + 1, "HHC", 3) == 0;
	}
	return false;
}

/* Guessing, take only lines with an HHC message id. */
bool
format_hercules_line(struct msgreader *r, const char *s, size_t len,
    time_t now, message_cb cb, void *arg, bool guess)
{
	struct herc_line	 hl;
	struct message		*m;
	time_t			 t = now;

	if (guess && !herc_maybe(s, len))
		return false;
	herc_parse(s, len, &hl);
	if (guess && !hl.hhc)
		return false;
	if (!hl.has_time && !hl.hhc) {
		msgreader_malformed(r);
		format_plain_line(r, s, len, now, cb, arg);
		return true;
	}
	if (hl.len == 0)
		return true;
	if (hl.has_date)
		t = format_time_local(r, hl.y, hl.mon, hl.d, hl.h, hl.m,
		    hl.s);
	else if (hl.has_time)
		t = format_time_today(r, now, hl.h, hl.m, hl.s);
	if (t == (time_t)-1)
		t = now;
	m = msgreader_begin(r, FMT_HERCULES, hl.text, hl.len, t,
	    hl.has_time, msgreader_line_flags(r));
	if (msgreader_user(r) == NULL)
		m->user = (char *)"HERCULES";
	msgreader_emit(r, m, cb, arg);
	return true;
}
