#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/src-pty.sh - the real vigild running a console program
# under a pseudo-terminal (DEFSRC TYPE PTY): its output lines are
# messages; an action with a DEFENV TYPE SOURCE environment types a
# command into it and the answer fires another rule; the commands typed
# are not echoed back as messages; the program gets a terminal of 132x43
# without echo, TERM=dumb, an allow-listed environment and no descriptor
# but the terminal; its exit ends the daemon with --once and restarts it
# otherwise; a program that cannot be run is reported; a program that
# ignores SIGTERM is killed when the daemon stops, nothing left behind.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1


# A console: says it is ready, answers PING with PONG, stops on QUIT.
cat >console.sh <<'EOF'
#!/bin/sh
echo "CONSOLE READY $$"
while read -r cmd arg; do
	case $cmd in
	PING) echo "PONG $arg";;
	QUIT) echo "BYE"; exit 0;;
	*) echo "UNKNOWN $cmd";;
	esac
done
EOF
chmod +x console.sh

# --- a conversation, then --once ends with the program --------------------
cat >p.rules <<RULES
DEFSRC NAME CONS TYPE PTY PROGRAM '$tmp/console.sh' FORMAT PLAIN
DEFENV NAME CONS TYPE SOURCE SOURCE CONS
DEFRULE NAME READY MATCH 'CONSOLE READY *' SOURCE CONS ACTION PING
DEFACTN NAME PING COMMAND 'PING &3' ENV CONS
DEFRULE NAME PONG MATCH 'PONG *' SOURCE CONS ACTION PONG
DEFACTN NAME PONG COMMAND 'sh -c "echo \$1 >>$tmp/pong" sh &2' NEXTACTN QUIT
DEFACTN NAME QUIT COMMAND 'QUIT' ENV CONS
DEFRULE NAME ECHOED MATCH 'PING *' SOURCE CONS ACTION ECHOED
DEFACTN NAME ECHOED COMMAND 'touch $tmp/echoed'
RULES
FOO=not-for-the-console timeout 30 "$VIGILD" -c p.rules -D state --once \
	>log 2>&1 </dev/null
is "--once: the program's exit ends the daemon, exit 0" "$?" 0
has "the start is an event with the pid" log "SOURCE_CONNECTED CONS '$tmp/console.sh' started, pid"
cpid=$(sed -n 's/.*SOURCE_CONNECTED CONS .* started, pid \([0-9]*\).*/\1/p' log)
has "the command went to the console" log "console command to 'PING $cpid'"
is "its answer fired the second rule" "$(cat pong 2>/dev/null)" "$cpid"
[ ! -e echoed ] && ok "the command typed was not echoed back as a message" ||
	fail "the terminal echoed the command"
has "the end is an event" log "SOURCE_EOF CONS '$tmp/console.sh' (pid $cpid) exited 0; the source has ended"

# --- what the program gets -------------------------------------------------
# (ls -m to the terminal: a redirection would make sh itself save fd 1.)
cat >env.rules <<RULES
DEFSRC NAME ENVP TYPE PTY FORMAT PLAIN +
  PROGRAM 'sh -c "ls -m /proc/\$\$/fd; env >$tmp/env; stty -a >$tmp/stty"'
DEFRULE NAME FDS MATCH '0, *' SOURCE ENVP ACTION FDS
DEFACTN NAME FDS COMMAND 'sh -c "echo ""\$1"" >$tmp/fds" sh &T'
RULES
FOO=not-for-the-console timeout 30 "$VIGILD" -c env.rules -D state2 --once \
	>env.log 2>&1 </dev/null
is "the program's descriptors are the terminal's only" \
	"$(cat fds 2>/dev/null)" "0, 1, 2"
has "TERM is dumb" env "TERM=dumb"
grep -q FOO env && fail "the daemon's environment leaked: FOO" ||
	ok "the environment is an allow list"
has "the terminal has no echo" stty " -echo "
has "  ... is canonical" stty " icanon "
has "  ... and 132x43" stty "rows 43; columns 132"

# --- without --once, a program that exits is started again ------------------
cat >r.rules <<RULES
DEFSRC NAME SHORT TYPE PTY PROGRAM 'sh -c "echo short-lived; exit 3"' FORMAT PLAIN
DEFSRC NAME NOPROG TYPE PTY PROGRAM '$tmp/no-such-program arg'
DEFSRC NAME STUBBORN TYPE PTY FORMAT PLAIN +
  PROGRAM '$tmp/stubborn.sh'
RULES
cat >stubborn.sh <<'EOF'
#!/bin/sh
trap '' TERM HUP
echo stubborn
while :; do sleep 1; done
EOF
chmod +x stubborn.sh
"$VIGILD" -c r.rules -D state3 >r.log 2>&1 </dev/null &
pid=$!
pids+=("$pid")
for i in $(seq 100); do
	[ "$(grep -c 'SOURCE_CONNECTED SHORT' r.log)" -ge 2 ] && break
	sleep 0.1
done
is "the program is restarted after it exits" \
	"$(grep -c 'SOURCE_CONNECTED SHORT' r.log)" 2
has "  ... after a backoff, said in the event" r.log "exited 3; restarting it in 1 s"
for i in $(seq 100); do
	grep 'SOURCE_EOF SHORT' r.log | grep -q 'restarting it in 2 s' && break
	sleep 0.1
done
grep 'SOURCE_EOF SHORT' r.log | grep -q 'restarting it in 2 s' &&
	ok "  ... which doubles" || fail "no second backoff of 2 s for SHORT"
has "a program that cannot be run: exit 127 and why" r.log \
	"exited 127: cannot run '$tmp/no-such-program': No such file or directory"
wait_for r.log "SOURCE_CONNECTED STUBBORN" || fail "STUBBORN did not start"
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
has "a program that ignores SIGTERM is killed" r.log "did not stop on SIGTERM; killing it"
sleep 0.2
if pgrep -f "$tmp/stubborn.sh" >/dev/null; then
	fail "processes left behind: $(pgrep -af "$tmp/")"
else
	ok "nothing is left behind"
fi

# --- a command that cannot be typed ----------------------------------------
cat >bad.rules <<RULES
DEFSRC NAME QUIET TYPE PTY PROGRAM 'sleep 3' FORMAT PLAIN
DEFENV NAME QUIET TYPE SOURCE SOURCE QUIET
DEFRULE NAME GO MATCH 'GO*' ACTION LONG
DEFACTN NAME LONG COMMAND 'x&T' ENV QUIET
RULES
head -c 5000 /dev/zero | tr '\0' 'y' | sed 's/^/GO/' >go
echo >>go
cat >bad2.rules <<RULES
$(cat bad.rules)
DEFSRC NAME GOFILE TYPE FILE PATH $tmp/go FORMAT PLAIN
RULES
timeout 30 "$VIGILD" -c bad2.rules -D state4 --once >bad.log 2>&1 </dev/null
is "--once with a long command: exit 0" "$?" 0
has "a command longer than a terminal line is refused, with why" bad.log \
	"command refused: 5003 bytes, more than a terminal line holds"

tap_end
