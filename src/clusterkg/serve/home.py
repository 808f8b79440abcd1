"""The home page: what the dataset is (title, description, licence, version and release date from
the release's catalogue), a search box over the label search, the most-targeted countries as a
chart and every target on a map, per phase, then the classes it holds."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from ..namespaces import CKG, DCAT, DCT, EU_COUNTRY, RDF, RDFS
from ..store.export import read_rdf_files
from .cache import Cached
from .domain import PHASE_KEYS, place_name, shaded_countries
from .html import esc, iri_link, layout, link, table
from .i18n import say, ui_language
from .maps import Bar, bar_chart, target_map
from .negotiation import labels_by_language, pick_label, request_languages
from .query_page import result_labels
from .values import format_date, format_number

if TYPE_CHECKING:
    from . import ServeContext

Row = dict[str, Any]
VARY = "Accept-Language, Cookie, Authorization"
TOP_COUNTRIES = 15
CLASS_COUNTS = f"""SELECT ?c ?n ?label WHERE {{
  {{ SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c }} GROUP BY ?c }}
  OPTIONAL {{ ?c <{RDFS}label> ?label }}
}} ORDER BY DESC(?n) ?c"""
MOST_TARGETED = f"""SELECT ?country (COUNT(DISTINCT ?targeter) AS ?n) WHERE {{
  ?target <{CKG}targetCountry> ?country ; <{CKG}targetOf> ?targeter .
}} GROUP BY ?country ORDER BY DESC(?n) ?country LIMIT {TOP_COUNTRIES}"""
TARGET_PHASES = f"""SELECT DISTINCT ?country ?phaseType WHERE {{
  ?target <{CKG}targetCountry> ?country .
  OPTIONAL {{ ?target <{CKG}inPhase>/<{CKG}phaseType> ?phaseType }}
}} LIMIT 5000"""
REGION_COUNTRIES = f"""SELECT DISTINCT ?region ?country WHERE {{
  ?target <{CKG}targetRegion> ?region . ?region <{CKG}includesCountry> ?country .
}} LIMIT 5000"""
SEARCH_QUERY = "/queries/find-by-label"


async def home(context: ServeContext, request: Request) -> Response:
    private = context.is_private(request)
    languages = request_languages(request.headers, request.cookies)
    catalog = context.settings.dumps_dir / "catalog.ttl"
    stamp = catalog.stat().st_mtime_ns if catalog.is_file() else 0

    async def produce() -> Cached:
        lang = ui_language(languages)
        facts = await anyio.to_thread.run_sync(release_facts, catalog, languages)
        rows = {
            name: (await context.select_rows(query, private=private, lookup=True)).rows
            for name, query in (
                ("classes", CLASS_COUNTS),
                ("top", MOST_TARGETED),
                ("phases", TARGET_PHASES),
                ("regions", REGION_COUNTRIES),
            )
        }
        labels = await result_labels(
            context, request, rows["top"] + rows["phases"] + rows["regions"], private
        )
        body = "".join(
            [
                _about(context, facts, lang),
                _search(lang),
                _chart(rows["top"], context, labels, lang),
                # Drawing the map takes tens of milliseconds: off the event loop.
                await anyio.to_thread.run_sync(_map, rows["phases"], rows["regions"], context, labels, lang),
                _classes(rows["classes"], context, languages, lang),
            ]
        )
        page = layout(facts.get("title") or say(lang, "home.title"), body, lang=lang, here="/")
        return Cached(page.encode(), "text/html; charset=utf-8")

    key = ("home", tuple(languages), stamp)
    return await context.cached(request, key, produce, private=private, vary=VARY)


def release_facts(catalog: Path, languages: list[str]) -> dict[str, str]:
    """Title, description, version, issue date, licence and rights of the released dataset, as
    the catalogue `clusterkg publish` wrote says them (empty when there is no release)."""
    if not catalog.is_file():
        return {}
    _, rows = read_rdf_files([catalog])
    by_subject: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_subject[row["subject"]["value"]][row["predicate"]["value"]].append(row["object"])
    dataset = next(
        (
            s
            for s, props in by_subject.items()
            if any(o["value"] == DCAT + "Dataset" for o in props[RDF + "type"])
        ),
        None,
    )
    if dataset is None:
        return {}
    props = by_subject[dataset]

    def text(prop: str, subject: dict[str, list[Row]] = props) -> str:
        values = {o.get("xml:lang", ""): o["value"] for o in subject.get(prop, []) if o["type"] == "literal"}
        return pick_label(values, languages) or ""

    licences = [
        o["value"]
        for d in props.get(DCAT + "distribution", [])
        for o in by_subject[d["value"]][DCT + "license"]
    ]
    rights = [
        o["value"]
        for d in props.get(DCAT + "distribution", [])
        for o in by_subject[d["value"]][DCT + "rights"]
    ]
    facts = {
        "title": text(DCT + "title"),
        "description": text(DCT + "description"),
        "version": text(DCAT + "version"),
        "issued": text(DCT + "issued"),
        "licence": (props.get(DCT + "license") and props[DCT + "license"][0]["value"])
        or min(licences, default=""),
        "rights": text(RDFS + "label", by_subject[min(rights)]) if rights else "",
    }
    return {k: v for k, v in facts.items() if v}


def licence_name(iri: str) -> str:
    """`CC_BY_4_0` of the EU licence table as people write it: CC BY 4.0."""
    code = iri.rstrip("/").rsplit("/", 1)[-1]
    match = re.fullmatch(r"([A-Za-z_-]+?)_?((?:\d+_)*\d+)?", code)
    if not match:
        return code
    words, number = match.group(1).replace("_", " ").replace("-", " "), match.group(2)
    return f"{words} {number.replace('_', '.')}" if number else words


def _about(context: ServeContext, facts: dict[str, str], lang: str) -> str:
    settings = context.settings
    version = facts.get("version") or settings.release_version
    issued = facts.get("issued") or settings.release_date
    rows = [
        (say(lang, "home.version"), esc(version)),
        (say(lang, "home.issued"), esc(format_date(issued, lang))),
    ]
    if "licence" in facts:
        rows.append(
            (say(lang, "home.licence"), iri_link(facts["licence"], context, licence_name(facts["licence"])))
        )
    if settings.dumps_dir.is_dir():
        downloads = " · ".join(
            [
                link("/dumps/", say(lang, "nav.dumps")),
                link("/catalog", "DCAT-AP"),
                link("/.well-known/void", "VoID"),
            ]
        )
        rows.append((say(lang, "home.downloads"), downloads))
    facts_html = "".join(f"<dt>{esc(name)}</dt><dd>{value}</dd>" for name, value in rows)
    rights = f'<p class="rights">{esc(facts["rights"])}</p>' if "rights" in facts else ""
    return (
        f"<h1>{esc(facts.get('title') or say(lang, 'home.title'))}</h1>"
        f"<p>{esc(facts.get('description') or say(lang, 'home.about'))}</p>"
        f'<dl class="facts">{facts_html}</dl>{rights}'
    )


def _search(lang: str) -> str:
    return (
        f'<form class="search" role="search" method="get" action="{SEARCH_QUERY}">'
        f'<label for="search-text">{esc(say(lang, "home.search"))}</label> '
        f'<input id="search-text" type="search" name="text" required minlength="1" '
        f'placeholder="{esc(say(lang, "home.search_hint"))}">'
        f'<button type="submit">{esc(say(lang, "home.search_button"))}</button></form>'
    )


def _chart(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    bars = [
        Bar(
            place_name(r["country"]["value"], labels),
            context.href(r["country"]["value"]),  # the country's page: who targets it, per phase
            int(r["n"]["value"]),
        )
        for r in rows
        if "country" in r
    ]
    if not bars:
        return ""
    title = say(lang, "home.chart_title", count=len(bars))
    value_text = say(lang, "home.chart_value")
    every = f"<p>{link('/country/', say(lang, 'country.all'))}</p>"
    return (
        f'<h2 id="most-targeted">{esc(title)}</h2>'
        + bar_chart(bars, title, value_text, "chart-targets")
        + every
    )


def _map(
    rows: list[Row], region_rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str
) -> str:
    """Every targeted country by its phases; a country only a targeted region includes, hatched."""
    phases: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        country = row["country"]["value"]
        if country.startswith(EU_COUNTRY):
            phases[country].add(PHASE_KEYS.get(row.get("phaseType", {}).get("value", ""), ""))
    regions: dict[str, set[str]] = defaultdict(set)
    for row in region_rows:
        regions[row["country"]["value"]].add(row["region"]["value"])
    countries = shaded_countries(phases, regions, context, labels, lang)
    if not countries:
        return ""
    title = say(lang, "home.map_title")
    return f'<h2 id="all-targets">{esc(title)}</h2>' + target_map(
        countries, lang, title, world=True, ident="map-all-targets"
    )


def _classes(rows: list[Row], context: ServeContext, languages: list[str], lang: str) -> str:
    labels = labels_by_language(rows, "c")
    counts = {row["c"]["value"]: row["n"]["value"] for row in rows}
    cells = [
        [
            iri_link(c, context, pick_label(labels.get(c, {}), languages)),
            f'<span class="literal number">{esc(format_number(n, lang))}</span>',
            link(f"/browse?class={quote(c, safe='')}", say(lang, "home.list")),
        ]
        for c, n in counts.items()
    ]
    headers = [say(lang, "resource.class"), say(lang, "resource.instances"), ""]
    return f'<h2 id="classes">{esc(say(lang, "home.classes"))}</h2><div class="table-scroll">' + (
        table(headers, cells, "class-counts") + "</div>"
    )
