function f() while true do end end
function g(...) return pcall(function() while true do end end) end
