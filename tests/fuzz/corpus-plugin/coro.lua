local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)
function f() for i = 1, 1e9 do co() end end
function g(a, b, c) return a:gsub(".", function(x) return x:rep(1000) end) end
