/* SPDX-License-Identifier: Apache-2.0 */
/*
 * suggest.c - "did you mean": the closest word of a list by edit distance
 * (with transpositions), if it is close enough to be a likely typo.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "rules/rules.h"

#define SUGGEST_MAX_LEN	 64

static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, c, v;
	size_t	 d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			c = toupper((unsigned char)a[i - 1]) !=
			    toupper((unsigned char)b[j - 1]);
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + c < v)
				v = d[i - 1][j - 1] + c;
			if (i > 1 && j > 1 && toupper((unsigned char)a[i - 1]) ==
			    toupper((unsigned char)b[j - 2]) &&
			    toupper((unsigned char)a[i - 2]) ==
			    toupper((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *
suggest_word(const char *word, const char *const *list, size_t n)
{
	const char	*best = NULL;
	size_t		 i, dist, bestdist = (size_t)-1, limit;

	/* One edit in short words, a third of the word in longer ones. */
	limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	for (i = 0; i < n; i++) {
		dist = distance(word, list[i]);
		if (dist <= limit && dist < bestdist) {
			best = list[i];
			bestdist = dist;
		}
	}
	return best;
}
