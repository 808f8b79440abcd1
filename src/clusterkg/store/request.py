"""The one query path: `execute(request) -> result`, whatever runs the query.

Three executors implement it: `KnowledgeStore` (in-process, for the CLI, publish and tests),
`QueryPool` (killable worker processes, for the server) and `RemoteEndpoint` (any SPARQL 1.1
endpoint). Each applies the same policy (store.policy) and writes results with the same
writers (store.results), so one query in one format gives the same bytes from each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..errors import QueryError
from . import results

RESULT_FORMATS = ("json", "xml", "csv", "tsv")
RDF_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
ROWS = "rows"  # Python rows (SPARQL-JSON term dicts) instead of bytes, for any form
TRUNCATED_NOTE = "sparql#truncated"  # under the base IRI: where the server documents the cap


@dataclass(frozen=True)
class QueryRequest:
    """One query. `fmt` is the results format for SELECT/ASK (json, xml, csv, tsv), `graph_fmt`
    the RDF format for CONSTRUCT/DESCRIBE (turtle, ntriples, jsonld, rdfxml); fmt="rows" returns
    rows for any form.

    `private` runs on the private store (authorised callers only). `default_graphs` and
    `named_graphs` are the protocol's dataset (None: not given). `substitutions` map variable
    names to RDF terms in N-Triples syntax ('<https://…>', '"x"@en', '"3"^^<…#integer>'), bound
    as terms (SEP-0007), never pasted into the text.
    """

    sparql: str
    fmt: str = "json"
    graph_fmt: str = "turtle"
    private: bool = False
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: tuple[tuple[str, str], ...] = ()
    base_iri: str | None = None

    @classmethod
    def of(cls, sparql: str, substitutions: dict[str, str] | None = None, **options: object) -> QueryRequest:
        """A request with substitutions given as a dict."""
        return cls(sparql, substitutions=tuple(sorted((substitutions or {}).items())), **options)  # type: ignore[arg-type]


@dataclass
class QueryResult:
    """A query's outcome: kind (bindings, boolean, graph), serialised body, and the rows for "rows"."""

    kind: str
    body: bytes
    media_type: str
    truncated: bool = False
    count: int = 0
    variables: list[str] = field(default_factory=list)
    rows: list[results.Row] = field(default_factory=list)
    boolean: bool | None = None


class Executor(Protocol):
    """What runs queries: the one protocol every route, command and stage uses."""

    def execute(self, request: QueryRequest) -> QueryResult: ...


def check_formats(request: QueryRequest) -> None:
    """Refuse unknown format names early, with the names that work."""
    if request.fmt not in (*RESULT_FORMATS, ROWS):
        raise QueryError(
            f"format {request.fmt!r} cannot hold bindings or booleans",
            hint=f"use one of {', '.join(RESULT_FORMATS)}",
        )
    if request.graph_fmt not in RDF_FORMATS:
        raise QueryError(
            f"format {request.graph_fmt!r} cannot hold a graph", hint=f"use one of {', '.join(RDF_FORMATS)}"
        )
