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
from .html import layout
from .i18n import say, ui_language
from .negotiation import choose, request_languages
from .openapi_page import openapi_html
from .queries_html import form_page_html, listing_html, result_html

FORMATS = {"json": "application/json", "csv": "text/csv", "html": "text/html"}
PAGING = ("limit", "offset", "format")
LISTING_FORMATS = ("json", "html")  # the listing has no CSV form
# The HTML pages speak the reader's language: the same URL varies by it (and by the language cookie).
VARY = "Accept, Accept-Language, Cookie, Authorization"
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
        Route("/openapi", api.openapi_page, methods=["GET", "HEAD"]),
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

    def document(self) -> dict[str, Any]:
        # Never from the Host header: a forged Host must not send clients (or a shared cache) elsewhere.
        # Without public_url the server URL is relative: "where this document was fetched from".
        root = self.context.settings.public_url.rstrip("/") or "/"
        return document(self.catalogue, root, max_rows=self.context.settings.max_result_rows)

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(self.document(), headers={"Cache-Control": "public, max-age=3600"})

    async def openapi_page(self, request: Request) -> Response:
        """The OpenAPI document as a page, rendered here from the JSON (no Swagger UI, no CDN)."""
        lang = reader_language(request)
        body = openapi_html(self.document(), lang)
        return html_response(say(lang, "api.title"), body, request, lang, cache="public, max-age=3600")

    async def listing(self, request: Request) -> Response:
        fmt = negotiate(request)
        if fmt not in LISTING_FORMATS:
            return _not_acceptable(request, LISTING_FORMATS)
        if fmt == "html":
            lang = reader_language(request)
            body = listing_html(self.catalogue.values(), lang)
            return html_response(say(lang, "nav.queries"), body, request, lang)
        entries = [describe(q) for q in self.catalogue.values()]
        return JSONResponse({"queries": entries, "openapi": "/openapi.json"}, headers={"Vary": VARY})

    async def run(self, request: Request) -> Response:
        fmt = negotiate(request)
        if fmt is None:
            return _not_acceptable(request)
        private = self.context.is_private(request)  # a wrong token is a 401 before anything else
        query = self.catalogue.get(request.path_params["name"])
        if query is None:
            known = ", ".join(self.catalogue)
            raise NotFound(f"no canned query named {request.path_params['name']!r}", hint=f"known: {known}")
        try:
            values, limit, offset = self.read_parameters(query, request)
            terms = _parsed(queries.bind(query, values, self.terms))
        except ParameterError as exc:
            if fmt != "html" or "format" in request.query_params:
                raise  # API clients (format= included) get the JSON 400 that names the parameter
            return self.form_page(request, query, exc)
        lang = reader_language(request) if fmt == "html" else ""

        async def produce() -> Cached:
            page = await self.context.using(
                lambda executor: queries.run_page(executor, query, terms, limit, offset, private=private)
            )
            response = self.render(request, query, values, page, fmt, lang, terms)
            headers = {"X-Total-Count": str(page.total)}
            links = page_links(request, page)
            if links:
                headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
            return Cached(bytes(response.body), response.headers["content-type"], headers)

        # A page of results is cached like any /sparql result; the ETag names the build it came from.
        key = ("canned", query.name, tuple(sorted(values.items())), limit, offset, fmt, lang)
        return await self.context.cached(request, key, produce, private=private, vary=VARY)

    def form_page(self, request: Request, query: CannedQuery, error: ParameterError) -> Response:
        """A browser's page for values the query cannot run with: the bare form when nothing was given
        (200: a browser opening the query's URL), else the form with what is wrong with each (400)."""
        lang = reader_language(request)
        values = {k: v for k, v in request.query_params.items() if k not in PAGING}
        bare = not request.query_params
        body = form_page_html(query, values, lang, {} if bare else error.problems)
        return html_response(query.summary, body, request, lang, 200 if bare else 400)

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
        self,
        request: Request,
        query: CannedQuery,
        values: dict[str, str],
        page: queries.Page,
        fmt: str,
        lang: str = "en",
        terms: Mapping[str, str] | None = None,
    ) -> Response:
        links = page_links(request, page)
        if fmt == "csv":
            return Response(page.table.write("csv"), media_type="text/csv; charset=utf-8")
        if fmt == "html":
            files = {name: format_link(request, name) for name in ("csv", "json")}
            # the same question on the query page, its values written in as a VALUES block
            editable = queries.with_values(queries.without_header(query.sparql), dict(terms or {}))
            body = result_html(query, values, page, links, files, self.context.href, lang, editable=editable)
            return html_response(query.summary, body, request, lang)
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


def format_link(request: Request, fmt: str) -> str:
    """This result's URL with format=`fmt`: the same parameters and page, as CSV or JSON."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return f"{request.url.path}?{urlencode([*kept, ('format', fmt)])}"


def reader_language(request: Request) -> str:
    return ui_language(request_languages(request.headers, request.cookies))


def html_response(
    title: str, body: str, request: Request, lang: str, status: int = 200, *, cache: str = ""
) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    styles = '<link rel="stylesheet" href="/static/queries.css">'
    page = layout(title, body, lang=lang, here=here, head_links=styles, scripts=["/static/form.js"])
    headers = {"Vary": VARY, **({"Cache-Control": cache} if cache else {})}
    return Response(page, status, headers=headers, media_type="text/html; charset=utf-8")
