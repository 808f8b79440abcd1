"""`clusterkg serve`: the store on the web, as a Starlette app.

`create_app(settings)` builds the app. Every route shares one `ServeContext`; route modules get
it as their only argument. The canned-query API (serve/queries_api.py, optional) plugs in as

    from .queries_api import routes as query_routes
    query_routes(context) -> list[starlette.routing.BaseRoute]

ServeContext, the interface route modules may rely on:

- `context.settings`: the Settings the server runs with (base_iri, max_result_rows, …).
- `context.build_id`: the store build being served; the store never changes while served, so
  it is part of every ETag.
- `context.is_private(request) -> bool`: True when the request carries the configured bearer
  token (settings.private_token, when non-empty); raises `Unauthorized` (401) for a wrong token.
- `await context.run_query(sparql, *, private, substitutions=None, fmt="json", graph_fmt="turtle",
  default_graphs=None, named_graphs=None) -> QueryResult`: runs a query in the worker pool, with
  the time limit, the row cap and the concurrency cap. `substitutions` maps variable names (no
  "?") to RDF terms in N-Triples syntax ('<https://…>', '"Bio"@en', '"3"^^<…#integer>'); they are
  bound as terms (SEP-0007), never pasted into the text. The result (store.pool.QueryResult) has
  `.kind` ("bindings" | "boolean" | "graph"), `.body` (bytes in `fmt`/`graph_fmt`), `.media_type`,
  `.truncated` (rows were cut at settings.max_result_rows), `.count`, `.variables`, `.boolean`.
- `await context.select_rows(sparql, *, private, substitutions=None) -> QueryResult`: same, but
  `.rows` holds the rows as SPARQL-JSON term dicts ({"type": "uri"|"literal"|…, "value": …}).
- Errors raised by both: QueryError (→ 400), QueryTimeout (→ 503), QueryPoolBusy (→ 503 with
  Retry-After); `context.error_response(exc)` turns any of them into the right plain-text response.
- `await context.cached(request, key, produce, private=…, vary="Accept")`: ETag / 304 / public
  response cache around `produce() -> serve.cache.Cached` (called only on a cache miss); `key`
  is a tuple naming the representation (route, parameters, negotiated format).
- `context.href(iri) -> str`: the link for an IRI: a local path for IRIs under the base, else the IRI.
- `html.layout(title, body_html, context=...)` / `html.esc(...)` give pages the site's look.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from ..errors import ClusterKGError, QueryError, QueryPoolBusy, QueryTimeout, Unauthorized
from ..namespaces import contacts_graph
from ..settings import Settings
from ..store.pool import QueryPool, QueryRequest, QueryResult
from .cache import Cached, ResponseCache, not_modified, not_modified_response, respond
from .security import BodyLimitMiddleware, SecurityHeadersMiddleware

EXPOSED_HEADERS = ["ETag", "Retry-After", "X-Result-Truncated", "X-Result-Row-Limit", "Content-Length"]


class ServeContext:
    """What every route shares: settings, the query pool, and the helpers documented above."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.build_id = settings.store.resolve().name if settings.store.exists() else "none"
        self.pool: QueryPool | None = None
        self.cache = ResponseCache()
        self._in_flight: dict[str, asyncio.Future[Cached]] = {}

    # -- access
    def is_private(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header:
            return False
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return False  # other schemes are not ours; the request stays public
        expected = self.settings.private_token
        if expected and hmac.compare_digest(token.strip().encode(), expected.encode()):
            return True
        raise Unauthorized("the bearer token is not valid for this server")

    @property
    def private_graphs(self) -> list[str]:
        return [contacts_graph(self.settings.base_iri)]

    # -- queries
    async def run_query(
        self,
        sparql: str,
        *,
        private: bool,
        substitutions: dict[str, str] | None = None,
        fmt: str = "json",
        graph_fmt: str = "turtle",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        if self.pool is None:
            raise QueryPoolBusy("the server is still starting", hint="retry in a moment")
        request = QueryRequest(
            sparql,
            fmt=fmt,
            graph_fmt=graph_fmt,
            include_private=private,
            default_graphs=None if default_graphs is None else tuple(default_graphs),
            named_graphs=None if named_graphs is None else tuple(named_graphs),
            substitutions=tuple(sorted((substitutions or {}).items())),
            base_iri=self.settings.base_iri,
        )
        return await self.pool.execute(request)

    async def select_rows(
        self, sparql: str, *, private: bool, substitutions: dict[str, str] | None = None
    ) -> QueryResult:
        return await self.run_query(sparql, private=private, substitutions=substitutions, fmt="rows")

    # -- responses
    def etag(self, *parts: object) -> str:
        digest = hashlib.sha256(repr((self.build_id, *parts)).encode()).hexdigest()[:32]
        return f'"{digest}"'

    async def cached(
        self,
        request: Request,
        key: tuple[object, ...],
        produce: Callable[[], Awaitable[Cached]],
        *,
        private: bool,
        vary: str = "Accept",
    ) -> Response:
        """ETag, 304 and the public response cache around `produce` (run only on a miss)."""
        etag = self.etag(private, *key)
        if not_modified(request, etag):
            return not_modified_response(etag, private, vary)
        entry = None if private else self.cache.get(etag)
        if entry is None:
            try:
                entry = await (produce() if private else self._produce_once(etag, produce))
            except ClusterKGError as exc:
                return self.error_response(exc)
        return respond(entry, etag, private, vary)

    async def _produce_once(self, etag: str, produce: Callable[[], Awaitable[Cached]]) -> Cached:
        """Run `produce` once for concurrent misses of one public key; every waiter shares the answer,
        so a burst of identical requests costs one query, not one per request."""
        task = self._in_flight.get(etag)
        if task is None:
            task = asyncio.ensure_future(self._produce_and_keep(etag, produce))
            self._in_flight[etag] = task
            task.add_done_callback(lambda _: self._in_flight.pop(etag, None))
        return await asyncio.shield(task)

    async def _produce_and_keep(self, etag: str, produce: Callable[[], Awaitable[Cached]]) -> Cached:
        entry = await produce()
        if entry.status == 200:
            self.cache.put(etag, entry)
        return entry

    def href(self, iri: str) -> str:
        base = self.settings.base_iri
        return "/" + iri[len(base) :] if iri.startswith(base) else iri

    def error_response(self, exc: Exception) -> Response:
        return error_response(exc)


def error_response(exc: Exception) -> Response:
    """The plain-text error response for an error the server expects."""
    if isinstance(exc, Unauthorized):
        return PlainTextResponse(
            f"{exc}\n", 401, headers={"WWW-Authenticate": 'Bearer realm="clusterkg", error="invalid_token"'}
        )
    if isinstance(exc, QueryPoolBusy):
        return PlainTextResponse(f"Service busy: {exc}\n", 503, headers={"Retry-After": "2"})
    if isinstance(exc, QueryTimeout):
        return PlainTextResponse(f"Query timeout: {exc}\n", 503)
    if isinstance(exc, QueryError):
        return PlainTextResponse(f"Bad query: {exc}\n", 400)
    if isinstance(exc, ClusterKGError):
        return PlainTextResponse(f"Server error: {exc}\n", 500)
    raise exc


def _optional_routes(context: ServeContext) -> list[BaseRoute]:
    try:
        from .queries_api import routes as query_routes
    except ImportError:
        return []
    routes: list[BaseRoute] = query_routes(context)
    return routes


def _middleware(settings: Settings) -> list[Middleware]:
    """Security headers, CORS without credentials, and the request-body cap."""
    cors = Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["Accept", "Accept-Language", "Content-Type", "Authorization", "If-None-Match"],
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=86400,
    )
    body_limit = Middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    return [Middleware(SecurityHeadersMiddleware), cors, body_limit]


def create_app(settings: Settings) -> Starlette:
    """The web app over the store named by settings.store (the pool starts with the app)."""
    from . import pages, sparql

    context = ServeContext(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import anyio.to_thread

        pool = QueryPool(
            settings.store,
            context.private_graphs,
            workers=settings.query_workers,
            timeout=settings.query_timeout,
            max_rows=settings.max_result_rows,
            max_concurrent=settings.max_concurrent_queries,
        )
        await anyio.to_thread.run_sync(pool.start)
        context.pool = pool
        try:
            yield
        finally:
            context.pool = None
            pool.close()

    routes = [*sparql.routes(context), *_optional_routes(context), *pages.routes(context)]
    middleware = _middleware(settings)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.context = context
    return app


__all__ = ["ServeContext", "create_app", "error_response"]
