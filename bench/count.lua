-- wrk script for bench/pages.py: the totals only, as one JSON line. It has no response() callback
-- on purpose: with one, wrk copies every response's headers and body into a buffer and hands them
-- to Lua, which for a page of megabytes makes wrk, not the server, the limit. Without it wrk counts
-- the 4xx and 5xx responses itself (status_errors); bench/pages.py checks the bytes read against
-- the size of the one response expected, so a redirect or a short answer would show too.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "statuses": {}, "status_errors": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
  ))
end
