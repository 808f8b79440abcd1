"""/sparql: the SPARQL 1.1 Protocol (query operation), read-only.

GET ?query=, POST form-encoded or application/sparql-query; default-graph-uri and
named-graph-uri (restricted to the graphs the caller may see); results by Accept with q-values;
a GET without a query returns the SPARQL Service Description. Every update is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..namespaces import PREFIXES
from ..store.export import convert_rdf
from ..store.policy import analyse
from .cache import Cached
from .negotiation import choose
from .query_page import query_page, show_query

if TYPE_CHECKING:
    from . import ServeContext

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
HTML = "text/html"
# The names clients put in format=/output=: ours and SPARQLWrapper's (which sends them unasked, and
# for tsv, json-ld and rdf+xml the media type too). N3 gets Turtle: every N3 parser reads Turtle.
RESULT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "nt": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",  # JSON for a graph: JSON-LD, the one JSON form of RDF
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "xml": "rdfxml",  # XML for a graph: RDF/XML
}
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only.\n"
VARY = "Accept, Authorization"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _media(request: Request) -> tuple[str, str | None]:
    """The request's media type and charset parameter (lowercase)."""
    kind, *params = [p.strip() for p in request.headers.get("content-type", "").split(";")]
    charset = next(
        (p.split("=", 1)[1].strip('"').lower() for p in params if p.lower().startswith("charset=")), None
    )
    return kind.lower(), charset


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the request body is not UTF-8: {exc}") from exc


async def protocol_params(request: Request) -> list[tuple[str, str]]:
    """All protocol parameters of a query request, from the URL and (for POST) the body."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params
    kind, charset = _media(request)
    if kind == "application/sparql-update":
        raise ProtocolError(403, READ_ONLY)
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported: send the request in UTF-8\n")
    if kind == "application/x-www-form-urlencoded":
        return params + parse_qsl(_utf8(await request.body()), keep_blank_values=True)
    if kind == "application/sparql-query":
        return [*params, ("query", _utf8(await request.body()))]
    raise ProtocolError(
        415,
        "POST a query as application/x-www-form-urlencoded (query=…) or as application/sparql-query\n",
    )


def _names(offers: dict[str, str]) -> dict[str, str]:
    return GRAPH_NAMES if offers is GRAPH_TYPES else RESULT_NAMES


def _named(wanted: str, offers: dict[str, str]) -> str | None:
    """The offered media type a `format` value names (a short name or a media type), if any."""
    media_type = wanted.split(";")[0].strip()
    if media_type in offers:
        return media_type
    fmt = _names(offers).get(wanted)
    return next((m for m, f in offers.items() if f == fmt), None)


def _format(request: Request, params: list[tuple[str, str]], offers: dict[str, str]) -> str | None:
    """The negotiated media type: a known `format`/`output` wins over Accept, Accept over an unknown one.

    Clients such as SPARQLWrapper always send a `format` of their own naming, sometimes one this
    query form has no use for (csv for a CONSTRUCT): then their Accept header decides.
    """
    asked = [v.strip().lower() for k, v in params if k in ("format", "output") and v.strip()]
    for wanted in asked:
        media_type = _named(wanted, offers)
        if media_type is not None:
            return media_type
    accept = request.headers.get("accept")
    if asked and not (accept and accept.strip()):
        return None  # an unknown format and no Accept to fall back on: refuse rather than guess
    return choose(accept, [*offers, HTML])


def _offers(form: str | None) -> dict[str, str]:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_TYPES
    return RESULT_TYPES


def _not_acceptable(offers: dict[str, str]) -> Response:
    listed = ", ".join(dict.fromkeys(offers))
    names = ", ".join(sorted(_names(offers)))
    return PlainTextResponse(
        f"Not acceptable: this query's results come as {listed}; "
        f"ask for one by Accept or by format= ({names})\n",
        406,
    )


def _content_type(media_type: str) -> str:
    return media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")


async def _answer(context: ServeContext, request: Request, params: list[tuple[str, str]]) -> Response:
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        return PlainTextResponse("Bad request: give exactly one query parameter\n", 400)
    if not queries:
        if request.method == "POST":
            return PlainTextResponse("Bad request: no query given (query=…)\n", 400)
        return await service_description(context, request)
    query = queries[0]
    shape = analyse(query)
    if shape.is_update:
        return PlainTextResponse(READ_ONLY, 403)
    private = context.is_private(request)
    offers = _offers(shape.form)
    media_type = _format(request, params, offers)
    if media_type is None:
        return _not_acceptable(offers)
    if media_type == HTML:  # a browser: the query page, with the query run and its result shown
        return await show_query(context, request, query)
    defaults = [v for k, v in params if k == "default-graph-uri"] or None
    named = [v for k, v in params if k == "named-graph-uri"] or None
    fmt = offers[media_type]

    async def produce() -> Cached:
        result = await context.run_query(
            query,
            private=private,
            fmt=fmt if fmt in RESULT_TYPES.values() else "json",
            graph_fmt=fmt if fmt in GRAPH_TYPES.values() else "turtle",
            default_graphs=defaults,
            named_graphs=named,
        )
        headers = {}
        if result.truncated:
            headers = {
                "X-Result-Truncated": "true",
                "X-Result-Row-Limit": str(context.settings.max_result_rows),
            }
        return Cached(result.body, _content_type(media_type), headers)

    key = ("sparql", query, defaults, named, media_type)
    return await context.cached(request, key, produce, private=private, vary=VARY)


def routes(context: ServeContext) -> list[BaseRoute]:
    async def endpoint(request: Request) -> Response:
        try:
            if any(k in UPDATE_PARAMS for k in request.query_params):
                return PlainTextResponse(READ_ONLY, 403)
            params = await protocol_params(request)
            if any(k in UPDATE_PARAMS for k, _ in params):
                return PlainTextResponse(READ_ONLY, 403)
        except ProtocolError as exc:
            return PlainTextResponse(
                exc.message if exc.message.endswith("\n") else exc.message + "\n", exc.status
            )
        return await _answer(context, request, params)

    return [
        Route("/sparql", endpoint, methods=["GET", "POST"], name="sparql"),
        Route("/sparql/", endpoint, methods=["GET", "POST"]),
    ]


# ---------------------------------------------------------------- service description

SD_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def endpoint_url(context: ServeContext, request: Request) -> str:
    root = context.settings.public_url or str(request.base_url)
    return root.rstrip("/") + "/sparql"


async def _public_graphs(context: ServeContext, private: bool) -> list[str]:
    result = await context.select_rows(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", private=private, lookup=True
    )
    return [row["g"]["value"] for row in result.rows if "g" in row]


def _prefix_declarations() -> str:
    """The prefixes every query may use undeclared, as SHACL prefix declarations (sh:declare)."""
    declared = " ,\n    ".join(
        f'[ sh:prefix "{prefix}" ; sh:namespace "{namespace}"^^xsd:anyURI ]'
        for prefix, namespace in PREFIXES.items()
    )
    return f"  sh:declare {declared} ;\n"


def _sd_turtle(endpoint: str, graphs: list[str]) -> str:
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in RESULT_FORMAT_IRIS)
    named = "".join(
        f"<{endpoint}#dataset> sd:namedGraph <{endpoint}#graph-{i}> .\n"
        f"<{endpoint}#graph-{i}> a sd:NamedGraph ; sd:name <{g}> .\n"
        for i, g in enumerate(graphs)
    )
    head = (
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"<{endpoint}> a sd:Service ;\n"
    )
    service = (
        f"  sd:endpoint <{endpoint}> ;\n"
        "  sd:supportedLanguage sd:SPARQL11Query ;\n"
        f"  sd:resultFormat {formats} ;\n"
        "  sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;\n"
        f"  sd:defaultDataset <{endpoint}#dataset> .\n"
        f"<{endpoint}#dataset> a sd:Dataset ; sd:defaultGraph <{endpoint}#default-graph> .\n"
        f"<{endpoint}#default-graph> a sd:Graph .\n"
    )
    return head + _prefix_declarations() + service + named


async def service_description(context: ServeContext, request: Request) -> Response:
    """The SPARQL Service Description: Turtle by default, other RDF formats by Accept."""
    media_type = choose(request.headers.get("accept"), [*SD_FORMATS, HTML])
    if media_type is None:
        listed = ", ".join(SD_FORMATS)
        return PlainTextResponse(f"Not acceptable: the service description comes as {listed}\n", 406)
    if media_type == HTML:
        return query_page(context, request, "")
    private = context.is_private(request)
    endpoint = endpoint_url(context, request)

    async def produce() -> Cached:
        turtle = _sd_turtle(endpoint, await _public_graphs(context, private)).encode()
        body = (
            turtle if media_type == "text/turtle" else convert_rdf(turtle, "turtle", SD_FORMATS[media_type])
        )
        return Cached(body, _content_type(media_type))

    key = ("service-description", endpoint, media_type)
    return await context.cached(request, key, produce, private=private, vary=VARY)
