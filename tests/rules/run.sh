#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh - the data-driven tests of the rule language.  Each
# tests/rules/NAME.test is one case: rule files to write, and what
# "vigil check --dump input.rules" must print for them.
#
# Usage (make check sets VIGIL and top_srcdir; by hand, set VIGIL):
#   VIGIL=/path/to/vigil top_srcdir=/path/to/src tests/rules/run.sh [CASE...]
#   VIGIL=... tests/rules/run.sh --regen CASE...
# A CASE is a name (defrule-basic), a file name (defrule-basic.test) or a
# path.  Without CASEs every tests/rules/*.test is run.
#
# Format of a .test file:
#   line 1             "# description"
#   === file NAME      the lines up to the next "=== " line are written to
#                      NAME (subdirectories allowed, e.g. inc/a.rules);
#                      "vigil check --dump input.rules" is run beside them.
#                      Flags after NAME: "noeol" drops the last newline,
#                      "escaped" passes the text through printf %b (\r,
#                      \x00, \xff, ... for bytes a text file cannot show).
#   === dump           expected stdout; the exit status must be 0 and
#                      stderr empty, unless there is also
#   === stderr         expected stderr (warnings) of a dump case.
#   === errors         expected stderr; the exit status must be 1 and
#                      stdout empty.
# Section bodies are verbatim: every line up to the next "=== " line or
# the end of the file, each with its newline.  So do not put a blank line
# before a "=== " line unless it belongs to the section.
#
# Every dump case also checks the promise of the dump: loaded again (as
# redump.rules, in the same directory), it loads without error and gives
# the same dump, comment lines (starting with '*') aside.
#
# --regen CASE... rewrites the expectation sections of the named cases
# from what vigil prints now.  Read every regenerated expectation against
# vigil-rules(5) and the reference before committing it: a wrong
# expectation makes a bug the specification.
#
# Output is TAP: "ok N - name" or "not ok N - name" followed by a diff;
# the exit status is 0 when every case passed, 1 otherwise, 99 when the
# tests cannot run at all.

set -u
export LC_ALL=C
# The time zone database and messages must not depend on the caller.
unset TZDIR

me=${0##*/}

die() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 99
}

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd) || die "no top_srcdir"
fi
casedir=$top_srcdir/tests/rules
[ -n "${VIGIL:-}" ] || die "set VIGIL to the vigil binary to test"
[ -x "$VIGIL" ] || die "VIGIL=$VIGIL is not an executable file"
case $VIGIL in
/*) ;;
*) VIGIL=$(pwd)/$VIGIL ;;
esac

regen=0
if [ "${1:-}" = --regen ]; then
	regen=1
	shift
	[ $# -gt 0 ] || die "--regen needs the names of the cases to rewrite"
fi

# Guard against a vigil that hangs: 60 seconds is far more than any case.
if command -v timeout >/dev/null 2>&1; then
	run_vigil() { timeout 60 "$VIGIL" "$@"; }
else
	run_vigil() { "$VIGIL" "$@"; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-rules.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# The .test files to run.
cases=()
if [ $# -eq 0 ]; then
	for f in "$casedir"/*.test; do
		[ -e "$f" ] && cases+=("$f")
	done
	[ ${#cases[@]} -gt 0 ] || die "no cases in $casedir"
else
	for a in "$@"; do
		case $a in
		*/*) f=$a ;;
		*.test) f=$casedir/$a ;;
		*) f=$casedir/$a.test ;;
		esac
		[ -f "$f" ] || die "no such case: $a ($f)"
		cases+=("$f")
	done
fi

# split FILE DIR: the sections of FILE as DIR/sec.N, their headers in
# DIR/sections ("N<TAB>header"); fails on a malformed file.
split_case() {
	awk -v dir="$2" '
	NR == 1 {
		if ($0 !~ /^# ./) {
			print "line 1 must be \"# description\"" > "/dev/stderr"
			bad = 1
		}
		next
	}
	/^=== / {
		if (out != "")
			close(out)
		n++
		out = dir "/sec." n
		printf "" > out
		print n "\t" substr($0, 5) > (dir "/sections")
		next
	}
	{
		if (n == 0) {
			if ($0 != "") {
				print "line " NR ": text before the first" \
				    " \"=== \" section" > "/dev/stderr"
				bad = 1
			}
			next
		}
		print > out
	}
	END {
		if (n == 0) {
			print "no \"=== \" section" > "/dev/stderr"
			bad = 1
		}
		exit bad
	}' "$1"
}

# A file name of a case must stay inside the case's directory.
safe_name() {
	case /$1/ in
	*/../* | */./* | //*) return 1 ;;
	esac
	case $1 in
	/* | '') return 1 ;;
	esac
	return 0
}

# prepare FILE DIR: split FILE, write its files into DIR/work, and copy
# the expectations to DIR/expect.{dump,errors,stderr}.  Messages about a
# malformed case go to stderr.
prepare() {
	local file=$1 dir=$2 n hdr kind name flags body sec fl
	mkdir -p "$dir/work" || return 1
	split_case "$file" "$dir" || return 1
	while IFS=$'\t' read -r n hdr; do
		sec=$dir/sec.$n
		read -r kind name flags <<<"$hdr"
		case $kind in
		file)
			if ! safe_name "${name:-}"; then
				echo "bad file name in '=== $hdr'" >&2
				return 1
			fi
			for fl in ${flags:-}; do
				case $fl in
				noeol | escaped) ;;
				*)
					echo "unknown flag '$fl' in '=== $hdr'" \
					    "(file names cannot have blanks)" >&2
					return 1
					;;
				esac
			done
			if [ -e "$dir/work/$name" ]; then
				echo "file $name is given twice" >&2
				return 1
			fi
			mkdir -p "$dir/work/$(dirname "$name")" || return 1
			body=$(cat "$sec"; printf x)
			body=${body%x}
			case " ${flags:-} " in
			*" noeol "*) body=${body%$'\n'} ;;
			esac
			case " ${flags:-} " in
			*" escaped "*) printf '%b' "$body" >"$dir/work/$name" ;;
			*) printf '%s' "$body" >"$dir/work/$name" ;;
			esac
			;;
		dump | errors | stderr)
			if [ -n "${name:-}" ]; then
				echo "'=== $kind' takes no argument" >&2
				return 1
			fi
			if [ -e "$dir/expect.$kind" ]; then
				echo "section '=== $kind' is given twice" >&2
				return 1
			fi
			cp "$sec" "$dir/expect.$kind" || return 1
			;;
		*)
			echo "unknown section '=== $hdr'" >&2
			return 1
			;;
		esac
	done <"$dir/sections"
	if [ "$regen" = 1 ]; then
		return 0
	fi
	if [ -e "$dir/expect.dump" ] && [ -e "$dir/expect.errors" ]; then
		echo "a case has either '=== dump' or '=== errors', not both" >&2
		return 1
	fi
	if [ ! -e "$dir/expect.dump" ] && [ ! -e "$dir/expect.errors" ]; then
		echo "no '=== dump' or '=== errors' section" >&2
		return 1
	fi
	if [ -e "$dir/expect.stderr" ] && [ ! -e "$dir/expect.dump" ]; then
		echo "'=== stderr' goes with '=== dump' only" >&2
		return 1
	fi
	return 0
}

# check_vs EXPECTED ACTUAL WHAT: append a diff to $dir/report if they
# differ.
check_vs() {
	if ! cmp -s "$1" "$2"; then
		{
			echo "$3 differs:"
			diff -u --label "expected $3" --label "actual $3" "$1" "$2"
		} >>"$dir/report"
		return 1
	fi
	return 0
}

describe_status() {
	if [ "$1" -ge 128 ]; then
		echo "$1 (killed by signal $(($1 - 128)))"
	elif [ "$1" -eq 124 ]; then
		echo "$1 (timed out)"
	else
		echo "$1"
	fi
}

# run_case FILE DIR: 0 if the case passes; the reasons go to DIR/report.
run_case() {
	local file=$1 dir=$2 st st2 ok=0 w
	mkdir -p "$dir" || return 1
	: >"$dir/report"
	if ! prepare "$file" "$dir" 2>>"$dir/report"; then
		echo "malformed case" >>"$dir/report"
		return 1
	fi
	w=$dir/work
	(cd "$w" && run_vigil check --dump input.rules >"$dir/out" 2>"$dir/err")
	st=$?
	if [ -e "$dir/expect.errors" ]; then
		if [ "$st" -ne 1 ]; then
			echo "exit status $(describe_status "$st"), expected 1" \
			    >>"$dir/report"
			ok=1
		fi
		check_vs "$dir/expect.errors" "$dir/err" stderr || ok=1
		check_vs /dev/null "$dir/out" stdout || ok=1
		return $ok
	fi
	if [ "$st" -ne 0 ]; then
		echo "exit status $(describe_status "$st"), expected 0" \
		    >>"$dir/report"
		ok=1
	fi
	check_vs "$dir/expect.dump" "$dir/out" stdout || ok=1
	if [ -e "$dir/expect.stderr" ]; then
		check_vs "$dir/expect.stderr" "$dir/err" stderr || ok=1
	else
		check_vs /dev/null "$dir/err" stderr || ok=1
	fi
	[ "$ok" -eq 0 ] || return 1

	# The dump, loaded again, gives the same dump.
	if [ -e "$w/redump.rules" ]; then
		echo "a case may not use the name redump.rules" >>"$dir/report"
		return 1
	fi
	cp "$dir/out" "$w/redump.rules"
	(cd "$w" && run_vigil check --dump redump.rules >"$dir/out2" \
	    2>"$dir/err2")
	st2=$?
	if [ "$st2" -ne 0 ]; then
		{
			echo "round trip: loading the dump again exited" \
			    "$(describe_status "$st2"):"
			sed 's/^/  /' "$dir/err2"
		} >>"$dir/report"
		return 1
	fi
	grep -v '^\*' "$dir/out" >"$dir/out.nc"
	grep -v '^\*' "$dir/out2" >"$dir/out2.nc"
	check_vs "$dir/out.nc" "$dir/out2.nc" "dump of the dump" || return 1
	return 0
}

# regen_case FILE DIR: rewrite the expectations of FILE from the output.
regen_case() {
	local file=$1 dir=$2 st new
	mkdir -p "$dir" || return 1
	if ! prepare "$file" "$dir"; then
		echo "$me: $file: malformed case, not rewritten" >&2
		return 1
	fi
	(cd "$dir/work" && run_vigil check --dump input.rules >"$dir/out" \
	    2>"$dir/err")
	st=$?
	new=$dir/new.test
	# Everything but the old expectations, verbatim.
	awk '
	/^=== (dump|errors|stderr)[ \t]*$/ { skip = 1; next }
	/^=== / { skip = 0 }
	!skip { print }' "$file" >"$new"
	case $st in
	0)
		echo "=== dump" >>"$new"
		cat "$dir/out" >>"$new"
		if [ -s "$dir/err" ]; then
			echo "=== stderr" >>"$new"
			cat "$dir/err" >>"$new"
		fi
		;;
	1)
		echo "=== errors" >>"$new"
		cat "$dir/err" >>"$new"
		;;
	*)
		echo "$me: $file: vigil exited $(describe_status "$st");" \
		    "not rewritten" >&2
		cat "$dir/err" >&2
		return 1
		;;
	esac
	if cmp -s "$new" "$file"; then
		echo "unchanged: ${file##*/}"
	else
		cp "$new" "$file" || return 1
		echo "rewritten: ${file##*/} (exit status $st): review it"
	fi
	return 0
}

n=0
failed=0
if [ "$regen" = 1 ]; then
	for f in "${cases[@]}"; do
		n=$((n + 1))
		regen_case "$f" "$tmp/$n" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
	exit
fi

echo "1..${#cases[@]}"
for f in "${cases[@]}"; do
	n=$((n + 1))
	name=${f##*/}
	name=${name%.test}
	if run_case "$f" "$tmp/$n"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp/$n/report"
	fi
	rm -rf "${tmp:?}/$n"
done
echo "# $n cases, $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
