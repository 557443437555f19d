/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xref.c - cross-references, checked once the whole load (with its
 * INCLUDEs) is parsed, so a definition may name one that comes later.  It
 * walks the operand table: every name-valued operand must name a definition
 * of the right kind or a built-in (the action NULL, the environments of the
 * reference, the sources STDIN and VIGIL).  NEXTACTN chains must end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"

static const char *const builtin_envs[] = {
	"LVM", "SVM", "GOM", "GOS", "SHELL", NULL
};
static const char *const builtin_sources[] = { "STDIN", "VIGIL", NULL };

static bool
in_list(const char *name, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcasecmp(name, list[i]) == 0)
			return true;
	}
	return false;
}

static void
label_of(const struct def *d, char *buf, size_t len)
{
	if (d->name != NULL)
		snprintf(buf, len, "%s %s", def_kind_verb(d->kind), d->name);
	else
		snprintf(buf, len, "%s", def_kind_verb(d->kind));
}

/* Names of a kind, for "did you mean". */
static const char **
names_of(const struct ruleset *rs, enum def_kind kind, size_t *n)
{
	const char	**v;
	size_t		  i, total = ruleset_count(rs, kind);

	v = xreallocarray(NULL, total + 1, sizeof *v);
	for (i = 0; i < total; i++)
		v[i] = ruleset_get(rs, kind, i)->name;
	*n = total;
	return v;
}

static void
check_ref(const struct ruleset *rs, struct diag *diag, const struct def *d,
    const char *opname, const struct loc *loc, enum def_kind kind,
    const char *name)
{
	char		 label[64];
	const char	**names, *hint;
	size_t		 n;

	if (name == NULL || ruleset_find(rs, kind, name) != NULL ||
	    ruleset_failed(rs, kind, name))
		return;
	if (kind == DEF_ACTION && strcasecmp(name, "NULL") == 0)
		return;
	if (kind == DEF_SOURCE && in_list(name, builtin_sources))
		return;
	label_of(d, label, sizeof label);
	names = names_of(rs, kind, &n);
	hint = suggest_word(name, names, n);
	diag_add(diag, DIAG_ERROR, loc, "%s %s: %s %s is not defined%s%s%s%s",
	    label, opname, def_kind_name(kind), name,
	    kind == DEF_ACTION ? " (define it with DEFACTN, or use NULL)" : "",
	    hint != NULL ? "; did you mean " : "", hint != NULL ? hint : "",
	    hint != NULL ? "?" : "");
	free(names);
}

static void
check_env(const struct ruleset *rs, struct diag *diag, const struct def *d,
    const struct loc *loc, const struct envref *e)
{
	char	 label[64];

	if (e->env == NULL || in_list(e->env, builtin_envs) ||
	    ruleset_find(rs, DEF_ENV, e->env) != NULL ||
	    ruleset_failed(rs, DEF_ENV, e->env))
		return;
	label_of(d, label, sizeof label);
	diag_add(diag, DIAG_ERROR, loc, "%s ENV: environment %s is not"
	    " defined; define it with DEFENV (an Operations Manager action"
	    " server such as OPMGRS1 needs one too) or use LVM, SVM, GOS, GOM"
	    " or SHELL", label, e->env);
}

/* A NEXTACTN chain that comes back to where it started never ends. */
static void
check_chain(const struct ruleset *rs, struct diag *diag,
    const struct action *start)
{
	const struct action	*a = start;
	const struct def	*next;
	struct strbuf		 path;
	size_t			 steps = 0, n = ruleset_count(rs, DEF_ACTION);
	int			 idx;

	while (a->nextactn != NULL && steps++ <= n) {
		next = ruleset_find(rs, DEF_ACTION, a->nextactn);
		if (next == NULL)
			return;
		/* Report a loop once, at its first definition. */
		if (next->seq < start->def.seq)
			return;
		a = (const struct action *)next;
		if (a != start)
			continue;
		strbuf_init(&path);
		strbuf_adds(&path, start->def.name);
		a = start;
		do {
			strbuf_addf(&path, " -> %s", a->nextactn);
			a = (const struct action *)ruleset_find(rs,
			    DEF_ACTION, a->nextactn);
		} while (a != start);
		idx = directive_operand(directive_of(DEF_ACTION), "NEXTACTN");
		diag_add(diag, DIAG_ERROR, &start->def.oploc[idx], "DEFACTN"
		    " %s NEXTACTN: the chain %s never ends", start->def.name,
		    path.data);
		strbuf_free(&path);
		return;
	}
}

void
xref_check(const struct ruleset *rs, struct diag *diag)
{
	const struct def	*d;
	const struct directive	*dir;
	const struct operand	*op;
	const struct limit	*l;
	const void		*slot;
	size_t			 i, j;

	for (i = 0; i < ruleset_size(rs); i++) {
		d = ruleset_at(rs, i);
		dir = directive_of(d->kind);
		for (j = 0; j < dir->nops; j++) {
			op = &dir->ops[j];
			if (op->alias != NULL || !(d->set & (1ull << j)))
				continue;
			slot = (const char *)d + op->off;
			switch (op->type) {
			case V_REF:
				check_ref(rs, diag, d, op->name, &d->oploc[j],
				    op->ref, *(char *const *)slot);
				break;
			case V_LIMIT:
			case V_THRESH:
				l = slot;
				check_ref(rs, diag, d, op->name, &d->oploc[j],
				    DEF_ACTION, l->action);
				break;
			case V_ENV:
				check_env(rs, diag, d, &d->oploc[j], slot);
				break;
			default:
				break;
			}
		}
		if (d->kind == DEF_ACTION)
			check_chain(rs, diag, (const struct action *)d);
		if (d->kind == DEF_IMON) {
			const struct imon *im = (const struct imon *)d;
			if (im->target[IMON_IDLE] != NULL &&
			    strcmp(im->target[IMON_IDLE], d->name) == 0)
				diag_add(diag, DIAG_ERROR, &d->oploc[
				    directive_operand(directive_of(DEF_IMON),
				    "IDLE")], "DEFIMON %s IDLE: an idle monitor"
				    " cannot watch itself", d->name);
		}
	}
}
