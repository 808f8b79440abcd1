"""Canonical export for publishing: the pyoxigraph side of `clusterkg publish` and `clusterkg diff`.

Everything here works on canonical N-Triples lines (bytes, each ending in b" .\\n"): the
store's graphs and RDF files become sorted, de-duplicated lines with every blank node
skolemised, and lines become Turtle, RDF/XML or JSON-LD. Sorting the lines is what makes
a release byte-reproducible: the store's own dump order depends on its internal indexes.
"""

from __future__ import annotations

import gzip
import heapq
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..errors import RdfSyntaxError, StoreError
from ..namespaces import PREFIXES
from . import KnowledgeStore
from .engine import GRAPH_FORMATS, term_dict

SERIALISATIONS = {
    "turtle": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
}
_SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
}

Lines = list[bytes]


def graph_lines(kg: KnowledgeStore, graph: str, skolem_prefix: str) -> Lines:
    """One named graph of the store as canonical N-Triples lines."""
    return canonical_lines(kg.graph_ntriples(graph), skolem_prefix)


def write_graph_files(
    kg: KnowledgeStore, graphs: Iterable[str], folder: Path, skolem_prefix: Callable[[str], str]
) -> dict[str, Path]:
    """Each named graph as a file of canonical lines in `folder`, one graph in memory at a time."""
    files = {}
    for i, graph in enumerate(sorted(graphs)):
        files[graph] = folder / f"graph-{i:05d}.nt"
        with open(files[graph], "wb") as out:
            out.writelines(graph_lines(kg, graph, skolem_prefix(graph)))
    return files


def write_union(files: Iterable[Path], path: Path) -> Path:
    """The sorted union of files of sorted lines, each line once, streamed into `path`."""
    sources = [open(f, "rb") for f in files]  # noqa: SIM115 - closed below
    try:
        with open(path, "wb") as out:
            last = None
            for line in heapq.merge(*sources):
                if line != last:
                    out.write(line)
                    last = line
    finally:
        for source in sources:
            source.close()
    return path


def canonical_lines(ntriples: bytes, skolem_prefix: str, *, normalise: bool = False) -> Lines:
    """Sorted, unique N-Triples lines; blank nodes become IRIs under `skolem_prefix`.

    Blank node labels are first canonicalised, so the same graph always gets the same
    skolem IRIs, whatever labels the store or a parser happened to give them.
    `normalise` re-serialises hand-written N-Triples in the canonical form first.
    """
    if normalise or b"_:" in ntriples:  # cheap test first: most graphs have no blank node at all
        ntriples = _skolemised(ntriples, skolem_prefix)
    return sorted(set(ntriples.splitlines(keepends=True)))


def _skolemised(ntriples: bytes, skolem_prefix: str) -> bytes:
    try:
        dataset = ox.Dataset(ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise RdfSyntaxError(f"generated N-Triples do not parse: {exc}", hint="report this as a bug") from exc
    if not any(_has_blank(q) for q in dataset):
        return (
            ox.serialize(
                (ox.Triple(q.subject, q.predicate, q.object) for q in dataset), format=ox.RdfFormat.N_TRIPLES
            )
            or b""
        )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.Literal:
        return ox.NamedNode(skolem_prefix + t.value) if isinstance(t, ox.BlankNode) else t

    triples = [ox.Triple(term(q.subject), q.predicate, term(q.object)) for q in dataset]  # type: ignore[arg-type]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def file_lines(paths: Iterable[Path], skolem_prefix: str) -> Lines:
    """RDF files (format by suffix, graph names dropped) as canonical N-Triples lines."""
    chunks = []
    for path in paths:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in _parse_file(path))
        chunks.append(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return canonical_lines(b"".join(chunks), skolem_prefix)


def _parse_file(path: Path) -> Iterator[ox.Quad]:
    fmt = _format_of(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            yield from ox.parse(f.read(), fmt)
    except (SyntaxError, OSError) as exc:
        raise RdfSyntaxError(f"{path}: does not parse: {exc}", hint=f"fix or regenerate {path.name}") from exc


def _format_of(path: Path) -> ox.RdfFormat:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    fmt = _SUFFIX_FORMATS.get(suffixes[-1].lower()) if suffixes else None
    if fmt is None:
        raise RdfSyntaxError(f"{path}: unknown RDF file type", hint="use .ttl, .nt, .nq, .rdf or .jsonld")
    return fmt


def write_serialisation(
    lines: Iterable[bytes] | Path, fmt: str, output: IO[bytes], prefixes: dict[str, str]
) -> None:
    """Write canonical lines as Turtle, RDF/XML or JSON-LD, in the lines' (sorted) order; a file
    of lines is read as it is written out, so its size does not weigh on memory."""
    if isinstance(lines, Path):
        triples = ox.parse(path=str(lines), format=ox.RdfFormat.N_TRIPLES)
    else:
        triples = ox.parse(b"".join(lines), ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, output, SERIALISATIONS[fmt], prefixes=prefixes)


def release_quads(path: Path) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) of a release file, each term in N-Triples syntax.

    The graph is "" for triple formats. Used by `clusterkg diff` and the release checks.
    """
    for quad in _parse_file(path):
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        yield str(quad.subject), str(quad.predicate), str(quad.object), graph


# ---------------------------------------------------------------- small RDF documents


def convert_rdf(data: bytes, source: str, target: str, base_iri: str | None = None) -> bytes:
    """Re-serialise an RDF document (format names as in GRAPH_FORMATS), e.g. Turtle to JSON-LD."""
    triples = [q.triple for q in ox.parse(data, format=GRAPH_FORMATS[source], base_iri=base_iri)]
    prefixes = PREFIXES if target == "turtle" else None
    return ox.serialize(triples, format=GRAPH_FORMATS[target], prefixes=prefixes) or b""


def read_rdf_files(paths: Iterable[Path]) -> tuple[bytes, list[dict[str, Any]]]:
    """Merge RDF files into one N-Triples document and its triples as term dicts (for HTML)."""
    triples: list[ox.Triple] = []
    for path in paths:
        try:
            triples += [q.triple for q in ox.parse(path=str(path))]
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"cannot read {path}: {exc}", hint="fix the file") from exc
    rows = [
        {"subject": term_dict(t.subject), "predicate": term_dict(t.predicate), "object": term_dict(t.object)}
        for t in triples
    ]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", rows
