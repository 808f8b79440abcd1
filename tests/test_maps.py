"""Country geometry (clusterkg.geo) and the SVG maps and charts drawn from it."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clusterkg import geo
from clusterkg.errors import GeoDataError
from clusterkg.serve import create_app
from clusterkg.settings import Settings

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"


def test_packaged_outlines_are_the_natural_earth_files() -> None:
    for name in (geo.MAP_FILE, geo.DETAIL_FILE):
        source = STANDARDS / "geo" / name
        if source.exists():
            assert (geo.GEO_DIR / name).read_bytes() == source.read_bytes()
    assert (geo.GEO_DIR / "LICENSE-world-atlas.txt").exists()


def test_every_outline_gets_its_iso_alpha3_code() -> None:
    topology = json.loads((geo.GEO_DIR / geo.MAP_FILE).read_text(encoding="utf-8"))
    numbered = [g for g in topology["objects"]["countries"]["geometries"] if "id" in g]
    names = geo.country_names()
    assert names["DEU"] == "Germany" and names["USA"] == "United States of America"
    assert names["XKX"] == "Kosovo"
    # Every numbered outline has a code; the 110m file has 175 distinct countries with codes.
    assert len(geo.countries()) == len({g["id"] for g in numbered}) + 1
    with (geo.GEO_DIR / "iso-numeric.csv").open(encoding="utf-8") as f:
        table = {row["numeric"]: row["alpha3"] for row in csv.DictReader(f)}
    assert table["276"] == "DEU" and table["250"] == "FRA"


def test_bboxes_contain_known_places() -> None:
    west, south, east, north = geo.country_bbox("DEU")
    assert west < 13.4 < east and south < 52.5 < north  # Berlin
    assert 5.5 < west < 6.2 and 54.8 < north < 55.2  # Germany's westernmost and northernmost points
    # Small countries come from the 1:50m file: Malta and Singapore are not in 1:110m.
    assert not geo.has_country("MLT", geo.MAP_FILE) and geo.has_country("MLT")
    west, south, east, north = geo.country_bbox("SGP")
    assert west < 103.85 < east and south < 1.29 < north
    box = geo.countries_bbox(["PRT", "FIN"])
    assert box[0] < -9 and box[3] > 70
    with pytest.raises(GeoDataError, match="ZZZ"):
        geo.country_bbox("ZZZ")
    with pytest.raises(GeoDataError):
        geo.countries_bbox([])


def test_centroids_sit_in_the_mainland() -> None:
    lon, lat = geo.country_centroid("FRA")
    assert 1 < lon < 4 and 45 < lat < 48  # mainland France, not between it and its overseas parts
    lon, lat = geo.country_centroid("RUS")
    assert 80 < lon < 110 and 55 < lat < 70  # the polygon across 180° is unwrapped
    lon, lat = geo.country_centroid("USA")
    assert -105 < lon < -90 and 35 < lat < 45
    box = geo.country_bbox("FRA", largest_only=True)
    assert box[0] > -6 and box[1] > 41


def test_frame_projects_into_its_box() -> None:
    frame = geo.Frame((-180, -58, 180, 84), 800)
    x, y = frame.point(0, 0)
    assert x == pytest.approx(400) and 0 < y < frame.height
    assert frame.point(-180, 0)[0] == pytest.approx(0, abs=1e-6)
    assert frame.point(180, 0)[0] == pytest.approx(800)
    assert frame.point(13.4, 52.5)[1] < frame.point(13.4, 40)[1]  # north is up
    path = frame.path(geo.countries()["DEU"])
    assert path.startswith("M") and path.endswith("z")


# ---------------------------------------------------------------- pages of the real data

REPO = Path(__file__).resolve().parents[1]
COUNTRY_IRI = "http://publications.europa.eu/resource/authority/country/"


def _csv(name: str) -> list[dict[str, str]]:
    with (REPO / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _iso3(name: str) -> str:
    """The source's country name resolved independently of the mapping: aliases, then the table."""
    aliases = {r["alias"].lower(): r["iso3"] for r in _csv("sources/country_aliases.csv")}
    table = {r["name"]: r["iso3"] for r in _csv("reference/country_names.csv")}
    return aliases.get(name.lower()) or table[name.lower()]


def expected_targets(column: str, key: str) -> set[tuple[str, str]]:
    """(alpha-3, phase type or "") of the country targets target_markets.csv records for a project
    or partnership."""
    phases = {r["key"]: r["phase_type"] for r in _csv("sources/phases.csv")}
    return {
        (_iso3(r["country"]), phases.get(r["phase"], ""))
        for r in _csv("sources/target_markets.csv")
        if r[column] == key and r["country"]
    }


class Cells(HTMLParser):
    """Rows of one table (by class), each cell as (text, titles of its links); and every tag
    opened and closed, to check the page is well formed."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "rect", "path", "circle"})

    def __init__(self, table_class: str) -> None:
        super().__init__()
        self.table_class, self.depth, self.rows = table_class, 0, []  # type: ignore[var-annotated]
        self.stack: list[str] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "table" and self.table_class in (values.get("class") or "").split():
            self.depth = len(self.stack)
        if self.depth and tag == "tr":
            self.rows.append([])
        if self.depth and tag == "td":
            self.cell = ["", ""]
            self.rows[-1].append(self.cell)
        if self.cell is not None and tag == "a":
            self.cell[1] += values.get("title") or ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        if tag == "table" and len(self.stack) == self.depth:
            self.depth = 0
        if tag == "td":
            self.cell = None
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[0] += data


def table_rows(page: str, table_class: str) -> list[list[list[str]]]:
    parser = Cells(table_class)
    parser.feed(page)
    parser.close()
    assert parser.stack == [], f"unclosed tags: {parser.stack}"
    return [row for row in parser.rows if row]  # the header row has no <td>


def shaded(page: str) -> dict[str, str]:
    """alpha-3 -> shade of every country the page's maps shade (outlines and dots)."""
    found = re.findall(r'class="(?:land|marker) shade-([a-z]+)" data-country="([A-Z]{3})"', page)
    return {code: shade for shade, code in found}


@pytest.fixture(scope="module")
def real(built_project: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(environ={}, project_dir=built_project, query_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def test_project_page_lists_each_target_per_phase_and_shades_the_map(real: TestClient) -> None:
    page = real.get("/id/project/sinni", headers={"Accept": "text/html"}).text
    rows = table_rows(page, "targets")
    got = {(cells[0][1].removeprefix(COUNTRY_IRI), cells[1][0]) for cells in rows}
    phase_text = {"concept": "concept phase", "implementation": "implementation phase"}
    expected = {(code, phase_text[phase]) for code, phase in expected_targets("project", "sinni")}
    assert got == expected and len(rows) == len(expected) == 10  # each target once
    # The map: in both phases, concept only, implementation only (from the source records).
    assert shaded(page) == {
        "ESP": "both", "GBR": "both", "JPN": "both",
        "CAN": "concept", "CHN": "concept", "FRA": "concept",
        "ZAF": "implementation",
    }  # fmt: skip
    assert '<title id="targets-map">' in page and 'class="legend"' in page
    # Countries by their EU authority label, not by IRI or code.
    assert ">South Africa</a>" in page or ">ZAF</a>" in page


def test_partnership_page_targets_partners_and_figures_read_naturally(real: TestClient) -> None:
    page = real.get("/id/partnership/natureef", headers={"Accept": "text/html"}).text
    rows = table_rows(page, "targets")
    countries = {cells[0][1].removeprefix(COUNTRY_IRI) for cells in rows if COUNTRY_IRI in cells[0][1]}
    assert countries == {code for code, _ in expected_targets("partnership", "natureef")}
    assert {"AUS", "CHN", "IND", "NZL"} == countries
    assert any("south-america" in cells[0][1] for cells in rows)  # the region is in the table
    assert set(shaded(page).values()) == {"unphased"}  # partnerships have no phases
    assert "^^" not in page  # typed values read as values; the datatype is only in the title
    assert '<span class="literal number" title="xsd:integer">10</span>' in page
    properties = table_rows(page, "properties")
    assert len({cells[0][0] for cells in properties}) == len(properties)  # one row per property
    assert not any(cells[0][1].endswith("#partnerCountry") for cells in properties)  # stated once:
    facts = re.search(r'<dl class="facts key-facts">(.*?)</dl>', page)  # in the key facts
    assert facts is not None and "#partnerCountry" in facts.group(1)
    assert facts.group(1).count(f'title="{COUNTRY_IRI}') == 10
    assert facts.group(1).count('href="/country/') == 10  # each country's page here, not the authority's


def test_project_partners_and_german_page(real: TestClient) -> None:
    page = real.get("/id/project/sinni", headers={"Accept": "text/html", "Accept-Language": "de"}).text
    partners = table_rows(page, "partners")
    members = [r for r in _csv("sources/memberships.csv") if r["project"] == "sinni"]
    assert len(partners) == len(members) == 7
    assert '<h2 id="targets">Zielmärkte</h2>' in page and '<td data-label="Phase">Konzeptphase</td>' in page
    assert "Map of" not in page and "Karte der Zielländer" in page
    for table_class in ("targets", "partners", "properties", "incoming"):
        rows = [tuple(tuple(c) for c in r) for r in table_rows(page, table_class)]
        assert len(rows) == len(set(rows)), f"a row of {table_class} appears twice"


def test_figures_read_as_numbers_in_the_page_language(real: TestClient) -> None:
    figures = [r for r in _csv("sources/figures.csv") if r["cluster"] == "hamburg-aviation"]
    employees = next(r for r in figures if r["measure"] == "employees")
    assert (employees["value"], employees["qualifier"]) == ("40000", "more-than")
    for lang, shown in (("en", "more than 40,000"), ("de", "mehr als 40.000")):
        page = real.get(
            "/id/cluster/hamburg-aviation", headers={"Accept": "text/html", "Accept-Language": lang}
        )
        rows = table_rows(page.text, "figures")
        assert len(rows) == len(figures)
        values = {cells[0][0]: " ".join(cells[1][0].split()) for cells in rows}
        assert values["employees"] == shown and values["world-rank-civil-aviation-location"] == "3"


def test_cluster_page_shows_the_targets_of_its_projects(real: TestClient) -> None:
    page = real.get("/id/cluster/amz", headers={"Accept": "text/html"}).text
    rows = table_rows(page, "targets")
    assert {cells[0][1].removeprefix(COUNTRY_IRI) for cells in rows} >= {"USA"}
    assert all(cells[3][1].startswith("https://w3id.org/clusterkg/id/") for cells in rows)  # via column
    assert 'id="takes-part"' in page and "/id/project/tada" in page


def test_home_page_charts_the_most_targeted_countries_and_maps_every_target(real: TestClient) -> None:
    page = real.get("/", headers={"Accept": "text/html"}).text
    table_rows(page, "class-counts")  # well formed
    by_country: dict[str, set[str]] = {}
    for r in _csv("sources/target_markets.csv"):
        if r["country"]:
            by_country.setdefault(_iso3(r["country"]), set()).add(r["project"] or r["partnership"])
    bar = r'href="/country/([A-Z]{3})"><g class="bar">.*?class="bar-value"[^>]*>(\d+)<'
    bars = re.findall(bar, page)
    assert len(bars) == 15
    counts = [int(n) for _, n in bars]
    assert counts == sorted(counts, reverse=True)
    for code, n in bars:
        assert len(by_country[code]) == int(n), code
    assert max(len(v) for v in by_country.values()) == counts[0]
    assert set(shaded(page)) == set(by_country)  # every target country on the world map
    assert 'action="/queries/find-by-label"' in page


def test_number_and_date_formats() -> None:
    from clusterkg.serve.values import format_date, format_number

    assert format_number("330000", "de") == "330.000" and format_number("330000", "en") == "330,000"
    assert format_number("2019", "de") == "2019" and format_number("1.50", "de") == "1,5"
    assert format_number("-1234567.25", "en") == "-1,234,567.25"
    assert format_date("2026-11-21", "de") == "21. November 2026"
    assert (
        format_date("2020-03-01", "en") == "1 March 2020"
        and format_date("2020-03-01", "de") == "1. März 2020"
    )


def test_maps_escape_and_legend_only_what_is_used() -> None:
    from clusterkg.serve.maps import Bar, Shaded, bar_chart, target_map

    svg = target_map({"DEU": Shaded("concept", "<b>&</b>"), "SGP": Shaded("both", "x")}, "en", 'a "title"')
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg and "a &quot;title&quot;" in svg
    assert 'class="marker shade-both" data-country="SGP"' in svg  # too small for 1:110m: a dot
    assert "concept phase" in svg and "both phases" in svg and "no phase stated" not in svg
    chart = bar_chart([Bar("<x>", "/a?b=1&c=2", 3)], "t")
    assert "&lt;x&gt;" in chart and 'href="/a?b=1&amp;c=2"' in chart


def test_countries_of_a_targeted_region_are_hatched_on_the_map(real: TestClient) -> None:
    project = "open-hybrid-labfactory-asia-pacific"
    page = real.get(f"/id/project/{project}", headers={"Accept": "text/html"}).text
    direct = {code: phase for code, phase in expected_targets("project", project)}
    regions = {
        r["region"] for r in _csv("sources/target_markets.csv") if r["project"] == project and r["region"]
    }
    included = {r["country_code"] for r in _csv("sources/region_countries.csv") if r["region"] in regions}
    assert direct == {"SGP": "implementation"} and included == {"CHN", "AUS", "SGP"}
    # Targeted itself: its phase; only in the region: hatched; the legend says which is which.
    assert shaded(page) == {"SGP": "implementation", "CHN": "region", "AUS": "region"}
    assert '<pattern id="targets-map-hatch"' in page
    assert page.count('fill="url(#targets-map-hatch)"') == 3  # two countries and the legend's swatch
    assert "in a targeted region</li>" in page and "China: in the targeted region Asia-Pacific" in page
    # The table names the region with the countries it includes, each linked to its page.
    region_cell = next(cells[0] for cells in table_rows(page, "targets") if "asia-pacific" in cells[0][1])
    assert region_cell[0] == "Asia-Pacific (including Australia, China, Singapore)"
    assert all(f'href="/country/{code}"' in page for code in included)


def test_domain_tables_label_every_cell_for_small_screens(real: TestClient) -> None:
    page = real.get("/id/project/sinni", headers={"Accept": "text/html"}).text
    for table_class in ("targets", "partners"):
        match = re.search(rf'<table class="{table_class} stacked">(.*?)</table>', page)
        assert match is not None, table_class
        headers = re.findall(r"<th>(.*?)</th>", match.group(1))
        for row in re.findall(r"<tr>(<td.*?)</tr>", match.group(1)):
            assert re.findall(r'<td data-label="([^"]*)">', row) == headers
    css = (REPO / "src/clusterkg/serve/static/style.css").read_text()
    assert "table.stacked td[data-label]::before { content: attr(data-label);" in css


def test_a_region_page_maps_the_countries_it_includes(real: TestClient) -> None:
    for region in ("asia-pacific", "big-c-region"):
        included = {r["country_code"] for r in _csv("sources/region_countries.csv") if r["region"] == region}
        page = real.get(f"/id/region/{region}", headers={"Accept": "text/html", "Accept-Language": "de"}).text
        assert included and shaded(page) == dict.fromkeys(included, "region"), region
        assert '<h2 id="includes">' in page and "in dieser Region</li>" in page
        ids = re.findall(r' id="([^"]+)"', page)
        assert len(ids) == len(set(ids))  # the heading and the map's title are told apart
    assert '<h2 id="includes">' not in real.get("/id/project/sinni", headers={"Accept": "text/html"}).text
