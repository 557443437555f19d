-- SPDX-License-Identifier: Apache-2.0
--
-- prelude.lua - the plugin API (vigil-lua(7)) on top of the daemon's
-- primitives (engine/plugin-prims.c).  Built into vigild and run in each
-- plugin's sandbox before the plugin's file, with the primitives as its
-- argument; it sets the global `vigil` and returns the entry points the
-- daemon calls (resume, control, failed, stop).  The primitives stay in
-- this chunk's locals: a plugin reaches them only through the API.
--
-- Workflows are coroutines made durable by a journal: every API call a
-- workflow makes (run, wait_for, sleep, at, confirm, notify, emit, now,
-- step, start, join) is a numbered step written to the daemon's SQLite
-- store when it starts and when it ends, with its result.  After a
-- restart (or a reload that replaced the plugin) the workflow's function
-- runs again from the top with its saved arguments; steps found done in
-- the journal return their saved results without doing anything again,
-- a wait that was pending is armed again for the time it had left, and
-- the workflow goes on live after the last saved step.  That needs the
-- workflow's code to take the same path given the same results: it must
-- get time, randomness and outside facts only through the API.
--
-- Not here: matching (C filters the messages), timers and processes (C),
-- the store itself (C).

local prim = ...

local type, pairs, tostring, tonumber, error, select, next, load =
	type, pairs, tostring, tonumber, error, select, next, load
local setmetatable, getmetatable, rawequal = setmetatable, getmetatable,
	rawequal
local co_create, co_resume, co_yield, co_running, co_status =
	coroutine.create, coroutine.resume, coroutine.yield,
	coroutine.running, coroutine.status
local fmt, concat, unpack, pack = string.format, table.concat,
	table.unpack, table.pack
local math_type, huge = math.type, math.huge

local vigil = {}
local api = {}		-- what the daemon calls

-- --- saving values ------------------------------------------------------

local plain_of = setmetatable({}, { __mode = "k" })	-- view -> fields

-- A number as a literal that reads back exactly and that people can read
-- in "vigil workflow show": 17 significant digits, a float kept a float.
local function number_literal(v)
	if math_type(v) == "integer" then
		return fmt("%q", v)	-- the smallest one in hex
	elseif v ~= v then
		return "(0/0)"
	elseif v == huge then
		return "1e999"
	elseif v == -huge then
		return "-1e999"
	end
	local s = fmt("%.17g", v)
	if not s:find("[.eEn]") then
		s = s .. ".0"
	end
	return s
end

local function ser(v, out, depth, seen)
	local t = type(v)
	if t == "nil" or t == "boolean" then
		out[#out + 1] = tostring(v)
	elseif t == "string" then
		out[#out + 1] = fmt("%q", v)
	elseif t == "number" then
		out[#out + 1] = number_literal(v)
	elseif t == "table" then
		v = plain_of[v] or v
		if depth > 32 then
			error("cannot save a value nested deeper than 32", 0)
		end
		if seen[v] then
			error("cannot save a table that contains itself", 0)
		end
		seen[v] = true
		out[#out + 1] = "{"
		for k, x in next, v do
			out[#out + 1] = "["
			ser(k, out, depth + 1, seen)
			out[#out + 1] = "]="
			ser(x, out, depth + 1, seen)
			out[#out + 1] = ","
		end
		out[#out + 1] = "}"
		seen[v] = nil
	else
		error("cannot save a " .. t .. " value", 0)
	end
end

local function serialize(v)
	local out = {}
	ser(v, out, 0, {})
	return concat(out)
end

-- Saved text is made by serialize only; an empty environment anyway.
local function deserialize(s)
	if s == nil then
		return nil
	end
	local f, err = load("return " .. s, "=saved value", "t", {})
	if f == nil then
		error("a saved value does not read back: " .. err, 0)
	end
	return f()
end

-- --- messages -----------------------------------------------------------

local function readonly()
	error("a message is read-only", 2)
end

-- The words of TEXT (blank-separated, at most 256), made on first use.
local words_of = prim.words

local function fields_of(v)
	local f = plain_of[v]
	if f.words == nil then
		f.words = words_of(f.text)
	end
	return f
end

-- One metatable for every view: a message is read per call, so its view
-- must be cheap (words are split only when asked for).
local view_mt = {
	__index = function(v, k)
		local f = plain_of[v]
		if k == "words" and f.words == nil then
			f.words = words_of(f.text)
		end
		return f[k]
	end,
	__newindex = readonly,
	__pairs = function(v) return next, fields_of(v), nil end,
	__tostring = function(v) return plain_of[v].text end,
	__metatable = "vigil.message",
}

-- A read-only view of the fields C gives (text, user, source, msgid,
-- system, time; words on demand).
local function view(fields)
	local v = setmetatable({}, view_mt)
	plain_of[v] = fields
	return v
end

-- A filter for prim.watch: a wildcard string, or a table of fields.
local filter_keys = { match = true, regex = true, user = true,
	group = true, source = true, msgid = true, exclude = true }

local function filter_of(f, fname)
	if type(f) == "string" then
		return { match = f }
	end
	if type(f) ~= "table" then
		error(fname .. ": a pattern (string) or a filter (table)"
			.. " expected, got " .. type(f), 3)
	end
	local out = {}
	for k, x in pairs(f) do
		if not filter_keys[k] then
			error(fname .. ": unknown filter field '"
				.. tostring(k) .. "'", 3)
		end
		if k == "match" and type(x) == "table" then
			-- Alternatives: msg.matched says which one took it.
			local alts = {}
			for i = 1, #x do
				if type(x[i]) ~= "string" then
					error(fname .. ": match alternative "
						.. i .. " must be a string", 3)
				end
				alts[i] = x[i]
			end
			if #alts == 0 then
				error(fname .. ": match: an empty list", 3)
			end
			x = alts
		elseif type(x) ~= "string" then
			error(fname .. ": filter field " .. k
				.. " must be a string", 3)
		end
		out[k] = x
	end
	return out
end

local function describe(f)
	if type(f) == "string" then
		return f
	end
	local parts = {}
	for _, k in pairs({ "match", "regex", "msgid", "user", "group",
	    "source" }) do
		local x = f[k]
		if type(x) == "table" then
			x = concat(x, " || ")
		end
		if x ~= nil then
			parts[#parts + 1] = k .. "=" .. x
		end
	end
	return concat(parts, " ")
end

-- --- workflows: instances, journal, resumption --------------------------

local defs = {}		-- workflow name -> function
local insts = {}	-- id -> instance
local joiners = {}	-- child id -> { parent instances }
local current		-- the instance whose coroutine runs now

local finish

local stopping = false	-- the daemon is stopping (api.stop)

local function resume(inst, ...)
	-- A cancelled or failed instance stays dead: a process it waited for
	-- may still end and call back.
	if insts[inst.id] ~= inst then
		return
	end
	-- While the daemon stops, what a step waited for is written to the
	-- journal, not acted on: the next start replays it.
	if stopping then
		local w = inst.waiting_step
		inst.waiting_step = nil
		if w ~= nil then
			local ok, saved = pcall(serialize, pack(...))
			if ok then
				prim.wf_step(inst.id, w.seq, w.kind, w.what,
					"done", saved, nil)
			end
		end
		return
	end
	local prev = current
	current = inst
	local r = { co_resume(inst.co, ...) }
	current = prev
	if not r[1] then
		finish(inst, "failed", nil, tostring(r[2]))
	elseif co_status(inst.co) == "dead" then
		finish(inst, "done", r[2], nil)
	end
end

local function cancel_pending(inst)
	local p = inst.pending
	inst.pending = nil
	if p == nil then
		return
	end
	if p.timer then prim.untimer(p.timer) end
	if p.watch then prim.unwatch(p.watch) end
	if p.job then prim.cancel_job(p.job) end
	if p.confirm then prim.confirm_close(inst.id) end
end

finish = function(inst, status, result, reason)
	if insts[inst.id] ~= inst then
		return
	end
	cancel_pending(inst)
	insts[inst.id] = nil
	local ok, saved = true, nil
	if result ~= nil then
		ok, saved = pcall(serialize, result)
		if not ok then
			status, reason, saved = "failed",
				"its result cannot be saved: " .. saved, nil
		end
	end
	prim.wf_finish(inst.id, status, saved, reason)
	local waiting = joiners[inst.id]
	joiners[inst.id] = nil
	for _, parent in pairs(waiting or {}) do
		if parent.on_child then
			parent.on_child(inst.id)
		end
	end
end

-- The instance running now, or an error naming the API call.
-- LEVEL is that of the plugin's call, as error() counts from here.
local function need_wf(fname, level)
	local inst = current
	if inst == nil then
		error(fname .. " is only for workflows (see vigil.workflow)",
			level)
	end
	if not rawequal(co_running(), inst.co) then
		error(fname .. " must be called from the workflow's own"
			.. " coroutine", level)
	end
	return inst
end

-- Whether the caller runs as the current workflow's body.
local function in_wf()
	return current ~= nil and rawequal(co_running(), current.co)
end

local function save_step(inst, seq, kind, what, status, result, deadline)
	local saved = nil
	if result ~= nil then
		saved = serialize(result)
	end
	prim.wf_step(inst.id, seq, kind, what, status, saved, deadline)
end

--
-- One step of a workflow.  LIVE(inst, deadline) arms what the step waits
-- for (or does it) and returns true to yield until resumed with the
-- results, or false plus the results at once.  AGAIN(rec) says what a
-- step found started but not ended in the journal does: "rearm" (waits:
-- LIVE is called again with its third argument true) or a table of
-- results (what could not be re-done, e.g. a process).
--
local function step(fname, kind, what, timeout, live, again)
	local inst = need_wf(fname, 4)
	while inst.paused do
		inst.at_pause = true
		prim.wf_state(inst.id, "paused", inst.label, "an operator's"
			.. " resume", nil)
		co_yield()
	end
	inst.at_pause = false
	inst.seq = inst.seq + 1
	local seq = inst.seq
	local rec = inst.journal[seq]
	local deadline, rearming
	if rec ~= nil then
		if rec.kind ~= kind or (rec.what or "") ~= what then
			error(fmt("the workflow took another path than"
				.. " before (a restart or a changed plugin):"
				.. " step %d was %s %s, now it is %s %s", seq,
				rec.kind, rec.what or "", kind, what), 0)
		end
		if rec.status == "done" then
			local r = deserialize(rec.result) or {}
			return unpack(r, 1, r.n or #r)
		end
		local how = again(rec)
		if how ~= "rearm" then
			save_step(inst, seq, kind, what, "done", how, nil)
			return unpack(how, 1, how.n or #how)
		end
		deadline = rec.deadline
		rearming = true
	else
		if timeout ~= nil then
			deadline = prim.now() + timeout
		end
		save_step(inst, seq, kind, what, "started", nil, deadline)
	end
	prim.wf_state(inst.id, kind == "run" and "running" or "waiting",
		inst.label, kind .. " " .. what, deadline)
	local r = pack(live(inst, deadline, rearming))
	if r[1] then
		inst.waiting_step = { seq = seq, kind = kind, what = what }
		r = pack(co_yield())
		inst.waiting_step = nil
	else
		r = pack(select(2, unpack(r, 1, r.n)))
	end
	inst.pending = nil
	save_step(inst, seq, kind, what, "done", r, nil)
	prim.wf_state(inst.id, inst.paused and "pausing" or "running",
		inst.label, nil, nil)
	return unpack(r, 1, r.n)
end

local function rearm() return "rearm" end
local function interrupted() return { nil, "", "interrupted", n = 3 } end

-- A timer for a pending wait: resumes INST with RESULTS at DEADLINE.
local function arm_deadline(inst, deadline, ...)
	local results = { ... }
	local n = select("#", ...)
	inst.pending.timer = prim.timer(deadline - prim.now(), function()
		local p = inst.pending
		if p and p.watch then prim.unwatch(p.watch) end
		if p and p.confirm then prim.confirm_close(inst.id) end
		inst.pending = nil
		resume(inst, unpack(results, 1, n))
	end, false, inst.id)
end

-- --- the API ------------------------------------------------------------

vigil.name = prim.name

-- CONFIG(key=value ...) of the PLUGIN statement, read-only.
vigil.config = setmetatable({}, {
	__index = prim.config,
	__newindex = function() error("vigil.config is read-only", 2) end,
	__pairs = function() return next, prim.config, nil end,
})

function vigil.log(...)
	-- A workflow replaying its journal logged this line already.
	if in_wf() and current.seq < current.last then
		return
	end
	local parts = {}
	for i = 1, select("#", ...) do
		parts[i] = tostring((select(i, ...)))
	end
	prim.log(concat(parts, " "))
end

-- vigil.match(pattern, text[, caseless]): whether the wildcard (as MATCH
-- takes it) matches all of TEXT.
function vigil.match(pattern, text, caseless)
	if type(pattern) ~= "string" or type(text) ~= "string" then
		error("vigil.match: a pattern and a text (strings) expected", 2)
	end
	return prim.wild(pattern, text, caseless)
end

function vigil.now()
	if in_wf() then
		return step("vigil.now", "now", "", nil, function()
			return false, prim.now()
		end, rearm)
	end
	return prim.now()
end

-- vigil.on(filter, fn): fn(msg) for every matching message.
function vigil.on(f, fn)
	local filter = filter_of(f, "vigil.on")
	if type(fn) ~= "function" then
		error("vigil.on: a function expected as argument 2", 2)
	end
	return prim.watch(filter, function(fields)
		fn(view(fields))
	end, false, 0)
end

-- vigil.on_event(name, fn): fn(ev) for the daemon event NAME ("*": all;
-- "WORKFLOW_*": every name that starts so).
function vigil.on_event(name, fn)
	if type(name) ~= "string" or type(fn) ~= "function" then
		error("vigil.on_event: an event name and a function expected",
			2)
	end
	return prim.watch({ source = "VIGIL" }, function(fields)
		local w = words_of(fields.text)
		if name ~= "*" and w[2] ~= name and not (name:sub(-1) == "*"
		    and (w[2] or ""):sub(1, #name - 1) == name:sub(1, -2)) then
			return
		end
		local detail = fields.text:match("^%S+%s+%S+%s+%S+%s+(.*)$")
		fn(setmetatable({}, {
			__index = { name = w[2], msgid = w[1], object = w[3],
				detail = detail or "", text = fields.text },
			__newindex = readonly,
		}))
	end, false, 0)
end

-- vigil.off(id): drop a handler of vigil.on or vigil.on_event.
function vigil.off(id)
	prim.unwatch(id)
end

local function run_what(x, opts)
	if type(x) == "string" then
		return x
	end
	if type(x) ~= "table" or #x == 0 then
		error("vigil.run: an action name or an argv table expected", 3)
	end
	for i = 1, #x do
		if type(x[i]) ~= "string" and type(x[i]) ~= "number" then
			error("vigil.run: argv word " .. i .. " is a "
				.. type(x[i]), 3)
		end
	end
	return concat(x, " ")
end

local function run_opts(opts)
	if opts ~= nil and type(opts) ~= "table" then
		error("vigil.run: options must be a table", 3)
	end
	return opts or {}
end

--
-- vigil.run(action_or_argv, opts): in a workflow, wait for the process
-- and return status, output, result; elsewhere return the job id at once
-- (opts.done(status, output, result) is called at the end).
--
-- With opts.wait_for (a filter) the workflow also waits for a message,
-- watched from before the process starts, so that an answer the console
-- gives before the command returns is not missed; opts.wait_timeout
-- (seconds, from the start) bounds the wait.  Returns status, output,
-- result, then the message or nil, "timeout".
--
local function run_expect(x, opts, what, expect)
	local r = pack(step("vigil.run", "run", what .. " (then "
	    .. describe(expect) .. ")", opts.wait_timeout,
	    function(inst, deadline, rearming)
		local p = {}
		local ended, got, timed_out
		inst.pending = p
		local function done()
			if ended == nil or (got == nil and not timed_out) then
				return
			end
			if p.watch then prim.unwatch(p.watch) end
			if p.timer then prim.untimer(p.timer) end
			if inst.pending == p then inst.pending = nil end
			if got ~= nil then
				resume(inst, ended[1], ended[2], ended[3], got)
			else
				resume(inst, ended[1], ended[2], ended[3], nil,
					"timeout")
			end
		end
		p.watch = prim.watch(expect, function(fields)
			if got ~= nil or timed_out then return end
			got = fields
			prim.unwatch(p.watch)
			p.watch = nil
			done()
		end, true, inst.id)
		local function on_end(st, out, res)
			p.job = nil
			ended = pack(st, out, res)
			if got == nil and not timed_out then
				prim.wf_state(inst.id, "waiting", inst.label,
					"wait " .. describe(expect), deadline)
			end
			done()
		end
		if rearming then
			-- The process ran before a restart; its outcome is
			-- lost, its answer may still come.
			on_end(nil, "", "interrupted")
		else
			local job, err = prim.run(x, opts, on_end, inst.id)
			if job == nil then
				prim.unwatch(p.watch)
				inst.pending = nil
				return false, nil, err, "error"
			end
			p.job = job
		end
		if deadline ~= nil then
			p.timer = prim.timer(deadline - prim.now(), function()
				p.timer = nil
				if got ~= nil then return end
				timed_out = true
				done()
			end, false, inst.id)
		end
		return true
	end, rearm))
	if type(r[4]) == "table" then
		r[4] = view(r[4])
	end
	return unpack(r, 1, r.n)
end

function vigil.run(x, opts)
	local what = run_what(x, opts)
	opts = run_opts(opts)
	local expect = opts.wait_for ~= nil and
		filter_of(opts.wait_for, "vigil.run") or nil
	if opts.wait_timeout ~= nil and (type(opts.wait_timeout) ~= "number"
	    or opts.wait_timeout < 0) then
		error("vigil.run: wait_timeout must be seconds (a number)", 2)
	end
	if not in_wf() then
		if expect ~= nil then
			error("vigil.run: wait_for is only for workflows", 2)
		end
		local done = opts.done
		local job, err = prim.run(x, opts, function(st, out, res)
			if done then done(st, out, res) end
		end, 0)
		if job == nil then
			return nil, err
		end
		return job
	end
	if expect ~= nil then
		return run_expect(x, opts, what, expect)
	end
	return step("vigil.run", "run", what, nil, function(inst)
		local job, err = prim.run(x, opts, function(st, out, res)
			inst.pending = nil
			resume(inst, st, out, res)
		end, inst.id)
		if job == nil then
			return false, nil, err, "error"
		end
		inst.pending = { job = job }
		return true
	end, interrupted)
end

-- vigil.wait_for(filter, {timeout=}): the message, or nil, "timeout".
function vigil.wait_for(f, opts)
	local filter = filter_of(f, "vigil.wait_for")
	opts = opts or {}
	local timeout = opts.timeout
	if timeout ~= nil and (type(timeout) ~= "number" or timeout < 0) then
		error("vigil.wait_for: timeout must be seconds (a number)", 2)
	end
	if opts.user ~= nil then filter.user = opts.user end
	if opts.source ~= nil then filter.source = opts.source end
	local r = { step("vigil.wait_for", "wait", describe(filter), timeout,
	    function(inst, deadline)
		local p = {}
		inst.pending = p
		p.watch = prim.watch(filter, function(fields)
			if inst.pending ~= p then
				return
			end
			if p.timer then prim.untimer(p.timer) end
			prim.unwatch(p.watch)
			inst.pending = nil
			resume(inst, fields)
		end, true, inst.id)
		if deadline ~= nil then
			arm_deadline(inst, deadline, nil, "timeout")
		end
		return true
	end, rearm) }
	if type(r[1]) == "table" then
		return view(r[1])
	end
	return nil, r[2]
end

local function sleep_until(fname, deadline, what)
	return step(fname, "sleep", what, deadline - prim.now(),
	    function(inst, dl)
		inst.pending = {}
		arm_deadline(inst, dl, true)
		return true
	end, rearm)
end

function vigil.sleep(seconds)
	if type(seconds) ~= "number" or seconds < 0 then
		error("vigil.sleep: seconds (a number >= 0) expected", 2)
	end
	need_wf("vigil.sleep", 3)
	return sleep_until("vigil.sleep", prim.now() + seconds,
		fmt("%gs", seconds))
end

-- vigil.at(time[, fn]): TIME is epoch seconds or "HH:MM[:SS]" (the next
-- one, local time).  In a workflow: sleep until then; elsewhere call FN.
function vigil.at(t, fn)
	local when, err = prim.time_of(t)
	if when == nil then
		error("vigil.at: " .. err, 2)
	end
	if fn == nil then
		need_wf("vigil.at", 3)
		return sleep_until("vigil.at", when, tostring(t))
	end
	if type(fn) ~= "function" then
		error("vigil.at: a function expected as argument 2", 2)
	end
	return prim.timer(when - prim.now(), fn, false, 0)
end

-- vigil.every(seconds, fn): FN every SECONDS until vigil.cancel(id).
function vigil.every(seconds, fn)
	if type(seconds) ~= "number" or seconds <= 0 or
	    type(fn) ~= "function" then
		error("vigil.every: seconds (> 0) and a function expected", 2)
	end
	return prim.timer(seconds, fn, true, 0)
end

function vigil.cancel(id)
	prim.untimer(id)
end

-- vigil.confirm(prompt, {timeout=, default=}): an operator's yes (true)
-- or no (false) and who; at the timeout the default, or nil, "timeout".
function vigil.confirm(prompt, opts)
	if type(prompt) ~= "string" then
		error("vigil.confirm: a prompt (string) expected", 2)
	end
	opts = opts or {}
	return step("vigil.confirm", "confirm", prompt, opts.timeout,
	    function(inst, deadline)
		inst.pending = { confirm = true }
		prim.confirm_open(inst.id, prompt, function(yes, who)
			local p = inst.pending
			if p and p.timer then prim.untimer(p.timer) end
			inst.pending = nil
			resume(inst, yes, who)
		end)
		if deadline ~= nil then
			if opts.default ~= nil then
				arm_deadline(inst, deadline, opts.default,
					"timeout")
			else
				arm_deadline(inst, deadline, nil, "timeout")
			end
		end
		return true
	end, rearm)
end

-- vigil.notify(text): the action named by CONFIG(notify=...), with the
-- text as its PARM.  A workflow's notification is sent at most once.
function vigil.notify(text)
	text = tostring(text)
	local action = prim.config.notify
	if type(action) ~= "string" then
		error("vigil.notify: no notify action: add CONFIG(notify=ACTION)"
			.. " to the PLUGIN statement", 2)
	end
	if not in_wf() then
		return prim.run(action, { parm = text }, nil, 0)
	end
	return step("vigil.notify", "notify", text, nil, function(inst)
		local job, err = prim.run(action, { parm = text }, nil,
			inst.id)
		return false, job, err
	end, function() return { nil, "interrupted", n = 2 } end)
end

-- vigil.emit(text, {user=}): TEXT as a message from source NAME.
function vigil.emit(text, opts)
	text = tostring(text)
	local user = opts and opts.user or prim.name
	if not in_wf() then
		prim.emit(text, user)
		return
	end
	return step("vigil.emit", "emit", text, nil, function()
		prim.emit(text, user)
		return false, true
	end, function() return { true, n = 1 } end)
end

-- vigil.step(label): name the stage operators see (vigil workflows).
function vigil.step(label)
	label = tostring(label)
	local inst = need_wf("vigil.step", 3)
	inst.label = label
	return step("vigil.step", "step", label, nil, function()
		return false, true
	end, function() return { true, n = 1 } end)
end

function vigil.id()
	return current and current.id or nil
end

local function start(name, args, opts, inside)
	local fn = defs[name]
	if fn == nil then
		error("vigil.start: no workflow " .. tostring(name)
			.. " is defined", 3)
	end
	local key = opts and opts.key
	local child = inside ~= nil and key == nil
	if child then
		key = inside.id .. "/" .. inside.seq
	end
	local saved = serialize(args)
	local id, existing = prim.wf_new(name, saved, key and tostring(key),
		child)
	if id == nil then
		error("vigil.start: " .. tostring(existing), 3)
	end
	if existing then
		return id, true
	end
	local inst = { id = id, name = name, seq = 0, journal = {},
		label = name, last = 0, key = key and tostring(key) }
	inst.co = co_create(function(a, i) return fn(a, i) end)
	insts[id] = inst
	resume(inst, deserialize(saved), id)
	return id, false
end

local function start_step(name, args, opts)
	if in_wf() then
		local inst = current
		return step("vigil.start", "start", name, nil, function()
			return false, start(name, args, opts, inst)
		end, function()
			-- The child's key makes a second start find the first.
			return { start(name, args, opts, inst), n = 1 }
		end)
	end
	return start(name, args, opts, nil)
end

--
-- vigil.workflow(name, fn): define a workflow (at load time, so that it
-- can resume after a restart); returns a function that starts it.
-- vigil.workflow(name, fn, args[, opts]): define and start; returns the id.
--
function vigil.workflow(name, fn, args, opts)
	if type(name) ~= "string" or type(fn) ~= "function" then
		error("vigil.workflow: a name and a function expected", 2)
	end
	defs[name] = fn
	if args == nil then
		return function(a, o) return start_step(name, a, o) end
	end
	return start_step(name, args, opts)
end

function vigil.start(name, args, opts)
	return start_step(name, args, opts)
end

--
-- vigil.join(ids[, {any=true}]): wait for workflows started by this one;
-- returns a table id -> {status=, result=}, or with any the first to end:
-- id, status, result.
--
function vigil.join(ids, opts)
	if type(ids) ~= "table" then
		error("vigil.join: a table of workflow ids expected", 2)
	end
	local any = opts and opts.any
	local function outcome()
		local all, n = {}, 0
		for _, id in pairs(ids) do
			local status, saved = prim.wf_get(id)
			if status ~= "running" and status ~= "waiting" and
			    status ~= "paused" then
				all[id] = { status = status,
					result = deserialize(saved) }
				n = n + 1
				if any then return true, id, status,
				    all[id].result end
			end
		end
		if n == #ids then return true, all end
		return false
	end
	local r = { step("vigil.join", "join", concat(ids, ","), nil,
	    function(inst)
		local r = { outcome() }
		if r[1] then
			return false, select(2, unpack(r))
		end
		inst.pending = {}
		inst.on_child = function()
			local o = { outcome() }
			if o[1] then
				inst.on_child = nil
				for _, id in pairs(ids) do
					local j = joiners[id]
					if j then j[inst.id] = nil end
				end
				inst.pending = nil
				resume(inst, select(2, unpack(o)))
			end
		end
		for _, id in pairs(ids) do
			joiners[id] = joiners[id] or {}
			joiners[id][inst.id] = inst
		end
		return true
	end, rearm) }
	return unpack(r)
end

-- vigil.state: values kept in the daemon's store, per plugin.  A table
-- read from it is a copy: assign it again to save a change.
vigil.state = setmetatable({}, {
	__index = function(_, k)
		if type(k) ~= "string" then
			error("vigil.state keys are strings", 2)
		end
		return deserialize(prim.kv_get(k))
	end,
	__newindex = function(_, k, v)
		if type(k) ~= "string" then
			error("vigil.state keys are strings", 2)
		end
		if v == nil then
			prim.kv_del(k)
		else
			local ok, saved = pcall(serialize, v)
			if not ok then
				error("vigil.state." .. k .. ": " .. saved, 2)
			end
			prim.kv_set(k, saved)
		end
	end,
})

-- vigil.data(key): the Lua data file named by CONFIG(key=path): a
-- chunk that returns a value (a table), run with no globals at all.
function vigil.data(key)
	local text, err = prim.data(key)
	if text == nil then
		error("vigil.data: " .. err, 2)
	end
	local f, lerr = load(text, "=" .. prim.config[key], "t", {})
	if f == nil then
		error("vigil.data: " .. lerr, 2)
	end
	return f()
end

vigil.serialize = serialize

-- --- what the daemon calls ----------------------------------------------

-- After the plugin's file ran: an unfinished workflow from the store
-- (one call each, so each replay has its own instruction budget).
function api.resume(w)
	local fn = defs[w.name]
	if fn == nil then
		prim.wf_finish(w.id, "interrupted", nil, "the plugin no longer"
			.. " defines workflow " .. w.name .. " at load time")
		return
	end
	if insts[w.id] ~= nil then
		return
	end
	local journal = {}
	for _, s in pairs(w.steps) do
		journal[s.seq] = s
	end
	local inst = { id = w.id, name = w.name, seq = 0, journal = journal,
		label = w.name, last = #w.steps, key = w.key,
		paused = w.status == "paused" or w.status == "pausing" }
	inst.co = co_create(function(a, i) return fn(a, i) end)
	insts[w.id] = inst
	local ok, args = pcall(deserialize, w.args)
	if ok then
		resume(inst, args, w.id)
	else
		finish(inst, "interrupted", nil, tostring(args))
	end
end

-- Cancel INST, then the workflows it started (their keys are its id and
-- a step); the parent first, so that no child's end resumes it.
local function cancel_tree(inst, why)
	local prefix = inst.id .. "/"
	finish(inst, "cancelled", nil, why)
	for _, other in pairs(insts) do
		if other.key ~= nil and other.key:sub(1, #prefix) == prefix then
			cancel_tree(other, why .. " (with workflow " .. inst.id
				.. ")")
		end
	end
end

-- An operator's command for workflow ID: cancel, pause, resume, confirm.
function api.control(id, op, who, answer)
	local inst = insts[id]
	if inst == nil then
		return false, "workflow " .. id .. " is not running in plugin "
			.. prim.name
	end
	if op == "cancel" then
		cancel_tree(inst, "cancelled by " .. who)
	elseif op == "pause" then
		inst.paused = true
		prim.wf_state(inst.id, inst.at_pause and "paused" or "pausing",
			inst.label, nil, nil)
	elseif op == "resume" then
		inst.paused = false
		if inst.at_pause then
			inst.at_pause = false
			resume(inst)
		end
	elseif op == "confirm" then
		local p = inst.pending
		if p == nil or not p.confirm then
			return false, "workflow " .. id .. " is not waiting"
				.. " for a confirmation"
		end
		if p.timer then prim.untimer(p.timer) end
		prim.confirm_close(inst.id)
		inst.pending = nil
		resume(inst, answer, who)
	end
	return true
end

-- The daemon stops: from now on workflows are only journaled.
function api.stop()
	stopping = true
end

-- A call into workflow ID failed outside Lua's reach (its budget).
function api.failed(id, cause)
	-- A workflow started by a handler (ID 0) is the one left current.
	local inst = insts[id] or current
	current = nil
	if inst ~= nil then
		finish(inst, "failed", nil, cause)
	end
end

_G.vigil = vigil
return api
