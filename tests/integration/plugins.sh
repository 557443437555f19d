#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/plugins.sh - Lua plugins in the real daemon (issue 7's
# first slice): a PLUGIN's file is loaded in its sandbox; vigil.on
# handlers see the messages their pattern matches, with the message's
# fields; print and vigil.log reach the daemon's log; a handler that
# errors raises PLUGIN_FAILED with the file and line, one that loops is
# stopped by its instruction budget, and repeated failures disable the
# plugin (PLUGIN_DISABLED) while the daemon and the other plugins go on;
# a plugin that reaches for io fails to load, named, and nothing else
# stops.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cat >good.lua <<'LUA'
vigil.log("loaded")
print("print works")
local seen = 0
vigil.on("HCPSIG211%I User *", function(msg)
	seen = seen + 1
	vigil.log("saw " .. msg.msgid .. " from " .. msg.source .. " count " .. seen
		.. " word3 " .. msg.words[3])
	local ok, err = pcall(function() msg.text = "changed" end)
	vigil.log("write: " .. tostring(ok) .. " " .. tostring(err))
end)
LUA
cat >order.lua <<'LUA'
-- Handlers are called in the order they were added, whatever their
-- patterns (watches are indexed by a pattern's first byte).
local order = {}
vigil.on("*", function(m) if m.text:find("ORDER", 1, true) then order[#order + 1] = "any" end end)
vigil.on("ORDER*", function() order[#order + 1] = "lit" end)
vigil.on("%RDER*", function() order[#order + 1] = "pct" end)
vigil.on("ORDER 1", function() vigil.log("order " .. table.concat(order, ",")) end)
-- A MATCH of alternatives says which one took the message.
vigil.on({ match = { "ALT ONE *", "ALT TWO *" } }, function(m)
	vigil.log("alt " .. m.matched .. " " .. m.text)
end)
vigil.log("match " .. tostring(vigil.match("HCP*I", "HCPSIG2113I")) .. " "
	.. tostring(vigil.match("hcp*", "HCPX")) .. " "
	.. tostring(vigil.match("hcp*", "HCPX", true)))
local ok, err = pcall(function() vigil.on({ match = { "A", 7 } }, print) end)
vigil.log("bad alternative: " .. tostring(err))
-- Saved numbers read back exactly, floats as floats.
local nums = { 1, 2.0, 0.1, -0.0, 1e300, 5e-324, math.huge, -math.huge,
	2^53, math.maxinteger, math.mininteger, 1795325826.9865677 }
local back = load("return " .. vigil.serialize(nums), "=t", "t", {})()
local same = #back == #nums
for i = 1, #nums do
	same = same and back[i] == nums[i] and math.type(back[i]) == math.type(nums[i])
end
local nan = load("return " .. vigil.serialize(0/0), "=t", "t", {})()
vigil.log("numbers round-trip: " .. tostring(same and nan ~= nan))
LUA
cat >bad.lua <<'LUA'
vigil.on("BOOM*", function() error("kaboom") end)
vigil.on("SPIN*", function() while true do end end)
LUA
cat >escape.lua <<'LUA'
local f = io.open("/etc/passwd")
LUA
cat >r.rules <<'RULES'
PLUGIN NAME GOOD FILE good.lua
PLUGIN NAME ORDER FILE order.lua
PLUGIN NAME BAD FILE bad.lua
PLUGIN NAME ESCAPE FILE escape.lua
DEFRULE NAME ANY MATCH 'HCPSIG*' ACTION NULL
RULES
{
	echo 'HCPSIG2113I User BKRLNXD has reported successful termination'
	echo 'BOOM 1'
	echo 'ORDER 1'
	echo 'ALT TWO x'
	echo 'SPIN 1'
	echo 'HCPSIG2113I User OTHER has reported successful termination'
	for i in 2 3 4 5 6 7; do echo "BOOM $i"; done
} | timeout 60 "$VIGILD" -c r.rules -D st -S sock --once >out 2>log
is "the daemon runs to the end of its input: exit 0" "$?" 0
has "vigil.log reaches the log" log "plugin GOOD: loaded"
has "print reaches the log" log "plugin GOOD: print works"
has "a handler sees its message with its fields" log "plugin GOOD: saw HCPSIG2113I from STDIN count 1 word3 BKRLNXD"
has "  ... as a read-only view" log "plugin GOOD: write: false good.lua:8: a message is read-only"
has "handlers are called in the order they were added" log "plugin ORDER: order any,lit,pct"
has "a MATCH of alternatives says which one matched" log "plugin ORDER: alt 2 ALT TWO x"
has "saved numbers read back exactly" log "plugin ORDER: numbers round-trip: true"
has "vigil.match is the rule language's wildcard" log "plugin ORDER: match true false true"
has "  ... a filter's alternatives must be strings" log "plugin ORDER: bad alternative: order.lua:15: vigil.on: match alternative 2 must be a string"
has "  ... and keeps its state between calls" log "plugin GOOD: saw HCPSIG2113I from STDIN count 2"
has "an error is PLUGIN_FAILED with the file and line" log "PLUGIN_FAILED BAD plugin BAD: bad.lua:1: kaboom"
has "an endless loop is stopped by the instruction budget" log "instruction budget exceeded"
has "repeated failures disable the plugin" log "VGL051E PLUGIN_DISABLED BAD"
is "  ... once" "$(grep -c 'PLUGIN_DISABLED BAD' log)" 1
has "a plugin reaching for io fails to load, named" log "PLUGIN_FAILED ESCAPE"
has "  ... with its file and line" log "escape.lua:1:"
has "the rules still fired" log "stopped: 12 messages from sources"

# --once waits for a workflow that waits for a time, not for one that
# waits only for a message (that one stays in the store).
cat >once.lua <<'LUA'
vigil.workflow("nap", function() vigil.sleep(1); vigil.log("slept") end)
vigil.workflow("forever", function() vigil.wait_for("NEVER COMES") end)
vigil.on("GO", function() vigil.start("nap", {}); vigil.start("forever", {}) end)
LUA
printf 'PLUGIN NAME ONCE FILE once.lua\n' >once.rules
echo GO | timeout 60 "$VIGILD" -c once.rules -D st-once -S sock-once --once >/dev/null 2>once.log
is "--once ends while a workflow waits only for a message" "$?" 0
has "  ... after the workflow that slept has finished" once.log "plugin ONCE: slept"

# A plugin that does not compile is refused when the rules load, with
# the rule file's position and the plugin's line.
printf 'x = = 1\n' >broken.lua
printf 'PLUGIN NAME BROKEN FILE broken.lua\n' >broken.rules
"$VIGIL" check broken.rules >check.out 2>&1
is "vigil check refuses a plugin that does not compile" "$?" 1
has "  ... naming the rule file's line and the plugin's" check.out "broken.rules:1:25: error: PLUGIN BROKEN FILE: the plugin does not compile: broken.lua:1: unexpected symbol near '='"

tap_end
