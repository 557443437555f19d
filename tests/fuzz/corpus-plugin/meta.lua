setmetatable(_G, { __index = function(t, k) return k end })
function f() return setmetatable({}, { __gc = function() while true do end end }) end
function g(a) getmetatable("").__index = function() error("x") end; return a:upper() end
