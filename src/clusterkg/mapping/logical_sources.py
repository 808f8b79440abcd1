"""Building logical sources: which file, how it is encoded and compressed, how records are addressed."""

from __future__ import annotations

from pathlib import Path

from ..errors import MappingError
from ..namespaces import RML
from ..rdf import Literal, Node
from .index import MappingIndex
from .model import LogicalSource, RefFormulation
from .records import check_jsonpath

_FORMULATIONS: dict[str, RefFormulation] = {RML + "CSV": "csv", RML + "JSONPath": "jsonpath"}
_ENCODINGS = {RML + "UTF-8": "utf-8-sig", RML + "UTF-16": "utf-16"}
_COMPRESSIONS = {RML + c: c for c in ("gzip", "zip", "tarxz", "targz")}


def logical_source(ix: MappingIndex, node: Node, where: str, mapping_dir: Path) -> LogicalSource:
    """The logical source of triples map `node` (files only: CSV or JSON, maybe compressed)."""
    ls = ix.required(node, "logicalSource", where)
    source = ix.required(ls, "source", where)
    nulls = [str(v) for v in ix.values(ls, "null") + ix.values(source, "null")]
    options: tuple[str, str | None]
    if isinstance(source, Literal):
        path, options = mapping_dir / str(source), ("utf-8-sig", None)
    else:
        path, options = _file_source(ix, source, where, mapping_dir), _file_options(ix, source, where)
    formulation_iri = _formulation(ix, ls, path, where)
    formulation = _FORMULATIONS[formulation_iri]
    iterator = ix.text(ls, "iterator", where)
    if formulation == "jsonpath":
        iterator = iterator or "$"
        problem = check_jsonpath(iterator)
        if problem:
            raise MappingError(
                f"{where}: rml:iterator {iterator!r} is not a valid JSONPath: {problem}",
                hint="write e.g. $.items[*]",
            )
    return LogicalSource(
        path=path,
        formulation=formulation,
        formulation_iri=formulation_iri,
        iterator=iterator,
        nulls=frozenset(nulls),
        encoding=options[0],
        compression=options[1],
    )


def _file_source(ix: MappingIndex, source: Node, where: str, mapping_dir: Path) -> Path:
    path = ix.text(source, "path", where)
    if path is None:
        raise MappingError(
            f"{where}: rml:source {source} is not a file (it has no rml:path)",
            hint='only file sources are supported: [ a rml:RelativePathSource; rml:path "data.csv" ]',
        )
    root = ix.one(source, "root", where)
    if root is None or str(root) == RML + "MappingDirectory":
        return mapping_dir / path
    if str(root) == RML + "CurrentWorkingDirectory":
        return Path.cwd() / path
    return Path(str(root)) / path if isinstance(root, Literal) else mapping_dir / path


def _file_options(ix: MappingIndex, source: Node, where: str) -> tuple[str, str | None]:
    encoding = ix.one(source, "encoding", where)
    compression = ix.one(source, "compression", where)
    if encoding is not None and str(encoding) not in _ENCODINGS:
        raise MappingError(
            f"{where}: unsupported rml:encoding {encoding}", hint="use rml:UTF-8 or rml:UTF-16"
        )
    if compression is not None and str(compression) not in _COMPRESSIONS and str(compression) != RML + "none":
        raise MappingError(f"{where}: unsupported rml:compression {compression}", hint="use gzip or zip")
    codec = _ENCODINGS.get(str(encoding), "utf-8-sig")
    return codec, _COMPRESSIONS.get(str(compression)) if compression is not None else None


def _formulation(ix: MappingIndex, ls: Node, path: Path, where: str) -> str:
    value = ix.one(ls, "referenceFormulation", where)
    if value is None:
        by_suffix = {".csv": RML + "CSV", ".json": RML + "JSONPath"}
        inferred = by_suffix.get(path.suffix.lower())
        if inferred is None:
            raise MappingError(f"{where} has no rml:referenceFormulation", hint="add rml:CSV or rml:JSONPath")
        return inferred
    if str(value) not in _FORMULATIONS:
        raise MappingError(
            f"{where}: unsupported rml:referenceFormulation {value}",
            hint="this engine reads rml:CSV and rml:JSONPath sources",
        )
    return str(value)
