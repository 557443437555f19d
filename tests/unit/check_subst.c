/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_subst.c - unit tests for actions/subst.c and actions/plan.c:
 * every substitution variable (&1..&n, &0, &T, &U, &R, &P, &C, &A, &MSGID,
 * &SOURCE, &SYSNAME, the date and time at the message's own time), the
 * syntax (&{name}, &&, case), named REGEX groups through a real match,
 * undefined names; then plans: EXEC argv words that hostile message text
 * can never multiply, ENV SHELL commands actually run through /bin/sh and
 * compared byte for byte, DEFENV PREFIX, console, GOM, EMIT, INPUT and
 * NULL plans, NEXTACTN chains, and the load-time check of variable names.
 * Shell runs happen in a private temp directory holding a "victim" file;
 * an injected command would create or remove a file there.  Bugs found and
 * fixed since are in the TCase tagged "regression".
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "actions/actions.h"
#include "rules/rules.h"
#include "tests/unit/testutil.h"

/* --- helpers ---------------------------------------------------------- */

static time_t
local_time(int y, int mon, int d, int h, int mi, int s)
{
	struct tm	 tm;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	ck_assert(t != (time_t)-1);
	return t;
}

#define SIGTEXT	"HCPSIG2113I User  BKRLNXD\thas reported successful" \
		" termination"

static struct message *
msg_make(const char *text)
{
	return message_create(text, strlen(text), "OPERATOR", "ZVM1",
	    "CONSOLE1", local_time(2025, 6, 2, 10, 4, 5));
}

static void
ctx_init(struct subst_ctx *ctx, const struct message *msg)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->msg = msg;
	ctx->kind = "RULE";
	ctx->name = "BKRLNX02";
	ctx->action = "NOTIFY";
	ctx->now = local_time(2030, 1, 2, 3, 4, 5);
}

static char *
sub(const char *tmpl, struct subst_ctx *ctx, bool quote)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	subst_expand(tmpl, ctx, quote, &sb);
	return strbuf_steal(&sb);
}

/* Expand with a fresh context; the number of undefined names must match. */
static void
expect_sub(const struct message *msg, const char *tmpl, const char *want,
    unsigned undefined)
{
	struct subst_ctx	 ctx;
	char			*got;

	ctx_init(&ctx, msg);
	got = sub(tmpl, &ctx, false);
	ck_assert_msg(strcmp(got, want) == 0, "'%s' gave '%s', want '%s'",
	    tmpl, got, want);
	ck_assert_msg(ctx.undefined == undefined, "'%s': %llu undefined,"
	    " want %u", tmpl, (unsigned long long)ctx.undefined, undefined);
	free(got);
}

/* The argv of a plan as one string: words in [brackets]. */
static char *
argv_string(const struct argv *av)
{
	struct strbuf	 sb;
	size_t		 i;

	strbuf_init(&sb);
	for (i = 0; i < av->n; i++)
		strbuf_addf(&sb, "[%s]", av->v[i]);
	ck_assert_ptr_null(av->v[av->n]);
	return strbuf_steal(&sb);
}

/* Plan an action for a message with the rule's usual context. */
static struct plan *
plan_for(const struct ruleset *rs, const char *action, const char *env,
    const struct message *msg, const char *parm, struct subst_ctx *ctx)
{
	ctx_init(ctx, msg);
	ctx->action = NULL;
	ctx->parm = parm;
	return plan_action(rs, action, env, ctx);
}

/* --- a private directory for shell runs -------------------------------- */

static char	 tmpdir[64];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
victim_write(void)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/victim", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

static void
dir_setup(void)
{
	strcpy(tmpdir, "/tmp/vigil-subst-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	victim_write();
}

static void
dir_teardown(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

/* The names in the directory other than "victim", and whether it is. */
static char *
dir_state(void)
{
	struct strbuf	 sb;
	struct dirent	*de;
	DIR		*d;
	bool		 victim = false;

	strbuf_init(&sb);
	d = opendir(tmpdir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "victim") == 0)
			victim = true;
		else
			strbuf_addf(&sb, " %s", de->d_name);
	}
	closedir(d);
	if (!victim)
		strbuf_adds(&sb, " (victim removed)");
	return strbuf_steal(&sb);
}

/*
 * Run an argv in the private directory; its standard output in *out.
 * Returns the exit status (-1 if it did not exit normally).
 */
static int
run_argv(const struct argv *av, struct strbuf *out)
{
	int	 fd[2], status, devnull;
	pid_t	 pid;
	char	 buf[4096];
	ssize_t	 n;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (chdir(tmpdir) != 0 || dup2(fd[1], 1) != 1)
			_exit(126);
		/* Errors show as the exit status, not as noise. */
		if ((devnull = open("/dev/null", O_WRONLY)) >= 0)
			dup2(devnull, 2);
		close(fd[0]);
		close(fd[1]);
		execv(av->v[0], av->v);
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		n = read(fd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_addn(out, buf, (size_t)n);
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- hostile texts -------------------------------------------------------- */

/*
 * Texts that would do something if they reached a shell unquoted.  Their
 * commands only touch the private directory, so that a failure shows as
 * a file made or removed there, never as damage.
 */
static const char *const hostile[] = {
	"it's a \"quoted\" text",
	"'",
	"\"",
	"''",
	"$(rm -rf ./victim)",
	"$(touch pwned-dollar)",
	"`touch pwned-backtick`",
	"a; touch pwned-semicolon",
	"a | touch pwned-pipe",
	"a && touch pwned-and",
	"a & touch pwned-bg",
	"a > pwned-redirect",
	"line one\ntouch pwned-newline\n",
	"tab\there\t\tand\rcr",
	"${IFS}$HOME $0 $1 $@ $* $$ $? ${x:-y}",
	"\\ \\\\ \\' \\\" \\n \\",
	"*?[a-z]~ {a,b} #comment !! ^x",
	"-n",
	"-e --help",
	"%s%n%d%%",
	"  leading and trailing  ",
	"'; touch pwned-sq; echo '",
	"\"; touch pwned-dq; echo \"",
	"'\\''; touch pwned-esc '",
	"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	"",
};

#define NHOSTILE	 (nitems(hostile) + 2)
#define BIGWORD		 65536

/* Hostile text i: the table, then a 64 KB word, then control bytes. */
static char *
hostile_text(size_t i)
{
	static const char mix[] = "abcdefghijklmnopqrstuvwxyz0123456789'\"$`;|&"
	    "\\()<>*?!#~{}%";
	struct strbuf	 sb;
	size_t		 k;
	int		 c;

	if (i < nitems(hostile))
		return xstrdup(hostile[i]);
	strbuf_init(&sb);
	if (i == nitems(hostile)) {
		for (k = 0; k < BIGWORD; k++)
			strbuf_addc(&sb, k % 97 == 0 ? mix[(k / 97) %
			    (sizeof mix - 1)] : (char)('a' + k % 26));
		return strbuf_steal(&sb);
	}
	for (c = 1; c < 32; c++)
		strbuf_addc(&sb, (char)c);
	strbuf_adds(&sb, "x\x7f" "y\x1b[31mred\x1b[0m");
	return strbuf_steal(&sb);
}

/* --- substitution ------------------------------------------------------ */

START_TEST(test_words)
{
	struct message	*msg;

	msg = msg_make(SIGTEXT);
	expect_sub(msg, "&1", "HCPSIG2113I", 0);
	expect_sub(msg, "&2", "User", 0);
	expect_sub(msg, "&3", "BKRLNXD", 0);
	expect_sub(msg, "&4", "has", 0);
	expect_sub(msg, "&6", "successful", 0);
	expect_sub(msg, "&7", "termination", 0);
	expect_sub(msg, "&8", "", 0);
	expect_sub(msg, "&99", "", 0);
	expect_sub(msg, "<&1&2>", "<HCPSIG2113IUser>", 0);
	expect_sub(msg, "&12", "", 0);
	/* Two digits at most: &123 is &12 then "3". */
	expect_sub(msg, "&123", "3", 0);
	expect_sub(msg, "&3x", "BKRLNXDx", 0);
	message_free(msg);

	msg = msg_make("   a b c d e f g h i j k l   ");
	expect_sub(msg, "&1", "a", 0);
	expect_sub(msg, "&10,&11,&12,&13", "j,k,l,", 0);
	message_free(msg);

	msg = msg_make("");
	expect_sub(msg, "[&1][&T]", "[][]", 0);
	message_free(msg);
}
END_TEST

START_TEST(test_names)
{
	struct message		*msg, *plain;
	struct subst_ctx	 ctx;
	char			*got;

	msg = msg_make(SIGTEXT);
	msg->cls = 7;
	expect_sub(msg, "&0", "RULE", 0);
	expect_sub(msg, "&T", SIGTEXT, 0);
	expect_sub(msg, "&U", "OPERATOR", 0);
	expect_sub(msg, "&R", "BKRLNX02", 0);
	expect_sub(msg, "&A", "NOTIFY", 0);
	expect_sub(msg, "&C", "7", 0);
	expect_sub(msg, "&MSGID", "HCPSIG2113I", 0);
	expect_sub(msg, "&SOURCE", "CONSOLE1", 0);
	expect_sub(msg, "&SYSNAME", "ZVM1", 0);
	/* Built-in names are not case sensitive. */
	expect_sub(msg, "&t|&u|&r|&msgid|&SysName|&source|&c",
	    SIGTEXT "|OPERATOR|BKRLNX02|HCPSIG2113I|ZVM1|CONSOLE1|7", 0);

	/* &0 without a kind, &JOBID without a job: empty, counted. */
	ctx_init(&ctx, msg);
	ctx.kind = NULL;
	got = sub("[&0][&JOBID]", &ctx, false);
	ck_assert_str_eq(got, "[][]");
	ck_assert_uint_eq(ctx.undefined, 2);
	free(got);

	/* A message without an id has an empty &MSGID, not an undefined. */
	plain = message_create("no id here", 10, NULL, NULL, NULL, 0);
	expect_sub(plain, "[&MSGID][&U]", "[][]", 0);
	expect_sub(plain, "[&SOURCE]", "[]", 1);
	message_free(plain);
	message_free(msg);
}
END_TEST

/* &SYSNAME without a system is this host's name. */
START_TEST(test_sysname_host)
{
	struct message	*msg;
	char		 host[256];

	ck_assert_int_eq(gethostname(host, sizeof host), 0);
	host[sizeof host - 1] = '\0';
	msg = message_create("x", 1, "U", NULL, NULL, 0);
	expect_sub(msg, "&SYSNAME", host, 0);
	message_free(msg);
}
END_TEST

START_TEST(test_parm)
{
	struct message		*msg;
	struct subst_ctx	 ctx;
	char			*got;

	msg = msg_make(SIGTEXT);
	ctx_init(&ctx, msg);
	ctx.parm = "&U said &3 (&R)";
	got = sub("<&P>", &ctx, false);
	ck_assert_str_eq(got, "<OPERATOR said BKRLNXD (BKRLNX02)>");
	ck_assert_uint_eq(ctx.undefined, 0);
	free(got);

	/* &P inside PARM is empty, and not counted. */
	ctx_init(&ctx, msg);
	ctx.parm = "x&{P}y&P z";
	got = sub("&P", &ctx, false);
	ck_assert_str_eq(got, "xy z");
	ck_assert_uint_eq(ctx.undefined, 0);
	free(got);

	/* Undefined names inside PARM are counted, each time. */
	ctx_init(&ctx, msg);
	ctx.parm = "&nosuch";
	got = sub("&P&P", &ctx, false);
	ck_assert_str_eq(got, "");
	ck_assert_uint_eq(ctx.undefined, 2);
	free(got);

	/* Quoted, PARM is one value: expanded, then quoted as a whole. */
	ctx_init(&ctx, msg);
	ctx.parm = "a b '&3'";
	got = sub("echo &P", &ctx, true);
	ck_assert_str_eq(got, "echo 'a b '\\''BKRLNXD'\\'''");
	free(got);

	/* No PARM: empty, not counted. */
	expect_sub(msg, "[&P]", "[]", 0);
	message_free(msg);
}
END_TEST

START_TEST(test_time_vars)
{
	struct message		*msg;
	struct subst_ctx	 ctx;
	char			*got, *want;

	msg = msg_make("x");
	expect_sub(msg, "&DATE &TIME", "2025-06-02 10:04:05", 0);
	expect_sub(msg, "&YEAR/&MONTH/&DAY &HOUR.&MINUTE.&SECOND",
	    "2025/06/02 10.04.05", 0);
	expect_sub(msg, "&date &Time &year", "2025-06-02 10:04:05 2025", 0);
	xasprintf(&want, "%lld", (long long)msg->time);
	expect_sub(msg, "&EPOCH", want, 0);
	free(want);

	/* Without a message: the context's time. */
	ctx_init(&ctx, NULL);
	got = sub("&DATE &TIME", &ctx, false);
	ck_assert_str_eq(got, "2030-01-02 03:04:05");
	ck_assert_uint_eq(ctx.undefined, 0);
	free(got);
	message_free(msg);
}
END_TEST

START_TEST(test_syntax)
{
	struct message	*msg;

	msg = msg_make("ONE TWO");
	expect_sub(msg, "&{T}x", "ONE TWOx", 0);
	expect_sub(msg, "&{1}st", "ONEst", 0);
	expect_sub(msg, "&{msgid}", "", 0);
	expect_sub(msg, "&Tx", "", 1);
	expect_sub(msg, "&&", "&", 0);
	expect_sub(msg, "&&T", "&T", 0);
	expect_sub(msg, "&&&T", "&ONE TWO", 0);
	expect_sub(msg, "&&&&", "&&", 0);
	expect_sub(msg, "a & b", "a & b", 0);
	expect_sub(msg, "end&", "end&", 0);
	expect_sub(msg, "&{}", "&{}", 0);
	expect_sub(msg, "&{T", "&{T", 0);
	expect_sub(msg, "&-x", "&-x", 0);
	expect_sub(msg, "&T-&1", "ONE TWO-ONE", 0);
	expect_sub(msg, "&nosuch", "", 1);
	expect_sub(msg, "&nosuch &{other} &T", "  ONE TWO", 2);
	message_free(msg);

	/* Without a message, message variables are undefined. */
	expect_sub(NULL, "[&T][&U][&MSGID][&SOURCE][&1]", "[][][][][]", 5);
	expect_sub(NULL, "[&C][&R][&0]", "[0][BKRLNX02][RULE]", 0);
}
END_TEST

struct namelist {
	struct strbuf	 sb;
};

static void
names_cb(const char *name, size_t len, void *arg)
{
	struct namelist	*nl = arg;

	if (nl->sb.len > 0)
		strbuf_addc(&nl->sb, ',');
	strbuf_addn(&nl->sb, name, len);
}

START_TEST(test_subst_names)
{
	struct namelist	 nl;
	char		*got;

	strbuf_init(&nl.sb);
	subst_names("echo &1 &T &{grp}x &&x &nosuch &123 & &{} end&",
	    names_cb, &nl);
	got = strbuf_steal(&nl.sb);
	ck_assert_str_eq(got, "1,T,grp,nosuch,12");
	free(got);

	ck_assert(subst_builtin("T", 1));
	ck_assert(subst_builtin("msgid", 5));
	ck_assert(subst_builtin("SysName", 7));
	ck_assert(subst_builtin("9", 1));
	ck_assert(subst_builtin("EPOCH", 5));
	ck_assert(!subst_builtin("nosuch", 6));
	ck_assert(!subst_builtin("Tx", 2));
	ck_assert(!subst_builtin("TIMEX", 4 + 1));
}
END_TEST

/* Named groups through a real match, in a plan made in the callback. */
struct group_run {
	const struct ruleset	*rs;
	const struct message	*msg;
	struct strbuf		 out;
	uint64_t		 undefined;
};

static void
group_cb(const struct match_hit *hit, void *arg)
{
	struct group_run	*gr = arg;
	struct subst_ctx	 ctx;
	struct plan		*p, *q;
	char			*s;

	ctx_init(&ctx, gr->msg);
	ctx.hit = hit;
	ctx.name = hit->rule->def.name;
	ctx.parm = hit->rule->parm;
	ctx.action = NULL;
	p = plan_action(gr->rs, hit->rule->action, hit->rule->env.env, &ctx);
	ck_assert_ptr_nonnull(p);
	for (q = p; q != NULL; q = q->next) {
		if (q->argv != NULL) {
			s = argv_string(q->argv);
			strbuf_adds(&gr->out, s);
			free(s);
		} else
			strbuf_addf(&gr->out, "{%s}", q->text);
		strbuf_addc(&gr->out, ';');
	}
	gr->undefined += ctx.undefined;
	plan_free(p);
}

static char *
group_plans(const char *rules, const char *text, uint64_t *undefined)
{
	struct group_run	 gr;
	struct ruleset		*rs;
	struct matcher		*m;
	struct message		*msg;

	rs = tu_load_ok(rules);
	msg = msg_make(text);
	strbuf_init(&gr.out);
	gr.rs = rs;
	gr.msg = msg;
	gr.undefined = 0;
	m = matcher_create(rs);
	matcher_run(m, msg, group_cb, &gr);
	matcher_free(m);
	message_free(msg);
	ruleset_free(rs);
	*undefined = gr.undefined;
	return strbuf_steal(&gr.out);
}

START_TEST(test_regex_groups)
{
	const char	*rules =
	    "DEFRULE NAME SIG REGEX '^(?<id>\\S+) User +(?<who>\\w+)"
	    "(?: has (?<what>\\w+))?' ACTION NOTE PARM 'who=&who'\n"
	    "DEFACTN NAME NOTE COMMAND 'notify &who &id &{who}x &P [&what]'"
	    " NEXTACTN MORE\n"
	    "DEFACTN NAME MORE EMIT 'VIGIL001I &id again &R'\n";
	uint64_t	 undefined;
	char		*got;

	got = group_plans(rules, SIGTEXT, &undefined);
	ck_assert_str_eq(got, "[notify][BKRLNXD][HCPSIG2113I][BKRLNXDx]"
	    "[who=BKRLNXD][[]];{VIGIL001I HCPSIG2113I again SIG};");
	ck_assert_uint_eq(undefined, 1);	/* &what did not take part */
	free(got);

	got = group_plans(rules, "X User Y has Z", &undefined);
	ck_assert_str_eq(got, "[notify][Y][X][Yx][who=Y][[Z]];"
	    "{VIGIL001I X again SIG};");
	ck_assert_uint_eq(undefined, 0);
	free(got);
}
END_TEST

/* --- EXEC plans: the argv is split before anything is substituted -------- */

START_TEST(test_exec_hostile)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	char			*text, *want;
	size_t			 i;

	rs = tu_load_ok(
	    "DEFACTN NAME ECHO COMMAND 'echo &T'\n"
	    "DEFACTN NAME LOG COMMAND '/bin/logger -t vigil \"&R: &T\"'\n"
	    "DEFACTN NAME WORDS COMMAND 'run &1 &2'\n");
	for (i = 0; i < NHOSTILE + 1; i++) {
		text = i < NHOSTILE ? hostile_text(i) : xstrdup("$(rm -rf /)");
		msg = msg_make(text);
		ck_assert_msg(strcmp(msg->text, text) == 0 && msg->len ==
		    strlen(text), "hostile text %zu changed by message_create",
		    i);

		p = plan_for(rs, "ECHO", NULL, msg, NULL, &ctx);
		ck_assert_int_eq(p->kind, PLAN_EXEC);
		ck_assert_ptr_null(p->next);
		ck_assert_msg(p->argv->n == 2, "text %zu: %zu words", i,
		    p->argv->n);
		ck_assert_str_eq(p->argv->v[0], "echo");
		ck_assert_msg(strcmp(p->argv->v[1], text) == 0, "text %zu",
		    i);
		ck_assert_ptr_null(p->argv->v[2]);
		ck_assert_uint_eq(ctx.undefined, 0);
		plan_free(p);

		p = plan_for(rs, "LOG", NULL, msg, NULL, &ctx);
		ck_assert_int_eq(p->kind, PLAN_EXEC);
		ck_assert_msg(p->argv->n == 4, "text %zu: %zu words", i,
		    p->argv->n);
		ck_assert_str_eq(p->argv->v[0], "/bin/logger");
		ck_assert_str_eq(p->argv->v[1], "-t");
		ck_assert_str_eq(p->argv->v[2], "vigil");
		xasprintf(&want, "BKRLNX02: %s", text);
		ck_assert_msg(strcmp(p->argv->v[3], want) == 0, "text %zu",
		    i);
		free(want);
		plan_free(p);

		p = plan_for(rs, "WORDS", NULL, msg, NULL, &ctx);
		ck_assert_msg(p->argv->n == 3, "text %zu: %zu words", i,
		    p->argv->n);
		plan_free(p);

		message_free(msg);
		free(text);
	}
	ruleset_free(rs);
}
END_TEST

/* A 64 KB word is kept whole, in &T and in &1. */
START_TEST(test_exec_bigword)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	char			*text;

	rs = tu_load_ok("DEFACTN NAME A COMMAND 'x &1 &2 &T'\n");
	text = hostile_text(nitems(hostile));
	ck_assert_uint_eq(strlen(text), BIGWORD);
	msg = msg_make(text);
	ck_assert_uint_eq(msg->len, BIGWORD);
	ck_assert_uint_eq(msg->flags & MSGF_TRUNCATED, 0);
	p = plan_for(rs, "A", NULL, msg, NULL, &ctx);
	ck_assert_uint_eq(p->argv->n, 4);
	ck_assert(strcmp(p->argv->v[1], text) == 0);
	ck_assert_str_eq(p->argv->v[2], "");
	ck_assert(strcmp(p->argv->v[3], text) == 0);
	plan_free(p);
	message_free(msg);
	free(text);
	ruleset_free(rs);
}
END_TEST

/* A NUL byte in a line became a blank; nothing is cut at it. */
START_TEST(test_exec_nul)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;

	rs = tu_load_ok("DEFACTN NAME A COMMAND 'x &T'\n");
	msg = message_create("a\0b; c", 6, "U", NULL, NULL, 0);
	ck_assert(msg->flags & MSGF_NUL);
	p = plan_for(rs, "A", NULL, msg, NULL, &ctx);
	ck_assert_uint_eq(p->argv->n, 2);
	ck_assert_str_eq(p->argv->v[1], "a b; c");
	plan_free(p);
	message_free(msg);
	ruleset_free(rs);
}
END_TEST

/* --- SHELL plans, run through /bin/sh ----------------------------------- */

/*
 * Plan an action of the rules for a text, run it, compare its output.
 * Returns NULL when all is well, else what went wrong (caller frees);
 * the directory is put back as it was either way.
 */
static char *
shell_try(const struct ruleset *rs, const char *action, const char *text,
    const char *want)
{
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	struct strbuf		 out;
	char			*state, *problem = NULL;
	int			 status;

	msg = msg_make(text);
	ck_assert_str_eq(msg->text, text);
	p = plan_for(rs, action, NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_SHELL);
	/* /bin/sh -c SCRIPT vigil VALUE...: values never in the script. */
	ck_assert_msg(p->argv->n >= 3, "%zu words", p->argv->n);
	ck_assert_str_eq(p->argv->v[0], "/bin/sh");
	ck_assert_str_eq(p->argv->v[1], "-c");
	strbuf_init(&out);
	status = run_argv(p->argv, &out);
	state = dir_state();
	if (state[0] != '\0')
		xasprintf(&problem, "injected a command:%s; the command was:"
		    " %.300s", state, p->argv->v[2]);
	else if (status != 0)
		xasprintf(&problem, "/bin/sh -c exited %d; the command was:"
		    " %.300s", status, p->argv->v[2]);
	else if (out.len != strlen(want) || memcmp(out.data != NULL ?
	    out.data : "", want, out.len) != 0)
		xasprintf(&problem, "printed %zu bytes '%.200s', want %zu"
		    " '%.200s'; the command was: %.300s", out.len,
		    out.data != NULL ? out.data : "", strlen(want), want,
		    p->argv->v[2]);
	if (state[0] != '\0') {
		dir_teardown();
		dir_setup();
	}
	free(state);
	strbuf_free(&out);
	plan_free(p);
	message_free(msg);
	return problem;
}

static void
shell_check(const struct ruleset *rs, const char *action, const char *text,
    size_t i, const char *want)
{
	char	*problem;

	problem = shell_try(rs, action, text, want);
	ck_assert_msg(problem == NULL, "text %zu: %s", i, problem);
}

START_TEST(test_shell_hostile)
{
	struct ruleset	*rs;
	char		*text;
	size_t		 i;

	rs = tu_load_ok("DEFACTN NAME SH COMMAND 'printf %s &T' ENV SHELL\n");
	for (i = 0; i < NHOSTILE; i++) {
		text = hostile_text(i);
		shell_check(rs, "SH", text, i, text);
		free(text);
	}
	ruleset_free(rs);
}
END_TEST

/* Every value is quoted, an empty one too: words stay words. */
START_TEST(test_shell_words)
{
	struct ruleset	*rs;

	rs = tu_load_ok(
	    "DEFACTN NAME W COMMAND 'printf ''[%s]'' &1 &2 &3 &9' ENV SHELL\n"
	    "DEFACTN NAME P COMMAND 'printf %s &P' ENV SHELL\n"
	    "DEFACTN NAME U COMMAND 'printf ''%s|'' &U &R &MSGID' ENV SHELL\n"
	    "DEFENV NAME QSH TYPE SHELL\n"
	    "DEFACTN NAME Q COMMAND 'printf %s &2' ENV QSH\n");
	shell_check(rs, "W", "a;b $(touch pwned) `touch x`", 0,
	    "[a;b][$(touch][pwned)][]");
	shell_check(rs, "W", "'a' \"b\" c'd", 1, "['a'][\"b\"][c'd][]");
	shell_check(rs, "U", "HCPSIG2113I x", 2,
	    "OPERATOR|BKRLNX02|HCPSIG2113I|");
	shell_check(rs, "Q", "one 'two;$(touch pwned)' three", 3,
	    "'two;$(touch");
	ruleset_free(rs);
}
END_TEST

/* &P in a SHELL command: expanded, then quoted as one value. */
START_TEST(test_shell_parm)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	struct strbuf		 out;
	char			*state;
	const char		*text = "x'; touch pwned; '$(touch pwned2)";

	rs = tu_load_ok("DEFACTN NAME P COMMAND 'printf %s &P' ENV SHELL\n");
	msg = msg_make(text);
	p = plan_for(rs, "P", NULL, msg, "[&T] by &U", &ctx);
	strbuf_init(&out);
	ck_assert_int_eq(run_argv(p->argv, &out), 0);
	ck_assert_ptr_nonnull(out.data);
	ck_assert_str_eq(out.data, "[x'; touch pwned; '$(touch pwned2)] by"
	    " OPERATOR");
	state = dir_state();
	ck_assert_str_eq(state, "");
	free(state);
	strbuf_free(&out);
	plan_free(p);
	message_free(msg);
	ruleset_free(rs);
}
END_TEST

/* --- environments -------------------------------------------------------- */

START_TEST(test_prefix)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	char			*s;

	rs = tu_load_ok(
	    "DEFENV NAME LVM PREFIX 'vmcp --'\n"
	    "DEFENV NAME WRAP PREFIX 'wrap &T &U \"a b\"'\n"
	    "DEFENV NAME NICE TYPE SHELL PREFIX 'nice -n 5'\n"
	    "DEFACTN NAME CP COMMAND 'CP MSG &U &T' ENV LVM\n"
	    "DEFACTN NAME W COMMAND 'cmd &1' ENV WRAP\n"
	    "DEFACTN NAME N COMMAND 'echo &1' ENV NICE\n"
	    "DEFACTN NAME PLAIN COMMAND 'echo &1'\n");
	msg = msg_make("HELLO; $(x) WORLD");

	p = plan_for(rs, "CP", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_EXEC);
	ck_assert_str_eq(p->env, "LVM");
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[vmcp][--][CP][MSG][OPERATOR]"
	    "[HELLO; $(x) WORLD]");
	free(s);
	plan_free(p);

	/* PREFIX words come first and are not substituted. */
	p = plan_for(rs, "W", NULL, msg, NULL, &ctx);
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[wrap][&T][&U][a b][cmd][HELLO;]");
	free(s);
	plan_free(p);

	p = plan_for(rs, "N", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_SHELL);
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[nice][-n][5][/bin/sh][-c][echo \"${1}\"][vigil][HELLO;]");
	free(s);
	plan_free(p);

	/* The default ENV is LVM, and so gets its PREFIX. */
	p = plan_for(rs, "PLAIN", NULL, msg, NULL, &ctx);
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[vmcp][--][echo][HELLO;]");
	free(s);
	plan_free(p);

	/* An override (a rule's ENV) wins over the action's. */
	p = plan_for(rs, "PLAIN", "SHELL", msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_SHELL);
	ck_assert_str_eq(p->env, "SHELL");
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[/bin/sh][-c][echo \"${1}\"][vigil][HELLO;]");
	free(s);
	plan_free(p);

	message_free(msg);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_plan_kinds)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p;
	char			*s;

	rs = tu_load_ok(
	    "DEFSRC NAME OPER TYPE STDIN\n"
	    "DEFENV NAME OPCON TYPE SOURCE SOURCE OPER\n"
	    "DEFENV NAME CTL TYPE VIGIL\n"
	    "DEFACTN NAME GOS COMMAND 'CP MSG &U \"&T\" &&' ENV GOS\n"
	    "DEFACTN NAME CON COMMAND 'CP XAUTOLOG &3' ENV OPCON\n"
	    "DEFACTN NAME GOM COMMAND 'SUSPEND RULE &R' ENV GOM\n"
	    "DEFACTN NAME VIG COMMAND 'RESUME RULE &R' ENV CTL\n"
	    "DEFACTN NAME SAY EMIT 'VIGIL001I guest &U is back: &T'\n"
	    "DEFACTN NAME HUSH INPUT 'CRE &1'\n"
	    "DEFACTN NAME DEL COMMAND 'x' DELAY 00:30\n"
	    "DEFACTN NAME EXE COMMAND 'x &2' ENV SVM\n");
	msg = msg_make("A B 'C\"");

	p = plan_for(rs, "GOS", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_CONSOLE);
	ck_assert_ptr_null(p->console);
	ck_assert_ptr_null(p->argv);
	ck_assert_str_eq(p->text, "CP MSG OPERATOR \"A B 'C\"\" &");
	ck_assert_str_eq(p->action, "GOS");
	ck_assert_str_eq(plan_kind_name(p->kind), "console");
	plan_free(p);

	p = plan_for(rs, "CON", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_CONSOLE);
	ck_assert_ptr_nonnull(p->console);
	ck_assert_str_eq(p->console, "OPER");
	ck_assert_str_eq(p->text, "CP XAUTOLOG 'C\"");
	plan_free(p);

	p = plan_for(rs, "GOM", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_VIGIL);
	ck_assert_str_eq(p->text, "SUSPEND RULE BKRLNX02");
	ck_assert_str_eq(plan_kind_name(p->kind), "vigil");
	plan_free(p);

	p = plan_for(rs, "VIG", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_VIGIL);
	ck_assert_str_eq(p->text, "RESUME RULE BKRLNX02");
	plan_free(p);

	p = plan_for(rs, "SAY", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_EMIT);
	ck_assert_str_eq(p->text, "VIGIL001I guest OPERATOR is back:"
	    " A B 'C\"");
	ck_assert_str_eq(plan_kind_name(p->kind), "emit");
	plan_free(p);

	p = plan_for(rs, "HUSH", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_INPUT);
	ck_assert_str_eq(p->text, "CRE A");
	ck_assert_str_eq(plan_kind_name(p->kind), "input");
	plan_free(p);

	p = plan_for(rs, "DEL", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_EXEC);
	ck_assert_uint_eq(p->delay, 30);
	plan_free(p);

	p = plan_for(rs, "EXE", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_EXEC);
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[x][B]");
	free(s);
	ck_assert_str_eq(plan_kind_name(p->kind), "exec");
	plan_free(p);

	p = plan_for(rs, "NULL", NULL, msg, NULL, &ctx);
	ck_assert_int_eq(p->kind, PLAN_NULL);
	ck_assert_ptr_null(p->next);
	ck_assert_str_eq(plan_kind_name(p->kind), "null");
	plan_free(p);

	ck_assert_ptr_null(plan_for(rs, "NOSUCH", NULL, msg, NULL, &ctx));
	ck_assert_str_eq(plan_kind_name(PLAN_SHELL), "shell");
	plan_free(NULL);
	message_free(msg);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_nextactn)
{
	struct ruleset		*rs;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct plan		*p, *q;
	char			*s;

	rs = tu_load_ok(
	    "DEFACTN NAME A1 COMMAND 'first &A &U &P' NEXTACTN A2\n"
	    "DEFACTN NAME A2 COMMAND 'second &A &1 &P' NEXTACTN A3"
	    " DELAY 00:05\n"
	    "DEFACTN NAME A3 EMIT 'third &A &R &P'\n");
	msg = msg_make("W1 W2");
	p = plan_for(rs, "A1", NULL, msg, "parm &2", &ctx);
	ck_assert_str_eq(p->action, "A1");
	s = argv_string(p->argv);
	ck_assert_str_eq(s, "[first][A1][OPERATOR][parm W2]");
	free(s);
	q = p->next;
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q->action, "A2");
	ck_assert_uint_eq(q->delay, 5);
	s = argv_string(q->argv);
	ck_assert_str_eq(s, "[second][A2][W1][parm W2]");
	free(s);
	q = q->next;
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->kind, PLAN_EMIT);
	ck_assert_str_eq(q->text, "third A3 BKRLNX02 parm W2");
	ck_assert_ptr_null(q->next);
	ck_assert_uint_eq(ctx.undefined, 0);
	plan_free(p);

	/* A chain starting in the middle. */
	p = plan_for(rs, "A2", NULL, msg, NULL, &ctx);
	ck_assert_str_eq(p->action, "A2");
	ck_assert_ptr_nonnull(p->next);
	ck_assert_ptr_null(p->next->next);
	plan_free(p);
	message_free(msg);
	ruleset_free(rs);
}
END_TEST

/* --- the load-time check of variable names ------------------------------- */

static void
expect_error_with(const char *rules, const char *needle)
{
	char	*errs = tu_load_fail(rules);

	ck_assert_msg(strstr(errs, needle) != NULL, "for:\n%s\ngot:\n%s\n"
	    "wanted a message with '%s'", rules, errs, needle);
	free(errs);
}

START_TEST(test_load_check)
{
	struct ruleset	*rs;

	expect_error_with("DEFACTN NAME A COMMAND 'echo &nosuch'\n"
	    "DEFRULE NAME R MATCH * ACTION A\n", "&nosuch");
	expect_error_with("DEFACTN NAME A COMMAND 'echo &nosuch'\n",
	    "&nosuch");
	/* A REGEX rule that triggers it has the group: it loads. */
	rs = tu_load_ok("DEFACTN NAME A COMMAND 'echo &nosuch'\n"
	    "DEFRULE NAME R REGEX '(?<nosuch>\\w+)' ACTION A\n");
	ruleset_free(rs);
	/* Through a NEXTACTN chain too. */
	rs = tu_load_ok("DEFRULE NAME R REGEX 'x(?<grp>\\w+)' ACTION A1\n"
	    "DEFACTN NAME A1 COMMAND 'echo 1' NEXTACTN A2\n"
	    "DEFACTN NAME A2 EMIT 'got &grp'\n");
	ruleset_free(rs);
	/* A group in a REGEX that triggers another action does not count. */
	expect_error_with("DEFRULE NAME R1 REGEX '(?<grp>\\w+)' ACTION B\n"
	    "DEFRULE NAME R2 MATCH * ACTION A\n"
	    "DEFACTN NAME A COMMAND 'echo &grp'\n"
	    "DEFACTN NAME B COMMAND 'echo &grp'\n", "&grp");
	/* Nor a MATCH rule. */
	expect_error_with("DEFRULE NAME R MATCH '*(?<grp>x)*' ACTION A\n"
	    "DEFACTN NAME A COMMAND 'echo &grp'\n", "&grp");
	/* PARM: only the rule's own REGEX counts. */
	expect_error_with("DEFRULE NAME R MATCH * ACTION NULL PARM '&grp'\n",
	    "&grp");
	rs = tu_load_ok("DEFRULE NAME R REGEX '(?<grp>.)' ACTION NULL"
	    " PARM '&grp'\n");
	ruleset_free(rs);
	/* EMIT is checked as well. */
	expect_error_with("DEFACTN NAME A EMIT 'x &nosuch'\n", "&nosuch");
	/* Built-in names, in any case, never are errors. */
	rs = tu_load_ok("DEFACTN NAME A COMMAND 'echo &T &msgid &Date &{1}"
	    " &99 &0 &sysname &JOBID &epoch &&nosuch'\n"
	    "DEFRULE NAME R MATCH * ACTION A\n");
	ruleset_free(rs);
}
END_TEST

/* --- bugs found and fixed: regressions --------------------------------- */

/*
 * BUG: ENV SHELL quotes each value with single quotes whatever the
 * surrounding shell syntax.  Inside double quotes in the COMMAND (the
 * natural 'logger "&R: &T"' form), a single quote is literal, so $(...)
 * and backticks in the message text run: "printf %s \"&T\"" with the text
 * $(touch pwned) creates the file.  Inside single quotes the value ends
 * the quoting.  Expected: the text is printed exactly, nothing runs.
 */
START_TEST(test_bug_shell_quote_context)
{
	static const char *const actions[] = { "DQ", "SQ" };
	struct ruleset	*rs;
	struct strbuf	 report;
	char		*text, *problem, msg[1200];
	size_t		 i, j, bad = 0, injected = 0;

	rs = tu_load_ok(
	    "DEFACTN NAME DQ COMMAND 'printf %s \"&T\"' ENV SHELL\n"
	    "DEFACTN NAME SQ COMMAND 'printf %s ''&T''' ENV SHELL\n");
	strbuf_init(&report);
	for (i = 0; i < nitems(hostile); i++) {
		text = hostile_text(i);
		for (j = 0; j < nitems(actions); j++) {
			problem = shell_try(rs, actions[j], text, text);
			if (problem == NULL)
				continue;
			bad++;
			/* Check's messages are short: injections, a few. */
			if (strncmp(problem, "injected", 8) == 0 &&
			    injected++ < 5)
				strbuf_addf(&report, "\n%s, text %zu: %.200s",
				    actions[j], i, problem);
			free(problem);
		}
		free(text);
	}
	ruleset_free(rs);
	/* Copied so that nothing leaks when the assertion fails. */
	snprintf(msg, sizeof msg, "%s", report.data != NULL ? report.data :
	    "");
	strbuf_free(&report);
	ck_assert_msg(bad == 0, "%zu of %zu runs went wrong, %zu ran an"
	    " injected command:%s", bad, nitems(hostile) * nitems(actions),
	    injected, msg);
}
END_TEST

static Suite *
subst_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("subst");

	tc = tcase_create("variables");
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_sysname_host);
	tcase_add_test(tc, test_parm);
	tcase_add_test(tc, test_time_vars);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_subst_names);
	tcase_add_test(tc, test_regex_groups);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_test(tc, test_exec_hostile);
	tcase_add_test(tc, test_exec_bigword);
	tcase_add_test(tc, test_exec_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("shell");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, test_shell_hostile);
	tcase_add_test(tc, test_shell_words);
	tcase_add_test(tc, test_shell_parm);
	suite_add_tcase(s, tc);

	tc = tcase_create("plans");
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_plan_kinds);
	tcase_add_test(tc, test_nextactn);
	tcase_add_test(tc, test_load_check);
	suite_add_tcase(s, tc);

	/* Bugs found and fixed, each explained at its test. */
	tc = tcase_create("regression");
	tcase_set_tags(tc, "regression");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, test_bug_shell_quote_context);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(subst_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
