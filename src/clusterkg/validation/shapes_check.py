"""Checking the shapes graph before it is used: SHACL-SHACL, regexes, counts, ontology coverage.

A broken shape would otherwise surface as a traceback in the compiler or as hundreds of
"violations" blaming source records; here it is one `ShapesError` naming the shapes file,
the shape and what is wrong. The meta-shapes are SHACL-SHACL as pySHACL bundles it (what
`pyshacl --metashacl` uses; tests check the W3C copy gives the same verdicts).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl

from ..errors import ShapesError
from ..namespaces import CKG, OWL, PREFIXES, RDF, RDFS, SH
from ..rdf import BNode, Graph, Literal, Node, URIRef, parse_graphs, rdflib
from .compiled import IMPLICIT_CLASS, targeted_shapes

_FIRST, _REST, _NIL = URIRef(RDF + "first"), URIRef(RDF + "rest"), URIRef(RDF + "nil")
_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
# Lists whose members SHACL-SHACL checks by kind only; long ones are shortened for pySHACL,
# whose list checks grow with the square of the length (the 260 EU countries took ~5 s).
_MEMBER_KINDS = {"in": None, "languageIn": "string", "ignoredProperties": "iri"}
_KEEP = 3
_COUNTS = ("minCount", "maxCount", "minLength", "maxLength", "qualifiedMinCount", "qualifiedMaxCount")
_FLAGS = set("smixq")  # the flags of SPARQL REGEX (XPath); pySHACL ignores unknown ones
_PY_FLAGS = {"s": re.S, "m": re.M, "i": re.I, "x": re.X}
_EXPECTED = {
    "minCount": "a non-negative xsd:integer such as 1",
    "maxCount": "a non-negative xsd:integer such as 1",
    "minLength": "a non-negative xsd:integer",
    "maxLength": "a non-negative xsd:integer",
    "datatype": "one IRI such as xsd:string, not a literal",
    "class": "an IRI such as ckg:Cluster, not a literal",
    "nodeKind": "one of sh:IRI, sh:BlankNode, sh:Literal, sh:BlankNodeOrIRI, sh:IRIOrLiteral, ...",
    "in": "one well-formed RDF list such as ( ckg:A ckg:B )",
    "languageIn": 'one RDF list of language-tag strings such as ( "en" "de" )',
    "pattern": "one string (a regular expression)",
    "path": "exactly one IRI or SHACL property path",
}


@dataclass(frozen=True)
class ShapesFile:
    """One parsed shapes file; its graph tells which file a shape comes from."""

    path: Path
    graph: Graph


Problem = tuple[Node, str]  # (the shape, what is wrong with it)


def read_shapes(paths: list[Path]) -> tuple[Graph, list[ShapesFile]]:
    """The shapes graph of all `paths`, and each file's own graph (so messages can name the file)."""
    files = [ShapesFile(path, parse_graphs([path])) for path in paths]
    shapes = Graph()
    for file in files:
        shapes += file.graph
    for prefix, namespace in PREFIXES.items():  # messages name shapes as the project writes them
        shapes.bind(prefix, namespace, override=True, replace=True)
    return shapes, files


def check_shapes(shapes: Graph, files: list[ShapesFile], meta: Graph | None = None) -> None:
    """Raise ShapesError listing every shape that is not valid SHACL or would misfire."""
    problems = list(dict.fromkeys([*_meta_problems(shapes, meta), *_pattern_problems(shapes)]))
    problems += [p for p in _count_problems(shapes) if p not in problems]
    if not problems:
        return
    lines = [f"{_file_of(shapes, n, files)}: shape {label(shapes, n)}: {text}" for n, text in problems]
    shown = lines[:10] + ([f"... and {len(lines) - 10} more"] if len(lines) > 10 else [])
    message = lines[0] if len(lines) == 1 else f"{len(lines)} broken shapes:\n    " + "\n    ".join(shown)
    raise ShapesError(
        message,
        hint="fix the shape(s) named above so they are valid SHACL (https://www.w3.org/TR/shacl/); "
        "the data was not validated and the store was not changed",
    )


def check_coverage(shapes: Graph, ontology: Graph, shapes_dir: Path, ontology_dir: Path) -> None:
    """Every class of the project's ontology must be targeted by an active shape, itself or through a
    superclass (SHACL class targets follow rdfs:subClassOf, so a superclass's shape checks it too).

    A union class (owl:unionOf) is left out: it has no instances of its own, every one is an instance
    of a member class, and no mapping types a record with it.
    """
    targeted: set[Node] = set()
    for shape in targeted_shapes(shapes):
        if not _constrains(shapes, shape):
            continue  # targets alone (class-targets.ttl without the shapes they extend) check nothing
        targeted.update(shapes.objects(shape, URIRef(SH + "targetClass")))
        if any((shape, URIRef(RDF + "type"), cls) in shapes for cls in IMPLICIT_CLASS):
            targeted.add(shape)
    classes = {
        c
        for kind in (URIRef(OWL + "Class"), URIRef(RDFS + "Class"))
        for c in ontology.subjects(URIRef(RDF + "type"), kind)
        if isinstance(c, URIRef) and c.startswith(CKG) and (c, URIRef(OWL + "unionOf"), None) not in ontology
    }
    subclass_of = URIRef(RDFS + "subClassOf")
    uncovered = sorted(c for c in classes if not set(ontology.transitive_objects(c, subclass_of)) & targeted)
    if uncovered:
        names = ", ".join("ckg:" + c[len(CKG) :] for c in uncovered[:8])
        which = f"the class(es) {names}"
        if len(uncovered) > 8:  # an emptied shapes file leaves them all: name a few
            every = len(uncovered) == len(classes)
            which = f"{'any of the ' if every else ''}{len(uncovered)} classes ({names}, ...)"
        raise ShapesError(
            f"{shapes_dir}: no active shape targets {which} of the ontology in {ontology_dir}",
            hint="restore the shapes file(s), or add a sh:NodeShape with sh:targetClass for each class "
            "(a shape targeting a superclass covers its subclasses)",
        )


NOT_CONSTRAINTS = {
    URIRef(SH + name)
    for name in [
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "target",
        "deactivated",
        "message",
        "severity",
        "name",
        "description",
        "order",
        "group",
    ]
}


def _constrains(shapes: Graph, shape: Node) -> bool:
    """Whether the shape has a constraint (a property shape or a constraint parameter)."""
    return any(
        isinstance(p, URIRef) and p.startswith(SH) and p not in NOT_CONSTRAINTS
        for p in shapes.predicates(shape, None)
    )


# ---------------------------------------------------------------- SHACL-SHACL


@functools.cache
def shacl_shacl() -> Graph:
    """SHACL-SHACL as bundled with pySHACL."""
    source = importlib.resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    return Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")


def _meta_problems(shapes: Graph, meta: Graph | None) -> list[Problem]:
    _conforms, results, _text = pyshacl.validate(
        _shortened(shapes), shacl_graph=meta if meta is not None else shacl_shacl(), inference="none"
    )
    assert isinstance(results, Graph)
    sh = rdflib.Namespace(SH)
    problems = []
    for result in results.objects(None, sh.result):  # top-level only: sh:detail results repeat them
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        if focus is not None:
            problems.append((focus, _meta_text(shapes, path, value, results.value(result, sh.resultMessage))))
    return sorted(problems, key=lambda p: (str(p[0]), p[1]))


def _meta_text(shapes: Graph, path: Node | None, value: Node | None, message: Node | None) -> str:
    if not isinstance(path, URIRef) or not path.startswith(SH):
        return str(message or "is not valid SHACL")
    name = path[len(SH) :]
    shown = "" if value is None else " " + _node_text(shapes, value)
    expected = _EXPECTED.get(name)
    return f"sh:{name}{shown} is wrong: it must be {expected}" if expected else f"sh:{name}{shown}: {message}"


def _shortened(shapes: Graph) -> Graph:
    """A copy in which every long well-formed member list is cut to its first few cells."""
    copy = Graph()
    copy += shapes
    for name, kind in _MEMBER_KINDS.items():
        for head in set(shapes.objects(None, URIRef(SH + name))):
            cells = _good_cells(shapes, head, kind)
            if cells is not None and len(cells) > _KEEP:
                copy.set((cells[_KEEP - 1], _REST, _NIL))
                for cell in cells[_KEEP:]:
                    copy.remove((cell, None, None))
    return copy


def _good_cells(shapes: Graph, head: Node, kind: str | None) -> list[Node] | None:
    """The cells of a well-formed list whose members are all of `kind`; None otherwise (so the
    list goes to SHACL-SHACL whole, and its problems are reported)."""
    cells: dict[Node, None] = {}  # ordered, and a repeated cell (a cycle) is found at once
    node = head
    while node != _NIL:
        firsts, rests = list(shapes.objects(node, _FIRST)), list(shapes.objects(node, _REST))
        if len(firsts) != 1 or len(rests) != 1 or node in cells or not _member_ok(firsts[0], kind):
            return None
        cells[node] = None
        node = rests[0]
    return list(cells)


def _member_ok(member: Node, kind: str | None) -> bool:
    if kind == "string":
        return isinstance(member, Literal) and member.datatype in (None, _XSD_STRING) and not member.language
    return isinstance(member, URIRef) if kind == "iri" else True


# ---------------------------------------------------------------- what SHACL-SHACL does not check


def _pattern_problems(shapes: Graph) -> Iterator[Problem]:
    """Every sh:pattern must compile, in pySHACL (Python re) and in SPARQL REGEX (the compiled validator)."""
    for shape, pattern in sorted(shapes.subject_objects(URIRef(SH + "pattern"))):
        if not isinstance(pattern, Literal):
            continue  # SHACL-SHACL reports it
        flags = str(shapes.value(shape, URIRef(SH + "flags")) or "")
        why = _regex_problem(str(pattern), flags)
        if why:
            yield shape, f"sh:pattern {pattern.n3()} {why}"


def _regex_problem(pattern: str, flags: str) -> str | None:
    unknown = set(flags) - _FLAGS
    if unknown:
        return f"has sh:flags {flags!r} with unknown flag(s) {''.join(sorted(unknown))}: use s, m, i, x or q"
    py_flags = 0
    for flag in flags:
        py_flags |= _PY_FLAGS.get(flag, 0)
    try:
        re.compile(pattern, py_flags)
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    for token in re.findall(r"\\.|\(\?<?[=!]", pattern):
        if token.startswith("(?"):
            return "uses a look-around, which SPARQL (XPath) regular expressions do not have"
        if token[1] in "123456789":
            return "uses a back-reference, which the SPARQL engine (Oxigraph) does not support"
    return None


def _count_problems(shapes: Graph) -> Iterator[Problem]:
    """Negative counts and lengths (SHACL-SHACL only asks for an integer), and min above max."""
    for name in _COUNTS:
        for shape, value in sorted(shapes.subject_objects(URIRef(SH + name))):
            number = value.value if isinstance(value, Literal) else None
            if isinstance(number, int) and not isinstance(number, bool) and number < 0:
                yield shape, f"sh:{name} {number} is negative: it must be 0 or more"
    for low_name, high_name in (("minCount", "maxCount"), ("minLength", "maxLength")):
        for shape, low in sorted(shapes.subject_objects(URIRef(SH + low_name))):
            high = shapes.value(shape, URIRef(SH + high_name))
            lo, hi = _int(low), _int(high)
            if lo is not None and hi is not None and lo > hi >= 0:
                yield shape, f"sh:{low_name} {lo} is above sh:{high_name} {hi}: no value set can conform"


def _int(node: Node | None) -> int | None:
    value = node.value if isinstance(node, Literal) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ---------------------------------------------------------------- naming shapes


def label(shapes: Graph, node: Node, _seen: frozenset[Node] = frozenset()) -> str:
    """How messages name a shape: its prefixed IRI, or for a blank node where it sits."""
    if not isinstance(node, BNode):
        return _node_text(shapes, node)
    path = shapes.value(node, URIRef(SH + "path"))
    own = f"property {_node_text(shapes, path)}" if path is not None else "a blank-node shape"
    owner = _owner(shapes, node)
    if owner is None or owner in _seen:
        return own
    return f"{label(shapes, owner, _seen | {node})} > {own}"


def _owner(shapes: Graph, node: Node) -> Node | None:
    """The shape that holds a blank node: through a sh: property, or through a list it is in."""
    for subject, predicate in shapes.subject_predicates(node):
        if predicate == _FIRST:
            head, cells = subject, {subject}
            while (up := shapes.value(None, _REST, head)) is not None and up not in cells:
                head = up
                cells.add(up)
            return _owner(shapes, head) if head != node else None
        if str(predicate).startswith(SH):
            return subject
    return None


def _node_text(shapes: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return str(shapes.namespace_manager.normalizeUri(node))
        except ValueError:
            return f"<{node}>"
    if isinstance(node, Literal):
        return str(node.n3(shapes.namespace_manager))
    return "[ ... ]"


def _file_of(shapes: Graph, node: Node, files: list[ShapesFile]) -> str:
    """The file that defines a shape (or the shape holding it)."""
    seen: set[Node] = set()
    current: Node | None = node
    while current is not None and current not in seen:
        for file in files:
            if (current, None, None) in file.graph:
                return str(file.path)
        seen.add(current)
        current = _owner(shapes, current)
    return ", ".join(str(f.path) for f in files)
