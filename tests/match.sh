#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/match.sh - vigil test and vigil replay on the shipped examples and
# on the real console logs in ../shared/data: which rules fire, with which
# argv, and why the others do not.
set -u

: "${VIGIL:?}" "${top_srcdir:?}"
data=${SHARED_DATA:-$top_srcdir/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# has NAME FILE LITERAL: FILE contains LITERAL.
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1: no '$3' in:"
		sed 's/^/#   /' "$2" | head -20
	fi
}

ex=$top_srcdir/rules/examples

# --- the backup example of DESIGN.md -------------------------------------
"$VIGIL" test -c "$ex/backup.rules" \
	'HCPSIG2113I User BKRLNXD has reported successful termination' >out 2>err
[ $? -eq 0 ] && ok "vigil test runs" || fail "vigil test exit status"
has "the shutdown message fires BKRLNX02" out "fired BKRLNX02"
has "with the exact argv" out "action BKRLNX02 (ENV LVM): argv ['CP', 'SMSG', 'BKRBKUP', 'SUBMIT', 'SAMPLNX']"
has "the message id is parsed" out "msgid HCPSIG2113I"

"$VIGIL" test -c "$ex/backup.rules" --json --user BKRWRK01 \
	'BACKUP COMPLETE - BKRLNXD' >out
has "a member of BKRWRKRS fires BKRLNX03" out '"matched": ["BKRLNX03"]'
has "its argv in JSON" out '"argv": ["CP", "XAUTOLOG", "BKRLNXD"]'

"$VIGIL" test -c "$ex/backup.rules" --user SOMEONE \
	'BACKUP COMPLETE - BKRLNXD' >out
has "another user does not fire it" out "no rule fired"
has "and vigil test says why" out "not fired BKRLNX03: the user is not in GROUP"

"$VIGIL" test -c "$ex/backup.rules" 'HCPSIG211I User BKRLNXD' >out
has "% is exactly one character" out "no rule fired"

# --- substitution keeps message text inside one argv word ---------------
cat >subst.rules <<'RULES'
DEFRULE NAME ANY MATCH '*' ACTION SAY
DEFACTN NAME SAY COMMAND '/usr/bin/logger -t vigil "&U: &T"'
RULES
"$VIGIL" test -c subst.rules --json --user 'x"; rm -rf /' \
	'hello $(id) `id`; echo pwned && true' >out
has "hostile text stays in one word" out \
	'"argv": ["/usr/bin/logger", "-t", "vigil", "x\"; rm -rf /: hello $(id) `id`; echo pwned && true"]'

# --- the TS7700 grid example ---------------------------------------------
"$VIGIL" test -c "$ex/ts7700-grid.rules" --source ZOSPLEX --format PLAIN \
	'CBR3750I Message from library LIBA: G0013 Library LIBA has experienced an unexpected outage with its peer library LIBB.' >out
has "the grid outage fires GRIDOUT" out "fired GRIDOUT"
has "its PARM is expanded into the page" out "'storage', 'TS7700 grid outage: CBR3750I Message from library LIBA: G0013"

# --- replay over real z/VM console logs ----------------------------------
if [ -d "$data/zvm" ]; then
	cat >zvm.rules <<'RULES'
DEFRULE NAME FORCED MATCH 'HCPSIG2114I*' ACTION NULL
DEFRULE NAME ANYHCP MATCH 'HCP%%%%%%%%*' ACTION NULL
DEFRULE NAME READY MATCH 'Ready*' ACTION NULL
RULES
	"$VIGIL" replay -c zvm.rules --format ZVM --json \
		"$data/zvm/zvmbootcamp-force-hcpsig2114i.console" >out 2>err
	has "replay counts HCPSIG2114I once" out '"FORCED": 1'
	"$VIGIL" replay -c zvm.rules --format ZVM "$data"/zvm/*.console >out 2>err
	[ $? -eq 0 ] && ok "replay reads every z/VM console log" || fail "replay zvm: $(cat err)"
	has "and prints examples" out "first "
else
	echo "# SKIP: no $data/zvm"
fi

if [ -d "$data/zos" ]; then
	cat >zos.rules <<'RULES'
DEFRULE NAME UNITS MATCH 'IEE457I*' ACTION NULL
DEFRULE NAME ENDED MATCH '$HASP395 * ENDED*' ACTION NULL
RULES
	"$VIGIL" replay -c zos.rules --format ZOSLOG --json \
		"$data/zos/ibm_zos_core-zos_operator-sample-D-U-ALL.console" >out 2>err
	has "the multi-line IEE457I is one message" out '"UNITS": 1'
	has "its example names its first line" out 'D-U-ALL.console:3"}'
	"$VIGIL" replay -c zos.rules --format ZOSLOG --json \
		"$data/zos/ibm_zos_core-zos_job_output-sample-HELLO-JOB00134.joblog" >out 2>err
	has "the job log's \$HASP395 fires" out '"ENDED": 1'
else
	echo "# SKIP: no $data/zos"
fi

# --- usage ---------------------------------------------------------------
"$VIGIL" test >/dev/null 2>&1
[ $? -eq 2 ] && ok "vigil test without -c is a usage error" || fail "test usage"
"$VIGIL" replay -c "$ex/backup.rules" >/dev/null 2>&1
[ $? -eq 2 ] && ok "vigil replay without a log is a usage error" || fail "replay usage"
"$VIGIL" replay -c "$ex/backup.rules" /nonexistent >out 2>err
[ $? -eq 1 ] && ok "a missing log fails" || fail "missing log status"
has "and is named" err "/nonexistent"

echo "1..$n"
[ "$fails" -eq 0 ]
