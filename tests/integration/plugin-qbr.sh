#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/plugin-qbr.sh - the shipped plugin quiesce-backup-
# restart (plugins/lua/quiesce-backup-restart.lua) in the real daemon,
# against a simulated console (tests/sim/guest-console) that outlives it:
# the simulator appends its console lines to a file vigild follows
# (DEFSRC TYPE FILE) and takes commands through a DEFENV PREFIX that
# appends them to its command file, which is also the log of every
# command issued.  Covered: the happy path (commands in order, each once,
# the summary to the notify action, the steps in `vigil workflows` and
# `vigil workflow show`, a second request for a running guest joins it,
# a guest outside `allow` is refused); a guest that ignores the shutdown
# signal is forced (and with force=none, is neither backed up nor
# restarted); a failed backup restarts the guest and says FAILED; a
# backup that never ends asks the operator (`vigil confirm`: no leaves it
# down, yes restarts it); a list of guests in sequence and two at a time;
# kill -9 of vigild while it waits for the guest to stop (the answer
# comes while it is down) and again while it waits for the backup, each
# followed by a restart that finishes the workflow with no command issued
# twice, and kill -9 while a command is under way (not issued again after
# the restart); and the shipped Linux configuration (virsh, systemctl, a verify
# command) as written in rules/examples/quiesce-backup-restart-linux.rules.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}" "${top_srcdir:?}"
sim=$top_srcdir/tests/sim/guest-console
plugin=$top_srcdir/plugins/lua/quiesce-backup-restart.lua
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

# Short timeouts: none of them is reached unless a case means it to be.
short='shutdown_timeout=5 force_timeout=5 backup_timeout=5 up_timeout=5'

# setup DIR CONFIG [SIMULATOR-OPTIONS...]: DIR with its rules and the
# simulator running.  The plugin's CONFIG gets env=SIM notify=NOTE first.
setup() {
	local d=$tmp/$1 config=$2
	shift 2
	mkdir -p "$d/sim"
	cat >"$d/r.rules" <<RULES
DEFSRC NAME CONS TYPE FILE PATH $d/sim/console.log FORMAT PLAIN
DEFENV NAME SIM PREFIX '$sim --send $d/sim'
DEFACTN NAME NOTE COMMAND 'echo &P >>$d/notes' ENV SHELL
PLUGIN NAME QBR FILE $plugin CONFIG 'env=SIM notify=NOTE $config'
RULES
	"$sim" --serve "$d/sim" "$@" &
	pids+=($!)
	disown $!
	while [ ! -e "$d/sim/console.log" ]; do sleep 0.1; done
}
# daemon DIR: vigild on DIR's rules, in the background ($dpid).
daemon() {
	local d=$tmp/$1 n
	n=$(grep -c DAEMON_STARTED "$d/log" 2>/dev/null)
	"$VIGILD" -c "$d/r.rules" -D "$d/st" -S "$d/sock" >>"$d/log" 2>&1 &
	dpid=$!
	pids+=("$dpid")
	wait_lines "$d/log" DAEMON_STARTED $((${n:-0} + 1)) ||
		fail "$1: the daemon did not start"
}
# finish DIR: stop the daemon of DIR.
finish() {
	"$VIGIL" -S "$tmp/$1/sock" shutdown >/dev/null 2>&1
	wait "$dpid" 2>/dev/null
}
v() {	# v DIR ARGS...: the client on DIR's daemon
	local d=$tmp/$1
	shift
	"$VIGIL" -S "$d/sock" "$@"
}
cmds() {	# cmds DIR: the commands issued, one per line, joined by |
	tr '\n' '|' <"$tmp/$1/sim/commands"
}
# no_dups DESCRIPTION DIR: no command was issued twice.
no_dups() {
	local d
	d=$(sort "$tmp/$2/sim/commands" | uniq -d)
	if [ -z "$d" ]; then ok "$1"; else fail "$1: issued twice: $d"; fi
}
# wf_of DIR GUEST: the id of the workflow the request for GUEST started.
wf_of() {
	sed -n "s/.*plugin QBR: requested by [A-Z]* $2: workflow \([0-9]*\)$/\1/p" \
		"$tmp/$1/log" | head -1
}
# wait_wf DIR REGEX: up to 5 s for `vigil workflows` to show REGEX (the
# listing is left in DIR/wfs).
wait_wf() {
	local _
	for _ in $(seq 50); do
		"$VIGIL" -S "$tmp/$1/sock" workflows >"$tmp/$1/wfs" 2>&1
		grep -q -- "$2" "$tmp/$1/wfs" && return 0
		sleep 0.1
	done
	return 1
}
# line_of DIR TEXT: the number of the command line holding TEXT.
line_of() {
	grep -nF -- "$2" "$tmp/$1/sim/commands" | head -1 | cut -d: -f1
}

# --- the happy path -------------------------------------------------------
setup happy "$short allow=BKR*"
daemon happy
v happy inject 'VIGIL BACKUP BKRLNXD' >/dev/null
v happy inject 'VIGIL BACKUP BKRLNXD' >/dev/null
v happy inject 'VIGIL BACKUP MAINT' >/dev/null
wait_for happy/notes "QBR BKRLNXD" || fail "happy: no summary came"
is "happy path: shutdown, backup, restart, in order, each once" \
	"$(cmds happy)" \
	"CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|CP SMSG BKRBKUP SUBMIT BKRLNXD|CP XAUTOLOG BKRLNXD|"
has "  ... the notify action gets the summary, OK" happy/notes "QBR BKRLNXD OK: shutdown "
has "  ... with the time of the shutdown by signal" happy/notes "s (signal), backup "
has "  ... of the backup and of the restart" happy/notes "s (complete), restart "
has "  ... and the total" happy/notes "s (up); total "
is "  ... one summary" "$(wc -l <happy/notes)" 1
has "a second request for the same guest joins the running workflow" \
	happy/log "requested by INJECT BKRLNXD: workflow $(wf_of happy BKRLNXD) (already under way)"
has "a guest outside allow= is refused" happy/log \
	"requested by INJECT MAINT: MAINT is not allowed (allow=BKR*); nothing done"
id=$(wf_of happy BKRLNXD)
wait_for happy/log "WORKFLOW_DONE QBR workflow $id"
v happy workflows --all >happy/wfs
has "vigil workflows shows it done" happy/wfs "qbr"
has "  ... at its last step" happy/wfs "notify"
is "  ... and only it" "$(grep -c ' qbr ' happy/wfs)" 1
v happy workflow show "$id" >happy/show
has "workflow show: the key is the guest" happy/show "key:      BKRLNXD"
has "  ... the shutdown step" happy/show "shutdown BKRLNXD"
has "  ... the wait for the termination message" happy/show \
	"match=*HCPSIG2113I User BKRLNXD has reported successful termination*"
has "  ... the backup step" happy/show "wait for the backup of BKRLNXD"
has "  ... the restart step" happy/show "restart BKRLNXD"
has "  ... the logon wait" happy/show "wait for BKRLNXD to log on"
has "  ... and the result" happy/show '["ok"]=true'
finish happy

# --- the guest ignores the signal: CP FORCE ----------------------------------
setup force "$short shutdown_timeout=1" --hang BKRLNXD
daemon force
v force inject 'VIGIL BACKUP BKRLNXD' >/dev/null
wait_for force/notes "QBR BKRLNXD" || fail "force: no summary came"
is "no termination message: CP FORCE, then backup and restart" "$(cmds force)" \
	"CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|CP FORCE BKRLNXD|CP SMSG BKRBKUP SUBMIT BKRLNXD|CP XAUTOLOG BKRLNXD|"
has "  ... the summary says it was forced" force/notes "QBR BKRLNXD OK: shutdown "
has "  ... forced" force/notes "s (forced), backup "
v force workflow show "$(wf_of force BKRLNXD)" >force/show
has "  ... workflow show has the force step" force/show "force BKRLNXD"
has "  ... and the wait for the logoff" force/show "match=*LOGOFF AS *BKRLNXD *"
finish force

# --- the guest does not stop and must not be forced: nothing more ------------------
setup stuck "$short shutdown_timeout=1 force=none" --hang BKRLNXD
daemon stuck
v stuck inject 'VIGIL BACKUP BKRLNXD' >/dev/null
wait_for stuck/notes "QBR BKRLNXD" || fail "stuck: no summary came"
is "a guest that does not stop (force=none): no backup, no restart" \
	"$(cmds stuck)" "CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|"
has "  ... the summary says FAILED and why" stuck/notes \
	"QBR BKRLNXD FAILED (BKRLNXD did not stop within 1s; not backed up, not restarted): shutdown "
finish stuck

# --- backup failure: restarted anyway; two guests in sequence ------------------
setup failed "$short" --fail BKRLNXD
daemon failed
v failed inject 'VIGIL BACKUP BKRLNXD BKRLNXE' >/dev/null
wait_for failed/notes "QBR batch" || fail "failed: no batch summary came"
is "a batch of two in sequence: each guest's commands in turn" "$(cmds failed)" \
	"CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|CP SMSG BKRBKUP SUBMIT BKRLNXD|CP XAUTOLOG BKRLNXD|CP SIGNAL SHUTDOWN BKRLNXE WITHIN 120|CP SMSG BKRBKUP SUBMIT BKRLNXE|CP XAUTOLOG BKRLNXE|"
has "a failed backup: the summary says FAILED and why" failed/notes \
	"QBR BKRLNXD FAILED (backup failed:  * MSG FROM BKRWRK01: BACKUP FAILED - BKRLNXD RC=8; restarted anyway): "
has "  ... and the guest was restarted (on_backup_failure=restart)" \
	failed/notes "s (failed), restart "
has "the other guest is OK" failed/notes "QBR BKRLNXE OK: "
has "the batch's summary names both" failed/notes \
	"QBR batch 1 FAILED: BKRLNXD FAILED, BKRLNXE OK; total "
is "  ... three summaries" "$(wc -l <failed/notes)" 3
v failed workflows --all >failed/wfs
is "  ... one workflow per guest and the batch" \
	"$(grep -cE ' qbr(-batch)? ' failed/wfs)" 3
finish failed

# --- backup that never ends: the operator decides ------------------------------
setup ask "$short backup_timeout=1 on_backup_failure=ask ask_timeout=30 parallel=2" \
	--stall BKRA --stall BKRB
daemon ask
v ask inject 'VIGIL BACKUP BKRA BKRB' >/dev/null
wait_lines ask/log "CONFIRM_WAITING" 2 || fail "ask: no two confirmations asked"
ida=$(sed -n 's/.*CONFIRM_WAITING QBR workflow \([0-9]*\) asks: QBR: no end of the backup within 1s; restart BKRA anyway.*/\1/p' ask/log | head -1)
idb=$(sed -n 's/.*CONFIRM_WAITING QBR workflow \([0-9]*\) asks: QBR: no end of the backup within 1s; restart BKRB anyway.*/\1/p' ask/log | head -1)
v ask workflows >ask/wfs
has "vigil workflows shows the question" ask/wfs "ask whether to restart BKRA"
v ask confirm "${ida:-0}" no >/dev/null
is "vigil confirm no: accepted" "$?" 0
v ask confirm "${idb:-0}" yes >/dev/null
is "vigil confirm yes: accepted" "$?" 0
wait_for ask/notes "QBR batch" || fail "ask: no batch summary came"
has "backup timeout, answered no: FAILED, left down" ask/notes \
	"QBR BKRA FAILED (no end of the backup within 1s; left down): shutdown "
has "backup timeout, answered yes: FAILED, restarted" ask/notes \
	"QBR BKRB FAILED (no end of the backup within 1s; restarted anyway): shutdown "
is "  ... no restart of the guest left down" "$(grep -c 'XAUTOLOG BKRA' ask/sim/commands)" 0
is "  ... one restart of the other" "$(grep -c 'XAUTOLOG BKRB' ask/sim/commands)" 1
finish ask

# --- three guests, two at a time ----------------------------------------------
setup par "$short parallel=2"
daemon par
v par inject 'VIGIL BACKUP G1 G2 G3' >/dev/null
wait_for par/notes "QBR batch" || fail "par: no batch summary came"
has "two at a time: all three backed up and restarted" par/notes \
	"QBR batch OK: G1 OK, G2 OK, G3 OK; total "
for g in G1 G2 G3; do
	is "  ... $g: each command once" \
		"$(grep -c " $g" par/sim/commands)" 3
done
s2=$(line_of par "SHUTDOWN G2")
r1=$(line_of par "XAUTOLOG G1")
r2=$(line_of par "XAUTOLOG G2")
s3=$(line_of par "SHUTDOWN G3")
first=$r1
[ "${r2:-99}" -lt "${first:-99}" ] && first=$r2
if [ "${s2:-99}" -lt "${first:-99}" ]; then
	ok "  ... G1 and G2 run together"
else
	fail "  ... G2 did not start before G1 ended: $(cmds par)"
fi
if [ "${s3:-0}" -gt "${first:-99}" ]; then
	ok "  ... G3 waits for one of them"
else
	fail "  ... G3 started before a place was free: $(cmds par)"
fi
finish par

# --- kill -9 in the middle, twice ----------------------------------------------
setup crash "shutdown_timeout=30 backup_timeout=30 up_timeout=10" \
	--hold-stop BKRLNXD --hold BKRLNXD
daemon crash
v crash inject 'VIGIL BACKUP BKRLNXD' >/dev/null
wait_for crash/sim/commands "SIGNAL SHUTDOWN BKRLNXD"
wait_for crash/log "plugin QBR: requested by"
wait_wf crash "waiting .*wait for BKRLNXD to stop"
has "the workflow waits for the guest to stop" crash/wfs "wait for BKRLNXD to stop"
# No pause before the kill: a new file source saves where it starts at
# once, so the lines written while the daemon is down are read after.
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
# The guest stops while vigild is down: its message waits in the file.
touch crash/sim/release-stop-BKRLNXD
wait_for crash/sim/console.log "LOGOFF AS  BKRLNXD"
daemon crash
has "restarted after kill -9: the workflow resumes" crash/log \
	"plugin QBR: resuming 1 unfinished workflows"
wait_for crash/sim/commands "SUBMIT BKRLNXD" ||
	fail "after the first restart the backup was not started"
wait_wf crash "wait for the backup of BKRLNXD"
has "the workflow waits for the backup" crash/wfs "wait for the backup of BKRLNXD"
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
daemon crash
wait_lines crash/log "resuming 1 unfinished workflows" 2 ||
	fail "the second restart did not resume the workflow"
wait_wf crash "wait for the backup of BKRLNXD"
has "  ... and waits for the backup again" crash/wfs "wait for the backup of BKRLNXD"
touch crash/sim/release-backup-BKRLNXD
wait_for crash/notes "QBR BKRLNXD" || fail "crash: no summary came"
is "after two kill -9: every command once, in order" "$(cmds crash)" \
	"CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|CP SMSG BKRBKUP SUBMIT BKRLNXD|CP XAUTOLOG BKRLNXD|"
no_dups "  ... none issued twice" crash
has "  ... the summary says OK" crash/notes "QBR BKRLNXD OK: shutdown "
is "  ... one summary" "$(wc -l <crash/notes)" 1
id=$(wf_of crash BKRLNXD)
wait_for crash/log "WORKFLOW_DONE QBR workflow $id"
v crash workflow show "$id" >crash/show
has "  ... the workflow is done" crash/show "workflow $id: QBR qbr, done"
finish crash

# --- kill -9 while a command is under way ------------------------------------------
# The backup command was given but has not ended when vigild dies: after
# the restart it is not given again, and the workflow waits for its end.
setup crashrun "$short backup_timeout=30" --hold BKRLNXD
echo SUBMIT >crashrun/sim/block-send
daemon crashrun
v crashrun inject 'VIGIL BACKUP BKRLNXD' >/dev/null
wait_for crashrun/sim/commands "SUBMIT BKRLNXD"
wait_wf crashrun "running .*backup BKRLNXD"
has "the workflow runs the backup command" crashrun/wfs "backup BKRLNXD"
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
rm -f crashrun/sim/block-send
daemon crashrun
wait_wf crashrun "waiting .*wait for the backup of BKRLNXD"
has "restarted: the workflow still waits for the backup's end" crashrun/wfs \
	"wait for the backup of BKRLNXD"
touch crashrun/sim/release-backup-BKRLNXD
wait_for crashrun/log "not issued again"
has "  ... and does not issue the command under way again" crashrun/log \
	"plugin QBR: BKRLNXD: backup was under way when vigild stopped; not issued again"
wait_for crashrun/notes "QBR BKRLNXD" || fail "crashrun: no summary came"
is "  ... every command once, in order" "$(cmds crashrun)" \
	"CP SIGNAL SHUTDOWN BKRLNXD WITHIN 120|CP SMSG BKRBKUP SUBMIT BKRLNXD|CP XAUTOLOG BKRLNXD|"
has "  ... the summary says OK" crashrun/notes "QBR BKRLNXD OK: shutdown "
finish crashrun

# --- the shipped Linux configuration ---------------------------------------------
# Its PLUGIN statement as written, with FILE made absolute; HOST and
# QBRNOTE are this test's.
mkdir -p linux/sim
{
	echo "DEFSRC NAME JOURNAL TYPE FILE PATH $tmp/linux/sim/console.log FORMAT PLAIN"
	echo "DEFENV NAME HOST PREFIX '$sim --send $tmp/linux/sim'"
	echo "DEFACTN NAME QBRNOTE COMMAND 'echo &P >>$tmp/linux/notes' ENV SHELL"
	awk '/^PLUGIN /{p=1} p{print} p && !/\+ *$/{exit}' \
		"$top_srcdir/rules/examples/quiesce-backup-restart-linux.rules" |
		sed "s|FILE [^ ]*|FILE $plugin|"
} >linux/r.rules
"$sim" --serve "$tmp/linux/sim" &
pids+=($!)
disown $!
while [ ! -e linux/sim/console.log ]; do sleep 0.1; done
daemon linux
v linux inject --source QBRREQ 'VIGIL BACKUP web01' >/dev/null
wait_for linux/notes "QBR web01" || fail "linux: no summary came"
is "Linux: virsh and systemctl, the verify command last" "$(cmds linux)" \
	"virsh shutdown web01|systemctl start --no-block backup@web01.service|virsh start web01|virsh domstate web01|"
has "  ... the summary says OK" linux/notes "QBR web01 OK: shutdown "
v linux inject 'VIGIL BACKUP web02' >/dev/null
v linux inject --source QBRREQ 'VIGIL BACKUP web03' >/dev/null
wait_for linux/log "requested by QBRREQ web03"
is "  ... a request from another source is not heard (trigger_source)" \
	"$(grep -c web02 linux/sim/commands)" 0
wait_for linux/notes "QBR web03"
finish linux

tap_end
