/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_monitors.c - unit tests for rules/probe.c, what the daemon reads
 * from the probe of a DEFMMON, DEFSMON or DEFPMON: CP's responses to
 * QUERY USER (logged on at a terminal, disconnected, on another SSI
 * member, LOGOFF/FORCE pending, not logged on with each EMSG setting, as
 * vmcp prints them with its own error line), to QUERY ALLOC SPOOL and
 * QUERY ALLOC PAGE (real layouts: one volume, two volumes, K suffixes);
 * EXTRACT with and without a capture group; percentages; and garbage,
 * which must never give an answer.  The daemon glue (engine/monitors.c)
 * is tested by tests/integration/monitors.sh.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

/* vmcp QUERY ALLOC SPOOL on a z/VM 6.x system (one spool volume). */
static const char alloc_spool[] =
    "                EXTENT     EXTENT  TOTAL  PAGES   HIGH    %\n"
    "VOLID  RDEV      START        END  PAGES IN USE   PAGE USED\n"
    "------ ---- ---------- ---------- ------ ------ ------ ----\n"
    "540SPL 9028          1      10016  1761K 357279  1593K  19%\n"
    "                                  ------ ------        ----\n"
    "SUMMARY                            1761K 357279         19%\n"
    "USABLE                             1761K 357279         19%\n";

/* QUERY ALLOC PAGE from CMS (two page volumes, trailing blanks, Ready;). */
static const char alloc_page[] =
    "q alloc page                                                \n"
    "                EXTENT     EXTENT  TOTAL  PAGES   HIGH    % \n"
    "VOLID  RDEV      START        END  PAGES IN USE   PAGE USED \n"
    "------ ---- ---------- ---------- ------ ------ ------ ---- \n"
    "M01P02 0300          0       2500 450180     40     51   1% \n"
    "M01P01 0206          1       3337 600660      0      0   0% \n"
    "                                  ------ ------        ---- \n"
    "SUMMARY                            1026K     24          1% \n"
    "USABLE                             1026K     24          1% \n"
    "Ready; T=0.01/0.01 11:14:41                                 \n";

/* Composed: SUMMARY and USABLE differ (as with a draining volume). */
static const char alloc_draining[] =
    "                EXTENT     EXTENT  TOTAL  PAGES   HIGH    %\n"
    "VOLID  RDEV      START        END  PAGES IN USE   PAGE USED\n"
    "------ ---- ---------- ---------- ------ ------ ------ ----\n"
    "VMSPL1 0123          1       3338 601020 547000 590000  91%\n"
    "VMSPL2 0124          1       3338 601020 541000 590000  90%\n"
    "                                  ------ ------        ----\n"
    "SUMMARY                            1202K  1088K         90%\n"
    "USABLE                              601K   547K         91%\n";

static enum probe_logon
user_state(const char *out, const char *user, char *state)
{
	strcpy(state, "?");
	return probe_query_user(out, strlen(out), user, state, 32);
}

START_TEST(test_query_user_logged_on)
{
	char	 st[32];

	ck_assert_int_eq(user_state("BKRLNXD  - DSC\n", "BKRLNXD", st),
	    PROBE_ON);
	ck_assert_str_eq(st, "DSC");
	/* At a terminal; the name in any case, no newline at the end. */
	ck_assert_int_eq(user_state("OPERATOR - L0003", "operator", st),
	    PROBE_ON);
	ck_assert_str_eq(st, "L0003");
	ck_assert_int_eq(user_state("MAINT    - 0009\n", "MAINT", st),
	    PROBE_ON);
	ck_assert_str_eq(st, "0009");
	/* QUERY USERS lines: four entries a line, separated by commas. */
	ck_assert_int_eq(user_state(
	    "OPERATOR - SYSC    , TCPIP    - DSC     , RACFVM   - DSC     ,"
	    " BKRLNXD  - DSC\n", "RACFVM", st), PROBE_ON);
	ck_assert_str_eq(st, "DSC");
	/* Logged on another member of the SSI cluster. */
	ck_assert_int_eq(user_state("LINUX01  - SSI\n", "LINUX01", st),
	    PROBE_ON);
	ck_assert_str_eq(st, "SSI");
	/* Going away, but still there: XAUTOLOG would fail now. */
	ck_assert_int_eq(user_state(
	    "HCPCQU361E LOGOFF/FORCE pending for user BKRLNXD\n", "BKRLNXD",
	    st), PROBE_ON);
	ck_assert_str_eq(st, "LOGOFF_PENDING");
	ck_assert_int_eq(user_state(
	    "LOGOFF/FORCE pending for user BKRLNXD\n", "BKRLNXD", st),
	    PROBE_ON);
}
END_TEST

START_TEST(test_query_user_not_logged_on)
{
	char	 st[32];

	/* vmcp: CP's answer, then its own line on stderr (merged). */
	ck_assert_int_eq(user_state("HCPCQU045E LINUX2 not logged on\n"
	    "Error: non-zero CP response for command 'QUERY USER LINUX2':"
	    " #45\n", "LINUX2", st), PROBE_OFF);
	ck_assert_str_eq(st, "OFF");
	/* SET EMSG TEXT and SET EMSG CODE. */
	ck_assert_int_eq(user_state("LINUX2 not logged on\n", "linux2", st),
	    PROBE_OFF);
	ck_assert_int_eq(user_state("HCPCQU045E\n", "LINUX2", st),
	    PROBE_OFF);
	/* Another module issuing the same message number. */
	ck_assert_int_eq(user_state("HCPLGA045E LINUX2 not logged on\n",
	    "LINUX2", st), PROBE_OFF);
}
END_TEST

START_TEST(test_query_user_other_or_garbage)
{
	char	 st[32];

	/* Another user's answer says nothing about this one. */
	ck_assert_int_eq(user_state("HCPCQU045E OTHER not logged on\n",
	    "LINUX2", st), PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("OTHER    - DSC\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	/* A name that only starts like the user. */
	ck_assert_int_eq(user_state("LINUX22  - DSC\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("HCPCQU003E Invalid option - LINUX2\n",
	    "LINUX2", st), PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("Error: Could not open device"
	    " /dev/vmcp: No such file or directory\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("", "LINUX2", st), PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("\n\n - \n,,,\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("LINUX2\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("LINUX2 -\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("LINUX2 not logged\n", "LINUX2", st),
	    PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("HCPCQU045X LINUX2 not logged on\n",
	    "LINUX2", st), PROBE_UNKNOWN);
	ck_assert_int_eq(user_state("HCPC1U045E LINUX2 not logged on\n",
	    "LINUX2", st), PROBE_UNKNOWN);
	ck_assert_str_eq(st, "?");	/* left alone */
	ck_assert_int_eq(user_state("LINUX2 - DSC\n", "", st),
	    PROBE_UNKNOWN);
}
END_TEST

START_TEST(test_query_user_state_bounded)
{
	char	 st[4];

	/* The state is cut to the buffer, never overrun. */
	ck_assert_int_eq(probe_query_user("X - VERYLONGSTATE", 17, "X", st,
	    sizeof st), PROBE_ON);
	ck_assert_str_eq(st, "VER");
}
END_TEST

START_TEST(test_query_alloc)
{
	ck_assert_int_eq(probe_query_alloc(alloc_spool, strlen(alloc_spool)),
	    19);
	ck_assert_int_eq(probe_query_alloc(alloc_page, strlen(alloc_page)),
	    1);
	/* SUMMARY, not USABLE. */
	ck_assert_int_eq(probe_query_alloc(alloc_draining,
	    strlen(alloc_draining)), 90);
	ck_assert_int_eq(probe_query_alloc("SUMMARY 1761K 357279 100%", 25),
	    100);
	ck_assert_int_eq(probe_query_alloc("summary 10 5 50%\n", 17), 50);
}
END_TEST

START_TEST(test_query_alloc_garbage)
{
	static const char *const bad[] = {
		"",
		"\n",
		"SUMMARY\n",
		"SUMMARY 1761K 357279\n",	/* no percentage */
		"SUMMARY 1761K 357279 %\n",
		"SUMMARY 1761K 357279 101%\n",
		"SUMMARY 1761K 357279 -5%\n",
		"SUMMARY 1761K 357279 1x%\n",
		"USABLE 1761K 357279 19%\n",	/* not the SUMMARY line */
		"HCPCQA003E Invalid option - SPOLL\n",
		"Error: non-zero CP response for command 'QUERY ALLOC"
		    " SPOOL': #3\n",
		"SUMMARYX 1 2 19%\n",
		"VOLID RDEV 19%\n",
	};
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(probe_query_alloc(bad[i], strlen(bad[i])) == -1,
		    "'%s' gave a usage", bad[i]);
	/* Cut off before the summary. */
	ck_assert_int_eq(probe_query_alloc(alloc_spool, 200), -1);
}
END_TEST

START_TEST(test_percent)
{
	ck_assert_int_eq(probe_percent("19%", 3), 19);
	ck_assert_int_eq(probe_percent(" 85 ", 4), 85);
	ck_assert_int_eq(probe_percent("0", 1), 0);
	ck_assert_int_eq(probe_percent("100", 3), 100);
	ck_assert_int_eq(probe_percent("007", 3), 7);
	/* Truncated, not rounded. */
	ck_assert_int_eq(probe_percent("89.99%", 6), 89);
	ck_assert_int_eq(probe_percent("100.0", 5), 100);
	ck_assert_int_eq(probe_percent("101", 3), -1);
	ck_assert_int_eq(probe_percent("1761K", 5), -1);
	ck_assert_int_eq(probe_percent("99999999999999999999", 20), -1);
	ck_assert_int_eq(probe_percent("", 0), -1);
	ck_assert_int_eq(probe_percent("%", 1), -1);
	ck_assert_int_eq(probe_percent("-1", 2), -1);
	ck_assert_int_eq(probe_percent(".5", 2), -1);
	ck_assert_int_eq(probe_percent("5 %", 3), -1);
	ck_assert_int_eq(probe_percent("5%%", 3), -1);
	ck_assert_int_eq(probe_percent("ninety", 6), -1);
}
END_TEST

static struct probe_re *
re_ok(const char *pattern)
{
	struct probe_re	*re;
	char		*cause = NULL;

	re = probe_re_create(pattern, &cause);
	ck_assert_msg(re != NULL, "%s: %s", pattern, cause);
	return re;
}

START_TEST(test_extract_usage)
{
	struct probe_re	*re;
	const char	*out;

	/* The first capture group. */
	re = re_ok("^USABLE\\s.*\\s(\\d+)%");
	ck_assert_int_eq(probe_usage(re, alloc_draining,
	    strlen(alloc_draining)), 91);
	ck_assert_int_eq(probe_usage(re, "nothing\n", 8), -1);
	probe_re_free(re);
	/* Without a group, the whole match. */
	re = re_ok("\\d+(?=% used)");
	out = "/var/spool: 87% used\n";
	ck_assert_int_eq(probe_usage(re, out, strlen(out)), 87);
	probe_re_free(re);
	/* A group that took no part: the whole match. */
	re = re_ok("(pct=)?\\d+");
	ck_assert_int_eq(probe_usage(re, "42", 2), 42);
	probe_re_free(re);
	/* Found, but not a percentage: no usage. */
	re = re_ok("TOTAL (\\S+)");
	out = "TOTAL 1761K\n";
	ck_assert_int_eq(probe_usage(re, out, strlen(out)), -1);
	probe_re_free(re);
	/* Without EXTRACT, the SUMMARY line. */
	ck_assert_int_eq(probe_usage(NULL, alloc_spool, strlen(alloc_spool)),
	    19);
}
END_TEST

START_TEST(test_extract_bad)
{
	struct probe_re	*re;
	char		*cause = NULL, *big;
	size_t		 n = 20000;

	ck_assert_ptr_null(probe_re_create("(unclosed", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "invalid regular expression"));
	free(cause);
	/* Catastrophic backtracking stops at the match limit: -2. */
	re = re_ok("^(a+)+$");
	big = malloc(n + 2);
	memset(big, 'a', n);
	big[n] = 'b';
	big[n + 1] = '\0';
	ck_assert_int_eq(probe_usage(re, big, n + 1), -2);
	free(big);
	probe_re_free(re);
	/* Invalid UTF-8 in the output is matched around, not an error. */
	re = re_ok("(\\d+)%");
	ck_assert_int_eq(probe_usage(re, "\xff\xfe 55%", 6), 55);
	probe_re_free(re);
	probe_re_free(NULL);
}
END_TEST

START_TEST(test_logon_builtin)
{
	char		 st[32];
	const char	*off = "HCPCQU045E BKRLNXD not logged on\n"
	    "Error: non-zero CP response for command 'QUERY USER BKRLNXD':"
	    " #45\n";

	/* CP's answer decides, whatever vmcp's exit status. */
	ck_assert_int_eq(probe_logon(NULL, off, strlen(off), "BKRLNXD", 1,
	    st, sizeof st), PROBE_OFF);
	ck_assert_int_eq(probe_logon(NULL, "BKRLNXD  - DSC\n", 15,
	    "BKRLNXD", 0, st, sizeof st), PROBE_ON);
	/* No answer: unknown, exit 0 or not. */
	ck_assert_int_eq(probe_logon(NULL, "", 0, "BKRLNXD", 0, st,
	    sizeof st), PROBE_UNKNOWN);
	ck_assert_int_eq(probe_logon(NULL, "garbage\n", 8, "BKRLNXD", 3, st,
	    sizeof st), PROBE_UNKNOWN);
}
END_TEST

START_TEST(test_logon_extract)
{
	struct probe_re	*re = re_ok("(?i)^bkrlnxd\\s+-\\s+\\S+");
	char		 st[32];
	const char	*off = "HCPCQU045E BKRLNXD not logged on\n";

	/* A match: logged on, whatever the status. */
	ck_assert_int_eq(probe_logon(re, "BKRLNXD  - DSC\n", 15, "BKRLNXD",
	    0, st, sizeof st), PROBE_ON);
	ck_assert_str_eq(st, "ON");
	ck_assert_int_eq(probe_logon(re, "BKRLNXD  - DSC\n", 15, "BKRLNXD",
	    2, st, sizeof st), PROBE_ON);
	/* No match and exit 0: not logged on. */
	ck_assert_int_eq(probe_logon(re, "nobody here\n", 12, "BKRLNXD", 0,
	    st, sizeof st), PROBE_OFF);
	ck_assert_str_eq(st, "OFF");
	/* No match, vmcp's exit 1, CP's HCPCQU045E: not logged on. */
	ck_assert_int_eq(probe_logon(re, off, strlen(off), "BKRLNXD", 1, st,
	    sizeof st), PROBE_OFF);
	/* No match and a failing probe: nothing is known. */
	ck_assert_int_eq(probe_logon(re, "vmcp: permission denied\n", 24,
	    "BKRLNXD", 3, st, sizeof st), PROBE_UNKNOWN);
	ck_assert_int_eq(probe_logon(re, "", 0, "BKRLNXD", 127, st,
	    sizeof st), PROBE_UNKNOWN);
	probe_re_free(re);
}
END_TEST

static Suite *
monitors_suite(void)
{
	Suite	*s = suite_create("monitors");
	TCase	*tc;

	tc = tcase_create("query user");
	tcase_add_test(tc, test_query_user_logged_on);
	tcase_add_test(tc, test_query_user_not_logged_on);
	tcase_add_test(tc, test_query_user_other_or_garbage);
	tcase_add_test(tc, test_query_user_state_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("query alloc");
	tcase_add_test(tc, test_query_alloc);
	tcase_add_test(tc, test_query_alloc_garbage);
	tcase_add_test(tc, test_percent);
	suite_add_tcase(s, tc);
	tc = tcase_create("extract");
	tcase_add_test(tc, test_extract_usage);
	tcase_add_test(tc, test_extract_bad);
	tcase_add_test(tc, test_logon_builtin);
	tcase_add_test(tc, test_logon_extract);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(monitors_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
