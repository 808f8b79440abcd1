"""The query page: a SPARQL editor (CodeMirror, vendored) over /sparql, also working without JS.

GET /query?query=… and a browser's GET /sparql?query=… run the query on the server and render the
result, so a shared URL shows its result; static/query.js then takes over (highlighting, prefix
completion, Ctrl+Enter, the URL as history). IRIs in results show their labels, looked up in one
bounded VALUES query.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import ClusterKGError
from ..namespaces import EU_COUNTRY, PREFIXES, RDFS, SKOS
from ..store.policy import analyse
from ..terms import iri_term
from .html import esc, layout, table, term_html
from .i18n import say, ui_language
from .negotiation import labels_by_language, pick_label, request_languages

if TYPE_CHECKING:
    from . import ServeContext

EXAMPLE_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(?s) AS ?instances) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?instances)"""
EDITOR_SCRIPTS = (
    "/static/vendor/codemirror/lib/codemirror.js",
    "/static/vendor/codemirror/mode/sparql/sparql.js",
    "/static/vendor/codemirror/addon/hint/show-hint.js",
    "/static/query.js",
)
EDITOR_STYLES = (
    "/static/vendor/codemirror/lib/codemirror.css",
    "/static/vendor/codemirror/addon/hint/show-hint.css",
    "/static/query.css",
)
MAX_LABELLED = 500  # distinct IRIs whose labels one page looks up: the lookup stays small
LABELS_OF = f"""SELECT ?s ?label WHERE {{
  VALUES ?s {{ %s }}
  ?s <{RDFS}label>|<{SKOS}prefLabel> ?label
}}"""
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
# What query.js shows while it works; the page hands them over in the reader's language.
SCRIPT_TEXTS = ("running", "done", "error", "failed", "rows", "truncated")


def downloads(query: str, form: str | None, lang: str) -> str:
    """Links to the result as files, through /sparql with format=: CSV and JSON, or for a graph
    Turtle and JSON-LD (CSV cannot hold a graph)."""
    if not query:
        return '<p id="downloads" class="downloads" hidden></p>'
    formats = (("turtle", "Turtle", "ttl"), ("json-ld", "JSON-LD", "jsonld"))
    if form not in GRAPH_FORMS:
        formats = (("csv", "CSV", "csv"), ("json", "JSON", "json"))
    links = " · ".join(
        f'<a href="/sparql?{esc(urlencode({"query": query, "format": fmt}))}" download="result.{ext}"'
        f' data-format="{fmt}">{name}</a>'
        for fmt, name, ext in formats
    )
    return f'<p id="downloads" class="downloads">{esc(say(lang, "query.download"))} {links}</p>'


def _prefix_list(lang: str) -> str:
    items = "".join(
        f"<li><code>{esc(prefix)}:</code> <code>{esc(namespace)}</code></li>"
        for prefix, namespace in PREFIXES.items()
    )
    return (
        f'<details class="prefixes"><summary>{esc(say(lang, "query.prefixes"))}</summary>'
        f"<ul>{items}</ul></details>"
    )


def query_page(
    context: ServeContext,
    request: Request,
    query: str,
    results_html: str = "",
    *,
    status: int = 200,
    downloadable: bool = True,
) -> HTMLResponse:
    """The query form; `results_html` is a server-rendered result (the page also works without JS)."""
    lang = ui_language(request_languages(request.headers, request.cookies))
    settings = context.settings
    texts = {key: say(lang, f"query.{key}") for key in SCRIPT_TEXTS}
    form = analyse(query).form if query else None
    intro = say(lang, "query.intro", rows=settings.max_result_rows, seconds=f"{settings.query_timeout:g}")
    body = (
        f"<h1>{esc(say(lang, 'query.heading'))}</h1><p>{esc(intro)}</p>"
        f'<form id="query-form" method="get" action="/query" data-base="{esc(settings.base_iri)}"'
        f' data-country="{esc(EU_COUNTRY)}"'
        f' data-prefixes="{esc(json.dumps(PREFIXES))}" data-texts="{esc(json.dumps(texts))}">'
        f'<label for="query" class="visually-hidden">{esc(say(lang, "query.label"))}</label>'
        '<textarea id="query" name="query" rows="12" spellcheck="false">'
        f"{esc(query or EXAMPLE_QUERY)}</textarea>"
        f'<p><button id="run" type="submit">{esc(say(lang, "query.run"))}</button> '
        f'<small class="shortcut">{esc(say(lang, "query.shortcut"))}</small> '
        '<span id="status" role="status"></span></p></form>'
        f"{_prefix_list(lang)}{downloads(query if downloadable else '', form, lang)}"
        f'<div id="results" data-query="{esc(query)}">{results_html}</div>'
    )
    head = "".join(f'<link rel="stylesheet" href="{href}">' for href in EDITOR_STYLES)
    page = layout(
        say(lang, "query.title"),
        body,
        lang=lang,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        head_links=head,
        scripts=EDITOR_SCRIPTS,
    )
    headers = {"Cache-Control": "no-cache", "Vary": "Accept, Accept-Language, Cookie"}
    return HTMLResponse(page, status, headers=headers)


async def show_query(context: ServeContext, request: Request, query: str) -> Response:
    """The query page with `query` run on the server: its result, or its error beside the query."""
    if not query:
        return query_page(context, request, "")
    private = context.is_private(request)
    lang = ui_language(request_languages(request.headers, request.cookies))
    graph = analyse(query).form in GRAPH_FORMS
    try:
        result = await context.run_query(query, private=private, fmt="json" if graph else "rows")
    except ClusterKGError as exc:  # the error is shown beside the query, with its status
        error = f'<p class="error">{esc(exc)}</p>'
        return query_page(context, request, query, error, status=exc.http_status, downloadable=False)
    labels = await result_labels(context, request, result.rows, private)
    return query_page(context, request, query, rows_html(context, result, lang, labels))


async def query_route(context: ServeContext, request: Request) -> Response:
    return await show_query(context, request, request.query_params.get("query", ""))


def _iris(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for term in row.values():
            if term.get("type") == "uri" and len(seen) < MAX_LABELLED:
                seen.setdefault(term["value"], None)
    return list(seen)


async def result_labels(
    context: ServeContext, request: Request, rows: list[dict[str, Any]], private: bool
) -> dict[str, str]:
    """The label, in the reader's language, of each IRI in `rows` that has one (first MAX_LABELLED)."""
    terms = []
    for iri in _iris(rows):
        try:
            terms.append(iri_term(iri))
        except ValueError:
            continue  # an IRI N-Triples cannot write has no label to look up
    if not terms:
        return {}
    found = await context.select_rows(LABELS_OF % " ".join(terms), private=private, lookup=True)
    by_iri = labels_by_language(found.rows, "s")
    languages = request_languages(request.headers, request.cookies)
    return {iri: label for iri, texts in by_iri.items() if (label := pick_label(texts, languages))}


def rows_html(
    context: ServeContext, result: Any, lang: str = "en", labels: dict[str, str] | None = None
) -> str:
    """A result as HTML: a table of bindings (IRIs by their labels), a boolean, or a graph's Turtle."""
    kind = getattr(result, "kind", "")
    if kind == "boolean":
        return f'<p class="boolean">{esc(str(getattr(result, "boolean", "")).lower())}</p>'
    note = ""
    if getattr(result, "truncated", False):
        cut = say(lang, "query.truncated", rows=context.settings.max_result_rows)
        note = f'<p class="truncated">{esc(cut)}</p>'
    if kind == "graph":
        return note + f'<pre class="graph">{esc(bytes(result.body).decode("utf-8", "replace"))}</pre>'
    variables, rows = result.variables, result.rows
    cells = [[term_html(row[v], context, labels) if v in row else "" for v in variables] for row in rows]
    count = f'<p class="count">{esc(say(lang, "query.rows", count=len(rows)))}</p>'
    return count + note + table(variables, cells, "results")


__all__ = ["EXAMPLE_QUERY", "query_page", "query_route", "result_labels", "rows_html", "show_query"]
