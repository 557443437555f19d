/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c - reading what the probe of a monitor printed: whether a user
 * ID is logged on, from CP's response to QUERY USER (DEFMMON); the usage
 * in percent, from the SUMMARY line of CP's response to QUERY ALLOC SPOOL
 * or QUERY ALLOC PAGE (DEFSMON, DEFPMON); or, with EXTRACT, what a PCRE2
 * expression finds in the output.  Pure functions of a text (and of the
 * probe's exit status, which vmcp makes non-zero when CP answers with an
 * error message such as HCPCQU045E): running the probe, the schedule of
 * checks and what fires are the daemon's (engine/monitors.c).
 *
 * The texts, as z/VM prints them (vmcp passes CP's response through):
 *
 *	BKRLNXD  - DSC				QUERY USER: logged on,
 *	OPERATOR - L0003			  disconnected or at a terminal
 *	HCPCQU045E BKRLNXD not logged on	  not logged on (EMSG ON)
 *	BKRLNXD not logged on			  the same with EMSG TEXT
 *	HCPCQU361E LOGOFF/FORCE pending for user BKRLNXD
 *
 *	                EXTENT     EXTENT  TOTAL  PAGES   HIGH    %
 *	VOLID  RDEV      START        END  PAGES IN USE   PAGE USED
 *	------ ---- ---------- ---------- ------ ------ ------ ----
 *	540SPL 9028          1      10016  1761K 357279  1593K  19%
 *	                                  ------ ------        ----
 *	SUMMARY                            1761K 357279         19%
 *	USABLE                             1761K 357279         19%
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcre2.h>

#include "rules/rules.h"

/* Backtracking steps one EXTRACT match may take over a probe's output. */
#define PROBE_MATCH_LIMIT	1000000

struct probe_re {
	pcre2_code		*code;
	pcre2_match_data	*md;
	pcre2_match_context	*mc;
};

/* The words of a line, at most max; returns how many. */
static size_t
words(const char *s, size_t len, const char **w, size_t *wl, size_t max)
{
	size_t	 i = 0, n = 0, b;

	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r'))
			i++;
		if (i == len || n == max)
			return n;
		b = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		w[n] = s + b;
		wl[n++] = i - b;
	}
}

static bool
word_is(const char *w, size_t wl, const char *what)
{
	return strlen(what) == wl && strncasecmp(w, what, wl) == 0;
}

/* "HCPxxxnnnE": a CP message id with number num (e.g. "045"). */
static bool
cp_msgid(const char *w, size_t wl, const char *num)
{
	size_t	 i;

	if (wl != 10 || strncasecmp(w, "HCP", 3) != 0 ||
	    toupper((unsigned char)w[9]) != 'E')
		return false;
	for (i = 3; i < 6; i++)
		if (!isalpha((unsigned char)w[i]))
			return false;
	return memcmp(w + 6, num, 3) == 0;
}

static void
set_state(char *state, size_t size, const char *s, size_t n)
{
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(state, s, n);
	state[n] = '\0';
}

/*
 * One line of a QUERY USER response: PROBE_UNKNOWN if it says nothing
 * about user.  A logged-on line may hold several "NAME - STATE" entries
 * separated by commas (QUERY USERS lists four to a line).
 */
static enum probe_logon
user_line(const char *s, size_t len, const char *user, char *state,
    size_t size)
{
	const char	*w[8], *e, *end = s + len;
	size_t		 wl[8], n;

	n = words(s, len, w, wl, nitems(w));
	if (n == 0)
		return PROBE_UNKNOWN;
	/* HCPCQU045E [user not logged on]: EMSG ON or CODE; or EMSG TEXT. */
	if ((cp_msgid(w[0], wl[0], "045") && (n == 1 ||
	    word_is(w[1], wl[1], user))) || (n == 4 &&
	    word_is(w[0], wl[0], user) && word_is(w[1], wl[1], "not") &&
	    word_is(w[2], wl[2], "logged") && word_is(w[3], wl[3], "on"))) {
		set_state(state, size, "OFF", 3);
		return PROBE_OFF;
	}
	/* HCPCQU361E LOGOFF/FORCE pending for user USER: still on. */
	if ((n == 6 && cp_msgid(w[0], wl[0], "361") &&
	    word_is(w[5], wl[5], user)) || (n == 5 &&
	    word_is(w[0], wl[0], "LOGOFF/FORCE") &&
	    word_is(w[4], wl[4], user))) {
		set_state(state, size, "LOGOFF_PENDING", 14);
		return PROBE_ON;
	}
	for (; s < end; s = e + 1) {
		if ((e = memchr(s, ',', (size_t)(end - s))) == NULL)
			e = end;
		n = words(s, (size_t)(e - s), w, wl, nitems(w));
		if (n >= 3 && word_is(w[0], wl[0], user) &&
		    word_is(w[1], wl[1], "-")) {
			set_state(state, size, w[2], wl[2]);
			return PROBE_ON;
		}
		if (e == end)
			break;
	}
	return PROBE_UNKNOWN;
}

/*
 * Whether user is logged on, from a response to CP QUERY USER: the first
 * line that speaks of user decides.  state gets "DSC", the terminal, or
 * "LOGOFF_PENDING" (on), or "OFF"; it is left alone when nothing does.
 */
enum probe_logon
probe_query_user(const char *out, size_t len, const char *user,
    char *state, size_t size)
{
	const char		*nl, *end = out + len;
	enum probe_logon	 v;

	if (user == NULL || *user == '\0')
		return PROBE_UNKNOWN;
	for (; out < end; out = nl + 1) {
		if ((nl = memchr(out, '\n', (size_t)(end - out))) == NULL)
			nl = end;
		v = user_line(out, (size_t)(nl - out), user, state, size);
		if (v != PROBE_UNKNOWN)
			return v;
		if (nl == end)
			break;
	}
	return PROBE_UNKNOWN;
}

/*
 * A percentage: digits, a fraction (truncated, as the reference says
 * Operations Manager does) and a '%', each optional but the digits, with
 * blanks around; 0 to 100.  -1 for anything else.
 */
int
probe_percent(const char *s, size_t len)
{
	size_t	 i = 0, b;
	long	 v = 0;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	while (len > i && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > i && s[len - 1] == '%')
		len--;
	b = i;
	while (i < len && isdigit((unsigned char)s[i]) && v <= 100)
		v = v * 10 + (s[i++] - '0');
	if (i == b || v > 100)
		return -1;
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			;
	}
	return i == len ? (int)v : -1;
}

/*
 * The usage in percent from a response to CP QUERY ALLOC SPOOL or PAGE:
 * the last word of the SUMMARY line (every volume of the kind; USABLE,
 * the line after it, leaves draining volumes out).  -1 if there is none.
 */
int
probe_query_alloc(const char *out, size_t len)
{
	const char	*nl, *end = out + len, *w[16];
	size_t		 wl[16], n;

	for (; out < end; out = nl + 1) {
		if ((nl = memchr(out, '\n', (size_t)(end - out))) == NULL)
			nl = end;
		n = words(out, (size_t)(nl - out), w, wl, nitems(w));
		if (n >= 2 && word_is(w[0], wl[0], "SUMMARY") &&
		    wl[n - 1] > 1 && w[n - 1][wl[n - 1] - 1] == '%')
			return probe_percent(w[n - 1], wl[n - 1]);
		if (nl == end)
			break;
	}
	return -1;
}

/* EXTRACT: compiled once per monitor, multi-line (^ and $ at each line). */
struct probe_re *
probe_re_create(const char *pattern, char **cause)
{
	struct probe_re	*re;
	pcre2_code	*code;
	int		 err;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];
	uint32_t	 opts = PCRE2_UTF | PCRE2_MULTILINE;

#ifdef PCRE2_MATCH_INVALID_UTF
	/* A probe's output is not cleaned as messages are. */
	opts |= PCRE2_MATCH_INVALID_UTF;
#endif
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
	    &err, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "invalid regular expression at offset %zu:"
		    " %s", (size_t)off, (const char *)msg);
		return NULL;
	}
	re = xcalloc(1, sizeof *re);
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	re->mc = pcre2_match_context_create(NULL);
	if (re->md == NULL || re->mc == NULL)
		fatalx("%s: out of memory", __func__);
	pcre2_set_match_limit(re->mc, PROBE_MATCH_LIMIT);
	return re;
}

void
probe_re_free(struct probe_re *re)
{
	if (re == NULL)
		return;
	pcre2_match_context_free(re->mc);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

/*
 * The first match in out: 1 with *off and *vlen set to its first capture
 * group (when the expression has one that took part) or to the whole
 * match; 0 when there is none; -1 when matching failed (the match limit,
 * bad UTF-8 without PCRE2_MATCH_INVALID_UTF).
 */
int
probe_re_find(const struct probe_re *re, const char *out, size_t len,
    size_t *off, size_t *vlen)
{
	PCRE2_SIZE	*ov;
	int		 rc;

	rc = pcre2_match(re->code, (PCRE2_SPTR)out, len, 0, 0, re->md,
	    re->mc);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	ov = pcre2_get_ovector_pointer(re->md);
	if (rc >= 2 && ov[2] != PCRE2_UNSET) {
		*off = ov[2];
		*vlen = ov[3] - ov[2];
	} else {
		*off = ov[0];
		*vlen = ov[1] - ov[0];
	}
	return 1;
}

/*
 * DEFSMON, DEFPMON: the usage a probe's output gives, 0 to 100: with re,
 * the number it extracts; without, the SUMMARY line.  -1 when there is
 * none, and -2 when re could not be matched.
 */
int
probe_usage(const struct probe_re *re, const char *out, size_t len)
{
	size_t	 off, vlen;

	if (re == NULL)
		return probe_query_alloc(out, len);
	switch (probe_re_find(re, out, len, &off, &vlen)) {
	case 1:
		return probe_percent(out + off, vlen);
	case 0:
		return -1;
	default:
		return -2;
	}
}

/*
 * DEFMMON: whether user is logged on, from a probe that exited with
 * status.  Without re, CP's response decides, whatever the status
 * (vmcp exits with 1 when CP's answer is an error such as HCPCQU045E).
 * With re, a match means logged on; no match means not logged on when
 * the probe exited with 0 or its output holds CP's HCPCQU045E for user,
 * else nothing is known.  state as for probe_query_user ("ON" for a
 * match).
 */
enum probe_logon
probe_logon(const struct probe_re *re, const char *out, size_t len,
    const char *user, int status, char *state, size_t size)
{
	size_t		 off, vlen;
	char		 said[32];

	if (re == NULL)
		return probe_query_user(out, len, user, state, size);
	switch (probe_re_find(re, out, len, &off, &vlen)) {
	case 1:
		set_state(state, size, "ON", 2);
		return PROBE_ON;
	case 0:
		if (status == 0 || probe_query_user(out, len, user, said,
		    sizeof said) == PROBE_OFF) {
			set_state(state, size, "OFF", 3);
			return PROBE_OFF;
		}
		return PROBE_UNKNOWN;
	default:
		return PROBE_UNKNOWN;
	}
}
