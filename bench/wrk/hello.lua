-- The ceiling: GET / on bench_hello_server.
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
function init(args) ok, bad = 0, 0; ok_status[200] = true end
request = function() return wrk.format("GET", "/") end
