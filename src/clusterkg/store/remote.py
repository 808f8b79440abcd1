"""The remote executor: any SPARQL 1.1 endpoint, through SPARQLWrapper (the one module that imports it).

The same policy as the other executors runs first; the answer is parsed back into terms and
capped and written by the same writers, so a remote result reads like a local one. A remote
endpoint knows nothing of substitutions, so values are bound by a VALUES block of escaped terms.

`EngineHttp` is the plain-HTTP side for writing to an engine (`clusterkg push`): Graph Store
Protocol and SPARQL Update with credentials, a time limit and retries with back-off.
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import JSON, N3, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..errors import BackendUnavailable, QueryError, SettingsError, StoreError
from ..settings import env_var
from ..terms import sparql_term
from . import engine, policy
from .request import QueryRequest, QueryResult, check_formats

USER_AGENT = "clusterkg (SPARQLWrapper)"


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


def with_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """The query with `prefixes` declared first: the query's own declarations come later and win."""
    if not prefixes:
        return sparql
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    return declared + sparql


class RemoteEndpoint:
    """An executor over a SPARQL 1.1 endpoint; `token` is sent as a bearer token.

    `prefixes` are declared before every query (as the local executors predeclare the project's);
    a request's dataset goes out as the protocol's default-graph-uri / named-graph-uri.
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
        except (SyntaxError, ValueError) as exc:
            raise BackendUnavailable(
                f"{self.url} did not answer with SPARQL results: {exc}", hint="is it a SPARQL endpoint?"
            ) from exc
        return engine.write(parsed, request, self.max_rows)

    def _wrapper(self, sparql: str, graph: bool, request: QueryRequest | None = None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
        for uri in (request.default_graphs or ()) if request else ():
            wrapper.addParameter("default-graph-uri", uri)
        for uri in (request.named_graphs or ()) if request else ():
            wrapper.addParameter("named-graph-uri", uri)
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form from the text and can take a word in a comment for an update
        # keyword, then sends `update=`; we only ever send queries.
        wrapper.queryType = SELECT
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)  # form-encoded POST: no URL length limit
        wrapper.setReturnFormat(N3 if graph else JSON)
        wrapper.setOnlyConneg(True)  # Accept only: no format=/output= that an endpoint may not know
        wrapper.setTimeout(int(max(self.timeout, 1)))
        if graph:
            wrapper.addCustomHttpHeader("Accept", "application/n-triples")
        if self.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        return wrapper

    def _fetch(self, sparql: str, graph: bool, request: QueryRequest | None = None) -> bytes:
        try:
            response = self._wrapper(sparql, graph, request).query()
            data: bytes = response.response.read()
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.url} refused the query: {exc}", hint="check the query") from exc
        except urllib.error.HTTPError as exc:
            raise BackendUnavailable(
                f"{self.url} answered {exc.code} {exc.reason}", hint="check the endpoint, then retry"
            ) from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            raise BackendUnavailable(
                f"cannot reach the SPARQL endpoint {self.url}: {exc}", hint="check the URL and the network"
            ) from exc
        return data


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
    back-off (doubling from `backoff` s) after a 5xx answer, a timeout or a dropped connection."""

    def __init__(
        self, credentials: Credentials, *, timeout: float = 120.0, retries: int = 3, backoff: float = 0.5
    ) -> None:
        self.timeout, self.retries, self.backoff = timeout, max(retries, 0), backoff
        self.headers = {"User-Agent": PUSH_AGENT, **_auth_headers(credentials)}
        handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
        if credentials.scheme == "digest" and credentials.user:
            handlers.append(
                urllib.request.HTTPDigestAuthHandler(_OnePassword(credentials.user, credentials.password))
            )
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
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                return self._transmit(request)
            except urllib.error.HTTPError as exc:
                if exc.code == 404 and missing_ok:
                    return None
                failure = _http_failure(method, url, exc)
                if exc.code not in RETRIED_STATUSES:
                    raise failure from exc
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                failure = BackendUnavailable(
                    f"cannot reach {url}: {reason}", hint="check the URL, the engine and the network"
                )
        raise failure

    def _transmit(self, request: urllib.request.Request) -> bytes:
        """The one place bytes cross the wire (tests interrupt a push here)."""
        with self._opener.open(request, timeout=self.timeout) as response:
            data: bytes = response.read()
        return data


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


def _http_failure(method: str, url: str, exc: urllib.error.HTTPError) -> StoreError:
    """The error for an HTTP error answer, with the engine's own words (shortened)."""
    try:
        said = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
    except OSError:
        said = ""
    answer = f"{method} {url} answered {exc.code} {exc.reason}" + (f": {said}" if said else "")
    if exc.code in (401, 403):
        names = ", ".join(env_var(n) for n in ("push_auth", "push_user", "push_password", "push_token"))
        return StoreError(f"the engine refused the credentials: {answer}", hint=f"check {names}")
    if exc.code >= 500:
        return BackendUnavailable(answer, hint="check the engine (its log, disk, memory), then run it again")
    return StoreError(answer, hint="check the endpoint URLs (the engine's query, update and store URLs)")
