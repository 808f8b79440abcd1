"""`clusterkg push` into a real Virtuoso Open Source, and `clusterkg serve --backend` in front of it.

One Virtuoso for the module, started by the project's own `tools/virtuoso.sh` on loopback over a
temporary database folder and stopped after; each test first drops every graph under the base IRI.
Virtuoso answers a query without FROM from the union of all its graphs, so the engine's state is
read graph by graph here, and the merged default graph lives in a named graph of its own.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from serve_support import BASE, free_port
from test_push import (
    CONTACTS,
    VCARD_FN,
    KillTrials,
    build_state,
    changed_project,  # noqa: F401 (a fixture)
    serving,
    settings_for,
    synthetic,
    triples_digest,
)

from clusterkg import pipeline, queries
from clusterkg.cli import main
from clusterkg.errors import StoreError
from clusterkg.serve import BackendBuild
from clusterkg.settings import Settings
from clusterkg.store import KnowledgeStore, push

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "virtuoso.sh"
BOOKKEEPING = BASE + "graph/.push/"
MERGED = BOOKKEEPING + "default"
USER = {"push_engine": "virtuoso", "push_auth": "digest", "push_user": "dba", "push_password": "dba"}
ENV = {f"CLUSTERKG_{k.upper()}": v for k, v in USER.items()}
AUTH = httpx.DigestAuth("dba", "dba")
JSON = {"Accept": "application/sparql-results+json"}
NAMED = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
CONCAT = re.compile(r'GROUP_CONCAT\s*\(.*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)', re.S | re.I)

pytestmark = pytest.mark.skipif(
    shutil.which("virtuoso-t") is None,
    reason="Virtuoso is not installed (virtuoso-t); tools/install-system-deps.sh installs it",
)


class Virtuoso:
    """tools/virtuoso.sh's Virtuoso: HTTP on a free loopback port, ISQL on another."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.root = f"http://127.0.0.1:{self.port}"

    def start(self) -> Virtuoso:
        command = [str(TOOL), "start", str(self.folder), str(self.port), str(free_port())]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        return self

    def stop(self) -> None:
        subprocess.run([str(TOOL), "stop", str(self.folder)], check=True, capture_output=True, timeout=60)

    def update(self, sparql: str) -> None:
        answer = httpx.post(self.root + "/sparql-auth", data={"update": sparql}, auth=AUTH, timeout=120)
        answer.raise_for_status()

    def clear(self) -> None:
        """Drop every graph under the base IRI (ours: live, staging, previous, markers)."""
        ours = [g for g in counts(self.root) if g.startswith(BASE)]
        if ours:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in ours))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    engine = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    try:
        yield engine
    finally:
        engine.stop()


@pytest.fixture
def engine(server: Virtuoso) -> Virtuoso:
    server.clear()
    return server


def virtuoso_settings(project: Path, **overrides: Any) -> Settings:
    return settings_for(project, **{**USER, **overrides})


def engine_at(settings: Settings, root: str) -> push.Engine:
    return push.Engine.from_settings(settings, root)


def select(root: str, sparql: str, **dataset: list[str]) -> list[dict[str, str]]:
    form = {"query": sparql, **{k.replace("_", "-"): v for k, v in dataset.items()}}
    answer = httpx.post(root + "/sparql", data=form, headers=JSON, timeout=60)
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def counts(root: str) -> dict[str, int]:
    return {row["g"]: int(row["n"]) for row in select(root, NAMED)}


def live_graphs(root: str) -> dict[str, int]:
    """Triples per graph readers see: ours outside the bookkeeping, and the merged graph as ""."""
    found = counts(root)
    live = {g: n for g, n in found.items() if g.startswith(BASE) and not g.startswith(BOOKKEEPING)}
    return {**live, **({"": found[MERGED]} if MERGED in found else {})}


def engine_state(root: str) -> dict[str, str]:
    """{graph: digest of its triples} of the live graphs, read back over the Graph Store Protocol."""
    state = {}
    for graph in live_graphs(root):
        answer = httpx.get(
            root + "/sparql-graph-crud-auth",
            params={"graph": graph or MERGED},
            headers={"Accept": "application/n-triples"},
            auth=AUTH,
            timeout=60,
        )
        answer.raise_for_status()
        state[graph] = triples_digest(answer.content)
    return state


def comparable(page: queries.Page, sparql: str) -> list[list[tuple[str, str]]]:
    """A page's rows, sorted; a GROUP_CONCAT column as the set of its parts. SPARQL leaves the order
    of GROUP_CONCAT unspecified, and Virtuoso's DISTINCT in it compares strings: "BioRN"@en and
    "BioRN" count once there, twice in Oxigraph; everything else must be equal."""
    separators = {name: sep for sep, name in CONCAT.findall(sparql)}
    assert len(separators) == sparql.upper().count("GROUP_CONCAT"), "a GROUP_CONCAT without separator="

    def cell(name: str, value: Any) -> str:
        if name in separators:
            return repr(sorted(set(value["value"].split(separators[name]))))
        return str(value)

    rows = (sorted((k, cell(k, v)) for k, v in row.items()) for row in page.table.records())
    return sorted(rows)


def backend(settings: Settings, root: str) -> BackendBuild:
    """What `serve --backend` queries through, after it has read the live release's dataset."""
    served = BackendBuild(dataclasses.replace(settings, backend_url=root + "/sparql"))
    served.refresh()
    return served


# ---------------------------------------------------------------- the real data


def test_push_puts_the_public_graphs_and_their_merge_and_nothing_private(
    engine: Virtuoso, built_project: Path, kg: KnowledgeStore
) -> None:
    args = ["--project-dir", str(built_project), "push", "-q", "--engine", "virtuoso", engine.root]
    result = CliRunner().invoke(main, args, env=ENV)
    assert result.exit_code == 0, result.output
    assert "pushed at " + engine.root + "/sparql" in result.output
    assert live_graphs(engine.root) == {**dict(kg.graph_counts(include_private=False)), "": kg.triples()}
    assert engine_state(engine.root) == build_state(kg)
    contacts = ox.parse(kg.graph_ntriples(CONTACTS, private=True), format=ox.RdfFormat.N_TRIPLES)
    names = [str(q.object) for q in contacts if q.predicate.value == VCARD_FN]  # people's names
    assert names and CONTACTS not in counts(engine.root)
    leak = f"SELECT ?s WHERE {{ VALUES ?o {{ {' '.join(names)} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    assert select(engine.root, leak) == []  # in no graph at all, Virtuoso's own included


def test_every_canned_query_answers_the_same_through_the_backend(
    engine: Virtuoso, built_project: Path, kg: KnowledgeStore
) -> None:
    settings = virtuoso_settings(built_project)
    pipeline.push_release(settings, engine_at(settings, engine.root))
    served, ctx = backend(settings, engine.root), queries.term_context(settings)
    assert served.local.scope == (
        (MERGED,),
        tuple(sorted(g for g, _ in kg.graph_counts(include_private=False))),
    )
    catalogue = queries.load_queries(settings.path("queries"))
    assert len(catalogue) >= 15
    for query in catalogue.values():
        terms = queries.bind(query, query.example_values(), ctx)
        local, far = queries.run_page(kg, query, terms), queries.run_page(served.local, query, terms)
        assert far.total == local.total > 0, query.name
        assert comparable(far, query.sparql) == comparable(local, query.sparql), query.name


def test_a_second_release_switches_in_and_rolls_back(
    engine: Virtuoso,
    built_project: Path,
    kg: KnowledgeStore,
    changed_project: Path,  # noqa: F811
) -> None:
    old, new = build_state(kg), build_state(pipeline.open_store(settings_for(changed_project)))
    assert old != new and old.keys() == new.keys()
    runner = CliRunner()

    def cli(project: Path, *args: str) -> str:
        command = ["--project-dir", str(project), "push", "-q", *args, engine.root]
        result = runner.invoke(main, command, env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    cli(built_project)
    assert "already live" in cli(built_project)
    cli(changed_project)
    assert engine_state(engine.root) == new
    assert "is live again" in cli(changed_project, "--rollback")
    assert engine_state(engine.root) == old
    cli(changed_project, "--rollback")  # and forward again
    assert engine_state(engine.root) == new


def test_serve_backend_sees_each_public_triple_once(
    engine: Virtuoso, built_project: Path, kg: KnowledgeStore
) -> None:
    settings = virtuoso_settings(built_project)
    pipeline.push_release(settings, engine_at(settings, engine.root))
    pipeline.push_release(settings, engine_at(settings, engine.root))  # "already live": no previous
    everything = select(engine.root, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(everything[0]["n"]) > 2 * kg.triples()  # unscoped, Virtuoso counts every graph it has
    with serving(built_project, engine.root + "/sparql") as root:
        assert httpx.get(root + "/health").json()["backend"] == "ok"
        count = httpx.get(
            root + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers=JSON
        )
        assert count.json()["results"]["bindings"][0]["n"]["value"] == str(kg.triples())
        ask = httpx.get(root + "/sparql", params={"query": "ASK { ?c a ckg:Cluster }"}, headers=JSON)
        assert ask.json()["boolean"] is True  # Virtuoso's row-shaped ASK answer, read as a boolean
        page = httpx.get(root + "/id/cluster/amz", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "AMZ Sachsen" in page.text


# ---------------------------------------------------------------- interruptions and faults


def push_small(root: str, kg: KnowledgeStore, **overrides: Any) -> push.PushReport:
    session = push.Session(engine_at(virtuoso_settings(REPO, **overrides), root))
    return push.push(session, push.payloads(kg), base_iri=BASE, release=kg.build.name)


def roll_back(root: str) -> None:
    push.rollback(push.Session(engine_at(virtuoso_settings(REPO), root)), base_iri=BASE)


def is_switch(request: urllib.request.Request) -> bool:
    data = request.data
    return request.full_url.endswith("/sparql-auth") and isinstance(data, bytes) and b"MOVE" in data


def test_a_killed_push_leaves_one_release_live_and_resumes(
    engine: Virtuoso, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_kg = synthetic(tmp_path / "a", {"a": 300, "b": 200, "c": 200, "d": 100})
    new_kg = synthetic(tmp_path / "b", {"a": 300, "b": 200, "c": 250, "e": 100}, value="v")
    trials = KillTrials(engine.root, push_small, engine_state, roll_back, is_switch, monkeypatch)
    trials.run(old_kg, new_kg, seed=7, trials=6, after_odd=False)


def test_basic_credentials_are_refused_and_say_virtuoso_wants_digest(
    engine: Virtuoso, tmp_path: Path
) -> None:
    kg = synthetic(tmp_path / "a", {"a": 20})
    with pytest.raises(StoreError, match=r"refused the credentials.*asks for Digest.*not changed"):
        push_small(engine.root, kg, push_auth="basic")
    with pytest.raises(StoreError, match=r"refused the credentials.*not changed"):
        push_small(engine.root, kg, push_password="wrong")
    assert live_graphs(engine.root) == {}
    assert push_small(engine.root, kg).action == "pushed"
