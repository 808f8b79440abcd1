"""Indexing RML mapping files: Turtle in, a plain dict of node -> RML property -> values out.

The legacy namespaces (rr:, the mmlab rml: and ql:) are folded into RML-Core
here, so the loader speaks RML-Core only. Turtle is parsed through
`clusterkg.rdf`, the project's one rdflib owner.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import MappingError, RdfSyntaxError
from ..namespaces import QL, R2RML, RDF, RML, RML_LEGACY
from ..rdf import BNode, Literal, Node, URIRef, parse_graphs

Props = dict[str, list[Node]]

_RDF_TYPE = RDF + "type"
_RENAMED = {"column": "reference"}
_TRIPLES_MAP_PROPERTIES = ("logicalSource", "subjectMap", "subject")


class MappingIndex:
    """The RML properties of every node of the mapping files, and where each triples map is defined."""

    def __init__(self, files: tuple[Path, ...]) -> None:
        self.files = files
        self.props: dict[Node, Props] = {}
        self.origin: dict[Node, Path] = {}
        for file in files:
            _index_file(file, self.props, self.origin)

    def values(self, node: Node, name: str) -> list[Node]:
        return self.props.get(node, {}).get(name, [])

    def one(self, node: Node, name: str, where: str, *, required: bool = False) -> Node | None:
        found = self.values(node, name)
        if len(found) > 1:
            raise MappingError(f"{where} has more than one rml:{name}", hint=f"keep one rml:{name}")
        if not found and required:
            raise MappingError(f"{where} has no rml:{name}", hint=f"add rml:{name}")
        return found[0] if found else None

    def required(self, node: Node, name: str, where: str) -> Node:
        found = self.one(node, name, where, required=True)
        assert found is not None
        return found

    def text(self, node: Node, name: str, where: str) -> str | None:
        value = self.one(node, name, where)
        if value is not None and not isinstance(value, Literal):
            raise MappingError(f"{where}: rml:{name} must be a string, not {value}", hint="quote it")
        return None if value is None else str(value)

    @staticmethod
    def node_name(node: Node) -> str:
        return f"_:{node}" if isinstance(node, BNode) else str(node)

    @staticmethod
    def label(node: Node, file: Path) -> str:
        """How messages show a triples map: `<#Name>` for IRIs local to the file."""
        if isinstance(node, BNode):
            return "[] (a blank node)"
        text, file_uri = str(node), file.as_uri()
        return f"<{text[len(file_uri) :]}>" if text.startswith(file_uri + "#") else f"<{text}>"


def _index_file(file: Path, props: dict[Node, Props], origin: dict[Node, Path]) -> None:
    try:
        graph = parse_graphs([file])
    except RdfSyntaxError as exc:
        raise MappingError(
            f"{file}: mapping file does not parse as Turtle: {exc.message}",
            hint="fix the Turtle syntax (the message gives the line); string escapes like \\a are invalid",
        ) from exc
    for s, p, o in graph:
        name = _local_name(str(p))
        if name is None:
            continue
        props.setdefault(s, {}).setdefault(name, []).append(_normalise(o))
        if name in _TRIPLES_MAP_PROPERTIES or (
            name == "type" and _normalise(o) == URIRef(RML + "TriplesMap")
        ):
            origin.setdefault(s, file)


def _local_name(iri: str) -> str | None:
    if iri == _RDF_TYPE:
        return "type"
    for namespace in (RML, RML_LEGACY, R2RML):
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            return _RENAMED.get(local, local)
    return None


def _normalise(node: Node) -> Node:
    if isinstance(node, URIRef):
        for namespace in (RML_LEGACY, R2RML, QL):
            if node.startswith(namespace):
                return URIRef(RML + node[len(namespace) :])
    return node
