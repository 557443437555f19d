/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins.c - Lua plugins in the daemon: their lifecycle and the calls the
 * daemon makes into them.  Each PLUGIN statement gets a sandboxed host
 * (plugins/host.c) in which the prelude (plugins/prelude.lua, built in)
 * sets up the vigil API over the primitives of plugin-prims.c; then the
 * plugin's file runs and registers its handlers and workflows; then its
 * unfinished workflows are read from the store and resumed.
 *
 * A reload keeps a plugin whose file text and CONFIG are unchanged, with
 * its handlers, timers and running workflows; a changed one is stopped
 * and started again, its workflows resuming from their journals.  Every
 * message dispatched is offered to the plugins' watches (except a
 * plugin's own vigil.emit).  A call that fails raises PLUGIN_FAILED (and
 * fails the workflow it was for); a plugin that fails LHOST_FAIL_MAX times
 * in a row is disabled (PLUGIN_DISABLED) until the next reload or start.
 *
 * Not here: the API (prelude), the primitives (plugin-prims.c), the
 * operator's commands (ctl-wf.c).
 */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "engine/engine.h"
#include "engine/plugins-int.h"
#include "engine/state.h"
#include "plugins/host.h"
#include "rules/rules.h"

static const char prelude[] =
#include "plugins/prelude.inc"
;

/* --- calling into a plugin ---------------------------------------------------- */

static void
plugin_told_disabled(struct plugin_rt *p)
{
	if (!lhost_disabled(p->h) || p->disabled_told)
		return;
	p->disabled_told = true;
	vigild_event(p->d, NULL, "PLUGIN_DISABLED", p->name,
	    "disabled after repeated failures; a reload starts it again");
}

struct failed_arg {
	uint64_t	 wf;
	const char	*cause;
};

static int
failed_push(lua_State *L, void *arg)
{
	struct failed_arg	*f = arg;

	lua_pushinteger(L, (lua_Integer)f->wf);
	lua_pushstring(L, f->cause);
	return 2;
}

/* The end of a call into P: say if it is now disabled, sweep the dead. */
static void
plugin_leave(struct plugin_rt *p)
{
	p->depth--;
	plugin_told_disabled(p);
	if (p->depth == 0)
		plugin_sweep(p);
}

int
plugin_call(struct plugin_rt *p, int ref, uint64_t wf,
    int (*push)(lua_State *, void *), void *arg)
{
	struct lhost_call	 c = { push, NULL, arg, false };
	struct failed_arg	 f;
	char			*err = NULL, *err2 = NULL;
	int			 rc;

	if (lhost_disabled(p->h))
		return -1;
	p->depth++;
	if ((rc = lhost_invoke(p->h, ref, &c, &err)) != 0) {
		vigild_event(p->d, NULL, "PLUGIN_FAILED", p->name, "%s",
		    err != NULL ? err : "failed");
		/*
		 * An error the prelude could not catch (the budget, memory):
		 * the workflow that ran, if any, is failed.
		 */
		f.wf = wf;
		f.cause = err != NULL ? err : "failed";
		c.push = failed_push;
		c.arg = &f;
		c.uncounted = true;	/* the failure above counts */
		if (lhost_invoke(p->h, p->api_failed, &c, &err2) != 0 &&
		    wf != 0 && p->d->state != NULL)
			state_wf_finish(p->d->state, wf, "failed", NULL, 0,
			    f.cause, vigild_now(p->d));
		free(err2);
		free(err);
	}
	plugin_leave(p);
	return rc;
}

void
plugin_sweep(struct plugin_rt *p)
{
	struct pwatch	**wp, *w;
	struct ptimer	**tp, *t;
	size_t		  i;

	/* Walked only when something died: thousands may wait. */
	if (p->ndead == 0)
		return;
	p->ndead = 0;
	for (i = 0; i <= PWATCH_ANY; i++) {
		for (wp = &p->watches[i]; (w = *wp) != NULL; )
			if (w->dead) {
				*wp = w->next;
				pwatch_free(p, w);
			} else
				wp = &w->next;
		p->wtail[i] = wp;
	}
	for (tp = &p->timers; (t = *tp) != NULL; )
		if (t->dead) {
			*tp = t->next;
			ptimer_free(p, t);
		} else
			tp = &t->next;
}

/* --- messages ------------------------------------------------------------------ */

/* Whether the message came from this plugin's own vigil.emit. */
static bool
plugin_emitted(const struct plugin_rt *p, const struct lineage *lin)
{
	unsigned	i;

	if (lin == NULL)
		return false;
	for (i = 0; i < lin->n; i++)
		if (strncmp(lin->rules[i], "PLUGIN:", 7) == 0 &&
		    strcmp(lin->rules[i] + 7, p->name) == 0)
			return true;
	return false;
}

void
plugins_message(struct vigild *d, const struct message *msg,
    const struct lineage *lin)
{
	struct plugin_rt	*p;
	struct pwatch		*w, *a, *b;
	struct pmsg		 pm = { msg, 0 };

	for (p = d->plugins; p != NULL; p = p->next) {
		a = p->watches[(unsigned char)msg->text[0]];
		b = p->watches[PWATCH_ANY];
		if ((a == NULL && b == NULL) || lhost_disabled(p->h) ||
		    plugin_emitted(p, lin))
			continue;
		p->depth++;
		/* The two lists merged by id: the order they were added in. */
		while (a != NULL || b != NULL) {
			if (b == NULL || (a != NULL && a->id < b->id)) {
				w = a;
				a = a->next;
			} else {
				w = b;
				b = b->next;
			}
			if (w->dead || w->born >= d->messages ||
			    (pm.matched = pwatch_matches(p, w, msg)) == 0)
				continue;
			if (w->oneshot) {
				w->dead = true;
				p->ndead++;
			}
			plugin_call(p, w->ref, w->wf, prims_push_message, &pm);
			if (lhost_disabled(p->h))
				break;
		}
		plugin_leave(p);
	}
}

/* --- starting, resuming, stopping --------------------------------------------- */

static uint64_t
file_hash(const char *path)
{
	char		 buf[8192];
	uint64_t	 h = FNV1A_BASIS;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return 0;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		h = fnv1a(h, buf, (size_t)n);
	close(fd);
	return h;
}

static void
plugin_free(struct plugin_rt *p)
{
	size_t		 i;
	struct pwatch	*w;
	struct ptimer	*t;
	struct prun	*r;

	for (i = 0; i <= PWATCH_ANY; i++)
		while ((w = p->watches[i]) != NULL) {
			p->watches[i] = w->next;
			pwatch_free(p, w);
		}
	while ((t = p->timers) != NULL) {
		p->timers = t->next;
		ptimer_free(p, t);
	}
	/* Their processes go on; nobody waits for them any more. */
	while ((r = p->runs) != NULL) {
		p->runs = r->next;
		dispatch_unwatch(p->d, r->job);
		prun_free(p, r);
	}
	while (p->confirms != NULL)
		pconfirm_close(p, p->confirms->wf);
	lhost_free(p->h);
	free(p->name);
	free(p->file);
	free(p->config);
	free(p->data_dir);
	free(p);
}

/* Keeps references to the prelude's entry points (its result). */
static void
api_pull(lua_State *L, int n, void *arg)
{
	struct plugin_rt	*p = arg;
	int			 t = lua_gettop(L) - n + 1;

	if (n < 1 || !lua_istable(L, t))
		luaL_error(L, "the prelude returned no entry points");
	lua_getfield(L, t, "resume");
	p->api_resume = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getfield(L, t, "control");
	p->api_control = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getfield(L, t, "failed");
	p->api_failed = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getfield(L, t, "stop");
	p->api_stop = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The unfinished workflows of a plugin, read before any Lua runs. */
struct wf_list {
	struct wf_item {
		struct wf_row	 row;
		char		*strs[4];	/* name, status, args, key */
		struct wf_step_row *steps;
		char		**step_strs;	/* 4 per step */
		size_t		 nsteps;
	}		*items;
	size_t		 n;
	struct state	*st;
};

static char *
dup_n(const char *s, size_t len)
{
	return s != NULL ? xstrndup(s, len) : NULL;
}

static void
steps_one(const struct wf_step_row *r, void *arg)
{
	struct wf_item	*it = arg;
	struct wf_step_row *s;
	char		**ss;

	it->steps = xreallocarray(it->steps, it->nsteps + 1,
	    sizeof *it->steps);
	it->step_strs = xreallocarray(it->step_strs, (it->nsteps + 1) * 4,
	    sizeof *it->step_strs);
	s = &it->steps[it->nsteps];
	ss = &it->step_strs[it->nsteps * 4];
	*s = *r;
	ss[0] = dup_n(r->kind, r->kind != NULL ? strlen(r->kind) : 0);
	ss[1] = dup_n(r->what, r->what != NULL ? strlen(r->what) : 0);
	ss[2] = dup_n(r->status, r->status != NULL ? strlen(r->status) : 0);
	ss[3] = dup_n(r->result, r->result_len);
	it->nsteps++;
}

static void
wf_one(const struct wf_row *r, void *arg)
{
	struct wf_list	*l = arg;
	struct wf_item	*it;

	l->items = xreallocarray(l->items, l->n + 1, sizeof *l->items);
	it = &l->items[l->n++];
	memset(it, 0, sizeof *it);
	it->row = *r;
	it->strs[0] = xstrdup(r->name);
	it->strs[1] = xstrdup(r->status != NULL ? r->status : "running");
	it->strs[2] = dup_n(r->args != NULL ? r->args : "nil",
	    r->args != NULL ? r->args_len : 3);
	it->strs[3] = dup_n(r->key, r->key != NULL ? strlen(r->key) : 0);
}

static void
wf_list_free(struct wf_list *l)
{
	size_t	 i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < 4; j++)
			free(l->items[i].strs[j]);
		for (j = 0; j < l->items[i].nsteps * 4; j++)
			free(l->items[i].step_strs[j]);
		free(l->items[i].steps);
		free(l->items[i].step_strs);
	}
	free(l->items);
}

static void
set_str(lua_State *L, const char *field, const char *s)
{
	if (s == NULL)
		return;
	lua_pushstring(L, s);
	lua_setfield(L, -2, field);
}

/* Pushes a workflow for api.resume: {id, name, status, args, steps}. */
static int
resume_push(lua_State *L, void *arg)
{
	struct wf_item	*it = arg;
	size_t		 j;

	lua_createtable(L, 0, 6);
	lua_pushinteger(L, (lua_Integer)it->row.id);
	lua_setfield(L, -2, "id");
	set_str(L, "name", it->strs[0]);
	set_str(L, "status", it->strs[1]);
	set_str(L, "args", it->strs[2]);
	set_str(L, "key", it->strs[3]);
	lua_createtable(L, (int)it->nsteps, 0);
	for (j = 0; j < it->nsteps; j++) {
		lua_createtable(L, 0, 6);
		lua_pushinteger(L, it->steps[j].seq);
		lua_setfield(L, -2, "seq");
		set_str(L, "kind", it->step_strs[j * 4]);
		set_str(L, "what", it->step_strs[j * 4 + 1]);
		set_str(L, "status", it->step_strs[j * 4 + 2]);
		set_str(L, "result", it->step_strs[j * 4 + 3]);
		if (it->steps[j].deadline > 0) {
			lua_pushnumber(L, it->steps[j].deadline);
			lua_setfield(L, -2, "deadline");
		}
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
	lua_setfield(L, -2, "steps");
	return 1;
}

/* Resume the plugin's unfinished workflows from the store. */
static void
plugin_resume(struct plugin_rt *p)
{
	struct wf_list	 l;
	size_t		 i;

	if (p->d->state == NULL)
		return;
	memset(&l, 0, sizeof l);
	state_wf_each(p->d->state, p->name, 0, INFINITY, wf_one, &l);
	for (i = 0; i < l.n; i++)
		state_wf_steps(p->d->state, l.items[i].row.id, steps_one,
		    &l.items[i]);
	if (l.n > 0)
		log_info("plugin %s: resuming %zu unfinished workflows",
		    p->name, l.n);
	/* One call each: a workflow that spends its budget fails alone. */
	for (i = 0; i < l.n; i++)
		plugin_call(p, p->api_resume, l.items[i].row.id, resume_push,
		    &l.items[i]);
	wf_list_free(&l);
}

static struct plugin_rt *
plugin_start(struct vigild *d, const struct plugin *def)
{
	struct plugin_rt	*p;
	struct lhost_call	 c;
	char			*err = NULL, *slash;
	size_t			 i;

	p = xcalloc(1, sizeof *p);
	p->d = d;
	p->name = xstrdup(def->def.name);
	p->file = xstrdup(def->file);
	p->config = def->config != NULL ? xstrdup(def->config) : NULL;
	p->file_hash = file_hash(def->file);
	for (i = 0; i <= PWATCH_ANY; i++)
		p->wtail[i] = &p->watches[i];
	p->api_resume = p->api_control = p->api_failed = p->api_stop =
	    LUA_NOREF;
	if ((slash = strrchr(def->file, '/')) != NULL)
		p->data_dir = xstrndup(def->file, (size_t)(slash - def->file));
	if ((p->h = lhost_create(def->def.name, NULL, NULL, &err)) == NULL)
		goto fail;
	c.push = prims_push;
	c.pull = api_pull;
	c.arg = p;
	if (lhost_chunk(p->h, "=vigil prelude", prelude, sizeof prelude - 1,
	    &c, &err) != 0 || lhost_load(p->h, def->file, &err) != 0)
		goto fail;
	log_info("plugin %s: loaded %s", p->name, def->file);
	return p;
fail:
	vigild_event(d, NULL, "PLUGIN_FAILED", def->def.name, "%s",
	    err != NULL ? err : "cannot start");
	free(err);
	plugin_free(p);
	return NULL;
}

static bool
plugin_same(const struct plugin_rt *p, const struct plugin *def)
{
	return strcmp(p->name, def->def.name) == 0 &&
	    strcmp(p->file, def->file) == 0 &&
	    ((p->config == NULL && def->config == NULL) ||
	    (p->config != NULL && def->config != NULL &&
	    strcmp(p->config, def->config) == 0)) &&
	    !lhost_disabled(p->h) && p->file_hash == file_hash(def->file);
}

void
plugins_start(struct vigild *d)
{
	const struct plugin	*def;
	struct plugin_rt	*old = d->plugins, *p, **pp;
	size_t			 i, n = ruleset_count(d->cur->rs, DEF_PLUGIN);

	d->plugins = NULL;
	for (i = 0; i < n; i++) {
		def = (const struct plugin *)ruleset_get(d->cur->rs,
		    DEF_PLUGIN, i);
		for (pp = &old; (p = *pp) != NULL; pp = &p->next)
			if (plugin_same(p, def))
				break;
		if (p != NULL) {
			*pp = p->next;		/* kept, as it runs */
		} else if ((p = plugin_start(d, def)) != NULL) {
			p->fresh = true;	/* resumed below */
		} else
			continue;
		p->next = d->plugins;
		d->plugins = p;
	}
	while ((p = old) != NULL) {
		old = p->next;
		log_info("plugin %s: stopped (its workflows resume when it"
		    " is loaded again)", p->name);
		plugin_free(p);
	}
	/* Once every plugin is in place: a workflow may wait for another. */
	for (p = d->plugins; p != NULL; p = p->next)
		if (p->fresh) {
			p->fresh = false;
			plugin_resume(p);
		}
}

void
plugins_free(struct vigild *d)
{
	struct plugin_rt	*p;

	while ((p = d->plugins) != NULL) {
		d->plugins = p->next;
		plugin_free(p);
	}
}

/* --- operators ------------------------------------------------------------------- */

struct control_arg {
	uint64_t	 id;
	const char	*op, *who;
	bool		 answer;
	bool		 ok;
	char		 why[256];
};

static int
control_push(lua_State *L, void *arg)
{
	struct control_arg	*c = arg;

	lua_pushinteger(L, (lua_Integer)c->id);
	lua_pushstring(L, c->op);
	lua_pushstring(L, c->who);
	lua_pushboolean(L, c->answer);
	return 4;
}

static void
control_pull(lua_State *L, int n, void *arg)
{
	struct control_arg	*c = arg;
	int			 t = lua_gettop(L) - n + 1;

	c->ok = n >= 1 && lua_toboolean(L, t);
	if (!c->ok && n >= 2 && lua_isstring(L, t + 1))
		snprintf(c->why, sizeof c->why, "%s", lua_tostring(L, t + 1));
}

struct owner {
	char	*plugin;
	bool	 open;
};

static void
owner_one(const struct wf_row *r, void *arg)
{
	struct owner	*o = arg;

	o->plugin = xstrdup(r->plugin);
	o->open = r->ended <= 0;
}

const char *
plugins_control(struct vigild *d, uint64_t id, const char *op,
    const char *who, bool answer)
{
	static char		 why[300];
	struct control_arg	 c;
	struct lhost_call	 call = { control_push, control_pull, &c, false };
	struct owner		 o = { NULL, false };
	struct plugin_rt	*p;
	char			*err = NULL;

	if (d->state == NULL)
		return "vigild runs without a state store";
	state_wf_each(d->state, NULL, id, 0, owner_one, &o);
	if (o.plugin == NULL) {
		snprintf(why, sizeof why, "no workflow %llu (see vigil"
		    " workflows --all)", (unsigned long long)id);
		return why;
	}
	for (p = d->plugins; p != NULL; p = p->next)
		if (strcmp(p->name, o.plugin) == 0)
			break;
	if (!o.open) {
		free(o.plugin);
		snprintf(why, sizeof why, "workflow %llu has ended",
		    (unsigned long long)id);
		return why;
	}
	if (p == NULL || lhost_disabled(p->h)) {
		if (strcmp(op, "cancel") == 0) {
			/* Nothing runs it: only the store knows it. */
			state_wf_finish(d->state, id, "cancelled", NULL, 0,
			    "cancelled by an operator while its plugin was"
			    " not running", vigild_now(d));
			free(o.plugin);
			return NULL;
		}
		snprintf(why, sizeof why, "plugin %s, which runs workflow %llu,"
		    " is not running", o.plugin, (unsigned long long)id);
		free(o.plugin);
		return why;
	}
	free(o.plugin);
	memset(&c, 0, sizeof c);
	c.id = id;
	c.op = op;
	c.who = who;
	c.answer = answer;
	p->depth++;
	if (lhost_invoke(p->h, p->api_control, &call, &err) != 0) {
		snprintf(why, sizeof why, "%s", err != NULL ? err : "failed");
		free(err);
		plugin_leave(p);
		return why;
	}
	plugin_leave(p);
	if (!c.ok) {
		snprintf(why, sizeof why, "%s", c.why[0] != '\0' ? c.why :
		    "refused");
		return why;
	}
	return NULL;
}

void
plugins_stop(struct vigild *d)
{
	struct plugin_rt	*p;
	struct lhost_call	 c = { NULL, NULL, NULL, true };
	char			*err = NULL;

	for (p = d->plugins; p != NULL; p = p->next)
		if (!lhost_disabled(p->h) &&
		    lhost_invoke(p->h, p->api_stop, &c, &err) != 0) {
			log_warnx("%s (at the stop)", err != NULL ? err :
			    "failed");
			free(err);
			err = NULL;
		}
}

bool
plugins_busy(const struct vigild *d)
{
	const struct plugin_rt	*p;
	const struct ptimer	*t;

	for (p = d->plugins; p != NULL; p = p->next)
		for (t = p->timers; t != NULL; t = t->next)
			if (!t->dead && t->wf != 0 && !lhost_disabled(p->h))
				return true;
	return false;
}

const char *
plugins_prompt(struct vigild *d, uint64_t id)
{
	struct plugin_rt	*p;
	struct pconfirm		*c;

	for (p = d->plugins; p != NULL; p = p->next)
		for (c = p->confirms; c != NULL; c = c->next)
			if (c->wf == id)
				return c->prompt;
	return NULL;
}
