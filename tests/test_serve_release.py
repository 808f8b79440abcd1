"""The published release served as linked data: /catalog, /.well-known/void, ontology docs."""

from __future__ import annotations

import re
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


DCAT = "http://www.w3.org/ns/dcat#"
BASE = "https://w3id.org/clusterkg/"


@pytest.fixture(scope="module")
def release(built_project: Path, client: TestClient) -> Path:
    return built_project / "dumps"


def test_dumps_gives_browsers_every_file_with_size_media_type_and_checksum(
    client: TestClient, release: Path
) -> None:
    page = client.get("/dumps/", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<nav>" in page.text and 'href="/catalog"' in page.text and 'href="/.well-known/void"' in page.text
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    for path in sorted(release.iterdir()):
        assert f'href="/dumps/{path.name}"' in page.text, path.name
        size = f"{path.stat().st_size:,}".replace(",", "\u202f")
        assert f"{size} bytes" in page.text, path.name
        if path.name in sums:
            assert sums[path.name] in page.text
    assert "application/n-quads, gzip-compressed" in page.text and "text/turtle" in page.text
    german = client.get("/dumps/", headers={"Accept": BROWSER, "Accept-Language": "de"})
    assert "<th>Größe</th>" in german.text and "Bytes" in german.text and 'lang="de"' in german.text


def test_the_release_folder_serves_its_own_landing_page(client: TestClient, release: Path) -> None:
    page = client.get("/dumps/index.html")
    assert page.status_code == 200 and page.content == (release / "index.html").read_bytes()
    assert 'href="catalog.ttl"' in page.text and 'href="clusterkg.nq.gz"' in page.text
    relative = [h for h in re.findall(r'href="([^"]+)"', page.text) if "://" not in h]
    assert "ontology.css" in relative and len(relative) > 10
    for href in relative:  # a static host serves each link of the page from the folder itself
        assert (release / href).is_file(), href


def _catalog(release: Path) -> Graph:
    return Graph().parse(release / "catalog.ttl")


def test_every_resource_the_catalogue_names_under_the_base_dereferences(
    client: TestClient, release: Path
) -> None:
    catalog = _catalog(release)
    # The documents and pages it points at (ontology, shapes, homepage, /dumps/, /sparql) have routes
    # of their own; everything else it describes under the base is served from the catalogue.
    pages = {BASE, BASE + "catalog", BASE + "ontology", BASE + "shapes", BASE + "dumps/", BASE + "sparql"}
    subjects = sorted({str(s) for s in catalog.subjects() if str(s).startswith(BASE)} - pages)
    for needed in ("dataset", "publisher", "service/sparql", "contact-point", "distribution/clusterkg.ttl"):
        assert BASE + needed in subjects
    for iri in subjects:
        path = "/" + iri[len(BASE) :]
        rdf = client.get(path, headers={"Accept": "text/turtle"})
        assert rdf.status_code == 200, path
        served = Graph().parse(data=rdf.content, format="turtle")
        assert set(served.triples((URIRef(iri), None, None))) == set(
            catalog.triples((URIRef(iri), None, None))
        )
    page = client.get("/dataset", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "<nav>" in page.text
    assert "clusterkg: knowledge graph of European industry clusters" in page.text
    assert BASE + "dataset/temporal" in page.text  # the nodes minted beneath it come along
    jsonld = client.get("/distribution/clusterkg.ttl?format=jsonld")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert client.get("/distribution/no-such-dump", headers={"Accept": "text/turtle"}).status_code == 404


def test_without_public_url_the_catalogue_is_the_release_file(client: TestClient, release: Path) -> None:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.content == (release / "catalog.ttl").read_bytes()


@pytest.fixture(scope="module")
def public_client(built_project: Path, client: TestClient) -> TestClient:
    settings = Settings.from_env(environ={}, project_dir=built_project, public_url="http://kg.example:8123/")
    with TestClient(create_app(settings), base_url="http://kg.example:8123") as test_client:
        yield test_client  # type: ignore[misc]


@pytest.mark.parametrize(
    "accept,parser",
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_with_public_url_the_catalogue_points_at_this_instance(
    public_client: TestClient, accept: str, parser: str
) -> None:
    served = Graph().parse(
        data=public_client.get("/catalog", headers={"Accept": accept}).content, format=parser
    )
    root = "http://kg.example:8123/"
    urls = {
        p: {str(o) for o in served.objects(None, URIRef(DCAT + p))}
        for p in ("downloadURL", "accessURL", "endpointURL", "landingPage")
    }
    assert urls["accessURL"] == {root + "dumps/"} and urls["landingPage"] == {root + "dumps/"}
    assert urls["endpointURL"] == {root + "sparql"}
    assert len(urls["downloadURL"]) == 4 and all(u.startswith(root + "dumps/") for u in urls["downloadURL"])
    assert not any("w3id.org/clusterkg/dumps" in str(o) for o in served.objects())
    for url in set().union(*urls.values()) - {root + "sparql"}:  # each one answers on this instance
        assert public_client.get(url[len(root) - 1 :], headers={"Accept": BROWSER}).status_code == 200, url
    assert public_client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    # the catalogue's own resources keep their IRIs, and are rebased the same way
    dist = Graph().parse(
        data=public_client.get("/distribution/clusterkg.ttl", headers={"Accept": "text/turtle"}).content,
        format="turtle",
    )
    assert {str(o) for o in dist.objects(None, URIRef(DCAT + "downloadURL"))} == {
        root + "dumps/clusterkg.ttl"
    }


def test_with_public_url_void_names_this_instances_endpoint(public_client: TestClient) -> None:
    served = Graph().parse(
        data=public_client.get("/.well-known/void", headers={"Accept": "text/turtle"}).content,
        format="turtle",
    )
    endpoints = {str(o) for o in served.objects(None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))}
    assert endpoints == {"http://kg.example:8123/sparql"}
    page = public_client.get("/catalog", headers={"Accept": BROWSER})
    assert "point at this instance, http://kg.example:8123/" in page.text
