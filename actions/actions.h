/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actions.h - turning an action into what would run: splitting COMMAND
 * into argv words, substituting variables inside the words (never into
 * shell syntax), and applying the action's environment.  Returned objects
 * are owned by the caller (argv_free, plan_free).
 */
#ifndef VIGIL_ACTIONS_H
#define VIGIL_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;
struct message;
struct match_hit;
struct ruleset;
struct action;
struct rule;

struct argv {
	char	**v;		/* NULL-terminated */
	size_t	  n;
};

/* argv.c */
struct argv	*argv_split(const char *, char **cause);
void		 argv_free(struct argv *);

/* subst.c: what &name means when an action is triggered. */
struct subst_ctx {
	const struct message	*msg;		/* the triggering message */
	const struct match_hit	*hit;		/* the rule's match, or NULL */
	const char		*kind;		/* &0: RULE, SCHEDULE, ... */
	const char		*name;		/* &R: rule/schedule/monitor */
	const char		*action;	/* &A: the action */
	const char		*parm;		/* &P before expansion */
	time_t			 now;		/* when, if no message */
	uint64_t		 undefined;	/* names expanded to nothing */
};
void		 subst_expand(const char *, struct subst_ctx *, bool quote,
		    struct strbuf *);
bool		 subst_builtin(const char *name, size_t len);
size_t		 subst_scan(const char *, size_t *skip);
bool		 subst_value(const char *name, size_t len, struct subst_ctx *,
		    struct strbuf *);
typedef void	(*subst_name_cb)(const char *name, size_t len, void *);
void		 subst_names(const char *, subst_name_cb, void *);

/* plan.c: what an action would do, fully substituted. */
enum plan_kind {
	PLAN_NULL,	/* the built-in NULL action */
	PLAN_EXEC,	/* run argv */
	PLAN_SHELL,	/* run argv: /bin/sh -c text, values quoted */
	PLAN_CONSOLE,	/* write text to a source's console */
	PLAN_VIGIL,	/* an operator command to vigild */
	PLAN_EMIT,	/* feed text back as a message */
	PLAN_INPUT	/* INPUT text to the console */
};
struct plan {
	enum plan_kind	 kind;
	const char	*action;	/* its name */
	const char	*env;		/* the environment used */
	struct argv	*argv;		/* EXEC, SHELL */
	char		*text;		/* CONSOLE, VIGIL, EMIT, INPUT */
	const char	*console;	/* CONSOLE: the source, NULL: msg's */
	unsigned	 delay;		/* DELAY, seconds */
	struct plan	*next;		/* NEXTACTN */
};
struct plan	*plan_action(const struct ruleset *, const char *action,
		    const char *env_override, struct subst_ctx *);
void		 plan_free(struct plan *);
const char	*plan_kind_name(enum plan_kind);

#endif
