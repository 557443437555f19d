/* SPDX-License-Identifier: Apache-2.0 */
/*
 * value.c - operand values: for each operand type, the parser that checks
 * a value and stores its meaning into a definition, the formatter that
 * writes the canonical text back (the dump), and the destructor.  Causes
 * say what was expected and quote what was given.  It does not know which
 * statement an operand belongs to.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "actions/actions.h"
#include "rules/rules.h"

#define COUNT_MAX	999999u
#define DURATION_MAX	(366u * 86400u)

static bool
all_digits(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Digits only, at most max; -1 otherwise. */
static long
number(const char *s, size_t n, unsigned long max)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (!all_digits(s, n))
		return -1;
	for (i = 0; i < n; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -1;
	}
	return (long)v;
}

bool
name_valid(const char *s, char **cause)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN) {
		xasprintf(cause, "name '%s' is %zu characters long; names have"
		    " 1 to %d characters", s, n, NAME_MAX_LEN);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("$#@_-", s[i]) == NULL) {
			xasprintf(cause, "name '%s' has '%c'; names are made of"
			    " letters, digits and $#@_-", s, s[i]);
			return false;
		}
	}
	return true;
}

static char *
upper_dup(const char *s)
{
	char	*u = xstrdup(s), *p;

	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/*
 * A duration: bare digits are minutes (the reference's unit for LIMIT,
 * OCCUR and INTERVAL); a suffix s, m, h or d says otherwise.
 */
static int
duration(const char *s, size_t n, uint32_t *out)
{
	unsigned long	 mult = 60;
	long		 v;

	if (n > 1 && !isdigit((unsigned char)s[n - 1])) {
		switch (tolower((unsigned char)s[n - 1])) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return -1;
		}
		n--;
	}
	if ((v = number(s, n, DURATION_MAX)) < 0 ||
	    (unsigned long)v * mult > DURATION_MAX)
		return -1;
	*out = (uint32_t)((unsigned long)v * mult);
	return 0;
}

static void
format_duration(uint32_t secs, struct strbuf *sb)
{
	if (secs % 60 == 0)
		strbuf_addf(sb, "%u", secs / 60);
	else
		strbuf_addf(sb, "%us", secs);
}

/* mm:ss or hh:mm style: two or more digits, a colon, two digits < 60. */
static int
clock_pair(const char *s, uint32_t unit, uint32_t *out)
{
	const char	*colon = strchr(s, ':');
	long		 a, b;

	if (colon == NULL || colon - s < 2 || strlen(colon + 1) != 2)
		return -1;
	if ((a = number(s, (size_t)(colon - s), DURATION_MAX / 60)) < 0 ||
	    (b = number(colon + 1, 2, 59)) < 0 ||
	    (uint64_t)a * unit * 60 + (uint64_t)b * unit > DURATION_MAX)
		return -1;
	*out = (uint32_t)a * unit * 60 + (uint32_t)b * unit;
	return 0;
}

/* Split "a,b,c" into at most max pieces; returns the count or -1. */
static int
split_commas(const char *s, const char **part, size_t *len, int max)
{
	int		 n = 0;
	const char	*c;

	for (;;) {
		if (n == max)
			return -1;
		c = strchr(s, ',');
		part[n] = s;
		len[n] = c != NULL ? (size_t)(c - s) : strlen(s);
		n++;
		if (c == NULL)
			return n;
		s = c + 1;
	}
}

static int
parse_cols(const char *s, struct colrange *c, char **cause)
{
	long	 a, b;

	if (strlen(s) != 7 || s[3] != ':' || (a = number(s, 3, 999)) < 1 ||
	    (b = number(s + 4, 3, 999)) < 1) {
		xasprintf(cause, "expected bbb:eee, two columns of exactly"
		    " three digits from 001 to 999 (for example 001:080),"
		    " got '%s'", s);
		return -1;
	}
	if (a > b) {
		xasprintf(cause, "column range '%s' ends before it starts", s);
		return -1;
	}
	c->first = (uint16_t)a;
	c->last = (uint16_t)b;
	return 0;
}

static int
parse_days(const char *s, uint8_t *days, char **cause)
{
	size_t	 i, n = strlen(s);

	if (n != 8) {
		xasprintf(cause, "expected 8 positions MTWTFSSH (Monday to"
		    " Sunday, then Holiday), '*' for active and any other"
		    " character for inactive, got '%s' (%zu positions)", s, n);
		return -1;
	}
	*days = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '*')
			*days |= (uint8_t)(1u << i);
	}
	return 0;
}

static void
format_days(uint8_t days, struct strbuf *sb)
{
	int	 i;

	for (i = 0; i < 8; i++)
		strbuf_addc(sb, (days & (1u << i)) ? '*' : '-');
}

/* A list of numbers and ranges n-m within [lo, hi] into a bit set. */
static int
parse_numlist(const char *s, long lo, long hi, size_t maxvals, uint64_t *bits,
    size_t *count, const char *what, char **cause)
{
	const char	*part[256];
	size_t		 len[256], nvals = 0;
	int		 n, i;
	long		 a, b, v;
	const char	*dash;

	memset(bits, 0, (size_t)((hi + 64) / 64) * sizeof *bits);
	if ((n = split_commas(s, part, len, 256)) < 0) {
		xasprintf(cause, "too many %ss in '%s'", what, s);
		return -1;
	}
	for (i = 0; i < n; i++) {
		dash = memchr(part[i], '-', len[i]);
		if (dash != NULL) {
			a = number(part[i], (size_t)(dash - part[i]),
			    (unsigned long)hi);
			b = number(dash + 1, len[i] - (size_t)(dash - part[i]) -
			    1, (unsigned long)hi);
		} else
			a = b = number(part[i], len[i], (unsigned long)hi);
		if (a < lo || b < lo || a > b) {
			xasprintf(cause, "expected a list of %ss %ld to %ld"
			    " (n,n,... or n-m), got '%.*s' in '%s'", what, lo,
			    hi, (int)len[i], part[i], s);
			return -1;
		}
		for (v = a; v <= b; v++) {
			if (bits[v / 64] & (1ull << (v % 64))) {
				xasprintf(cause, "%s %ld is listed twice in"
				    " '%s'", what, v, s);
				return -1;
			}
			bits[v / 64] |= 1ull << (v % 64);
			nvals++;
		}
	}
	if (nvals > maxvals) {
		xasprintf(cause, "'%s' has %zu %ss; at most %zu are allowed",
		    s, nvals, what, maxvals);
		return -1;
	}
	*count = nvals;
	return 0;
}

static void
format_numlist(const uint64_t *bits, long lo, long hi, struct strbuf *sb)
{
	long	 v;
	bool	 first = true;

	for (v = lo; v <= hi; v++) {
		if (bits[v / 64] & (1ull << (v % 64))) {
			strbuf_addf(sb, "%s%ld", first ? "" : ",", v);
			first = false;
		}
	}
}

/* count,interval[,action] for LIMIT and the correlation thresholds. */
static int
parse_counted(const struct operand *op, const char *s, struct limit *l,
    char **cause)
{
	const char	*part[4];
	size_t		 len[4];
	int		 n;
	long		 count;
	char		*act, *why = NULL;

	n = split_commas(s, part, len, 3);
	if (n < 2 || (count = number(part[0], len[0], COUNT_MAX)) < 0 ||
	    duration(part[1], len[1], &l->interval) != 0) {
		xasprintf(cause, "expected count,interval%s with a count of %d"
		    " to %u and an interval in minutes (or with a suffix s, m,"
		    " h, d) of at most 366 days, got '%s'",
		    op->type == V_LIMIT ? "[,action]" :
		    (op->flags & OPF_ACTION) ? ",action" : "",
		    op->type == V_LIMIT ? 0 : 1, COUNT_MAX, s);
		return -1;
	}
	l->count = (uint32_t)count;
	if (op->type == V_LIMIT) {
		if (count == 0 && l->interval != 0) {
			xasprintf(cause, "count 0 with an interval would never"
			    " run the action; '0,0' means unlimited, got '%s'",
			    s);
			return -1;
		}
		if (count != 0 && l->interval == 0) {
			xasprintf(cause, "a count of %ld needs an interval of"
			    " at least one second, got '%s'", count, s);
			return -1;
		}
	} else if (count == 0 || l->interval == 0) {
		xasprintf(cause, "count and interval must both be at least 1,"
		    " got '%s'", s);
		return -1;
	}
	if (n == 3 && op->type == V_THRESH && !(op->flags & OPF_ACTION)) {
		xasprintf(cause, "expected count,interval, got '%s' (the rule's"
		    " ACTION is what runs)", s);
		return -1;
	}
	if (n == 3) {
		act = xstrndup(part[2], len[2]);
		if (!name_valid(act, &why)) {
			xasprintf(cause, "action: %s", why);
			free(why);
			free(act);
			return -1;
		}
		l->action = upper_dup(act);
		free(act);
	} else if (op->flags & OPF_ACTION) {
		xasprintf(cause, "expected count,interval,action: the action"
		    " is missing in '%s'", s);
		return -1;
	}
	return 0;
}

static void
format_counted(const struct limit *l, struct strbuf *sb)
{
	strbuf_addf(sb, "%u,", l->count);
	format_duration(l->interval, sb);
	if (l->action != NULL)
		strbuf_addf(sb, ",%s", l->action);
}

static int
parse_env(const char *s, struct envref *e, char **cause)
{
	const char	*comma = strchr(s, ',');
	char		*env, *why = NULL;

	env = comma != NULL ? xstrndup(s, (size_t)(comma - s)) : xstrdup(s);
	if (!name_valid(env, &why) || (comma != NULL &&
	    !name_valid(comma + 1, &why))) {
		xasprintf(cause, "expected procenv[,procsys]: %s", why);
		free(why);
		free(env);
		return -1;
	}
	e->env = upper_dup(env);
	e->sys = comma != NULL ? upper_dup(comma + 1) : NULL;
	free(env);
	return 0;
}

static int
parse_pct(const char *s, struct pctrange *p, char **cause)
{
	long	 a, b;

	if (strlen(s) != 7 || s[3] != '-' || (a = number(s, 3, 100)) < 0 ||
	    (b = number(s + 4, 3, 100)) < 0 || a > b) {
		xasprintf(cause, "expected lll-hhh, two percentages of three"
		    " digits from 000 to 100 with lll <= hhh (for example"
		    " 085-100), got '%s'", s);
		return -1;
	}
	p->low = (uint8_t)a;
	p->high = (uint8_t)b;
	return 0;
}

static int
parse_list(const char *s, struct strlist *l, char **cause)
{
	const char	*part[256];
	size_t		 len[256];
	int		 n, i;

	if ((n = split_commas(s, part, len, 256)) < 0) {
		xasprintf(cause, "more than 256 names in one list");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (len[i] == 0 || memchr(part[i], ' ', len[i]) != NULL ||
		    memchr(part[i], '\t', len[i]) != NULL) {
			xasprintf(cause, "expected a comma-separated list of"
			    " names (wildcards * and %% allowed), got '%s'", s);
			return -1;
		}
	}
	l->v = xreallocarray(l->v, l->n + (size_t)n, sizeof *l->v);
	for (i = 0; i < n; i++)
		l->v[l->n++] = xstrndup(part[i], len[i]);
	return 0;
}

static int
parse_address(const char *s, struct address *a, char **cause)
{
	const char	*colon, *host = s;
	size_t		 hlen, i;
	long		 port;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (colon == NULL)
			goto bad;
		host = s + 1;
		hlen = (size_t)(colon - host);
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen) != NULL) {
			xasprintf(cause, "an IPv6 address is written in"
			    " brackets, as [fe80::1]:514, got '%s'", s);
			return -1;
		}
	}
	if (hlen == 0 || (port = number(colon + 1, strlen(colon + 1),
	    65535)) < 1)
		goto bad;
	for (i = 0; i < hlen; i++) {
		if (!isalnum((unsigned char)host[i]) &&
		    strchr(".-_:*", host[i]) == NULL)
			goto bad;
	}
	a->host = xstrndup(host, hlen);
	a->port = (uint16_t)port;
	return 0;
bad:
	xasprintf(cause, "expected host:port or [ipv6]:port with a port of 1"
	    " to 65535, got '%s'", s);
	return -1;
}

static int
parse_tz(const char *s, char **out, char **cause)
{
	const char	*dir = getenv("TZDIR");
	char		*path;
	struct stat	 sb;
	size_t		 i;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	for (i = 0; s[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("/_+-", s[i]) == NULL)
			break;
	}
	if (s[i] != '\0' || s[0] == '/' || strstr(s, "..") != NULL) {
		xasprintf(cause, "expected a time zone name such as"
		    " Europe/Berlin or UTC, got '%s'", s);
		return -1;
	}
	/* Without a zoneinfo database the name cannot be checked here. */
	if (stat(dir, &sb) == 0) {
		xasprintf(&path, "%s/%s", dir, s);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			xasprintf(cause, "unknown time zone '%s' (there is no"
			    " %s)", s, path);
			free(path);
			return -1;
		}
		free(path);
	}
	*out = xstrdup(s);
	return 0;
}

static int
parse_encoding(const char *s, char **out, char **cause)
{
	iconv_t	 cd;

	if ((cd = iconv_open("UTF-8", s)) == (iconv_t)-1) {
		xasprintf(cause, "unknown encoding '%s' (see 'iconv -l' for"
		    " the names this system knows)", s);
		return -1;
	}
	iconv_close(cd);
	*out = xstrdup(s);
	return 0;
}

int
value_parse(const struct operand *op, const char *s, void *slot,
    const struct value_ctx *ctx, char **cause)
{
	size_t		 count;
	long		 v;
	int		 i;
	uint64_t	 bits[4];
	char		*why = NULL;

	switch (op->type) {
	case V_NAME:
	case V_REF:
		if (!name_valid(s, cause))
			return -1;
		*(char **)slot = upper_dup(s);
		return 0;
	case V_TEXT:
		if ((op->flags & OPF_WORD) && strpbrk(s, " \t") != NULL) {
			xasprintf(cause, "expected a single word, got '%s'", s);
			return -1;
		}
		*(char **)slot = xstrdup(s);
		return 0;
	case V_WILD:
		if (wildcard_check(s, cause) != 0)
			return -1;
		*(char **)slot = xstrdup(s);
		return 0;
	case V_REGEX:
		if (regex_check(s, false, cause) != 0)
			return -1;
		*(char **)slot = xstrdup(s);
		return 0;
	case V_COLS:
		return parse_cols(s, slot, cause);
	case V_DAYS:
		return parse_days(s, slot, cause);
	case V_HOURS:
		if (parse_numlist(s, 0, 23, 24, bits, &count, "hour",
		    cause) != 0)
			return -1;
		*(uint32_t *)slot = (uint32_t)bits[0];
		return 0;
	case V_CLASSES: {
		struct classset *cs = slot;
		if (parse_numlist(s, op->min, op->max, CLASS_MAX_VALUES,
		    cs->bits, &count, "value", cause) != 0)
			return -1;
		cs->n = (uint8_t)count;
		return 0;
	}
	case V_LIMIT:
	case V_THRESH:
		return parse_counted(op, s, slot, cause);
	case V_OCCUR: {
		uint32_t	*oc = slot;
		const char	*part[3];
		size_t		 len[3];
		long		 n;
		/* Plain minutes up to the reference's 999999, or 30s, 2h. */
		if (split_commas(s, part, len, 2) == 2 &&
		    all_digits(part[1], len[1]) &&
		    (v = number(part[1], len[1], COUNT_MAX)) >= 0)
			oc[1] = (uint32_t)v * 60;
		else if (split_commas(s, part, len, 2) != 2 ||
		    duration(part[1], len[1], &oc[1]) != 0)
			oc[1] = 0;
		if (split_commas(s, part, len, 2) != 2 ||
		    (n = number(part[0], len[0], COUNT_MAX)) < 1 ||
		    oc[1] == 0) {
			xasprintf(cause, "expected count,interval: a count of"
			    " 1 to %u and an interval in minutes (or with a"
			    " suffix s, m, h), got '%s'", COUNT_MAX, s);
			return -1;
		}
		oc[0] = (uint32_t)n;
		return 0;
	}
	case V_DELAY:
		if (clock_pair(s, 1, slot) == 0)
			return 0;
		if (strchr(s, ':') == NULL && !all_digits(s, strlen(s)) &&
		    duration(s, strlen(s), slot) == 0)
			return 0;
		xasprintf(cause, "expected mm:ss (minutes and seconds, for"
		    " example 00:30; at most 366 days), got '%s'", s);
		return -1;
	case V_HHMM:
		if (clock_pair(s, 60, slot) != 0 || *(uint32_t *)slot == 0) {
			xasprintf(cause, "expected hh:mm, an interval from"
			    " 00:01 to 8784:00 (366 days; minutes 00-59),"
			    " got '%s'", s);
			return -1;
		}
		return 0;
	case V_DURATION:
		if (duration(s, strlen(s), slot) != 0 ||
		    *(uint32_t *)slot < (uint32_t)op->min ||
		    (op->max != 0 && *(uint32_t *)slot > (uint32_t)op->max)) {
			xasprintf(cause, "expected a duration: minutes, or a"
			    " number with a suffix s, m, h or d (for example"
			    " 30s, 5m, 2h), %sat most 366 days, got '%s'",
			    op->min > 0 ? "not zero and " : "", s);
			return -1;
		}
		return 0;
	case V_UINT:
		if ((v = number(s, strlen(s), (unsigned long)op->max)) < 0 ||
		    v < op->min) {
			xasprintf(cause, "expected a number from %ld to %ld,"
			    " got '%s'", op->min, op->max, s);
			return -1;
		}
		*(uint32_t *)slot = (uint32_t)v;
		return 0;
	case V_BOOL:
		if (strcasecmp(s, "YES") == 0 || strcasecmp(s, "Y") == 0)
			*(bool *)slot = true;
		else if (strcasecmp(s, "NO") == 0 || strcasecmp(s, "N") == 0)
			*(bool *)slot = false;
		else {
			xasprintf(cause, "expected YES or NO, got '%s'", s);
			return -1;
		}
		return 0;
	case V_ENUM: {
		struct strbuf sb;
		for (i = 0; op->words[i] != NULL; i++) {
			if (strcasecmp(s, op->words[i]) == 0) {
				*(int *)slot = i + (int)op->min;
				return 0;
			}
		}
		strbuf_init(&sb);
		for (i = 0; op->words[i] != NULL; i++)
			strbuf_addf(&sb, "%s%s", i == 0 ? "" :
			    op->words[i + 1] == NULL ? " or " : ", ",
			    op->words[i]);
		xasprintf(cause, "expected %s, got '%s'", sb.data, s);
		strbuf_free(&sb);
		return -1;
	}
	case V_FLAG:
		*(int *)slot = op->flagval;
		return 0;
	case V_ENV:
		return parse_env(s, slot, cause);
	case V_WHEN:
		return when_parse(s, slot, cause);
	case V_PCT:
		return parse_pct(s, slot, cause);
	case V_LIST:
		return parse_list(s, slot, cause);
	case V_DATES:
		return calendar_parse_dates(s, slot, cause);
	case V_ADDRESS:
		return parse_address(s, slot, cause);
	case V_TZ:
		return parse_tz(s, slot, cause);
	case V_PATH:
		/* Relative to the rule file; "." adds nothing useful. */
		if (s[0] == '/' || ctx == NULL || ctx->dir == NULL ||
		    strcmp(ctx->dir, ".") == 0)
			*(char **)slot = xstrdup(s);
		else
			xasprintf((char **)slot, "%s/%s", ctx->dir, s);
		return 0;
	case V_ENCODING:
		return parse_encoding(s, slot, cause);
	case V_ARGV: {
		struct argv *av;
		if ((av = argv_split(s, &why)) == NULL) {
			xasprintf(cause, "%s", why);
			free(why);
			return -1;
		}
		argv_free(av);
		*(char **)slot = xstrdup(s);
		return 0;
	}
	case V__COUNT:
		break;
	}
	fatalx("%s: unknown operand type %d", __func__, op->type);
}

void
value_format(const struct operand *op, const void *slot, struct strbuf *sb)
{
	const struct strlist	*l;
	const struct envref	*e;
	const struct pctrange	*p;
	const struct address	*a;
	const uint32_t		*u = slot;
	uint64_t		 bits[4];
	size_t			 i;

	switch (op->type) {
	case V_NAME:
	case V_REF:
	case V_TEXT:
	case V_WILD:
	case V_REGEX:
	case V_TZ:
	case V_PATH:
	case V_ENCODING:
	case V_ARGV:
		if (*(char *const *)slot != NULL)
			strbuf_adds(sb, *(char *const *)slot);
		break;
	case V_COLS:
		strbuf_addf(sb, "%03u:%03u",
		    ((const struct colrange *)slot)->first,
		    ((const struct colrange *)slot)->last);
		break;
	case V_DAYS:
		format_days(*(const uint8_t *)slot, sb);
		break;
	case V_HOURS:
		bits[0] = *u;
		format_numlist(bits, 0, 23, sb);
		break;
	case V_CLASSES:
		format_numlist(((const struct classset *)slot)->bits, op->min,
		    op->max, sb);
		break;
	case V_LIMIT:
	case V_THRESH:
		format_counted(slot, sb);
		break;
	case V_OCCUR:
		strbuf_addf(sb, "%u,", u[0]);
		format_duration(u[1], sb);
		break;
	case V_DELAY:
		strbuf_addf(sb, "%02u:%02u", *u / 60, *u % 60);
		break;
	case V_HHMM:
		strbuf_addf(sb, "%02u:%02u", *u / 3600, *u / 60 % 60);
		break;
	case V_DURATION:
		format_duration(*u, sb);
		break;
	case V_UINT:
		strbuf_addf(sb, "%u", *u);
		break;
	case V_BOOL:
		strbuf_adds(sb, *(const bool *)slot ? "YES" : "NO");
		break;
	case V_ENUM:
	case V_FLAG:
		strbuf_adds(sb, op->words[*(const int *)slot - op->min]);
		break;
	case V_ENV:
		e = slot;
		strbuf_adds(sb, e->env);
		if (e->sys != NULL)
			strbuf_addf(sb, ",%s", e->sys);
		break;
	case V_WHEN:
		when_format(slot, sb);
		break;
	case V_PCT:
		p = slot;
		strbuf_addf(sb, "%03u-%03u", p->low, p->high);
		break;
	case V_LIST:
		l = slot;
		for (i = 0; i < l->n; i++)
			strbuf_addf(sb, "%s%s", i == 0 ? "" : ",", l->v[i]);
		break;
	case V_DATES:
		calendar_format_dates(slot, sb);
		break;
	case V_ADDRESS:
		a = slot;
		if (strchr(a->host, ':') != NULL)
			strbuf_addf(sb, "[%s]:%u", a->host, a->port);
		else
			strbuf_addf(sb, "%s:%u", a->host, a->port);
		break;
	case V__COUNT:
		break;
	}
}

void
value_free(const struct operand *op, void *slot)
{
	struct strlist	*l;
	struct datelist	*d;
	size_t		 i;

	switch (op->type) {
	case V_NAME:
	case V_REF:
	case V_TEXT:
	case V_WILD:
	case V_REGEX:
	case V_TZ:
	case V_PATH:
	case V_ENCODING:
	case V_ARGV:
		free(*(char **)slot);
		*(char **)slot = NULL;
		break;
	case V_LIMIT:
	case V_THRESH:
		free(((struct limit *)slot)->action);
		((struct limit *)slot)->action = NULL;
		break;
	case V_ENV:
		free(((struct envref *)slot)->env);
		free(((struct envref *)slot)->sys);
		memset(slot, 0, sizeof(struct envref));
		break;
	case V_LIST:
		l = slot;
		for (i = 0; i < l->n; i++)
			free(l->v[i]);
		free(l->v);
		memset(l, 0, sizeof *l);
		break;
	case V_DATES:
		d = slot;
		free(d->v);
		memset(d, 0, sizeof *d);
		break;
	case V_ADDRESS:
		free(((struct address *)slot)->host);
		memset(slot, 0, sizeof(struct address));
		break;
	default:
		break;
	}
}
