-- wrk script for benchmarks/http/run.sh.
--   wrk ... -s workload.lua -- echo <bytes>      POST /echo with a body of <bytes> bytes
--   wrk ... -s workload.lua -- get <bytes>       GET /bytes/<bytes>
--   wrk ... -s workload.lua -- mix <bytes> <n>   alternate POST /echo <bytes> and GET /bytes/<n> (soak)
-- At the end it prints one machine-readable line starting with CATZILLA_RESULT (latencies in microseconds).

local requests = {}
local counter = 0

local function body(size)
  -- a fixed, non-trivial pattern; built once per wrk thread
  local chunk = "catzilla-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"
  local n = math.floor(size / #chunk)
  return string.rep(chunk, n) .. string.sub(chunk, 1, size - n * #chunk)
end

local function echo(size)
  return wrk.format("POST", "/echo", { ["Content-Type"] = "application/octet-stream" }, body(size))
end

local function get(size)
  return wrk.format("GET", "/bytes/" .. size)
end

function init(args)
  local mode, a, b = args[1], tonumber(args[2]), tonumber(args[3])
  if mode == "echo" and a then
    requests = { echo(a) }
  elseif mode == "get" and a then
    requests = { get(a) }
  elseif mode == "mix" and a and b then
    requests = { echo(a), get(b) }
  else
    error("usage: -- echo <bytes> | get <bytes> | mix <echo bytes> <get bytes>")
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local e = summary.errors
  io.write(string.format(
    "CATZILLA_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d bytes=%d " ..
    "connect=%d read=%d write=%d timeout=%d non2xx=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status))
end
