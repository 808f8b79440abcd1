"""The embedded Oxigraph store: the one module that imports pyoxigraph.

A store path (the `store` setting) is a symbolic link to one build folder in
`<store>.builds/`. A build loads into a fresh folder; `activate` swaps the link
atomically, so readers of the previous build are never disturbed and the
previous build stays on disk as the rollback.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..namespaces import RDF

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class QueryOutcome:
    """A serialised query result: its kind (bindings, boolean, graph) and bytes."""

    kind: str
    body: bytes
    media_type: str


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value if not term.language else f"{term.value}@{term.language}"
    return str(getattr(term, "value", term))


def parse_term(ntriples: str) -> ox.NamedNode | ox.Literal:
    """One RDF term (an IRI or a literal) from its N-Triples form; anything else is refused."""
    try:
        quads = list(ox.parse(f"<urn:x:s> <urn:x:p> {ntriples} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise QueryError(f"not one N-Triples term: {ntriples!r} ({exc})", hint="encode the value") from exc
    if len(quads) != 1 or not isinstance(quads[0].object, ox.NamedNode | ox.Literal):
        raise QueryError(f"not one IRI or literal: {ntriples!r}", hint="bind exactly one term")
    return quads[0].object


def _substitutions(terms: Mapping[str, str] | None) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    return {ox.Variable(name): parse_term(term) for name, term in (terms or {}).items()}


def builds_dir(store_path: Path) -> Path:
    """Folder that holds every build of the store at `store_path`."""
    return store_path.with_name(store_path.name + ".builds")


def new_build(store_path: Path, nquads: Path) -> Path:
    """Bulk-load an N-Quads file into a fresh build folder; the live store is untouched."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
    target = builds_dir(store_path) / f"build-{stamp}-{os.getpid()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = ox.Store(str(target))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        del store
    except (OSError, SyntaxError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"loading {nquads} into {target} failed: {exc}", hint="see the message") from exc
    return target


def discard_build(build: Path) -> None:
    """Remove a build that will not be activated."""
    shutil.rmtree(build, ignore_errors=True)


def activate(store_path: Path, build: Path, keep: int = 2) -> Path | None:
    """Point `store_path` at `build` atomically; return the previous build (the rollback)."""
    previous = store_path.resolve() if store_path.is_symlink() else None
    if store_path.exists() and not store_path.is_symlink():
        previous = builds_dir(store_path) / f"adopted-{build.name}"
        store_path.rename(previous)  # an old plain folder becomes a build
    link = store_path.with_name(f".{store_path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build, store_path.parent))
    os.replace(link, store_path)
    _prune(store_path, keep={build.resolve(), *([previous] if previous else [])}, count=keep)
    return previous


def _prune(store_path: Path, keep: set[Path], count: int) -> None:
    builds = sorted(builds_dir(store_path).iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    old = [b for b in builds if b.resolve() not in keep][max(count - len(keep), 0) :]
    for build in old:
        shutil.rmtree(build, ignore_errors=True)


class KnowledgeStore:
    """Read access to a built store; queries see only the public graphs unless told otherwise."""

    def __init__(
        self, path: Path, private_graphs: Iterable[str] = (), prefixes: Mapping[str, str] | None = None
    ) -> None:
        if not path.exists():
            raise StoreError(f"no store at {path}", hint="run `clusterkg build` first")
        try:
            self._store = ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}", hint="rebuild it") from exc
        self.path = path
        self._private = {ox.NamedNode(g) for g in private_graphs}
        self._prefixes = dict(prefixes or {})  # predeclared for convenience; a query may redeclare them

    def graph_names(self, include_private: bool = False) -> list[str]:
        names = sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return [g for g in names if include_private or ox.NamedNode(g) not in self._private]

    def _dataset(self, include_private: bool) -> dict[str, list[ox.NamedNode]]:
        graphs = [ox.NamedNode(g) for g in self.graph_names(include_private)]
        return {"default_graph": graphs, "named_graphs": graphs}

    def run(
        self, sparql: str, *, include_private: bool = False, substitutions: Mapping[str, str] | None = None
    ) -> object:
        """Execute a query over the public graphs (as default graph and as named graphs).

        `substitutions` binds variables to RDF terms (variable name → N-Triples term) the SEP-0007
        way: values never become query text, so they cannot change the query's structure.
        """
        bound = _substitutions(substitutions)
        try:
            dataset = self._dataset(include_private)
            return self._store.query(
                sparql,
                default_graph=dataset["default_graph"],  # type: ignore[arg-type]
                named_graphs=dataset["named_graphs"],  # type: ignore[arg-type]
                substitutions=bound or None,  # type: ignore[arg-type]
                prefixes=self._prefixes or None,
            )
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}", hint="fix the SPARQL syntax") from exc
        except RuntimeError as exc:  # e.g. a substituted variable that the query does not project
            raise QueryError(f"the query cannot run: {exc}", hint="check the query and its bindings") from exc

    def query(
        self,
        sparql: str,
        fmt: str = "json",
        *,
        include_private: bool = False,
        substitutions: Mapping[str, str] | None = None,
    ) -> QueryOutcome:
        """Run a query and serialise its result in `fmt` (json/xml/csv/tsv or an RDF format)."""
        result = self.run(sparql, include_private=include_private, substitutions=substitutions)
        if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
            kind = "boolean" if isinstance(result, ox.QueryBoolean) else "bindings"
            rfmt = RESULT_FORMATS.get(fmt)
            if rfmt is None:
                choices = ", ".join(RESULT_FORMATS)
                raise QueryError(f"format {fmt!r} cannot hold {kind} results", hint=f"use one of {choices}")
            return QueryOutcome(kind, result.serialize(format=rfmt) or b"", rfmt.media_type)
        gfmt = GRAPH_FORMATS.get(fmt)
        if gfmt is None or gfmt is ox.RdfFormat.N_QUADS:
            raise QueryError(
                f"format {fmt!r} cannot hold a graph", hint="use turtle, ntriples, jsonld or rdfxml"
            )
        assert isinstance(result, ox.QueryTriples)
        return QueryOutcome("graph", result.serialize(format=gfmt) or b"", gfmt.media_type)

    def select(
        self, sparql: str, *, include_private: bool = False, substitutions: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, str]]:
        """Rows of a SELECT query as {variable: plain value}."""
        result = self.run(sparql, include_private=include_private, substitutions=substitutions)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query", hint="use SELECT here")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: solution[n].value for n in names if solution[n] is not None}

    def tabulate(self, sparql: str) -> str | None:
        """A SELECT or ASK result as an aligned text table; None for graph results."""
        result = self.run(sparql)
        if isinstance(result, ox.QueryBoolean):
            return "true" if bool(result) else "false"
        if not isinstance(result, ox.QuerySolutions):
            return None
        names = [v.value for v in result.variables]
        rows = [[_cell(s[n]) for n in names] for s in result]
        widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
        lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
        return "\n".join(lines)

    def class_counts(self) -> list[tuple[str, int]]:
        """(class IRI, number of distinct instances) over the public graphs."""
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

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, output: IO[bytes], fmt: str = "nquads", graph: str | None = None) -> None:
        """Write the whole store (N-Quads) or one graph (other formats) to `output`."""
        from_graph = ox.NamedNode(graph) if graph else None
        self._store.dump(output, GRAPH_FORMATS[fmt], from_graph=from_graph)


class BuildReader:
    """Read-only access to a build that is not active yet, for the validation gate.

    Queries see ALL graphs as one default graph (the private contacts graph too, since contacts
    must conform as well), and terms come back in N-Triples form so validators can tell IRIs,
    blank nodes and literals apart. Never hand this to anything that serves or publishes.
    """

    def __init__(self, build: Path) -> None:
        try:
            self._store: ox.Store | None = ox.Store.read_only(str(build))
        except OSError as exc:
            raise StoreError(f"cannot open the build at {build}: {exc}", hint="rebuild it") from exc
        self.path = build

    def select(self, sparql: str) -> Iterator[dict[str, str]]:
        """Rows of a SELECT query as {variable: N-Triples term}; unbound variables are left out."""
        if self._store is None:
            raise StoreError(f"the build reader for {self.path} is closed", hint="open a new one")
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True)
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
