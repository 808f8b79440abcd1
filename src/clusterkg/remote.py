"""Remote SPARQL endpoints, through SPARQLWrapper: the one module that imports it.

A remote endpoint knows nothing of our substitutions, so callers bind values with a VALUES
block of escaped RDF terms (`queries.with_values`) before the query gets here.
"""

from __future__ import annotations

import json
import urllib.error
from typing import Any

from SPARQLWrapper import JSON, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .errors import QueryError, StoreError

USER_AGENT = "clusterkg (SPARQLWrapper)"


def select(endpoint: str, sparql: str, timeout: float = 30.0, token: str = "") -> dict[str, Any]:
    """Run a SELECT query at `endpoint`; the SPARQL 1.1 JSON results as a dict."""
    wrapper = SPARQLWrapper(endpoint, agent=USER_AGENT)
    wrapper.setQuery(sparql)
    # SPARQLWrapper guesses the form from the text and can take a word in a comment (e.g. "address")
    # for an update keyword, then sends `update=`; we only ever send queries.
    wrapper.queryType = SELECT
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(URLENCODED)  # form-encoded POST: no URL length limit, every endpoint takes it
    wrapper.setReturnFormat(JSON)
    wrapper.setTimeout(int(max(timeout, 1)))
    if token:
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {token}")
    try:
        response = wrapper.query()
        body = response.response.read()
    except SPARQLWrapperException as exc:
        raise QueryError(
            f"{endpoint} refused the query: {exc}", hint="check the endpoint URL and the query"
        ) from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        raise StoreError(
            f"cannot reach the SPARQL endpoint {endpoint}: {exc}", hint="check the URL and the network"
        ) from exc
    try:
        data: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise StoreError(
            f"{endpoint} did not answer with SPARQL JSON results", hint="is it a SPARQL endpoint?"
        ) from exc
    return data
