local n = 0
function f() n = n + 1 print("call", n) return n end
function g(a, b, c) return #a + #b + #c, utf8.len(c) end
