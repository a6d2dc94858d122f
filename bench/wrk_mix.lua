-- Walks a file of paths (one per line, in order, wrapping around) instead of loading one URL, and
-- counts the page cache's answers from the X-Cache response header (hit, miss; none = not cacheable,
-- e.g. a logged-in page). bench/traffic.py reads the BENCH_JSON line.
-- Usage: wrk -s bench/wrk_mix.lua http://127.0.0.1:8201 -- /tmp/bench/mix/search.txt [cookie]
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths, cookie = {}, args[2]
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  -- Threads start at different places in the file, so together they still walk all of it.
  position = (id * math.floor(#paths / 4)) % #paths
  hits, misses, none = 0, 0, 0
end

function request()
  position = position % #paths + 1
  local headers = {}
  if cookie and #cookie > 0 then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[position], headers)
end

function response(status, headers, body)
  local answer = headers["X-Cache"] or headers["x-cache"]
  if answer == "hit" then hits = hits + 1
  elseif answer == "miss" then misses = misses + 1
  else none = none + 1 end
end

function done(summary, latency, requests)
  local h, m, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    h, m, n = h + thread:get("hits"), m + thread:get("misses"), n + thread:get("none")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "hits": %d, "misses": %d, "uncached": %d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, h, m, n
  ))
end
