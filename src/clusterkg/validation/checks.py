"""The SELECT queries of one shape: each returns only the rows that break a constraint.

A shape's focus nodes come from one sub-select over its targets; its value-level constraints
share one query (a flag per constraint), its counts another, and the focus-level ones
(sh:hasValue, sh:uniqueLang, property pairs, sh:closed, sh:sparql) one each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..namespaces import RDF, RDFS
from ..rdf import Literal, Node
from . import expressions as ex
from .report_rdf import severity_name

TargetSpec = tuple[str, str]  # (target predicate local name, SPARQL term)


@dataclass(frozen=True)
class Check:
    """One compiled query and how its rows become results."""

    query: str
    kind: str  # values | counts | rows | sparql
    shape: str
    path: str
    severity: str
    message: str
    components: tuple[tuple[str, str], ...] = ()  # (flag variable, constraint component)
    bounds: tuple[int | None, int | None] = (None, None)
    defaults: dict[str, str] = field(default_factory=dict)
    sparql_message: str = ""
    targets: frozenset[TargetSpec] = frozenset()  # a property shape's targets (for the screen)
    focus_at: int = -1  # where the focus nodes' sub-select starts in `query`


def with_targets(checks: list[Check], specs: frozenset[TargetSpec], targets: str) -> list[Check]:
    """The checks of one property shape, each knowing its targets and where its query uses them."""
    return [replace(c, targets=specs, focus_at=c.query.find(targets)) for c in checks]


def narrowed(check: Check, pattern: str) -> Check:
    """The check with `pattern` (a VALUES block and what joins it) put before its focus nodes: the
    same query over the nodes or values the pattern names."""
    if check.focus_at < 0:
        raise ValueError(f"the query of {check.shape} has no focus nodes to narrow")
    at = check.focus_at
    return replace(check, query=f"{check.query[:at]}{pattern} {check.query[at:]}", focus_at=-1)


def target_pattern(specs: frozenset[TargetSpec]) -> str:
    """A sub-select binding ?this to each focus node of the targets, once."""
    branches = []
    nodes = sorted(t for kind, t in specs if kind == "targetNode")
    if nodes:
        branches.append(f"VALUES ?this {{ {' '.join(nodes)} }}")
    for kind, t in sorted(specs):
        if kind == "targetClass":
            branches.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {t}")
        elif kind == "targetSubjectsOf":
            branches.append(f"?this {t} ?_any")
        elif kind == "targetObjectsOf":
            branches.append(f"?_any {t} ?this")
        elif kind == "values":  # the value nodes of a parent property shape, as a ready pattern
            branches.append(t)
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def _base(ctx: ex.Context, shape: Node, path: Node | None, kind: str, query: str) -> dict[str, object]:
    severity = ctx.shapes.value(shape, ex.sh("severity"))
    messages = sorted(ctx.shapes.objects(shape, ex.sh("message")), key=_message_order)
    return {
        "query": query,
        "kind": kind,
        "shape": str(shape),
        "path": ex.result_path(ctx.shapes, path),
        "severity": severity_name(severity),
        "message": str(messages[0]) if messages else "",
    }


def _message_order(message: Node) -> tuple[int, str]:
    language = message.language if isinstance(message, Literal) else None
    return (0 if language in (None, "en") else 1, str(message))


def property_checks(ctx: ex.Context, shape: Node, targets: str, path: Node | None) -> list[Check]:
    """The value-level query, and for a property shape its counts, hasValue and uniqueLang."""
    found = []
    checks = ex.value_checks(ctx, shape, "?value", node_level=path is None)
    sparql_path = ex.path_sparql(ctx.shapes, path) if path is not None else ""
    values = f"?this {sparql_path} ?value ." if path is not None else "BIND(?this AS ?value)"
    if checks:
        found.append(_values_check(ctx, shape, path, f"{targets} {values}", checks))
    if path is None:
        if ex.is_true(ctx.shapes, shape, "closed"):
            found.append(_closed_check(ctx, shape, targets))
        return found
    found += _count_checks(ctx, shape, path, targets, sparql_path)
    for obj in ctx.shapes.objects(shape, ex.sh("hasValue")):
        query = (
            f"SELECT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {sparql_path} {ex.term(obj)} }} }}"
        )
        found.append(_rows(ctx, shape, path, query, "HasValueConstraintComponent"))
    if ex.is_true(ctx.shapes, shape, "uniqueLang"):
        query = (
            f"SELECT ?this ?lang WHERE {{ {targets} ?this {sparql_path} ?value . "
            'FILTER(isLiteral(?value) && LANG(?value) != "") BIND(LANG(?value) AS ?lang) } '
            "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )
        found.append(_rows(ctx, shape, path, query, "UniqueLangConstraintComponent"))
    return found


def _values_check(
    ctx: ex.Context, shape: Node, path: Node | None, pattern: str, checks: list[tuple[str, str]]
) -> Check:
    flags = [f"?f{i}" for i in range(len(checks))]
    binds = " ".join(
        f"BIND(COALESCE({expr}, true) AS {f})" for f, (_, expr) in zip(flags, checks, strict=True)
    )
    query = (
        f"SELECT DISTINCT ?this ?value {' '.join(flags)} WHERE {{ {pattern} {binds} "
        f"FILTER({' || '.join(flags)}) }}"
    )
    components = tuple((f[1:], c) for f, (c, _) in zip(flags, checks, strict=True))
    defaults = {c: _default_message(ctx, shape, c) for c, _ in checks}
    return Check(**_base(ctx, shape, path, "values", query), components=components, defaults=defaults)  # type: ignore[arg-type]


def _count_checks(ctx: ex.Context, shape: Node, path: Node, targets: str, sparql_path: str) -> list[Check]:
    low = max((ex.number(o) for o in ctx.shapes.objects(shape, ex.sh("minCount"))), default=None)
    high = min((ex.number(o) for o in ctx.shapes.objects(shape, ex.sh("maxCount"))), default=None)
    if (low is None or low <= 0) and high is None:
        return []
    tests = ([f"?n < {low}"] if low else []) + ([f"?n > {high}"] if high is not None else [])
    values = f"OPTIONAL {{ ?this {sparql_path} ?value }}" if low else f"?this {sparql_path} ?value ."
    query = (
        f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) "
        f"WHERE {{ {targets} {values} }} GROUP BY ?this }} FILTER({' || '.join(tests)}) }}"
    )
    defaults = {
        "MinCountConstraintComponent": f"Less than {low} values on {{focus}}->{{path}}",
        "MaxCountConstraintComponent": f"More than {high} values on {{focus}}->{{path}}",
    }
    base = _base(ctx, shape, path, "counts", query)
    return [Check(**base, bounds=(low, high), defaults=defaults)]  # type: ignore[arg-type]


def _rows(ctx: ex.Context, shape: Node, path: Node | None, query: str, component: str) -> Check:
    defaults = {component: _default_message(ctx, shape, component)}
    base = _base(ctx, shape, path, "rows", query)
    return Check(**base, components=(("", component),), defaults=defaults)  # type: ignore[arg-type]


def _closed_check(ctx: ex.Context, shape: Node, targets: str) -> Check:
    allowed = ex.closed_allowed(ctx, shape)
    test = f"FILTER(?path NOT IN ({', '.join(allowed)}))" if allowed else ""
    query = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {targets} ?this ?path ?value {test} }}"
    return _rows(ctx, shape, None, query, "ClosedConstraintComponent")


PAIRS = {
    "equals": "EqualsConstraintComponent",
    "disjoint": "DisjointConstraintComponent",
    "lessThan": "LessThanConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
}


def pair_checks(ctx: ex.Context, shape: Node, targets: str, path: Node | None) -> list[Check]:
    """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals against another property."""
    found = []
    sparql_path = ex.path_sparql(ctx.shapes, path) if path is not None else ""
    values = f"?this {sparql_path} ?value ." if path is not None else "BIND(?this AS ?value)"
    member = f"EXISTS {{ ?this {sparql_path} ?value }}" if path is not None else "sameTerm(?this, ?value)"
    for name, component in PAIRS.items():
        for other in ctx.shapes.objects(shape, ex.sh(name)):
            o = ex.term(other)
            if name == "equals":  # two queries: values missing on either side
                body = f"?this {o} ?value FILTER(!({member}))"
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {body} }}"
                found.append(_rows(ctx, shape, path, query, component))
                body = f"{values} FILTER NOT EXISTS {{ ?this {o} ?value }}"
            elif name == "disjoint":
                body = f"{values} ?this {o} ?value ."
            else:
                operator = "<" if name == "lessThan" else "<="
                body = f"{values} ?this {o} ?_other . FILTER(!COALESCE(?value {operator} ?_other, false))"
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {body} }}"
            found.append(_rows(ctx, shape, path, query, component))
    return found


def sparql_checks(ctx: ex.Context, shape: Node, targets: str, path: Node | None) -> list[Check]:
    """SPARQL-based constraints, run as written with ?this bound to the shape's focus nodes."""
    found = []
    for constraint in ex.ordered(ctx.shapes.objects(shape, ex.sh("sparql"))):
        if ex.is_true(ctx.shapes, constraint, "deactivated"):
            continue
        select = ctx.shapes.value(constraint, ex.sh("select"))
        if select is None:
            raise ex.Unsupported("a SPARQL constraint without sh:select")
        query = _prefixes(ctx, constraint) + _bind_this(ctx, shape, str(select), targets, path)
        messages = sorted(ctx.shapes.objects(constraint, ex.sh("message")), key=_message_order)
        base = _base(ctx, shape, path, "sparql", query)
        found.append(
            Check(
                **base,  # type: ignore[arg-type]
                components=(("", "SPARQLConstraintComponent"),),
                sparql_message=str(messages[0]) if messages else "",
            )
        )
    return found


def _prefixes(ctx: ex.Context, constraint: Node) -> str:
    lines = []
    for owner in ctx.shapes.objects(constraint, ex.sh("prefixes")):
        for declaration in ctx.shapes.objects(owner, ex.sh("declare")):
            prefix = ctx.shapes.value(declaration, ex.sh("prefix"))
            namespace = ctx.shapes.value(declaration, ex.sh("namespace"))
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def _bind_this(ctx: ex.Context, shape: Node, text: str, targets: str, path: Node | None) -> str:
    """The query with the focus-node sub-select joined first into its WHERE group, ?this projected."""
    if re.search(r"[?$](shapesGraph|failure)\b", text):
        raise ex.Unsupported("a SPARQL constraint using $shapesGraph or ?failure")
    text = re.sub(r"\$currentShape\b|\?currentShape\b", ex.term(shape), text)
    if "$PATH" in text:
        if path is None:
            raise ex.Unsupported("$PATH in a node shape")
        text = text.replace("$PATH", ex.path_sparql(ctx.shapes, path))
    text = re.sub(r"\$(\w+)", r"?\1", text)
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE) or re.search(r"\{", text)
    head = re.match(
        r"(?is)(.*?\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?)(.*)", text[: where.start()] if where else ""
    )
    if where is None or head is None:
        raise ex.Unsupported("a SPARQL constraint that is not a SELECT query")
    projection = head.group(2)
    if "*" not in projection and not re.search(r"\?this\b", projection):
        if re.search(r"\bGROUP\s+BY\b", text, re.IGNORECASE):
            raise ex.Unsupported("a grouped SPARQL constraint that does not select $this")
        projection = "?this " + projection
    return (
        head.group(1) + projection + text[where.start() : where.end()] + f" {targets} " + text[where.end() :]
    )


def _default_message(ctx: ex.Context, shape: Node, component: str) -> str:
    """A message in pySHACL's words for a shape without sh:message (the common components)."""
    name = component.removesuffix("ConstraintComponent")
    param = name[0].lower() + name[1:]
    value = ctx.shapes.value(shape, ex.sh(param))
    texts = {
        "Class": f"Value does not have class {value}",
        "Datatype": f"Value is not Literal with datatype {value}",
        "NodeKind": f"Value is not of Node Kind {value}",
        "Pattern": f"Value does not match pattern '{value}'",
        "MinInclusive": f"Value is not >= {value}",
        "MaxInclusive": f"Value is not <= {value}",
        "MinExclusive": f"Value is not > {value}",
        "MaxExclusive": f"Value is not < {value}",
        "UniqueLang": "More than one String shares the same Language",
        "Closed": "Node {focus} is closed. It cannot have value",
        "HasValue": f"Node {{focus}}->{{path}} does not contain a value in the set: ['{value}']",
    }
    return texts.get(name, f"Value does not conform to the {name} constraint of {shape}")
