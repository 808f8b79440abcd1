"""Pages for people and linked-data clients: resources, ontology, shapes, home, query page, dumps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from serve_support import BASE, CKG, make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.cli import main
from clusterkg.serve import create_app

BIORN = rdflib.URIRef(BASE + "id/cluster/biorn")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = make_project(tmp_path_factory.mktemp("serve-pages"))
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


def test_resource_page_in_html_shows_labels_properties_links_sources_and_graph(client: TestClient) -> None:
    page = client.get("/id/cluster/biorn", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<h1>BIORN cluster</h1>" in text
    assert 'href="/id/organisation/acme">ACME Org</a>' in text  # a link from it, by label
    assert 'href="/id/project/traclight">TRACLIGHT</a>' in text  # a link to it
    # Provenance is a badge linking to the document, the source record in its title; no Graph column.
    assert '<p class="provenance">Source: <a class="badge" href="/id/document/doc1"' in text
    assert "<th>Graph</th>" not in text and "prov:wasDerivedFrom" not in text
    assert 'href="/graph/doc1"' in text and "In 1 named graph(s)" in text
    assert 'href="/ontology#Cluster">Cluster</a>' in text
    # The project it runs is under "Takes part in", not repeated as a bare link to it.
    assert 'id="takes-part"' in text and text.count('href="/id/project/traclight"') == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text and "<script>alert" not in text
    # The organisation that manages it is a key fact under the heading, not again in the table.
    assert text.count('href="/id/organisation/acme"') == 1
    assert '<dl class="facts key-facts"><dt><a title="https://w3id.org/clusterkg/ontology#managedBy"' in text


def test_labels_follow_accept_language_and_fall_back_to_english(client: TestClient) -> None:
    german = client.get(
        "/id/cluster/biorn", headers={"Accept": "text/html", "Accept-Language": "de-DE,de;q=0.9"}
    )
    assert (
        "<h1>BIORN-Cluster</h1>" in german.text and 'href="/ontology#Cluster">Cluster (de)</a>' in german.text
    )
    finnish = client.get("/id/cluster/biorn", headers={"Accept": "text/html", "Accept-Language": "fi"})
    assert "<h1>BIORN cluster</h1>" in finnish.text
    assert "Accept-Language" in german.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_resource_in_rdf_by_accept(client: TestClient, accept: str, fmt: str) -> None:
    response = client.get("/id/cluster/biorn", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    assert (BIORN, rdflib.RDFS.label, rdflib.Literal("BIORN cluster", lang="en")) in graph
    assert all(s == BIORN for s in graph.subjects())


def test_rdf_format_by_parameter_and_406_when_nothing_fits(client: TestClient) -> None:
    assert client.get("/id/cluster/biorn?format=turtle").headers["content-type"].startswith("text/turtle")
    assert client.get("/id/cluster/biorn", headers={"Accept": "image/png"}).status_code == 406
    assert (
        client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"}).status_code
        == 406
    )


def test_accept_q_values_choose_the_format(client: TestClient) -> None:
    query = {"query": "SELECT * WHERE { ?s a ?c }"}
    xml = client.get(
        "/sparql",
        params=query,
        headers={"Accept": "application/sparql-results+json;q=0.5, application/sparql-results+xml"},
    )
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    tsv = client.get(
        "/sparql", params=query, headers={"Accept": "text/*;q=0.4, text/tab-separated-values;q=0.9"}
    )
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    graph = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s a ?c }"},
        headers={"Accept": "application/rdf+xml;q=0.2, application/ld+json;q=0.8"},
    )
    assert graph.headers["content-type"].startswith("application/ld+json")
    json.loads(graph.text)


def test_unknown_resources_are_404(client: TestClient) -> None:
    assert client.get("/id/cluster/nowhere").status_code == 404
    assert client.get("/id/cluster/nowhere", headers={"Accept": "text/turtle"}).status_code == 404


def test_named_graph_dereferences(client: TestClient) -> None:
    page = client.get("/graph/doc1", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h2>Named graph</h2>" in page.text
    triples = client.get("/graph/doc1", headers={"Accept": "application/n-triples"})
    assert BASE + "id/cluster/biorn" in triples.text and "TRACLIGHT" not in triples.text


def test_ontology_and_shapes_at_their_iris(client: TestClient) -> None:
    ontology = client.get("/ontology", headers={"Accept": "text/html"})
    assert ontology.status_code == 200 and 'id="Cluster"' in ontology.text
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    assert (rdflib.URIRef(CKG + "Cluster"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    shapes = client.get("/shapes", headers={"Accept": "text/html"})
    assert shapes.status_code == 200 and 'id="ClusterShape"' in shapes.text
    shapes_ld = client.get("/shapes", headers={"Accept": "application/ld+json"})
    graph = rdflib.Graph().parse(data=shapes_ld.content, format="json-ld")
    assert (rdflib.URIRef(BASE + "shapes#ClusterShape"), rdflib.RDF.type, rdflib.SH.NodeShape) in graph


def test_home_page_counts_classes_and_links_everywhere(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    for href in ('href="/query"', 'href="/queries"', 'href="/dumps/"', 'href="/sparql"'):
        assert href in home.text
    assert '<td><span class="literal number">1</span></td>' in home.text
    assert "Person" not in home.text  # contacts are not counted
    # Without a release catalogue, the version and date come from the settings.
    assert "<dt>Version</dt><dd>0.1.0</dd>" in home.text and "21 November 2026" in home.text
    assert 'action="/queries/find-by-label"' in home.text and 'name="text"' in home.text
    listing = client.get("/browse", params={"class": CKG + "Cluster"})
    assert 'href="/id/cluster/biorn">BIORN cluster</a>' in listing.text


def test_query_page_runs_a_query_without_javascript(client: TestClient) -> None:
    page = client.get("/query")
    assert page.status_code == 200 and '<script src="/static/query.js"' in page.text
    run = client.get("/query", params={"query": f"SELECT ?s WHERE {{ ?s a <{CKG}Cluster> }}"})
    assert '<table class="results">' in run.text and 'href="/id/cluster/biorn"' in run.text
    bad = client.get("/query", params={"query": "SELECT nope"})
    assert 'class="error"' in bad.text
    assert (
        client.get("/static/query.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )


def test_browsers_asking_the_endpoint_get_the_query_page(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and 'id="query-form"' in page.text


def test_dumps_are_served(client: TestClient) -> None:
    index = client.get("/dumps/")
    assert index.status_code == 200 and 'href="/dumps/clusterkg.nt"' in index.text
    assert client.get("/dumps/clusterkg.nt").text.startswith("<urn:a>")
    assert client.get("/dumps/../var/store").status_code == 404


def test_etags_give_304_and_results_are_cacheable(client: TestClient) -> None:
    for path, headers in (
        ("/sparql?query=ASK%20%7B%7D", {}),
        ("/id/cluster/biorn", {"Accept": "text/html"}),
        ("/", {}),
    ):
        first = client.get(path, headers=headers)
        assert first.headers["etag"] and first.headers["cache-control"].startswith("public")
        again = client.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_health_is_tiny(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_serve_command_reports_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no store" in result.output
