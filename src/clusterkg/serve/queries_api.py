"""The canned queries as a REST API: GET /queries, GET /queries/{name}, GET /openapi.json.

Results come a page at a time (limit/offset) with the true total, as JSON (SPARQL JSON results
plus paging facts), CSV or HTML. Parameter values go through `queries.bind` and reach the store
as substituted RDF terms; a bad value is a 400 that names the parameter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import queries
from ..errors import NotFound, ParameterError, QueryError
from ..queries import CannedQuery, TermContext
from ..queries.openapi import DEFAULT_LIMIT, PAGING_DIGITS, document
from ..settings import Settings
from ..store import Executor, parse_term
from .cache import Cached
from .html import esc, layout
from .negotiation import choose

FORMATS = {"json": "application/json", "csv": "text/csv", "html": "text/html"}
PAGING = ("limit", "offset", "format")
LISTING_FORMATS = ("json", "html")  # the listing has no CSV form
T = TypeVar("T")


class Context(Protocol):
    """The part of serve.ServeContext these routes use."""

    settings: Settings

    def is_private(self, request: Request) -> bool: ...

    async def using(self, work: Callable[[Executor], T], *, lookup: bool = False) -> T: ...

    def etag(self, *parts: object) -> str: ...

    async def cached(
        self,
        request: Request,
        key: tuple[object, ...],
        produce: Callable[[], Awaitable[Cached]],
        *,
        private: bool,
        vary: str = "Accept",
    ) -> Response: ...

    def href(self, iri: str) -> str: ...


HINT = "see /openapi.json for the parameters and the values they accept"
EMPTY_ADVICE = "give %s, or leave the parameter out"


def bad_parameter(message: str, parameter: str, problems: Mapping[str, str] | None = None) -> ParameterError:
    return ParameterError(message, parameter=parameter, problems=dict(problems or {}), hint=HINT)


def routes(context: Context) -> list[BaseRoute]:
    """The canned-query routes over the queries/ folder of the project the server runs."""
    folder = context.settings.path("queries")
    catalogue = queries.load_queries(folder) if folder.is_dir() else {}
    api = QueryApi(context, catalogue, queries.term_context(context.settings))
    return [
        Route("/queries", api.listing, methods=["GET", "HEAD"]),
        Route("/queries/{name}", api.run, methods=["GET", "HEAD"]),
        Route("/openapi.json", api.openapi, methods=["GET", "HEAD"]),
    ]


def negotiate(request: Request) -> str | None:
    """json, csv or html from ?format= (wins) or Accept; None when nothing offered fits."""
    asked = request.query_params.get("format")
    if asked == "":  # an empty value is a mistake, not "no preference"
        raise bad_parameter(
            f"parameter 'format' is empty; {EMPTY_ADVICE % 'one of json, csv, html'}", "format"
        )
    if asked is not None:
        return asked if asked in FORMATS else None
    chosen = choose(request.headers.get("accept"), ["application/json", "text/csv", "text/html"])
    return next((name for name, media in FORMATS.items() if media == chosen), None)


def _not_acceptable(request: Request, offered: tuple[str, ...] = tuple(FORMATS)) -> Response:
    asked = request.query_params.get("format")
    what = f"format={asked!r}" if asked else f"Accept: {request.headers.get('accept')}"
    listed = ", ".join(offered)
    return Response(f"Not acceptable: {what}; offered: {listed}\n", 406, media_type="text/plain")


class QueryApi:
    def __init__(self, context: Context, catalogue: dict[str, CannedQuery], terms: TermContext) -> None:
        self.context = context
        self.catalogue = catalogue
        self.terms = terms

    async def openapi(self, request: Request) -> Response:
        # Never from the Host header: a forged Host must not send clients (or a shared cache) elsewhere.
        # Without public_url the server URL is relative: "where this document was fetched from".
        root = self.context.settings.public_url.rstrip("/") or "/"
        spec = document(self.catalogue, root, max_rows=self.context.settings.max_result_rows)
        return JSONResponse(spec, headers={"Cache-Control": "public, max-age=3600"})

    async def listing(self, request: Request) -> Response:
        fmt = negotiate(request)
        if fmt not in LISTING_FORMATS:
            return _not_acceptable(request, LISTING_FORMATS)
        entries = [describe(q) for q in self.catalogue.values()]
        if fmt == "html":
            return html_response("Canned queries", listing_html(entries))
        return JSONResponse({"queries": entries, "openapi": "/openapi.json"}, headers={"Vary": "Accept"})

    async def run(self, request: Request) -> Response:
        fmt = negotiate(request)
        if fmt is None:
            return _not_acceptable(request)
        private = self.context.is_private(request)  # a wrong token is a 401 before anything else
        query = self.catalogue.get(request.path_params["name"])
        if query is None:
            known = ", ".join(self.catalogue)
            raise NotFound(f"no canned query named {request.path_params['name']!r}", hint=f"known: {known}")
        values, limit, offset = self.read_parameters(query, request)
        terms = _parsed(queries.bind(query, values, self.terms))

        async def produce() -> Cached:
            page = await self.context.using(
                lambda executor: queries.run_page(executor, query, terms, limit, offset, private=private)
            )
            response = self.render(request, query, values, page, fmt)
            headers = {"X-Total-Count": str(page.total)}
            links = page_links(request, page)
            if links:
                headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
            return Cached(bytes(response.body), response.headers["content-type"], headers)

        # A page of results is cached like any /sparql result; the ETag names the build it came from.
        key = ("canned", query.name, tuple(sorted(values.items())), limit, offset, fmt)
        return await self.context.cached(request, key, produce, private=private, vary="Accept, Authorization")

    def read_parameters(self, query: CannedQuery, request: Request) -> tuple[dict[str, str], int, int]:
        """The parameter values, limit and offset; one ParameterError names every bad one."""
        params = request.query_params
        repeated = [k for k in set(params.keys()) if len(params.getlist(k)) > 1]
        if repeated:
            raise bad_parameter(f"parameter {repeated[0]!r} is given more than once", repeated[0])
        values = {k: v for k, v in params.items() if k not in PAGING}
        problems = {**queries.parameter_problems(query, values, self.terms), **_empty_values(query, params)}
        cap = self.context.settings.max_result_rows
        limit = _integer(params, "limit", min(DEFAULT_LIMIT, cap), 0, cap, problems)
        offset = _integer(params, "offset", 0, 0, None, problems)
        if problems:
            first = next(iter(problems))
            raise bad_parameter("; ".join(problems.values()), first, problems)
        return values, limit, offset

    def render(
        self, request: Request, query: CannedQuery, values: dict[str, str], page: queries.Page, fmt: str
    ) -> Response:
        links = page_links(request, page)
        if fmt == "csv":
            return Response(page.table.write("csv"), media_type="text/csv; charset=utf-8")
        if fmt == "html":
            body = result_html(query, values, page, links, self.context.href)
            return html_response(query.summary, body)
        payload = {
            "query": query.name,
            "parameters": values,
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
            "next": links.get("next"),
            "previous": links.get("prev"),
            "head": {"vars": page.table.columns},
            "results": {"bindings": page.table.records()},
        }
        return JSONResponse(payload)


def _parsed(terms: dict[str, str]) -> dict[str, str]:
    """The bound terms, each parsed as the store will parse it, so that a value its type let through
    but RDF refuses (an IRI with `]` in its path, say) is a 400 naming the parameter, not the query."""
    problems = {}
    for name, term in terms.items():
        try:
            parse_term(term, f"parameter {name!r}")
        except QueryError as exc:
            problems[name] = exc.message
    if problems:
        raise bad_parameter("; ".join(problems.values()), next(iter(problems)), problems)
    return terms


def _empty_values(query: CannedQuery, params: Mapping[str, str]) -> dict[str, str]:
    """Problems for `?name=` with nothing after it: refused, not taken as "use the default"."""
    problems = {}
    for name, raw in params.items():
        param = query.parameter(name)
        if raw != "" or (param is None and name not in PAGING):
            continue  # unknown names are reported by parameter_problems
        accepts = param.kind.help if param else "a whole number"
        problems[name] = f"parameter {name!r} is empty; {EMPTY_ADVICE % accepts}"
    return problems


def _integer(
    params: Mapping[str, str], name: str, default: int, low: int, high: int | None, problems: dict[str, str]
) -> int:
    """The value of a paging parameter, or `default`; a bad value goes into `problems`."""
    raw = params.get(name)
    if raw is None or name in problems:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > PAGING_DIGITS:
        problems[name] = (
            f"parameter {name!r}: {raw[:40]!r} is not a whole number of at most {PAGING_DIGITS} digits"
        )
        return default
    value = int(raw)
    if value < low or (high is not None and value > high):
        problems[name] = f"parameter {name!r}: {value} is outside {low}..{high if high is not None else ''}"
        return default
    return value


def page_links(request: Request, page: queries.Page) -> dict[str, str]:
    """URLs of the next and previous pages, keeping every other parameter."""
    if not page.limit:
        return {}
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
    links = {}
    if page.offset + page.limit < page.total:
        links["next"] = f"{request.url.path}?{urlencode([*kept, ('offset', page.offset + page.limit)])}"
    if page.offset > 0:
        links["prev"] = (
            f"{request.url.path}?{urlencode([*kept, ('offset', max(page.offset - page.limit, 0))])}"
        )
    return links


def describe(query: CannedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "url": f"/queries/{query.name}",
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [p.describe() for p in query.parameters],
        "example": f"/queries/{query.name}"
        + (f"?{urlencode(query.example_values())}" if query.example_values() else ""),
    }


# ---------------------------------------------------------------- HTML (every text escaped)


def _esc(text: object) -> str:
    return esc(text)


def html_response(title: str, body: str, status: int = 200) -> Response:
    page = layout(title, body, scripts=["/static/form.js"])
    return Response(page, status, media_type="text/html; charset=utf-8")


def listing_html(entries: list[dict[str, Any]]) -> str:
    items = []
    for entry in entries:
        params = ", ".join(_esc(p["name"]) for p in entry["parameters"]) or "none"
        items.append(
            f'<li><a href="{_esc(entry["example"])}"><b>{_esc(entry["name"])}</b></a>: '
            f"{_esc(entry['summary'])}"
            f"<br><small>{_esc(entry['description'])} Parameters: {params}.</small></li>"
        )
    return (
        f"<h1>Canned queries</h1><p>{len(entries)} queries. JSON: <code>Accept: application/json</code>.</p>"
        + (f"<ul>{''.join(items)}</ul>")
    )


def _form(query: CannedQuery, values: dict[str, str]) -> str:
    fields = []
    for p in query.parameters:
        value = values.get(p.name, p.default or "")
        need = " required" if p.required else ""
        fields.append(
            f'<label>{_esc(p.name)} <input name="{_esc(p.name)}" value="{_esc(value)}"'
            f' placeholder="{_esc(p.example or "")}"{need}></label> <small>{_esc(p.description)}</small><br>'
        )
    return f'<form class="canned" method="get">{"".join(fields)}<button>Run</button></form>'


def _cell(term: Mapping[str, Any] | None, href: Any) -> str:
    if not term:
        return ""
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        return f'<a href="{_esc(href(value))}">{_esc(value)}</a>'
    lang = term.get("xml:lang")
    return _esc(value) + (f" <small>@{_esc(lang)}</small>" if lang else "")


def result_html(
    query: CannedQuery, values: dict[str, str], page: queries.Page, links: dict[str, str], href: Any
) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in page.table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(t, href)}</td>" for t in row) + "</tr>" for row in page.table.rows
    )
    shown = (
        f"rows {page.offset + 1}–{page.offset + len(page.table.rows)} of {page.total}"
        if page.table.rows
        else (f"no rows on this page; {page.total} in all")
    )
    pager = " ".join(
        f'<a rel="{rel}" href="{_esc(url)}">{"next" if rel == "next" else "previous"}</a>'
        for rel, url in links.items()
    )
    return (
        f"<h1>{_esc(query.summary)}</h1><p>{_esc(query.description)}</p>{_form(query, values)}"
        f"<p>{_esc(shown)} {pager}</p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<details><summary>SPARQL</summary><pre>{_esc(query.sparql)}</pre></details>"
    )
