/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_argv.c - unit tests for actions/argv.c: how a COMMAND is split
 * into argv words before anything is substituted (blanks and tabs
 * separate, double quotes group, "" inside quotes is a quote, nothing
 * else is special) and the two errors, with their exact causes.
 * Substitution and running commands are not tested here.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "tests/unit/testutil.h"

#define MAXWORDS	 8

/* Valid commands and their words. */
static const struct {
	const char	*cmd;
	const char	*words[MAXWORDS];
} argv_valid[] = {
	{ "echo", { "echo" } },
	{ "echo hello world", { "echo", "hello", "world" } },
	{ "  echo   a  ", { "echo", "a" } },
	{ "\techo\ta\t\tb\t", { "echo", "a", "b" } },
	{ " \t echo \t a", { "echo", "a" } },
	{ "logger \"a b\"", { "logger", "a b" } },
	{ "logger \"  a\tb  \"", { "logger", "  a\tb  " } },
	{ "say \"he said \"\"hi\"\"\"", { "say", "he said \"hi\"" } },
	{ "x \"\"", { "x", "" } },
	{ "x \"\" y", { "x", "", "y" } },
	{ "x \"\"\"\"", { "x", "\"" } },
	{ "a\"b c\"d e", { "ab cd", "e" } },
	{ "\"/usr/bin/my prog\" -v", { "/usr/bin/my prog", "-v" } },
	/* Substitution markers stay inside their word. */
	{ "CP SEND &U &P", { "CP", "SEND", "&U", "&P" } },
	{ "logger -t vigil \"&R: &T\"", { "logger", "-t", "vigil", "&R: &T" } },
	{ "msg=&T;rm", { "msg=&T;rm" } },
	{ "echo &1&2 x&T", { "echo", "&1&2", "x&T" } },
	/* Nothing else is special. */
	{ "echo 'a b'", { "echo", "'a", "b'" } },
	{ "echo a\\ b", { "echo", "a\\", "b" } },
	{ "echo $HOME *.c `id` ;|&", { "echo", "$HOME", "*.c", "`id`",
	  ";|&" } },
	{ "echo \"a'b\"", { "echo", "a'b" } },
};

START_TEST(test_argv_valid)
{
	struct argv	*av;
	char		*cause = NULL;
	size_t		 i, n;
	const char	*cmd = argv_valid[_i].cmd;

	for (n = 0; n < MAXWORDS && argv_valid[_i].words[n] != NULL; n++)
		;
	av = argv_split(cmd, &cause);
	ck_assert_msg(av != NULL, "%s: %s", cmd, cause != NULL ? cause : "?");
	ck_assert_ptr_null(cause);
	ck_assert_msg(av->n == n, "%s: %zu words, want %zu", cmd, av->n, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(strcmp(av->v[i], argv_valid[_i].words[i]) == 0,
		    "%s: word %zu is '%s', want '%s'", cmd, i, av->v[i],
		    argv_valid[_i].words[i]);
	ck_assert_ptr_null(av->v[av->n]);
	argv_free(av);
}
END_TEST

/* Invalid commands and the exact cause. */
static const struct {
	const char	*cmd;
	const char	*cause;
} argv_invalid[] = {
	{ "", "the command is empty" },
	{ " ", "the command is empty" },
	{ " \t\t  ", "the command is empty" },
	{ "echo \"abc", "the double quote at offset 6 of the command is not"
	  " closed" },
	{ "\"", "the double quote at offset 1 of the command is not closed" },
	{ "a \"b\" \"c", "the double quote at offset 7 of the command is not"
	  " closed" },
	{ "x \"\"\"", "the double quote at offset 3 of the command is not"
	  " closed" },
	{ "say \"he said \"\"hi\"\"", "the double quote at offset 5 of the"
	  " command is not closed" },
};

START_TEST(test_argv_invalid)
{
	struct argv	*av;
	char		*cause = NULL;
	const char	*cmd = argv_invalid[_i].cmd;

	av = argv_split(cmd, &cause);
	ck_assert_msg(av == NULL, "'%s': accepted with %zu words", cmd,
	    av != NULL ? av->n : 0);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, argv_invalid[_i].cause);
	free(cause);
}
END_TEST

START_TEST(test_argv_free_null)
{
	argv_free(NULL);
}
END_TEST

START_TEST(test_argv_many_words)
{
	struct strbuf	 sb;
	struct argv	*av;
	char		*cause = NULL, word[16];
	size_t		 i;

	/* The word array grows; every word is kept in order. */
	strbuf_init(&sb);
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%sw%zu", i % 2 ? "\t" : "  ", i);
	av = argv_split(sb.data, &cause);
	ck_assert_ptr_nonnull(av);
	ck_assert_uint_eq(av->n, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(word, sizeof word, "w%zu", i);
		ck_assert_str_eq(av->v[i], word);
	}
	ck_assert_ptr_null(av->v[1000]);
	argv_free(av);
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_argv_through_command)
{
	struct ruleset		*rs;
	const struct action	*a;

	/* COMMAND keeps its text; the split only checks it. */
	rs = tu_load_ok("DEFACTN NAME A1 COMMAND 'logger \"&R: &T\"  x'\n");
	a = (const struct action *)tu_find(rs, DEF_ACTION, "A1");
	ck_assert_str_eq(a->command, "logger \"&R: &T\"  x");
	ruleset_free(rs);
	tu_check_errors("DEFACTN NAME A1 COMMAND 'logger \"&T'\n",
	    "t.rules:1:25: error: DEFACTN A1 COMMAND: the double quote at"
	    " offset 8 of the command is not closed");
}
END_TEST

static Suite *
argv_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("argv");

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_argv_valid, 0, (int)nitems(argv_valid));
	tcase_add_test(tc, test_argv_many_words);
	tcase_add_test(tc, test_argv_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_argv_invalid, 0,
	    (int)nitems(argv_invalid));
	tcase_add_test(tc, test_argv_through_command);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(argv_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
