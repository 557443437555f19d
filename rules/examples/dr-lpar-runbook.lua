-- SPDX-License-Identifier: Apache-2.0
--
-- dr-lpar-runbook.lua - an example runbook for plugins/lua/dr-runbook.lua
-- (the format is described at the top of that file): bring up the guests
-- of z/VM LPAR PRD1 at the recovery site after a disaster.  Loaded by
-- rules/examples/dr-runbook.rules (CONFIG runbook.prd1=...) and run when
-- an operator of the DR team starts it (`vigil run DRSTART`).  It is pure
-- data: vigil.data runs it with no globals at all.
--
-- The lessons of real DR tests it follows (DESIGN.md section 2):
--
-- * Verify the configuration you actually got before going on.  The
--   recovery site's LPAR is defined from a contract, and it is often not
--   what was asked for: less storage, fewer processors, an OSA that was
--   never cabled, a volume that was not replicated.  Steps 1-4 check each
--   of them with the CP command that shows it, and nothing is brought up
--   until they pass.  Less storage or fewer processors is a decision for
--   a person (run degraded or not): on_failure = "confirm".  A network
--   or a volume missing is not: the run stops, with the evidence.
-- * Bring systems up in dependency order.  TCP/IP after the network; the
--   database and the file server after their volumes and TCP/IP; the
--   application servers after both; the web server last.  What does not
--   depend on each other comes up in parallel (two at a time: each
--   Linux boot is heavy on the shared DASD).  A guest counts as up when
--   CP logged it on AND it said so at the end of its boot: each guest
--   here runs, as its last systemd unit, `vmcp msg operator READY`, which
--   the operator console shows as "MSG FROM <guest>: READY".
-- * Record every step for the auditors.  The plugin does: every command
--   with its output, every message waited for, every operator's answer,
--   in the workflows' journals, the log and the console log of source
--   DR.
-- * Make it repeatable by automation, not by people under stress.  Each
--   guest step has a done_if: a guest already logged on (brought up by
--   hand, or by an earlier run that stopped half-way) is recorded as
--   already done and not logged on again, so the whole runbook can be
--   started again after a stop, as often as needed, and the test at the
--   next DR rehearsal is the same procedure as the real thing.
--
-- A guest that does not come up is a question for the operator on duty
-- (on_failure = "confirm": go on without it, or stop), with the evidence
-- in the question; it is not tried again blindly, since a second XAUTOLOG
-- of a guest that did log on but never said READY only fails.
--
-- Commands go to CP through ENV VMCP (DEFENV NAME VMCP PREFIX 'vmcp'), so
-- they are written without "CP"; the Linux guest vigild runs on needs
-- privilege class B (QUERY OSA, QUERY DASD) and the authority to
-- XAUTOLOG the guests below.

return {
	name = "PRD1",
	title = "z/VM PRD1 at the recovery site: check the configuration"
		.. " we got, then bring up the guests in dependency order",
	env = "VMCP",
	source = "PRD1OPER",
	parallel = 2,
	timeout = 300,
	confirm_timeout = 1800,
	retry_delay = 30,

	steps = {
		-- 1-4: the configuration we got ---------------------------
		{
			id = "storage",
			title = "the storage the contract gives PRD1: 256G",
			check = { run = { "QUERY", "STORAGE" },
				match = "^STORAGE = 256G " },
			on_failure = "confirm",
		},
		{
			id = "processors",
			title = "eight processors, 00 to 07",
			check = { run = { "QUERY", "PROCESSORS" },
				expect = "PROCESSOR 07 " },
			on_failure = "confirm",
		},
		{
			id = "network",
			title = "the OSA devices of both networks are online",
			check = { run = { "QUERY", "OSA" },
				expect = { "OSA  0600 ", "OSA  0601 ",
					"OSA  0602 ", "OSA  0700 ",
					"OSA  0701 ", "OSA  0702 " },
				absent = "OFFLINE" },
			-- A CHPID being varied on at the site: try twice more.
			retries = 2,
			on_failure = "stop",
		},
		{
			id = "dasd",
			title = "the replicated volumes are attached",
			check = { run = { "QUERY", "DASD" },
				expect = { "LXDB01", "LXDB02", "LXNF01",
					"LXAP01", "LXWB01" } },
			on_failure = "stop",
		},

		-- 5: infrastructure ---------------------------------------
		{
			id = "tcpip",
			title = "the TCP/IP stack (AUTOLOG1 starts it)",
			after = { "network" },
			done_if = { run = { "QUERY", "USER", "TCPIP" },
				match = "^TCPIP%s+%-" },
			action = { "XAUTOLOG", "TCPIP" },
			verify = { run = { "QUERY", "USER", "TCPIP" },
				match = "^TCPIP%s+%-", every = 5,
				timeout = 120 },
			on_failure = "confirm",
		},

		-- 6-7: data first -----------------------------------------
		{
			id = "lnxdb01",
			title = "the database server",
			after = { "storage", "processors", "dasd", "tcpip" },
			done_if = { run = { "QUERY", "USER", "LNXDB01" },
				match = "^LNXDB01%s+%-" },
			action = { "XAUTOLOG", "LNXDB01" },
			verify = {
				{ wait = "*AUTO LOGON*LNXDB01 *",
					timeout = 120 },
				{ wait = "*MSG FROM LNXDB01*READY*",
					timeout = 900 },
			},
			on_failure = "confirm",
		},
		{
			id = "lnxnf01",
			title = "the NFS server of the application data",
			after = { "dasd", "tcpip" },
			done_if = { run = { "QUERY", "USER", "LNXNF01" },
				match = "^LNXNF01%s+%-" },
			action = { "XAUTOLOG", "LNXNF01" },
			verify = {
				{ wait = "*AUTO LOGON*LNXNF01 *",
					timeout = 120 },
				{ wait = "*MSG FROM LNXNF01*READY*",
					timeout = 600 },
			},
			on_failure = "confirm",
		},

		-- 8-9: the applications, once their data is there --------
		{
			id = "lnxap01",
			title = "application server 1",
			after = { "lnxdb01", "lnxnf01" },
			done_if = { run = { "QUERY", "USER", "LNXAP01" },
				match = "^LNXAP01%s+%-" },
			action = { "XAUTOLOG", "LNXAP01" },
			verify = {
				{ wait = "*AUTO LOGON*LNXAP01 *",
					timeout = 120 },
				{ wait = "*MSG FROM LNXAP01*READY*",
					timeout = 600 },
			},
			on_failure = "confirm",
		},
		{
			id = "lnxap02",
			title = "application server 2",
			after = { "lnxdb01", "lnxnf01" },
			done_if = { run = { "QUERY", "USER", "LNXAP02" },
				match = "^LNXAP02%s+%-" },
			action = { "XAUTOLOG", "LNXAP02" },
			verify = {
				{ wait = "*AUTO LOGON*LNXAP02 *",
					timeout = 120 },
				{ wait = "*MSG FROM LNXAP02*READY*",
					timeout = 600 },
			},
			on_failure = "confirm",
		},

		-- 10: the front door last ---------------------------------
		{
			id = "lnxwb01",
			title = "the web server, when the applications answer",
			after = { "lnxap01", "lnxap02" },
			done_if = { run = { "QUERY", "USER", "LNXWB01" },
				match = "^LNXWB01%s+%-" },
			action = { "XAUTOLOG", "LNXWB01" },
			verify = {
				{ wait = "*AUTO LOGON*LNXWB01 *",
					timeout = 120 },
				{ wait = "*MSG FROM LNXWB01*READY*",
					timeout = 600 },
			},
			on_failure = "confirm",
		},

		-- 11: the end state, for the record -----------------------
		{
			id = "all-up",
			title = "every guest of PRD1 is logged on",
			after = { "lnxwb01" },
			check = { run = { "QUERY", "NAMES" },
				expect = { "TCPIP ", "LNXDB01 ", "LNXNF01 ",
					"LNXAP01 ", "LNXAP02 ", "LNXWB01 " } },
			on_failure = "confirm",
		},
	},
}
