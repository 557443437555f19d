#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/examples.sh - the shipped example rule files are a corpus: each
# must pass vigil check, and its dump must load again to the same dump.
set -u

: "${VIGIL:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fails=0
n=0
for f in "$top_srcdir"/rules/examples/*.rules; do
	name=${f##*/}
	n=$((n + 1))
	if ! "$VIGIL" check --dump "$f" >"$tmp/dump" 2>"$tmp/err"; then
		echo "not ok $n - $name does not pass vigil check"
		sed 's/^/#   /' "$tmp/err"
		fails=$((fails + 1))
		continue
	fi
	echo "ok $n - $name passes vigil check"
	n=$((n + 1))
	# $f is absolute, so the paths in the dump are too.
	cp "$tmp/dump" "$tmp/redump.rules"
	"$VIGIL" check --dump "$tmp/redump.rules" >"$tmp/dump2" 2>"$tmp/err2"
	s=$?
	if [ "$s" -ne 0 ]; then
		echo "not ok $n - the dump of $name does not load"
		sed 's/^/#   /' "$tmp/err2" | head -5
		fails=$((fails + 1))
	elif ! diff <(grep -v '^\*' "$tmp/dump") <(grep -v '^\*' "$tmp/dump2") >/dev/null; then
		echo "not ok $n - the dump of $name does not dump the same"
		fails=$((fails + 1))
	else
		echo "ok $n - the dump of $name loads to the same dump"
	fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
