-- The ceiling: GET / on bench_hello_server.
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
-- No request function: wrk sends one static request, formatted once (as read.lua's pool is).
wrk.method = "GET"
wrk.path = "/"
