"""The one module that imports rdflib: parsing RDF files into in-memory graphs.

Stages that need a Python graph model (the RML engine reading mappings,
validation handing graphs to pySHACL) get it from here.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import rdflib
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .errors import RdfSyntaxError

__all__ = [
    "FORMATS",
    "BNode",
    "Collection",
    "Dataset",
    "Graph",
    "Literal",
    "Node",
    "URIRef",
    "format_for",
    "graph_to_nquads",
    "parse_data",
    "parse_dataset_text",
    "parse_graph",
    "parse_graphs",
    "rdflib",
]

_SUFFIX_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}


def format_for(path: Path) -> str:
    """The rdflib parser name for a file, chosen by its suffix (Turtle if unknown)."""
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in _SUFFIX_FORMATS:
            return _SUFFIX_FORMATS[suffix]
    return "turtle"


def parse_graphs(paths: list[Path], graph: Graph | None = None) -> Graph:
    """Parse RDF files into one graph; quads lose their graph name."""
    target = graph if graph is not None else Graph()
    for path in paths:
        fmt = format_for(path)
        if fmt in ("nquads", "trig"):
            dataset = _parse_quads(path, fmt)
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                target.add((s, p, o))
        else:
            _parse_into(target, path, fmt)
    return target


def parse_graph(path: Path) -> Graph:
    """Parse one RDF file; a syntax error names the file and what is wrong."""
    return parse_graphs([path])


FORMATS = ("turtle", "nt", "nquads", "trig", "json-ld", "xml")


def parse_data(data: bytes, fmt: str, name: str = "the data") -> Graph:
    """Parse posted RDF (one of FORMATS) into one graph, graph names dropped; nothing is fetched:
    a JSON-LD document naming a remote @context (or @import) is refused before parsing."""
    if fmt == "json-ld":
        refuse_remote_contexts(data, name)
    target = Graph()
    try:
        if fmt in ("nquads", "trig"):
            dataset = Dataset()
            dataset.parse(data=data, format=fmt)
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                target.add((s, p, o))
        else:
            target.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types
        raise RdfSyntaxError(
            f"{name} does not parse as {fmt}: {exc}", hint="fix the syntax (the message gives the line)"
        ) from exc
    return target


def refuse_remote_contexts(data: bytes, name: str) -> None:
    """RdfSyntaxError for JSON that does not parse, or a JSON-LD @context / @import naming a URL
    (a JSON-LD processor would fetch it: a server must not fetch what a caller names)."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise RdfSyntaxError(f"{name} is not JSON{where}: {exc}", hint="send a JSON-LD document") from exc
    remote = _remote_context(document)
    if remote is not None:
        raise RdfSyntaxError(
            f"{name} names the remote JSON-LD context {remote!r}; remote contexts are not fetched",
            hint='put the context inline ("@context": {...}) or send Turtle or N-Triples',
        )


def _remote_context(node: object) -> str | None:
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo += item
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@import" and isinstance(value, str):
                    return value
                if key == "@context":
                    contexts = value if isinstance(value, list) else [value]
                    found = next((c for c in contexts if isinstance(c, str)), None)
                    if found is not None:
                        return found
                todo.append(value)
    return None


def parse_dataset_text(text: str, fmt: str = "nquads") -> Dataset:
    """Parse N-Quads (or TriG) text into a dataset that keeps graph names."""
    dataset = Dataset()
    try:
        dataset.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types
        raise RdfSyntaxError(
            f"RDF data does not parse as {fmt}: {exc}",
            hint="check the data was produced by a conforming writer",
        ) from exc
    return dataset


def _parse_quads(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    _parse_into(dataset, path, fmt)
    return dataset


def _parse_into(target: Graph, path: Path, fmt: str) -> None:
    if not path.is_file():
        raise RdfSyntaxError(f"{path}: no such file", hint="check the path")
    try:
        if path.suffix.lower() == ".gz":  # a release file: read through gzip, format from the inner suffix
            target.parse(data=gzip.decompress(path.read_bytes()), format=fmt)
        else:
            target.parse(str(path), format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types
        raise RdfSyntaxError(
            f"{path}: does not parse as {fmt}: {exc}",
            hint=f"fix the syntax of {path.name} (the message above gives the line)",
        ) from exc


def graph_to_nquads(graph: Graph, graph_iri: str) -> str:
    """Serialise `graph` as N-Quads lines inside the named graph `graph_iri`."""
    dataset = Dataset()
    named = dataset.graph(URIRef(graph_iri))
    for triple in graph:
        named.add(triple)
    return dataset.serialize(format="nquads")
