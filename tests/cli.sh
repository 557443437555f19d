#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/cli.sh - the command-line contract of vigil check and vigild -n,
# and the bad inputs every parser must survive with a located error:
# binary garbage, a 10 MB line, invalid UTF-8, EBCDIC, CRLF, include
# cycles, and the inputs the fuzzer once crashed on.
set -u

: "${VIGIL:?}" "${VIGILD:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# run NAME EXPECTED-STATUS CMD...: stdout to out, stderr to err.
run() {
	local name=$1 want=$2 got
	shift 2
	timeout 60 "$@" >out 2>err
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$name (exit $got)"
	else
		fail "$name: exit $got, expected $want"
		sed 's/^/#   stderr: /' err | head -5
	fi
}

# expect_err NAME REGEX: stderr has a line matching REGEX.
expect_err() {
	if grep -Eq -- "$2" err; then
		ok "$1"
	else
		fail "$1: stderr does not match /$2/"
		sed 's/^/#   stderr: /' err | head -5
	fi
}

examples=$top_srcdir/rules/examples

# --- usage and exit statuses -------------------------------------------
run "vigil without a command is a usage error" 2 "$VIGIL"
run "vigil check --bogus is a usage error" 2 "$VIGIL" check --bogus x
run "a command that is not offline goes to the daemon (none here: exit 3)" 3 \
	"$VIGIL" -S "$tmp/none.sock" frobnicate
expect_err "  ... the socket is named" "cannot reach vigild at $tmp/none.sock"
run "an unknown option before the command is a usage error" 2 "$VIGIL" --bogus status
run "vigil --version" 0 "$VIGIL" --version
run "a unique prefix selects an offline command" 0 "$VIGIL" chec "$examples/backup.rules"
run "check without files asks the daemon (none here: exit 3)" 3 \
	"$VIGIL" -S "$tmp/none.sock" check
run "vigil check accepts the backup example" 0 "$VIGIL" check "$examples/backup.rules"
if grep -q 'OK: 2 rules, 3 actions, 1 schedule, 1 group' out; then
	ok "the summary says what the file defines"
else
	fail "summary: $(cat out)"
fi
run "--quiet prints nothing" 0 "$VIGIL" check --quiet "$examples/backup.rules"
[ ! -s out ] && ok "--quiet output is empty" || fail "--quiet printed $(cat out)"

printf 'DEFRULE NAME R1 MATCH *X* ACTION NOPE\n' >bad.rules
run "a bad file exits 1" 1 "$VIGIL" check bad.rules
expect_err "the error is located" '^bad\.rules:1:34: error: DEFRULE R1 ACTION: action NOPE is not defined'
run "one bad file among good ones exits 1" 1 "$VIGIL" check "$examples/backup.rules" bad.rules
grep -q 'backup.rules: OK' out && ok "the good file is still reported" || fail "good file not reported"
run "a missing file exits 1" 1 "$VIGIL" check missing.rules
expect_err "the missing file is named" '^missing\.rules: error: cannot open the rule file: No such file'
run "a directory is not a rule file" 1 "$VIGIL" check .
expect_err "the directory is named" "is a directory"

# --- vigild -n does the same check from the daemon's side ---------------
run "vigild -n accepts a good file" 0 "$VIGILD" -n -c "$examples/backup.rules"
run "vigild -n rejects a bad file" 1 "$VIGILD" -n -c bad.rules
expect_err "vigild -n locates the error" '^bad\.rules:1:34: error:'
run "vigild with a stray argument is a usage error" 2 "$VIGILD" -n -c bad.rules extra
run "vigild --once on an empty input starts and stops" 0 "$VIGILD" -c "$examples/backup.rules" -D state --once </dev/null
expect_err "and says what it loaded" 'DAEMON_STARTED VIGILD 2 rules, 3 actions'

# --- bad input ----------------------------------------------------------
head -c 65536 /dev/urandom >garbage.rules
run "binary garbage is rejected" 1 "$VIGIL" check garbage.rules
expect_err "with a located error" '^garbage\.rules:[0-9]+:[0-9]+: error: '

{ printf 'DEFRULE NAME R1 MATCH '; head -c 10485760 /dev/zero | tr '\0' 'A'; printf ' ACTION NULL\n'; } >long.rules
run "a 10 MB line is rejected" 1 "$VIGIL" check long.rules
expect_err "at the column past the limit" '^long\.rules:1:65537: error: line is 10485794 bytes long; a line may have at most 65536'

printf 'DEFACTN NAME A1 COMMAND x\nDEFRULE NAME R1 MATCH \xff\xfe ACTION A1\n' >utf8.rules
run "invalid UTF-8 is rejected" 1 "$VIGIL" check utf8.rules
expect_err "at its byte" '^utf8\.rules:2:23: error: invalid UTF-8 \(byte 0xff\)'

printf 'DEFRULE NAME R1 MATCH caf\xc3\xa9* ACTION NULL\n' >utf8ok.rules
run "valid UTF-8 text is accepted" 0 "$VIGIL" check utf8ok.rules

printf 'DEFRULE NAME R1 MATCH a\001b ACTION NULL\n' >ctl.rules
run "a control character is rejected" 1 "$VIGIL" check ctl.rules
expect_err "at its column" '^ctl\.rules:1:24: error: control character 0x01'

sed 's/$/\r/' "$examples/backup.rules" >crlf.rules
run "CRLF line ends are accepted" 0 "$VIGIL" check --dump crlf.rules
grep -v '^\*' out >crlf.dump
"$VIGIL" check --dump "$examples/backup.rules" | grep -v '^\*' >lf.dump
cmp -s crlf.dump lf.dump && ok "CRLF gives the same definitions as LF" || fail "CRLF dump differs"

if iconv -f UTF-8 -t IBM-1047 "$examples/backup.rules" >ebcdic.rules 2>/dev/null; then
	run "an EBCDIC file is rejected" 1 "$VIGIL" check ebcdic.rules
	expect_err "with one error that says so" '^ebcdic\.rules:1:1: error: this file looks EBCDIC-encoded'
	[ "$(grep -c error: err)" -eq 1 ] && ok "EBCDIC gives a single error" || fail "EBCDIC: $(grep -c error: err) errors"
else
	ok "# SKIP iconv has no IBM-1047"
fi

printf 'DEFRULE NAME R1 MATCH *X* +\n' >cont.rules
run "a continuation at the end of the file is an error" 1 "$VIGIL" check cont.rules
expect_err "located at the +" '^cont\.rules:1:27: error: continuation'

mkdir -p inc
printf 'INCLUDE inc/b.rules\n' >a.rules
printf 'INCLUDE ../a.rules\n' >inc/b.rules
run "an include cycle is an error, not a hang" 1 "$VIGIL" check a.rules
expect_err "the cycle is located at the INCLUDE" '^inc/b\.rules:1:9: error: INCLUDE: .*cycle'

printf 'INCLUDE nothere.rules\n' >inc-missing.rules
run "a missing include is an error" 1 "$VIGIL" check inc-missing.rules
expect_err "at the INCLUDE" "^inc-missing\.rules:1:9: error: INCLUDE: cannot open 'nothere\.rules': No such file"

# Every input a fuzzer once crashed on must now give a clean verdict.
for f in "$top_srcdir"/tests/fuzz/regressions/*; do
	[ -f "$f" ] || continue
	timeout 60 "$VIGIL" check "$f" >out 2>err
	s=$?
	if [ "$s" -le 1 ]; then
		ok "fuzz regression ${f##*/} (exit $s)"
	else
		fail "fuzz regression ${f##*/}: exit $s"
		head -5 err
	fi
done

echo "1..$n"
[ "$fails" -eq 0 ]
