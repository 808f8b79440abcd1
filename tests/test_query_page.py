"""The query page, server side: editor assets, labelled results, download links, /sparql in a browser."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from serve_support import BASE, make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.namespaces import PREFIXES
from clusterkg.serve import create_app
from clusterkg.serve.query_page import EDITOR_SCRIPTS, EDITOR_STYLES

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CLUSTERS = "SELECT ?cluster WHERE { ?cluster a ckg:Cluster }"
GRAPH = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a ckg:Cluster ; rdfs:label ?l }"
STATIC = Path(__file__).resolve().parents[1] / "src" / "clusterkg" / "serve" / "static"


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = make_project(tmp_path_factory.mktemp("query-page"))
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


def test_page_loads_the_vendored_editor_and_nothing_inline(client: TestClient) -> None:
    page = client.get("/query")
    assert page.status_code == 200
    elements = Elements(page.text)
    scripts = [a["src"] for a in elements.find("script")]
    assert scripts == list(EDITOR_SCRIPTS)  # every script from a file here: the CSP allows no other
    styles = [a["href"] for a in elements.find("link", rel="stylesheet")]
    assert set(EDITOR_STYLES) <= set(styles) and all(href.startswith("/static/") for href in styles)
    assert "<style" not in page.text and " style=" not in page.text
    for asset in [*scripts, *styles, "/static/vendor/codemirror/LICENSE"]:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 500, asset
    license_text = (STATIC / "vendor" / "codemirror" / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")


def test_page_hands_the_predeclared_prefixes_to_the_completion(client: TestClient) -> None:
    form = Elements(client.get("/query").text).find("form", id="query-form")[0]
    assert json.loads(form["data-prefixes"]) == PREFIXES
    texts = json.loads(form["data-texts"])
    assert texts["rows"] == "{count} rows"
    german = Elements(client.get("/query", headers={"Accept-Language": "de"}).text).find("form")[0]
    assert json.loads(german["data-texts"])["rows"] == "{count} Zeilen"


def test_results_show_labels_in_the_readers_language_and_link_to_resource_pages(client: TestClient) -> None:
    english = client.get("/query", params={"query": CLUSTERS})
    assert english.status_code == 200
    assert f'<a title="{BASE}id/cluster/biorn" href="/id/cluster/biorn">BIORN cluster</a>' in english.text
    assert '<p class="count">1 rows</p>' in english.text
    german = client.get("/query", params={"query": CLUSTERS}, headers={"Accept-Language": "de"})
    assert 'href="/id/cluster/biorn">BIORN-Cluster</a>' in german.text
    assert "1 Zeilen" in german.text and "Abfrage ausführen" in german.text


def test_download_links_give_the_result_as_csv_and_json(client: TestClient) -> None:
    page = client.get("/query", params={"query": CLUSTERS})
    links = {a["data-format"]: a["href"] for a in Elements(page.text).find("a") if "data-format" in a}
    assert set(links) == {"csv", "json"}
    as_csv = client.get(links["csv"], headers=BROWSER)  # a browser following the link gets the file
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(as_csv.text))) == [["cluster"], [BASE + "id/cluster/biorn"]]
    as_json = client.get(links["json"], headers=BROWSER)
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    assert as_json.json()["results"]["bindings"][0]["cluster"]["value"] == BASE + "id/cluster/biorn"


def test_a_graph_result_offers_turtle_and_json_ld(client: TestClient) -> None:
    page = client.get("/query", params={"query": GRAPH})
    assert '<pre class="graph">' in page.text and "BIORN cluster" in page.text
    links = {a["data-format"]: a["href"] for a in Elements(page.text).find("a") if "data-format" in a}
    assert set(links) == {"turtle", "json-ld"}
    assert client.get(links["turtle"], headers=BROWSER).headers["content-type"].startswith("text/turtle")
    ld = client.get(links["json-ld"], headers=BROWSER)
    assert ld.headers["content-type"].startswith("application/ld+json") and "BIORN cluster" in ld.text


def test_the_endpoint_opened_in_a_browser_shows_the_page_with_the_result(client: TestClient) -> None:
    url = "/sparql?" + urlencode({"query": CLUSTERS})
    page = client.get(url, headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="query-form"' in page.text and 'href="/id/cluster/biorn">BIORN cluster</a>' in page.text
    assert re.search(r'<textarea id="query"[^>]*>SELECT \?cluster WHERE', page.text)
    # tools still get results: by Accept, and a browser asking a format by name gets that format
    tool = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert tool.json()["head"]["vars"] == ["cluster"]
    assert client.get(url + "&format=csv", headers=BROWSER).headers["content-type"].startswith("text/csv")
    assert client.get(url).headers["content-type"].startswith("application/sparql-results+json")


def test_a_bad_query_in_a_browser_is_shown_beside_the_query(client: TestClient) -> None:
    page = client.get("/sparql?" + urlencode({"query": "SELECT ?x WHERE { ?x"}), headers=BROWSER)
    assert page.status_code == 400 and 'class="error"' in page.text and 'id="query-form"' in page.text
    assert '<p id="downloads" class="downloads" hidden></p>' in page.text  # nothing to download
