"""SHACL constraint components as SPARQL: paths, terms and boolean violation expressions.

Every value-level component becomes an expression over one variable that is true when the
value node violates it; a nested shape (sh:node, sh:or, sh:and, sh:not, sh:xone) becomes an
expression that is true when the node conforms. Anything that cannot be written this way
raises Unsupported, so the caller can leave that shape to pySHACL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..namespaces import RDF, RDFS, SH, XSD
from ..rdf import Collection, Graph, Literal, Node, URIRef
from ..terms import quoted

TYPE_PATH = f"<{RDF}type>/<{RDFS}subClassOf>*"

# Datatypes whose lexical forms Oxigraph checks when casting: an ill-typed literal fails the cast.
CASTABLE = {
    XSD + name
    for name in (
        [
            "integer",
            "decimal",
            "double",
            "float",
            "boolean",
            "date",
            "dateTime",
            "time",
            "gYear",
            "gYearMonth",
            "duration",
        ]
    )
}

# Integer types derived by range, which Oxigraph cannot cast to: checked as xsd:integer in range.
INTEGER_RANGES = {
    "byte": (-128, 127),
    "short": (-32768, 32767),
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "unsignedByte": (0, 255),
    "unsignedShort": (0, 65535),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
}

NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}

RANGES = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}

# Shape predicates that are not constraints (or are read with the constraint they belong to).
NOT_CONSTRAINTS = {
    SH + name
    for name in [
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "path",
        "property",
        "message",
        "severity",
        "deactivated",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
        "flags",
        "ignoredProperties",
        "declare",
        "prefixes",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
    ]
}


class Unsupported(Exception):
    """A shape feature the compiler cannot turn into SPARQL."""


def sh(name: str) -> URIRef:
    return URIRef(SH + name)


def term(node: Node) -> str:
    """An IRI or literal of the shapes graph as SPARQL text; blank nodes cannot be named."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return str(node.n3())
    raise Unsupported(f"a blank node {node} used as a value")


def string(text: str) -> str:
    """A SPARQL string literal."""
    return quoted(text)


def ordered(nodes: Iterable[Node]) -> list[Node]:
    """Shapes-graph nodes in a stable order (so the same shapes give the same queries)."""
    return sorted(nodes, key=lambda n: (type(n).__name__, str(n)))


def number(node: Node) -> int:
    """An integer parameter such as sh:minCount."""
    return int(str(node))


def rdf_list(graph: Graph, node: Node) -> list[Node]:
    return list(Collection(graph, node))


def path_sparql(graph: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, URIRef(RDF + "first"), None) in graph:
        return "(" + " / ".join(path_sparql(graph, p) for p in rdf_list(graph, path)) + ")"
    unary = {"inversePath": "^({})", "zeroOrMorePath": "({})*", "oneOrMorePath": "({})+"}
    unary["zeroOrOnePath"] = "({})?"
    for name, template in unary.items():
        inner = graph.value(path, sh(name))
        if inner is not None:
            return template.format(path_sparql(graph, inner))
    alternatives = graph.value(path, sh("alternativePath"))
    if alternatives is not None:
        return "(" + " | ".join(path_sparql(graph, p) for p in rdf_list(graph, alternatives)) + ")"
    raise Unsupported(f"the property path {path}")


def result_path(graph: Graph, path: Node | None) -> str:
    """How a result names its path: the IRI for a predicate, else the SPARQL path."""
    if path is None:
        return ""
    return str(path) if isinstance(path, URIRef) else path_sparql(graph, path)


def is_true(graph: Graph, shape: Node, name: str) -> bool:
    """Whether a boolean parameter is "true"^^xsd:boolean (the spec names no other form, e.g. "1")."""
    value = graph.value(shape, sh(name))
    return isinstance(value, Literal) and str(value) == "true" and str(value.datatype) == XSD + "boolean"


@dataclass
class Context:
    """The shapes graph and what compiling one query needs: fresh variables, the nesting stack."""

    shapes: Graph
    counter: itertools.count[int] = field(default_factory=itertools.count)
    stack: tuple[Node, ...] = ()

    def fresh(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"


def check_known(ctx: Context, shape: Node, handled: set[str]) -> None:
    """Refuse a shape with a sh: parameter the compiler does not know how to handle."""
    for predicate in set(ctx.shapes.predicates(shape, None)):
        name = str(predicate)
        if name.startswith(SH) and name not in NOT_CONSTRAINTS and name not in handled:
            raise Unsupported(f"sh:{name[len(SH) :]}")


def _class(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    return f"!EXISTS {{ {v} {TYPE_PATH} {term(obj)} }}"


def _datatype(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    if obj == URIRef(RDFS + "Literal"):
        return f"!isLiteral({v})"
    checks = [f"isLiteral({v})", f"sameTerm(DATATYPE({v}), {term(obj)})"]
    if str(obj) in CASTABLE:
        checks.append(f"COALESCE(STRLEN(STR({term(obj)}(STR({v})))) >= 0, false)")
    local = str(obj).removeprefix(XSD)
    if str(obj).startswith(XSD) and local in INTEGER_RANGES:
        checks.append(_in_integer_range(v, *INTEGER_RANGES[local]))
    return "!(" + " && ".join(checks) + ")"


def _in_integer_range(v: str, low: int | None, high: int | None) -> str:
    number = f"<{XSD}integer>(STR({v}))"
    bounds = [f"{number} >= {low}"] if low is not None else []
    bounds += [f"{number} <= {high}"] if high is not None else []
    return f"COALESCE({' && '.join(bounds)}, false)"


def _node_kind(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    kind = str(obj)[len(SH) :]
    if kind not in NODE_KINDS:
        raise Unsupported(f"sh:nodeKind {obj}")
    return "!" + NODE_KINDS[kind].format(v=v)


def _range(name: str) -> Callable[[Context, Node, Node, str], str]:
    def build(ctx: Context, shape: Node, obj: Node, v: str) -> str:
        return f"!COALESCE({v} {RANGES[name]} {term(obj)}, false)"

    return build


def _length(operator: str) -> Callable[[Context, Node, Node, str], str]:
    def build(ctx: Context, shape: Node, obj: Node, v: str) -> str:
        return f"!COALESCE(!isBlank({v}) && STRLEN(STR({v})) {operator} {term(obj)}, false)"

    return build


def _pattern(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    flags = ctx.shapes.value(shape, sh("flags"))
    extra = f", {string(str(flags))}" if flags is not None else ""
    return f"!COALESCE(!isBlank({v}) && REGEX(STR({v}), {string(str(obj))}{extra}), false)"


def _language_in(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    ranges = [f"langMatches(LANG({v}), {string(str(tag))})" for tag in rdf_list(ctx.shapes, obj)]
    return f"!COALESCE(isLiteral({v}) && ({' || '.join(ranges) or 'false'}), false)"


def _in(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    members = rdf_list(ctx.shapes, obj)
    if not members:
        return "true"
    if all(isinstance(m, URIRef) for m in members):  # IRIs: IN's equality is term equality
        return f"({v} NOT IN ({', '.join(term(m) for m in members)}))"
    return "!(" + " || ".join(f"sameTerm({v}, {term(m)})" for m in members) + ")"


def _has_value(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    return f"!sameTerm({v}, {term(obj)})"


def _node(ctx: Context, shape: Node, obj: Node, v: str) -> str:
    return f"!({conforms(ctx, obj, v)})"


def _logical(kind: str) -> Callable[[Context, Node, Node, str], str]:
    def build(ctx: Context, shape: Node, obj: Node, v: str) -> str:
        if kind == "not":
            return f"({conforms(ctx, obj, v)})"
        parts = [f"({conforms(ctx, member, v)})" for member in rdf_list(ctx.shapes, obj)]
        if kind == "xone":
            return "(" + " + ".join(f"IF({p}, 1, 0)" for p in parts or ["false"]) + ") != 1"
        joiner = " && " if kind == "and" else " || "
        return f"!({joiner.join(parts) or ('true' if kind == 'and' else 'false')})"

    return build


# sh: parameter → (constraint component, builder of the violation expression for one value node)
VALUE_COMPONENTS: dict[str, tuple[str, Callable[[Context, Node, Node, str], str]]] = {
    "class": ("ClassConstraintComponent", _class),
    "datatype": ("DatatypeConstraintComponent", _datatype),
    "nodeKind": ("NodeKindConstraintComponent", _node_kind),
    **{name: (name[0].upper() + name[1:] + "ConstraintComponent", _range(name)) for name in RANGES},
    "minLength": ("MinLengthConstraintComponent", _length(">=")),
    "maxLength": ("MaxLengthConstraintComponent", _length("<=")),
    "pattern": ("PatternConstraintComponent", _pattern),
    "languageIn": ("LanguageInConstraintComponent", _language_in),
    "in": ("InConstraintComponent", _in),
    "node": ("NodeConstraintComponent", _node),
    "not": ("NotConstraintComponent", _logical("not")),
    "and": ("AndConstraintComponent", _logical("and")),
    "or": ("OrConstraintComponent", _logical("or")),
    "xone": ("XoneConstraintComponent", _logical("xone")),
}


def value_checks(ctx: Context, shape: Node, v: str, node_level: bool) -> list[tuple[str, str]]:
    """(component, violation expression) for every value-level constraint of `shape`."""
    found = []
    params = dict(VALUE_COMPONENTS)
    if node_level:
        params["hasValue"] = ("HasValueConstraintComponent", _has_value)
    for name, (component, build) in params.items():
        for obj in ordered(ctx.shapes.objects(shape, sh(name))):
            found.append((component, build(ctx, shape, obj, v)))
    return found


def conforms(ctx: Context, shape: Node, v: str) -> str:
    """An expression that is true when the node in `v` conforms to `shape`."""
    if is_true(ctx.shapes, shape, "deactivated"):
        return "true"
    if shape in ctx.stack:
        raise Unsupported(f"the recursive shape {shape}")
    outer, ctx.stack = ctx.stack, (*ctx.stack, shape)
    try:
        path = ctx.shapes.value(shape, sh("path"))
        if path is not None:
            parts = _property_conforms(ctx, shape, path, v)
        else:
            check_known(ctx, shape, {SH + n for n in (*VALUE_COMPONENTS, "hasValue", "closed")})
            parts = [f"!({expr})" for _, expr in value_checks(ctx, shape, v, node_level=True)]
            parts += [_closed_conforms(ctx, shape, v)] if is_true(ctx.shapes, shape, "closed") else []
            for member in ordered(ctx.shapes.objects(shape, sh("property"))):
                parts.append(conforms(ctx, member, v))
    finally:
        ctx.stack = outer
    return " && ".join(f"({p})" for p in parts) or "true"


NESTED_PROPERTY = {SH + n for n in (*VALUE_COMPONENTS, "minCount", "maxCount", "hasValue", "uniqueLang")}


def _property_conforms(ctx: Context, shape: Node, path: Node, focus: str) -> list[str]:
    check_known(ctx, shape, NESTED_PROPERTY)
    sparql_path = path_sparql(ctx.shapes, path)
    value = ctx.fresh()
    parts = []
    violations = [expr for _, expr in value_checks(ctx, shape, value, node_level=False)]
    if violations:
        parts.append(f"NOT EXISTS {{ {focus} {sparql_path} {value} FILTER({' || '.join(violations)}) }}")
    for member in ordered(ctx.shapes.objects(shape, sh("property"))):
        inner = ctx.fresh()
        parts.append(
            f"NOT EXISTS {{ {focus} {sparql_path} {inner} FILTER(!({conforms(ctx, member, inner)})) }}"
        )
    for obj in ctx.shapes.objects(shape, sh("minCount")):
        if number(obj) > 0:
            parts.append(f"EXISTS {{ {distinct_values(ctx, focus, sparql_path, number(obj))} }}")
    for obj in ctx.shapes.objects(shape, sh("maxCount")):
        parts.append(f"NOT EXISTS {{ {distinct_values(ctx, focus, sparql_path, number(obj) + 1)} }}")
    for obj in ctx.shapes.objects(shape, sh("hasValue")):
        parts.append(f"EXISTS {{ {focus} {sparql_path} {term(obj)} }}")
    if is_true(ctx.shapes, shape, "uniqueLang"):
        a, b = ctx.fresh(), ctx.fresh()
        parts.append(
            f"NOT EXISTS {{ {focus} {sparql_path} {a} . {focus} {sparql_path} {b} . "
            f'FILTER(!sameTerm({a}, {b}) && isLiteral({a}) && LANG({a}) != "" && LANG({a}) = LANG({b})) }}'
        )
    return parts


def distinct_values(ctx: Context, focus: str, path: str, count: int) -> str:
    """A pattern that matches when `focus` has at least `count` distinct values on `path`."""
    if count > 4:
        raise Unsupported("a nested count above 4")
    names = [ctx.fresh() for _ in range(count)]
    triples = " . ".join(f"{focus} {path} {n}" for n in names)
    pairs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
    return triples + (f" . FILTER({' && '.join(pairs)})" if pairs else "")


def closed_allowed(ctx: Context, shape: Node) -> list[str]:
    """The predicates a closed shape allows: its properties' IRI paths and sh:ignoredProperties."""
    allowed = set()
    for member in ctx.shapes.objects(shape, sh("property")):
        path = ctx.shapes.value(member, sh("path"))
        if isinstance(path, URIRef):
            allowed.add(term(path))
    for ignored in ctx.shapes.objects(shape, sh("ignoredProperties")):
        allowed |= {term(node) for node in rdf_list(ctx.shapes, ignored)}
    return sorted(allowed)


def _closed_conforms(ctx: Context, shape: Node, v: str) -> str:
    p, o = ctx.fresh("p"), ctx.fresh()
    allowed = closed_allowed(ctx, shape)
    test = f"FILTER({p} NOT IN ({', '.join(allowed)}))" if allowed else ""
    return f"NOT EXISTS {{ {v} {p} {o} {test} }}"
