"""The server lives through builds, and its worker pool is safe: isolation, memory, admission."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import httpx
import pytest
from serve_support import (
    BASE,
    CKG,
    LABEL,
    Canary,
    build_store,
    make_project,
    running_server,
    sample_nquads,
    settings_for,
)
from starlette.testclient import TestClient

from clusterkg.errors import QueryAborted, StoreError
from clusterkg.serve import create_app
from clusterkg.store import QueryRequest, builds, pool

NEW_CLUSTER = f'<{BASE}id/cluster/newcomer> <{LABEL}> "Newcomer"@en <{BASE}graph/doc3> .\n'
DOUBLING = 'BIND("0123456789abcdef" AS ?v0) ' + " ".join(
    f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(30)
)  # a 1 KB query whose string doubles to 16 GiB


def _ask(root: str, query: str) -> httpx.Response:
    return httpx.get(
        root + "/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=30
    )


def _wait_for(predicate, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_running_server_follows_a_new_build(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    probe = f"ASK {{ <{BASE}id/cluster/newcomer> ?p ?o }}"
    with running_server(project, {"CLUSTERKG_RELOAD_INTERVAL": "0.5"}) as root:
        first = httpx.get(root + "/health").json()["build"]
        assert _ask(root, probe).json()["boolean"] is False
        store_path = build_store(project, sample_nquads() + NEW_CLUSTER)
        assert _wait_for(lambda: httpx.get(root + "/health").json()["build"] != first)
        assert httpx.get(root + "/health").json()["build"] == store_path.resolve().name
        assert _ask(root, probe).json()["boolean"] is True
        assert httpx.get(root + "/id/cluster/newcomer", headers={"Accept": "text/html"}).status_code == 200


def test_pruning_never_deletes_the_build_a_server_holds(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    held = (project / "var" / "store").resolve()
    with running_server(project, {"CLUSTERKG_RELOAD_INTERVAL": "3600"}) as root:
        store_path = project / "var" / "store"
        for _ in range(3):  # keep=0: every build but the current one may go, unless held
            source = tmp_path / "again.nq"
            source.write_text(sample_nquads(), encoding="utf-8")
            builds.activate(
                store_path, builds.new_build(store_path, source, [BASE + "graph/contacts"]), keep=0
            )
        assert held.is_dir() and builds.is_leased(held)
        assert httpx.get(root + "/id/cluster/biorn", headers={"Accept": "text/html"}).status_code == 200
        assert _ask(root, "ASK { ?s ?p ?o }").json()["boolean"] is True
    assert not builds.is_leased(held)  # the server let go when it stopped


def test_sixteen_clients_at_default_settings_all_get_answers(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with running_server(project) as root:

        def one(n: int) -> int:
            query = f"SELECT ?s WHERE {{ ?s a <{CKG}Cluster> }} # {n}"
            return _ask(root, query).status_code

        with concurrent.futures.ThreadPoolExecutor(16) as clients:
            statuses = list(clients.map(one, range(160)))
    assert statuses == [200] * 160


def test_the_pool_refuses_to_start_without_network_isolation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = build_store(tmp_path, sample_nquads())
    spawn = pool._Worker.spawn

    def unisolated(self, wait: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        spawn(self, wait)
        self.isolated = False  # as where unshare is not allowed

    monkeypatch.setattr(pool._Worker, "spawn", unisolated)
    refused = pool.QueryPool(store_path.resolve(), workers=1)
    with pytest.raises(StoreError, match="CLUSTERKG_ALLOW_UNISOLATED_WORKERS"):
        refused.start()
    allowed = pool.QueryPool(store_path.resolve(), workers=1, require_isolation=False)
    allowed.start()
    try:
        assert allowed.execute(QueryRequest("ASK {}")).boolean is True
    finally:
        allowed.close()


def test_a_worker_is_network_isolated_even_if_a_query_names_a_service(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with Canary() as canary, TestClient(create_app(settings_for(project))) as client:
        assert client.app.state.context.pool.network_isolated  # type: ignore[attr-defined]
        for query in (
            f"SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?i) SERVICE <{canary.url}> {{ ?x ?y ?z }} }}",
            f"SELECT * WHERE {{ SERV\\u0049CE <{canary.url}> {{ ?x ?y ?z }} }}",
        ):
            assert client.get("/sparql", params={"query": query}).status_code == 400
    assert canary.hits == []


def test_a_query_past_the_memory_cap_is_a_400_and_the_worker_comes_back(tmp_path: Path) -> None:
    store_path = build_store(tmp_path, sample_nquads())
    capped = pool.QueryPool(store_path.resolve(), workers=1, memory_mb=256, timeout=60)
    capped.start()
    try:
        old = capped.worker_pids[0]
        with pytest.raises(QueryAborted, match="256 MiB a worker may use"):
            capped.execute(QueryRequest(f"SELECT (STRLEN(?v30) AS ?n) WHERE {{ {DOUBLING} }}"))
        assert capped.worker_pids[0] != old
        assert capped.execute(QueryRequest("ASK {}")).boolean is True
    finally:
        capped.close()


def test_a_crashed_worker_is_a_400_with_a_message_on_the_wire(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with TestClient(create_app(settings_for(project, worker_memory_mb=256))) as client:
        response = client.get("/sparql", params={"query": f"SELECT ?v30 WHERE {{ {DOUBLING} }}"})
        assert response.status_code == 400 and "CLUSTERKG_WORKER_MEMORY_MB" in response.text
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
