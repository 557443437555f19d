#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/monitors.sh - DEFSMON, DEFPMON and DEFMMON in the real
# daemon, with probes that are small scripts of the test directory
# printing z/VM-like output from files the test changes: USAGE fires at
# 90% and not at 50%, with the reference's fields; INCREASE fires on a
# jump and not on a small rise; the built-in probes run through the
# PREFIX of DEFENV LVM (a fake vmcp) as "QUERY ALLOC PAGE" and "QUERY USER
# userid", without "CP"; DEFMMON fires its XAUTOLOG-like action when CP
# says HCPCQU045E (vmcp's exit 1) and not while the user is logged on
# (DSC), and LIMIT thins the repeats; a probe that exits 3 with garbage,
# one that hangs past its timeout, and one whose output has no usage
# raise MONITOR_FAILED (which a DEFEMON sees) and fire nothing; HOURS
# keeps a monitor from checking outside its hours; a
# reload keeps the monitors running.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
export TZ=UTC
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

# probe FILE: print FILE, count the run in FILE.runs, exit with FILE.rc.
cat >probe <<'SH'
#!/bin/sh
echo run >>"$1.runs"
cat "$1"
exit "$(cat "$1.rc" 2>/dev/null || echo 0)"
SH
# A vmcp for the built-in probes: what it was asked goes to vmcp.args.
cat >vmcp <<'SH'
#!/bin/sh
d=$(dirname "$0")
echo "$*" >>"$d/vmcp.args"
case "$*" in
"QUERY ALLOC PAGE") f=$d/page ;;
"QUERY USER BKRLNXD") f=$d/user ;;
*) echo "HCPCQV003E Invalid option - $1"; exit 1 ;;
esac
echo run >>"$f.runs"
cat "$f"
exit "$(cat "$f.rc" 2>/dev/null || echo 0)"
SH
# record ARGS: the fields an action was given, one line per firing.
cat >record <<'SH'
#!/bin/sh
echo "$*" >>"$(dirname "$0")/fired.log"
SH
chmod +x probe vmcp record
: >fired.log

spool() {	# spool PERCENT: what QUERY ALLOC SPOOL says
	cat >"$1" <<EOF
                EXTENT     EXTENT  TOTAL  PAGES   HIGH    %
VOLID  RDEV      START        END  PAGES IN USE   PAGE USED
------ ---- ---------- ---------- ------ ------ ------ ----
540SPL 9028          1      10016  1761K 357279  1593K  $2%
                                  ------ ------        ----
SUMMARY                            1761K 357279         $2%
USABLE                             1761K 357279         $2%
EOF
}
runs() { [ -f "$1.runs" ] && wc -l <"$1.runs" || echo 0; }
# wait_runs FILE N: up to 20 s for N more probe runs of FILE.
wait_runs() {
	local want=$(( $(runs "$1") + $2 )) i
	for i in $(seq 200); do
		[ "$(runs "$1")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}
fired() { grep -c -- "^$1 " fired.log; }

spool spool 50
spool incr 20
spool night 99
spool page 95
echo 'BKRLNXD  - DSC' >user
echo garbage >broken
echo 3 >broken.rc
echo 'no percentage here' >nousage

# An hour twelve hours away from now.
away=$(( (10#$(date -u +%H) + 12) % 24 ))
cat >m.rules <<RULES
DEFENV NAME LVM TYPE EXEC PREFIX '$tmp/vmcp'
DEFENV NAME PLAIN TYPE EXEC
DEFACTN NAME REC COMMAND '$tmp/record &0 &1 &2 &3 &4 &5 &6 &7 &8' ENV PLAIN
DEFSMON NAME SPOOL85 USAGE 085-100 INTERVAL 1s +
        PROBE '$tmp/probe $tmp/spool' ACTION REC ENV PLAIN
DEFSMON NAME JUMP INCREASE 010-100 INTERVAL 1s +
        PROBE '$tmp/probe $tmp/incr' ACTION REC ENV PLAIN
DEFPMON NAME PAGE90 USAGE 090-100 INTERVAL 1s ACTION REC LIMIT 1,1h
DEFMMON NAME GUESTUP USER BKRLNXD INTERVAL 1s ACTION XAUTO LIMIT 2,1h
DEFACTN NAME XAUTO COMMAND '$tmp/record XAUTOLOG &3 &0 &1 &2 &4 &5' +
        ENV PLAIN
DEFSMON NAME BROKEN USAGE 000-100 INTERVAL 1s +
        PROBE '$tmp/probe $tmp/broken' ACTION REC ENV PLAIN
DEFSMON NAME NOUSAGE USAGE 000-100 INTERVAL 1s +
        PROBE '$tmp/probe $tmp/nousage' ACTION REC ENV PLAIN
DEFSMON NAME SLOW USAGE 000-100 INTERVAL 1s PROBE '/bin/sleep 30' +
        ACTION REC ENV PLAIN
DEFSMON NAME NIGHT USAGE 000-100 HOURS $away INTERVAL 1s +
        PROBE '$tmp/probe $tmp/night' ACTION REC ENV PLAIN
DEFEMON NAME MFAIL EVENT MONITOR_FAILED ACTION RECEV
DEFACTN NAME RECEV COMMAND '$tmp/record &0 &R &2 &3' ENV PLAIN
RULES

mkfifo in
"$VIGILD" -c m.rules -D st <in >out 2>log &
pid=$!
pids+=("$pid")
exec 3>in
wait_for log "DAEMON_STARTED" || fail "the daemon did not start"
has "the monitors start" log "monitors started"

# --- DEFSMON USAGE ------------------------------------------------------
wait_runs spool 3 || fail "the spool probe does not run every second"
is "USAGE 085-100: nothing at 50% (three checks)" "$(fired "SPOOL SPOOL85")" 0
spool spool 90
wait_lines fired.log "^SPOOL SPOOL85 " 1 &&
    ok "USAGE 085-100: fires at 90%" || fail "no firing at 90%"
is "  ... with &0 SPOOL &1 monitor &2 action &3 USAGE &4 usage &5 increase &6 &7 - &8 interval" \
	"$(grep -m1 "^SPOOL SPOOL85 " fired.log)" "SPOOL SPOOL85 REC USAGE 90 40 - - 1s"
spool spool 50
wait_runs spool 2
before=$(fired "SPOOL SPOOL85")
wait_runs spool 2
is "  ... and stops when the usage falls" "$(fired "SPOOL SPOOL85")" "$before"

# --- DEFSMON INCREASE ---------------------------------------------------
wait_runs incr 2
spool incr 25
wait_runs incr 3
is "INCREASE 010-100: nothing for a rise of 5" "$(fired "SPOOL JUMP")" 0
spool incr 60
wait_lines fired.log "^SPOOL JUMP " 1 &&
    ok "INCREASE 010-100: fires on a jump of 35" || fail "no firing on the jump"
is "  ... with &3 INCREASE, the usage and the increase" \
	"$(grep -m1 "^SPOOL JUMP " fired.log)" "SPOOL JUMP REC INCREASE 60 35 - - 1s"
wait_runs incr 2
is "  ... once: no increase after it" "$(fired "SPOOL JUMP")" 1

# --- DEFPMON: the built-in probe through DEFENV LVM's PREFIX ----------
wait_lines fired.log "^PAGE PAGE90 " 1 &&
    ok "DEFPMON: the built-in probe, 95% fires USAGE 090-100" || fail "PAGE90 never fired"
is "  ... with &0 PAGE" "$(grep -m1 "^PAGE PAGE90 " fired.log)" "PAGE PAGE90 REC USAGE 95 - - - 1s"
has "  ... the probe is PREFIX + 'QUERY ALLOC PAGE', no CP" vmcp.args "QUERY ALLOC PAGE"
wait_runs page 2
is "  ... LIMIT 1,1h: once, however many checks" "$(fired "PAGE PAGE90")" 1

# --- DEFMMON ------------------------------------------------------------
wait_runs user 3
is "DEFMMON: nothing while the user is logged on (DSC)" "$(fired XAUTOLOG)" 0
has "  ... the probe is PREFIX + 'QUERY USER BKRLNXD', no CP" vmcp.args "QUERY USER BKRLNXD"
printf '%s\n' 'HCPCQU045E BKRLNXD not logged on' \
	"Error: non-zero CP response for command 'QUERY USER BKRLNXD': #45" >user
echo 1 >user.rc
wait_lines fired.log "^XAUTOLOG " 1 &&
    ok "DEFMMON: fires when CP says HCPCQU045E (vmcp exit 1)" || fail "GUESTUP never fired"
is "  ... with &0 MACHINE &1 monitor &2 action &3 user &4 OFF &5 interval" \
	"$(grep -m1 "^XAUTOLOG " fired.log)" "XAUTOLOG BKRLNXD MACHINE GUESTUP XAUTO OFF 1s"
wait_runs user 3
is "  ... again at the next check, then LIMIT 2,1h holds it" "$(fired XAUTOLOG)" 2
has "  ... and says so" log "ACTION_LIMITED GUESTUP"
echo 'BKRLNXD  - DSC' >user
rm -f user.rc

# --- failures -------------------------------------------------------------
wait_lines fired.log "MFAIL MONITOR_FAILED BROKEN" 1 &&
    ok "a probe exiting 3 with garbage raises MONITOR_FAILED" || fail "no MONITOR_FAILED for BROKEN"
has "  ... which says why" log "probe $tmp/probe failed: exit 3: 'garbage'"
is "  ... and fires nothing (USAGE 000-100 would)" "$(fired 'SPOOL BROKEN')" 0
wait_lines fired.log "MFAIL MONITOR_FAILED NOUSAGE" 1 &&
    ok "an output without a usage raises MONITOR_FAILED" || fail "no MONITOR_FAILED for NOUSAGE"
has "  ... no SUMMARY line" log "no usage in its output (no SUMMARY line"
is "  ... and fires nothing" "$(fired 'SPOOL NOUSAGE')" 0
wait_lines fired.log "MFAIL MONITOR_FAILED SLOW" 1 &&
    ok "a probe that hangs is killed at its timeout: MONITOR_FAILED" || fail "no MONITOR_FAILED for SLOW"
has "  ... killed at the interval" log "killed at its timeout of 1 s"
is "  ... and fires nothing" "$(fired 'SPOOL SLOW')" 0

# --- HOURS ------------------------------------------------------------------
is "HOURS $away, twelve hours from now: the probe never runs" "$(runs night)" 0
is "  ... and nothing fires" "$(fired "SPOOL NIGHT")" 0

# --- a reload -----------------------------------------------------------
kill -HUP "$pid"
wait_for log "RELOAD_DONE" || fail "no reload"
spool spool 95
wait_lines fired.log "SPOOL SPOOL85 REC USAGE 95" 1 &&
    ok "after a reload the monitors still check" || fail "nothing after the reload"
is "  ... and the previous usage carried over (&5 45)" \
	"$(grep -m1 "^SPOOL SPOOL85 REC USAGE 95" fired.log)" "SPOOL SPOOL85 REC USAGE 95 45 - - 1s"

exec 3>&-
kill -TERM "$pid"; wait "$pid"
is "the daemon stops cleanly with probes running" "$?" 0
grep -E 'probe|monitor' log | head -20 | sed 's/^/# /'

tap_end
