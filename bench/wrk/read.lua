-- GET /v1/complaints/{id} with an agent's bearer token, ids drawn at random from a sample of
-- the seeded complaints. Args: META_JSON
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
local ids, auth
function init(args)
  ok, bad = 0, 0
  ok_status[200] = true
  local meta = read_meta(args[1])
  ids = read_lines(meta.ids_file)
  auth = "Bearer " .. meta.agent_token
  math.randomseed(tid * 7919 + os.time())
end
request = function()
  return wrk.format("GET", "/v1/complaints/" .. ids[math.random(#ids)], {["Authorization"] = auth})
end
