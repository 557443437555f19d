/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parser.c - turns logical statements into definitions.  Both syntaxes of
 * the reference are read: 1.6 "KEYWORD value" and legacy "KEYWORD(value),"
 * (with or without a blank before the parenthesis), mixed freely.  Every
 * error is reported with its place and the parser goes on with the next
 * statement; a statement with an error never becomes a definition, but its
 * name is remembered so that references to it do not cascade.  Values are
 * checked by value.c; cross-references are left to xref.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"

struct token {
	char		*kw;
	struct loc	 kwloc;
	char		*val;		/* NULL: no value (a flag) */
	struct loc	 valloc;
	int		 idx;		/* operand index, -1 unknown */
};

struct parse {
	struct loader		*ld;
	struct diag		*diag;
	struct ruleset		*rs;
	const struct stmt	*st;
	const char		*t;	/* st->text.data */
	size_t			 len;
	size_t			 i;
	const char		*dir;	/* of the rule file */
};

/* Operator commands of the reference that are not rule-file statements. */
static const char *const operator_commands[] = {
	"SUSPEND", "RESUME", "STATUS", "QUERY", "RUN", "VIEWCON", "VIEWLOG",
	"VIEWSPL", "GOMCMD", "GOMMAIN", "SET", "TRACE", "CMD", "CONFIG",
	"DELRULE", "DELACTN", "DELSCHD", "DELEMON", "DELSMON", "DELPMON",
	"DELMMON", "DELIMON", "DELGROUP", "DELDATE", "DELVIEW", NULL
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct loc
here(const struct parse *p, size_t i)
{
	return stmt_loc(p->st, i);
}

static void
skip_blanks(struct parse *p)
{
	while (p->i < p->len && blank(p->t[p->i]))
		p->i++;
}

static void
skip_separators(struct parse *p)
{
	while (p->i < p->len && (blank(p->t[p->i]) || p->t[p->i] == ','))
		p->i++;
}

/* A quoted string at p->i ('' is a quote); NULL if it is not closed. */
static char *
scan_quoted(struct parse *p)
{
	struct strbuf	 sb;
	size_t		 i = p->i + 1;

	strbuf_init(&sb);
	for (; i < p->len; i++) {
		if (p->t[i] == '\'') {
			if (i + 1 < p->len && p->t[i + 1] == '\'') {
				strbuf_addc(&sb, '\'');
				i++;
				continue;
			}
			p->i = i + 1;
			return strbuf_steal(&sb);
		}
		strbuf_addc(&sb, p->t[i]);
	}
	strbuf_free(&sb);
	return NULL;
}

/* After a ')' or a closing quote: the end, a blank or a comma. */
static int
expect_separator(struct parse *p, const char *what, const char *kw)
{
	struct loc	 loc;

	if (p->i >= p->len || blank(p->t[p->i]) || p->t[p->i] == ',')
		return 0;
	loc = here(p, p->i);
	diag_add(p->diag, DIAG_ERROR, &loc, "%s: expected a blank or ',' after"
	    " the %s, got '%c'", kw, what, p->t[p->i]);
	return -1;
}

/*
 * The value of an operand at p->i: "(value)" with nested parentheses and
 * quotes honoured, a quoted string, or one blank-delimited word.  A value
 * that is a single quoted string inside parentheses is unquoted.
 */
static int
scan_value(struct parse *p, const char *kw, char **out, struct loc *loc)
{
	size_t		 start, end, depth;
	struct loc	 at;
	bool		 q;

	skip_blanks(p);
	*loc = here(p, p->i);
	if (p->i >= p->len) {
		diag_add(p->diag, DIAG_ERROR, loc, "%s: a value is required",
		    kw);
		return -1;
	}
	if (p->t[p->i] == '\'') {
		at = here(p, p->i);
		if ((*out = scan_quoted(p)) == NULL) {
			diag_add(p->diag, DIAG_ERROR, &at, "%s: the quoted value"
			    " that starts here is not closed (a quote inside"
			    " a value is written '')", kw);
			return -1;
		}
		if (expect_separator(p, "closing quote", kw) != 0) {
			free(*out);
			*out = NULL;
			return -1;
		}
		return 0;
	}
	if (p->t[p->i] == '(') {
		at = here(p, p->i);
		start = ++p->i;
		depth = 1;
		q = false;
		for (; p->i < p->len; p->i++) {
			char c = p->t[p->i];
			/*
			 * A quote opens a quoted part only at the start of a
			 * word, so "(it's done)" is plain text.
			 */
			if (c == '\'' && (q || p->t[p->i - 1] == '(' ||
			    p->t[p->i - 1] == ',' || blank(p->t[p->i - 1])))
				q = !q;
			else if (!q && c == '(')
				depth++;
			else if (!q && c == ')' && --depth == 0)
				break;
		}
		if (p->i >= p->len) {
			diag_add(p->diag, DIAG_ERROR, &at, "%s: no ')' closes"
			    " the '(' here (quote a value with unbalanced"
			    " parentheses)", kw);
			return -1;
		}
		end = p->i++;
		while (start < end && blank(p->t[start]))
			start++;
		while (end > start && blank(p->t[end - 1]))
			end--;
		*loc = here(p, start);
		if (expect_separator(p, "')'", kw) != 0)
			return -1;
		if (end > start && p->t[start] == '\'') {
			struct parse sub = *p;
			sub.i = start;
			sub.len = end;
			if ((*out = scan_quoted(&sub)) != NULL &&
			    sub.i == end)
				return 0;
			free(*out);
		}
		*out = xstrndup(p->t + start, end - start);
		return 0;
	}
	start = p->i;
	while (p->i < p->len && !blank(p->t[p->i]))
		p->i++;
	end = p->i;
	if (end - start > 1 && p->t[end - 1] == ',')
		end--;		/* "NAME R1, MATCH ..." */
	*out = xstrndup(p->t + start, end - start);
	return 0;
}

/* A keyword: letters, digits and '_'; NULL if there is none at p->i. */
static char *
scan_keyword(struct parse *p)
{
	size_t	 start = p->i;
	char	*kw, *c;

	while (p->i < p->len && (isalnum((unsigned char)p->t[p->i]) ||
	    p->t[p->i] == '_'))
		p->i++;
	if (p->i == start)
		return NULL;
	kw = xstrndup(p->t + start, p->i - start);
	for (c = kw; *c != '\0'; c++)
		*c = (char)toupper((unsigned char)*c);
	return kw;
}

static void
add_suggestion(struct strbuf *sb, const char *word, const char *const *list,
    size_t n)
{
	const char	*s = suggest_word(word, list, n);

	if (s != NULL)
		strbuf_addf(sb, "; did you mean %s?", s);
}

static void
unknown_operand(struct parse *p, const struct directive *dir,
    const char *label, const char *kw, const struct loc *loc)
{
	const char	*names[OPERANDS_MAX];
	struct strbuf	 sb;
	size_t		 i;

	for (i = 0; i < dir->nops; i++)
		names[i] = dir->ops[i].name;
	strbuf_init(&sb);
	strbuf_addf(&sb, "%s: unknown operand %s", label, kw);
	add_suggestion(&sb, kw, names, dir->nops);
	diag_add(p->diag, DIAG_ERROR, loc, "%s", sb.data);
	strbuf_free(&sb);
}

/* Split the operands; -1 if the statement cannot be read further. */
static int
tokenize(struct parse *p, const struct directive *dir, const char *label,
    struct token **tokp, size_t *ntokp)
{
	struct token	*tok = NULL, *t;
	size_t		 ntok = 0, save;
	struct loc	 loc;
	char		*kw, *next, *what;
	int		 rc = 0;

	for (;;) {
		skip_separators(p);
		if (p->i >= p->len)
			break;
		loc = here(p, p->i);
		if ((kw = scan_keyword(p)) == NULL) {
			diag_add(p->diag, DIAG_ERROR, &loc, "%s: expected an"
			    " operand keyword, got '%c'", label, p->t[p->i]);
			rc = -1;
			break;
		}
		if (p->i < p->len && !blank(p->t[p->i]) &&
		    p->t[p->i] != '(' && p->t[p->i] != '\'' &&
		    p->t[p->i] != ',') {
			struct loc at = here(p, p->i);
			diag_add(p->diag, DIAG_ERROR, &at, "%s: expected a blank"
			    " or '(' after the keyword %s, got '%c'", label,
			    kw, p->t[p->i]);
			free(kw);
			rc = -1;
			break;
		}
		tok = xreallocarray(tok, ntok + 1, sizeof *tok);
		t = &tok[ntok++];
		memset(t, 0, sizeof *t);
		t->kw = kw;
		t->kwloc = loc;
		t->idx = directive_operand(dir, kw);
		xasprintf(&what, "%s %s", label, kw);
		if (t->idx < 0) {
			/*
			 * Guess the extent of an unknown operand to go on;
			 * it is reported once the statement's name is known.
			 */
			save = p->i;
			skip_blanks(p);
			if (p->i >= p->len) {	/* a keyword at the end */
				free(what);
				continue;
			}
			if (p->t[p->i] != '(' &&
			    (next = scan_keyword(p)) != NULL) {
				bool known = directive_operand(dir, next) >= 0;
				free(next);
				p->i = save;
				if (known) {
					free(what);
					continue;
				}
			}
			p->i = save;
			rc = scan_value(p, what, &t->val, &t->valloc);
			free(what);
			if (rc != 0)
				break;
			continue;
		}
		/* Report under the name the table uses, not an alias. */
		if (dir->ops[t->idx].type == V_FLAG) {
			save = p->i;
			skip_blanks(p);
			if (p->i < p->len && p->t[p->i] == '(') {
				struct loc at = here(p, p->i);
				diag_add(p->diag, DIAG_ERROR, &at, "%s: takes"
				    " no value", what);
				free(what);
				rc = -1;
				break;
			}
			p->i = save;
			t->valloc = loc;
			free(what);
			continue;
		}
		rc = scan_value(p, what, &t->val, &t->valloc);
		free(what);
		if (rc != 0)
			break;
	}
	*tokp = tok;
	*ntokp = ntok;
	return rc;
}

static void
tokens_free(struct token *tok, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(tok[i].kw);
		free(tok[i].val);
	}
	free(tok);
}

static bool
is_set(const struct def *d, const struct directive *dir, const char *name)
{
	int	 i = directive_operand(dir, name);

	return i >= 0 && (d->set & (1ull << i));
}

static bool
loc_after(const struct loc *a, const struct loc *b)
{
	return a->line > b->line || (a->line == b->line && a->col > b->col);
}

static void
check_constraints(struct parse *p, const struct directive *dir,
    struct def *d, const char *label)
{
	const struct constraint	*c;
	const struct operand	*op;
	struct strbuf		 names;
	size_t			 i, j, n;
	int			 k, last;

	for (i = 0; i < dir->nops; i++) {
		op = &dir->ops[i];
		if ((op->flags & OPF_REQUIRED) && op->alias == NULL &&
		    !(d->set & (1ull << i)))
			diag_add(p->diag, DIAG_ERROR, &d->loc, "%s: %s is"
			    " required", label, op->name);
		if (!(d->set & (1ull << i)))
			continue;
		if (op->needs != NULL && !is_set(d, dir, op->needs))
			diag_add(p->diag, DIAG_ERROR, &d->oploc[i], "%s %s:"
			    " only valid together with %s", label, op->name,
			    op->needs);
		if (op->conflicts != NULL && is_set(d, dir, op->conflicts))
			diag_add(p->diag, DIAG_ERROR, &d->oploc[i], "%s %s:"
			    " cannot be combined with %s", label, op->name,
			    op->conflicts);
	}
	for (i = 0; i < dir->nconstraints; i++) {
		c = &dir->constraints[i];
		strbuf_init(&names);
		n = 0;
		last = -1;
		for (j = 0; c->names[j] != NULL; j++) {
			strbuf_addf(&names, "%s%s", j == 0 ? "" :
			    c->names[j + 1] == NULL ? " or " : ", ",
			    c->names[j]);
			if (!is_set(d, dir, c->names[j]))
				continue;
			n++;
			/* Blame the one that comes last in the file. */
			k = directive_operand(dir, c->names[j]);
			if (last < 0 || loc_after(&d->oploc[k],
			    &d->oploc[last]))
				last = k;
		}
		if (n == 0 && c->kind != AT_MOST_ONE) {
			if (j == 1)
				diag_add(p->diag, DIAG_ERROR, &d->loc, "%s: %s"
				    " is required", label, names.data);
			else
				diag_add(p->diag, DIAG_ERROR, &d->loc, "%s: one"
				    " of %s is required", label, names.data);
		} else if (n > 1 && c->kind != AT_LEAST_ONE) {
			k = last;
			diag_add(p->diag, DIAG_ERROR, &d->oploc[k], "%s %s:"
			    " only one of %s may be given", label,
			    dir->ops[k].name, names.data);
		}
		strbuf_free(&names);
	}
}

static void
apply_defaults(const struct directive *dir, struct def *d)
{
	const struct operand	*op;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < dir->nops; i++) {
		op = &dir->ops[i];
		if (op->deflt == NULL || (d->set & (1ull << i)))
			continue;
		if (value_parse(op, op->deflt, (char *)d + op->off, NULL,
		    &cause) != 0)
			fatalx("%s %s: bad default: %s", dir->verb, op->name,
			    cause);
	}
}

/*
 * The statement's NAME, looked up before the operands are read so that
 * every message, syntax errors included, can say which definition it is
 * about.  Only a label: the real value is read and checked later.
 */
static char *
peek_name(const struct parse *p)
{
	size_t	 j, e;
	char	 c, *name, *u;

	for (j = 0; j + 4 <= p->len; j++) {
		if (p->t[j] == '\'') {		/* NAME in a quoted value */
			while (++j < p->len && p->t[j] != '\'')
				;
			continue;
		}
		if (strncasecmp(p->t + j, "NAME", 4) != 0 ||
		    (j > 0 && !blank(p->t[j - 1]) && p->t[j - 1] != ',' &&
		    p->t[j - 1] != ')') || (j + 4 < p->len &&
		    !blank(p->t[j + 4]) && p->t[j + 4] != '('))
			continue;
		for (j += 4; j < p->len && blank(p->t[j]); j++)
			;
		if (j < p->len && p->t[j] == '(')
			for (j++; j < p->len && blank(p->t[j]); j++)
				;
		if (j < p->len && p->t[j] == '\'')
			j++;
		for (e = j; e < p->len && e - j < NAME_MAX_LEN * 2; e++) {
			c = p->t[e];
			if (blank(c) || c == ',' || c == ')' || c == '\'')
				break;
		}
		if (e == j)
			return NULL;
		name = xstrndup(p->t + j, e - j);
		for (u = name; *u != '\0'; u++)
			*u = (char)toupper((unsigned char)*u);
		return name;
	}
	return NULL;
}

static void
parse_definition(struct parse *p, const struct directive *dir,
    const struct loc *verbloc)
{
	struct token		*tok = NULL, *t;
	size_t			 ntok = 0, i, errors = p->diag->errors;
	struct def		*d;
	const struct operand	*op;
	struct value_ctx	 ctx = { p->dir, false };
	char			*cause = NULL, *label, *peeked = NULL;
	const char		*rawname = NULL;
	int			 nameidx;

	d = xcalloc(1, dir->size);
	d->kind = dir->kind;
	d->loc = *verbloc;

	/* Every message about the statement carries its name. */
	if (dir->named && (peeked = peek_name(p)) != NULL)
		xasprintf(&label, "%s %s", dir->verb, peeked);
	else
		label = xstrdup(dir->verb);

	if (tokenize(p, dir, label, &tok, &ntok) != 0)
		goto out;

	nameidx = dir->named ? directive_operand(dir, "NAME") : -1;
	for (i = 0; i < ntok && nameidx >= 0; i++) {
		if (tok[i].idx == nameidx) {
			rawname = tok[i].val;
			break;
		}
	}

	for (i = 0; i < ntok; i++) {
		t = &tok[i];
		if (t->idx < 0) {
			unknown_operand(p, dir, label, t->kw, &t->kwloc);
			continue;
		}
		op = &dir->ops[t->idx];
		if (d->set & (1ull << t->idx)) {
			const struct loc *first = &d->oploc[t->idx];
			if (strcmp(t->kw, op->name) != 0)
				diag_add(p->diag, DIAG_ERROR, &t->kwloc, "%s %s:"
				    " the same operand as %s, which is already"
				    " given (its value is at line %u, column"
				    " %u)", label, t->kw, op->name, first->line,
				    first->col);
			else
				diag_add(p->diag, DIAG_ERROR, &t->kwloc, "%s %s:"
				    " given twice (the first value is at line"
				    " %u, column %u); each operand may appear"
				    " once", label, t->kw, first->line,
				    first->col);
			continue;
		}
		d->set |= 1ull << t->idx;
		d->oploc[t->idx] = t->valloc;
		if (t->val != NULL && t->val[0] == '\0') {
			diag_add(p->diag, DIAG_ERROR, &t->valloc, "%s %s: the"
			    " value is empty", label, op->name);
			continue;
		}
		if (value_parse(op, t->val, (char *)d + op->off, &ctx,
		    &cause) != 0) {
			diag_add(p->diag, DIAG_ERROR, &t->valloc, "%s %s: %s",
			    label, op->name, cause);
			free(cause);
			cause = NULL;
		} else if (op->type == V_DAYS &&
		    *(uint8_t *)((char *)d + op->off) == 0)
			diag_add(p->diag, DIAG_WARNING, &t->valloc, "%s %s: '%s'"
			    " has no '*', so this is never active ('*' marks"
			    " an active day: ******** is every day)", label,
			    op->name, t->val);
	}
	if (p->diag->errors == errors)
		check_constraints(p, dir, d, label);
	if (p->diag->errors == errors) {
		apply_defaults(dir, d);
		if (dir->check != NULL)
			dir->check(d, dir, p->diag, label);
	}
out:
	free(label);
	if (p->diag->errors != errors) {
		/* rawname points into the tokens: use it before freeing. */
		if (d->name != NULL)
			ruleset_add_failed(p->rs, d->kind, d->name);
		else if (rawname != NULL && dir->named)
			ruleset_add_failed(p->rs, d->kind, rawname);
		else if (peeked != NULL)	/* the operands were unreadable */
			ruleset_add_failed(p->rs, d->kind, peeked);
		def_free(d);
	} else
		ruleset_add(p->rs, d);
	tokens_free(tok, ntok);
	free(peeked);
}

/* INCLUDE path | INCLUDE 'path' | INCLUDE FILE(path) | INCLUDE FILE path */
static void
parse_include(struct parse *p, const struct loc *verbloc)
{
	size_t		 save;
	char		*kw, *path = NULL;
	struct loc	 loc;

	skip_blanks(p);
	save = p->i;
	if ((kw = scan_keyword(p)) != NULL && strcmp(kw, "FILE") == 0 &&
	    (p->i >= p->len || blank(p->t[p->i]) || p->t[p->i] == '(')) {
		skip_blanks(p);
		if (p->i >= p->len)
			p->i = save;	/* a file called FILE */
	} else
		p->i = save;
	free(kw);
	if (scan_value(p, "INCLUDE", &path, &loc) != 0)
		return;
	skip_separators(p);
	if (p->i < p->len) {
		struct loc at = here(p, p->i);
		diag_add(p->diag, DIAG_ERROR, &at, "INCLUDE: expected one file"
		    " name, got more ('%s')", p->t + p->i);
	} else if (path[0] == '\0')
		diag_add(p->diag, DIAG_ERROR, &loc, "INCLUDE: the file name is"
		    " empty");
	else
		load_include(p->ld, path, &loc, p->dir);
	free(path);
}

static void
parse_statement(struct parse *p)
{
	const struct directive	*dir;
	struct loc		 verbloc = here(p, 0);
	const char		*verbs[DEF__COUNT + 1];
	struct strbuf		 sb;
	char			*verb;
	size_t			 i, n;

	p->i = 0;
	while (p->i < p->len && !blank(p->t[p->i]) && p->t[p->i] != ',' &&
	    p->t[p->i] != '(')
		p->i++;
	verb = xstrndup(p->t, p->i);
	if (strcasecmp(verb, "INCLUDE") == 0) {
		parse_include(p, &verbloc);
		free(verb);
		return;
	}
	if ((dir = directive_find(verb)) != NULL) {
		parse_definition(p, dir, &verbloc);
		free(verb);
		return;
	}

	strbuf_init(&sb);
	for (i = 0; operator_commands[i] != NULL; i++) {
		if (strcasecmp(verb, operator_commands[i]) == 0)
			break;
	}
	if (operator_commands[i] != NULL)
		strbuf_addf(&sb, "%s is an operator command of Operations"
		    " Manager, not a rule-file statement; remove it from the"
		    " file", operator_commands[i]);
	else {
		for (n = 0; (dir = directive_at(n)) != NULL; n++)
			verbs[n] = dir->verb;
		verbs[n++] = "INCLUDE";
		strbuf_addf(&sb, "unknown statement '%s'", verb);
		add_suggestion(&sb, verb, verbs, n);
	}
	diag_add(p->diag, DIAG_ERROR, &verbloc, "%s", sb.data);
	strbuf_free(&sb);
	free(verb);
}

void
parser_run(struct loader *ld, struct lexer *lx, const char *dir)
{
	struct parse	 p;
	struct stmt	 st;

	memset(&p, 0, sizeof p);
	p.ld = ld;
	p.diag = loader_diag(ld);
	p.rs = loader_ruleset(ld);
	p.dir = dir;
	stmt_init(&st);
	while (lexer_next(lx, &st) == 1) {
		p.st = &st;
		p.t = st.text.data;
		p.len = st.text.len;
		parse_statement(&p);
	}
	stmt_free(&st);
}
