#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/doc.sh - the man pages keep up with the code: every statement verb
# and every operand name of the directive table (rules/directives.c), and
# every daemon event name a DEFEMON EVENT accepts, appears in
# doc/vigil-rules.5; and groff formats the four pages without a warning
# (skipped, with a message, when groff is not installed).  Exits 1 and
# lists what is missing or what groff said.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
table=$top_srcdir/rules/directives.c
page=$top_srcdir/doc/vigil-rules.5
pages="$top_srcdir/doc/vigil-rules.5 $top_srcdir/doc/vigil.1 $top_srcdir/doc/vigild.8
    $top_srcdir/doc/vigil-lua.7"
fails=0

for f in "$table" $pages; do
	if [ ! -f "$f" ]; then
		echo "doc.sh: $f is missing"
		exit 1
	fi
done

# The verbs: the first field of each entry of the directives[] table,
# '{ "DEFRULE", DEF_RULE, ...'.  INCLUDE is handled by the parser itself.
verbs=$(sed -n 's/^[[:space:]]*{ *"\([A-Z][A-Z0-9_]*\)", *DEF_.*/\1/p' \
    "$table")
verbs="$verbs INCLUDE"

# The operands: '.name = "X"' in the operand arrays and their macros, and
# names passed to an operand macro, 'LEVEL_FLAG("VIEW", ...)'.
operands=$( {
	grep -o '\.name = "[A-Z][A-Z0-9_]*"' "$table" |
	    sed 's/.*"\(.*\)"/\1/'
	grep -o '\b[A-Z][A-Z_]*("[A-Z][A-Z0-9_]*"' "$table" |
	    sed 's/.*("\(.*\)"/\1/'
} | sort -u)

# The daemon events: the words of the event_names[] array.
events=$(sed -n '/event_names\[\] *= *{/,/};/p' "$table" |
    grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"')

# A table that yields next to nothing means this parsing broke, not that
# the page is complete.
nverbs=$(echo $verbs | wc -w)
nops=$(echo $operands | wc -w)
nevents=$(echo $events | wc -w)
if [ "${nverbs:-0}" -lt 10 ] || [ "${nops:-0}" -lt 40 ] ||
    [ "${nevents:-0}" -lt 5 ]; then
	echo "doc.sh: could not read the directive table in $table" \
	    "($nverbs verbs, $nops operands, $nevents events)"
	exit 1
fi

# The page's words, with the roff escapes that can sit inside a word
# (font changes, \&, \-, \(aq) taken out.
text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
    -e 's/\\&//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" "$page")

missing=""
for w in $verbs $operands $events; do
	if ! printf '%s\n' "$text" | grep -qw -- "$w"; then
		missing="$missing $w"
	fi
done
if [ -n "$missing" ]; then
	echo "doc.sh: not documented in doc/vigil-rules.5:$missing"
	fails=1
else
	echo "doc.sh: doc/vigil-rules.5 names all $nverbs statements," \
	    "$nops operands and $nevents events"
fi

if command -v groff >/dev/null 2>&1; then
	for f in $pages; do
		out=$(groff -man -ww -z "$f" 2>&1)
		if [ -n "$out" ]; then
			echo "doc.sh: groff warns about ${f#"$top_srcdir"/}:"
			printf '%s\n' "$out" | sed 's/^/doc.sh:   /'
			fails=1
		fi
	done
	[ "$fails" -eq 0 ] && echo "doc.sh: groff formats the pages cleanly"
else
	echo "doc.sh: groff is not installed; not checking the formatting"
fi

exit "$fails"
