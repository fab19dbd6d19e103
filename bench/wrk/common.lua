-- Shared by the wrk scripts: a done() that prints one JSON line the bench runner reads
-- ("BENCH_JSON {...}").
--
-- Success is an answer below 400, as wrk itself counts it (summary.errors.status holds the
-- rest). The scripts define no response() callback: with one, wrk hands every answer's headers
-- and body to Lua, which cost wrk more CPU per 4.6 KB complaint read than the whole request of
-- the ceiling, on the cores it shares with the server, and so took from both sides' figures
-- (measured: 49 against 38 us of wrk CPU per read). The answers tousu gives in a benchmark
-- are 200 (reads) and 201 (writes); the store count after the filing load checks the 201s.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local sent = 0
  for _, t in ipairs(threads) do
    sent = sent + (t:get("filings_sent") or 0)
  end
  local failed = summary.errors.status
  local good = summary.requests - failed
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "ok": %d, "not_ok": %d, "seconds": %.3f, ' ..
    '"rps": %.1f, "ok_per_s": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"socket_errors": %d, "timeouts": %d, "filings_sent": %d}\n',
    summary.requests, good, failed, secs, summary.requests / secs,
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
