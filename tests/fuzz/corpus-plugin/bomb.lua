function f() local s = "x" while true do s = s .. s end end
function g(a) return string.rep(a, 1e9) end
