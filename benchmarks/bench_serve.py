"""Benchmark `clusterkg serve` against `oxigraph serve-read-only` on the same store; write reports/serve.md.

Builds (or reuses, under benchmarks/.cache/) a synthetic store of about 1M triples and serves it on
loopback. For each scenario, each server is started fresh, loaded alone with wrk (default 2 threads,
32 connections, 20 s) and stopped, so no backlog of abandoned queries leaks into the next run.
Then it probes GET /health on our server while a flood of slow queries runs, and times the engine
in-process on the queries behind the scenarios.

    .venv/bin/python benchmarks/bench_serve.py                 # the full run (about 8 minutes)
    .venv/bin/python benchmarks/bench_serve.py --duration 5    # a quick one

Needs wrk (Debian/Ubuntu: `apt-get install -y wrk`) and the `oxigraph` CLI (PyPI `oxigraph`, in .venv).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import http.client
import json
import os
import pickle
import platform
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from clusterkg import pipeline, queries, store  # noqa: E402
from clusterkg.serve.queries_api import DEFAULT_LIMIT  # noqa: E402
from clusterkg.settings import Settings  # noqa: E402
from clusterkg.synth import parse_size  # noqa: E402

BIN = Path(sys.executable).parent
BASE = "https://w3id.org/clusterkg/"
EU = "http://publications.europa.eu/resource/authority/country/"
CKG = "PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n"
CANNED = "clusters-by-target-country"
AGGREGATE = (
    CKG + "SELECT ?country (COUNT(DISTINCT ?cluster) AS ?clusters) WHERE {\n"
    "  ?cluster a ckg:Cluster ; ckg:country ?country .\n} GROUP BY ?country ORDER BY DESC(?clusters) ?country"
)
LOOKUP = "CONSTRUCT { <{iri}> ?p ?o } WHERE { <{iri}> ?p ?o }"  # what GET /id/… runs for RDF
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?q ?x }"  # seconds on 1M triples
TURTLE, JSON_RESULTS = "text/turtle", "application/sparql-results+json"
SERVERS = ("ours", "native", "native-union")

# wrk's Lua side: rotate through a file of paths, the threads interleaved so they never send the same
# path; "{n}" in a path becomes the request's sequence number (a unique query text each time).
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
%(response)s
function done(s, latency, requests)
  local e, sums, codes = s.errors, {}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do sums[code] = (sums[code] or 0) + n end
  end
  for code, n in pairs(sums) do codes[#codes + 1] = '"' .. code .. '": ' .. n end
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "status": %%d, "timeout": %%d, "p50": %%d, "p99": %%d, "max": %%d, "codes": {%%s}}\n',
    s.requests, s.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(99), latency.max, table.concat(codes, ", ")))
end
"""
COUNT_STATUSES = "function response(status) statuses[status] = (statuses[status] or 0) + 1 end"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the store


def prepare_store(triples: int, seed: int, label: str) -> tuple[Path, dict[str, Any]]:
    """The synthetic project with a built store at project/var/store, reused when already built."""
    folder = HERE / ".cache" / f"serve-{label}-seed{seed}"
    project, marker = folder / "project", folder / "ready.json"
    if marker.exists() and (project / "var" / "store").exists():
        return project, {**json.loads(marker.read_text()), "reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (HERE / ".cache" / ".gitignore").write_text("# built stores and scratch files (re-creatable)\n*\n")
    log(f"building a {label} store in {folder} (synth, mapping, bulk load; SHACL validation skipped)")
    started = time.perf_counter()
    command = [str(BIN / "clusterkg"), "synth", str(project), "--triples", str(triples), "--seed", str(seed)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    settings = Settings.from_env(project_dir=project, store=project / "var" / "store")
    _, quads = pipeline.map_sources(settings, folder / "data.nq")
    store.activate(
        settings.store, store.new_build(settings.store, folder / "data.nq", pipeline.private_graphs(settings))
    )
    (folder / "data.nq").unlink()
    built = {"quads": quads, "seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(built))
    return project, {**built, "reused": False}


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server and, for ours, its query workers (they die with it: PR_SET_PDEATHSIG)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(5)  # uvicorn would wait for abandoned queries; we do not
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start(name: str, project: Path, args: argparse.Namespace) -> Server:
    port = args.port + SERVERS.index(name)
    location = str((project / "var" / "store").resolve())
    env = dict(os.environ)
    if name == "ours":
        env.update(
            CLUSTERKG_QUERY_WORKERS=str(args.workers),
            CLUSTERKG_MAX_CONCURRENT_QUERIES=str(args.max_concurrent),
        )
        command = [str(BIN / "clusterkg"), "--project-dir", str(project), "serve", "--store", location]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            location,
            "--bind",
            f"127.0.0.1:{port}",
        ]
        command += ["--union-default-graph"] if name == "native-union" else []
    logfile = project.parent / f"{name}.log"
    with open(logfile, "wb") as out:  # the server log goes here, as it would to a log collector
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server(name, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(server.url + ("/health" if name == "ours" else "/"), timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not start; see {logfile}")


def fetch(url: str, accept: str, timeout: float = 120) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
        return body


# ---------------------------------------------------------------- what to ask


@dataclass
class Scenario:
    key: str
    title: str
    paths: dict[str, list[str]]  # per server
    accept: dict[str, str]
    cache: str  # how our response cache meets this scenario


@dataclass
class Inputs:
    graphs: list[str]
    clusters: list[str]
    resources: list[str]
    countries: list[str]


def query_path(sparql: str, graphs: list[str]) -> str:
    """GET /query for Oxigraph server; `graphs` become default-graph-uri parameters (our public dataset)."""
    return "/query?" + urllib.parse.urlencode(
        [("query", sparql), *(("default-graph-uri", g) for g in graphs)]
    )


def select(server: Server, sparql: str, graphs: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(fetch(server.url + query_path(sparql, graphs), JSON_RESULTS))[
        "results"
    ]["bindings"]
    return rows


def sample_inputs(native: Server, seed: int, limit: int) -> Inputs:
    """Public graphs, cluster IRIs, resource IRIs and target countries, read from the store."""
    every = select(native, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", [])
    graphs = sorted(r["g"]["value"] for r in every if r["g"]["value"] != BASE + "graph/contacts")
    pick = random.Random(seed)

    def values(sparql: str) -> list[str]:
        found = sorted(r["x"]["value"] for r in select(native, sparql, graphs))
        pick.shuffle(found)
        return found

    clusters = values(CKG + "SELECT DISTINCT ?x WHERE { ?x a ckg:Cluster }")
    resources = values(f'SELECT DISTINCT ?x WHERE {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{BASE}id/")) }}')
    countries = values(CKG + "SELECT DISTINCT ?x WHERE { ?t ckg:targetCountry ?x ; ckg:targetOf ?p }")
    return Inputs(graphs, clusters, resources[:limit], [c.removeprefix(EU) for c in countries])


def canned_texts(project: Path, iso3: str) -> dict[str, str]:
    """Our canned query's page and count queries, and the page with the country inlined (VALUES)."""
    sparql = queries.load_queries(project / "queries")[CANNED].sparql
    page = queries.page_query(sparql, min(DEFAULT_LIMIT, Settings().max_result_rows), 0)
    term = f"<{EU}{iso3}>"
    return {
        "page": page,
        "count": queries.count_query(sparql, ["country"]),
        "term": term,
        "inlined": queries.with_values(page, {"country": term}),
    }


def scenarios(inputs: Inputs, project: Path, rotate: int) -> list[Scenario]:
    graphs, hot = inputs.graphs, inputs.clusters[:rotate]

    def native(sparqls: list[str]) -> dict[str, list[str]]:
        unique = [s.replace("{n}", "@N@") for s in sparqls]  # keep the placeholder out of the encoding
        return {
            "native": [query_path(s, graphs).replace("%40N%40", "{n}") for s in unique],
            "native-union": [query_path(s, []).replace("%40N%40", "{n}") for s in unique],
        }

    def lookups(iris: list[str]) -> dict[str, list[str]]:
        ours = ["/" + iri[len(BASE) :] for iri in iris]
        return {"ours": ours, **native([LOOKUP.replace("{iri}", i) for i in iris])}

    def sparql(text: str) -> dict[str, list[str]]:
        ours = "/sparql?" + urllib.parse.urlencode({"query": text.replace("{n}", "@N@")}).replace(
            "%40N%40", "{n}"
        )
        return {"ours": [ours], **native([text])}

    canned = native([canned_texts(project, c)["inlined"] for c in inputs.countries])
    canned["ours"] = [f"/queries/{CANNED}?country={c}" for c in inputs.countries]
    graph = {"ours": TURTLE, "native": TURTLE, "native-union": TURTLE}
    rows = {"ours": JSON_RESULTS, "native": JSON_RESULTS, "native-union": JSON_RESULTS}
    return [
        Scenario(
            "lookup",
            f"lookup by IRI, {len(hot)} clusters in rotation",
            lookups(hot),
            graph,
            "cached: after the first request per IRI, answered from the response cache",
        ),
        Scenario(
            "lookup-distinct",
            f"lookup by IRI, {len(inputs.resources):,} distinct resources",
            lookups(inputs.resources),
            graph,
            "uncached: every request names a new IRI",
        ),
        Scenario(
            "canned",
            f"canned query `{CANNED}`, {len(inputs.countries)} countries in rotation",
            canned,
            {**rows, "ours": "application/json"},
            "cached per country after its first answer; concurrent identical requests share one query, "
            "and one evaluation gives the page and its total",
        ),
        Scenario(
            "aggregate",
            "aggregate: clusters per country, same query text",
            sparql(AGGREGATE),
            rows,
            "cached: after the first request, answered from the response cache",
        ),
        Scenario(
            "aggregate-distinct",
            "aggregate: clusters per country, text made unique",
            sparql(AGGREGATE + "\n# request {n}"),
            rows,
            "uncached: a comment with a counter",
        ),
    ]


# ---------------------------------------------------------------- same answers from all three


def answers(servers: dict[str, Server], scenario: Scenario) -> dict[str, str]:
    """Each server's answer to the scenario's first request: its triples or rows, as a comparable digest."""
    found = {}
    for name, server in servers.items():
        body = fetch(server.url + scenario.paths[name][0].replace("{n}", "0"), scenario.accept[name])
        if scenario.accept[name] == TURTLE:
            import pyoxigraph  # benchmark-only cross-check; the package keeps pyoxigraph inside store/

            triples = {str(t) for t in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)}
            found[name] = f"{len(triples)} triples, digest {digest(sorted(triples))}"
        else:
            rows = sorted(json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"])
            found[name] = f"{len(rows)} rows, digest {digest(rows)}"
    return found


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:8]


# ---------------------------------------------------------------- wrk


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "wrk is not installed. Debian/Ubuntu: `sudo apt-get install -y wrk` "
            "(elsewhere: https://github.com/wg/wrk); then run this script again."
        )
    return found


def wrk(
    url: str,
    paths: list[str],
    accept: str,
    args: argparse.Namespace,
    name: str,
    *,
    seconds: float | None = None,
    connections: int | None = None,
    statuses: bool = False,
) -> dict[str, Any]:
    """One bounded wrk load; the figures in ms, and `ok_rate`: successful (2xx/3xx) requests per second."""
    work = HERE / ".cache" / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    (work / f"{name}.paths").write_text("\n".join(paths) + "\n")
    script = work / f"{name}.lua"
    lua = {"accept": accept, "paths": work / f"{name}.paths", "threads": args.threads}
    script.write_text(LUA % {**lua, "response": COUNT_STATUSES if statuses else ""})
    command = [require_wrk(), f"-t{args.threads}", f"-c{connections or args.connections}"]
    command += [f"-d{seconds or args.duration}s", "--timeout", f"{args.wrk_timeout}s", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    raw = json.loads(next(x for x in out.splitlines() if x.startswith("WRKJSON ")).removeprefix("WRKJSON "))
    seconds_run = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["status"]
    return {
        **raw,
        **{k: raw[k] / 1000 for k in ("p50", "p99", "max")},
        "seconds": seconds_run,
        "ok_rate": ok / seconds_run,
        "paths": len(paths),
    }


def load_all(project: Path, plan: list[Scenario], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every scenario on every server: started fresh, loaded alone, stopped."""
    loads: dict[str, dict[str, Any]] = {}
    for scenario in plan:
        loads[scenario.key] = {}
        for name in SERVERS:
            server = start(name, project, args)
            try:
                log(f"{scenario.key} on {name} ({args.duration} s)")
                paths, accept = scenario.paths[name], scenario.accept[name]
                loads[scenario.key][name] = wrk(server.url, paths, accept, args, f"{scenario.key}-{name}")
            finally:
                server.stop()
    return loads


# ---------------------------------------------------------------- health under a flood


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


def health_under_flood(project: Path, args: argparse.Namespace) -> dict[str, Any]:
    ours = start("ours", project, args)
    try:
        idle = probe_health(ours.url, 200, 0.01)
        path = "/sparql?" + urllib.parse.urlencode({"query": SLOW + " # flood @N@"}).replace("%40N%40", "{n}")
        result: dict[str, Any] = {}
        seconds = args.flood_seconds

        def flood() -> None:
            result["flood"] = wrk(
                ours.url,
                [path],
                JSON_RESULTS,
                args,
                "flood",
                seconds=seconds,
                connections=args.flood_connections,
                statuses=True,
            )

        thread = threading.Thread(target=flood)
        thread.start()
        time.sleep(2)  # the flood fills the workers and the queue first
        busy = probe_health(
            ours.url, args.health_samples, max((seconds - 4) / args.health_samples - 0.004, 0)
        )
        thread.join()
    finally:
        ours.stop()
    return {"idle": idle, "busy": busy, "flood": result["flood"]}


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)]

    return {"p50": at(0.5), "p99": at(0.99), "max": ordered[-1], "over_100": sum(v >= 100 for v in ordered)}


# ---------------------------------------------------------------- the engine, in-process


def engine_probe(project: Path, graphs: list[str], country: str) -> list[tuple[str, float, int]]:
    """pyoxigraph on the same store, no HTTP: how much the dataset and parameter binding cost."""
    import pyoxigraph as ox

    kg = ox.Store.read_only(str((project / "var" / "store").resolve()))
    public = [ox.NamedNode(g) for g in graphs]
    texts = canned_texts(project, country)
    bound = {ox.Variable("country"): ox.NamedNode(texts["term"][1:-1])}
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("canned page, country substituted (ours), public graphs", texts["page"], {"substitutions": bound}),
        ("canned count, country substituted (ours), public graphs", texts["count"], {"substitutions": bound}),
        ("canned page, country inlined as VALUES, public graphs", texts["inlined"], {}),
        ("canned page, country inlined as VALUES, union default graph", texts["inlined"], {"union": True}),
        ("aggregate, public graphs as the default graph (ours)", AGGREGATE, {}),
        ("aggregate, union default graph", AGGREGATE, {"union": True}),
        ("flood query, union default graph", SLOW, {"union": True}),
    ]
    found = []
    for label, sparql, options in cases:
        dataset = (
            {"use_default_graph_as_union": True} if options.pop("union", False) else {"default_graph": public}
        )
        started = time.perf_counter()
        result = kg.query(sparql, **dataset, **options)
        rows = 1 if isinstance(result, ox.QueryBoolean) else len(list(result))
        found.append((label, time.perf_counter() - started, rows))
    return found


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    require_wrk()
    started, load_before = time.time(), os.getloadavg()
    project, built = prepare_store(parse_size(args.triples), args.seed, args.triples.lower())
    servers = {name: start(name, project, args) for name in SERVERS}
    try:
        inputs = sample_inputs(servers["native"], args.seed, args.distinct)
        plan = scenarios(inputs, project, args.rotate)
        checks = {s.key: answers(servers, s) for s in plan}
    finally:
        for server in servers.values():
            server.stop()
    log(f"answers: {checks}")
    loads = load_all(project, plan, args)
    log(f"health probe under a flood of slow queries ({args.flood_seconds} s)")
    health = health_under_flood(project, args)
    log("engine probe (in-process)")
    engine = engine_probe(project, inputs.graphs, "CAN")
    return {
        "plan": plan,
        "checks": checks,
        "loads": loads,
        "health": health,
        "engine": engine,
        "built": built,
        "started": started,
        "load": (load_before, os.getloadavg()),
        "inputs": inputs,
    }


# ---------------------------------------------------------------- the report

REPORT = """# Serve benchmark

Written by `benchmarks/bench_serve.py`, run started {when}. Machine: {machine}; load average {before}
before the run, {after} after.

**The machine is shared and noisy: 2 cores.** Other engineers' tests and builds may run at the same
time, and wrk runs on the same two cores as the server it loads. Absolute figures move by tens of
percent between runs; read the ratios, taken minutes apart in the same run. {note}

Store: synthetic (`clusterkg synth --triples {a.triples} --seed {a.seed}`), {quads:,} quads, mapped and
bulk-loaded without the SHACL gate ({store_note}). Both servers open the **same store folder**
(pyoxigraph and the `oxigraph` CLI are both Oxigraph 0.5.13: no second load was needed). On 127.0.0.1,
one server at a time, each started fresh for each scenario and stopped after it (our server keeps
running a query whose client has gone, so a backlog would otherwise spill into the next scenario):

- **ours**: `clusterkg serve` (one uvicorn process with its defaults: uvloop, httptools, access log off),
  CLUSTERKG_QUERY_WORKERS={a.workers}, CLUSTERKG_MAX_CONCURRENT_QUERIES={a.max_concurrent};
- **native**: `oxigraph serve-read-only`, each query with our {graphs} public graphs as
  `default-graph-uri`: the dataset our server gives every query, so both compute the same answer;
- **native-union**: `oxigraph serve-read-only --union-default-graph` without dataset parameters: how
  Oxigraph would usually serve this store (it also reads the private contacts graph).

Load: wrk, {a.threads} threads, {a.connections} connections, {a.duration} s per scenario and server,
answer timeout {a.wrk_timeout} s; its Lua script rotates through a list of paths, the threads
interleaved. Requests/s counts successful (2xx/3xx) answers; latencies are over completed requests.
wrk sends no `If-None-Match`, so ETags and 304s played no part; our in-memory response cache did where
the table says "cached".

## Against the goals

{goals}

## Figures

{figures}

## Health under a flood of slow queries

GET /health, each on a new connection, one at a time: {idle_n} samples on the idle server, then
{busy_n} samples spread over a {a.flood_seconds} s flood of `{slow}` (a counter comment makes each
text new, so the cache never answers) from {a.flood_connections} wrk connections against {a.workers}
query workers (time limit {limit:g} s).

| | p50 ms | p99 ms | max ms | samples ≥ 100 ms |
|---|---:|---:|---:|---:|
{health}

The flood itself, as wrk counted it: {flood[requests]:,} answers in {flood[seconds]:.0f} s (status
codes: {codes}). A 503 is a query stopped at the time limit (its worker killed and replaced) or one
that found no free worker within the limit.

## The engine in-process

pyoxigraph on the same store, no HTTP, one query at a time, after the loads:

| query | seconds | rows |
|---|---:|---:|
{engine}

## What each scenario sends

- lookup: ours `GET /id/cluster/<key>` with `Accept: text/turtle` (the server runs `{lookup}`);
  native: that CONSTRUCT with the IRI written in, via `GET /query`. `lookup` rotates through
  {rotate} clusters; `lookup-distinct` through {distinct:,} resources, so no IRI comes twice.
- canned: ours `GET /queries/{canned}?country=<ISO3>` (`Accept: application/json`), {countries}
  target countries in rotation: a first page of {limit_rows} rows plus the true total, which takes two
  queries with the country substituted as an RDF term; native: the same page query with the country
  written in as a `VALUES` block (what `clusterkg query --endpoint` sends): one query, no total.
- aggregate: `{aggregate}` via `GET /sparql` vs `GET /query`; `aggregate-distinct` appends a comment
  with a counter, so every query text is new.

## Same answers

The first request of each scenario, on each server (native-union also reads the contacts graph):

| scenario | ours | native | native-union |
|---|---|---|---|
{checks}
"""


def num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def ratio(a: float, b: float) -> str:
    """a/b; "–" when b was not measured, "none" when a server completed no answer in the run."""
    if not b:
        return "–"
    return "none" if not a else f"{a / b:.2f}×" if a / b >= 0.1 else f"{a / b:.3f}×"


def goals(loads: dict[str, dict[str, Any]], busy: dict[str, float]) -> str:
    def verdict(ok: bool) -> str:
        return "**meets**" if ok else "**misses**"

    out = []
    for key in ("lookup", "lookup-distinct", "canned"):
        ours, native, union = (loads[key][k]["ok_rate"] for k in SERVERS)
        out.append(
            f"- {key}: requests/s ours/native {ratio(ours, native)} (goal ≥ 1×): "
            f"{verdict(bool(native) and ours >= native)}; ours/native-union {ratio(ours, union)}"
        )
    for key, by in loads.items():
        ours, native = by["ours"], by["native"]
        ok = ours["requests"] > 0 and ours["p99"] <= 2 * native["p99"] and not ours["timeout"]
        out.append(f"- {key}: p99 ours/native {ratio(ours['p99'], native['p99'])} (goal ≤ 2×): {verdict(ok)}")
        if not ours["requests"]:
            out[-1] += f": our server completed no answer within the {ours['seconds']:.0f} s run"
    out.append(
        f"- health under the flood: p99 {busy['p99']:.1f} ms, max {busy['max']:.1f} ms "
        f"(goal < 100 ms): {verdict(busy['max'] < 100)}"
    )
    return "\n".join(out)


def figures(plan: list[Scenario], loads: dict[str, dict[str, Any]]) -> str:
    out = [
        "| scenario | server | req/s | p50 ms | p99 ms | max ms | answers | non-2xx | timeouts | ours/native "
        "|",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in plan:
        native = loads[s.key]["native"]
        for name in SERVERS:
            x = loads[s.key][name]
            versus = (
                f"req/s {ratio(x['ok_rate'], native['ok_rate'])}, p50 {ratio(x['p50'], native['p50'])}, "
                f"p99 {ratio(x['p99'], native['p99'])}; {s.cache}"
                if name == "ours"
                else ""
            )
            if name == "ours" and s.key == "lookup-distinct" and x["requests"] > x["paths"]:
                versus += f" (the {x['paths']:,} paths wrapped round: some answers came from the cache)"
            out.append(
                f"| {s.key} | {name} | {num(x['ok_rate'])} | {num(x['p50'])} | {num(x['p99'])} | "
                f"{num(x['max'])} | {x['requests']:,} | {x['status']:,} | {x['timeout']:,} | {versus} |"
            )
    return "\n".join(out)


def render(o: dict[str, Any], args: argparse.Namespace) -> str:
    idle, busy, flood = spread(o["health"]["idle"]), spread(o["health"]["busy"]), o["health"]["flood"]
    built, inputs = o["built"], o["inputs"]
    health = [
        f"| {name} | {x['p50']:.1f} | {x['p99']:.1f} | {x['max']:.1f} | {x['over_100']} |"
        for name, x in (("idle", idle), ("under the flood", busy))
    ]
    return REPORT.format(
        a=args,
        when=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(o["started"])),
        machine=machine(),
        before=tuple(round(x, 2) for x in o["load"][0]),
        after=tuple(round(x, 2) for x in o["load"][1]),
        note=f"\n\nNote: {args.note}" if args.note else "",
        quads=built["quads"],
        store_note="reused from benchmarks/.cache/" if built["reused"] else f"built in {built['seconds']} s",
        graphs=len(inputs.graphs),
        goals=goals(o["loads"], busy),
        figures=figures(o["plan"], o["loads"]),
        idle_n=len(o["health"]["idle"]),
        busy_n=len(o["health"]["busy"]),
        slow=SLOW,
        limit=Settings().query_timeout,
        health="\n".join(health),
        flood=flood,
        codes=", ".join(f"{n:,} × {c}" for c, n in sorted(flood["codes"].items())) or "none",
        engine="\n".join(f"| {label} | {sec:.2f} | {rows:,} |" for label, sec, rows in o["engine"]),
        lookup=LOOKUP,
        rotate=min(args.rotate, len(inputs.clusters)),
        distinct=len(inputs.resources),
        canned=CANNED,
        countries=len(inputs.countries),
        limit_rows=DEFAULT_LIMIT,
        aggregate=" ".join(AGGREGATE.split()),
        checks="\n".join(
            f"| {k} | {v['ours']} | {v['native']} | {v['native-union']} |" for k, v in o["checks"].items()
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--triples", default="1M", help="size of the synthetic store (default 1M)")
    add("--seed", type=int, default=0)
    add("--threads", type=int, default=2, help="wrk threads (default 2)")
    add("--connections", type=int, default=32, help="wrk connections (default 32)")
    add("--duration", type=int, default=20, help="seconds per scenario and server (default 20)")
    add("--wrk-timeout", type=int, default=60, help="seconds wrk waits for one answer (default 60)")
    add("--workers", type=int, default=2, help="CLUSTERKG_QUERY_WORKERS (default 2)")
    add(
        "--max-concurrent",
        type=int,
        default=64,
        help="CLUSTERKG_MAX_CONCURRENT_QUERIES (default 64: more "
        "than the connections, so requests queue for a worker rather than get 503)",
    )
    add("--rotate", type=int, default=200, help="cluster IRIs in the cached lookup rotation")
    add("--distinct", type=int, default=60_000, help="resource IRIs for the distinct lookups")
    add("--flood-seconds", type=int, default=40, help="length of the slow-query flood (default 40)")
    add("--flood-connections", type=int, default=16)
    add("--health-samples", type=int, default=300)
    add("--port", type=int, default=18080, help="ours; the native servers get the next two ports")
    add("--out", type=Path, default=HERE / "reports" / "serve.md")
    add("--note", default="", help="free text for the report, e.g. what else ran on the machine")
    add("--again", action="store_true", help="rewrite the report from the last run's saved figures")
    args = parser.parse_args()
    saved = HERE / ".cache" / "serve-last-run.pickle"
    if args.again:
        outcome, earlier = pickle.loads(saved.read_bytes())
        args = argparse.Namespace(**{**vars(earlier), "out": args.out})
    else:
        outcome = run(args)
        kept = [dataclasses.replace(s, paths={}) for s in outcome["plan"]]  # the report needs no paths
        saved.write_bytes(pickle.dumps(({**outcome, "plan": kept}, args)))
    args.out.write_text(render(outcome, args))
    log(f"wrote {args.out} in {time.time() - outcome['started']:.0f} s")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPUs, {memory:.1f} GiB, Python {platform.python_version()}, {platform.platform()}"
    )


if __name__ == "__main__":
    main()
