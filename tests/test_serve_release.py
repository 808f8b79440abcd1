"""The published release served as linked data: /catalog, /.well-known/void, ontology docs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from starlette.testclient import TestClient

from clusterkg.serve import create_app
from clusterkg.settings import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(built_project: Path) -> TestClient:
    if not (built_project / "dumps").exists():
        shutil.copytree(REPO / "dumps", built_project / "dumps")
    settings = Settings.from_env(environ={}, project_dir=built_project)
    with TestClient(create_app(settings)) as test_client:
        yield test_client  # type: ignore[misc]


@pytest.mark.parametrize(
    "accept,media_type,parser",
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_catalog_is_content_negotiated(client: TestClient, accept: str, media_type: str, parser: str) -> None:
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = Graph().parse(data=response.content, format=parser)
    assert (None, None, URIRef("http://www.w3.org/ns/dcat#Catalog")) in graph
    assert response.headers["x-content-type-options"] == "nosniff"


def test_void_is_served(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    assert (None, None, URIRef("http://rdfs.org/ns/void#Dataset")) in graph
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_ontology_iri_gives_generated_docs_to_browsers_and_rdf_to_programs(client: TestClient) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # The same documentation as the release's ontology.html, inside the site's layout.
    assert 'id="class-connections"' in page.text and "<nav>" in page.text
    assert 'id="Cluster"' in page.text and 'href="/shapes/Cluster"' in page.text
    rdf = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 200
    graph = Graph().parse(data=rdf.content, format="turtle")
    assert (None, None, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in graph


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/catalog", "/.well-known/void"])
def test_a_browser_gets_a_page_and_an_rdf_client_still_gets_rdf(client: TestClient, path: str) -> None:
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text
    assert "http://rdfs.org/ns/void#Dataset" in page.text or "http://www.w3.org/ns/dcat#Catalog" in page.text
    assert client.get(path, headers={"Accept": "*/*"}).headers["content-type"].startswith("text/turtle")
