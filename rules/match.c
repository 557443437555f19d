/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match.c - finds the rules a message fires, in definition order.  The
 * index gives the candidates: every rule whose key (four bytes its matches
 * must contain) occurs in the message, plus the rules without a key; only
 * those are tried, so the cost per message hardly grows with the number
 * of rules.  A candidate fires when its pattern matches within its columns,
 * its EXCLUDE does not, and its filters (USER, GROUP, SYSTEM, SOURCE,
 * CLASS, DAYS, HOURS and holidays at the message's own time) allow it.  A
 * fired rule that says FINAL stops the rules after it.  Nothing here runs
 * an action.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pcre2.h>

#include "rules/rules.h"

struct matcher {
	const struct ruleset	*rs;
	const struct compiled	*c;
	pcre2_match_data	*md;	/* the pattern's match */
	pcre2_match_data	*mdx;	/* EXCLUDE's, kept apart */
	unsigned char		*fold;
	size_t			 foldcap;
	uint32_t		*stamp;	/* per rule: last generation seen */
	uint32_t		 gen;
	uint32_t		*cand;
	size_t			 ncand;
	struct match_near	*near;
	size_t			 nnear;
	size_t			 nearcap;
	uint64_t		 candidates;	/* tried, over all messages */
	bool			 exhaustive;	/* bypass the index (tests) */

	/* Calendar facts of the current message, cached by minute. */
	time_t			 tminute;
	bool			 tvalid;
	int			 wday;		/* 0 Monday .. 6 Sunday */
	int			 hour;
	bool			 holiday;

	/* The message and subject of the current hit. */
	const struct message	*msg;
	size_t			 subj_off;
	const struct crule	*cur;
};

const char *
miss_reason_text(enum miss_reason why)
{
	static const char *const text[] = {
		"fired", "the pattern does not match",
		"the pattern matches outside the MCOL columns",
		"EXCLUDE matches", "USER does not match",
		"the user is not in GROUP", "EXUSER matches",
		"the user is in EXGROUP", "SYSTEM does not match",
		"SOURCE does not match", "the class is not in CLASS",
		"not active on this day (DAYS)",
		"a holiday, and DAYS has no H",
		"not active at this hour (HOURS)",
		"an earlier rule that fired says FINAL"
	};

	return why <= MISS_FINAL ? text[why] : "?";
}

/* The next UTF-8 character after s. */
static const char *
next_char(const char *s)
{
	s++;
	while (((unsigned char)*s & 0xc0) == 0x80)
		s++;
	return s;
}

/*
 * '*' any run, '%' one character (UTF-8), other bytes themselves; for
 * user IDs, systems and source names.  Iterative, one backtrack point.
 */
int
wild_match(const char *p, const char *s, bool caseless)
{
	const char	*star = NULL, *retry = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			retry = s;
		} else if (*p == '%') {
			p++;
			s = next_char(s);
		} else if (*p != '\0' && (caseless ?
		    fold_upper[(unsigned char)*p] ==
		    fold_upper[(unsigned char)*s] : *p == *s)) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = retry = next_char(retry);
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool
ruleset_group_has(const struct ruleset *rs, const char *group,
    const char *user)
{
	const struct group	*g;
	size_t			 i;

	if (user == NULL ||
	    (g = (const struct group *)ruleset_find(rs, DEF_GROUP,
	    group)) == NULL)
		return false;
	for (i = 0; i < g->members.n; i++) {
		if (wild_match(g->members.v[i], user, true))
			return true;
	}
	return false;
}

bool
ruleset_is_holiday(const struct ruleset *rs, int y, int m, int d)
{
	const struct compiled	*c = ruleset_compiled(rs);
	size_t			 i;

	for (i = 0; c != NULL && i < c->nholidays; i++) {
		if (calendar_contains(c->holidays[i], y, m, d))
			return true;
	}
	return false;
}

struct matcher *
matcher_create(const struct ruleset *rs)
{
	struct matcher	*m;

	m = xcalloc(1, sizeof *m);
	m->rs = rs;
	m->c = ruleset_compiled(rs);
	m->md = pcre2_match_data_create(m->c->max_pairs, NULL);
	m->mdx = pcre2_match_data_create(m->c->max_pairs, NULL);
	if (m->md == NULL || m->mdx == NULL)
		fatalx("out of memory creating PCRE2 match data");
	m->stamp = xcalloc(m->c->n + 1, sizeof *m->stamp);
	m->cand = xcalloc(m->c->n + 1, sizeof *m->cand);
	return m;
}

void
matcher_free(struct matcher *m)
{
	if (m == NULL)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_data_free(m->mdx);
	free(m->fold);
	free(m->stamp);
	free(m->cand);
	free(m->near);
	free(m);
}

/* Try every rule, not only the index's candidates: the index's oracle. */
void
matcher_set_exhaustive(struct matcher *m, bool on)
{
	m->exhaustive = on;
}

size_t
matcher_candidates(const struct matcher *m)
{
	return (size_t)m->candidates;
}

static void
add_candidate(struct matcher *m, uint32_t ord)
{
	if (m->stamp[ord] == m->gen)
		return;
	m->stamp[ord] = m->gen;
	m->cand[m->ncand++] = ord;
}

/* Every rule whose key occurs in the text, and every rule without one. */
static void
gather(struct matcher *m, const struct message *msg)
{
	const struct compiled	*c = m->c;
	const struct gram_slot	*slot;
	const struct rule_key	*key;
	uint32_t		 g, h, ord;
	size_t			 i, k, j;

	if (++m->gen == 0) {	/* wrapped: forget every stamp */
		memset(m->stamp, 0, (c->n + 1) * sizeof *m->stamp);
		m->gen = 1;
	}
	m->ncand = 0;
	if (m->exhaustive) {
		for (i = 0; i < c->n; i++)
			m->cand[m->ncand++] = (uint32_t)i;
		m->candidates += m->ncand;
		return;
	}
	if (c->nslots > 0 && msg->len >= 4) {
		/* Locals: stores to fold[] must not make len reload. */
		const unsigned char	*t = (const unsigned char *)msg->text;
		const uint64_t		*bloom = c->bloom;
		unsigned char		*f;
		size_t			 len = msg->len;

		if (len > m->foldcap) {
			m->foldcap = len;
			m->fold = xreallocarray(m->fold, m->foldcap, 1);
		}
		f = m->fold;
		for (i = 0; i < len; i++)
			f[i] = fold_upper[t[i]];
		for (i = 0; i + 4 <= len; i++) {
			memcpy(&g, f + i, 4);
			h = gram_bloom(g);
			if (!(bloom[h / 64] & (1ull << (h % 64))))
				continue;
			h = gram_hash(g);
			for (k = h & (c->nslots - 1); c->slots[k].gram != 0;
			    k = (k + 1) & (c->nslots - 1)) {
				slot = &c->slots[k];
				if (slot->gram != g)
					continue;
				/* The literal around the key must be here. */
				for (j = 0; j < slot->count; j++) {
					ord = c->ords[slot->start + j];
					key = &c->keys[ord];
					if (i >= key->off && i - key->off +
					    key->len <= len &&
					    memcmp(f + i - key->off, key->lit,
					    key->len) == 0)
						add_candidate(m, ord);
				}
				break;
			}
		}
	}
	for (i = 0; i < c->nalways; i++)
		add_candidate(m, c->always[i]);
	for (i = 1; i < m->ncand; i++) {	/* few, nearly sorted */
		uint32_t v = m->cand[i];

		for (j = i; j > 0 && m->cand[j - 1] > v; j--)
			m->cand[j] = m->cand[j - 1];
		m->cand[j] = v;
	}
	m->candidates += m->ncand;
}

/* Byte offset of 1-based column col (characters), or len past the end. */
static size_t
column_offset(const struct message *msg, unsigned col)
{
	size_t	 i, n = 1;

	if (msg->flags & MSGF_ASCII)
		return col - 1 < msg->len ? col - 1 : msg->len;
	for (i = 0; i < msg->len; i++) {
		if (((unsigned char)msg->text[i] & 0xc0) == 0x80)
			continue;
		if (n++ == col)
			return i;
	}
	return msg->len;
}

/*
 * Match a compiled pattern within columns [first, last] of the message;
 * last 999 means the end of the message, however long (999 is the
 * largest column the syntax can say).
 */
static bool
match_cols(const struct message *msg, const void *code,
    const struct colrange *cols, pcre2_match_data *md, size_t *off)
{
	size_t	 b, e;

	b = cols->first <= 1 ? 0 : column_offset(msg, cols->first);
	e = cols->last >= 999 ? msg->len : column_offset(msg, cols->last + 1);
	if (b > e || (b == msg->len && msg->len > 0 && cols->first > 1))
		return false;
	*off = b;
	return pcre2_match(code, (PCRE2_SPTR)msg->text + b, e - b, 0,
	    PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
}

static void
calendar_facts(struct matcher *m, const struct message *msg)
{
	struct tm	 tm;
	time_t		 minute = msg->time / 60;

	if (m->tvalid && minute == m->tminute)
		return;
	localtime_r(&msg->time, &tm);
	m->tminute = minute;
	m->tvalid = true;
	m->wday = (tm.tm_wday + 6) % 7;
	m->hour = tm.tm_hour;
	m->holiday = ruleset_is_holiday(m->rs, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

static enum miss_reason
check_filters(struct matcher *m, const struct crule *cr,
    const struct message *msg)
{
	const struct rule	*r = cr->rule;
	const char		*user = msg->user != NULL ? msg->user : "";

	if (cr->filtered) {
		if (r->source != NULL && (msg->source == NULL ||
		    !wild_match(r->source, msg->source, true)))
			return MISS_SOURCE;
		if (r->system != NULL && (msg->system == NULL ||
		    !wild_match(r->system, msg->system, true)))
			return MISS_SYSTEM;
		if (r->user != NULL && !wild_match(r->user, user, true))
			return MISS_USER;
		if (r->group != NULL && !ruleset_group_has(m->rs, r->group,
		    user))
			return MISS_GROUP;
		if (r->exuser != NULL && wild_match(r->exuser, user, true))
			return MISS_EXUSER;
		if (r->exgroup != NULL && ruleset_group_has(m->rs, r->exgroup,
		    user))
			return MISS_EXGROUP;
		if (r->classes.n > 0 && (msg->cls < 0 || msg->cls > 255 ||
		    !(r->classes.bits[msg->cls / 64] &
		    (1ull << (msg->cls % 64)))))
			return MISS_CLASS;
	}
	if (cr->timed) {
		calendar_facts(m, msg);
		/* On a holiday only the H position decides. */
		if (m->holiday && !(r->days & 0x80))
			return MISS_HOLIDAY;
		if (!m->holiday && !(r->days & (1u << m->wday)))
			return MISS_DAYS;
		if (!(r->hours & (1u << m->hour)))
			return MISS_HOURS;
	}
	return MISS_NONE;
}

static enum miss_reason
check_pattern(struct matcher *m, const struct crule *cr,
    const struct message *msg, bool explain)
{
	const struct rule	*r = cr->rule;
	static const struct colrange all = { 1, 999 };
	size_t			 off, xoff;

	if (!match_cols(msg, cr->pat, &r->mcol, m->md, &off)) {
		if (explain && (r->mcol.first != 1 || r->mcol.last != 999) &&
		    match_cols(msg, cr->pat, &all, m->mdx, &xoff))
			return MISS_COLUMNS;
		return MISS_PATTERN;
	}
	m->subj_off = off;
	if (cr->excl != NULL && match_cols(msg, cr->excl, &r->ecol, m->mdx,
	    &xoff))
		return MISS_EXCLUDED;
	return MISS_NONE;
}

static void
add_near(struct matcher *m, const struct rule *r, enum miss_reason why)
{
	if (m->nnear == m->nearcap) {
		m->nearcap = m->nearcap == 0 ? 16 : m->nearcap * 2;
		m->near = xreallocarray(m->near, m->nearcap, sizeof *m->near);
	}
	m->near[m->nnear].rule = r;
	m->near[m->nnear].why = why;
	m->nnear++;
}

static size_t
evaluate(struct matcher *m, const struct message *msg, bool explain,
    match_cb cb, void *arg)
{
	const struct crule	*cr;
	struct match_hit	 hit;
	enum miss_reason	 why;
	size_t			 i, fired = 0;
	bool			 final = false;

	gather(m, msg);
	m->nnear = 0;
	m->msg = msg;
	for (i = 0; i < m->ncand; i++) {
		cr = &m->c->rules[m->cand[i]];
		if (final) {
			if (!explain)
				break;
			add_near(m, cr->rule, MISS_FINAL);
			continue;
		}
		/* Cheap filters first, unless the reason is wanted. */
		if (explain) {
			if ((why = check_pattern(m, cr, msg, true)) == MISS_NONE)
				why = check_filters(m, cr, msg);
		} else if ((why = check_filters(m, cr, msg)) == MISS_NONE)
			why = check_pattern(m, cr, msg, false);
		if (why != MISS_NONE) {
			if (explain)
				add_near(m, cr->rule, why);
			continue;
		}
		fired++;
		m->cur = cr;
		hit.rule = cr->rule;
		hit.ord = m->cand[i];
		hit.m = m;
		if (cb != NULL)
			cb(&hit, arg);
		final = cr->rule->final;
	}
	m->cur = NULL;
	return fired;
}

size_t
matcher_run(struct matcher *m, const struct message *msg, match_cb cb,
    void *arg)
{
	return evaluate(m, msg, false, cb, arg);
}

/* As matcher_run, and why each other candidate did not fire. */
size_t
matcher_explain(struct matcher *m, const struct message *msg, match_cb cb,
    void *arg, struct match_near **near, size_t *nnear)
{
	size_t	 n;

	n = evaluate(m, msg, true, cb, arg);
	*near = m->near;
	*nnear = m->nnear;
	return n;
}

/* A named group of the hit's REGEX; NULL if it has none or it is unset. */
const char *
matcher_group(const struct match_hit *hit, const char *name, size_t *len)
{
	const struct matcher	*m = hit->m;
	PCRE2_SIZE		*ov;
	int			 n;

	if (m->cur == NULL || hit->rule->regex == NULL)
		return NULL;
	n = pcre2_substring_number_from_name(m->cur->pat, (PCRE2_SPTR)name);
	if (n < 0 || (uint32_t)n >= pcre2_get_ovector_count(m->md))
		return NULL;
	ov = pcre2_get_ovector_pointer(m->md);
	if (ov[2 * n] == PCRE2_UNSET)
		return NULL;
	*len = ov[2 * n + 1] - ov[2 * n];
	return m->msg->text + m->subj_off + ov[2 * n];
}

/* Whether the rule's REGEX has a named group of that name. */
bool
rule_has_group_name(const struct ruleset *rs, const struct rule *r,
    const char *name)
{
	const struct compiled	*c = ruleset_compiled(rs);
	size_t			 i;

	if (c == NULL || r->regex == NULL)
		return false;
	for (i = 0; i < c->n; i++) {
		if (c->rules[i].rule == r)
			return pcre2_substring_number_from_name(
			    c->rules[i].pat, (PCRE2_SPTR)name) >= 0;
	}
	return false;
}
