-- Shared by the wrk scripts: per-thread counters of answers by status, and a done() that
-- prints one JSON line the bench runner reads ("BENCH_JSON {...}").
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

ok_status = {}  -- status codes that count as success for this script

function count_response(status)
  if ok_status[status] then ok = ok + 1 else bad = bad + 1 end
  if bad > 0 and first_bad == nil then first_bad = status end
end

function response(status, headers, body)
  count_response(status)
end

function done(summary, latency, requests)
  local good, failed, first, sent = 0, 0, nil, 0
  for _, t in ipairs(threads) do
    good = good + (t:get("ok") or 0)
    failed = failed + (t:get("bad") or 0)
    first = first or t:get("first_bad")
    sent = sent + (t:get("filings_sent") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "ok": %d, "not_ok": %d, "first_bad_status": %s, "seconds": %.3f, ' ..
    '"rps": %.1f, "ok_per_s": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"socket_errors": %d, "timeouts": %d, "filings_sent": %d}\n',
    summary.requests, good, failed, first and tostring(first) or "null", secs, summary.requests / secs,
    good / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.timeout, sent))
end

-- Reads the bench metadata file written by bench_seed (flat JSON; only string/number fields).
function read_meta(path)
  local f = assert(io.open(path, "r"))
  local text = f:read("*a")
  f:close()
  local meta = {}
  for k, v in text:gmatch('"([%w_]+)":%s*"([^"]*)"') do meta[k] = v end
  for k, v in text:gmatch('"([%w_]+)":%s*([%d%.%-]+)') do meta[k] = tonumber(v) end
  return meta
end

function read_lines(path)
  local out = {}
  for line in io.lines(path) do if #line > 0 then table.insert(out, line) end end
  return out
end
