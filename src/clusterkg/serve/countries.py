"""Country pages: /country/JPN is the page of the EU authority's country IRI
http://publications.europa.eu/resource/authority/country/JPN, which is not under our base.

The page answers "what does the graph say about Japan?": its names (reference graph), ISO codes,
continent and the regions that include it, a small map, who targets it in which phase (directly
or through a region that includes it), which partnerships and projects have partners there, and
the organisations and outcomes located there. RDF clients get the country's description, by the
same content negotiation as resource pages. Links to a country IRI lead here (ServeContext.href).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ..errors import NotFound
from ..namespaces import CKG, EU_COUNTRY, ORG, RDFS, SKOS
from .cache import Cached
from .domain import PHASE_KEYS, PHASE_ORDER, linked, table_section
from .html import esc, layout, link
from .i18n import say, ui_language
from .maps import Shaded, target_map
from .negotiation import pick_label, request_languages
from .query_page import result_labels
from .resources import RDF_TYPES, VARY, negotiate, rdf_alternates, resource_rdf

if TYPE_CHECKING:
    from . import ServeContext

Row = dict[str, Any]
CODE = re.compile(r"[A-Z]{3}")
NOTATION = SKOS + "notation"
DESCRIPTION = "SELECT ?this ?p ?o WHERE { ?this ?p ?o } LIMIT 2000"
TARGETED = f"""SELECT DISTINCT ?this ?target ?via ?region ?phaseType ?certainty ?cluster WHERE {{
  {{ ?target <{CKG}targetCountry> ?this }}
  UNION {{ ?target <{CKG}targetRegion> ?region . ?region <{CKG}includesCountry> ?this }}
  ?target <{CKG}targetOf> ?via .
  OPTIONAL {{ ?target <{CKG}inPhase>/<{CKG}phaseType> ?phaseType }}
  OPTIONAL {{ ?target <{CKG}certainty> ?certainty }}
  OPTIONAL {{ {{ ?via <{CKG}runBy> ?cluster }}
    UNION {{ ?m <{CKG}membershipOf> ?via ; <{ORG}member> ?cluster . ?cluster a <{CKG}Cluster> }} }}
}} LIMIT 2000"""
PARTNERED = f"""SELECT DISTINCT ?this ?initiative ?member WHERE {{
  {{ ?initiative <{CKG}partnerCountry> ?this }}
  UNION {{ ?member <{CKG}country> ?this . ?m <{ORG}member> ?member ; <{CKG}membershipOf> ?initiative }}
}} LIMIT 2000"""
LOCATED = f"""SELECT DISTINCT ?this ?thing ?kind ?type ?of WHERE {{
  ?thing <{CKG}country> ?this .
  {{ ?thing a <{ORG}Organization> BIND("organisation" AS ?kind) }}
  UNION {{ ?thing a <{CKG}Outcome> BIND("outcome" AS ?kind)
    OPTIONAL {{ ?thing a ?type FILTER(STRSTARTS(STR(?type), "{CKG}") && ?type != <{CKG}Outcome>) }}
    OPTIONAL {{ ?thing <{CKG}outcomeOf> ?of }} }}
}} LIMIT 2000"""
REGIONS = f"SELECT ?this ?region WHERE {{ ?region <{CKG}includesCountry> ?this }} LIMIT 200"
COUNTRIES = f"""SELECT ?country ?continent (COUNT(DISTINCT ?via) AS ?n) WHERE {{
  ?country <{SKOS}inScheme> <{EU_COUNTRY.rstrip("/")}> .
  OPTIONAL {{ ?country <{CKG}continent> ?continent }}
  OPTIONAL {{ ?target <{CKG}targetCountry> ?country ; <{CKG}targetOf> ?via }}
}} GROUP BY ?country ?continent LIMIT 1000"""
QUERIES = (
    ("description", DESCRIPTION),
    ("targeted", TARGETED),
    ("partnered", PARTNERED),
    ("located", LOCATED),
    ("regions", REGIONS),
)


@dataclass(frozen=True)
class Targeting:
    """One row of "target market of": who, in which phase and certainty, through which region."""

    via: str
    phase: str
    certainty: str
    region: str


async def country_page(context: ServeContext, request: Request) -> Response:
    """GET /country/{code}: the country's page in HTML, or its description in RDF."""
    code = request.path_params["code"]
    if not CODE.fullmatch(code):
        if CODE.fullmatch(code.upper()):
            return RedirectResponse("/country/" + code.upper(), 301)  # jpn -> JPN
        raise NotFound(
            f"no country page for {code[:20]!r}: a country is named by its ISO 3166 alpha-3 code",
            hint="e.g. /country/JPN",
        )
    media_type = negotiate(request)
    if media_type is None:
        return PlainTextResponse(
            "Not acceptable: pages come as text/html, " + ", ".join(RDF_TYPES) + "\n", 406
        )
    iri = EU_COUNTRY + code
    private = context.is_private(request)
    languages = request_languages(request.headers, request.cookies)

    async def produce() -> Cached:
        if media_type != "text/html":
            return await resource_rdf(context, iri, private, RDF_TYPES[media_type], media_type)
        return await country_html(context, request, code, private, languages)

    key = ("country", iri, media_type, tuple(languages) if media_type == "text/html" else ())
    return await context.cached(request, key, produce, private=private, vary=VARY)


async def country_index(context: ServeContext, request: Request) -> Response:
    """GET /country/: every country the graph names, by continent, with how often it is targeted."""
    private = context.is_private(request)
    languages = request_languages(request.headers, request.cookies)

    async def produce() -> Cached:
        lang = ui_language(languages)
        rows = (await context.select_rows(COUNTRIES, private=private, lookup=True)).rows
        labels = await result_labels(context, request, rows, private)
        by_continent: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            continent = row.get("continent", {}).get("value", "")
            by_continent[continent][row["country"]["value"]] = int(row["n"]["value"])
        sections = []
        for continent in sorted(by_continent, key=lambda c: (not c, (labels.get(c) or c).lower())):
            countries = by_continent[continent]
            heading = labels.get(continent) or say(lang, "country.other_continent")
            items = "".join(
                f"<li>{linked(c, context, labels.get(c))} ({countries[c]})</li>"
                for c in sorted(countries, key=lambda c: (labels.get(c) or c).lower())
            )
            sections.append(f'<h2>{esc(heading)}</h2><ul class="countries">{items}</ul>')
        title = say(lang, "country.index_title")
        body = f"<h1>{esc(title)}</h1><p>{esc(say(lang, 'country.index_intro'))}</p>" + "".join(sections)
        return Cached(layout(title, body, lang=lang, here="/country/").encode(), "text/html; charset=utf-8")

    key = ("countries", tuple(languages))
    return await context.cached(request, key, produce, private=private, vary="Accept-Language, Cookie")


async def country_html(
    context: ServeContext, request: Request, code: str, private: bool, languages: list[str]
) -> Cached:
    """The HTML page of the country `code`; NotFound when the graph does not know it."""
    iri = EU_COUNTRY + code
    found: dict[str, list[Row]] = {}
    for name, query in QUERIES:
        found[name] = (
            await context.select_rows(query, private=private, substitutions={"this": f"<{iri}>"}, lookup=True)
        ).rows
    if not found["description"]:
        raise NotFound(
            f"no country {code} in this dataset", hint="country pages exist for the countries it names"
        )
    lang = ui_language(languages)
    labels = await result_labels(context, request, [r for rows in found.values() for r in rows], private)
    names = _names(found["description"])
    title = pick_label(names, languages) or code
    # Drawing the map takes tens of milliseconds: off the event loop.
    body = await anyio.to_thread.run_sync(country_body, code, title, names, found, context, labels, lang)
    page = layout(title, body, lang=lang, here=request.url.path)
    return Cached(page.encode(), "text/html; charset=utf-8")


def country_body(
    code: str,
    title: str,
    names: dict[str, str],
    found: dict[str, list[Row]],
    context: ServeContext,
    labels: dict[str, str],
    lang: str,
) -> str:
    """The page's content: heading and identifier, facts, names, map, then the domain sections."""
    iri = EU_COUNTRY + code
    sections = [
        targeted_html(found["targeted"], context, labels, lang),
        partnered_html(found["partnered"], context, labels, lang),
        located_html(found["located"], context, labels, lang),
    ]
    shown = "".join(s for s in sections if s) or f'<p class="empty">{esc(say(lang, "country.empty"))}</p>'
    here = {code: Shaded("here", title)}
    return (
        f'<h1>{esc(title)}</h1><p class="iri"><code>{esc(iri)}</code></p>'
        f'<p class="types">{esc(say(lang, "country.kind"))}</p>'
        + _facts(iri, found, context, labels, lang)
        + _names_html(names, lang)
        + target_map(here, lang, say(lang, "country.map_title", name=title), ident="country-map", css="small")
        + shown
        + f"<p>{link('/country/', say(lang, 'country.all'))}</p>"
        + rdf_alternates("/country/" + code, lang)
    )


def _names(description: list[Row]) -> dict[str, str]:
    """The country's names by language tag (skos:prefLabel, else rdfs:label)."""
    names: dict[str, str] = {}
    for prop in (SKOS + "prefLabel", RDFS + "label"):
        for row in description:
            if row["p"]["value"] == prop and row["o"]["type"] == "literal":
                names.setdefault(row["o"].get("xml:lang", ""), row["o"]["value"])
    return names


def _facts(
    iri: str, found: dict[str, list[Row]], context: ServeContext, labels: dict[str, str], lang: str
) -> str:
    """Same as (the authority IRI, linked out), ISO codes, continent, the regions that include it."""
    description = found["description"]
    codes = sorted({r["o"]["value"] for r in description if r["p"]["value"] == NOTATION}, key=len)
    continents = sorted({r["o"]["value"] for r in description if r["p"]["value"] == CKG + "continent"})
    regions = sorted(
        {r["region"]["value"] for r in found["regions"]}, key=lambda r: (labels.get(r) or r).lower()
    )
    facts = [("country.same_as", link(iri, say(lang, "country.authority"), external=True))]
    if codes:
        facts.append(("country.codes", " · ".join(f"<code>{esc(c)}</code>" for c in codes)))
    if continents:
        facts.append(("country.continent", ", ".join(_out(c, labels) for c in continents)))
    if regions:
        facts.append(("country.in_regions", ", ".join(linked(r, context, labels.get(r)) for r in regions)))
    items = "".join(f"<dt>{esc(say(lang, key))}</dt><dd>{value}</dd>" for key, value in facts)
    return f'<dl class="facts key-facts">{items}</dl>'


def _out(iri: str, labels: dict[str, str]) -> str:
    """A link out to an IRI of another authority (the EU continent table), by its label."""
    return link(iri, labels.get(iri) or iri.rsplit("/", 1)[-1], external=True).replace(
        "<a ", f'<a title="{esc(iri)}" ', 1
    )


def _names_html(names: dict[str, str], lang: str) -> str:
    """Every name the reference graph gives, folded: one per language."""
    if len(names) < 2:
        return ""
    items = "".join(
        f'<li><span lang="{esc(tag)}">{esc(name)}</span> <span class="lang">{esc(tag)}</span></li>'
        for tag, name in sorted(names.items())
    )
    summary = esc(say(lang, "country.names", count=len(names)))
    return f'<details class="names"><summary>{summary}</summary><ul class="names">{items}</ul></details>'


def targeted_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """Who targets the country, per phase: the project or partnership, its certainty, the region it
    names (when the country is targeted through a region) and the clusters behind it."""
    clusters: dict[Targeting, set[str]] = defaultdict(set)
    for row in rows:
        targeting = Targeting(
            row["via"]["value"],
            PHASE_KEYS.get(row.get("phaseType", {}).get("value", ""), ""),
            row.get("certainty", {}).get("value", ""),
            row.get("region", {}).get("value", ""),
        )
        clusters[targeting].update([row["cluster"]["value"]] if "cluster" in row else [])
    if not clusters:
        return ""

    def order(t: Targeting) -> tuple[int, str, str]:
        return (PHASE_ORDER[t.phase], (labels.get(t.via) or t.via).lower(), t.region)

    cells = [
        [
            linked(t.via, context, labels.get(t.via)) + _via_region(t.region, context, labels, lang),
            esc(say(lang, "map.shade." + (t.phase or "unphased"))),
            linked(t.certainty, context, labels.get(t.certainty)) if t.certainty else "",
            ", ".join(
                linked(c, context, labels.get(c))
                for c in sorted(clusters[t], key=lambda c: (labels.get(c) or c).lower())
            ),
        ]
        for t in sorted(clusters, key=order)
    ]
    headers = [
        say(lang, k) for k in ("country.targeter", "targets.phase", "targets.certainty", "country.clusters")
    ]
    return table_section("targeted-by", say(lang, "country.targets"), headers, cells, "country-targets")


def _via_region(region: str, context: ServeContext, labels: dict[str, str], lang: str) -> str:
    if not region:
        return ""
    text = esc(say(lang, "country.via_region", region="\0")).replace(
        "\0", linked(region, context, labels.get(region))
    )
    return f' <span class="includes">({text})</span>'


def partnered_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """Partnerships and projects with partners in the country, and those partners where named."""
    members: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        members[row["initiative"]["value"]].update([row["member"]["value"]] if "member" in row else [])
    if not members:
        return ""
    cells = [
        [
            linked(initiative, context, labels.get(initiative)),
            ", ".join(
                linked(m, context, labels.get(m))
                for m in sorted(found, key=lambda m: (labels.get(m) or m).lower())
            ),
        ]
        for initiative, found in sorted(members.items(), key=lambda i: (labels.get(i[0]) or i[0]).lower())
    ]
    headers = [say(lang, "country.initiative"), say(lang, "country.partners_here")]
    return table_section("partners-here", say(lang, "country.partners"), headers, cells, "country-partners")


def located_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """The organisations (clusters included) and the outcomes (MoUs, offices, events) located there."""
    things: dict[str, dict[str, Row]] = {"organisation": {}, "outcome": {}}
    for row in rows:
        things[row["kind"]["value"]].setdefault(row["thing"]["value"], {}).update(row)
    parts = []
    if things["organisation"]:
        items = "".join(
            f"<li>{linked(o, context, labels.get(o))}</li>"
            for o in sorted(things["organisation"], key=lambda o: (labels.get(o) or o).lower())
        )
        parts.append(f'<h2 id="organisations">{esc(say(lang, "country.organisations"))}</h2><ul>{items}</ul>')
    if things["outcome"]:
        parts.append(_outcomes(things["outcome"], context, labels, lang))
    return "".join(parts)


def _outcomes(outcomes: dict[str, Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    items = []
    for outcome, row in sorted(outcomes.items()):
        kind = row.get("type", {}).get("value", "")
        of = row.get("of", {}).get("value", "")
        whose = f" · {linked(of, context, labels.get(of))}" if of else ""
        items.append(f"<li>{linked(outcome, context, labels.get(kind) or labels.get(outcome))}{whose}</li>")
    return f'<h2 id="outcomes-here">{esc(say(lang, "country.outcomes"))}</h2><ul>{"".join(items)}</ul>'
