/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_limit.c - unit tests for actions/limit.c: LIMIT count,interval
 * windows by name.  Count triggers run per window, the first one over
 * is LIMIT_FIRST (the limit action runs once), the rest are suppressed
 * and counted; a window that has passed starts afresh; names are
 * independent; LIMIT 0,0 keeps no window; expiry drops only windows that
 * have passed; thousands of names survive the table's growth.  Also
 * actions/occur.c, the DEFIMON OCCUR ring: what lies within a window,
 * the oldest of it, the ring kept to count entries as it grows.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "actions/actions.h"
#include "tests/unit/testutil.h"

static const struct limit two_per_minute = { 2, 60, NULL };

START_TEST(test_limit_window)
{
	struct limits	*l = limits_create();
	uint64_t	 sup;

	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 100, &sup),
	    LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 110, &sup),
	    LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 120, &sup),
	    LIMIT_FIRST);
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 130, &sup),
	    LIMIT_SUPPRESSED);
	ck_assert_uint_eq(sup, 2);
	ck_assert_uint_eq(limits_suppressed(l, "R"), 2);
	/* 159.9 is still in the window that opened at 100. */
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 159.9, &sup),
	    LIMIT_SUPPRESSED);
	ck_assert_uint_eq(sup, 3);
	/* 160: a new window, nothing suppressed in it yet. */
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 160, &sup),
	    LIMIT_RUN);
	ck_assert_uint_eq(sup, 0);
	ck_assert_uint_eq(limits_suppressed(l, "R"), 0);
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 161, NULL),
	    LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "R", &two_per_minute, 162, &sup),
	    LIMIT_FIRST);
	limits_free(l);
}
END_TEST

START_TEST(test_limit_names_independent)
{
	struct limits	*l = limits_create();
	const struct limit one = { 1, 60, NULL };

	ck_assert_int_eq(limits_check(l, "A", &one, 0, NULL), LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "B", &one, 1, NULL), LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "A", &one, 2, NULL), LIMIT_FIRST);
	ck_assert_int_eq(limits_check(l, "B", &one, 3, NULL), LIMIT_FIRST);
	ck_assert_uint_eq(limits_count(l), 2);
	limits_free(l);
}
END_TEST

START_TEST(test_limit_unlimited)
{
	struct limits	*l = limits_create();
	const struct limit none = { 0, 0, NULL };
	int		 i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(limits_check(l, "R", &none, i, NULL),
		    LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "R", NULL, 0, NULL), LIMIT_RUN);
	ck_assert_uint_eq(limits_count(l), 0);
	limits_free(l);
}
END_TEST

START_TEST(test_limit_expire)
{
	struct limits	*l = limits_create();
	const struct limit short_one = { 1, 10, NULL };

	limits_check(l, "SHORT", &short_one, 0, NULL);
	limits_check(l, "LONG", &two_per_minute, 0, NULL);
	limits_expire(l, 9);
	ck_assert_uint_eq(limits_count(l), 2);
	limits_expire(l, 10);
	ck_assert_uint_eq(limits_count(l), 1);
	/* The expired name starts a fresh window. */
	ck_assert_int_eq(limits_check(l, "SHORT", &short_one, 11, NULL),
	    LIMIT_RUN);
	/* The other kept its count: one more runs, then it is over. */
	ck_assert_int_eq(limits_check(l, "LONG", &two_per_minute, 11, NULL),
	    LIMIT_RUN);
	ck_assert_int_eq(limits_check(l, "LONG", &two_per_minute, 12, NULL),
	    LIMIT_FIRST);
	limits_free(l);
}
END_TEST

START_TEST(test_limit_many_names)
{
	struct limits	*l = limits_create();
	const struct limit one = { 1, 60, NULL };
	char		 name[32];
	int		 i;

	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "R%d", i);
		ck_assert_int_eq(limits_check(l, name, &one, 0, NULL),
		    LIMIT_RUN);
	}
	ck_assert_uint_eq(limits_count(l), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "R%d", i);
		ck_assert_int_eq(limits_check(l, name, &one, 1, NULL),
		    LIMIT_FIRST);
	}
	limits_free(l);
}
END_TEST

START_TEST(test_occur_window)
{
	struct occur	 o;
	double		 oldest;
	int		 i;

	occur_init(&o, 3);
	ck_assert_uint_eq(occur_seen(&o, 100, 60, &oldest), 0);
	occur_note(&o, 10);
	occur_note(&o, 50);
	ck_assert_uint_eq(occur_seen(&o, 60, 60, &oldest), 2);
	ck_assert(oldest == 10);
	/* 10 is exactly 60 old at 70: out (a window excludes its end). */
	ck_assert_uint_eq(occur_seen(&o, 70, 60, &oldest), 1);
	ck_assert(oldest == 50);
	/* Only the last count (3) are kept. */
	for (i = 0; i < 10; i++)
		occur_note(&o, 100 + i);
	ck_assert_uint_eq(o.n, 3);
	ck_assert_uint_eq(occur_seen(&o, 110, 60, &oldest), 3);
	ck_assert(oldest == 107);
	occur_free(&o);
	occur_free(&o);		/* twice is harmless */
}
END_TEST

START_TEST(test_occur_grows)
{
	struct occur	 o;
	double		 oldest;
	int		 i;

	occur_init(&o, 1000);
	for (i = 0; i < 2500; i++)
		occur_note(&o, i);
	ck_assert_uint_eq(o.n, 1000);
	ck_assert_uint_eq(occur_seen(&o, 2499, 100, &oldest), 100);
	ck_assert(oldest == 2400);
	occur_free(&o);
}
END_TEST

static Suite *
limit_suite(void)
{
	Suite	*s = suite_create("limit");
	TCase	*tc = tcase_create("windows");

	tcase_add_test(tc, test_limit_window);
	tcase_add_test(tc, test_limit_names_independent);
	tcase_add_test(tc, test_limit_unlimited);
	tcase_add_test(tc, test_limit_expire);
	tcase_add_test(tc, test_limit_many_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("occur");
	tcase_add_test(tc, test_occur_window);
	tcase_add_test(tc, test_occur_grows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(limit_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
