"""The ontology documentation (release file and /ontology) and the shapes pages (/shapes, /shapes/{class}).

The oracle is the project's own ontology and shapes, read here with rdflib: every class gets an
entry, every property shape of a class and of its superclasses a row with its cardinality.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH
from serve_support import make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.publish.docs import write_ontology_html
from clusterkg.serve import create_app
from clusterkg.serve.shapes_model import class_of_slug, class_slug

REPO = Path(__file__).resolve().parents[1]
CKG = "https://w3id.org/clusterkg/ontology#"
HTML = {"Accept": "text/html"}


def ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "ontology" / "clusterkg.ttl")


def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def release_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("release")
    shutil.copy(REPO / "ontology" / "clusterkg.ttl", folder / "ontology.ttl")
    write_ontology_html(folder / "ontology.ttl", folder / "ontology.html")
    return folder / "ontology.html"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = make_project(tmp_path_factory.mktemp("pages"))
    shutil.rmtree(project / "shapes")
    shutil.copytree(REPO / "shapes", project / "shapes")
    shutil.copytree(REPO / "ontology", project / "ontology")
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


class Elements(HTMLParser):
    """Start tags with their attributes, and text by the id of the nearest section."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def elements(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(page)
    return parser.tags


def no_inline_style_or_script(page: str) -> None:
    """What the server's CSP (style-src 'self'; script-src 'self') would block."""
    for tag, attrs in elements(page):
        assert tag != "style", "an inline <style> element"
        assert "style" not in attrs, f"a style attribute on <{tag}>"
        assert not (tag == "script" and "src" not in attrs), "an inline <script>"
        assert not any(name.startswith("on") for name in attrs), f"an event handler on <{tag}>"


# ---------------------------------------------------------------- the release file


def test_release_page_names_the_ontology_not_a_concept_scheme(release_page: Path) -> None:
    page = release_page.read_text(encoding="utf-8")
    graph = ontology_graph()
    (ontology,) = graph.subjects(RDF.type, OWL.Ontology)
    title = str(graph.value(ontology, rdflib.DCTERMS.title))  # one of the languages
    titles = {str(t) for t in graph.objects(ontology, rdflib.DCTERMS.title)}
    assert title in titles and re.search(r"<title>([^<]*)</title>", page).group(1) in titles  # type: ignore[union-attr]
    assert f"<code>{ontology}</code>" in page
    for scheme in graph.subjects(RDF.type, rdflib.SKOS.ConceptScheme):
        for label in graph.objects(scheme, rdflib.SKOS.prefLabel):
            assert f"<title>{label}" not in page and f"<h1>{label}" not in page


def test_release_page_keeps_languages_apart(release_page: Path) -> None:
    page = release_page.read_text(encoding="utf-8")
    graph = ontology_graph()
    for term in graph.subjects(RDF.type, OWL.Class):
        labels = {lit.language: str(lit) for lit in graph.objects(term, RDFS.label)}
        english, german = labels["en"], labels["de"]
        assert english + german not in page  # "FoundationStiftung"
        if german != english:
            assert f'<span class="other-lang" lang="de">German: {html.escape(german)}</span>' in page


def test_release_page_documents_every_term_with_its_own_stylesheet(release_page: Path) -> None:
    page = release_page.read_text(encoding="utf-8")
    graph = ontology_graph()
    ids = {attrs.get("id") for _, attrs in elements(page)}
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        rdflib.SKOS.ConceptScheme,
        rdflib.SKOS.Concept,
    )
    for kind in kinds:
        for term in graph.subjects(RDF.type, kind):
            assert str(term).removeprefix(CKG) in ids, f"{term} has no entry"
    no_inline_style_or_script(page)
    sheets = [a["href"] for tag, a in elements(page) if tag == "link" and a.get("rel") == "stylesheet"]
    assert sheets == ["ontology.css"] and (release_page.parent / "ontology.css").is_file()


# ---------------------------------------------------------------- /ontology on the server


def test_server_ontology_page_is_the_documentation_in_the_site_layout(client: TestClient) -> None:
    page = client.get("/ontology", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>clusterkg ontology · clusterkg</title>" in page.text
    assert "<nav>" in page.text and 'id="class-connections"' in page.text
    no_inline_style_or_script(page.text)
    for tag, attrs in elements(page.text):
        if tag == "link" and attrs.get("rel") == "stylesheet":
            sheet = client.get(attrs["href"])
            assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    rdf = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert (None, RDF.type, OWL.Ontology) in rdflib.Graph().parse(data=rdf.text, format="turtle")


def test_server_ontology_page_speaks_the_readers_language(client: TestClient) -> None:
    german = client.get("/ontology", headers={**HTML, "Accept-Language": "de"}).text
    assert '<html lang="de">' in german and "<h1>clusterkg-Ontologie</h1>" in german
    assert "<h2>Klassen</h2>" in german
    assert '<h3>Stiftung <span class="kind">Klasse</span></h3>' in german
    assert '<span class="other-lang" lang="en">Englisch: Foundation</span>' in german
    assert "FoundationStiftung" not in german and "StiftungFoundation" not in german


def test_ontology_classes_link_to_their_requirements(client: TestClient) -> None:
    page = client.get("/ontology", headers=HTML).text
    for term in ontology_graph().subjects(RDF.type, OWL.Class):
        href = "/shapes/" + class_slug(str(term))
        assert f'href="{href}"' in page
    assert client.get("/shapes/Cluster", headers=HTML).status_code == 200


# ---------------------------------------------------------------- /shapes


def applying_property_shapes(cls: str) -> list[tuple[str, int, int | None]]:
    """(path, min, max) of every property shape that applies to instances of `cls`."""
    ontology, shapes = ontology_graph(), shapes_graph()
    above = set(ontology.transitive_objects(rdflib.URIRef(cls), RDFS.subClassOf))
    found = []
    applying = {shape for target in above for shape in shapes.subjects(SH.targetClass, target)}
    for shape in applying:
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            if isinstance(path, rdflib.URIRef):
                low, high = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
                found.append((str(path), int(low or 0), None if high is None else int(high)))
    return found


def cardinality_text(low: int, high: int | None) -> str:
    if high is not None and low == high:
        return f"exactly {low}"
    if high is not None and low:
        return f"{low} to {high}"
    if high is not None:
        return f"at most {high}"
    return f"at least {low}" if low else "any number"


def rows_of(page: str, heading: str) -> list[str]:
    section = page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", section)[1:]  # without the header row


@pytest.mark.parametrize("cls", [CKG + "Cluster", CKG + "TargetMarket", CKG + "InternationalisationProject"])
def test_a_class_page_lists_every_applying_property_and_its_cardinality(client: TestClient, cls: str) -> None:
    page = client.get("/shapes/" + class_slug(cls), headers=HTML).text
    expected = applying_property_shapes(cls)
    assert expected, f"the oracle found no shapes for {cls}"
    required, optional = rows_of(page, "Required properties"), rows_of(page, "Optional properties")
    assert len(required) + len(optional) == len(expected)
    assert len(set(required + optional)) == len(required + optional), "a row appears twice"
    checked = re.findall(r"<li>(.*?)</li>", page.split('<ul class="applying">', 1)[1].split("</ul>", 1)[0])
    assert len({re.sub(r",.*", "", c) for c in checked}) == len(checked), "a shape is named twice"
    for path, low, high in expected:
        rows = required if low else optional
        cell = re.compile(rf"<td[^>]*>{cardinality_text(low, high)}</td>")
        matching = [r for r in rows if f'title="{path}"' in r and cell.search(r)]
        assert matching, f"{path} ({low}..{high}) is not listed as {'required' if low else 'optional'}"


def test_a_class_page_shows_inherited_shapes_values_and_rules(client: TestClient) -> None:
    cluster = client.get("/shapes/Cluster", headers=HTML).text
    assert "for every instance of" in cluster and 'href="/shapes/org:Organization"' in cluster
    no_inline_style_or_script(cluster)
    # FormalOrganizationShape requires sh:class org:Organization, so the Organisation shape applies too.
    association = client.get("/shapes/Association", headers=HTML).text
    assert any(f'title="{RDFS.label}"' in r for r in rows_of(association, "Required properties"))
    market = client.get("/shapes/TargetMarket", headers=HTML).text
    certainty = next(r for r in rows_of(market, "Required properties") if f'title="{CKG}certainty"' in r)
    assert "stated" in certainty and "tentative" in certainty  # sh:in, by label
    assert 'href="/ontology#Stated"' in certainty  # and the concept has its entry there
    assert 'id="Stated"' in client.get("/ontology", headers=HTML).text
    assert "Exactly one of these holds:" in market  # the sh:xone of country or region
    contact = client.get("/shapes/vcard:Kind", headers=HTML).text
    optional = rows_of(contact, "Optional properties")
    email = next(r for r in optional if 'title="https://schema.org/email"' in r)
    assert 'class="severity severity-warning"' in email and '<code class="pattern">' in email


def test_the_shapes_index_links_every_class_and_rdf_clients_still_get_rdf(client: TestClient) -> None:
    index = client.get("/shapes", headers=HTML)
    assert index.status_code == 200 and 'id="ClusterShape"' in index.text
    for cls in ontology_graph().subjects(RDF.type, OWL.Class):
        assert f'href="/shapes/{class_slug(str(cls))}"' in index.text
    turtle = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) == len(shapes_graph())


def test_class_pages_in_german_and_their_errors(client: TestClient) -> None:
    german = client.get("/shapes/Cluster", headers={**HTML, "Accept-Language": "de"}).text
    assert "<h2>Pflichtangaben</h2>" in german and '<td data-label="Wie viele">genau 1</td>' in german
    missing = client.get("/shapes/NoSuchClass", headers=HTML)
    assert missing.status_code == 404 and "<nav>" in missing.text
    assert client.get("/shapes/Cluster", headers={"Accept": "text/turtle"}).status_code == 406
    moved = client.get("/shapes/ckg:Cluster", headers=HTML, follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/shapes/Cluster"


def test_class_slugs_round_trip() -> None:
    targets = shapes_graph().objects(None, SH.targetClass)
    for cls in [*ontology_graph().subjects(RDF.type, OWL.Class), *targets]:
        assert class_of_slug(class_slug(str(cls))) == str(cls)
