"""Benchmark `clusterkg serve` against `oxigraph serve-read-only` (issue 7); write reports/serve.md and .json.

Two data sets: a synthetic project (`clusterkg synth --triples 1M`) and a copy of the repository's own
sources, each built with `clusterkg build` and published with `clusterkg publish`. Ours serves the build
at its default settings; the baseline is `oxigraph serve-read-only --union-default-graph` over a store
loaded (`oxigraph load`, then `oxigraph optimize`) from our public dump, clusterkg.nq.gz. Both get the
same SPARQL (ours on /sparql, Oxigraph on /query), except the canned query, which ours answers on
/queries/… and Oxigraph as the equivalent SPARQL. Built data is kept under benchmarks/.cache/.

Every run (data set × scenario × connections × server) starts its server fresh, loads it alone with wrk
(2 threads, 16 and 64 connections, --duration seconds) and stops it. Then GET /health is probed from a
Python thread while wrk floods our server with queries that run into the time limit.

    .venv/bin/python benchmarks/bench_serve.py                     # the full run (about 13 minutes)
    .venv/bin/python benchmarks/bench_serve.py --duration 5 --datasets real   # a quick one
    .venv/bin/python benchmarks/bench_serve.py --again             # re-render serve.md from serve.json

Needs wrk (Debian/Ubuntu: `apt-get install -y wrk`) and the `oxigraph` CLI (PyPI `oxigraph`, in .venv).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import random
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import serve_report  # noqa: E402
from serve_data import CACHE, CLUSTERKG, OXIGRAPH, clean_env, log, prepare  # noqa: E402
from serve_load import probe_health, require_wrk, tree_cpu, wrk  # noqa: E402

from clusterkg import queries  # noqa: E402
from clusterkg.serve.queries_api import DEFAULT_LIMIT  # noqa: E402

BASE = "https://w3id.org/clusterkg/"
EU = "http://publications.europa.eu/resource/authority/country/"
CKG = "PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n"
CANNED = "clusters-by-target-country"
# DISTINCT: Oxigraph's union default graph repeats a triple once per graph that states it; our default
# graph is their merge (a set). With DISTINCT both servers give the same rows.
LOOKUP = "SELECT DISTINCT ?p ?o WHERE { <{iri}> ?p ?o }"
AGGREGATE = (
    CKG + "SELECT ?country (COUNT(DISTINCT ?cluster) AS ?clusters) WHERE {\n"
    "  ?cluster a ckg:Cluster ; ckg:country ?country .\n} GROUP BY ?country ORDER BY DESC(?clusters) ?country"
)
# Slow queries that stream past the 30 s time limit: a product of two scans at 1M (0.75e12 rows), of
# three on the real data (two, 70M rows, take about 6 s there; three at 1M run a worker out of its heap
# within 2 s, a quick 400, not a slow query).
FLOODS = {
    "synth": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "real": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}
BUST = "\n# {n}"  # the cache-busting comment; wrk writes the request's sequence number for {n}
JSON_RESULTS = "application/sparql-results+json"
SERVERS = ("ours", "native")
DATASETS = ("synth", "real")


# ---------------------------------------------------------------- servers

PORTS = itertools.count(0)


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    logfile: Path

    def stop(self) -> list[str]:
        """Stop the server (ours: its query workers die with it) and return the log's error lines."""
        if self.process.poll() is None and self.name != "ours":
            self.process.kill()  # oxigraph serve-read-only ignores SIGINT and SIGTERM; its store is read-only
            self.process.wait(5)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(5)  # uvicorn would wait for abandoned queries; we do not
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        text = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
        return [x for x in text.splitlines() if re.search(r"Traceback|ERROR|Error:|panick", x)][:8]


def start(name: str, data: dict[str, Any], args: argparse.Namespace, tag: str) -> Server:
    port = args.port + next(PORTS) % 500  # a new port per start: no wait for the old socket
    if name == "ours":
        command = [CLUSTERKG, "--project-dir", data["project"], "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
        ready = "/health"
    else:
        command = [OXIGRAPH, "serve-read-only", "--location", data["native"], "--union-default-graph"]
        command += ["--bind", f"127.0.0.1:{port}"]
        ready = "/"
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    logfile = logs / f"{data['label']}-{tag}-{name}.log"
    with open(logfile, "wb") as out:  # the server log goes here, as it would to a log collector
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=clean_env())
    server = Server(name, f"http://127.0.0.1:{port}", process, logfile)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(server.url + ready, timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not start; see {logfile}")


def fetch(url: str, accept: str, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# ---------------------------------------------------------------- what to ask


@dataclass
class Scenario:
    key: str
    title: str
    goal: float  # ours/native requests per second, at least
    cache: str  # how our response cache meets this scenario
    paths: dict[str, list[str]] = field(repr=False)
    accept: dict[str, str]

    def facts(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "goal": self.goal, "cache": self.cache,
                "paths": {k: len(v) for k, v in self.paths.items()},
                "example": {k: urllib.parse.unquote_plus(v[0]) for k, v in self.paths.items()}}  # fmt: skip


def select(url: str, sparql: str) -> list[dict[str, Any]]:
    status, body = fetch(url + "/query?" + urllib.parse.urlencode({"query": sparql}), JSON_RESULTS)
    if status != 200:
        raise SystemExit(f"the baseline refused a sampling query ({status}): {body[:300]!r}")
    rows: list[dict[str, Any]] = json.loads(body)["results"]["bindings"]
    return rows


def sample_inputs(native: Server, args: argparse.Namespace) -> dict[str, list[str]]:
    """Cluster IRIs, resource IRIs and target countries, read from the baseline (the public dump)."""
    pick = random.Random(args.seed)

    def values(sparql: str) -> list[str]:
        found = sorted(r["x"]["value"] for r in select(native.url, sparql))
        pick.shuffle(found)
        return found

    clusters = values(CKG + "SELECT DISTINCT ?x WHERE { ?x a ckg:Cluster }")
    resources = values(f'SELECT DISTINCT ?x WHERE {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{BASE}id/")) }}')
    countries = values(  # countries the canned query has rows for
        CKG
        + "SELECT DISTINCT ?x WHERE { ?t ckg:targetCountry ?x ; ckg:targetOf ?project ; ckg:inPhase ?f .\n"
        "  ?f ckg:phaseType ?phase . ?project ckg:runBy ?cluster . ?cluster a ckg:Cluster }"
    )
    return {
        "clusters": clusters[: args.hot],
        "resources": resources[: args.distinct],
        "countries": [c.removeprefix(EU) for c in countries[: args.countries]],
    }


def canned_native(project: Path, iso3: str) -> str:
    """What `clusterkg query --endpoint` sends for the canned query's first page: the country as VALUES."""
    sparql = queries.load_queries(project / "queries")[CANNED].sparql
    return queries.with_values(queries.page_query(sparql, DEFAULT_LIMIT, 0), {"country": f"<{EU}{iso3}>"})


def encoded(prefix: str, text: str) -> str:
    """prefix + ?query=text, URL-encoded, with the {n} placeholder left for wrk to fill in."""
    return prefix + urllib.parse.urlencode({"query": text.replace("{n}", "@N@")}).replace("%40N%40", "{n}")


def scenarios(inputs: dict[str, list[str]], project: Path) -> list[Scenario]:
    def both(texts: list[str]) -> dict[str, list[str]]:
        return {
            "ours": [encoded("/sparql?", t) for t in texts],
            "native": [encoded("/query?", t) for t in texts],
        }

    def lookups(iris: list[str], suffix: str = "") -> dict[str, list[str]]:
        return both([LOOKUP.replace("{iri}", iri) + suffix for iri in iris])

    rows = {"ours": JSON_RESULTS, "native": JSON_RESULTS}
    countries, hot, distinct = inputs["countries"], inputs["clusters"], inputs["resources"]
    canned = {
        "ours": [f"/queries/{CANNED}?country={c}" for c in countries],
        "native": [encoded("/query?", canned_native(project, c)) for c in countries],
    }
    return [
        Scenario(
            "lookup-uncached",
            f"SELECT by IRI, {len(distinct):,} distinct resources in rotation, each text made unique",
            0.5,
            f"never hits: a comment `{BUST.strip()}` with the request's number makes every text new",
            lookups(distinct, BUST),
            rows,
        ),
        Scenario(
            "aggregate",
            "COUNT DISTINCT clusters per country, each text made unique",
            0.9,
            "never hits (the same cache-busting comment)",
            both([AGGREGATE + BUST]),
            rows,
        ),
        Scenario(
            "lookup-cached",
            f"SELECT by IRI, the same {len(hot)} clusters in rotation",
            1.0,
            "hits after the first request per IRI",
            lookups(hot),
            rows,
        ),
        Scenario(
            "canned",
            f"`/queries/{CANNED}?country=…`, {len(countries)} countries in rotation "
            "(native: the equivalent SPARQL)",
            1.0,
            "hits after the first request per country; concurrent misses of one country share one query",
            canned,
            {"ours": "application/json", "native": JSON_RESULTS},
        ),
    ]


def _terms(binding: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A row's terms as SPARQL 1.1 JSON writes them. Virtuoso before 7.2.16 (Debian 12 has 7.2.5)
    types a literal with a datatype "typed-literal", after the 2007 Note; SPARQL 1.1 says "literal"."""
    return {
        name: {**term, "type": "literal"} if term.get("type") == "typed-literal" else term
        for name, term in binding.items()
    }


def answers(servers: dict[str, Server], scenario: Scenario) -> dict[str, str]:
    """Each server's answer to the scenario's first request, as rows and a digest of them."""
    found = {}
    for name, server in servers.items():
        status, body = fetch(server.url + scenario.paths[name][0].replace("{n}", "0"), scenario.accept[name])
        if status != 200:
            found[name] = f"HTTP {status}: {body[:200].decode(errors='replace')}"
            continue
        rows = sorted(json.dumps(_terms(b), sort_keys=True) for b in json.loads(body)["results"]["bindings"])
        found[name] = (
            f"{len(rows)} rows, digest {hashlib.sha256(chr(10).join(rows).encode()).hexdigest()[:8]}"
        )
    return found


# ---------------------------------------------------------------- the loads


def load_all(data: dict[str, Any], plan: list[Scenario], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every scenario × connections × server: the server started fresh, loaded alone, stopped."""
    found = []
    for scenario in plan:
        for connections in args.connections:
            for name in SERVERS:
                tag = f"{scenario.key}-c{connections}"
                server = start(name, data, args, tag)
                load, cpu = os.getloadavg()[0], tree_cpu(server.process.pid)
                try:
                    log(f"{data['label']}: {tag}, {name} ({args.duration} s)")
                    paths, accept = scenario.paths[name], scenario.accept[name]
                    figures = wrk(
                        server.url, paths, accept, args, f"{tag}-{name}", args.duration, connections
                    )
                    # CPU per second of the run (2.0 = both cores): the server, its query workers
                    after = tree_cpu(server.process.pid)
                    figures["server_cpu"] = (after[0] - cpu[0]) / figures["seconds"]
                    figures["workers_cpu"] = (after[1] - cpu[1]) / figures["seconds"]
                finally:
                    errors = server.stop()
                log(f"  {figures['ok_rate']:,.1f} req/s, p99 {figures['p99']:,.1f} ms, {figures['codes']}")
                found.append({"scenario": scenario.key, "server": name, "load_before": load,
                              "log_errors": errors, **figures})  # fmt: skip
                time.sleep(1)
    return found


# ---------------------------------------------------------------- /health under a flood


def health_under_flood(data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    ours = start("ours", data, args, "flood")
    result: dict[str, Any] = {}
    try:
        idle = probe_health(ours.url, 100, 0.01)
        seconds = args.flood_seconds

        def flood() -> None:
            path = encoded("/sparql?", FLOODS[data["kind"]] + BUST)
            result["flood"] = wrk(
                ours.url, [path], JSON_RESULTS, args, "flood", seconds, args.flood_connections
            )

        thread = threading.Thread(target=flood)
        thread.start()
        time.sleep(2)  # the flood fills the workers and the queue first
        gap = max((seconds - 4) / args.health_samples - 0.004, 0)
        busy = probe_health(ours.url, args.health_samples, gap)
        thread.join(seconds + args.wrk_timeout + 60)
    finally:
        errors = ours.stop()
    return {"idle": idle, "busy": busy, "flood": result.get("flood", {}), "log_errors": errors}


# ---------------------------------------------------------------- the engine, in-process


def engine_probe(data: dict[str, Any], inputs: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The scenarios' queries in-process (pyoxigraph, no HTTP), best of 3, on both stores."""
    import pyoxigraph as ox  # benchmark-only; the package keeps pyoxigraph inside store/

    project = Path(data["project"])
    ours = ox.Store.read_only(str((project / "var" / "store").resolve() / "public"))
    native = ox.Store.read_only(data["native"])
    sparql = queries.load_queries(project / "queries")[CANNED].sparql
    country = inputs["countries"][0]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (f"lookup of {inputs['resources'][0]}", LOOKUP.replace("{iri}", inputs["resources"][0]), {}),
        ("aggregate", AGGREGATE, {}),
        (f"canned, country {country} as VALUES, first page", canned_native(project, country), {}),
        (
            f"canned, country {country} substituted, all rows (what ours evaluates)",
            queries.page_query(sparql, None),
            {"substitutions": {ox.Variable("country"): ox.NamedNode(EU + country)}},
        ),
    ]
    found = []
    for label, text, options in cases:
        row: dict[str, Any] = {"query": label}
        stores: list[tuple[str, Any, dict[str, Any]]] = [
            ("ours", ours, {}),
            ("native", native, {"use_default_graph_as_union": True}),
        ]
        for name, kg, dataset in stores:
            best, rows = float("inf"), 0
            for _ in range(3):
                started = time.perf_counter()
                rows = len(list(kg.query(text, **dataset, **options)))
                best = min(best, time.perf_counter() - started)
            row[name] = {"seconds": best, "rows": rows}
        found.append(row)
    return found


# ---------------------------------------------------------------- the run


def run_dataset(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    data = prepare(kind, args)
    if "failed" in data:
        return {"data": data}
    servers = {name: start(name, data, args, "check") for name in SERVERS}
    try:
        inputs = sample_inputs(servers["native"], args)
        plan = scenarios(inputs, Path(data["project"]))
        checks = {s.key: answers(servers, s) for s in plan}
    finally:
        for server in servers.values():
            server.stop()
    log(f"{data['label']}: same answers? {checks}")
    runs = load_all(data, plan, args)
    log(f"{data['label']}: /health under a flood of slow queries ({args.flood_seconds} s)")
    health = health_under_flood(data, args)
    log(f"{data['label']}: engine probe (in-process)")
    engine = engine_probe(data, inputs)
    return {"data": data, "inputs": {k: len(v) for k, v in inputs.items()}, "countries": inputs["countries"],
            "scenarios": [s.facts() for s in plan], "checks": checks, "runs": runs, "health": health,
            "engine": engine}  # fmt: skip


def run(args: argparse.Namespace, json_path: Path) -> dict[str, Any]:
    require_wrk()
    outcome: dict[str, Any] = {
        "started": time.time(),
        "command": shlex.join([".venv/bin/python", "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": machine(),
        "versions": versions(),
        "load_before": os.getloadavg(),
        "queries": {"lookup": LOOKUP, "aggregate": AGGREGATE, "floods": FLOODS, "bust": BUST.strip()},
        "datasets": {},
    }
    for kind in args.datasets:
        outcome["datasets"][kind] = run_dataset(kind, args)
        outcome["load_after"], outcome["seconds"] = os.getloadavg(), time.time() - outcome["started"]
        json_path.write_text(json.dumps(outcome, indent=1, default=str))  # kept after each data set
    return outcome


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPUs, {memory:.1f} GiB, Python {platform.python_version()}, {platform.platform()}"
    )


def versions() -> dict[str, str]:
    def out(command: list[str]) -> str:
        done = subprocess.run(command, capture_output=True, text=True, env=clean_env())
        return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"

    return {"clusterkg": out([CLUSTERKG, "--version"]), "oxigraph": out([OXIGRAPH, "--version"]),
            "wrk": out([require_wrk(), "--version"])}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--datasets", default="synth,real", help="comma-separated: synth, real (default both)")
    add("--triples", default="1M", help="size of the synthetic data set (default 1M)")
    add("--seed", type=int, default=0)
    add("--threads", type=int, default=2, help="wrk threads (default 2)")
    add("--connections", default="16,64", help="wrk connection counts, each a run (default 16,64)")
    add("--duration", type=int, default=15, help="seconds per run (default 15)")
    add("--wrk-timeout", type=int, default=60, help="seconds wrk waits for one answer (default 60)")
    add("--hot", type=int, default=10, help="cluster IRIs in the cached lookup rotation (default 10)")
    add("--countries", type=int, default=5, help="countries in the canned-query rotation (default 5)")
    add("--distinct", type=int, default=50_000, help="resource IRIs for the uncached lookups")
    add("--flood-seconds", type=int, default=40, help="length of the slow-query flood (default 40)")
    add("--flood-connections", type=int, default=16)
    add("--health-samples", type=int, default=300)
    add("--build-timeout", type=int, default=1800, help="seconds one preparation step may run")
    add(
        "--publish-timeout",
        type=int,
        default=1800,
        help="seconds `clusterkg publish` may run; past it, the dump is written without publish's own "
        "SHACL re-validation (default 1800)",
    )
    add("--prepare-only", action="store_true", help="prepare (build, publish, load) the data sets and stop")
    add("--rebuild", action="store_true", help="rebuild the data sets even when benchmarks/.cache/ has them")
    add("--port", type=int, default=18200, help="first port; each server start takes the next one")
    add("--out", type=Path, default=HERE / "reports" / "serve.md")
    add("--note", default="", help="free text for the report, e.g. what else ran on the machine")
    add("--again", action="store_true", help="re-render the report from its .json (no run)")
    args = parser.parse_args()
    json_path = args.out.with_suffix(".json")
    if args.again:
        outcome = json.loads(json_path.read_text())
    else:
        args.datasets = [d for d in args.datasets.split(",") if d]
        args.connections = [int(c) for c in args.connections.split(",")]
        unknown = set(args.datasets) - set(DATASETS)
        if unknown:
            raise SystemExit(
                f"unknown data set(s): {', '.join(sorted(unknown))}; known: {', '.join(DATASETS)}"
            )
        if args.prepare_only:
            for kind in args.datasets:
                log(f"{kind}: {json.dumps(prepare(kind, args))}")
            return
        outcome = run(args, json_path)
    args.out.write_text(serve_report.render(outcome))
    log(f"wrote {args.out} and {json_path.name}; the run took {outcome['seconds']:.0f} s")


if __name__ == "__main__":
    main()
