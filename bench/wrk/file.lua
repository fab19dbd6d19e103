-- POST /v1/complaints, evidence-free, each on a fresh seeded order of consumer "loadc"; every
-- answer must be 201 (the server answers only after the group commit's fsync).
-- Args: META_JSON FIRST_ORDER ORDERS_PER_THREAD
package.path = package.path .. ";" .. (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua"
require "common"
local auth, next_order, last_order, incident
function init(args)
  local meta = read_meta(args[1])
  auth = "Bearer " .. meta.consumer_token
  local per_thread = tonumber(args[3])
  next_order = tonumber(args[2]) + tid * per_thread
  last_order = next_order + per_thread - 1
  incident = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 1800)
end
request = function()
  if next_order > last_order then error("file.lua: out of seeded orders; seed more (--load-orders)") end
  local n = next_order
  next_order = next_order + 1
  filings_sent = (filings_sent or 0) + 1
  local body = '{"order_no":"f' .. n .. '","category":"not_received","incident_at":"' .. incident ..
      '","description":"充值后一直未到账，请处理","demands":[{"kind":"refund","amount_fen":1000}]}'
  return wrk.format("POST", "/v1/complaints",
                    {["Authorization"] = auth, ["Content-Type"] = "application/json"}, body)
end
