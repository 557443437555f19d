/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_parser.c - unit tests for rules/parser.c through
 * ruleset_load_buffer: both statement syntaxes and their mixture, quoting
 * and parentheses, case, and every kind of syntax error with its exact
 * located message.  A statement with an error must never become a
 * definition nor make references to its name fail too.  What each operand
 * value means is tested in check_directives.c.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

static const struct rule *
find_rule(const struct ruleset *rs, const char *name)
{
	return (const struct rule *)tu_find(rs, DEF_RULE, name);
}

static const struct action *
find_action(const struct ruleset *rs, const char *name)
{
	return (const struct action *)tu_find(rs, DEF_ACTION, name);
}

/* --- accepted syntax ---------------------------------------------------- */

START_TEST(test_legacy_syntax)
{
	struct ruleset		*rs;
	const struct rule	*r;
	const struct action	*a;

	rs = tu_load_ok("DEFRULE NAME(R1),MATCH(*ERR*),ACTION(A1),"
	    "PARM(x y)\n"
	    "DEFACTN NAME(A1),COMMAND('echo hi'),+\n"
	    "        DELAY(00:30),\n");
	ck_assert_uint_eq(ruleset_size(rs), 2);
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "*ERR*");
	ck_assert_str_eq(r->action, "A1");
	ck_assert_str_eq(r->parm, "x y");
	a = find_action(rs, "A1");
	ck_assert_str_eq(a->command, "echo hi");
	ck_assert_uint_eq(a->delay, 30);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_new_syntax)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH *ERR* ACTION NULL PARM 'x y'\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "*ERR*");
	ck_assert_str_eq(r->action, "NULL");
	ck_assert_str_eq(r->parm, "x y");
	ck_assert_ptr_null(r->regex);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_mixed_syntax)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1, MATCH(*X*) ACTION(NULL),+\n"
	    "  PARM 'p q' +\n"
	    "  USER(OP*),SYSTEM ZVM1\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "*X*");
	ck_assert_str_eq(r->action, "NULL");
	ck_assert_str_eq(r->parm, "p q");
	ck_assert_str_eq(r->user, "OP*");
	ck_assert_str_eq(r->system, "ZVM1");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_blank_before_paren)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME (R1) MATCH  (*X*) ACTION\t(NULL)\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "*X*");
	ck_assert_str_eq(r->action, "NULL");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_quoted_values)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH 'it''s *' ACTION NULL +\n"
	    "  PARM '''' KEY 'a  b'\n"
	    "DEFRULE NAME R2 MATCH '(x)' ACTION NULL PARM ' lead'\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "it's *");
	ck_assert_str_eq(r->parm, "'");
	ck_assert_str_eq(r->key, "a  b");
	r = find_rule(rs, "R2");
	ck_assert_str_eq(r->match, "(x)");
	ck_assert_str_eq(r->parm, " lead");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_quoted_in_parens)
{
	struct ruleset		*rs;
	const struct rule	*r;

	/* One quoted string in parentheses is unquoted ... */
	rs = tu_load_ok("DEFRULE NAME R1 MATCH('a b') ACTION NULL +\n"
	    "  PARM('x''y') KEY( 'k' )\n"
	    /* ... but not two, nor a quote and more text. */
	    "DEFRULE NAME R2 MATCH('a' 'b') ACTION NULL PARM('x' y)\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "a b");
	ck_assert_str_eq(r->parm, "x'y");
	ck_assert_str_eq(r->key, "k");
	r = find_rule(rs, "R2");
	ck_assert_str_eq(r->match, "'a' 'b'");
	ck_assert_str_eq(r->parm, "'x' y");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_nested_parens)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH(f(a,(b)) c) ACTION NULL +\n"
	    "  PARM('(' x) KEY( a b )\n"
	    "DEFRULE NAME R2 MATCH(it's (done)) ACTION NULL\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "f(a,(b)) c");
	/* A parenthesis inside quotes does not count. */
	ck_assert_str_eq(r->parm, "'(' x");
	/* Blanks just inside the parentheses are dropped. */
	ck_assert_str_eq(r->key, "a b");
	/* A quote inside a word is text, not the start of a quoted part. */
	r = find_rule(rs, "R2");
	ck_assert_str_eq(r->match, "it's (done)");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_trailing_comma)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = tu_load_ok("DEFRULE NAME R1, MATCH *X*, ACTION NULL,\n"
	    "DEFRULE NAME R2 , MATCH *Y* ,ACTION NULL\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->match, "*X*");
	ck_assert_str_eq(r->action, "NULL");
	r = find_rule(rs, "R2");
	ck_assert_str_eq(r->match, "*Y*");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_case_insensitive)
{
	struct ruleset		*rs;
	const struct rule	*r;
	const struct action	*a;

	rs = tu_load_ok("defrule name r1 match *Err* action a1 case any\n"
	    "DefActn Name a1 Command 'Echo Hi' OnFail Continue\n");
	r = find_rule(rs, "R1");
	/* Names and references are upper case, other values as given. */
	ck_assert_str_eq(r->def.name, "R1");
	ck_assert_str_eq(r->action, "A1");
	ck_assert_str_eq(r->match, "*Err*");
	ck_assert_int_eq(r->caseless, 1);
	a = find_action(rs, "a1");
	ck_assert_str_eq(a->def.name, "A1");
	ck_assert_str_eq(a->command, "Echo Hi");
	ck_assert_int_eq(a->onfail, ONFAIL_CONTINUE);
	ck_assert_ptr_eq(ruleset_find(rs, DEF_RULE, "r1"), &r->def);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_statement_location)
{
	struct ruleset		*rs;
	const struct rule	*r;
	int			 i;

	rs = tu_load_ok("* comment\n\n   DEFRULE NAME R1 +\n  MATCH 'a b' +\n"
	    "  ACTION(NULL)\n");
	r = find_rule(rs, "R1");
	ck_assert_str_eq(r->def.loc.file, TU_FILE);
	ck_assert_uint_eq(r->def.loc.line, 3);
	ck_assert_uint_eq(r->def.loc.col, 4);
	/* Operand locations point at the value. */
	i = directive_operand(directive_of(DEF_RULE), "MATCH");
	ck_assert_uint_eq(r->def.oploc[i].line, 4);
	ck_assert_uint_eq(r->def.oploc[i].col, 9);
	i = directive_operand(directive_of(DEF_RULE), "ACTION");
	ck_assert_uint_eq(r->def.oploc[i].line, 5);
	ck_assert_uint_eq(r->def.oploc[i].col, 10);
	ck_assert(tu_is_set(&r->def, "MATCH"));
	ck_assert(!tu_is_set(&r->def, "REGEX"));
	ruleset_free(rs);
}
END_TEST

START_TEST(test_empty_file)
{
	struct ruleset	*rs;

	rs = tu_load_ok("");
	ck_assert_uint_eq(ruleset_size(rs), 0);
	ruleset_free(rs);
	rs = tu_load_ok("* only a comment\n\n");
	ck_assert_uint_eq(ruleset_size(rs), 0);
	ruleset_free(rs);
}
END_TEST

/* --- errors ------------------------------------------------------------- */

START_TEST(test_unknown_statement)
{
	tu_check_errors("DEFRUEL NAME R1\n",
	    "t.rules:1:1: error: unknown statement 'DEFRUEL'; did you mean"
	    " DEFRULE?");
	tu_check_errors("  defactm NAME A1\n",
	    "t.rules:1:3: error: unknown statement 'defactm'; did you mean"
	    " DEFACTN?");
	tu_check_errors("INCLUD x\n",
	    "t.rules:1:1: error: unknown statement 'INCLUD'; did you mean"
	    " INCLUDE?");
	tu_check_errors("FROBNICATE NOW\n",
	    "t.rules:1:1: error: unknown statement 'FROBNICATE'");
	tu_check_errors("NAME(R1)\n",
	    "t.rules:1:1: error: unknown statement 'NAME'");
}
END_TEST

START_TEST(test_operator_command)
{
	tu_check_errors("SUSPEND RULE R1\n",
	    "t.rules:1:1: error: SUSPEND is an operator command of Operations"
	    " Manager, not a rule-file statement; remove it from the file");
	tu_check_errors("* x\n delrule r1\n",
	    "t.rules:2:2: error: DELRULE is an operator command of Operations"
	    " Manager, not a rule-file statement; remove it from the file");
}
END_TEST

START_TEST(test_unknown_operand)
{
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTOIN NULL\n",
	    "t.rules:1:27: error: DEFRULE R1: unknown operand ACTOIN; did you"
	    " mean ACTION?");
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION NULL FROB(1)\n",
	    "t.rules:1:39: error: DEFRULE R1: unknown operand FROB");
	/* Without a value when a known keyword follows. */
	tu_check_errors("DEFRULE NAME R1 FINALLY MATCH *X* ACTION NULL\n",
	    "t.rules:1:17: error: DEFRULE R1: unknown operand FINALLY; did you"
	    " mean FINAL?");
	/* Before the name: the message still names the statement. */
	tu_check_errors("DEFACTN MATCH x NAME A1 COMMAND x\n",
	    "t.rules:1:9: error: DEFACTN A1: unknown operand MATCH");
}
END_TEST

/*
 * Regression: an unknown operand that ends the statement is reported
 * as a known operand without a value ("DEFRULE FOO: a value is
 * required"), not as an unknown operand.  A mistyped flag word is the
 * usual case.
 */
START_TEST(test_unknown_operand_at_end)
{
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION NULL FOO\n",
	    "t.rules:1:39: error: DEFRULE R1: unknown operand FOO");
	tu_check_errors("AUTH USER bob ADMN\n",
	    "t.rules:1:15: error: AUTH: unknown operand ADMN; did you mean"
	    " ADMIN?");
}
END_TEST

START_TEST(test_duplicate_operand)
{
	tu_check_errors("DEFRULE NAME R1 MATCH *X* MATCH *Y* ACTION NULL\n",
	    "t.rules:1:27: error: DEFRULE R1 MATCH: given twice (the first"
	    " value"
	    " is at line 1, column 23); each operand may appear once");
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION NULL +\n"
	    "  action(A2)\n",
	    "t.rules:2:3: error: DEFRULE R1 ACTION: given twice (the first"
	    " value"
	    " is at line 1, column 34); each operand may appear once");
}
END_TEST

START_TEST(test_missing_value)
{
	tu_check_errors("DEFRULE NAME R1 ACTION NULL MATCH\n",
	    "t.rules:1:34: error: DEFRULE R1 MATCH: a value is required");
	tu_check_errors("DEFACTN NAME\n",
	    "t.rules:1:13: error: DEFACTN NAME: a value is required");
}
END_TEST

START_TEST(test_empty_value)
{
	tu_check_errors("DEFRULE NAME R1 MATCH() ACTION NULL\n",
	    "t.rules:1:23: error: DEFRULE R1 MATCH: the value is empty");
	tu_check_errors("DEFRULE NAME R1 MATCH '' ACTION NULL\n",
	    "t.rules:1:23: error: DEFRULE R1 MATCH: the value is empty");
	tu_check_errors("DEFRULE NAME R1 MATCH ( ) ACTION NULL\n",
	    "t.rules:1:25: error: DEFRULE R1 MATCH: the value is empty");
}
END_TEST

START_TEST(test_unterminated_quote)
{
	tu_check_errors("DEFRULE NAME R1 ACTION NULL MATCH 'abc\n",
	    "t.rules:1:35: error: DEFRULE R1 MATCH: the quoted value that"
	    " starts here is not closed (a quote inside a value is written"
	    " '')");
	tu_check_errors("DEFRULE NAME R1 ACTION NULL MATCH 'it''s\n",
	    "t.rules:1:35: error: DEFRULE R1 MATCH: the quoted value that"
	    " starts"
	    " here is not closed (a quote inside a value is written '')");
}
END_TEST

START_TEST(test_unterminated_paren)
{
	tu_check_errors("DEFRULE NAME R1 MATCH(*X* ACTION NULL\n",
	    "t.rules:1:22: error: DEFRULE R1 MATCH: no ')' closes the '(' here"
	    " (quote a value with unbalanced parentheses)");
	tu_check_errors("DEFRULE NAME R1 ACTION NULL MATCH('a)\n",
	    "t.rules:1:34: error: DEFRULE R1 MATCH: no ')' closes the '(' here"
	    " (quote a value with unbalanced parentheses)");
}
END_TEST

START_TEST(test_junk_after_paren)
{
	tu_check_errors("DEFRULE NAME R1 MATCH(*X*)Y ACTION NULL\n",
	    "t.rules:1:27: error: DEFRULE R1 MATCH: expected a blank or ','"
	    " after"
	    " the ')', got 'Y'");
}
END_TEST

/*
 * Regression: junk right after a closing quote used to free the value
 * twice (scan_value freed *out, tokens_free freed it again).
 */
START_TEST(test_junk_after_quote)
{
	tu_check_errors("DEFRULE NAME R1 MATCH 'abc'x ACTION NULL\n",
	    "t.rules:1:28: error: DEFRULE R1 MATCH: expected a blank or ','"
	    " after"
	    " the closing quote, got 'x'");
}
END_TEST

START_TEST(test_bad_keyword)
{
	tu_check_errors("DEFRULE NAME R1 MATCH=abc ACTION NULL\n",
	    "t.rules:1:22: error: DEFRULE R1: expected a blank or '(' after the"
	    " keyword MATCH, got '='");
	tu_check_errors("DEFRULE NAME R1 =abc ACTION NULL\n",
	    "t.rules:1:17: error: DEFRULE R1: expected an operand keyword, got"
	    " '='");
}
END_TEST

START_TEST(test_flag_with_value)
{
	tu_check_errors("AUTH USER bob VIEW(1)\n",
	    "t.rules:1:19: error: AUTH VIEW: takes no value");
	tu_check_errors("AUTH USER bob ADMIN ('x')\n",
	    "t.rules:1:21: error: AUTH ADMIN: takes no value");
}
END_TEST

START_TEST(test_include_from_memory)
{
	tu_check_errors("INCLUDE other.rules\n",
	    "t.rules:1:9: error: INCLUDE: not available when rules are loaded"
	    " from memory");
	tu_check_errors("INCLUDE a.rules b.rules\n",
	    "t.rules:1:17: error: INCLUDE: expected one file name, got more"
	    " ('b.rules')");
	tu_check_errors("INCLUDE ''\n",
	    "t.rules:1:9: error: INCLUDE: the file name is empty");
	tu_check_errors("INCLUDE\n",
	    "t.rules:1:8: error: INCLUDE: a value is required");
}
END_TEST

START_TEST(test_all_errors_reported)
{
	const char	*text =
	    "DEFRULE NAME R1 MATCH *X* ACTION A1\n"
	    "DEFRUEL NAME R2\n"
	    "DEFRULE NAME R3 MATCH *X* ACTOIN A1\n"
	    "DEFACTN NAME A1 COMMAND x\n"
	    "SUSPEND RULE R1\n"
	    "DEFRULE NAME R4 MATCH() ACTION A1\n"
	    "DEFRULE NAME R5 MATCH(*X* ACTION A1\n"
	    "DEFRULE NAME R6 MATCH *X* MCOL 080:010 ACTION A1\n"
	    "DEFRULE NAME R7 MATCH *X* ACTION A1 DAYS ** HOURS 25\n"
	    "DEFRULE NAME R8 MATCH *X* ACTION A9\n"
	    "DEFRULE NAME R9 MATCH *X*\n";
	struct diag	 diag;
	struct ruleset	*rs;
	char		*s;
	size_t		 i;
	static const unsigned lines[] = { 2, 3, 5, 6, 7, 8, 9, 9, 11, 10 };

	diag_init(&diag);
	rs = tu_load(text, &diag);
	ck_assert_ptr_null(rs);
	s = tu_diag_string(&diag);
	ck_assert_msg(diag.errors == nitems(lines), "%zu errors:\n%s",
	    diag.errors, s);
	ck_assert_uint_eq(diag.warnings, 0);
	for (i = 0; i < nitems(lines); i++) {
		ck_assert_msg(diag.items[i].loc.line == lines[i],
		    "item %zu at line %u, want %u:\n%s", i,
		    diag.items[i].loc.line, lines[i], s);
		ck_assert_int_eq(diag.items[i].level, DIAG_ERROR);
	}
	free(s);
	diag_free(&diag);
	ck_assert_uint_eq(tu_count_errors(text), nitems(lines));
}
END_TEST

START_TEST(test_failed_not_defined)
{
	/* Had the first A1 become a definition, the second would clash. */
	tu_check_errors("DEFACTN NAME A1 COMMAND x BOGUS 1\n"
	    "DEFACTN NAME A1 COMMAND y\n",
	    "t.rules:1:27: error: DEFACTN A1: unknown operand BOGUS");
	tu_check_errors("DEFACTN NAME A1 COMMAND x MAXCONC 5000\n"
	    "DEFACTN NAME A1 COMMAND y\n",
	    "t.rules:1:35: error: DEFACTN A1 MAXCONC: expected a number from 0"
	    " to 1000, got '5000'");
}
END_TEST

START_TEST(test_failed_no_cascade)
{
	/* References to a rejected definition are not errors of their own. */
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION A1\n"
	    "DEFACTN NAME A1 COMMAND x BOGUS 1\n"
	    "DEFIMON NAME I1 RULE R2 OCCUR 1,5 ACTION a1\n"
	    "DEFRULE NAME R2 MATCH *X* MCOL 1:5 ACTION NULL\n",
	    "t.rules:2:27: error: DEFACTN A1: unknown operand BOGUS\n"
	    "t.rules:4:32: error: DEFRULE R2 MCOL: expected bbb:eee, two"
	    " columns of exactly three digits from 001 to 999 (for example"
	    " 001:080), got '1:5'");
	/* Also when the statement failed a constraint. */
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION A1\n"
	    "DEFACTN NAME A1 DELAY 00:10\n",
	    "t.rules:2:1: error: DEFACTN A1: one of COMMAND, EMIT or INPUT is"
	    " required");
	/* Or a value of the environment. */
	tu_check_errors("DEFRULE NAME R1 MATCH *X* ACTION NULL ENV E1\n"
	    "DEFENV NAME E1 TYPE NONE\n",
	    "t.rules:2:21: error: DEFENV E1 TYPE: expected EXEC, SHELL, SOURCE"
	    " or VIGIL, got 'NONE'");
}
END_TEST

/*
 * Regression: after a syntax error (unterminated quote or
 * parenthesis, junk after ')') the statement's name is not remembered,
 * so every reference to it gives a second, cascading error.
 */
START_TEST(test_syntax_error_no_cascade)
{
	tu_check_errors("DEFACTN NAME A1 COMMAND 'echo\n"
	    "DEFRULE NAME R1 MATCH *X* ACTION A1\n",
	    "t.rules:1:25: error: DEFACTN A1 COMMAND: the quoted value that"
	    " starts"
	    " here is not closed (a quote inside a value is written '')");
	tu_check_errors("DEFACTN NAME A1 COMMAND(echo\n"
	    "DEFRULE NAME R1 MATCH *X* ACTION A1\n",
	    "t.rules:1:24: error: DEFACTN A1 COMMAND: no ')' closes the '('"
	    " here"
	    " (quote a value with unbalanced parentheses)");
	tu_check_errors("DEFACTN NAME A1 COMMAND(echo)x\n"
	    "DEFRULE NAME R1 MATCH *X* ACTION A1\n",
	    "t.rules:1:30: error: DEFACTN A1 COMMAND: expected a blank or ','"
	    " after the ')', got 'x'");
}
END_TEST

/*
 * Messages name a statement by its stored, upper-case name, as the
 * duplicate and cross-reference messages do, even when it is written in
 * lower case.
 */
START_TEST(test_label_upper_case)
{
	tu_check_errors("defrule name r1 matchh *X* action null\n",
	    "t.rules:1:17: error: DEFRULE R1: unknown operand MATCHH; did you"
	    " mean MATCH?");
}
END_TEST

static Suite *
parser_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("parser");

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_legacy_syntax);
	tcase_add_test(tc, test_new_syntax);
	tcase_add_test(tc, test_mixed_syntax);
	tcase_add_test(tc, test_blank_before_paren);
	tcase_add_test(tc, test_quoted_values);
	tcase_add_test(tc, test_quoted_in_parens);
	tcase_add_test(tc, test_nested_parens);
	tcase_add_test(tc, test_trailing_comma);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_statement_location);
	tcase_add_test(tc, test_empty_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_statement);
	tcase_add_test(tc, test_operator_command);
	tcase_add_test(tc, test_unknown_operand);
	tcase_add_test(tc, test_duplicate_operand);
	tcase_add_test(tc, test_missing_value);
	tcase_add_test(tc, test_empty_value);
	tcase_add_test(tc, test_unterminated_quote);
	tcase_add_test(tc, test_unterminated_paren);
	tcase_add_test(tc, test_junk_after_paren);
	tcase_add_test(tc, test_junk_after_quote);
	tcase_add_test(tc, test_bad_keyword);
	tcase_add_test(tc, test_flag_with_value);
	tcase_add_test(tc, test_include_from_memory);
	tcase_add_test(tc, test_all_errors_reported);
	tcase_add_test(tc, test_label_upper_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("failed_statements");
	tcase_add_test(tc, test_failed_not_defined);
	tcase_add_test(tc, test_failed_no_cascade);
	suite_add_tcase(s, tc);

	/*
	 * Bugs found and fixed, each explained at its test: tagged so
	 * that CK_EXCLUDE_TAGS=regression runs everything else.
	 */
	tc = tcase_create("regressions");
	tcase_set_tags(tc, "regression");
	tcase_add_test(tc, test_unknown_operand_at_end);
	tcase_add_test(tc, test_syntax_error_no_cascade);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(parser_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
