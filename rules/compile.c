/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c - makes a loaded ruleset ready to match: every MATCH, EXCLUDE
 * and REGEX becomes a PCRE2 program (JIT-compiled when the platform has
 * it), and every rule gets a key for the rule index.  A wildcard becomes a
 * regular expression: '*' any run, '%' one character, everything else
 * literal; no leading '*' anchors it at the first column of its range, no
 * trailing '*' at the last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcre2.h>

#include "actions/actions.h"
#include "rules/rules.h"

/* Build the PCRE2 source of a wildcard; *anchored for a leading literal. */
static char *
wildcard_regex(const char *w, bool *anchored)
{
	struct strbuf	 sb;
	size_t		 n = strlen(w), i, b = 0, e = n;

	*anchored = n == 0 || w[0] != '*';
	while (b < e && w[b] == '*')
		b++;
	while (e > b && w[e - 1] == '*')
		e--;
	strbuf_init(&sb);
	for (i = b; i < e; i++) {
		if (w[i] == '*') {
			strbuf_adds(&sb, ".*?");
			while (i + 1 < e && w[i + 1] == '*')
				i++;
		} else if (w[i] == '%')
			strbuf_addc(&sb, '.');
		else {
			if (strchr("\\^$.|?*+()[]{}#/", w[i]) != NULL)
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, w[i]);
		}
	}
	/* A pattern of only '*' matches anything, including nothing. */
	if (e == n && n > 0)
		strbuf_adds(&sb, "\\z");
	else if (n == 0)
		strbuf_adds(&sb, "\\z");
	return strbuf_steal(&sb);
}

static void *
compile_one(const char *src, uint32_t opts, struct compiled *c,
    struct diag *diag, const struct rule *r, const char *what)
{
	pcre2_code	*code;
	int		 err;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];
	uint32_t	 cap = 0;

	code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    opts | PCRE2_UTF | PCRE2_DOTALL, &err, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		diag_add(diag, DIAG_ERROR, &r->def.loc, "DEFRULE %s %s: cannot"
		    " compile: %s", r->def.name, what, (const char *)msg);
		return NULL;
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
	if (cap + 1 > c->max_pairs)
		c->max_pairs = cap + 1;
	return code;
}

/* A named group called like a built-in variable can never be used. */
static void
warn_shadowed_groups(const void *code, const struct rule *r,
    struct diag *diag)
{
	uint32_t		 count = 0, size = 0, i;
	const unsigned char	*table = NULL;
	const char		*name;
	int			 k;

	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	k = directive_operand(directive_of(DEF_RULE), "REGEX");
	for (i = 0; i < count && table != NULL; i++) {
		name = (const char *)table + i * size + 2;
		if (subst_builtin(name, strlen(name)))
			diag_add(diag, DIAG_WARNING, &r->def.oploc[k], "DEFRULE"
			    " %s REGEX: the group '%s' is hidden by the built-in"
			    " variable &%s; name it differently to use it",
			    r->def.name, name, name);
	}
}

static void *
compile_wildcard(const char *w, bool caseless, struct compiled *c,
    struct diag *diag, const struct rule *r, const char *what)
{
	char	*src;
	bool	 anchored;
	void	*code;

	src = wildcard_regex(w, &anchored);
	code = compile_one(src, (anchored ? PCRE2_ANCHORED : 0) |
	    (caseless ? PCRE2_CASELESS : 0), c, diag, r, what);
	free(src);
	return code;
}

/*
 * Candidate keys of a rule: four-byte runs its matches must contain, each
 * with the literal around it (up to KEY_MAX_LEN bytes of the same run),
 * which a message must contain too before the rule is tried.
 */
struct gram_cand {
	uint32_t	 gram;
	struct rule_key	 key;
};
struct grams {
	struct gram_cand *v;
	size_t		 n;
};

static bool
key_byte_ok(unsigned char c, bool caseless)
{
	if (c >= 0x80)
		return false;	/* case folding of other bytes differs */
	c = fold_upper[c];
	return !(caseless && (c == 'K' || c == 'S'));
}

/*
 * Caseless PCRE2 matching with UTF also folds K to U+212A (Kelvin) and S
 * to U+017F (long s): a caseless key must not contain those letters.
 */
static void
grams_add_run(struct grams *g, const char *s, size_t len, bool caseless)
{
	size_t			 b = 0, e, i, ws, we, j;
	struct gram_cand	*gc;
	unsigned char		 f[4];

	/* Keys come from segments of bytes usable in a key. */
	while (b < len) {
		while (b < len && !key_byte_ok((unsigned char)s[b], caseless))
			b++;
		for (e = b; e < len && key_byte_ok((unsigned char)s[e],
		    caseless); e++)
			;
		for (i = b; i + 4 <= e; i++) {
			for (j = 0; j < 4; j++)
				f[j] = fold_upper[(unsigned char)s[i + j]];
			g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
			gc = &g->v[g->n++];
			memcpy(&gc->gram, f, 4);
			ws = i > b + (KEY_MAX_LEN - 4) / 2 ?
			    i - (KEY_MAX_LEN - 4) / 2 : b;
			we = ws + KEY_MAX_LEN < e ? ws + KEY_MAX_LEN : e;
			gc->key.len = (uint8_t)(we - ws);
			gc->key.off = (uint8_t)(i - ws);
			for (j = ws; j < we; j++)
				gc->key.lit[j - ws] =
				    fold_upper[(unsigned char)s[j]];
		}
		b = e;
	}
}

static void
grams_of_wildcard(const char *w, bool caseless, struct grams *g)
{
	size_t	 i = 0, start;

	while (w[i] != '\0') {
		while (w[i] == '*' || w[i] == '%')
			i++;
		start = i;
		while (w[i] != '\0' && w[i] != '*' && w[i] != '%')
			i++;
		grams_add_run(g, w + start, i - start, caseless);
	}
}

/*
 * Literal runs a regular expression cannot match without: only at the top
 * level, never with an alternation, and a character made optional by a
 * quantifier ends the run before it.  Anything unusual gives no key (the
 * rule is then tried on every message, which is always correct).
 */
/*
 * The index of the ']' that ends the character class opening at re[i]
 * ("[]a]", "[^]a]" and "[[:digit:]]" included); 0 if it never ends.
 */
static size_t
class_end(const char *re, size_t i)
{
	i++;
	if (re[i] == '^')
		i++;
	if (re[i] == ']')
		i++;
	for (; re[i] != '\0'; i++) {
		if (re[i] == '\\' && re[i + 1] != '\0')
			i++;
		else if (re[i] == '[' && re[i + 1] == ':') {
			const char *e = strstr(re + i + 2, ":]");
			if (e == NULL)
				return 0;
			i = (size_t)(e - re) + 1;
		} else if (re[i] == ']')
			return i;
	}
	return 0;
}

/* Whether an inline option group such as (?ix) sets an option. */
static bool
regex_option(const char *re, char flag)
{
	const char	*p;

	for (p = strstr(re, "(?"); p != NULL; p = strstr(p, "(?")) {
		for (p += 2; *p != '\0' && *p != ')' && *p != ':'; p++)
			if (*p == flag)
				return true;
	}
	return false;
}

/*
 * Literal runs a regular expression cannot match without: only at the top
 * level, never with an alternation, and a character made optional by a
 * quantifier ends the run before it.  Anything unusual gives no key (the
 * rule is then tried on every message, which is always correct).
 */
static void
grams_of_regex(const char *re, bool caseless, struct grams *g)
{
	static const char punct[] = ".-/ :=,'\"@#$%&*+?()[]{}|^\\<>!~;_";
	struct strbuf	 run;
	int		 depth = 0;
	size_t		 i, start = g->n;
	char		 c, ch = 0;
	bool		 lit;

	if (regex_option(re, 'x'))
		return;
	caseless = caseless || regex_option(re, 'i');
	/* A top-level alternation means no run is required. */
	for (i = 0; re[i] != '\0'; i++) {
		if (re[i] == '\\' && re[i + 1] != '\0')
			i++;
		else if (re[i] == '[') {
			if ((i = class_end(re, i)) == 0)
				return;
		} else if (re[i] == '(')
			depth++;
		else if (re[i] == ')')
			depth--;
		else if (re[i] == '|' && depth == 0)
			return;
	}
	strbuf_init(&run);
	depth = 0;
	for (i = 0; re[i] != '\0'; i++) {
		c = re[i];
		lit = false;
		if (c == '\\') {
			ch = re[++i];
			if (ch == '\0')
				break;
			/* Escapes with arguments: give up rather than guess. */
			if (strchr("xopcgkNQEuU0123456789", ch) != NULL)
				goto giveup;
			lit = strchr(punct, ch) != NULL;
		} else if (c == '[') {
			if ((i = class_end(re, i)) == 0)
				goto giveup;
		} else if (c == '{') {
			/* A quantifier's bounds are not text. */
			while (re[i + 1] != '\0' && re[i] != '}')
				i++;
		} else if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (strchr(".^$+*?{}|", c) == NULL) {
			lit = true;
			ch = c;
		}
		if (lit && depth == 0 && (re[i + 1] == '\0' ||
		    strchr("?*{", re[i + 1]) == NULL)) {
			strbuf_addc(&run, ch);
			continue;
		}
		if (run.len > 0)
			grams_add_run(g, run.data, run.len, caseless);
		strbuf_reset(&run);
	}
	if (run.len > 0)
		grams_add_run(g, run.data, run.len, caseless);
	strbuf_free(&run);
	return;
giveup:
	g->n = start;
	strbuf_free(&run);
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct pair {
	uint32_t	 gram;
	uint32_t	 ord;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->gram != y->gram)
		return x->gram < y->gram ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static unsigned
digits_in(uint32_t g)
{
	unsigned char	 b[4];
	unsigned	 n = 0, i;

	memcpy(b, &g, 4);
	for (i = 0; i < 4; i++)
		n += b[i] >= '0' && b[i] <= '9';
	return n;
}

/*
 * Give each rule the key least shared with other rules (ties: the one with
 * most digits, as message numbers are rare in text), then build the
 * open-addressing table and its Bloom filter.
 */
static int
cand_cmp(const void *a, const void *b)
{
	return u32_cmp(&((const struct gram_cand *)a)->gram,
	    &((const struct gram_cand *)b)->gram);
}

static void
build_index(struct compiled *c, struct grams *per)
{
	uint32_t	*all = NULL, best, g;
	size_t		 nall = 0, i, j, k, lo, hi, mid, bestf, f, cap, bestj;
	struct pair	*pairs;
	size_t		 npairs = 0;

	c->keys = xcalloc(c->n + 1, sizeof *c->keys);
	for (i = 0; i < c->n; i++) {
		all = xreallocarray(all, nall + per[i].n, sizeof *all);
		/* Count each gram once per rule. */
		if (per[i].n > 1)
			qsort(per[i].v, per[i].n, sizeof *per[i].v, cand_cmp);
		for (j = 0; j < per[i].n; j++)
			if (j == 0 || per[i].v[j].gram != per[i].v[j - 1].gram)
				all[nall++] = per[i].v[j].gram;
	}
	if (nall > 1)
		qsort(all, nall, sizeof *all, u32_cmp);

	pairs = xreallocarray(NULL, c->n + 1, sizeof *pairs);
	for (i = 0; i < c->n; i++) {
		best = 0;
		bestf = (size_t)-1;
		bestj = 0;
		for (j = 0; j < per[i].n; j++) {
			g = per[i].v[j].gram;
			/* How many rules share g: two binary searches. */
			lo = 0;
			hi = nall;
			while (lo < hi) {	/* first index of g */
				mid = (lo + hi) / 2;
				if (all[mid] < g)
					lo = mid + 1;
				else
					hi = mid;
			}
			k = lo;
			hi = nall;
			while (k < hi) {	/* first index past g */
				mid = (k + hi) / 2;
				if (all[mid] <= g)
					k = mid + 1;
				else
					hi = mid;
			}
			f = k - lo;
			/* Ties: more digits, then the longer literal. */
			if (f < bestf || (f == bestf &&
			    (digits_in(g) > digits_in(best) ||
			    (digits_in(g) == digits_in(best) &&
			    per[i].v[j].key.len > per[i].v[bestj].key.len)))) {
				best = g;
				bestf = f;
				bestj = j;
			}
		}
		if (best == 0) {
			c->always = xreallocarray(c->always, c->nalways + 1,
			    sizeof *c->always);
			c->always[c->nalways++] = (uint32_t)i;
			continue;
		}
		pairs[npairs].gram = best;
		pairs[npairs].ord = (uint32_t)i;
		npairs++;
		c->keys[i] = per[i].v[bestj].key;
	}
	free(all);
	if (npairs > 1)
		qsort(pairs, npairs, sizeof *pairs, pair_cmp);

	for (cap = 16; cap < npairs * 2; cap *= 2)
		;
	c->nslots = cap;
	c->slots = xcalloc(cap, sizeof *c->slots);
	c->ords = xreallocarray(NULL, npairs + 1, sizeof *c->ords);
	for (i = 0; i < npairs; i++) {
		c->ords[i] = pairs[i].ord;
		if (i > 0 && pairs[i].gram == pairs[i - 1].gram)
			continue;
		g = pairs[i].gram;
		for (k = gram_hash(g) & (cap - 1); c->slots[k].gram != 0;
		    k = (k + 1) & (cap - 1))
			;
		c->slots[k].gram = g;
		c->slots[k].start = (uint32_t)i;
		for (j = i; j < npairs && pairs[j].gram == g; j++)
			c->slots[k].count++;
		f = gram_bloom(g);
		c->bloom[f / 64] |= 1ull << (f % 64);
	}
	free(pairs);
}

static bool
rule_filtered(const struct rule *r)
{
	return r->user != NULL || r->group != NULL || r->exuser != NULL ||
	    r->exgroup != NULL || r->system != NULL || r->source != NULL ||
	    r->classes.n > 0;
}


/*
 * Substitution names that cannot have a value are load-time errors: a
 * name that is neither built in nor a named group of the REGEX of a rule
 * that can trigger the action (directly, through NEXTACTN, or as its
 * LIMIT, CLEAR, FOUNDACTN or MISSACTN action).
 */
struct name_check {
	const struct ruleset	*rs;
	const struct compiled	*c;
	const struct rule	*rule;		/* checking a rule's PARM */
	const struct action	*action;	/* checking an action */
	struct diag		*diag;
	const struct loc	*loc;
	const char		*label;
	const char		*opname;
};

static bool
chain_reaches(const struct ruleset *rs, const char *start, const char *name)
{
	const struct action	*a;
	size_t			 n = 0, max = ruleset_count(rs, DEF_ACTION);

	while (start != NULL && n++ <= max) {
		if (strcasecmp(start, name) == 0)
			return true;
		a = (const struct action *)ruleset_find(rs, DEF_ACTION, start);
		start = a != NULL ? a->nextactn : NULL;
	}
	return false;
}

static bool
rule_reaches(const struct ruleset *rs, const struct rule *r, const char *a)
{
	return chain_reaches(rs, r->action, a) ||
	    chain_reaches(rs, r->foundactn, a) ||
	    chain_reaches(rs, r->missactn, a) ||
	    chain_reaches(rs, r->limit.action, a) ||
	    chain_reaches(rs, r->clear.action, a);
}

static bool
has_group(const struct crule *cr, const char *name)
{
	return cr->rule->regex != NULL && cr->pat != NULL &&
	    pcre2_substring_number_from_name(cr->pat,
	    (PCRE2_SPTR)name) >= 0;
}

static void
check_name(const char *name, size_t len, void *arg)
{
	struct name_check	*nc = arg;
	char			*g;
	size_t			 i;
	bool			 ok = false;

	if (subst_builtin(name, len))
		return;
	g = xstrndup(name, len);
	if (nc->rule != NULL) {
		for (i = 0; i < nc->c->n && !ok; i++)
			if (nc->c->rules[i].rule == nc->rule)
				ok = has_group(&nc->c->rules[i], g);
	} else if (nc->action != NULL) {
		for (i = 0; i < nc->c->n && !ok; i++)
			ok = has_group(&nc->c->rules[i], g) &&
			    rule_reaches(nc->rs, nc->c->rules[i].rule,
			    nc->action->def.name);
	}
	if (!ok)
		diag_add(nc->diag, DIAG_ERROR, nc->loc, "%s %s: &%s has no"
		    " value: it is not a substitution variable%s", nc->label,
		    nc->opname, g, nc->rule != NULL || nc->action != NULL ?
		    " and no REGEX that can trigger this has a group of that"
		    " name" : "");
	free(g);
}

static void
check_text(struct name_check *nc, const struct def *d, const char *opname,
    const char *text)
{
	char	 label[64];
	int	 i;

	if (text == NULL)
		return;
	i = directive_operand(directive_of(d->kind), opname);
	snprintf(label, sizeof label, "%s %s", def_kind_verb(d->kind),
	    d->name != NULL ? d->name : "");
	nc->label = label;
	nc->opname = opname;
	nc->loc = i >= 0 ? &d->oploc[i] : &d->loc;
	subst_names(text, check_name, nc);
}

static void
check_variables(const struct ruleset *rs, const struct compiled *c,
    struct diag *diag)
{
	struct name_check	 nc;
	const struct def	*d;
	size_t			 i;

	memset(&nc, 0, sizeof nc);
	nc.rs = rs;
	nc.c = c;
	nc.diag = diag;
	for (i = 0; i < ruleset_size(rs); i++) {
		d = ruleset_at(rs, i);
		nc.rule = NULL;
		nc.action = NULL;
		switch (d->kind) {
		case DEF_RULE:
			nc.rule = (const struct rule *)d;
			check_text(&nc, d, "PARM", nc.rule->parm);
			check_text(&nc, d, "KEY", nc.rule->key);
			break;
		case DEF_ACTION:
			nc.action = (const struct action *)d;
			check_text(&nc, d, "COMMAND", nc.action->command);
			check_text(&nc, d, "EMIT", nc.action->emit);
			check_text(&nc, d, "INPUT", nc.action->input);
			check_text(&nc, d, "SERIAL", nc.action->serial);
			break;
		default: {
			/* Schedules and monitors: built-in names only. */
			const struct directive *dir = directive_of(d->kind);
			int k = directive_operand(dir, "PARM");
			if (k >= 0)
				check_text(&nc, d, "PARM", *(char *const *)
				    ((const char *)d + dir->ops[k].off));
			break;
		}
		}
	}
}

struct compiled *
compile_ruleset(const struct ruleset *rs, struct diag *diag)
{
	struct compiled	*c;
	struct grams	*per;
	struct crule	*cr;
	const struct rule *r;
	size_t		 i, errors = diag->errors;

	c = xcalloc(1, sizeof *c);
	c->n = ruleset_count(rs, DEF_RULE);
	c->rules = xcalloc(c->n + 1, sizeof *c->rules);
	per = xcalloc(c->n + 1, sizeof *per);
	c->max_pairs = 1;
	for (i = 0; i < c->n; i++) {
		r = (const struct rule *)ruleset_get(rs, DEF_RULE, i);
		cr = &c->rules[i];
		cr->rule = r;
		if (r->regex != NULL) {
			cr->pat = compile_one(r->regex, r->caseless ?
			    PCRE2_CASELESS : 0, c, diag, r, "REGEX");
			grams_of_regex(r->regex, r->caseless, &per[i]);
		} else {
			cr->pat = compile_wildcard(r->match, r->caseless, c,
			    diag, r, "MATCH");
			grams_of_wildcard(r->match, r->caseless, &per[i]);
		}
		if (r->exclude != NULL)
			cr->excl = compile_wildcard(r->exclude, r->caseless, c,
			    diag, r, "EXCLUDE");
		if (r->regex != NULL && cr->pat != NULL)
			warn_shadowed_groups(cr->pat, r, diag);
		cr->filtered = rule_filtered(r);
		cr->timed = r->days != 0xff || r->hours != 0xffffff;
	}
	build_index(c, per);
	for (i = 0; i < c->n; i++)
		free(per[i].v);
	free(per);

	c->nholidays = ruleset_count(rs, DEF_DATE);
	c->holidays = xcalloc(c->nholidays + 1, sizeof *c->holidays);
	for (i = 0; i < c->nholidays; i++)
		c->holidays[i] = &((const struct date *)ruleset_get(rs,
		    DEF_DATE, i))->dates;
	if (diag->errors == errors)
		check_variables(rs, c, diag);
	if (diag->errors != errors) {
		compiled_free(c);
		return NULL;
	}
	return c;
}

void
compiled_free(struct compiled *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		pcre2_code_free(c->rules[i].pat);
		pcre2_code_free(c->rules[i].excl);
	}
	free(c->rules);
	free(c->slots);
	free(c->ords);
	free(c->keys);
	free(c->always);
	free(c->holidays);
	free(c);
}

const unsigned char fold_upper[256] = {
#define F(i) ((i) >= 'a' && (i) <= 'z' ? (i) - 32 : (i))
#define F8(i) F(i), F(i + 1), F(i + 2), F(i + 3), F(i + 4), F(i + 5), \
	F(i + 6), F(i + 7)
#define F64(i) F8(i), F8(i + 8), F8(i + 16), F8(i + 24), F8(i + 32), \
	F8(i + 40), F8(i + 48), F8(i + 56)
	F64(0), F64(64), F64(128), F64(192)
#undef F64
#undef F8
#undef F
};
