"""The published release as linked data: the DCAT-AP catalog at /catalog, VoID at
/.well-known/void, and the generated ontology documentation for browsers at the ontology IRI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..store.export import convert_rdf
from .negotiation import choose
from .resources import RDF_TYPES

if TYPE_CHECKING:
    from . import ServeContext

# Files `clusterkg publish` writes, per media type; other RDF types are converted from Turtle.
CATALOG_FILES = {
    "text/turtle": "catalog.ttl",
    "application/rdf+xml": "catalog.rdf",
    "application/ld+json": "catalog.jsonld",
}
RDF_OFFERS = ["text/turtle", *[t for t in RDF_TYPES if t != "text/turtle"]]


def _rdf_document(
    context: ServeContext, request: Request, turtle_name: str, files: dict[str, str]
) -> Response:
    folder = context.settings.dumps_dir
    if not (folder / turtle_name).is_file():
        return PlainTextResponse("Not found: no release here; run `clusterkg publish`\n", 404)
    media_type = choose(request.headers.get("accept"), RDF_OFFERS)
    if media_type is None:
        return PlainTextResponse("Not acceptable: offered as " + ", ".join(RDF_OFFERS) + "\n", 406)
    headers = {"Vary": "Accept", "Cache-Control": "public, max-age=600"}
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
