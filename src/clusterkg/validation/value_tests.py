"""The value-level constraints of a compiled check as a test of one value's N-Triples text.

A test says whether a value surely conforms to every constraint of its check; anything it cannot
decide (an escape, a lexical form Oxigraph might read otherwise, a regex beyond a plain subset,
sh:xone, nested property shapes...) raises `Undecidable` when compiled, or fails the value, which
leaves the judgement to the check's query.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable

from ..namespaces import RDF, RDFS, SH, XSD
from ..rdf import Graph, Node, URIRef
from . import expressions as ex
from .checks import Check

Types = Callable[[str, str], bool]  # (value, class IRI term) -> has that class
Test = Callable[[str, Types], bool]  # (value as N-Triples, class lookup) -> surely conforms

STRING, LANG_STRING = f"<{XSD}string>", f"<{RDF}langString>"
LEXICAL = {  # lexical forms Oxigraph surely reads as a value of the type (a cast succeeds)
    "integer": re.compile(r"[+-]?[0-9]{1,18}"),
    "decimal": re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,15})?"),
    "boolean": re.compile(r"true|false|1|0"),
    "gYear": re.compile(r"[0-9]{4}"),
}
# Regexes whose meaning is the same in Python and XPath: literal characters, plain classes (\s only
# negated), anchors, groups, alternation and quantifiers; no flags, no (? constructs.
_LITERAL = r"[A-Za-z0-9 @/:_,=&%#'!~<>\"-]|\\[.+()/\-?*\[\]{}|^$]"
_CLASS_ITEM = r"[A-Za-z0-9 @/:._,+()=&%#-]|\\[.\-+()/\[\]]"
SAFE_REGEX = re.compile(
    rf"(?:{_LITERAL}|[\^$.*+?|()]|\{{[0-9]+(?:,[0-9]*)?\}}|\[(?:{_CLASS_ITEM})+\]|\[\^(?:{_CLASS_ITEM}|\\s)+\])*"
)


class Undecidable(Exception):
    """A constraint (or a line) the screen does not judge: its check is left to the query."""


def one_predicate(shapes: Graph, check: Check, nodes: dict[str, Node]) -> tuple[Node, URIRef]:
    """The shape of a check and its path, which must be one predicate for the screen to judge it."""
    shape = nodes.get(check.shape)
    path = shapes.value(shape, ex.sh("path")) if shape is not None else None
    if shape is None or not isinstance(path, URIRef):
        raise Undecidable("not a one-predicate path")
    return shape, path


def value_test(shapes: Graph, check: Check, nodes: dict[str, Node]) -> tuple[str, Test, bool]:
    """(predicate term, test of one value, whether it needs classes) of a screenable check."""
    if check.kind != "values":
        raise Undecidable("not a value-level check")
    shape, path = one_predicate(shapes, check, nodes)
    # The check's flags are exactly the shape's value-level constraints (its counts, pairs and
    # nested property shapes are checks of their own).
    return f"<{path}>", *_all_of(
        shapes, shape, [(n, shapes.objects(shape, ex.sh(n))) for n in ex.VALUE_COMPONENTS]
    )


def _all_of(shapes: Graph, shape: Node, params: list[tuple[str, Iterable[Node]]]) -> tuple[Test, bool]:
    """The constraints of `shape` named in `params` as one test: all must hold."""
    tests: list[Test] = []
    needs_types = False
    for name, objects in params:
        for obj in objects:
            test, typed = _component(shapes, shape, name, obj)
            tests.append(test)
            needs_types |= typed
    return (lambda v, has: all(t(v, has) for t in tests)), needs_types


def _component(shapes: Graph, shape: Node, name: str, obj: Node) -> tuple[Test, bool]:
    if name == "nodeKind":
        return _node_kind(obj), False
    if name == "datatype":
        return _datatype(obj), False
    if name == "pattern" and shapes.value(shape, ex.sh("flags")) is None:
        return _pattern(str(obj)), False
    if name == "in":
        return _in(ex.rdf_list(shapes, obj)), False
    if name == "languageIn":
        return _language_in([str(t) for t in ex.rdf_list(shapes, obj)]), False
    if name == "class" and isinstance(obj, URIRef):
        cls = f"<{obj}>"
        return (lambda v, has: not v.startswith('"') and has(v, cls)), True
    if name in ("node", "and", "or"):
        members = [obj] if name == "node" else ex.rdf_list(shapes, obj)
        parts = [_member(shapes, m) for m in members]
        tests = [t for t, _ in parts]
        typed = any(typed for _, typed in parts)
        if name == "or":
            return (lambda v, has: any(t(v, has) for t in tests)), typed
        return (lambda v, has: all(t(v, has) for t in tests)), typed
    raise Undecidable(f"sh:{name}")


# What a nested node shape may say besides value-level constraints (nothing that is checked).
NOT_CHECKED = {SH + n for n in ("message", "severity", "name", "description", "order", "group")}


def _member(shapes: Graph, member: Node) -> tuple[Test, bool]:
    """A nested node shape with value-level constraints only (no path, properties, closed...)."""
    if ex.is_true(shapes, member, "deactivated"):
        return (lambda v, has: True), False
    params: dict[str, list[Node]] = {}
    for predicate, obj in shapes.predicate_objects(member):
        name = str(predicate)
        if name.startswith(SH) and name not in NOT_CHECKED:
            if name[len(SH) :] not in ex.VALUE_COMPONENTS:
                raise Undecidable(f"sh:{name[len(SH) :]} in a nested shape")
            params.setdefault(name[len(SH) :], []).append(obj)
    return _all_of(shapes, member, list(params.items()))


def _node_kind(kind: Node) -> Test:
    allowed = {
        "IRI": "<",
        "BlankNode": "_",
        "Literal": '"',
        "BlankNodeOrIRI": "_<",
        "BlankNodeOrLiteral": '_"',
        "IRIOrLiteral": '<"',
    }.get(str(kind).removeprefix(SH))
    if allowed is None:
        raise Undecidable(f"sh:nodeKind {kind}")
    return lambda v, has: v[:1] in allowed


_UNCLEAN = re.compile(r"[\x00-\x1f\\\\]")  # escapes and control characters


def _literal(value: str) -> tuple[str | None, str] | None:
    """(lexical form, datatype term) of a literal, the form None when it holds an escape (not
    unescaped here); None for an IRI or blank node."""
    if not value.startswith('"'):
        return None
    end = value.rfind('"')
    lexical = value[1:end]
    suffix = value[end + 1 :]
    return None if _UNCLEAN.search(lexical) else lexical, (
        STRING if not suffix else LANG_STRING if suffix.startswith("@") else suffix[2:]
    )


def _datatype(datatype: Node) -> Test:
    term = f"<{datatype}>"
    local = str(datatype).removeprefix(XSD)
    if str(datatype) == RDFS + "Literal":
        return lambda v, has: v.startswith('"')
    if str(datatype) in ex.CASTABLE and local not in LEXICAL and local != "date":
        raise Undecidable(f"the lexical forms of {datatype}")
    if str(datatype).startswith(XSD) and local in ex.INTEGER_RANGES:
        raise Undecidable(f"the range of {datatype}")
    lexical_ok = LEXICAL.get(local, _date if local == "date" else None)

    def test(v: str, has: Types) -> bool:
        literal = _literal(v)
        if literal is None or literal[1] != term:
            return False
        return lexical_ok is None or (literal[0] is not None and bool(lexical_ok.fullmatch(literal[0])))

    return test


class _DateForm:
    """yyyy-mm-dd naming a real day (Oxigraph refuses 2023-02-30)."""

    SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def fullmatch(self, text: str) -> bool:
        if not self.SHAPE.fullmatch(text):
            return False
        try:
            return datetime.date.fromisoformat(text).year >= 1
        except ValueError:
            return False


_date = _DateForm()


def _pattern(regex: str) -> Test:
    if "(?" in regex or not SAFE_REGEX.fullmatch(regex):
        raise Undecidable(f"the regex {regex!r}")
    compiled = re.compile(regex)

    def test(v: str, has: Types) -> bool:
        if v.startswith("<"):
            text = v[1:-1]
            return "\\" not in text and bool(compiled.search(text))
        literal = _literal(v)  # typed literals may be stored in another lexical form: not judged
        if literal is None or literal[0] is None or literal[1] not in (STRING, LANG_STRING):
            return False
        return bool(compiled.search(literal[0]))

    return test


def _in(members: list[Node]) -> Test:
    if not all(isinstance(m, URIRef) for m in members):
        raise Undecidable("sh:in with literals")
    allowed = {f"<{m}>" for m in members}
    return lambda v, has: v in allowed


def _language_in(ranges: list[str]) -> Test:
    if any(r == "*" or not r for r in ranges):
        raise Undecidable("a language range *")
    lowered = [r.lower() for r in ranges]

    def test(v: str, has: Types) -> bool:
        quote = v.rfind('"')
        if not v.startswith('"') or not v.startswith("@", quote + 1):
            return False
        tag = v[quote + 2 :].lower()
        return any(tag == r or tag.startswith(r + "-") for r in lowered)

    return test
