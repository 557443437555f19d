#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/src-sock.sh - the socket sources of the real vigild
# (engine/src-sock.c) fed by real clients: logger(1) over UDP, over TCP
# with octet counting and with non-transparent framing, to a UNIX
# datagram socket and a UNIX stream socket; python3 clients for plain TCP
# and UNIX streams, ten at once, lines split across writes.  Every message
# must give exactly one action run with its source, user and text.  Also:
# the peer's pid and uid in SOURCE_CONNECTED, the command channel of a
# UNIX source (ENV GOS), the connection limit, backpressure (streams wait,
# UDP drops and counts), and the setup errors: a PATH that is a directory
# or a plain file, a socket or a port a live daemon holds, a stale socket
# (reused).  SIGTERM ends the daemon with status 0 and removes its sockets.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
command -v logger >/dev/null && logger --help 2>&1 | grep -q -- --octet-count ||
	{ echo "1..0 # SKIP logger(1) of util-linux with --octet-count needed"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

count() { grep -c -- "$2" "$1" 2>/dev/null; }

# --- the clients ---------------------------------------------------------
cat >h.py <<'PY'
import os, random, socket, sys, threading, time

def ports(n):
    """n ports free for both TCP and UDP on 127.0.0.1."""
    got = []
    while len(got) < n:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        p = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            t.close()
            u.close()
        if p not in got:
            got.append(p)
    print(" ".join(map(str, got)))

def connect(where):
    if where.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(where)
    else:
        s = socket.create_connection(("127.0.0.1", int(where)))
    return s

def streams(where, clients, lines, tag, eol):
    """clients at once, each lines lines cut at random places, then an
    unfinished line before closing."""
    eol = eol.encode().decode("unicode_escape").encode()
    def one(c):
        rnd = random.Random(c)
        data = b"".join(b"MSG %s c%d n%d%s" % (tag.encode(), c, i, eol)
                        for i in range(lines))
        data += b"MSG %s c%d tail" % (tag.encode(), c)
        s = connect(where)
        off = 0
        while off < len(data):
            k = rnd.randint(1, 40)
            s.sendall(data[off:off + k])
            off += k
            if rnd.random() < 0.1:
                time.sleep(0.001)
        s.close()
    ts = [threading.Thread(target=one, args=(c,)) for c in range(clients)]
    for t in ts: t.start()
    for t in ts: t.join()

def dgram(path, data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(data.encode().decode("unicode_escape").encode(), path)

def console(path, out):
    """Send a message, wait for the command it triggers, say our pid."""
    s = connect(path)
    with open(out + ".pid", "w") as f:
        f.write("%d\n" % os.getpid())
    s.sendall(b"MSG ping 42\n")
    s.settimeout(20)
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(100)
        if not b: break
        got += b
    with open(out, "wb") as f:
        f.write(got)

def stale(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    os._exit(0)     # no unlink: what a crashed daemon leaves

def many(port, n, out):
    """Hold n connections, say when done, then hold until stdin ends."""
    ss = [connect(port) for _ in range(n)]
    time.sleep(0.5)
    alive = 0
    for s in ss:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    with open(out, "w") as f:
        f.write("%d\n" % alive)
    sys.stdin.read()

def flood(port, lines):
    s = connect(port)
    pad = b"x" * 100
    s.sendall(b"".join(b"FLOOD %d %s\n" % (i, pad) for i in range(lines)))
    s.sendall(b"MSG after flood\n")
    s.close()

cmd = sys.argv[1]
if cmd == "ports": ports(int(sys.argv[2]))
elif cmd == "streams": streams(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
elif cmd == "dgram": dgram(sys.argv[2], sys.argv[3])
elif cmd == "console": console(sys.argv[2], sys.argv[3])
elif cmd == "stale": stale(sys.argv[2])
elif cmd == "many": many(sys.argv[2], int(sys.argv[3]), sys.argv[4])
elif cmd == "flood": flood(sys.argv[2], int(sys.argv[3]))
PY

read -r p_udp p_stcp p_tcp p_busy < <(python3 h.py ports 4)
[ -n "$p_busy" ] || { echo "1..0 # SKIP no free ports"; exit 77; }

# rec.sh SOURCE USER TEXT: one line per action run (appends are atomic).
cat >rec.sh <<'SH'
#!/bin/sh
printf '%s|%s|%s\n' "$1" "$2" "$3" >>"${0%/*}/out"
SH
chmod +x rec.sh

cat >s.rules <<RULES
DEFSRC NAME U TYPE UNIX PATH $tmp/u.sock
DEFSRC NAME UD TYPE UNIXDGRAM PATH $tmp/ud.sock
DEFSRC NAME SU TYPE SYSLOG ADDRESS 127.0.0.1:$p_udp
DEFSRC NAME ST TYPE SYSLOG ADDRESS 127.0.0.1:$p_stcp PROTO TCP
DEFSRC NAME T TYPE TCP ADDRESS 127.0.0.1:$p_tcp
DEFRULE NAME MSG MATCH 'MSG *' EXCLUDE 'MSG ping*' ACTION REC
DEFACTN NAME REC COMMAND '$tmp/rec.sh &SOURCE &U &T'
* The command channel: the answer goes back to the UNIX client.
DEFRULE NAME PING MATCH 'MSG ping *' ACTION PONG
DEFACTN NAME PONG COMMAND 'pong &3' ENV GOS
* Backpressure: 5000 jobs waiting pause the sources (VIGILD_PAUSE_AT).
DEFRULE NAME FLOOD MATCH 'FLOOD *' ACTION HOLD
DEFACTN NAME HOLD EMIT 'held &2' DELAY 00:04
RULES

mkdir st
"$VIGILD" -c s.rules -D st >log 2>&1 &
pid=$!
pids+=("$pid")
if wait_for log "DAEMON_STARTED"; then
	ok "vigild starts with UNIX, UNIXDGRAM, SYSLOG UDP and TCP, TCP sources"
else
	fail "vigild did not start:"; sed 's/^/#   /' log; echo "1..$n"; exit 1
fi
is "the UNIX sockets are 0660" "$(stat -c %a u.sock ud.sock | tr '\n' ' ')" "660 660 "

# --- syslog over UDP: a datagram is a message -----------------------------
for i in $(seq 20); do
	logger --udp --server 127.0.0.1 --port "$p_udp" -t udpapp "MSG udp $i"
done
logger --udp --rfc3164 --server 127.0.0.1 --port "$p_udp" -t oldapp "MSG udp rfc3164"
wait_lines out '^SU|' 21
is "SYSLOG UDP: 21 datagrams, 21 action runs" "$(count out '^SU|')" 21
is "  ... with the tag as user and the MSG part as text" \
	"$(grep -c '^SU|udpapp|MSG udp [0-9]*$' out)" 20
has "  ... RFC 3164 too" out "SU|oldapp|MSG udp rfc3164"

# --- syslog over TCP: octet counting and non-transparent framing ----------
seq 100 | sed 's/^/MSG octet /' >oc.txt
seq 100 | sed 's/^/MSG nontransparent /' >nt.txt
logger --tcp --octet-count --server 127.0.0.1 --port "$p_stcp" -t occ -f oc.txt
logger --tcp --server 127.0.0.1 --port "$p_stcp" -t ntc -f nt.txt
wait_lines out '^ST|' 200
is "SYSLOG TCP: 200 messages on two connections" "$(count out '^ST|')" 200
is "  ... octet-counted ones exact" "$(grep '^ST|occ|MSG octet ' out | sort -t' ' -k3n | cut -d' ' -f3 | tr '\n' ,)" \
	"$(seq 100 | tr '\n' ,)"
is "  ... non-transparent ones exact" "$(grep -c '^ST|ntc|MSG nontransparent [0-9]*$' out)" 100
has "  ... each connection an event with its peer" log "SOURCE_CONNECTED ST 127.0.0.1:"

# --- UNIX datagrams: each line of a datagram is a message -----------------
for i in $(seq 10); do
	logger -u "$tmp/ud.sock" --udp -t dgapp "MSG dgram $i"
done
python3 h.py dgram "$tmp/ud.sock" 'MSG multi a\nMSG multi b\r\nMSG multi c\n'
wait_lines out '^UD|' 13
is "UNIXDGRAM: 10 datagrams from logger" "$(grep -c '^UD|dgapp|MSG dgram [0-9]*$' out)" 10
is "  ... three lines in one datagram: three messages" \
	"$(grep '^UD|.*MSG multi' out | cut -d'|' -f3 | sort | tr '\n' ,)" \
	"MSG multi a,MSG multi b,MSG multi c,"

# --- UNIX stream: logger, then ten python clients at once -----------------
logger -u "$tmp/u.sock" --tcp -t uapp "MSG unix logger"
python3 h.py streams "$tmp/u.sock" 10 20 unix '\n'
wait_lines out '^U|' 211
is "UNIX: 1 + 10 clients x 21 lines: 211 action runs" "$(count out '^U|')" 211
is "  ... every line once, none mixed with another client's" \
	"$(grep '^U|.*|MSG unix c' out | cut -d'|' -f3 | sort -u | wc -l)" 210
has "  ... the unfinished last line given at disconnection" out "|MSG unix c9 tail"
has "  ... logger's message, from its tag" out "U|uapp|MSG unix logger"
has "  ... SOURCE_CONNECTED names the client's uid" log "uid $(id -u) gid $(id -g) connected"
has "  ... and SOURCE_DISCONNECTED" log "SOURCE_DISCONNECTED U pid "

# --- plain TCP: ten clients at once, "\r\n" ------------------------------
python3 h.py streams "$p_tcp" 10 20 tcp '\r\n'
wait_lines out '^T|' 210
is "TCP: 10 clients x 21 lines: 210 action runs" "$(count out '^T|')" 210
is "  ... every line once, no '\\r' left" \
	"$(grep '^T|.*|MSG tcp c[0-9]* \(n[0-9]*\|tail\)$' out | sort -u | wc -l)" 210

# --- the command channel of a UNIX source ---------------------------------
python3 h.py console "$tmp/u.sock" pong.txt
is "a UNIX source's newest client gets the command (ENV GOS)" "$(cat pong.txt 2>/dev/null)" "pong 42"
has "  ... its peer is named by pid" log "SOURCE_CONNECTED U pid $(cat pong.txt.pid 2>/dev/null) uid"

# --- setup errors: the daemon refuses to start ----------------------------
start_fails() {	# start_fails NAME DEFSRC-OPERANDS: runs vigild, sets $s
	printf 'DEFSRC NAME %s %s\nDEFRULE NAME R MATCH %s ACTION A\nDEFACTN NAME A COMMAND true\n' \
		"$1" "$2" "'MSG *'" >"$1.rules"
	mkdir -p "st-$1"
	timeout 20 "$VIGILD" -c "$1.rules" -D "st-$1" </dev/null >"$1.log" 2>&1
	s=$?
}
mkdir dir.sock
start_fails DIR "TYPE UNIX PATH $tmp/dir.sock"
is "PATH is a directory: exit 1" "$s" 1
has "  ... and says so" DIR.log "source DIR: $tmp/dir.sock is a directory"
echo keep >file.sock
start_fails FILE "TYPE UNIXDGRAM PATH $tmp/file.sock"
is "PATH is a plain file: exit 1" "$s" 1
has "  ... and says so" FILE.log "source FILE: $tmp/file.sock exists and is not a socket"
is "  ... and the file is left alone" "$(cat file.sock)" keep
start_fails BUSY "TYPE UNIX PATH $tmp/u.sock"
is "a socket a live daemon holds: exit 1" "$s" 1
has "  ... and says so" BUSY.log "source BUSY: socket $tmp/u.sock: address in use by another process"
start_fails BUSYDG "TYPE UNIXDGRAM PATH $tmp/ud.sock"
is "a datagram socket a live daemon holds: exit 1" "$s" 1
start_fails PORT "TYPE TCP ADDRESS 127.0.0.1:$p_tcp"
is "a TCP port a live daemon holds: exit 1" "$s" 1
has "  ... naming the address" PORT.log "source PORT: cannot listen on 127.0.0.1 port $p_tcp (tcp): Address already in use"
logger -u "$tmp/u.sock" --tcp -t uapp "MSG unix still here"
logger -u "$tmp/ud.sock" --udp -t dgapp "MSG dgram still here"
wait_for out "MSG dgram still here"
has "  ... and the live daemon's sockets still work" out "U|uapp|MSG unix still here"
has "  ... both of them" out "UD|dgapp|MSG dgram still here"

# --- a stale socket is reused ---------------------------------------------
python3 h.py stale "$tmp/stale.sock"
cat >stale.rules <<RULES
DEFSRC NAME STALE TYPE UNIX PATH $tmp/stale.sock
DEFRULE NAME MSG MATCH 'MSG *' ACTION REC
DEFACTN NAME REC COMMAND '$tmp/rec.sh &SOURCE &U &T'
RULES
mkdir st-stale
if [ -S stale.sock ]; then ok "a stale socket is there"; else fail "no stale socket"; fi
# Its own control socket: the first daemon still holds vigil.sock here.
"$VIGILD" -c stale.rules -D st-stale -S stale-ctl.sock >stale.log 2>&1 &
spid=$!
pids+=("$spid")
wait_for stale.log "DAEMON_STARTED"
has "a stale socket: removed" stale.log "source STALE: removed stale socket $tmp/stale.sock"
logger -u "$tmp/stale.sock" --tcp -t sapp "MSG stale reused"
wait_for out "MSG stale reused"
has "  ... and bound again" out "STALE|sapp|MSG stale reused"
kill -TERM "$spid"
wait "$spid"
is "  ... that daemon stops with 0 on SIGTERM" "$?" 0

# --- the connection limit -------------------------------------------------
mkfifo hold
python3 h.py many "$p_tcp" 300 many.txt <hold &
mpid=$!
pids+=("$mpid")
exec 3>hold
for i in $(seq 100); do [ -s many.txt ] && break; sleep 0.1; done
is "300 clients at once: 256 stay connected" "$(cat many.txt 2>/dev/null)" 256
has "  ... the others are refused with a warning" log "connection refused: 256 clients already"
wait_for log "(44 refused in all)"
has "  ... those within a second said in one, counted" log "connections refused: 256 clients already (44 refused in all)"
exec 3>&-
wait "$mpid"
python3 h.py streams "$p_tcp" 1 1 after '\n'
wait_for out "MSG after c0 tail"
has "  ... and once they are gone, a client is served again" out "T||MSG after c0 n0"

# --- backpressure: streams wait, UDP drops and counts ---------------------
python3 h.py flood "$p_tcp" 8000 &
fpid=$!
pids+=("$fpid")
if wait_for log "SOURCE_PAUSED ALL"; then
	ok "5000 jobs waiting pause the sources"
	for i in $(seq 5); do
		logger --udp --server 127.0.0.1 --port "$p_udp" -t udpapp "MSG paused $i"
	done
else
	fail "no SOURCE_PAUSED"
fi
wait_for log "SOURCE_RESUMED ALL"
wait "$fpid"
wait_for out "MSG after flood"
has "  ... a paused TCP client waits, nothing is lost" out "T||MSG after flood"
has "  ... UDP datagrams are dropped while paused, and counted" log \
	"source SU: 5 datagrams dropped while paused (5 in all)"
is "  ... none of them reached the rules" "$(count out 'MSG paused')" 0
is "  ... every flood line became a job" "$(count log 'rule FLOOD fired')" 8000

# --- SIGTERM --------------------------------------------------------------
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: the daemon exits 0" "$?" 0
if [ ! -e u.sock ] && [ ! -e ud.sock ]; then
	ok "  ... and removes its UNIX sockets"
else
	fail "  ... sockets left: $(ls ./*.sock)"
fi
if grep -q 'ERROR: \|Sanitizer\|runtime error' log ./*.log; then
	fail "sanitizer errors in the logs:"
	grep 'ERROR: \|Sanitizer\|runtime error' log ./*.log | sed 's/^/#   /' | head
else
	ok "no sanitizer errors in the logs"
fi

tap_end || exit 1
