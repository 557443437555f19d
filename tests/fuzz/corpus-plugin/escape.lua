function f() return io.open("/etc/passwd") end
function g(a, b, c) return os.execute(a) end
