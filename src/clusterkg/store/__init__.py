"""The embedded Oxigraph store: the package that owns pyoxigraph.

Builds live in folders swapped in atomically (store.builds); every query goes through one
`execute(request) -> result` path (store.request) with one policy in front (store.policy).
`KnowledgeStore` is the in-process executor, for the CLI, publish and tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..namespaces import RDF
from . import engine, results
from .builds import (
    LOAD_CHUNK,
    BuildLoader,
    Lease,
    LoadFiles,
    activate,
    builds_dir,
    discard_build,
    hold,
    loading,
    new_build,
    open_read_only,
    read_build_file,
    store_lock,
    write_build_file,
)
from .engine import GRAPH_FORMATS, parse_term
from .request import RDF_FORMATS, RESULT_FORMATS, ROWS, Executor, QueryRequest, QueryResult

__all__ = [
    "GRAPH_FORMATS",
    "LOAD_CHUNK",
    "RDF_FORMATS",
    "RESULT_FORMATS",
    "ROWS",
    "BuildLoader",
    "BuildReader",
    "Executor",
    "KnowledgeStore",
    "Lease",
    "LoadFiles",
    "QueryRequest",
    "QueryResult",
    "activate",
    "builds_dir",
    "discard_build",
    "hold",
    "loading",
    "new_build",
    "parse_term",
    "read_build_file",
    "store_lock",
    "write_build_file",
]


class KnowledgeStore:
    """The in-process executor over one build: anonymous requests see the public store only."""

    def __init__(self, path: Path, *, max_rows: int | None = None, base_iri: str | None = None) -> None:
        if not path.exists():
            raise StoreError(f"no store at {path}", hint="run `clusterkg build` first")
        self.path = path
        self.build = path.resolve()
        self.max_rows, self.base_iri = max_rows, base_iri
        self._public = open_read_only(self.build)
        self._private: ox.Store | None = None

    def _store(self, private: bool) -> ox.Store:
        if not private:
            return self._public
        if self._private is None:
            self._private = open_read_only(self.build, private=True)
        return self._private

    def execute(self, request: QueryRequest) -> QueryResult:
        """Run one request under the policy, capped at `max_rows`."""
        return engine.evaluate(self._store(request.private), request, self.max_rows)

    def select(
        self, sparql: str, *, include_private: bool = False, substitutions: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, str]]:
        """Rows of a SELECT query as {variable: plain value}."""
        result = self.execute(
            QueryRequest.of(sparql, dict(substitutions or {}), fmt=ROWS, private=include_private)
        )
        if result.kind != "bindings":
            raise QueryError("expected a SELECT query", hint="use SELECT here")
        for row in result.rows:
            yield {name: str(term["value"]) for name, term in row.items()}

    def graph_names(self, include_private: bool = False) -> list[str]:
        """The named graphs, sorted."""
        graphs = self._store(include_private).named_graphs()
        return sorted(g.value for g in graphs if isinstance(g, ox.NamedNode))

    def class_counts(self) -> list[tuple[str, int]]:
        """(class IRI, number of distinct instances) in the public default graph."""
        rows = self.select(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c }} GROUP BY ?c ORDER BY ?c"
        )
        return [(r["c"], int(r["n"])) for r in rows]

    def graph_counts(self, include_private: bool = True) -> list[tuple[str, int]]:
        """(graph IRI, number of triples) for each named graph."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            include_private=include_private,
        )
        return [(r["g"], int(r["n"])) for r in rows]

    def triples(self, include_private: bool = False) -> int:
        """Distinct triples in the default graph, the merge of the (public) named graphs."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", include_private=include_private)
        return int(next(rows)["n"])

    def summary(self) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
        """(`triples`, `class_counts`, `graph_counts`), their queries run at once: the engine
        evaluates each without holding the interpreter lock."""
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="counts") as pool:
            self._store(private=True)  # opened here, not by two threads at once
            triples, classes = pool.submit(self.triples), pool.submit(self.class_counts)
            graphs = pool.submit(self.graph_counts)
            return triples.result(), classes.result(), graphs.result()

    def __len__(self) -> int:
        """Quads in the public store: the named graphs and the merged default graph."""
        return len(self._public)

    def dump(self, output: IO[bytes], fmt: str = "nquads", graph: str | None = None) -> None:
        """Write the public store (N-Quads: named graphs and default graph) or one graph to `output`."""
        from_graph = ox.NamedNode(graph) if graph else None
        self._public.dump(output, GRAPH_FORMATS[fmt], from_graph=from_graph)

    def graph_ntriples(self, graph: str, private: bool = False) -> bytes:
        """One named graph as N-Triples, as the store writes it (empty when there is no such graph)."""
        store = self._store(private)
        named = ox.NamedNode(graph)
        if not store.contains_named_graph(named):
            return b""
        return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=named) or b""


def text_table(result: QueryResult) -> str:
    """A SELECT or ASK result (fmt=rows) as an aligned text table, for the terminal."""
    if result.kind == "boolean":
        return "true" if result.boolean else "false"
    return results.text_table(result.variables, result.rows)


class BuildReader:
    """Read-only access to a build that is not active yet, for the validation gate.

    Queries see the private store's default graph, the merge of ALL graphs (contacts too, since
    contacts must conform as well), and terms come back in N-Triples form so validators can tell
    IRIs, blank nodes and literals apart. Never hand this to anything that serves or publishes.
    """

    def __init__(self, build: Path) -> None:
        self._store: ox.Store | None = open_read_only(build, private=True)
        self.path = build

    def select(self, sparql: str) -> Iterator[dict[str, str]]:
        """Rows of a SELECT query as {variable: N-Triples term}; unbound variables are left out."""
        if self._store is None:
            raise StoreError(f"the build reader for {self.path} is closed", hint="open a new one")
        try:
            result = self._store.query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}", hint="fix the SPARQL syntax") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query", hint="use SELECT here")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: str(solution[n]) for n in names if solution[n] is not None}

    def close(self) -> None:
        """Release the store files (before the build is activated or discarded)."""
        self._store = None

    def __enter__(self) -> BuildReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
