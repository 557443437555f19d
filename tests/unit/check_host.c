/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_host.c - unit tests for plugins/host.c, the Lua plugin host: the
 * sandbox (no io, os, require, dofile, loadfile, debug; no binary load,
 * text load works), every escape attempt of issue 7 failing, the memory
 * cap and the instruction budget (the state usable after each), errors
 * naming the plugin, file and line, print() through the log callback,
 * failure counting, C functions registered as vigil.NAME, and calls with
 * arguments of any type (lhost_invoke, lhost_chunk).  Each test writes
 * its Lua files into its own mkdtemp directory.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "plugins/host.h"
#include "util/util.h"

static char	 tdir[64];
static char	*tfiles[8];
static size_t	 ntfiles;

static void
setup(void)
{
	snprintf(tdir, sizeof tdir, "/tmp/check_host.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	ntfiles = 0;
}

static void
teardown(void)
{
	size_t	 i;

	for (i = 0; i < ntfiles; i++) {
		unlink(tfiles[i]);
		free(tfiles[i]);
	}
	ntfiles = 0;
	rmdir(tdir);
}

/* Write TEXT as tdir/BASE; the path is borrowed (freed in teardown). */
static const char *
write_lua(const char *base, const char *text, size_t len)
{
	FILE	*f;
	char	*path;

	ck_assert_uint_lt(ntfiles, nitems(tfiles));
	xasprintf(&path, "%s/%s", tdir, base);
	tfiles[ntfiles++] = path;
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

#define WRITE_LUA(base, text)	write_lua((base), (text), strlen(text))

/* Create plugin P from TEXT, asserting success. */
static struct lhost *
host_from(const char *text, const struct lhost_limits *lim)
{
	struct lhost	*h;
	char		*err = NULL;

	h = lhost_create("P", WRITE_LUA("p.lua", text), lim, &err);
	if (h == NULL)
		ck_abort_msg("lhost_create: %s", err);
	return h;
}

/* Call FN with no arguments; it must succeed. */
static void
call_ok(struct lhost *h, const char *fn)
{
	char	*err = NULL;

	if (lhost_call(h, fn, 0, NULL, &err) != 0)
		ck_abort_msg("%s: %s", fn, err);
}

/* Call FN with no arguments; it must fail with a cause containing WANT. */
static void
call_fails(struct lhost *h, const char *fn, const char *want)
{
	char	*err = NULL;

	ck_assert_msg(lhost_call(h, fn, 0, NULL, &err) == -1,
	    "%s succeeded", fn);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"",
	    fn, err, want);
	free(err);
}

START_TEST(test_sandbox)
{
	struct lhost	*h;

	h = host_from(
	    "function check()\n"
	    "  assert(io == nil, 'io')\n"
	    "  assert(os == nil, 'os')\n"
	    "  assert(require == nil, 'require')\n"
	    "  assert(package == nil, 'package')\n"
	    "  assert(dofile == nil, 'dofile')\n"
	    "  assert(loadfile == nil, 'loadfile')\n"
	    "  assert(debug == nil, 'debug')\n"
	    "  assert(string and table and math and utf8 and coroutine)\n"
	    "  local bin = string.dump(function() return 1 end)\n"
	    "  local f, e = load(bin)\n"
	    "  assert(f == nil and e:find('binary'), tostring(e))\n"
	    "  f, e = load(bin, 'x', 'b')\n"
	    "  assert(f == nil and e:find('binary'), tostring(e))\n"
	    "  f, e = load(bin, 'x', 'bt', {})\n"
	    "  assert(f == nil and e:find('binary'), tostring(e))\n"
	    "  f = assert(load('return 1 + 2'))\n"
	    "  assert(f() == 3)\n"
	    "  local env = {}\n"
	    "  f = assert(load('x = 5', 'c', 'b', env))\n"
	    "  f()\n"
	    "  assert(env.x == 5 and x == nil)\n"
	    "  assert(pcall(error, 'e') == false)\n"
	    "  assert(select(2, xpcall(error, function(m) return 'h' .. m end,"
	    " 'e')) == 'he')\n"
	    "end\n", NULL);
	call_ok(h, "check");
	lhost_free(h);
}
END_TEST

START_TEST(test_escapes)
{
	struct lhost	*h;

	h = host_from(
	    "function io_open() return io.open('/etc/passwd') end\n"
	    "function os_exec() return os.execute('true') end\n"
	    "function req() return require 'ffi' end\n"
	    "function dbg() return debug.getregistry() end\n"
	    "function dof() return dofile('/etc/passwd') end\n"
	    "function ldf() return loadfile('/etc/passwd') end\n"
	    "function bin() return assert(load(string.dump(print))) end\n",
	    NULL);
	call_fails(h, "io_open", "global 'io'");
	call_fails(h, "os_exec", "global 'os'");
	call_fails(h, "req", "global 'require'");
	call_fails(h, "dbg", "global 'debug'");
	call_fails(h, "dof", "global 'dofile'");
	lhost_free(h);
	/* Separately: fail_max would disable the first host by now. */
	h = host_from(
	    "function ldf() return loadfile('/etc/passwd') end\n"
	    "function bin()\n"
	    "  return assert(load(string.dump(function() end)))\n"
	    "end\n", NULL);
	call_fails(h, "ldf", "global 'loadfile'");
	call_fails(h, "bin", "binary");
	ck_assert(!lhost_disabled(h));
	lhost_free(h);
}
END_TEST

START_TEST(test_memory_cap)
{
	struct lhost_limits	 lim = { 1024 * 1024, 0, 0 };
	struct lhost		*h;
	const char		*arg = "12";

	h = host_from(
	    "function bomb()\n"
	    "  local t = {}\n"
	    "  for i = 1, 1e9 do t[i] = i end\n"
	    "end\n"
	    "function rep() return #string.rep('x', 1 << 30) end\n"
	    "function strings()\n"
	    "  local t = {}\n"
	    "  for i = 1, 1e9 do t[i] = tostring(i) .. ('y'):rep(100) end\n"
	    "end\n"
	    "function caught()\n"
	    "  while true do pcall(bomb) end\n"
	    "end\n"
	    "function small(n)\n"
	    "  local t = {}\n"
	    "  for i = 1, tonumber(n) do t[i] = tostring(i) end\n"
	    "  assert(#t == tonumber(n))\n"
	    "end\n", &lim);
	call_fails(h, "bomb", "not enough memory");
	ck_assert_int_eq(lhost_call(h, "small", 1, &arg, NULL), 0);
	call_fails(h, "rep", "not enough memory");
	ck_assert_int_eq(lhost_call(h, "small", 1, &arg, NULL), 0);
	call_fails(h, "strings", "not enough memory");
	ck_assert_int_eq(lhost_call(h, "small", 1, &arg, NULL), 0);
	/* A memory error caught by pcall still ends at the budget. */
	call_fails(h, "caught", "instruction budget exceeded");
	ck_assert_int_eq(lhost_call(h, "small", 1, &arg, NULL), 0);
	ck_assert_uint_le(lhost_mem_used(h), lim.mem_max);
	lhost_free(h);
}
END_TEST

START_TEST(test_memory_at_load)
{
	struct lhost_limits	 lim = { 256 * 1024, 0, 0 };
	char			*err = NULL;

	ck_assert_ptr_null(lhost_create("P", WRITE_LUA("big.lua",
	    "big = {}\nfor i = 1, 1e9 do big[i] = i end\n"), &lim, &err));
	ck_assert_str_eq(err,
	    "plugin P: not enough memory (limit 262144 bytes)");
	free(err);
}
END_TEST

START_TEST(test_budget)
{
	struct lhost_limits	 lim = { 0, 1000000, 100 };
	struct lhost		*h;

	h = host_from(
	    "function spin()\n"
	    "  while true do end\n"
	    "end\n"
	    "function caught()\n"
	    "  while true do pcall(spin) end\n"
	    "end\n"
	    "function xcaught()\n"
	    "  while true do xpcall(spin, function(m) return m end) end\n"
	    "end\n"
	    "function co()\n"
	    "  while true do coroutine.resume(coroutine.create(spin)) end\n"
	    "end\n"
	    "function wrapped()\n"
	    "  while true do pcall(coroutine.wrap(spin)) end\n"
	    "end\n"
	    "function sorted()\n"
	    "  local t = {3, 2, 1}\n"
	    "  table.sort(t, function(a, b) while true do end end)\n"
	    "end\n"
	    "function ok()\n"
	    "  local n = 0\n"
	    "  for i = 1, 100000 do n = n + i end\n"
	    "  assert(n == 5000050000)\n"
	    "end\n", &lim);
	call_fails(h, "spin", "p.lua:2: instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "caught", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "xcaught", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "co", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "wrapped", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "sorted", "instruction budget exceeded");
	/* The budget is per call: many calls add up to more than one. */
	call_ok(h, "ok");
	call_ok(h, "ok");
	call_ok(h, "ok");
	lhost_free(h);
}
END_TEST

START_TEST(test_budget_at_load)
{
	struct lhost_limits	 lim = { 0, 100000, 0 };
	char			*err = NULL;
	const char		*path;
	char			*want;

	path = WRITE_LUA("loop.lua",
	    "local x = 1\nwhile true do x = x + 1 end\n");
	ck_assert_ptr_null(lhost_create("L", path, &lim, &err));
	xasprintf(&want, "plugin L: %s:2: instruction budget exceeded", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
}
END_TEST

START_TEST(test_runtime_error)
{
	struct lhost	*h;
	char		*err = NULL, *want;
	const char	*path;

	path = WRITE_LUA("rt.lua",
	    "function boom()\n"
	    "  local x = 1\n"
	    "  error('boom')\n"
	    "end\n"
	    "function index()\n"
	    "  local t\n"
	    "  return t.field\n"
	    "end\n"
	    "function object() error({}) end\n"
	    "function ctl() error('a\\nb\\027', 0) end\n");
	ck_assert_ptr_nonnull(h = lhost_create("RT", path, NULL, &err));
	ck_assert_int_eq(lhost_call(h, "boom", 0, NULL, &err), -1);
	xasprintf(&want, "plugin RT: %s:3: boom", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	ck_assert_int_eq(lhost_call(h, "index", 0, NULL, &err), -1);
	xasprintf(&want, "plugin RT: %s:7: attempt to index a nil value "
	    "(local 't')", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	ck_assert_int_eq(lhost_call(h, "object", 0, NULL, &err), -1);
	ck_assert_str_eq(err, "plugin RT: (error object is a table value)");
	free(err);
	/* Text from the plugin reaches the cause escaped. */
	ck_assert_int_eq(lhost_call(h, "ctl", 0, NULL, &err), -1);
	ck_assert_str_eq(err, "plugin RT: a\\x0ab\\x1b");
	free(err);
	ck_assert_int_eq(lhost_call(h, "nosuch", 0, NULL, &err), -1);
	ck_assert_str_eq(err, "plugin RT: no function nosuch");
	free(err);
	lhost_free(h);
}
END_TEST

START_TEST(test_load_errors)
{
	char		*err = NULL, *want;
	const char	*path;
	static const char bin[] = "\033Lua\x54\x00junk";

	path = WRITE_LUA("syn.lua", "x = 1\ny = = 2\n");
	ck_assert_ptr_null(lhost_create("S", path, NULL, &err));
	xasprintf(&want, "plugin S: %s:2: unexpected symbol near '='", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);

	path = WRITE_LUA("main.lua", "local t = nil\nlocal y = t.x\n");
	ck_assert_ptr_null(lhost_create("S", path, NULL, &err));
	xasprintf(&want, "plugin S: %s:2: attempt to index a nil value "
	    "(local 't')", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);

	path = write_lua("bin.lua", bin, sizeof bin - 1);
	ck_assert_ptr_null(lhost_create("S", path, NULL, &err));
	ck_assert_msg(strstr(err, "binary chunk") != NULL, "%s", err);
	free(err);

	ck_assert_ptr_null(lhost_create("S", "/nonexistent/x.lua", NULL,
	    &err));
	ck_assert_msg(strncmp(err, "plugin S: cannot open /nonexistent/x.lua",
	    40) == 0, "%s", err);
	free(err);

	/* err may be NULL. */
	ck_assert_ptr_null(lhost_create("S", "/nonexistent/x.lua", NULL,
	    NULL));
	lhost_free(NULL);
}
END_TEST

static void
collect(const char *line, void *arg)
{
	struct strbuf	*sb = arg;

	strbuf_adds(sb, line);
	strbuf_addc(sb, '\n');
}

START_TEST(test_print)
{
	struct lhost	*h;
	struct strbuf	 sb;
	char		*err = NULL;
	const char	*args[] = { "a\tb", "c" };

	strbuf_init(&sb);
	ck_assert_ptr_nonnull(h = lhost_create("PR", NULL, NULL, &err));
	lhost_set_log(h, collect, &sb);
	if (lhost_load(h, WRITE_LUA("pr.lua",
	    "print('loaded', 42, nil, true)\n"
	    "function say(a, b) print(a .. '\\n' .. b) end\n"
	    "function empty() print() end\n"
	    "function long() print(('z'):rep(5000)) end\n"), &err) != 0)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(lhost_call(h, "say", 2, args, &err), 0);
	ck_assert_int_eq(lhost_call(h, "empty", 0, NULL, &err), 0);
	ck_assert_str_eq(sb.data,
	    "plugin PR: loaded 42 nil true\n"
	    "plugin PR: a\\x09b\\x0ac\n"
	    "plugin PR: \n");
	strbuf_reset(&sb);
	ck_assert_int_eq(lhost_call(h, "long", 0, NULL, &err), 0);
	ck_assert_uint_eq(sb.len, strlen("plugin PR: ") + 4096 +
	    strlen(" [904 bytes more]\n"));
	ck_assert_ptr_nonnull(strstr(sb.data, "z [904 bytes more]\n"));
	strbuf_free(&sb);
	lhost_free(h);
}
END_TEST

START_TEST(test_failures)
{
	struct lhost_limits	 lim = { 0, 0, 3 };
	struct lhost		*h;
	char			*err = NULL;

	h = host_from(
	    "function bad() error('no') end\n"
	    "function good() end\n", &lim);
	call_fails(h, "bad", "no");
	call_fails(h, "bad", "no");
	call_ok(h, "good");		/* resets the count */
	call_fails(h, "bad", "no");
	call_fails(h, "bad", "no");
	ck_assert(!lhost_disabled(h));
	call_fails(h, "bad", "p.lua:1: no");
	ck_assert(lhost_disabled(h));
	ck_assert_int_eq(lhost_call(h, "good", 0, NULL, &err), -1);
	ck_assert_str_eq(err, "plugin P: disabled after 3 failures");
	free(err);
	ck_assert_int_eq(lhost_call_ref(h, LUA_NOREF, 0, NULL, &err), -1);
	ck_assert_str_eq(err, "plugin P: disabled after 3 failures");
	free(err);
	lhost_free(h);
}
END_TEST

/* vigil.add(n): adds n to the int the upvalue points at, returns "ok". */
static int
t_add(lua_State *L)
{
	int	*sum = lua_touserdata(L, lua_upvalueindex(1));

	*sum += (int)luaL_checkinteger(L, 1);
	lua_pushliteral(L, "ok");
	return 1;
}

/* vigil.on(fn): keeps a reference to fn in the int the upvalue points at. */
static int
t_on(lua_State *L)
{
	int	*ref = lua_touserdata(L, lua_upvalueindex(1));

	luaL_checktype(L, 1, LUA_TFUNCTION);
	ck_assert_ptr_nonnull(lhost_from_state(L));
	ck_assert_str_eq(lhost_name(lhost_from_state(L)), "R");
	*ref = lhost_ref(L, 1);
	return 0;
}

START_TEST(test_register)
{
	struct lhost	*h;
	char		*err = NULL;
	int		 sum = 0, ref = LUA_NOREF;
	const char	*args[] = { "5" };
	const char	*msg[] = { "HCPSIG2113I", "BKRLNXD" };

	ck_assert_ptr_nonnull(h = lhost_create("R", NULL, NULL, &err));
	ck_assert_int_eq(lhost_register(h, "add", t_add, &sum), 0);
	ck_assert_int_eq(lhost_register(h, "on", t_on, &ref), 0);
	if (lhost_load(h, WRITE_LUA("r.lua",
	    "assert(vigil.add(1) == 'ok')\n"
	    "function f(n) assert(vigil.add(tonumber(n)) == 'ok') end\n"
	    "vigil.on(function(id, user)\n"
	    "  assert(id == 'HCPSIG2113I' and user == 'BKRLNXD')\n"
	    "  vigil.add(100)\n"
	    "end)\n"
	    "function bad() vigil.add('x') end\n"), &err) != 0)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(sum, 1);
	ck_assert_int_eq(lhost_call(h, "f", 1, args, &err), 0);
	ck_assert_int_eq(sum, 6);
	ck_assert_int_ne(ref, LUA_NOREF);
	if (lhost_call_ref(h, ref, 2, msg, &err) != 0)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(sum, 106);
	ck_assert_int_eq(lhost_call(h, "bad", 0, NULL, &err), -1);
	ck_assert_msg(strstr(err, "bad argument #1 to 'add'") != NULL, "%s",
	    err);
	free(err);
	lhost_unref(h, ref);
	ck_assert_int_eq(lhost_call_ref(h, ref, 0, NULL, &err), -1);
	ck_assert_msg(strstr(err, "no function for reference") != NULL, "%s",
	    err);
	free(err);
	lhost_free(h);
}
END_TEST

/*
 * Escapes the first tests do not try: bytecode made by hand (not by
 * string.dump) through every form of load, and a walk of everything a
 * plugin can reach from _G and the string metatable, which must hold
 * nothing of io, os, debug or package.
 */
START_TEST(test_escapes_bytecode)
{
	struct lhost	*h;

	h = host_from(
	    "local bc = '\\27Lua\\84\\0\\25\\147\\13\\10\\26\\10\\4\\8\\8'\n"
	    "function str() return assert(load(bc)) end\n"
	    "function mode_b() return assert(load(bc, 'x', 'b')) end\n"
	    "function env() return assert(load(bc, 'x', 'b', {})) end\n"
	    "function reader()\n"
	    "  local parts = { bc:sub(1, 1), bc:sub(2) }\n"
	    "  local i = 0\n"
	    "  return assert(load(function() i = i + 1 return parts[i] end,"
	    " 'r', 'b'))\n"
	    "end\n"
	    "function dumped()\n"
	    "  local d = assert(string.dump, 'no string.dump')\n"
	    "  return assert(load(d(function() return 1 end), 'd', 'bt'))\n"
	    "end\n", NULL);
	call_fails(h, "str", "attempt to load a binary chunk (mode is 't')");
	call_fails(h, "mode_b", "attempt to load a binary chunk (mode is 't')");
	call_fails(h, "env", "attempt to load a binary chunk (mode is 't')");
	call_fails(h, "reader", "attempt to load a binary chunk (mode is 't')");
	ck_assert(!lhost_disabled(h));
	lhost_free(h);
	h = host_from(
	    "function dumped()\n"
	    "  local d = assert(string.dump, 'no string.dump')\n"
	    "  return assert(load(d(function() return 1 end), 'd', 'bt'))\n"
	    "end\n", NULL);
	call_fails(h, "dumped", "attempt to load a binary chunk (mode is 't')");
	lhost_free(h);
}
END_TEST

START_TEST(test_escapes_reachable)
{
	struct lhost	*h;

	/* Names only io, os, debug and package (and require) define. */
	h = host_from(
	    "local bad = { execute = 1, popen = 1, open = 1, exit = 1,\n"
	    "  getenv = 1, rename = 1, tmpname = 1, lines = 1, clock = 1,\n"
	    "  getregistry = 1, getupvalue = 1, setupvalue = 1, sethook = 1,\n"
	    "  getlocal = 1, upvalueid = 1, loadlib = 1, searchpath = 1,\n"
	    "  cpath = 1, preload = 1, searchers = 1, dofile = 1,\n"
	    "  loadfile = 1, require = 1, io = 1, os = 1, debug = 1,\n"
	    "  package = 1 }\n"
	    "function walk()\n"
	    "  local seen, todo, n = {}, { _G, getmetatable('') }, 0\n"
	    "  while #todo > 0 do\n"
	    "    local t = table.remove(todo)\n"
	    "    if not seen[t] then\n"
	    "      seen[t] = true\n"
	    "      n = n + 1\n"
	    "      for k, v in pairs(t) do\n"
	    "        assert(not bad[k], 'reachable: ' .. tostring(k))\n"
	    "        if type(v) == 'table' then todo[#todo + 1] = v end\n"
	    "      end\n"
	    "      local mt = getmetatable(t)\n"
	    "      if type(mt) == 'table' then todo[#todo + 1] = mt end\n"
	    "    end\n"
	    "  end\n"
	    "  assert(n >= 7, 'walked only ' .. n)\n"
	    "end\n", NULL);
	call_ok(h, "walk");
	lhost_free(h);
}
END_TEST

/*
 * A plugin may tamper with its own _G and the string metatable: the host
 * still registers (raw), still calls under protection and the budget,
 * and print still works.
 */
/*
 * Work done inside the C library is charged by the bytes it allocates: a
 * loop of few instructions that builds big strings is stopped by the
 * budget, not left to copy for minutes.
 */
START_TEST(test_budget_allocation)
{
	struct lhost	*h;

	h = host_from(
	    "function churn()\n"
	    "  for i = 1, 1000000 do local s = string.rep('x', 100000) end\n"
	    "end\n"
	    "function small() local t = {} for i = 1, 1000 do t[i] = i end end\n",
	    NULL);
	call_fails(h, "churn", "instruction budget exceeded");
	call_ok(h, "small");
	lhost_free(h);
}
END_TEST

/*
 * Finalizers run with hooks off, out of the budget's reach: a plugin may
 * not set one, and one added to a metatable later is never called.
 */
START_TEST(test_no_finalizers)
{
	struct lhost	*h;

	h = host_from(
	    "function gc_loop()\n"
	    "  setmetatable({}, {__gc = function() while true do end end})\n"
	    "end\n"
	    "function gc_later()\n"
	    "  local mt = {}\n"
	    "  setmetatable({}, mt)\n"
	    "  mt.__gc = function() while true do end end\n"
	    "  collectgarbage()\n"
	    "end\n"
	    "function plain() setmetatable({}, {__index = {}}) end\n", NULL);
	call_fails(h, "gc_loop", "plugins may not set finalizers (__gc)");
	call_ok(h, "gc_later");
	call_ok(h, "plain");
	lhost_free(h);		/* would hang if a finalizer looped */
}
END_TEST

START_TEST(test_tamper)
{
	struct lhost	*h;
	struct strbuf	 sb;
	int		 sum = 0;

	strbuf_init(&sb);
	h = host_from(
	    "function ok() vigil.add(2) print('still here') end\n"
	    "function strloop() return ('x'):upper() end\n"
	    "function tamper()\n"
	    "  getmetatable('').__index = function() while true do end end\n"
	    "  setmetatable(_G, {\n"
	    "    __index = function(_, k) error('trap ' .. k, 0) end,\n"
	    "    __newindex = function(_, k) error('trap set ' .. k, 0) end,\n"
	    "    __metatable = 'locked' })\n"
	    "end\n"
	    "function set_global() newglobal = 1 end\n", NULL);
	lhost_set_log(h, collect, &sb);
	call_ok(h, "tamper");
	ck_assert_int_eq(lhost_register(h, "add", t_add, &sum), 0);
	call_ok(h, "ok");
	ck_assert_int_eq(sum, 2);
	call_fails(h, "nosuch", "trap nosuch");
	call_fails(h, "set_global", "trap set newglobal");
	call_fails(h, "strloop", "instruction budget exceeded");
	call_ok(h, "ok");
	ck_assert_int_eq(sum, 4);
	ck_assert_str_eq(sb.data,
	    "plugin P: still here\nplugin P: still here\n");
	strbuf_free(&sb);
	lhost_free(h);
}
END_TEST

/*
 * Memory bombs the cap must stop with "not enough memory", leaving the
 * state usable; a plugin that stops the collector still gets its garbage
 * collected when it reaches the cap.
 */
START_TEST(test_memory_bombs)
{
	struct lhost_limits	 lim = { 1024 * 1024, 0, 100 };
	struct lhost		*h;

	h = host_from(
	    "function rep() return #string.rep('x', 1e9) end\n"
	    "function rep_sep() return #string.rep('ab', 1e8, ',') end\n"
	    "function double()\n"
	    "  local s = 'x'\n"
	    "  while true do s = s .. s end\n"
	    "end\n"
	    "function concat()\n"
	    "  local t = {}\n"
	    "  for i = 1, 1e9 do t[i] = 'abcdefgh' end\n"
	    "  return table.concat(t)\n"
	    "end\n"
	    "function caught()\n"
	    "  local ok, e = pcall(string.rep, 'x', 1e9)\n"
	    "  assert(not ok and e:find('not enough memory'), tostring(e))\n"
	    "  return #string.rep('x', 1000)\n"
	    "end\n"
	    "function churn()\n"
	    "  collectgarbage('stop')\n"
	    "  for i = 1, 200000 do local s = ('y'):rep(200) .. i end\n"
	    "  assert(collectgarbage('count') * 1024 <= 1024 * 1024)\n"
	    "end\n"
	    "function stopped_bomb()\n"
	    "  collectgarbage('stop')\n"
	    "  local t = {}\n"
	    "  for i = 1, 1e9 do t[i] = ('z'):rep(64) .. i end\n"
	    "end\n"
	    "function small()\n"
	    "  local t = {}\n"
	    "  for i = 1, 1000 do t[i] = tostring(i) end\n"
	    "  collectgarbage('restart')\n"
	    "  return #t\n"
	    "end\n", &lim);
	call_fails(h, "rep", "not enough memory");
	call_ok(h, "small");
	call_fails(h, "rep_sep", "not enough memory");
	call_ok(h, "small");
	call_fails(h, "double", "not enough memory");
	call_ok(h, "small");
	call_fails(h, "concat", "not enough memory");
	call_ok(h, "small");
	call_ok(h, "caught");
	call_ok(h, "churn");
	call_fails(h, "stopped_bomb",
	    "not enough memory (limit 1048576 bytes)");
	call_ok(h, "small");
	ck_assert_uint_le(lhost_mem_used(h), lim.mem_max);
	lhost_free(h);
}
END_TEST

/* Endless loops wherever Lua code runs: all stopped by the budget. */
START_TEST(test_budget_callbacks)
{
	struct lhost_limits	 lim = { 0, 1000000, 100 };
	struct lhost		*h;

	h = host_from(
	    "local function spin() while true do end end\n"
	    "function gsub() return ('aaa'):gsub('a', spin) end\n"
	    "function co_pcall()\n"
	    "  local co = coroutine.create(function()\n"
	    "    while true do pcall(spin) end\n"
	    "  end)\n"
	    "  return coroutine.resume(co)\n"
	    "end\n"
	    "function co_yield()\n"
	    "  local co = coroutine.wrap(function()\n"
	    "    while true do coroutine.yield() end\n"
	    "  end)\n"
	    "  while true do co() end\n"
	    "end\n"
	    "function meta()\n"
	    "  local t = setmetatable({}, { __index = spin })\n"
	    "  return t.x\n"
	    "end\n"
	    "function tostr()\n"
	    "  print(setmetatable({}, { __tostring = spin }))\n"
	    "end\n"
	    "function loaded() return load('while true do end')() end\n"
	    "function recursion()\n"
	    "  local function f(n) return f(n + 1) end\n"
	    "  return f(1)\n"
	    "end\n"
	    "function ok()\n"
	    "  local n = 0\n"
	    "  for i = 1, 100000 do n = n + i end\n"
	    "  assert(n == 5000050000)\n"
	    "end\n", &lim);
	call_fails(h, "gsub", "p.lua:1: instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "co_pcall", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "co_yield", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "meta", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "tostr", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "loaded", "instruction budget exceeded");
	call_ok(h, "ok");
	call_fails(h, "recursion", "instruction budget exceeded");
	call_ok(h, "ok");
	lhost_free(h);
}
END_TEST

/* What the lhost_call callbacks of the tests below see and do. */
struct t_inv {
	int	 pushed;	/* calls of push */
	int	 pulled;	/* calls of pull */
	int	 n;		/* results pull saw */
	char	 res[4][32];	/* their type names or values */
	int	 ref;		/* pull_ref: a reference to result 1 */
	bool	 raise_push, raise_pull;
};

/* Pushes {1, 2, 3} and 10. */
static int
t_push(lua_State *L, void *arg)
{
	struct t_inv	*t = arg;
	int		 i;

	t->pushed++;
	if (t->raise_push)
		return luaL_error(L, "push raised");
	lua_createtable(L, 3, 0);
	for (i = 1; i <= 3; i++) {
		lua_pushinteger(L, i);
		lua_rawseti(L, -2, i);
	}
	lua_pushinteger(L, 10);
	return 2;
}

/* Keeps each result as text (a string, a number) or its type name. */
static void
t_pull(lua_State *L, int n, void *arg)
{
	struct t_inv	*t = arg;
	int		 i, base = lua_gettop(L) - n;

	t->pulled++;
	if (t->raise_pull)
		luaL_error(L, "pull raised");
	t->n = n;
	for (i = 0; i < n && i < 4; i++) {
		if (lua_type(L, base + 1 + i) == LUA_TSTRING ||
		    lua_type(L, base + 1 + i) == LUA_TNUMBER)
			snprintf(t->res[i], sizeof t->res[i], "%s",
			    lua_tostring(L, base + 1 + i));
		else
			snprintf(t->res[i], sizeof t->res[i], "%s",
			    luaL_typename(L, base + 1 + i));
	}
}

/* Keeps a reference to result 1 (a function). */
static void
t_pull_ref(lua_State *L, int n, void *arg)
{
	struct t_inv	*t = arg;

	t->pulled++;
	t->n = n;
	ck_assert_int_ge(n, 1);
	t->ref = lhost_ref(L, lua_gettop(L) - n + 1);
}

/* The function the chunk CODE returns, referenced. */
static int
chunk_ref(struct lhost *h, const char *code)
{
	struct t_inv		 t;
	struct lhost_call	 c = { NULL, t_pull_ref, &t, false };
	char			*err = NULL;

	memset(&t, 0, sizeof t);
	if (lhost_chunk(h, "=test", code, strlen(code), &c, &err) != 0)
		ck_abort_msg("lhost_chunk: %s", err);
	ck_assert_int_eq(t.pulled, 1);
	return t.ref;
}

START_TEST(test_invoke)
{
	struct lhost_limits	 lim = { 0, 0, 2 };
	struct lhost		*h;
	struct t_inv		 t;
	struct lhost_call	 c = { t_push, t_pull, &t, false };
	char			*err = NULL;
	int			 sum, bad, none;

	ck_assert_ptr_nonnull(h = lhost_create("I", NULL, &lim, &err));
	sum = chunk_ref(h,
	    "return function(t, n, extra)\n"
	    "  local s = 0\n"
	    "  for _, v in ipairs(t) do s = s + v end\n"
	    "  return s * n, type(t), extra, nil\n"
	    "end\n");
	bad = chunk_ref(h, "return function() error('bang', 0) end\n");
	none = chunk_ref(h, "return function(...) return select('#', ...)"
	    " end\n");

	/* Arguments of any type in, every result out (trailing nil too). */
	memset(&t, 0, sizeof t);
	if (lhost_invoke(h, sum, &c, &err) != 0)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(t.pushed, 1);
	ck_assert_int_eq(t.pulled, 1);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(t.res[0], "60");
	ck_assert_str_eq(t.res[1], "table");
	ck_assert_str_eq(t.res[2], "nil");
	ck_assert_str_eq(t.res[3], "nil");

	/* No push: no arguments; no pull: results dropped. */
	c.push = NULL;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_invoke(h, none, &c, &err), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.res[0], "0");
	c.push = t_push;
	c.pull = NULL;
	ck_assert_int_eq(lhost_invoke(h, none, &c, &err), 0);
	c.pull = t_pull;

	/* Push and pull may raise: a failure with their cause. */
	memset(&t, 0, sizeof t);
	t.raise_push = true;
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), -1);
	ck_assert_str_eq(err, "plugin I: push raised");
	free(err);
	ck_assert_int_eq(t.pulled, 0);
	/* A counted success resets the count (1 failure of 2). */
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), 0);
	t.raise_pull = true;
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), -1);
	ck_assert_str_eq(err, "plugin I: pull raised");
	free(err);
	ck_assert(!lhost_disabled(h));
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), 0);

	/* Uncounted failures never disable... */
	c.uncounted = true;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_invoke(h, bad, &c, &err), -1);
	ck_assert_str_eq(err, "plugin I: bang");
	free(err);
	ck_assert_int_eq(lhost_invoke(h, bad, &c, NULL), -1);
	ck_assert_int_eq(lhost_invoke(h, bad, &c, NULL), -1);
	ck_assert(!lhost_disabled(h));
	/* ... and an uncounted success does not reset the count. */
	c.uncounted = false;
	ck_assert_int_eq(lhost_invoke(h, bad, &c, NULL), -1);	/* 1 */
	c.uncounted = true;
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), 0);
	c.uncounted = false;
	ck_assert(!lhost_disabled(h));
	ck_assert_int_eq(lhost_invoke(h, bad, &c, NULL), -1);	/* 2 */
	ck_assert(lhost_disabled(h));

	/* Disabled: nothing runs, not even push. */
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_invoke(h, sum, &c, &err), -1);
	ck_assert_str_eq(err, "plugin I: disabled after 2 failures");
	free(err);
	ck_assert_int_eq(t.pushed, 0);
	ck_assert_int_eq(t.pulled, 0);
	lhost_free(h);

	/* A dropped or missing reference, and the budget. */
	ck_assert_ptr_nonnull(h = lhost_create("I", NULL, NULL, &err));
	bad = chunk_ref(h, "return function() while true do end end\n");
	ck_assert_int_eq(lhost_invoke(h, bad, &c, &err), -1);
	ck_assert_msg(strstr(err, "test:1: instruction budget exceeded") !=
	    NULL, "%s", err);
	free(err);
	lhost_unref(h, bad);
	ck_assert_int_eq(lhost_invoke(h, bad, &c, &err), -1);
	ck_assert_msg(strstr(err, "no function for reference") != NULL, "%s",
	    err);
	free(err);
	ck_assert_int_eq(lhost_invoke(h, LUA_NOREF, NULL, &err), -1);
	ck_assert_msg(strstr(err, "no function for reference") != NULL, "%s",
	    err);
	free(err);
	lhost_free(h);
}
END_TEST

START_TEST(test_chunk)
{
	struct lhost_limits	 lim = { 512 * 1024, 1000000, 1 };
	struct lhost		*h;
	struct t_inv		 t;
	struct lhost_call	 c = { t_push, t_pull, &t, false };
	char			*err = NULL;
	static const char	 args[] =
	    "local t, n = ...\n"
	    "answer = #t * n\n"
	    "return io == nil and os == nil and debug == nil, answer\n";
	static const char	 bin[] = "\033Lua\x54\x00\x19\x93\r\n\x1a\n";

	ck_assert_ptr_nonnull(h = lhost_create("C", NULL, &lim, &err));

	/* Arguments as `...`, results pulled, globals left for later. */
	memset(&t, 0, sizeof t);
	if (lhost_chunk(h, "=args", args, sizeof args - 1, &c, &err) != 0)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(t.n, 2);
	ck_assert_str_eq(t.res[0], "boolean");
	ck_assert_str_eq(t.res[1], "30");
	memset(&t, 0, sizeof t);
	c.push = NULL;
	ck_assert_int_eq(lhost_chunk(h, "=g", "return answer", 13, &c, &err),
	    0);
	ck_assert_str_eq(t.res[0], "30");

	/* Only LEN bytes are read. */
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(lhost_chunk(h, "=len", "return 7 garbage(", 8, &c,
	    &err), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.res[0], "7");
	/* No call structure at all. */
	ck_assert_int_eq(lhost_chunk(h, "=nil", "x = 1", 5, NULL, &err), 0);

	/* Errors name the chunk; none of them counts (fail_max is 1). */
	ck_assert_int_eq(lhost_chunk(h, "=mychunk", "x = = 1", 7, NULL,
	    &err), -1);
	ck_assert_str_eq(err,
	    "plugin C: mychunk:1: unexpected symbol near '='");
	free(err);
	ck_assert_int_eq(lhost_chunk(h, "=mychunk", "\nerror('e')", 11, NULL,
	    &err), -1);
	ck_assert_str_eq(err, "plugin C: mychunk:2: e");
	free(err);
	ck_assert_int_eq(lhost_chunk(h, "=bin", bin, sizeof bin - 1, NULL,
	    &err), -1);
	ck_assert_msg(strstr(err, "attempt to load a binary chunk") != NULL,
	    "%s", err);
	free(err);
	ck_assert_int_eq(lhost_chunk(h, "=spin", "while true do end", 17,
	    NULL, &err), -1);
	ck_assert_str_eq(err,
	    "plugin C: spin:1: instruction budget exceeded");
	free(err);
	ck_assert_int_eq(lhost_chunk(h, "=big", "s = ('x'):rep(1e9)", 18,
	    NULL, &err), -1);
	ck_assert_str_eq(err, "plugin C: not enough memory "
	    "(limit 524288 bytes)");
	free(err);
	memset(&t, 0, sizeof t);
	c.push = t_push;
	t.raise_push = true;
	ck_assert_int_eq(lhost_chunk(h, "=p", "return 1", 8, &c, &err), -1);
	ck_assert_str_eq(err, "plugin C: push raised");
	free(err);
	ck_assert(!lhost_disabled(h));

	/* While a counted failure disables at once. */
	ck_assert_int_eq(lhost_chunk(h, "=f", "function f() error('x') end",
	    27, NULL, &err), 0);
	call_fails(h, "f", "f:1: x");
	ck_assert(lhost_disabled(h));
	lhost_free(h);
}
END_TEST

static Suite *
host_suite(void)
{
	Suite	*s = suite_create("host");
	TCase	*tc;

	tc = tcase_create("sandbox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sandbox);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_escapes_bytecode);
	tcase_add_test(tc, test_escapes_reachable);
	tcase_add_test(tc, test_tamper);
	tcase_add_test(tc, test_no_finalizers);
	tcase_add_test(tc, test_budget_allocation);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memory_cap);
	tcase_add_test(tc, test_memory_at_load);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_budget_at_load);
	tcase_add_test(tc, test_memory_bombs);
	tcase_add_test(tc, test_budget_callbacks);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_runtime_error);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_failures);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_print);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_invoke);
	tcase_add_test(tc, test_chunk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(host_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
