/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_authz.c - unit tests for rules/authz.c, the access decision from
 * the AUTH statements: root and the daemon's own uid are ADMIN with or
 * without AUTH, anyone else has nothing without one; USER by name and by
 * uid, GROUP by name and by gid among every group of the peer; global
 * grants cover every object; ACTION, SOURCE, CONSOLE and RULE grants only
 * their own kind and the objects their wildcard matches; the highest
 * applicable level wins; and the AUTH statement suggested to an
 * administrator reads back as the grant it names.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/testutil.h"

#define DAEMON_UID	990ul

static const unsigned long bob_gids[] = { 1001, 27, 2000 };
static const char *const bob_groups[] = { "bob", "sudo", "oncall" };
/* bob: uid 1001, primary group bob, also in sudo and oncall. */
static const struct authz_peer bob = {
	1001, "bob", bob_gids, bob_groups, 3
};
static const unsigned long eve_gids[] = { 1002, 3000 };
/* eve: uid 1002, her own group and one that has no name. */
static const char *const eve_groups[] = { "eve", NULL };
static const struct authz_peer eve = {
	1002, "eve", eve_gids, eve_groups, 2
};
static const unsigned long root_gids[] = { 0 };
static const struct authz_peer root = { 0, "root", root_gids, NULL, 1 };
static const unsigned long vigil_gids[] = { 990 };
static const struct authz_peer daemon_user = {
	DAEMON_UID, "vigil", vigil_gids, NULL, 1
};
/* A uid with no name and no groups (a container's, say). */
static const struct authz_peer anon = { 4242, NULL, NULL, NULL, 0 };

static int
level(const struct ruleset *rs, const struct authz_peer *p, const char *kind,
    const char *object)
{
	return authz_level(rs, p, DAEMON_UID, kind, object);
}

START_TEST(test_no_auth)
{
	struct ruleset	*rs = tu_load_ok("DEFACTN NAME A COMMAND 'true'\n");

	ck_assert_int_eq(level(rs, &root, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &root, "ACTION", "A"), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &daemon_user, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &daemon_user, "SOURCE", "X"), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "A"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &eve, "CONSOLE", "OPERATOR"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &anon, NULL, NULL), AUTH_NONE);
	/* Without any ruleset at all, the same. */
	ck_assert_int_eq(level(NULL, &root, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(NULL, &daemon_user, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(NULL, &bob, NULL, NULL), AUTH_NONE);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_root_and_self_beat_auth)
{
	/* An AUTH naming root with a low level does not lower it. */
	struct ruleset	*rs = tu_load_ok("AUTH USER root VIEW\n"
	    "AUTH USER 990 VIEW ACTION X\n");

	ck_assert_int_eq(level(rs, &root, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &daemon_user, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &daemon_user, "ACTION", "Y"), AUTH_ADMIN);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_user_by_name)
{
	struct ruleset	*rs = tu_load_ok("AUTH USER bob VIEW\n");

	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_VIEW);
	/* A global grant covers every object of every kind. */
	ck_assert_int_eq(level(rs, &bob, "ACTION", "ANY"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "SOURCE", "ANY"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "CONSOLE", "ANY"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "RULE", "ANY"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "SCHEDULE", "ANY"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &eve, NULL, NULL), AUTH_NONE);
	ck_assert_int_eq(level(rs, &anon, NULL, NULL), AUTH_NONE);
	ruleset_free(rs);

	/* Names are exact: Bob is another account. */
	rs = tu_load_ok("AUTH USER Bob ADMIN\nAUTH USER bo* ADMIN\n");
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_NONE);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_user_by_number)
{
	struct ruleset	*rs = tu_load_ok("AUTH USER 1001 OPERATE\n"
	    "AUTH USER 4242 VIEW\n");

	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &eve, NULL, NULL), AUTH_NONE);
	/* A uid without a name is found by its number. */
	ck_assert_int_eq(level(rs, &anon, NULL, NULL), AUTH_VIEW);
	ruleset_free(rs);

	/* Only plain digits are a number. */
	rs = tu_load_ok("AUTH USER +1001 ADMIN\nAUTH USER 1001x ADMIN\n"
	    "AUTH USER 01001 VIEW\n"
	    "AUTH USER 99999999999999999999999 ADMIN\n");
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_VIEW);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_group_by_name)
{
	/* oncall is one of bob's supplementary groups, not his primary. */
	struct ruleset	*rs = tu_load_ok("AUTH GROUP oncall CONFIG\n");

	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_CONFIG);
	ck_assert_int_eq(level(rs, &eve, NULL, NULL), AUTH_NONE);
	ck_assert_int_eq(level(rs, &anon, NULL, NULL), AUTH_NONE);
	ruleset_free(rs);

	rs = tu_load_ok("AUTH GROUP bob VIEW\nAUTH GROUP OnCall ADMIN\n");
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_VIEW);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_group_by_number)
{
	struct ruleset	*rs = tu_load_ok("AUTH GROUP 2000 OPERATE\n"
	    "AUTH GROUP 3000 VIEW\n");
	/* Names not known at all: numbers still match. */
	const struct authz_peer bare = { 1001, "bob", bob_gids, NULL, 3 };

	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bare, NULL, NULL), AUTH_OPERATE);
	/* A group with no name is found by its number. */
	ck_assert_int_eq(level(rs, &eve, NULL, NULL), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &root, NULL, NULL), AUTH_ADMIN);
	ruleset_free(rs);

	/* A GROUP by name does not match a gid without a name. */
	rs = tu_load_ok("AUTH GROUP oncall VIEW\n");
	ck_assert_int_eq(level(rs, &bare, NULL, NULL), AUTH_NONE);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_per_action)
{
	struct ruleset	*rs = tu_load_ok(
	    "AUTH GROUP oncall OPERATE ACTION(BKR*)\n");

	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKRLNX03"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKR"), AUTH_OPERATE);
	/* Case-insensitive, in the pattern and in the kind. */
	ck_assert_int_eq(level(rs, &bob, "action", "bkrlnx03"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "OTHER"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "XBKR"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", NULL), AUTH_NONE);
	/* Not a global right, and not another kind with the same name. */
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "RULE", "BKRLNX03"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "SOURCE", "BKRLNX03"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "CONSOLE", "BKRLNX03"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "SCHEDULE", "BKRLNX03"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &eve, "ACTION", "BKRLNX03"), AUTH_NONE);
	ruleset_free(rs);

	/* '%' is one character. */
	rs = tu_load_ok("AUTH USER bob OPERATE ACTION 'BKR%'\n");
	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKR1"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKR12"), AUTH_NONE);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_per_source_console_rule)
{
	struct ruleset	*rs = tu_load_ok(
	    "AUTH USER bob OPERATE SOURCE ZVM*\n"
	    "AUTH USER bob VIEW CONSOLE(OPERATOR)\n"
	    "AUTH USER bob CONFIG RULE TAPE*\n"
	    "AUTH USER eve CONSOLE LNX*\n");

	ck_assert_int_eq(level(rs, &bob, "SOURCE", "ZVM1"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bob, "SOURCE", "SYSLOG"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "CONSOLE", "operator"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "CONSOLE", "OPERATOR2"), AUTH_NONE);
	/* Kinds apart: user ID ZVM1's console is not source ZVM1. */
	ck_assert_int_eq(level(rs, &bob, "CONSOLE", "ZVM1"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, "RULE", "TAPE01"), AUTH_CONFIG);
	ck_assert_int_eq(level(rs, &bob, "RULE", "BKR01"), AUTH_NONE);
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_NONE);
	/* CONSOLE without a level is OPERATE, as in the reference. */
	ck_assert_int_eq(level(rs, &eve, "CONSOLE", "LNXA"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &eve, "CONSOLE", "ZOS"), AUTH_NONE);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_highest_wins)
{
	struct ruleset	*rs = tu_load_ok(
	    "AUTH USER bob VIEW\n"
	    "AUTH GROUP oncall OPERATE ACTION BKR*\n"
	    "AUTH USER bob ADMIN ACTION BKRLNX99\n"
	    "AUTH GROUP sudo CONFIG RULE *\n"
	    "AUTH USER bob VIEW ACTION BKRLNX03\n");

	/* The per-object grant raises the global one for its objects... */
	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKRLNX03"), AUTH_OPERATE);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "BKRLNX99"), AUTH_ADMIN);
	/* ...and the global one stays for the others. */
	ck_assert_int_eq(level(rs, &bob, "ACTION", "OTHER"), AUTH_VIEW);
	ck_assert_int_eq(level(rs, &bob, "RULE", "R1"), AUTH_CONFIG);
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_VIEW);
	ruleset_free(rs);

	/* Order does not matter; a lower global grant does not lower it. */
	rs = tu_load_ok("AUTH GROUP oncall ADMIN\nAUTH USER bob VIEW\n");
	ck_assert_int_eq(level(rs, &bob, NULL, NULL), AUTH_ADMIN);
	ck_assert_int_eq(level(rs, &bob, "ACTION", "X"), AUTH_ADMIN);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_levels_imply)
{
	/* Callers compare with >=: each level includes the lower ones. */
	ck_assert_int_lt(AUTH_NONE, AUTH_VIEW);
	ck_assert_int_lt(AUTH_VIEW, AUTH_OPERATE);
	ck_assert_int_lt(AUTH_OPERATE, AUTH_CONFIG);
	ck_assert_int_lt(AUTH_CONFIG, AUTH_ADMIN);
	ck_assert_str_eq(authz_level_name(AUTH_NONE), "NONE");
	ck_assert_str_eq(authz_level_name(AUTH_VIEW), "VIEW");
	ck_assert_str_eq(authz_level_name(AUTH_OPERATE), "OPERATE");
	ck_assert_str_eq(authz_level_name(AUTH_CONFIG), "CONFIG");
	ck_assert_str_eq(authz_level_name(AUTH_ADMIN), "ADMIN");
	ck_assert_str_eq(authz_level_name(7), "?");
	ck_assert_str_eq(authz_level_name(-1), "?");
}
END_TEST

/* The suggested statement, and that it grants what it says. */
static void
check_statement(const struct authz_peer *p, int lv, const char *kind,
    const char *object, const char *want)
{
	char		*s = authz_statement(p, lv, kind, object);
	char		*text;
	struct ruleset	*rs;

	ck_assert_str_eq(s, want);
	xasprintf(&text, "%s\n", s);
	rs = tu_load_ok(text);
	ck_assert_int_eq(level(rs, p, kind, object), lv);
	ruleset_free(rs);
	free(text);
	free(s);
}

START_TEST(test_statement)
{
	check_statement(&bob, AUTH_CONFIG, NULL, NULL, "AUTH USER bob CONFIG");
	check_statement(&bob, AUTH_OPERATE, "ACTION", "BKRLNX03",
	    "AUTH USER bob OPERATE ACTION(BKRLNX03)");
	check_statement(&bob, AUTH_VIEW, "console", "OPERATOR",
	    "AUTH USER bob VIEW CONSOLE(OPERATOR)");
	check_statement(&bob, AUTH_OPERATE, "SOURCE", "my feed",
	    "AUTH USER bob OPERATE SOURCE('my feed')");
	check_statement(&bob, AUTH_VIEW, "CONSOLE", "it's(x)",
	    "AUTH USER bob VIEW CONSOLE('it''s(x)')");
	check_statement(&bob, AUTH_OPERATE, "RULE", "R1,",
	    "AUTH USER bob OPERATE RULE('R1,')");
	/* No AUTH operand for schedules: only a global grant covers them. */
	check_statement(&bob, AUTH_OPERATE, "SCHEDULE", "NIGHT",
	    "AUTH USER bob OPERATE");
	/* No name: the uid. */
	check_statement(&anon, AUTH_VIEW, NULL, NULL, "AUTH USER 4242 VIEW");
}
END_TEST

START_TEST(test_statement_odd)
{
	const struct authz_peer odd = { 1003, "a b", NULL, NULL, 0 };
	char	*s;

	/* A name that is not one word: the uid instead. */
	s = authz_statement(&odd, AUTH_VIEW, NULL, NULL);
	ck_assert_str_eq(s, "AUTH USER 1003 VIEW");
	free(s);
	/* Control bytes in an object are shown escaped, never sent raw. */
	s = authz_statement(&bob, AUTH_VIEW, "CONSOLE", "X\033[2J");
	ck_assert_str_eq(s, "AUTH USER bob VIEW CONSOLE('X\\x1b[2J')");
	free(s);
	s = authz_statement(&bob, AUTH_VIEW, "CONSOLE", "");
	ck_assert_str_eq(s, "AUTH USER bob VIEW CONSOLE('')");
	free(s);
}
END_TEST

static Suite *
authz_suite(void)
{
	Suite	*s = suite_create("authz");
	TCase	*tc = tcase_create("level");

	tcase_add_test(tc, test_no_auth);
	tcase_add_test(tc, test_root_and_self_beat_auth);
	tcase_add_test(tc, test_user_by_name);
	tcase_add_test(tc, test_user_by_number);
	tcase_add_test(tc, test_group_by_name);
	tcase_add_test(tc, test_group_by_number);
	tcase_add_test(tc, test_per_action);
	tcase_add_test(tc, test_per_source_console_rule);
	tcase_add_test(tc, test_highest_wins);
	tcase_add_test(tc, test_levels_imply);
	suite_add_tcase(s, tc);
	tc = tcase_create("statement");
	tcase_add_test(tc, test_statement);
	tcase_add_test(tc, test_statement_odd);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(authz_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
