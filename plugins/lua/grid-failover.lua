-- SPDX-License-Identifier: Apache-2.0
--
-- grid-failover.lua - autonomic ownership takeover for a TS7700-style
-- tape grid (DESIGN.md section 2).  When a library reports that it lost
-- its peer,
--   CBR3750I Message from library LIBA: G0013 Library LIBA has
--            experienced an unexpected outage with its peer library LIBB.
-- (or, when CONFIG peers= names the peer, one of the degraded-state
-- messages CBR3758E, CBR3785E, CBR3786E that follow it), a workflow
-- "outage" for the pair LIBA/LIBB
--   1. notifies on-call and waits out a grace period;
--   2. stands down if the peer's recovery message comes in that time;
--   3. otherwise sends the takeover command through the console action
--      and checks that the library accepted it (G0009 read/write, G0010
--      read-only) within `verify` seconds;
--   4. reruns the failed jobs: those of CONFIG jobs= plus those whose
--      failure messages (jobfail=) came during the outage, one run of
--      the rerun action each, with the job name as PARM;
--   5. notifies what it did.
-- Failback is manual: an operator runs an action that emits the failback
-- message (`vigil run GRIDFAILBACK [--parm LIB]`, with GRIDFAILBACK
-- defined as EMIT 'GRIDFAILBACK &P'); a workflow "failback" then sends
-- the failback command for each library in takeover (or the one named)
-- and notifies.
--
-- CONFIG keys (defaults in brackets):
--   grace=SECONDS      grace period before the takeover [1200]
--   mode=rw|ro         takeover mode: read/write (G0009) or read-only
--                      (G0010) [rw]
--   console=ACTION     the action that sends an operator command to the
--                      host of the library; the command is its PARM (&P)
--                      [GRIDCMD]
--   takeover=TEXT      the takeover command; {lib}, {peer} and {mode}
--                      (RW or RO) are filled in
--                      [LIBRARY REQUEST,{lib},TAKEOVER,{peer},{mode}]
--   failback=TEXT      the command that ends the takeover
--                      [LIBRARY REQUEST,{lib},TAKEOVER,{peer},OFF]
--   accepted=WILDCARD  the message that confirms the takeover; {code} is
--                      G0009 or G0010
--                      [*CBR3750I Message from library {lib}: {code} *]
--   verify=SECONDS     how long to wait for it; 0: do not wait [300]
--   recovered=WILDCARD the peer's recovery message
--                      [*CBR3750I Message from library {lib}: G0014 *{peer}*]
--   jobs=A,B,...       jobs to rerun after every takeover []
--   jobfail=WILDCARD   a job-failed message; the job name is the word
--                      jobword words after the message id [*IEF450I *]
--   jobword=N          [1]
--   rerun=ACTION       the action that reruns one job (PARM: the job)
--                      [GRIDRERUN]
--   notify=ACTION      the notification action (vigil.notify); without
--                      it notifications only go to the log
--   peers=L:P,...      the peer of each library, so that the degraded
--                      messages, which name one library, start the
--                      grace period too []
--   libs=L,...         handle only these libraries [all]
--   source=NAME        only messages of this source (not the failback
--                      request) [any]
--   request=WILDCARD   the failback request [GRIDFAILBACK*]; its second
--                      word, if any, names the library
--
-- The default commands and the G0014 recovery message are Vigil's own
-- (tests/sim/ts7700-console speaks them): set takeover=, failback= and
-- recovered= to what the site's grid and its automation use.  Library and
-- job names are taken only when they are one word of letters, digits and
-- $#@_- (so they can go into a wildcard or a command as they are).
--
-- Never twice for one outage: vigil.state.outages records each pair from
-- the outage's first message until its stand-down or failback, so that
-- repeated outage and degraded messages start nothing new; the workflows
-- are keyed by the pair as well.  vigil.state.closed keeps when each
-- pair's last outage ended: an outage message whose own time (as the
-- console format gives it: SYSLOG, ZOSLOG; to the second) is earlier is an
-- echo, such as a line read again after vigild was killed (a followed
-- file's offset is saved every second), and is ignored too.  Messages
-- without a time of their own carry their arrival time, which cannot tell
-- an echo.
--
-- Across a restart (even kill -9) the workflows resume from the journal:
-- the grace period goes on for the time it had left, and a command that
-- was running when the daemon died is not sent again (the workflow
-- notifies that its outcome is unknown instead).  A workflow keeps the
-- settings it started with (its saved arguments) across a restart, even
-- when CONFIG changed.  A workflow cancelled by
-- an operator during its grace period forgets the outage; one that ends
-- early later leaves it recorded ("stopped") until a failback.  A failed
-- or unconfirmed takeover also stays recorded until a failback.

local cfg = vigil.config

-- --- configuration -------------------------------------------------------

local function number_of(key, default)
	local v = cfg[key]
	if v == nil then
		return default
	end
	local n = tonumber(v)
	if n == nil or n < 0 then
		error("CONFIG " .. key .. "=" .. tostring(v)
			.. ": a number of seconds (>= 0) expected", 0)
	end
	return n
end

-- CONFIG key=TEXT, or DEFAULT; a bare "key" (no "=") is an error.
local function text_of(key, default)
	local v = cfg[key]
	if v == nil then
		return default
	end
	if type(v) ~= "string" or v == "" then
		error("CONFIG " .. key .. ": " .. key .. "=TEXT expected", 0)
	end
	return v
end

local function list_of(key)
	local out = {}
	for item in tostring(cfg[key] or ""):gmatch("[^,%s]+") do
		out[#out + 1] = item
	end
	return out
end

local grace = number_of("grace", 1200)
local verify = number_of("verify", 300)
local jobword = number_of("jobword", 1)
local mode = text_of("mode", "rw"):lower()
if mode ~= "rw" and mode ~= "ro" then
	error("CONFIG mode=" .. mode .. ": rw or ro expected", 0)
end
local MODE = mode:upper()
local code = mode == "rw" and "G0009" or "G0010"
local console = text_of("console", "GRIDCMD")
local rerun = text_of("rerun", "GRIDRERUN")
local takeover_cmd = text_of("takeover",
	"LIBRARY REQUEST,{lib},TAKEOVER,{peer},{mode}")
local failback_cmd = text_of("failback",
	"LIBRARY REQUEST,{lib},TAKEOVER,{peer},OFF")
local accepted = text_of("accepted",
	"*CBR3750I Message from library {lib}: {code} *")
local recovered = text_of("recovered",
	"*CBR3750I Message from library {lib}: G0014 *{peer}*")
local jobfail = text_of("jobfail", "*IEF450I *")
local request = text_of("request", "GRIDFAILBACK*")
local source = text_of("source", nil)
local fixed_jobs = list_of("jobs")

local peers = {}
for _, pair in ipairs(list_of("peers")) do
	local l, p = pair:match("^([^:]+):([^:]+)$")
	if l == nil then
		error("CONFIG peers: '" .. pair .. "' is not LIB:PEER", 0)
	end
	peers[l] = p
end

local only
if cfg.libs ~= nil then
	only = {}
	for _, l in ipairs(list_of("libs")) do
		only[l] = true
	end
end

-- --- helpers -------------------------------------------------------------

-- A library or job name as a console shows it, without its punctuation;
-- nil unless it is one word of name characters (so that it can go into a
-- wildcard or a command as it is).
local function name_of(word)
	if word == nil then
		return nil
	end
	word = word:gsub("[.,:;]+$", "")
	if word:find("^[%w$#@_-]+$") == nil then
		return nil
	end
	return word
end

-- TEMPLATE with {key} replaced by VALS[key] (unknown keys stay).
local function fill(template, vals)
	return (template:gsub("{(%a+)}", function(k) return vals[k] end))
end

-- A filter for vigil.on/wait_for, restricted to CONFIG source= if set.
local function filter(match)
	return { match = match, source = source }
end

-- What an outage workflow of LIB and PEER works with, from CONFIG; saved
-- as its arguments, so that a restart with another CONFIG replays it
-- with the settings it started with.
local function outage_args(lib, peer, why)
	local v = { lib = lib, peer = peer, mode = MODE, code = code }
	return { lib = lib, peer = peer, why = why, grace = grace,
		mode = MODE, code = code, verify = verify,
		console = console, rerun = rerun, jobs = fixed_jobs,
		recovered = filter(fill(recovered, v)),
		accepted = filter(fill(accepted, v)),
		command = fill(takeover_cmd, v) }
end

-- vigil.notify, or the log when there is no notify action.
local function tell(text)
	vigil.log(text)
	if type(cfg.notify) == "string" then
		vigil.notify(text)
	end
end

-- The outages being handled: "LIB/PEER" -> { lib, peer, wf, phase, jobs }.
local function outages()
	return vigil.state.outages or {}
end

-- Change the record of PAIR with FN(record) (nil: a new one); FN may
-- return false to drop it.
local function update(pair, fn)
	local all = outages()
	local o = all[pair] or {}
	if fn(o) == false then
		all[pair] = nil
	else
		all[pair] = o
	end
	vigil.state.outages = all
end

-- When the last outage of PAIR ended (stand-down or failback): outage
-- messages of that time or older are echoes, e.g. read again after a
-- restart.
local function close(pair)
	local closed = vigil.state.closed or {}
	closed[pair] = vigil.now()
	vigil.state.closed = closed
end

local function set_phase(pair, phase)
	update(pair, function(o) o.phase = phase end)
end

-- Send an operator command through the console ACTION.
local function command(action, text)
	local status, out, result = vigil.run(action, { parm = text })
	if status == 0 then
		return true
	end
	if result == "interrupted" then
		return false, "its outcome is unknown (vigild stopped while"
			.. " it ran)"
	end
	if status == nil then
		return false, "not run (" .. tostring(result) .. ": "
			.. tostring(out):gsub("%s+$", "") .. ")"
	end
	return false, "status " .. tostring(status)
end

-- --- workflows -----------------------------------------------------------

-- Wait for the library's acceptance; started before the command, so the
-- message cannot come before anyone listens.
vigil.workflow("verify", function(a)
	local msg = vigil.wait_for(a.filter, { timeout = a.timeout })
	return msg and msg.text or nil
end)

-- The jobs to rerun: CONFIG jobs= and those noted during the outage.
-- Phase "rerun" stops the noting first, so that a restart replaying the
-- workflow finds the same list and takes the same path.
local function jobs_for(pair, fixed)
	set_phase(pair, "rerun")
	local seen, list = {}, {}
	local o = outages()[pair] or {}
	for _, src in ipairs({ fixed, o.jobs or {} }) do
		for _, j in ipairs(src) do
			if not seen[j] then
				seen[j] = true
				list[#list + 1] = j
			end
		end
	end
	return list
end

local function rerun_jobs(pair, a)
	local list = jobs_for(pair, a.jobs)
	local done = {}
	for _, job in ipairs(list) do
		local status, _, result = vigil.run(a.rerun, { parm = job })
		if status == 0 then
			done[#done + 1] = job
		else
			done[#done + 1] = job .. " (" .. (status and
				("status " .. status) or tostring(result))
				.. ")"
		end
	end
	return done
end

local function outage_wf(a, id)
	local pair = a.lib .. "/" .. a.peer
	update(pair, function(o)
		o.lib, o.peer, o.wf = a.lib, a.peer, id
		o.phase = "grace"
		o.jobs = o.jobs or {}
	end)

	vigil.step("grace")
	tell(("%s lost its peer %s (%s): %s takeover in %gs unless %s"
		.. " recovers"):format(a.lib, a.peer, a.why, a.mode, a.grace,
		a.peer))
	local msg = vigil.wait_for(a.recovered, { timeout = a.grace })
	if msg ~= nil then
		vigil.step("stand down")
		update(pair, function() return false end)
		close(pair)
		tell(("%s: peer %s recovered within the grace period;"
			.. " standing down, no takeover"):format(a.lib, a.peer))
		return "recovered"
	end

	vigil.step("takeover")
	set_phase(pair, "takeover")
	local checker
	if a.verify > 0 then
		checker = vigil.start("verify", { filter = a.accepted,
			timeout = a.verify })
	end
	local ok, why = command(a.console, a.command)
	if not ok then
		set_phase(pair, "failed")
		tell(("%s: the %s takeover command for %s failed: %s; jobs"
			.. " not rerun, check the library"):format(a.lib,
			a.mode, a.peer, why))
		return "takeover failed"
	end
	if checker ~= nil then
		local r = vigil.join({ checker })[checker]
		if r == nil or r.result == nil then
			set_phase(pair, "unconfirmed")
			tell(("%s: %s takeover of %s sent but not confirmed"
				.. " (%s) within %gs; jobs not rerun, check the"
				.. " library"):format(a.lib, a.mode, a.peer,
				a.code, a.verify))
			return "unconfirmed"
		end
	end

	vigil.step("rerun")
	local done = rerun_jobs(pair, a)

	vigil.step("notify")
	set_phase(pair, "taken over")
	tell(("%s: %s ownership takeover of %s enabled after %gs; reran %d"
		.. " job(s)%s%s; fail back with the failback action"):format(
		a.lib, a.mode, a.peer, a.grace, #done, #done > 0 and ": " or "",
		table.concat(done, ", ")))
	return "taken over"
end

local function failback_wf(a)
	local pair = a.lib .. "/" .. a.peer
	vigil.step("failback")
	set_phase(pair, "failback")
	local ok, why = command(a.console, a.command)
	vigil.step("notify")
	if not ok then
		set_phase(pair, a.phase)
		tell(("%s: failback from %s failed: %s; the outage stays"
			.. " recorded (%s)"):format(a.lib, a.peer, why,
			a.phase))
		return "failed"
	end
	update(pair, function() return false end)
	close(pair)
	tell(("%s: failback done, takeover of %s disabled"):format(a.lib,
		a.peer))
	return "failed back"
end

local start_outage = vigil.workflow("outage", outage_wf)
local start_failback = vigil.workflow("failback", failback_wf)

-- --- reacting to messages -------------------------------------------------

local told = {}		-- what the log was told already, per pair

local function handles(lib)
	return only == nil or only[lib] == true
end

local function outage(lib, peer, why, at)
	if lib == nil or peer == nil or not handles(lib) then
		return
	end
	local pair = lib .. "/" .. peer
	local closed = (vigil.state.closed or {})[pair]
	if closed ~= nil and at < math.floor(closed) then
		if told[pair] ~= closed then
			told[pair] = closed
			vigil.log("outage " .. pair .. ": a message from before"
				.. " the end of the last outage (" .. why
				.. "), ignored")
		end
		return
	end
	local o = outages()[pair]
	if o ~= nil then
		-- Known: nothing new; said once (these come in floods).
		local tag = tostring(o.wf) .. " " .. tostring(o.phase)
		if told[pair] ~= tag then
			told[pair] = tag
			vigil.log("outage " .. pair .. " already handled by"
				.. " workflow " .. tostring(o.wf) .. " ("
				.. o.phase .. ")")
		end
		return
	end
	local id, existing = start_outage(outage_args(lib, peer, why),
		{ key = pair })
	if existing then
		vigil.log("outage " .. pair .. " is workflow " .. id)
	end
end

-- The word after the words A B in WORDS.
local function after(words, a, b)
	for i = 1, #words - 2 do
		if words[i] == a and words[i + 1] == b then
			return words[i + 2]
		end
	end
end

vigil.on(filter("*CBR3750I Message from library *: G0013 *"),
    function(msg)
	local w = msg.words
	outage(name_of(after(w, "from", "library")),
		name_of(after(w, "peer", "library")), "G0013", msg.time)
end)

local function degraded(msg)
	local lib
	for _, w in ipairs(msg.words) do
		local n = name_of(w)
		if n ~= nil and peers[n] ~= nil then
			lib = n
		end
	end
	if lib == nil then
		return
	end
	if not handles(lib) then
		return
	end
	outage(lib, peers[lib], msg.msgid, msg.time)
end
vigil.on(filter("*CBR3758E Library Operations Degraded*"), degraded)
vigil.on(filter("*CBR3785E Copy operations disabled in library *"),
	degraded)
vigil.on(filter("*CBR3786E VTS operations degraded in library *"),
	degraded)

-- A failed job while an outage is before its reruns: rerun it then.
vigil.on(filter(jobfail), function(msg)
	local w, at = msg.words, 0
	for i, word in ipairs(w) do
		if word == msg.msgid then
			at = i
			break
		end
	end
	local job = name_of(w[at + jobword])
	if job == nil then
		return
	end
	local all, changed = outages(), false
	for pair, o in pairs(all) do
		if o.phase == "grace" or o.phase == "takeover" then
			o.jobs = o.jobs or {}
			local known = false
			for _, j in ipairs(o.jobs) do
				known = known or j == job
			end
			if not known then
				o.jobs[#o.jobs + 1] = job
				changed = true
				vigil.log("failed job " .. job .. " noted for "
					.. pair)
			end
		end
	end
	if changed then
		vigil.state.outages = all
	end
end)

-- The operator's failback request.
vigil.on(request, function(msg)
	local want = name_of(msg.words[2])
	local n = 0
	for pair, o in pairs(outages()) do
		if want == nil or want == o.lib then
			if o.phase == "grace" or o.phase == "takeover" or
			    o.phase == "rerun" then
				vigil.log(pair .. " is in its " .. o.phase
					.. " phase (workflow " .. tostring(o.wf)
					.. "): nothing to fail back yet")
			else
				local cmd = fill(failback_cmd,
					{ lib = o.lib, peer = o.peer })
				start_failback({ lib = o.lib, peer = o.peer,
					phase = o.phase, console = console,
					command = cmd }, { key = pair })
				n = n + 1
			end
		end
	end
	if n == 0 then
		vigil.log("failback requested (" .. msg.text .. "): no"
			.. " library in takeover")
	end
end)

-- An outage workflow that ends early (cancelled by an operator, failed,
-- or dropped) in its grace period leaves no outage behind; later, the
-- outage stays recorded as "stopped" until a failback.
local function ended(ev)
	if ev.object ~= vigil.name then
		return
	end
	local id = tonumber(ev.detail:match("^workflow (%d+)"))
	for pair, o in pairs(outages()) do
		if o.wf == id and o.phase == "grace" then
			update(pair, function() return false end)
			vigil.log("outage " .. pair .. " forgotten: workflow "
				.. id .. " " .. ev.name)
		elseif o.wf == id and (o.phase == "takeover" or
		    o.phase == "rerun") then
			set_phase(pair, "stopped")
			vigil.log("outage " .. pair .. " stopped in its "
				.. o.phase .. " phase: workflow " .. id .. " "
				.. ev.name .. "; check the library, then"
				.. " fail back")
		end
	end
end
vigil.on_event("WORKFLOW_CANCELLED", ended)
vigil.on_event("WORKFLOW_FAILED", ended)
vigil.on_event("WORKFLOW_INTERRUPTED", ended)
