/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testutil.h - small helpers shared by the Check suites: load a rule text
 * from memory, turn the diagnostics, the dump and the summary of a load
 * into one string that a test can compare exactly, and look definitions
 * up with an assertion.  Strings returned here are owned by the caller.
 * It holds no test of its own and is included only by the suites.
 */
#ifndef VIGIL_TESTUTIL_H
#define VIGIL_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

/* The name every in-memory load uses in its messages. */
#define TU_FILE		"t.rules"

/* Load a rule text from memory as file "t.rules". */
static inline struct ruleset *
tu_load(const char *text, struct diag *diag)
{
	return ruleset_load_buffer(TU_FILE, text, strlen(text), diag);
}

/* Every item of a diag through diag_format, one per line, no final '\n'. */
static inline char *
tu_diag_string(const struct diag *diag)
{
	struct strbuf	 sb;
	char		*s;
	size_t		 i;

	strbuf_init(&sb);
	for (i = 0; i < diag->n; i++) {
		s = diag_format(&diag->items[i]);
		if (i > 0)
			strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, s);
		free(s);
	}
	return strbuf_steal(&sb);
}

/* The dump of a ruleset. */
static inline char *
tu_dump_string(const struct ruleset *rs)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	ruleset_dump(rs, &sb);
	return strbuf_steal(&sb);
}

/* The summary line of a ruleset. */
static inline char *
tu_summary_string(const struct ruleset *rs)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	ruleset_summary(rs, &sb);
	return strbuf_steal(&sb);
}

/* A text without its comment lines (those starting with '*'). */
static inline char *
tu_strip_comments(const char *text)
{
	struct strbuf	 sb;
	const char	*line, *nl;
	size_t		 n;

	strbuf_init(&sb);
	for (line = text; *line != '\0'; line += n) {
		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) + 1 : strlen(line);
		if (line[0] != '*')
			strbuf_addn(&sb, line, n);
	}
	return strbuf_steal(&sb);
}

/*
 * Load a text that must load without errors; warnings are allowed.  On
 * failure the test fails with the diagnostics.
 */
static inline struct ruleset *
tu_load_ok(const char *text)
{
	struct diag	 diag;
	struct ruleset	*rs;
	char		*s;

	diag_init(&diag);
	rs = tu_load(text, &diag);
	if (rs == NULL || diag.errors != 0) {
		s = tu_diag_string(&diag);
		ck_abort_msg("load failed:\n%s\n--- for ---\n%s", s, text);
	}
	diag_free(&diag);
	return rs;
}

/*
 * Load a text that must be rejected; returns every diagnostic as one
 * string.  Fails the test if the text loads.
 */
static inline char *
tu_load_fail(const char *text)
{
	struct diag	 diag;
	struct ruleset	*rs;
	char		*s;

	diag_init(&diag);
	rs = tu_load(text, &diag);
	ruleset_free(rs);
	s = tu_diag_string(&diag);
	ck_assert_msg(rs == NULL, "loaded, but should not:\n%s\n(%s)", text,
	    s);
	ck_assert_msg(diag.errors > 0, "rejected without an error: %s", text);
	diag_free(&diag);
	return s;
}

/* The text must be rejected with exactly these diagnostics. */
static inline void
tu_check_errors(const char *text, const char *want)
{
	char	*got = tu_load_fail(text);

	ck_assert_msg(strcmp(got, want) == 0,
	    "for:\n%s\ngot:\n%s\nwant:\n%s", text, got, want);
	free(got);
}

/* Number of errors a text gives (it may also load). */
static inline size_t
tu_count_errors(const char *text)
{
	struct diag	 diag;
	size_t		 n;

	diag_init(&diag);
	ruleset_free(tu_load(text, &diag));
	n = diag.errors;
	diag_free(&diag);
	return n;
}

/* A definition that must exist. */
static inline const struct def *
tu_find(const struct ruleset *rs, enum def_kind kind, const char *name)
{
	const struct def	*d = ruleset_find(rs, kind, name);

	ck_assert_msg(d != NULL, "%s %s not found", def_kind_verb(kind),
	    name);
	ck_assert_int_eq(d->kind, kind);
	return d;
}

/* Whether an operand (by name) was given in a definition. */
static inline bool
tu_is_set(const struct def *d, const char *opname)
{
	const struct directive	*dir = directive_of(d->kind);
	int			 i = directive_operand(dir, opname);

	ck_assert_msg(i >= 0, "%s has no operand %s", dir->verb, opname);
	return (d->set & (1ull << i)) != 0;
}

#endif
