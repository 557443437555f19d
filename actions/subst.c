/* SPDX-License-Identifier: Apache-2.0 */
/*
 * subst.c - substitution variables.  "&name" is replaced by its value
 * after the command has been split into words, so a value is always data
 * inside one word: message text cannot add arguments or shell syntax.
 * With quote (ENV SHELL) every value is single-quoted for /bin/sh.
 *
 * Names: &1..&99 the blank-delimited words of the text, &0 the kind of
 * trigger (RULE, SCHEDULE, ...), &T the text, &U the user, &R the rule or
 * schedule, &P the PARM (itself expanded once), &C the class, &A the
 * action, &MSGID, &SOURCE, &SYSNAME (the message's system, else this
 * host), &JOBID, &DATE (yyyy-mm-dd), &TIME (hh:mm:ss), &YEAR, &MONTH,
 * &DAY, &HOUR, &MINUTE, &SECOND, &EPOCH (the message's own time), &LINE1
 * to &LINE999 the lines of a multi-line message (a single-line message
 * is its own &LINE1), and the named groups of the rule's REGEX.  Built-in names are not case
 * sensitive; "&{name}" delimits a name, "&&" is a literal "&".  A name
 * with no value expands to nothing and is counted.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "actions/actions.h"
#include "rules/rules.h"

static const char *const builtins[] = {
	"T", "U", "R", "P", "C", "A", "MSGID", "SOURCE", "SYSNAME", "JOBID",
	"DATE", "TIME", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND",
	"EPOCH", NULL
};

bool
subst_builtin(const char *name, size_t len)
{
	size_t	 i;

	if (len > 0 && len <= 2 && isdigit((unsigned char)name[0]) &&
	    isdigit((unsigned char)name[len - 1]))
		return true;
	if (len > 4 && strncasecmp(name, "LINE", 4) == 0) {
		for (i = 4; i < len; i++)
			if (!isdigit((unsigned char)name[i]))
				break;
		if (i == len && len <= 7)
			return true;
	}
	for (i = 0; builtins[i] != NULL; i++) {
		if (strlen(builtins[i]) == len &&
		    strncasecmp(builtins[i], name, len) == 0)
			return true;
	}
	return false;
}

/*
 * The name after an '&' at s: *len its length, *skip the bytes the
 * reference takes (with braces); 0 if s does not start a name.
 */
size_t
subst_scan(const char *s, size_t *skip)
{
	size_t	 n = 0;
	const char *close;

	if (s[0] == '{') {
		if ((close = strchr(s, '}')) == NULL || close == s + 1)
			return 0;
		*skip = (size_t)(close - s) + 1;
		return (size_t)(close - s) - 1;
	}
	if (isdigit((unsigned char)s[0])) {
		n = isdigit((unsigned char)s[1]) ? 2 : 1;
		*skip = n;
		return n;
	}
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	*skip = n;
	return n;
}

void
subst_names(const char *s, subst_name_cb cb, void *arg)
{
	size_t	 i, n, skip;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '&')
			continue;
		if (s[i + 1] == '&') {
			i++;
			continue;
		}
		if ((n = subst_scan(s + i + 1, &skip)) == 0)
			continue;
		cb(s + i + 1 + (s[i + 1] == '{'), n, arg);
		i += skip;
	}
}

/* The n-th blank-delimited word of the text (1-based). */
static void
add_word(struct strbuf *out, const char *t, size_t len, unsigned n)
{
	size_t	 i = 0, b;

	for (;;) {
		while (i < len && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (i == len)
			return;
		b = i;
		while (i < len && t[i] != ' ' && t[i] != '\t')
			i++;
		if (--n == 0) {
			strbuf_addn(out, t + b, i - b);
			return;
		}
	}
}

static bool
is(const char *name, size_t len, const char *what)
{
	return strlen(what) == len && strncasecmp(name, what, len) == 0;
}

/* Append the value of a name; false if it has none. */
/* A manual trigger's --var K=V (names case-insensitive, as variables). */
static const char *
var_lookup(char *const *vars, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; vars[i] != NULL; i++)
		if (strncasecmp(vars[i], name, len) == 0 && vars[i][len] == '=')
			return vars[i] + len + 1;
	return NULL;
}

bool
subst_value(const char *name, size_t len, struct subst_ctx *ctx,
    struct strbuf *out)
{
	const struct message	*msg = ctx->msg;
	struct tm		 tm;
	time_t			 t = msg != NULL ? msg->time : ctx->now;
	char			 buf[64], host[256], *g;
	const char		*v = NULL;
	size_t			 vlen;

	if (isdigit((unsigned char)name[0])) {
		unsigned n = (unsigned)(name[0] - '0');
		if (len > 2 || !isdigit((unsigned char)name[len - 1]))
			return false;	/* &{123}, &{1x}: no such word */
		if (len == 2)
			n = n * 10 + (unsigned)(name[1] - '0');
		if (n == 0)
			v = ctx->kind;
		else if (msg != NULL) {
			add_word(out, msg->text, msg->len, n);
			return true;
		} else
			return false;
	} else if (len > 4 && strncasecmp(name, "LINE", 4) == 0 &&
	    subst_builtin(name, len)) {
		unsigned n = (unsigned)strtoul(name + 4, NULL, 10);
		if (msg == NULL)
			return false;
		if (msg->nlines == 0 && n == 1)
			v = msg->text;
		else if (n >= 1 && n <= msg->nlines)
			v = msg->lines[n - 1];
		else
			return true;	/* no such line: empty */
	} else if (is(name, len, "T"))
		v = msg != NULL ? msg->text : NULL;
	else if (is(name, len, "U"))
		v = msg != NULL ? msg->user : NULL;
	else if (is(name, len, "R"))
		v = ctx->name;
	else if (is(name, len, "A"))
		v = ctx->action;
	else if (is(name, len, "P")) {
		/* PARM may hold variables itself; &P inside it is empty. */
		if (ctx->parm != NULL) {
			struct subst_ctx inner = *ctx;
			inner.parm = NULL;
			subst_expand(ctx->parm, &inner, false, out);
			ctx->undefined = inner.undefined;
		}
		return true;
	} else if (is(name, len, "C")) {
		snprintf(buf, sizeof buf, "%d", msg != NULL ? msg->cls : 0);
		v = buf;
	} else if (is(name, len, "MSGID"))
		v = msg != NULL ? msg->msgid : NULL;
	else if (is(name, len, "SOURCE"))
		v = msg != NULL ? msg->source : NULL;
	else if (is(name, len, "JOBID"))
		v = msg != NULL ? msg->jobid : NULL;
	else if (is(name, len, "SYSNAME")) {
		if (msg != NULL && msg->system != NULL)
			v = msg->system;
		else if (gethostname(host, sizeof host) == 0) {
			host[sizeof host - 1] = '\0';
			v = host;
		}
	} else if (is(name, len, "EPOCH")) {
		snprintf(buf, sizeof buf, "%lld", (long long)t);
		v = buf;
	} else if (is(name, len, "DATE") || is(name, len, "TIME") ||
	    is(name, len, "YEAR") || is(name, len, "MONTH") ||
	    is(name, len, "DAY") || is(name, len, "HOUR") ||
	    is(name, len, "MINUTE") || is(name, len, "SECOND")) {
		localtime_r(&t, &tm);
		if (is(name, len, "DATE"))
			strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
		else if (is(name, len, "TIME"))
			strftime(buf, sizeof buf, "%H:%M:%S", &tm);
		else if (is(name, len, "YEAR"))
			strftime(buf, sizeof buf, "%Y", &tm);
		else if (is(name, len, "MONTH"))
			strftime(buf, sizeof buf, "%m", &tm);
		else if (is(name, len, "DAY"))
			strftime(buf, sizeof buf, "%d", &tm);
		else if (is(name, len, "HOUR"))
			strftime(buf, sizeof buf, "%H", &tm);
		else if (is(name, len, "MINUTE"))
			strftime(buf, sizeof buf, "%M", &tm);
		else
			strftime(buf, sizeof buf, "%S", &tm);
		v = buf;
	} else if (ctx->hit != NULL) {
		g = xstrndup(name, len);
		v = matcher_group(ctx->hit, g, &vlen);
		free(g);
		if (v != NULL) {
			strbuf_addn(out, v, vlen);
			return true;
		}
	}
	if (v == NULL && ctx->vars != NULL && !isdigit((unsigned char)name[0]))
		v = var_lookup(ctx->vars, name, len);
	if (v == NULL)
		return false;
	strbuf_adds(out, v);
	return true;
}

/* Append v single-quoted for /bin/sh: ' becomes '\''. */
static void
add_quoted(struct strbuf *out, const char *v, size_t n)
{
	size_t	 i;

	strbuf_addc(out, '\'');
	for (i = 0; i < n; i++) {
		if (v[i] == '\'')
			strbuf_adds(out, "'\\''");
		else
			strbuf_addc(out, v[i]);
	}
	strbuf_addc(out, '\'');
}

void
subst_expand(const char *s, struct subst_ctx *ctx, bool quote,
    struct strbuf *out)
{
	struct strbuf	 v;
	size_t		 i, n, skip;
	const char	*name;

	strbuf_init(&v);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '&') {
			strbuf_addc(out, s[i]);
			continue;
		}
		if (s[i + 1] == '&') {
			strbuf_addc(out, '&');
			i++;
			continue;
		}
		if ((n = subst_scan(s + i + 1, &skip)) == 0) {
			strbuf_addc(out, '&');
			continue;
		}
		name = s + i + 1 + (s[i + 1] == '{');
		strbuf_reset(&v);
		if (!subst_value(name, n, ctx, &v))
			ctx->undefined++;
		if (quote)
			add_quoted(out, v.data != NULL ? v.data : "", v.len);
		else
			strbuf_addn(out, v.data != NULL ? v.data : "", v.len);
		i += skip;
	}
	strbuf_free(&v);
}
