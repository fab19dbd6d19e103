-- A mixed load: 70 % reads of a complaint (agent), 20 % messages on a complaint (agent), 10 %
-- filings on fresh orders (consumer). Args: META_JSON FIRST_ORDER ORDERS_PER_THREAD
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
local ids, agent, consumer, next_order, last_order, incident
function init(args)
  local meta = read_meta(args[1])
  ids = read_lines(meta.ids_file)
  agent = "Bearer " .. meta.agent_token
  consumer = "Bearer " .. meta.consumer_token
  local per_thread = tonumber(args[3])
  next_order = tonumber(args[2]) + tid * per_thread
  last_order = next_order + per_thread - 1
  incident = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 1800)
  math.randomseed(tid * 104729 + os.time())
end
request = function()
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", "/v1/complaints/" .. ids[math.random(#ids)], {["Authorization"] = agent})
  elseif r <= 90 then
    return wrk.format("POST", "/v1/complaints/" .. ids[math.random(#ids)] .. "/messages",
                      {["Authorization"] = agent, ["Content-Type"] = "application/json"},
                      '{"text":"您好，已收到，正在核实。"}')
  end
  if next_order > last_order then error("mixed.lua: out of seeded orders; seed more (--load-orders)") end
  local n = next_order
  next_order = next_order + 1
  filings_sent = (filings_sent or 0) + 1
  local body = '{"order_no":"f' .. n .. '","category":"not_received","incident_at":"' .. incident ..
      '","description":"充值后一直未到账，请处理","demands":[{"kind":"refund","amount_fen":1000}]}'
  return wrk.format("POST", "/v1/complaints",
                    {["Authorization"] = consumer, ["Content-Type"] = "application/json"}, body)
end
