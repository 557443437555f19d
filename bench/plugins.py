#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
plugins.py - what Lua plugins cost the daemon (issue 7).  The same feed
(the sixteen loghub 2k logs of ../shared/data, repeated) goes through
vigild from a UNIX stream socket, with 100 rules, in four setups:

  A  no plugin (the baseline, measured in the same run);
  B  a plugin with 100 vigil.on handlers that match nothing: the cost of
     the C-side filters every message is offered to;
  C  a plugin with one handler that matches every message and counts its
     words: a Lua call, a message view and its words per message;
  D  C plus 1,000 workflows, each waiting (wait_for with a deadline) for
     a message that never comes.

The clock runs from the first byte sent to the moment a final marker
line's action has run.  Each figure is the best of --reps runs; the
ratios are against A.

Usage: plugins.py --vigild B [--data DIR] [--repeat N] [--reps N]
       [--markdown FILE]
"""
import argparse
import glob
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HANDLERS_B = 100
WORKFLOWS_D = 1000

PLUGIN_B = """
for i = 1, %d do
	vigil.on("NEVER-MATCHES-" .. i .. " *", function() end)
end
""" % HANDLERS_B

PLUGIN_C = """
local words = 0
vigil.on("*", function(msg) words = words + #msg.words end)
"""

PLUGIN_D = PLUGIN_C + """
vigil.workflow("idle", function(a)
	vigil.wait_for("NEVER-COMES " .. a.i, { timeout = 3600 })
end)
vigil.on("VIGIL-BENCH-START", function()
	for i = 1, %d do vigil.start("idle", { i = i }) end
end)
""" % WORKFLOWS_D


def rules(work, sock, plugin):
    path = os.path.join(work, "r.rules")
    with open(path, "w") as o:
        o.write("DEFSRC NAME FEED TYPE UNIX PATH '%s' FORMAT PLAIN\n" % sock)
        for i in range(100):
            o.write("DEFRULE NAME R%03d MATCH '*bench-never-%03d*' "
                    "ACTION NULL\n" % (i, i))
        o.write("DEFRULE NAME ZZEND MATCH 'VIGIL-BENCH-END*' ACTION ZZEND\n")
        o.write("DEFACTN NAME ZZEND COMMAND 'touch %s/end' ENV SHELL\n"
                % work)
        if plugin is not None:
            lua = os.path.join(work, "p.lua")
            open(lua, "w").write(plugin)
            o.write("PLUGIN NAME BENCH FILE '%s'\n" % lua)
    return path


def wait_path(path, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.0005)
    return False


def one_run(vigild, feed, plugin, warmup):
    work = tempfile.mkdtemp(prefix="vigil-bench-")
    try:
        sock = os.path.join(work, "feed.sock")
        r = rules(work, sock, plugin)
        log = open(os.path.join(work, "log"), "w")
        p = subprocess.Popen([vigild, "-c", r, "-D",
                              os.path.join(work, "st"), "-S",
                              os.path.join(work, "ctl.sock")],
                             stdout=subprocess.DEVNULL, stderr=log)
        if not wait_path(sock, 10):
            raise SystemExit("vigild did not start; see its log")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        if warmup:
            s.sendall(warmup)
            time.sleep(1.0)
        t0 = time.perf_counter()
        for i in range(0, len(feed), 65536):
            s.sendall(feed[i:i + 65536])
        s.sendall(b"VIGIL-BENCH-END\n")
        if not wait_path(os.path.join(work, "end"), 300):
            raise SystemExit("the end marker never fired")
        dt = time.perf_counter() - t0
        s.close()
        p.terminate()
        p.wait(30)
        return dt
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigild", required=True)
    ap.add_argument("--data", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
        "data"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--markdown")
    args = ap.parse_args()

    logs = sorted(glob.glob(os.path.join(args.data, "loghub", "*",
                                         "*_2k.log")))
    if not logs:
        print("no loghub logs under %s: skipped" % args.data)
        return 0
    one = b"".join(open(f, "rb").read().rstrip(b"\n") + b"\n"
                   for f in logs)
    feed = one * args.repeat
    lines = feed.count(b"\n")
    setups = [("A", "no plugin", None, None),
              ("B", "%d vigil.on handlers that match nothing" % HANDLERS_B,
               PLUGIN_B, None),
              ("C", "one handler on every message (counts its words)",
               PLUGIN_C, None),
              ("D", "C plus %d workflows waiting for a message"
               % WORKFLOWS_D, PLUGIN_D, b"VIGIL-BENCH-START\n")]
    best = {}
    for rep in range(args.reps):
        for key, _, plugin, warm in setups:
            dt = one_run(args.vigild, feed, plugin, warm)
            best[key] = min(best.get(key, dt), dt)
    rows = []
    for key, what, _, _ in setups:
        rate = lines / best[key]
        rows.append((key, what, rate, rate / (lines / best["A"])))
        print("%s %-52s %10.0f lines/s  %.3f of A" % rows[-1])
    if args.markdown:
        with open(args.markdown, "w") as o:
            o.write("# Lua plugins: what they cost the daemon\n\n")
            o.write("Machine: %s, %d cores (%s), Python %s.  Feed: the "
                    "sixteen loghub 2k logs x %d = %s lines through a "
                    "UNIX socket, 100 rules; best of %d.\n\n"
                    % (platform.platform(), os.cpu_count(),
                       platform.processor() or platform.machine(),
                       platform.python_version(), args.repeat,
                       "{:,}".format(lines), args.reps))
            o.write("| setup | what | lines/s | of A |\n|---|---|---|---|\n")
            for key, what, rate, ratio in rows:
                o.write("| %s | %s | %s | %.3f |\n"
                        % (key, what, "{:,.0f}".format(rate), ratio))
            o.write("\nCommand: `python3 bench/plugins.py --vigild "
                    "build/vigild --markdown bench/RESULTS-plugins.md`\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
