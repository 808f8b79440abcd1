"""Building the immutable model of `model.py` from indexed RML mapping files.

Every problem raises `MappingError` naming the file, the triples map and what
is wrong, with a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import MappingError
from ..namespaces import RML
from ..rdf import BNode, Literal, Node, URIRef
from .index import MappingIndex
from .logical_sources import logical_source
from .model import (
    Constant,
    JoinCondition,
    MappingDocument,
    PredicateObjectMap,
    Rebase,
    RefObjectMap,
    TemplatePart,
    TemplateSyntaxError,
    TermKind,
    TermMap,
    TermType,
    TriplesMap,
    parse_template,
)
from .records import check_jsonpath
from .terms import is_absolute_iri, is_language_tag

_TERM_TYPES: dict[str, TermType] = {
    RML + "IRI": "iri",
    RML + "URI": "uri",
    RML + "UnsafeIRI": "unsafe",
    RML + "BlankNode": "blank",
    RML + "Literal": "literal",
}
_TYPE_NAMES = {term_type: "rml:" + iri[len(RML) :] for iri, term_type in _TERM_TYPES.items()}
_IRI_TYPES: frozenset[TermType] = frozenset({"iri", "uri", "unsafe"})
_ALLOWED: dict[str, frozenset[TermType]] = {
    "subject": _IRI_TYPES | {"blank"},
    "predicate": _IRI_TYPES,
    "graph": _IRI_TYPES,
    "datatype": _IRI_TYPES,
    "language": frozenset({"literal"}),
    "object": _IRI_TYPES | {"blank", "literal"},
    "join": _IRI_TYPES | {"blank", "literal"},
}
_ANY_KIND = frozenset({"iri", "blank", "literal"})
_CONSTANT_KINDS: dict[str, frozenset[str]] = {
    "subject": frozenset({"iri", "blank"}),
    "predicate": frozenset({"iri"}),
    "graph": frozenset({"iri"}),
    "datatype": frozenset({"iri"}),
    "language": frozenset({"literal"}),
    "object": _ANY_KIND,
    "join": _ANY_KIND,
}


def load_mappings(paths: list[Path] | tuple[Path, ...], rebase: Rebase | None = None) -> MappingDocument:
    """Parse RML mapping files into a `MappingDocument`; see the package docstring. With `rebase`,
    IRI templates and IRI constants written under `rebase.written` are generated under `rebase.actual`."""
    if not paths:
        raise MappingError("no mapping files given", hint="pass at least one RML mapping file (Turtle)")
    files = tuple(Path(p).resolve() for p in paths)
    return _Loader(files, rebase).document()


@dataclass(frozen=True)
class _LiteralParts:
    datatype: str | None = None
    datatype_map: TermMap | None = None
    language: str | None = None
    language_map: TermMap | None = None

    @property
    def any(self) -> bool:
        return any(
            v is not None for v in (self.datatype, self.datatype_map, self.language, self.language_map)
        )


class _Loader(MappingIndex):
    """Builds the model; `where` strings name file and triples map in every error."""

    def __init__(self, files: tuple[Path, ...], rebase: Rebase | None = None) -> None:
        super().__init__(files)
        self.tm_nodes = set(self.origin)
        self.rebase = rebase or Rebase("", "")

    def document(self) -> MappingDocument:
        # Every file must define a triples map: an emptied file would otherwise just map nothing,
        # and the build fail later with shape results far from the cause.
        with_maps = set(self.origin.values())
        for file in self.files:
            if file not in with_maps:
                empty = file.stat().st_size == 0
                raise MappingError(
                    f"{file}: {'the mapping file is empty' if empty else 'no triples map found'}",
                    hint="declare `<#Name> a rml:TriplesMap` with rml:logicalSource and rml:subjectMap, "
                    "or restore the file (or delete it if its table is gone)",
                )
        built = {node: self._triples_map(node) for node in self.tm_nodes}
        tms = tuple(sorted(built.values(), key=lambda tm: (tm.name.startswith("_:"), tm.name, repr(tm))))
        by_name = {tm.name: tm for tm in tms}
        for tm in tms:
            _check_ref_sources(tm, by_name)
            _check_references(tm, by_name)
        return MappingDocument(files=self.files, triples_maps=tms)

    def _triples_map(self, node: Node) -> TriplesMap:
        file = self.origin[node]
        label = self.label(node, file)
        where = f"{file}: triples map {label}"
        subject, classes, graphs = self._subject(node, where)
        poms = [self._pom(pom, where) for pom in self.values(node, "predicateObjectMap")]
        return TriplesMap(
            name=self.node_name(node),
            label=label,
            file=file,
            source=logical_source(self, node, where, file.parent),
            subject=subject,
            classes=classes,
            subject_graphs=graphs,
            predicate_object_maps=tuple(sorted(poms, key=repr)),
            base_iri=self._base_iri(node, where),
        )

    def _base_iri(self, node: Node, where: str) -> str | None:
        base = self.one(node, "baseIRI", where)
        if base is None:
            return None
        if not is_absolute_iri(str(base)):
            raise MappingError(f"{where}: rml:baseIRI {base} is not an absolute IRI", hint="fix rml:baseIRI")
        return str(base)

    def _subject(self, node: Node, where: str) -> tuple[TermMap, tuple[str, ...], tuple[TermMap, ...]]:
        maps, shortcuts = self.values(node, "subjectMap"), self.values(node, "subject")
        if not maps and not shortcuts:
            raise MappingError(
                f"{where} has no rml:subjectMap",
                hint='add rml:subjectMap [ rml:template "https://example.org/{id}" ]',
            )
        if len(maps) + len(shortcuts) > 1:
            raise MappingError(f"{where} has more than one subject map", hint="keep exactly one")
        if shortcuts:
            return self._constant_map(shortcuts[0], "subject", where, None), (), ()
        subject_map = maps[0]
        classes = self.values(subject_map, "class")
        for cls in classes:
            if not isinstance(cls, URIRef):
                raise MappingError(f"{where}: rml:class {cls!r} is not an IRI", hint="use a class IRI")
        subject = self._term_map(subject_map, "subject", where)
        return subject, tuple(sorted(map(str, classes))), self._graphs(subject_map, where)

    def _graphs(self, node: Node, where: str) -> tuple[TermMap, ...]:
        graphs = [self._constant_map(g, "graph", where, None) for g in self.values(node, "graph")]
        graphs += [self._term_map(g, "graph", where) for g in self.values(node, "graphMap")]
        return tuple(sorted(graphs, key=repr))

    def _pom(self, node: Node, where: str) -> PredicateObjectMap:
        predicates = [self._constant_map(p, "predicate", where, None) for p in self.values(node, "predicate")]
        predicates += [self._term_map(p, "predicate", where) for p in self.values(node, "predicateMap")]
        objects = [self._constant_map(o, "object", where, None) for o in self.values(node, "object")]
        refs: list[RefObjectMap] = []
        for om in self.values(node, "objectMap"):
            if self.values(om, "parentTriplesMap"):
                refs.append(self._ref_object_map(om, where))
            else:
                objects.append(self._term_map(om, "object", where))
        if not predicates:
            raise MappingError(f"{where}: a predicate-object map has no rml:predicate", hint="add one")
        if not objects and not refs:
            raise MappingError(f"{where}: a predicate-object map has no rml:object(Map)", hint="add one")
        return PredicateObjectMap(
            predicates=tuple(sorted(predicates, key=repr)),
            objects=tuple(sorted(objects, key=repr)),
            ref_objects=tuple(sorted(refs, key=repr)),
            graphs=self._graphs(node, where),
        )

    def _ref_object_map(self, node: Node, where: str) -> RefObjectMap:
        parent = self.one(node, "parentTriplesMap", where)
        if parent is None or parent not in self.tm_nodes:
            raise MappingError(
                f"{where}: rml:parentTriplesMap {parent} does not point to a triples map",
                hint="name a triples map defined in the mapping files",
            )
        joins = []
        for condition in self.values(node, "joinCondition"):
            child = self._join_expression(condition, "child", where)
            joins.append(JoinCondition(child=child, parent=self._join_expression(condition, "parent", where)))
        return RefObjectMap(parent=self.node_name(parent), joins=tuple(sorted(joins, key=repr)))

    def _join_expression(self, condition: Node, side: str, where: str) -> TermMap:
        reference = self.text(condition, side, where)
        if reference is not None:
            return TermMap(kind="reference", term_type="literal", reference=reference)
        expression = self.one(condition, side + "Map", where)
        if expression is None:
            raise MappingError(f"{where}: a join condition has no rml:{side}", hint=f"add rml:{side}")
        return self._term_map(expression, "join", where)

    def _term_type(self, node: Node, role: str, where: str) -> TermType | None:
        value = self.one(node, "termType", where)
        if value is None:
            return None
        term_type = _TERM_TYPES.get(str(value))
        if term_type is None:
            raise MappingError(
                f"{where}: unknown rml:termType {value}", hint="use rml:IRI, BlankNode or Literal"
            )
        if term_type not in _ALLOWED[role]:
            raise MappingError(
                f"{where}: a {role} map cannot have rml:termType {value}",
                hint=f"use one of {', '.join(sorted(_TYPE_NAMES[t] for t in _ALLOWED[role]))}",
            )
        return term_type

    def _term_map(self, node: Node, role: str, where: str) -> TermMap:
        if isinstance(node, Literal):
            raise MappingError(f"{where}: a {role} map must be a node, not {node!r}", hint="use [ ... ]")
        explicit = self._term_type(node, role, where)
        constants = self.values(node, "constant")
        references = [self.text(node, "reference", where)] if self.values(node, "reference") else []
        templates = [self.text(node, "template", where)] if self.values(node, "template") else []
        if len(constants) + len(references) + len(templates) > 1:
            raise MappingError(
                f"{where}: a {role} map has more than one of rml:constant, rml:reference, rml:template",
                hint="keep exactly one",
            )
        if constants:
            return self._constant_map(constants[0], role, where, explicit)
        if not references and not templates:
            if explicit == "blank" and role in ("subject", "object"):
                return TermMap(kind="blank", term_type="blank")
            raise MappingError(
                f"{where}: a {role} map has no rml:constant, rml:reference or rml:template",
                hint="add one of them",
            )
        return self._expression_map(node, role, where, explicit, references, templates)

    def _expression_map(
        self,
        node: Node,
        role: str,
        where: str,
        explicit: TermType | None,
        references: list[str | None],
        templates: list[str | None],
    ) -> TermMap:
        parts = self._literal_parts(node, where) if role == "object" else _LiteralParts()
        if explicit is None:
            is_literal = role in ("language", "join") or (
                role == "object" and (bool(references) or parts.any)
            )
            explicit = "literal" if is_literal else "iri"
        if explicit != "literal" and parts.any:
            raise MappingError(f"{where}: only literals can have a datatype or language", hint="remove them")
        template: tuple[TemplatePart, ...] = ()
        if templates:
            try:
                text = templates[0] or ""
                template = parse_template(self.rebase.apply(text) if explicit in _IRI_TYPES else text)
            except TemplateSyntaxError as exc:
                raise MappingError(
                    f"{where}: {exc}",
                    hint='write a literal brace as \\{ in the template, i.e. "\\\\{" in a Turtle string',
                ) from exc
        kind: TermKind = "reference" if references else "template"
        return TermMap(
            kind=kind,
            term_type=explicit,
            reference=references[0] if references else None,
            template=template,
            datatype=parts.datatype,
            datatype_map=parts.datatype_map,
            language=parts.language,
            language_map=parts.language_map,
        )

    def _literal_parts(self, node: Node, where: str) -> _LiteralParts:
        datatype = self.one(node, "datatype", where)
        if datatype is not None and not isinstance(datatype, URIRef):
            raise MappingError(f"{where}: rml:datatype {datatype!r} is not an IRI", hint="use e.g. xsd:date")
        language = self.text(node, "language", where)
        if language is not None and not is_language_tag(language):
            raise MappingError(
                f"{where}: rml:language {language!r} is not a valid BCP 47 tag", hint="use e.g. en"
            )
        datatype_node = self.one(node, "datatypeMap", where)
        language_node = self.one(node, "languageMap", where)
        parts = _LiteralParts(
            datatype=None if datatype is None else str(datatype),
            datatype_map=None if datatype_node is None else self._term_map(datatype_node, "datatype", where),
            language=language,
            language_map=None if language_node is None else self._term_map(language_node, "language", where),
        )
        has_datatype = parts.datatype is not None or parts.datatype_map is not None
        if has_datatype and (parts.language is not None or parts.language_map is not None):
            raise MappingError(f"{where}: a literal has both a datatype and a language", hint="keep one")
        return parts

    def _constant_map(self, value: Node, role: str, where: str, explicit: TermType | None) -> TermMap:
        term_type: TermType
        if isinstance(value, URIRef):
            constant, term_type = Constant(kind="iri", value=self.rebase.apply(str(value))), "iri"
        elif isinstance(value, BNode):
            constant, term_type = Constant(kind="blank", value=str(value)), "blank"
        elif isinstance(value, Literal):
            if role == "language" and not is_language_tag(str(value)):
                raise MappingError(
                    f"{where}: language {str(value)!r} is not a BCP 47 tag", hint="use e.g. en"
                )
            datatype = None if value.datatype is None else str(value.datatype)
            constant = Constant(kind="literal", value=str(value), datatype=datatype, language=value.language)
            term_type = "literal"
        else:
            raise MappingError(f"{where}: unsupported rml:constant {value!r}", hint="use an IRI or a literal")
        if explicit is not None and not (
            explicit == term_type or (term_type == "iri" and explicit in _IRI_TYPES)
        ):
            raise MappingError(
                f"{where}: rml:constant {value} is not of rml:termType {explicit}",
                hint="make the constant's kind (IRI, blank node, literal) match rml:termType",
            )
        if constant.kind not in _CONSTANT_KINDS[role]:
            raise MappingError(
                f"{where}: a {role} map cannot have the constant {value}",
                hint=f"use a constant that is a(n) {' or '.join(sorted(_CONSTANT_KINDS[role]))}",
            )
        return TermMap(kind="constant", term_type=term_type, constant=constant)


def _check_ref_sources(tm: TriplesMap, by_name: dict[str, TriplesMap]) -> None:
    for pom in tm.predicate_object_maps:
        for ref in pom.ref_objects:
            if not ref.joins and by_name[ref.parent].source != tm.source:
                raise MappingError(
                    f"{tm.where}: rml:parentTriplesMap {by_name[ref.parent].label} reads another logical"
                    " source, so the referencing object map needs an rml:joinCondition",
                    hint='add rml:joinCondition [ rml:child "..."; rml:parent "..." ]',
                )


def _check_references(tm: TriplesMap, by_name: dict[str, TriplesMap]) -> None:
    """Every JSONPath reference must parse; found here rather than at the first record."""
    own: list[TermMap] = [tm.subject, *tm.subject_graphs]
    for pom in tm.predicate_object_maps:
        own += [*pom.predicates, *pom.objects, *pom.graphs]
        for ref in pom.ref_objects:
            own += [j.child for j in ref.joins]
            _check_jsonpaths(by_name[ref.parent], [j.parent for j in ref.joins])
    _check_jsonpaths(tm, own)


def _check_jsonpaths(tm: TriplesMap, maps: list[TermMap]) -> None:
    if tm.source.formulation != "jsonpath":
        return
    for reference in (r for m in maps for r in m.references()):
        problem = check_jsonpath(reference)
        if problem:
            raise MappingError(
                f"{tm.where}: reference {reference!r} is not a valid JSONPath: {problem}",
                hint="write e.g. $.name or $['a key with spaces']",
            )
