/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.c - FNV-1a, 64 bits: the one string hash of the tables keyed by
 * name (LIMIT windows, counters, correlation windows) and of the ruleset
 * checksum.  Not for anything an attacker must not collide on purpose:
 * the tables are keyed by names from the rule files, not by messages.
 */
#include "config.h"

#include "util/util.h"

uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;

	while (n-- > 0)
		h = (h ^ *s++) * FNV1A_PRIME;
	return h;
}

uint64_t
fnv1a_str(const char *s)
{
	uint64_t	 h = FNV1A_BASIS;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * FNV1A_PRIME;
	return h;
}
