function f() return load("\27Lua\84\0", "x", "b") end
function g(a, b, c) return load(a .. b .. c, "=x", "t", {})() end
