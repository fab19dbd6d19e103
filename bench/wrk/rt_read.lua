-- Request Tracker 5 (the peer): read a ticket by id with REST2. Args: COOKIE MAX_TICKET_ID
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
local cookie, max_id
function init(args)
  cookie = args[1]
  max_id = tonumber(args[2])
  math.randomseed(tid * 7919 + os.time())
end
request = function()
  return wrk.format("GET", "/REST/2.0/ticket/" .. math.random(max_id), {["Cookie"] = cookie})
end
