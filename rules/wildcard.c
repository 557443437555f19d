/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wildcard.c - the checks of match patterns: wildcard MATCH/EXCLUDE text
 * ('*' any run, '%' one character, no escape) and PCRE2 REGEX patterns,
 * which are compiled once here so that a bad one is reported at load time
 * with PCRE2's own message and offset.  Matching itself is the engine's.
 */
#include "config.h"

#include <string.h>

#include <pcre2.h>

#include "rules/rules.h"

#define PATTERN_MAX_LEN	 4096

int
wildcard_check(const char *s, char **cause)
{
	size_t	 n = strlen(s);

	if (n == 0) {
		xasprintf(cause, "the pattern is empty");
		return -1;
	}
	if (n > PATTERN_MAX_LEN) {
		xasprintf(cause, "the pattern is %zu characters long; at most"
		    " %d are allowed", n, PATTERN_MAX_LEN);
		return -1;
	}
	return 0;
}

int
regex_check(const char *s, bool caseless, char **cause)
{
	pcre2_code	*re;
	int		 err;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];
	uint32_t	 opts = PCRE2_UTF;

	if (strlen(s) > PATTERN_MAX_LEN) {
		xasprintf(cause, "the pattern is %zu characters long; at most"
		    " %d are allowed", strlen(s), PATTERN_MAX_LEN);
		return -1;
	}
	if (caseless)
		opts |= PCRE2_CASELESS;
	re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, opts, &err,
	    &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "invalid regular expression at offset %zu:"
		    " %s", (size_t)off, (const char *)msg);
		return -1;
	}
	pcre2_code_free(re);
	return 0;
}
