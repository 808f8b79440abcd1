"""`clusterkg push` into a real Oxigraph server, and `clusterkg serve --backend` in front of it.

Each test starts its own `oxigraph serve` on a free loopback port (stopped after). The releases
are the real data (`built_project`) and a copy with one cluster changed; the reader test uses two
synthetic releases that differ in every graph's size and in their set of graphs.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import hashlib
import http.client
import http.server
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import copy_project
from serve_support import BASE, build_store, free_port

from clusterkg import pipeline, queries
from clusterkg.cli import main
from clusterkg.errors import BackendUnavailable, ClusterKGError, StoreError
from clusterkg.settings import Settings
from clusterkg.store import KnowledgeStore, QueryRequest, push
from clusterkg.store.remote import Credentials, EngineHttp, RemoteEndpoint

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
REPO = Path(__file__).resolve().parents[1]
BOOKKEEPING = BASE + "graph/.push/"
CONTACTS = BASE + "graph/contacts"
VCARD_FN = "http://www.w3.org/2006/vcard/ns#fn"
JSON = {"Accept": "application/sparql-results+json"}
SURVEY = "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g"

pytestmark = pytest.mark.skipif(not Path(OXIGRAPH).is_file(), reason="the `oxigraph` server is not installed")


class Killed(BaseException):
    """The push process dying mid-request: nothing in clusterkg catches it."""


class Oxigraph:
    """`oxigraph serve` on a free loopback port, over a folder of its own."""

    def __init__(self, folder: Path, *extra: str) -> None:
        self.folder, self.extra = folder, extra
        self.root = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Oxigraph:
        bind = self.root.removeprefix("http://")
        command = [OXIGRAPH, "serve", "--location", str(self.folder), "--bind", bind, *self.extra]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.root + "/query?query=ASK%7B%7D", timeout=2).close()
                return self
            time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Oxigraph]:
    server = Oxigraph(tmp_path / "engine").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def changed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data with one cluster changed (a new alternative name, another summary): release B."""
    project = copy_project(tmp_path_factory.mktemp("changed"))
    table = project / "sources" / "clusters.csv"
    with table.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["key"] == "amz")
    row["alt_name"], row["summary"] = "AMZ cluster", "Changed for the second release."
    with table.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    pipeline.build(settings_for(project))
    return project


def settings_for(project: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"project_dir": project, "push_retries": 1, "push_timeout": 20.0}
    return Settings.from_env(environ={}, **{**values, **overrides})


def engine_at(settings: Settings, root: str) -> push.Engine:
    return push.Engine.from_settings(settings, root)


def triples_digest(ntriples: bytes) -> str:
    lines = sorted({str(q.triple) for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)})
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def build_state(kg: KnowledgeStore) -> dict[str, str]:
    """{graph: digest of its triples} of a build, "" for the merged default graph."""
    state = {g: triples_digest(kg.graph_ntriples(g)) for g in kg.graph_names()}
    default = kg.execute(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_fmt="ntriples"))
    return {**state, "": triples_digest(default.body)}


def select(root: str, sparql: str) -> list[dict[str, str]]:
    answer = httpx.post(root + "/query", data={"query": sparql}, headers=JSON, timeout=60)
    answer.raise_for_status()
    bindings = answer.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def counts(root: str) -> dict[str, int]:
    return {row.get("g", ""): int(row["n"]) for row in select(root, SURVEY)}


def live_graphs(root: str) -> dict[str, int]:
    """Triples per graph readers see: ours (under the base), the default graph as ""."""
    return {
        g: n
        for g, n in counts(root).items()
        if not g.startswith(BOOKKEEPING) and (not g or g.startswith(BASE))
    }


def engine_state(root: str) -> dict[str, str]:
    """{graph: digest of its triples} of what the engine serves live, "" for its default graph."""
    state = {}
    for graph in live_graphs(root):
        query = "default" if not graph else httpx.QueryParams({"graph": graph})
        answer = httpx.get(f"{root}/store?{query}", headers={"Accept": "application/n-triples"}, timeout=60)
        state[graph] = triples_digest(answer.content)
    return state


def same_rows(page: queries.Page) -> list[list[tuple[str, str]]]:
    return sorted(sorted((k, str(v)) for k, v in row.items()) for row in page.table.records())


# ---------------------------------------------------------------- the real data


def test_push_puts_the_public_graphs_and_their_merge_and_nothing_private(
    engine: Oxigraph, built_project: Path, kg: KnowledgeStore
) -> None:
    result = CliRunner().invoke(main, ["--project-dir", str(built_project), "push", "-q", engine.root])
    assert result.exit_code == 0, result.output
    assert "pushed" in result.output
    live = live_graphs(engine.root)
    assert live == {**dict(kg.graph_counts(include_private=False)), "": kg.triples()}
    assert counts(engine.root)[""] == kg.triples()  # each triple once: the real default graph holds the merge
    assert engine_state(engine.root) == build_state(kg)
    contacts = ox.parse(kg.graph_ntriples(CONTACTS, private=True), format=ox.RdfFormat.N_TRIPLES)
    names = [str(q.object) for q in contacts if q.predicate.value == VCARD_FN]  # people's names
    assert names and CONTACTS not in counts(engine.root)
    values = " ".join(names)
    leak = (
        f"SELECT ?s WHERE {{ VALUES ?o {{ {values} }} {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
    )
    assert select(engine.root, leak) == []


def test_every_canned_query_answers_the_same_from_the_engine(
    engine: Oxigraph, built_project: Path, kg: KnowledgeStore
) -> None:
    settings = settings_for(built_project)
    pipeline.push_release(settings, engine_at(settings, engine.root))
    remote, ctx = RemoteEndpoint(engine.root + "/query"), queries.term_context(settings)
    catalogue = queries.load_queries(settings.path("queries"))
    assert len(catalogue) >= 15
    for query in catalogue.values():
        terms = queries.bind(query, query.example_values(), ctx)
        local, far = queries.run_page(kg, query, terms), queries.run_page(remote, query, terms)
        assert far.total == local.total > 0, query.name
        assert same_rows(far) == same_rows(local), query.name


def test_a_second_release_switches_in_and_rolls_back(
    engine: Oxigraph, built_project: Path, kg: KnowledgeStore, changed_project: Path
) -> None:
    old, new = build_state(kg), build_state(pipeline.open_store(settings_for(changed_project)))
    assert old != new and old.keys() == new.keys()
    runner = CliRunner()

    def cli(project: Path, *args: str) -> str:
        result = runner.invoke(main, ["--project-dir", str(project), "push", "-q", *args, engine.root])
        assert result.exit_code == 0, result.output
        return result.output

    cli(built_project)
    assert "already live" in cli(built_project)  # the same build again keeps the rollback intact
    cli(changed_project)
    assert engine_state(engine.root) == new
    assert "is live again" in cli(changed_project, "--rollback")
    assert engine_state(engine.root) == old
    cli(changed_project, "--rollback")  # and forward again
    assert engine_state(engine.root) == new
    assert counts(engine.root)[""] == pipeline.open_store(settings_for(changed_project)).triples()


# ---------------------------------------------------------------- readers and interruptions


def synthetic(folder: Path, graphs: dict[str, int], value: str = "") -> KnowledgeStore:
    """A build whose graphs hold the given numbers of triples (distinct subjects per graph)."""
    lines = [
        f'<{BASE}id/thing/{g}-{i}> <{BASE}ontology#n> "{value}{i}" <{BASE}graph/{g}> .\n'
        for g, size in graphs.items()
        for i in range(size)
    ]
    return KnowledgeStore(build_store(folder, "".join(lines)), base_iri=BASE)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeStore, KnowledgeStore]:
    """Two small releases: b changes a's graph a, keeps b and c, drops d and adds e."""
    folder = tmp_path_factory.mktemp("small")
    old = synthetic(folder / "a", {"a": 300, "b": 200, "c": 200, "d": 100})
    new = synthetic(folder / "b", {"a": 300, "b": 200, "c": 250, "e": 100}, value="v")
    return old, new


def session_at(root: str, **overrides: Any) -> push.Session:
    settings = settings_for(REPO, **overrides)
    return push.Session(engine_at(settings, root))


def push_small(root: str, kg: KnowledgeStore, **overrides: Any) -> push.PushReport:
    return push.push(session_at(root, **overrides), push.payloads(kg), base_iri=BASE, release=kg.build.name)


def roll_back(root: str) -> None:
    push.rollback(session_at(root), base_iri=BASE)


READER = f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), "{BOOKKEEPING}")) }} UNION {{ ?s ?p ?o }}
}} GROUP BY ?g"""


def test_readers_see_the_old_release_or_the_new_one_never_a_mix(engine: Oxigraph, tmp_path: Path) -> None:
    old = synthetic(tmp_path / "a", {"a": 2000, "b": 2000, "c": 2000, "d": 2000})
    new = synthetic(tmp_path / "b", {"a": 2500, "b": 2500, "c": 2500, "e": 2500})
    push_small(engine.root, old)
    wanted = [{**dict(old.graph_counts()), "": 8000}, {**dict(new.graph_counts()), "": 10000}]
    seen: list[dict[str, int]] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                answer = client.post(engine.root + "/query", data={"query": READER}, headers=JSON)
                rows = answer.json()["results"]["bindings"]
                seen.append({r["g"]["value"] if "g" in r else "": int(r["n"]["value"]) for r in rows})

    reader = threading.Thread(target=read)
    reader.start()
    try:
        push_small(engine.root, new)
        roll_back(engine.root)
        roll_back(engine.root)
    finally:
        stop.set()
        reader.join()
    mixed = [s for s in seen if s not in wanted]
    assert not mixed, f"{len(mixed)} of {len(seen)} reads saw a mix, e.g. {mixed[0]}"
    assert wanted[0] in seen and wanted[1] in seen


Transmit = Callable[[EngineHttp, urllib.request.Request], bytes]
ORIGINAL_TRANSMIT = EngineHttp._transmit


def is_switch(request: urllib.request.Request) -> bool:
    data = request.data
    return request.full_url.endswith("/update") and isinstance(data, bytes) and b"MOVE" in data


@dataclasses.dataclass
class KillTrials:
    """Pushes of `new_kg` over a live `old_kg`, killed at chosen requests, on one engine: its push,
    its live-graph state, its rollback and how its switch request looks."""

    root: str
    push_to: Callable[[str, KnowledgeStore], push.PushReport]
    state_of: Callable[[str], dict[str, str]]
    roll_back: Callable[[str], None]
    is_switch: Callable[[urllib.request.Request], bool]
    monkeypatch: pytest.MonkeyPatch
    log: list[urllib.request.Request] = dataclasses.field(default_factory=list)

    def killer(self, dies: Callable[[int, urllib.request.Request], bool], after: bool) -> Transmit:
        def transmit(http: EngineHttp, request: urllib.request.Request) -> bytes:
            self.log.append(request)
            if not after and dies(len(self.log), request):
                raise Killed  # before the request goes out
            data = ORIGINAL_TRANSMIT(http, request)
            if after and dies(len(self.log), request):
                raise Killed  # the engine did it; the answer is lost
            return data

        return transmit

    def attempt(
        self, new_kg: KnowledgeStore, live: tuple[dict[str, str], ...], transmit: Transmit
    ) -> dict[str, str]:
        self.log.clear()
        self.monkeypatch.setattr(EngineHttp, "_transmit", transmit)
        try:
            with contextlib.suppress(Killed):
                self.push_to(self.root, new_kg)
        finally:
            self.monkeypatch.setattr(EngineHttp, "_transmit", ORIGINAL_TRANSMIT)
        state = self.state_of(self.root)
        assert state in live, f"after {len(self.log)} requests the live graphs are a mix"
        return state

    def run(
        self, old_kg: KnowledgeStore, new_kg: KnowledgeStore, *, seed: int, trials: int, after_odd: bool
    ) -> None:
        """A whole push, then `trials` kills at random requests up to the switch, then kills just
        before and just after the switch; the live graphs are old or new every time."""
        old, new = build_state(old_kg), build_state(new_kg)
        self.push_to(self.root, old_kg)
        attempt = functools.partial(self.attempt, new_kg, (old, new))
        assert attempt(self.killer(lambda n, r: False, after=False)) == new  # a whole push, counted
        switch_at = next(i for i, request in enumerate(self.log, 1) if self.is_switch(request))
        self.roll_back(self.root)
        for k in sorted(random.Random(seed).sample(range(1, switch_at + 1), trials)):
            if attempt(self.killer(lambda n, r, k=k: n == k, after=(k % 2 == 1) == after_odd)) == new:  # type: ignore[misc]
                self.roll_back(self.root)
        # killed just before the switch: every staging graph verified, so the rerun keeps them all
        assert attempt(self.killer(lambda n, r: self.is_switch(r), after=False)) == old
        report = self.push_to(self.root, new_kg)
        assert report.action == "pushed" and len(report.resumed) == len(report.graphs)
        assert self.state_of(self.root) == new
        # killed just after the switch went out: the new release is live, and the rerun sees that
        self.roll_back(self.root)
        assert attempt(self.killer(lambda n, r: self.is_switch(r), after=True)) == new
        assert self.push_to(self.root, new_kg).action == "already live"
        self.roll_back(self.root)
        assert self.state_of(self.root) == old  # the rollback was kept through it all


def bookkeeping(root: str) -> dict[str, int]:
    return {g: n for g, n in counts(root).items() if g.startswith(BOOKKEEPING)}


def test_a_push_keeps_only_the_live_release_and_the_previous_and_writes_only_the_difference(
    engine: Oxigraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = {"a": 300, "b": 200, "c": 50}
    one, two = synthetic(tmp_path / "1", sizes), synthetic(tmp_path / "2", sizes, value="v")  # all differ
    three_lines = "".join(  # two again, but a's first ten triples changed
        f'<{BASE}id/thing/{g}-{i}> <{BASE}ontology#n> "{"w" if (g, i < 10) == ("a", True) else "v"}{i}" '
        f"<{BASE}graph/{g}> .\n"
        for g, size in sizes.items()
        for i in range(size)
    )
    three = KnowledgeStore(build_store(tmp_path / "3", three_lines), base_iri=BASE)
    push_small(engine.root, one)
    assert set(bookkeeping(engine.root)) == {BOOKKEEPING + "live"}  # staging dropped, nothing kept yet
    push_small(engine.root, two)
    previous = {
        BOOKKEEPING + "previous/" + push.Names.key(g) for g in [*(BASE + "graph/" + k for k in sizes), ""]
    }
    assert set(bookkeeping(engine.root)) == {BOOKKEEPING + "live", BOOKKEEPING + "previous/.live", *previous}
    sent: list[str] = []

    def recording(http: EngineHttp, request: urllib.request.Request) -> bytes:
        if request.full_url.endswith("/update") and isinstance(request.data, bytes):
            sent.append(urllib.parse.unquote_plus(request.data.decode()))
        return ORIGINAL_TRANSMIT(http, request)

    monkeypatch.setattr(EngineHttp, "_transmit", recording)
    push_small(engine.root, three)
    switch = next(text for text in sent if "MOVE" in text)
    assert "COPY" not in switch and "DELETE {" in switch  # every graph live and kept: differences only
    assert engine_state(engine.root) == build_state(three)
    roll_back(engine.root)
    assert engine_state(engine.root) == build_state(two)
    assert len(bookkeeping(engine.root)) == 2 + 4  # the markers, and three's graphs a, b, c and merge


def test_the_digest_reads_any_writing_of_the_same_triples() -> None:
    skolem = BASE + ".well-known/genid/"
    canonical = b'<http://a/s> <http://a/p> "caf\xc3\xa9"@en .\n<http://a/s> <http://a/p> <http://a/o> .\n'
    written = b'<http://a/s>   <http://a/p> <http://a/o>.\n<http://a/s> <http://a/p> "caf\\u00E9"@en .\n'
    assert push.digest(written, skolem) == push.digest(canonical, skolem, normalise=False)
    assert push.digest(written.replace(b"/o>", b"/x>"), skolem) != push.digest(canonical, skolem)
    one, two = b"_:x <http://a/p> _:y .\n", b"_:n1 <http://a/p> _:n2 .\n"
    assert push.digest(one, skolem) == push.digest(two, skolem, normalise=False)  # labels never count


def test_a_killed_push_leaves_one_release_live_and_resumes(
    engine: Oxigraph, small: tuple[KnowledgeStore, KnowledgeStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    trials = KillTrials(engine.root, push_small, engine_state, roll_back, is_switch, monkeypatch)
    trials.run(*small, seed=8, trials=10, after_odd=True)


# ---------------------------------------------------------------- faults


def test_an_unreachable_engine_is_a_clear_error(built_project: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        main, ["--project-dir", str(built_project), "push", url], env={"CLUSTERKG_PUSH_RETRIES": "0"}
    )
    assert result.exit_code == 2
    assert f"cannot reach {url}/store" in result.output and "live graphs were not changed" in result.output


class AuthProxy:
    """A loopback proxy in front of the engine that wants one Authorization header (401 otherwise)."""

    def __init__(self, target: str, expected: str) -> None:
        host, port = target.removeprefix("http://").split(":")

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="engine"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                keep = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                connection.request(self.command, self.path, body=body or None, headers=keep)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.getheader("Content-Type") or "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = forward

            def log_message(self, *args: object) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("scheme", "good", "bad"),
    [
        (
            "basic",
            {"push_user": "pusher", "push_password": "right"},
            {"push_user": "pusher", "push_password": "x"},
        ),
        ("bearer", {"push_token": "right-token"}, {"push_token": "wrong-token"}),
    ],
)
def test_wrong_credentials_change_nothing_and_right_ones_push(
    engine: Oxigraph,
    small: tuple[KnowledgeStore, KnowledgeStore],
    scheme: str,
    good: dict[str, str],
    bad: dict[str, str],
) -> None:
    old_kg, new_kg = small
    push_small(engine.root, old_kg)
    expected = "Basic cHVzaGVyOnJpZ2h0" if scheme == "basic" else "Bearer right-token"
    proxy = AuthProxy(engine.root, expected)
    try:
        with pytest.raises(StoreError, match=r"refused the credentials.*401.*live graphs were not changed"):
            push_small(proxy.root, new_kg, push_auth=scheme, **bad)
        assert engine_state(engine.root) == build_state(old_kg)
        assert push_small(proxy.root, new_kg, push_auth=scheme, **good).action == "pushed"
    finally:
        proxy.close()
    assert engine_state(engine.root) == build_state(new_kg)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(header: str, method: str, path: str) -> bool:
    """RFC 7616 (MD5, qop=auth) for user pusher, password right, realm engine, nonce n0nce."""
    parts = (p.strip().split("=", 1) for p in header.removeprefix("Digest ").split(",") if "=" in p)
    f = {k: v.strip('"') for k, v in parts}
    answer = [md5("pusher:engine:right"), "n0nce", f.get("nc", ""), f.get("cnonce", ""), "auth"]
    return bool(f) and f.get("response") == md5(":".join([*answer, md5(f"{method}:{path}")]))


class DigestServer:
    """A loopback server that wants digest credentials (401 with a challenge otherwise)."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = digest_ok(self.headers.get("Authorization", ""), "POST", self.path)
                self.send_response(200 if ok else 401)
                if not ok:
                    challenge = 'Digest realm="engine", nonce="n0nce", qop="auth", algorithm=MD5'
                    self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Length", "2" if ok else "0")
                self.end_headers()
                self.wfile.write(b"ok" if ok else b"")

            def log_message(self, *args: object) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_digest_credentials_answer_the_challenge() -> None:
    server = DigestServer()
    try:
        right = EngineHttp(Credentials("digest", "pusher", "right"), retries=0)
        assert right.send("POST", server.root + "/update", b"update=x", content_type="text/plain") == b"ok"
        wrong = EngineHttp(Credentials("digest", "pusher", "wrong"), retries=0)
        with pytest.raises(StoreError, match="refused the credentials"):
            wrong.send("POST", server.root + "/update", b"update=x", content_type="text/plain")
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_endpoints_come_from_flags_then_the_url_then_the_settings() -> None:
    settings = settings_for(
        REPO, push_query_url="http://set/q", push_update_url="http://set/u", push_store_url="http://set/s"
    )
    assert push.Engine.from_settings(settings).query_url == "http://set/q"
    derived = push.Engine.from_settings(settings, "http://engine:7878/", store_url="http://other/gsp")
    assert (derived.query_url, derived.update_url, derived.store_url) == (
        "http://engine:7878/query",
        "http://engine:7878/update",
        "http://other/gsp",
    )
    with pytest.raises(StoreError, match="no query endpoint"):
        push.Engine.from_settings(settings_for(REPO))


def test_the_engine_profile_sets_the_endpoint_paths_and_where_the_merge_goes() -> None:
    virtuoso = push.Engine.from_settings(settings_for(REPO, push_engine="virtuoso"), "http://v:8890/")
    assert (virtuoso.query_url, virtuoso.update_url, virtuoso.store_url) == (
        "http://v:8890/sparql",
        "http://v:8890/sparql-auth",
        "http://v:8890/sparql-graph-crud-auth",
    )
    fuseki = push.Engine.from_settings(settings_for(REPO), "http://f:3030/ds", "fuseki")  # the flag wins
    assert fuseki.store_url == "http://f:3030/ds/data" and not fuseki.profile.union_default
    names = push.Names(BASE, "r", union_default=virtuoso.profile.union_default)
    assert names.home("") == BOOKKEEPING + "default" and push.Names(BASE).home("") == ""
    with pytest.raises(ClusterKGError, match="push_engine 'neptune' is not one of"):
        push.Engine.from_settings(settings_for(REPO, push_engine="neptune"), "http://n/")
    with pytest.raises(StoreError, match="no query endpoint"):  # generic: every URL given
        push.Engine.from_settings(settings_for(REPO, push_engine="generic"), "http://g/")


def failing(code: int, from_request: int, times: int) -> Transmit:
    """The engine answering `code` to `times` requests from the `from_request`-th on."""
    sent, seen = ORIGINAL_TRANSMIT, [0]

    def transmit(self: EngineHttp, request: urllib.request.Request) -> bytes:
        seen[0] += 1
        if from_request <= seen[0] < from_request + times:
            raise urllib.error.HTTPError(request.full_url, code, "Injected", {}, None)  # type: ignore[arg-type]
        return sent(self, request)

    return transmit


@pytest.mark.parametrize(("code", "error"), [(400, StoreError), (503, BackendUnavailable)])
def test_an_error_answer_mid_push_changes_nothing_live(
    engine: Oxigraph,
    small: tuple[KnowledgeStore, KnowledgeStore],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    error: type[ClusterKGError],
) -> None:
    old_kg, new_kg = small
    push_small(engine.root, old_kg)
    monkeypatch.setattr(EngineHttp, "_transmit", failing(code, from_request=9, times=100))
    with pytest.raises(error, match=f"answered {code} Injected; the engine's live graphs were not changed"):
        push_small(engine.root, new_kg)
    assert engine_state(engine.root) == build_state(old_kg)
    monkeypatch.setattr(EngineHttp, "_transmit", failing(code, from_request=9, times=1))
    if code >= 500:  # a passing server error is retried, with back-off, and the push goes through
        assert push_small(engine.root, new_kg).action == "pushed"
        assert engine_state(engine.root) == build_state(new_kg)


def test_a_verification_mismatch_changes_nothing_live(
    engine: Oxigraph, small: tuple[KnowledgeStore, KnowledgeStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    old_kg, new_kg = small
    push_small(engine.root, old_kg)
    store = push.Session.store

    def rewriting(self: push.Session, graph: str, data: bytes, *, replace: bool) -> None:
        store(self, graph, data.replace(b'"v7"', b'"v8"'), replace=replace)  # same count, other triples

    monkeypatch.setattr(push.Session, "store", rewriting)  # an engine that alters a literal on the way in
    with pytest.raises(StoreError, match=r"verification failed.*other triples.*live graphs were not changed"):
        push_small(engine.root, new_kg)
    assert engine_state(engine.root) == build_state(old_kg)


def test_an_engine_that_unions_its_graphs_is_refused(tmp_path: Path, built_project: Path) -> None:
    union = Oxigraph(tmp_path / "union", "--union-default-graph").start()
    try:
        settings = settings_for(built_project)
        with pytest.raises(StoreError, match="union of all its graphs"):
            pipeline.push_release(settings, engine_at(settings, union.root))
        assert live_graphs(union.root) == {}
    finally:
        union.stop()


# ---------------------------------------------------------------- serve --backend


@contextlib.contextmanager
def serving(project: Path, backend: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "CLUSTERKG_RELOAD_INTERVAL": "0.2"}
    command = [sys.executable, "-m", "clusterkg.cli", "--project-dir", str(project), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--backend", backend]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(root + "/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.1)
        yield root
    finally:
        process.terminate()
        process.wait(20)


def test_serve_backend_answers_from_the_engine_and_reports_it_down(
    engine: Oxigraph, built_project: Path, kg: KnowledgeStore, changed_project: Path
) -> None:
    a, b = settings_for(built_project), settings_for(changed_project)
    pipeline.push_release(a, engine_at(a, engine.root))
    json = {"Accept": "application/sparql-results+json"}
    with serving(built_project, engine.root + "/query") as root:
        health = httpx.get(root + "/health").json()
        assert health["status"] == "ok" and health["backend"] == "ok"
        count = httpx.get(
            root + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers=json
        )
        assert count.json()["results"]["bindings"][0]["n"]["value"] == str(kg.triples())
        clusters = httpx.get(
            root + "/sparql", params={"query": "SELECT ?c WHERE { ?c a ckg:Cluster }"}, headers=json
        )
        assert clusters.status_code == 200 and clusters.json()["results"]["bindings"]  # prefixes predeclared
        service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
        refused = httpx.post(root + "/sparql", data={"query": service})
        assert refused.status_code == 400 and "SERVICE" in refused.text  # the same policy, before the engine
        listed = httpx.get(root + "/query", params={"query": "SELECT ?c WHERE { ?c a ckg:Cluster } LIMIT 3"})
        assert listed.status_code == 200 and "3 rows" in listed.text
        assert httpx.get(root + "/").status_code == 200  # the home page's class counts
        page = httpx.get(root + "/id/cluster/amz", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "AMZ Sachsen" in page.text
        canned = httpx.get(
            root + "/queries/cluster-figures", params={"cluster": "hamburg-aviation", "format": "json"}
        )
        assert canned.status_code == 200 and canned.json()["total"] > 0
        pipeline.push_release(b, engine_at(b, engine.root))  # the server follows the push: no stale page
        for _ in range(50):
            if httpx.get(root + "/health").json()["build"] != health["build"]:
                break
            time.sleep(0.1)
        assert (
            "Changed for the second release."
            in httpx.get(root + "/id/cluster/amz", headers={"Accept": "text/html"}).text
        )
        engine.stop()
        started = time.monotonic()
        down = httpx.get(root + "/health")
        assert down.status_code == 503 and down.json()["backend"] == "down"
        answer = httpx.get(root + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=json)
        assert answer.status_code == 502 and "cannot reach" in answer.text
        assert time.monotonic() - started < 10
