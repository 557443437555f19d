#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/demo.sh - the backup example of DESIGN.md section 2
# end to end, as ./scripts/run shows it: vigild with
# rules/examples/demo/backup-demo.rules runs the simulated z/VM console
# (tests/sim/zvm-console) under a pseudo-terminal, its clock set to a
# Thursday at 13:14:57; DEFSCHD BKRLNX01 (THU-13:15) starts step 1 from
# its real schedule, the guest's HCPSIG2113I step 2, the backup worker's
# BACKUP COMPLETE (a CP MSG from BKRWRK01, in group BKRWRKRS) step 3.
# Checked: each command went to the console in order, with the exact
# text, and the history records the chain of triggers.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${top_srcdir:?}"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# PROGRAM is relative to where the daemon runs: the source tree.
# Its control socket in the temporary directory, not in the source tree.
(cd "$top_srcdir" && TZ=UTC timeout 60 "$VIGILD" -c rules/examples/demo/backup-demo.rules \
	-D "$tmp/st" -S "$tmp/vigil.sock" --once --test-clock 2026-11-26T13:14:58) >"$tmp/out" 2>"$tmp/log"
is "the demo runs to its end and exits 0" "$?" 0

is "the schedule started step 1 at 13:15; each step then came from the message before" \
	"$(sqlite3 -batch "$tmp/st/vigil.db" "select trigger_kind || ' ' || trigger || '>' || action || ':' || replace(argv, char(31), ' ') || ':' || result from history order by id")" \
	"SCHEDULE BKRLNX01>BKRLNX01:CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120:ok
RULE BKRLNX02>BKRLNX02:CP SMSG BKRBKUP SUBMIT SAMPLNX:ok
RULE BKRLNX03>BKRLNX03:CP XAUTOLOG BKRLNXD:ok
RULE DEMODONE>DEMODONE:/bin/sh -c echo BKRLNXD is back: backup cycle done vigil:ok"
is "step 3 fired on the worker's message (user BKRWRK01)" \
	"$(sqlite3 -batch "$tmp/st/vigil.db" "select user || ': ' || message from history where action='BKRLNX03'")" \
	"BKRWRK01: BACKUP COMPLETE - BKRLNXD"
if grep -q 'HCPSIG2113I User BKRLNXD has reported successful termination' "$tmp/st/console/ZVMOPER.log"; then
	ok "the console log has the console"
else
	fail "no HCPSIG2113I in the console log"
fi
if grep -q 'SOURCE_EOF ZVMOPER' "$tmp/log"; then ok "the console's end is an event"; else fail "no SOURCE_EOF"; fi

tap_end
