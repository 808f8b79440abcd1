"""The immutable model of an RML mapping, independent of any RDF library.

`loader.py` builds it from Turtle; `engine.py` compiles it into closures.
All IRIs are plain strings; legacy rr:/rml:/ql: terms are already normalised
to the RML-Core namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..namespaces import RML

TermKind = Literal["constant", "reference", "template", "blank"]
TermType = Literal["iri", "uri", "unsafe", "blank", "literal"]
ConstantKind = Literal["iri", "blank", "literal"]
RefFormulation = Literal["csv", "jsonpath"]

DEFAULT_GRAPH = RML + "defaultGraph"

# A parsed template: (is_reference, text) pairs; escapes already resolved.
TemplatePart = tuple[bool, str]


class TemplateSyntaxError(ValueError):
    """An rml:template string is malformed (the loader names file and triples map)."""


@dataclass(frozen=True)
class Rebase:
    """Generate IRIs the mappings write under `written` under `actual` instead, except those under a
    `fixed` namespace (vocabularies that share the written base). Mapping files write absolute IRIs,
    the one form every RML engine reads; this lets a deployment's base IRI still govern the output."""

    written: str
    actual: str
    fixed: tuple[str, ...] = ()

    def apply(self, text: str) -> str:
        """`text` (an IRI or the text of a template) with its written base replaced."""
        if self.written == self.actual or not text.startswith(self.written) or text.startswith(self.fixed):
            return text
        return self.actual + text[len(self.written) :]


@dataclass(frozen=True)
class Constant:
    """The RDF term of an rml:constant."""

    kind: ConstantKind
    value: str
    datatype: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class TermMap:
    """A subject, predicate, object, graph, datatype, language or join expression map.

    Exactly one of `constant`, `reference`, `template` is set unless `kind` is
    "blank" (a blank node subject without expression: a fresh node per record).
    """

    kind: TermKind
    term_type: TermType
    constant: Constant | None = None
    reference: str | None = None
    template: tuple[TemplatePart, ...] = ()
    datatype: str | None = None
    datatype_map: TermMap | None = None
    language: str | None = None
    language_map: TermMap | None = None

    def references(self) -> list[str]:
        """Every reference this map (and its datatype and language maps) evaluates."""
        found = [self.reference] if self.reference is not None else []
        found += [text for is_ref, text in self.template if is_ref]
        for nested in (self.datatype_map, self.language_map):
            found += nested.references() if nested is not None else []
        return found

    @property
    def is_default_graph(self) -> bool:
        return self.constant is not None and self.constant.value == DEFAULT_GRAPH


@dataclass(frozen=True)
class LogicalSource:
    """Where records come from and how references address them."""

    path: Path
    formulation: RefFormulation
    formulation_iri: str
    iterator: str | None = None
    nulls: frozenset[str] = frozenset()
    encoding: str = "utf-8-sig"
    compression: str | None = None


@dataclass(frozen=True)
class JoinCondition:
    """Child and parent expressions whose values must be equal."""

    child: TermMap
    parent: TermMap


@dataclass(frozen=True)
class RefObjectMap:
    """An object map whose objects are the subjects of another triples map."""

    parent: str
    joins: tuple[JoinCondition, ...] = ()


@dataclass(frozen=True)
class PredicateObjectMap:
    predicates: tuple[TermMap, ...]
    objects: tuple[TermMap, ...]
    ref_objects: tuple[RefObjectMap, ...]
    graphs: tuple[TermMap, ...]


@dataclass(frozen=True)
class TriplesMap:
    """One rml:TriplesMap; `name` is its IRI (or blank node id), `file` where it is defined."""

    name: str
    label: str
    file: Path
    source: LogicalSource
    subject: TermMap
    classes: tuple[str, ...]
    subject_graphs: tuple[TermMap, ...]
    predicate_object_maps: tuple[PredicateObjectMap, ...]
    base_iri: str | None = None

    @property
    def where(self) -> str:
        """How error messages name this triples map."""
        return f"{self.file}: triples map {self.label}"


@dataclass(frozen=True)
class MappingDocument:
    """All triples maps of a set of mapping files, in a stable order."""

    files: tuple[Path, ...]
    triples_maps: tuple[TriplesMap, ...]

    def triples_map(self, name: str) -> TriplesMap:
        for tm in self.triples_maps:
            if tm.name == name:
                return tm
        raise KeyError(name)


def parse_template(text: str) -> tuple[TemplatePart, ...]:
    """Split an rml:template into literal text and references.

    Backslash escapes `{`, `}` and `\\`; anything else after a backslash, a
    nested or unclosed brace, a stray `}` or an empty `{}` is an error.
    """
    parts: list[TemplatePart] = []
    buf: list[str] = []
    in_ref, i = False, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            buf.append(_escaped(text, i))
            i += 2
            continue
        if char == "{":
            if in_ref:
                raise TemplateSyntaxError(f"rml:template {text!r} has a '{{' inside a reference")
            if buf:
                parts.append((False, "".join(buf)))
            buf, in_ref = [], True
        elif char == "}":
            if not in_ref or not buf:
                problem = "an empty reference {}" if in_ref else "a '}' without an opening brace"
                raise TemplateSyntaxError(f"rml:template {text!r} has {problem}")
            parts.append((True, "".join(buf)))
            buf, in_ref = [], False
        else:
            buf.append(char)
        i += 1
    if in_ref:
        raise TemplateSyntaxError(f"rml:template {text!r} has an unclosed brace")
    return (*parts, (False, "".join(buf))) if buf else tuple(parts)


def _escaped(text: str, i: int) -> str:
    if i + 1 >= len(text) or text[i + 1] not in "{}\\":
        raise TemplateSyntaxError(f"rml:template {text!r} has a backslash not followed by {{, }} or \\")
    return text[i + 1]
