"""Running a mapping: records in, N-Quads lines out, one record at a time.

Each triples map is compiled once into closures (`terms.compile_term`); the
per-record loop only calls them and concatenates strings. A referencing object
map with join conditions indexes its parent's records once (key -> subjects).
Each quad is emitted once, however many records or triples maps produce it
(RDF is a set; a dump with repeated lines misleads counts and diffs). The run
keeps a 16-byte digest of every line, not the line: about 90 bytes per quad.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import MappingError
from ..namespaces import RDF
from .model import MappingDocument, PredicateObjectMap, RefObjectMap, TermMap, TriplesMap
from .records import Accessor, RecordReader, iterate_records
from .terms import TermContext, TermFn, compile_term, compile_values, iri_term, is_absolute_iri, lexical

GraphFn = Callable[[Any], list[str]]  # record -> line endings: " <graph> .\n" or " .\n"
ParentIndex = dict[tuple[str, ...], list[str]]

_DEFAULT_END = " .\n"
_DEFAULT_ENDS = [_DEFAULT_END]


@dataclass
class _Join:
    """The objects of a referencing object map with join conditions."""

    child_keys: list[Accessor]
    parent_index: Callable[[], ParentIndex]
    _index: ParentIndex | None = field(default=None, init=False)

    def objects(self, record: object) -> list[str]:
        if self._index is None:
            self._index = self.parent_index()
        lists = [[lexical(v) for v in key(record)] for key in self.child_keys]
        found: list[str] = []
        for key_values in itertools.product(*lists):
            found.extend(self._index.get(key_values, ()))
        return found


@dataclass
class _CompiledPom:
    predicates: list[TermFn]
    objects: list[TermFn]
    joins: list[_Join]
    graphs: list[GraphFn]


@dataclass
class _CompiledTriplesMap:
    subject: TermFn
    graphs: list[GraphFn]
    class_endings: list[str]  # " <rdf:type> <Class>"
    poms: list[_CompiledPom]


def generate_quads(
    mapping: MappingDocument, *, base_iri: str, read_records: RecordReader | None = None
) -> Iterator[str]:
    """N-Quads lines (each ending in a newline) for all triples maps, streaming record by record."""
    if not is_absolute_iri(base_iri):
        raise MappingError(
            f"base IRI {base_iri!r} is not an absolute IRI", hint="use e.g. https://example.org/"
        )
    run = _Run(mapping, base_iri, read_records)
    seen: set[bytes] = set()
    for tm in mapping.triples_maps:
        for line in run.triples_map_quads(tm):
            digest = hashlib.blake2b(line.encode(), digest_size=16).digest()
            if digest not in seen:
                seen.add(digest)
                yield line


class _Run:
    """State shared by the triples maps of one run: blank node counter, parent indexes."""

    def __init__(self, mapping: MappingDocument, base_iri: str, read_records: RecordReader | None) -> None:
        self.mapping, self.base_iri, self.read_records = mapping, base_iri, read_records
        self.fresh = itertools.count(1)
        self.indexes: dict[tuple[str, tuple[TermMap, ...]], ParentIndex] = {}

    def context(self, tm: TriplesMap) -> TermContext:
        return TermContext(
            source=tm.source, base=tm.base_iri or self.base_iri, where=tm.where, fresh=self.fresh
        )

    def triples_map_quads(self, tm: TriplesMap) -> Iterator[str]:
        compiled = self.compile(tm)
        for record in iterate_records(tm.source, self.read_records, tm.where):
            yield from _record_lines(compiled, record)

    def compile(self, tm: TriplesMap) -> _CompiledTriplesMap:
        ctx = self.context(tm)
        rdf_type = iri_term(RDF + "type", "", tm.where)
        return _CompiledTriplesMap(
            subject=compile_term(tm.subject, ctx),
            graphs=[_graph_fn(g, ctx) for g in tm.subject_graphs],
            class_endings=[f" {rdf_type} {iri_term(c, '', tm.where)}" for c in tm.classes],
            poms=[self._compile_pom(pom, tm, ctx) for pom in tm.predicate_object_maps],
        )

    def _compile_pom(self, pom: PredicateObjectMap, tm: TriplesMap, ctx: TermContext) -> _CompiledPom:
        objects = [compile_term(o, ctx) for o in pom.objects]
        joins = []
        for ref in pom.ref_objects:
            parent = self.mapping.triples_map(ref.parent)
            if not ref.joins:
                objects.append(compile_term(parent.subject, self.context(parent)))
            else:
                joins.append(self._compile_join(ref, parent, ctx))
        return _CompiledPom(
            predicates=[compile_term(p, ctx) for p in pom.predicates],
            objects=objects,
            joins=joins,
            graphs=[_graph_fn(g, ctx) for g in pom.graphs],
        )

    def _compile_join(self, ref: RefObjectMap, parent: TriplesMap, ctx: TermContext) -> _Join:
        child_keys = [compile_values(j.child, ctx) for j in ref.joins]
        parent_exprs = tuple(j.parent for j in ref.joins)
        return _Join(child_keys=child_keys, parent_index=lambda: self._parent_index(parent, parent_exprs))

    def _parent_index(self, parent: TriplesMap, exprs: tuple[TermMap, ...]) -> ParentIndex:
        cache_key = (parent.name, exprs)
        if cache_key not in self.indexes:
            ctx = self.context(parent)
            subject = compile_term(parent.subject, ctx)
            keys = [compile_values(e, ctx) for e in exprs]
            index: dict[tuple[str, ...], dict[str, None]] = {}
            for record in iterate_records(parent.source, self.read_records, parent.where):
                subjects = subject(record)
                if subjects:
                    lists = [[lexical(v) for v in key(record)] for key in keys]
                    for key_values in itertools.product(*lists):
                        index.setdefault(key_values, {}).update(dict.fromkeys(subjects))
            self.indexes[cache_key] = {k: list(v) for k, v in index.items()}
        return self.indexes[cache_key]


def _graph_fn(tm: TermMap, ctx: TermContext) -> GraphFn:
    if tm.is_default_graph:
        return lambda record: _DEFAULT_ENDS
    terms = compile_term(tm, ctx)
    return lambda record: [" " + g + _DEFAULT_END for g in terms(record)]


def _record_lines(tm: _CompiledTriplesMap, record: object) -> list[str]:
    subjects = tm.subject(record)
    if not subjects:
        return []
    explicit = [end for fn in tm.graphs for end in fn(record)] if tm.graphs else []
    subject_ends = explicit or _DEFAULT_ENDS
    lines: list[str] = []
    for s in subjects:
        for po in tm.class_endings:
            for end in subject_ends:
                lines.append(s + po + end)
    for pom in tm.poms:
        _pom_lines(pom, record, subjects, explicit, subject_ends, lines)
    return lines


def _pom_lines(
    pom: _CompiledPom,
    record: object,
    subjects: list[str],
    explicit: list[str],
    subject_ends: list[str],
    lines: list[str],
) -> None:
    predicates = pom.predicates[0](record) if len(pom.predicates) == 1 else _all(pom.predicates, record)
    if not predicates:
        return
    objects = pom.objects[0](record) if len(pom.objects) == 1 else _all(pom.objects, record)
    if pom.joins:
        objects = objects + [o for join in pom.joins for o in join.objects(record)]
    if not objects:
        return
    ends = subject_ends
    if pom.graphs:
        ends = list(dict.fromkeys(explicit + _all(pom.graphs, record))) or _DEFAULT_ENDS
    for s in subjects:
        for p in predicates:
            prefix = s + " " + p + " "
            for o in objects:
                for end in ends:
                    lines.append(prefix + o + end)


def _all(fns: list[TermFn], record: object) -> list[str]:
    return [term for fn in fns for term in fn(record)]
