"""Country pages (/country/XXX) on the real data: names, codes and continent from the reference
graph, who targets the country per phase (directly or through a region that includes it), who has
partners there, organisations located there; RDF by content negotiation; unknown and hostile codes;
links to country IRIs lead there. Expected values come from the source CSVs and
reference/countries.ttl, read here independently of the mappings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from serve_support import running_server
from starlette.testclient import TestClient
from test_browser import ARGS, CHROMIUM
from test_maps import COUNTRY_IRI, REPO, _csv, _iso3, shaded, table_rows

from clusterkg.serve import create_app
from clusterkg.settings import Settings

BASE = "https://w3id.org/clusterkg/id/"
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
CKG = rdflib.Namespace("https://w3id.org/clusterkg/ontology#")
PHASE_TEXT = {"concept": "concept phase", "implementation": "implementation phase", "": "no phase stated"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def real(built_project: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(environ={}, project_dir=built_project, query_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def reference() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "reference" / "countries.ttl")


def label(graph: rdflib.Graph, iri: str, lang: str) -> str:
    return next(str(o) for o in graph.objects(rdflib.URIRef(iri), SKOS.prefLabel) if o.language == lang)


def targeted_by(code: str) -> set[tuple[str, str, str]]:
    """(project or partnership IRI, phase type or "", region IRI or "") of every target of the
    country in target_markets.csv, and of every target of a region region_countries.csv says
    includes it."""
    phases = {r["key"]: r["phase_type"] for r in _csv("sources/phases.csv")}
    regions = {r["region"] for r in _csv("sources/region_countries.csv") if r["country_code"] == code}
    found = set()
    for r in _csv("sources/target_markets.csv"):
        via = BASE + ("project/" + r["project"] if r["project"] else "partnership/" + r["partnership"])
        phase = phases.get(r["phase"], "")
        if r["country"] and _iso3(r["country"]) == code:
            found.add((via, phase, ""))
        elif r["region"] in regions:
            found.add((via, phase, BASE + "region/" + r["region"]))
    return found


def iris(titles: str) -> list[str]:
    """The IRIs of the links of one cell (the parser joins their titles)."""
    return re.findall(r"https?://.*?(?=https?://|$)", titles)


def test_country_page_names_codes_continent_and_map(real: TestClient, reference: rdflib.Graph) -> None:
    iri = COUNTRY_IRI + "JPN"
    page = real.get("/country/JPN", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert f"<h1>{label(reference, iri, 'en')}</h1>" in text
    assert f'<p class="iri"><code>{iri}</code></p>' in text  # the authority IRI is the identifier
    assert f'<a href="{iri}" rel="nofollow noopener noreferrer">EU authority table entry</a>' in text
    notations = {str(o) for o in reference.objects(rdflib.URIRef(iri), SKOS.notation)}
    assert notations == {"JP", "JPN"} and all(f"<code>{n}</code>" in text for n in notations)
    continent = next(reference.objects(rdflib.URIRef(iri), CKG.continent))
    assert f'title="{continent}"' in text and f">{label(reference, str(continent), 'en')}</a>" in text
    assert shaded(text) == {"JPN": "here"}  # the small map highlights the country, and only it
    assert 'lang="fr">Japon</span>' in text  # every name, each in its language
    assert "Also as:" in text and 'href="/country/JPN?format=turtle"' in text


def test_country_page_in_german(real: TestClient, reference: rdflib.Graph) -> None:
    iri = COUNTRY_IRI + "USA"
    page = real.get("/country/USA", headers={**HTML, "Accept-Language": "de"}).text
    german = label(reference, iri, "de")
    assert german != label(reference, iri, "en")
    assert f"<h1>{german}</h1>" in page and "<dt>Kontinent</dt>" in page and ">Amerika</a>" in page
    assert '<h2 id="targeted-by">Zielmarkt von</h2>' in page and "Same as" not in page
    assert '<td data-label="Phase">Konzeptphase</td>' in page


@pytest.mark.parametrize("code", ["CHN", "JPN", "USA", "SGP"])
def test_who_targets_the_country_per_phase(real: TestClient, code: str) -> None:
    page = real.get(f"/country/{code}", headers=HTML).text
    rows = table_rows(page, "country-targets")
    got = set()
    for cells in rows:
        who = iris(cells[0][1])
        got.add((who[0], cells[1][0], who[1] if len(who) > 1 else ""))
    expected = {(via, PHASE_TEXT[phase], region) for via, phase, region in targeted_by(code)}
    assert expected and got == expected and len(rows) == len(expected)  # each once
    phases = [cells[1][0] for cells in rows]
    assert phases == sorted(phases, key=list(PHASE_TEXT.values()).index)  # per phase, in order


def test_a_country_a_region_includes_is_targeted_through_it(real: TestClient) -> None:
    page = real.get("/country/CHN", headers=HTML).text
    rows = table_rows(page, "country-targets")
    via_region = [cells for cells in rows if "(via the region" in cells[0][0]]
    assert {tuple(iris(cells[0][1])) for cells in via_region} == {
        (BASE + "project/open-hybrid-labfactory-asia-pacific", BASE + "region/asia-pacific")
    }
    assert via_region[0][3][1] == BASE + "cluster/open-hybrid-labfactory"  # the cluster that runs it


def test_partners_and_organisations_located_there(real: TestClient) -> None:
    japanese = {
        r["key"] for r in _csv("sources/organisations.csv") if r["country"] and _iso3(r["country"]) == "JPN"
    }
    assert japanese == {"tokyo-university", "jsea", "jiss"}
    page = real.get("/country/JPN", headers=HTML).text
    organisations = re.search(r'<h2 id="organisations">.*?</ul>', page)
    assert organisations is not None
    listed = set(re.findall(r'href="/id/organisation/([^"]+)"', organisations.group(0)))
    assert listed == japanese
    expected: dict[str, set[str]] = {}
    for r in _csv("sources/memberships.csv"):
        if r["organisation"] in japanese:
            initiative = BASE + (
                "project/" + r["project"] if r["project"] else "partnership/" + r["partnership"]
            )
            expected.setdefault(initiative, set()).add(BASE + "organisation/" + r["organisation"])
    for r in _csv("sources/partner_countries.csv"):
        if _iso3(r["country"]) == "JPN":
            expected.setdefault(
                BASE + ("project/" + r["project"] if r["project"] else "partnership/" + r["partnership"]),
                set(),
            )
    partners = {
        iris(cells[0][1])[0]: set(iris(cells[1][1])) for cells in table_rows(page, "country-partners")
    }
    assert partners == expected and expected


def test_links_to_countries_lead_to_their_pages(real: TestClient) -> None:
    page = real.get("/id/project/sinni", headers=HTML).text
    links = re.findall(r'<a title="(' + re.escape(COUNTRY_IRI) + r'[A-Z]{3})" href="([^"]+)"', page)
    assert len({iri for iri, _ in links}) >= 7
    assert all(href == "/country/" + iri.removeprefix(COUNTRY_IRI) for iri, href in links)
    assert f'href="{COUNTRY_IRI}' not in page  # no link leaves for the authority's page
    for href in sorted({href for _, href in links}):
        assert real.get(href, headers=HTML).status_code == 200, href


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_rdf_clients_get_the_country_description(
    real: TestClient, reference: rdflib.Graph, accept: str, fmt: str
) -> None:
    response = real.get("/country/DEU", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    country = rdflib.URIRef(COUNTRY_IRI + "DEU")
    assert set(graph.subjects()) == {country}
    assert set(reference.triples((country, None, None))) <= set(graph)  # the reference description
    by_parameter = real.get("/country/DEU?format=ntriples")
    assert by_parameter.headers["content-type"].startswith("application/n-triples")


def test_unknown_and_hostile_codes(real: TestClient) -> None:
    unknown = real.get("/country/XYZ", headers=HTML)
    assert unknown.status_code == 404 and '<nav><a class="brand" href="/">' in unknown.text  # the one handler
    assert real.get("/country/XYZ", headers={"Accept": "text/turtle"}).status_code == 404
    # A real ISO code the graph never names has no page either.
    assert real.get("/country/ZWE").status_code == 404
    lower = real.get("/country/jpn", follow_redirects=False)
    assert lower.status_code == 301 and lower.headers["location"] == "/country/JPN"
    for hostile in ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "JP%00N", "JPNX", "..%2F..%2Fetc", "J%C3%84N"):
        response = real.get("/country/" + hostile, headers=HTML)
        assert response.status_code == 404, hostile
        assert "<script>" not in response.text
    assert real.get("/country/JPN", headers={"Accept": "image/png"}).status_code == 406


def test_home_chart_bars_lead_to_country_pages(real: TestClient) -> None:
    page = real.get("/", headers=HTML).text
    bars = re.findall(r'<a href="(/country/[A-Z]{3})"><g class="bar">', page)
    assert len(bars) == 15
    first: Any = real.get(bars[0], headers=HTML)
    assert first.status_code == 200 and table_rows(first.text, "country-targets")


def test_every_country_of_the_reference_graph_has_a_page_and_the_index_lists_them(
    real: TestClient, reference: rdflib.Graph
) -> None:
    codes = {
        str(c).removeprefix(COUNTRY_IRI)
        for c in reference.subjects(SKOS.inScheme, rdflib.URIRef(COUNTRY_IRI.rstrip("/")))
    }
    assert len(codes) > 30
    index = real.get("/country/", headers={**HTML, "Accept-Language": "de"})
    assert index.status_code == 200 and "<h1>Länder</h1>" in index.text
    assert set(re.findall(r'href="/country/([A-Z]{3})"', index.text)) == codes
    assert f">{label(reference, COUNTRY_IRI + 'AUT', 'de')}</a>" in index.text  # Österreich
    regions = {r["region"] for r in _csv("sources/target_markets.csv") if r["region"]}
    targeted = {_iso3(r["country"]) for r in _csv("sources/target_markets.csv") if r["country"]} | {
        r["country_code"] for r in _csv("sources/region_countries.csv") if r["region"] in regions
    }  # directly or through a region
    for code in sorted(codes):
        page = real.get(f"/country/{code}", headers=HTML)
        assert page.status_code == 200, code
        assert (code in targeted) == ('<h2 id="targeted-by">' in page.text), code


def test_maps_link_each_country_to_its_page(real: TestClient) -> None:
    page = real.get("/id/project/sinni", headers=HTML).text
    linked = re.findall(
        r'<a href="/country/([A-Z]{3})"><path class="land shade-[a-z]+" data-country="([A-Z]{3})"', page
    )
    assert linked and all(a == b for a, b in linked) and {b for _, b in linked} == set(shaded(page))
    assert 'role="group" aria-labelledby="targets-map"' in page  # links inside: a group, not an image
    country = real.get("/country/JPN", headers=HTML).text
    assert '<figure class="map small">' in country and 'role="img"' in country  # nothing to link to


# ---------------------------------------------------------------- in Chromium, at 390 and 1280 px

WATCH_CSP = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"""
# Per stacked table: how far its box scrolls sideways; per cell: its data-label, what ::before
# shows, its display and whether it is empty.
TABLES = """() => [...document.querySelectorAll('.table-scroll')]
  .filter(b => b.querySelector('table.stacked')).map(b => b.scrollWidth - b.clientWidth)"""
CELLS = """() => [...document.querySelectorAll('table.stacked td[data-label]')]
  .map(td => [td.dataset.label, getComputedStyle(td, '::before').content, getComputedStyle(td).display,
    td.innerHTML === ''])"""
STACKED_PAGES = (
    "/country/CHN",
    "/id/cluster/amz",  # a four-column targets table (with "Targeted by")
    "/id/project/open-hybrid-labfactory-asia-pacific",
    "/id/project/sinni",
)


@pytest.fixture(scope="module")
def server(built_project: Path) -> Iterator[str]:
    with running_server(built_project) as root:
        yield root


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize("width", [390, 1280])
def test_in_chromium_tables_stack_on_phones_and_region_hatching_shows(server: str, width: int) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.add_init_script(WATCH_CSP)
            errors: list[str] = []
            page.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            for path in STACKED_PAGES:
                assert page.goto(server + path).status == 200, path
                assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
                cells = page.evaluate(CELLS)
                assert cells, path
                if width == 390:  # cards: nothing scrolls inside its box, each cell under its heading
                    assert all(scroll <= 0 for scroll in page.evaluate(TABLES)), path
                    for name, css, shown, empty in cells:  # an empty cell is left out of the card
                        assert css == f'"{name}"' and shown == ("none" if empty else "block"), path
                    assert not page.locator("table.stacked thead").first.is_visible()
                else:  # a table as usual
                    assert all(css == "none" and shown == "table-cell" for _, css, shown, _ in cells), path
                    assert page.locator("table.stacked thead").first.is_visible()
                assert page.evaluate("window.__violations") == [], path
            fill = "getComputedStyle(document.querySelector('path[data-country=CHN]')).fill"
            page.goto(server + "/id/project/open-hybrid-labfactory-asia-pacific")
            assert page.evaluate(fill) == 'url("#targets-map-hatch")'  # no CSS fill covers the pattern
            assert errors == []
        finally:
            browser.close()
