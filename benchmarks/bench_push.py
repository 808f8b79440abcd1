"""Benchmark `clusterkg push` and `clusterkg serve --backend` (issue 8); write reports/push.md and .json.

On the synthetic 1M project of bench_serve.py (built once, kept under benchmarks/.cache/), per engine:

1. **Push vs the engine's own bulk path** on the same data: the N-Quads the push sends (every public
   named graph, plus the merged default graph) loaded by `oxigraph load` into a fresh store, then
   `oxigraph serve` started on it (Virtuoso: `ld_dir` + `rdf_loader_run()` + `checkpoint` through
   isql). Ours: `clusterkg push` into a freshly started empty engine (stage, verify by count and
   digest, switch), the same release again (already live), a second release that changes about 5%
   of the triples of every graph (the switch also keeps the previous release), a rollback, forward
   again, and a third release (the first one's triples under a new name: every graph live and kept).
2. **Kill trials**: two synthetic releases that differ in every graph; a push of the second is killed
   at a random request (before it goes out, or after its answer is lost), each time the engine's live
   graphs are read back and must be entirely one release; then the rerun must resume.
3. **Serving**: `clusterkg serve --backend` in front of the pushed engine vs the same engine's own
   endpoint queried directly (Virtuoso: with `default-graph-uri` the merged graph, as its default
   graph is the union of all graphs), with bench_serve.py's scenarios (uncached and cached lookups,
   an aggregate, a canned query), wrk, one connection count.

    .venv/bin/python benchmarks/bench_push.py                          # Oxigraph server
    .venv/bin/python benchmarks/bench_push.py --engines oxigraph,virtuoso
    .venv/bin/python benchmarks/bench_push.py --again                  # re-render push.md from push.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import bench_serve  # noqa: E402
from serve_data import CACHE, CLUSTERKG, OXIGRAPH, clean_env, log, prepare  # noqa: E402
from serve_load import require_wrk, wrk  # noqa: E402

from clusterkg import pipeline  # noqa: E402
from clusterkg import store as kgstore  # noqa: E402
from clusterkg.settings import Settings  # noqa: E402
from clusterkg.store import KnowledgeStore, push  # noqa: E402
from clusterkg.store.remote import EngineHttp  # noqa: E402
from clusterkg.terms import literal_term  # noqa: E402

BASE = "https://w3id.org/clusterkg/"
VIRTUOSO_TOOL = REPO / "tools" / "virtuoso.sh"
DIGEST = {"push_auth": "digest", "push_user": "dba", "push_password": "dba"}
ENGINES = ("oxigraph", "virtuoso")


class Killed(BaseException):
    """The push process dying mid-request."""


# ---------------------------------------------------------------- engines


class Engine:
    """One engine process over a fresh folder: `oxigraph serve`, or Virtuoso via tools/virtuoso.sh."""

    def __init__(self, kind: str, folder: Path, port: int) -> None:
        self.kind, self.folder, self.port = kind, folder, port
        self.root = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start it; the seconds until it answers a query."""
        started = time.perf_counter()
        if self.kind == "virtuoso":
            command = [str(VIRTUOSO_TOOL), "start", str(self.folder), str(self.port), "", str(self.buffers)]
            subprocess.run(command, check=True, capture_output=True, timeout=300)
            return time.perf_counter() - started
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [OXIGRAPH, "serve", "--location", str(self.folder), "--bind", f"127.0.0.1:{self.port}"]
        log_file = open(self.folder.with_suffix(".log"), "ab")  # noqa: SIM115 (lives with the process)
        self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=clean_env())
        for _ in range(3000):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.root + "/query?query=ASK%7B%7D", timeout=5).close()
                return time.perf_counter() - started
            time.sleep(0.05)
        raise SystemExit(f"oxigraph serve did not start on {self.folder}")

    buffers = 200_000  # Virtuoso's page cache, 8 KiB pages: 1.6 GB

    def stop(self) -> None:
        if self.kind == "virtuoso":
            subprocess.run([str(VIRTUOSO_TOOL), "stop", str(self.folder)], capture_output=True, timeout=300)
        elif self.process is not None:
            self.process.terminate()
            self.process.wait(60)

    def settings(self, project: Path) -> Settings:
        extra = {**DIGEST, "push_engine": "virtuoso"} if self.kind == "virtuoso" else {}
        return Settings.from_env(environ={}, project_dir=project, push_timeout=1800.0, **extra)

    def target(self, project: Path) -> push.Engine:
        return push.Engine.from_settings(self.settings(project), self.root)

    @property
    def query_url(self) -> str:
        return self.root + ("/sparql" if self.kind == "virtuoso" else "/query")


@contextlib.contextmanager
def running(kind: str, folder: Path, port: int) -> Iterator[tuple[Engine, float]]:
    shutil.rmtree(folder, ignore_errors=True)
    engine = Engine(kind, folder, port)
    seconds = engine.start()
    try:
        yield engine, seconds
    finally:
        engine.stop()


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return round(time.perf_counter() - started, 2), result


# ---------------------------------------------------------------- 1. push vs bulk load


def payload_file(project: Path, folder: Path) -> tuple[Path, dict[str, int]]:
    """The N-Quads the push sends (named graphs, then the merge as default-graph triples)."""
    settings = Settings.from_env(environ={}, project_dir=project)
    kg = pipeline.open_store(settings)
    sent = push.payloads(kg, exclude=pipeline.private_graphs(settings))
    target = folder / "payload.nq"
    with open(target, "wb") as out:
        for payload in sent:
            suffix = f" <{payload.graph}> .\n".encode() if payload.graph else b" .\n"
            for line in payload.ntriples.splitlines():
                out.write(line.rstrip().removesuffix(b".").rstrip() + suffix)
    return target, {p.graph or "(default)": p.triples for p in sent}


def baseline_oxigraph(payload: Path, folder: Path, port: int) -> dict[str, Any]:
    store = folder / "bulk"
    shutil.rmtree(store, ignore_errors=True)
    load, _ = timed(
        lambda: subprocess.run(
            [OXIGRAPH, "load", "--location", str(store), "--file", str(payload)],
            check=True,
            capture_output=True,
            env=clean_env(),
        )
    )
    engine = Engine("oxigraph", store, port)
    serve = engine.start()
    engine.stop()
    return {"load_s": load, "serve_start_s": round(serve, 2), "total_s": round(load + serve, 2)}


def baseline_virtuoso(payload: Path, folder: Path, port: int) -> dict[str, Any]:
    merged = push.Names(BASE, union_default=True).merged
    with running("virtuoso", folder / "bulk-virtuoso", port) as (engine, _):
        shutil.copy(payload, engine.folder / "payload.nq")
        sql = f"ld_dir('{engine.folder}', 'payload.nq', '{merged}'); rdf_loader_run(); checkpoint;"
        seconds, _ = timed(
            lambda: subprocess.run(
                [str(VIRTUOSO_TOOL), "isql", str(engine.folder), sql], check=True, capture_output=True
            )
        )
        survey = push.Session(engine.target(REPO)).counts()
    return {"load_s": seconds, "total_s": seconds, "graphs": len([g for g in survey if g.startswith(BASE)])}


def cli_push(kind: str, project: Path, root: str, limit: float) -> dict[str, Any]:
    """`clusterkg push` (with its progress lines, each timed) within `limit` seconds."""
    command = [CLUSTERKG, "--project-dir", str(project), "push", "--engine", kind, root]
    env = {**clean_env(), "CLUSTERKG_PUSH_TIMEOUT": "3600"}
    env.update({f"CLUSTERKG_{k.upper()}": v for k, v in DIGEST.items()} if kind == "virtuoso" else {})
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    timer = threading.Timer(limit, process.kill)
    timer.start()
    steps = []
    try:
        for line in process.stderr or ():
            steps.append([round(time.perf_counter() - started, 1), line.strip()[:160]])
        process.wait()
    finally:
        timer.cancel()
    seconds = round(time.perf_counter() - started, 1)
    finished = process.returncode == 0
    return {"seconds": seconds, "finished": finished, "limit_s": limit, "exit": process.returncode,
            "steps": steps}  # fmt: skip


def changed(sent: list[push.Payload], skolem: str) -> list[push.Payload]:
    """Another release: about one triple in 20 of every graph gets another object (the same triples
    in the named graphs and in their merge, chosen by a hash of the line)."""
    found = []
    for payload in sent:
        lines = []
        for line in payload.ntriples.splitlines(keepends=True):
            if zlib.crc32(line) % 20 == 0:
                subject, predicate, _ = line.split(b" ", 2)
                line = b"%s %s %s .\n" % (
                    subject,
                    predicate,
                    literal_term(f"changed {zlib.crc32(line)}").encode(),
                )
            lines.append(line)
        text = b"".join(sorted(set(lines)))
        found.append(push.Payload(payload.graph, text, text.count(b"\n"), push.digest(text, skolem)))
    return found


def push_runs(kind: str, project: Path, folder: Path, port: int, args: argparse.Namespace) -> dict[str, Any]:
    """A first push into an empty engine (within --push-limit), the same again (already live: every
    graph re-read and digested), a second (changed) release, rollback, forward, a third release;
    then the serve comparison on that engine."""
    with running(kind, folder / f"push-{kind}", port) as (engine, _):
        first = cli_push(kind, project, engine.root, args.push_limit)
        result: dict[str, Any] = {"first": first, "first_push_s": first["seconds"]}
        if not first["finished"]:
            return result
        settings = engine.settings(project)
        kg = pipeline.open_store(settings)
        sent = push.payloads(kg, exclude=pipeline.private_graphs(settings))
        second = changed(sent, f"{BASE}.well-known/genid/")
        result["changed_triples"] = sum(len(set(a.ntriples.splitlines()) - set(b.ntriples.splitlines()))
                                        for a, b in zip(sent, second, strict=True))  # fmt: skip
        session = push.Session(engine.target(project))
        steps: dict[str, list[list[Any]]] = {}
        runs = {
            "already_live_s": lambda: push.push(session, sent, base_iri=BASE, release=kg.build.name),
            "second_push_s": lambda: push.push(
                session, second, base_iri=BASE, release="bench-second", progress=stepper(steps, "second")
            ),
            "rollback_s": lambda: push.rollback(session, base_iri=BASE),
            "forward_s": lambda: push.rollback(session, base_iri=BASE),
            "third_push_s": lambda: push.push(
                session, sent, base_iri=BASE, release="bench-third", progress=stepper(steps, "third")
            ),
        }
        for key, work in runs.items():
            log(f"{kind}: {key.removesuffix('_s')}")
            result[key], _ = timed(work)
        result["steps"] = steps
        if not args.no_serve:
            result["serve"] = serve_compare(engine, project, args)
    return result


def stepper(steps: dict[str, list[list[Any]]], key: str) -> Callable[[str], None]:
    """A push's progress callback that keeps each line with its seconds since the first call."""
    started = time.perf_counter()
    found = steps.setdefault(key, [])
    return lambda line: found.append([round(time.perf_counter() - started, 1), line[:160]])


# ---------------------------------------------------------------- 2. kill trials


def synthetic(folder: Path, graphs: dict[str, int], value: str) -> KnowledgeStore:
    lines = [
        f"<{BASE}id/thing/{g}-{i}> <{BASE}ontology#n> {literal_term(value + str(i))} <{BASE}graph/{g}> .\n"
        for g, size in graphs.items()
        for i in range(size)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.nq").write_text("".join(lines), encoding="utf-8")
    store_path = folder / "var" / "store"
    kgstore.activate(store_path, kgstore.new_build(store_path, folder / "data.nq", [BASE + "graph/contacts"]))
    return KnowledgeStore(store_path, base_iri=BASE)


def live_state(session: push.Session, names: push.Names) -> dict[str, str]:
    """{live graph: digest of its N-Triples} as readers see it, the merge under ""."""
    counts = session.counts()
    graphs = [*sorted(names.live_graphs(counts)), push.DEFAULT]
    skolem = f"{BASE}.well-known/genid/"
    return {g: push.digest(session.fetch(names.home(g)), skolem) for g in graphs}


def counted_push(session: push.Session, sent: list[push.Payload], release: str, at: int = 0,
                 after: bool = False) -> int:  # fmt: skip
    """Push `sent`, killed at its `at`-th request (0: never), before it goes out or after its answer
    is lost; the requests it made."""
    original, seen = EngineHttp._transmit, [0]

    def transmit(self: EngineHttp, request: urllib.request.Request) -> bytes:
        seen[0] += 1
        if seen[0] == at and not after:
            raise Killed
        data = original(self, request)
        if seen[0] == at and after:
            raise Killed
        return data

    EngineHttp._transmit = transmit
    try:
        with contextlib.suppress(Killed):
            push.push(session, sent, base_iri=BASE, release=release)
    finally:
        EngineHttp._transmit = original
    return seen[0]


def kill_trials(kind: str, folder: Path, port: int, trials: int, seed: int) -> dict[str, Any]:
    """Two releases differing in every graph (one graph goes, one comes); `trials` killed pushes."""
    old_kg = synthetic(folder / "kill-a", {f"g{i}": 2000 + 100 * i for i in range(8)}, "a")
    new_kg = synthetic(folder / "kill-b", {f"g{i}": 2100 + 100 * i for i in range(1, 9)}, "b")
    old_sent, new_sent = push.payloads(old_kg), push.payloads(new_kg)
    outcome: dict[str, Any] = {"trials": [], "mixed": 0}
    with running(kind, folder / f"kill-{kind}", port) as (engine, _):
        session = push.Session(engine.target(REPO))
        names = push.Names(BASE, union_default=session.engine.profile.union_default)
        push.push(session, old_sent, base_iri=BASE, release="a")
        old = live_state(session, names)
        outcome["requests_per_push"] = requests = counted_push(session, new_sent, "b")
        new = live_state(session, names)
        push.rollback(session, base_iri=BASE)
        pick = random.Random(seed)
        for _ in range(trials):
            at, after = pick.randint(1, requests), pick.random() < 0.5
            counted_push(session, new_sent, "b", at, after)
            state = live_state(session, names)
            which = "new" if state == new else "old" if state == old else "MIXED"
            outcome["mixed"] += which == "MIXED"
            rerun_s, report = timed(lambda: push.push(session, new_sent, base_iri=BASE, release="b"))
            outcome["trials"].append({"killed_at": at, "after_answer": after, "live": which,
                                      "rerun": report.action, "resumed": len(report.resumed),
                                      "rerun_s": rerun_s})  # fmt: skip
            push.rollback(session, base_iri=BASE)
        outcome["final_old"] = live_state(session, names) == old
    return outcome


# ---------------------------------------------------------------- 3. serving through the backend


def virtuoso_select(url: str, sparql: str) -> list[dict[str, Any]]:
    """bench_serve.select against Virtuoso's /sparql, its default graph the merged graph."""
    merged = push.Names(BASE, union_default=True).merged
    query = urllib.parse.urlencode({"query": sparql, "default-graph-uri": merged})
    status, body = bench_serve.fetch(f"{url}/sparql?{query}", bench_serve.JSON_RESULTS)
    if status != 200:
        raise SystemExit(f"Virtuoso refused a sampling query ({status}): {body[:300]!r}")
    rows: list[dict[str, Any]] = json.loads(body)["results"]["bindings"]
    return rows


def native_plan(engine: Engine, project: Path, native: Any, args: argparse.Namespace) -> list[Any]:
    """bench_serve's scenarios; on Virtuoso the native side asks /sparql with the merged graph as
    its default graph (what `serve --backend` sends for a query that names no dataset)."""
    if engine.kind != "virtuoso":
        return bench_serve.scenarios(bench_serve.sample_inputs(native, args), project)
    original, bench_serve.select = bench_serve.select, virtuoso_select
    try:
        plan = bench_serve.scenarios(bench_serve.sample_inputs(native, args), project)
    finally:
        bench_serve.select = original
    merged = urllib.parse.quote(push.Names(BASE, union_default=True).merged, safe="")
    for scenario in plan:
        scenario.paths["native"] = [
            p.replace("/query?", f"/sparql?default-graph-uri={merged}&", 1) for p in scenario.paths["native"]
        ]
    return plan


def serve_compare(engine: Engine, project: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = engine.port + 400
    command = [CLUSTERKG, "--project-dir", str(project), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--backend", engine.query_url]
    logfile = CACHE / "logs" / f"push-serve-{engine.kind}.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=clean_env())
    ours = bench_serve.Server("ours", f"http://127.0.0.1:{port}", process, logfile)
    native = bench_serve.Server("native", engine.root, process, logfile)  # its stop() is not called
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(ours.url + "/health", timeout=2).read()
                break
            time.sleep(0.2)
        plan = native_plan(engine, project, native, args)
        servers = {"ours": ours, "native": native}
        checks = {s.key: bench_serve.answers(servers, s) for s in plan}
        runs = []
        for scenario in plan:
            for name, server in servers.items():
                log(f"serve {engine.kind}: {scenario.key}, {name} ({args.duration} s)")
                figures = wrk(server.url, scenario.paths[name], scenario.accept[name], args,
                              f"push-{scenario.key}-{name}", args.duration, args.connections)  # fmt: skip
                log(f"  {figures['ok_rate']:,.1f} req/s, p99 {figures['p99']:,.1f} ms, {figures['codes']}")
                runs.append({"scenario": scenario.key, "server": name, **figures})
                time.sleep(1)
    finally:
        ours.stop()
    return {"checks": checks, "runs": runs, "scenarios": [s.facts() for s in plan]}


# ---------------------------------------------------------------- the run and the report


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = prepare("synth", args)
    if "failed" in data:
        raise SystemExit(f"the 1M project could not be prepared: {data['failed']}")
    project, work = Path(data["project"]), CACHE / "push"
    work.mkdir(parents=True, exist_ok=True)
    payload, sizes = payload_file(project, work)
    earlier = args.out.with_suffix(".json")
    kept = json.loads(earlier.read_text())["engines"] if args.add and earlier.exists() else {}
    outcome: dict[str, Any] = {"started": time.time(), "command": shlex.join([".venv/bin/python",
               "benchmarks/bench_push.py", *sys.argv[1:]]), "machine": bench_serve.machine(),
               "load_before": os.getloadavg(), "sizes": sizes, "engines": kept,
               "note": args.note}  # fmt: skip
    for offset, kind in enumerate(args.engines):
        port = args.port + 20 * offset
        facts: dict[str, Any] = {}
        outcome["engines"][kind] = facts
        log(f"{kind}: the engine's own bulk load")
        bulk = baseline_oxigraph if kind == "oxigraph" else baseline_virtuoso
        facts["baseline"] = bulk(payload, work, port)
        log(f"{kind}: baseline {facts['baseline']}")
        facts["push"] = push_runs(kind, project, work, port + 1, args)
        log(f"{kind}: push {json.dumps(facts['push'])[:600]}")
        facts["serve"] = facts["push"].pop("serve", None)
        log(f"{kind}: {args.trials} kill trials")
        facts["kills"] = kill_trials(kind, work, port + 2, args.trials, args.seed)
        log(f"{kind}: kills mixed={facts['kills']['mixed']}")
        outcome["seconds"] = time.time() - outcome["started"]
        args.out.with_suffix(".json").write_text(json.dumps(outcome, indent=1, default=str))
    outcome["load_after"] = os.getloadavg()
    return outcome


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def render(outcome: dict[str, Any]) -> str:
    sent = sum(outcome["sizes"].values())
    lines = [
        "# Push and serve --backend benchmark (issue 8)",
        "",
        f"One run: `{outcome['command']}` on {outcome['machine']}; load average before "
        f"{', '.join(f'{x:.1f}' for x in outcome['load_before'])} (2 cores shared with other agents), "
        f"{outcome.get('seconds', 0):.0f} s in all. {outcome.get('note', '')}",
        "",
        f"Data: the synthetic 1M project; the push sends {len(outcome['sizes'])} graphs, "
        f"{sent:,} triples (every public named graph plus the merged default graph).",
        "",
        "## Push vs the engine's own bulk load",
        "",
        "Each figure with its ratio to the engine's bulk load of the same run "
        "(goal for the first push ≤ 1.5×).",
        "",
        "| engine | bulk load (baseline) | first push, empty engine | same release again | second release "
        "(about 5% changed; previous kept) | rollback | forward | third release (every graph live, kept) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, facts in outcome["engines"].items():
        b, p = facts["baseline"], facts["push"]
        keys = ("first_push_s", "already_live_s", "second_push_s", "rollback_s", "forward_s", "third_push_s")
        cells = [f"{p[k]:.1f} s ({ratio(p[k], b['total_s'])})" if k in p else "not run" for k in keys]
        if not p["first"]["finished"]:
            cells[0] += " (stopped at the limit)"
        lines.append(f"| {kind} | {b['total_s']:.1f} s | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Baselines: " + "; ".join(f"{k}: {v['baseline']}" for k, v in outcome["engines"].items()),
        "",
    ]
    lines += steps_section(outcome) + serve_section(outcome) + kill_section(outcome)
    return "\n".join(lines) + "\n"


def steps_section(outcome: dict[str, Any]) -> list[str]:
    """The pushes' progress lines with their times: where the time goes."""
    lines = ["## Where the pushes' time goes", ""]
    for kind, facts in outcome["engines"].items():
        push_facts = facts["push"]
        runs = [("first push (the CLI, from its start)", push_facts["first"]["steps"])]
        runs += [(f"{k} release", v) for k, v in push_facts.get("steps", {}).items()]
        for title, steps in runs:
            lines += [f"{kind}, {title}: seconds, the push's own progress lines", "", "```"]
            lines += [f"{at:7.1f}  {text}" for at, text in steps]
            lines += ["```", ""]
    return lines


def serve_section(outcome: dict[str, Any]) -> list[str]:
    lines = ["## Serving through --backend vs the engine queried directly", ""]
    for kind, facts in outcome["engines"].items():
        serve = facts.get("serve")
        if not serve:
            lines += [f"{kind}: not measured in this run.", ""]
            continue
        lines += [
            f"{kind}: `clusterkg serve --backend` (ours) vs the same engine queried directly (native), "
            f"wrk {serve['runs'][0]['connections']} connections, {serve['runs'][0]['seconds']:.0f} s each.",
            "",
            "| scenario | ours req/s | native req/s | throughput ratio (goal ≥ 0.8) | ours p99 ms "
            "| native p99 ms | p99 ratio (goal ≤ 2) | same answer |",
            "|---|---|---|---|---|---|---|---|",
        ]
        by = {(r["scenario"], r["server"]): r for r in serve["runs"]}
        for scenario in dict.fromkeys(r["scenario"] for r in serve["runs"]):
            o, n = by[(scenario, "ours")], by[(scenario, "native")]
            check = serve["checks"].get(scenario, {})
            same = "yes" if check.get("ours") == check.get("native") else f"no: {check}"
            rates = f"{o['ok_rate']:,.0f} | {n['ok_rate']:,.0f} | {ratio(o['ok_rate'], n['ok_rate'])}"
            p99 = f"{o['p99']:,.1f} | {n['p99']:,.1f} | {ratio(o['p99'], n['p99'])}"
            lines.append(f"| {scenario} | {rates} | {p99} | {same} |")
        lines.append("")
    return lines


def kill_section(outcome: dict[str, Any]) -> list[str]:
    lines = ["## Kill trials", ""]
    for kind, facts in outcome["engines"].items():
        k = facts["kills"]
        trials = k["trials"]
        resumed = sum(1 for t in trials if t["resumed"])
        lines.append(
            f"- {kind}: {len(trials)} pushes killed at a random one of their {k['requests_per_push']} "
            f"requests; live graphs a mix: {k['mixed']} times; old live after the kill: "
            f"{sum(t['live'] == 'old' for t in trials)}, new: {sum(t['live'] == 'new' for t in trials)}; "
            f"reruns that kept verified staging: {resumed}; rollback kept through it all: {k['final_old']}."
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--engines", default="oxigraph", help="comma-separated: oxigraph, virtuoso (default oxigraph)")
    add("--triples", default="1M")
    add("--seed", type=int, default=0)
    add("--trials", type=int, default=20, help="kill trials per engine (default 20)")
    add("--threads", type=int, default=2)
    add("--connections", type=int, default=16)
    add("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    add("--wrk-timeout", type=int, default=60)
    add("--hot", type=int, default=10)
    add("--countries", type=int, default=5)
    add("--distinct", type=int, default=50_000)
    add("--build-timeout", type=int, default=1800)
    add("--publish-timeout", type=int, default=1800)
    add("--rebuild", action="store_true")
    add("--no-serve", action="store_true", help="skip the serve comparison")
    add("--push-limit", type=float, default=900, help="seconds the first push may run (default 900)")
    add("--add", action="store_true", help="keep the other engines' figures of the last push.json")
    add("--port", type=int, default=18600)
    add("--out", type=Path, default=HERE / "reports" / "push.md")
    add("--note", default="")
    add("--again", action="store_true", help="re-render the report from its .json (no run)")
    args = parser.parse_args()
    if args.again:
        outcome = json.loads(args.out.with_suffix(".json").read_text())
    else:
        args.engines = [e for e in args.engines.split(",") if e]
        if set(args.engines) - set(ENGINES):
            raise SystemExit(f"unknown engine(s) in {args.engines}; known: {', '.join(ENGINES)}")
        require_wrk()
        outcome = run(args)
        args.out.with_suffix(".json").write_text(json.dumps(outcome, indent=1, default=str))
    args.out.write_text(render(outcome))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
