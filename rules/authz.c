/* SPDX-License-Identifier: Apache-2.0 */
/*
 * authz.c - the access decision of the control socket: the level a peer
 * has, for everything or for one object, from the AUTH statements of a
 * ruleset; and the AUTH statement that would grant a level.  It is pure:
 * it does not look users or groups up (engine/auth.c does, and passes
 * what it found), it does not know the commands (engine/ctl-cmds.c names
 * the level each needs) and it writes no audit record.
 *
 * Names are compared exactly: Unix user and group names are
 * case-sensitive, and a grant must not reach another account whose name
 * differs only in case.  Object patterns are wildcards compared without
 * case, as everywhere else in the rule language (action and rule names
 * are upper case anyway).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"

static const char *const level_names[] = {
	[AUTH_NONE] = "NONE",
	[AUTH_VIEW] = "VIEW",
	[AUTH_OPERATE] = "OPERATE",
	[AUTH_CONFIG] = "CONFIG",
	[AUTH_ADMIN] = "ADMIN"
};

/* The AUTH operands that narrow a grant, and the kind each one covers. */
enum scope { SCOPE_ALL, SCOPE_CONSOLE, SCOPE_ACTION, SCOPE_SOURCE,
	SCOPE_RULE, SCOPE_OTHER };
static const char *const scope_names[] = {
	[SCOPE_CONSOLE] = "CONSOLE",
	[SCOPE_ACTION] = "ACTION",
	[SCOPE_SOURCE] = "SOURCE",
	[SCOPE_RULE] = "RULE"
};

/* A level's word as AUTH writes it. */
const char *
authz_level_name(int level)
{
	if (level < AUTH_NONE || level > AUTH_ADMIN)
		return "?";
	return level_names[level];
}

/* The scope a command's kind falls in; NULL is a global right. */
static enum scope
kind_scope(const char *kind)
{
	int	 i;

	if (kind == NULL)
		return SCOPE_ALL;
	for (i = SCOPE_CONSOLE; i <= SCOPE_RULE; i++) {
		if (strcasecmp(kind, scope_names[i]) == 0)
			return i;
	}
	return SCOPE_OTHER;
}

/*
 * A uid or gid written as a decimal number.  Only digits: "+5", " 5" or
 * "5x" are names, not numbers, so they never match an id by accident.
 */
static bool
parse_id(const char *s, unsigned long *id)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool
user_matches(const char *want, const struct authz_peer *p)
{
	unsigned long	 id;

	if (p->user != NULL && strcmp(want, p->user) == 0)
		return true;
	return parse_id(want, &id) && id == p->uid;
}

static bool
group_matches(const char *want, const struct authz_peer *p)
{
	unsigned long	 id;
	bool		 numeric = parse_id(want, &id);
	size_t		 i;

	for (i = 0; i < p->ngroups; i++) {
		if (p->groups != NULL && p->groups[i] != NULL &&
		    strcmp(want, p->groups[i]) == 0)
			return true;
		if (numeric && p->gids[i] == id)
			return true;
	}
	return false;
}

/* Whether grant a, which names the peer, covers the object. */
static bool
covers(const struct auth *a, enum scope scope, const char *object)
{
	const char	*pattern;

	if (a->console == NULL && a->action == NULL && a->source == NULL &&
	    a->rule == NULL)
		return true;	/* a global grant covers every object */
	switch (scope) {
	case SCOPE_CONSOLE:
		pattern = a->console;
		break;
	case SCOPE_ACTION:
		pattern = a->action;
		break;
	case SCOPE_SOURCE:
		pattern = a->source;
		break;
	case SCOPE_RULE:
		pattern = a->rule;
		break;
	default:
		/* A global right, or a kind no AUTH operand names. */
		return false;
	}
	return pattern != NULL && object != NULL &&
	    wild_match(pattern, object, true);
}

/* The level peer has for kind/object (kind NULL: a global right). */
int
authz_level(const struct ruleset *rs, const struct authz_peer *p,
    unsigned long self, const char *kind, const char *object)
{
	const struct auth	*a;
	enum scope		 scope = kind_scope(kind);
	size_t			 i, n;
	int			 best = AUTH_NONE;

	if (p->uid == 0 || p->uid == self)
		return AUTH_ADMIN;
	n = rs != NULL ? ruleset_count(rs, DEF_AUTH) : 0;
	for (i = 0; i < n && best < AUTH_ADMIN; i++) {
		a = (const struct auth *)ruleset_get(rs, DEF_AUTH, i);
		if (a->level <= best)
			continue;
		if (a->user != NULL ? !user_matches(a->user, p) :
		    a->group == NULL || !group_matches(a->group, p))
			continue;
		if (covers(a, scope, object))
			best = a->level;
	}
	return best;
}

/*
 * Whether s reads back from a rule file as this one word (the test of
 * the dump's quoting, and no control bytes, which must not reach a
 * terminal).  Quoting does not make '*' or '%' literal: a pattern has no
 * escape, so an object holding them is shown as it is.
 */
static bool
plain_word(const char *s)
{
	size_t		 n = strlen(s), i;
	unsigned char	 c;

	if (n == 0 || s[n - 1] == ',' || s[n - 1] == '+')
		return false;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr("'()", c) != NULL)
			return false;
	}
	return true;
}

/*
 * The AUTH statement that grants the peer level for kind/object, as an
 * administrator would add it: the user by name (by uid when it has no
 * name that can be written as one word), the object quoted when it is
 * not one word.  A kind with no AUTH operand of its own gets a global
 * grant, the only kind that covers it.
 */
char *
authz_statement(const struct authz_peer *p, int level, const char *kind,
    const char *object)
{
	struct strbuf	 sb;
	enum scope	 scope = kind_scope(kind);
	const char	*c;

	strbuf_init(&sb);
	if (p->user != NULL && plain_word(p->user))
		strbuf_addf(&sb, "AUTH USER %s", p->user);
	else
		strbuf_addf(&sb, "AUTH USER %lu", p->uid);
	strbuf_addf(&sb, " %s", authz_level_name(level));
	if (scope == SCOPE_ALL || scope == SCOPE_OTHER || object == NULL)
		return strbuf_steal(&sb);
	strbuf_addf(&sb, " %s(", scope_names[scope]);
	if (plain_word(object))
		strbuf_adds(&sb, object);
	else {
		/* Quoted, quotes doubled; control bytes shown, not sent. */
		strbuf_addc(&sb, '\'');
		for (c = object; *c != '\0'; c++) {
			if (*c == '\'')
				strbuf_addc(&sb, '\'');
			strbuf_add_escaped(&sb, c, 1);
		}
		strbuf_addc(&sb, '\'');
	}
	strbuf_addc(&sb, ')');
	return strbuf_steal(&sb);
}
