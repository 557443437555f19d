/* SPDX-License-Identifier: Apache-2.0 */
/*
 * correlate.c - the correlation windows of DEFRULE (SUPPRESS, THRESHOLD
 * with CLEAR, EXPECT with WITHIN, FOUNDACTN and MISSACTN), each kept per
 * (rule name, key).  It is pure: no I/O and no clock.  The caller passes
 * the time in (the daemon its clock, vigil replay the log's own time),
 * expands KEY, runs what it is told to run and stores what corr_save hands
 * it.  It does not match MATCH/REGEX, expand substitution variables, run
 * actions or log.
 *
 * Windows live outside the ruleset and keep copies of the operands they
 * need (a per-rule record, shared by that rule's windows), so a reload
 * may free the ruleset under them.  Deadlines that report something
 * (MISSACTN, CLEAR) sit in one binary heap, silent expiries in another:
 * O(log n) per deadline, and corr_next_deadline is the first heap's top.
 * Rules with open expectations are on a list; corr_message tries each such
 * rule's EXPECT pattern once and looks its key up in the window hash, so
 * windows of other rules, and their number, cost a message nothing.
 *
 * Decisions (vigil-rules(5) documents them):
 *
 * - State is per (rule name, key); the key is the caller's expansion of
 *   KEY.  Without KEY the rule has one state whatever key is passed.
 * - Windows are half-open.  A time t is within a duration d of now when
 *   now - t < d.  SUPPRESS d: fired at t, a match at t + d - e is held, at
 *   t + d it fires.  THRESHOLD n,d: n matches fire when the last comes
 *   less than d after the first.  EXPECT: the expected message must come
 *   before opened + WITHIN; at the deadline itself it is missed.  CLEAR
 *   c,d: a match d old no longer counts.
 * - Every call that takes a time first does what corr_advance would at
 *   that time, so a deadline is always reported before a message at or
 *   after it is looked at: a message at the EXPECT deadline is too late,
 *   and a match at or after the CLEAR deadline starts a new THRESHOLD.
 *   Equal deadlines are reported in the order the windows got them.
 * - SUPPRESS: a held match does not extend the window, so a steady
 *   stream fires once every d.  *suppressed receives the matches held in
 *   the current window, this one included; 0 when the rule fires (as for
 *   LIMIT).
 * - THRESHOLD without CLEAR: a sliding window over the last n match
 *   times; after firing, the state is dropped, so the next n matches
 *   within d fire again.  *suppressed counts the matches held since the
 *   window began (it begins again when every match in it is d old).
 * - THRESHOLD with CLEAR c,d2,action: firing raises (rule,key); while
 *   raised, matches are held (and counted in *suppressed).  It clears at
 *   the first time T, no earlier than d2 after the raise, at which fewer
 *   than c matches arrived in (T - d2, T], counting only matches since the
 *   raise.  That is SEC's SingleWith2Thresholds, whose second window
 *   starts when the first threshold fires (CLEAR c is its thresh2 c - 1),
 *   and it keeps a CLEAR count above the THRESHOLD count meaningful.  The
 *   time is computed exactly (the c-th latest match since the raise, or
 *   the raise, plus d2) and moved by each match: a deadline in the heap,
 *   not a poll.  On clearing, CLEARED is reported with CLEAR's action and
 *   the state is dropped.
 * - EXPECT: the rule fires on every match (its ACTION runs as usual).
 *   The first match opens an expectation for (rule,key) with deadline
 *   now + WITHIN; a match while it is open fires but neither restarts nor
 *   reopens it (SEC's PairWithWindow keeps the first).  The expected
 *   message is any message, from any source or user (the rule's filters
 *   are not applied: the key ties the two), whose whole text matches the
 *   EXPECT wildcard with the rule's CASE (wild_match, as MATCH without
 *   MCOL) and whose key, the rule's KEY expanded for that message, is the
 *   expectation's key.  It closes the expectation: FOUND, with that
 *   message.  One message may close expectations of several rules.  Offer
 *   a message to corr_message before its own corr_match calls, so that a
 *   message never closes the expectation it opens.
 * - FOUND, MISSED and CLEARED are reported even when the rule names no
 *   action for them (action NULL), so the caller can log them.
 * - Windows that can no longer do anything are dropped silently: SUPPRESS
 *   d after its firing, a THRESHOLD window when its latest match is d
 *   old.  These expiries are not in corr_next_deadline (no timer wakes
 *   for them); any call that takes a time reaps them.
 * - Reload: corr_retain asks the caller for each rule name's new
 *   definition; none drops the rule's windows.  They are dropped too when
 *   the operands that define their state changed: KEY, which shape,
 *   SUPPRESS, THRESHOLD, CLEAR's count and interval, EXPECT, WITHIN, and
 *   CASE for EXPECT.  Changed action names (FOUNDACTN, MISSACTN, CLEAR's
 *   action) are taken over and the windows kept.  Dropped windows report
 *   nothing (a removed rule raises no MISSACTN); corr_retain returns their
 *   number.  corr_match makes the same comparison, so a caller that
 *   forgot corr_retain gets a fresh state, never a misread one.
 * - Times should not go backwards; if they do nothing breaks, but a window
 *   sees the durations as given.
 * - Callbacks: a window is taken out of every structure before its event
 *   is reported, and freed after the callback returns, so a callback may
 *   call any corr_ function but corr_free.  A corr_key_fn must call none.
 *
 * Persistence: corr_save hands one record per (rule,key) to the caller's
 * writer, with an id unique among them ("RULE =KEY") for a key-value store;
 * corr_load reads any number of records, one per line.  A record is one
 * line of blank-separated words:
 *
 *	c1 KIND RULE =KEY SIG FIELDS...
 *
 * c1 is the format's version.  RULE is the rule name; KEY the key after
 * '=', every byte outside '!'..'~' and every '%' written as %XX (upper
 * case hex), so "=" is the empty key.  SIG is 16 hex digits, a hash of
 * the operands that define the state (as listed above): a record whose
 * rule changed while the daemon was down is dropped.  Times are integer
 * microseconds (of the caller's clock: epoch for the daemon), counts
 * decimal.  By KIND:
 *
 *	S  fired held			SUPPRESS: last firing, matches held
 *	T  held n t1 .. tn		THRESHOLD counting: match times
 *	R  held raised n t1 .. tn	raised: matches since the raise
 *	E  opened deadline		EXPECT open
 *
 * Loading keeps past deadlines: the first corr_advance reports them, so
 * an absence alarm that fell due while the daemon was down is not lost.
 * A record whose (rule,key) already has a window is dropped: the live
 * window wins.  A malformed record is skipped, the others are restored.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "rules/rules.h"

#define CORR_VERSION	"c1"

enum shape { SH_NONE, SH_SUPPRESS, SH_THRESHOLD, SH_EXPECT };

/* The correlation operands of a rule: borrowed, or owned in a crec. */
struct ops {
	enum shape	 shape;
	const char	*key;		/* KEY template, NULL: one state */
	uint32_t	 dur;		/* SUPPRESS, THRESHOLD or WITHIN, s */
	uint32_t	 count;		/* THRESHOLD count */
	uint32_t	 ccount;	/* CLEAR count, 0: no CLEAR */
	uint32_t	 cdur;		/* CLEAR interval, s */
	const char	*expect;	/* EXPECT wildcard */
	bool		 caseless;	/* CASE ANY, EXPECT only */
	const char	*caction;	/* CLEAR's action */
	const char	*foundactn;
	const char	*missactn;
};

/*
 * One rule's copy of its operands, shared by its windows.  Never changed
 * once made: a reload that changes an action name makes a new record and
 * moves the windows, so an event being reported keeps its strings.
 */
struct crec {
	char		*name;
	struct ops	 ops;		/* strings owned */
	unsigned	 refs;		/* windows, plus one while in the table */
	size_t		 nopen;		/* open expectations */
	bool		 listed;	/* on the expecting list */
	struct crec	*xprev, *xnext;	/* the expecting list */
	struct crec	*next;		/* name table chain */
	bool		 drop;		/* sweep: drop my windows */
	struct crec	*repl;		/* sweep: move them to this one */
};

/* Times, oldest first, at most a given number (the newest kept). */
struct ring {
	double		*t;
	uint32_t	 head, n, cap;
};

enum wkind { W_SUPPRESS, W_COUNT, W_RAISED, W_EXPECT };

struct heap {
	struct win	**v;
	size_t		  n, cap;
};

struct win {
	struct crec	*rec;
	char		*key;
	uint64_t	 hash;
	enum wkind	 kind;
	double		 t0;		/* fired, raised or opened */
	double		 deadline;
	uint64_t	 seq;		/* orders equal deadlines */
	struct heap	*heap;		/* the heap it is in, or NULL */
	size_t		 hidx;
	uint64_t	 held;
	struct ring	 ring;		/* COUNT, RAISED */
	struct win	*next;		/* hash chain, then the pending list */
};

struct corr {
	struct crec	**rslot;	/* records by name */
	size_t		  nrslots;	/* a power of two */
	size_t		  nrecs;
	struct win	**wslot;	/* windows by (rule, key) */
	size_t		  nwslots;	/* a power of two */
	size_t		  nwins;
	struct heap	  due;		/* MISSACTN and CLEAR deadlines */
	struct heap	  gc;		/* silent expiries */
	struct crec	 *expecting;	/* records with open expectations */
	size_t		  nexpecting;
	size_t		  nopen;
	uint64_t	  seq;
	unsigned	  depth;	/* callbacks running */
	struct strbuf	  keybuf;
	struct corr_stats st;
};

/* --- hashing ---------------------------------------------------------- */

static uint64_t
fnv_str(uint64_t h, const char *s)
{
	static const unsigned char none = 0xff;

	return s == NULL ? fnv1a(h, &none, 1) : fnv1a(h, s, strlen(s) + 1);
}

static uint64_t
fnv_u32(uint64_t h, uint32_t v)
{
	unsigned char	b[4];

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	return fnv1a(h, b, 4);
}

static uint64_t
win_hash(const char *rule, const char *key)
{
	return fnv_str(fnv_str(FNV1A_BASIS, rule), key);
}

/* --- operands --------------------------------------------------------- */

static void
ops_of(const struct rule *r, struct ops *o)
{
	memset(o, 0, sizeof *o);
	if (r->expect != NULL) {
		o->shape = SH_EXPECT;
		o->dur = r->within;
		o->expect = r->expect;
		o->caseless = r->caseless != 0;
		o->foundactn = r->foundactn;
		o->missactn = r->missactn;
	} else if (r->threshold.count != 0) {
		o->shape = SH_THRESHOLD;
		o->count = r->threshold.count;
		o->dur = r->threshold.interval;
		if (r->clear.count != 0) {
			o->ccount = r->clear.count;
			o->cdur = r->clear.interval;
			o->caction = r->clear.action;
		}
	} else if (r->suppress != 0) {
		o->shape = SH_SUPPRESS;
		o->dur = r->suppress;
	} else
		return;
	o->key = r->key;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The operands that give a window's state its meaning, hashed. */
static uint64_t
ops_sig(const struct ops *o)
{
	uint64_t	h = FNV1A_BASIS;

	h = fnv_u32(h, o->shape);
	h = fnv_str(h, o->key);
	h = fnv_u32(h, o->dur);
	h = fnv_u32(h, o->count);
	h = fnv_u32(h, o->ccount);
	h = fnv_u32(h, o->cdur);
	h = fnv_str(h, o->expect);
	return fnv_u32(h, o->caseless);
}

static bool
ops_same_state(const struct ops *a, const struct ops *b)
{
	return a->shape == b->shape && str_eq(a->key, b->key) &&
	    a->dur == b->dur && a->count == b->count &&
	    a->ccount == b->ccount && a->cdur == b->cdur &&
	    str_eq(a->expect, b->expect) && a->caseless == b->caseless;
}

static bool
ops_same_actions(const struct ops *a, const struct ops *b)
{
	return str_eq(a->caction, b->caction) &&
	    str_eq(a->foundactn, b->foundactn) &&
	    str_eq(a->missactn, b->missactn);
}

static const char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* --- rule records ----------------------------------------------------- */

static struct crec *
rec_find(const struct corr *c, const char *name)
{
	struct crec	*rec;

	rec = c->rslot[fnv_str(FNV1A_BASIS, name) & (c->nrslots - 1)];
	for (; rec != NULL; rec = rec->next)
		if (strcmp(rec->name, name) == 0)
			return rec;
	return NULL;
}

static void
rec_unref(struct crec *rec)
{
	if (--rec->refs > 0)
		return;
	free(rec->name);
	free((char *)rec->ops.key);
	free((char *)rec->ops.expect);
	free((char *)rec->ops.caction);
	free((char *)rec->ops.foundactn);
	free((char *)rec->ops.missactn);
	free(rec);
}

static void
rec_grow(struct corr *c)
{
	struct crec	**old = c->rslot, *rec, *next;
	size_t		  i, n = c->nrslots, j;

	c->nrslots *= 2;
	c->rslot = xcalloc(c->nrslots, sizeof *c->rslot);
	for (i = 0; i < n; i++)
		for (rec = old[i]; rec != NULL; rec = next) {
			next = rec->next;
			j = fnv_str(FNV1A_BASIS, rec->name) & (c->nrslots - 1);
			rec->next = c->rslot[j];
			c->rslot[j] = rec;
		}
	free(old);
}

/* A new record, in the table (which holds one reference). */
static struct crec *
rec_new(struct corr *c, const char *name, const struct ops *o)
{
	struct crec	*rec = xcalloc(1, sizeof *rec);
	size_t		 i;

	rec->name = xstrdup(name);
	rec->ops = *o;
	rec->ops.key = dup_or_null(o->key);
	rec->ops.expect = dup_or_null(o->expect);
	rec->ops.caction = dup_or_null(o->caction);
	rec->ops.foundactn = dup_or_null(o->foundactn);
	rec->ops.missactn = dup_or_null(o->missactn);
	rec->refs = 1;
	if (c->nrecs >= c->nrslots)
		rec_grow(c);
	i = fnv_str(FNV1A_BASIS, name) & (c->nrslots - 1);
	rec->next = c->rslot[i];
	c->rslot[i] = rec;
	c->nrecs++;
	return rec;
}

/* Take a record out of the table; its windows may still hold it. */
static void
rec_remove(struct corr *c, struct crec *rec)
{
	struct crec	**pp;

	pp = &c->rslot[fnv_str(FNV1A_BASIS, rec->name) & (c->nrslots - 1)];
	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rec) {
			*pp = rec->next;
			c->nrecs--;
			rec_unref(rec);
			return;
		}
	fatalx("%s: rule %s not in the table", __func__, rec->name);
}

static void
xlist_add(struct corr *c, struct crec *rec)
{
	if (rec->listed)
		return;
	rec->listed = true;
	rec->xprev = NULL;
	rec->xnext = c->expecting;
	if (c->expecting != NULL)
		c->expecting->xprev = rec;
	c->expecting = rec;
	c->nexpecting++;
}

static void
xlist_del(struct corr *c, struct crec *rec)
{
	if (!rec->listed)
		return;
	rec->listed = false;
	if (rec->xprev != NULL)
		rec->xprev->xnext = rec->xnext;
	else
		c->expecting = rec->xnext;
	if (rec->xnext != NULL)
		rec->xnext->xprev = rec->xprev;
	rec->xprev = rec->xnext = NULL;
	c->nexpecting--;
}

/* --- rings of times --------------------------------------------------- */

static double
ring_at(const struct ring *r, uint32_t i)
{
	return r->t[(r->head + i) % r->cap];
}

static void
ring_shift(struct ring *r)
{
	r->head = (r->head + 1) % r->cap;
	r->n--;
}

/* Append t, dropping the oldest beyond max; grows up to max only. */
static void
ring_push(struct ring *r, double t, uint32_t max)
{
	double		*v;
	uint32_t	 cap, i;

	if (r->n == max)
		ring_shift(r);
	if (r->n == r->cap) {
		cap = r->cap == 0 ? 4 : r->cap * 2;
		if (cap > max)
			cap = max;
		v = xreallocarray(NULL, cap, sizeof *v);
		for (i = 0; i < r->n; i++)
			v[i] = ring_at(r, i);
		free(r->t);
		r->t = v;
		r->cap = cap;
		r->head = 0;
	}
	r->t[(r->head + r->n) % r->cap] = t;
	r->n++;
}

/* --- heaps ------------------------------------------------------------ */

static bool
before(const struct win *a, const struct win *b)
{
	return a->deadline < b->deadline ||
	    (a->deadline == b->deadline && a->seq < b->seq);
}

static void
heap_place(struct heap *h, size_t i, struct win *w)
{
	h->v[i] = w;
	w->hidx = i;
}

static void
heap_up(struct heap *h, size_t i)
{
	struct win	*w = h->v[i];
	size_t		 p;

	while (i > 0 && before(w, h->v[p = (i - 1) / 2])) {
		heap_place(h, i, h->v[p]);
		i = p;
	}
	heap_place(h, i, w);
}

static void
heap_down(struct heap *h, size_t i)
{
	struct win	*w = h->v[i];
	size_t		 k;

	while ((k = 2 * i + 1) < h->n) {
		if (k + 1 < h->n && before(h->v[k + 1], h->v[k]))
			k++;
		if (!before(h->v[k], w))
			break;
		heap_place(h, i, h->v[k]);
		i = k;
	}
	heap_place(h, i, w);
}

static void
heap_remove(struct win *w)
{
	struct heap	*h = w->heap;
	struct win	*last;
	size_t		 i = w->hidx;

	if (h == NULL)
		return;
	w->heap = NULL;
	if (i != --h->n) {
		last = h->v[h->n];
		heap_place(h, i, last);
		heap_up(h, i);
		if (last->hidx == i)
			heap_down(h, i);
	}
}

/* Put w in heap h with a new deadline (a later one orders after ties). */
static void
heap_set(struct corr *c, struct heap *h, struct win *w, double deadline)
{
	heap_remove(w);
	w->deadline = deadline;
	w->seq = c->seq++;
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 64 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	w->heap = h;
	heap_place(h, h->n++, w);
	heap_up(h, w->hidx);
}

/* --- windows ---------------------------------------------------------- */

static struct win *
win_find(const struct corr *c, const char *rule, const char *key)
{
	uint64_t	 h = win_hash(rule, key);
	struct win	*w;

	for (w = c->wslot[h & (c->nwslots - 1)]; w != NULL; w = w->next)
		if (w->hash == h && strcmp(w->key, key) == 0 &&
		    strcmp(w->rec->name, rule) == 0)
			return w;
	return NULL;
}

static void
win_grow(struct corr *c)
{
	struct win	**old = c->wslot, *w, *next;
	size_t		  i, n = c->nwslots;

	c->nwslots *= 2;
	c->wslot = xcalloc(c->nwslots, sizeof *c->wslot);
	for (i = 0; i < n; i++)
		for (w = old[i]; w != NULL; w = next) {
			next = w->next;
			w->next = c->wslot[w->hash & (c->nwslots - 1)];
			c->wslot[w->hash & (c->nwslots - 1)] = w;
		}
	free(old);
}

static struct win *
win_new(struct corr *c, struct crec *rec, const char *key, enum wkind kind)
{
	struct win	*w = xcalloc(1, sizeof *w);
	size_t		 i;

	w->rec = rec;
	rec->refs++;
	w->key = xstrdup(key);
	w->hash = win_hash(rec->name, key);
	w->kind = kind;
	if (c->nwins >= c->nwslots)
		win_grow(c);
	i = w->hash & (c->nwslots - 1);
	w->next = c->wslot[i];
	c->wslot[i] = w;
	c->nwins++;
	if (kind == W_EXPECT) {
		rec->nopen++;
		c->nopen++;
		xlist_add(c, rec);
	}
	return w;
}

/* Take a window out of the hash, its heap and the expecting counts. */
static void
win_unlink(struct corr *c, struct win *w)
{
	struct win	**pp = &c->wslot[w->hash & (c->nwslots - 1)];

	for (; *pp != w; pp = &(*pp)->next)
		if (*pp == NULL)
			fatalx("%s: window not in the table", __func__);
	*pp = w->next;
	w->next = NULL;
	c->nwins--;
	heap_remove(w);
	if (w->kind == W_EXPECT) {
		c->nopen--;
		if (--w->rec->nopen == 0)
			xlist_del(c, w->rec);
	}
}

static void
win_free(struct win *w)
{
	rec_unref(w->rec);
	free(w->key);
	free(w->ring.t);
	free(w);
}

static void
win_drop(struct corr *c, struct win *w)
{
	win_unlink(c, w);
	win_free(w);
}

/*
 * Apply the marks of a reload to every window: drop those of records
 * marked drop, move those of records with a replacement.  One pass over
 * the windows whatever the number of records marked.
 */
static size_t
sweep(struct corr *c)
{
	struct win	*w, *next;
	struct crec	*old;
	size_t		 i, dropped = 0;

	for (i = 0; i < c->nwslots; i++)
		for (w = c->wslot[i]; w != NULL; w = next) {
			next = w->next;
			old = w->rec;
			if (old->drop) {
				win_drop(c, w);
				dropped++;
			} else if (old->repl != NULL) {
				w->rec = old->repl;
				w->rec->refs++;
				if (w->kind == W_EXPECT) {
					old->repl->nopen++;
					old->nopen--;
					xlist_add(c, old->repl);
					if (old->nopen == 0)
						xlist_del(c, old);
				}
				rec_unref(old);
			}
		}
	return dropped;
}

/*
 * Bring the record of a rule name in line with its definition r (NULL or
 * without correlation: gone), marking it for sweep.  Returns the record
 * to use from now on, or NULL.
 */
static struct crec *
rec_update(struct corr *c, struct crec *rec, const char *name,
    const struct rule *r, bool *marked)
{
	struct ops	 o;

	if (r != NULL)
		ops_of(r, &o);
	if (r == NULL || o.shape == SH_NONE) {
		if (rec != NULL) {
			rec->drop = true;
			*marked = true;
		}
		return NULL;
	}
	if (rec == NULL)
		return rec_new(c, name, &o);
	if (!ops_same_state(&rec->ops, &o)) {
		rec->drop = true;
		*marked = true;
		return rec_new(c, name, &o);
	}
	if (!ops_same_actions(&rec->ops, &o)) {
		rec->repl = rec_new(c, name, &o);
		*marked = true;
		return rec->repl;
	}
	return rec;
}

/* The record for a rule, made or brought up to date. */
static struct crec *
rec_for(struct corr *c, const struct rule *r)
{
	struct crec	*rec, *now;
	bool		 marked = false;

	rec = rec_find(c, r->def.name);
	if (rec != NULL)
		rec->refs++;		/* survive rec_remove until the sweep */
	now = rec_update(c, rec, r->def.name, r, &marked);
	if (marked) {
		rec_remove(c, rec);
		sweep(c);
	}
	if (rec != NULL)
		rec_unref(rec);
	return now;
}

/* --- reporting -------------------------------------------------------- */

static void
pending_add(struct win ***tail, struct win *w)
{
	w->next = NULL;
	**tail = w;
	*tail = &w->next;
}

/* Report the detached windows of a list in order, then free them. */
static void
report(struct corr *c, struct win *list, const struct message *msg,
    double now, corr_event_cb cb, void *arg)
{
	struct corr_event	 ev;
	struct win		*w, *next;
	const struct ops	*o;

	c->depth++;
	for (w = list; w != NULL; w = next) {
		next = w->next;
		o = &w->rec->ops;
		memset(&ev, 0, sizeof ev);
		ev.rule = w->rec->name;
		ev.key = w->key;
		ev.opened = w->t0;
		ev.held = w->held;
		if (msg != NULL) {
			ev.kind = CORR_FOUND;
			ev.action = o->foundactn;
			ev.msg = msg;
			ev.when = now;
			c->st.found++;
		} else if (w->kind == W_EXPECT) {
			ev.kind = CORR_MISSED;
			ev.action = o->missactn;
			ev.when = w->deadline;
			c->st.missed++;
		} else {
			ev.kind = CORR_CLEARED;
			ev.action = o->caction;
			ev.when = w->deadline;
			c->st.cleared++;
		}
		if (cb != NULL)
			cb(&ev, arg);
		win_free(w);
	}
	c->depth--;
}

/* --- the interface ---------------------------------------------------- */

/*
 * The corr_key_fn of the daemon and of vigil replay: KEY expanded for a
 * message as a rule's variables are, without its regex groups.
 */
void
corr_expand_key(const char *rule, const char *tmpl, const struct message *msg,
    struct strbuf *out, void *arg)
{
	struct subst_ctx ctx;

	(void)arg;
	memset(&ctx, 0, sizeof ctx);
	ctx.msg = msg;
	ctx.kind = "RULE";
	ctx.name = rule;
	ctx.now = msg->time;
	subst_expand(tmpl, &ctx, false, out);
}

struct corr *
corr_create(void)
{
	struct corr	*c = xcalloc(1, sizeof *c);

	c->nrslots = 16;
	c->rslot = xcalloc(c->nrslots, sizeof *c->rslot);
	c->nwslots = 64;
	c->wslot = xcalloc(c->nwslots, sizeof *c->wslot);
	strbuf_init(&c->keybuf);
	return c;
}

/*
 * Report every deadline up to now in deadline order (MISSED, CLEARED) and
 * drop the windows that expired.
 */
void
corr_advance(struct corr *c, double now, corr_event_cb cb, void *arg)
{
	struct win	*w, *list = NULL, **tail = &list;

	while (c->gc.n > 0 && c->gc.v[0]->deadline <= now) {
		win_drop(c, c->gc.v[0]);
		c->st.expired++;
	}
	while (c->due.n > 0 && c->due.v[0]->deadline <= now) {
		w = c->due.v[0];
		win_unlink(c, w);
		pending_add(&tail, w);
	}
	if (list != NULL)
		report(c, list, NULL, now, cb, arg);
}

/*
 * A match of rule r with the expanded key at time now: whether its ACTION
 * runs.  Deadlines up to now are reported first, through cb.
 */
enum corr_verdict
corr_match(struct corr *c, const struct rule *r, const char *key,
    double now, uint64_t *suppressed, corr_event_cb cb, void *arg)
{
	struct crec	*rec;
	struct win	*w;
	const struct ops *o;
	double		 from;

	if (suppressed != NULL)
		*suppressed = 0;
	corr_advance(c, now, cb, arg);
	if ((rec = rec_for(c, r)) == NULL)
		return CORR_FIRE;
	o = &rec->ops;
	if (key == NULL || o->key == NULL)
		key = "";
	w = win_find(c, rec->name, key);
	switch (o->shape) {
	case SH_SUPPRESS:
		if (w != NULL && now - w->t0 < o->dur) {
			w->held++;
			break;
		}
		if (w == NULL)
			w = win_new(c, rec, key, W_SUPPRESS);
		w->t0 = now;
		w->held = 0;
		heap_set(c, &c->gc, w, now + o->dur);
		c->st.fired++;
		return CORR_FIRE;
	case SH_THRESHOLD:
		if (w == NULL)
			w = win_new(c, rec, key, W_COUNT);
		if (w->kind == W_RAISED) {
			w->held++;
			ring_push(&w->ring, now, o->ccount);
			from = w->t0;
			if (w->ring.n >= o->ccount && ring_at(&w->ring, 0) > from)
				from = ring_at(&w->ring, 0);
			heap_set(c, &c->due, w, from + o->cdur);
			break;
		}
		while (w->ring.n > 0 && now - ring_at(&w->ring, 0) >= o->dur)
			ring_shift(&w->ring);
		ring_push(&w->ring, now, o->count);
		if (w->ring.n < o->count) {
			w->held++;
			heap_set(c, &c->gc, w, now + o->dur);
			break;
		}
		c->st.fired++;
		if (o->ccount == 0) {
			win_drop(c, w);
			return CORR_FIRE;
		}
		w->kind = W_RAISED;
		w->t0 = now;
		w->held = 0;
		w->ring.n = w->ring.head = 0;
		heap_set(c, &c->due, w, now + o->cdur);
		return CORR_FIRE;
	case SH_EXPECT:
		if (w == NULL) {
			w = win_new(c, rec, key, W_EXPECT);
			w->t0 = now;
			heap_set(c, &c->due, w, now + o->dur);
		}
		c->st.fired++;
		return CORR_FIRE;
	case SH_NONE:
		break;
	}
	if (w == NULL)
		fatalx("%s: rule %s: no window", __func__, rec->name);
	c->st.held++;
	if (suppressed != NULL)
		*suppressed = w->held;
	return CORR_HOLD;
}

/*
 * Offer a message to the open expectations: each rule with one tries its
 * EXPECT pattern once, then its key is looked up.  Deadlines up to now
 * are reported first.
 */
void
corr_message(struct corr *c, const struct message *msg, double now,
    corr_key_fn key_fn, void *key_arg, corr_event_cb cb, void *arg)
{
	struct crec	*rec, *next;
	struct win	*w, *list = NULL, **tail = &list;
	const char	*key, *text = msg->text != NULL ? msg->text : "";

	corr_advance(c, now, cb, arg);
	for (rec = c->expecting; rec != NULL; rec = next) {
		next = rec->xnext;
		c->st.pattern_tests++;
		if (!wild_match(rec->ops.expect, text, rec->ops.caseless))
			continue;
		key = "";
		if (rec->ops.key != NULL && key_fn != NULL) {
			strbuf_reset(&c->keybuf);
			key_fn(rec->name, rec->ops.key, msg, &c->keybuf,
			    key_arg);
			c->st.key_expansions++;
			key = c->keybuf.data != NULL ? c->keybuf.data : "";
		}
		w = win_find(c, rec->name, key);
		if (w == NULL || w->kind != W_EXPECT)
			continue;
		/* May take rec off the list; next was read before. */
		win_unlink(c, w);
		pending_add(&tail, w);
	}
	if (list != NULL)
		report(c, list, msg, now, cb, arg);
}

/* The earliest deadline that reports something, INFINITY if none. */
double
corr_next_deadline(const struct corr *c)
{
	return c->due.n > 0 ? c->due.v[0]->deadline : INFINITY;
}

size_t
corr_count(const struct corr *c)
{
	return c->nwins;
}

void
corr_stats(const struct corr *c, struct corr_stats *st)
{
	*st = c->st;
	st->windows = c->nwins;
	st->open = c->nopen;
	st->expect_rules = c->nexpecting;
}

/*
 * After a reload: ask fn for each rule name's new definition, drop the
 * windows of rules gone or whose state operands changed, take over new
 * action names.  Returns the number of windows dropped.
 */
size_t
corr_retain(struct corr *c, corr_rule_fn fn, void *arg)
{
	struct crec	**all, *rec;
	size_t		  i, n = 0, dropped;
	bool		  marked = false, *gone;

	all = xreallocarray(NULL, c->nrecs + 1, sizeof *all);
	for (i = 0; i < c->nrslots; i++)
		for (rec = c->rslot[i]; rec != NULL; rec = rec->next) {
			rec->refs++;
			all[n++] = rec;
		}
	gone = xcalloc(n + 1, sizeof *gone);
	for (i = 0; i < n; i++) {
		marked = false;
		rec_update(c, all[i], all[i]->name, fn(all[i]->name, arg),
		    &marked);
		gone[i] = marked;
	}
	for (i = 0; i < n; i++)
		if (gone[i])
			rec_remove(c, all[i]);
	dropped = sweep(c);
	for (i = 0; i < n; i++)
		rec_unref(all[i]);
	free(gone);
	free(all);
	return dropped;
}

/* --- persistence ------------------------------------------------------ */

static const char wkind_letter[] = "STRE";	/* by enum wkind */

static void
put_time(struct strbuf *sb, double t)
{
	double	us = t * 1e6;

	strbuf_addf(sb, " %lld", (long long)(us < 0 ? us - 0.5 : us + 0.5));
}

static void
put_u64(struct strbuf *sb, uint64_t v)
{
	strbuf_addf(sb, " %llu", (unsigned long long)v);
}

static void
put_ring(struct strbuf *sb, const struct ring *r)
{
	uint32_t	i;

	put_u64(sb, r->n);
	for (i = 0; i < r->n; i++)
		put_time(sb, ring_at(r, i));
}

/* "RULE =KEY": the key with '%' and every byte outside '!'..'~' as %XX. */
static void
put_id(struct strbuf *sb, const struct win *w)
{
	const unsigned char	*s = (const unsigned char *)w->key;

	strbuf_adds(sb, w->rec->name);
	strbuf_adds(sb, " =");
	for (; *s != '\0'; s++) {
		if (*s > ' ' && *s < 0x7f && *s != '%')
			strbuf_addc(sb, *s);
		else
			strbuf_addf(sb, "%%%02X", *s);
	}
}

/*
 * Hand every window to fn as one record: its id ("RULE =KEY", unique
 * among the records), the record (one line, '\n' included) and its
 * length.  Both strings are valid during the call only.
 */
void
corr_save(const struct corr *c, corr_write_fn fn, void *arg)
{
	struct strbuf	 id, rec;
	struct win	*w;
	size_t		 i;

	strbuf_init(&id);
	strbuf_init(&rec);
	for (i = 0; i < c->nwslots; i++)
		for (w = c->wslot[i]; w != NULL; w = w->next) {
			strbuf_reset(&id);
			put_id(&id, w);
			strbuf_reset(&rec);
			strbuf_addf(&rec, "%s %c %s %016llx", CORR_VERSION,
			    wkind_letter[w->kind], id.data,
			    (unsigned long long)ops_sig(&w->rec->ops));
			switch (w->kind) {
			case W_SUPPRESS:
				put_time(&rec, w->t0);
				put_u64(&rec, w->held);
				break;
			case W_COUNT:
				put_u64(&rec, w->held);
				put_ring(&rec, &w->ring);
				break;
			case W_RAISED:
				put_u64(&rec, w->held);
				put_time(&rec, w->t0);
				put_ring(&rec, &w->ring);
				break;
			case W_EXPECT:
				put_time(&rec, w->t0);
				put_time(&rec, w->deadline);
				break;
			}
			strbuf_addc(&rec, '\n');
			fn(id.data, rec.data, rec.len, arg);
		}
	strbuf_free(&id);
	strbuf_free(&rec);
}

/* The words of one record line, read from p. */
struct words {
	const char	*p, *end;
};

static bool
word(struct words *wd, const char **s, size_t *n)
{
	const char	*q;

	for (q = wd->p; q < wd->end && *q != ' '; q++)
		;
	*s = wd->p;
	*n = q - wd->p;
	wd->p = q < wd->end ? q + 1 : q;
	return *n > 0;
}

static bool
word_u64(struct words *wd, uint64_t *v, unsigned base)
{
	const char	*s;
	size_t		 n, i;
	uint64_t	 x = 0;
	unsigned	 d;

	if (!word(wd, &s, &n) || n > (base == 16 ? 16 : 19))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

/* Microseconds, perhaps negative, as seconds. */
static bool
word_time(struct words *wd, double *t)
{
	uint64_t	 v;
	bool		 neg = wd->p < wd->end && *wd->p == '-';

	if (neg)
		wd->p++;
	if (!word_u64(wd, &v, 10))
		return false;
	*t = (neg ? -(double)v : (double)v) / 1e6;
	return true;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "RULE =KEY" back into the name and the key. */
static bool
word_id(struct words *wd, struct strbuf *name, struct strbuf *key)
{
	const char	*s;
	size_t		 n, i;
	int		 hi, lo;

	if (!word(wd, &s, &n))
		return false;
	strbuf_reset(name);
	strbuf_addn(name, s, n);
	if (!word(wd, &s, &n) || s[0] != '=')
		return false;
	strbuf_reset(key);
	for (i = 1; i < n; i++) {
		if (s[i] != '%') {
			strbuf_addc(key, s[i]);
			continue;
		}
		if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
		    (lo = hexval(s[i + 2])) < 0 || (hi == 0 && lo == 0))
			return false;
		strbuf_addc(key, (char)(hi << 4 | lo));
		i += 2;
	}
	return true;
}

/* A record's fields, read before anything is changed. */
struct record {
	enum wkind	 kind;
	struct strbuf	 name;
	struct strbuf	 key;
	uint64_t	 sig;
	double		 t0;		/* S fired, R raised, E opened */
	double		 deadline;	/* E */
	uint64_t	 held;
	double		*times;		/* T, R */
	size_t		 ntimes;
};

static const char *
record_parse(struct record *rd, const char *line, size_t len)
{
	struct words	 wd = { line, line + len };
	const char	*s, *k;
	size_t		 n, i;
	uint64_t	 count;

	if (!word(&wd, &s, &n) || n != strlen(CORR_VERSION) ||
	    memcmp(s, CORR_VERSION, n) != 0)
		return "not a version " CORR_VERSION " record";
	if (!word(&wd, &s, &n) || n != 1 || *s == '\0' ||
	    (k = strchr(wkind_letter, *s)) == NULL)
		return "unknown kind";
	rd->kind = (enum wkind)(k - wkind_letter);
	if (!word_id(&wd, &rd->name, &rd->key))
		return "bad rule name or key";
	if (!word_u64(&wd, &rd->sig, 16))
		return "bad operand signature";
	switch (rd->kind) {
	case W_SUPPRESS:
		if (!word_time(&wd, &rd->t0) || !word_u64(&wd, &rd->held, 10))
			return "bad SUPPRESS fields";
		break;
	case W_RAISED:
	case W_COUNT:
		if (!word_u64(&wd, &rd->held, 10) || (rd->kind == W_RAISED &&
		    !word_time(&wd, &rd->t0)) || !word_u64(&wd, &count, 10) ||
		    count > (size_t)(wd.end - wd.p))
			return "bad THRESHOLD fields";
		rd->ntimes = count;
		rd->times = xreallocarray(NULL, count + 1, sizeof *rd->times);
		for (i = 0; i < count; i++)
			if (!word_time(&wd, &rd->times[i]))
				return "bad match time";
		if (rd->kind == W_COUNT && count == 0)
			return "THRESHOLD window without a match";
		break;
	case W_EXPECT:
		if (!word_time(&wd, &rd->t0) || !word_time(&wd, &rd->deadline))
			return "bad EXPECT fields";
		break;
	}
	if (wd.p != wd.end)
		return "trailing words";
	return NULL;
}

/*
 * Restore one parsed record: dropped (returns false) when its rule is
 * gone or changed, or when the window exists already (it wins).
 */
static bool
record_restore(struct corr *c, const struct record *rd, corr_rule_fn fn,
    void *arg)
{
	const struct rule *r;
	const char	*key = rd->key.data != NULL ? rd->key.data : "";
	struct ops	 o;
	struct crec	*rec;
	struct win	*w;
	size_t		 i;
	double		 from;

	if ((r = fn(rd->name.data, arg)) == NULL)
		return false;
	ops_of(r, &o);
	if (o.shape == SH_NONE || ops_sig(&o) != rd->sig ||
	    (o.key == NULL && *key != '\0'))
		return false;
	switch (rd->kind) {
	case W_SUPPRESS:
		if (o.shape != SH_SUPPRESS)
			return false;
		break;
	case W_COUNT:
		if (o.shape != SH_THRESHOLD || rd->ntimes >= o.count)
			return false;
		break;
	case W_RAISED:
		if (o.shape != SH_THRESHOLD || o.ccount == 0)
			return false;
		break;
	case W_EXPECT:
		if (o.shape != SH_EXPECT)
			return false;
		break;
	}
	if ((rec = rec_for(c, r)) == NULL ||
	    win_find(c, rec->name, key) != NULL)
		return false;
	w = win_new(c, rec, key, rd->kind);
	w->t0 = rd->t0;
	w->held = rd->held;
	for (i = 0; i < rd->ntimes; i++)
		ring_push(&w->ring, rd->times[i],
		    rd->kind == W_RAISED ? o.ccount : o.count);
	switch (rd->kind) {
	case W_SUPPRESS:
		heap_set(c, &c->gc, w, w->t0 + o.dur);
		break;
	case W_COUNT:
		heap_set(c, &c->gc, w,
		    ring_at(&w->ring, w->ring.n - 1) + o.dur);
		break;
	case W_RAISED:
		from = w->t0;
		if (w->ring.n >= o.ccount && ring_at(&w->ring, 0) > from)
			from = ring_at(&w->ring, 0);
		heap_set(c, &c->due, w, from + o.cdur);
		break;
	case W_EXPECT:
		heap_set(c, &c->due, w, rd->deadline);
		break;
	}
	return true;
}

/*
 * Restore windows from records (one per line, as corr_save wrote them;
 * call as often as needed).  fn gives each rule name's definition in the
 * ruleset in force.  Malformed records are skipped and counted; then -1,
 * with *cause naming the first, but the good ones are restored.
 */
int
corr_load(struct corr *c, const char *buf, size_t len, corr_rule_fn fn,
    void *arg, struct corr_loaded *ld, char **cause)
{
	struct corr_loaded	 tot;
	struct record		 rd;
	const char		*line = buf, *end = buf + len, *nl, *why;
	size_t			 lineno = 0;
	char			*first = NULL;

	memset(&tot, 0, sizeof tot);
	memset(&rd, 0, sizeof rd);
	strbuf_init(&rd.name);
	strbuf_init(&rd.key);
	while (line < end) {
		nl = memchr(line, '\n', end - line);
		if (nl == NULL)
			nl = end;
		lineno++;
		if (nl > line) {
			rd.ntimes = 0;
			why = record_parse(&rd, line, nl - line);
			if (why != NULL) {
				tot.bad++;
				if (first == NULL)
					xasprintf(&first, "correlation record"
					    " %zu: %s", lineno, why);
			} else if (record_restore(c, &rd, fn, arg))
				tot.restored++;
			else
				tot.dropped++;
			free(rd.times);
			rd.times = NULL;
		}
		line = nl < end ? nl + 1 : end;
	}
	strbuf_free(&rd.name);
	strbuf_free(&rd.key);
	if (ld != NULL)
		*ld = tot;
	if (first == NULL)
		return 0;
	if (cause != NULL)
		*cause = first;
	else
		free(first);
	return -1;
}

void
corr_free(struct corr *c)
{
	struct win	*w, *wnext;
	struct crec	*rec, *rnext;
	size_t		 i;

	if (c == NULL)
		return;
	if (c->depth > 0)
		fatalx("%s: called from a correlation callback", __func__);
	for (i = 0; i < c->nwslots; i++)
		for (w = c->wslot[i]; w != NULL; w = wnext) {
			wnext = w->next;
			win_free(w);
		}
	for (i = 0; i < c->nrslots; i++)
		for (rec = c->rslot[i]; rec != NULL; rec = rnext) {
			rnext = rec->next;
			rec_unref(rec);
		}
	free(c->wslot);
	free(c->rslot);
	free(c->due.v);
	free(c->gc.v);
	strbuf_free(&c->keybuf);
	free(c);
}
