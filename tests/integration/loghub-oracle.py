#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
tests/integration/loghub-oracle.py - the loghub structured CSVs as an
independent oracle for Vigil's matching engine.

For each loghub system S, S_2k.log_structured.csv gives, for every line of
S_2k.log, the Content a log parser extracted and the EventId/EventTemplate
it belongs to.  This test writes ONE Vigil rule per EventTemplate, runs
`vigil replay --format PLAIN --json` and `vigil test --format PLAIN --json`
over the raw log, and checks Vigil against a matcher written here in
Python, independently of Vigil's code.

Translation of a template T into a rule (in FORMAT PLAIN the rule sees
the whole raw line but its trailing blanks and end of line, a decision of
rules/format.c; the template describes only the Content, the tail of the
line after a header):

  * The oracle semantics of T on a line is "T matches the line's Content,
    trimmed of blanks, in full", where <*> matches any run of characters,
    empty or with blanks (the CSVs use it both ways), and every other
    character of T matches itself.

  * MATCH 'HT'' where T' is T with each <*> written '*' and H a wildcard
    of the system's header with '%' for its fixed-width fields (anchored at
    column 1; HEADER_WILDCARDS), or MATCH '*T'' (the leading '*' skips the
    header; the end is anchored unless T ends in <*>), or MATCH '*T'*'
    (were trailing blanks part of the text), the first that is exact on
    this log: it fires on exactly the lines where the oracle semantics
    hold.  Vigil's wildcards have no escape character, so a T
    with a literal '*' or '%' never becomes a MATCH.

  * Otherwise a REGEX anchored on the system's header, as loghub's own
    log_format splits the line (each <Field> a lazy run; the split is made
    atomic with a capturing lookahead, the same in PCRE2 and Python), then
    T with <*> as a lazy run, trimmed blanks either side:
        ^ *(?=(HEADER))\\1 *(?=[^ ])T(?<=[^ ]) *$
    That the header split gives the CSV's Content on every line is checked.

Checks, per system:
  1. the CSV against itself: a template whose rule fires on lines that do
     not carry its EventId (it generalises another template) or misses
     lines that do (the CSV's Content does not fit its own template) is
     reported as AMBIGUOUS IN THE CSV, with EventIds and an example line,
     and left out of the fire-count == EventId-count comparison;
  2. `vigil replay`: messages, matched_messages, each rule's fire count
     (equal to the oracle's for every rule, and to the number of lines
     carrying its EventId unless the template is ambiguous), the first and
     last example of each rule;
  3. `vigil test`, the raw lines on stdin: for every line, the "matched"
     array must be exactly the rules the oracle matches, in definition
     order.  Any disagreement with the oracle fails the test, ambiguous
     template or not.

Environment: VIGIL (the vigil binary), top_srcdir, top_builddir,
SHARED_DATA (default $top_srcdir/../shared/data).  The data is read from
there, never copied.  Exit 0 if all agree, 1 if not, 77 if skipped.
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77

# loghub's log_format of each system (logparser's benchmark settings; the
# header check below verifies that the split reproduces the CSV's Content
# on every line, and REGEX rules are not used for a system where not).
LOG_FORMATS = {
    "Android": r"<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
    "Apache": r"\[<Time>\] \[<Level>\] <Content>",
    "BGL": r"<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type>"
           r" <Component> <Level> <Content>",
    "HDFS": r"<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "HPC": r"<LogId> <Node> <Component> <State> <Time> <Flag> <Content>",
    "Hadoop": r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
    "HealthApp": r"<Time>\|<Component>\|<Pid>\|<Content>",
    "Linux": r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?:"
             r" <Content>",
    "Mac": r"<Month>  <Date> <Time> <User> <Component>\[<PID>\]"
           r"( \(<Address>\))?: <Content>",
    "OpenSSH": r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
    "OpenStack": r"<Logrecord> <Date> <Time> <Pid> <Level> <Component>"
                 r" \[<ADDR>\] <Content>",
    "Proxifier": r"\[<Time>\] <Program> - <Content>",
    "Spark": r"<Date> <Time> <Level> <Component>: <Content>",
    "Thunderbird": r"<Label> <Timestamp> <Date> <User> <Month> <Day> <Time>"
                   r" <Location> <Component>(\[<PID>\])?: <Content>",
    "Windows": r"<Date> <Time>, <Level>                  <Component>"
               r"    <Content>",
    "Zookeeper": r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] -"
                 r" <Content>",
}
# Wildcard headers for systems whose lines start with fixed-width fields:
# MATCH 'HEADER T'' is anchored at column 1 and uses '%'.  Tried first, and
# kept only where it is exact on the log, like every MATCH.
HEADER_WILDCARDS = {
    "Android": "%%-%% %%:%%:%%.%%% *: ",
    "Apache": "[%%% %%% %% %%:%%:%% %%%%] [*] ",
    "HDFS": "%%%%%% %%%%%% *: ",
    "Hadoop": "%%%%-%%-%% %%:%%:%%,%%% * [*] *: ",
    "Linux": "%%% %% %%:%%:%% combo *: ",
    "OpenSSH": "%%% %% %%:%%:%% LabSZ sshd[*]: ",
    "Proxifier": "[%%.%% %%:%%:%%] * - ",
    "Spark": "%%/%%/%% %%:%%:%% * *: ",
    "Zookeeper": "%%%%-%%-%% %%:%%:%%,%%% - * [*] - ",
}
# The systems the test must cover; the others run too when present.
REQUIRED = ["HDFS", "OpenSSH", "Linux", "Apache", "Zookeeper", "Spark",
            "Hadoop", "HPC", "BGL", "Proxifier"]

PATTERN_MAX = 4096      # vigil-rules(5): a pattern has at most 4096 chars
# Vigil's decision: these end a line and are not part of the message text.
TRAILING = b" \t\r\n\f\v"
STAR = object()         # a wildcard token: any run, including none
ONE = object()          # a wildcard token: exactly one character


# ---------------------------------------------------------------------------
# The Python matcher: wildcards as token lists, matched segment by segment
# (no regular expressions, so it shares nothing with Vigil's translation).

class Glob:
    """A pattern of literal characters, STAR and ONE, matched in full."""

    def __init__(self, tokens):
        self.tokens = tokens
        segs = [[]]
        for t in tokens:
            if t is STAR:
                segs.append([])
            else:
                segs[-1].append(t)
        self.segs = [self._seg(s) for s in segs]
        self.nstars = len(segs) - 1
        # Literals every match must contain: a fast, exact pre-filter.
        self.need = [lit for s in self.segs for lit in s[2] if lit]

    @staticmethod
    def _seg(toks):
        """(length, matcher or None, literal runs) of one segment."""
        if all(t is not ONE for t in toks):
            lit = "".join(toks)
            return (len(lit), None, [lit])
        rx = "".join("." if t is ONE else re.escape(t) for t in toks)
        runs = re.split("\x00", "".join("\x00" if t is ONE else t
                                        for t in toks))
        return (len(toks), re.compile(rx, re.S), runs)

    @staticmethod
    def _at(seg, s, pos):
        n, rx, runs = seg
        if rx is None:
            return s.startswith(runs[0], pos)
        return pos + n <= len(s) and rx.match(s, pos) is not None

    @staticmethod
    def _find(seg, s, pos, end):
        n, rx, runs = seg
        if rx is None:
            return s.find(runs[0], pos, end)
        m = rx.search(s, pos, end)
        return -1 if m is None else m.start()

    def fullmatch(self, s):
        for lit in self.need:
            if lit not in s:
                return False
        if self.nstars == 0:
            return len(s) == self.segs[0][0] and self._at(self.segs[0], s, 0)
        first, last = self.segs[0], self.segs[-1]
        lo, hi = first[0], len(s) - last[0]
        if lo > hi or not self._at(first, s, 0) or not self._at(last, s, hi):
            return False
        # Leftmost placement of the middle segments is exact for '*'.
        pos = lo
        for seg in self.segs[1:-1]:
            at = self._find(seg, s, pos, hi)
            if at < 0:
                return False
            pos = at + seg[0]
        return True


def template_tokens(t):
    """A loghub template as Glob tokens: <*> any run, the rest literal."""
    toks = []
    for i, part in enumerate(t.split("<*>")):
        if i > 0:
            toks.append(STAR)
        toks.extend(part)
    return toks


def wildcard_tokens(w):
    """A Vigil MATCH pattern as Glob tokens ('*' any run, '%' one char)."""
    return [STAR if c == "*" else ONE if c == "%" else c for c in w]


# ---------------------------------------------------------------------------
# Rules

def rx_escape(s):
    """Escape for PCRE2 and Python alike: every ASCII punctuation."""
    return "".join("\\" + c if c.isascii() and not c.isalnum()
                   and c not in " _" else c for c in s)


def header_regex(fmt):
    """loghub's log_format up to <Content>, as logparser converts it:
    each <Field> a lazy run, each run of blanks ' +'; groups made
    non-capturing."""
    parts = re.split(r"(<[^<>]+>)", fmt)
    if parts[-2:] != ["<Content>", ""]:
        raise ValueError("log format does not end in <Content>: " + fmt)
    out = []
    for p in parts[:-2]:
        if re.fullmatch(r"<[^<>]+>", p):
            out.append(".*?")
        else:
            p = re.sub(r"(?<!\\)\((?!\?)", "(?:", p)
            out.append(re.sub(" +", " +", p))
    return "".join(out)


def rule_quote(v):
    return "'" + v.replace("'", "''") + "'"


def rule_name(eid, used):
    base = "EVT_" + re.sub(r"[^A-Za-z0-9$#@_-]", "_", eid)
    name = base[:16].upper()
    k = 1
    while name in used:
        k += 1
        suffix = "-%d" % k
        name = base[:16 - len(suffix)].upper() + suffix
    used.add(name)
    return name


def eid_key(eid):
    m = re.fullmatch(r"([A-Za-z]*)(\d+)", eid)
    return (m.group(1), int(m.group(2)), "") if m else ("~", 0, eid)


def blank_strip(s):
    return s.strip(" ")


# ---------------------------------------------------------------------------

class Problem(Exception):
    pass


class System:
    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.lines = []         # raw lines as Vigil sees them
        self.raw = b""          # the log's bytes, for vigil test's stdin
        self.rows = []          # CSV rows, in LineId order
        self.templates = {}     # EventId -> template
        self.rules = []         # dicts, in definition order
        self.ambiguous = []     # (eid, description)
        self.notes = []
        self.mismatches = []    # (lineid, expected, got, what)
        self.errors = []

    # --- reading -----------------------------------------------------------

    def load(self):
        log = os.path.join(self.path, self.name + "_2k.log")
        struct = os.path.join(self.path, self.name + "_2k.log_structured.csv")
        with open(log, "rb") as f:
            self.raw = f.read()
        parts = self.raw.split(b"\n")
        if parts and parts[-1] == b"":
            parts.pop()
        for b in parts:
            # What Vigil's message reader makes of a line (rules/format.c,
            # rules/message.c): trailing blanks, tabs and the end of line
            # are not part of the message, a line left empty makes no
            # message, the text is valid UTF-8 and a NUL byte a blank.
            b = b.rstrip(TRAILING)
            self.lines.append(b.decode("utf-8", "replace")
                              .replace("\x00", " ") if b else None)
        if None in self.lines:
            raise Problem("line %d is blank: this test assumes every line"
                          " makes a message" % (self.lines.index(None) + 1))
        with open(struct, newline="", encoding="utf-8") as f:
            self.rows = list(csv.DictReader(f))
        for col in ("LineId", "Content", "EventId", "EventTemplate"):
            if self.rows and col not in self.rows[0]:
                raise Problem("%s has no %s column" % (struct, col))
        if len(self.rows) != len(self.lines):
            raise Problem("%d CSV rows but %d log lines"
                          % (len(self.rows), len(self.lines)))
        for i, r in enumerate(self.rows):
            if r["LineId"] != str(i + 1):
                raise Problem("CSV row %d has LineId %s" % (i + 1,
                                                           r["LineId"]))
            t = self.templates.setdefault(r["EventId"], r["EventTemplate"])
            if t != r["EventTemplate"]:
                raise Problem("%s has two templates: %r and %r"
                              % (r["EventId"], t, r["EventTemplate"]))

    # --- the oracle --------------------------------------------------------

    def check_header(self):
        """The header split of each raw line gives the CSV's Content."""
        fmt = LOG_FORMATS.get(self.name)
        if fmt is None:
            self.header = None
            return
        self.header = header_regex(fmt)
        hrx = re.compile(self.header)
        bad = []
        self.split = []
        for i, line in enumerate(self.lines):
            s = blank_strip(line)
            m = hrx.match(s)
            rest = s[m.end():] if m else None
            self.split.append(rest)
            if rest is None or blank_strip(rest) != \
                    blank_strip(self.rows[i]["Content"]):
                bad.append(i)
        if bad:
            i = bad[0]
            self.notes.append(
                "header format does not give the CSV's Content on %d lines"
                " (first: line %d %r); REGEX rules not used"
                % (len(bad), i + 1, self.lines[i][:160]))
            self.header = None

    def build(self):
        n = len(self.lines)
        contents = [blank_strip(r["Content"]) for r in self.rows]
        by_eid = {}
        for i, r in enumerate(self.rows):
            by_eid.setdefault(r["EventId"], set()).add(i)
        lstrip = sum(1 for r in self.rows if r["Content"] !=
                     blank_strip(r["Content"]))
        if lstrip:
            self.notes.append("%d CSV Content fields have leading or"
                              " trailing blanks (trimmed: templates are"
                              " token sequences)" % lstrip)
        trailing = any(line != line.rstrip(" ") for line in self.lines)
        used = set()
        for eid in sorted(self.templates, key=eid_key):
            t = self.templates[eid]
            g = Glob(template_tokens(t))
            oracle = {i for i in range(n) if g.fullmatch(contents[i])}
            rule = {"eid": eid, "template": t,
                    "name": rule_name(eid, used), "oracle": oracle,
                    "carry": by_eid.get(eid, set())}
            self.choose(rule, g, trailing)
            if rule.get("kind") is None:
                continue
            self.rules.append(rule)
            self.classify(rule, contents)

    def choose(self, rule, g, trailing):
        """Pick a MATCH that is exact on this log, else a REGEX."""
        t = rule["template"]
        n = len(self.lines)
        why = "a literal '*' or '%'"
        if "*" not in t.replace("<*>", "") and "%" not in t:
            w = "*" + t.replace("<*>", "*")
            cands = [w] + ([w + "*"] if trailing and not w.endswith("*")
                           else [])
            if self.name in HEADER_WILDCARDS:
                cands.insert(0, HEADER_WILDCARDS[self.name] + w[1:])
            for c in cands:
                if len(c) > PATTERN_MAX:
                    break
                wg = Glob(wildcard_tokens(c))
                hits = {i for i in range(n) if wg.fullmatch(self.lines[i])}
                if hits == rule["oracle"]:
                    rule.update(kind="MATCH", pattern=c, hits=hits)
                    return
                if c == w:
                    d = min(hits ^ rule["oracle"])
                    why = "MATCH %r %s line %d %r" % (
                        c, "fires on" if d in hits else "misses", d + 1,
                        self.lines[d][:160])
        if self.header is None:
            self.notes.append("%s: no exact MATCH and no header format;"
                              " template left out: %r" % (rule["eid"], t))
            return
        body = ".*?".join(rx_escape(p) for p in t.split("<*>"))
        rx = "^ *(?=(%s))\\1 *(?=[^ ])%s(?<=[^ ]) *$" % (self.header, body)
        if len(rx) > PATTERN_MAX:
            self.notes.append("%s: REGEX of %d characters is too long;"
                              " template left out" % (rule["eid"], len(rx)))
            return
        # The oracle of this REGEX, without its regular expression: the
        # header split, then the template on the trimmed rest.
        hits = set()
        for i in range(n):
            rest = self.split[i]
            if rest is not None and blank_strip(rest) != "" and \
                    g.fullmatch(blank_strip(rest)):
                hits.add(i)
        rule.update(kind="REGEX", pattern=rx, hits=hits)
        self.notes.append("%s: REGEX, because of %s" % (rule["eid"], why))

    def classify(self, rule, contents):
        """Ambiguous in the CSV: the rule's lines are not the EventId's."""
        eid, hits, carry = rule["eid"], rule["hits"], rule["carry"]
        rule["ambiguous"] = False
        if hits != rule["oracle"]:
            # Cannot happen for a MATCH; for a REGEX, the header check
            # made sure of it.  Keep it visible if it ever does.
            d = sorted(hits ^ rule["oracle"])
            self.notes.append("%s: the rule's lines differ from the"
                              " template's on %d lines (first %d)"
                              % (eid, len(d), d[0] + 1))
        if hits == carry:
            return
        rule["ambiguous"] = True
        missed = sorted(carry - hits)
        extra = sorted(hits - carry)
        if missed:
            i = missed[0]
            self.ambiguous.append((eid, "its template %r does not match"
                                   " %d of its own lines, e.g. line %d"
                                   " Content %r"
                                   % (rule["template"], len(missed), i + 1,
                                      contents[i][:200])))
        if extra:
            others = {}
            for i in extra:
                others.setdefault(self.rows[i]["EventId"], []).append(i)
            desc = ", ".join("%s (%d, e.g. line %d)" % (o, len(v), v[0] + 1)
                             for o, v in sorted(others.items(),
                                                key=lambda kv:
                                                eid_key(kv[0])))
            i = extra[0]
            self.ambiguous.append((eid, "its template %r also matches"
                                   " lines of %s; e.g. line %d Content %r"
                                   " (%s: %r)"
                                   % (rule["template"], desc, i + 1,
                                      contents[i][:200],
                                      self.rows[i]["EventId"],
                                      self.rows[i]["EventTemplate"])))

    def rule_text(self, rule):
        return "DEFRULE NAME %s %s %s ACTION NULL" % (
            rule["name"], rule["kind"], rule_quote(rule["pattern"]))

    def expected(self):
        """Per line, the names of the rules the oracle fires, in order."""
        exp = [[] for _ in self.lines]
        for r in self.rules:
            for i in r["hits"]:
                exp[i].append(r["name"])
        return exp

    # --- Vigil -------------------------------------------------------------

    def run_vigil(self, vigil, tmp, timeout):
        rules = os.path.join(tmp, self.name + ".rules")
        log = os.path.join(self.path, self.name + "_2k.log")
        with open(rules, "w", encoding="utf-8") as f:
            f.write("* loghub %s: one rule per EventTemplate\n" % self.name)
            for r in self.rules:
                f.write(self.rule_text(r) + "\n")
        self.rules_file = rules
        exp = self.expected()
        names = [r["name"] for r in self.rules]

        # vigil replay
        p = run([vigil, "replay", "-c", rules, "--format", "PLAIN", "--json",
                 log], timeout=timeout)
        if p.returncode != 0:
            self.errors.append("vigil replay exited %s: %s"
                               % (p.returncode, tail(p.stderr)))
        else:
            try:
                rep = json.loads(p.stdout.decode("utf-8"))
                self.check_replay(rep, exp)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                self.errors.append("vigil replay --json: cannot read its"
                                   " output (%s): %s" % (e, tail(p.stdout)))

        # vigil test, the raw bytes of the log on stdin
        p = run([vigil, "test", "--format", "PLAIN", "--json", "-c", rules],
                stdin=self.raw, timeout=timeout)
        if p.returncode != 0:
            self.errors.append("vigil test exited %s: %s"
                               % (p.returncode, tail(p.stderr)))
            return
        try:
            objs = json_stream(p.stdout.decode("utf-8"))
        except ValueError as e:
            self.errors.append("vigil test --json: cannot read its output"
                               " (%s)" % e)
            return
        if len(objs) != len(self.lines):
            self.errors.append("vigil test printed %d objects for %d lines"
                               % (len(objs), len(self.lines)))
        order = {n: k for k, n in enumerate(names)}
        for i, o in enumerate(objs[:len(self.lines)]):
            got = o.get("matched") if isinstance(o, dict) else None
            if not isinstance(got, list):
                self.errors.append("vigil test: object %d has no matched"
                                   " array" % (i + 1))
                break
            if sorted(got) != sorted(exp[i]):
                self.mismatches.append((i + 1, exp[i], got, "vigil test"))
            elif got != sorted(got, key=lambda n: order.get(n, -1)):
                self.mismatches.append((i + 1, exp[i], got,
                                        "vigil test: not in definition"
                                        " order"))

    def check_replay(self, rep, exp):
        n = len(self.lines)
        if rep["messages"] != n:
            self.errors.append("vigil replay: messages %s, expected %d"
                               % (rep["messages"], n))
        want = sum(1 for e in exp if e)
        if rep["matched_messages"] != want:
            self.errors.append("vigil replay: matched_messages %s, expected"
                               " %d" % (rep["matched_messages"], want))
        counts = rep["rules"]
        examples = rep.get("examples", {})
        for r in self.rules:
            name, hits = r["name"], r["hits"]
            got = counts.get(name)
            if got != len(hits):
                self.errors.append("vigil replay: %s (%s) fired %s times,"
                                   " the oracle says %d"
                                   % (name, r["eid"], got, len(hits)))
            elif not r["ambiguous"] and got != len(r["carry"]):
                self.errors.append("vigil replay: %s fired %s times but %d"
                                   " lines carry %s"
                                   % (name, got, len(r["carry"]), r["eid"]))
            if hits and got == len(hits):
                ex = examples.get(name) or {}
                first = self.lines[min(hits)]
                last = self.lines[max(hits)]
                for which, text in (("first", first), ("last", last)):
                    e = ex.get(which) or {}
                    if e.get("text") != text:
                        self.errors.append(
                            "vigil replay: %s example %s is %r, expected"
                            " %r" % (name, which,
                                     str(e.get("text"))[:120], text[:120]))
        extra = sorted(set(counts) - {r["name"] for r in self.rules})
        if extra:
            self.errors.append("vigil replay: rules not in the file: %s"
                               % ", ".join(extra[:5]))

    def reproduce(self, vigil, tmp, lineid, names, timeout):
        """Each disagreeing rule alone, on the one line: does it persist?"""
        out = []
        byname = {r["name"]: r for r in self.rules}
        line = self.lines[lineid - 1]
        for name in names:
            r = byname.get(name)
            if r is None:
                continue
            f = os.path.join(tmp, "%s-%s.rules" % (self.name, name))
            with open(f, "w", encoding="utf-8") as fh:
                fh.write(self.rule_text(r) + "\n")
            p = run([vigil, "test", "--format", "PLAIN", "--json", "-c", f],
                    stdin=line.encode("utf-8") + b"\n", timeout=timeout)
            try:
                got = json_stream(p.stdout.decode("utf-8"))[0]["matched"]
                alone = name in got
            except (ValueError, IndexError, KeyError, TypeError):
                alone = "? (exit %s: %s)" % (p.returncode, tail(p.stderr))
            should = (lineid - 1) in r["hits"]
            out.append("      %s alone: oracle %s, vigil %s%s\n"
                       "        rule: %s\n        line: %r"
                       % (name, "matches" if should else "no match",
                          alone if isinstance(alone, str) else
                          ("matches" if alone else "no match"),
                          "" if alone is should else "  <-- reproduces",
                          self.rule_text(r), line))
        return out


# ---------------------------------------------------------------------------

def run(argv, stdin=None, timeout=600):
    try:
        return subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, "timeout after %ss"
                                           % timeout, b"", b"timed out")


def tail(b, n=400):
    s = b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)
    s = s.strip()
    return s if len(s) <= n else "..." + s[-n:]


def json_stream(s):
    """The JSON objects of s, one after another (any whitespace between)."""
    dec = json.JSONDecoder()
    objs, i = [], 0
    while True:
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            return objs
        o, i = dec.raw_decode(s, i)
        objs.append(o)


def main():
    if sys.version_info < (3, 7):
        print("SKIP: python3 is %d.%d; this test needs 3.7 or later"
              % sys.version_info[:2])
        return SKIP
    top = os.environ.get("top_srcdir") or \
        os.path.normpath(os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigil", default=os.environ.get("VIGIL"),
                    help="the vigil binary (default: $VIGIL)")
    ap.add_argument("--data", default=os.environ.get("SHARED_DATA") or
                    os.path.join(top, "..", "shared", "data"),
                    help="the shared data (default: $SHARED_DATA)")
    ap.add_argument("--systems", help="comma-separated systems"
                    " (default: every system of LOG_FORMATS present)")
    ap.add_argument("--keep", help="keep the generated rule files here")
    ap.add_argument("--max-report", type=int, default=10,
                    help="mismatches to show per system (default 10)")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the notes and every ambiguous template")
    args = ap.parse_args()
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except AttributeError:
        pass

    loghub = os.path.join(args.data, "loghub")
    if not os.path.isdir(loghub):
        print("SKIP: no loghub data in %s (set SHARED_DATA)" % loghub)
        return SKIP
    vigil = args.vigil
    if not vigil:
        bd = os.environ.get("top_builddir", top)
        vigil = os.path.join(bd, "vigil")
    if not (os.path.isfile(vigil) and os.access(vigil, os.X_OK)):
        print("FAIL: the vigil binary %s is missing (set VIGIL)" % vigil)
        return 1

    names = args.systems.split(",") if args.systems else sorted(LOG_FORMATS)
    tmp = args.keep or tempfile.mkdtemp(prefix="vigil-loghub-")
    os.makedirs(tmp, exist_ok=True)
    systems, failed = [], False
    for name in names:
        path = os.path.join(loghub, name)
        if not os.path.isfile(os.path.join(path, name + "_2k.log")) or \
                not os.path.isfile(os.path.join(
                    path, name + "_2k.log_structured.csv")):
            print("%-12s SKIP: no %s_2k.log and structured CSV in %s"
                  % (name, name, path))
            if name in REQUIRED:
                failed = True
            continue
        s = System(name, path)
        try:
            s.load()
            s.check_header()
            s.build()
            s.run_vigil(vigil, tmp, args.timeout)
        except (Problem, OSError, UnicodeDecodeError, csv.Error) as e:
            s.errors.append("cannot check %s: %s" % (name, e))
        systems.append(s)
    if not systems:
        print("SKIP: none of the systems is in %s" % loghub)
        return SKIP

    # Summary first, then the details.
    print("%-12s %9s %6s %5s %6s %6s %9s %10s %6s"
          % ("system", "templates", "MATCH", "col1", "REGEX", "lines",
             "ambiguous", "mismatches", "errors"))
    for s in systems:
        nm = sum(1 for r in s.rules if r["kind"] == "MATCH")
        n1 = sum(1 for r in s.rules if r["kind"] == "MATCH" and
                 not r["pattern"].startswith("*"))
        namb = len({e for e, _ in s.ambiguous})
        print("%-12s %9d %6d %5d %6d %6d %9d %10d %6d %s"
              % (s.name, len(s.templates), nm, n1, len(s.rules) - nm,
                 len(s.lines), namb, len(s.mismatches), len(s.errors),
                 "ok" if not s.mismatches and not s.errors else "FAIL"))
    for s in systems:
        if s.ambiguous:
            print("\n%s: ambiguous in the CSV (left out of the EventId"
                  " comparison, still checked against the oracle):" % s.name)
            for eid, d in s.ambiguous:
                print("  %s: %s" % (eid, d))
        if s.notes and (args.verbose or s.errors or s.mismatches):
            print("\n%s: notes:" % s.name)
            for d in s.notes:
                print("  " + d)
    shown = 0
    for s in systems:
        if not s.errors and not s.mismatches:
            continue
        failed = True
        print("\n%s: FAIL (rules in %s)" % (s.name, getattr(
            s, "rules_file", "?")))
        for e in s.errors[:args.max_report]:
            print("  " + e)
        if len(s.errors) > args.max_report:
            print("  ... %d more errors" % (len(s.errors) - args.max_report))
        for k, (lineid, want, got, what) in enumerate(
                s.mismatches[:args.max_report]):
            print("  line %d (%s): expected %s, vigil %s\n    %r"
                  % (lineid, what, want, got, s.lines[lineid - 1][:300]))
            if shown < 5:
                shown += 1
                diff = sorted(set(want) ^ set(got)) or got
                for r in s.reproduce(vigil, tmp, lineid, diff, args.timeout):
                    print(r)
        if len(s.mismatches) > args.max_report:
            print("  ... %d more lines disagree"
                  % (len(s.mismatches) - args.max_report))
    if failed:
        print("\nFAIL: Vigil disagrees with the loghub oracle"
              " (rule files kept in %s)" % tmp)
        return 1
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nPASS: %d systems, %d rules, %d lines: Vigil agrees with the"
          " oracle on every line" % (len(systems),
                                     sum(len(s.rules) for s in systems),
                                     sum(len(s.lines) for s in systems)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
