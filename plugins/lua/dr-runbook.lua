-- SPDX-License-Identifier: Apache-2.0
--
-- dr-runbook.lua - run a disaster-recovery runbook: an ordered set of
-- steps, each checked before it acts and verified after, run in the order
-- of their dependencies with independent branches in parallel, every
-- step's start, result and evidence recorded for the auditors, paused and
-- resumed by an operator, and carried across a restart of the daemon.
-- The lessons of DESIGN.md section 2: verify the configuration you got
-- before going on, bring systems up in dependency order, record every
-- step, and let automation, not people under stress, repeat it.
--
-- Starting a run.  The message
--
--     VIGIL DR START [NAME]
--
-- from one of the sources CONFIG(sources=...) lists starts the runbook of
-- CONFIG(runbook=FILE), or with NAME the one of CONFIG(runbook.NAME=FILE)
-- (NAME in any case).  An operator sends it with an action that emits it,
-- so that AUTH decides who may start a recovery:
--
--     DEFACTN NAME DRSTART EMIT 'VIGIL DR START PRD1'
--     vigil run DRSTART                  (the message comes from DRSTART)
--
-- or, for tests, `vigil inject 'VIGIL DR START PRD1'` (source INJECT).
-- The same message from any other source (a console line that happens to
-- say so) is refused and logged.  The runbook file is read when the run
-- starts and saved with it: editing the file does not change a run under
-- way.  One run per runbook at a time: a second START while one is
-- unfinished names the first and starts nothing.
--
-- The runbook file is a Lua chunk run with no globals at all (vigil.data)
-- that returns a table:
--
--   name            the runbook's name in messages and keys (default NAME
--                   or "runbook")
--   title           a line of description (optional)
--   env             the DEFENV that argv commands run in (default: none,
--                   the argv itself); a step or a command may say another
--   source          the message source verifications wait on by default
--                   (a wildcard; default: any source)
--   parallel        how many steps may run at once (default CONFIG
--                   parallel, 2)
--   timeout, retries, retry_delay, on_failure, confirm_timeout
--                   defaults for the steps (below)
--   steps           the list of steps, in the order they are preferred
--                   when several are ready
--
-- A step:
--
--   id              its name: letters, digits, '_', '-', '.'; unique
--   title           what it does, for people (optional)
--   after           ids of the steps it needs done first ({"a", "b"});
--                   the steps form a graph without cycles
--   done_if         checks (below) that, when they all pass, show the
--                   work is already done: the step is recorded "already
--                   done" with that evidence and its action is not run
--                   (so a runbook can run again after a partial run)
--   check           the precondition: one check or a list of checks
--   action          what it does: an argv table ({"XAUTOLOG", "LNXDB1"}),
--                   a DEFACTN name ("BRINGUP"), or a table {run = argv or
--                   action name, parm = PARM of an action, env = DEFENV,
--                   status = wanted exit status (default 0, "any")}
--   verify          the verification: one check or a list of checks;
--                   a check with `wait` waits for a message instead
--   timeout         seconds a command may run, and how long a
--                   verification waits for its message or keeps polling
--                   (default CONFIG timeout, 300)
--   retries         how many times to try the step again when it fails
--                   (default 0; 3 with on_failure = "retry")
--   retry_delay     seconds between tries (default 5)
--   on_failure      "stop" (default): the run stops starting steps, lets
--                   the running ones end and fails, naming the step and
--                   its evidence; "retry": retries (see above), then stop;
--                   "confirm": after the retries, ask an operator
--                   (vigil.confirm): yes goes on with the step as if the
--                   failed part had passed, recorded with who said so;
--                   no, or no answer within confirm_timeout, is stop
--   confirm_timeout seconds an operator has to answer (default CONFIG
--                   confirm_timeout, 3600)
--   env             DEFENV for the step's argv commands
--
-- A check is {run = argv or action name, parm =, env =, and what the
-- output must show}: status (exit status, default 0; "any"), expect
-- (strings that must all appear, plain text), match (Lua patterns that
-- must all match the whole output: ^ is its start, "\n" ends a line),
-- absent (strings none of which may appear), every (seconds: run it
-- again until it passes or its timeout ends; default: once), timeout.
-- A check should only look (a query): one whose process was cut by a
-- restart of the daemon is run again.  Or a wait: {wait = wildcard or
-- {match =, regex =, msgid =, user =, source =}, source =, timeout =}:
-- the message must come within the timeout.  A step's waits are armed
-- before its action runs (as child workflows "dr-wait"), so an answer
-- the action brings at once is not missed; when the action fails, they
-- end at their timeout (or at the message a later try brings).
-- Patterns come from the runbook only, never from message text.
--
-- A try of a step is: check, then action, then verify; the first part
-- that fails ends the try (done_if is looked at once, before the first
-- try).  Evidence (each command with its output, the message waited
-- for, who confirmed) is kept for every part.
--
-- CONFIG keys of the PLUGIN statement:
--
--   runbook=FILE          the default runbook (relative to this file's
--                         directory unless absolute)
--   runbook.NAME=FILE     further runbooks, started by name
--   sources=LIST          comma-separated sources whose START messages
--                         are obeyed (default INJECT)
--   parallel=N            steps at once (default 2; the runbook's
--                         `parallel` wins)
--   timeout=S             a step's default timeout (default 300)
--   confirm_timeout=S     default time to answer a confirmation (3600)
--   notify=ACTION         the action that tells people (vigil.notify): a
--                         run's end, a step that needs an operator; none:
--                         nothing is sent
--
-- What is recorded.  Each run is a workflow "dr-runbook" (keyed by the
-- runbook's name) and each step a child workflow "dr-step"; their
-- journals (vigil workflow show ID) hold every command with its output,
-- every wait with its message, every confirmation with who answered.
-- Besides, for each step start, end and failure, a message from source
-- DR (the plugin's name; in the console log of that source) and a log
-- line: DRB010I step started, DRB016I the evidence of each check, action
-- and verification and of each answer, DRB011I step done, DRB012I already
-- done, DRB013W tried again, DRB014E failed, DRB015W overridden by an
-- operator; DRB001I run started, DRB002I completed, DRB003E stopped; and
-- vigil.state["run.ID"], a table of the run: runbook, status, times, and
-- per step status, attempts, evidence and who overrode it (kept for the
-- auditors, one entry per run).
--
-- Operators: `vigil workflows` lists the run and its steps;
-- `vigil workflow pause ID` on the run stops it starting further steps
-- (the running ones end; it pauses at its next call), `resume` goes on;
-- pausing a step's workflow holds that step before its next command;
-- `vigil workflow cancel ID` of a step makes it fail (the run stops);
-- cancelling the run itself cancels its running steps with it;
-- `vigil confirm ID yes|no` answers a step's
-- question (its id is in the CONFIRM_WAITING event, the notification
-- and `vigil workflows`).
--
-- Across a restart (kill -9 included) the run and its steps resume from
-- their journals: commands that ended are not run again, their saved
-- output is used; waits and confirmations are armed again for the time
-- they had left.  An action whose process was running when the daemon
-- died is not run again either: the step goes on to its verification,
-- which says whether it worked (a step with no verification then fails
-- with "interrupted", and its on_failure decides).

local fmt, find, concat, sort = string.format, string.find, table.concat,
	table.sort

local DEFAULT_PARALLEL, DEFAULT_TIMEOUT, DEFAULT_CONFIRM = 2, 300, 3600
local DEFAULT_DELAY, RETRY_RETRIES = 5, 3

-- --- small helpers ------------------------------------------------------

local function cfg_number(key, default)
	return tonumber(vigil.config[key]) or default
end

-- X as a list: nil -> {}, a scalar -> {x}.
local function list_of(x)
	if x == nil then
		return {}
	end
	if type(x) ~= "table" then
		return { x }
	end
	return x
end

-- Output as one line of evidence, cut at MAX characters.
local function oneline(s, max)
	s = tostring(s or "")
	s = (s:gsub("%s+$", ""))
	s = (s:gsub("\r?\n", " | "))
	max = max or 400
	if #s > max then
		s = s:sub(1, max) .. "..."
	end
	return s
end

local function plural(n, word)
	return fmt("%d %s%s", n, word, n == 1 and "" or "s")
end

-- A command as words, for the evidence.
local function describe_run(c)
	if type(c.run) == "string" then
		return c.run .. (c.parm and (" " .. c.parm) or "")
	end
	return concat(c.run, " ")
end

local function describe_wait(w)
	if type(w) == "string" then
		return w
	end
	local parts = {}
	for _, k in ipairs({ "match", "regex", "msgid", "user", "source" }) do
		if w[k] ~= nil then
			parts[#parts + 1] = k .. "=" .. w[k]
		end
	end
	return concat(parts, " ")
end

-- --- the runbook: normal form and validation ----------------------------

local STEP_FIELDS = { id = true, title = true, after = true, check = true,
	action = true, verify = true, done_if = true, timeout = true,
	retries = true, retry_delay = true, on_failure = true,
	confirm_timeout = true, env = true }
local CHECK_FIELDS = { run = true, parm = true, env = true, status = true,
	expect = true, match = true, absent = true, every = true,
	timeout = true, wait = true, source = true, title = true }
local WAIT_FIELDS = { match = true, regex = true, msgid = true,
	user = true, source = true }
local RUNBOOK_FIELDS = { name = true, title = true, env = true,
	source = true, parallel = true, timeout = true, retries = true,
	retry_delay = true, on_failure = true, confirm_timeout = true,
	steps = true }
local POLICIES = { stop = true, retry = true, confirm = true }

-- A command (action) in its table form, or nil.
local function command_of(x)
	if type(x) == "string" or (type(x) == "table" and x[1] ~= nil) then
		return { run = x }
	end
	return x
end

-- One check or a list of checks, as a list.
local function checks_of(x)
	if x == nil then
		return {}
	end
	if type(x) == "table" and type(x[1]) == "table" then
		return x
	end
	return { x }
end

local function check_run(errs, where, c)
	if type(c.run) == "string" then
		if c.run == "" then
			errs[#errs + 1] = where .. ": run is empty"
		end
	elseif type(c.run) == "table" then
		if #c.run == 0 then
			errs[#errs + 1] = where .. ": run is an empty argv"
		end
		for i, w in ipairs(c.run) do
			if type(w) ~= "string" and type(w) ~= "number" then
				errs[#errs + 1] = fmt("%s: argv word %d is"
					.. " a %s", where, i, type(w))
			end
		end
	else
		errs[#errs + 1] = where .. ": run (an argv table or an"
			.. " action name) or wait expected"
	end
	if c.parm ~= nil and type(c.run) ~= "string" then
		errs[#errs + 1] = where .. ": parm is for an action name"
	end
	if c.status ~= nil and c.status ~= "any" and
	    math.type(c.status) ~= "integer" then
		errs[#errs + 1] = where .. ": status is an integer or \"any\""
	end
end

local function check_strings(errs, where, c, field, pattern)
	for _, s in ipairs(list_of(c[field])) do
		if type(s) ~= "string" then
			errs[#errs + 1] = fmt("%s: %s wants strings", where,
				field)
		elseif pattern and not pcall(find, "", s) then
			errs[#errs + 1] = fmt("%s: match %q is not a Lua"
				.. " pattern", where, s)
		end
	end
end

local function check_positive(errs, where, t, field)
	if t[field] ~= nil and (type(t[field]) ~= "number" or t[field] < 0)
	    then
		errs[#errs + 1] = fmt("%s: %s is seconds (a number >= 0)",
			where, field)
	end
end

local function check_check(errs, where, c)
	if type(c) ~= "table" then
		errs[#errs + 1] = where .. ": a table expected"
		return
	end
	for k in pairs(c) do
		if not CHECK_FIELDS[k] then
			errs[#errs + 1] = fmt("%s: unknown field '%s'", where,
				tostring(k))
		end
	end
	check_positive(errs, where, c, "timeout")
	if c.wait ~= nil then
		if type(c.wait) == "table" then
			for k, v in pairs(c.wait) do
				if not WAIT_FIELDS[k] or
				    type(v) ~= "string" then
					errs[#errs + 1] = fmt("%s: wait field"
						.. " '%s'", where, tostring(k))
				end
			end
		elseif type(c.wait) ~= "string" then
			errs[#errs + 1] = where .. ": wait is a wildcard or a"
				.. " filter table"
		end
		if c.run ~= nil then
			errs[#errs + 1] = where .. ": wait or run, not both"
		end
		return
	end
	check_run(errs, where, c)
	check_strings(errs, where, c, "expect", false)
	check_strings(errs, where, c, "absent", false)
	check_strings(errs, where, c, "match", true)
	if c.every ~= nil and (type(c.every) ~= "number" or c.every <= 0) then
		errs[#errs + 1] = where .. ": every is seconds (> 0)"
	end
end

local function check_step(errs, s, i, ids)
	local where = fmt("step %d", i)
	if type(s) ~= "table" then
		errs[#errs + 1] = where .. ": a table expected"
		return
	end
	if type(s.id) ~= "string" or not s.id:find("^[%w_.-]+$") then
		errs[#errs + 1] = where .. ": id (letters, digits, _ - .)"
			.. " expected"
	else
		where = "step " .. s.id
		if ids[s.id] then
			errs[#errs + 1] = where .. ": a second step with this"
				.. " id"
		end
		ids[s.id] = i
	end
	for k in pairs(s) do
		if not STEP_FIELDS[k] then
			errs[#errs + 1] = fmt("%s: unknown field '%s'", where,
				tostring(k))
		end
	end
	if s.check == nil and s.action == nil and s.verify == nil then
		errs[#errs + 1] = where .. ": no check, action or verify"
	end
	for _, f in ipairs({ "check", "verify", "done_if" }) do
		for j, c in ipairs(checks_of(s[f])) do
			check_check(errs, fmt("%s %s %d", where, f, j), c)
		end
	end
	for _, c in ipairs(checks_of(s.check)) do
		if type(c) == "table" and c.wait ~= nil then
			errs[#errs + 1] = where .. ": a check runs a command"
				.. " (wait is for verify)"
		end
	end
	if s.action ~= nil then
		local a = command_of(s.action)
		if type(a) ~= "table" then
			errs[#errs + 1] = where .. ": action is an argv, an"
				.. " action name or a table"
		else
			check_run(errs, where .. " action", a)
		end
	end
	if s.on_failure ~= nil and not POLICIES[s.on_failure] then
		errs[#errs + 1] = where .. ": on_failure is stop, retry or"
			.. " confirm"
	end
	if s.retries ~= nil and (math.type(s.retries) ~= "integer" or
	    s.retries < 0) then
		errs[#errs + 1] = where .. ": retries is a count (>= 0)"
	end
	for _, f in ipairs({ "timeout", "retry_delay", "confirm_timeout" }) do
		check_positive(errs, where, s, f)
	end
	if s.after ~= nil and type(s.after) ~= "table" then
		errs[#errs + 1] = where .. ": after is a list of step ids"
	end
end

-- Steps in a cycle of `after`, or nil.
local function find_cycle(steps)
	local byid, mark = {}, {}
	for _, s in ipairs(steps) do
		byid[s.id] = s
	end
	local function visit(s, path)
		if mark[s.id] == "done" then
			return nil
		end
		if mark[s.id] == "on" then
			return path .. " -> " .. s.id
		end
		mark[s.id] = "on"
		for _, d in ipairs(s.after or {}) do
			local c = visit(byid[d], path .. " -> " .. s.id)
			if c then
				return c
			end
		end
		mark[s.id] = "done"
		return nil
	end
	for _, s in ipairs(steps) do
		local c = visit(s, "")
		if c then
			return c:sub(5)
		end
	end
	return nil
end

-- The runbook's errors, as a list of strings (empty when it is good).
local function validate(rb)
	local errs = {}
	if type(rb) ~= "table" then
		return { "the runbook file must return a table" }
	end
	if type(rb.steps) ~= "table" or #rb.steps == 0 then
		return { "the runbook has no steps" }
	end
	for k in pairs(rb) do
		if not RUNBOOK_FIELDS[k] then
			errs[#errs + 1] = fmt("unknown field '%s'", tostring(k))
		end
	end
	for _, f in ipairs({ "name", "title", "env", "source" }) do
		if rb[f] ~= nil and type(rb[f]) ~= "string" then
			errs[#errs + 1] = f .. " is a string"
		end
	end
	if rb.parallel ~= nil and (math.type(rb.parallel) ~= "integer" or
	    rb.parallel < 1) then
		errs[#errs + 1] = "parallel is a count (>= 1)"
	end
	if rb.on_failure ~= nil and not POLICIES[rb.on_failure] then
		errs[#errs + 1] = "on_failure is stop, retry or confirm"
	end
	if rb.retries ~= nil and (math.type(rb.retries) ~= "integer" or
	    rb.retries < 0) then
		errs[#errs + 1] = "retries is a count (>= 0)"
	end
	for _, f in ipairs({ "timeout", "retry_delay", "confirm_timeout" }) do
		check_positive(errs, "the runbook", rb, f)
	end
	local ids = {}
	for i, s in ipairs(rb.steps) do
		check_step(errs, s, i, ids)
	end
	if #errs > 0 then
		return errs
	end
	for _, s in ipairs(rb.steps) do
		for _, d in ipairs(s.after or {}) do
			if ids[d] == nil then
				errs[#errs + 1] = fmt("step %s: after names no"
					.. " step '%s'", s.id, tostring(d))
			end
		end
	end
	if #errs == 0 then
		local c = find_cycle(rb.steps)
		if c then
			errs[#errs + 1] = "the steps depend on each other in a"
				.. " cycle: " .. c
		end
	end
	return errs
end

-- --- recording ----------------------------------------------------------

-- Merge FIELDS into the run's record (or into step SID's), in vigil.state.
-- Replaying a journal writes the same values again, so no entry doubles.
local function record(run, sid, fields)
	local key = "run." .. run
	local r = vigil.state[key] or { steps = {} }
	local t = r
	if sid ~= nil then
		t = r.steps[sid] or { evidence = {} }
		r.steps[sid] = t
	end
	for k, v in pairs(fields) do
		t[k] = v
	end
	vigil.state[key] = r
end

-- A line for the auditors: a message from source DR and a log line.
local function announce(ctx, msgid, text)
	local line = fmt("%s DR %s run %s: %s", msgid, ctx.name, ctx.run,
		text)
	vigil.log(line)
	vigil.emit(line)
end

-- The evidence of part WHAT of step SID: kept and announced (DRB016I).
local function evidence(ctx, sid, what, text)
	local key = "run." .. ctx.run
	local r = vigil.state[key] or { steps = {} }
	local t = r.steps[sid] or { evidence = {} }
	t.evidence[what] = text
	r.steps[sid] = t
	vigil.state[key] = r
	announce(ctx, "DRB016I", fmt("step %s %s: %s", sid, what, text))
end

-- Whether a run notifies is decided when it starts (ctx.notify), so that
-- a changed CONFIG cannot make a replay take another path.
local function notify(ctx, text)
	if ctx.notify and vigil.config.notify ~= nil then
		vigil.notify(text)
	end
end

-- --- running commands and checks ----------------------------------------

-- Runs command C (a table with run); returns status, output, result.
local function run_command(ctx, c, timeout, step_env)
	local opts = { timeout = timeout }
	if type(c.run) == "string" then
		opts.parm = c.parm
	else
		opts.env = c.env or step_env or ctx.env
	end
	local st, out, res = vigil.run(c.run, opts)
	return st, out or "", res or ""
end

-- Whether OUT (exit status ST) passes check C; else why not.
local function output_ok(c, st, out)
	local want = c.status == nil and 0 or c.status
	if want ~= "any" and st == nil then
		return false, "the command did not run to an exit status"
	end
	if want ~= "any" and st ~= want then
		return false, fmt("exit status %d, wanted %d", st, want)
	end
	for _, s in ipairs(list_of(c.expect)) do
		if not find(out, s, 1, true) then
			return false, fmt("no \"%s\" in the output", s)
		end
	end
	for _, p in ipairs(list_of(c.match)) do
		if not find(out, p) then
			return false, fmt("the output does not match %s", p)
		end
	end
	for _, s in ipairs(list_of(c.absent)) do
		if find(out, s, 1, true) then
			return false, fmt("\"%s\" in the output", s)
		end
	end
	return true
end

-- Runs check C, polling with C.every until it passes or its time is up.
-- Returns ok, why, evidence.
local function run_check(ctx, s, c, timeout)
	local limit = c.timeout or timeout
	local deadline = c.every and (vigil.now() + limit) or nil
	while true do
		local st, out, res = run_command(ctx, c, limit, s.env)
		local ev = fmt("%s -> %s", describe_run(c),
			out ~= "" and oneline(out) or "(no output)")
		if st == nil then
			ev = ev .. " (" .. res .. ")"
		end
		local ok, why = output_ok(c, st, out)
		if ok then
			return true, nil, ev
		end
		-- A query cut by a restart of the daemon is asked again.
		if res ~= "interrupted" then
			if deadline == nil or
			    vigil.now() + c.every > deadline then
				return false, why, ev
			end
			vigil.sleep(c.every)
		end
	end
end

-- The filter of wait check C.
local function filter_of(ctx, c)
	local f = {}
	if type(c.wait) == "string" then
		f.match = c.wait
	else
		for k, v in pairs(c.wait) do
			f[k] = v
		end
	end
	f.source = f.source or c.source or ctx.source
	return f
end

-- Starts the waits of the step's verification before its action: child
-- workflows that arm their watch at once.  Returns check index -> id.
local function start_waits(ctx, s, timeout)
	local ids = {}
	for i, c in ipairs(checks_of(s.verify)) do
		if c.wait ~= nil then
			ids[i] = vigil.start("dr-wait", {
				filter = filter_of(ctx, c),
				timeout = c.timeout or timeout,
				what = describe_wait(c.wait),
			})
		end
	end
	return ids
end

-- --- a step -------------------------------------------------------------

-- Asks an operator whether to go on after PART failed; true, who on yes.
local function ask(ctx, s, part, why, ev)
	local prompt = fmt("DR %s step %s: %s failed: %s (%s). Go on with"
		.. " the step anyway?", ctx.name, s.id, part, why, ev)
	notify(ctx, fmt("%s Answer: vigil confirm %s yes|no", prompt,
		vigil.id()))
	local yes, who = vigil.confirm(prompt, { timeout = s.confirm_timeout
		or ctx.confirm_timeout })
	return yes == true, who
end

--
-- One try of step S: check, action, verify.  LAST says whether a failure
-- is final (then on_failure = "confirm" asks).  Returns ok, part, why,
-- evidence of the failing part, and who overrode a failure.
--
local function try_step(ctx, s, n, last, timeout)
	local who = nil
	local function failed(part, why, ev)
		announce(ctx, "DRB014E", fmt("step %s %s failed (try %d): %s;"
			.. " evidence: %s", s.id, part, n, why, ev))
		if not last or s.on_failure ~= "confirm" then
			return false
		end
		local yes, by = ask(ctx, s, part, why, ev)
		evidence(ctx, s.id, fmt("%s %d confirm", part, n),
			fmt("%s by %s", yes and "yes" or "no", tostring(by)))
		if not yes then
			return false
		end
		who = by
		announce(ctx, "DRB015W", fmt("step %s %s failure overridden"
			.. " by %s", s.id, part, tostring(by)))
		return true
	end
	for i, c in ipairs(checks_of(s.check)) do
		vigil.step(fmt("%s: check %d (try %d)", s.id, i, n))
		local ok, why, ev = run_check(ctx, s, c, timeout)
		evidence(ctx, s.id, fmt("check %d.%d", n, i), ev)
		if not ok and not failed("check", why, ev) then
			return false, "check", why, ev
		end
	end
	local waits = start_waits(ctx, s, timeout)
	if s.action ~= nil then
		local a = command_of(s.action)
		vigil.step(fmt("%s: action (try %d)", s.id, n))
		local st, out, res = run_command(ctx, a, timeout, s.env)
		local ev = fmt("%s -> %s (exit %s, %s)", describe_run(a),
			out ~= "" and oneline(out) or "(no output)",
			tostring(st), res)
		evidence(ctx, s.id, fmt("action %d", n), ev)
		local want = a.status == nil and 0 or a.status
		if res == "interrupted" then
			-- The daemon died while it ran: never run it twice.
			announce(ctx, "DRB013W", fmt("step %s: the action was"
				.. " running when the daemon stopped; not run"
				.. " again", s.id))
			if s.verify == nil and not failed("action",
			    "interrupted by a restart, outcome unknown",
			    ev) then
				return false, "action", "interrupted", ev
			end
		elseif want ~= "any" and st ~= want and
		    not failed("action", fmt("exit status %s, wanted %s",
		    tostring(st), tostring(want)), ev) then
			return false, "action", "exit status " .. tostring(st),
				ev
		end
	end
	for i, c in ipairs(checks_of(s.verify)) do
		vigil.step(fmt("%s: verify %d (try %d)", s.id, i, n))
		local ok, why, ev
		if waits[i] ~= nil then
			local r = vigil.join({ waits[i] })[waits[i]]
			local res = r.result or {}
			ok = res.ok
			if ok then
				ev = fmt("message: %s", res.text)
			else
				why = fmt("no message %s within %gs",
					describe_wait(c.wait),
					c.timeout or timeout)
				ev = res.why or ("the wait " .. r.status)
			end
		else
			ok, why, ev = run_check(ctx, s, c, timeout)
		end
		evidence(ctx, s.id, fmt("verify %d.%d", n, i), ev)
		if not ok and not failed("verify", why, ev) then
			return false, "verify", why, ev
		end
	end
	return true, nil, nil, nil, who
end

-- Whether done_if shows the work done already; and the evidence.
local function already_done(ctx, s, timeout)
	local evs = {}
	for i, c in ipairs(checks_of(s.done_if)) do
		vigil.step(fmt("%s: done_if %d", s.id, i))
		local ok, _, ev = run_check(ctx, s, c, timeout)
		evs[#evs + 1] = ev
		if not ok then
			return false
		end
	end
	return #evs > 0, concat(evs, "; ")
end

local function step_wf(a)
	local ctx, s = a.ctx, a.step
	local timeout = s.timeout or ctx.timeout
	local retries = s.retries or ctx.retries or
		(s.on_failure == "retry" and RETRY_RETRIES or 0)
	local delay = s.retry_delay or ctx.retry_delay or DEFAULT_DELAY
	local t0 = vigil.now()
	record(ctx.run, s.id, { status = "running", started = t0,
		workflow = vigil.id(), title = s.title })
	announce(ctx, "DRB010I", fmt("step %s started%s", s.id,
		s.title and (": " .. s.title) or ""))
	local done, ev = already_done(ctx, s, timeout)
	if done then
		record(ctx.run, s.id, { status = "already done", attempts = 0,
			ended = vigil.now() })
		evidence(ctx, s.id, "done_if", ev)
		announce(ctx, "DRB012I", fmt("step %s already done: %s", s.id,
			ev))
		return { ok = true, skipped = true, evidence = ev }
	end
	local n = 0
	while true do
		n = n + 1
		local ok, part, why, fev, who = try_step(ctx, s, n,
			n > retries, timeout)
		if ok then
			record(ctx.run, s.id, { status = "done", attempts = n,
				ended = vigil.now(), overridden_by = who })
			announce(ctx, "DRB011I", fmt("step %s done (try %d)%s",
				s.id, n, who and (", overridden by " .. who)
				or ""))
			return { ok = true, attempts = n, overridden_by = who }
		end
		if n > retries then
			record(ctx.run, s.id, { status = "failed", attempts = n,
				ended = vigil.now(), part = part, why = why })
			return { ok = false, attempts = n, part = part,
				why = why, evidence = fev }
		end
		announce(ctx, "DRB013W", fmt("step %s: trying again in %gs"
			.. " (%d of %d)", s.id, delay, n, retries))
		vigil.sleep(delay)
	end
end

local function wait_wf(a)
	vigil.step("wait " .. a.what)
	local m, why = vigil.wait_for(a.filter, { timeout = a.timeout })
	if m ~= nil then
		return { ok = true, text = m.text, source = m.source }
	end
	return { ok = false, why = why }
end

-- --- a run ----------------------------------------------------------------

local function ready(s, status)
	for _, d in ipairs(s.after or {}) do
		if status[d] ~= "done" then
			return false
		end
	end
	return true
end

local function sorted_keys(t)
	local ks = {}
	for k in pairs(t) do
		ks[#ks + 1] = k
	end
	sort(ks)
	return ks
end

-- Starts the ready steps, up to the limit; RUNNING maps child id -> step.
local function start_ready(a, status, running)
	local n = #sorted_keys(running)
	for _, s in ipairs(a.runbook.steps) do
		if n >= a.parallel then
			return
		end
		if status[s.id] == nil and ready(s, status) then
			status[s.id] = "running"
			running[vigil.start("dr-step", { ctx = a.ctx,
				step = s })] = s
			n = n + 1
		end
	end
end

local function label_running(running)
	local names = {}
	for _, id in ipairs(sorted_keys(running)) do
		names[#names + 1] = running[id].id
	end
	vigil.step("running " .. concat(names, ", "))
end

local function runbook_wf(a, id)
	local ctx = a.ctx
	ctx.run = id
	local t0 = vigil.now()
	record(id, nil, { runbook = ctx.name, status = "running",
		started = t0, file = a.file })
	announce(ctx, "DRB001I", fmt("started: %s, %d at once%s",
		plural(#a.runbook.steps, "step"), a.parallel,
		a.by and (", by " .. a.by) or ""))
	local status, running, stop = {}, {}, nil
	while true do
		if stop == nil then
			start_ready(a, status, running)
		end
		if next(running) == nil then
			break
		end
		label_running(running)
		local cid, st, res = vigil.join(sorted_keys(running),
			{ any = true })
		local s = running[cid]
		running[cid] = nil
		if st == "done" and type(res) == "table" and res.ok then
			status[s.id] = "done"
		else
			status[s.id] = "failed"
			res = type(res) == "table" and res or {}
			stop = stop or { step = s.id, part = res.part or st,
				why = res.why or ("the step's workflow " .. st),
				evidence = res.evidence or "" }
		end
	end
	local not_run = {}
	for _, s in ipairs(a.runbook.steps) do
		if status[s.id] == nil then
			not_run[#not_run + 1] = s.id
		end
	end
	local secs = vigil.now() - t0
	if stop == nil then
		record(id, nil, { status = "completed", ended = t0 + secs })
		local text = fmt("completed: %s in %ds",
			plural(#a.runbook.steps, "step"),
			math.floor(secs + 0.5))
		announce(ctx, "DRB002I", text)
		notify(ctx, fmt("DR runbook %s (workflow %s) %s", ctx.name, id,
			text))
		return { runbook = ctx.name, status = "completed",
			steps = status }
	end
	local text = fmt("stopped at step %s (%s): %s; evidence: %s;"
		.. " not run: %s", stop.step, stop.part, stop.why,
		stop.evidence, #not_run > 0 and concat(not_run, ", ") or "none")
	record(id, nil, { status = "stopped", ended = t0 + secs,
		failed_step = stop.step, not_run = not_run })
	announce(ctx, "DRB003E", text)
	notify(ctx, fmt("DR runbook %s (workflow %s) %s", ctx.name, id, text))
	error(text, 0)
end

vigil.workflow("dr-runbook", runbook_wf)
vigil.workflow("dr-step", step_wf)
vigil.workflow("dr-wait", wait_wf)

-- --- starting -------------------------------------------------------------

local function allowed_sources()
	local set = {}
	for src in (vigil.config.sources or "INJECT"):gmatch("[^,%s]+") do
		set[src:upper()] = true
	end
	return set
end

-- The CONFIG key of runbook NAME (nil: the default), or nil, why.
local function runbook_key(name)
	if name == nil then
		if vigil.config.runbook == nil then
			return nil, "no runbook=FILE in CONFIG"
		end
		return "runbook"
	end
	local want = ("runbook." .. name):lower()
	for k in pairs(vigil.config) do
		if type(k) == "string" and k:lower() == want then
			return k
		end
	end
	return nil, "no runbook." .. name .. "=FILE in CONFIG"
end

local function refuse(why)
	vigil.log("DRB004E " .. why)
	if vigil.config.notify ~= nil then
		vigil.notify("DR runbook not started: " .. why)
	end
end

local function start(name, by)
	local key, err = runbook_key(name)
	if key == nil then
		return refuse(err)
	end
	local ok, rb = pcall(vigil.data, key)
	if not ok then
		return refuse(tostring(rb))
	end
	local errs = validate(rb)
	if #errs > 0 then
		return refuse(fmt("runbook %s (%s): %s", name or "runbook",
			vigil.config[key], concat(errs, "; ")))
	end
	local ctx = {
		name = rb.name or name or "runbook",
		env = rb.env,
		source = rb.source,
		timeout = rb.timeout or cfg_number("timeout", DEFAULT_TIMEOUT),
		confirm_timeout = rb.confirm_timeout or
			cfg_number("confirm_timeout", DEFAULT_CONFIRM),
		retries = rb.retries,
		retry_delay = rb.retry_delay,
		notify = vigil.config.notify ~= nil,
	}
	for _, s in ipairs(rb.steps) do
		s.on_failure = s.on_failure or rb.on_failure
	end
	local args = { runbook = rb, ctx = ctx, file = vigil.config[key],
		parallel = rb.parallel or cfg_number("parallel",
		DEFAULT_PARALLEL), by = by }
	local ok, id, existed = pcall(vigil.start, "dr-runbook", args,
		{ key = "runbook " .. ctx.name })
	if not ok then
		return refuse(fmt("runbook %s: %s", ctx.name, tostring(id)))
	end
	if existed then
		vigil.log(fmt("DRB005W runbook %s is already running as"
			.. " workflow %s; not started again", ctx.name, id))
	else
		vigil.log(fmt("DRB006I runbook %s started as workflow %s (%s)",
			ctx.name, id, vigil.config[key]))
	end
end

vigil.on("VIGIL DR START*", function(msg)
	local w = msg.words
	if w[1] ~= "VIGIL" or w[2] ~= "DR" or w[3] ~= "START" or
	    #w > 4 then
		return
	end
	if not allowed_sources()[(msg.source or ""):upper()] then
		vigil.log(fmt("DRB007W a START from source %s refused (not in"
			.. " CONFIG sources): %s", tostring(msg.source),
			msg.text))
		return
	end
	local by = msg.source or "?"
	if msg.user ~= nil and msg.user ~= "" then
		by = by .. "/" .. msg.user
	end
	start(w[4], by)
end)
