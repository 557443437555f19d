/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dump.c - the compiled definitions in a stable, documented text form that
 * is itself a valid rule file: one statement per definition in definition
 * order, in the 1.6 syntax, one operand per line in the order of the
 * operand table, defaults filled in, values in canonical form and quoted
 * only when they must be.  A comment line before each statement gives its
 * origin (and, for schedules, the WHEN form in words).  Loading a dump
 * gives the same dump: the data-driven tests and the fuzzer rely on it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

/* Quote a value that would not read back as one word. */
static void
dump_value(struct strbuf *sb, const char *v)
{
	size_t	 n = strlen(v), i;
	bool	 quote;

	quote = n == 0 || strpbrk(v, " \t'()") != NULL ||
	    v[n - 1] == ',' || v[n - 1] == '+';
	if (!quote) {
		strbuf_adds(sb, v);
		return;
	}
	strbuf_addc(sb, '\'');
	for (i = 0; i < n; i++) {
		if (v[i] == '\'')
			strbuf_addc(sb, '\'');
		strbuf_addc(sb, v[i]);
	}
	strbuf_addc(sb, '\'');
}

static bool
dumped(const struct operand *op, const struct def *d, size_t i)
{
	if (op->alias != NULL || (op->flags & OPF_NODUMP))
		return false;
	if (d->set & (1ull << i))
		return true;
	return op->deflt != NULL && op->needs == NULL &&
	    !(op->flags & OPF_QUIETDEF);
}

void
dump_def(const struct def *d, struct strbuf *sb)
{
	const struct directive	*dir = directive_of(d->kind);
	const struct operand	*op;
	struct strbuf		 v;
	size_t			 i, n = 0, last = 0;

	strbuf_addf(sb, "* %s:%u:%u\n", d->loc.file, d->loc.line, d->loc.col);
	if (d->kind == DEF_SCHEDULE) {
		const struct schedule *s = (const struct schedule *)d;
		strbuf_adds(sb, "*   ");
		if (s->every != 0)
			strbuf_addf(sb, "every %02u:%02u from the start of the"
			    " daemon, a reload or the definition",
			    s->every / 3600, s->every / 60 % 60);
		else
			when_describe(&s->when, sb);
		strbuf_addc(sb, '\n');
	}
	for (i = 0; i < dir->nops; i++) {
		if (dumped(&dir->ops[i], d, i))
			last = i;
	}
	strbuf_adds(sb, dir->verb);
	strbuf_init(&v);
	for (i = 0; i < dir->nops; i++) {
		op = &dir->ops[i];
		if (!dumped(op, d, i))
			continue;
		strbuf_reset(&v);
		value_format(op, (const char *)d + op->off, &v);
		strbuf_addf(sb, "%s%s ", n++ == 0 ? " " : "  ", op->name);
		dump_value(sb, v.data != NULL ? v.data : "");
		strbuf_adds(sb, i == last ? "\n" : " +\n");
	}
	if (n == 0)
		strbuf_addc(sb, '\n');
	strbuf_free(&v);
}

void
ruleset_dump(const struct ruleset *rs, struct strbuf *sb)
{
	size_t	 i;

	for (i = 0; i < ruleset_size(rs); i++) {
		if (i > 0)
			strbuf_addc(sb, '\n');
		dump_def(ruleset_at(rs, i), sb);
	}
}
