/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c - the one way into Lua: a sandboxed lua_State per plugin.  It
 * owns the state's allocator (a memory cap), the libraries a plugin sees
 * (base, string, table, math, utf8, coroutine; no dofile, loadfile or
 * binary load), the instruction budget of each call, the message handler
 * that turns an error into a cause naming the plugin, and the count of
 * consecutive failures that disables a plugin.
 *
 * It does not know about messages, actions or the daemon: the daemon adds
 * the `vigil` table through lhost_register and decides what a disabled
 * plugin means.
 *
 * Every entry into Lua (opening the libraries, loading, registering,
 * calling) runs inside lua_pcall through lhost_run, so a memory error
 * while pushing an argument cannot reach the panic function.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "plugins/host.h"
#include "util/util.h"

/*
 * The count hook runs every LHOST_HOOK_EVERY VM instructions of a thread;
 * the budget is checked at that grain, which keeps the hook's cost small.
 */
#define LHOST_HOOK_EVERY	1000
/* Allocation charged as one instruction (see lhost_alloc). */
#define LHOST_BYTES_PER_INSTR	16
/* Room the message handler may use beyond the cap for a traceback. */
#define LHOST_SLACK		(64 * 1024)
/* Longest print() text logged; plugins must not flood the log. */
#define LHOST_PRINT_MAX		4096

#define LHOST_BUDGET_MSG	"instruction budget exceeded"

struct lhost {
	char		*name;
	lua_State	*L;

	size_t		 mem_used;
	size_t		 mem_max;
	int		 slack;		/* in the message handler */

	uint64_t	 instr_max;
	uint64_t	 instr_used;	/* in the current call */
	int		 hook_every;

	unsigned	 fail_max;
	unsigned	 fails;		/* consecutive */
	int		 disabled;

	lhost_log_fn	 log;
	void		*log_arg;
};

/* What a protected function is asked to do; passed as a light userdata. */
struct lhost_job {
	const char		*fn;		/* a global, or NULL: */
	int			 ref;		/* a reference */
	int			 nargs;
	const char *const	*args;
	const struct lhost_call	*call;		/* or arguments pushed here */
	const char		*file;		/* lhost_p_load */
	const char		*buf;		/* lhost_p_chunk: text */
	size_t			 len;
	const char		*name;		/* lhost_p_register */
	lua_CFunction		 cfn;
	void			*upvalue;
};

struct lhost *
lhost_from_state(lua_State *L)
{
	/* Coroutines get a copy of the main thread's extra space. */
	return *(struct lhost **)lua_getextraspace(L);
}

/*
 * The allocator.  A request that would take the state beyond its cap
 * fails, which Lua turns into an emergency collection and, failing that,
 * a "not enough memory" error.  Freeing and shrinking always succeed.
 */
static void *
lhost_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lhost	*h = ud;
	size_t		 max;
	void		*p;

	/* Without a block, osize is the type of the new object. */
	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		h->mem_used -= osize;
		return NULL;
	}
	max = h->mem_max + (h->slack ? LHOST_SLACK : 0);
	if (nsize > osize &&
	    (h->mem_used > max || nsize - osize > max - h->mem_used))
		return NULL;
	if ((p = realloc(ptr, nsize)) == NULL)
		return NULL;
	h->mem_used = h->mem_used - osize + nsize;
	/*
	 * Bytes allocated count against the budget too: the count hook sees
	 * only VM instructions, and a loop of concatenations spends its time
	 * copying inside the C library.
	 */
	if (nsize > osize)
		h->instr_used += (nsize - osize) / LHOST_BYTES_PER_INSTR;
	return p;
}

static int
lhost_panic(lua_State *L)
{
	const char	*msg = lua_tostring(L, -1);

	fatalx("plugin %s: unprotected Lua error: %s",
	    lhost_from_state(L)->name, msg != NULL ? msg : "?");
}

/*
 * The count hook.  Once the budget is spent every later tick raises
 * again, so a pcall that swallows the error only buys LHOST_HOOK_EVERY
 * more instructions (and the pcall wrapper rethrows at once anyway).
 */
static void
lhost_hook(lua_State *L, lua_Debug *ar)
{
	struct lhost	*h = lhost_from_state(L);

	(void)ar;
	h->instr_used += (uint64_t)h->hook_every;
	if (h->instr_used < h->instr_max)
		return;
	/* Level 0 in a hook is the Lua function being run. */
	luaL_where(L, 0);
	lua_pushliteral(L, LHOST_BUDGET_MSG);
	lua_concat(L, 2);
	lua_error(L);
}

/* Continuation of the catching wrappers: rethrow a spent budget. */
static int
lhost_catch_k(lua_State *L, int status, lua_KContext ctx)
{
	struct lhost	*h = lhost_from_state(L);

	(void)status;
	(void)ctx;
	if (h->instr_used >= h->instr_max)
		return luaL_error(L, LHOST_BUDGET_MSG);
	return lua_gettop(L);
}

/*
 * pcall, xpcall and coroutine.resume catch errors; wrapped, they call the
 * original (upvalue 1) and rethrow if the budget ran out inside it.  The
 * continuation keeps them yieldable as the originals are.
 */
static int
lhost_catch(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, lhost_catch_k);
	return lhost_catch_k(L, LUA_OK, 0);
}

/* load() for text only: argument 3 (mode) becomes "t" whatever it was. */
static int
lhost_load_text(lua_State *L)
{
	/* Keep argument 4 absent when it was: load() tells none from nil. */
	if (lua_gettop(L) < 3)
		lua_settop(L, 3);
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/*
 * print(): the arguments joined by spaces (not tabs, which the log would
 * escape), control characters escaped, one line "plugin NAME: text".
 */
static int
lhost_print(lua_State *L)
{
	struct lhost	*h = lhost_from_state(L);
	struct strbuf	 sb;
	luaL_Buffer	 b;
	const char	*s;
	size_t		 len;
	int		 i, n = lua_gettop(L);
	char		*line;

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);	/* pushes the string */
		luaL_addvalue(&b);		/* pops it */
	}
	luaL_pushresult(&b);			/* pushes the text */
	s = lua_tolstring(L, -1, &len);

	strbuf_init(&sb);
	strbuf_addf(&sb, "plugin %s: ", h->name);
	if (len > LHOST_PRINT_MAX) {
		strbuf_add_escaped(&sb, s, LHOST_PRINT_MAX);
		strbuf_addf(&sb, " [%zu bytes more]", len - LHOST_PRINT_MAX);
	} else
		strbuf_add_escaped(&sb, s, len);
	line = strbuf_steal(&sb);
	if (h->log != NULL)
		h->log(line, h->log_arg);
	else
		log_info("%s", line);
	free(line);
	return 0;
}

/*
 * The message handler of every call: the error as a string (a non-string
 * error through __tostring or its type), with the traceback logged at
 * debug level.  Memory errors never reach it; it may go beyond the cap by
 * LHOST_SLACK so a state at its limit still explains a runtime error.
 */
static int
lhost_msgh(lua_State *L)
{
	struct lhost	*h = lhost_from_state(L);
	struct strbuf	 sb;
	const char	*msg, *tb;

	h->slack = 1;
	if ((msg = lua_tostring(L, 1)) == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
			    luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);		/* pushes the traceback */
	tb = lua_tostring(L, -1);
	strbuf_init(&sb);
	strbuf_add_escaped(&sb, tb, strlen(tb));
	log_debug("plugin %s: %s", h->name, sb.data);
	strbuf_free(&sb);
	lua_pop(L, 1);
	return 1;				/* msg, on top */
}

/* The cause of a failed lhost_run, from the error object on top. */
static char *
lhost_cause(struct lhost *h, int status)
{
	struct strbuf	 sb;
	const char	*msg;
	size_t		 len;

	strbuf_init(&sb);
	strbuf_addf(&sb, "plugin %s: ", h->name);
	if (status == LUA_ERRMEM) {
		strbuf_addf(&sb, "not enough memory (limit %zu bytes)",
		    h->mem_max);
		return strbuf_steal(&sb);
	}
	if ((msg = lua_tolstring(h->L, -1, &len)) == NULL) {
		msg = "(error object is not a string)";
		len = strlen(msg);
	}
	/* The text comes from the plugin: no control characters. */
	strbuf_add_escaped(&sb, msg, len);
	return strbuf_steal(&sb);
}

/*
 * Run F with a light userdata UD under lua_pcall, the message handler and
 * a fresh budget.  Pushes nothing beyond LUA_MINSTACK before the call,
 * so nothing here can raise outside protection.  Leaves the stack as it
 * found it.
 */
static int
lhost_run(struct lhost *h, lua_CFunction f, void *ud, char **err)
{
	lua_State	*L = h->L;
	int		 base, status;

	base = lua_gettop(L);
	lua_pushcfunction(L, lhost_msgh);
	lua_pushcfunction(L, f);
	lua_pushlightuserdata(L, ud);
	h->instr_used = 0;
	status = lua_pcall(L, 1, 0, base + 1);
	h->slack = 0;
	if (status != LUA_OK && err != NULL)
		*err = lhost_cause(h, status);
	lua_settop(L, base);
	return status == LUA_OK ? 0 : -1;
}

static const luaL_Reg lhost_libs[] = {
	{ LUA_GNAME,		luaopen_base },
	{ LUA_STRLIBNAME,	luaopen_string },
	{ LUA_TABLIBNAME,	luaopen_table },
	{ LUA_MATHLIBNAME,	luaopen_math },
	{ LUA_UTF8LIBNAME,	luaopen_utf8 },
	{ LUA_COLIBNAME,	luaopen_coroutine },
};

/* Reach the file system or the loader; require is absent, but be sure. */
static const char *const lhost_removed[] = {
	"dofile", "loadfile", "require",
};

/*
 * setmetatable() without __gc: Lua runs finalizers with hooks off, so a
 * finalizer that loops would escape the instruction budget and stop the
 * daemon.  An object is marked for finalization only here, so a __gc
 * added to the metatable later is never called.
 */
static int
lhost_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)	/* pushes mt.__gc */
			return luaL_error(L, "setmetatable: plugins may not"
			    " set finalizers (__gc)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* Wrap FIELD of the table on top with lhost_catch or F. */
static void
lhost_wrap(lua_State *L, const char *field, lua_CFunction f)
{
	lua_getfield(L, -1, field);		/* pushes the original */
	lua_pushcclosure(L, f, 1);		/* pops it, pushes wrapper */
	lua_setfield(L, -2, field);		/* pops the wrapper */
}

/* Protected: open the libraries and trim the base library. */
static int
lhost_p_open(lua_State *L)
{
	size_t	 i;

	for (i = 0; i < nitems(lhost_libs); i++) {
		luaL_requiref(L, lhost_libs[i].name, lhost_libs[i].func, 1);
		lua_pop(L, 1);
	}
	lua_pushglobaltable(L);
	for (i = 0; i < nitems(lhost_removed); i++) {
		lua_pushnil(L);
		lua_setfield(L, -2, lhost_removed[i]);
	}
	lhost_wrap(L, "load", lhost_load_text);
	lhost_wrap(L, "setmetatable", lhost_setmetatable);
	lhost_wrap(L, "pcall", lhost_catch);
	lhost_wrap(L, "xpcall", lhost_catch);
	lua_pushcfunction(L, lhost_print);
	lua_setfield(L, -2, "print");
	lua_getfield(L, -1, LUA_COLIBNAME);	/* pushes coroutine */
	lhost_wrap(L, "resume", lhost_catch);
	lua_pop(L, 2);
	return 0;
}

/* Protected: load the file as text and run its main chunk. */
static int
lhost_p_load(lua_State *L)
{
	struct lhost_job	*j = lua_touserdata(L, 1);

	if (luaL_loadfilex(L, j->file, "t") != LUA_OK)
		return lua_error(L);
	lua_call(L, 0, 0);
	return 0;
}

/* Protected: vigil[name] = closure(cfn, upvalue), raw so no metamethod runs. */
static int
lhost_p_register(lua_State *L)
{
	struct lhost_job	*j = lua_touserdata(L, 1);

	lua_pushglobaltable(L);
	lua_pushliteral(L, "vigil");
	if (lua_rawget(L, -2) != LUA_TTABLE) {	/* pushes vigil */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushliteral(L, "vigil");
		lua_pushvalue(L, -2);
		lua_rawset(L, -4);		/* _G.vigil = the new table */
	}
	lua_pushstring(L, j->name);
	lua_pushlightuserdata(L, j->upvalue);
	lua_pushcclosure(L, j->cfn, 1);
	lua_rawset(L, -3);
	lua_pop(L, 2);
	return 0;
}

static int	lhost_p_args(lua_State *, struct lhost_job *);

/* Protected: call a global or a referenced function with strings. */
static int
lhost_p_call(lua_State *L)
{
	struct lhost_job	*j = lua_touserdata(L, 1);

	if (j->fn != NULL) {
		if (lua_getglobal(L, j->fn) != LUA_TFUNCTION)
			return luaL_error(L, "no function %s", j->fn);
	} else if (lua_rawgeti(L, LUA_REGISTRYINDEX, j->ref) != LUA_TFUNCTION)
		return luaL_error(L, "no function for reference %d", j->ref);
	return lhost_p_args(L, j);
}

/* Protected: push the job's arguments, call what is below them. */
static int
lhost_p_args(lua_State *L, struct lhost_job *j)
{
	int	 i, n, base = lua_gettop(L) - 1;	/* below the function */

	if (j->call != NULL) {
		n = j->call->push != NULL ? j->call->push(L, j->call->arg) : 0;
		lua_call(L, n, LUA_MULTRET);
		if (j->call->pull != NULL)
			j->call->pull(L, lua_gettop(L) - base, j->call->arg);
		return 0;
	}
	luaL_checkstack(L, j->nargs, "too many arguments");
	for (i = 0; i < j->nargs; i++)
		lua_pushstring(L, j->args[i]);
	lua_call(L, j->nargs, 0);
	return 0;
}

/* Protected: load a text chunk and call it with the job's arguments. */
static int
lhost_p_chunk(lua_State *L)
{
	struct lhost_job	*j = lua_touserdata(L, 1);

	if (luaL_loadbufferx(L, j->buf, j->len, j->file, "t") != LUA_OK)
		return lua_error(L);
	return lhost_p_args(L, j);
}

struct lhost *
lhost_create(const char *name, const char *file,
    const struct lhost_limits *lim, char **err)
{
	struct lhost	*h;
	uint64_t	 every;

	h = xcalloc(1, sizeof *h);
	h->name = xstrdup(name);
	h->mem_max = LHOST_MEM_MAX;
	h->instr_max = LHOST_INSTR_MAX;
	h->fail_max = LHOST_FAIL_MAX;
	if (lim != NULL) {
		if (lim->mem_max != 0)
			h->mem_max = lim->mem_max;
		if (lim->instr_max != 0)
			h->instr_max = lim->instr_max;
		if (lim->fail_max != 0)
			h->fail_max = lim->fail_max;
	}
	every = h->instr_max < LHOST_HOOK_EVERY ? h->instr_max :
	    LHOST_HOOK_EVERY;
	h->hook_every = (int)every;

	if ((h->L = lua_newstate(lhost_alloc, h)) == NULL) {
		if (err != NULL)
			xasprintf(err, "plugin %s: not enough memory "
			    "(limit %zu bytes)", name, h->mem_max);
		lhost_free(h);
		return NULL;
	}
	*(struct lhost **)lua_getextraspace(h->L) = h;
	lua_atpanic(h->L, lhost_panic);
	/* Set on the main thread; coroutines inherit it when created. */
	lua_sethook(h->L, lhost_hook, LUA_MASKCOUNT, h->hook_every);

	if (lhost_run(h, lhost_p_open, NULL, err) == -1 ||
	    (file != NULL && lhost_load(h, file, err) == -1)) {
		lhost_free(h);
		return NULL;
	}
	return h;
}

int
lhost_load(struct lhost *h, const char *file, char **err)
{
	struct lhost_job	 j;

	memset(&j, 0, sizeof j);
	j.file = file;
	return lhost_run(h, lhost_p_load, &j, err);
}

void
lhost_set_log(struct lhost *h, lhost_log_fn fn, void *arg)
{
	h->log = fn;
	h->log_arg = arg;
}

int
lhost_register(struct lhost *h, const char *name, lua_CFunction fn,
    void *upvalue)
{
	struct lhost_job	 j;
	char			*cause = NULL;

	memset(&j, 0, sizeof j);
	j.name = name;
	j.cfn = fn;
	j.upvalue = upvalue;
	if (lhost_run(h, lhost_p_register, &j, &cause) == -1) {
		log_warnx("%s (registering vigil.%s)", cause, name);
		free(cause);
		return -1;
	}
	return 0;
}

/* Run a call job, counting consecutive failures. */
static int
lhost_count(struct lhost *h, struct lhost_job *j, char **err)
{
	if (h->disabled) {
		if (err != NULL)
			xasprintf(err, "plugin %s: disabled after %u failures",
			    h->name, h->fails);
		return -1;
	}
	if (lhost_run(h, lhost_p_call, j, err) == 0) {
		if (j->call == NULL || !j->call->uncounted)
			h->fails = 0;
		return 0;
	}
	if (j->call != NULL && j->call->uncounted)
		return -1;
	if (++h->fails >= h->fail_max)
		h->disabled = 1;
	return -1;
}

int
lhost_call(struct lhost *h, const char *fn, int nargs,
    const char *const *args, char **err)
{
	struct lhost_job	 j;

	memset(&j, 0, sizeof j);
	j.fn = fn;
	j.ref = LUA_NOREF;
	j.nargs = nargs;
	j.args = args;
	return lhost_count(h, &j, err);
}

int
lhost_ref(lua_State *L, int idx)
{
	lua_pushvalue(L, idx);
	return luaL_ref(L, LUA_REGISTRYINDEX);	/* pops the copy */
}

void
lhost_unref(struct lhost *h, int ref)
{
	/* Stores into a slot that exists: no allocation, no error. */
	luaL_unref(h->L, LUA_REGISTRYINDEX, ref);
}

int
lhost_call_ref(struct lhost *h, int ref, int nargs,
    const char *const *args, char **err)
{
	struct lhost_job	 j;

	memset(&j, 0, sizeof j);
	j.ref = ref;
	j.nargs = nargs;
	j.args = args;
	return lhost_count(h, &j, err);
}

int
lhost_invoke(struct lhost *h, int ref, const struct lhost_call *call,
    char **err)
{
	struct lhost_job	 j;

	memset(&j, 0, sizeof j);
	j.ref = ref;
	j.call = call;
	return lhost_count(h, &j, err);
}

int
lhost_chunk(struct lhost *h, const char *chunkname, const char *buf,
    size_t len, const struct lhost_call *call, char **err)
{
	struct lhost_job	 j;

	memset(&j, 0, sizeof j);
	j.file = chunkname;
	j.buf = buf;
	j.len = len;
	j.call = call;
	return lhost_run(h, lhost_p_chunk, &j, err);
}

int
lhost_disabled(const struct lhost *h)
{
	return h->disabled;
}

const char *
lhost_name(const struct lhost *h)
{
	return h->name;
}

size_t
lhost_mem_used(const struct lhost *h)
{
	return h->mem_used;
}

void
lhost_free(struct lhost *h)
{
	if (h == NULL)
		return;
	if (h->L != NULL) {
		/* Finalizers run in lua_close: give them one budget. */
		h->instr_used = 0;
		lua_close(h->L);
	}
	free(h->name);
	free(h);
}

/*
 * Compile FILE (text only) without running it, in a bare state: what
 * "vigil check" and a load of the rules say about a plugin's syntax.
 */
int
lhost_syntax(const char *file, char **err)
{
	lua_State	*L;
	int		 rc;

	if ((L = luaL_newstate()) == NULL) {
		xasprintf(err, "not enough memory to check %s", file);
		return -1;
	}
	if ((rc = luaL_loadfilex(L, file, "t")) != LUA_OK)
		xasprintf(err, "%s", lua_tostring(L, -1) != NULL ?
		    lua_tostring(L, -1) : "cannot be loaded");
	lua_close(L);
	return rc == LUA_OK ? 0 : -1;
}
