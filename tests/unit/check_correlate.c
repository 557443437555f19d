/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_correlate.c - unit tests for actions/correlate.c: the correlation
 * windows of DEFRULE, built from rule text through the real parser.
 * SUPPRESS and its window edges; THRESHOLD (n within d fires, n spread
 * over d does not, the window restarts); CLEAR (by time passing and by a
 * match, raised state holding); EXPECT (found with its message, missed at
 * the deadline, another key, a second trigger keeping the first
 * deadline, CASE); each shape with two keys interleaved; deadline order
 * and corr_next_deadline; save and load (every kind, keys that need
 * escaping, a deadline passing during the downtime, rules gone or
 * changed, malformed records); reload (corr_retain, and corr_match given
 * a changed rule); callbacks that call back in; and 50,000 open windows
 * that cost a message one pattern test per rule concerned.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "tests/unit/testutil.h"

/* Every shape, keyed by user, plus an uncorrelated rule. */
static const char rules_text[] =
    "DEFACTN NAME A COMMAND x\n"
    "DEFACTN NAME FOUND COMMAND x\n"
    "DEFACTN NAME MISS COMMAND x\n"
    "DEFACTN NAME CLR COMMAND x\n"
    "DEFRULE NAME SUP MATCH *ERR* ACTION A KEY '&U' SUPPRESS 60s\n"
    "DEFRULE NAME THR MATCH *FAIL* ACTION A KEY '&U' THRESHOLD 3,60s\n"
    "DEFRULE NAME RAISE MATCH *LINK* ACTION A KEY '&U' THRESHOLD 3,60s"
    " CLEAR 2,100s,CLR\n"
    "DEFRULE NAME EXP MATCH *DOWN* ACTION A KEY '&U' EXPECT '*UP*'"
    " WITHIN 120s FOUNDACTN FOUND MISSACTN MISS\n"
    "DEFRULE NAME EXPANY MATCH *STOP* ACTION A KEY '&U' CASE ANY"
    " EXPECT '*started*' WITHIN 120s FOUNDACTN FOUND\n"
    "DEFRULE NAME ONE MATCH *ONE* ACTION A SUPPRESS 60s\n"
    "DEFRULE NAME PLAIN MATCH *X* ACTION A\n";

/* --- helpers ---------------------------------------------------------- */

struct ev {
	enum corr_kind		 kind;
	char			*rule;
	char			*key;
	char			*action;	/* NULL: none */
	const struct message	*msg;
	double			 when;
	double			 opened;
	uint64_t		 held;
};

struct evlog {
	struct ev	*v;
	size_t		 n, cap;
};

static void
on_event(const struct corr_event *e, void *arg)
{
	struct evlog	*log = arg;
	struct ev	*ev;

	if (log->n == log->cap) {
		log->cap = log->cap == 0 ? 16 : log->cap * 2;
		log->v = realloc(log->v, log->cap * sizeof *log->v);
		ck_assert_ptr_nonnull(log->v);
	}
	ev = &log->v[log->n++];
	ev->kind = e->kind;
	ev->rule = strdup(e->rule);
	ev->key = strdup(e->key);
	ev->action = e->action != NULL ? strdup(e->action) : NULL;
	ev->msg = e->msg;
	ev->when = e->when;
	ev->opened = e->opened;
	ev->held = e->held;
}

static void
evlog_clear(struct evlog *log)
{
	size_t	i;

	for (i = 0; i < log->n; i++) {
		free(log->v[i].rule);
		free(log->v[i].key);
		free(log->v[i].action);
	}
	log->n = 0;
}

static void
evlog_free(struct evlog *log)
{
	evlog_clear(log);
	free(log->v);
	log->v = NULL;
	log->cap = 0;
}

/* One event of the log, checked. */
static void
check_ev(const struct evlog *log, size_t i, enum corr_kind kind,
    const char *rule, const char *key, const char *action, double when)
{
	const struct ev	*e;

	ck_assert_msg(i < log->n, "event %zu of %zu", i, log->n);
	e = &log->v[i];
	ck_assert_int_eq(e->kind, kind);
	ck_assert_str_eq(e->rule, rule);
	ck_assert_str_eq(e->key, key);
	if (action == NULL)
		ck_assert_ptr_null(e->action);
	else {
		ck_assert_ptr_nonnull(e->action);
		ck_assert_str_eq(e->action, action);
	}
	ck_assert_msg(e->when == when, "event %zu at %.6f, not %.6f", i,
	    e->when, when);
}

static const struct rule *
rule_of(const struct ruleset *rs, const char *name)
{
	return (const struct rule *)tu_find(rs, DEF_RULE, name);
}

/* corr_rule_fn over a ruleset. */
static const struct rule *
rule_in(const char *name, void *arg)
{
	return (const struct rule *)ruleset_find(arg, DEF_RULE, name);
}

/* corr_key_fn: "&U" is the user, anything else itself. */
static void
key_user(const char *rule, const char *tmpl, const struct message *m,
    struct strbuf *out, void *arg)
{
	unsigned	*calls = arg;

	(void)rule;
	if (calls != NULL)
		(*calls)++;
	strbuf_adds(out, strcmp(tmpl, "&U") == 0 ? m->user : tmpl);
}

static struct message *
msg(const char *text, const char *user)
{
	return message_create(text, strlen(text), user, NULL, NULL, 0);
}

/* Offer a message made of text and user at now; the message is freed. */
static void
offer(struct corr *c, const char *text, const char *user, double now,
    struct evlog *log)
{
	struct message	*m = msg(text, user);

	corr_message(c, m, now, key_user, NULL, on_event, log);
	message_free(m);
}

static enum corr_verdict
match(struct corr *c, const struct ruleset *rs, const char *rule,
    const char *key, double now, uint64_t *sup, struct evlog *log)
{
	return corr_match(c, rule_of(rs, rule), key, now, sup, on_event,
	    log);
}

/* --- SUPPRESS --------------------------------------------------------- */

START_TEST(test_suppress_edges)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup = 99;

	ck_assert_int_eq(match(c, rs, "SUP", "A", 100, &sup, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(sup, 0);
	ck_assert_int_eq(match(c, rs, "SUP", "A", 130, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	/* d - epsilon after the firing: still held. */
	ck_assert_int_eq(match(c, rs, "SUP", "A", 160 - 1e-6, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(sup, 2);
	/* d after: fires, and the held count starts again. */
	ck_assert_int_eq(match(c, rs, "SUP", "A", 160, &sup, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(sup, 0);
	/* A held match does not extend the window: 219 held, 220 fires. */
	ck_assert_int_eq(match(c, rs, "SUP", "A", 219, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(match(c, rs, "SUP", "A", 220, &sup, &log),
	    CORR_FIRE);
	/* Expiry is silent: no event, no deadline to wake for. */
	ck_assert(isinf(corr_next_deadline(c)));
	ck_assert_uint_eq(corr_count(c), 1);
	corr_advance(c, 280, on_event, &log);
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert_uint_eq(log.n, 0);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_suppress_keys)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup;

	ck_assert_int_eq(match(c, rs, "SUP", "A", 0, &sup, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "SUP", "B", 10, &sup, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "SUP", "A", 20, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(match(c, rs, "SUP", "B", 30, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(match(c, rs, "SUP", "A", 40, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 2);
	/* A's window ends at 60, B's at 70. */
	ck_assert_int_eq(match(c, rs, "SUP", "A", 65, &sup, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "SUP", "B", 65, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 2);
	ck_assert_int_eq(match(c, rs, "SUP", "B", 70, &sup, &log), CORR_FIRE);
	ck_assert_uint_eq(corr_count(c), 2);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* Without KEY a rule has one state, whatever key the caller passes. */
START_TEST(test_no_key_one_state)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	ck_assert_int_eq(match(c, rs, "ONE", "A", 0, NULL, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "ONE", "B", 1, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "ONE", NULL, 2, NULL, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(corr_count(c), 1);
	/* A rule without correlation always fires and keeps nothing. */
	ck_assert_int_eq(match(c, rs, "PLAIN", "A", 3, NULL, &log),
	    CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "PLAIN", "A", 3, NULL, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(corr_count(c), 1);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* --- THRESHOLD -------------------------------------------------------- */

START_TEST(test_threshold_within)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup;

	ck_assert_int_eq(match(c, rs, "THR", "A", 0, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(match(c, rs, "THR", "A", 30, &sup, &log), CORR_HOLD);
	ck_assert_uint_eq(sup, 2);
	/* The third, less than 60 after the first: fires. */
	ck_assert_int_eq(match(c, rs, "THR", "A", 60 - 1e-6, &sup, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(sup, 0);
	/* The window restarted empty: three more are needed. */
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert_int_eq(match(c, rs, "THR", "A", 60, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 61, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 62, NULL, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(log.n, 0);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_threshold_spread)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	/* Three matches spread over exactly 60 seconds: not within. */
	ck_assert_int_eq(match(c, rs, "THR", "A", 0, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 30, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 60, NULL, &log), CORR_HOLD);
	/* The window slides: 30, 60 and 61 are within 60. */
	ck_assert_int_eq(match(c, rs, "THR", "A", 61, NULL, &log), CORR_FIRE);
	/* Every 40 seconds never makes three within 60. */
	ck_assert_int_eq(match(c, rs, "THR", "A", 100, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 140, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 180, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 220, NULL, &log),
	    CORR_HOLD);
	/* Its window is dropped when the last match is 60 old. */
	corr_advance(c, 279, on_event, &log);
	ck_assert_uint_eq(corr_count(c), 1);
	corr_advance(c, 280, on_event, &log);
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert_uint_eq(log.n, 0);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_threshold_keys)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	ck_assert_int_eq(match(c, rs, "THR", "A", 0, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "B", 1, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 2, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "B", 3, NULL, &log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "THR", "A", 4, NULL, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "THR", "B", 5, NULL, &log), CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "THR", "A", 6, NULL, &log), CORR_HOLD);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* --- CLEAR ------------------------------------------------------------ */

/* Raise RAISE for key at t, t+1, t+2 (fires at t+2). */
static void
raise_key(struct corr *c, const struct ruleset *rs, const char *key,
    double t, struct evlog *log)
{
	ck_assert_int_eq(match(c, rs, "RAISE", key, t, NULL, log), CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "RAISE", key, t + 1, NULL, log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "RAISE", key, t + 2, NULL, log),
	    CORR_FIRE);
}

START_TEST(test_clear_by_time)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup;
	int		 i;

	raise_key(c, rs, "A", 0, &log);
	/* Raised at 2: no clearing before 102, whatever the rate. */
	ck_assert(corr_next_deadline(c) == 102);
	/* Raised: a flood does not fire again. */
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(match(c, rs, "RAISE", "A", 10 + i, &sup,
		    &log), CORR_HOLD);
		ck_assert_uint_eq(sup, (uint64_t)i + 1);
	}
	/* The 2nd latest match is at 28: two within 100 until 128. */
	ck_assert(corr_next_deadline(c) == 128);
	ck_assert_int_eq(match(c, rs, "RAISE", "A", 50, &sup, &log),
	    CORR_HOLD);
	ck_assert(corr_next_deadline(c) == 129);
	corr_advance(c, 128.9, on_event, &log);
	ck_assert_uint_eq(log.n, 0);
	corr_advance(c, 129, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_CLEARED, "RAISE", "A", "CLR", 129);
	ck_assert_uint_eq(log.v[0].held, 21);
	ck_assert(log.v[0].opened == 2);
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert(isinf(corr_next_deadline(c)));
	/* Reset: a new threshold is needed to raise again. */
	raise_key(c, rs, "A", 200, &log);
	ck_assert_uint_eq(log.n, 1);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* A match after the clearing time clears it first, then counts anew. */
START_TEST(test_clear_by_match)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup;

	raise_key(c, rs, "A", 0, &log);
	ck_assert_int_eq(match(c, rs, "RAISE", "A", 150, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_CLEARED, "RAISE", "A", "CLR", 102);
	/* This match is the first of a new THRESHOLD window. */
	ck_assert_uint_eq(sup, 1);
	ck_assert_int_eq(match(c, rs, "RAISE", "A", 151, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs, "RAISE", "A", 152, NULL, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(log.n, 1);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_clear_keys)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	int		 i;

	raise_key(c, rs, "A", 0, &log);
	/* B's flood keeps B counting, not A raised. */
	for (i = 0; i < 100; i++)
		match(c, rs, "RAISE", "B", 50 + i, NULL, &log);
	ck_assert_int_eq(match(c, rs, "RAISE", "B", 150, NULL, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_CLEARED, "RAISE", "A", "CLR", 102);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* --- EXPECT ----------------------------------------------------------- */

START_TEST(test_expect_found)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct message	*m;

	ck_assert_int_eq(match(c, rs, "EXP", "LX1", 100, NULL, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(corr_count(c), 1);
	ck_assert(corr_next_deadline(c) == 220);
	offer(c, "LX1 is still DOWN", "LX1", 110, &log);
	ck_assert_uint_eq(log.n, 0);
	m = msg("LX1 is UP again", "LX1");
	corr_message(c, m, 150, key_user, NULL, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_FOUND, "EXP", "LX1", "FOUND", 150);
	ck_assert_ptr_eq(log.v[0].msg, m);
	ck_assert(log.v[0].opened == 100);
	message_free(m);
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert(isinf(corr_next_deadline(c)));
	corr_advance(c, 1000, on_event, &log);
	offer(c, "LX1 is UP again", "LX1", 1001, &log);
	ck_assert_uint_eq(log.n, 1);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_expect_missed)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	match(c, rs, "EXP", "LX1", 100, NULL, &log);
	offer(c, "LX1 is DOWN", "LX1", 219, &log);
	corr_advance(c, 220 - 1e-6, on_event, &log);
	ck_assert_uint_eq(log.n, 0);
	corr_advance(c, 220, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_MISSED, "EXP", "LX1", "MISS", 220);
	ck_assert_ptr_null(log.v[0].msg);
	ck_assert_uint_eq(corr_count(c), 0);
	corr_advance(c, 1000, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* The expected message at the deadline itself is too late. */
START_TEST(test_expect_at_deadline)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	match(c, rs, "EXP", "LX1", 100, NULL, &log);
	offer(c, "LX1 is UP", "LX1", 220, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_MISSED, "EXP", "LX1", "MISS", 220);
	/* Just before it, in time. */
	match(c, rs, "EXP", "LX1", 300, NULL, &log);
	offer(c, "LX1 is UP", "LX1", 420 - 1e-6, &log);
	ck_assert_uint_eq(log.n, 2);
	ck_assert_int_eq(log.v[1].kind, CORR_FOUND);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_expect_other_key)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	match(c, rs, "EXP", "LX1", 100, NULL, &log);
	match(c, rs, "EXP", "LX2", 101, NULL, &log);
	ck_assert_uint_eq(corr_count(c), 2);
	offer(c, "LX3 is UP", "LX3", 110, &log);
	ck_assert_uint_eq(log.n, 0);
	offer(c, "LX2 is UP", "LX2", 111, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_FOUND, "EXP", "LX2", "FOUND", 111);
	/* LX1 stays open, and is missed at its own deadline. */
	ck_assert_uint_eq(corr_count(c), 1);
	corr_advance(c, 300, on_event, &log);
	ck_assert_uint_eq(log.n, 2);
	check_ev(&log, 1, CORR_MISSED, "EXP", "LX1", "MISS", 220);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* A second trigger while open fires but keeps the first deadline. */
START_TEST(test_expect_second_trigger)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	ck_assert_int_eq(match(c, rs, "EXP", "LX1", 100, NULL, &log),
	    CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "EXP", "LX1", 200, NULL, &log),
	    CORR_FIRE);
	ck_assert_uint_eq(corr_count(c), 1);
	ck_assert(corr_next_deadline(c) == 220);
	corr_advance(c, 220, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_MISSED, "EXP", "LX1", "MISS", 220);
	ck_assert(log.v[0].opened == 100);
	/* Once closed, the next trigger opens a new one. */
	match(c, rs, "EXP", "LX1", 300, NULL, &log);
	ck_assert(corr_next_deadline(c) == 420);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* CASE applies to EXPECT; a rule without MISSACTN still reports. */
START_TEST(test_expect_case)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };

	match(c, rs, "EXPANY", "G", 0, NULL, &log);
	match(c, rs, "EXP", "G", 0, NULL, &log);
	offer(c, "G STARTED", "G", 1, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_FOUND, "EXPANY", "G", "FOUND", 1);
	/* EXP is CASE EXACT: "up" is not "UP". */
	offer(c, "G is up", "G", 2, &log);
	ck_assert_uint_eq(log.n, 1);
	match(c, rs, "EXPANY", "H", 10, NULL, &log);
	corr_advance(c, 200, on_event, &log);
	ck_assert_uint_eq(log.n, 3);
	check_ev(&log, 1, CORR_MISSED, "EXP", "G", "MISS", 120);
	check_ev(&log, 2, CORR_MISSED, "EXPANY", "H", NULL, 130);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* One message closes the expectations of several rules. */
START_TEST(test_expect_several_rules)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct corr_stats st;

	match(c, rs, "EXPANY", "G", 0, NULL, &log);
	match(c, rs, "EXP", "G", 0, NULL, &log);
	corr_stats(c, &st);
	ck_assert_uint_eq(st.expect_rules, 2);
	ck_assert_uint_eq(st.open, 2);
	offer(c, "G UP and started", "G", 1, &log);
	ck_assert_uint_eq(log.n, 2);
	corr_stats(c, &st);
	ck_assert_uint_eq(st.expect_rules, 0);
	ck_assert_uint_eq(st.open, 0);
	ck_assert_uint_eq(st.found, 2);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* --- time ------------------------------------------------------------- */

START_TEST(test_deadline_order)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	char		 key[32];
	size_t		 i, n = 2000;
	unsigned	 t;

	ck_assert(isinf(corr_next_deadline(c)));
	/*
	 * Opened in a scrambled order, two at each time, all before the
	 * first deadline (120) so none is reported while they open.
	 */
	for (i = 0; i < n; i++) {
		t = (unsigned)(i * 7919 % n) / 2;
		snprintf(key, sizeof key, "K%zu", i);
		match(c, rs, "EXP", key, t / 16.0, NULL, &log);
	}
	/* A CLEAR deadline among them: raised at 52, clears at 152. */
	raise_key(c, rs, "R", 50, &log);
	/* SUPPRESS windows never show in corr_next_deadline. */
	match(c, rs, "SUP", "S", 0, NULL, &log);
	ck_assert_uint_eq(log.n, 0);
	ck_assert(corr_next_deadline(c) == 120);
	corr_advance(c, 150, on_event, &log);
	ck_assert_uint_eq(log.n, 30 * 16 * 2 + 2);
	ck_assert(corr_next_deadline(c) == 150.0625);
	corr_advance(c, 1e9, on_event, &log);
	ck_assert_uint_eq(log.n, n + 1);
	for (i = 1; i < log.n; i++) {
		ck_assert_msg(log.v[i - 1].when <= log.v[i].when,
		    "event %zu at %f after one at %f", i, log.v[i].when,
		    log.v[i - 1].when);
		/* Equal deadlines come in the order they were set. */
		if (log.v[i - 1].when == log.v[i].when &&
		    log.v[i].kind == CORR_MISSED &&
		    log.v[i - 1].kind == CORR_MISSED)
			ck_assert_int_lt(atoi(log.v[i - 1].key + 1),
			    atoi(log.v[i].key + 1));
	}
	for (i = 0; i < log.n; i++)
		if (log.v[i].kind == CORR_CLEARED)
			break;
	ck_assert_uint_lt(i, log.n);
	ck_assert(log.v[i].when == 152);
	ck_assert_uint_eq(corr_count(c), 0);
	ck_assert(isinf(corr_next_deadline(c)));
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* A callback may call back in; the window reported is already gone. */
struct reenter {
	struct corr		*c;
	const struct ruleset	*rs;
	struct evlog		*log;
	size_t			 calls;
};

static void
on_event_reenter(const struct corr_event *e, void *arg)
{
	struct reenter	*re = arg;

	on_event(e, re->log);
	re->calls++;
	ck_assert_uint_eq(corr_count(re->c), re->calls - 1);
	/* Reopen the same key: a new expectation, later deadline. */
	corr_match(re->c, rule_of(re->rs, "EXP"), e->key, e->when, NULL,
	    on_event_reenter, re);
	corr_advance(re->c, e->when, on_event_reenter, re);
}

START_TEST(test_reentrant_callback)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct reenter	 re = { c, rs, &log, 0 };

	match(c, rs, "EXP", "A", 0, NULL, &log);
	match(c, rs, "EXP", "B", 0, NULL, &log);
	corr_advance(c, 120, on_event_reenter, &re);
	ck_assert_uint_eq(log.n, 2);
	ck_assert_uint_eq(corr_count(c), 2);
	ck_assert(corr_next_deadline(c) == 240);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* --- persistence ------------------------------------------------------ */

struct saved {
	struct strbuf	 all;
	size_t		 n;
	char		*ids[64];
};

static void
save_one(const char *id, const char *rec, size_t len, void *arg)
{
	struct saved	*sv = arg;
	size_t		 i;

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(rec[len - 1], '\n');
	ck_assert_ptr_null(memchr(rec, '\n', len - 1));
	ck_assert_uint_lt(sv->n, nitems(sv->ids));
	for (i = 0; i < sv->n; i++)
		ck_assert_str_ne(sv->ids[i], id);
	sv->ids[sv->n++] = strdup(id);
	strbuf_addn(&sv->all, rec, len);
}

static void
saved_free(struct saved *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->ids[i]);
	strbuf_free(&sv->all);
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of a save, sorted, as one string. */
static char *
sorted(const char *text)
{
	char		*copy = strdup(text), *p, *v[64];
	struct strbuf	 sb;
	size_t		 n = 0, i;

	for (p = strtok(copy, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		ck_assert_uint_lt(n, nitems(v));
		v[n++] = p;
	}
	qsort(v, n, sizeof *v, cmp_lines);
	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		strbuf_adds(&sb, v[i]);
		strbuf_addc(&sb, '\n');
	}
	free(copy);
	return strbuf_steal(&sb);
}

START_TEST(test_save_load)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct saved	 sv, sv2;
	struct corr_loaded ld;
	char		*cause = NULL, *a, *b;
	const char	*odd = "a b%c\xc3\xa9\t=";
	uint64_t	 sup;

	memset(&sv, 0, sizeof sv);
	memset(&sv2, 0, sizeof sv2);
	/* One window of every kind. */
	match(c, rs, "SUP", "S", 100, NULL, &log);
	match(c, rs, "SUP", "S", 110, NULL, &log);		/* held 1 */
	match(c, rs, "THR", "T", 100, NULL, &log);
	match(c, rs, "THR", "T", 101.25, NULL, &log);		/* 2 of 3 */
	raise_key(c, rs, "R", 100, &log);			/* at 102 */
	match(c, rs, "RAISE", "R", 150, NULL, &log);
	match(c, rs, "EXP", odd, 100, NULL, &log);		/* 220 */
	match(c, rs, "EXP", "", 105, NULL, &log);		/* 225 */
	match(c, rs, "EXP", "EARLY", 10, NULL, &log);		/* 130 */
	match(c, rs, "ONE", NULL, 100, NULL, &log);
	ck_assert_uint_eq(corr_count(c), 7);
	corr_save(c, save_one, &sv);
	ck_assert_uint_eq(sv.n, 7);
	corr_free(c);

	/* Restart at 140: EARLY's deadline passed during the downtime. */
	c = corr_create();
	ck_assert_int_eq(corr_load(c, sv.all.data, sv.all.len, rule_in, rs,
	    &ld, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(ld.restored, 7);
	ck_assert_uint_eq(ld.dropped, 0);
	ck_assert_uint_eq(ld.bad, 0);
	ck_assert_uint_eq(corr_count(c), 7);
	ck_assert(corr_next_deadline(c) == 130);

	/* Saving again gives the same records. */
	corr_save(c, save_one, &sv2);
	a = sorted(sv.all.data);
	b = sorted(sv2.all.data);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);

	/* Loading the same records again: the windows exist, they win. */
	ck_assert_int_eq(corr_load(c, sv.all.data, sv.all.len, rule_in, rs,
	    &ld, NULL), 0);
	ck_assert_uint_eq(ld.restored, 0);
	ck_assert_uint_eq(ld.dropped, 7);

	/* The first advance reports what fell due while down. */
	corr_advance(c, 140, on_event, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_MISSED, "EXP", "EARLY", "MISS", 130);
	/* Each window goes on where it was. */
	ck_assert_int_eq(match(c, rs, "SUP", "S", 159, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(sup, 2);
	ck_assert_int_eq(match(c, rs, "THR", "T", 155, NULL, &log),
	    CORR_FIRE);
	ck_assert_int_eq(match(c, rs, "ONE", NULL, 159, NULL, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(log.n, 1);
	offer(c, "is UP", odd, 210, &log);
	ck_assert_uint_eq(log.n, 3);
	/* Raised at 102, one match since (150): fewer than 2 at 202. */
	check_ev(&log, 1, CORR_CLEARED, "RAISE", "R", "CLR", 202);
	ck_assert_uint_eq(log.v[1].held, 1);
	check_ev(&log, 2, CORR_FOUND, "EXP", odd, "FOUND", 210);
	corr_advance(c, 1000, on_event, &log);
	ck_assert_uint_eq(log.n, 4);
	check_ev(&log, 3, CORR_MISSED, "EXP", "", "MISS", 225);
	ck_assert_uint_eq(corr_count(c), 0);

	corr_free(c);
	saved_free(&sv);
	saved_free(&sv2);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

/* Records of rules gone or changed are dropped; malformed ones skipped. */
START_TEST(test_load_drops)
{
	struct ruleset	*rs = tu_load_ok(rules_text), *rs2;
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct saved	 sv;
	struct corr_loaded ld;
	char		*cause = NULL;

	memset(&sv, 0, sizeof sv);
	match(c, rs, "SUP", "S", 100, NULL, &log);
	match(c, rs, "EXP", "E", 100, NULL, &log);
	match(c, rs, "THR", "T", 100, NULL, &log);
	corr_save(c, save_one, &sv);
	corr_free(c);
	/* SUP is gone, EXP waits longer, THR is the same. */
	rs2 = tu_load_ok(
	    "DEFACTN NAME A COMMAND x\n"
	    "DEFACTN NAME MISS COMMAND x\n"
	    "DEFRULE NAME THR MATCH *FAIL* ACTION A KEY '&U'"
	    " THRESHOLD 3,60s\n"
	    "DEFRULE NAME EXP MATCH *DOWN* ACTION A KEY '&U'"
	    " EXPECT '*UP*' WITHIN 300s MISSACTN MISS\n");
	strbuf_adds(&sv.all, "c1 S SUP =X 0123456789abcdef 1\n");
	strbuf_adds(&sv.all, "c2 S SUP =X 0123456789abcdef 1 0\n");
	strbuf_adds(&sv.all, "\n");
	c = corr_create();
	ck_assert_int_eq(corr_load(c, sv.all.data, sv.all.len, rule_in, rs2,
	    &ld, &cause), -1);
	ck_assert_uint_eq(ld.restored, 1);
	ck_assert_uint_eq(ld.dropped, 2);
	ck_assert_uint_eq(ld.bad, 2);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, "correlation record 4: bad SUPPRESS fields");
	free(cause);
	ck_assert_uint_eq(corr_count(c), 1);
	ck_assert_int_eq(match(c, rs2, "THR", "T", 101, NULL, &log),
	    CORR_HOLD);
	ck_assert_int_eq(match(c, rs2, "THR", "T", 102, NULL, &log),
	    CORR_FIRE);
	corr_free(c);
	saved_free(&sv);
	ruleset_free(rs);
	ruleset_free(rs2);
	evlog_free(&log);
}
END_TEST

/* --- reload ----------------------------------------------------------- */

START_TEST(test_retain)
{
	struct ruleset	*rs = tu_load_ok(rules_text), *rs2, *rs3;
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	uint64_t	 sup;

	match(c, rs, "SUP", "S1", 100, NULL, &log);
	match(c, rs, "SUP", "S2", 100, NULL, &log);
	match(c, rs, "EXP", "E1", 100, NULL, &log);
	match(c, rs, "EXP", "E2", 100, NULL, &log);
	match(c, rs, "THR", "T", 100, NULL, &log);
	raise_key(c, rs, "R", 100, &log);
	ck_assert_uint_eq(corr_count(c), 6);
	/*
	 * SUP removed, EXP with another MISSACTN (kept), THR with another
	 * count (dropped), RAISE unchanged (kept).
	 */
	rs2 = tu_load_ok(
	    "DEFACTN NAME A COMMAND x\n"
	    "DEFACTN NAME FOUND COMMAND x\n"
	    "DEFACTN NAME PAGE COMMAND x\n"
	    "DEFACTN NAME CLR COMMAND x\n"
	    "DEFRULE NAME THR MATCH *FAIL* ACTION A KEY '&U'"
	    " THRESHOLD 4,60s\n"
	    "DEFRULE NAME RAISE MATCH *LINK* ACTION A KEY '&U'"
	    " THRESHOLD 3,60s CLEAR 2,100s,CLR\n"
	    "DEFRULE NAME EXP MATCH *DOWN* ACTION A KEY '&U' EXPECT '*UP*'"
	    " WITHIN 120s FOUNDACTN FOUND MISSACTN PAGE\n");
	ck_assert_uint_eq(corr_retain(c, rule_in, rs2), 3);
	ruleset_free(rs);	/* nothing may point into it any more */
	ck_assert_uint_eq(corr_count(c), 3);
	offer(c, "E1 UP", "E1", 150, &log);
	ck_assert_uint_eq(log.n, 1);
	check_ev(&log, 0, CORR_FOUND, "EXP", "E1", "FOUND", 150);
	corr_advance(c, 1000, on_event, &log);
	ck_assert_uint_eq(log.n, 3);
	check_ev(&log, 1, CORR_CLEARED, "RAISE", "R", "CLR", 202);
	check_ev(&log, 2, CORR_MISSED, "EXP", "E2", "PAGE", 220);

	/* corr_match given a changed rule starts afresh, without retain. */
	match(c, rs2, "THR", "T", 2000, &sup, &log);
	match(c, rs2, "THR", "T", 2001, &sup, &log);
	ck_assert_uint_eq(sup, 2);
	rs3 = tu_load_ok(
	    "DEFACTN NAME A COMMAND x\n"
	    "DEFRULE NAME THR MATCH *FAIL* ACTION A KEY '&U'"
	    " THRESHOLD 3,90s\n");
	ck_assert_int_eq(match(c, rs3, "THR", "T", 2002, &sup, &log),
	    CORR_HOLD);
	ck_assert_uint_eq(sup, 1);
	ck_assert_uint_eq(corr_count(c), 1);
	/* Gone from the ruleset: retain drops it. */
	ck_assert_uint_eq(corr_retain(c, rule_in, rs3), 0);
	ck_assert_uint_eq(corr_retain(c, rule_in, rs2), 1);
	ck_assert_uint_eq(corr_count(c), 0);
	corr_free(c);
	ruleset_free(rs2);
	ruleset_free(rs3);
	evlog_free(&log);
}
END_TEST

/*
 * Which changes of an EXPECT rule drop its open windows on reload: every
 * operand that gives the state its meaning; not an action name.
 */
START_TEST(test_retain_operands)
{
	static const struct {
		const char	*rule;
		size_t		 dropped;
	} v[] = {
		{ "KEY '&U' EXPECT '*UP*' WITHIN 120s FOUNDACTN FOUND", 0 },
		{ "KEY '&U' EXPECT '*UP*' WITHIN 120s FOUNDACTN MISS", 0 },
		{ "KEY '&U' EXPECT '*UP*' WITHIN 120s MISSACTN FOUND", 0 },
		{ "KEY '&U-&2' EXPECT '*UP*' WITHIN 120s FOUNDACTN FOUND", 1 },
		{ "EXPECT '*UP*' WITHIN 120s FOUNDACTN FOUND", 1 },
		{ "KEY '&U' EXPECT '*RUNNING*' WITHIN 120s FOUNDACTN FOUND", 1 },
		{ "KEY '&U' EXPECT '*UP*' WITHIN 121s FOUNDACTN FOUND", 1 },
		{ "KEY '&U' EXPECT '*UP*' WITHIN 120s FOUNDACTN FOUND CASE ANY",
		  1 },
		{ "KEY '&U' SUPPRESS 120s", 1 },
		{ "", 1 },
	};
	static const char head[] =
	    "DEFACTN NAME A COMMAND x\n"
	    "DEFACTN NAME FOUND COMMAND x\n"
	    "DEFACTN NAME MISS COMMAND x\n"
	    "DEFRULE NAME EXP MATCH *DOWN* ACTION A ";
	struct ruleset	*rs, *rs2;
	struct corr	*c;
	struct evlog	 log = { 0 };
	char		 text[512];
	size_t		 i;

	for (i = 0; i < nitems(v); i++) {
		snprintf(text, sizeof text, "%s%s\n", head, v[0].rule);
		rs = tu_load_ok(text);
		snprintf(text, sizeof text, "%s%s\n", head, v[i].rule);
		rs2 = tu_load_ok(text);
		c = corr_create();
		match(c, rs, "EXP", "E", 0, NULL, &log);
		ck_assert_msg(corr_retain(c, rule_in, rs2) == v[i].dropped,
		    "%s: not %zu dropped", v[i].rule, v[i].dropped);
		ck_assert_uint_eq(corr_count(c), 1 - v[i].dropped);
		corr_free(c);
		ruleset_free(rs);
		ruleset_free(rs2);
	}
	evlog_free(&log);
}
END_TEST

/* --- cost ------------------------------------------------------------- */

/*
 * 50,000 open expectations over two rules and 10,000 SUPPRESS windows:
 * a message tries the two EXPECT patterns and nothing else; deadlines
 * come out in order.
 */
START_TEST(test_many_windows)
{
	struct ruleset	*rs = tu_load_ok(rules_text);
	struct corr	*c = corr_create();
	struct evlog	 log = { 0 };
	struct corr_stats before, after;
	struct message	*m;
	unsigned	 calls = 0;
	char		 key[32];
	size_t		 i;

	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof key, "G%zu", i);
		match(c, rs, i % 2 ? "EXP" : "EXPANY", key,
		    (double)(i % 100), NULL, &log);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "S%zu", i);
		match(c, rs, "SUP", key, 0, NULL, &log);
	}
	ck_assert_uint_eq(corr_count(c), 60000);
	corr_stats(c, &before);
	ck_assert_uint_eq(before.expect_rules, 2);
	ck_assert_uint_eq(before.open, 50000);

	/* 100,000 messages no rule expects. */
	m = msg("HCPSIG2113I User BKRLNXD has reported successful"
	    " termination", "OPERATOR");
	for (i = 0; i < 100000; i++)
		corr_message(c, m, 5, key_user, &calls, on_event, &log);
	message_free(m);
	corr_stats(c, &after);
	ck_assert_uint_eq(after.pattern_tests - before.pattern_tests,
	    100000 * 2);
	ck_assert_uint_eq(calls, 0);
	ck_assert_uint_eq(log.n, 0);

	/* Expected text, other key: one key expansion, nothing closed. */
	m = msg("NOBODY is UP", "NOBODY");
	for (i = 0; i < 1000; i++)
		corr_message(c, m, 6, key_user, &calls, on_event, &log);
	message_free(m);
	ck_assert_uint_eq(calls, 1000);
	ck_assert_uint_eq(log.n, 0);
	ck_assert_uint_eq(corr_count(c), 60000);

	/* Every deadline, in order. */
	corr_advance(c, 1e9, on_event, &log);
	ck_assert_uint_eq(log.n, 50000);
	for (i = 1; i < log.n; i++)
		ck_assert(log.v[i - 1].when <= log.v[i].when);
	ck_assert(log.v[0].when == 120);
	ck_assert(log.v[log.n - 1].when == 99 + 120);
	ck_assert_uint_eq(corr_count(c), 0);
	corr_stats(c, &after);
	ck_assert_uint_eq(after.expect_rules, 0);
	ck_assert_uint_eq(after.expired, 10000);

	/* With none open, a message tries no pattern at all. */
	m = msg("G1 is UP", "G1");
	corr_message(c, m, 2e9, key_user, &calls, on_event, &log);
	message_free(m);
	corr_stats(c, &before);
	ck_assert_uint_eq(before.pattern_tests, after.pattern_tests);
	corr_free(c);
	ruleset_free(rs);
	evlog_free(&log);
}
END_TEST

START_TEST(test_free_null)
{
	corr_free(NULL);
}
END_TEST

static Suite *
correlate_suite(void)
{
	Suite	*s = suite_create("correlate");
	TCase	*tc;

	tc = tcase_create("suppress");
	tcase_add_test(tc, test_suppress_edges);
	tcase_add_test(tc, test_suppress_keys);
	tcase_add_test(tc, test_no_key_one_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("threshold");
	tcase_add_test(tc, test_threshold_within);
	tcase_add_test(tc, test_threshold_spread);
	tcase_add_test(tc, test_threshold_keys);
	tcase_add_test(tc, test_clear_by_time);
	tcase_add_test(tc, test_clear_by_match);
	tcase_add_test(tc, test_clear_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("expect");
	tcase_add_test(tc, test_expect_found);
	tcase_add_test(tc, test_expect_missed);
	tcase_add_test(tc, test_expect_at_deadline);
	tcase_add_test(tc, test_expect_other_key);
	tcase_add_test(tc, test_expect_second_trigger);
	tcase_add_test(tc, test_expect_case);
	tcase_add_test(tc, test_expect_several_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, test_deadline_order);
	tcase_add_test(tc, test_reentrant_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_load_drops);
	tcase_add_test(tc, test_retain);
	tcase_add_test(tc, test_retain_operands);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("cost");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_many_windows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(correlate_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
