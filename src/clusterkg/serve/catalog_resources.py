"""The release's catalogue as the server gives it out: rebased on public_url, and dereferenceable.

- With the public_url setting, the catalogue and VoID name this instance: the download base
  (each dcat:downloadURL minus its last segment, the access URL and landing page) becomes
  {public_url}dumps/, and the endpoint ({dcat:endpointURL}, void:sparqlEndpoint) {public_url}sparql.
  The release files stay as published; only what the server sends is rewritten.
- Every IRI the catalogue describes under the base ({base}dataset, {base}distribution/…,
  {base}publisher, {base}service/sparql, …) dereferences: HTML for browsers, RDF by Accept,
  with the nodes minted beneath it ({base}dataset/temporal, …/sha256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from ..namespaces import DCAT, DCT, FOAF, RDFS, VCARD, VOID
from ..store.export import convert_rdf, read_rdf_files
from .html import compact, link
from .i18n import say, ui_language
from .negotiation import pick_label, request_languages
from .resources import RDF_TYPES, graph_document_html, negotiate

if TYPE_CHECKING:
    from . import ServeContext

Row = dict[str, Any]
_IRI = re.compile(rb"<([^>]*)>")
VARY = "Accept, Accept-Language, Cookie"
POINTERS = {
    DCT + "conformsTo",
    FOAF + "homepage",
    VCARD + "hasURL",
    *(DCAT + p for p in ("landingPage", "accessURL", "downloadURL", "endpointURL", "endpointDescription")),
    VOID + "sparqlEndpoint",
    VOID + "dataDump",
}


@dataclass(frozen=True)
class ServedDocument:
    """A release document (catalog.ttl, void.ttl) as served: N-Triples lines and term rows."""

    ntriples: bytes
    rows: list[Row]
    rebased: bool
    subjects: frozenset[str]

    def description(self, iri: str) -> bytes:
        """The lines about `iri` and about the nodes minted beneath it (iri/…)."""
        exact, below = f"<{iri}> ".encode(), f"<{iri}/".encode()
        return b"".join(
            line + b"\n" for line in self.ntriples.splitlines() if line.startswith((exact, below))
        )


def rebase_map(rows: list[Row], public_url: str) -> dict[str, str]:
    """Old URL prefix -> this instance's, for the download base and the SPARQL endpoint."""
    if not public_url:
        return {}
    root = public_url if public_url.endswith("/") else public_url + "/"
    found: dict[str, str] = {}
    for r in rows:
        predicate, obj = r["predicate"]["value"], r["object"]["value"]
        if predicate == DCAT + "downloadURL":
            found[obj.rsplit("/", 1)[0] + "/"] = root + "dumps/"
        elif predicate in (DCAT + "endpointURL", VOID + "sparqlEndpoint"):
            found[obj] = root + "sparql"
    return found


def _rebased(value: str, moves: dict[str, str]) -> str:
    for old in sorted(moves, key=len, reverse=True):  # the longest prefix wins
        if value == old or (old.endswith("/") and value.startswith(old)):
            return moves[old] + value[len(old) :]
    return value


@lru_cache(maxsize=8)
def _load(path: str, stamp: tuple[int, int], public_url: str) -> ServedDocument:
    ntriples, rows = read_rdf_files([Path(path)])
    moves = rebase_map(rows, public_url)
    # What the catalogue points at as a document or service (ontology, /dumps/, /sparql, the
    # homepage) is served by its own route; the rest it describes is its own to serve.
    elsewhere = {r["object"]["value"] for r in rows if r["predicate"]["value"] in POINTERS}
    subjects = frozenset(
        r["subject"]["value"]
        for r in rows
        if r["subject"]["type"] == "uri" and r["subject"]["value"] not in elsewhere
    )
    if not moves:
        return ServedDocument(ntriples, rows, False, subjects)
    ntriples = _IRI.sub(lambda m: b"<" + _rebased(m.group(1).decode(), moves).encode() + b">", ntriples)
    for row in rows:
        for term in row.values():
            if term["type"] == "uri":
                term["value"] = _rebased(term["value"], moves)
    return ServedDocument(ntriples, rows, True, subjects)


def served_document(context: ServeContext, name: str) -> ServedDocument | None:
    """A document of the release folder as this server gives it out (None when not published)."""
    path = context.settings.dumps_dir / name
    try:
        stat = path.stat()
    except OSError:
        return None
    return _load(str(path), (stat.st_mtime_ns, stat.st_size), context.settings.public_url)


def served_rdf(document: ServedDocument, lines: bytes, media_type: str) -> bytes:
    fmt = RDF_TYPES[media_type]
    return lines if fmt == "ntriples" else convert_rdf(lines, "ntriples", fmt)


TITLES = (DCT + "title", RDFS + "label", FOAF + "name", VCARD + "fn")


def _title(document: ServedDocument, iri: str, languages: list[str]) -> str:
    labels = {
        r["object"].get("xml:lang", ""): r["object"]["value"]
        for r in document.rows
        if r["subject"]["value"] == iri
        and r["predicate"]["value"] in TITLES
        and r["object"]["type"] == "literal"
    }
    return pick_label(labels, languages) or compact(iri)


async def catalog_resource(context: ServeContext, request: Request, iri: str) -> Response:
    """One resource the catalogue describes, as a page or as RDF."""
    document = served_document(context, "catalog.ttl")
    if document is None:
        return PlainTextResponse("Not found\n", 404)
    media_type = negotiate(request)
    if media_type is None:
        offered = ", ".join(["text/html", *RDF_TYPES])
        return PlainTextResponse(f"Not acceptable: offered as {offered}\n", 406)
    headers = {"Vary": VARY, "Cache-Control": "public, max-age=600"}
    lines = document.description(iri)
    if media_type != "text/html":
        body = served_rdf(document, lines, media_type)
        return Response(body, media_type=media_type, headers=headers)
    languages = request_languages(request.headers, request.cookies)
    lang = ui_language(languages)
    rows = [r for r in document.rows if _about(r, iri)]
    intro = (
        f"<p>{say(lang, 'catalog.resource.intro', catalog=link('/catalog', say(lang, 'nav.catalog')))}</p>"
    )
    page = graph_document_html(_title(document, iri, languages), iri, rows, context, languages, intro)
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


def _about(row: Row, iri: str) -> bool:
    subject = row["subject"]["value"]
    return bool(subject == iri or subject.startswith(iri + "/"))


class CatalogResources(BaseRoute):
    """Matches a GET of any IRI the published catalogue describes under the base (not /catalog)."""

    def __init__(self, context: ServeContext) -> None:
        self.context = context

    def _iri(self, scope: Scope) -> str | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        path = scope["path"].lstrip("/")
        document = served_document(self.context, "catalog.ttl")
        iri = self.context.settings.base_iri + path
        if not path or path == "catalog" or document is None or iri not in document.subjects:
            return None
        return iri

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        iri = self._iri(scope)
        return (Match.FULL, {"catalog_iri": iri}) if iri else (Match.NONE, {})

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await catalog_resource(self.context, request, scope["catalog_iri"])
        await response(scope, receive, send)


__all__ = ["CatalogResources", "ServedDocument", "rebase_map", "served_document", "served_rdf"]
