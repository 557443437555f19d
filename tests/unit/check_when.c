/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_when.c - unit tests for rules/when.c (DEFSCHD WHEN values) and
 * rules/calendar.c (month lengths and DEFDATE date lists): every accepted
 * form, every error with its exact cause, canonical round trips and the
 * English descriptions.  Runs under valgrind and ASan, so every test frees
 * what it allocates.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

/* Compare two struct when field by field, naming the text on failure. */
static void
check_when_eq(const char *text, const struct when *got,
    const struct when *want)
{
	ck_assert_msg(got->kind == want->kind, "%s: kind %d, want %d", text,
	    (int)got->kind, (int)want->kind);
	ck_assert_msg(got->hour == want->hour, "%s: hour %u, want %u", text,
	    got->hour, want->hour);
	ck_assert_msg(got->minute == want->minute, "%s: minute %u, want %u",
	    text, got->minute, want->minute);
	ck_assert_msg(got->dow == want->dow, "%s: dow %u, want %u", text,
	    got->dow, want->dow);
	ck_assert_msg(got->nth == want->nth, "%s: nth %u, want %u", text,
	    got->nth, want->nth);
	ck_assert_msg(got->mday == want->mday, "%s: mday %u, want %u", text,
	    got->mday, want->mday);
	ck_assert_msg(got->month == want->month, "%s: month %u, want %u",
	    text, got->month, want->month);
	ck_assert_msg(got->week_sel == want->week_sel,
	    "%s: week_sel %u, want %u", text, got->week_sel, want->week_sel);
	ck_assert_msg(got->week == want->week, "%s: week %u, want %u", text,
	    got->week, want->week);
	ck_assert_msg(got->isoday == want->isoday, "%s: isoday %u, want %u",
	    text, got->isoday, want->isoday);
	ck_assert_msg(got->after == want->after, "%s: after %u, want %u",
	    text, (unsigned)got->after, (unsigned)want->after);
}

/* Valid WHEN values: the text, its struct, canonical text, description. */
static const struct {
	const char	*text;
	struct when	 want;
	const char	*canon;
	const char	*desc;
} when_valid[] = {
	{ "05", { .kind = WHEN_HOURLY, .minute = 5 }, "05",
	  "every hour at minute 05" },
	{ "00", { .kind = WHEN_HOURLY, .minute = 0 }, "00",
	  "every hour at minute 00" },
	{ "59", { .kind = WHEN_HOURLY, .minute = 59 }, "59",
	  "every hour at minute 59" },
	{ "13:15", { .kind = WHEN_DAILY, .hour = 13, .minute = 15 },
	  "13:15", "daily at 13:15" },
	{ "00:00", { .kind = WHEN_DAILY }, "00:00", "daily at 00:00" },
	{ "23:59", { .kind = WHEN_DAILY, .hour = 23, .minute = 59 },
	  "23:59", "daily at 23:59" },
	{ "THU-13:15", { .kind = WHEN_WEEKLY, .dow = DOW_THU, .hour = 13,
	  .minute = 15 }, "THU-13:15", "weekly on Thursday at 13:15" },
	{ "MON-00:01", { .kind = WHEN_WEEKLY, .dow = DOW_MON, .minute = 1 },
	  "MON-00:01", "weekly on Monday at 00:01" },
	{ "TUE-01:00", { .kind = WHEN_WEEKLY, .dow = DOW_TUE, .hour = 1 },
	  "TUE-01:00", "weekly on Tuesday at 01:00" },
	{ "TUES-01:00", { .kind = WHEN_WEEKLY, .dow = DOW_TUE, .hour = 1 },
	  "TUE-01:00", "weekly on Tuesday at 01:00" },
	{ "WED-02:00", { .kind = WHEN_WEEKLY, .dow = DOW_WED, .hour = 2 },
	  "WED-02:00", "weekly on Wednesday at 02:00" },
	{ "WEDS-02:00", { .kind = WHEN_WEEKLY, .dow = DOW_WED, .hour = 2 },
	  "WED-02:00", "weekly on Wednesday at 02:00" },
	{ "THUR-03:00", { .kind = WHEN_WEEKLY, .dow = DOW_THU, .hour = 3 },
	  "THU-03:00", "weekly on Thursday at 03:00" },
	{ "THURS-03:00", { .kind = WHEN_WEEKLY, .dow = DOW_THU, .hour = 3 },
	  "THU-03:00", "weekly on Thursday at 03:00" },
	{ "FRI-04:00", { .kind = WHEN_WEEKLY, .dow = DOW_FRI, .hour = 4 },
	  "FRI-04:00", "weekly on Friday at 04:00" },
	{ "SAT-05:00", { .kind = WHEN_WEEKLY, .dow = DOW_SAT, .hour = 5 },
	  "SAT-05:00", "weekly on Saturday at 05:00" },
	{ "SUN-23:59", { .kind = WHEN_WEEKLY, .dow = DOW_SUN, .hour = 23,
	  .minute = 59 }, "SUN-23:59", "weekly on Sunday at 23:59" },
	{ "15-10:00", { .kind = WHEN_MONTHLY, .mday = 15, .hour = 10 },
	  "15-10:00", "monthly on day 15 at 10:00" },
	{ "01-00:00", { .kind = WHEN_MONTHLY, .mday = 1 }, "01-00:00",
	  "monthly on day 1 at 00:00" },
	{ "31-12:30", { .kind = WHEN_MONTHLY, .mday = 31, .hour = 12,
	  .minute = 30 }, "31-12:30", "monthly on day 31 at 12:30" },
	{ "EM-23:00", { .kind = WHEN_MONTH_END, .hour = 23 }, "EM-23:00",
	  "monthly on the last day at 23:00" },
	{ "LSTFRI-23:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 0,
	  .dow = DOW_FRI, .hour = 23 }, "LSTFRI-23:00",
	  "monthly on the last Friday at 23:00" },
	{ "1STWKD-06:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 1,
	  .dow = DOW_WKD, .hour = 6 }, "1STWKD-06:00",
	  "monthly on the first weekday at 06:00" },
	{ "2NDWKE-09:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 2,
	  .dow = DOW_WKE, .hour = 9 }, "2NDWKE-09:00",
	  "monthly on the second weekend day at 09:00" },
	{ "3RDTUES-07:45", { .kind = WHEN_NTH_WEEKDAY, .nth = 3,
	  .dow = DOW_TUE, .hour = 7, .minute = 45 }, "3RDTUE-07:45",
	  "monthly on the third Tuesday at 07:45" },
	{ "4THSUN-00:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 4,
	  .dow = DOW_SUN }, "4THSUN-00:00",
	  "monthly on the fourth Sunday at 00:00" },
	{ "5THMON-08:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 5,
	  .dow = DOW_MON, .hour = 8 }, "5THMON-08:00",
	  "monthly on the fifth Monday at 08:00" },
	{ "1STTHURS-08:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 1,
	  .dow = DOW_THU, .hour = 8 }, "1STTHU-08:00",
	  "monthly on the first Thursday at 08:00" },
	{ "12/25-08:00", { .kind = WHEN_YEARLY, .month = 12, .mday = 25,
	  .hour = 8 }, "12/25-08:00", "yearly on 12/25 at 08:00" },
	{ "02/29-10:00", { .kind = WHEN_YEARLY, .month = 2, .mday = 29,
	  .hour = 10 }, "02/29-10:00", "yearly on 02/29 at 10:00" },
	{ "01/31-00:00", { .kind = WHEN_YEARLY, .month = 1, .mday = 31 },
	  "01/31-00:00", "yearly on 01/31 at 00:00" },
	{ "IEV-5-18:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_EVEN,
	  .isoday = 5, .hour = 18 }, "IEV-5-18:00",
	  "in even ISO weeks on Friday at 18:00" },
	{ "IOD-3-06:30", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_ODD,
	  .isoday = 3, .hour = 6, .minute = 30 }, "IOD-3-06:30",
	  "in odd ISO weeks on Wednesday at 06:30" },
	{ "IFW-1-09:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_FIRST,
	  .isoday = 1, .hour = 9 }, "IFW-1-09:00",
	  "in the first ISO week on Monday at 09:00" },
	{ "ILW-7-22:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_LAST,
	  .isoday = 7, .hour = 22 }, "ILW-7-22:00",
	  "in the last ISO week on Sunday at 22:00" },
	{ "I07-1-08:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_NUMBER,
	  .week = 7, .isoday = 1, .hour = 8 }, "I07-1-08:00",
	  "in ISO week 07 on Monday at 08:00" },
	{ "I53-6-12:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_NUMBER,
	  .week = 53, .isoday = 6, .hour = 12 }, "I53-6-12:00",
	  "in ISO week 53 on Saturday at 12:00" },
	{ "NOW+01:30", { .kind = WHEN_ONCE_AFTER, .after = 5400 },
	  "NOW+01:30", "once, 01:30 after the schedule is defined" },
	{ "NOW+00:01", { .kind = WHEN_ONCE_AFTER, .after = 60 },
	  "NOW+00:01", "once, 00:01 after the schedule is defined" },
	{ "NOW+99:59", { .kind = WHEN_ONCE_AFTER,
	  .after = 99 * 3600 + 59 * 60 }, "NOW+99:59",
	  "once, 99:59 after the schedule is defined" },
	/* Case does not matter; the canonical text is upper case. */
	{ "thu-13:15", { .kind = WHEN_WEEKLY, .dow = DOW_THU, .hour = 13,
	  .minute = 15 }, "THU-13:15", "weekly on Thursday at 13:15" },
	{ "Tues-01:00", { .kind = WHEN_WEEKLY, .dow = DOW_TUE, .hour = 1 },
	  "TUE-01:00", "weekly on Tuesday at 01:00" },
	{ "em-23:00", { .kind = WHEN_MONTH_END, .hour = 23 }, "EM-23:00",
	  "monthly on the last day at 23:00" },
	{ "lstfri-23:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 0,
	  .dow = DOW_FRI, .hour = 23 }, "LSTFRI-23:00",
	  "monthly on the last Friday at 23:00" },
	{ "1stWkd-06:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 1,
	  .dow = DOW_WKD, .hour = 6 }, "1STWKD-06:00",
	  "monthly on the first weekday at 06:00" },
	{ "2ndwke-09:00", { .kind = WHEN_NTH_WEEKDAY, .nth = 2,
	  .dow = DOW_WKE, .hour = 9 }, "2NDWKE-09:00",
	  "monthly on the second weekend day at 09:00" },
	{ "iev-5-18:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_EVEN,
	  .isoday = 5, .hour = 18 }, "IEV-5-18:00",
	  "in even ISO weeks on Friday at 18:00" },
	{ "ilw-2-18:00", { .kind = WHEN_ISO_WEEK, .week_sel = WEEK_LAST,
	  .isoday = 2, .hour = 18 }, "ILW-2-18:00",
	  "in the last ISO week on Tuesday at 18:00" },
	{ "now+01:30", { .kind = WHEN_ONCE_AFTER, .after = 5400 },
	  "NOW+01:30", "once, 01:30 after the schedule is defined" }
};

/* Invalid WHEN values and the exact cause. */
static const struct {
	const char	*text;
	const char	*cause;
} when_invalid[] = {
	{ "", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, "
	  "nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, got ''" },
	{ "xyz", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, "
	  "nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, got 'xyz'" },
	{ "-10:00", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, "
	  "nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, "
	  "got '-10:00'" },
	{ "*-10:00", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, "
	  "nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, "
	  "got '*-10:00'" },
	{ "NOW", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, "
	  "nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, got 'NOW'" },
	/* mm */
	{ "60", "expected mm with two-digit mm 00-59, got '60'" },
	{ "5", "expected mm with two-digit mm 00-59, got '5'" },
	{ "005", "expected mm with two-digit mm 00-59, got '005'" },
	/* hh:mm */
	{ "24:00", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '24:00'" },
	{ "12:60", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '12:60'" },
	{ "8:05", "expected hh:mm with two-digit hh 00-23 and mm 00-59, "
	  "got '8:05'" },
	{ "08:5", "expected hh:mm with two-digit hh 00-23 and mm 00-59, "
	  "got '08:5'" },
	{ "08:05:00", "expected hh:mm with two-digit hh 00-23 and "
	  "mm 00-59, got '08:05:00'" },
	{ "ab:cd", "expected hh:mm with two-digit hh 00-23 and mm 00-59, "
	  "got 'ab:cd'" },
	/* dow-hh:mm */
	{ "THU-25:00", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '25:00'" },
	{ "THU-1315", "expected hh:mm with two-digit hh 00-23 and "
	  "mm 00-59, got '1315'" },
	{ "THU-", "expected hh:mm with two-digit hh 00-23 and mm 00-59, "
	  "got ''" },
	{ "THU-10:00-", "expected hh:mm with two-digit hh 00-23 and "
	  "mm 00-59, got '10:00-'" },
	{ "THX-10:00", "expected a day of the week MON, TUE, WED, THU, FRI, "
	  "SAT or SUN, got 'THX'" },
	{ "WKD-10:00", "expected a day of the week MON, TUE, WED, THU, FRI, "
	  "SAT or SUN, got 'WKD'" },
	{ "MONDAY-10:00", "expected a day of the week MON, TUE, WED, THU, "
	  "FRI, SAT or SUN, got 'MONDAY'" },
	/* dd-hh:mm */
	{ "00-10:00", "expected a day of the month dd 01-31 (two digits), "
	  "got '00'" },
	{ "32-10:00", "expected a day of the month dd 01-31 (two digits), "
	  "got '32'" },
	{ "1-10:00", "expected a day of the month dd 01-31 (two digits), "
	  "got '1'" },
	{ "001-10:00", "expected a day of the month dd 01-31 (two digits), "
	  "got '001'" },
	{ "15-24:00", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '24:00'" },
	/* EM-hh:mm */
	{ "EM-1:00", "expected hh:mm with two-digit hh 00-23 and mm 00-59, "
	  "got '1:00'" },
	/* nthdow-hh:mm */
	{ "6THMON-10:00", "expected nth 1ST, 2ND, 3RD, 4TH, 5TH or LST, "
	  "got '6TH'" },
	{ "1THMON-10:00", "expected nth 1ST, 2ND, 3RD, 4TH, 5TH or LST, "
	  "got '1TH'" },
	{ "10THMON-10:00", "expected nth 1ST, 2ND, 3RD, 4TH, 5TH or LST, "
	  "got '10TH'" },
	{ "0THMON-10:00", "expected nth 1ST, 2ND, 3RD, 4TH, 5TH or LST, "
	  "got '0TH'" },
	{ "1STXYZ-10:00", "expected nthdow with dow MON, TUE, WED, THU, FRI, "
	  "SAT, SUN, WKD or WKE, got '1STXYZ'" },
	{ "LST-10:00", "expected nthdow with dow MON, TUE, WED, THU, FRI, "
	  "SAT, SUN, WKD or WKE, got 'LST'" },
	{ "LSTFRI-23:60", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '23:60'" },
	/* mm/dd-hh:mm */
	{ "02/30-10:00", "expected a day 01-29 for February, got '02/30'" },
	{ "04/31-10:00", "expected a day 01-30 for April, got '04/31'" },
	{ "01/00-10:00", "expected a day 01-31 for January, got '01/00'" },
	{ "13/01-10:00", "expected a month 01-12, got '13/01'" },
	{ "00/01-10:00", "expected a month 01-12, got '00/01'" },
	{ "1/5-10:00", "expected mm/dd with two-digit mm 01-12 and "
	  "dd 01-31, got '1/5'" },
	{ "12/25/2026-10:00", "expected mm/dd with two-digit mm 01-12 and "
	  "dd 01-31, got '12/25/2026'" },
	{ "12/25-25:00", "expected hh:mm with hh 00-23 and mm 00-59, "
	  "got '25:00'" },
	/* Iwk-d-hh:mm */
	{ "I54-1-10:00", "expected an ISO week I01-I53, IFW, ILW, IEV or "
	  "IOD, got 'I54'" },
	{ "I00-1-10:00", "expected an ISO week I01-I53, IFW, ILW, IEV or "
	  "IOD, got 'I00'" },
	{ "I7-1-10:00", "expected an ISO week I01-I53, IFW, ILW, IEV or "
	  "IOD, got 'I7'" },
	{ "IXX-1-10:00", "expected an ISO week I01-I53, IFW, ILW, IEV or "
	  "IOD, got 'IXX'" },
	{ "I01-8-10:00", "expected an ISO day 1 (Monday) to 7 (Sunday), "
	  "got '8'" },
	{ "I01-0-10:00", "expected an ISO day 1 (Monday) to 7 (Sunday), "
	  "got '0'" },
	{ "I01-11-10:00", "expected an ISO day 1 (Monday) to 7 (Sunday), "
	  "got '11'" },
	{ "I01-10:00", "expected Iwk-d-hh:mm, got 'I01-10:00'" },
	{ "IEV-5-18:0", "expected hh:mm with two-digit hh 00-23 and "
	  "mm 00-59, got '18:0'" },
	/* NOW+hh:mm */
	{ "NOW+00:00", "expected NOW+hh:mm of at least one minute, "
	  "got 'NOW+00:00'" },
	{ "NOW+01:60", "expected NOW+hh:mm with two-digit hh 00-99 and "
	  "mm 00-59, got 'NOW+01:60'" },
	{ "NOW+1:30", "expected NOW+hh:mm with two-digit hh 00-99 and "
	  "mm 00-59, got 'NOW+1:30'" },
	{ "NOW+100:00", "expected NOW+hh:mm with two-digit hh 00-99 and "
	  "mm 00-59, got 'NOW+100:00'" },
	{ "now+", "expected NOW+hh:mm with two-digit hh 00-99 and "
	  "mm 00-59, got 'now+'" },
	/* Unprintable bytes are escaped, never copied into the cause. */
	{ "THU\x1b-10:00", "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, "
	  "EM-hh:mm, nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm, "
	  "got 'THU\\x1b-10:00'" }
};

START_TEST(test_when_parse_valid)
{
	struct when	 w;
	char		*cause = NULL;
	const char	*text = when_valid[_i].text;

	ck_assert_msg(when_parse(text, &w, &cause) == 0, "%s: %s", text,
	    cause != NULL ? cause : "?");
	ck_assert_ptr_null(cause);
	check_when_eq(text, &w, &when_valid[_i].want);
}
END_TEST

START_TEST(test_when_parse_invalid)
{
	struct when	 w;
	char		*cause = NULL;
	const char	*text = when_invalid[_i].text;

	memset(&w, 0xff, sizeof w);
	ck_assert_msg(when_parse(text, &w, &cause) == -1, "%s: accepted",
	    text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, when_invalid[_i].cause);
	/* A failed parse leaves nothing half filled in. */
	ck_assert_int_eq(w.kind, WHEN_NONE);
	ck_assert_uint_eq(w.hour, 0);
	ck_assert_uint_eq(w.dow, 0);
	ck_assert_uint_eq(w.after, 0);
	free(cause);
}
END_TEST

START_TEST(test_when_parse_null_cause)
{
	struct when	 w;

	ck_assert_int_eq(when_parse("xyz", &w, NULL), -1);
	ck_assert_int_eq(when_parse("02/30-10:00", &w, NULL), -1);
	ck_assert_int_eq(w.kind, WHEN_NONE);
	ck_assert_int_eq(when_parse("13:15", &w, NULL), 0);
	ck_assert_int_eq(w.kind, WHEN_DAILY);
}
END_TEST

/* Every hh:mm from 00:00 to 23:59 is accepted and formats back as given. */
START_TEST(test_when_parse_all_times)
{
	struct when	 w;
	struct strbuf	 sb;
	char		 text[16];
	int		 h, m;

	strbuf_init(&sb);
	for (h = 0; h < 24; h++) {
		for (m = 0; m < 60; m++) {
			snprintf(text, sizeof text, "%02d:%02d", h, m);
			ck_assert_int_eq(when_parse(text, &w, NULL), 0);
			ck_assert_int_eq(w.kind, WHEN_DAILY);
			ck_assert_int_eq(w.hour, h);
			ck_assert_int_eq(w.minute, m);
			strbuf_reset(&sb);
			when_format(&w, &sb);
			ck_assert_str_eq(sb.data, text);
		}
	}
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_when_format_roundtrip)
{
	struct when	 w, again;
	struct strbuf	 sb, sb2;
	const char	*text = when_valid[_i].text;

	strbuf_init(&sb);
	strbuf_init(&sb2);
	ck_assert_int_eq(when_parse(text, &w, NULL), 0);
	when_format(&w, &sb);
	ck_assert_str_eq(sb.data, when_valid[_i].canon);

	ck_assert_int_eq(when_parse(sb.data, &again, NULL), 0);
	check_when_eq(sb.data, &again, &w);
	when_format(&again, &sb2);
	ck_assert_str_eq(sb2.data, sb.data);
	strbuf_free(&sb);
	strbuf_free(&sb2);
}
END_TEST

START_TEST(test_when_format_appends)
{
	struct when	 w;
	struct strbuf	 sb;

	strbuf_init(&sb);
	strbuf_adds(&sb, "WHEN(");
	ck_assert_int_eq(when_parse("lstfri-23:00", &w, NULL), 0);
	when_format(&w, &sb);
	strbuf_addc(&sb, ')');
	ck_assert_str_eq(sb.data, "WHEN(LSTFRI-23:00)");
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_when_format_none)
{
	struct when	 w;
	struct strbuf	 sb;

	memset(&w, 0, sizeof w);
	strbuf_init(&sb);
	strbuf_adds(&sb, "x");
	when_format(&w, &sb);
	ck_assert_str_eq(sb.data, "x");
	strbuf_reset(&sb);
	when_describe(&w, &sb);
	ck_assert_str_eq(sb.data, "never");
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_when_describe)
{
	struct when	 w;
	struct strbuf	 sb;

	strbuf_init(&sb);
	ck_assert_int_eq(when_parse(when_valid[_i].text, &w, NULL), 0);
	when_describe(&w, &sb);
	ck_assert_str_eq(sb.data, when_valid[_i].desc);
	strbuf_free(&sb);
}
END_TEST

/* calendar_days_in_month: year, month, days. */
static const struct {
	int	 year, month, days;
} cal_dim[] = {
	{ 2026, 1, 31 }, { 2026, 2, 28 }, { 2026, 3, 31 }, { 2026, 4, 30 },
	{ 2026, 5, 31 }, { 2026, 6, 30 }, { 2026, 7, 31 }, { 2026, 8, 31 },
	{ 2026, 9, 30 }, { 2026, 10, 31 }, { 2026, 11, 30 },
	{ 2026, 12, 31 },
	{ 2024, 2, 29 }, { 2028, 2, 29 }, { 2000, 2, 29 }, { 2400, 2, 29 },
	{ 1900, 2, 28 }, { 2100, 2, 28 }, { 2023, 2, 28 },
	{ 0, 2, 29 }, { 0, 1, 31 }, { 0, 4, 30 }, { 0, 12, 31 },
	{ 2026, 0, 0 }, { 2026, 13, 0 }, { 0, -1, 0 }
};

START_TEST(test_cal_days_in_month)
{
	ck_assert_msg(calendar_days_in_month(cal_dim[_i].year,
	    cal_dim[_i].month) == cal_dim[_i].days, "%04d/%02d: %d, want %d",
	    cal_dim[_i].year, cal_dim[_i].month,
	    calendar_days_in_month(cal_dim[_i].year, cal_dim[_i].month),
	    cal_dim[_i].days);
}
END_TEST

static void
check_range(const struct daterange *dr, int y1, int m1, int d1, int y2,
    int m2, int d2)
{
	ck_assert_int_eq(dr->y1, y1);
	ck_assert_int_eq(dr->m1, m1);
	ck_assert_int_eq(dr->d1, d1);
	ck_assert_int_eq(dr->y2, y2);
	ck_assert_int_eq(dr->m2, m2);
	ck_assert_int_eq(dr->d2, d2);
}

START_TEST(test_cal_parse_single)
{
	struct datelist	 dl;
	char		*cause = NULL;

	ck_assert_int_eq(calendar_parse_dates("2026/12/25", &dl, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(dl.n, 1);
	check_range(&dl.v[0], 2026, 12, 25, 2026, 12, 25);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("12/25", &dl, &cause), 0);
	ck_assert_uint_eq(dl.n, 1);
	check_range(&dl.v[0], 0, 12, 25, 0, 12, 25);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("02/29", &dl, &cause), 0);
	check_range(&dl.v[0], 0, 2, 29, 0, 2, 29);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("2028/02/29", &dl, &cause), 0);
	check_range(&dl.v[0], 2028, 2, 29, 2028, 2, 29);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("1970/01/01", &dl, &cause), 0);
	check_range(&dl.v[0], 1970, 1, 1, 1970, 1, 1);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("2999/12/31", &dl, &cause), 0);
	check_range(&dl.v[0], 2999, 12, 31, 2999, 12, 31);
	free(dl.v);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_cal_parse_ranges)
{
	struct datelist	 dl;
	char		*cause = NULL;

	ck_assert_int_eq(calendar_parse_dates("2026/12/24-2026/12/26", &dl,
	    &cause), 0);
	ck_assert_uint_eq(dl.n, 1);
	check_range(&dl.v[0], 2026, 12, 24, 2026, 12, 26);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("2026/12/24-2027/01/02", &dl,
	    &cause), 0);
	check_range(&dl.v[0], 2026, 12, 24, 2027, 1, 2);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("12/24-01/02", &dl, &cause), 0);
	check_range(&dl.v[0], 0, 12, 24, 0, 1, 2);
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("07/01-08/31", &dl, &cause), 0);
	check_range(&dl.v[0], 0, 7, 1, 0, 8, 31);
	free(dl.v);

	/* A one-day range is the same as the single date. */
	ck_assert_int_eq(calendar_parse_dates("2026/05/01-2026/05/01", &dl,
	    &cause), 0);
	check_range(&dl.v[0], 2026, 5, 1, 2026, 5, 1);
	free(dl.v);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_cal_parse_list)
{
	struct datelist	 dl;
	char		*cause = NULL;

	ck_assert_int_eq(calendar_parse_dates("01/01,2026/04/03-2026/04/06,"
	    "12/24-01/02,2026/05/25", &dl, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(dl.n, 4);
	check_range(&dl.v[0], 0, 1, 1, 0, 1, 1);
	check_range(&dl.v[1], 2026, 4, 3, 2026, 4, 6);
	check_range(&dl.v[2], 0, 12, 24, 0, 1, 2);
	check_range(&dl.v[3], 2026, 5, 25, 2026, 5, 25);
	free(dl.v);
}
END_TEST

/* Canonical texts: each must format back exactly as given. */
static const char *const cal_canon[] = {
	"2026/12/25",
	"12/25",
	"2026/12/24-2026/12/26",
	"12/24-01/02",
	"02/29",
	"2028/02/29",
	"01/01,2026/04/03-2026/04/06,12/24-01/02,2026/05/25",
	"1970/01/01-2999/12/31",
	"03/01-02/29"
};

START_TEST(test_cal_format_roundtrip)
{
	struct datelist	 dl, again;
	struct strbuf	 sb, sb2;
	size_t		 i;

	strbuf_init(&sb);
	strbuf_init(&sb2);
	ck_assert_int_eq(calendar_parse_dates(cal_canon[_i], &dl, NULL), 0);
	calendar_format_dates(&dl, &sb);
	ck_assert_str_eq(sb.data, cal_canon[_i]);

	ck_assert_int_eq(calendar_parse_dates(sb.data, &again, NULL), 0);
	ck_assert_uint_eq(again.n, dl.n);
	for (i = 0; i < dl.n; i++) {
		check_range(&again.v[i], dl.v[i].y1, dl.v[i].m1, dl.v[i].d1,
		    dl.v[i].y2, dl.v[i].m2, dl.v[i].d2);
	}
	calendar_format_dates(&again, &sb2);
	ck_assert_str_eq(sb2.data, sb.data);
	free(dl.v);
	free(again.v);
	strbuf_free(&sb);
	strbuf_free(&sb2);
}
END_TEST

START_TEST(test_cal_format_normalises)
{
	struct datelist	 dl;
	struct strbuf	 sb;

	strbuf_init(&sb);
	ck_assert_int_eq(calendar_parse_dates("2026/05/01-2026/05/01,"
	    "12/25-12/25", &dl, NULL), 0);
	calendar_format_dates(&dl, &sb);
	ck_assert_str_eq(sb.data, "2026/05/01,12/25");
	free(dl.v);

	/* An empty list formats as nothing. */
	dl.v = NULL;
	dl.n = 0;
	strbuf_reset(&sb);
	strbuf_adds(&sb, "x");
	calendar_format_dates(&dl, &sb);
	ck_assert_str_eq(sb.data, "x");
	strbuf_free(&sb);
}
END_TEST

/* Invalid date lists and the exact cause. */
static const struct {
	const char	*text;
	const char	*cause;
} cal_invalid[] = {
	{ "", "expected a date or a range in every comma-separated item, "
	  "got an empty item in ''" },
	{ "12/25,,01/01", "expected a date or a range in every "
	  "comma-separated item, got an empty item in '12/25,,01/01'" },
	{ "12/25,", "expected a date or a range in every comma-separated "
	  "item, got an empty item in '12/25,'" },
	{ ",12/25", "expected a date or a range in every comma-separated "
	  "item, got an empty item in ',12/25'" },
	{ "2026/02/29", "expected a day 01-28 for February (2026 is not a "
	  "leap year), got '2026/02/29'" },
	{ "2100/02/29", "expected a day 01-28 for February (2100 is not a "
	  "leap year), got '2100/02/29'" },
	{ "02/30", "expected a day 01-29 for February, got '02/30'" },
	{ "2024/02/30", "expected a day 01-29 for February, "
	  "got '2024/02/30'" },
	{ "04/31", "expected a day 01-30 for April, got '04/31'" },
	{ "2026/06/31", "expected a day 01-30 for June, got '2026/06/31'" },
	{ "01/32", "expected a day 01-31 for January, got '01/32'" },
	{ "01/00", "expected a day 01-31 for January, got '01/00'" },
	{ "13/01", "expected a month 01-12, got '13/01'" },
	{ "00/10", "expected a month 01-12, got '00/10'" },
	{ "2026/13/01", "expected a month 01-12, got '2026/13/01'" },
	{ "1969/12/31", "expected a year 1970-2999, got '1969/12/31'" },
	{ "3000/01/01", "expected a year 1970-2999, got '3000/01/01'" },
	{ "0000/01/01", "expected a year 1970-2999, got '0000/01/01'" },
	{ "1/1", "expected yyyy/mm/dd or mm/dd, got '1/1'" },
	{ "2026/1/01", "expected yyyy/mm/dd or mm/dd, got '2026/1/01'" },
	{ "26/12/25", "expected yyyy/mm/dd or mm/dd, got '26/12/25'" },
	{ "2026-12-25", "expected yyyy/mm/dd or mm/dd, got '2026'" },
	{ "12.25", "expected yyyy/mm/dd or mm/dd, got '12.25'" },
	{ "12/25 ", "expected yyyy/mm/dd or mm/dd, got '12/25 '" },
	{ "12/25, 01/01", "expected yyyy/mm/dd or mm/dd, got ' 01/01'" },
	{ "christmas", "expected yyyy/mm/dd or mm/dd, got 'christmas'" },
	{ "12/24-", "expected yyyy/mm/dd or mm/dd, got ''" },
	{ "-12/24", "expected yyyy/mm/dd or mm/dd, got ''" },
	{ "12/24-12/25-12/26", "expected yyyy/mm/dd or mm/dd, "
	  "got '12/25-12/26'" },
	{ "2026/12/24-12/26", "expected both ends of a range as "
	  "yyyy/mm/dd or both as mm/dd, got '2026/12/24-12/26'" },
	{ "12/24-2026/12/26", "expected both ends of a range as "
	  "yyyy/mm/dd or both as mm/dd, got '12/24-2026/12/26'" },
	{ "2026/12/26-2026/12/24", "expected a range whose start is not "
	  "after its end, got '2026/12/26-2026/12/24'" },
	{ "2027/01/01-2026/12/31", "expected a range whose start is not "
	  "after its end, got '2027/01/01-2026/12/31'" },
	{ "12/24-02/30", "expected a day 01-29 for February, got '02/30'" },
	/* An error late in a list: earlier items are freed. */
	{ "01/01,12/25,2026/02/29", "expected a day 01-28 for February "
	  "(2026 is not a leap year), got '2026/02/29'" },
	{ "12/25\x07", "expected yyyy/mm/dd or mm/dd, got '12/25\\x07'" }
};

START_TEST(test_cal_parse_invalid)
{
	struct datelist	 dl;
	char		*cause = NULL;
	const char	*text = cal_invalid[_i].text;

	dl.v = (void *)&dl;
	dl.n = 42;
	ck_assert_msg(calendar_parse_dates(text, &dl, &cause) == -1,
	    "%s: accepted", text);
	ck_assert_ptr_null(dl.v);
	ck_assert_uint_eq(dl.n, 0);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, cal_invalid[_i].cause);
	free(cause);

	/* Without a cause pointer it fails the same way. */
	ck_assert_int_eq(calendar_parse_dates(text, &dl, NULL), -1);
	ck_assert_ptr_null(dl.v);
	ck_assert_uint_eq(dl.n, 0);
}
END_TEST

START_TEST(test_cal_contains_single)
{
	struct datelist	 dl;

	ck_assert_int_eq(calendar_parse_dates("2026/12/25,07/04", &dl, NULL),
	    0);
	ck_assert(calendar_contains(&dl, 2026, 12, 25));
	ck_assert(!calendar_contains(&dl, 2027, 12, 25));
	ck_assert(!calendar_contains(&dl, 2026, 12, 24));
	ck_assert(!calendar_contains(&dl, 2026, 12, 26));
	ck_assert(calendar_contains(&dl, 2026, 7, 4));
	ck_assert(calendar_contains(&dl, 1999, 7, 4));
	ck_assert(calendar_contains(&dl, 2500, 7, 4));
	ck_assert(!calendar_contains(&dl, 2026, 7, 5));
	ck_assert(!calendar_contains(&dl, 2026, 4, 7));
	free(dl.v);
}
END_TEST

START_TEST(test_cal_contains_ranges)
{
	struct datelist	 dl;

	ck_assert_int_eq(calendar_parse_dates("2026/12/24-2027/01/02", &dl,
	    NULL), 0);
	ck_assert(!calendar_contains(&dl, 2026, 12, 23));
	ck_assert(calendar_contains(&dl, 2026, 12, 24));
	ck_assert(calendar_contains(&dl, 2026, 12, 31));
	ck_assert(calendar_contains(&dl, 2027, 1, 1));
	ck_assert(calendar_contains(&dl, 2027, 1, 2));
	ck_assert(!calendar_contains(&dl, 2027, 1, 3));
	ck_assert(!calendar_contains(&dl, 2027, 12, 25));
	ck_assert(!calendar_contains(&dl, 2025, 12, 31));
	free(dl.v);

	/* A yearly range, not wrapping. */
	ck_assert_int_eq(calendar_parse_dates("07/15-08/15", &dl, NULL), 0);
	ck_assert(!calendar_contains(&dl, 2026, 7, 14));
	ck_assert(calendar_contains(&dl, 2026, 7, 15));
	ck_assert(calendar_contains(&dl, 2030, 7, 31));
	ck_assert(calendar_contains(&dl, 1990, 8, 15));
	ck_assert(!calendar_contains(&dl, 2026, 8, 16));
	ck_assert(!calendar_contains(&dl, 2026, 1, 1));
	free(dl.v);
}
END_TEST

START_TEST(test_cal_contains_wrapping)
{
	struct datelist	 dl;

	ck_assert_int_eq(calendar_parse_dates("12/24-01/02", &dl, NULL), 0);
	ck_assert(!calendar_contains(&dl, 2026, 12, 23));
	ck_assert(calendar_contains(&dl, 2026, 12, 24));
	ck_assert(calendar_contains(&dl, 2026, 12, 31));
	ck_assert(calendar_contains(&dl, 2027, 1, 1));
	ck_assert(calendar_contains(&dl, 2026, 1, 2));
	ck_assert(!calendar_contains(&dl, 2026, 1, 3));
	ck_assert(!calendar_contains(&dl, 2026, 6, 15));
	ck_assert(!calendar_contains(&dl, 2026, 11, 30));
	free(dl.v);
}
END_TEST

START_TEST(test_cal_contains_feb29)
{
	struct datelist	 dl;

	ck_assert_int_eq(calendar_parse_dates("02/29", &dl, NULL), 0);
	ck_assert(calendar_contains(&dl, 2028, 2, 29));
	ck_assert(!calendar_contains(&dl, 2028, 2, 28));
	ck_assert(!calendar_contains(&dl, 2028, 3, 1));
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("2024/02/29", &dl, NULL), 0);
	ck_assert(calendar_contains(&dl, 2024, 2, 29));
	ck_assert(!calendar_contains(&dl, 2028, 2, 29));
	free(dl.v);

	/* Feb 29 is inside a yearly range spanning it in a leap year. */
	ck_assert_int_eq(calendar_parse_dates("02/28-03/01", &dl, NULL), 0);
	ck_assert(calendar_contains(&dl, 2024, 2, 29));
	ck_assert(calendar_contains(&dl, 2026, 2, 28));
	ck_assert(calendar_contains(&dl, 2026, 3, 1));
	ck_assert(!calendar_contains(&dl, 2026, 3, 2));
	free(dl.v);

	ck_assert_int_eq(calendar_parse_dates("2024/02/28-2024/03/01", &dl,
	    NULL), 0);
	ck_assert(calendar_contains(&dl, 2024, 2, 29));
	ck_assert(!calendar_contains(&dl, 2024, 3, 2));
	free(dl.v);
}
END_TEST

START_TEST(test_cal_contains_empty)
{
	struct datelist	 dl = { NULL, 0 };

	ck_assert(!calendar_contains(&dl, 2026, 12, 25));
}
END_TEST

static Suite *
when_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("when");

	tc = tcase_create("parse_valid");
	tcase_add_loop_test(tc, test_when_parse_valid, 0,
	    (int)nitems(when_valid));
	tcase_add_test(tc, test_when_parse_all_times);
	tcase_add_test(tc, test_when_parse_null_cause);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_invalid");
	tcase_add_loop_test(tc, test_when_parse_invalid, 0,
	    (int)nitems(when_invalid));
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_when_format_roundtrip, 0,
	    (int)nitems(when_valid));
	tcase_add_test(tc, test_when_format_appends);
	tcase_add_test(tc, test_when_format_none);
	suite_add_tcase(s, tc);

	tc = tcase_create("describe");
	tcase_add_loop_test(tc, test_when_describe, 0,
	    (int)nitems(when_valid));
	suite_add_tcase(s, tc);

	return s;
}

static Suite *
calendar_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("calendar");

	tc = tcase_create("days_in_month");
	tcase_add_loop_test(tc, test_cal_days_in_month, 0,
	    (int)nitems(cal_dim));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_cal_parse_single);
	tcase_add_test(tc, test_cal_parse_ranges);
	tcase_add_test(tc, test_cal_parse_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_invalid");
	tcase_add_loop_test(tc, test_cal_parse_invalid, 0,
	    (int)nitems(cal_invalid));
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_cal_format_roundtrip, 0,
	    (int)nitems(cal_canon));
	tcase_add_test(tc, test_cal_format_normalises);
	suite_add_tcase(s, tc);

	tc = tcase_create("contains");
	tcase_add_test(tc, test_cal_contains_single);
	tcase_add_test(tc, test_cal_contains_ranges);
	tcase_add_test(tc, test_cal_contains_wrapping);
	tcase_add_test(tc, test_cal_contains_feb29);
	tcase_add_test(tc, test_cal_contains_empty);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(when_suite());
	srunner_add_suite(sr, calendar_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
