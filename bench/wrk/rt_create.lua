-- Request Tracker 5 (the peer): create a ticket with REST2, authenticated by the session cookie
-- of a web login, from RT's own origin (RT refuses a cookie-authenticated POST without one).
-- Args: COOKIE ("RT_SID_...=...") ORIGIN ("http://127.0.0.1:PORT")
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
local cookie, origin
function init(args)
  cookie = args[1]
  origin = args[2]
  counter = 0
end
request = function()
  counter = counter + 1
  local body = '{"Queue":"General","Subject":"充值未到账 ' .. tid .. '-' .. counter ..
      '","Content":"充值后一直未到账，请处理","ContentType":"text/plain"}'
  return wrk.format("POST", "/REST/2.0/ticket",
                    {["Cookie"] = cookie, ["Origin"] = origin, ["Content-Type"] = "application/json"}, body)
end
