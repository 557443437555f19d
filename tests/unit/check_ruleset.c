/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_ruleset.c - unit tests for rules/load.c, rules/ruleset.c,
 * rules/xref.c and rules/dump.c: loading real files from a private temp
 * directory (INCLUDE relative to the including file, missing files,
 * cycles, glob patterns in sorted order, the depth limit, directories),
 * duplicate names, forward and missing references, NEXTACTN loops,
 * lookups, the summary line and the dump round trip.  Every test removes
 * the files it made.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

/* --- a private directory --------------------------------------------- */

/*
 * One base directory per test case, made and removed in the parent (so a
 * failed test in a forked child leaves nothing behind), and a fresh
 * directory inside it for each test.
 */
static char	 basedir[64];
static char	 tmpdir[96];

static int
tmp_remove_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static void
tmp_remove_tree(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, tmp_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
base_setup(void)
{
	strcpy(basedir, "/tmp/vigil-ut-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(basedir));
}

static void
base_teardown(void)
{
	tmp_remove_tree(basedir);
	basedir[0] = '\0';
}

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/t-XXXXXX", basedir);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	tmp_remove_tree(tmpdir);
	tmpdir[0] = '\0';
}

/* The full name of a file in the directory (caller frees). */
static char *
tmp_path(const char *rel)
{
	char	*path;

	xasprintf(&path, "%s/%s", tmpdir, rel);
	return path;
}

/* Write a file, making its parent directories. */
static void
tmp_write(const char *rel, const char *text)
{
	char	*path;
	size_t	 i;
	FILE	*f;

	path = tmp_path(rel);
	for (i = strlen(tmpdir) + 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		ck_assert_msg(mkdir(path, 0700) == 0 || errno == EEXIST,
		    "mkdir %s: %s", path, strerror(errno));
		path[i] = '/';
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

/* Load a file of the directory; the diagnostics come back in *errs. */
static struct ruleset *
tmp_load(const char *rel, char **errs)
{
	struct diag	 diag;
	struct ruleset	*rs;
	char		*path;

	path = tmp_path(rel);
	diag_init(&diag);
	rs = ruleset_load(path, &diag);
	*errs = tu_diag_string(&diag);
	if (rs == NULL)
		ck_assert_uint_gt(diag.errors, 0);
	else
		ck_assert_uint_eq(diag.errors, 0);
	diag_free(&diag);
	free(path);
	return rs;
}

/* A file that must load. */
static struct ruleset *
tmp_load_ok(const char *rel)
{
	struct ruleset	*rs;
	char		*errs;

	rs = tmp_load(rel, &errs);
	ck_assert_msg(rs != NULL, "%s did not load:\n%s", rel, errs);
	free(errs);
	return rs;
}

/*
 * A file that must fail with exactly these errors; "@" in want stands
 * for the directory.
 */
static void
tmp_check_errors(const char *rel, const char *want)
{
	struct ruleset	*rs;
	struct strbuf	 sb;
	char		*errs;
	const char	*p;

	strbuf_init(&sb);
	for (p = want; *p != '\0'; p++) {
		if (*p == '@')
			strbuf_adds(&sb, tmpdir);
		else
			strbuf_addc(&sb, *p);
	}
	rs = tmp_load(rel, &errs);
	ruleset_free(rs);
	ck_assert_msg(rs == NULL, "%s loaded", rel);
	ck_assert_msg(strcmp(errs, sb.data) == 0, "got:\n%s\nwant:\n%s", errs,
	    sb.data);
	free(errs);
	strbuf_free(&sb);
}

/* The file a definition came from, relative to the directory. */
static const char *
rel_file(const struct def *d)
{
	size_t	 n = strlen(tmpdir);

	ck_assert_ptr_nonnull(d->loc.file);
	ck_assert_msg(strncmp(d->loc.file, tmpdir, n) == 0 &&
	    d->loc.file[n] == '/', "%s", d->loc.file);
	return d->loc.file + n + 1;
}

/* --- INCLUDE --------------------------------------------------------- */

START_TEST(test_include_relative)
{
	struct ruleset		*rs;
	const struct def	*d;
	char			*main_path;

	tmp_write("main.rules", "DEFRULE NAME R1 MATCH x ACTION B1\n"
	    "INCLUDE sub/a.rules\n"
	    "DEFRULE NAME R2 MATCH x ACTION A1\n");
	/* Relative to sub/, the directory of the including file. */
	tmp_write("sub/a.rules", "DEFACTN NAME A1 COMMAND x\n"
	    "INCLUDE 'b.rules'\n");
	tmp_write("sub/b.rules", "* b\nDEFACTN NAME B1 COMMAND x\n");
	tmp_write("b.rules", "DEFACTN NAME WRONG COMMAND x\n");
	rs = tmp_load_ok("main.rules");
	ck_assert_uint_eq(ruleset_size(rs), 4);
	ck_assert_ptr_null(ruleset_find(rs, DEF_ACTION, "WRONG"));
	d = tu_find(rs, DEF_ACTION, "B1");
	ck_assert_str_eq(rel_file(d), "sub/b.rules");
	ck_assert_uint_eq(d->loc.line, 2);
	ck_assert_uint_eq(d->loc.col, 1);
	d = tu_find(rs, DEF_ACTION, "A1");
	ck_assert_str_eq(rel_file(d), "sub/a.rules");
	d = tu_find(rs, DEF_RULE, "R2");
	ck_assert_str_eq(rel_file(d), "main.rules");
	ck_assert_uint_eq(d->loc.line, 3);
	/* Definition order follows the includes. */
	ck_assert_str_eq(ruleset_at(rs, 0)->name, "R1");
	ck_assert_str_eq(ruleset_at(rs, 1)->name, "A1");
	ck_assert_str_eq(ruleset_at(rs, 2)->name, "B1");
	ck_assert_str_eq(ruleset_at(rs, 3)->name, "R2");
	main_path = tmp_path("main.rules");
	ck_assert_str_eq(ruleset_main_file(rs), main_path);
	free(main_path);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_include_forms)
{
	struct ruleset	*rs;

	tmp_write("main.rules", "INCLUDE a.rules\n"
	    "INCLUDE 'b c.rules'\n"
	    "include FILE(d.rules)\n"
	    "INCLUDE FILE e.rules\n"
	    "INCLUDE FILE\n");
	tmp_write("a.rules", "DEFACTN NAME A COMMAND x\n");
	tmp_write("b c.rules", "DEFACTN NAME B COMMAND x\n");
	tmp_write("d.rules", "DEFACTN NAME D COMMAND x\n");
	tmp_write("e.rules", "DEFACTN NAME E COMMAND x\n");
	tmp_write("FILE", "DEFACTN NAME F COMMAND x\n");
	rs = tmp_load_ok("main.rules");
	ck_assert_uint_eq(ruleset_count(rs, DEF_ACTION), 5);
	tu_find(rs, DEF_ACTION, "A");
	tu_find(rs, DEF_ACTION, "B");
	tu_find(rs, DEF_ACTION, "D");
	tu_find(rs, DEF_ACTION, "E");
	tu_find(rs, DEF_ACTION, "F");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_include_missing)
{
	tmp_write("main.rules", "DEFACTN NAME A COMMAND x\n"
	    "  INCLUDE missing.rules\n"
	    "DEFACTN NAME B COMMAND x BOGUS 1\n");
	/* Located at the INCLUDE's file name; the rest is still checked. */
	tmp_check_errors("main.rules",
	    "@/main.rules:2:11: error: INCLUDE: cannot open"
	    " '@/missing.rules': No such file or directory\n"
	    "@/main.rules:3:26: error: DEFACTN B: unknown operand BOGUS");
}
END_TEST

START_TEST(test_include_cycle)
{
	tmp_write("main.rules", "INCLUDE sub/a.rules\n");
	tmp_write("sub/a.rules", "DEFACTN NAME A COMMAND x\n"
	    "INCLUDE ../main.rules\n");
	tmp_check_errors("main.rules",
	    "@/sub/a.rules:2:9: error: INCLUDE: the includes form a cycle:"
	    " @/main.rules -> @/sub/a.rules -> @/sub/../main.rules");

	/* A file that includes itself. */
	tmp_write("self.rules", "DEFACTN NAME S COMMAND x\n"
	    "INCLUDE self.rules\n");
	tmp_check_errors("self.rules",
	    "@/self.rules:2:9: error: INCLUDE: the includes form a cycle:"
	    " @/self.rules -> @/self.rules");

	/* The chain starts at the file included again, not at the top. */
	tmp_write("top.rules", "INCLUDE a.rules\n");
	tmp_write("a.rules", "INCLUDE b.rules\n");
	tmp_write("b.rules", "DEFACTN NAME B COMMAND x\n  INCLUDE 'a.rules'\n");
	tmp_check_errors("top.rules",
	    "@/b.rules:2:11: error: INCLUDE: the includes form a cycle:"
	    " @/a.rules -> @/b.rules -> @/a.rules");
}
END_TEST

START_TEST(test_include_glob)
{
	struct ruleset	*rs;
	size_t		 i;
	static const char *const want[] = { "A", "B", "C", "M" };

	tmp_write("main.rules", "INCLUDE conf.d/*.rules\n"
	    "INCLUDE conf.d/*.none\n"
	    "DEFACTN NAME M COMMAND x\n");
	tmp_write("conf.d/b.rules", "DEFACTN NAME B COMMAND x\n");
	tmp_write("conf.d/c.rules", "DEFACTN NAME C COMMAND x\n");
	tmp_write("conf.d/a.rules", "DEFACTN NAME A COMMAND x\n");
	tmp_write("conf.d/z.txt", "not rules\n");
	rs = tmp_load_ok("main.rules");
	/* In sorted order; a pattern that matches nothing is no error. */
	ck_assert_uint_eq(ruleset_size(rs), nitems(want));
	for (i = 0; i < nitems(want); i++)
		ck_assert_str_eq(ruleset_at(rs, i)->name, want[i]);
	ruleset_free(rs);
}
END_TEST

/*
 * Regression: a pattern whose directory does not exist matches nothing,
 * so it includes nothing (it used to fail with "cannot expand").
 */
START_TEST(test_include_glob_missing_dir)
{
	struct ruleset	*rs;

	tmp_write("main.rules", "INCLUDE conf.d/*.rules\n"
	    "DEFACTN NAME M COMMAND x\n");
	rs = tmp_load_ok("main.rules");
	ck_assert_uint_eq(ruleset_size(rs), 1);
	ruleset_free(rs);
}
END_TEST

/* Write f00.rules .. f<n-1>.rules, each including the next. */
static void
write_chain(int n)
{
	char	 name[32], *text;
	int	 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "f%02d.rules", i);
		if (i + 1 < n)
			xasprintf(&text, "DEFACTN NAME A%d COMMAND x\n"
			    "INCLUDE f%02d.rules\n", i, i + 1);
		else
			xasprintf(&text, "DEFACTN NAME A%d COMMAND x\n", i);
		tmp_write(name, text);
		free(text);
	}
}

START_TEST(test_include_depth)
{
	struct ruleset	*rs;

	/* The main file and 15 nested includes: INCLUDE_MAX_DEPTH files. */
	write_chain(INCLUDE_MAX_DEPTH);
	rs = tmp_load_ok("f00.rules");
	ck_assert_uint_eq(ruleset_count(rs, DEF_ACTION), INCLUDE_MAX_DEPTH);
	ruleset_free(rs);

	/* One more is refused, at the INCLUDE that goes too deep. */
	write_chain(INCLUDE_MAX_DEPTH + 1);
	tmp_check_errors("f00.rules",
	    "@/f15.rules:2:9: error: INCLUDE: '@/f16.rules' would be nested"
	    " more than 16 deep");
}
END_TEST

START_TEST(test_include_directory)
{
	tmp_write("conf.d/a.rules", "DEFACTN NAME A COMMAND x\n");
	tmp_write("main.rules", "INCLUDE conf.d\nINCLUDE conf.d/*\n");
	tmp_write("conf.d/sub/x.rules", "DEFACTN NAME X COMMAND x\n");
	tmp_check_errors("main.rules",
	    "@/main.rules:1:9: error: INCLUDE: '@/conf.d' is a directory, not"
	    " a rule file\n"
	    "@/main.rules:2:9: error: INCLUDE: '@/conf.d/sub' is a directory,"
	    " not a rule file");
}
END_TEST

START_TEST(test_main_file_errors)
{
	tmp_write("conf.d/a.rules", "DEFACTN NAME A COMMAND x\n");
	tmp_check_errors("conf.d",
	    "@/conf.d: error: '@/conf.d' is a directory, not a rule file");
	tmp_check_errors("nope.rules",
	    "@/nope.rules: error: cannot open the rule file: No such file or"
	    " directory");
}
END_TEST

START_TEST(test_relative_paths)
{
	struct ruleset		*rs;
	const struct source	*s;
	const struct plugin	*p;

	/* PATH and FILE are resolved against the rule file's directory. */
	tmp_write("etc/main.rules", "DEFSRC NAME S1 TYPE FILE PATH log/x.log\n"
	    "DEFSRC NAME S2 TYPE FILE PATH /abs/y.log\n"
	    "PLUGIN NAME P1 FILE plugins/p.lua\n");
	tmp_write("etc/plugins/p.lua", "-- lua\n");
	rs = tmp_load_ok("etc/main.rules");
	s = (const struct source *)tu_find(rs, DEF_SOURCE, "S1");
	ck_assert_str_eq(s->path + strlen(tmpdir), "/etc/log/x.log");
	s = (const struct source *)tu_find(rs, DEF_SOURCE, "S2");
	ck_assert_str_eq(s->path, "/abs/y.log");
	p = (const struct plugin *)tu_find(rs, DEF_PLUGIN, "P1");
	ck_assert_str_eq(p->file + strlen(tmpdir), "/etc/plugins/p.lua");
	ruleset_free(rs);
}
END_TEST

/* --- names and references -------------------------------------------- */

START_TEST(test_duplicate_across_files)
{
	tmp_write("main.rules", "DEFACTN NAME A1 COMMAND x\n"
	    "INCLUDE other.rules\n"
	    "DEFRULE NAME A1 MATCH x ACTION A1\n");
	tmp_write("other.rules", "* other\n  DEFACTN NAME a1 COMMAND y\n");
	tmp_check_errors("main.rules",
	    "@/other.rules:2:3: error: DEFACTN A1: action A1 is already defined"
	    " at @/main.rules:1:1; a name may be defined once");
}
END_TEST

START_TEST(test_duplicate_same_file)
{
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL\n"
	    "DEFRULE NAME R2 MATCH x ACTION NULL\n"
	    "DEFRULE NAME r1 MATCH y ACTION NULL\n",
	    "t.rules:3:1: error: DEFRULE R1: rule R1 is already defined at"
	    " t.rules:1:1; a name may be defined once");
	/* Kinds have their own names. */
	ruleset_free(tu_load_ok("DEFRULE NAME X MATCH x ACTION X\n"
	    "DEFACTN NAME X COMMAND x\nDEFSCHD NAME X EVERY 00:01 ACTION X\n"
	    "DEFGROUP NAME X USER X\nDEFENV NAME X\n"));
}
END_TEST

START_TEST(test_forward_references)
{
	struct ruleset	*rs;

	rs = tu_load_ok("DEFIMON NAME I1 RULE R1 OCCUR 1,5 ACTION A1\n"
	    "DEFRULE NAME R1 MATCH x ACTION A1 GROUP G1 ENV E1 +\n"
	    "  LIMIT 1,5,A2\n"
	    "DEFENV NAME E1 TYPE SOURCE SOURCE S1\n"
	    "DEFACTN NAME A1 COMMAND x NEXTACTN A2\n"
	    "DEFACTN NAME A2 COMMAND y\n"
	    "DEFGROUP NAME G1 USER X\n"
	    "DEFSRC NAME S1 TYPE STDIN\n");
	ck_assert_uint_eq(ruleset_size(rs), 7);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_builtin_references)
{
	struct ruleset	*rs;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH x ACTION null ENV gos\n"
	    "DEFRULE NAME R2 MATCH x ACTION NULL ENV SHELL,SYS1\n"
	    "DEFIMON NAME I1 SOURCE vigil OCCUR 1,5 ACTION NULL ENV GOM\n"
	    "DEFIMON NAME I2 SOURCE STDIN OCCUR 1,5 ACTION NULL ENV SVM\n"
	    "DEFENV NAME E1 TYPE SOURCE SOURCE STDIN\n");
	ck_assert_uint_eq(ruleset_size(rs), 5);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_missing_references)
{
	tu_check_errors("DEFACTN NAME NOTIFY COMMAND x\n"
	    "DEFRULE NAME R1 MATCH x ACTION NOTIFI\n",
	    "t.rules:2:32: error: DEFRULE R1 ACTION: action NOTIFI is not"
	    " defined (define it with DEFACTN, or use NULL); did you mean"
	    " NOTIFY?");
	tu_check_errors("DEFGROUP NAME LINUX USER X\n"
	    "DEFRULE NAME R1 MATCH x ACTION NULL GROUP LINUS\n",
	    "t.rules:2:43: error: DEFRULE R1 GROUP: group LINUS is not"
	    " defined; did you mean LINUX?");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL LIMIT 1,5,NOPE\n",
	    "t.rules:1:43: error: DEFRULE R1 LIMIT: action NOPE is not defined"
	    " (define it with DEFACTN, or use NULL)");
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION NULL ENV XYZ\n",
	    "t.rules:1:41: error: DEFRULE R1 ENV: environment XYZ is not"
	    " defined; define it with DEFENV (an Operations Manager action"
	    " server such as OPMGRS1 needs one too) or use LVM, SVM, GOS, GOM"
	    " or SHELL");
	/* A name of the wrong kind does not count. */
	tu_check_errors("DEFRULE NAME R1 MATCH x ACTION R1\n",
	    "t.rules:1:32: error: DEFRULE R1 ACTION: action R1 is not defined"
	    " (define it with DEFACTN, or use NULL)");
	/* Every missing reference, in definition order. */
	tu_check_errors("DEFACTN NAME A1 COMMAND x NEXTACTN A9\n"
	    "DEFRULE NAME R1 MATCH x ACTION A8 EXPECT y WITHIN 5 +\n"
	    "  MISSACTN A7\n",
	    "t.rules:1:36: error: DEFACTN A1 NEXTACTN: action A9 is not defined"
	    " (define it with DEFACTN, or use NULL); did you mean A1?\n"
	    "t.rules:2:32: error: DEFRULE R1 ACTION: action A8 is not defined"
	    " (define it with DEFACTN, or use NULL); did you mean A1?\n"
	    "t.rules:3:12: error: DEFRULE R1 MISSACTN: action A7 is not"
	    " defined (define it with DEFACTN, or use NULL); did you mean"
	    " A1?");
}
END_TEST

START_TEST(test_nextactn_loops)
{
	tu_check_errors("DEFACTN NAME A COMMAND x NEXTACTN B\n"
	    "DEFACTN NAME B COMMAND x NEXTACTN A\n",
	    "t.rules:1:35: error: DEFACTN A NEXTACTN: the chain A -> B -> A"
	    " never ends");
	tu_check_errors("DEFACTN NAME A COMMAND x NEXTACTN A\n",
	    "t.rules:1:35: error: DEFACTN A NEXTACTN: the chain A -> A never"
	    " ends");
	/* Reported once, at the loop's first definition. */
	tu_check_errors("DEFACTN NAME C COMMAND x NEXTACTN A\n"
	    "DEFACTN NAME A COMMAND x NEXTACTN B\n"
	    "DEFACTN NAME B COMMAND x NEXTACTN C\n",
	    "t.rules:1:35: error: DEFACTN C NEXTACTN: the chain C -> A -> B ->"
	    " C never ends");
	/* A chain into a loop: the loop only. */
	tu_check_errors("DEFACTN NAME X COMMAND x NEXTACTN A\n"
	    "DEFACTN NAME A COMMAND x NEXTACTN B\n"
	    "DEFACTN NAME B COMMAND x NEXTACTN A\n",
	    "t.rules:2:35: error: DEFACTN A NEXTACTN: the chain A -> B -> A"
	    " never ends");
	/* Two separate loops: two errors. */
	ck_assert_uint_eq(tu_count_errors(
	    "DEFACTN NAME A COMMAND x NEXTACTN A\n"
	    "DEFACTN NAME B COMMAND x NEXTACTN C\n"
	    "DEFACTN NAME C COMMAND x NEXTACTN B\n"), 2);
	/* A chain that ends is fine. */
	ruleset_free(tu_load_ok("DEFACTN NAME A COMMAND x NEXTACTN B\n"
	    "DEFACTN NAME B COMMAND x NEXTACTN C\n"
	    "DEFACTN NAME C COMMAND x\n"
	    "DEFACTN NAME D COMMAND x NEXTACTN B\n"));
}
END_TEST

/* --- lookups and the summary ---------------------------------------- */

START_TEST(test_find)
{
	struct ruleset		*rs;
	const struct def	*d;

	rs = tu_load_ok("DEFRULE NAME Rule_1 MATCH x ACTION NULL\n"
	    "DEFRULE NAME ABCDEFGHIJKLMNOP MATCH x ACTION NULL\n"
	    "DEFACTN NAME Rule_1 COMMAND x\n"
	    "DEFACTN NAME $A#@-1 COMMAND x\n");
	d = ruleset_find(rs, DEF_RULE, "RULE_1");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->kind, DEF_RULE);
	ck_assert_str_eq(d->name, "RULE_1");
	ck_assert_ptr_eq(ruleset_find(rs, DEF_RULE, "rule_1"), d);
	ck_assert_ptr_eq(ruleset_find(rs, DEF_RULE, "Rule_1"), d);
	ck_assert_ptr_eq(ruleset_get(rs, DEF_RULE, 0), d);
	d = ruleset_find(rs, DEF_ACTION, "rule_1");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->kind, DEF_ACTION);
	ck_assert_ptr_nonnull(ruleset_find(rs, DEF_ACTION, "$a#@-1"));
	ck_assert_ptr_nonnull(ruleset_find(rs, DEF_RULE, "abcdefghijklmnop"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_RULE, "abcdefghijklmnopq"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_RULE, "RULE_"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_RULE, "RULE_12"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_RULE, ""));
	ck_assert_ptr_null(ruleset_find(rs, DEF_GROUP, "RULE_1"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_AUTH, "RULE_1"));
	/* Positions. */
	ck_assert_uint_eq(ruleset_size(rs), 4);
	ck_assert_uint_eq(ruleset_count(rs, DEF_RULE), 2);
	ck_assert_ptr_null(ruleset_get(rs, DEF_RULE, 2));
	ck_assert_ptr_null(ruleset_at(rs, 4));
	ck_assert_uint_lt(ruleset_at(rs, 0)->seq, ruleset_at(rs, 1)->seq);
	ruleset_free(rs);
	ruleset_free(NULL);
}
END_TEST

START_TEST(test_find_many)
{
	struct strbuf	 sb;
	struct ruleset	*rs;
	char		 name[16];
	int		 i;

	/* Enough names, defined out of order, to exercise the search. */
	strbuf_init(&sb);
	for (i = 0; i < 300; i++)
		strbuf_addf(&sb, "DEFACTN NAME A%03d COMMAND x\n",
		    (i * 7) % 300);
	rs = tu_load_ok(sb.data);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "a%03d", i);
		ck_assert_msg(ruleset_find(rs, DEF_ACTION, name) != NULL,
		    "%s", name);
	}
	ck_assert_ptr_null(ruleset_find(rs, DEF_ACTION, "A300"));
	ck_assert_ptr_null(ruleset_find(rs, DEF_ACTION, "A"));
	ruleset_free(rs);
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_summary)
{
	struct ruleset	*rs;
	char		*s;

	rs = tu_load_ok("");
	s = tu_summary_string(rs);
	ck_assert_str_eq(s, "no definitions");
	free(s);
	ruleset_free(rs);

	rs = tu_load_ok("AUTH USER x VIEW\n"
	    "DEFRULE NAME R1 MATCH x ACTION NULL\n"
	    "DEFEMON NAME E1 ACTION NULL\n"
	    "DEFRULE NAME R2 MATCH x ACTION NULL\n"
	    "DEFACTN NAME A1 COMMAND x\n");
	s = tu_summary_string(rs);
	ck_assert_str_eq(s, "2 rules, 1 action, 1 event monitor, 1 auth");
	free(s);
	ruleset_free(rs);

	rs = tu_load_ok("DEFGROUP NAME G USER A\nDEFGROUP NAME G USER B\n"
	    "DEFEMON NAME E1 ACTION NULL\nDEFEMON NAME E2 ACTION NULL\n"
	    "DEFSRC NAME S1 TYPE STDIN\nDEFENV NAME V1\nDEFENV NAME V2\n"
	    "DEFOPTN ESM N\n");
	s = tu_summary_string(rs);
	ck_assert_str_eq(s, "1 group, 2 event monitors, 1 source,"
	    " 2 environments, 1 option");
	free(s);
	ruleset_free(rs);
}
END_TEST

/* --- the dump -------------------------------------------------------- */

/* Dump, load the dump, dump again: equal but for comment lines. */
static void
check_roundtrip(const struct ruleset *rs, const char *rel)
{
	struct ruleset	*again;
	char		*d1, *d2, *s1, *s2;

	d1 = tu_dump_string(rs);
	tmp_write(rel, d1);
	again = tmp_load_ok(rel);
	d2 = tu_dump_string(again);
	s1 = tu_strip_comments(d1);
	s2 = tu_strip_comments(d2);
	ck_assert_msg(strcmp(s1, s2) == 0, "first dump:\n%s\nsecond:\n%s",
	    d1, d2);
	ck_assert_uint_eq(ruleset_size(again), ruleset_size(rs));
	free(s1);
	free(s2);
	free(d1);
	free(d2);
	ruleset_free(again);
}

static const char rich_rules[] =
    "* Every statement, most operands, both syntaxes.\n"
    "DEFSRC NAME OPER TYPE FILE PATH /var/log/op.console FORMAT ZVM +\n"
    "       SYSTEM ZVM1 USER OPERATOR\n"
    "DEFSRC NAME SYSL TYPE SYSLOG ADDRESS 0.0.0.0:514 PROTO UDP\n"
    "DEFSRC NAME V6 TYPE TCP ADDRESS [::1]:6514 PROTO TCP\n"
    "DEFSRC NAME HERC TYPE PTY PROGRAM 'hercules -f \"my conf\"' +\n"
    "       FORMAT HERCULES ENCODING IBM-1047\n"
    "DEFSRC NAME REL TYPE UNIX PATH run/sock\n"
    "DEFENV NAME MAINT TYPE SHELL PREFIX 'ssh -o BatchMode=yes maint'\n"
    "DEFENV NAME OPCON TYPE SOURCE SOURCE OPER\n"
    "DEFDATE NAME HOL DATE 12/25,01/01 DESC 'fixed (yearly)'\n"
    "DEFDATE NAME HOL DATE 2026/12/24-2026/12/31\n"
    "DEFGROUP NAME(LINUX),USER(LNX*)\n"
    "DefGroup Name LINUX Member SUSE%,RHEL*\n"
    "DEFACTN NAME NOTIFY COMMAND '/usr/bin/logger -t vigil \"&R: &T\"' +\n"
    "        TIMEOUT 10s MAXCONC 4 SERIAL &U\n"
    "DEFACTN NAME RESTART COMMAND 'CP XAUTOLOG &3' DELAY 00:30 +\n"
    "        NEXTACTN NOTIFY ONFAIL CONTINUE ENV MAINT,ZVM2\n"
    "DEFACTN NAME HUSH INPUT 'it''s' EMIT 'x, y'\n"
    "DEFACTN NAME SAY EMIT 'ends with comma,' TIMEOUT 2h\n"
    "DEFRULE NAME(PANIC),MATCH('*Kernel panic*'),GROUP(LINUX),+\n"
    "        EXCLUDE('*test*'),ECOL(001:080),ACTION(NOTIFY),+\n"
    "        DAYS(*****--*),HOURS(8-17),LIMIT(3,60,RESTART)\n"
    "DEFRULE NAME SSH REGEX 'sshd\\[\\d+\\]: (a|b)' CASE ANY +\n"
    "        SOURCE SYSL ACTION NOTIFY FINAL YES MCOL 002:100\n"
    "DEFRULE NAME CLS MATCH '*' CLASS 1,4,7-9 EXUSER OPERATOR +\n"
    "        ACTION NULL SUPNEXT 2 PARM ' lead and trail ' ENV GOS\n"
    "DEFRULE NAME ABEND MATCH *ABEND* KEY &U SUPPRESS 90s ACTION NULL +\n"
    "        EXGROUP LINUX SYSTEM MVS%\n"
    "DEFRULE NAME LINK MATCH *NET* KEY &U THRESHOLD 5,2m +\n"
    "        CLEAR 1,10m,NOTIFY ACTION HUSH\n"
    "DEFRULE NAME LOGOFF MATCH '*LOGOFF AT*' KEY &2 EXPECT *LOGON* +\n"
    "        WITHIN 5 FOUNDACTN SAY MISSACTN RESTART ACTION NULL\n"
    "DEFRULE NAME PLUS MATCH 'NOW+' ACTION NULL PARM '+'\n"
    "DEFSCHD NAME HOURLY WHEN 05 ACTION NULL\n"
    "DEFSCHD NAME WEEKLY WHEN thu-13:15 ACTION NOTIFY PARM 'a b' +\n"
    "        CATCHUP YES TZ UTC LIMIT 1,1d ENV SVM\n"
    "DEFSCHD NAME NTH WHEN LSTFRI-22:00 ACTION NULL DAYS *******- +\n"
    "        HOURS 6,8,10\n"
    "DEFSCHD NAME SOON WHEN NOW+00:30 ACTION NULL\n"
    "DEFSCHD NAME POLL EVERY 00:15 ACTION NULL\n"
    "DEFEMON NAME TCPDOWN CLASS 0 TYPE 1,2 USER TCPIP ACTION RESTART\n"
    "DEFEMON NAME SRCLOST EVENT SOURCE_DISCONNECTED,SOURCE_* +\n"
    "        SOURCE OPER ACTION NOTIFY LIMIT 1,30\n"
    "DEFMMON NAME RACFUP USER RACFVM INTERVAL 2 DELAY 30s +\n"
    "        PROBE 'vmcp q names' EXTRACT '(\\w+)' ACTION NULL\n"
    "DEFSMON NAME SPOOL85 USAGE 085-100 INTERVAL 10 ACTION NULL\n"
    "DEFPMON NAME PAGE90 USAGE 090-100 INCREASE 010-100 ACTION NULL\n"
    "DEFIMON NAME NOMIDN RULE PANIC OCCUR 1,1500 ACTION NOTIFY\n"
    "DEFIMON NAME QUIET SOURCE OPER OCCUR 2,30 ACTION NOTIFY +\n"
    "        DAYS *******- HOURS 6-22\n"
    "DEFIMON NAME WATCH IDLE QUIET OCCUR 1,3000 ACTION NULL\n"
    "DEFVIEW NAME LINUXCON USER LNX*,SUSE* SOURCE SYSL,OPER\n"
    "PLUGIN NAME ECHO FILE plugins/echo.lua CONFIG 'prefix=op'\n"
    "AUTH USER MAINT CONSOLE *\n"
    "AUTH GROUP oncall OPERATE ACTION RESTART\n"
    "AUTH GROUP sysprog LEVEL config\n"
    "AUTH USER auditor VIEW RULE P*\n"
    "DEFOPTN ESM N AUTHCMD Y AUTHEXT 2 ESMCLASS C ESMPREF P\n"
    "INCLUDE 'site/*.rules'\n";

START_TEST(test_dump_roundtrip_rich)
{
	struct ruleset		*rs;
	const struct directive	*dir;
	char			*dump, *pat;
	size_t			 i;

	tmp_write("main.rules", rich_rules);
	tmp_write("plugins/echo.lua", "-- echo\n");
	tmp_write("site/a.rules", "DEFDATE NAME HOL DATE 2027/04/02\n");
	tmp_write("site/b.rules", "DEFACTN NAME SITE EMIT hello\n");
	rs = tmp_load_ok("main.rules");
	/* Every statement is there. */
	dump = tu_dump_string(rs);
	for (i = 0; i < directive_count(); i++) {
		dir = directive_at(i);
		ck_assert_uint_gt(ruleset_count(rs, dir->kind), 0);
		xasprintf(&pat, "\n%s ", dir->verb);
		ck_assert_msg(strstr(dump, pat) != NULL, "no %s in:\n%s",
		    dir->verb, dump);
		free(pat);
	}
	free(dump);
	check_roundtrip(rs, "redump.rules");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_dump_format)
{
	struct ruleset	*rs;
	char		*dump;

	rs = tu_load_ok("DEFRULE NAME R1 MATCH 'a b' ACTION NULL PARM 'x,'\n"
	    "\n"
	    "  DEFSCHD NAME S1 EVERY 01:30 ACTION NULL\n");
	dump = tu_dump_string(rs);
	ck_assert_str_eq(dump,
	    "* t.rules:1:1\n"
	    "DEFRULE NAME R1 +\n"
	    "  MATCH 'a b' +\n"
	    "  MCOL 001:999 +\n"
	    "  CASE EXACT +\n"
	    "  ACTION NULL +\n"
	    "  DAYS ******** +\n"
	    "  PARM 'x,' +\n"
	    "  LIMIT 0,0 +\n"
	    "  FINAL NO\n"
	    "\n"
	    "* t.rules:3:3\n"
	    "*   every 01:30 from the start of the daemon, a reload or the"
	    " definition\n"
	    "DEFSCHD NAME S1 +\n"
	    "  EVERY 01:30 +\n"
	    "  ACTION NULL +\n"
	    "  DAYS ******** +\n"
	    "  CATCHUP NO +\n"
	    "  LIMIT 0,0\n");
	free(dump);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_dump_empty)
{
	struct ruleset	*rs;
	char		*dump;

	rs = tu_load_ok("* nothing\n");
	dump = tu_dump_string(rs);
	ck_assert_str_eq(dump, "");
	free(dump);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_dump_roundtrip_values)
{
	struct ruleset	*rs;

	/* Values that need quoting to read back the same. */
	rs = tu_load_ok("DEFACTN NAME A1 EMIT 'ends with plus +' TIMEOUT 90s\n"
	    "DEFACTN NAME A2 EMIT '+' SERIAL 'a''b'\n"
	    "DEFACTN NAME A3 EMIT '(x' INPUT 'tab\there'\n"
	    "DEFACTN NAME A4 EMIT 'x)' DELAY 99:59\n"
	    "DEFACTN NAME A5 EMIT ',' DELAY 2h\n");
	check_roundtrip(rs, "values.rules");
	ruleset_free(rs);
}
END_TEST

/*
 * Regression: a DESC given only on a repeated DEFDATE fills in the
 * missing one and must be dumped (its "given" bit used to be lost).
 */
START_TEST(test_dump_date_desc_merged)
{
	struct ruleset		*rs, *again;
	const struct date	*d;
	char			*dump;

	rs = tu_load_ok("DEFDATE NAME H DATE 12/25\n"
	    "DEFDATE NAME H DATE 01/01 DESC 'new year'\n");
	d = (const struct date *)tu_find(rs, DEF_DATE, "H");
	ck_assert_str_eq(d->desc, "new year");
	dump = tu_dump_string(rs);
	ck_assert_msg(strstr(dump, "DESC 'new year'") != NULL, "%s", dump);
	again = tu_load_ok(dump);
	d = (const struct date *)tu_find(again, DEF_DATE, "H");
	ck_assert_ptr_nonnull(d->desc);
	ck_assert_str_eq(d->desc, "new year");
	ruleset_free(again);
	free(dump);
	ruleset_free(rs);
}
END_TEST

/*
 * Regression: DELAY accepts a duration ("7d") that the dump writes as
 * mm:ss with more than four digits of minutes ("10080:00"); DELAY must
 * read that back.
 */
START_TEST(test_dump_long_delay)
{
	struct ruleset		*rs, *again;
	const struct action	*a;
	char			*dump;

	rs = tu_load_ok("DEFACTN NAME A1 COMMAND x DELAY 7d\n");
	a = (const struct action *)tu_find(rs, DEF_ACTION, "A1");
	ck_assert_uint_eq(a->delay, 7 * 86400);
	dump = tu_dump_string(rs);
	again = tu_load_ok(dump);
	a = (const struct action *)tu_find(again, DEF_ACTION, "A1");
	ck_assert_uint_eq(a->delay, 7 * 86400);
	ruleset_free(again);
	free(dump);
	ruleset_free(rs);
}
END_TEST

static Suite *
ruleset_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ruleset");

	tc = tcase_create("include");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_include_forms);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_cycle);
	tcase_add_test(tc, test_include_glob);
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_directory);
	tcase_add_test(tc, test_main_file_errors);
	tcase_add_test(tc, test_relative_paths);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_duplicate_across_files);
	tcase_add_test(tc, test_duplicate_same_file);
	tcase_add_test(tc, test_forward_references);
	tcase_add_test(tc, test_builtin_references);
	tcase_add_test(tc, test_missing_references);
	tcase_add_test(tc, test_nextactn_loops);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_find_many);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);

	tc = tcase_create("dump");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_dump_roundtrip_rich);
	tcase_add_test(tc, test_dump_format);
	tcase_add_test(tc, test_dump_empty);
	tcase_add_test(tc, test_dump_roundtrip_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("regressions");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_include_glob_missing_dir);
	tcase_add_test(tc, test_dump_date_desc_merged);
	tcase_add_test(tc, test_dump_long_delay);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(ruleset_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
