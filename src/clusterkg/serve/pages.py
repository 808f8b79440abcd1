"""Pages for people: home, class browser, query page, dumps, health; then every IRI under the base.

Route order matters: the fixed routes first, the catch-all dereferencing route last.
"""

from __future__ import annotations

import os
from functools import partial
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ..errors import ParameterError
from ..namespaces import CKG, RDFS
from ..publish.landing import intro_html, listing_html, release_files
from .cache import Cached
from .catalog_resources import CatalogResources
from .countries import country_index, country_page
from .home import home
from .html import compact, esc, iri_link, layout
from .i18n import UI_LANGUAGES, say, ui_language
from .negotiation import LANGUAGE_COOKIE, labels_by_language, pick_label, request_languages
from .query_page import query_route, result_labels
from .release import ontology_docs
from .release import routes as release_routes
from .resources import dereference
from .shapes_pages import ShapesDocument
from .shapes_pages import routes as shapes_routes
from .values import format_number

if TYPE_CHECKING:
    from . import ServeContext

STATIC = Path(__file__).parent / "static"
VARY = "Accept-Language, Cookie, Authorization"
CLASS_COUNTS = f"""SELECT ?c ?n ?label WHERE {{
  {{ SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c }} GROUP BY ?c }}
  OPTIONAL {{ ?c <{RDFS}label> ?label }}
}} ORDER BY DESC(?n) ?c"""
INSTANCES = f"""SELECT ?this ?s ?label WHERE {{
  {{ SELECT DISTINCT ?this ?s WHERE {{ ?s a ?this }} ORDER BY ?s LIMIT 2000 }}
  OPTIONAL {{ ?s <{RDFS}label> ?label }}
}}"""


def _labelled(rows: list[dict[str, Any]], key: str, languages: list[str]) -> dict[str, str]:
    labels = labels_by_language(rows, key)
    return {iri: pick_label(by_lang, languages) or compact(iri) for iri, by_lang in labels.items()}


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


async def browse(context: ServeContext, request: Request) -> Response:
    cls = request.query_params.get("class") or ""
    if not cls or any(c in cls for c in '<>"{}|^`\\ '):
        raise ParameterError(
            "class must be the IRI of a class",
            parameter="class",
            hint="e.g. /browse?class=" + CKG + "Cluster",
        )
    private = context.is_private(request)
    languages = request_languages(request.headers, request.cookies)

    async def produce() -> Cached:
        lang = ui_language(languages)
        result = await context.select_rows(INSTANCES, private=private, substitutions={"this": f"<{cls}>"})
        names = _labelled(result.rows, "s", languages)
        names.update(await result_labels(context, request, [{"c": {"type": "uri", "value": cls}}], private))
        members = sorted({r["s"]["value"] for r in result.rows}, key=lambda s: (names.get(s) or s).lower())
        items = "".join(f"<li>{iri_link(s, context, names.get(s))}</li>" for s in members)
        shown = say(lang, "browse.shown", count=format_number(str(len(members)), lang))
        body = (
            f"<h1>{say(lang, 'browse.heading', cls=iri_link(cls, context, names.get(cls)))}</h1>"
            f'<p>{esc(shown)}</p><ul class="instances">{items}</ul>'
        )
        title = say(lang, "browse.heading", cls=names.get(cls) or compact(cls))
        return Cached(
            layout(
                title, body, lang=lang, here=str(request.url.path) + "?" + str(request.url.query)
            ).encode(),
            "text/html; charset=utf-8",
        )

    return await context.cached(
        request, ("browse", cls, tuple(languages)), produce, private=private, vary=VARY
    )


async def dumps_index(context: ServeContext, request: Request) -> Response:
    """The release folder for browsers: each file's content, format, media type, size and checksum,
    with links to the catalogue and VoID (the same listing as the release's own index.html)."""
    lang = ui_language(request_languages(request.headers, request.cookies))
    speak = partial(say, lang)
    files = await anyio.to_thread.run_sync(release_files, context.settings.dumps_dir)
    settings = context.settings
    body = (
        f"<h1>{esc(speak('dumps.title'))}</h1>"
        + intro_html(speak, settings.release_version, settings.release_date, "/catalog", "/.well-known/void")
        + listing_html(files, speak, lambda name: "/dumps/" + _quote(name))
    )
    page = layout(speak("dumps.title"), body, lang=lang, here="/dumps/")
    return HTMLResponse(page, headers={"Vary": "Accept-Language, Cookie", "Cache-Control": "no-cache"})


async def choose_language(context: ServeContext, request: Request) -> Response:
    """The language switch: remember the chosen interface language and go back to the page."""
    chosen = request.query_params.get("set", "")
    if chosen not in UI_LANGUAGES:
        raise ParameterError(
            f"set={chosen!r} is not an interface language",
            parameter="set",
            hint="use one of: " + ", ".join(UI_LANGUAGES),
        )
    back = request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"  # only a path on this site: never an open redirect
    response = RedirectResponse(back, 303, headers={"Cache-Control": "no-store"})
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


class DumpFiles(StaticFiles):
    """The release files; a gzip file is application/gzip, not its content's type.

    Guessing from the name makes x.nq.gz application/n-quads with no Content-Encoding, so a client
    would take gzip bytes for N-Quads; the file is the gzip itself (DCAT's compressFormat).
    """

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if str(full_path).endswith(".gz") and "content-type" in response.headers:
            response.headers["content-type"] = "application/gzip"
        return response


def routes(context: ServeContext) -> list[BaseRoute]:
    shapes = ShapesDocument()

    async def health(request: Request) -> Response:
        # Never touches the query workers, so it answers while slow queries run.
        pool = context.pool
        body: dict[str, Any] = {
            "status": "ok" if pool else "starting",
            "store": context.build_id,
            "build": context.build_id,
            "network_isolated": bool(pool and pool.network_isolated),
        }
        backend = await context.backend_state()  # --backend: a short ASK {} (None otherwise)
        if backend is None:
            return JSONResponse(body, headers={"Cache-Control": "no-store"})
        body.update(status=backend, backend=backend, backend_url=context.settings.backend_url)
        headers = {"Cache-Control": "no-store", **({} if backend == "ok" else {"Retry-After": "5"})}
        return JSONResponse(body, 200 if backend == "ok" else 503, headers=headers)

    def guarded(handler):  # type: ignore[no-untyped-def]
        """An endpoint that runs `handler(context, request)`; errors reach the app's one handler."""

        async def endpoint(request: Request) -> Response:
            response: Response = await handler(context, request)
            return response

        return endpoint

    async def resource(request: Request) -> Response:
        docs = await ontology_docs(context, request) if request.url.path == "/ontology" else None
        if docs is not None:
            return docs  # the published, generated documentation is the better page for people
        return await guarded(lambda c, r: dereference(c, r, shapes))(request)

    found: list[BaseRoute] = [
        *release_routes(context),
        Route("/", guarded(home), name="home"),
        Route("/health", health, name="health"),
        Route("/query", guarded(query_route), name="query"),  # serve/query_page.py
        Route("/browse", guarded(browse), name="browse"),
        Route("/country/", guarded(country_index), name="countries"),  # serve/countries.py
        Route("/country/{code}", guarded(country_page), name="country"),  # serve/countries.py
        Route("/language", guarded(choose_language), name="language"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    if context.settings.dumps_dir.is_dir():

        async def dumps(request: Request) -> Response:
            return await dumps_index(context, request)

        found += [Route("/dumps/", dumps), Mount("/dumps", DumpFiles(directory=context.settings.dumps_dir))]
    found += shapes_routes(context, shapes)
    # What the catalogue describes ({base}dataset, …) before the store's resources; after every
    # fixed route, so the catalogue's URLs of pages (/dumps/, /sparql) stay those pages.
    found += [CatalogResources(context), Route("/{path:path}", resource, name="resource")]
    return found


__all__ = ["routes"]
