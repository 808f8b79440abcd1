"""The load generators of bench_serve.py: wrk with a Lua script, and a GET /health prober.

`wrk(...)` runs one bounded load (wrk stops at its -d; a subprocess timeout bounds it even if it
hangs) and returns its figures: latencies in ms, status codes counted by the Lua response hook,
`ok_rate` (2xx answers per second) and `non_2xx`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from serve_data import CACHE

# wrk's Lua side: rotate through a file of paths, the threads interleaved so they never send the same
# path; "{n}" in a path becomes the request's sequence number (a unique query text each time). The
# response hook counts status codes per thread; done() sums them and prints one JSON line.
# wrk 4 hands done() (and prints) latencies corrected for coordinated omission (stats_correct): a reply
# later than the run's mean interval per connection adds records as if requests had kept coming.
LUA = r"""
local paths, accept = {}, "%(accept)s"
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local threads, counter = {}, 0
statuses = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) counter = tid end
function request()
  local path = paths[(counter %% #paths) + 1]:gsub("{n}", tostring(counter))
  counter = counter + %(threads)d
  return wrk.format("GET", path, {["Accept"] = accept})
end
function response(status) statuses[status] = (statuses[status] or 0) + 1 end
function done(s, latency, requests)
  local e, sums, codes = s.errors, {}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do sums[code] = (sums[code] or 0) + n end
  end
  for code, n in pairs(sums) do codes[#codes + 1] = '"' .. code .. '": ' .. n end
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "status": %%d, "timeout": %%d, "p50": %%d, "p99": %%d, "max": %%d, "mean": %%d, '
    .. '"codes": {%%s}}\n',
    s.requests, s.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(99), latency.max, latency.mean, table.concat(codes, ", ")))
end
"""


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "wrk is not installed. Debian/Ubuntu: `sudo apt-get install -y wrk` "
            "(elsewhere: https://github.com/wg/wrk); then run this script again."
        )
    return found


def wrk(url: str, paths: list[str], accept: str, args: argparse.Namespace, name: str, seconds: int,
        connections: int) -> dict[str, Any]:  # fmt: skip
    """One bounded wrk load; latencies in ms; `ok_rate`: 2xx answers per second; `non_2xx`: the rest."""
    work = CACHE / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    (work / f"{name}.paths").write_text("\n".join(paths) + "\n")
    script = work / f"{name}.lua"
    script.write_text(LUA % {"accept": accept, "paths": work / f"{name}.paths", "threads": args.threads})
    command = [require_wrk(), f"-t{args.threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", f"{args.wrk_timeout}s", "-s", str(script), url]
    limit = seconds + args.wrk_timeout + 30  # wrk stops at -d; this bounds it even if it hangs
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=limit).stdout
    raw = json.loads(next(x for x in out.splitlines() if x.startswith("WRKJSON ")).removeprefix("WRKJSON "))
    ran = raw["duration_us"] / 1e6
    ok = sum(n for code, n in raw["codes"].items() if 200 <= int(code) < 300)
    return {
        **raw,
        **{k: raw[k] / 1000 for k in ("p50", "p99", "max", "mean")},
        "seconds": ran,
        # what a closed-loop client's mean latency must be (Little's law); wrk's corrected mean can exceed it
        "closed_mean": connections * ran * 1000 / raw["requests"] if raw["requests"] else math.nan,
        "ok": ok,
        "ok_rate": ok / ran,
        "non_2xx": raw["requests"] - ok,
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "paths": len(paths),
        "connections": connections,
    }


def probe_health(url: str, samples: int, gap: float) -> list[float]:
    """GET /health `samples` times, each on a new connection; latencies in ms (a failure is inf)."""
    host, port = url.removeprefix("http://").split(":")
    found = []
    for _ in range(samples):
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("GET", "/health")
            ok = conn.getresponse().status == 200
            conn.close()
        except OSError:
            ok = False
        found.append((time.perf_counter() - started) * 1000 if ok else float("inf"))
        time.sleep(gap)
    return found


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds used so far by process `pid` itself, and by its children (reaped and live), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(path: Path) -> list[str]:
        text = path.read_text()
        return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "; fields from state on

    try:
        own = fields(Path(f"/proc/{pid}/stat"))
    except OSError:
        return math.nan, math.nan
    children = sum(int(x) for x in own[13:15]) / tick  # cutime, cstime: reaped children
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = fields(stat)
        except (OSError, ValueError):
            continue
        if child[1] == str(pid):  # ppid
            children += sum(int(x) for x in child[11:13]) / tick  # utime, stime
    return sum(int(x) for x in own[11:13]) / tick, children
