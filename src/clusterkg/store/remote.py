"""The remote executor: any SPARQL 1.1 endpoint, through SPARQLWrapper (the one module that imports it).

The same policy as the other executors runs first; the answer is parsed back into terms and
capped and written by the same writers, so a remote result reads like a local one. A remote
endpoint knows nothing of substitutions, so values are bound by a VALUES block of escaped terms.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import JSON, N3, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..errors import BackendUnavailable, QueryError
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


class RemoteEndpoint:
    """An executor over a SPARQL 1.1 endpoint; `token` is sent as a bearer token."""

    def __init__(
        self, url: str, *, timeout: float = 30.0, max_rows: int | None = None, token: str = ""
    ) -> None:
        self.url, self.timeout, self.max_rows, self.token = url, timeout, max_rows, token

    def execute(self, request: QueryRequest) -> QueryResult:
        check_formats(request)
        shape = policy.check(request.sparql)
        sparql = with_values(request.sparql, dict(request.substitutions))
        graph = shape.form in ("CONSTRUCT", "DESCRIBE")
        body = self._fetch(sparql, graph)
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

    def _wrapper(self, sparql: str, graph: bool) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
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

    def _fetch(self, sparql: str, graph: bool) -> bytes:
        try:
            response = self._wrapper(sparql, graph).query()
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
