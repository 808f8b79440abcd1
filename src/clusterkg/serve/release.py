"""The published release as linked data: the DCAT-AP catalog at /catalog, VoID at
/.well-known/void, and the generated ontology documentation for browsers at the ontology IRI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..store.export import convert_rdf, read_rdf_files
from .negotiation import choose, request_languages
from .resources import RDF_TYPES, graph_document_html

if TYPE_CHECKING:
    from . import ServeContext

# Files `clusterkg publish` writes, per media type; other RDF types are converted from Turtle.
CATALOG_FILES = {
    "text/turtle": "catalog.ttl",
    "application/rdf+xml": "catalog.rdf",
    "application/ld+json": "catalog.jsonld",
}
RDF_OFFERS = ["text/turtle", *[t for t in RDF_TYPES if t != "text/turtle"]]
HTML = "text/html"
TITLES = {"catalog.ttl": "Catalog (DCAT-AP)", "void.ttl": "Dataset description (VoID)"}


def _rdf_document(
    context: ServeContext, request: Request, turtle_name: str, files: dict[str, str]
) -> Response:
    folder = context.settings.dumps_dir
    if not (folder / turtle_name).is_file():
        return PlainTextResponse("Not found: no release here; run `clusterkg publish`\n", 404)
    # A browser (text/html ranked above RDF, or */* with html first) gets a page; RDF clients get RDF.
    media_type = choose(request.headers.get("accept"), [*RDF_OFFERS, HTML])
    if media_type is None:
        offered = ", ".join([*RDF_OFFERS, HTML])
        return PlainTextResponse(f"Not acceptable: offered as {offered}\n", 406)
    headers = {"Vary": "Accept", "Cache-Control": "public, max-age=600"}
    if media_type == HTML:
        _, rows = read_rdf_files([folder / turtle_name])
        languages = request_languages(request.headers, request.cookies)
        document = context.settings.base_iri + request.url.path.lstrip("/")
        intro = f"<p>As published in the release: <code>{turtle_name}</code>.</p>"
        title = TITLES.get(turtle_name, turtle_name)
        page = graph_document_html(title, document, rows, context, languages, intro)
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    if media_type in files:
        return FileResponse(folder / files[media_type], media_type=media_type, headers=headers)
    body = convert_rdf((folder / turtle_name).read_bytes(), "turtle", RDF_TYPES[media_type])
    return Response(body, media_type=media_type, headers=headers)


def ontology_docs(context: ServeContext, request: Request) -> Response | None:
    """The generated HTML documentation, when a browser asks for the ontology and it was published."""
    page = context.settings.dumps_dir / "ontology.html"
    wants_html = choose(request.headers.get("accept"), ["text/html", *RDF_TYPES]) == "text/html"
    if wants_html and "format" not in request.query_params and page.is_file():
        return FileResponse(page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
    return None


def routes(context: ServeContext) -> list[BaseRoute]:
    async def catalog(request: Request) -> Response:
        return _rdf_document(context, request, "catalog.ttl", CATALOG_FILES)

    async def void(request: Request) -> Response:
        return _rdf_document(context, request, "void.ttl", {"text/turtle": "void.ttl"})

    return [
        Route("/catalog", catalog, name="catalog"),
        Route("/.well-known/void", void, name="void"),
    ]
