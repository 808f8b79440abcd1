"""sh:detail for the compiled validator: why a value failed its sh:node shape.

A compiled sh:node check says only that the value does not conform. As pySHACL does, the report
nests under each such result the results of validating the value against the node shape: here
by compiling that shape once more with the failing values as its sh:targetNode.
"""

from __future__ import annotations

import dataclasses

from ..namespaces import RDF, SH
from ..rdf import BNode, Graph, Node, URIRef
from .compiled import Select, compile_shapes, validate_with_queries
from .report import ValidationReport, ValidationResult
from .report_rdf import node_of

NODE = "NodeConstraintComponent"
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
_CLASSES = (
    URIRef("http://www.w3.org/2000/01/rdf-schema#Class"),
    URIRef("http://www.w3.org/2002/07/owl#Class"),
)
MAX_DEPTH = 8  # sh:node chains deeper than this are shown without further detail


def add_details(report: ValidationReport, shapes: Graph, select: Select) -> None:
    """Nest under every sh:node result of `report` the results that explain it."""
    report.results = explain(report.results, shapes, select, MAX_DEPTH)


def explain(
    results: list[ValidationResult], shapes: Graph, select: Select, depth: int
) -> list[ValidationResult]:
    failing = [r for r in results if r.component == NODE and not r.details]
    if not failing or depth <= 0:
        return results
    wanted: dict[Node, set[str]] = {}  # node shape -> N-Triples terms of the values it must explain
    for r in failing:
        for node_shape in shapes.objects(node_of("", r.shape), URIRef(SH + "node")):
            wanted.setdefault(node_shape, set()).add(r.value_term or f"<{r.value}>")
    found: dict[tuple[str, str], list[ValidationResult]] = {}
    for node_shape, values in wanted.items():
        for detail in _validate_values(shapes, node_shape, values, select, depth):
            found.setdefault((str(node_shape), detail.focus_term), []).append(detail)
    return [_with_details(r, shapes, found) if r in failing else r for r in results]


def _with_details(
    r: ValidationResult, shapes: Graph, found: dict[tuple[str, str], list[ValidationResult]]
) -> ValidationResult:
    term = r.value_term or f"<{r.value}>"
    details = [
        d
        for n in shapes.objects(node_of("", r.shape), URIRef(SH + "node"))
        for d in found.get((str(n), term), [])
    ]
    return dataclasses.replace(r, details=tuple(details))


def _validate_values(
    shapes: Graph, node_shape: Node, values: set[str], select: Select, depth: int
) -> list[ValidationResult]:
    """The results of `values` against `node_shape` alone (its own targets left out)."""
    small = Graph()
    _copy_closure(shapes, node_shape, small, set())
    for name in _TARGETS:  # only the values given are validated, not any shape's own targets
        small.remove((None, URIRef(SH + name), None))
    for kind in _CLASSES:
        small.remove((None, URIRef(RDF + "type"), kind))
    for value in sorted(values):
        small.add((node_shape, URIRef(SH + "targetNode"), node_of(value)))
    compiled = compile_shapes(small)
    results = validate_with_queries(compiled, select).results
    return explain(results, shapes, select, depth - 1)


def _copy_closure(source: Graph, node: Node, target: Graph, done: set[Node]) -> None:
    """`node`'s triples and those of every node they lead to (shapes, lists, paths)."""
    if node in done or not isinstance(node, (URIRef, BNode)):
        return
    done.add(node)
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        _copy_closure(source, o, target, done)
