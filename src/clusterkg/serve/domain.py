"""The domain sections of a resource page: target markets per phase (table and map), partners
and memberships, outcomes. They answer "which countries, in which phase?" without a click
through every target-market resource.

Each section is one bounded lookup on the merged default graph (each statement once); the labels
of everything shown come from one more lookup, in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request

from ..namespaces import CKG, DCT, EU_COUNTRY, ORG, RDF, SCHEMA
from .html import compact, esc, iri_link, table
from .i18n import say
from .maps import Shaded, shade_of, target_map
from .query_page import result_labels
from .values import literal_html

if TYPE_CHECKING:
    from . import ServeContext

Row = dict[str, Any]
PHASE_KEYS = {CKG + "ConceptPhase": "concept", CKG + "ImplementationPhase": "implementation"}
PHASE_ORDER = {"concept": 0, "implementation": 1, "": 2}
# What the targets, partners and outcomes sections show; the generic "links here" list leaves these out.
SHOWN_INCOMING = {
    CKG + "targetOf",
    CKG + "inPhase",
    CKG + "membershipOf",
    CKG + "outcomeOf",
    CKG + "figureOf",
    CKG + "runBy",
    ORG + "member",
    DCT + "isPartOf",  # a phase is part of its project: the project states it as hasPhase
}
# Shown as key facts under the heading (programme, call, who runs or manages it, partner countries).
KEY_FACTS = (
    CKG + "programme",
    CKG + "call",
    CKG + "runBy",
    CKG + "managedBy",
    CKG + "funder",
    CKG + "partnerCountry",
)

TARGETS = f"""SELECT DISTINCT ?this ?target ?via ?country ?region ?included ?phaseType ?certainty WHERE {{
  {{ ?target <{CKG}targetOf> ?this BIND(?this AS ?via) }}
  UNION {{ ?via <{CKG}runBy> ?this . ?target <{CKG}targetOf> ?via }}
  UNION {{ ?m <{ORG}member> ?this ; <{CKG}membershipOf> ?via . ?target <{CKG}targetOf> ?via }}
  UNION {{ ?target <{CKG}inPhase> ?this ; <{CKG}targetOf> ?via }}
  UNION {{ ?target <{CKG}targetCountry> ?this ; <{CKG}targetOf> ?via }}
  OPTIONAL {{ ?target <{CKG}inPhase>/<{CKG}phaseType> ?phaseType }}
  OPTIONAL {{ ?target <{CKG}targetCountry> ?country }}
  OPTIONAL {{ ?target <{CKG}targetRegion> ?region OPTIONAL {{ ?region <{CKG}includesCountry> ?included }} }}
  OPTIONAL {{ ?target <{CKG}certainty> ?certainty }}
}} LIMIT 2000"""
PARTNERS = f"""SELECT DISTINCT ?this ?member ?role ?country ?initiative WHERE {{
  {{ ?m <{CKG}membershipOf> ?this ; <{ORG}member> ?member .
     OPTIONAL {{ ?m <{ORG}role> ?role }} OPTIONAL {{ ?member <{CKG}country> ?country }} }}
  UNION {{ ?m <{ORG}member> ?this ; <{CKG}membershipOf> ?initiative . OPTIONAL {{ ?m <{ORG}role> ?role }} }}
  UNION {{ ?initiative <{CKG}runBy> ?this }}
}} LIMIT 2000"""
OUTCOMES = f"""SELECT DISTINCT ?this ?outcome ?type ?country ?count ?written WHERE {{
  ?outcome <{CKG}outcomeOf> ?this .
  OPTIONAL {{ ?outcome <{RDF}type> ?type FILTER(STRSTARTS(STR(?type), "{CKG}") && ?type != <{CKG}Outcome>) }}
  OPTIONAL {{ ?outcome <{CKG}country> ?country }}
  OPTIONAL {{ ?outcome <{CKG}count> ?count }}
  OPTIONAL {{ ?outcome <{CKG}asWritten> ?written }}
}} LIMIT 2000"""

FIGURES = f"""SELECT DISTINCT ?this ?figure ?measure ?value ?unit ?qualifier ?year ?written WHERE {{
  ?figure <{CKG}figureOf> ?this ; <{SCHEMA}value> ?value .
  OPTIONAL {{ ?figure <{CKG}measure> ?measure }}
  OPTIONAL {{ ?figure <{SCHEMA}unitText> ?unit }}
  OPTIONAL {{ ?figure <{CKG}qualifier> ?qualifier }}
  OPTIONAL {{ ?figure <{CKG}year> ?year }}
  OPTIONAL {{ ?figure <{CKG}asWritten> ?written }}
}} LIMIT 2000"""
INCLUDED = f"""SELECT ?this ?country WHERE {{ ?this <{CKG}includesCountry> ?country }} LIMIT 500"""


@dataclass(frozen=True)
class Target:
    """One target market as the table shows it."""

    place: str  # IRI of the country or region
    phase: str  # "concept", "implementation" or ""
    certainty: str  # IRI, or ""
    via: str  # the project or partnership that targets it


def linked(iri: str, context: ServeContext, label: str | None = None) -> str:
    """A link by label; without one, the IRI as its text, which may break anywhere on small screens."""
    html = iri_link(iri, context, label)
    return html if label else f'<span class="bare-iri">{html}</span>'


def place_name(iri: str, labels: dict[str, str]) -> str:
    """A country or region by its label; a country without one by its code (DEU)."""
    if iri in labels:
        return labels[iri]
    return iri[len(EU_COUNTRY) :] if iri.startswith(EU_COUNTRY) else compact(iri)


async def domain_sections(
    context: ServeContext, request: Request, iri: str, private: bool, lang: str, title: str
) -> list[str]:
    """The targets, partners and outcomes sections of the page of `iri` (empty ones left out)."""
    subs = {"this": f"<{iri}>"}
    found = {}
    queries = (
        ("targets", TARGETS),
        ("partners", PARTNERS),
        ("outcomes", OUTCOMES),
        ("figures", FIGURES),
        ("included", INCLUDED),
    )
    for name, query in queries:
        found[name] = (
            await context.select_rows(query, private=private, substitutions=subs, lookup=True)
        ).rows
    every_row = [row for rows in found.values() for row in rows]
    labels = await result_labels(context, request, every_row, private)
    targets = _targets(found["targets"])
    includes = region_countries(found["targets"])

    def sections() -> list[str]:
        parts = (
            targets_html(targets, iri, context, labels, lang, title, includes),
            partners_html(found["partners"], context, labels, lang),
            outcomes_html(found["outcomes"], context, labels, lang),
            figures_html(found["figures"], context, labels, lang),
            region_map(iri, found["included"], context, labels, lang, title),
        )
        return [part for part in parts if part]

    # Drawing a map takes tens of milliseconds: off the event loop.
    return await anyio.to_thread.run_sync(sections)


def _targets(rows: list[Row]) -> list[Target]:
    seen = set()
    for row in rows:
        place = (row.get("country") or row.get("region") or {}).get("value", "")
        if not place:
            continue
        phase = PHASE_KEYS.get(row.get("phaseType", {}).get("value", ""), "")
        seen.add(Target(place, phase, row.get("certainty", {}).get("value", ""), row["via"]["value"]))
    return sorted(seen, key=lambda t: (PHASE_ORDER[t.phase], t.place, t.via))


def region_countries(rows: list[Row]) -> dict[str, set[str]]:
    """The countries each targeted region includes (ckg:includesCountry), where the graph lists them."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if "region" in row and "included" in row:
            found[row["region"]["value"]].add(row["included"]["value"])
    return dict(found)


def targets_html(
    targets: list[Target],
    iri: str,
    context: ServeContext,
    labels: dict[str, str],
    lang: str,
    title: str,
    includes: dict[str, set[str]] | None = None,
) -> str:
    """The table of target markets per phase (a region with the countries it includes), and the map
    of the targeted countries, those of the targeted regions hatched."""
    includes = includes or {}
    if not targets:
        return ""
    targets = sorted(targets, key=lambda t: (PHASE_ORDER[t.phase], place_name(t.place, labels).lower()))
    show_via = any(t.via != iri for t in targets)
    headers = [say(lang, "targets.place"), say(lang, "targets.phase"), say(lang, "targets.certainty")]
    rows = []
    for t in targets:
        cells = [
            linked(t.place, context, place_name(t.place, labels))
            + _included(includes.get(t.place, set()), context, labels, lang),
            esc(say(lang, "map.shade." + (t.phase or "unphased"))),
            linked(t.certainty, context, labels.get(t.certainty)) if t.certainty else "",
        ]
        rows.append([*cells, linked(t.via, context, labels.get(t.via))] if show_via else cells)
    if show_via:
        headers.append(say(lang, "targets.via"))
    heading = f'<h2 id="targets">{esc(say(lang, "targets.heading"))}</h2>'
    body = scroll_box(table(headers, rows, "targets stacked", labelled=True))
    return heading + body + _map(targets, context, labels, lang, title, includes)


def _included(countries: set[str], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    if not countries:
        return ""
    names = sorted(countries, key=lambda c: place_name(c, labels).lower())
    shown = ", ".join(linked(c, context, place_name(c, labels)) for c in names)
    return f' <span class="includes">({esc(say(lang, "targets.includes"))} {shown})</span>'


def _map(
    targets: list[Target],
    context: ServeContext,
    labels: dict[str, str],
    lang: str,
    title: str,
    includes: dict[str, set[str]],
) -> str:
    phases: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, set[str]] = defaultdict(set)
    for t in targets:
        if t.place.startswith(EU_COUNTRY):
            phases[t.place].add(t.phase)
        for country in includes.get(t.place, ()):
            regions[country].add(t.place)
    countries = shaded_countries(phases, regions, context, labels, lang)
    return target_map(countries, lang, say(lang, "map.title", name=title), ident="targets-map")


def shaded_countries(
    phases: dict[str, set[str]],
    regions: dict[str, set[str]],
    context: ServeContext,
    labels: dict[str, str],
    lang: str,
) -> dict[str, Shaded]:
    """Map shades by alpha-3 code: a targeted country (IRI -> phases) by its phases; a country only a
    targeted region includes (IRI -> regions) hatched, its tooltip naming the regions. Each links to
    the country's page."""
    countries = {}
    for country, named in phases.items():
        shade = shade_of(named)
        tooltip = f"{place_name(country, labels)}: {say(lang, 'map.shade.' + shade)}"
        countries[country.removeprefix(EU_COUNTRY)] = Shaded(shade, tooltip, context.href(country))
    for country, in_regions in regions.items():
        code = country.removeprefix(EU_COUNTRY)
        if code in countries or not country.startswith(EU_COUNTRY):
            continue
        via = ", ".join(sorted(place_name(r, labels) for r in in_regions))
        countries[code] = Shaded(
            "region",
            say(lang, "map.via_region", country=place_name(country, labels), region=via),
            context.href(country),
        )
    return countries


def region_map(
    iri: str, rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str, title: str
) -> str:
    """A region's page: the countries it includes (ckg:includesCountry) on a map, hatched as on the
    maps of those who target it."""
    countries = shaded_countries({}, {r["country"]["value"]: {iri} for r in rows}, context, labels, lang)
    if not countries:
        return ""
    heading = f'<h2 id="includes">{esc(say(lang, "region.map"))}</h2>'
    in_region = {"region": say(lang, "region.in_region")}
    map_title = say(lang, "region.map_title", name=title)
    return heading + target_map(countries, lang, map_title, ident="region-map", shade_names=in_region)


def partners_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """Members with their role and country; what the resource itself is a member of or runs."""
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    initiatives: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        role = row.get("role", {}).get("value", "")
        if "member" in row:
            country = row.get("country", {}).get("value", "")
            members[(row["member"]["value"], role)].update([country] if country else [])
        elif "initiative" in row:
            initiatives[row["initiative"]["value"]].update([role] if role else [])
    parts = []
    if members:
        cells = [
            [
                linked(member, context, labels.get(member)),
                linked(role, context, labels.get(role)) if role else "",
                ", ".join(linked(c, context, place_name(c, labels)) for c in sorted(countries)),
            ]
            for (member, role), countries in sorted(members.items(), key=lambda m: _sort_key(m[0], labels))
        ]
        headers = [say(lang, "partners.member"), say(lang, "partners.role"), say(lang, "partners.country")]
        parts.append(f'<h2 id="partners">{esc(say(lang, "partners.heading"))}</h2>')
        parts.append(scroll_box(table(headers, cells, "partners stacked", labelled=True)))
    if initiatives:
        items = "".join(
            f"<li>{linked(i, context, labels.get(i))}"
            + "".join(f" ({linked(r, context, labels.get(r))})" for r in sorted(roles))
            + "</li>"
            for i, roles in sorted(initiatives.items(), key=lambda i: (labels.get(i[0]) or i[0]).lower())
        )
        parts.append(f'<h2 id="takes-part">{esc(say(lang, "partners.takes_part"))}</h2><ul>{items}</ul>')
    return "".join(parts)


def _sort_key(member_role: tuple[str, str], labels: dict[str, str]) -> tuple[int, str]:
    member, role = member_role
    return (0 if role.endswith("LeadRole") else 1, (labels.get(member) or member).lower())


def outcomes_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """Outcomes (MoUs, offices, events) with their country and count."""
    by_outcome: dict[str, Row] = {}
    for row in rows:
        by_outcome.setdefault(row["outcome"]["value"], {}).update({k: v for k, v in row.items() if v})
    if not by_outcome:
        return ""
    cells = []
    for outcome, row in sorted(by_outcome.items()):
        kind = row.get("type", {}).get("value", "")
        country = row.get("country", {}).get("value", "")
        cells.append(
            [
                linked(outcome, context, labels.get(kind) or labels.get(outcome)),
                linked(country, context, place_name(country, labels)) if country else "",
                literal_html(row["count"], lang) if "count" in row else "",
                esc(row["written"]["value"]) if "written" in row else "",
            ]
        )
    headers = [
        say(lang, "outcomes.outcome"),
        say(lang, "partners.country"),
        say(lang, "outcomes.count"),
        say(lang, "outcomes.as_written"),
    ]
    return table_section("outcomes", say(lang, "outcomes.heading"), headers, cells)


def figures_html(rows: list[Row], context: ServeContext, labels: dict[str, str], lang: str) -> str:
    """The figures the sources give (members, partners, budgets): qualifier, number and unit."""
    by_figure: dict[str, Row] = {}
    for row in rows:
        by_figure.setdefault(row["figure"]["value"], {}).update({k: v for k, v in row.items() if v})
    if not by_figure:
        return ""
    cells = []
    for figure, row in sorted(
        by_figure.items(), key=lambda f: (f[1].get("measure", {}).get("value", ""), f[0])
    ):
        qualifier_iri = row.get("qualifier", {}).get("value", "")
        qualifier = "" if qualifier_iri == CKG + "Exact" else labels.get(qualifier_iri, "")
        unit = row.get("unit", {}).get("value", "")
        value = " ".join(p for p in (esc(qualifier), literal_html(row["value"], lang), esc(unit)) if p)
        cells.append(
            [
                linked(figure, context, row["measure"]["value"] if "measure" in row else None),
                value,
                literal_html(row["year"], lang) if "year" in row else "",
                esc(row["written"]["value"]) if "written" in row else "",
            ]
        )
    headers = [
        say(lang, "figures.measure"),
        say(lang, "figures.value"),
        say(lang, "figures.year"),
        say(lang, "outcomes.as_written"),
    ]
    return table_section("figures", say(lang, "figures.heading"), headers, cells)


def table_section(
    anchor: str, heading: str, headers: list[str], cells: list[list[str]], css: str = ""
) -> str:
    """A headed domain table (cells already HTML) that stacks as cards on small screens."""
    body = scroll_box(table(headers, cells, f"{css or anchor} stacked", labelled=True))
    return f'<h2 id="{esc(anchor)}">{esc(heading)}</h2>' + body


def scroll_box(html: str) -> str:
    """Wide tables scroll inside their box, never the page (390 px screens)."""
    return f'<div class="table-scroll">{html}</div>'
