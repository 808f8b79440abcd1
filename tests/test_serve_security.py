"""Read-only and safe: no writes, no outbound requests, time limit, size caps, private data."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import tree_digest
from serve_support import BASE, CONTACTS, SECRET, TOKEN, Canary, make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.serve import create_app

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("serve-security"))


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


def _select(client: TestClient, query: str, **kwargs: object) -> list[dict[str, dict[str, str]]]:
    response = client.get("/sparql", params={"query": query}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- no writes

UPDATE = f'INSERT DATA {{ GRAPH <{BASE}graph/doc1> {{ <urn:x> <urn:y> "written" }} }}'


def test_updates_are_refused_on_every_route_and_the_store_is_unchanged(
    client: TestClient, project: Path
) -> None:
    store = project / "var" / "store"
    before = tree_digest(store)
    attempts = [
        client.get("/sparql", params={"update": UPDATE}),
        client.get("/sparql", params={"query": UPDATE}),
        client.post("/sparql", data={"update": UPDATE}),
        client.post("/sparql", data={"query": UPDATE}),
        client.post("/sparql", content=UPDATE, headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", content=UPDATE, headers={"Content-Type": "application/sparql-query"}),
        client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-query"}),
        client.put("/sparql", content=UPDATE),
        client.delete("/sparql"),
        client.post(f"/sparql?using-graph-uri={quote(BASE + 'graph/doc1')}", data={"query": "ASK {}"}),
    ]
    for response in attempts:
        assert 400 <= response.status_code < 500, response.text
    assert "read-only" in attempts[0].text and "read-only" in attempts[4].text
    assert not _select(client, 'SELECT * WHERE { ?s ?p "written" }')
    assert tree_digest(store) == before


# ---------------------------------------------------------------- no outbound requests


def test_no_query_contacts_the_network(client: TestClient) -> None:
    with Canary() as canary:
        url = canary.url
        service = client.get(
            "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"}
        )
        silent = client.post(
            "/sparql", data={"query": f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"}
        )
        from_graph = client.get(
            "/sparql", params={"query": f"SELECT * FROM <{url}data.ttl> WHERE {{ ?s ?p ?o }}"}
        )
        from_named = client.get(
            "/sparql", params={"query": f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}
        )
        protocol = client.get(
            "/sparql",
            params={
                "query": "SELECT * WHERE { ?s ?p ?o }",
                "default-graph-uri": url,
                "named-graph-uri": url + "n",
            },
        )
        describe = client.get("/sparql", params={"query": f"DESCRIBE <{url}thing>"})
        load_update = client.post(
            "/sparql", content=f"LOAD <{url}data.ttl>", headers={"Content-Type": "application/sparql-update"}
        )
        load_query = client.get("/sparql", params={"query": f"LOAD <{url}data.ttl>"})
        page = client.get("/id/" + quote(url, safe=""))
    assert service.status_code == 400 and "SERVICE" in service.text
    assert silent.status_code == 400
    assert from_graph.status_code == 200 and from_graph.json()["results"]["bindings"] == []
    assert from_named.status_code == 200 and from_named.json()["results"]["bindings"] == []
    assert protocol.status_code == 200 and protocol.json()["results"]["bindings"] == []
    assert describe.status_code == 200
    assert load_update.status_code == 403 and load_query.status_code == 403
    assert page.status_code == 404
    assert canary.hits == []


# ---------------------------------------------------------------- private data


def test_contacts_graph_is_invisible_without_the_token(client: TestClient) -> None:
    queries = [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT * FROM <{CONTACTS}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{CONTACTS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ GRAPH <{CONTACTS}> {{ ?s ?p ?o }} }}",
        "SELECT ?g WHERE { GRAPH ?g { } }",
    ]
    for query in queries:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert SECRET not in response.text and CONTACTS not in response.text, query
    leaks = [
        client.get(
            "/sparql", params={"query": f"DESCRIBE <{BASE}id/person/jane>"}, headers={"Accept": "text/turtle"}
        ),
        client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": CONTACTS}),
        client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": CONTACTS},
        ),
        client.get("/sparql", headers={"Accept": "text/turtle"}),  # the service description lists graphs
        client.get("/id/organisation/acme"),
        client.get("/id/organisation/acme", headers={"Accept": "application/n-triples"}),
    ]
    for response in leaks:
        assert SECRET not in response.text and CONTACTS not in response.text, response.request.url
    assert client.get("/id/person/jane").status_code == 404
    assert client.get("/graph/contacts").status_code == 404


def test_the_bearer_token_unlocks_the_contacts_graph(client: TestClient) -> None:
    rows = _select(client, f"SELECT ?o WHERE {{ GRAPH <{CONTACTS}> {{ ?s ?p ?o }} }}", headers=AUTH)
    assert SECRET in {row["o"]["value"] for row in rows}
    page = client.get("/id/person/jane", headers=AUTH)
    assert page.status_code == 200 and SECRET in page.text
    assert page.headers["cache-control"].startswith("private")
    wrong = client.get("/sparql", params={"query": "ASK {}"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["www-authenticate"]


def test_without_a_configured_token_nobody_sees_the_contacts(project: Path) -> None:
    with TestClient(create_app(settings_for(project, private_token=""))) as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Authorization": "Bearer ", "Accept": "text/csv"},
        )
        assert response.status_code == 401 or SECRET not in response.text


# ---------------------------------------------------------------- limits


def test_a_query_past_the_time_limit_is_stopped_and_its_worker_replaced(project: Path) -> None:
    settings = settings_for(project, query_timeout=1.0, query_workers=1, worker_memory_mb=0)
    app = create_app(settings)
    with TestClient(app) as client:
        pool = app.state.context.pool
        old = pool.worker_pids[0]
        response = client.get("/sparql", params={"query": HEAVY})
        assert response.status_code == 503
        assert "stopped after 1 s" in response.text and response.headers["retry-after"].isdigit()
        new = pool.worker_pids[0]
        assert new is not None and new != old
        with pytest.raises(ProcessLookupError):
            os.kill(old, 0)  # killed and reaped: its CPU is free
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_too_many_queries_at_once_get_503_with_retry_after(project: Path) -> None:
    app = create_app(
        settings_for(project, query_timeout=3.0, query_workers=1, query_queue=0, worker_memory_mb=0)
    )
    with TestClient(app) as client:
        pool = app.state.context.pool
        slow: dict[str, int] = {}
        thread = threading.Thread(
            target=lambda: slow.update(status=client.get("/sparql", params={"query": HEAVY}).status_code)
        )
        thread.start()
        while pool.running < 1:  # wait until the slow query holds the only slot
            time.sleep(0.01)
        busy = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        health = client.get("/health")
        thread.join()
    assert busy.status_code == 503 and busy.headers["retry-after"].isdigit()
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert slow["status"] == 503


def test_result_rows_are_capped_and_the_cut_is_signalled(project: Path) -> None:
    with TestClient(create_app(settings_for(project, max_result_rows=3))) as client:
        query = "SELECT * WHERE { ?s ?p ?o }"
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200
        assert len(response.json()["results"]["bindings"]) == 3
        assert response.headers["x-result-truncated"] == "true"
        assert response.headers["x-result-row-limit"] == "3"
        assert response.json()["head"]["link"] == [BASE + "sparql#truncated"]
        csv = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert len(csv.text.strip().splitlines()) == 4 and csv.headers["x-result-truncated"] == "true"
        graph = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/n-triples"},
        )
        assert len(graph.text.strip().splitlines()) == 3 and graph.headers["x-result-truncated"] == "true"
        small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s a ?c } LIMIT 2"})
        assert "x-result-truncated" not in small.headers


def test_a_request_body_over_the_cap_gets_413(project: Path) -> None:
    with TestClient(create_app(settings_for(project, max_request_bytes=1000))) as client:
        big = "ASK {} #" + "x" * 2000
        assert (
            client.post(
                "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
            ).status_code
            == 413
        )

        def chunks() -> Iterator[bytes]:
            yield b"ASK {} #"
            for _ in range(20):
                yield b"x" * 100

        streamed = client.post(
            "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
        )
        assert streamed.status_code == 413
        fits = client.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"})
        assert fits.status_code == 200


# ---------------------------------------------------------------- response hardening


def test_every_response_has_nosniff_and_a_same_origin_csp(client: TestClient) -> None:
    for path in (
        "/",
        "/sparql",
        "/sparql?query=ASK%20%7B",
        "/id/cluster/biorn",
        "/nowhere",
        "/static/query.js",
        "/health",
        "/query",
    ):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "http" not in csp, path


def test_html_escapes_every_literal(client: TestClient) -> None:
    page = client.get("/id/cluster/biorn", headers={"Accept": "text/html"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page.text
    query = client.get("/query", params={"query": 'SELECT ("<img src=x onerror=alert(1)>" AS ?x) {}'})
    assert "<img src=x" not in query.text and "&lt;img src=x onerror=alert(1)&gt;" in query.text


def test_cors_allows_get_and_post_without_credentials(client: TestClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in simple.headers
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
