"""SHACL compiled to SPARQL: validation as a few hundred SELECT queries over the built store.

pySHACL walks every focus node in Python (about 6k triples/s); here every constraint of every
targeted shape becomes one SELECT that returns only the violating (focus, value) rows, so the
store's indexes do the work. Queries go through a `select` function (query text → rows of
N-Triples terms), so this module needs no store and no pyoxigraph.

What the compiler cannot express is listed in `CompiledShapes.unsupported` (shape, reason);
those shapes are left out of the queries and the caller validates them with pySHACL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..namespaces import CKG, RDF, RDFS, SH
from ..rdf import Graph, Literal, Node, URIRef
from ..terms import plain
from . import expressions as ex
from .checks import (
    Check,
    TargetSpec,
    pair_checks,
    property_checks,
    sparql_checks,
    target_pattern,
    with_targets,
)
from .report import ValidationReport, ValidationResult

Select = Callable[[str], Iterable[dict[str, str]]]

TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
IMPLICIT_CLASS = (URIRef(RDFS + "Class"), URIRef("http://www.w3.org/2002/07/owl#Class"))


@dataclass
class CompiledShapes:
    """The queries of every supported targeted shape, and what could not be compiled."""

    checks: list[Check] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    unsupported_nodes: list[Node] = field(default_factory=list)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every active targeted shape; a shape using an unsupported feature is listed instead."""
    compiled = CompiledShapes()
    ctx = ex.Context(shapes)
    members: dict[Node, set[TargetSpec]] = {}
    for shape in targeted_shapes(shapes):
        specs = targets_of(shapes, shape)
        try:
            checks = _shape_checks(ctx, shape, specs)
            for member in _active_members(shapes, shape):
                _property_shape_checks(ctx, member, specs)  # fail early, before anything is kept
        except ex.Unsupported as exc:
            compiled.unsupported.append((str(shape), str(exc)))
            compiled.unsupported_nodes.append(shape)
            continue
        compiled.checks += checks
        for member in _active_members(shapes, shape):
            members.setdefault(member, set()).update(specs)
    for member, shared in members.items():  # a shared property shape runs once over all its parents
        compiled.checks += _property_shape_checks(ctx, member, shared)
    return compiled


def targeted_shapes(shapes: Graph) -> list[Node]:
    """Active shapes with at least one target (explicit, or implicit: a shape that is a class)."""
    found = {s for name in TARGETS for s in shapes.subjects(ex.sh(name), None)}
    for cls in IMPLICIT_CLASS:
        found |= {s for s in shapes.subjects(URIRef(RDF + "type"), cls) if _is_shape(shapes, s)}
    return ex.ordered(s for s in found if not ex.is_true(shapes, s, "deactivated"))


def _is_shape(shapes: Graph, node: Node) -> bool:
    kinds = {ex.sh("NodeShape"), ex.sh("PropertyShape")}
    return (
        any((node, URIRef(RDF + "type"), k) in shapes for k in kinds)
        or (
            node,
            ex.sh("property"),
            None,
        )
        in shapes
    )


def targets_of(shapes: Graph, shape: Node) -> frozenset[TargetSpec]:
    specs = {(name, ex.term(obj)) for name in TARGETS for obj in shapes.objects(shape, ex.sh(name))}
    if any((shape, URIRef(RDF + "type"), cls) in shapes for cls in IMPLICIT_CLASS):
        specs.add(("targetClass", ex.term(shape)))
    return frozenset(specs)


def _active_members(shapes: Graph, shape: Node) -> list[Node]:
    """The property shapes a node shape runs on its focus nodes."""
    if shapes.value(shape, ex.sh("path")) is not None:
        return []
    members = shapes.objects(shape, ex.sh("property"))
    return ex.ordered(m for m in members if not ex.is_true(shapes, m, "deactivated"))


def _shape_checks(ctx: ex.Context, shape: Node, specs: frozenset[TargetSpec]) -> list[Check]:
    """The checks of a targeted shape itself: node-level constraints, or a targeted property shape."""
    if ctx.shapes.value(shape, ex.sh("path")) is not None:
        return _property_shape_checks(ctx, shape, specs)
    handled = {*ex.VALUE_COMPONENTS, "hasValue", "closed", "sparql", "equals", "disjoint"}
    handled |= {"lessThan", "lessThanOrEquals"}
    ex.check_known(ctx, shape, {SH + n for n in handled})
    targets = target_pattern(specs)
    return [
        *property_checks(ctx, shape, targets, None),
        *pair_checks(ctx, shape, targets, None),
        *sparql_checks(ctx, shape, targets, None),
    ]


def _property_shape_checks(ctx: ex.Context, shape: Node, specs: Iterable[TargetSpec]) -> list[Check]:
    path = ctx.shapes.value(shape, ex.sh("path"))
    if path is None:
        raise ex.Unsupported(f"the sh:property {shape} without sh:path")
    handled = {*ex.VALUE_COMPONENTS, "minCount", "maxCount", "hasValue", "uniqueLang", "sparql"}
    handled |= {"equals", "disjoint", "lessThan", "lessThanOrEquals"}
    ex.check_known(ctx, shape, {SH + n for n in handled})
    targets = target_pattern(frozenset(specs))
    checks = [
        *property_checks(ctx, shape, targets, path),
        *pair_checks(ctx, shape, targets, path),
        *sparql_checks(ctx, shape, targets, path),
    ]
    own = with_targets(checks, frozenset(specs), targets)
    return own + _nested_property_checks(ctx, shape, targets, path)


def _nested_property_checks(ctx: ex.Context, shape: Node, targets: str, path: Node) -> list[Check]:
    """sh:property of a property shape: its value nodes are the focus nodes of the nested shapes."""
    members = [
        m
        for m in ctx.shapes.objects(shape, ex.sh("property"))
        if not ex.is_true(ctx.shapes, m, "deactivated")
    ]
    if not members:
        return []
    if shape in ctx.stack:
        raise ex.Unsupported(f"the recursive shape {shape}")
    values = (
        f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS ?_focus) WHERE {{ {targets} }} }} "
        f"?_focus {ex.path_sparql(ctx.shapes, path)} ?this }} }}"
    )
    outer, ctx.stack = ctx.stack, (*ctx.stack, shape)
    try:
        return [c for m in ex.ordered(members) for c in _property_shape_checks(ctx, m, {("values", values)})]
    finally:
        ctx.stack = outer


# ---------------------------------------------------------------- running the queries


Verdicts = Mapping[int, Check | None]  # a screen's: check index -> None (cleared) or a narrower check


def validate_with_queries(
    compiled: CompiledShapes, select: Select, triples: int = 0, verdicts: Verdicts | None = None
) -> ValidationReport:
    """Run every compiled check through `select` (query → rows of N-Triples terms) and report.

    The focus nodes' ckg:sourceFile and ckg:sourceRecord are looked up afterwards, only for the
    nodes that have results. Shapes in `compiled.unsupported` are not checked here. A screen's
    `verdicts` leave out the checks it cleared and run its narrowed query for those it narrowed.
    """
    findings = run_checks(compiled, select, verdicts)
    sources = source_records(select, (f.focus for f in findings))
    report = ValidationReport(triples=triples)
    for f in findings:
        file, record = sources.get(f.focus, ("", ""))
        report.results.append(
            ValidationResult(
                severity=f.severity,
                focus=plain(f.focus),
                path=f.path,
                message=f.message,
                value=plain(f.value),
                shape=f.shape,
                source_file=file,
                source_record=record,
                component=f.component,
                focus_term=f.focus,
                value_term=f.value,
            )
        )
    report.results.sort(key=lambda r: (r.source_file, r.source_record, r.focus, r.path, r.message))
    return report


@dataclass(frozen=True, order=True)
class Finding:
    """One result before its source record is known; terms in N-Triples form."""

    severity: str
    focus: str
    path: str
    message: str
    value: str
    shape: str
    component: str


def run_checks(compiled: CompiledShapes, select: Select, verdicts: Verdicts | None = None) -> list[Finding]:
    """Every finding of every check, without duplicates, in a stable order.

    The checks are independent read-only queries and the engine releases the GIL while it
    evaluates, so they run on every core at once (about 2x on two cores).
    """

    verdicts = verdicts or {}
    planned = (verdicts.get(i, c) for i, c in enumerate(compiled.checks))
    checks = [c for c in planned if c is not None]
    queries = with_class_closures(checks, select)

    def rows(query: str) -> list[dict[str, str]]:
        return list(select(query))

    # The user-written SPARQL constraints are the longest single queries: started first, they
    # do not leave one core idle at the end.
    order = sorted(range(len(queries)), key=lambda i: checks[i].kind != "sparql")
    found: dict[Finding, None] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="shacl") as threads:
        answers = dict(zip(order, threads.map(rows, [queries[i] for i in order]), strict=True))
    for i, check in enumerate(checks):
        for row in answers[i]:
            for finding in read_row(check, row):
                found.setdefault(finding, None)
    return sorted(found)


# `EXISTS { ?x rdf:type/rdfs:subClassOf* <C> }` as sh:class checks write it.
CLASS_PATH = re.compile(r"EXISTS \{ (\?\w+) " + re.escape(ex.TYPE_PATH) + r" (<[^<>\s]+>) \}")
SUBCLASSES = f"SELECT DISTINCT ?c WHERE {{{{ ?c <{RDFS}subClassOf>* {{cls}} }}}}"


def with_class_closures(checks: list[Check], select: Select) -> list[str]:
    """The queries with each sh:class test `EXISTS { ?x rdf:type/rdfs:subClassOf* <C> }` written as
    `EXISTS { ?x rdf:type ?t }` with ?t among the subclasses of C, looked up once per class in the
    same data: the same answer, but the engine probes the type index instead of walking the
    subclass path once per value (about 2x faster for sh:class checks; targets keep the path,
    which the engine already walks once from C). A class with a blank-node subclass keeps the path (VALUES
    cannot name a blank node). User-written sh:sparql queries are run as written."""
    queries = [c.query for c in checks]
    closures: dict[str, str | None] = {}
    for cls in sorted({m.group(2) for q in queries for m in CLASS_PATH.finditer(q)}):
        subclasses = [row["c"] for row in select(SUBCLASSES.format(cls=cls))]
        closures[cls] = None if any(s.startswith("_:") for s in subclasses) else " ".join(subclasses)
    counter = iter(range(1 << 30))

    def expand(match: re.Match[str]) -> str:
        subclasses = closures[match.group(2)]
        if subclasses is None:
            return match.group(0)
        var = f"?_ckg_class{next(counter)}"
        return f"EXISTS {{ {match.group(1)} <{RDF}type> {var} VALUES {var} {{ {subclasses} }} }}"

    return [
        q if c.kind == "sparql" else CLASS_PATH.sub(expand, q) for c, q in zip(checks, queries, strict=True)
    ]


def read_row(check: Check, row: dict[str, str]) -> list[Finding]:
    """The findings one result row stands for (a values row may break several constraints)."""
    focus = row.get("this", "")
    path = plain(row["path"]) if row.get("path") else check.path
    if check.kind == "counts":
        count = int(plain(row["n"]))
        flagged = [c for c, broken in _count_flags(check, count) if broken]
        return [_finding(check, focus, path, "", c, row) for c in flagged]
    if check.kind == "values":
        flagged = [c for var, c in check.components if row.get(var, "").startswith('"true"')]
        return [_finding(check, focus, path, _value(row, c), c, row) for c in flagged]
    value = row.get("value", "") or (focus if check.kind == "sparql" and not check.path else "")
    return [_finding(check, focus, path, value, check.components[0][1], row)]


def _value(row: dict[str, str], component: str) -> str:
    """sh:hasValue results name no value (the expected value is missing, not wrong)."""
    return "" if component == "HasValueConstraintComponent" else row.get("value", "")


def _count_flags(check: Check, count: int) -> list[tuple[str, bool]]:
    low, high = check.bounds
    return [
        ("MinCountConstraintComponent", low is not None and count < low),
        ("MaxCountConstraintComponent", high is not None and count > high),
    ]


def _finding(check: Check, focus: str, path: str, value: str, component: str, row: dict[str, str]) -> Finding:
    message = check.message or check.defaults.get(component, "")
    if check.kind == "sparql":
        message = check.sparql_message or message
        bound = {name: plain(v) for name, v in row.items()} | {"path": path}
        for name, text in bound.items():
            message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _literally(text), message)
    message = message.replace("{focus}", plain(focus)).replace("{path}", path)
    return Finding(check.severity, focus, path, message, value, check.shape, component)


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `text` as is (no backslash processing)."""
    return lambda _match: text


SOURCE_QUERY = """SELECT ?s ?file ?record WHERE {{ VALUES ?s {{ {nodes} }}
  OPTIONAL {{ ?s <{ckg}sourceFile> ?file }} OPTIONAL {{ ?s <{ckg}sourceRecord> ?record }} }}"""


def source_records(select: Select, focus_nodes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(ckg:sourceFile, ckg:sourceRecord) of each IRI focus node, looked up in batches."""
    iris = sorted({f for f in focus_nodes if f.startswith("<")})
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(iris), 500):
        nodes = " ".join(iris[start : start + 500])
        for row in select(SOURCE_QUERY.format(nodes=nodes, ckg=CKG)):
            old = found.get(row["s"], ("", ""))
            new = (plain(row.get("file", "")), plain(row.get("record", "")))
            found[row["s"]] = min(old, new) if all(old) else new
    return found


def term_text(node: Node) -> str:
    """A data-graph term in the N-Triples form the select function returns (for tests)."""
    if isinstance(node, Literal):
        return str(node.n3())
    return f"<{node}>" if isinstance(node, URIRef) else f"_:{node}"
