/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset.c - the compiled ruleset: every definition of one load in
 * definition order, plus per-kind indexes sorted by name for lookups.  It
 * is built by the parser, finished once (duplicates found, repeatable
 * definitions merged) and immutable afterwards.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"

struct ruleset {
	struct def	**defs;		/* definition order */
	size_t		  n;
	size_t		  cap;
	struct def	**byname[DEF__COUNT];	/* sorted by name */
	size_t		  nbyname[DEF__COUNT];
	struct def	**bykind[DEF__COUNT];	/* definition order */
	size_t		  nbykind[DEF__COUNT];
	char		**failed[DEF__COUNT];	/* names of rejected ones */
	size_t		  nfailed[DEF__COUNT];
	char		**files;	/* interned file names */
	size_t		  nfiles;
	unsigned	  seq;
	struct compiled	 *compiled;	/* patterns and index (compile.c) */
};

struct ruleset *
ruleset_create(void)
{
	return xcalloc(1, sizeof(struct ruleset));
}

void
def_free(struct def *d)
{
	const struct directive	*dir;
	const struct operand	*op;
	size_t			 i;

	if (d == NULL)
		return;
	dir = directive_of(d->kind);
	for (i = 0; i < dir->nops; i++) {
		op = &dir->ops[i];
		if (op->alias == NULL && op->type != V_FLAG)
			value_free(op, (char *)d + op->off);
	}
	free(d);
}

void
ruleset_free(struct ruleset *rs)
{
	size_t	 i, k;

	if (rs == NULL)
		return;
	compiled_free(rs->compiled);
	for (i = 0; i < rs->n; i++)
		def_free(rs->defs[i]);
	free(rs->defs);
	for (k = 0; k < DEF__COUNT; k++) {
		free(rs->byname[k]);
		free(rs->bykind[k]);
		for (i = 0; i < rs->nfailed[k]; i++)
			free(rs->failed[k][i]);
		free(rs->failed[k]);
	}
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs);
}

const char *
ruleset_intern(struct ruleset *rs, const char *file)
{
	size_t	 i;

	for (i = 0; i < rs->nfiles; i++) {
		if (strcmp(rs->files[i], file) == 0)
			return rs->files[i];
	}
	rs->files = xreallocarray(rs->files, rs->nfiles + 1,
	    sizeof *rs->files);
	rs->files[rs->nfiles] = xstrdup(file);
	return rs->files[rs->nfiles++];
}

const char *
ruleset_main_file(const struct ruleset *rs)
{
	return rs->nfiles > 0 ? rs->files[0] : NULL;
}

/* Repeatable statements (DEFGROUP, DEFDATE) add to the first one. */
static bool
ruleset_merge(struct ruleset *rs, struct def *d)
{
	struct def	*old = NULL;
	size_t		 i;

	for (i = 0; i < rs->n; i++) {
		if (rs->defs[i]->kind == d->kind &&
		    strcmp(rs->defs[i]->name, d->name) == 0) {
			old = rs->defs[i];
			break;
		}
	}
	if (old == NULL)
		return false;
	if (d->kind == DEF_GROUP) {
		struct strlist *to = &((struct group *)old)->members;
		struct strlist *from = &((struct group *)d)->members;
		to->v = xreallocarray(to->v, to->n + from->n, sizeof *to->v);
		memcpy(to->v + to->n, from->v, from->n * sizeof *to->v);
		to->n += from->n;
		from->n = 0;
	} else if (d->kind == DEF_DATE) {
		struct datelist *to = &((struct date *)old)->dates;
		struct datelist *from = &((struct date *)d)->dates;
		to->v = xreallocarray(to->v, to->n + from->n, sizeof *to->v);
		memcpy(to->v + to->n, from->v, from->n * sizeof *to->v);
		to->n += from->n;
		/* The first DESC given describes the whole list. */
		if (((struct date *)old)->desc == NULL &&
		    ((struct date *)d)->desc != NULL) {
			int i = directive_operand(directive_of(DEF_DATE),
			    "DESC");
			((struct date *)old)->desc = ((struct date *)d)->desc;
			((struct date *)d)->desc = NULL;
			old->set |= 1ull << i;
			old->oploc[i] = d->oploc[i];
		}
	}
	def_free(d);
	return true;
}

void
ruleset_add(struct ruleset *rs, struct def *d)
{
	d->seq = rs->seq++;
	if (directive_of(d->kind)->repeatable && ruleset_merge(rs, d))
		return;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap == 0 ? 64 : rs->cap * 2;
		rs->defs = xreallocarray(rs->defs, rs->cap, sizeof *rs->defs);
	}
	rs->defs[rs->n++] = d;
}

void
ruleset_add_failed(struct ruleset *rs, enum def_kind kind, const char *name)
{
	char	*u, *c;

	u = xstrdup(name);
	for (c = u; *c != '\0'; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
	rs->failed[kind] = xreallocarray(rs->failed[kind],
	    rs->nfailed[kind] + 1, sizeof *rs->failed[kind]);
	rs->failed[kind][rs->nfailed[kind]++] = u;
}

bool
ruleset_failed(const struct ruleset *rs, enum def_kind kind, const char *name)
{
	size_t	 i;

	for (i = 0; i < rs->nfailed[kind]; i++) {
		if (strcasecmp(rs->failed[kind][i], name) == 0)
			return true;
	}
	return false;
}

static int
def_cmp(const void *a, const void *b)
{
	const struct def	*x = *(struct def *const *)a;
	const struct def	*y = *(struct def *const *)b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Build the name indexes; a name defined twice is an error. */
void
ruleset_finish(struct ruleset *rs, struct diag *diag)
{
	struct def	*d, *prev;
	size_t		 i, k, n;

	for (i = 0; i < rs->n; i++) {
		d = rs->defs[i];
		k = d->kind;
		rs->bykind[k] = xreallocarray(rs->bykind[k],
		    rs->nbykind[k] + 1, sizeof *rs->bykind[k]);
		rs->bykind[k][rs->nbykind[k]++] = d;
		if (d->name == NULL)
			continue;
		k = d->kind;
		rs->byname[k] = xreallocarray(rs->byname[k],
		    rs->nbyname[k] + 1, sizeof *rs->byname[k]);
		rs->byname[k][rs->nbyname[k]++] = d;
	}
	for (k = 0; k < DEF__COUNT; k++) {
		n = rs->nbyname[k];
		if (n == 0)
			continue;
		qsort(rs->byname[k], n, sizeof *rs->byname[k], def_cmp);
		prev = rs->byname[k][0];
		for (i = 1; i < n; i++) {
			d = rs->byname[k][i];
			/* Every later one is reported against the first. */
			if (strcmp(prev->name, d->name) != 0) {
				prev = d;
				continue;
			}
			diag_add(diag, DIAG_ERROR, &d->loc, "%s %s: %s %s is"
			    " already defined at %s:%u:%u; a name may be"
			    " defined once", def_kind_verb(d->kind), d->name,
			    def_kind_name(d->kind), d->name, prev->loc.file,
			    prev->loc.line, prev->loc.col);
		}
	}
}

size_t
ruleset_size(const struct ruleset *rs)
{
	return rs->n;
}

const struct def *
ruleset_at(const struct ruleset *rs, size_t i)
{
	return i < rs->n ? rs->defs[i] : NULL;
}

size_t
ruleset_count(const struct ruleset *rs, enum def_kind kind)
{
	return rs->nbykind[kind];
}

/* The i-th definition of a kind, in definition order. */
const struct def *
ruleset_get(const struct ruleset *rs, enum def_kind kind, size_t i)
{
	return i < rs->nbykind[kind] ? rs->bykind[kind][i] : NULL;
}

const struct def *
ruleset_find(const struct ruleset *rs, enum def_kind kind, const char *name)
{
	size_t	 lo = 0, hi = rs->nbyname[kind], mid, i;
	char	 key[NAME_MAX_LEN + 1];
	int	 c;

	/* Names are stored upper case and sorted with strcmp. */
	for (i = 0; name[i] != '\0'; i++) {
		if (i == NAME_MAX_LEN)
			return NULL;
		key[i] = (char)toupper((unsigned char)name[i]);
	}
	key[i] = '\0';
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(key, rs->byname[kind][mid]->name);
		if (c == 0)
			return rs->byname[kind][mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void
ruleset_summary(const struct ruleset *rs, struct strbuf *sb)
{
	size_t		 k, n;
	bool		 first = true;
	const char	*name;

	for (k = 0; k < DEF__COUNT; k++) {
		if ((n = ruleset_count(rs, k)) == 0)
			continue;
		name = def_kind_name(k);
		strbuf_addf(sb, "%s%zu %s%s", first ? "" : ", ", n, name,
		    n == 1 ? "" : "s");
		first = false;
	}
	if (first)
		strbuf_adds(sb, "no definitions");
}

void
ruleset_set_compiled(struct ruleset *rs, struct compiled *c)
{
	compiled_free(rs->compiled);
	rs->compiled = c;
}

const struct compiled *
ruleset_compiled(const struct ruleset *rs)
{
	return rs->compiled;
}
