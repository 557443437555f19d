-- SPDX-License-Identifier: Apache-2.0
--
-- echo.lua - the smallest plugin: log every message of the OPERATOR
-- console.  Loaded by rules/examples/everything.rules to show the PLUGIN
-- statement; the Lua host and its API (vigil-lua(7)) come with the plugin
-- issue, until then `vigil check` only verifies that this file is readable.
vigil.on({ source = "OPERATOR" }, function(msg)
  vigil.log("operator: " .. msg.text)
end)
