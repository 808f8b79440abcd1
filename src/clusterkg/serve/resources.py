"""Linked-data pages: every IRI under the base dereferences to HTML or RDF, by Accept.

The server maps the base IRI onto itself: GET /id/cluster/x is the resource {base}id/cluster/x.
Named graphs ({base}graph/…), the ontology ({base}ontology) and the shapes ({base}shapes)
dereference the same way. Hidden graphs (contacts) look exactly like absent ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import NotFound
from ..namespaces import CKG, DCT, OWL, PROV, RDF, RDFS, SH, SKOS, graph_iri
from .cache import Cached
from .domain import KEY_FACTS, SHOWN_INCOMING, domain_sections, linked
from .html import alternates, compact, esc, iri_link, layout, table, term_html
from .i18n import say, ui_language
from .negotiation import choose, pick_label, request_languages
from .values import format_number, literal_html

if TYPE_CHECKING:
    from . import ServeContext
    from .shapes_pages import ShapesDocument

Row = dict[str, Any]
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/json": "jsonld",
    "text/plain": "ntriples",
}
FORMAT_PARAM = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "html": "text/html",
}
VARY = "Accept, Accept-Language, Cookie, Authorization"
CKG_SOURCE_FILE = "https://w3id.org/clusterkg/ontology#sourceFile"
CKG_SOURCE_RECORD = "https://w3id.org/clusterkg/ontology#sourceRecord"
LABELS = (RDFS + "label", SKOS + "prefLabel")
_IRI_SAFE = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*")

# On the merged default graph: each statement once, however many documents state it. A phase has
# no label of its own: it is named by its type ("concept phase").
OUTGOING = f"""SELECT ?this ?p ?o ?olabel ?plabel WHERE {{
  ?this ?p ?o
  OPTIONAL {{ ?o <{RDFS}label>|<{SKOS}prefLabel>|<{DCT}title>|<{CKG}phaseType>/<{RDFS}label> ?olabel }}
  OPTIONAL {{ ?p <{RDFS}label> ?plabel }}
}}"""
INCOMING = f"""SELECT ?this ?s ?p ?slabel ?plabel WHERE {{
  {{ SELECT DISTINCT ?this ?s ?p WHERE {{ ?s ?p ?this }} LIMIT 1000 }}
  OPTIONAL {{ ?s <{RDFS}label>|<{SKOS}prefLabel> ?slabel }}
  OPTIONAL {{ ?p <{RDFS}label> ?plabel }}
}}"""
GRAPHS_OF = "SELECT DISTINCT ?this ?g WHERE { GRAPH ?g { ?this ?p ?o } } ORDER BY ?g"
GRAPH_CLASSES = """SELECT ?this ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?this { ?s a ?c } }
GROUP BY ?this ?c ORDER BY DESC(?n)"""
GRAPH_SIZE = "SELECT ?this (COUNT(*) AS ?n) WHERE { GRAPH ?this { ?s ?p ?o } } GROUP BY ?this"
RESOURCE_RDF = "CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }"
GRAPH_RDF = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?this { ?s ?p ?o } }"
GRAPH_ROWS = "SELECT ?this ?s ?p ?o WHERE { GRAPH ?this { ?s ?p ?o } } ORDER BY ?s ?p ?o"


def negotiate(request: Request) -> str | None:
    asked = request.query_params.get("format")
    if asked:
        return FORMAT_PARAM.get(asked.lower())
    return choose(request.headers.get("accept"), ["text/html", *RDF_TYPES])


def _ntriple_iri(iri: str) -> str:
    return f"<{iri}>"


def _collect_labels(
    rows: list[Row], pairs: tuple[tuple[str, str], ...], labels: dict[str, dict[str, str]]
) -> None:
    for row in rows:
        for node, label in pairs:
            if node in row and label in row and row[node]["type"] == "uri":
                labels[row[node]["value"]].setdefault(row[label].get("xml:lang", ""), row[label]["value"])


def _pick_all(labels: dict[str, dict[str, str]], languages: list[str]) -> dict[str, str]:
    return {iri: text for iri, by_lang in labels.items() if (text := pick_label(by_lang, languages))}


PROVENANCE = (PROV + "wasDerivedFrom", CKG_SOURCE_FILE, CKG_SOURCE_RECORD)
# Shown elsewhere on the page (heading, summary, source badge), so the properties table leaves them out.
NOT_IN_TABLE = {RDF + "type", DCT + "description", *PROVENANCE, *KEY_FACTS}


def _source_badge(outgoing: list[Row], context: ServeContext, names: dict[str, str], lang: str) -> str:
    """Where the resource comes from: a badge per source document, the file and record as its title."""
    documents = sorted({r["o"]["value"] for r in outgoing if r["p"]["value"] == PROV + "wasDerivedFrom"})
    where = sorted(
        {r["o"]["value"] for r in outgoing if r["p"]["value"] in (CKG_SOURCE_FILE, CKG_SOURCE_RECORD)}
    )
    if not documents:
        return ""
    title = esc(say(lang, "resource.source_record", record=" · ".join(where))) if where else ""
    badges = " ".join(
        f'<a class="badge" href="{esc(context.href(d))}" title="{title}">'
        f"{esc(names.get(d) or compact(d))}</a>"
        for d in documents
    )
    return f'<p class="provenance">{esc(say(lang, "resource.source"))} {badges}</p>'


async def resource_html(
    context: ServeContext, request: Request, iri: str, private: bool, languages: list[str]
) -> Cached:
    """The HTML page of a resource: summary, source badge, domain sections, properties, links in."""
    subs = {"this": _ntriple_iri(iri)}
    outgoing = (await context.select_rows(OUTGOING, private=private, substitutions=subs, lookup=True)).rows
    incoming = (await context.select_rows(INCOMING, private=private, substitutions=subs, lookup=True)).rows
    graph_rows = [] if outgoing or incoming else await _graph_size(context, iri, private)
    if not outgoing and not incoming and not graph_rows:
        raise NotFound(f"no resource {iri} in this dataset", hint="check the address")
    in_graphs = await context.select_rows(GRAPHS_OF, private=private, substitutions=subs, lookup=True)
    lang = ui_language(languages)
    names = _names(outgoing, incoming, languages)
    title = _own_label(outgoing, languages) or compact(iri)
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="iri"><code>{esc(iri)}</code></p>']
    parts += _summary(outgoing, context, names, languages)
    parts.append(_key_facts(outgoing, context, names, lang))
    parts.append(_source_badge(outgoing, context, names, lang))
    if outgoing:
        parts += await domain_sections(context, request, iri, private, lang, title)
        parts.append(_properties_section(outgoing, context, names, lang))
    links = [r for r in incoming if r["p"]["value"] not in SHOWN_INCOMING]
    if links:
        parts.append(_incoming_section(links, context, names, lang))
    graphs = sorted({r["g"]["value"] for r in in_graphs.rows})
    items = "".join(f"<li>{iri_link(g, context, names.get(g))}</li>" for g in graphs)
    summary = esc(say(lang, "resource.graphs", count=len(graphs)))
    parts.append(f'<details class="graphs"><summary>{summary}</summary><ul>{items}</ul></details>')
    if graph_rows:
        parts.append(await _graph_section(context, iri, private, graph_rows, names, lang))
    parts.append(rdf_alternates(context.href(iri), lang))
    page = layout(title, "".join(parts), lang=lang, here=request.url.path)
    return Cached(page.encode(), "text/html; charset=utf-8")


def _names(outgoing: list[Row], incoming: list[Row], languages: list[str]) -> dict[str, str]:
    """The best label, in the reader's language, of every IRI the page shows."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    _collect_labels(outgoing, (("o", "olabel"), ("p", "plabel")), labels)
    _collect_labels(incoming, (("s", "slabel"), ("p", "plabel")), labels)
    return _pick_all(labels, languages)


def _own_label(outgoing: list[Row], languages: list[str]) -> str | None:
    own: dict[str, str] = {}
    for row in outgoing:
        if row["p"]["value"] in LABELS and row["o"]["type"] == "literal":
            own.setdefault(row["o"].get("xml:lang", ""), row["o"]["value"])
    return pick_label(own, languages)


def _value_html(term: Row, context: ServeContext, names: dict[str, str], lang: str) -> str:
    if term["type"] == "literal":
        return literal_html(term, lang)
    if term["type"] == "uri":
        return linked(term["value"], context, names.get(term["value"]))
    return term_html(term, context, names)


def _key_facts(outgoing: list[Row], context: ServeContext, names: dict[str, str], lang: str) -> str:
    """Programme, call, who runs it, partner countries: right under the heading, each value once."""
    found: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in outgoing:
        if r["p"]["value"] in KEY_FACTS:
            found[r["p"]["value"]][r["o"]["value"]] = r["o"]
    items = []
    for prop in (p for p in KEY_FACTS if p in found):
        values = sorted(found[prop].values(), key=lambda o: (names.get(o["value"]) or o["value"]).lower())
        shown = ", ".join(_value_html(o, context, names, lang) for o in values)
        items.append(f"<dt>{iri_link(prop, context, names.get(prop))}</dt><dd>{shown}</dd>")
    return f'<dl class="facts key-facts">{"".join(items)}</dl>' if items else ""


COLLAPSE_OVER = 5  # a property with more values shows them folded, under their count


def _values(html_values: list[str], lang: str = "en") -> str:
    if len(html_values) == 1:
        return html_values[0]
    items = '<ul class="values">' + "".join(f"<li>{v}</li>" for v in html_values) + "</ul>"
    if len(html_values) <= COLLAPSE_OVER:
        return items
    count = esc(say(lang, "resource.values", count=format_number(str(len(html_values)), lang)))
    return f"<details><summary>{count}</summary>{items}</details>"


def _property_rows(
    by_property: dict[str, dict[str, Row]], context: ServeContext, names: dict[str, str], lang: str
) -> list[list[str]]:
    """One row per property (by label), its values sorted by label, each once."""

    def shown(term: Row) -> str:
        return (names.get(term["value"]) or term["value"]).lower()

    return [
        [
            iri_link(p, context, names.get(p)),
            _values(
                [_value_html(o, context, names, lang) for o in sorted(by_property[p].values(), key=shown)],
                lang,
            ),
        ]
        for p in sorted(by_property, key=lambda p: (names.get(p) or compact(p)).lower())
    ]


def _properties_section(outgoing: list[Row], context: ServeContext, names: dict[str, str], lang: str) -> str:
    """One row per property, each value once, in the reader's language and number format."""
    by_property: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in outgoing:
        if r["p"]["value"] not in NOT_IN_TABLE:
            by_property[r["p"]["value"]][repr(sorted(r["o"].items()))] = r["o"]
    if not by_property:
        return ""
    headers = [say(lang, "resource.property"), say(lang, "resource.value")]
    heading = f'<h2 id="properties">{esc(say(lang, "resource.properties"))}</h2>'
    rows = _property_rows(by_property, context, names, lang)
    return heading + '<div class="table-scroll">' + table(headers, rows, "properties") + "</div>"


def _incoming_section(incoming: list[Row], context: ServeContext, names: dict[str, str], lang: str) -> str:
    """Links to this resource, one row per property, each linking resource once."""
    by_property: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in incoming:
        by_property[r["p"]["value"]][r["s"]["value"]] = r["s"]
    headers = [say(lang, "resource.property"), say(lang, "resource.from")]
    heading = f'<h2 id="incoming">{esc(say(lang, "resource.incoming"))}</h2>'
    rows = _property_rows(by_property, context, names, lang)
    return heading + '<div class="table-scroll">' + table(headers, rows, "incoming") + "</div>"


def _summary(
    outgoing: list[Row], context: ServeContext, names: dict[str, str], languages: list[str]
) -> list[str]:
    types = sorted({r["o"]["value"] for r in outgoing if r["p"]["value"] == RDF + "type"})
    descriptions = {
        r["o"].get("xml:lang", ""): r["o"]["value"]
        for r in outgoing
        if r["p"]["value"] in (DCT + "description", RDFS + "comment") and r["o"]["type"] == "literal"
    }
    parts = []
    if types:
        parts.append(
            '<p class="types">' + ", ".join(iri_link(t, context, names.get(t)) for t in types) + "</p>"
        )
    description = pick_label(descriptions, languages)
    if description:
        parts.append(f'<p class="description">{esc(description)}</p>')
    return parts


async def _graph_size(context: ServeContext, iri: str, private: bool) -> list[Row]:
    rows = (
        await context.select_rows(
            GRAPH_SIZE, private=private, substitutions={"this": _ntriple_iri(iri)}, lookup=True
        )
    ).rows
    return [r for r in rows if int(r["n"]["value"]) > 0]


async def _graph_section(
    context: ServeContext, iri: str, private: bool, size: list[Row], names: dict[str, str], lang: str
) -> str:
    classes = (
        await context.select_rows(
            GRAPH_CLASSES, private=private, substitutions={"this": _ntriple_iri(iri)}, lookup=True
        )
    ).rows
    rows = [
        [iri_link(r["c"]["value"], context, names.get(r["c"]["value"])), literal_html(r["n"], lang)]
        for r in classes
    ]
    triples = say(lang, "resource.graph_size", count=format_number(size[0]["n"]["value"], lang))
    headers = [say(lang, "resource.class"), say(lang, "resource.instances")]
    return f"<h2>{esc(say(lang, 'resource.graph'))}</h2><p>{esc(triples)}</p>" + table(
        headers, rows, "classes"
    )


def rdf_alternates(href: str, lang: str = "en") -> str:
    return alternates(
        [
            (f"{href}?format=turtle", "Turtle"),
            (f"{href}?format=jsonld", "JSON-LD"),
            (f"{href}?format=ntriples", "N-Triples"),
            (f"{href}?format=rdfxml", "RDF/XML"),
        ],
        lang,
    )


async def resource_rdf(context: ServeContext, iri: str, private: bool, fmt: str, media_type: str) -> Cached:
    subs = {"this": _ntriple_iri(iri)}
    result = await context.run_query(
        RESOURCE_RDF, private=private, graph_fmt=fmt, substitutions=subs, lookup=True
    )
    if result.count == 0:
        result = await context.run_query(GRAPH_RDF, private=private, graph_fmt=fmt, substitutions=subs)
    if result.count == 0:
        linked = await context.select_rows(INCOMING, private=private, substitutions=subs, lookup=True)
        if not linked.rows:
            raise NotFound(f"no resource {iri} in this dataset", hint="check the address")
    headers = {"X-Result-Truncated": "true"} if result.truncated else {}
    return Cached(result.body, _typed(media_type), headers)


def _typed(media_type: str) -> str:
    return media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")


# ---------------------------------------------------------------- ontology and shapes

KIND_ORDER = {
    OWL + "Ontology": 0,
    OWL + "Class": 1,
    RDFS + "Class": 1,
    OWL + "ObjectProperty": 2,
    OWL + "DatatypeProperty": 3,
    SH + "NodeShape": 1,
    SH + "PropertyShape": 2,
}


def _anchor(term: Row, document: str) -> str:
    value = term["value"]
    if term["type"] == "bnode":
        return "b-" + value
    return value[len(document) + 1 :] if value.startswith(document + "#") else ""


def graph_document_html(
    title: str,
    document: str,
    rows: list[Row],
    context: ServeContext,
    languages: list[str],
    intro: str = "",
    *,
    here: str = "/",
) -> bytes:
    """A small graph (catalogue, VoID, ontology) as sections per subject, anchored by fragment;
    `here` is the page's path, for the language switch."""
    lang = ui_language(languages)
    by_subject: dict[str, list[Row]] = defaultdict(list)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    kinds: dict[str, int] = {}
    for row in rows:
        subject = row["subject"]["value"]
        by_subject[subject].append(row)
        if row["predicate"]["value"] in LABELS and row["object"]["type"] == "literal":
            labels[subject].setdefault(row["object"].get("xml:lang", ""), row["object"]["value"])
        if row["predicate"]["value"] == RDF + "type":
            kinds[subject] = min(kinds.get(subject, 9), KIND_ORDER.get(row["object"]["value"], 8))
    names = _pick_all(labels, languages)
    sections = []
    for subject in sorted(
        by_subject, key=lambda s: (kinds.get(s, 9), by_subject[s][0]["subject"]["type"], s)
    ):
        first = by_subject[subject][0]["subject"]
        anchor = _anchor(first, document)
        heading = names.get(subject) or (compact(subject) if first["type"] == "uri" else "_:" + subject)
        cells = [
            [
                iri_link(r["predicate"]["value"], context, names.get(r["predicate"]["value"])),
                _object_html(r["object"], document, context, names, lang),
            ]
            for r in by_subject[subject]
        ]
        headers = [say(lang, "resource.property"), say(lang, "resource.value")]
        ident = f' id="{esc(anchor)}"' if anchor else ""
        sections.append(
            f"<section{ident}><h3>{esc(heading)}</h3>"
            f'<p class="iri"><code>{esc(subject)}</code></p>'
            f'<div class="table-scroll">{table(headers, cells)}</div></section>'
        )
    body = f"<h1>{esc(title)}</h1>{intro}{rdf_alternates(context.href(document), lang)}" + "".join(sections)
    return layout(title, body, lang=lang, here=here).encode()


def _object_html(term: Row, document: str, context: ServeContext, names: dict[str, str], lang: str) -> str:
    if term["type"] == "bnode":
        return f'<a href="#{esc(_anchor(term, document))}">[{esc(term["value"])}]</a>'
    if term["type"] == "uri" and term["value"].startswith(document + "#"):
        text = names.get(term["value"]) or compact(term["value"])
        return f'<a href="#{esc(_anchor(term, document))}">{esc(text)}</a>'
    return _value_html(term, context, names, lang)


async def ontology(context: ServeContext, private: bool, media_type: str, languages: list[str]) -> Cached:
    graph = graph_iri(context.settings.base_iri, "ontology")
    document = context.settings.base_iri + "ontology"
    subs = {"this": _ntriple_iri(graph)}
    if media_type != "text/html":
        result = await context.run_query(
            GRAPH_RDF, private=private, graph_fmt=RDF_TYPES[media_type], substitutions=subs
        )
        return Cached(result.body, _typed(media_type))
    result = await context.select_rows(GRAPH_ROWS, private=private, substitutions=subs)
    rows = [{"subject": r["s"], "predicate": r["p"], "object": r["o"]} for r in result.rows]
    intro = f"<p>The ontology of the knowledge graph, in the named graph {iri_link(graph, context)}.</p>"
    return Cached(
        graph_document_html("Ontology", document, rows, context, languages, intro), "text/html; charset=utf-8"
    )


async def dereference(context: ServeContext, request: Request, shapes: ShapesDocument) -> Response:
    """GET on any path under the base: the resource, graph, ontology or shapes it names."""
    raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    path = raw.split("?", 1)[0].lstrip("/")
    iri = context.settings.base_iri + path
    if not path or not _IRI_SAFE.fullmatch(iri):
        return PlainTextResponse("Not found\n", 404)
    media_type = negotiate(request)
    if media_type is None:
        return PlainTextResponse(
            "Not acceptable: pages come as text/html, " + ", ".join(RDF_TYPES) + "\n", 406
        )
    private = context.is_private(request)
    languages = request_languages(request.headers, request.cookies)

    async def produce() -> Cached:
        if path == "ontology":
            return await ontology(context, private, media_type, languages)
        if path == "shapes":
            return await shapes.render(context, media_type, languages)
        if media_type == "text/html":
            return await resource_html(context, request, iri, private, languages)
        return await resource_rdf(context, iri, private, RDF_TYPES[media_type], media_type)

    key = ("resource", iri, media_type, tuple(languages) if media_type == "text/html" else ())
    return await context.cached(request, key, produce, private=private, vary=VARY)
