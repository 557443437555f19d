#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/control.sh - the control socket of the real daemon
# through the real client (and raw clients in Python for what the client
# never does): where the socket may live (a directory others can write
# to, a live socket, a file that is not a socket: refused; a stale socket:
# reused; a missing directory: created 0750, the socket 0660; removed at
# stop); the client's exit statuses (0, 2 for an unknown command, 3 when
# the daemon cannot be reached) and how it finds the socket; 100 clients
# at once while the daemon keeps reading its source; a client that never
# sends is closed at its deadline while others are served; a 10 MB
# request line is refused without the daemon's memory growing; bad
# requests, a half-closed client, too many clients; a client that goes
# away in the middle of a streaming reply, or does not read it, leaves
# the daemon serving the others.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
unset VIGIL_SOCKET

printf 'DEFRULE NAME TICK MATCH *TICK* ACTION NULL\n' >r.rules

# A raw client: what vigil never sends, or a client that misbehaves.
cat >raw.py <<'PY'
import socket, sys, time
mode, path = sys.argv[1], sys.argv[2]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def readall(s):
    data = b''
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        data += b
    return data

out = sys.stdout.buffer
if mode == 'idle':
    # Connect, send nothing: how long until the daemon closes?
    s = conn()
    s.settimeout(120)
    t = time.time()
    d = readall(s)
    out.write(b'closed after %d s, %d bytes\n' % (round(time.time() - t), len(d)))
elif mode == 'big':
    # A 10 MB line: refused as soon as it is too long, never kept.
    s = conn()
    s.settimeout(60)
    chunk = b'x' * 65536
    try:
        for i in range(160):
            s.sendall(chunk)
        s.sendall(b'\n')
    except (BrokenPipeError, ConnectionResetError):
        pass
    out.write(readall(s))
elif mode == 'raw':
    s = conn()
    s.settimeout(30)
    s.sendall(sys.argv[3].encode('latin-1'))
    out.write(readall(s))
elif mode == 'halfclose':
    s = conn()
    s.settimeout(30)
    s.sendall(b'status\n')
    s.shutdown(socket.SHUT_WR)
    out.write(readall(s))
elif mode == 'full':
    # Hold n connections, then one more: refused with a reason.
    n = int(sys.argv[3])
    held = [conn() for i in range(n)]
    time.sleep(0.5)
    s = conn()
    s.settimeout(30)
    out.write(readall(s))
    for h in held:
        h.close()
elif mode == 'noread':
    # A streaming command, and nothing read until the file "go" exists.
    s = conn()
    s.sendall(sys.argv[3].encode('latin-1') + b'\n')
    import os
    while not os.path.exists('go'):
        time.sleep(0.1)
    s.settimeout(30)
    d = readall(s)
    end = d.endswith(b'\n=0\n') or d.endswith(b'\n=1\n')
    out.write(b'read %s, %s\n' % (b'something' if d else b'nothing',
                                  b'an end' if end else b'no end'))
elif mode == 'quit':
    # A streaming command, and away after its first line.
    s = conn()
    s.settimeout(30)
    s.sendall(b'log --follow\n')
    s.recv(1)
    s.close()
    out.write(b'gone\n')
PY

# start NAME [ARGS...]: vigild with its rules, socket NAME.sock, stdin
# from the FIFO NAME.in (kept open on fd 3 by the caller), log NAME.log.
start() {
	local name=$1
	shift
	rm -f "$name.in"
	mkfifo "$name.in"
	"$VIGILD" -c r.rules -D "$name.st" -S "$name.sock" "$@" <"$name.in" \
	    >"$name.out" 2>"$name.log" &
	pid=$!
	pids+=("$pid")
}
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- where the socket may live ------------------------------------------------
mkdir -m 0777 open && chmod 0777 open
timeout 10 "$VIGILD" -c r.rules -D st0 -S open/vigil.sock </dev/null >o 2>e
is "a socket directory writable by others: vigild refuses to start" "$?" 1
has "  ... and says why and what to do" e "writable by group or others, who could put their own socket in its place: chmod go-w open"
[ ! -e open/vigil.sock ] && ok "  ... and creates no socket" || fail "a socket was created in open/"
chmod 0770 open
timeout 10 "$VIGILD" -c r.rules -D st0 -S open/vigil.sock </dev/null >o 2>e
is "a directory writable by its group: refused too" "$?" 1
chmod 1777 open
timeout 10 "$VIGILD" -c r.rules -D st0 -S open/vigil.sock </dev/null >o 2>e
is "a sticky directory like /tmp: refused" "$?" 1
has "  ... with a better way than chmod" e "give the socket a directory of its own, e.g. -S open/vigil/vigil.sock"

touch notsock
timeout 10 "$VIGILD" -c r.rules -D st0 -S notsock </dev/null >o 2>e
is "a path that is not a socket: refused" "$?" 1
has "  ... and left alone" e "control socket notsock exists and is not a socket; it is left alone"
[ -f notsock ] && ok "  ... the file is still there" || fail "notsock was removed"

# A missing directory is created 0750; the socket is 0660.
start a -S new/vigil.sock
exec 3>a.in
wait_for a.log "control: listening on" && ok "vigild listens" || fail "no socket: $(cat a.log)"
is "the missing directory is created 0750" "$(stat -c %a new)" 750
is "the socket is 0660" "$(stat -c %a new/vigil.sock)" 660
"$VIGIL" -S new/vigil.sock status >o 2>e
is "vigil status through it exits 0" "$?" 0
has "  ... and prints the status" o "rules: r.rules"

# A live socket: another vigild is refused, the first keeps serving.
timeout 10 "$VIGILD" -c r.rules -D st1 -S new/vigil.sock </dev/null >o 2>e
is "a live socket: a second vigild refuses to start" "$?" 1
has "  ... naming the socket and why" e "control socket new/vigil.sock is in use by another process (another vigild?)"
"$VIGIL" -S new/vigil.sock status >o 2>e
is "  ... and the first one still answers" "$?" 0

# A stale socket (its daemon killed): reused.
kill -9 "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
[ -S new/vigil.sock ] && ok "a killed daemon leaves its socket behind" || fail "no stale socket"
"$VIGIL" -S new/vigil.sock status >o 2>e
is "a client of the stale socket exits 3" "$?" 3
has "  ... naming the socket" e "vigil: cannot reach vigild at new/vigil.sock: Connection refused"
start a -S new/vigil.sock
exec 3>a.in
wait_for a.log "control: listening on" && ok "a stale socket is reused" || fail "not started: $(cat a.log)"
has "  ... and said so" a.log "control: removed stale socket new/vigil.sock"
"$VIGIL" -S new/vigil.sock status >o 2>e
is "  ... and answers" "$?" 0
kill -TERM "$pid"
wait "$pid"
exec 3>&-
[ ! -e new/vigil.sock ] && ok "the socket is removed at stop" || fail "socket left after stop"

# --- the client -----------------------------------------------------------------
"$VIGIL" -S nowhere/vigil.sock status >o 2>e
is "no daemon: exit 3" "$?" 3
has "  ... with the path and the reason" e "vigil: cannot reach vigild at nowhere/vigil.sock: No such file or directory"
VIGIL_SOCKET=env.sock "$VIGIL" status >o 2>e
is "\$VIGIL_SOCKET names the socket" "$?" 3
has "  ... when there is no -S" e "cannot reach vigild at env.sock"
VIGIL_SOCKET=env.sock "$VIGIL" -S opt.sock status >o 2>e
has "-S wins over \$VIGIL_SOCKET" e "cannot reach vigild at opt.sock"
"$VIGIL" check "$top_srcdir/rules/examples/backup.rules" >o 2>e
is "the offline commands need no daemon" "$?" 0

start m
exec 3>m.in
wait_for m.log "control: listening on" || fail "m not started: $(cat m.log)"
"$VIGIL" -S m.sock status >o 2>e
is "status exits 0" "$?" 0
[ -s o ] && ok "  ... with output" || fail "status printed nothing"
"$VIGIL" -S m.sock status --json >o 2>e
python3 -c 'import json,sys; json.load(open("o"))' 2>/dev/null &&
	ok "status --json is JSON" || fail "status --json: $(head -c 300 o)"
"$VIGIL" -S m.sock frobnicate >o 2>e
is "an unknown command: exit 2" "$?" 2
has "  ... with a message" e "unknown command"
has "each request is logged with who asked" m.log "control: root (uid 0, pid"
VIGIL_SOCKET=m.sock "$VIGIL" status >o 2>e
is "the daemon and the client both read \$VIGIL_SOCKET" "$?" 0

# --- 100 clients at once, while the source keeps coming ---------------------------
(for i in $(seq 2000); do echo "TICK $i"; done >&3) &
feeder=$!
for i in $(seq 100); do
	"$VIGIL" -S m.sock status >"c$i.out" 2>"c$i.err" &
	cpids[i]=$!
done
good=0
for i in $(seq 100); do
	wait "${cpids[i]}" && grep -q '^rules: r.rules' "c$i.out" && good=$((good + 1))
done
wait "$feeder"
is "100 concurrent clients all get their status" "$good" 100
for i in $(seq 50); do
	"$VIGIL" -S m.sock status >o 2>e
	grep -q 'messages: 2000 from sources' o && break
	sleep 0.1
done
has "  ... while the daemon read its source (2000 messages)" o "messages: 2000 from sources"

# --- bad requests ---------------------------------------------------------------
python3 raw.py raw m.sock $'st%zz\n' >o
is "a bad escape is refused with exit 2" "$(cat o)" \
	"!bad request: bad escape at offset 2: '%' must be followed by two hex digits 0-9, A-F (upper case)
=2"
python3 raw.py raw m.sock $'status\r\n' >o
has "a raw CR is refused" o "!bad request: control byte 0x0d at offset 6"
python3 raw.py raw m.sock $'\n' >o
has "an empty request is refused" o "!bad request: empty request"
python3 raw.py halfclose m.sock >o
has "a client that half-closes after its request still gets the reply" o "|rules: r.rules"
[ "$(tail -n 1 o)" = "=0" ] && ok "  ... to its end" || fail "half-close: $(tail -n 2 o)"

# --- a 10 MB request line ----------------------------------------------------------
before=$(rss "$pid")
for i in 1 2 3; do
	python3 raw.py big m.sock >"big$i"
done
after=$(rss "$pid")
is "a 10 MB request is refused (exit 2)" "$(cat big1)" \
	"!request longer than 65536 bytes: refused
=2"
[ $((after - before)) -lt 2048 ] && ok "  ... and the daemon's memory does not grow (RSS $before kB, then $after kB)" ||
	fail "RSS grew from $before kB to $after kB after three 10 MB requests"
"$VIGIL" -S m.sock status >o 2>e
is "  ... and it goes on serving" "$?" 0

# --- a client that goes away mid-reply -----------------------------------------------
python3 raw.py quit m.sock >o
wait_for m.log "): went away" &&
	ok "a client gone in the middle of a streaming reply is noticed" ||
	fail "no 'went away' in the log"
timeout -s INT 1 "$VIGIL" -S m.sock log --follow >o 2>e
is "vigil interrupted while following the log" "$?" 124
wait_for m.log "went away before the end of the reply" &&
	ok "  ... its going is noticed though nothing was being written" ||
	fail "the interrupted follower was not noticed"
"$VIGIL" -S m.sock status >o 2>e
is "  ... and the daemon still serves" "$?" 0
kill -0 "$pid" && ok "  ... and runs" || fail "the daemon died"

# --- a client that does not read --------------------------------------------------------
python3 raw.py noread m.sock 'view STDIN --follow' >noread.out &
nr=$!
sleep 0.5
python3 -c 'import sys
sys.stdout.write(("FLOOD " + "z" * 200 + "\n") * 40000)' >&3
wait_for m.log "dropped: more than 4194304 bytes of output wait and the client does not read them" &&
	ok "a client that does not read its output is dropped at 4 MB" ||
	fail "the client that does not read was not dropped"
"$VIGIL" -S m.sock status >o 2>e
is "  ... and the others are served" "$?" 0
touch go
wait "$nr"
is "  ... it gets what the socket held, and no end" "$(cat noread.out)" "read something, no end"

# --- too many clients -------------------------------------------------------------------
python3 raw.py full m.sock 256 >o
is "client 257 is told and closed" "$(cat o)" \
	"!too many clients: vigild serves at most 256 at once; try again
=1"
sleep 0.3
"$VIGIL" -S m.sock status >o 2>e
is "  ... and once they have gone, clients are served again" "$?" 0
kill -TERM "$pid"
wait "$pid"
is "the daemon stops cleanly" "$?" 0
exec 3>&-

# --- a client that never sends (deadline shortened for the test) --------------------
export VIGILD_TEST_CTL_IDLE=2
start i
unset VIGILD_TEST_CTL_IDLE
exec 3>i.in
wait_for i.log "control: listening on" || fail "i not started: $(cat i.log)"
python3 raw.py idle i.sock >idle.out &
idler=$!
sleep 0.5
"$VIGIL" -S i.sock status >o 2>e
is "while a client sends nothing, others are served" "$?" 0
wait "$idler"
has "the silent client is closed at its deadline" idle.out "closed after 2 s, 0 bytes"
has "  ... and the log says so" i.log "no request within 2 s: closed"
kill -TERM "$pid"
wait "$pid"
exec 3>&-

tap_end
