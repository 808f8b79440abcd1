"""The published release as linked data: the DCAT-AP catalog at /catalog, VoID at
/.well-known/void, and the generated ontology documentation for browsers at the ontology IRI."""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..publish.docs import OntologyModel, ontology_html, pick, read_ontology
from .cache import Cached
from .catalog_resources import served_document, served_rdf
from .html import alternates, esc, layout
from .i18n import say, ui_language
from .negotiation import choose, request_languages
from .resources import RDF_TYPES, graph_document_html
from .shapes_pages import shape_href

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
TITLES = {"catalog.ttl": "release.catalog_title", "void.ttl": "release.void_title"}


def _rdf_document(
    context: ServeContext, request: Request, turtle_name: str, files: dict[str, str]
) -> Response:
    document = served_document(context, turtle_name)
    if document is None:
        return PlainTextResponse("Not found: no release here; run `clusterkg publish`\n", 404)
    # A browser (text/html ranked above RDF, or */* with html first) gets a page; RDF clients get RDF.
    media_type = choose(request.headers.get("accept"), [*RDF_OFFERS, HTML])
    if media_type is None:
        offered = ", ".join([*RDF_OFFERS, HTML])
        return PlainTextResponse(f"Not acceptable: offered as {offered}\n", 406)
    headers = {"Vary": "Accept", "Cache-Control": "public, max-age=600"}
    if media_type == HTML:
        languages = request_languages(request.headers, request.cookies)
        lang = ui_language(languages)
        document_iri = context.settings.base_iri + request.url.path.lstrip("/")
        intro = f"<p>{esc(say(lang, 'release.as_published', file=turtle_name))}</p>"
        if document.rebased:
            intro += f"<p>{esc(say(lang, 'release.rebased', url=context.settings.public_url))}</p>"
        title = say(lang, TITLES.get(turtle_name, "release.document"))
        page = graph_document_html(title, document_iri, document.rows, context, languages, intro)
        headers["Vary"] = "Accept, Accept-Language, Cookie"
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    if media_type in files and not document.rebased:  # the release file itself, byte for byte
        return FileResponse(
            context.settings.dumps_dir / files[media_type], media_type=media_type, headers=headers
        )
    return Response(
        served_rdf(document, document.ntriples, media_type), media_type=media_type, headers=headers
    )


async def ontology_docs(context: ServeContext, request: Request) -> Response | None:
    """The ontology's documentation for a browser (None for RDF clients: they get the graph).

    Rendered from the project's ontology files by the same code that writes the release's
    ontology.html, in the reader's language, inside the site's layout; classes link to their
    requirements pages under /shapes.
    """
    asked = request.query_params.get("format", "html").lower()
    files = sorted(context.settings.path("ontology").glob("*.ttl"))
    wants_html = choose(request.headers.get("accept"), ["text/html", *RDF_TYPES]) == "text/html"
    if asked != "html" or not files or not (wants_html or "format" in request.query_params):
        return None
    languages = request_languages(request.headers, request.cookies)
    lang = ui_language(languages)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)

    async def produce() -> Cached:
        model = await anyio.to_thread.run_sync(_ontology_model, stamp)
        body = ontology_html(model, lang, partial(say, lang), shape_href) + alternates(
            [(f"/ontology?format={name}", label) for name, label in ONTOLOGY_FORMATS], lang
        )
        title = pick(model.titles, lang) or say(lang, "ontology.title")
        return Cached(layout(title, body, lang=lang, here="/ontology").encode(), "text/html; charset=utf-8")

    key = ("ontology-docs", stamp, tuple(languages))
    return await context.cached(request, key, produce, private=False, vary="Accept, Accept-Language, Cookie")


ONTOLOGY_FORMATS = (
    ("turtle", "Turtle"),
    ("jsonld", "JSON-LD"),
    ("ntriples", "N-Triples"),
    ("rdfxml", "RDF/XML"),
)


@lru_cache(maxsize=2)
def _ontology_model(stamp: tuple[tuple[str, int], ...]) -> OntologyModel:
    """The ontology files read once per version of them (`stamp`: names and modification times)."""
    return read_ontology(Path(name) for name, _ in stamp)


def routes(context: ServeContext) -> list[BaseRoute]:
    async def catalog(request: Request) -> Response:
        return _rdf_document(context, request, "catalog.ttl", CATALOG_FILES)

    async def void(request: Request) -> Response:
        return _rdf_document(context, request, "void.ttl", {"text/turtle": "void.ttl"})

    return [
        Route("/catalog", catalog, name="catalog"),
        Route("/.well-known/void", void, name="void"),
    ]
