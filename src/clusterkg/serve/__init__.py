"""`clusterkg serve`: the store on the web, as a Starlette app.

`create_app(settings)` builds the app. Every route shares one `ServeContext`; route modules get
it as their only argument. The canned-query API (serve/queries_api.py, optional) plugs in as

    from .queries_api import routes as query_routes
    query_routes(context) -> list[starlette.routing.BaseRoute]

ServeContext, the interface route modules may rely on:

- `context.settings`: the Settings the server runs with (base_iri, max_result_rows, …).
- `context.build_id`: the build being served. The server follows `clusterkg build` (`follow`,
  polled every settings.reload_interval s) and swaps builds without restart; the build id is part
  of every ETag, so a new build never answers with an old page. With settings.backend_url
  (`clusterkg serve --backend URL`) every query goes to that SPARQL endpoint instead (BackendBuild);
  the id then follows the release `clusterkg push` marks live there.
- `context.is_private(request) -> bool`: True when the request carries the configured bearer
  token (settings.private_token, when non-empty); raises `Unauthorized` (401) for a wrong token.
- `await context.using(work, lookup=False) -> T`: runs `work(executor)` in a thread on the build
  served now; the executor is the worker pool (user SPARQL, canned queries: killable, time limit,
  row cap, bounded queue) or, with `lookup=True`, the in-process store (the server's own bounded
  lookups behind pages: no worker round trip). Every executor has `execute(QueryRequest)`.
- `await context.run_query(sparql, *, private, substitutions=None, fmt="json", graph_fmt="turtle",
  default_graphs=None, named_graphs=None, lookup=False) -> QueryResult`: one request through
  `using`. `substitutions` maps variable names (no "?") to RDF terms in N-Triples syntax; they
  are bound as terms (SEP-0007), never pasted into the text. The result (store.QueryResult) has
  `.kind` ("bindings" | "boolean" | "graph"), `.body`, `.media_type`, `.truncated`, `.count`,
  `.variables`, `.rows` (for fmt="rows": SPARQL-JSON term dicts) and `.boolean`.
- `await context.select_rows(...)`: `run_query` with fmt="rows".
- Errors are raised, never caught in routes: each class in errors.py carries its HTTP status, and
  the app's one exception handler (`error_response`) writes the response.
- `await context.cached(request, key, produce, private=…, vary="Accept")`: ETag / 304 / public
  response cache around `produce() -> serve.cache.Cached` (called only on a cache miss); `key`
  is a tuple naming the representation (route, parameters, negotiated format).
- `context.href(iri) -> str`: the link for an IRI: a local path for IRIs under the base and for the
  EU authority's countries (/country/XXX, serve/countries.py), else the IRI.
- `html.layout(title, body_html, context=...)` / `html.esc(...)` give pages the site's look.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute

from ..errors import ClusterKGError, QueryPoolBusy, StoreError, Unauthorized
from ..namespaces import EU_COUNTRY, PREFIXES
from ..settings import Settings
from ..store import ROWS, Executor, KnowledgeStore, QueryRequest, QueryResult
from ..store.builds import hold, part
from ..store.pool import QueryPool
from ..store.push import Names, live_dataset, marker_query
from ..store.remote import RemoteEndpoint
from .cache import Cached, ResponseCache, not_modified, not_modified_response, respond
from .html import esc, layout
from .negotiation import choose
from .security import BodyLimitMiddleware, SecurityHeadersMiddleware

EXPOSED_HEADERS = ["ETag", "Retry-After", "X-Result-Truncated", "X-Result-Row-Limit", "Content-Length"]
T = TypeVar("T")


def thread_limiters(settings: Settings) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
    """Threads for user queries and for page lookups, apart: a flood of slow user queries waiting for
    a worker never takes the threads that page lookups need (admission past the queue fails fast)."""
    return anyio.CapacityLimiter(settings.query_workers + settings.query_queue + 16), anyio.CapacityLimiter(
        32
    )


class ServedBuild:
    """One build as the server holds it: the in-process executor for the server's own bounded
    lookups, the worker pool for user SPARQL, and the count of requests still using it."""

    def __init__(self, settings: Settings, build: Path) -> None:
        self.build, self.id = build, build.name
        self.lease = hold(build)  # first: pruning must not delete what the server is about to open
        self.local = KnowledgeStore(build, max_rows=settings.max_result_rows, base_iri=settings.base_iri)
        self.pool = QueryPool(
            build,
            workers=settings.query_workers,
            timeout=settings.query_timeout,
            max_rows=settings.max_result_rows,
            queue_length=settings.query_queue,
            memory_mb=settings.worker_memory_mb,
            require_isolation=not settings.allow_unisolated_workers,
        )
        self.query_threads, self.lookup_threads = thread_limiters(settings)
        self.users = 0

    def start(self) -> ServedBuild:
        try:
            self.pool.start()
        except BaseException:
            self.lease.release()
            raise
        return self

    def close(self) -> None:
        self.pool.close()
        self.lease.release()

    async def retire(self, grace: float) -> None:
        """Close once the requests still running on this build have finished (or after `grace` s)."""
        deadline = time.monotonic() + grace
        while self.users and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.close()


class BackendBuild:
    """A remote SPARQL engine in the place of a build (`clusterkg serve --backend URL`): page lookups
    and user SPARQL both run there, through the same policy, with the same time limit and row cap.
    Nothing swaps; the id follows the release `clusterkg push` marks live, so caches never go stale."""

    CHECK_TIMEOUT = 2.0  # seconds for /health and the release check: short, never the query limit

    def __init__(self, settings: Settings) -> None:
        self.url, self.build = settings.backend_url, None
        self.local = self.pool = RemoteEndpoint(
            self.url, timeout=settings.query_timeout, max_rows=settings.max_result_rows, prefixes=PREFIXES
        )
        self._check = RemoteEndpoint(self.url, timeout=self.CHECK_TIMEOUT)
        self._marker = Names(settings.base_iri).live
        self.release = ""
        self.query_threads, self.lookup_threads = thread_limiters(settings)
        self.users = 0

    @property
    def id(self) -> str:
        return "backend-" + hashlib.sha256(f"{self.url}\0{self.release}".encode()).hexdigest()[:16]

    def refresh(self) -> bool:
        """Read the live release's id (and dataset) from the engine; True when the id changed."""
        rows = self._check.execute(QueryRequest(marker_query(self._marker), fmt=ROWS)).rows
        pairs = [(str(r["p"]["value"]), str(r["o"]["value"])) for r in rows if "p" in r and "o" in r]
        release, self.local.scope = live_dataset(self._marker, pairs)  # Virtuoso: only the live graphs
        changed, self.release = release != self.release, release
        return changed

    def state(self) -> str:
        """The engine's state: ok when it answers ASK {} within CHECK_TIMEOUT, else down."""
        try:
            self._check.execute(QueryRequest("ASK {}", fmt=ROWS))
        except ClusterKGError:
            return "down"
        return "ok"

    def close(self) -> None:
        return None

    async def retire(self, grace: float) -> None:
        self.close()


def current_build(store_path: Path) -> Path | None:
    """The build the store link points at now, when it is a complete build."""
    build = store_path.resolve()
    return build if part(build).is_dir() else None


class ServeContext:
    """What every route shares: settings, the served build, and the helpers documented above."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.served: ServedBuild | BackendBuild | None = None
        self.cache = ResponseCache()
        self._in_flight: dict[str, asyncio.Future[Cached]] = {}
        self._retiring: set[asyncio.Future[None]] = set()

    @property
    def build_id(self) -> str:
        return self.served.id if self.served else "none"

    @property
    def pool(self) -> QueryPool | None:
        return self.served.pool if isinstance(self.served, ServedBuild) else None

    async def backend_state(self) -> str | None:
        """With --backend: "ok" or "down" (a short ASK {}); None when serving the local store."""
        served = self.served
        if not isinstance(served, BackendBuild):
            return None
        return await anyio.to_thread.run_sync(served.state, limiter=served.lookup_threads)

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
        raise Unauthorized("the bearer token is not valid for this server", hint="send the right token")

    # -- builds
    async def follow(self) -> bool:
        """Serve the build the store link points at, if it changed; True when it swapped."""
        if self.settings.backend_url:
            return await self._follow_backend()
        build = current_build(self.settings.store)
        if build is None or (self.served is not None and build == self.served.build):
            return False
        fresh = await anyio.to_thread.run_sync(lambda: ServedBuild(self.settings, build).start())
        old, self.served = self.served, fresh
        if old is not None:
            task = asyncio.ensure_future(old.retire(self.settings.query_timeout + 5))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
        return True

    async def _follow_backend(self) -> bool:
        """The engine is served from the start (down or not); later calls only re-read its release."""
        served, first = self.served, self.served is None
        if not isinstance(served, BackendBuild):
            served = self.served = BackendBuild(self.settings)
        with contextlib.suppress(ClusterKGError):  # down: /health says so, queries get 502
            await anyio.to_thread.run_sync(served.refresh, limiter=served.lookup_threads)
        return first

    async def close(self) -> None:
        old, self.served = self.served, None
        if old is not None:
            old.close()

    # -- queries
    async def using(self, work: Callable[[Executor], T], *, lookup: bool = False) -> T:
        """Run `work(executor)` in a thread on the build served now (in-process for `lookup`)."""
        served = self.served
        if served is None:
            raise QueryPoolBusy("the server is still starting", hint="retry in a moment")
        served.users += 1
        try:
            executor: Executor = served.local if lookup else served.pool
            limiter = served.lookup_threads if lookup else served.query_threads
            return await anyio.to_thread.run_sync(work, executor, limiter=limiter)
        finally:
            served.users -= 1

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
        lookup: bool = False,
    ) -> QueryResult:
        request = QueryRequest.of(
            sparql,
            substitutions,
            fmt=fmt,
            graph_fmt=graph_fmt,
            private=private,
            default_graphs=None if default_graphs is None else tuple(default_graphs),
            named_graphs=None if named_graphs is None else tuple(named_graphs),
            base_iri=self.settings.base_iri,
        )
        return await self.using(lambda executor: executor.execute(request), lookup=lookup)

    async def select_rows(
        self, sparql: str, *, private: bool, substitutions: dict[str, str] | None = None, lookup: bool = False
    ) -> QueryResult:
        return await self.run_query(
            sparql, private=private, substitutions=substitutions, fmt="rows", lookup=lookup
        )

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
        if entry is None:  # an error raised here goes to the app's handler, never becomes a 304
            entry = await (produce() if private else self._produce_once(etag, produce))
        if not_modified(request, etag, entry):  # `If-None-Match: *` and the representation exists
            return not_modified_response(etag, private, vary)
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
        code = iri.removeprefix(EU_COUNTRY)
        if code != iri and len(code) == 3 and code.isascii() and code.isalpha() and code.isupper():
            return "/country/" + code  # a country's page here (serve/countries.py)
        return "/" + iri[len(base) :] if iri.startswith(base) else iri


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    502: "Bad gateway",
    503: "Service unavailable",
}


def error_response(request: Request, exc: Exception) -> Response:
    """The one place an error becomes an HTTP response: status and headers from the error class;
    JSON under /queries (the API's documented error shape), plain text elsewhere."""
    if not isinstance(exc, ClusterKGError):
        raise exc
    status = exc.http_status
    headers: dict[str, str] = {}
    if status == 503:
        headers["Retry-After"] = str(exc.retry_after or 5)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="clusterkg", error="invalid_token"'
    if request.url.path.startswith("/queries"):
        body: dict[str, Any] = {"error": exc.message, "hint": exc.hint, "status": status}
        body.update(getattr(exc, "details", {}))
        return JSONResponse(body, status, headers=headers)
    title = _TITLES.get(status, "Server error")
    if choose(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html":
        return _error_page(title, exc, status, headers)  # a browser: a page with the site's navigation
    return PlainTextResponse(f"{title}: {exc}\n", status, headers=headers)


def _error_page(title: str, exc: ClusterKGError, status: int, headers: dict[str, str]) -> Response:
    hint = f'<p class="hint">{esc(exc.hint)}</p>' if exc.hint else ""
    body = f"<h1>{esc(title)}</h1><p>{esc(exc.message)}</p>{hint}"
    page = layout(f"{status} {title}", body)
    return Response(page, status, headers=headers, media_type="text/html; charset=utf-8")


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


async def _watch(context: ServeContext) -> None:
    """Follow `clusterkg build`: a new build is served within `reload_interval` seconds."""
    while True:
        await asyncio.sleep(context.settings.reload_interval)
        with contextlib.suppress(ClusterKGError, OSError):
            await context.follow()


def create_app(settings: Settings) -> Starlette:
    """The web app over the store named by settings.store (the pool starts with the app)."""
    from . import pages, sparql, validate

    context = ServeContext(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not await context.follow():
            raise StoreError(f"no complete build at {settings.store}", hint="run `clusterkg build` first")
        watcher = asyncio.ensure_future(_watch(context))
        try:
            yield
        finally:
            watcher.cancel()
            await context.close()

    routes = [
        *sparql.routes(context),
        *validate.routes(context),
        *_optional_routes(context),
        *pages.routes(context),
    ]
    middleware = _middleware(settings)
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={ClusterKGError: error_response},
    )
    app.state.context = context
    return app


__all__ = ["ServeContext", "create_app", "error_response"]
