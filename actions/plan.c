/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c - what an action would do when triggered, fully substituted:
 * its environment decides how (run argv directly, with PREFIX words put
 * before it, through /bin/sh -c with every value quoted, as text written
 * to a console, or as an operator command), and NEXTACTN chains follow.
 * COMMAND is split into words before anything is substituted.  The
 * runner (later) executes plans; vigil test and replay print them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions/actions.h"
#include "rules/rules.h"

const char *
plan_kind_name(enum plan_kind kind)
{
	static const char *const names[] = {
		"null", "exec", "shell", "console", "vigil", "emit", "input"
	};

	return kind <= PLAN_INPUT ? names[kind] : "?";
}

void
plan_free(struct plan *p)
{
	struct plan	*next;

	while (p != NULL) {
		next = p->next;
		argv_free(p->argv);
		free(p->text);
		free(p->owned_name);
		free(p);
		p = next;
	}
}

static char *
expand(const char *s, struct subst_ctx *ctx, bool quote)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	subst_expand(s, ctx, quote, &sb);
	return strbuf_steal(&sb);
}

/* Split first, then substitute inside each word. */
static void
add_words(struct argv *av, const char *text, struct subst_ctx *ctx,
    bool substitute)
{
	struct argv	*words;
	char		*cause = NULL;
	size_t		 i;

	if ((words = argv_split(text, &cause)) == NULL) {
		free(cause);	/* checked at load time; cannot happen */
		return;
	}
	av->v = xreallocarray(av->v, av->n + words->n + 1, sizeof *av->v);
	for (i = 0; i < words->n; i++)
		av->v[av->n++] = substitute ? expand(words->v[i], ctx, false) :
		    xstrdup(words->v[i]);
	av->v[av->n] = NULL;
	argv_free(words);
}

/*
 * ENV SHELL: the command is a script for /bin/sh -c in which every
 * variable becomes a positional parameter, so the shell never parses a
 * value: outside quotes &X becomes "${n}", inside double quotes ${n},
 * inside single quotes '"${n}"' (close, insert, reopen).  The values
 * follow the script as arguments: sh -c SCRIPT vigil V1 V2 ...  In a
 * script "&&" is the shell's AND, and "&" after '<' or '>' is a
 * redirection (2>&1), not a variable.
 */
static void
shell_script(const char *s, struct subst_ctx *ctx, struct argv *av)
{
	struct strbuf	 sc, v;
	enum { PLAIN, SQ, DQ } q = PLAIN;
	size_t		 i, n, skip, nargs = 0;
	const char	*name;
	char		 prev = ' ';

	strbuf_init(&sc);
	strbuf_init(&v);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '&' && s[i + 1] == '&') {
			strbuf_adds(&sc, "&&");
			prev = '&';
			i++;
			continue;
		}
		if (s[i] != '&' || prev == '<' || prev == '>' ||
		    (n = subst_scan(s + i + 1, &skip)) == 0) {
			if (q != SQ && s[i] == '\\' && s[i + 1] != '\0') {
				strbuf_addn(&sc, s + i, 2);
				prev = s[++i];
				continue;
			}
			if (q == PLAIN && s[i] == '\'')
				q = SQ;
			else if (q == SQ && s[i] == '\'')
				q = PLAIN;
			else if (q == PLAIN && s[i] == '"')
				q = DQ;
			else if (q == DQ && s[i] == '"')
				q = PLAIN;
			strbuf_addc(&sc, s[i]);
			prev = s[i];
			continue;
		}
		name = s + i + 1 + (s[i + 1] == '{');
		strbuf_reset(&v);
		if (!subst_value(name, n, ctx, &v))
			ctx->undefined++;
		av->v = xreallocarray(av->v, av->n + 2, sizeof *av->v);
		av->v[av->n++] = v.data != NULL ? xstrndup(v.data, v.len) :
		    xstrdup("");
		av->v[av->n] = NULL;
		nargs++;
		if (q == PLAIN)
			strbuf_addf(&sc, "\"${%zu}\"", nargs);
		else if (q == DQ)
			strbuf_addf(&sc, "${%zu}", nargs);
		else
			strbuf_addf(&sc, "'\"${%zu}\"'", nargs);
		prev = '}';
		i += skip;
	}
	/* The script goes before the values: sh -c SCRIPT vigil V1 ... */
	av->v = xreallocarray(av->v, av->n + 3, sizeof *av->v);
	memmove(av->v + av->n - nargs + 2, av->v + av->n - nargs,
	    nargs * sizeof *av->v);
	av->v[av->n - nargs] = strbuf_steal(&sc);
	av->v[av->n - nargs + 1] = xstrdup("vigil");
	av->n += 2;
	av->v[av->n] = NULL;
	strbuf_free(&v);
}

static struct plan *
plan_one(const struct ruleset *rs, const struct action *a,
    const char *env_override, struct subst_ctx *ctx)
{
	struct plan		*p;
	const struct env	*e;
	const char		*env;

	p = xcalloc(1, sizeof *p);
	p->action = a->def.name;
	p->delay = a->delay;
	env = env_override != NULL ? env_override : a->env.env;
	p->env = env;
	ctx->action = a->def.name;
	if (a->emit != NULL) {
		p->kind = PLAN_EMIT;
		p->text = expand(a->emit, ctx, false);
		return p;
	}
	if (a->command == NULL) {
		p->kind = PLAN_INPUT;
		p->text = expand(a->input != NULL ? a->input : "", ctx, false);
		return p;
	}
	e = env != NULL ? (const struct env *)ruleset_find(rs, DEF_ENV, env) :
	    NULL;
	if ((e != NULL && e->type == ENVT_SHELL) ||
	    (e == NULL && env != NULL && strcasecmp(env, "SHELL") == 0)) {
		p->kind = PLAN_SHELL;
		p->argv = xcalloc(1, sizeof *p->argv);
		if (e != NULL && e->prefix != NULL)
			add_words(p->argv, e->prefix, ctx, false);
		add_words(p->argv, "/bin/sh -c", ctx, false);
		shell_script(a->command, ctx, p->argv);
		return p;
	}
	if ((e != NULL && e->type == ENVT_SOURCE) ||
	    (e == NULL && env != NULL && strcasecmp(env, "GOS") == 0)) {
		p->kind = PLAN_CONSOLE;
		p->console = e != NULL ? e->source : NULL;
		p->text = expand(a->command, ctx, false);
		return p;
	}
	if ((e != NULL && e->type == ENVT_VIGIL) ||
	    (e == NULL && env != NULL && strcasecmp(env, "GOM") == 0)) {
		p->kind = PLAN_VIGIL;
		p->text = expand(a->command, ctx, false);
		return p;
	}
	p->kind = PLAN_EXEC;
	p->argv = xcalloc(1, sizeof *p->argv);
	if (e != NULL && e->prefix != NULL)
		add_words(p->argv, e->prefix, ctx, false);
	add_words(p->argv, a->command, ctx, true);
	return p;
}

/*
 * The plan of an action and its NEXTACTN chain (the chain shares the
 * trigger's variables).  NULL for the built-in NULL action gives a plan
 * of kind PLAN_NULL.  Loops were refused at load time; the length bound
 * is only a guard.
 */
struct plan *
plan_action(const struct ruleset *rs, const char *name,
    const char *env_override, struct subst_ctx *ctx)
{
	const struct action	*a;
	struct plan		*first = NULL, **tail = &first;
	size_t			 n = 0, max = ruleset_count(rs, DEF_ACTION);

	if (strcasecmp(name, "NULL") == 0) {
		first = xcalloc(1, sizeof *first);
		first->kind = PLAN_NULL;
		first->action = "NULL";
		return first;
	}
	while (name != NULL && n++ <= max) {
		a = (const struct action *)ruleset_find(rs, DEF_ACTION, name);
		if (a == NULL)
			break;
		/* A trigger's ENV is for its action; links keep their own. */
		*tail = plan_one(rs, a, n == 1 ? env_override : NULL, ctx);
		tail = &(*tail)->next;
		name = a->nextactn;
	}
	return first;
}

/*
 * A plugin's argv (vigil.run) through environment ENV (NULL: run it): the
 * words are data, never split or substituted again.  An EXEC or SHELL
 * environment runs them after its PREFIX (no shell: the words are already
 * split); a SOURCE one writes them, joined by blanks, to its console; a
 * VIGIL one gives them to vigild as an operator command.  NAME is what
 * the history and the runner call it.  NULL with *cause for an unknown
 * environment.
 */
struct plan *
plan_argv(const struct ruleset *rs, const char *env, char *const *words,
    size_t n, const char *name, char **cause)
{
	const struct env	*e = NULL;
	struct subst_ctx	 ctx;
	struct plan		*p;
	struct strbuf		 sb;
	size_t			 i;

	*cause = NULL;
	if (env != NULL && (e = (const struct env *)ruleset_find(rs, DEF_ENV,
	    env)) == NULL && strcasecmp(env, "GOS") != 0 &&
	    strcasecmp(env, "GOM") != 0 && strcasecmp(env, "SHELL") != 0 &&
	    strcasecmp(env, "EXEC") != 0) {
		xasprintf(cause, "no environment %s is defined (DEFENV)", env);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->owned_name = xstrdup(name);
	p->action = p->owned_name;
	p->env = e != NULL ? e->def.name : NULL;
	if ((e != NULL && (e->type == ENVT_SOURCE || e->type == ENVT_VIGIL)) ||
	    (e == NULL && env != NULL && (strcasecmp(env, "GOS") == 0 ||
	    strcasecmp(env, "GOM") == 0))) {
		strbuf_init(&sb);
		for (i = 0; i < n; i++)
			strbuf_addf(&sb, "%s%s", i > 0 ? " " : "", words[i]);
		p->text = strbuf_steal(&sb);
		if (p->text == NULL)
			p->text = xstrdup("");
		if (e != NULL ? e->type == ENVT_SOURCE :
		    strcasecmp(env, "GOS") == 0) {
			p->kind = PLAN_CONSOLE;
			p->console = e != NULL ? e->source : NULL;
		} else
			p->kind = PLAN_VIGIL;
		return p;
	}
	p->kind = PLAN_EXEC;
	p->argv = xcalloc(1, sizeof *p->argv);
	if (e != NULL && e->prefix != NULL) {
		memset(&ctx, 0, sizeof ctx);
		add_words(p->argv, e->prefix, &ctx, false);
	}
	p->argv->v = xreallocarray(p->argv->v, p->argv->n + n + 1,
	    sizeof *p->argv->v);
	for (i = 0; i < n; i++)
		p->argv->v[p->argv->n++] = xstrdup(words[i]);
	p->argv->v[p->argv->n] = NULL;
	return p;
}
