"""The served dataset on the real data: right counts on every route, one query path, one policy.

The public store's default graph is the RDF merge of the public graphs, so a triple stated by two
documents (AMZ, BioRN, DSP Valley) counts once, whatever route asks.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from clusterkg import pipeline, publish, queries
from clusterkg.cli import main
from clusterkg.errors import BackendUnavailable, QueryError
from clusterkg.serve import create_app
from clusterkg.serve.domain import SHOWN_INCOMING
from clusterkg.settings import Settings
from clusterkg.store import ROWS, QueryRequest, policy

CKG = "https://w3id.org/clusterkg/ontology#"
BASE = "https://w3id.org/clusterkg/"
TWO_DOCUMENTS = ("amz", "biorn", "dsp-valley")
COUNT_CLUSTERS = f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?c) AS ?d) WHERE {{ ?c a <{CKG}Cluster> }}"
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def settings(built_project: Path) -> Settings:
    return Settings.from_env(environ={}, project_dir=built_project, query_workers=1)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _sparql_json(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def test_resources_in_two_documents_are_in_two_named_graphs(kg) -> None:  # type: ignore[no-untyped-def]
    for key in TWO_DOCUMENTS:
        graphs = list(
            kg.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{BASE}id/cluster/{key}> a ?t }} }}")
        )
        assert len(graphs) == 2, key  # the case the counts below must survive


def test_count_star_equals_count_distinct_in_the_store(kg) -> None:  # type: ignore[no-untyped-def]
    row = next(kg.select(COUNT_CLUSTERS))
    assert row["n"] == row["d"] == "39"


def test_the_summary_is_the_three_counts(kg) -> None:  # type: ignore[no-untyped-def]
    triples, classes, graphs = kg.summary()  # its queries run on three threads
    assert (triples, classes, graphs) == (kg.triples(), kg.class_counts(), kg.graph_counts())
    assert triples > 10_000 and len(classes) > 20
    assert any(g.endswith("/graph/contacts") for g, _ in graphs)  # the private graphs are counted


def test_count_star_equals_count_distinct_on_the_cli(settings: Settings) -> None:
    args = ["--project-dir", str(settings.project_dir), "sparql", COUNT_CLUSTERS, "--format", "csv"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "39,39"


def test_count_star_equals_count_distinct_on_sparql(client: TestClient) -> None:
    assert _sparql_json(client, COUNT_CLUSTERS) == [{"n": "39", "d": "39"}]
    readme = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Cluster }"  # ckg: predeclared, as on the CLI
    assert _sparql_json(client, readme) == [{"n": "39"}]


def test_count_of_all_triples_equals_void_triples(kg, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release = publish.publish(settings, kg, tmp_path / "release")
    void = (tmp_path / "release" / "void.ttl").read_text(encoding="utf-8")
    stated = int(re.search(r"void:triples (\d+)", void).group(1))  # type: ignore[union-attr]
    assert int(next(kg.select(COUNT_TRIPLES))["n"]) == stated == release.profile.triples
    dump = gzip.decompress((tmp_path / "release" / "clusterkg.nt.gz").read_bytes())
    assert len(dump.splitlines()) == stated


def test_every_canned_query_counts_each_row_once(client: TestClient) -> None:
    for name in ("clusters-by-country", "clusters-by-target-country", "cluster-overview"):
        listing = client.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
        example = next(q["example"] for q in listing if q["name"] == name)
        body = client.get(example + ("&" if "?" in example else "?") + "limit=10000").json()
        rows = [tuple(sorted((k, v["value"]) for k, v in r.items())) for r in body["results"]["bindings"]]
        assert rows and len(rows) == len(set(rows)) == body["total"], name


def test_pages_list_each_statement_and_each_link_once(client: TestClient, kg) -> None:  # type: ignore[no-untyped-def]
    iri = f"{BASE}id/partnership/textile2020"
    links = {(r["s"], r["p"]) for r in kg.select(f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }}")}
    listed = {(s, p) for s, p in links if p not in SHOWN_INCOMING}  # the rest have sections of their own
    targets = {s for s, p in links if p == CKG + "targetOf"}
    page = client.get("/id/partnership/textile2020", headers={"Accept": "text/html"}).text
    if listed:
        incoming = page.split('class="incoming"', 1)[1].split("</table>", 1)[0]
        assert len(re.findall(r"<tr>.*?</tr>", incoming, re.S)) - 1 == len(listed)  # minus the header row
    else:
        assert 'class="incoming"' not in page
    section = page.split('class="targets', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>.*?</tr>", section.split("<tbody>", 1)[1], re.S)
    assert targets and len(rows) == len(set(rows)) == len(targets)  # each target once, not twice
    for key in TWO_DOCUMENTS:
        html = client.get(f"/id/cluster/{key}", headers={"Accept": "text/html"}).text
        properties = html.split('class="properties"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr>.*?</tr>", properties, re.S)
        assert len(rows) == len(set(rows)), key
        graphs = html.split('class="graphs"', 1)[1].split("</details>", 1)[0]
        assert len(re.findall(r"href=\"/graph/", graphs)) == 2, key


def test_cli_and_sparql_give_the_same_bytes(client: TestClient, settings: Settings) -> None:
    query = f"SELECT ?c ?l WHERE {{ ?c a <{CKG}Cluster> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    formats = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values"}  # fmt: skip
    for fmt, media_type in {**formats, "ntriples": "application/n-triples"}.items():
        text = query if fmt != "ntriples" else f"CONSTRUCT WHERE {{ ?c a <{CKG}Cluster> }}"
        args = ["--project-dir", str(settings.project_dir), "sparql", text, "--format", fmt]
        cli = CliRunner().invoke(main, args)
        assert cli.exit_code == 0, cli.output
        served = client.get("/sparql", params={"query": text}, headers={"Accept": media_type})
        assert served.status_code == 200
        assert cli.stdout_bytes == served.content, fmt


def test_canned_paging_is_the_same_locally_and_served(client: TestClient, settings: Settings) -> None:
    query = queries.load_queries(settings.path("queries"))["clusters-by-country"]
    values = query.example_values()
    terms = queries.bind(query, values, queries.term_context(settings))
    local = queries.run_page(pipeline.open_store(settings, max_rows=10), query, terms, limit=2, offset=1)
    served = client.get("/queries/clusters-by-country", params={**values, "limit": 2, "offset": 1}).json()
    assert local.total == served["total"] and local.table.records() == served["results"]["bindings"]


# ---------------------------------------------------------------- the policy


BYPASS = "SELECT * WHERE { BIND(<http://x/\\u0041#> AS ?i) SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } }"


def test_codepoint_escapes_are_applied_before_the_policy_decides() -> None:
    assert policy.unescape_codepoints("<http://x/\\u0041#>") == "<http://x/A#>"
    with pytest.raises(QueryError, match="SERVICE"):
        policy.check(BYPASS)
    with pytest.raises(QueryError, match="SERVICE"):
        policy.check("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }")
    with pytest.raises(QueryError, match="read-only"):
        policy.check("\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryError, match="nests"):
        policy.check("SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000)
    policy.check('SELECT * WHERE { ?s ?p "customer service" }')  # a string may say it


def test_every_executor_refuses_the_bypass(kg, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match="SERVICE"):
        kg.execute(QueryRequest(BYPASS, fmt=ROWS))
    response = client.get("/sparql", params={"query": BYPASS})
    assert response.status_code == 400 and "SERVICE" in response.text
    nested = client.get("/sparql", params={"query": "ASK " + "{" * 5000 + "}" * 5000})
    assert nested.status_code == 400 and "nests" in nested.text


def test_the_query_api_resolves_every_country_spelling_the_build_does(client: TestClient) -> None:
    aliases = (Path(__file__).resolve().parents[1] / "sources" / "country_aliases.csv").read_text("utf-8")
    for line in aliases.splitlines()[1:]:
        alias, iso3 = line.split(",")[:2]
        response = client.get("/queries/clusters-by-target-country", params={"country": alias})
        assert response.status_code == 200, (alias, response.text)
        assert response.json()["parameters"]["country"] == alias
        bound = client.get("/queries/clusters-by-target-country", params={"country": iso3}).json()
        assert response.json()["results"] == bound["results"], alias


def test_the_remote_executor_gives_the_same_bytes_as_the_local_one(built_project: Path, kg) -> None:  # type: ignore[no-untyped-def]
    from serve_support import running_server

    from clusterkg.store.remote import RemoteEndpoint

    select = f"SELECT ?c ?l WHERE {{ ?c a <{CKG}Cluster> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    construct = f"CONSTRUCT WHERE {{ ?c a <{CKG}Cluster> }}"
    with running_server(built_project) as root:
        remote = RemoteEndpoint(root + "/sparql", max_rows=10_000)
        for fmt in ("json", "xml", "csv", "tsv"):
            request = QueryRequest(select, fmt=fmt)
            assert remote.execute(request).body == kg.execute(request).body, fmt
        request = QueryRequest(construct, graph_fmt="ntriples")
        assert sorted(remote.execute(request).body.splitlines()) == sorted(
            kg.execute(request).body.splitlines()
        )
        bound = QueryRequest.of(
            f"SELECT ?c WHERE {{ ?c a <{CKG}Cluster> }}", {"c": f"<{BASE}id/cluster/amz>"}
        )
        assert remote.execute(bound).body == kg.execute(bound).body  # a VALUES block there, substitution here


ASK_TRUE = b'{"head":{},"boolean":true}'
RESULTS = "application/sparql-results+json"


@pytest.mark.parametrize(("hang_up", "connections"), [(False, 1), (True, 3)])
def test_the_remote_executor_keeps_its_connection_and_reopens_one_the_engine_closed(
    hang_up: bool, connections: int
) -> None:
    from serve_support import Canary

    from clusterkg.store.remote import RemoteEndpoint

    with Canary(ASK_TRUE, RESULTS, keep_alive=True, hang_up=hang_up) as engine:
        remote = RemoteEndpoint(engine.url + "sparql")
        for _ in range(3):  # each answer read whole; with hang_up the next query finds the socket closed
            assert json.loads(remote.execute(QueryRequest("ASK {}", fmt="json")).body)["boolean"] is True
    assert len(engine.ports) == 3 and len(set(engine.ports)) == connections


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [(400, QueryError, "refused the query: 400"), (503, BackendUnavailable, "answered 503")],
)
def test_the_remote_executor_names_an_error_answer(status: int, error: type, words: str) -> None:
    from serve_support import Canary

    from clusterkg.store.remote import RemoteEndpoint

    with Canary(b"no such thing", "text/plain", status, keep_alive=True) as engine:
        url = engine.url + "sparql"
        with pytest.raises(error, match=f"{url} {words}.*no such thing"):
            RemoteEndpoint(url).execute(QueryRequest("ASK {}", fmt="json"))


def test_the_remote_executor_refuses_a_url_that_is_not_http() -> None:
    from clusterkg.errors import SettingsError
    from clusterkg.store.remote import RemoteEndpoint

    with pytest.raises(SettingsError, match=r"'ftp://example\.org/sparql' is not an http"):
        RemoteEndpoint("ftp://example.org/sparql")
