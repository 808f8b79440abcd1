"""The remote executor: any SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol (form-encoded POST).

The same policy as the other executors runs first; the answer is parsed back into terms and
capped and written by the same writers, so a remote result reads like a local one. A remote
endpoint knows nothing of substitutions, so values are bound by a VALUES block of escaped terms.
Each thread keeps its HTTP connection to the endpoint open between queries (`serve --backend`
sends one per request): a new connection and urllib's machinery cost more CPU than the lookup.

`EngineHttp` is the plain-HTTP side for writing to an engine (`clusterkg push`): Graph Store
Protocol and SPARQL Update with credentials, a time limit and retries with back-off.
"""

from __future__ import annotations

import base64
import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import BackendUnavailable, QueryError, SettingsError, StoreError
from ..settings import env_var
from ..terms import sparql_term
from . import engine, policy
from .request import QueryRequest, QueryResult, check_formats

USER_AGENT = "clusterkg"
QUERY_STATUSES = frozenset({400, 414})  # the engine refused the query itself (or its length)
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)  # closed while idle


def with_values(sparql: str, terms: Mapping[str, str]) -> str:
    """The query with its parameters bound by a VALUES block at the start of its WHERE pattern.

    `terms` are N-Triples terms (as made by clusterkg.terms), whose escaping is valid SPARQL; the
    block joins first, so the pattern sees the bound values.
    """
    if not terms:
        return sparql
    prologue, body = policy.split_prologue(sparql)
    where = policy.WHERE_OPEN.search(body)
    if where is None:
        raise QueryError("the query has no WHERE { … } to bind values in", hint="write the WHERE keyword")
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(sparql_term(term) for term in terms.values())
    block = f"\n  VALUES ({names}) {{ ({row}) }}\n"
    return prologue + body[: where.end()] + block + body[where.end() :]


def as_boolean(answer: ox.QuerySolutions | ox.QueryBoolean) -> bool:
    """An ASK answer as a bool. Virtuoso 7.2 answers ASK in JSON as one row binding __ASK_RETVAL
    to 1 or 0 (its issue 464) instead of {"boolean": ...}; both forms are read."""
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    row = next(iter(answer), None)
    value = row[0] if row is not None and len(answer.variables) == 1 else None
    return value is not None and value.value not in ("0", "false")


def _boolean(value: bool) -> ox.QueryBoolean:
    answer = ox.parse_query_results(
        b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"), format=ox.QueryResultsFormat.JSON
    )
    assert isinstance(answer, ox.QueryBoolean)
    return answer


def names_dataset(sparql: str) -> bool:
    """True when the query picks its own dataset (FROM or FROM NAMED outside strings and comments)."""
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in policy.all_tokens(sparql))


def with_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """The query with `prefixes` declared first: the query's own declarations come later and win."""
    if not prefixes:
        return sparql
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    return declared + sparql


class RemoteEndpoint:
    """An executor over a SPARQL 1.1 endpoint; `token` is sent as a bearer token.

    `prefixes` are declared before every query (as the local executors predeclare the project's);
    a request's dataset goes out as the protocol's default-graph-uri / named-graph-uri. `scope`
    (default graphs, named graphs) is the dataset of a request that names none, query text
    included: on an engine whose default graph is the union of all graphs (Virtuoso), the live
    release's merged graph and named graphs, so that nothing else is seen.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        max_rows: int | None = None,
        token: str = "",
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self.url, self.timeout, self.max_rows, self.token = url, timeout, max_rows, token
        self.prefixes = dict(prefixes or {})
        self.scope: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                f"{url!r} is not an http(s) URL of a SPARQL endpoint", hint="give e.g. http://host:7878/query"
            )
        self._address = parts
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._connections = threading.local()  # one kept-alive connection per thread

    def execute(self, request: QueryRequest) -> QueryResult:
        check_formats(request)
        shape = policy.check(request.sparql)
        sparql = with_prefixes(with_values(request.sparql, dict(request.substitutions)), self.prefixes)
        graph = shape.form in ("CONSTRUCT", "DESCRIBE")
        body = self._fetch(sparql, graph, request)
        try:
            if graph:
                parsed: Any = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            else:
                parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                if shape.form == "ASK" and isinstance(parsed, ox.QuerySolutions):
                    parsed = _boolean(as_boolean(parsed))
        except (SyntaxError, ValueError) as exc:
            raise BackendUnavailable(
                f"{self.url} did not answer with SPARQL results: {exc}", hint="is it a SPARQL endpoint?"
            ) from exc
        return engine.write(parsed, request, self.max_rows)

    def _dataset(self, sparql: str, request: QueryRequest | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if request is not None and (request.default_graphs is not None or request.named_graphs is not None):
            return request.default_graphs or (), request.named_graphs or ()
        scope = self.scope
        return scope if scope is not None and not names_dataset(sparql) else ((), ())

    def _fetch(self, sparql: str, graph: bool, request: QueryRequest | None = None) -> bytes:
        defaults, named = self._dataset(sparql, request)
        form = [("query", sparql), *(("default-graph-uri", u) for u in defaults)]
        form += [("named-graph-uri", u) for u in named]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/n-triples" if graph else "application/sparql-results+json",
            "User-Agent": USER_AGENT,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, reason, data = self._post(urllib.parse.urlencode(form).encode(), headers)
        if status >= 300:  # the engine's words only for an error answer: not on every query's path
            said = _engine_words(data)
            if status in QUERY_STATUSES:
                raise QueryError(
                    f"{self.url} refused the query: {status} {reason}: {said}", hint="check the query"
                )
            raise BackendUnavailable(
                f"{self.url} answered {status} {reason}" + (f": {said}" if said else ""),
                hint="check the endpoint (a redirect: give the URL it points to), then retry",
            )
        return data

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """POST over this thread's connection. One the engine closed while it was idle is opened
        again once: a query changes nothing, so sending it twice is safe."""
        for retry in (True, False):
            try:
                connection = self._connection()
                connection.request("POST", self._target, body, headers)
                response = connection.getresponse()
                return response.status, response.reason, response.read()
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop()
                stale = isinstance(exc, STALE)
                if not (retry and stale):
                    raise self._unreachable(exc) from exc
        raise AssertionError("the second attempt returns or raises")

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._connections, "open", None)
        if connection is None:
            kind = (
                http.client.HTTPSConnection if self._address.scheme == "https" else http.client.HTTPConnection
            )
            connection = kind(self._address.hostname or "", self._address.port, timeout=max(self.timeout, 1))
            self._connections.open = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._connections, "open", None)
        if connection is not None:
            connection.close()
        self._connections.open = None

    def _unreachable(self, exc: BaseException) -> BackendUnavailable:
        return BackendUnavailable(
            f"cannot reach the SPARQL endpoint {self.url}: {exc or type(exc).__name__}",
            hint="check the URL and the network",
        )


# ---------------------------------------------------------------- writing to an engine

RETRIED_STATUSES = frozenset({500, 502, 503, 504})
AUTH_SCHEMES = ("basic", "digest", "bearer")
PUSH_AGENT = "clusterkg (push)"


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to an engine: basic or digest (user and password) or bearer (token)."""

    scheme: str = "basic"
    user: str = ""
    password: str = ""
    token: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST or PUT would go on as a GET without its body: fail instead, naming the code."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _OnePassword(urllib.request.HTTPPasswordMgr):
    """Digest credentials for whatever the client addresses: only the engine's endpoints (no redirects)."""

    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self._pair = (user, password)

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self._pair


class EngineHttp:
    """Plain HTTP to one engine, for writing: credentials, a time limit per request, and retries with
    back-off (doubling from `backoff` s) after a 5xx answer, a timeout or a dropped connection.
    `wants` is the scheme the engine's write endpoints ask for, named when the credentials are refused."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 0.5,
        wants: str = "",
    ) -> None:
        self.timeout, self.retries, self.backoff = timeout, max(retries, 0), backoff
        self.wants = wants if wants != credentials.scheme else ""
        self.headers = {"User-Agent": PUSH_AGENT, **_auth_headers(credentials)}
        handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
        self._plain = urllib.request.build_opener(*handlers)
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        self._challenges: dict[str, dict[str, str]] = {}  # endpoint (URL without query) -> challenge
        if credentials.scheme == "digest" and credentials.user:
            self._digest = urllib.request.HTTPDigestAuthHandler(
                _OnePassword(credentials.user, credentials.password)
            )
            handlers.append(self._digest)
        self._opener = urllib.request.build_opener(*handlers)

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        *,
        content_type: str = "",
        accept: str = "",
        retry: bool = True,
        missing_ok: bool = False,
    ) -> bytes | None:
        """The answer's body; None for a 404 when `missing_ok`. Only idempotent requests are retried."""
        headers = dict(self.headers, **({"Content-Type": content_type} if content_type else {}))
        headers.update({"Accept": accept} if accept else {})
        attempts = 1 + (self.retries if retry else 0)
        failure: StoreError = BackendUnavailable(f"no request was sent to {url}", hint="report this as a bug")
        attempt, renewed = 0, False
        while attempt < attempts:
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            attempt += 1
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            self._sign(request)
            try:
                return self._transmit(request)
            except urllib.error.HTTPError as exc:
                if exc.code == 404 and missing_ok:
                    return None
                if exc.code == 401 and not renewed and self._renewed(url, exc):
                    attempt, renewed = attempt - 1, True  # a stale nonce: sign once more, not a retry
                    continue
                failure = _http_failure(method, url, exc, self.wants)
                if exc.code not in RETRIED_STATUSES:
                    raise failure from exc
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                failure = BackendUnavailable(
                    f"cannot reach {url}: {reason}", hint="check the URL, the engine and the network"
                )
        raise failure

    def _sign(self, request: urllib.request.Request) -> None:
        """Digest credentials go with the request itself, from the engine's last challenge: a body is
        never sent only to be refused (Virtuoso answers 401 and closes mid-upload: a broken pipe)."""
        if self._digest is None:
            return
        endpoint = request.full_url.partition("?")[0]
        if endpoint not in self._challenges:
            challenge = self._ask_challenge(request.full_url)
            if challenge is None:
                return
            self._challenges[endpoint] = challenge
        challenge = self._challenges[endpoint]
        auth = self._digest.get_authorization(request, challenge) if challenge else None
        if auth:
            request.add_unredirected_header("Authorization", f"Digest {auth}")

    def _ask_challenge(self, url: str) -> dict[str, str] | None:
        """The engine's digest challenge, from an unauthenticated GET without body (None: no answer)."""
        probe = urllib.request.Request(url, headers={"User-Agent": PUSH_AGENT}, method="GET")
        try:
            self._plain.open(probe, timeout=self.timeout).close()
        except urllib.error.HTTPError as exc:
            return _challenge(exc) or {}
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError):
            return None
        return {}  # this endpoint wants no credentials (the handler answers a later challenge)

    def _renewed(self, url: str, exc: urllib.error.HTTPError) -> bool:
        """True when a 401 brings a new digest challenge (a stale nonce) to sign with."""
        endpoint = url.partition("?")[0]
        fresh = _challenge(exc) if self._digest is not None else None
        if not fresh or fresh == self._challenges.get(endpoint):
            return False
        self._challenges[endpoint] = fresh
        return True

    def _transmit(self, request: urllib.request.Request) -> bytes:
        """The one place bytes cross the wire (tests interrupt a push here)."""
        with self._opener.open(request, timeout=self.timeout) as response:
            data: bytes = response.read()
        return data


def _challenge(exc: urllib.error.HTTPError) -> dict[str, str]:
    """The fields of a `WWW-Authenticate: Digest …` header (empty: none)."""
    header = (exc.headers.get("WWW-Authenticate") or "") if exc.headers else ""
    scheme, _, fields = header.partition(" ")
    if scheme.lower() != "digest":
        return {}
    return urllib.request.parse_keqv_list([f for f in urllib.request.parse_http_list(fields) if f])


def _auth_headers(credentials: Credentials) -> dict[str, str]:
    if credentials.scheme not in AUTH_SCHEMES:
        raise SettingsError(
            f"push_auth {credentials.scheme!r} is not one of {', '.join(AUTH_SCHEMES)}",
            hint=f"set {env_var('push_auth')} to basic, digest or bearer",
        )
    if credentials.scheme == "bearer":
        if not credentials.token:
            raise SettingsError("push_auth is bearer: give a token", hint=f"set {env_var('push_token')}")
        return {"Authorization": f"Bearer {credentials.token}"}
    if credentials.scheme == "basic" and credentials.user:
        pair = f"{credentials.user}:{credentials.password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return {}


def _engine_words(body: bytes) -> str:
    """An engine's error answer, shortened to a line for a message."""
    return " ".join(body.decode("utf-8", "replace").split())[:300]


def _http_failure(method: str, url: str, exc: urllib.error.HTTPError, wants: str = "") -> StoreError:
    """The error for an HTTP error answer, with the engine's own words (shortened)."""
    try:
        said = _engine_words(exc.read())
    except OSError:
        said = ""
    answer = f"{method} {url} answered {exc.code} {exc.reason}" + (f": {said}" if said else "")
    if exc.code in (401, 403):
        names = ", ".join(env_var(n) for n in ("push_auth", "push_user", "push_password", "push_token"))
        asks = (exc.headers.get("WWW-Authenticate") or "").split(" ")[0] if exc.headers else ""
        asks = asks or wants.capitalize()
        said = f"; it asks for {asks} authentication (push_auth {asks.lower()})" if asks else ""
        return StoreError(f"the engine refused the credentials: {answer}{said}", hint=f"check {names}")
    if exc.code >= 500:
        return BackendUnavailable(answer, hint="check the engine (its log, disk, memory), then run it again")
    return StoreError(answer, hint="check the endpoint URLs (the engine's query, update and store URLs)")
