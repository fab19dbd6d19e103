-- GET /v1/complaints/{id} with an agent's bearer token, ids drawn at random from a sample of
-- the seeded complaints. Args: META_JSON
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
-- The requests are formatted once, in init, as a pool of random picks that the thread cycles
-- through, so that wrk spends its share of the cores on the load rather than on Lua (the
-- ceiling's request is static too). 32,768 picks per thread: the two threads' pools reach most
-- of the 50,000 sampled ids, as drawing afresh each time did.
local pool, next_request
function init(args)
  local meta = read_meta(args[1])
  local ids = read_lines(meta.ids_file)
  local auth = "Bearer " .. meta.agent_token
  math.randomseed(tid * 7919 + os.time())
  pool = {}
  for i = 1, 32768 do
    pool[i] = wrk.format("GET", "/v1/complaints/" .. ids[math.random(#ids)], {["Authorization"] = auth})
  end
  next_request = 0
end
request = function()
  next_request = next_request % #pool + 1
  return pool[next_request]
end
