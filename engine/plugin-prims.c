/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin-prims.c - the primitives the plugin prelude (plugins/prelude.lua)
 * builds the vigil API on: the clock, the log, message watches, timers,
 * processes (through the same plans, runner and history as actions), the
 * plugin's key-value store, the workflow tables, confirmations, injected
 * messages and data files.  Each is a C function whose upvalue 1 is the
 * plugin (a light userdata); each checks its arguments and raises on
 * misuse, the prelude having checked what a plugin author would get wrong.
 *
 * Not here: the API's shape and the journal (prelude), calling into Lua
 * and the plugin's lifecycle (plugins.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "engine/plugins-int.h"
#include "engine/state.h"
#include "plugins/host.h"
#include "rules/rules.h"

#define PRUN_OUTPUT_MAX	(64 * 1024)	/* output a plugin gets back */
#define PDATA_MAX	(1024 * 1024)	/* a vigil.data file */
#define PWORDS_MAX	256		/* msg.words */

static struct plugin_rt *
prim_plugin(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/*
 * An optional string field of the table at IDX, copied: a raw get, so
 * no metamethod runs.  Called only where nothing allocated in C would
 * leak if it raised (it raises only when Lua is out of memory).
 */
static char *
opt_field(lua_State *L, int idx, const char *field)
{
	char	*s = NULL;

	lua_pushstring(L, field);
	if (lua_rawget(L, idx) == LUA_TSTRING)		/* pushes it */
		s = xstrdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	return s;
}

/* Whether the table at IDX has a string or no value for FIELD. */
static bool
check_field(lua_State *L, int idx, const char *field)
{
	int	 t;

	lua_pushstring(L, field);
	t = lua_rawget(L, idx);				/* pushes it */
	lua_pop(L, 1);
	return t == LUA_TSTRING || t == LUA_TNIL;
}

/* --- the clock, the log ---------------------------------------------------- */

static int
prim_now(lua_State *L)
{
	lua_pushnumber(L, vigild_now(prim_plugin(L)->d));
	return 1;
}

static int
prim_log(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct strbuf		 sb;
	size_t			 len;
	const char		*s = luaL_checklstring(L, 1, &len);

	strbuf_init(&sb);
	strbuf_add_escaped(&sb, s, len > 4096 ? 4096 : len);
	log_info("plugin %s: %s", p->name, sb.data != NULL ? sb.data : "");
	strbuf_free(&sb);
	return 0;
}

/*
 * time_of(t): epoch seconds for a number, "HH:MM[:SS]" (the next such
 * time, local) or "YYYY-MM-DDTHH:MM[:SS]" (local); nil, why otherwise.
 */
static int
prim_time_of(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	double			 now = vigild_now(p->d);
	const char		*s;
	struct tm		 tm;
	time_t			 t = (time_t)now, when;
	int			 h, m, sec = 0, y, mo, dd, n = 0;

	if (lua_type(L, 1) == LUA_TNUMBER) {
		lua_pushnumber(L, lua_tonumber(L, 1));
		return 1;
	}
	s = luaL_checkstring(L, 1);
	localtime_r(&t, &tm);
	if ((sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &dd, &h, &m, &sec, &n)
	    == 6 && s[n] == '\0') || (sec = 0, n = 0,
	    sscanf(s, "%d-%d-%dT%d:%d%n", &y, &mo, &dd, &h, &m, &n) == 5 &&
	    s[n] == '\0')) {
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = dd;
	} else if (!((sec = 0, n = 0, sscanf(s, "%d:%d:%d%n", &h, &m, &sec,
	    &n) == 3 && s[n] == '\0') || (sec = 0, n = 0, sscanf(s, "%d:%d%n",
	    &h, &m, &n) == 2 && s[n] == '\0'))) {
		lua_pushnil(L);
		lua_pushfstring(L, "'%s' is not a time (epoch seconds,"
		    " HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS])", s);
		return 2;
	}
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) {
		lua_pushnil(L);
		lua_pushfstring(L, "'%s' is not a time of day", s);
		return 2;
	}
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	when = mktime(&tm);
	if (n > 0 && strchr(s, 'T') == NULL && when <= t) {
		tm.tm_mday++;		/* tomorrow's */
		tm.tm_isdst = -1;
		when = mktime(&tm);
	}
	lua_pushnumber(L, (double)when);
	return 1;
}

/* --- watches ------------------------------------------------------------------ */

void
pwatch_free(struct plugin_rt *p, struct pwatch *w)
{
	size_t	 i;

	lhost_unref(p->h, w->ref);
	for (i = 0; i < w->nmatch; i++)
		free(w->match[i]);
	free(w->match);
	free(w->exclude);
	free(w->user);
	free(w->group);
	free(w->source);
	free(w->msgid);
	probe_re_free(w->regex);
	free(w);
}

int
pwatch_matches(const struct plugin_rt *p, const struct pwatch *w,
    const struct message *m)
{
	size_t	 off, len, i;
	int	 which = 1;

	/* Most watches wait for a message that starts with a literal. */
	if (w->lead != -1 && (unsigned char)m->text[0] != w->lead)
		return 0;
	if (w->nmatch > 0) {
		for (i = 0; i < w->nmatch; i++)
			if (wild_match(w->match[i], m->text, false) == 1)
				break;
		if (i == w->nmatch)
			return 0;
		which = (int)i + 1;
	}
	if (w->exclude != NULL && wild_match(w->exclude, m->text, false) == 1)
		return 0;
	if (w->msgid != NULL && wild_match(w->msgid, m->msgid, true) != 1)
		return 0;
	if (w->user != NULL && wild_match(w->user, m->user, true) != 1)
		return 0;
	if (w->source != NULL && (m->source == NULL ||
	    wild_match(w->source, m->source, true) != 1))
		return 0;
	if (w->group != NULL && !ruleset_group_has(p->d->cur->rs, w->group,
	    m->user))
		return 0;
	if (w->regex != NULL &&
	    probe_re_find(w->regex, m->text, m->len, &off, &len) != 1)
		return 0;
	return which;
}

static const char *const watch_wilds[] = {
	"exclude", "user", "source", "msgid",
};

/* Raise unless PATTERN is a wildcard (FIELD names it in the error). */
static void
check_wild(lua_State *L, const char *field, const char *pattern)
{
	char	*cause = NULL;

	if (wildcard_check(pattern, &cause) == 0)
		return;
	lua_pushfstring(L, "filter %s '%s': %s", field, pattern,
	    cause != NULL ? cause : "invalid");
	free(cause);
	lua_error(L);
}

/*
 * The MATCH of the filter at 1: a string or a list of 1 to PWATCH_ALTS
 * strings, checked; returns how many (0: none).
 */
static size_t
check_match(lua_State *L)
{
	size_t	 i, n;

	lua_pushliteral(L, "match");
	switch (lua_rawget(L, 1)) {			/* pushes it */
	case LUA_TNIL:
		lua_pop(L, 1);
		return 0;
	case LUA_TSTRING:
		check_wild(L, "match", lua_tostring(L, -1));
		lua_pop(L, 1);
		return 1;
	case LUA_TTABLE:
		n = (size_t)lua_rawlen(L, -1);
		if (n == 0 || n > PWATCH_ALTS)
			luaL_error(L, "filter match: 1 to %d patterns",
			    PWATCH_ALTS);
		for (i = 1; i <= n; i++) {
			if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING)
				luaL_error(L, "filter match: pattern %d is not"
				    " a string", (int)i);
			check_wild(L, "match", lua_tostring(L, -1));
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		return n;
	default:
		return (size_t)luaL_error(L, "filter match: a string or a"
		    " list of strings expected");
	}
}

/* The checked MATCH alternatives (N of them) into W, and its lead byte. */
static void
take_match(lua_State *L, struct pwatch *w, size_t n)
{
	size_t	 i;
	int	 c;

	w->lead = -1;
	if (n == 0)
		return;
	w->match = xcalloc(n, sizeof *w->match);
	lua_pushliteral(L, "match");
	if (lua_rawget(L, 1) == LUA_TSTRING)		/* pushes it */
		w->match[0] = xstrdup(lua_tostring(L, -1));
	else
		for (i = 0; i < n; i++) {
			lua_rawgeti(L, -1, (lua_Integer)i + 1);
			w->match[i] = xstrdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
	w->nmatch = n;
	/* Indexed by a first byte only if every alternative needs it. */
	c = (unsigned char)w->match[0][0];
	for (i = 0; i < n; i++)
		if (w->match[i][0] == '*' || w->match[i][0] == '%' ||
		    w->match[i][0] == '\0' ||
		    (unsigned char)w->match[i][0] != c)
			return;
	w->lead = c;
}

/*
 * watch(filter, fn, oneshot, wf) -> id.  Everything that can raise (a
 * bad field, a bad pattern) is checked before anything is allocated.
 */
static int
prim_watch(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct pwatch		*w;
	struct probe_re		*re = NULL;
	char			*s, *cause = NULL;
	size_t			 i, nmatch;
	uint64_t		 wf;
	bool			 oneshot;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	oneshot = lua_toboolean(L, 3);
	wf = (uint64_t)luaL_optinteger(L, 4, 0);
	nmatch = check_match(L);
	for (i = 0; i < nitems(watch_wilds); i++) {
		if (!check_field(L, 1, watch_wilds[i]))
			return luaL_error(L, "filter %s: a string expected",
			    watch_wilds[i]);
		lua_pushstring(L, watch_wilds[i]);
		if (lua_rawget(L, 1) == LUA_TSTRING)	/* pushes it */
			check_wild(L, watch_wilds[i], lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	if (!check_field(L, 1, "group") || !check_field(L, 1, "regex"))
		return luaL_error(L, "filter group and regex: strings expected");
	if ((s = opt_field(L, 1, "regex")) != NULL &&
	    (re = probe_re_create(s, &cause)) == NULL) {
		lua_pushfstring(L, "filter regex '%s': %s", s,
		    cause != NULL ? cause : "invalid");
		free(cause);
		free(s);
		return lua_error(L);
	}
	free(s);

	/* From here on nothing raises but a memory error in Lua itself. */
	w = xcalloc(1, sizeof *w);
	w->regex = re;
	take_match(L, w, nmatch);
	w->exclude = opt_field(L, 1, "exclude");
	w->user = opt_field(L, 1, "user");
	w->source = opt_field(L, 1, "source");
	w->msgid = opt_field(L, 1, "msgid");
	w->group = opt_field(L, 1, "group");
	w->oneshot = oneshot;
	w->wf = wf;
	w->born = p->d->messages;
	w->id = ++p->next_id;
	w->ref = lhost_ref(L, 2);
	i = w->lead != -1 ? (size_t)w->lead : PWATCH_ANY;
	*p->wtail[i] = w;
	p->wtail[i] = &w->next;
	lua_pushinteger(L, (lua_Integer)w->id);
	return 1;
}

static int
prim_unwatch(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	uint64_t		 id = (uint64_t)luaL_checkinteger(L, 1);
	struct pwatch		*w;
	size_t			 i;

	for (i = 0; i <= PWATCH_ANY; i++)
		for (w = p->watches[i]; w != NULL; w = w->next)
			if (w->id == id && !w->dead) {
				w->dead = true;
				p->ndead++;
				return 0;
			}
	return 0;
}

/* The fields of a message, as a new table (pushed); the prelude adds
 * its words when they are asked for. */
int
prims_push_message(lua_State *L, void *arg)
{
	const struct pmsg	*pm = arg;
	const struct message	*m = pm->m;

	lua_createtable(L, 0, 8);
	lua_pushlstring(L, m->text, m->len);
	lua_setfield(L, -2, "text");
	lua_pushstring(L, m->user != NULL ? m->user : "");
	lua_setfield(L, -2, "user");
	lua_pushstring(L, m->source != NULL ? m->source : "");
	lua_setfield(L, -2, "source");
	lua_pushstring(L, m->msgid);
	lua_setfield(L, -2, "msgid");
	lua_pushstring(L, m->system != NULL ? m->system : "");
	lua_setfield(L, -2, "system");
	lua_pushinteger(L, (lua_Integer)m->time);
	lua_setfield(L, -2, "time");
	lua_pushinteger(L, pm->matched);
	lua_setfield(L, -2, "matched");
	return 1;
}

/* wild(pattern, text[, caseless]): whether the wildcard takes all of TEXT. */
static int
prim_wild(lua_State *L)
{
	const char	*pattern = luaL_checkstring(L, 1);
	const char	*text = luaL_checkstring(L, 2);

	check_wild(L, "pattern", pattern);
	lua_pushboolean(L, wild_match(pattern, text, lua_toboolean(L, 3)) ==
	    1);
	return 1;
}

/* words(text): its blank-separated words, at most PWORDS_MAX (a table). */
static int
prim_words(lua_State *L)
{
	size_t		 len;
	const char	*s = luaL_checklstring(L, 1, &len), *end = s + len, *e;
	int		 n = 0;

	lua_createtable(L, 8, 0);
	while (n < PWORDS_MAX) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
			;
		lua_pushlstring(L, s, (size_t)(e - s));
		lua_rawseti(L, -2, ++n);
		s = e;
	}
	return 1;
}

/* --- timers ------------------------------------------------------------------- */

void
ptimer_free(struct plugin_rt *p, struct ptimer *t)
{
	ev_timer_stop(p->d->loop, &t->w);
	lhost_unref(p->h, t->ref);
	free(t);
}

static void
ptimer_fired(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ptimer	*t = (struct ptimer *)w;

	(void)loop;
	(void)revents;
	if (t->dead)
		return;
	if (!t->repeat) {
		t->dead = true;		/* freed by the sweep after the call */
		t->p->ndead++;
	}
	plugin_call(t->p, t->ref, t->wf, NULL, NULL);
}

/* timer(seconds, fn, repeat, wf) -> id */
static int
prim_timer(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	double			 after = luaL_checknumber(L, 1);
	struct ptimer		*t;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (!(after >= 0))
		after = 0;
	t = xcalloc(1, sizeof *t);
	t->p = p;
	t->repeat = lua_toboolean(L, 3);
	t->wf = (uint64_t)luaL_optinteger(L, 4, 0);
	t->id = ++p->next_id;
	t->ref = lhost_ref(L, 2);
	ev_timer_init(&t->w, ptimer_fired, after, t->repeat ? after : 0);
	ev_timer_start(p->d->loop, &t->w);
	t->next = p->timers;
	p->timers = t;
	lua_pushinteger(L, (lua_Integer)t->id);
	return 1;
}

static int
prim_untimer(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	uint64_t		 id = (uint64_t)luaL_checkinteger(L, 1);
	struct ptimer		*t;

	for (t = p->timers; t != NULL; t = t->next)
		if (t->id == id && !t->dead) {
			t->dead = true;
			p->ndead++;
			ev_timer_stop(p->d->loop, &t->w);
		}
	return 0;
}

/* --- processes ---------------------------------------------------------------- */

void
prun_free(struct plugin_rt *p, struct prun *r)
{
	lhost_unref(p->h, r->ref);
	strbuf_free(&r->out);
	free(r);
}

static void
prun_line(const char *line, size_t len, void *arg)
{
	struct prun	*r = arg;

	if (r->out.len >= PRUN_OUTPUT_MAX)
		return;
	strbuf_addn(&r->out, line, len < PRUN_OUTPUT_MAX ? len :
	    PRUN_OUTPUT_MAX);
	strbuf_addc(&r->out, '\n');
}

struct prun_end {
	struct prun	*r;
	int		 status;
	const char	*result;
};

/* Pushes status (nil when none), output, result. */
static int
prun_push(lua_State *L, void *arg)
{
	struct prun_end	*e = arg;

	if (e->status >= 0)
		lua_pushinteger(L, e->status);
	else
		lua_pushnil(L);
	lua_pushlstring(L, e->r->out.data != NULL ? e->r->out.data : "",
	    e->r->out.len);
	lua_pushstring(L, e->result);
	return 3;
}

static void
prun_ended(uint64_t id, int status, const char *result, void *arg)
{
	struct prun		*r = arg, **pp;
	struct plugin_rt	*p = r->p;
	struct prun_end		 e = { r, status, result };

	(void)id;
	for (pp = &p->runs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (r->ref != LUA_NOREF)
		plugin_call(p, r->ref, r->wf, prun_push, &e);
	prun_free(p, r);
}

/*
 * A plugin's PARM is data: its '&' become "&&" so that substitution,
 * which expands variables inside PARM, leaves the text as it was.
 */
static char *
literal_parm(char *parm)
{
	struct strbuf	 sb;
	const char	*s;

	if (parm == NULL || strchr(parm, '&') == NULL)
		return parm;
	strbuf_init(&sb);
	for (s = parm; *s != '\0'; s++)
		strbuf_adds(&sb, *s == '&' ? "&&" : (char[2]){ *s, '\0' });
	free(parm);
	return strbuf_steal(&sb);
}

/* Raise unless the table at IDX maps strings to strings or numbers. */
static void
check_vars(lua_State *L, int idx)
{
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {			/* pushes k, v */
		if (lua_type(L, -2) != LUA_TSTRING ||
		    (lua_type(L, -1) != LUA_TSTRING &&
		    lua_type(L, -1) != LUA_TNUMBER))
			luaL_error(L, "vars: names must be strings, values"
			    " strings or numbers");
		lua_pop(L, 1);				/* v */
	}
}

/* The argv at IDX: its length, each word a string or a number. */
static size_t
check_argv(lua_State *L, int idx)
{
	size_t	 i, n = (size_t)lua_rawlen(L, idx);
	int	 t;

	if (n == 0 || n > 4096)
		luaL_error(L, "an argv of 1 to 4096 words");
	for (i = 1; i <= n; i++) {
		t = lua_rawgeti(L, idx, (lua_Integer)i);	/* pushes it */
		lua_pop(L, 1);
		if (t != LUA_TSTRING && t != LUA_TNUMBER)
			luaL_error(L, "argv word %d is a %s", (int)i,
			    lua_typename(L, t));
	}
	return n;
}

/* The plan for an action name at 1 with PARM and vars from opts at 2. */
static struct plan *
run_action_plan(lua_State *L, struct plugin_rt *p, const char *trigger,
    char **err)
{
	struct vigild		*d = p->d;
	struct subst_ctx	 ctx;
	struct plan		*plan = NULL;
	const char		*action = lua_tostring(L, 1);
	char			**vars = NULL, *parm;
	size_t			 i, nvars = 0;

	memset(&ctx, 0, sizeof ctx);
	ctx.kind = "PLUGIN";
	ctx.name = trigger;
	parm = literal_parm(opt_field(L, 2, "parm"));
	ctx.parm = parm;
	lua_pushliteral(L, "vars");
	if (lua_rawget(L, 2) == LUA_TTABLE) {		/* pushes vars */
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {		/* pushes k, v */
			vars = xreallocarray(vars, nvars + 2, sizeof *vars);
			xasprintf(&vars[nvars++], "%s=%s", lua_tostring(L, -2),
			    lua_tostring(L, -1));
			lua_pop(L, 1);			/* v */
		}
		vars[nvars] = NULL;
	}
	lua_pop(L, 1);
	ctx.vars = vars;
	ctx.now = (time_t)vigild_now(d);
	if (strcasecmp(action, "NULL") != 0 &&
	    ruleset_find(d->cur->rs, DEF_ACTION, action) == NULL)
		xasprintf(err, "no action %s is defined", action);
	else
		plan = plan_action(d->cur->rs, action, NULL, &ctx);
	free(parm);
	for (i = 0; i < nvars; i++)
		free(vars[i]);
	free(vars);
	return plan;
}

/* The plan for the argv at 1 of N words, through opts.env. */
static struct plan *
run_argv_plan(lua_State *L, struct plugin_rt *p, size_t n, char **err)
{
	struct plan	*plan;
	char		*env, **words;
	size_t		 i;

	words = xcalloc(n + 1, sizeof *words);
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, 1, (lua_Integer)i + 1);	/* pushes it */
		words[i] = xstrdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	env = opt_field(L, 2, "env");
	plan = plan_argv(p->d->cur->rs, env, words, n, p->name, err);
	free(env);
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return plan;
}

/*
 * run(action_or_argv, opts, fn, wf) -> job id | nil, why.  opts: parm,
 * vars (table) for an action; env for an argv; timeout.  FN(status,
 * output, result) at the end.  The arguments are checked before anything
 * is allocated, so a bad one raises without leaking.
 */
static int
prim_run(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct run_watch	 w;
	struct plan		*plan;
	struct prun		*r;
	char			*err = NULL, *trigger;
	size_t			 n = 0;
	uint64_t		 wf;
	unsigned		 timeout = 0;
	lua_Number		 tmo;
	bool			 action = lua_type(L, 1) == LUA_TSTRING;

	if (!action)
		luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!lua_isnoneornil(L, 3))
		luaL_checktype(L, 3, LUA_TFUNCTION);
	wf = (uint64_t)luaL_optinteger(L, 4, 0);
	if (!check_field(L, 2, "parm") || !check_field(L, 2, "env"))
		return luaL_error(L, "parm and env: strings expected");
	lua_pushliteral(L, "vars");
	if (lua_rawget(L, 2) == LUA_TTABLE)		/* pushes vars */
		check_vars(L, lua_gettop(L));
	lua_pop(L, 1);
	if (!action)
		n = check_argv(L, 1);
	lua_pushliteral(L, "timeout");
	if (lua_rawget(L, 2) == LUA_TNUMBER) {		/* pushes it */
		/* Under a second: none; at most a year. */
		tmo = lua_tonumber(L, -1);
		if (tmo >= 1)
			timeout = tmo < 86400.0 * 366 ? (unsigned)tmo :
			    86400 * 366;
	}
	lua_pop(L, 1);

	/* From here on nothing raises but a memory error in Lua itself. */
	if (wf != 0)
		xasprintf(&trigger, "%s/%llu", p->name,
		    (unsigned long long)wf);
	else
		trigger = xstrdup(p->name);
	plan = action ? run_action_plan(L, p, trigger, &err) :
	    run_argv_plan(L, p, n, &err);
	if (err != NULL) {
		free(trigger);
		plan_free(plan);
		lua_pushnil(L);
		lua_pushstring(L, err);
		free(err);
		return 2;
	}
	r = xcalloc(1, sizeof *r);
	r->p = p;
	r->wf = wf;
	r->ref = lua_isnoneornil(L, 3) ? LUA_NOREF : lhost_ref(L, 3);
	strbuf_init(&r->out);
	memset(&w, 0, sizeof w);
	w.on_line = prun_line;
	w.on_end = prun_ended;
	w.arg = r;
	r->job = dispatch_plugin_run(p->d, plan, trigger, timeout, &w, &err);
	free(trigger);
	if (r->job == 0) {
		prun_free(p, r);
		lua_pushnil(L);
		lua_pushstring(L, err != NULL ? err : "not started");
		free(err);
		return 2;
	}
	r->next = p->runs;
	p->runs = r;
	lua_pushinteger(L, (lua_Integer)r->job);
	return 1;
}

static int
prim_cancel_job(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);

	dispatch_cancel(p->d, (uint64_t)luaL_checkinteger(L, 1));
	return 0;
}

/* emit(text, user): a message from source NAME, dispatched from the loop. */
static int
prim_emit(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct lineage		 lin;
	size_t			 len;
	const char		*text = luaL_checklstring(L, 1, &len);
	const char		*user = luaL_optstring(L, 2, p->name);
	char			*mark;

	/* The plugin's mark keeps its own handlers from seeing it again. */
	memset(&lin, 0, sizeof lin);
	xasprintf(&mark, "PLUGIN:%s", p->name);
	lineage_copy(&lin, NULL, mark);
	free(mark);
	vigild_inject(p->d, &lin, p->name, user, text, len);
	lineage_free(&lin);
	return 0;
}

/* --- the store ----------------------------------------------------------------- */

static struct state *
prim_state(lua_State *L, struct plugin_rt *p)
{
	if (p->d->state == NULL)
		luaL_error(L, "vigild runs without a state store");
	return p->d->state;
}

static int
prim_kv_get(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	char			*v;
	size_t			 len;

	if (!state_kv_get(prim_state(L, p), p->name, luaL_checkstring(L, 1),
	    &v, &len))
		return 0;
	lua_pushlstring(L, v, len);
	free(v);
	return 1;
}

static int
prim_kv_set(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	size_t			 len;
	const char		*k = luaL_checkstring(L, 1);
	const char		*v = luaL_checklstring(L, 2, &len);

	state_kv_set(prim_state(L, p), p->name, k, v, len);
	return 0;
}

static int
prim_kv_del(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);

	state_kv_del(prim_state(L, p), p->name, luaL_checkstring(L, 1));
	return 0;
}

/*
 * wf_new(name, args, key, ended_too) -> id, existing.  A child's key (its
 * parent's id and step) finds it even once it has ended, so a replay
 * never starts it twice.
 */
static int
prim_wf_new(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct state		*st = prim_state(L, p);
	const char		*name = luaL_checkstring(L, 1);
	size_t			 len;
	const char		*args = luaL_checklstring(L, 2, &len);
	const char		*key = luaL_optstring(L, 3, NULL);
	bool			 ended_too = lua_toboolean(L, 4);
	uint64_t		 id;

	if (key != NULL && (id = state_wf_by_key(st, p->name, name, key,
	    ended_too)) != 0) {
		lua_pushinteger(L, (lua_Integer)id);
		lua_pushboolean(L, 1);
		return 2;
	}
	id = state_wf_new(st, p->name, name, key, args, len,
	    vigild_now(p->d));
	vigild_event(p->d, NULL, "WORKFLOW_STARTED", p->name,
	    "workflow %llu %s", (unsigned long long)id, name);
	lua_pushinteger(L, (lua_Integer)id);
	lua_pushboolean(L, 0);
	return 2;
}

/* wf_state(id, status, label, waiting, deadline) */
static int
prim_wf_state(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);

	state_wf_state(prim_state(L, p), (uint64_t)luaL_checkinteger(L, 1),
	    luaL_checkstring(L, 2), luaL_optstring(L, 3, NULL),
	    luaL_optstring(L, 4, NULL), vigild_now(p->d),
	    luaL_optnumber(L, 5, 0));
	return 0;
}

/* wf_step(id, seq, kind, what, status, result, deadline) */
static int
prim_wf_step(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct wf_step_row	 r;
	double			 now = vigild_now(p->d);

	memset(&r, 0, sizeof r);
	r.wf = (uint64_t)luaL_checkinteger(L, 1);
	r.seq = luaL_checkinteger(L, 2);
	r.kind = luaL_checkstring(L, 3);
	r.what = luaL_optstring(L, 4, NULL);
	r.status = luaL_checkstring(L, 5);
	r.result = luaL_optlstring(L, 6, NULL, &r.result_len);
	r.deadline = luaL_optnumber(L, 7, 0);
	r.started = now;
	if (strcmp(r.status, "done") == 0)
		r.ended = now;
	state_wf_step(prim_state(L, p), &r);
	return 0;
}

/* wf_finish(id, status, result, reason) */
static int
prim_wf_finish(lua_State *L)
{
	static const struct {
		const char	*status, *event;
	} events[] = {
		{ "done", "WORKFLOW_DONE" },
		{ "failed", "WORKFLOW_FAILED" },
		{ "cancelled", "WORKFLOW_CANCELLED" },
		{ "interrupted", "WORKFLOW_INTERRUPTED" },
	};
	struct plugin_rt	*p = prim_plugin(L);
	uint64_t		 id = (uint64_t)luaL_checkinteger(L, 1);
	const char		*status = luaL_checkstring(L, 2);
	size_t			 len = 0, i;
	const char		*result = luaL_optlstring(L, 3, NULL, &len);
	const char		*reason = luaL_optstring(L, 4, NULL);

	state_wf_finish(prim_state(L, p), id, status, result, len, reason,
	    vigild_now(p->d));
	pconfirm_close(p, id);
	for (i = 0; i < nitems(events); i++)
		if (strcmp(events[i].status, status) == 0)
			vigild_event(p->d, NULL, events[i].event, p->name,
			    "workflow %llu%s%s", (unsigned long long)id,
			    reason != NULL ? ": " : "",
			    reason != NULL ? reason : "");
	return 0;
}

struct wf_get {
	lua_State	*L;
	int		 n;
};

static void
wf_get_one(const struct wf_row *r, void *arg)
{
	struct wf_get	*g = arg;

	lua_pushstring(g->L, r->status);
	if (r->result != NULL)
		lua_pushlstring(g->L, r->result, r->result_len);
	else
		lua_pushnil(g->L);
	g->n = 2;
}

/* wf_get(id) -> status, result (nil when there is no such workflow) */
static int
prim_wf_get(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	struct wf_get		 g = { L, 0 };

	luaL_checkstack(L, 4, NULL);
	state_wf_each(prim_state(L, p), p->name,
	    (uint64_t)luaL_checkinteger(L, 1), 0, wf_get_one, &g);
	return g.n;
}

/* --- confirmations ------------------------------------------------------------- */

void
pconfirm_close(struct plugin_rt *p, uint64_t wf)
{
	struct pconfirm	**pp, *c;

	for (pp = &p->confirms; (c = *pp) != NULL; )
		if (c->wf == wf) {
			*pp = c->next;
			free(c->prompt);
			free(c);
		} else
			pp = &c->next;
}

/* confirm_open(wf, prompt): announced as CONFIRM_WAITING. */
static int
prim_confirm_open(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	uint64_t		 wf = (uint64_t)luaL_checkinteger(L, 1);
	const char		*prompt = luaL_checkstring(L, 2);
	struct pconfirm		*c;

	pconfirm_close(p, wf);
	c = xcalloc(1, sizeof *c);
	c->wf = wf;
	c->prompt = xstrdup(prompt);
	c->next = p->confirms;
	p->confirms = c;
	vigild_event(p->d, NULL, "CONFIRM_WAITING", p->name,
	    "workflow %llu asks: %s (vigil confirm %llu yes|no)",
	    (unsigned long long)wf, prompt, (unsigned long long)wf);
	return 0;
}

static int
prim_confirm_close(lua_State *L)
{
	pconfirm_close(prim_plugin(L), (uint64_t)luaL_checkinteger(L, 1));
	return 0;
}

/* --- data files ----------------------------------------------------------------- */

/* data(key) -> text | nil, why: the file CONFIG(key=path) names. */
static int
prim_data(lua_State *L)
{
	struct plugin_rt	*p = prim_plugin(L);
	const char		*key = luaL_checkstring(L, 1);
	struct strbuf		 sb;
	char			*path, buf[8192];
	ssize_t			 n;
	int			 fd;

	lua_getfield(L, lua_upvalueindex(2), key);	/* config[key] */
	if (lua_type(L, -1) != LUA_TSTRING) {
		lua_pushnil(L);
		lua_pushfstring(L, "CONFIG of plugin %s has no %s=FILE",
		    p->name, key);
		return 2;
	}
	if (lua_tostring(L, -1)[0] == '/' || p->data_dir == NULL)
		path = xstrdup(lua_tostring(L, -1));
	else
		xasprintf(&path, "%s/%s", p->data_dir, lua_tostring(L, -1));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		free(path);
		return 2;
	}
	strbuf_init(&sb);
	while ((n = read(fd, buf, sizeof buf)) > 0 && sb.len <= PDATA_MAX)
		strbuf_addn(&sb, buf, (size_t)n);
	close(fd);
	if (n < 0 || sb.len > PDATA_MAX) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, n < 0 ? strerror(errno) :
		    "larger than 1 MiB");
		strbuf_free(&sb);
		free(path);
		return 2;
	}
	free(path);
	lua_pushlstring(L, sb.data != NULL ? sb.data : "", sb.len);
	strbuf_free(&sb);
	return 1;
}

/* --- the table ------------------------------------------------------------------ */

static const luaL_Reg prims[] = {
	{ "now", prim_now },
	{ "log", prim_log },
	{ "time_of", prim_time_of },
	{ "watch", prim_watch },
	{ "unwatch", prim_unwatch },
	{ "words", prim_words },
	{ "wild", prim_wild },
	{ "timer", prim_timer },
	{ "untimer", prim_untimer },
	{ "run", prim_run },
	{ "cancel_job", prim_cancel_job },
	{ "emit", prim_emit },
	{ "kv_get", prim_kv_get },
	{ "kv_set", prim_kv_set },
	{ "kv_del", prim_kv_del },
	{ "wf_new", prim_wf_new },
	{ "wf_state", prim_wf_state },
	{ "wf_step", prim_wf_step },
	{ "wf_finish", prim_wf_finish },
	{ "wf_get", prim_wf_get },
	{ "confirm_open", prim_confirm_open },
	{ "confirm_close", prim_confirm_close },
	{ "data", prim_data },
};

/* CONFIG text "k=v k2='v w' flag" as a table (pushed); words without '='
 * are true. */
static void
push_config(lua_State *L, const char *config)
{
	struct argv	*av;
	char		*cause = NULL, *eq;
	size_t		 i;

	lua_newtable(L);
	if (config == NULL)
		return;
	if ((av = argv_split(config, &cause)) == NULL) {
		lua_pushfstring(L, "CONFIG: %s", cause != NULL ? cause : "?");
		free(cause);
		lua_error(L);
	}
	for (i = 0; i < av->n; i++) {
		if ((eq = strchr(av->v[i], '=')) == NULL) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, av->v[i]);
			continue;
		}
		lua_pushlstring(L, av->v[i], (size_t)(eq - av->v[i]));
		lua_pushstring(L, eq + 1);
		lua_rawset(L, -3);
	}
	argv_free(av);
}

/* The prelude's argument: the primitives, with name and config. */
int
prims_push(lua_State *L, void *arg)
{
	struct plugin_rt	*p = arg;
	size_t			 i;

	lua_createtable(L, 0, (int)nitems(prims) + 2);
	push_config(L, p->config);		/* config, kept on the stack */
	for (i = 0; i < nitems(prims); i++) {
		lua_pushlightuserdata(L, p);
		lua_pushvalue(L, -2);		/* the config */
		lua_pushcclosure(L, prims[i].func, 2);
		lua_setfield(L, -3, prims[i].name);
	}
	lua_setfield(L, -2, "config");		/* pops the config */
	lua_pushstring(L, p->name);
	lua_setfield(L, -2, "name");
	return 1;
}
