# SPDX-License-Identifier: Apache-2.0
"""
benchmodel.py - the message model shared by gen-feed.py and gen-rules.py.

Both generators must agree on what a rule is so that the feed can carry
lines that fire it (about 2% of the feed) and lines that nearly do (same
message id, other text).  Nothing here is copied from a real log: the
shapes (z/VM CP and CMS console lines, z/OS SYSLOG, JES2 job logs, the
operator console, Hercules, syslog and Linux kernel lines) follow the
files described in ../shared/data/README.md; every word and number is
drawn from the pools below by a seeded random.Random.

A rule is a list of tokens, rendered three ways with the same meaning:
  - the Vigil pattern: a wildcard (MATCH) or a PCRE2 regular expression
    (REGEX);
  - an ERE for grep -E (and, being in the common subset of ERE, PCRE2,
    Perl and Python re, the same string serves SEC and the self-check);
  - a generator of lines that match it.
"""
import random
import re

# --- tokens -------------------------------------------------------------


def ere_escape(s):
    """Escape for ERE, PCRE2, Perl and Python re at once: only the
    characters special outside brackets in all of them ('-', ']', '}',
    '/', '%', '#', '@', ... stay as they are: GNU grep warns about a
    stray backslash before them)."""
    return re.sub(r'([.\[\]()*+?{}|^$\\])', lambda m: (
        m.group(1) if m.group(1) in ']}' else '\\' + m.group(1)), s)


class Lit:
    def __init__(self, s):
        self.s = s


class Star:             # wildcard '*': any run, filled by a slot value
    def __init__(self, fill):
        self.fill = fill


class Pct:              # wildcard '%' n times
    def __init__(self, n, alphabet):
        self.n = n
        self.alphabet = alphabet


class Rx:               # a piece of regular expression and its sampler
    def __init__(self, src, sample):
        self.src = src
        self.sample = sample


# --- value pools --------------------------------------------------------

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
HEXU = "0123456789ABCDEF"
HEXL = "0123456789abcdef"
ALNUM = UPPER + DIGITS

USER_PFX = ["LNX", "LINUX", "SUSE", "RHEL", "TCPIP", "DIRMAINT", "MAINT",
            "OPERATOR", "DISKACNT", "EREP", "RSCS", "VMSERVS", "DB2", "WAS",
            "ZVMLX", "OPS", "FTPSERVE", "PERFSVM", "AUTOLOG", "RACFVM"]
JOB_PFX = ["PAY", "GL", "HR", "DB2", "CICS", "BKUP", "IMS", "SMF", "HSM",
           "DFH", "ACCT", "INV", "ORD", "ETL", "NIGHT", "DAILY", "BATCH",
           "RMF", "SORT", "COPY", "TEST", "PRD", "DEV", "QA"]
STEP_WORDS = ["STEP01", "STEP02", "SORT", "COPY", "EXTRACT", "LOAD", "REPORT",
              "UNLOAD", "BACKUP", "DELETE", "COMPILE", "LKED", "GO", "S1",
              "IEBGENER", "IDCAMS", "DSNUTIL", "PRINT"]
WORDS = ["CHECKPOINT", "RESTART", "PENDING", "QUIESCE", "ACTIVE", "INACTIVE",
         "BUSY", "READY", "HELD", "RELEASED", "PURGED", "DRAINED", "FULL",
         "EMPTY", "TIMEOUT", "DEGRADED", "NORMAL", "FAILED", "LOST",
         "RECOVERED"]
FILETYPES = ["EXEC", "MODULE", "TEXT", "LISTING", "DATA", "SCRIPT",
             "NAMES", "NETLOG", "CONFIG", "PARMS", "MACLIB", "TXTLIB"]
NODES = ["ZVMWS01", "ZVMPROD", "VMTEST", "RSCS01", "BOEVM1", "POKVM2",
         "VMSYS", "GDLVM7"]
SYSNAMES = ["SYS1", "SYSA", "SYSB", "PROD", "TEST", "STL1", "MVSC", "PLX1"]
DSN_Q = ["PROD", "TEST", "SYS1", "USER", "PAYROLL", "GL", "HR", "DB2",
         "CICS", "BACKUP", "DATA", "LOAD", "CNTL", "JCL", "LIST", "LOG",
         "DAILY", "MASTER", "INDEX", "ARCHIVE"]
DDNAMES = ["SYSUT1", "SYSUT2", "SYSPRINT", "SYSIN", "SORTIN", "SORTOUT",
           "STEPLIB", "INPUT", "OUTPUT", "REPORT"]
UNAMES = ["root", "admin", "oracle", "postgres", "test", "guest", "ftp",
          "nagios", "git", "deploy", "backup", "ubuntu", "pi", "user",
          "mysql", "www", "jenkins", "ansible", "support", "operator"]
PNAMES = ["java", "python3", "httpd", "nginx", "mysqld", "postgres", "node",
          "chrome", "Xorg", "sshd", "systemd", "dockerd", "containerd",
          "kubelet", "gnome-shell", "firefox", "php-fpm", "ruby", "perl"]
LIBS = ["libc.so.6", "libpthread.so.0", "libssl.so.3", "libcrypto.so.3",
        "libstdc++.so.6", "libz.so.1", "libm.so.6", "libglib-2.0.so.0",
        "libpython3.11.so.1.0", "libjvm.so", "ld-linux-x86-64.so.2"]
UNITS = ["nginx", "apache2", "postgresql", "docker", "cron", "rsyslog",
         "ssh", "snapd", "cups", "bluetooth", "NetworkManager", "chronyd",
         "auditd", "kubelet", "zabbix-agent", "node-exporter"]
REASONS = ["Attempted to kill init!", "VFS: Unable to mount root fs",
           "Fatal exception in interrupt", "Out of memory and no killable"
           " processes...", "softlockup: hung tasks", "hung_task: blocked"
           " tasks", "Fatal machine check"]
BDEVS = ["sda", "sdb", "sdc", "nvme0n1", "dasda", "dasdb", "vda", "xvda"]
HOSTS = ["web", "db", "app", "nfs", "ldap", "mail", "proxy", "build", "kvm",
         "zlinux"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
SYSLOG_HOSTS = ["combo", "lnx01", "zlinux7", "web03", "db-prod-2", "gw1",
                "kvm-host4", "build17"]

# CP, CMS and other module codes (3 letters) for generated message ids.
CP_MODS = ["SIG", "CLS", "LGA", "LGO", "CQU", "CQV", "WRS", "MLM", "AAU",
           "IOP", "CRC", "GSP", "LDI", "CPU", "GIR", "QVD", "SYK", "ZCO",
           "PGM", "DSP", "VDI", "LNK", "ATT", "DTC", "SPL", "RDR", "PRT",
           "PUN", "DIR", "MNT", "TRC", "NET", "SSI", "ISM", "IUC", "VMC",
           "CFC", "SMA", "PTR", "STO"]
CMS_MODS = ["ACC", "ACP", "FOR", "LDR", "XED", "SPL", "NAM", "EXE", "REL",
            "LIS", "COP", "REN", "ERA", "TYP", "PRT", "PUN", "RDR", "SFS",
            "BKU", "DSK"]

# Frequent real message ids, with their text (in the shape of the IBM
# manuals; the words and numbers are filled in from the pools).
COMMON = [
    ("zos", "IEF403I", "{JOB} - STARTED - TIME={HMS}"),
    ("zos", "IEF404I", "{JOB} - ENDED - TIME={HMS}"),
    ("zos", "IEF450I", "{JOB} {STEP} - ABEND=S{HEX3} U{RC} REASON={HEX8}"),
    ("zos", "IEF142I", "{JOB} {STEP} - STEP WAS EXECUTED - COND CODE {RC}"),
    ("jes", "$HASP373", "{JOB} STARTED - INIT {D} - CLASS {C} - SYS {SYS}"),
    ("jes", "$HASP395", "{JOB} ENDED - RC={RC}"),
    ("jes", "$HASP100", "{JOB} ON INTRDR - FROM {USER}"),
    ("zos", "IRR010I", "USERID {USER} IS ASSIGNED TO THIS JOB."),
    ("zos", "IEE457I", "{HMS} UNIT STATUS {NUM}"),
    ("zos", "IOS000I", "{DEV},{HEX2},{WORD},{VOL},{JOB}"),
    ("zos", "IEC070I", "{RC}-{NUM},{JOB},{STEP},{DDN},{DEV},{VOL},{DSN}"),
    ("zvm", "HCPSIG2113I", "User {USER} logged off, {NUM} seconds"),
    ("zvm", "HCPSIG2114I", "User {USER} termination may be delayed for up"
     " to {NUM} seconds"),
    ("zvm", "HCPCLS6056I", "XAUTOLOG information for {USER}: The IPL command"
     " is verified by the IPL command processor."),
    ("zvm", "HCPCRC8082I", "Accounting records are accumulating for userid"
     " {USER}."),
    ("zvm", "HCPLGA050E", "{USER} not in CP directory, logon {WORD}"),
    ("zvm", "HCPIOP952I", "{NUM}M system storage, {DEV} {WORD}"),
    ("cms", "DMSACC724I", "{DEV} replaces {LETTER} ({DEV})"),
    ("cms", "DMSACP723I", "{LETTER} ({DEV}) R/O"),
    ("cms", "DMSFOR603R", "FORMAT will erase all files on disk {LETTER}"
     "({DEV}). Do you wish to continue? {FT}"),
    ("herc", "HHC00801I", "Processor CP{HEX2}: Program interrupt, code"
     " {HEX4} {WORD}"),
]

TEMPLATES = {
    "zvm": [
        "User {USER} termination may be delayed for up to {NUM} seconds",
        "Device {DEV} not available; {USER} continues without it",
        "DASD {DEV} dump unit CP IPL pages {NUM}",
        "Userid {USER} is not logged on",
        "Link {DEV} to {USER} failed, return code {RC}",
        "Spool file {NUM} for {USER} queued on reader {DEV}",
        "Paging volume {VOL} on {DEV} is {PCT} percent full",
        "CPU {HEX2} varied {ONOFF} by {USER}",
        "Guest {USER} storage {NUM}M exceeds the {WORD} limit",
        "System {NODE} {WORD}: {NUM} users, {PCT} percent paging",
    ],
    "cms": [
        "File {FN} {FT} {FM} not found",
        "Disk {LETTER}({DEV}) is full; {NUM} blocks requested",
        "Error {RC} reading file {FN} {FT} {FM} from disk",
        "Invalid option {WORD} for {FN} {FT}",
        "{NUM} files sent to {USER} at {NODE}",
        "{FN} {FT} {FM} erased by {USER}",
    ],
    "zos": [
        "{JOB} {STEP} - ABEND=S{HEX3} U{RC} REASON={HEX8}",
        "VOLUME {VOL} MOUNTED ON {DEV} FOR {JOB}",
        "{JOB} {STEP} - STEP WAS EXECUTED - COND CODE {RC}",
        "DATA SET {DSN} NOT FOUND FOR {JOB}",
        "STRUCTURE {WORD} IN CF {SYS} REBUILD {ONOFF}",
        "{JOB} ALLOCATED TO {DDN} ON {VOL}",
        "{DEV},{VOL},{JOB},{STEP},I/O ERROR {HEX4}",
        "{USER} LAST ACCESS AT {HMS} ON {SYS}",
    ],
    "jes": [
        "{JOB} ENDED - RC={RC}",
        "{JOB} ON {DEV} PRINTED {NUM} LINES",
        "{JOB} QUEUED FOR {SYS} - CLASS {C}",
    ],
    "herc": [
        "Processor CP{HEX2}: {WORD} at {HEX8}",
        "{DEV}:{DEV} {WORD} device not ready, {USER}",
    ],
}

# General (no message id) syslog and kernel messages; the slot in FIXED
# is what a rule on them singles out.
SYSLOG = [
    ("sshd[{PID}]: Failed password for {UNAME} from {IP} port {PORT} ssh2",
     "UNAME"),
    ("sshd[{PID}]: Failed password for invalid user {UNAME} from {IP} port"
     " {PORT} ssh2", "UNAME"),
    ("sshd[{PID}]: Invalid user {UNAME} from {IP} port {PORT}", "UNAME"),
    ("sshd[{PID}]: Accepted publickey for {UNAME} from {IP} port {PORT}"
     " ssh2", "UNAME"),
    ("sshd[{PID}]: pam_unix(sshd:session): session opened for user {UNAME}"
     " by (uid=0)", "UNAME"),
    ("su[{PID}]: FAILED SU (to root) {UNAME} on pts/{D}", "UNAME"),
    ("CRON[{PID}]: ({UNAME}) CMD (/usr/local/bin/{PNAME} --{WORDL})", "UNAME"),
    ("kernel: [{UPT}] Out of memory: Killed process {PID} ({PNAME})"
     " total-vm:{NUM}kB, anon-rss:{NUM}kB", "PNAME"),
    ("kernel: [{UPT}] {PNAME}[{PID}]: segfault at {HEX8L} ip {HEX16} sp"
     " {HEX16} error {D} in {LIB}[{HEX8L}+{HEX4L}]", "LIB"),
    ("kernel: [{UPT}] EXT4-fs error (device {BDEV}): ext4_find_entry:{NUM}:"
     " inode #{NUM}: comm {PNAME}: reading directory lblock 0", "BDEV"),
    ("kernel: [{UPT}] nfs: server {HOST} not responding, still trying",
     "HOST"),
    ("kernel: [{UPT}] Kernel panic - not syncing: {REASON}", "REASON"),
    ("kernel: [{UPT}] blk_update_request: I/O error, dev {BDEV}, sector"
     " {NUM} op 0x0:(READ) flags 0x0", "BDEV"),
    ("systemd[1]: {UNIT}.service: Main process exited, code=exited,"
     " status={D}/FAILURE", "UNIT"),
    ("systemd[1]: Started {UNIT}.service - {WORDL} daemon.", "UNIT"),
    ("postfix/smtpd[{PID}]: connect from {HOST}[{IP}]", "HOST"),
    ("dhclient[{PID}]: DHCPACK of {IP} from {IP}", None),
    ("kernel: [{UPT}] e1000e: eth{D} NIC Link is Up 1000 Mbps Full Duplex",
     None),
]

SEVS = "IIIIIIIIIIIIIIIEEEWWWRS"     # CP severities (never A: see rule 5)


def _pick(r, pool):
    return pool[r.randrange(len(pool))]


def _chars(r, alphabet, n):
    return "".join(alphabet[r.randrange(len(alphabet))] for _ in range(n))


def gen_value(r, kind):
    """A random value of a slot, as the background shows it."""
    if kind == "USER":
        p = _pick(r, USER_PFX)
        if len(p) < 8 and r.random() < 0.7:
            p += _chars(r, DIGITS, r.randint(1, min(3, 8 - len(p))))
        return p
    if kind == "JOB":
        p = _pick(r, JOB_PFX)
        return p + _chars(r, ALNUM, r.randint(1, 8 - len(p)))
    if kind == "STEP":
        return _pick(r, STEP_WORDS)
    if kind == "DEV":
        return _chars(r, HEXU, 4)
    if kind == "VOL":
        return _pick(r, ["VMX", "SYS", "PRD", "WRK", "PAG", "SPL"]) + \
            _chars(r, ALNUM, 3)
    if kind == "NUM":
        return str(r.randint(0, 10 ** r.randint(1, 6)))
    if kind == "RC":
        return "%04d" % _pick(r, [0, 0, 0, 0, 4, 4, 8, 12, 16, 20, 806, 913])
    if kind == "HMS":
        return "%02d.%02d.%02d" % (r.randrange(24), r.randrange(60),
                                   r.randrange(60))
    if kind == "HEX2":
        return _chars(r, HEXU, 2)
    if kind == "HEX3":
        return _pick(r, ["0C1", "0C4", "0C7", "222", "322", "806", "878",
                         "913", "B37", "D37", "E37", "013", "0CB"])
    if kind == "HEX4":
        return _chars(r, HEXU, 4)
    if kind == "HEX8":
        return _chars(r, HEXU, 8)
    if kind == "HEX4L":
        return _chars(r, HEXL, 4)
    if kind == "HEX8L":
        return _chars(r, HEXL, 8)
    if kind == "HEX16":
        return "00007f" + _chars(r, HEXL, 10)
    if kind == "LETTER":
        return _pick(r, UPPER)
    if kind == "D":
        return _pick(r, DIGITS)
    if kind == "C":
        return _pick(r, UPPER[:10])
    if kind == "PCT":
        return str(r.randint(1, 99))
    if kind == "ONOFF":
        return _pick(r, ["ONLINE", "OFFLINE", "STARTED", "STOPPED"])
    if kind == "WORD":
        return _pick(r, WORDS)
    if kind == "WORDL":
        return _pick(r, WORDS).lower()
    if kind == "FN":
        return _pick(r, ["PROFILE", "SYSPROF", "ALL", "TCPIP", "DIRECT",
                         "USER", "SYSTEM", "LOGON", "BACKUP", "NETLOG"]) + \
            (_chars(r, DIGITS, 1) if r.random() < 0.3 else "")
    if kind == "FT":
        return _pick(r, FILETYPES)
    if kind == "FM":
        return _pick(r, UPPER[:6]) + _pick(r, "0126")
    if kind == "NODE":
        return _pick(r, NODES)
    if kind == "SYS":
        return _pick(r, SYSNAMES)
    if kind == "DSN":
        return ".".join(_pick(r, DSN_Q) for _ in range(r.randint(2, 4)))
    if kind == "DDN":
        return _pick(r, DDNAMES)
    if kind == "UNAME":
        u = _pick(r, UNAMES)
        return u + (str(r.randrange(1000)) if r.random() < 0.5 else "")
    if kind == "PNAME":
        return _pick(r, PNAMES)
    if kind == "LIB":
        return _pick(r, LIBS)
    if kind == "UNIT":
        return _pick(r, UNITS)
    if kind == "REASON":
        return _pick(r, REASONS)
    if kind == "BDEV":
        return _pick(r, BDEVS) + str(r.randint(1, 4))
    if kind == "HOST":
        return "%s%02d.dc%d.example.net" % (_pick(r, HOSTS), r.randrange(40),
                                            r.randint(1, 4))
    if kind == "IP":
        return "%d.%d.%d.%d" % (r.choice([10, 172, 192, 203, 218, 61]),
                                r.randrange(256), r.randrange(256),
                                r.randint(1, 254))
    if kind == "PORT":
        return str(r.randint(1024, 65535))
    if kind == "PID":
        return str(r.randint(100, 65000))
    if kind == "UPT":
        return "%d.%06d" % (r.randrange(2000000), r.randrange(1000000))
    raise KeyError(kind)


# Regular expressions that every value of a slot matches.
SLOT_RX = {
    "USER": "[A-Z0-9]{1,8}", "JOB": "[A-Z][A-Z0-9]{0,7}",
    "STEP": "[A-Z0-9]+", "DEV": "[0-9A-F]{4}", "VOL": "[A-Z0-9]{6}",
    "NUM": "[0-9]+", "RC": "[0-9]{4}",
    "HMS": "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}", "HEX2": "[0-9A-F]{2}",
    "HEX3": "[0-9A-F]{3}", "HEX4": "[0-9A-F]{4}", "HEX8": "[0-9A-F]{8}",
    "HEX4L": "[0-9a-f]{4}", "HEX8L": "[0-9a-f]{8}", "HEX16": "[0-9a-f]{16}",
    "LETTER": "[A-Z]", "D": "[0-9]", "C": "[A-Z]", "PCT": "[0-9]{1,2}",
    "ONOFF": "[A-Z]+", "WORD": "[A-Z]+", "WORDL": "[a-z]+",
    "FN": "[A-Z0-9]+", "FT": "[A-Z]+", "FM": "[A-Z][0-9]", "NODE": "[A-Z0-9]+",
    "SYS": "[A-Z0-9]+", "DSN": "[A-Z0-9.]+", "DDN": "[A-Z0-9]+",
    "UNAME": "[a-z0-9]+", "PNAME": "[A-Za-z0-9_-]+", "IP": "[0-9.]+",
    "PORT": "[0-9]+", "PID": "[0-9]+",
}

# Slots a rule can single out: a prefix and '%'s ("pfx", the prefix
# starts with a letter no background value starts with) or one value
# that the background never shows (RULE_VALUES), so that a line of the
# same message id with background values is a near miss.
PFX_SLOTS = {"USER": 8, "JOB": 8, "VOL": 6}
PFX_FIRST = "QXJK"
RULE_VALUES = {
    "FT": ["XEDIT", "VMARC", "SYNONYM", "HELPCMS", "DIRECT", "LOADLIB",
           "PACKAGE", "AUDIT"],
    "ONOFF": ["DRAINED", "FENCED", "QUIESCED", "BOXED", "DISABLED"],
    "WORD": ["SEVERE", "CORRUPT", "LOOPING", "STALLED", "THROTTLED",
             "ORPHANED", "EXHAUSTED", "REJECTED", "SUSPENDED", "OVERRUN"],
    "SYS": ["SYSX", "SYSZ", "DR01", "DR02", "LPAR9", "CPC2"],
    "STEP": ["STEP99", "PURGE", "ARCHIVE", "REORG", "RUNSTATS", "VERIFY",
             "MERGE", "IMAGCOPY"],
    "HEX3": ["0C5", "0C6", "A78", "EC6", "422", "30A", "B14", "D14"],
    "NODE": ["ZVMDR1", "VMBKUP", "VMLAB3", "RSCSDR"],
    "DDN": ["SYSUT3", "SORTWK01", "DUMPDD", "CEEDUMP", "SYSUDUMP"],
}
VAL_SLOTS = set(RULE_VALUES) | {"RC", "DEV", "FN"}


def rule_value(r, kind):
    """A value for a rule to single out, never a background value."""
    if kind in RULE_VALUES:
        return _pick(r, RULE_VALUES[kind])
    if kind == "RC":
        while True:
            v = r.randint(100, 9999)
            if v not in (806, 913):
                return "%04d" % v
    if kind == "DEV":
        return _chars(r, HEXU, 4)
    if kind == "FN":
        return _pick(r, PFX_FIRST) + _chars(r, ALNUM, r.randint(3, 7))
    raise KeyError(kind)


def parse_template(t):
    """'a {X} b' -> ['a ', ('X',), ' b']"""
    out = []
    for i, part in enumerate(re.split(r"\{([A-Z0-9]+)\}", t)):
        if i % 2:
            out.append((part,))
        elif part:
            out.append(part)
    return out


# --- line shapes --------------------------------------------------------

def hms(r):
    return "%02d:%02d:%02d" % (r.randrange(24), r.randrange(60),
                               r.randrange(60))


def line_prefix(r, fam, bare=False):
    """What stands before a message id on a line of that family; bare:
    the id in column 1 (CMS, and CP messages shown without a time)."""
    if bare or fam == "cms":
        return ""
    if fam == "zvm":
        x = r.random()
        if x < 0.6:
            return hms(r) + " "
        if x < 0.85:
            return " " + hms(r) + " "
        return "%02d: %s " % (r.randrange(8), hms(r))
    if fam in ("zos", "jes"):
        x = r.random()
        t = (r.randrange(24), r.randrange(60), r.randrange(60),
             r.randrange(100))
        if x < 0.5:     # SYSLOG hardcopy
            return "N %07X %-8s %02d%03d %02d:%02d:%02d.%02d %-8s %08X  " % (
                r.choice([0x4000000, 0x0200000, 0]), _pick(r, SYSNAMES), 26,
                r.randint(1, 365), t[0], t[1], t[2], t[3],
                _pick(r, ["JOB", "STC", "TSU"]) + "%05d" % r.randrange(99999),
                r.choice([0x90, 0x281, 0x80, 0]))
        if x < 0.8:     # JES2 job log
            return " %02d.%02d.%02d JOB%05d  " % (t[0], t[1], t[2],
                                                  r.randrange(99999))
        return "EC000000   2026%03d  %02d:%02d:%02d.%02d             " % (
            r.randint(1, 365), t[0], t[1], t[2], t[3])
    if fam == "herc":
        return hms(r) + " " if r.random() < 0.5 else ""
    raise KeyError(fam)


def syslog_prefix(r):
    return "%s %2d %s %s " % (_pick(r, MONTHS), r.randint(1, 28), hms(r),
                              _pick(r, SYSLOG_HOSTS))


def fill(r, parts, fixed=None):
    out = []
    for p in parts:
        if isinstance(p, tuple):
            v = fixed.get(p[0]) if fixed else None
            out.append(v if v is not None else gen_value(r, p[0]))
        else:
            out.append(p)
    return "".join(out)


def background_other(r):
    """Lines without a message id."""
    x = r.randrange(14)
    if x == 0:
        return "Ready; T=%d.%02d/%d.%02d %s" % (r.randrange(3),
                                                r.randrange(100),
                                                r.randrange(3),
                                                r.randrange(100), hms(r))
    if x == 1:
        return "Ready(%05d);" % r.choice([1, 4, 24, 28, 36, 45, 100])
    if x == 2:
        return "%s AUTO LOGON  ***       %-8s USERS = %d" % (
            hms(r), gen_value(r, "USER"), r.randint(2, 400))
    if x == 3:
        return "%s USER DSC   LOGOFF AS  %-8s USERS = %d    FORCED BY %s" % (
            hms(r), gen_value(r, "USER"), r.randint(2, 400),
            _pick(r, ["MAINT", "OPERATOR", "AUTOLOG1"]))
    if x == 4:
        return "%s  * MSG FROM %-8s: %s %s" % (
            hms(r), _pick(r, ["EREP", "OPERATOR", "RSCS", "TCPIP", "AUTOLOG1"]),
            _pick(r, WORDS), gen_value(r, "NUM"))
    if x == 5:
        return "%s GRAF  %s LOGON  AS  %-8s USERS = %d" % (
            hms(r), gen_value(r, "DEV"), gen_value(r, "USER"),
            r.randint(1, 400))
    if x == 6:
        return "DASD %s ATTACHED TO %s %s WITH DEVCTL" % (
            gen_value(r, "DEV"), gen_value(r, "USER"), gen_value(r, "DEV"))
    if x == 7:
        return "        %d //%-8s EXEC PGM=%s" % (
            r.randint(1, 40), _pick(r, STEP_WORDS), _pick(r, STEP_WORDS))
    if x == 8:
        return "-  %8d SYSOUT PRINT RECORDS" % r.randrange(100000)
    if x == 9:
        return " %s JOB%05d  IEFACTRT %-8s/%-8s/00:00:%02d.%02d/%05d/%s" % (
            hms(r).replace(":", "."), r.randrange(99999),
            _pick(r, STEP_WORDS), _pick(r, STEP_WORDS), r.randrange(60),
            r.randrange(100), r.randrange(100), gen_value(r, "JOB"))
    if x == 10:
        return "%s      %-8s %s %d" % (
            _pick(r, ["LABEL", "MNT191", "MNT190", "PMT551", "MNT19E"]),
            gen_value(r, "DEV"), _pick(r, ["R/W", "R/O"]), r.randrange(5000))
    if x == 11:
        return "%s kernel: [%s] %s: %s" % (
            syslog_prefix(r).rstrip(), gen_value(r, "UPT"),
            _pick(r, ["usb 1-1", "ata2", "EXT4-fs (sda1)", "eth0", "audit",
                      "IPv6"]),
            _pick(r, ["link up", "mounted filesystem with ordered data mode",
                      "new high-speed USB device number 3",
                      "renamed from ens3",
                      "ADDRCONF(NETDEV_CHANGE): link becomes ready"]))
    if x == 12:
        return "%s HHC%05dI %s" % (hms(r), r.randrange(3000),
                                   _pick(r, ["Hercules version 4.6",
                                             "Built with IPv6 support",
                                             "Machine dependent assists:"
                                             " cmpxchg1 cmpxchg4",
                                             "Running on x86_64 Linux"]))
    return "%s systemd[1]: %s" % (syslog_prefix(r).rstrip(), _pick(
        r, ["Starting Daily apt upgrade and clean activities...",
            "Started Session %d of user %s." % (r.randrange(9999),
                                               gen_value(r, "UNAME")),
            "Reached target Timers.", "Finished Rotate log files.",
            "logrotate.service: Deactivated successfully."]))


# --- the id universe ----------------------------------------------------

def make_id(r, fam):
    if fam == "zvm":
        return "HCP%s%d%s" % (_pick(r, CP_MODS), r.randint(1000, 9999),
                              _pick(r, SEVS))
    if fam == "cms":
        return "DMS%s%03d%s" % (_pick(r, CMS_MODS), r.randrange(1000),
                                _pick(r, "IIIIIIIIIIIIIEEEEWWR"))
    if fam == "zos":
        p = _pick(r, ["IEF", "IEA", "IEC", "IOS", "IXC", "IST", "ICH", "IRR",
                      "CSV", "IEE", "ARC", "CBR", "IGD", "IKJ", "DSN", "DFH",
                      "BPX", "ERB", "IXL", "IAT"])
        n = r.randint(100, 9999) if p in ("ARC", "CBR", "IST", "DFH", "DSN") \
            else r.randint(100, 999)
        return "%s%d%s" % (p, n, _pick(r, "IIIIIIIEWAD"))
    if fam == "jes":
        return "$HASP%03d" % r.randrange(1000)
    if fam == "herc":
        return "HHC%05d%s" % (r.randrange(100000), _pick(r, "IIIIEWS"))
    raise KeyError(fam)


FAM_WEIGHTS = [("zvm", 40), ("cms", 15), ("zos", 30), ("jes", 5),
               ("herc", 10)]


def pick_family(r):
    x = r.randrange(sum(w for _, w in FAM_WEIGHTS))
    for fam, w in FAM_WEIGHTS:
        if x < w:
            return fam
        x -= w
    raise AssertionError


def id_template(ident, fam):
    """The text of a generated id: fixed by the id, as in real life."""
    ts = TEMPLATES[fam]
    return ts[sum(ident.encode()) * 7 % len(ts)]


# --- rules --------------------------------------------------------------

def _merge(toks):
    out = []
    for t in toks:
        if isinstance(t, Lit) and out and isinstance(out[-1], Lit):
            out[-1] = Lit(out[-1].s + t.s)
        elif isinstance(t, Star) and out and isinstance(out[-1], Star):
            continue
        else:
            out.append(t)
    return out


class Rule:
    """One rule.  kind: 'id' (wildcard keyed on a message id), 'rx'
    (REGEX keyed on a message id), 'gen' (general wildcard on syslog and
    kernel text, no message id), 'all' and 'allrx' (catch-alls with no
    literal of four characters: the index cannot key them, they are
    tried on every message).  Rendered as a Vigil pattern, an ERE (also
    valid PCRE2, Perl and Python re with the same meaning) and sample
    lines."""

    def __init__(self, name, kind):
        self.name = name
        self.kind = kind
        self.tokens = []
        self.astart = False     # anchored at column 1
        self.aend = False       # anchored at the end of the line
        self.fam = None         # line family of 'id' and 'rx' rules
        self.bare = False       # the message id stands in column 1
        self.ident = None
        self.parts = None       # template of the message text
        self.fixed = None       # slot values this rule singles out
        self.sampler = None
        self._re = None

    def is_regex(self):
        return self.kind in ("rx", "allrx")

    def vigil(self):
        """MATCH or REGEX operand: (keyword, value)."""
        if self.is_regex():
            return "REGEX", self.ere()
        s = "" if self.astart else "*"
        for t in self.tokens:
            if isinstance(t, Lit):
                s += t.s
            elif isinstance(t, Star):
                if not s.endswith("*"):
                    s += "*"
            elif isinstance(t, Pct):
                s += "%" * t.n
            else:
                raise TypeError("a wildcard rule with a regex token")
        if not self.aend and not s.endswith("*"):
            s += "*"
        return "MATCH", s

    def ere(self):
        toks = list(self.tokens)
        # Leading and trailing stars of an unanchored pattern say nothing.
        while toks and not self.astart and isinstance(toks[0], Star):
            toks.pop(0)
        while toks and not self.aend and isinstance(toks[-1], Star):
            toks.pop()
        s = "^" if self.astart else ""
        for t in _merge(toks):
            if isinstance(t, Lit):
                s += ere_escape(t.s)
            elif isinstance(t, Star):
                s += ".*"
            elif isinstance(t, Pct):
                s += "." * t.n
            else:
                s += t.src
        if self.aend:
            s += "$"
        elif s.endswith(" "):
            # SEC strips blanks at the end of a value: keep this one.
            s = s[:-1] + "[ ]"
        return s

    def matches(self, line):
        if self._re is None:
            self._re = re.compile(self.ere(), re.S)
        return self._re.search(line) is not None

    def sample(self, r):
        """A line that fires this rule."""
        if self.sampler is not None:
            return self.sampler(r)
        body = []
        for t in self.tokens:
            if isinstance(t, Lit):
                body.append(t.s)
            elif isinstance(t, Star):
                body.append(t.fill(r))
            elif isinstance(t, Pct):
                body.append(_chars(r, t.alphabet, t.n))
            else:
                body.append(t.sample(r))
        pre = "" if self.astart else line_prefix(r, self.fam, self.bare)
        return pre + "".join(body)

    def near(self, r):
        """A line of the same message with other values: a near miss."""
        if self.kind == "gen":
            return syslog_prefix(r) + fill(r, self.parts)
        if self.kind == "all":
            return "%s HCP%s%d%s %s" % (hms(r), _pick(r, CP_MODS),
                                        r.randint(1000, 9999), _pick(r, SEVS),
                                        _pick(r, WORDS))
        if self.kind == "allrx":
            return "DMS%s%03d%s %s" % (_pick(r, CMS_MODS), r.randrange(1000),
                                       _pick(r, "IEWR"), _pick(r, WORDS))
        return line_prefix(r, self.fam, self.bare) + self.ident + " " + \
            fill(r, self.parts)


def _slot_star(kind):
    return Star(lambda r, k=kind: gen_value(r, k))


def _unique_value(r, kind, taken):
    """A value for a general rule to single out, one no other rule uses
    (and, with the digits or suffixes, one the background rarely shows)."""
    az = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(1000):
        if kind == "UNAME":
            v = _pick(r, UNAMES) + "_" + _chars(r, az, 2) + \
                str(r.randrange(100))
        elif kind == "PNAME":
            v = _pick(r, PNAMES) + "-" + _chars(r, az, r.randint(2, 5))
        elif kind == "HOST":
            v = "%s%02d.dc%d.example.net" % (_pick(r, HOSTS),
                                              r.randrange(100),
                                              r.randint(5, 9))
        elif kind == "UNIT":
            v = _pick(r, UNITS) + "-" + _chars(r, az, r.randint(3, 6))
        elif kind == "LIB":
            v = "lib" + _chars(r, az, r.randint(3, 8)) + ".so." + \
                str(r.randint(0, 9))
        elif kind == "BDEV":
            v = _pick(r, BDEVS) + str(r.randint(5, 99))
        elif kind == "REASON":
            v = _pick(r, REASONS).rstrip(".!") + " (" + \
                _chars(r, HEXL, 6) + ")"
        else:
            raise KeyError(kind)
        if v not in taken:
            taken.add(v)
            return v
    raise RuntimeError("no free value for " + kind)


def _fixable(parts):
    return [p[0] for p in parts if isinstance(p, tuple) and
            (p[0] in PFX_SLOTS or p[0] in VAL_SLOTS)]


def _id_rule(rr, rule):
    """A wildcard keyed on the message id: one or two slots singled out,
    the others '*'."""
    cands = _fixable(rule.parts)
    pick = {_pick(rr, cands)}
    if len(cands) > 1 and rr.random() < 0.3:
        pick.add(_pick(rr, cands))
    toks = [Lit(rule.ident + " ")]
    for p in rule.parts:
        if not isinstance(p, tuple):
            toks.append(Lit(p))
        elif p[0] in pick and p[0] in PFX_SLOTS:
            toks.append(Lit(_pick(rr, PFX_FIRST) + _chars(rr, UPPER, 2)))
            toks.append(Pct(PFX_SLOTS[p[0]] - 3, ALNUM))
        elif p[0] in pick:
            toks.append(Lit(rule_value(rr, p[0])))
        else:
            toks.append(_slot_star(p[0]))
    rule.tokens = _merge(toks)
    rule.astart = rule.bare and rr.random() < 0.7
    rule.aend = isinstance(rule.tokens[-1], Lit) and rr.random() < 0.3


def _rx_rule(rr, rule):
    """A REGEX keyed on the message id: each slot a character class, one
    singled out with an alternation or a prefix, sometimes anchored."""
    rule.astart = rule.fam != "herc" and rr.random() < 0.5
    if rule.astart and rule.fam == "zvm":
        rule.bare = rr.random() < 0.5
    pick = _pick(rr, _fixable(rule.parts))
    toks = []
    if rule.astart and rule.fam == "zvm" and not rule.bare:
        toks.append(Rx("[0-9]{2}:[0-9]{2}:[0-9]{2} ",
                       lambda r: hms(r) + " "))
    elif rule.astart and rule.fam in ("zos", "jes"):
        toks.append(Rx(" [0-9]{2}\\.[0-9]{2}\\.[0-9]{2} JOB[0-9]{5}  ",
                       lambda r: " %s JOB%05d  " % (
                           hms(r).replace(":", "."), r.randrange(99999))))
    toks.append(Lit(rule.ident + " "))
    for p in rule.parts:
        if not isinstance(p, tuple):
            toks.append(Lit(p))
            continue
        k = p[0]
        if k == pick and k in PFX_SLOTS:
            n = PFX_SLOTS[k] - 3
            toks.append(Lit(_pick(rr, PFX_FIRST) + _chars(rr, UPPER, 2)))
            toks.append(Rx("[A-Z0-9]{1,%d}" % n,
                           lambda r, n=n: _chars(r, ALNUM, r.randint(1, n))))
        elif k == pick:
            alts = sorted({rule_value(rr, k) for _ in range(3)})
            toks.append(Rx("(" + "|".join(ere_escape(a) for a in alts) + ")",
                           lambda r, a=alts: _pick(r, a)))
        else:
            toks.append(Rx(SLOT_RX[k], lambda r, k=k: gen_value(r, k)))
    rule.tokens = _merge(toks)
    rule.aend = rr.random() < 0.5


def _gen_rule(rr, rule, taken):
    """A general wildcard on syslog or kernel text: one value singled
    out, every other slot '*'."""
    cands = [s for s in SYSLOG if s[1] is not None]
    tmpl, slot = _pick(rr, cands)
    rule.parts = parse_template(tmpl)
    rule.fixed = {slot: _unique_value(rr, slot, taken)}
    toks = []
    for p in rule.parts:
        if isinstance(p, tuple) and p[0] == slot:
            toks.append(Lit(rule.fixed[slot]))
        elif isinstance(p, tuple):
            toks.append(_slot_star(p[0]))
        else:
            toks.append(Lit(p))
    while isinstance(toks[-1], Star):
        toks.pop()
    # No blank at an unanchored end (SEC would strip it from its pattern).
    toks[-1] = Lit(toks[-1].s.rstrip())
    rule.tokens = _merge(toks)
    rule.sampler = (lambda r, rule=rule: syslog_prefix(r) +
                    fill(r, rule.parts, rule.fixed))


def make_rules(n, seed=1):
    """The first n rules of the family of rule sets: each set is a prefix
    of the next (10 in 100 in 1000 in 10000).  Rule i is a general
    wildcard when i % 10 == 3 (10%), a REGEX when i % 20 == 7 (5%), a
    key-less catch-all when i is 5 or 8 (in every set), and otherwise a
    wildcard keyed on a message id of its own (every 25th one a frequent
    real id such as IEF403I or $HASP395)."""
    r = random.Random("rule-ids-%d" % seed)
    common = [c for c in COMMON if _fixable(parse_template(c[2]))]
    used = {c[1] for c in COMMON}
    taken = set()
    rules = []
    for i in range(n):
        name = "R%05d" % i
        rr = random.Random("rule-%d-%d" % (seed, i))
        if i == 5:
            rule = Rule(name, "all")
            rule.tokens = [Lit("HCP"), Pct(7, ALNUM), Lit("A")]
            rule.sampler = (lambda r: "%s HCP%s%dA %s" % (
                hms(r), _pick(r, CP_MODS), r.randint(1000, 9999),
                _pick(r, WORDS)))
            rules.append(rule)
            continue
        if i == 8:
            rule = Rule(name, "allrx")
            rule.astart = True
            rule.tokens = [Rx("DMS[A-Z]{3}[0-9]{3}[ST] ", None)]
            rule.sampler = (lambda r: "DMS%s%03d%s %s %s" % (
                _pick(r, CMS_MODS), r.randrange(1000), _pick(r, "ST"),
                _pick(r, WORDS), gen_value(r, "FN")))
            rules.append(rule)
            continue
        kind = "gen" if i % 10 == 3 else "rx" if i % 20 == 7 else "id"
        rule = Rule(name, kind)
        if kind == "gen":
            _gen_rule(rr, rule, taken)
            rules.append(rule)
            continue
        if common and i % 25 == 0:
            fam, ident, tmpl = common.pop(0)
        else:
            while True:
                fam = pick_family(r)
                ident = make_id(r, fam)
                if ident not in used:
                    break
            tmpl = id_template(ident, fam)
        used.add(ident)
        rule.fam, rule.ident = fam, ident
        rule.parts = parse_template(tmpl)
        rule.bare = fam == "cms" or (fam == "zvm" and rr.random() < 0.2)
        if kind == "id":
            _id_rule(rr, rule)
        else:
            _rx_rule(rr, rule)
        rules.append(rule)
    return rules


def background_ids(seed=1, n=3000, exclude=()):
    """Message ids of the background: the frequent real ones, then n
    generated ones on which no rule (of up to 10,000) is keyed."""
    r = random.Random("background-ids-%d" % seed)
    ex = set(exclude)
    out = list(COMMON)
    seen = {c[1] for c in COMMON}
    while len(out) < len(COMMON) + n:
        fam = pick_family(r)
        ident = make_id(r, fam)
        if ident in ex or ident in seen:
            continue
        seen.add(ident)
        out.append((fam, ident, id_template(ident, fam)))
    return out


# --- loghub -------------------------------------------------------------

def loghub_rules(data_dir, max_count=10, min_run=6):
    """One wildcard rule per loghub EventTemplate of a rare event (at most
    max_count lines of the 2,000 carry its EventId), '<*>' becoming '*',
    unanchored; a template with no literal run of min_run characters is
    too vague to be a rule anyone would write, and is left out."""
    import csv
    import os
    rules = []
    systems = sorted(d for d in os.listdir(data_dir)
                     if os.path.isfile(os.path.join(data_dir, d,
                                                    d + "_2k.log")))
    for s in systems:
        base = os.path.join(data_dir, s, s + "_2k.log")
        counts = {}
        with open(base + "_structured.csv", newline="",
                  encoding="utf-8") as f:
            for row in csv.DictReader(f):
                counts[row["EventId"]] = counts.get(row["EventId"], 0) + 1
        with open(base + "_templates.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                eid, t = row["EventId"], row["EventTemplate"].strip()
                if counts.get(eid, 0) == 0 or counts[eid] > max_count:
                    continue
                lits = [x.strip() for x in t.split("<*>")]
                if max((len(x) for x in lits), default=0) < min_run:
                    continue
                if any(ord(c) < 32 or ord(c) > 126 for c in t):
                    continue
                rule = Rule("%s_%s" % (s[:8].upper(), eid), "id")
                toks = []
                for j, x in enumerate(t.split("<*>")):
                    if j:
                        toks.append(Star(None))
                    for c in re.split(r"([*%])", x):
                        if c == "*":
                            toks.append(Star(None))
                        elif c == "%":
                            toks.append(Pct(1, ALNUM))
                        elif c:
                            toks.append(Lit(c))
                toks = _merge(toks)
                while toks and isinstance(toks[0], Star):
                    toks.pop(0)
                while toks and isinstance(toks[-1], Star):
                    toks.pop()
                if not toks:
                    continue
                if isinstance(toks[0], Lit):
                    toks[0] = Lit(toks[0].s.lstrip())
                if isinstance(toks[-1], Lit):
                    toks[-1] = Lit(toks[-1].s.rstrip())
                rule.tokens = toks
                rules.append(rule)
    return rules
