/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_host.c - unit tests for plugins/host.c, the Lua plugin host: the
 * sandbox (no io, os, require, dofile, loadfile, debug; no binary load,
 * text load works), every escape attempt of issue 7 failing, the memory
 * cap and the instruction budget (the state usable after each), errors
 * naming the plugin, file and line, print() through the log callback,
 * failure counting, and C functions registered as vigil.NAME.  Each test
 * writes its Lua files into its own mkdtemp directory.
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

static Suite *
host_suite(void)
{
	Suite	*s = suite_create("host");
	TCase	*tc;

	tc = tcase_create("sandbox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sandbox);
	tcase_add_test(tc, test_escapes);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memory_cap);
	tcase_add_test(tc, test_memory_at_load);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_budget_at_load);
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
