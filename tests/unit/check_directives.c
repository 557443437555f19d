/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_directives.c - unit tests for rules/directives.c and the value
 * parsers of rules/value.c, one test case per statement: what each
 * operand stores (its meaning, not its text), the defaults, and the
 * constraint and value errors with their exact located messages.  A last
 * case walks the directive table itself.  Statement syntax is
 * check_parser.c's; cross-file behaviour is check_ruleset.c's.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

#define ALL_HOURS	0xffffffu
#define ALL_DAYS	0xffu

/* A definition of a kind, looked up by name and cast. */
#define FIND(rs, kind, type, name) \
	((const struct type *)tu_find((rs), (kind), (name)))

static bool
class_has(const struct classset *cs, unsigned v)
{
	return (cs->bits[v / 64] >> (v % 64)) & 1;
}

/* The members of a class set, as "a,b,c". */
static void
check_classes(const struct classset *cs, const char *want)
{
	struct strbuf	 sb;
	unsigned	 v, n = 0;

	strbuf_init(&sb);
	strbuf_addc(&sb, '\0');
	strbuf_reset(&sb);
	for (v = 0; v < 256; v++) {
		if (class_has(cs, v)) {
			strbuf_addf(&sb, "%s%u", n == 0 ? "" : ",", v);
			n++;
		}
	}
	ck_assert_str_eq(sb.data, want);
	ck_assert_uint_eq(cs->n, n);
	strbuf_free(&sb);
}

/* A string list, as "a,b,c". */
static void
check_list(const struct strlist *l, const char *want)
{
	struct strbuf	 sb;
	size_t		 i;

	strbuf_init(&sb);
	strbuf_addc(&sb, '\0');
	strbuf_reset(&sb);
	for (i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i == 0 ? "" : ",", l->v[i]);
	ck_assert_str_eq(sb.data, want);
	strbuf_free(&sb);
}

static void
check_limit(const struct limit *l, uint32_t count, uint32_t interval,
    const char *action)
{
	ck_assert_uint_eq(l->count, count);
	ck_assert_uint_eq(l->interval, interval);
	if (action == NULL)
		ck_assert_ptr_null(l->action);
	else
		ck_assert_str_eq(l->action, action);
}

static void
check_date(const struct daterange *dr, int y1, int m1, int d1, int y2,
    int m2, int d2)
{
	ck_assert_int_eq(dr->y1, y1);
	ck_assert_int_eq(dr->m1, m1);
	ck_assert_int_eq(dr->d1, d1);
	ck_assert_int_eq(dr->y2, y2);
	ck_assert_int_eq(dr->m2, m2);
	ck_assert_int_eq(dr->d2, d2);
}

/*
 * "<prefix> <op> <value>" must fail with "<label> <opname>: <cause>" at
 * the value (the value is written bare or quoted, so it starts right
 * after the operand's keyword and one blank).
 */
static void
check_value_error(const char *prefix, const char *op, const char *value,
    const char *label, const char *opname, const char *cause)
{
	char	*text, *want;

	xasprintf(&text, "%s %s %s\n", prefix, op, value);
	xasprintf(&want, "t.rules:1:%zu: error: %s %s: %s",
	    strlen(prefix) + strlen(op) + 3, label, opname, cause);
	tu_check_errors(text, want);
	free(want);
	free(text);
}

/* --- DEFRULE --------------------------------------------------------- */

START_TEST(test_rule_operands)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFACTN NAME A1 COMMAND x\n"
	    "DEFGROUP NAME G1 USER OP*\n"
	    "DEFRULE NAME R1 MATCH '*ERR*' MCOL 005:080 EXCLUDE *TEST* +\n"
	    "  ECOL 010:020 CASE ANY ACTION a1 USER LNX* EXGROUP g1 +\n"
	    "  SYSTEM SYS1 SOURCE SRC* CLASS 1,4,10-12 DAYS *****--* +\n"
	    "  HOURS 8-17,20 PARM 'p q' LIMIT 3,10,a1 ENV lvm,zvm2 +\n"
	    "  SUPNEXT 2 FINAL YES KEY &U SUPPRESS 30s\n");
	r = FIND(rs, DEF_RULE, rule, "R1");
	ck_assert_str_eq(r->def.name, "R1");
	ck_assert_str_eq(r->match, "*ERR*");
	ck_assert_ptr_null(r->regex);
	ck_assert_uint_eq(r->mcol.first, 5);
	ck_assert_uint_eq(r->mcol.last, 80);
	ck_assert_str_eq(r->exclude, "*TEST*");
	ck_assert_uint_eq(r->ecol.first, 10);
	ck_assert_uint_eq(r->ecol.last, 20);
	ck_assert_int_eq(r->caseless, 1);
	ck_assert_str_eq(r->action, "A1");
	ck_assert_str_eq(r->user, "LNX*");
	ck_assert_ptr_null(r->group);
	ck_assert_ptr_null(r->exuser);
	ck_assert_str_eq(r->exgroup, "G1");
	ck_assert_str_eq(r->system, "SYS1");
	ck_assert_str_eq(r->source, "SRC*");
	check_classes(&r->classes, "1,4,10,11,12");
	ck_assert_uint_eq(r->days, 0x9f);
	ck_assert_uint_eq(r->hours, 0x13ff00);
	ck_assert_str_eq(r->parm, "p q");
	check_limit(&r->limit, 3, 600, "A1");
	ck_assert_str_eq(r->env.env, "LVM");
	ck_assert_str_eq(r->env.sys, "ZVM2");
	ck_assert_uint_eq(r->supnext, 2);
	ck_assert(r->final);
	ck_assert_str_eq(r->key, "&U");
	ck_assert_uint_eq(r->suppress, 30);
	check_limit(&r->threshold, 0, 0, NULL);
	ck_assert_ptr_null(r->expect);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_rule_correlation)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFACTN NAME A1 COMMAND x\n"
	    "DEFGROUP NAME G1 USER OP*\n"
	    "DEFRULE NAME R2 REGEX '^HCP(\\w+)' ACTION NULL GROUP G1 +\n"
	    "  EXUSER X* THRESHOLD 5,2m CLEAR 1,10m,A1 KEY &U\n"
	    "DEFRULE NAME R3 MATCH *LOGOFF* ACTION NULL KEY &2 +\n"
	    "  EXPECT *LOGON* WITHIN 90s FOUNDACTN A1 MISSACTN NULL\n"
	    "DEFRULE NAME R4 MATCH *X* ACTION NULL EXPECT *Y* WITHIN 5 +\n"
	    "  MISSACTN A1\n");
	r = FIND(rs, DEF_RULE, rule, "R2");
	ck_assert_ptr_null(r->match);
	ck_assert_str_eq(r->regex, "^HCP(\\w+)");
	ck_assert_str_eq(r->group, "G1");
	ck_assert_str_eq(r->exuser, "X*");
	check_limit(&r->threshold, 5, 120, NULL);
	check_limit(&r->clear, 1, 600, "A1");
	ck_assert_uint_eq(r->suppress, 0);
	r = FIND(rs, DEF_RULE, rule, "R3");
	ck_assert_str_eq(r->expect, "*LOGON*");
	ck_assert_uint_eq(r->within, 90);
	ck_assert_str_eq(r->foundactn, "A1");
	ck_assert_str_eq(r->missactn, "NULL");
	r = FIND(rs, DEF_RULE, rule, "R4");
	ck_assert_uint_eq(r->within, 300);
	ck_assert_ptr_null(r->foundactn);
	ck_assert_str_eq(r->missactn, "A1");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_rule_defaults)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH x ACTION NULL\n");
	r = FIND(rs, DEF_RULE, rule, "R1");
	ck_assert_uint_eq(r->mcol.first, 1);
	ck_assert_uint_eq(r->mcol.last, 999);
	ck_assert_uint_eq(r->ecol.first, 1);
	ck_assert_uint_eq(r->ecol.last, 999);
	ck_assert_int_eq(r->caseless, 0);
	ck_assert_uint_eq(r->days, ALL_DAYS);
	ck_assert_uint_eq(r->hours, ALL_HOURS);
	check_limit(&r->limit, 0, 0, NULL);
	ck_assert(!r->final);
	ck_assert_ptr_null(r->env.env);
	ck_assert_ptr_null(r->env.sys);
	ck_assert_uint_eq(r->supnext, 0);
	ck_assert_uint_eq(r->classes.n, 0);
	ck_assert_ptr_null(r->exclude);
	ck_assert_ptr_null(r->user);
	ck_assert_ptr_null(r->parm);
	ck_assert_ptr_null(r->key);
	/* Defaults are applied, not given. */
	ck_assert(!tu_is_set(&r->def, "MCOL"));
	ck_assert(!tu_is_set(&r->def, "DAYS"));
	ck_assert(tu_is_set(&r->def, "MATCH"));
	ruleset_free(rs);
}
END_TEST

static const struct {
	const char	*value;
	uint32_t	 count;
	uint32_t	 interval;
} limit_units[] = {
	{ "5,10", 5, 600 },		/* minutes are the bare unit */
	{ "5,10m", 5, 600 },
	{ "5,30s", 5, 30 },
	{ "5,30S", 5, 30 },
	{ "5,2h", 5, 7200 },
	{ "5,1d", 5, 86400 },
	{ "0,0", 0, 0 },
	{ "999999,366d", 999999, 366 * 86400 },
	{ "1,527040", 1, 366 * 86400 },
};

START_TEST(test_rule_limit_units)
{
	struct ruleset		*rs;
	const struct rule	*r;
	char			*text;

	xasprintf(&text, "DEFRULE NAME R1 MATCH x ACTION NULL LIMIT %s\n",
	    limit_units[_i].value);
	rs = tu_load_ok(text);
	r = FIND(rs, DEF_RULE, rule, "R1");
	check_limit(&r->limit, limit_units[_i].count,
	    limit_units[_i].interval, NULL);
	ruleset_free(rs);
	free(text);
}
END_TEST

START_TEST(test_rule_constraints)
{
	tu_check_errors("DEFRULE NAME R1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFRULE R1: one of MATCH or REGEX is"
	    " required");
	tu_check_errors("DEFRULE NAME R1 MATCH x REGEX y ACTION NULL\n",
	    "t.rules:1:31: error: DEFRULE R1 REGEX: only one of MATCH or REGEX"
	    " may be given");
	/* The one given last is blamed, whatever the table's order. */
	tu_check_errors("DEFRULE NAME R1 REGEX y MATCH x ACTION NULL\n",
	    "t.rules:1:31: error: DEFRULE R1 MATCH: only one of MATCH or REGEX"
	    " may be given");
	tu_check_errors("DEFRULE NAME R1 MATCH x\n",
	    "t.rules:1:1: error: DEFRULE R1: ACTION is required");
	tu_check_errors("DEFRULE MATCH x ACTION NULL\n",
	    "t.rules:1:1: error: DEFRULE: NAME is required");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL ECOL 001:010\n",
	    "t.rules:1:42: error: DEFRULE R1 ECOL: only valid together with"
	    " EXCLUDE");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL SUPPRESS 5"
	    " THRESHOLD 2,5\n",
	    "t.rules:1:58: error: DEFRULE R1 THRESHOLD: only one of SUPPRESS,"
	    " THRESHOLD or EXPECT may be given");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL GROUP G USER U\n",
	    "t.rules:1:50: error: DEFRULE R1 USER: only one of GROUP or USER"
	    " may be given");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL CLEAR 1,5,NULL\n",
	    "t.rules:1:43: error: DEFRULE R1 CLEAR: only valid together with"
	    " THRESHOLD");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL THRESHOLD 2,5"
	    " CLEAR 1,10m\n",
	    "t.rules:1:57: error: DEFRULE R1 CLEAR: expected"
	    " count,interval,action: the action is missing in '1,10m'");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL EXPECT y"
	    " MISSACTN NULL\n",
	    "t.rules:1:44: error: DEFRULE R1 EXPECT: WITHIN is required with"
	    " EXPECT (how long to wait for the expected message)");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL EXPECT y"
	    " WITHIN 5\n",
	    "t.rules:1:44: error: DEFRULE R1 EXPECT: FOUNDACTN or MISSACTN (or"
	    " both) is required with EXPECT");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL WITHIN 5\n",
	    "t.rules:1:44: error: DEFRULE R1 WITHIN: only valid together with"
	    " EXPECT");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL FOUNDACTN NULL\n",
	    "t.rules:1:47: error: DEFRULE R1 FOUNDACTN: only valid together"
	    " with EXPECT");
}
END_TEST

START_TEST(test_rule_key_warning)
{
	struct diag	 diag;
	struct ruleset	*rs;
	char		*s;

	diag_init(&diag);
	rs = tu_load("DEFRULE NAME R1 MATCH x ACTION NULL KEY &U\n", &diag);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(diag.errors, 0);
	ck_assert_uint_eq(diag.warnings, 1);
	s = tu_diag_string(&diag);
	ck_assert_str_eq(s, "t.rules:1:41: warning: DEFRULE R1 KEY: has no"
	    " effect without SUPPRESS, THRESHOLD or EXPECT");
	free(s);
	ruleset_free(rs);
	diag_free(&diag);
}
END_TEST

START_TEST(test_rule_days_never)
{
	struct diag		 diag;
	struct ruleset		*rs;
	const struct rule	*r;
	char			*s;

	/* Accepted, but a rule that is never active gets a warning. */
	diag_init(&diag);
	rs = tu_load("DEFRULE NAME R1 MATCH x ACTION NULL DAYS MTWTFSSH\n",
	    &diag);
	ck_assert_ptr_nonnull(rs);
	s = tu_diag_string(&diag);
	ck_assert_str_eq(s, "t.rules:1:42: warning: DEFRULE R1 DAYS: 'MTWTFSSH'"
	    " has no '*', so this is never active ('*' marks an active day:"
	    " ******** is every day)");
	free(s);
	r = FIND(rs, DEF_RULE, rule, "R1");
	ck_assert_uint_eq(r->days, 0);
	ruleset_free(rs);
	diag_free(&diag);
}
END_TEST

/*
 * Regression: THRESHOLD takes no action part, but its syntax
 * error still shows "count,interval[,action]" (and "a count of 0", which
 * THRESHOLD refuses).
 */
START_TEST(test_rule_threshold_message)
{
	char	*s;

	s = tu_load_fail("DEFRULE NAME R1 MATCH x ACTION NULL THRESHOLD 5\n");
	ck_assert_msg(strstr(s, "DEFRULE R1 THRESHOLD: expected"
	    " count,interval ") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "[,action]") == NULL, "%s", s);
	free(s);
}
END_TEST

static const struct {
	const char	*op;
	const char	*value;
	const char	*cause;
} rule_value_errors[] = {
	{ "MCOL", "080:010", "column range '080:010' ends before it starts" },
	{ "MCOL", "1:80", "expected bbb:eee, two columns of exactly three"
	  " digits from 001 to 999 (for example 001:080), got '1:80'" },
	{ "MCOL", "000:010", "expected bbb:eee, two columns of exactly three"
	  " digits from 001 to 999 (for example 001:080), got '000:010'" },
	{ "DAYS", "***", "expected 8 positions MTWTFSSH (Monday to Sunday,"
	  " then Holiday), '*' for active and any other character for"
	  " inactive, got '***' (3 positions)" },
	{ "HOURS", "24", "expected a list of hours 0 to 23 (n,n,... or n-m),"
	  " got '24' in '24'" },
	{ "HOURS", "17-8", "expected a list of hours 0 to 23 (n,n,... or"
	  " n-m), got '17-8' in '17-8'" },
	{ "HOURS", "8,9,8", "hour 8 is listed twice in '8,9,8'" },
	{ "HOURS", "8,,9", "expected a list of hours 0 to 23 (n,n,... or"
	  " n-m), got '' in '8,,9'" },
	{ "CLASS", "0", "expected a list of values 1 to 255 (n,n,... or"
	  " n-m), got '0' in '0'" },
	{ "CLASS", "1-40", "'1-40' has 40 values; at most 32 are allowed" },
	{ "SUPNEXT", "1000", "expected a number from 0 to 999, got '1000'" },
	{ "SUPNEXT", "-1", "expected a number from 0 to 999, got '-1'" },
	{ "SUPPRESS", "0", "expected a duration: minutes, or a number with a"
	  " suffix s, m, h or d (for example 30s, 5m, 2h), not zero and at"
	  " most 366 days, got '0'" },
	{ "SUPPRESS", "5x", "expected a duration: minutes, or a number with"
	  " a suffix s, m, h or d (for example 30s, 5m, 2h), not zero and at"
	  " most 366 days, got '5x'" },
	{ "SUPPRESS", "367d", "expected a duration: minutes, or a number with"
	  " a suffix s, m, h or d (for example 30s, 5m, 2h), not zero and at"
	  " most 366 days, got '367d'" },
	{ "CASE", "MAYBE", "expected EXACT or ANY, got 'MAYBE'" },
	{ "FINAL", "maybe", "expected YES or NO, got 'maybe'" },
	{ "ENV", "A,B,C", "expected procenv[,procsys]: name 'B,C' has ',';"
	  " names are made of letters, digits and $#@_-" },
	{ "ENV", "ABCDEFGHIJKLMNOPQ", "expected procenv[,procsys]: name"
	  " 'ABCDEFGHIJKLMNOPQ' is 17 characters long; names have 1 to 16"
	  " characters" },
	{ "LIMIT", "0,5", "count 0 with an interval would never run the"
	  " action; '0,0' means unlimited, got '0,5'" },
	{ "LIMIT", "5,0", "a count of 5 needs an interval of at least one"
	  " second, got '5,0'" },
	{ "LIMIT", "5", "expected count,interval[,action] with a count of 0"
	  " to 999999 and an interval in minutes (or with a suffix s, m, h,"
	  " d) of at most 366 days, got '5'" },
	{ "LIMIT", "5,367d", "expected count,interval[,action] with a count"
	  " of 0 to 999999 and an interval in minutes (or with a suffix s, m,"
	  " h, d) of at most 366 days, got '5,367d'" },
	{ "LIMIT", "5,10,A1,B1", "expected count,interval[,action] with a"
	  " count of 0 to 999999 and an interval in minutes (or with a suffix"
	  " s, m, h, d) of at most 366 days, got '5,10,A1,B1'" },
	{ "LIMIT", "5,10,A.1", "action: name 'A.1' has '.'; names are made"
	  " of letters, digits and $#@_-" },
	{ "THRESHOLD", "0,5", "count and interval must both be at least 1,"
	  " got '0,5'" },
	{ "THRESHOLD", "5,2m,NULL", "expected count,interval, got '5,2m,NULL'"
	  " (the rule's ACTION is what runs)" },
	{ "CLEAR", "1,5,A.1", "action: name 'A.1' has '.'; names are made of"
	  " letters, digits and $#@_-" },
	{ "USER", "''", "the value is empty" },
};

START_TEST(test_rule_value_errors)
{
	check_value_error("DEFRULE NAME R1 MATCH x ACTION NULL",
	    rule_value_errors[_i].op, rule_value_errors[_i].value,
	    "DEFRULE R1", rule_value_errors[_i].op,
	    rule_value_errors[_i].cause);
}
END_TEST

START_TEST(test_rule_regex_errors)
{
	char	*s;

	s = tu_load_fail("DEFRULE NAME R1 REGEX 'a(b' ACTION NULL\n");
	ck_assert_msg(strncmp(s, "t.rules:1:23: error: DEFRULE R1 REGEX:"
	    " invalid regular expression at offset 3: ", 61) == 0, "%s", s);
	free(s);
	/* Compiled caseless with CASE ANY too. */
	s = tu_load_fail("DEFRULE NAME R1 REGEX '[z-a]' CASE ANY +\n"
	    "  ACTION NULL\n");
	ck_assert_msg(strncmp(s, "t.rules:1:23: error: DEFRULE R1 REGEX:"
	    " invalid regular expression at offset ", 57) == 0, "%s", s);
	ck_assert_ptr_null(strchr(s, '\n'));
	free(s);
	tu_check_errors("DEFRULE NAME ABCDEFGHIJKLMNOPQ MATCH x ACTION NULL\n",
	    "t.rules:1:14: error: DEFRULE ABCDEFGHIJKLMNOPQ NAME: name"
	    " 'ABCDEFGHIJKLMNOPQ' is 17 characters long; names have 1 to 16"
	    " characters");
	tu_check_errors("DEFRULE NAME R.1 MATCH x ACTION NULL\n",
	    "t.rules:1:14: error: DEFRULE R.1 NAME: name 'R.1' has '.'; names"
	    " are made of letters, digits and $#@_-");
}
END_TEST

/* --- DEFACTN --------------------------------------------------------- */

START_TEST(test_action_operands)
{
	struct ruleset		*rs;
	const struct action	*a;

	rs = tu_load_ok("DEFENV NAME MAINT\n"
	    "DEFACTN NAME A2 EMIT 'VIGIL001I hi'\n"
	    "DEFACTN NAME A1 COMMAND 'logger \"a b\" &T' ENV maint,sys2 +\n"
	    "  NEXTACTN a2 DELAY 01:30 INPUT CRE TIMEOUT 30s MAXCONC 4 +\n"
	    "  SERIAL &U ONFAIL CONTINUE\n");
	a = FIND(rs, DEF_ACTION, action, "A1");
	ck_assert_str_eq(a->command, "logger \"a b\" &T");
	ck_assert_ptr_null(a->emit);
	ck_assert_str_eq(a->env.env, "MAINT");
	ck_assert_str_eq(a->env.sys, "SYS2");
	ck_assert_str_eq(a->nextactn, "A2");
	ck_assert_uint_eq(a->delay, 90);
	ck_assert_str_eq(a->input, "CRE");
	ck_assert_uint_eq(a->timeout, 30);
	ck_assert_uint_eq(a->maxconc, 4);
	ck_assert_str_eq(a->serial, "&U");
	ck_assert_int_eq(a->onfail, ONFAIL_CONTINUE);
	a = FIND(rs, DEF_ACTION, action, "A2");
	ck_assert_str_eq(a->emit, "VIGIL001I hi");
	ck_assert_ptr_null(a->command);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_action_defaults)
{
	struct ruleset		*rs;
	const struct action	*a;

	rs = tu_load_ok("DEFACTN NAME A1 INPUT CRE\n");
	a = FIND(rs, DEF_ACTION, action, "A1");
	ck_assert_str_eq(a->env.env, "LVM");
	ck_assert_ptr_null(a->env.sys);
	ck_assert_int_eq(a->onfail, ONFAIL_STOP);
	ck_assert_uint_eq(a->delay, 0);
	ck_assert_uint_eq(a->timeout, 0);
	ck_assert_uint_eq(a->maxconc, 0);
	ck_assert_ptr_null(a->nextactn);
	ck_assert_ptr_null(a->command);
	ck_assert_ptr_null(a->serial);
	ck_assert(!tu_is_set(&a->def, "ENV"));
	ruleset_free(rs);
}
END_TEST

static const struct {
	const char	*op;
	const char	*value;
	uint32_t	 secs;
} action_times[] = {
	{ "DELAY", "00:30", 30 },
	{ "DELAY", "01:30", 90 },
	{ "DELAY", "120:00", 7200 },
	{ "DELAY", "9999:59", 9999 * 60 + 59 },
	{ "DELAY", "30s", 30 },
	{ "DELAY", "2m", 120 },
	{ "DELAY", "1h", 3600 },
	{ "TIMEOUT", "5", 300 },
	{ "TIMEOUT", "30s", 30 },
	{ "TIMEOUT", "2h", 7200 },
	{ "TIMEOUT", "1d", 86400 },
	{ "TIMEOUT", "0", 0 },
};

START_TEST(test_action_times)
{
	struct ruleset		*rs;
	const struct action	*a;
	char			*text;

	xasprintf(&text, "DEFACTN NAME A1 COMMAND x %s %s\n",
	    action_times[_i].op, action_times[_i].value);
	rs = tu_load_ok(text);
	a = FIND(rs, DEF_ACTION, action, "A1");
	if (strcmp(action_times[_i].op, "DELAY") == 0)
		ck_assert_uint_eq(a->delay, action_times[_i].secs);
	else
		ck_assert_uint_eq(a->timeout, action_times[_i].secs);
	ruleset_free(rs);
	free(text);
}
END_TEST

START_TEST(test_action_errors)
{
	tu_check_errors("DEFACTN NAME A1 DELAY 00:10\n",
	    "t.rules:1:1: error: DEFACTN A1: one of COMMAND, EMIT or INPUT is"
	    " required");
	tu_check_errors("DEFACTN NAME A1 COMMAND x EMIT y\n",
	    "t.rules:1:32: error: DEFACTN A1 EMIT: only one of COMMAND or EMIT"
	    " may be given");
	check_value_error("DEFACTN NAME A1 COMMAND x", "DELAY", "5",
	    "DEFACTN A1", "DELAY", "expected mm:ss (minutes and seconds, for"
	    " example 00:30; at most 366 days), got '5'");
	check_value_error("DEFACTN NAME A1 COMMAND x", "DELAY", "00:60",
	    "DEFACTN A1", "DELAY", "expected mm:ss (minutes and seconds, for"
	    " example 00:30; at most 366 days), got '00:60'");
	check_value_error("DEFACTN NAME A1 COMMAND x", "DELAY", "1:30",
	    "DEFACTN A1", "DELAY", "expected mm:ss (minutes and seconds, for"
	    " example 00:30; at most 366 days), got '1:30'");
	check_value_error("DEFACTN NAME A1 COMMAND x", "MAXCONC", "1001",
	    "DEFACTN A1", "MAXCONC", "expected a number from 0 to 1000, got"
	    " '1001'");
	check_value_error("DEFACTN NAME A1 COMMAND x", "ONFAIL", "MAYBE",
	    "DEFACTN A1", "ONFAIL", "expected STOP or CONTINUE, got 'MAYBE'");
	check_value_error("DEFACTN NAME A1", "COMMAND", "'echo \"abc'",
	    "DEFACTN A1", "COMMAND", "the double quote at offset 6 of the"
	    " command is not closed");
	check_value_error("DEFACTN NAME A1", "COMMAND", "'   '",
	    "DEFACTN A1", "COMMAND", "the command is empty");
	tu_check_errors("DEFACTN NAME null COMMAND x\n",
	    "t.rules:1:14: error: DEFACTN NULL NAME: NULL is the built-in"
	    " action that does nothing; it cannot be redefined");
	check_value_error("DEFACTN NAME A1 COMMAND x", "NEXTACTN", "'A 1'",
	    "DEFACTN A1", "NEXTACTN", "name 'A 1' has ' '; names are made of"
	    " letters, digits and $#@_-");
}
END_TEST

/* --- DEFSCHD --------------------------------------------------------- */

START_TEST(test_schedule_operands)
{
	struct ruleset		*rs;
	const struct schedule	*s;

	rs = tu_load_ok("DEFSCHD NAME S1 WHEN THU-13:15 ACTION NULL +\n"
	    "  PARM 'p q' +\n"
	    "  ENV SVM DAYS *******- HOURS 6-22 CATCHUP YES TZ UTC +\n"
	    "  LIMIT 2,1h\n"
	    "DEFSCHD NAME S2 EVERY 01:30 ACTION NULL\n");
	s = FIND(rs, DEF_SCHEDULE, schedule, "S1");
	ck_assert_int_eq(s->when.kind, WHEN_WEEKLY);
	ck_assert_uint_eq(s->when.dow, DOW_THU);
	ck_assert_uint_eq(s->when.hour, 13);
	ck_assert_uint_eq(s->when.minute, 15);
	ck_assert_uint_eq(s->every, 0);
	ck_assert_str_eq(s->action, "NULL");
	ck_assert_str_eq(s->parm, "p q");
	ck_assert_str_eq(s->env.env, "SVM");
	ck_assert_uint_eq(s->days, 0x7f);
	ck_assert_uint_eq(s->hours, 0x7fffc0);
	ck_assert(s->catchup);
	ck_assert_str_eq(s->tz, "UTC");
	check_limit(&s->limit, 2, 3600, NULL);

	s = FIND(rs, DEF_SCHEDULE, schedule, "S2");
	ck_assert_int_eq(s->when.kind, WHEN_NONE);
	ck_assert_uint_eq(s->every, 5400);
	ck_assert(!s->catchup);
	ck_assert_ptr_null(s->tz);
	ck_assert_ptr_null(s->env.env);
	ck_assert_uint_eq(s->days, ALL_DAYS);
	ck_assert_uint_eq(s->hours, ALL_HOURS);
	check_limit(&s->limit, 0, 0, NULL);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_schedule_when_forms)
{
	struct ruleset		*rs;
	const struct schedule	*s;

	rs = tu_load_ok("DEFSCHD NAME H WHEN 05 ACTION NULL\n"
	    "DEFSCHD NAME D WHEN 23:59 ACTION NULL\n"
	    "DEFSCHD NAME M WHEN 15-10:00 ACTION NULL\n"
	    "DEFSCHD NAME E WHEN em-23:00 ACTION NULL\n"
	    "DEFSCHD NAME N WHEN LSTFRI-22:00 ACTION NULL\n"
	    "DEFSCHD NAME Y WHEN 12/31-23:59 ACTION NULL\n"
	    "DEFSCHD NAME I WHEN IEV-5-18:00 ACTION NULL\n"
	    "DEFSCHD NAME O WHEN NOW+00:30 ACTION NULL\n");
	s = FIND(rs, DEF_SCHEDULE, schedule, "H");
	ck_assert_int_eq(s->when.kind, WHEN_HOURLY);
	ck_assert_uint_eq(s->when.minute, 5);
	s = FIND(rs, DEF_SCHEDULE, schedule, "D");
	ck_assert_int_eq(s->when.kind, WHEN_DAILY);
	ck_assert_uint_eq(s->when.hour, 23);
	ck_assert_uint_eq(s->when.minute, 59);
	s = FIND(rs, DEF_SCHEDULE, schedule, "M");
	ck_assert_int_eq(s->when.kind, WHEN_MONTHLY);
	ck_assert_uint_eq(s->when.mday, 15);
	ck_assert_uint_eq(s->when.hour, 10);
	s = FIND(rs, DEF_SCHEDULE, schedule, "E");
	ck_assert_int_eq(s->when.kind, WHEN_MONTH_END);
	ck_assert_uint_eq(s->when.hour, 23);
	s = FIND(rs, DEF_SCHEDULE, schedule, "N");
	ck_assert_int_eq(s->when.kind, WHEN_NTH_WEEKDAY);
	ck_assert_uint_eq(s->when.nth, 0);
	ck_assert_uint_eq(s->when.dow, DOW_FRI);
	ck_assert_uint_eq(s->when.hour, 22);
	s = FIND(rs, DEF_SCHEDULE, schedule, "Y");
	ck_assert_int_eq(s->when.kind, WHEN_YEARLY);
	ck_assert_uint_eq(s->when.month, 12);
	ck_assert_uint_eq(s->when.mday, 31);
	s = FIND(rs, DEF_SCHEDULE, schedule, "I");
	ck_assert_int_eq(s->when.kind, WHEN_ISO_WEEK);
	ck_assert_uint_eq(s->when.week_sel, WEEK_EVEN);
	ck_assert_uint_eq(s->when.isoday, 5);
	s = FIND(rs, DEF_SCHEDULE, schedule, "O");
	ck_assert_int_eq(s->when.kind, WHEN_ONCE_AFTER);
	ck_assert_uint_eq(s->when.after, 1800);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_schedule_errors)
{
	tu_check_errors("DEFSCHD NAME S1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFSCHD S1: one of WHEN or EVERY is"
	    " required");
	tu_check_errors("DEFSCHD NAME S1 WHEN 05 EVERY 00:10 ACTION NULL\n",
	    "t.rules:1:31: error: DEFSCHD S1 EVERY: only one of WHEN or EVERY"
	    " may be given");
	tu_check_errors("DEFSCHD NAME S1 WHEN 05\n",
	    "t.rules:1:1: error: DEFSCHD S1: ACTION is required");
	check_value_error("DEFSCHD NAME S1 ACTION NULL", "EVERY", "00:00",
	    "DEFSCHD S1", "EVERY", "expected hh:mm, an interval from 00:01"
	    " to 8784:00 (366 days; minutes 00-59), got '00:00'");
	check_value_error("DEFSCHD NAME S1 ACTION NULL", "EVERY", "1:30",
	    "DEFSCHD S1", "EVERY", "expected hh:mm, an interval from 00:01"
	    " to 8784:00 (366 days; minutes 00-59), got '1:30'");
	check_value_error("DEFSCHD NAME S1 ACTION NULL", "WHEN", "24:00",
	    "DEFSCHD S1", "WHEN", "expected hh:mm with hh 00-23 and mm 00-59,"
	    " got '24:00'");
	check_value_error("DEFSCHD NAME S1 ACTION NULL WHEN 05", "TZ", "../x",
	    "DEFSCHD S1", "TZ", "expected a time zone name such as"
	    " Europe/Berlin or UTC, got '../x'");
	check_value_error("DEFSCHD NAME S1 ACTION NULL WHEN 05", "CATCHUP",
	    "SOMETIMES", "DEFSCHD S1", "CATCHUP", "expected YES or NO, got"
	    " 'SOMETIMES'");
}
END_TEST

START_TEST(test_schedule_tz_database)
{
	char		 dir[] = "/tmp/vigil-tz-XXXXXX", *path, *want, *old;
	struct ruleset	*rs;
	FILE		*f;

	/* A private zoneinfo directory makes the check deterministic. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	xasprintf(&path, "%s/Test", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	xasprintf(&path, "%s/Test/Zone", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	old = getenv("TZDIR") != NULL ? xstrdup(getenv("TZDIR")) : NULL;
	setenv("TZDIR", dir, 1);

	rs = tu_load_ok("DEFSCHD NAME S1 WHEN 05 ACTION NULL TZ Test/Zone\n");
	ck_assert_str_eq(((const struct schedule *)tu_find(rs, DEF_SCHEDULE,
	    "S1"))->tz, "Test/Zone");
	ruleset_free(rs);
	xasprintf(&want, "t.rules:1:40: error: DEFSCHD S1 TZ: unknown time"
	    " zone 'Test/Nope' (there is no %s/Test/Nope)", dir);
	tu_check_errors("DEFSCHD NAME S1 WHEN 05 ACTION NULL TZ Test/Nope\n",
	    want);
	free(want);
	/* A directory is not a zone. */
	xasprintf(&want, "t.rules:1:40: error: DEFSCHD S1 TZ: unknown time"
	    " zone 'Test' (there is no %s/Test)", dir);
	tu_check_errors("DEFSCHD NAME S1 WHEN 05 ACTION NULL TZ Test\n", want);
	free(want);

	if (old != NULL)
		setenv("TZDIR", old, 1);
	else
		unsetenv("TZDIR");
	free(old);
	ck_assert_int_eq(unlink(path), 0);
	free(path);
	xasprintf(&path, "%s/Test", dir);
	ck_assert_int_eq(rmdir(path), 0);
	free(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* --- DEFGROUP -------------------------------------------------------- */

START_TEST(test_group_members)
{
	struct ruleset		*rs;
	const struct group	*g;

	rs = tu_load_ok("DEFGROUP NAME G1 USER OP1,LNX*\n"
	    "DEFGROUP NAME G2 MEMBER X\n"
	    "DEFGROUP NAME G1 MEMBER SUSE%%\n"
	    "defgroup name g1 user rhel*,Y\n");
	/* Repetition adds to the first definition. */
	ck_assert_uint_eq(ruleset_count(rs, DEF_GROUP), 2);
	ck_assert_uint_eq(ruleset_size(rs), 2);
	g = FIND(rs, DEF_GROUP, group, "G1");
	check_list(&g->members, "OP1,LNX*,SUSE%%,rhel*,Y");
	ck_assert_uint_eq(g->def.loc.line, 1);
	ck_assert_ptr_eq(ruleset_get(rs, DEF_GROUP, 0), &g->def);
	g = FIND(rs, DEF_GROUP, group, "G2");
	check_list(&g->members, "X");
	ck_assert(tu_is_set(&g->def, "USER"));
	ck_assert(tu_is_set(&g->def, "MEMBER"));
	ruleset_free(rs);
}
END_TEST

START_TEST(test_group_errors)
{
	tu_check_errors("DEFGROUP NAME G1\n",
	    "t.rules:1:1: error: DEFGROUP G1: USER is required");
	tu_check_errors("DEFGROUP NAME G1 USER A MEMBER B\n",
	    "t.rules:1:25: error: DEFGROUP G1 MEMBER: the same operand as USER,"
	    " which is already given (its value is at line 1, column 23)");
	check_value_error("DEFGROUP NAME G1", "USER", "A,,B", "DEFGROUP G1",
	    "USER", "expected a comma-separated list of names (wildcards *"
	    " and % allowed), got 'A,,B'");
	/* Errors name the operand as the table does, not the synonym. */
	check_value_error("DEFGROUP NAME G1", "MEMBER", "'A, B'",
	    "DEFGROUP G1", "USER", "expected a comma-separated list of names"
	    " (wildcards * and % allowed), got 'A, B'");
	/* Not repeatable: views clash. */
	tu_check_errors("DEFVIEW NAME V1 USER A\nDEFVIEW NAME V1 USER B\n",
	    "t.rules:2:1: error: DEFVIEW V1: view V1 is already defined at"
	    " t.rules:1:1; a name may be defined once");
}
END_TEST

/* --- DEFDATE --------------------------------------------------------- */

START_TEST(test_date_dates)
{
	struct ruleset		*rs;
	const struct date	*d;

	rs = tu_load_ok("DEFDATE NAME H DATE 12/25,2026/01/01-2026/01/02 +\n"
	    "  DESC 'fixed ones'\n"
	    "DEFDATE NAME H DATE 07/04 DESC 'other'\n"
	    "DEFDATE NAME X DATE 01/01\n"
	    "DEFDATE NAME X DATE 05/01 DESC 'late'\n");
	ck_assert_uint_eq(ruleset_count(rs, DEF_DATE), 2);
	d = FIND(rs, DEF_DATE, date, "H");
	ck_assert_uint_eq(d->dates.n, 3);
	check_date(&d->dates.v[0], 0, 12, 25, 0, 12, 25);
	check_date(&d->dates.v[1], 2026, 1, 1, 2026, 1, 2);
	check_date(&d->dates.v[2], 0, 7, 4, 0, 7, 4);
	/* The first description stays. */
	ck_assert_str_eq(d->desc, "fixed ones");
	ck_assert(calendar_contains(&d->dates, 2030, 7, 4));
	d = FIND(rs, DEF_DATE, date, "X");
	ck_assert_uint_eq(d->dates.n, 2);
	check_date(&d->dates.v[1], 0, 5, 1, 0, 5, 1);
	/* A later description fills in a missing one. */
	ck_assert_str_eq(d->desc, "late");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_date_errors)
{
	tu_check_errors("DEFDATE NAME H\n",
	    "t.rules:1:1: error: DEFDATE H: DATE is required");
	tu_check_errors("DEFDATE NAME H DESC x\n",
	    "t.rules:1:1: error: DEFDATE H: DATE is required");
	check_value_error("DEFDATE NAME H", "DATE", "02/30", "DEFDATE H",
	    "DATE", "expected a day 01-29 for February, got '02/30'");
}
END_TEST

/* --- DEFEMON --------------------------------------------------------- */

START_TEST(test_emon_operands)
{
	struct ruleset		*rs;
	const struct emon	*e;

	rs = tu_load_ok("DEFEMON NAME E1 CLASS 0,2 TYPE 1 USER TCPIP +\n"
	    "  SOURCE OPER* ACTION NULL PARM x ENV SVM DAYS *******- +\n"
	    "  HOURS 0-5 LIMIT 1,30\n"
	    "DEFEMON NAME E2 EVENT SOURCE_EOF,logon,SOURCE_* ACTION NULL\n"
	    "DEFEMON NAME E3 ACTION NULL\n");
	e = FIND(rs, DEF_EMON, emon, "E1");
	check_classes(&e->classes, "0,2");
	check_classes(&e->types, "1");
	ck_assert_uint_eq(e->events.n, 0);
	ck_assert_str_eq(e->user, "TCPIP");
	ck_assert_str_eq(e->source, "OPER*");
	ck_assert_str_eq(e->action, "NULL");
	ck_assert_str_eq(e->parm, "x");
	ck_assert_str_eq(e->env.env, "SVM");
	ck_assert_uint_eq(e->days, 0x7f);
	ck_assert_uint_eq(e->hours, 0x3f);
	check_limit(&e->limit, 1, 1800, NULL);
	e = FIND(rs, DEF_EMON, emon, "E2");
	check_list(&e->events, "SOURCE_EOF,logon,SOURCE_*");
	ck_assert_uint_eq(e->classes.n, 0);
	e = FIND(rs, DEF_EMON, emon, "E3");
	ck_assert_uint_eq(e->days, ALL_DAYS);
	ck_assert_uint_eq(e->hours, ALL_HOURS);
	ck_assert_ptr_null(e->user);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_emon_errors)
{
	tu_check_errors("DEFEMON NAME E1 CLASS 1 EVENT LOGON ACTION NULL\n",
	    "t.rules:1:31: error: DEFEMON E1 EVENT: cannot be combined with"
	    " CLASS");
	tu_check_errors("DEFEMON NAME E1 EVENT LOGON TYPE 1 ACTION NULL\n",
	    "t.rules:1:34: error: DEFEMON E1 TYPE: only one of EVENT or TYPE"
	    " may be given");
	tu_check_errors("DEFEMON NAME E1 EVENT LOGON,SOURCE_EFO ACTION NULL\n",
	    "t.rules:1:23: error: DEFEMON E1 EVENT: unknown event"
	    " 'SOURCE_EFO'; did you mean SOURCE_EOF?");
	tu_check_errors("DEFEMON NAME E1 EVENT FROB ACTION NULL\n",
	    "t.rules:1:23: error: DEFEMON E1 EVENT: unknown event 'FROB'");
	tu_check_errors("DEFEMON NAME E1 CLASS 1\n",
	    "t.rules:1:1: error: DEFEMON E1: ACTION is required");
	check_value_error("DEFEMON NAME E1 ACTION NULL", "CLASS", "256",
	    "DEFEMON E1", "CLASS", "expected a list of values 0 to 255"
	    " (n,n,... or n-m), got '256' in '256'");
}
END_TEST

/* --- DEFIMON --------------------------------------------------------- */

static const char imon_targets_text[] =
    "DEFRULE NAME R1 MATCH x ACTION NULL\n"
    "DEFSCHD NAME S1 EVERY 00:10 ACTION NULL\n"
    "DEFMMON NAME M1 USER U ACTION NULL\n"
    "DEFSMON NAME SP1 USAGE 050-100 ACTION NULL\n"
    "DEFPMON NAME PG1 USAGE 050-100 ACTION NULL\n"
    "DEFEMON NAME E1 ACTION NULL\n"
    "DEFSRC NAME SRC1 TYPE STDIN\n"
    "DEFIMON NAME I0 RULE R1 OCCUR 1,5 ACTION NULL\n"
    "DEFIMON NAME T0 RULE R1 OCCUR 2,15 ACTION NULL\n"
    "DEFIMON NAME T1 SCHEDULE S1 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T2 MACHINE M1 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T3 SPOOL SP1 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T4 PAGE PG1 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T5 EVENT E1 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T6 IDLE I0 OCCUR 1,1 ACTION NULL\n"
    "DEFIMON NAME T7 SOURCE SRC1 OCCUR 1,1 ACTION NULL\n";

START_TEST(test_imon_targets)
{
	static const char *const want[8] = {
		"R1", "S1", "M1", "SP1", "PG1", "E1", "I0", "SRC1"
	};
	struct ruleset		*rs;
	const struct imon	*im;
	char			 name[8];
	int			 t, k;

	rs = tu_load_ok(imon_targets_text);
	for (t = IMON_RULE; t <= IMON_SOURCE; t++) {
		snprintf(name, sizeof name, "T%d", t);
		im = FIND(rs, DEF_IMON, imon, name);
		for (k = IMON_RULE; k <= IMON_SOURCE; k++) {
			if (k == t)
				ck_assert_str_eq(im->target[k], want[t]);
			else
				ck_assert_ptr_null(im->target[k]);
		}
	}
	im = FIND(rs, DEF_IMON, imon, "T0");
	ck_assert_uint_eq(im->occur_count, 2);
	ck_assert_uint_eq(im->occur_interval, 900);
	ck_assert_uint_eq(im->days, ALL_DAYS);
	ck_assert_uint_eq(im->hours, ALL_HOURS);
	check_limit(&im->limit, 0, 0, NULL);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_imon_errors)
{
	tu_check_errors("DEFIMON NAME I1 OCCUR 1,5 ACTION NULL\n",
	    "t.rules:1:1: error: DEFIMON I1: one of RULE, SCHEDULE, MACHINE,"
	    " SPOOL, PAGE, EVENT, IDLE or SOURCE is required");
	tu_check_errors("DEFIMON NAME I1 RULE R1 SCHEDULE S1 OCCUR 1,5 ACTION"
	    " NULL\n",
	    "t.rules:1:34: error: DEFIMON I1 SCHEDULE: only one of RULE,"
	    " SCHEDULE, MACHINE, SPOOL, PAGE, EVENT, IDLE or SOURCE may be"
	    " given");
	tu_check_errors("DEFIMON NAME I1 RULE R1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFIMON I1: OCCUR is required");
	check_value_error("DEFIMON NAME I1 RULE R1 ACTION NULL", "OCCUR", "0,5",
	    "DEFIMON I1", "OCCUR", "expected count,interval: a count of 1 to"
	    " 999999 and an interval in minutes (or with a suffix s, m, h),"
	    " got '0,5'");
	check_value_error("DEFIMON NAME I1 RULE R1 ACTION NULL", "OCCUR",
	    "1,30x", "DEFIMON I1", "OCCUR", "expected count,interval: a count"
	    " of 1 to 999999 and an interval in minutes (or with a suffix s, m,"
	    " h), got '1,30x'");
	check_value_error("DEFIMON NAME I1 RULE R1 ACTION NULL", "OCCUR",
	    "1,2,3", "DEFIMON I1", "OCCUR", "expected count,interval: a count"
	    " of 1 to 999999 and an interval in minutes (or with a suffix s, m,"
	    " h), got '1,2,3'");
	tu_check_errors("DEFIMON NAME I1 IDLE I1 OCCUR 1,5 ACTION NULL\n",
	    "t.rules:1:22: error: DEFIMON I1 IDLE: an idle monitor cannot watch"
	    " itself");
	tu_check_errors("DEFIMON NAME I1 RULE R9 OCCUR 1,5 ACTION NULL\n",
	    "t.rules:1:22: error: DEFIMON I1 RULE: rule R9 is not defined");
}
END_TEST

/* --- DEFMMON --------------------------------------------------------- */

START_TEST(test_mmon_operands)
{
	struct ruleset		*rs;
	const struct mmon	*m;

	rs = tu_load_ok("DEFMMON NAME M1 USER RACFVM INTERVAL 2 DELAY 5 +\n"
	    "  PROBE 'vmcp q names' EXTRACT '(\\w+)' ACTION NULL PARM x\n"
	    "DEFMMON NAME M2 USER TCPIP INTERVAL 30s ACTION NULL\n"
	    "DEFMMON NAME M3 USER X ACTION NULL\n");
	m = FIND(rs, DEF_MMON, mmon, "M1");
	ck_assert_str_eq(m->user, "RACFVM");
	ck_assert_uint_eq(m->interval, 120);
	ck_assert_uint_eq(m->delay, 300);
	ck_assert_str_eq(m->probe, "vmcp q names");
	ck_assert_str_eq(m->extract, "(\\w+)");
	ck_assert_str_eq(m->parm, "x");
	m = FIND(rs, DEF_MMON, mmon, "M2");
	ck_assert_uint_eq(m->interval, 30);
	m = FIND(rs, DEF_MMON, mmon, "M3");
	ck_assert_uint_eq(m->interval, 60);
	ck_assert_uint_eq(m->delay, 0);
	ck_assert_ptr_null(m->probe);
	ck_assert_uint_eq(m->days, ALL_DAYS);
	ck_assert_uint_eq(m->hours, ALL_HOURS);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_mmon_errors)
{
	tu_check_errors("DEFMMON NAME M1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFMMON M1: USER is required");
	check_value_error("DEFMMON NAME M1 ACTION NULL", "USER", "'a b'",
	    "DEFMMON M1", "USER", "expected a single word, got 'a b'");
	check_value_error("DEFMMON NAME M1 USER X ACTION NULL", "INTERVAL",
	    "0", "DEFMMON M1", "INTERVAL", "expected a duration: minutes, or"
	    " a number with a suffix s, m, h or d (for example 30s, 5m, 2h),"
	    " not zero and at most 366 days, got '0'");
	check_value_error("DEFMMON NAME M1 USER X ACTION NULL", "DELAY",
	    "5x", "DEFMMON M1", "DELAY", "expected a duration: minutes, or a"
	    " number with a suffix s, m, h or d (for example 30s, 5m, 2h), at"
	    " most 366 days, got '5x'");
	check_value_error("DEFMMON NAME M1 USER X ACTION NULL", "PROBE",
	    "'\"x'", "DEFMMON M1", "PROBE", "the double quote at offset 1 of"
	    " the command is not closed");
}
END_TEST

/* --- DEFSMON / DEFPMON ----------------------------------------------- */

START_TEST(test_umon_operands)
{
	struct ruleset		*rs;
	const struct umon	*u;

	rs = tu_load_ok("DEFSMON NAME S1 USAGE 085-100 INTERVAL 10 +\n"
	    "  ACTION NULL LIMIT 1,30\n"
	    "DEFPMON NAME S1 INCREASE 010-100 USAGE 000-090 +\n"
	    "  PROBE 'vmcp q alloc page' EXTRACT '(\\d+)%' ACTION NULL\n");
	ck_assert_uint_eq(ruleset_count(rs, DEF_SMON), 1);
	ck_assert_uint_eq(ruleset_count(rs, DEF_PMON), 1);
	u = FIND(rs, DEF_SMON, umon, "S1");
	ck_assert_int_eq(u->def.kind, DEF_SMON);
	ck_assert_uint_eq(u->usage.low, 85);
	ck_assert_uint_eq(u->usage.high, 100);
	ck_assert_uint_eq(u->increase.low, 0);
	ck_assert_uint_eq(u->increase.high, 0);
	ck_assert(!tu_is_set(&u->def, "INCREASE"));
	ck_assert_uint_eq(u->interval, 600);
	check_limit(&u->limit, 1, 1800, NULL);
	u = FIND(rs, DEF_PMON, umon, "S1");
	ck_assert_int_eq(u->def.kind, DEF_PMON);
	ck_assert_uint_eq(u->increase.low, 10);
	ck_assert_uint_eq(u->increase.high, 100);
	ck_assert_uint_eq(u->usage.low, 0);
	ck_assert_uint_eq(u->usage.high, 90);
	ck_assert_uint_eq(u->interval, 60);
	ck_assert_str_eq(u->probe, "vmcp q alloc page");
	ck_assert_str_eq(u->extract, "(\\d+)%");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_umon_errors)
{
	tu_check_errors("DEFSMON NAME S1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFSMON S1: one of USAGE or INCREASE is"
	    " required");
	tu_check_errors("DEFPMON NAME P1 ACTION NULL\n",
	    "t.rules:1:1: error: DEFPMON P1: one of USAGE or INCREASE is"
	    " required");
	check_value_error("DEFSMON NAME S1 ACTION NULL", "USAGE", "100-085",
	    "DEFSMON S1", "USAGE", "expected lll-hhh, two percentages of"
	    " three digits from 000 to 100 with lll <= hhh (for example"
	    " 085-100), got '100-085'");
	check_value_error("DEFSMON NAME S1 ACTION NULL", "USAGE", "85-100",
	    "DEFSMON S1", "USAGE", "expected lll-hhh, two percentages of"
	    " three digits from 000 to 100 with lll <= hhh (for example"
	    " 085-100), got '85-100'");
	check_value_error("DEFPMON NAME P1 ACTION NULL", "INCREASE",
	    "050-101", "DEFPMON P1", "INCREASE", "expected lll-hhh, two"
	    " percentages of three digits from 000 to 100 with lll <= hhh (for"
	    " example 085-100), got '050-101'");
}
END_TEST

/* --- DEFVIEW --------------------------------------------------------- */

START_TEST(test_view_operands)
{
	struct ruleset		*rs;
	const struct view	*v;

	rs = tu_load_ok("DEFVIEW NAME V1 USER LNX*,SUSE% SOURCE S1,SYSLOG\n"
	    "DEFVIEW NAME V2 SOURCE OPERATOR\n");
	v = FIND(rs, DEF_VIEW, view, "V1");
	check_list(&v->users, "LNX*,SUSE%");
	check_list(&v->sources, "S1,SYSLOG");
	v = FIND(rs, DEF_VIEW, view, "V2");
	ck_assert_uint_eq(v->users.n, 0);
	check_list(&v->sources, "OPERATOR");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_view_errors)
{
	tu_check_errors("DEFVIEW NAME V1\n",
	    "t.rules:1:1: error: DEFVIEW V1: one of USER or SOURCE is"
	    " required");
	check_value_error("DEFVIEW NAME V1", "SOURCE", "'A,'", "DEFVIEW V1",
	    "SOURCE", "expected a comma-separated list of names (wildcards *"
	    " and % allowed), got 'A,'");
}
END_TEST

/* --- DEFSRC ---------------------------------------------------------- */

START_TEST(test_source_operands)
{
	struct ruleset		*rs;
	const struct source	*s;

	rs = tu_load_ok("DEFSRC NAME S1 TYPE FILE PATH /var/log/x +\n"
	    "  FORMAT ZVM +\n"
	    "  USER OP SYSTEM ZVM1 ENCODING IBM-1047\n"
	    "DEFSRC NAME S2 TYPE syslog ADDRESS 0.0.0.0:514 PROTO UDP\n"
	    "DEFSRC NAME S3 TYPE TCP ADDRESS [::1]:6514 PROTO TCP +\n"
	    "  FORMAT hercules\n"
	    "DEFSRC NAME S4 TYPE STDIN\n"
	    "DEFSRC NAME S5 TYPE PTY PROGRAM 'hercules -f x.cnf'\n"
	    "DEFSRC NAME S6 TYPE UNIX PATH rel/sock\n");
	s = FIND(rs, DEF_SOURCE, source, "S1");
	ck_assert_int_eq(s->type, SRC_FILE);
	ck_assert_str_eq(s->path, "/var/log/x");
	ck_assert_int_eq(s->format, FMT_ZVM);
	ck_assert_str_eq(s->user, "OP");
	ck_assert_str_eq(s->system, "ZVM1");
	ck_assert_str_eq(s->encoding, "IBM-1047");
	ck_assert_ptr_null(s->address.host);
	s = FIND(rs, DEF_SOURCE, source, "S2");
	ck_assert_int_eq(s->type, SRC_SYSLOG);
	ck_assert_str_eq(s->address.host, "0.0.0.0");
	ck_assert_uint_eq(s->address.port, 514);
	ck_assert_int_eq(s->proto, 0);
	s = FIND(rs, DEF_SOURCE, source, "S3");
	ck_assert_int_eq(s->type, SRC_TCP);
	ck_assert_str_eq(s->address.host, "::1");
	ck_assert_uint_eq(s->address.port, 6514);
	ck_assert_int_eq(s->proto, 1);
	ck_assert_int_eq(s->format, FMT_HERCULES);
	s = FIND(rs, DEF_SOURCE, source, "S4");
	ck_assert_int_eq(s->type, SRC_STDIN);
	ck_assert_int_eq(s->format, FMT_AUTO);
	ck_assert_str_eq(s->encoding, "UTF-8");
	ck_assert_ptr_null(s->path);
	ck_assert_ptr_null(s->program);
	s = FIND(rs, DEF_SOURCE, source, "S5");
	ck_assert_int_eq(s->type, SRC_PTY);
	ck_assert_str_eq(s->program, "hercules -f x.cnf");
	s = FIND(rs, DEF_SOURCE, source, "S6");
	ck_assert_int_eq(s->type, SRC_UNIX);
	/* From memory there is no directory to resolve against. */
	ck_assert_str_eq(s->path, "rel/sock");
	ruleset_free(rs);
}
END_TEST

static const struct {
	const char	*type;
	const char	*extra;
	int		 want;
} source_types[] = {
	{ "STDIN", "", SRC_STDIN },
	{ "FILE", "PATH /x", SRC_FILE },
	{ "FIFO", "PATH /x", SRC_FIFO },
	{ "UNIX", "PATH /x", SRC_UNIX },
	{ "UNIXDGRAM", "PATH /x", SRC_UNIXDGRAM },
	{ "SYSLOG", "ADDRESS h:1", SRC_SYSLOG },
	{ "TCP", "ADDRESS h:1", SRC_TCP },
	{ "PTY", "PROGRAM x", SRC_PTY },
};

START_TEST(test_source_types)
{
	struct ruleset		*rs;
	const struct source	*s;
	char			*text;

	xasprintf(&text, "DEFSRC NAME S1 TYPE %s %s\n", source_types[_i].type,
	    source_types[_i].extra);
	rs = tu_load_ok(text);
	s = FIND(rs, DEF_SOURCE, source, "S1");
	ck_assert_int_eq(s->type, source_types[_i].want);
	ruleset_free(rs);
	free(text);
}
END_TEST

START_TEST(test_source_errors)
{
	tu_check_errors("DEFSRC NAME S1\n",
	    "t.rules:1:1: error: DEFSRC S1: TYPE is required");
	tu_check_errors("DEFSRC NAME S1 TYPE FILE\n",
	    "t.rules:1:21: error: DEFSRC S1 TYPE: a FILE source needs PATH");
	tu_check_errors("DEFSRC NAME S1 TYPE TCP\n",
	    "t.rules:1:21: error: DEFSRC S1 TYPE: a TCP source needs ADDRESS");
	tu_check_errors("DEFSRC NAME S1 TYPE PTY\n",
	    "t.rules:1:21: error: DEFSRC S1 TYPE: a PTY source needs PROGRAM");
	tu_check_errors("DEFSRC NAME S1 TYPE STDIN PATH /x\n",
	    "t.rules:1:32: error: DEFSRC S1 PATH: not valid for a STDIN"
	    " source");
	tu_check_errors("DEFSRC NAME S1 TYPE FILE PATH /x ADDRESS h:1\n",
	    "t.rules:1:42: error: DEFSRC S1 ADDRESS: not valid for a FILE"
	    " source");
	tu_check_errors("DEFSRC NAME S1 TYPE TCP ADDRESS h:1 PROTO UDP\n",
	    "t.rules:1:43: error: DEFSRC S1 PROTO: a TCP source is always"
	    " TCP");
	tu_check_errors("DEFSRC NAME S1 TYPE STDIN PROTO UDP\n",
	    "t.rules:1:33: error: DEFSRC S1 PROTO: only valid together with"
	    " ADDRESS");
	check_value_error("DEFSRC NAME S1", "TYPE", "SOCKET", "DEFSRC S1",
	    "TYPE", "expected STDIN, FILE, FIFO, UNIX, UNIXDGRAM, SYSLOG, TCP"
	    " or PTY, got 'SOCKET'");
	check_value_error("DEFSRC NAME S1 TYPE STDIN", "ENCODING", "NOPE-42",
	    "DEFSRC S1", "ENCODING", "unknown encoding 'NOPE-42' (see 'iconv"
	    " -l' for the names this system knows)");
	check_value_error("DEFSRC NAME S1 TYPE TCP", "ADDRESS", "host",
	    "DEFSRC S1", "ADDRESS", "expected host:port or [ipv6]:port with a"
	    " port of 1 to 65535, got 'host'");
	check_value_error("DEFSRC NAME S1 TYPE TCP", "ADDRESS", "h:0",
	    "DEFSRC S1", "ADDRESS", "expected host:port or [ipv6]:port with a"
	    " port of 1 to 65535, got 'h:0'");
	check_value_error("DEFSRC NAME S1 TYPE TCP", "ADDRESS", "h:65536",
	    "DEFSRC S1", "ADDRESS", "expected host:port or [ipv6]:port with a"
	    " port of 1 to 65535, got 'h:65536'");
	check_value_error("DEFSRC NAME S1 TYPE TCP", "ADDRESS", "[::1:80",
	    "DEFSRC S1", "ADDRESS", "expected host:port or [ipv6]:port with a"
	    " port of 1 to 65535, got '[::1:80'");
	check_value_error("DEFSRC NAME S1 TYPE TCP", "ADDRESS", "fe80::1:514",
	    "DEFSRC S1", "ADDRESS", "an IPv6 address is written in brackets,"
	    " as [fe80::1]:514, got 'fe80::1:514'");
	check_value_error("DEFSRC NAME S1 TYPE STDIN", "USER", "'a b'",
	    "DEFSRC S1", "USER", "expected a single word, got 'a b'");
}
END_TEST

/* --- DEFENV ---------------------------------------------------------- */

START_TEST(test_env_operands)
{
	struct ruleset		*rs;
	const struct env	*e;

	rs = tu_load_ok("DEFENV NAME E1 TYPE SHELL PREFIX 'ssh -o x host'\n"
	    "DEFSRC NAME S1 TYPE STDIN\n"
	    "DEFENV NAME E2 TYPE SOURCE SOURCE s1\n"
	    "DEFENV NAME E3\n"
	    "DEFENV NAME E4 TYPE vigil\n"
	    "DEFENV NAME LVM PREFIX vmcp\n");
	e = FIND(rs, DEF_ENV, env, "E1");
	ck_assert_int_eq(e->type, ENVT_SHELL);
	ck_assert_str_eq(e->prefix, "ssh -o x host");
	ck_assert_ptr_null(e->source);
	e = FIND(rs, DEF_ENV, env, "E2");
	ck_assert_int_eq(e->type, ENVT_SOURCE);
	ck_assert_str_eq(e->source, "S1");
	e = FIND(rs, DEF_ENV, env, "E3");
	ck_assert_int_eq(e->type, ENVT_EXEC);
	ck_assert_ptr_null(e->prefix);
	e = FIND(rs, DEF_ENV, env, "E4");
	ck_assert_int_eq(e->type, ENVT_VIGIL);
	/* A built-in environment may be redefined. */
	e = FIND(rs, DEF_ENV, env, "LVM");
	ck_assert_str_eq(e->prefix, "vmcp");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_env_errors)
{
	tu_check_errors("DEFENV NAME E1 SOURCE STDIN\n",
	    "t.rules:1:23: error: DEFENV E1 SOURCE: only valid with TYPE"
	    " SOURCE");
	tu_check_errors("DEFENV NAME E1 TYPE SOURCE SOURCE S9\n",
	    "t.rules:1:35: error: DEFENV E1 SOURCE: source S9 is not"
	    " defined");
	check_value_error("DEFENV NAME E1", "TYPE", "REXX", "DEFENV E1",
	    "TYPE", "expected EXEC, SHELL, SOURCE or VIGIL, got 'REXX'");
	check_value_error("DEFENV NAME E1", "PREFIX", "'\"'", "DEFENV E1",
	    "PREFIX", "the double quote at offset 1 of the command is not"
	    " closed");
}
END_TEST

/* --- AUTH ------------------------------------------------------------ */

START_TEST(test_auth_levels)
{
	struct ruleset		*rs;
	const struct auth	*a;
	size_t			 i;
	static const int	 want[] = {
		AUTH_VIEW, AUTH_OPERATE, AUTH_CONFIG, AUTH_ADMIN, AUTH_ADMIN,
		AUTH_VIEW, AUTH_OPERATE, AUTH_VIEW
	};

	rs = tu_load_ok("AUTH USER bob VIEW\n"
	    "AUTH GROUP ops operate ACTION RESTART*\n"
	    "AUTH USER 1000 CONFIG\n"
	    "AUTH USER root ADMIN\n"
	    "AUTH USER x LEVEL admin\n"
	    "AUTH GROUP y LEVEL VIEW SOURCE S*\n"
	    /* The reference's CONSOLE form defaults to OPERATE. */
	    "AUTH USER maint CONSOLE *\n"
	    "AUTH USER z VIEW CONSOLE OP*\n");
	ck_assert_uint_eq(ruleset_count(rs, DEF_AUTH), nitems(want));
	for (i = 0; i < nitems(want); i++) {
		a = (const struct auth *)ruleset_get(rs, DEF_AUTH, i);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_null(a->def.name);
		ck_assert_msg(a->level == want[i], "AUTH %zu: level %d, want"
		    " %d", i, a->level, want[i]);
	}
	a = (const struct auth *)ruleset_get(rs, DEF_AUTH, 0);
	ck_assert_str_eq(a->user, "bob");
	ck_assert_ptr_null(a->group);
	a = (const struct auth *)ruleset_get(rs, DEF_AUTH, 1);
	ck_assert_str_eq(a->group, "ops");
	ck_assert_str_eq(a->action, "RESTART*");
	a = (const struct auth *)ruleset_get(rs, DEF_AUTH, 5);
	ck_assert_str_eq(a->source, "S*");
	a = (const struct auth *)ruleset_get(rs, DEF_AUTH, 6);
	ck_assert_str_eq(a->console, "*");
	ck_assert_ptr_null(ruleset_find(rs, DEF_AUTH, "bob"));
	ruleset_free(rs);
}
END_TEST

START_TEST(test_auth_errors)
{
	tu_check_errors("AUTH USER bob\n",
	    "t.rules:1:1: error: AUTH: a level is required: VIEW, OPERATE,"
	    " CONFIG or ADMIN");
	tu_check_errors("AUTH USER bob GROUP ops VIEW\n",
	    "t.rules:1:21: error: AUTH GROUP: only one of USER or GROUP may be"
	    " given");
	tu_check_errors("AUTH VIEW\n",
	    "t.rules:1:1: error: AUTH: one of USER or GROUP is required");
	tu_check_errors("AUTH USER bob VIEW ADMIN\n",
	    "t.rules:1:20: error: AUTH ADMIN: only one of LEVEL, VIEW, OPERATE,"
	    " CONFIG or ADMIN may be given");
	tu_check_errors("AUTH USER bob LEVEL CONFIG OPERATE\n",
	    "t.rules:1:28: error: AUTH OPERATE: only one of LEVEL, VIEW,"
	    " OPERATE, CONFIG or ADMIN may be given");
	tu_check_errors("AUTH USER bob VIEW CONSOLE * RULE R*\n",
	    "t.rules:1:35: error: AUTH RULE: only one of CONSOLE, ACTION,"
	    " SOURCE or RULE may be given");
	tu_check_errors("AUTH USER bob LEVEL ROOT\n",
	    "t.rules:1:21: error: AUTH LEVEL: expected VIEW, OPERATE, CONFIG or"
	    " ADMIN, got 'ROOT'");
	tu_check_errors("AUTH USER 'a b' VIEW\n",
	    "t.rules:1:11: error: AUTH USER: expected a single word, got"
	    " 'a b'");
	tu_check_errors("AUTH NAME x USER bob VIEW\n",
	    "t.rules:1:6: error: AUTH: unknown operand NAME");
}
END_TEST

/* --- PLUGIN ---------------------------------------------------------- */

/*
 * A readable regular file to name in PLUGIN FILE, made once per test case
 * in the parent process so that it is removed even when a test fails.
 */
static char	 plugin_path[64];

static void
plugin_setup(void)
{
	int	 fd;

	strcpy(plugin_path, "/tmp/vigil-plugin-XXXXXX");
	fd = mkstemp(plugin_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "-- lua\n", 7), 7);
	ck_assert_int_eq(close(fd), 0);
}

static void
plugin_teardown(void)
{
	unlink(plugin_path);
	plugin_path[0] = '\0';
}

START_TEST(test_plugin_operands)
{
	struct ruleset		*rs;
	const struct plugin	*p;
	char			*text;

	xasprintf(&text, "PLUGIN NAME P1 FILE %s CONFIG 'a=b c'\n"
	    "PLUGIN NAME P2 FILE '%s'\n", plugin_path, plugin_path);
	rs = tu_load_ok(text);
	p = FIND(rs, DEF_PLUGIN, plugin, "P1");
	ck_assert_str_eq(p->file, plugin_path);
	ck_assert_str_eq(p->config, "a=b c");
	p = FIND(rs, DEF_PLUGIN, plugin, "P2");
	ck_assert_str_eq(p->file, plugin_path);
	ck_assert_ptr_null(p->config);
	ruleset_free(rs);
	free(text);
}
END_TEST

START_TEST(test_plugin_errors)
{
	tu_check_errors("PLUGIN NAME P1\n",
	    "t.rules:1:1: error: PLUGIN P1: FILE is required");
	tu_check_errors("PLUGIN NAME P1 FILE /nonexistent/x.lua\n",
	    "t.rules:1:21: error: PLUGIN P1 FILE: cannot read the plugin file"
	    " '/nonexistent/x.lua': No such file or directory");
	tu_check_errors("PLUGIN NAME P1 FILE /tmp\n",
	    "t.rules:1:21: error: PLUGIN P1 FILE: '/tmp' is not a regular"
	    " file");
	tu_check_errors("PLUGIN NAME P1 FILE /dev/null\n",
	    "t.rules:1:21: error: PLUGIN P1 FILE: '/dev/null' is not a regular"
	    " file");
}
END_TEST

/* --- DEFOPTN --------------------------------------------------------- */

START_TEST(test_optn_operands)
{
	struct diag		 diag;
	struct ruleset		*rs;
	const struct optn	*o;
	char			*s;

	diag_init(&diag);
	rs = tu_load("DEFOPTN ESM Y AUTHCMD no AUTHEXT 3 ESMCLASS VMCMD +\n"
	    "  ESMPREF OM\n", &diag);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(diag.errors, 0);
	s = tu_diag_string(&diag);
	ck_assert_str_eq(s, "t.rules:1:1: warning: DEFOPTN: Vigil has no"
	    " external security manager; this statement has no effect (grant"
	    " access with AUTH statements)");
	free(s);
	ck_assert_uint_eq(ruleset_count(rs, DEF_OPTION), 1);
	o = (const struct optn *)ruleset_get(rs, DEF_OPTION, 0);
	ck_assert_ptr_null(o->def.name);
	ck_assert(o->esm);
	ck_assert(!o->authcmd);
	ck_assert_uint_eq(o->authext, 3);
	ck_assert_str_eq(o->esmclass, "VMCMD");
	ck_assert_str_eq(o->esmpref, "OM");
	ruleset_free(rs);
	diag_free(&diag);
}
END_TEST

START_TEST(test_optn_errors)
{
	tu_check_errors("DEFOPTN\n",
	    "t.rules:1:1: error: DEFOPTN: one of ESM, AUTHCMD, AUTHEXT,"
	    " ESMCLASS"
	    " or ESMPREF is required");
	tu_check_errors("DEFOPTN AUTHEXT 10\n",
	    "t.rules:1:17: error: DEFOPTN AUTHEXT: expected a number from 0 to"
	    " 9, got '10'");
	tu_check_errors("DEFOPTN ESM maybe\n",
	    "t.rules:1:13: error: DEFOPTN ESM: expected YES or NO, got"
	    " 'maybe'");
}
END_TEST

/* --- the directive table --------------------------------------------- */

/* A minimal valid statement of every directive. */
static const struct {
	const char	*verb;
	const char	*text;
} minimal[] = {
	{ "DEFRULE", "DEFRULE NAME X1 MATCH x ACTION NULL\n" },
	{ "DEFACTN", "DEFACTN NAME X1 COMMAND x\n" },
	{ "DEFSCHD", "DEFSCHD NAME X1 EVERY 00:10 ACTION NULL\n" },
	{ "DEFGROUP", "DEFGROUP NAME X1 USER x\n" },
	{ "DEFDATE", "DEFDATE NAME X1 DATE 12/25\n" },
	{ "DEFEMON", "DEFEMON NAME X1 ACTION NULL\n" },
	{ "DEFIMON", "DEFIMON NAME X1 SOURCE STDIN OCCUR 1,5 ACTION NULL\n" },
	{ "DEFMMON", "DEFMMON NAME X1 USER x ACTION NULL\n" },
	{ "DEFSMON", "DEFSMON NAME X1 USAGE 080-100 ACTION NULL\n" },
	{ "DEFPMON", "DEFPMON NAME X1 INCREASE 010-100 ACTION NULL\n" },
	{ "DEFVIEW", "DEFVIEW NAME X1 USER x\n" },
	{ "DEFSRC", "DEFSRC NAME X1 TYPE STDIN\n" },
	{ "DEFENV", "DEFENV NAME X1\n" },
	{ "AUTH", "AUTH USER x VIEW\n" },
	{ "PLUGIN", NULL },		/* made from plugin_path */
	{ "DEFOPTN", "DEFOPTN ESM N\n" },
};

static bool
has_operand(const struct directive *dir, const char *name)
{
	size_t	 i;

	for (i = 0; i < dir->nops; i++) {
		if (strcmp(dir->ops[i].name, name) == 0)
			return true;
	}
	return false;
}

START_TEST(test_table_walk)
{
	const struct directive	*dir;
	const struct operand	*op;
	bool			 seen[DEF__COUNT] = { false };
	size_t			 i, j, k;
	char			*slot, *cause;

	ck_assert_uint_eq(directive_count(), DEF__COUNT);
	ck_assert_ptr_null(directive_at(directive_count()));
	for (i = 0; i < directive_count(); i++) {
		dir = directive_at(i);
		ck_assert_ptr_nonnull(dir);
		ck_assert_ptr_nonnull(dir->verb);
		ck_assert_int_lt(dir->kind, DEF__COUNT);
		ck_assert_msg(!seen[dir->kind], "%s: kind twice", dir->verb);
		seen[dir->kind] = true;
		ck_assert_ptr_eq(directive_find(dir->verb), dir);
		ck_assert_ptr_eq(directive_of(dir->kind), dir);
		ck_assert_str_eq(def_kind_verb(dir->kind), dir->verb);
		ck_assert_str_ne(def_kind_name(dir->kind), "?");
		ck_assert_msg(dir->summary != NULL && dir->summary[0] != '\0',
		    "%s: no summary", dir->verb);
		ck_assert_uint_ge(dir->size, sizeof(struct def));
		ck_assert_uint_le(dir->nops, OPERANDS_MAX);
		ck_assert_uint_le(dir->nops, 64);
		ck_assert_msg(dir->named == has_operand(dir, "NAME"),
		    "%s: named does not match a NAME operand", dir->verb);
		for (j = 0; j < dir->nops; j++) {
			op = &dir->ops[j];
			ck_assert_msg(op->name != NULL && op->name[0] != '\0',
			    "%s: operand %zu has no name", dir->verb, j);
			ck_assert_msg(op->help != NULL && strncmp(op->help,
			    op->name, strlen(op->name)) == 0,
			    "%s %s: help does not start with the name",
			    dir->verb, op->name);
			ck_assert_int_lt(op->type, V__COUNT);
			ck_assert_uint_le(op->off + 1, dir->size);
			ck_assert_int_ge(directive_operand(dir, op->name), 0);
			if (op->alias != NULL)
				ck_assert_msg(has_operand(dir, op->alias),
				    "%s %s: alias of nothing", dir->verb,
				    op->name);
			if (op->needs != NULL)
				ck_assert(has_operand(dir, op->needs));
			if (op->conflicts != NULL)
				ck_assert(has_operand(dir, op->conflicts));
			if (op->type == V_ENUM || op->type == V_FLAG)
				ck_assert_ptr_nonnull(op->words);
			if (op->type == V_REF)
				ck_assert_int_lt(op->ref, DEF__COUNT);
			for (k = 0; k < j; k++)
				ck_assert_str_ne(dir->ops[k].name, op->name);
			if (op->deflt == NULL)
				continue;
			/* Every default parses (as apply_defaults does). */
			slot = xcalloc(1, dir->size);
			cause = NULL;
			ck_assert_msg(value_parse(op, op->deflt, slot + op->off,
			    NULL, &cause) == 0, "%s %s: default '%s': %s",
			    dir->verb, op->name, op->deflt, cause);
			value_free(op, slot + op->off);
			free(slot);
		}
		for (j = 0; j < dir->nconstraints; j++) {
			for (k = 0; dir->constraints[j].names[k] != NULL; k++)
				ck_assert_msg(has_operand(dir,
				    dir->constraints[j].names[k]),
				    "%s: constraint names %s", dir->verb,
				    dir->constraints[j].names[k]);
			ck_assert_uint_gt(k, 0);
		}
	}
	for (i = 0; i < DEF__COUNT; i++)
		ck_assert_msg(seen[i], "kind %zu has no directive", i);
	ck_assert_ptr_null(directive_find("DEFRUL"));
	ck_assert_ptr_null(directive_find("INCLUDE"));
	ck_assert_ptr_eq(directive_find("defrule"), directive_of(DEF_RULE));
}
END_TEST

START_TEST(test_table_minimal)
{
	const struct directive	*dir = directive_at((size_t)_i);
	const struct operand	*op;
	const struct def	*d;
	struct ruleset		*rs;
	struct strbuf		 got, want;
	char			*slot, *cause = NULL, *text;
	size_t			 i, j;

	for (i = 0; i < nitems(minimal); i++) {
		if (strcmp(minimal[i].verb, dir->verb) == 0)
			break;
	}
	ck_assert_msg(i < nitems(minimal), "no minimal %s statement",
	    dir->verb);
	if (minimal[i].text != NULL)
		text = xstrdup(minimal[i].text);
	else
		xasprintf(&text, "PLUGIN NAME X1 FILE %s\n", plugin_path);
	rs = tu_load_ok(text);
	free(text);
	ck_assert_uint_eq(ruleset_size(rs), 1);
	ck_assert_uint_eq(ruleset_count(rs, dir->kind), 1);
	d = ruleset_at(rs, 0);
	ck_assert_int_eq(d->kind, dir->kind);
	if (dir->named)
		ck_assert_ptr_eq(tu_find(rs, dir->kind, "x1"), d);
	else
		ck_assert_ptr_null(d->name);

	/* Every default not given is stored as if it had been given. */
	strbuf_init(&got);
	strbuf_init(&want);
	for (j = 0; j < dir->nops; j++) {
		op = &dir->ops[j];
		if (op->deflt == NULL || (d->set & (1ull << j)))
			continue;
		slot = xcalloc(1, dir->size);
		ck_assert_int_eq(value_parse(op, op->deflt, slot + op->off,
		    NULL, &cause), 0);
		strbuf_reset(&got);
		strbuf_reset(&want);
		value_format(op, (const char *)d + op->off, &got);
		value_format(op, slot + op->off, &want);
		ck_assert_msg(got.data != NULL && want.data != NULL &&
		    strcmp(got.data, want.data) == 0,
		    "%s %s: stored '%s', default '%s'", dir->verb, op->name,
		    got.data, want.data);
		value_free(op, slot + op->off);
		free(slot);
	}
	strbuf_free(&got);
	strbuf_free(&want);
	ruleset_free(rs);
}
END_TEST

static Suite *
directives_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("directives");

	tc = tcase_create("DEFRULE");
	tcase_add_test(tc, test_rule_operands);
	tcase_add_test(tc, test_rule_correlation);
	tcase_add_test(tc, test_rule_defaults);
	tcase_add_loop_test(tc, test_rule_limit_units, 0,
	    (int)nitems(limit_units));
	tcase_add_test(tc, test_rule_constraints);
	tcase_add_test(tc, test_rule_key_warning);
	tcase_add_test(tc, test_rule_days_never);
	tcase_add_loop_test(tc, test_rule_value_errors, 0,
	    (int)nitems(rule_value_errors));
	tcase_add_test(tc, test_rule_regex_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFACTN");
	tcase_add_test(tc, test_action_operands);
	tcase_add_test(tc, test_action_defaults);
	tcase_add_loop_test(tc, test_action_times, 0,
	    (int)nitems(action_times));
	tcase_add_test(tc, test_action_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFSCHD");
	tcase_add_test(tc, test_schedule_operands);
	tcase_add_test(tc, test_schedule_when_forms);
	tcase_add_test(tc, test_schedule_errors);
	tcase_add_test(tc, test_schedule_tz_database);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFGROUP");
	tcase_add_test(tc, test_group_members);
	tcase_add_test(tc, test_group_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFDATE");
	tcase_add_test(tc, test_date_dates);
	tcase_add_test(tc, test_date_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFEMON");
	tcase_add_test(tc, test_emon_operands);
	tcase_add_test(tc, test_emon_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFIMON");
	tcase_add_test(tc, test_imon_targets);
	tcase_add_test(tc, test_imon_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFMMON");
	tcase_add_test(tc, test_mmon_operands);
	tcase_add_test(tc, test_mmon_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFSMON_DEFPMON");
	tcase_add_test(tc, test_umon_operands);
	tcase_add_test(tc, test_umon_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFVIEW");
	tcase_add_test(tc, test_view_operands);
	tcase_add_test(tc, test_view_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFSRC");
	tcase_add_test(tc, test_source_operands);
	tcase_add_loop_test(tc, test_source_types, 0,
	    (int)nitems(source_types));
	tcase_add_test(tc, test_source_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFENV");
	tcase_add_test(tc, test_env_operands);
	tcase_add_test(tc, test_env_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("AUTH");
	tcase_add_test(tc, test_auth_levels);
	tcase_add_test(tc, test_auth_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("PLUGIN");
	tcase_add_unchecked_fixture(tc, plugin_setup, plugin_teardown);
	tcase_add_test(tc, test_plugin_operands);
	tcase_add_test(tc, test_plugin_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("DEFOPTN");
	tcase_add_test(tc, test_optn_operands);
	tcase_add_test(tc, test_optn_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_unchecked_fixture(tc, plugin_setup, plugin_teardown);
	tcase_add_test(tc, test_table_walk);
	tcase_add_loop_test(tc, test_table_minimal, 0,
	    (int)directive_count());
	suite_add_tcase(s, tc);

	/*
	 * Bugs found and fixed, each explained at its test: tagged so
	 * that CK_EXCLUDE_TAGS=regression runs everything else.
	 */
	tc = tcase_create("regressions");
	tcase_set_tags(tc, "regression");
	tcase_add_test(tc, test_rule_threshold_message);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(directives_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
