"""Validation results as a W3C SHACL validation report graph (SHACL §3.6), and shapes named
stably: blank-node shapes get skolem IRIs derived from their content and position, so a
result's sh:sourceShape is the same in every run and for every validator.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..namespaces import PREFIXES, SH
from ..rdf import BNode, Graph, Literal, Node, URIRef, rdflib
from ..terms import literal_term

if TYPE_CHECKING:
    from .report import ValidationResult

SKOLEM = "https://w3id.org/clusterkg/.well-known/genid/shape-"
_SHAPE_LINKS = ("property", "node", "not", "qualifiedValueShape")
_SHAPE_LISTS = ("or", "and", "xone")
_LABEL = "clusterkg-report-"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")


def sh(name: str) -> URIRef:
    return URIRef(SH + name)


# ---------------------------------------------------------------- terms


def nt_term(node: Node) -> str:
    """A term in N-Triples form (the form the compiled validator's rows use)."""
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else ""
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = ""
        return literal_term(str(node), node.language or "", datatype)
    return f"_:{node}" if isinstance(node, BNode) else f"<{node}>"


def node_of(term: str, plain: str = "") -> Node:
    """The RDF term an N-Triples `term` writes; without one, `plain` read as an IRI or a literal."""
    if not term:
        return URIRef(plain) if _IRI.match(plain) else Literal(plain)
    if term.startswith("_:"):
        return BNode(term[2:])
    if term.startswith("<"):
        return URIRef(term[1:-1])
    graph = Graph().parse(data=f"<urn:x:s> <urn:x:p> {term} .", format="nt")
    return next(iter(graph.objects()))


# ---------------------------------------------------------------- the report graph


def report_graph(results: Iterable[ValidationResult], shapes: Graph | None) -> Graph:
    """One sh:ValidationReport with one sh:result per top-level result, details nested."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode(_LABEL + "report")  # labels by position: the same report serialises the same
    graph.add((report, rdflib.RDF.type, sh("ValidationReport")))
    results = list(results)
    # SHACL §3.6.1: conforms is true only when there is no result at all, warnings included
    # (the build's gate, ValidationReport.conforms, lets warnings pass; the report graph does not).
    graph.add((report, sh("conforms"), Literal(not results)))
    paths: dict[Node, BNode] = {}  # shapes-graph blank node -> its one copy here: sharing kept (as pySHACL)
    for number, r in enumerate(results):
        node = _write_result(graph, r, shapes, paths, f"{_LABEL}result-{number:06d}")
        graph.add((report, sh("result"), node))
    return graph


def _write_result(
    graph: Graph, r: ValidationResult, shapes: Graph | None, paths: dict[Node, BNode], label: str
) -> BNode:
    node = BNode(label)
    graph.add((node, rdflib.RDF.type, sh("ValidationResult")))
    graph.add((node, sh("resultSeverity"), severity_node(r.severity)))
    graph.add((node, sh("focusNode"), node_of(r.focus_term, r.focus)))
    shape = _shape_node(r.shape, shapes)
    graph.add((node, sh("sourceShape"), shape))
    if r.component:
        graph.add((node, sh("sourceConstraintComponent"), sh(r.component)))
    if r.message:
        graph.add((node, sh("resultMessage"), _message(r.message, shape, shapes)))
    if r.value or r.value_term:
        graph.add((node, sh("value"), node_of(r.value_term, r.value)))
    if r.path:
        graph.add((node, sh("resultPath"), _path_node(graph, r.path, shape, shapes, paths)))
    for number, detail in enumerate(r.details):
        graph.add((node, sh("detail"), _write_result(graph, detail, shapes, paths, f"{label}-{number:03d}")))
    return node


def severity_node(severity: str) -> URIRef:
    """sh:Violation for "Violation"; a severity of one's own keeps its IRI."""
    return URIRef(severity) if ":" in severity else sh(severity)


def severity_name(node: Node | None) -> str:
    """The local name of a SHACL severity ("Violation"), or the IRI of any other."""
    if node is None:
        return "Violation"
    return str(node)[len(SH) :] if str(node).startswith(SH) else str(node)


def _message(text: str, shape: Node, shapes: Graph | None) -> Literal:
    """The shape's own sh:message literal when the text is one (it keeps its language tag)."""
    own = shapes.objects(shape, sh("message")) if shapes is not None else ()
    return next((m for m in own if isinstance(m, Literal) and str(m) == text), Literal(text))


def _shape_node(shape: str, shapes: Graph | None) -> Node:
    if shapes is not None and (BNode(shape), None, None) in shapes:
        return BNode(shape)
    return URIRef(shape) if _IRI.match(shape) else BNode(shape)


def _path_node(graph: Graph, path: str, shape: Node, shapes: Graph | None, paths: dict[Node, BNode]) -> Node:
    """The shape's own sh:path, copied (a complex path is a structure of blank nodes), when it
    is the result's path; else the result's path is a predicate (sh:closed, SPARQL ?path)."""
    from .expressions import result_path  # the one renderer of paths as text

    own = shapes.value(shape, sh("path")) if shapes is not None else None
    if own is not None and shapes is not None and result_path(shapes, own) == path:
        return _copy(graph, shapes, own, paths)
    return URIRef(path) if _IRI.match(path) else Literal(path)


def _copy(graph: Graph, source: Graph, node: Node, done: dict[Node, BNode]) -> Node:
    """Copy `node` and, for a blank node, everything it holds, into `graph`."""
    if not isinstance(node, BNode):
        return node
    if node not in done:
        done[node] = BNode(f"{_LABEL}path-{len(done):06d}")
        for p, o in source.predicate_objects(node):
            graph.add((done[node], p, _copy(graph, source, o, done)))
    return done[node]


def serialize(graph: Graph, fmt: str) -> str:
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context={"sh": SH}, auto_compact=True)
    return graph.serialize(format=fmt)


# ---------------------------------------------------------------- stable names for shapes


def skolemise(shapes: Graph) -> Graph:
    """A copy of `shapes` with every blank-node shape replaced by a stable skolem IRI.

    The IRI is a digest of where the shape sits (the named node above it and the links down to
    it) and of what it says, so the same shapes files give the same IRIs in every run.
    Paths and lists stay blank nodes, as SHACL writes them.
    """
    names: dict[Node, Node] = {b: URIRef(SKOLEM + digest) for b, digest in _shape_digests(shapes).items()}
    if not names:
        return shapes
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for s, p, o in shapes:
        copy.add((names.get(s, s), p, names.get(o, o)))
    return copy


def _shape_digests(shapes: Graph) -> dict[BNode, str]:
    found: dict[BNode, str] = {}
    used: set[str] = set()
    for owner, link, shape in sorted(_shape_links(shapes), key=lambda t: (str(t[1]), _content(shapes, t[2]))):
        if shape in found:
            continue
        seed = f"{_anchor(shapes, owner)} {link} {_content(shapes, shape)}"
        digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
        while digest in used:  # two identical shapes in one place: keep them apart, stably
            digest = hashlib.sha256(digest.encode()).hexdigest()[:16]
        used.add(digest)
        found[shape] = digest
    return found


def _shape_links(shapes: Graph) -> list[tuple[Node, str, BNode]]:
    """(owner, how it links, blank-node shape) for every blank node used as a shape."""
    links: list[tuple[Node, str, BNode]] = []
    for name in _SHAPE_LINKS:
        links += [(s, name, o) for s, o in shapes.subject_objects(sh(name)) if isinstance(o, BNode)]
    for name in _SHAPE_LISTS:
        for s, head in shapes.subject_objects(sh(name)):
            members = list(shapes.items(head))
            links += [(s, f"{name}[{i}]", m) for i, m in enumerate(members) if isinstance(m, BNode)]
    typed = (sh("NodeShape"), sh("PropertyShape"))
    linked = {shape for _, _, shape in links}
    for kind in typed:
        links += [
            (kind, "a", s)
            for s in shapes.subjects(rdflib.RDF.type, kind)
            if isinstance(s, BNode) and s not in linked
        ]
    return links


def _anchor(shapes: Graph, owner: Node) -> str:
    """The owner's stable name: its IRI, or what it says."""
    return _content(shapes, owner) if isinstance(owner, BNode) else str(owner)


def _content(shapes: Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str:
    """A canonical text of a node and the blank nodes it holds (sorted, so labels never matter)."""
    if not isinstance(node, BNode):
        return nt_term(node) if isinstance(node, (URIRef, Literal)) else str(node)
    if node in seen:  # a cycle of blank nodes: the position still tells them apart
        return "_"
    inner = seen | {node}
    if (node, rdflib.RDF.first, None) in shapes:  # a list, item by item (no deep recursion)
        return "(" + " ".join(_content(shapes, item, inner) for item in shapes.items(node)) + ")"
    parts = sorted(f"{p} {_content(shapes, o, inner)}" for p, o in shapes.predicate_objects(node))
    return "[" + "; ".join(parts) + "]"


# ---------------------------------------------------------------- readable shape names


def compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def shape_name(shapes: Graph | None, shape: str) -> str:
    """A shape as a reader knows it: its name, or for an anonymous one where it sits and its path
    ("ckgsh:ClusterShape / property ckg:country") or its targets."""
    if not shape.startswith(SKOLEM) and _IRI.match(shape):
        return compact(shape)
    node = _shape_node(shape, shapes)
    if shapes is None or (node, None, None) not in shapes:
        return "an anonymous shape"
    path = shapes.value(node, sh("path"))
    from .expressions import result_path

    here = f"property {compact(result_path(shapes, path))}" if path is not None else "node shape"
    owner = next((s for name in _SHAPE_LINKS for s in shapes.subjects(sh(name), node)), None)
    if owner is not None:
        return f"{shape_name(shapes, str(owner))} / {here}"
    targets = [compact(str(o)) for p in ("targetClass", "targetNode") for o in shapes.objects(node, sh(p))]
    return f"{here} for {', '.join(targets)}" if targets else here
