-- SPDX-License-Identifier: Apache-2.0
--
-- quiesce-backup-restart.lua - stop a guest cleanly, back it up, start it
-- again and tell someone how it went: the backup example of DESIGN.md
-- section 2 as one durable workflow per guest instead of three rules.
--
-- For each guest:
--
--   1. shutdown  issue `shutdown` and wait up to shutdown_timeout for the
--                `down` message; when it does not come, issue `force` and
--                wait up to force_timeout for the `logoff` message;
--   2. backup    issue `backup` and wait up to backup_timeout for
--                `backup_ok` or `backup_failed`;
--   3. restart   issue `restart`, wait up to up_timeout for the `up`
--                message and, when `verify` is set, run it until a line
--                of its output matches `verify_ok`;
--   4. notify    run the CONFIG(notify=ACTION) action with a one-line
--                summary (its &P): the outcome and each stage's time.
--
-- When something goes wrong:
--   - the guest does not stop (no `down`, then no `logoff` after the
--     force, or force=none): nothing else is done; the summary says
--     FAILED.  A guest that may still run is neither backed up nor
--     restarted.
--   - the backup fails (its command fails, `backup_failed` comes, or
--     nothing comes within backup_timeout): on_backup_failure decides:
--     `restart` (the default: the service comes back, the summary says
--     FAILED and why), `leave` (the guest stays down for an operator), or
--     `ask` (vigil.confirm: `vigil confirm ID yes` restarts, `no` or no
--     answer within ask_timeout leaves it down).
--   - the guest does not come back (`restart` fails, no `up` within
--     up_timeout, `verify` never matches): the summary says FAILED.
--
-- Triggers (both may be used):
--   - a message whose words contain the `trigger` words followed by guest
--     names: `vigil inject 'VIGIL BACKUP BKRLNXD BKRLNXE'`, or a DEFSCHD
--     whose action is `EMIT 'VIGIL BACKUP BKRLNXD'` (any WHEN form);
--   - at=HH:MM with guests="G1 G2": every day at that local time.
-- Anyone who can put a line on a watched console can ask (a guest can
-- MSG the operator): restrict requests with trigger_source and allow.
-- One guest starts workflow `qbr` for it; several start a workflow
-- `qbr-batch` that runs the guests `parallel` at a time (1: in sequence,
-- in the order given), then notifies a summary of the whole batch.  Each
-- guest's workflow has the guest as its key: a trigger for a guest whose
-- backup is still under way joins the running one instead of starting a
-- second.
--
-- CONFIG keys (values with blanks in double quotes; {guest} in a command
-- or a pattern is replaced by the guest name, as plain text; patterns are
-- wildcards of the rule language, * any run and % one character, matched
-- against the whole message text, case-sensitive, and `||` separates
-- alternatives (so that guest A's pattern need not match guest AB's
-- message); `none` turns a command or a pattern off; times are seconds):
--
--   trigger          VIGIL BACKUP      words that start a request; none: off
--   trigger_source   (any)             only from sources matching this
--   allow            *                 only guests matching this
--   guests           (none)            the guests of `at`
--   at               (none)            HH:MM, daily
--   parallel         1                 guests at a time in a batch
--   env              (none: EXEC)      DEFENV the commands run through
--   <command>_env    env               per command (shutdown_env, ...)
--   command_timeout  120               the longest one command may run
--   source           (any)             messages waited for come from it
--   shutdown         CP SIGNAL SHUTDOWN {guest} WITHIN 120
--   down             *HCPSIG2113I User {guest} has reported successful termination*
--   shutdown_timeout 180
--   force            CP FORCE {guest}
--   logoff           *LOGOFF AS *{guest} *
--   force_timeout    60
--   backup           CP SMSG BKRBKUP SUBMIT {guest}
--   backup_ok        *BACKUP COMPLETE - {guest}
--   backup_failed    *BACKUP FAILED - {guest}||*BACKUP FAILED - {guest} *
--   backup_timeout   3600
--   on_backup_failure restart          restart, leave or ask
--   ask_timeout      900
--   restart          CP XAUTOLOG {guest}
--   up               *AUTO LOGON*{guest} *
--   up_timeout       300
--   verify           none              a command, e.g. virsh domstate {guest}
--   verify_ok        *                 a line of its output must match
--   verify_tries     5
--   verify_interval  10
--   notify           (none: log only)  the action that gets the summary
--
-- A command is split into words at blanks ("..." groups words; inside a
-- quoted CONFIG value write "" for "), then {guest} is replaced inside
-- each word, and the words run as an argv
-- through the environment (vigil.run): with a TYPE SOURCE DEFENV they are
-- written to that console, with a PREFIX one ('vmcp') they run after it.
-- The answer to a command is watched for from before the command starts
-- (vigil.run with wait_for), so a console that answers before the command
-- returns is not missed.
--
-- After a restart of vigild (even kill -9) each unfinished workflow runs
-- again from the top: the stages already done return their saved results
-- without issuing anything again, a pending wait is armed again for the
-- time it had left, so no command is ever issued twice.  A message the
-- console wrote while vigild was down is seen if its source resumes
-- where it stopped (a DEFSRC TYPE FILE does); one that is lost makes the
-- wait take its timeout branch.  A command that
-- was being issued at the moment of the crash is not issued again either
-- (it may or may not have reached the console): the workflow goes on to
-- the wait that follows it, whose timeout covers the case where it did
-- not.  Operators see each stage as the workflow's step (vigil
-- workflows, vigil workflow show ID) and may pause, resume or cancel it.

local fmt, concat = string.format, table.concat

local DEFAULTS = {
	trigger = "VIGIL BACKUP",
	parallel = "1",
	command_timeout = "120",
	shutdown = "CP SIGNAL SHUTDOWN {guest} WITHIN 120",
	down = "*HCPSIG2113I User {guest} has reported successful termination*",
	shutdown_timeout = "180",
	force = "CP FORCE {guest}",
	logoff = "*LOGOFF AS *{guest} *",
	force_timeout = "60",
	backup = "CP SMSG BKRBKUP SUBMIT {guest}",
	backup_ok = "*BACKUP COMPLETE - {guest}",
	backup_failed = "*BACKUP FAILED - {guest}||*BACKUP FAILED - {guest} *",
	backup_timeout = "3600",
	on_backup_failure = "restart",
	ask_timeout = "900",
	restart = "CP XAUTOLOG {guest}",
	up = "*AUTO LOGON*{guest} *",
	up_timeout = "300",
	verify = "none",
	verify_ok = "*",
	verify_tries = "5",
	verify_interval = "10",
}

-- --- configuration --------------------------------------------------------

-- CONFIG value of KEY, else its default; nil when it is `none` or empty.
local function cfg(key)
	local v = vigil.config[key]
	if type(v) ~= "string" then
		v = DEFAULTS[key]
	end
	if v == nil or v == "" or v:lower() == "none" then
		return nil
	end
	return v
end

local function num(key)
	local v = tonumber(cfg(key) or "")
	if v == nil or v < 0 then
		v = tonumber(DEFAULTS[key])
	end
	return v
end

-- S with every {guest} replaced by GUEST, as plain text.
local function subst(s, guest)
	local out, i = {}, 1
	while true do
		local a, b = s:find("{guest}", i, true)
		if a == nil then
			break
		end
		out[#out + 1] = s:sub(i, a - 1)
		out[#out + 1] = guest
		i = b + 1
	end
	out[#out + 1] = s:sub(i)
	return concat(out)
end

-- Words of S: blanks separate them, "..." groups blanks into one.
local function split(s)
	local words, w, quoted, inword = {}, {}, false, false
	for c in s:gmatch(".") do
		if quoted then
			if c == '"' then quoted = false else w[#w + 1] = c end
		elseif c == " " or c == "\t" then
			if inword then
				words[#words + 1] = concat(w)
				w, inword = {}, false
			end
		elseif c == '"' then
			quoted, inword = true, true
		else
			w[#w + 1] = c
			inword = true
		end
	end
	if inword then
		words[#words + 1] = concat(w)
	end
	return words
end

-- --- patterns ---------------------------------------------------------------

-- The patterns of KEY for GUEST (a list: `||` separates them), or nil
-- when it is off.
local function patterns(key, guest)
	local p, list, i = cfg(key), {}, 1
	if p == nil then
		return nil
	end
	p = subst(p, guest)
	while true do
		local a, b = p:find("||", i, true)
		list[#list + 1] = p:sub(i, (a or 0) - 1)
		if a == nil then
			break
		end
		i = b + 1
	end
	return list
end

--
-- CHOICES ({tag, patterns}, ...) as one filter: the patterns, in order,
-- are the alternatives of one MATCH.
--
local function choice_filter(choices)
	local alts = {}
	for _, c in ipairs(choices) do
		for _, p in ipairs(c[2]) do
			alts[#alts + 1] = p
		end
	end
	return { source = cfg("source"), match = alts }
end

-- The tag of the choice whose pattern took MSG (msg.matched says which).
local function choice_of(choices, msg)
	local n = msg.matched or 1
	for _, c in ipairs(choices) do
		if n <= #c[2] then
			return c[1]
		end
		n = n - #c[2]
	end
	return choices[1][1]
end

-- --- commands ---------------------------------------------------------------

--
-- Issue command KEY for GUEST: true, or false and why.  With CHOICES,
-- also wait up to TIMEOUT seconds for their messages, watched from before
-- the command starts (a console may answer before the command returns):
-- then true, output, and the tag and message (nil, "timeout" when none
-- came).  A command that was being issued when vigild stopped is taken as
-- issued (it is never issued twice); its answer is still watched for,
-- for the time that was left.
--
local function issue(key, guest, choices, timeout)
	local words = split(cfg(key))
	for i, w in ipairs(words) do
		words[i] = subst(w, guest)
	end
	local opts = { env = cfg(key .. "_env") or cfg("env"),
		timeout = num("command_timeout") }
	if choices ~= nil then
		opts.wait_for = choice_filter(choices)
		opts.wait_timeout = timeout
	end
	local st, out, res, msg, why = vigil.run(words, opts)
	if res == "interrupted" then
		-- The answer is still watched for, for the time left.
		vigil.log(guest .. ": " .. key .. " was under way when vigild"
			.. " stopped; not issued again")
		out = ""
	elseif res ~= "ok" or (st ~= nil and st ~= 0) then
		local first = (out or ""):match("[^\n]+") or ""
		return false, fmt("%s failed (%s%s)", concat(words, " "),
			tostring(res or st), first ~= "" and ": " .. first or "")
	end
	if choices == nil then
		return true, out or ""
	end
	if msg == nil then
		return true, out or "", nil, why
	end
	return true, out or "", choice_of(choices, msg), msg
end

-- --- one guest --------------------------------------------------------------

-- The stop stage: true and how, or false and why.
local function stop(guest)
	vigil.step("shutdown " .. guest .. ", wait for " .. guest
		.. " to stop")
	local ok, err, tag = issue("shutdown", guest,
		{ { "down", patterns("down", guest) } }, num("shutdown_timeout"))
	if not ok then
		return false, err
	end
	if tag ~= nil then
		return true, "signal"
	end
	if cfg("force") == nil then
		return false, fmt("%s did not stop within %gs", guest,
			num("shutdown_timeout"))
	end
	vigil.step("force " .. guest .. ", wait for " .. guest
		.. " to log off")
	ok, err, tag = issue("force", guest,
		{ { "logoff", patterns("logoff", guest) } }, num("force_timeout"))
	if not ok then
		return false, err
	end
	if tag == nil then
		return false, fmt("%s did not log off within %gs of the force",
			guest, num("force_timeout"))
	end
	return true, "forced"
end

-- The backup stage: true, or false and why.
local function backup(guest)
	vigil.step("backup " .. guest .. ", wait for the backup of "
		.. guest)
	local choices = { { "ok", patterns("backup_ok", guest) } }
	if cfg("backup_failed") ~= nil then
		choices[2] = { "failed", patterns("backup_failed", guest) }
	end
	local ok, err, tag, msg = issue("backup", guest, choices,
		num("backup_timeout"))
	if not ok then
		return false, err
	end
	if tag == "ok" then
		return true
	elseif tag == "failed" then
		return false, "backup failed: " .. msg.text
	end
	return false, fmt("no end of the backup within %gs",
		num("backup_timeout"))
end

-- Whether to restart after a failed backup (on_backup_failure).
local function restart_anyway(guest, why)
	local how = (cfg("on_backup_failure") or "restart"):lower()
	if how == "leave" then
		return false
	elseif how == "ask" then
		vigil.step("ask whether to restart " .. guest)
		local yes = vigil.confirm(fmt("%s: %s; restart %s anyway?",
			vigil.name, why, guest), { timeout = num("ask_timeout") })
		return yes == true
	end
	return true
end

-- The restart stage: true, or false and why.
local function start(guest)
	local up = cfg("up") ~= nil and { { "up", patterns("up", guest) } }
		or nil
	vigil.step("restart " .. guest .. (up and ", wait for " .. guest
		.. " to log on" or ""))
	local ok, err, tag = issue("restart", guest, up, num("up_timeout"))
	if not ok then
		return false, err
	end
	if up ~= nil and tag == nil then
		return false, fmt("%s not seen up within %gs", guest,
			num("up_timeout"))
	end
	if cfg("verify") == nil then
		return true
	end
	vigil.step("verify " .. guest)
	local want, out = patterns("verify_ok", guest), ""
	for try = 1, math.max(1, num("verify_tries")) do
		if try > 1 then
			vigil.sleep(num("verify_interval"))
		end
		ok, out = issue("verify", guest)
		for line in (out or ""):gmatch("[^\n]+") do
			line = line:gsub("%s+$", "")
			for _, p in ipairs(want) do
				if ok and vigil.match(p, line) then
					return true
				end
			end
		end
	end
	return false, fmt("verify of %s did not show %s (%s)", guest,
		concat(want, " or "),
		((out or ""):match("[^\n]+") or "no output"))
end

local function notify(text)
	vigil.log(text)
	if cfg("notify") ~= nil then
		vigil.step("notify")
		vigil.notify(text)
	end
end

local function qbr(args)
	local guest = args.guest
	local t0 = vigil.now()
	local times, last, why = {}, t0, nil
	-- The time since the end of the stage before (vigil.now is saved).
	local function timed(name, note)
		local now = vigil.now()
		times[#times + 1] = fmt("%s %.1fs (%s)", name, now - last,
			note)
		last = now
	end
	local ok, how = stop(guest)
	timed("shutdown", ok and how or "failed")
	if not ok then
		why = how .. "; not backed up, not restarted"
	else
		local bok, berr = backup(guest)
		timed("backup", bok and "complete" or "failed")
		local restart = bok
		if not bok then
			restart = restart_anyway(guest, berr)
			why = berr .. (restart and "; restarted anyway" or
				"; left down")
		end
		if restart then
			if not bok then
				last = vigil.now()	-- not the wait to decide
			end
			local rok, rerr = start(guest)
			timed("restart", rok and "up" or "failed")
			if not rok then
				why = (why and why .. "; " or "") .. rerr
			end
		end
	end
	local text = fmt("%s %s %s%s: %s; total %.1fs", vigil.name, guest,
		why and "FAILED" or "OK", why and " (" .. why .. ")" or "",
		concat(times, ", "), last - t0)
	notify(text)
	return { guest = guest, ok = why == nil, why = why, summary = text }
end

-- --- several guests ----------------------------------------------------------

local function batch(args)
	local guests, n = args.guests, math.max(1, args.parallel)
	local t0 = vigil.now()
	vigil.step(fmt("%d guests, %d at a time", #guests, n))
	local running, whose, outcome, nextg = {}, {}, {}, 1
	while nextg <= #guests or #running > 0 do
		while nextg <= #guests and #running < n do
			local g = guests[nextg]
			local id = vigil.start("qbr", { guest = g }, { key = g })
			running[#running + 1] = id
			whose[id] = g
			nextg = nextg + 1
		end
		local id, status, result = vigil.join(running, { any = true })
		for i, r in ipairs(running) do
			if r == id then
				table.remove(running, i)
				break
			end
		end
		if status == "done" and type(result) == "table" then
			outcome[whose[id]] = result.ok and "OK" or "FAILED"
		else
			outcome[whose[id]] = "FAILED (workflow " .. id .. " "
				.. tostring(status) .. ")"
		end
	end
	local parts, bad = {}, 0
	for i, g in ipairs(guests) do
		parts[i] = g .. " " .. outcome[g]
		if outcome[g] ~= "OK" then
			bad = bad + 1
		end
	end
	local text = fmt("%s batch %s: %s; total %.1fs", vigil.name,
		bad == 0 and "OK" or bad .. " FAILED", concat(parts, ", "),
		vigil.now() - t0)
	notify(text)
	return { ok = bad == 0, summary = text }
end

-- Defined at load time, so that they resume after a restart.
vigil.workflow("qbr", qbr)
vigil.workflow("qbr-batch", batch)

-- Start the work for GUESTS (a list of names), deduplicated.
local function request(guests, why)
	local seen, list = {}, {}
	for _, g in ipairs(guests) do
		if not seen[g] then
			seen[g] = true
			list[#list + 1] = g
		end
	end
	if #list == 0 then
		vigil.log("no guest named: " .. why)
		return
	end
	for _, g in ipairs(list) do
		if not vigil.match(cfg("allow") or "*", g) then
			vigil.log(fmt("%s %s: %s is not allowed (allow=%s);"
				.. " nothing done", why, concat(list, " "), g,
				cfg("allow")))
			return
		end
	end
	local id, existing
	if #list == 1 then
		id, existing = vigil.start("qbr", { guest = list[1] },
			{ key = list[1] })
	else
		id, existing = vigil.start("qbr-batch", { guests = list,
			parallel = num("parallel") },
			{ key = concat(list, " ") })
	end
	vigil.log(fmt("%s %s: workflow %d%s", why, concat(list, " "), id,
		existing and " (already under way)" or ""))
end

-- --- triggers ---------------------------------------------------------------

local trigger = cfg("trigger")
if trigger ~= nil then
	local tw = split(trigger)
	local filter = { match = "*" .. trigger .. " *" }
	if cfg("trigger_source") ~= nil then
		filter.source = cfg("trigger_source")
	end
	vigil.on(filter, function(msg)
		local w = msg.words
		for i = 1, #w - #tw do
			local hit = true
			for j = 1, #tw do
				if w[i + j - 1]:upper() ~= tw[j]:upper() then
					hit = false
					break
				end
			end
			if hit then
				local guests = {}
				for k = i + #tw, #w do
					guests[#guests + 1] = w[k]
				end
				return request(guests, "requested by " ..
					msg.source)
			end
		end
	end)
end

local at, guests = cfg("at"), cfg("guests")
if at ~= nil and guests ~= nil then
	local function arm(when)
		vigil.at(when, function()
			request(split(guests), "daily at " .. at)
			-- The next day's: a minute on, so as not to fire twice.
			vigil.at(vigil.now() + 60, function() arm(at) end)
		end)
	end
	arm(at)
elseif at ~= nil then
	vigil.log("at=" .. at .. " without guests=: no daily backup")
end
