"""A screen of the compiled checks over the mapped N-Quads, run while the store loads.

A check of a property shape whose path is one predicate can only report focus nodes that have
(or, for sh:minCount, lack) triples with that predicate. The screen reads every line once and
keeps, for each such check, what could break it:

- a value-level check: the values its test (see value_tests) cannot vouch for;
- a count check (sh:minCount 1, sh:maxCount): the focus nodes with no such line, or with more
  lines than allowed (lines are an upper bound on distinct values).

A check with nothing in doubt is cleared: its query is not run. A check with a few doubts runs
its own query narrowed to them (`VALUES ?value` or `VALUES ?this` joined before its focus nodes),
which returns the same results as the whole query; any other check runs in full. The screen
never reports a result itself, so the results are always the queries' own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..namespaces import RDF, RDFS
from ..rdf import Graph, Node
from .checks import Check, TargetSpec, narrowed
from .compiled import CompiledShapes, Verdicts, compile_shapes
from .value_tests import Test, Undecidable, one_predicate, value_test

TYPE, SUBCLASS = f"<{RDF}type>", f"<{RDFS}subClassOf>"
DOUBTS = 1000  # beyond this many doubts the whole query is cheaper than a VALUES block this long
PASSED = 5000  # values remembered as passed, per check: the recurring ones come early
FOCUS_TARGETS = ("targetClass", "targetSubjectsOf", "targetNode")


@dataclass(frozen=True)
class Screen:
    """The compiled shapes, the screen's verdicts on their checks, and its seconds."""

    compiled: CompiledShapes
    verdicts: Verdicts
    seconds: float

    @property
    def cleared(self) -> int:
        return sum(1 for v in self.verdicts.values() if v is None)

    @property
    def narrowed(self) -> int:
        return len(self.verdicts) - self.cleared


def screen_nquads(shapes: Graph, nquads: Path) -> Screen:
    """Compile the shapes and screen their checks over an N-Quads file (see the module)."""
    start = time.perf_counter()
    compiled = compile_shapes(shapes)
    with open(nquads, encoding="utf-8") as lines:
        verdicts = screen_lines(compiled.checks, shapes, lines)
    return Screen(compiled, verdicts, time.perf_counter() - start)


@dataclass
class _Values:
    """A value-level check: its predicate, its test, and the values in doubt."""

    predicate: str
    test: Test
    needs_types: bool
    pending: set[str] = field(default_factory=set)  # values whose test waits for every type
    doubtful: set[str] = field(default_factory=set)
    passed: set[str] = field(default_factory=set)  # a value that recurs (a code, a country) is tested once
    given_up: bool = False

    def see(self, value: str) -> None:
        if self.needs_types:
            self.pending.add(value)
        elif value in self.passed:
            return
        elif self.test(value, _no_types):
            if len(self.passed) < PASSED:
                self.passed.add(value)
        else:
            self.given_up |= len(self.doubtful) >= DOUBTS or not _nameable(value)
            self.doubtful.add(value)


@dataclass(frozen=True)
class _Count:
    """A count check: its predicate, its bounds and its focus nodes' targets."""

    predicate: str
    needs_one: bool  # sh:minCount 1
    high: int | None  # sh:maxCount
    targets: frozenset[TargetSpec]


def screen_lines(checks: list[Check], shapes: Graph, lines: Iterable[str]) -> Verdicts:
    """The verdicts on the `checks` the screen can judge over the N-Quads `lines` (see the module)."""
    values: dict[int, _Values] = {}
    counts: dict[int, _Count] = {}
    nodes = {str(n): n for n in shapes.subjects()}
    for i, check in enumerate(checks):
        try:
            if check.kind == "values":
                values[i] = _Values(*value_test(shapes, check, nodes))
            elif check.kind == "counts":
                counts[i] = _count_of(shapes, check, nodes)
        except Undecidable:
            continue
    if not values and not counts:
        return {}
    reader = _Reader(list(values.values()), list(counts.values()))
    try:
        reader.read(lines)
    except Undecidable:
        return {}
    classes = _Classes(reader.types, reader.supers)
    found = {i: _value_verdict(checks[i], v, classes) for i, v in values.items()}
    if not reader.unclean:
        focus: tuple[frozenset[TargetSpec], set[str]] = (frozenset(), set())
        for i, c in sorted(counts.items(), key=lambda item: sorted(item[1].targets)):
            if focus[0] != c.targets:  # checks sharing targets come together: their focus once
                focus = (c.targets, _focus(c.targets, reader, classes))
            found[i] = _count_verdict(checks[i], c, reader, focus[1])
    return {i: v for i, v in found.items() if not isinstance(v, _Undecided)}


def _count_of(shapes: Graph, check: Check, nodes: dict[str, Node]) -> _Count:
    _, path = one_predicate(shapes, check, nodes)
    low, high = check.bounds
    if low not in (None, 0, 1):
        raise Undecidable("sh:minCount above 1")  # lines give no lower bound on distinct values
    if not check.targets or any(k not in FOCUS_TARGETS or t[:1] != "<" for k, t in check.targets):
        raise Undecidable("focus nodes the screen does not list")
    return _Count(f"<{path}>", low == 1, high, check.targets)


class _Reader:
    """One pass over the lines: values for the value checks, subjects per predicate for the
    counts and targets, rdf:type and rdfs:subClassOf for classes."""

    def __init__(self, values: list[_Values], counts: list[_Count]) -> None:
        self.waiting: dict[str, list[_Values]] = {}
        for v in values:
            self.waiting.setdefault(v.predicate, []).append(v)
        tracked = {c.predicate for c in counts} | {
            t for c in counts for kind, t in c.targets if kind == "targetSubjectsOf"
        }
        # Which tracked predicates each subject has, one bit each: one int per subject rather than
        # a set of subjects per predicate (a tenth of the memory at 10M triples).
        self.bits = {p: 1 << i for i, p in enumerate(sorted(tracked))}
        self.masks: dict[str, int] = {}
        self.extra: dict[str, dict[str, int]] = {c.predicate: {} for c in counts if c.high is not None}
        self.types: dict[str, list[str]] = {}
        self.supers: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}  # one string per term, shared by every set
        self.unclean = False  # an escape in a subject or class: terms may not compare as text

    def read(self, lines: Iterable[str]) -> None:
        for line in lines:
            if "\t" in line or line.startswith("#") or line.count(" ") < 3:
                if not line.strip():
                    continue
                raise Undecidable("a line that is not single-spaced N-Quads")
            s, p, rest = line.split(" ", 2)
            waiting = self.waiting.get(p)
            if not waiting and p not in self.bits and p != TYPE and p != SUBCLASS:
                continue  # most lines: nothing to keep
            o = _object(s, p, rest)
            if p in self.bits:
                self._count(self.names.setdefault(s, s), p)
            if p in (TYPE, SUBCLASS):
                self._class(s, p, o)
            for v in list(waiting or ()):
                v.see(o)
                if v.given_up:
                    waiting.remove(v)  # type: ignore[union-attr]  # the query decides

    def _count(self, s: str, p: str) -> None:
        self.unclean |= "\\" in s
        bit, mask = self.bits[p], self.masks.get(s, 0)
        if not mask & bit:
            self.masks[s] = mask | bit
        elif (more := self.extra.get(p)) is not None:
            more[s] = more.get(s, 1) + 1

    def subjects(self, predicate: str) -> set[str]:
        """The subjects of a tracked predicate."""
        bit = self.bits[predicate]
        return {s for s, mask in self.masks.items() if mask & bit}

    def has(self, node: str, predicate: str) -> bool:
        return bool(self.masks.get(node, 0) & self.bits[predicate])

    def _class(self, s: str, p: str, o: str) -> None:
        self.unclean |= "\\" in s or "\\" in o
        o = self.names.setdefault(o, o)
        if p == TYPE:
            self.types.setdefault(self.names.setdefault(s, s), []).append(o)
        else:
            self.supers.setdefault(s, []).append(o)


class _Classes:
    """Classes as the data states them: subclasses (rdfs:subClassOf*) and instances."""

    def __init__(self, types: dict[str, list[str]], supers: dict[str, list[str]]) -> None:
        self.types = types
        self.subs: dict[str, set[str]] = {}
        for sub, parents in supers.items():
            for parent in parents:
                self.subs.setdefault(parent, set()).add(sub)
        self.closures: dict[str, set[str]] = {}
        self.members: dict[str, list[str]] | None = None

    def subclasses(self, cls: str) -> set[str]:
        """`cls` and everything below it."""
        if cls not in self.closures:
            found, todo = {cls}, [cls]
            while todo:
                for sub in self.subs.get(todo.pop(), ()):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self.closures[cls] = found
        return self.closures[cls]

    def has(self, value: str, cls: str) -> bool:
        return not self.subclasses(cls).isdisjoint(self.types.get(value, ()))

    def instances(self, cls: str) -> set[str]:
        """The nodes typed `cls` or a subclass (`?x rdf:type/rdfs:subClassOf* cls`)."""
        if self.members is None:
            self.members = {}
            for node, types in self.types.items():
                for t in types:
                    self.members.setdefault(t, []).append(node)
        return {n for sub in self.subclasses(cls) for n in self.members.get(sub, ())}


class _Undecided:
    """A verdict not given: the check runs in full."""


UNDECIDED = _Undecided()


def _value_verdict(check: Check, v: _Values, classes: _Classes) -> Check | _Undecided | None:
    if v.given_up:
        return UNDECIDED
    doubts = v.doubtful | {x for x in v.pending if not v.test(x, classes.has)}
    return _verdict(check, doubts, lambda terms: f"VALUES ?value {{ {terms} }} ?this {v.predicate} ?value .")


def _focus(targets: frozenset[TargetSpec], reader: _Reader, classes: _Classes) -> set[str]:
    """The focus nodes of a count check's targets."""
    focus: set[str] = set()
    for kind, term in targets:
        if kind == "targetClass":
            focus |= classes.instances(term)
        elif kind == "targetSubjectsOf":
            focus |= reader.subjects(term)
        else:
            focus.add(term)
    return focus


def _count_verdict(check: Check, c: _Count, reader: _Reader, focus: set[str]) -> Check | _Undecided | None:
    doubts = {n for n in focus if not reader.has(n, c.predicate)} if c.needs_one else set()
    if c.high == 0:
        doubts |= {n for n in focus if reader.has(n, c.predicate)}
    elif c.high is not None:  # `extra` holds the nodes with two lines or more
        doubts |= {s for s, n in reader.extra[c.predicate].items() if n > c.high and s in focus}
    return _verdict(check, doubts, lambda terms: f"VALUES ?this {{ {terms} }}")


def _verdict(check: Check, doubts: set[str], pattern: Callable[[str], str]) -> Check | _Undecided | None:
    """Cleared without doubts; narrowed to a few that a VALUES block can name; else undecided."""
    if not doubts:
        return None
    if len(doubts) > DOUBTS or not all(_nameable(d) for d in doubts) or check.focus_at < 0:
        return UNDECIDED
    return narrowed(check, pattern(" ".join(sorted(doubts))))


def _nameable(term: str) -> bool:
    """Whether a term's N-Triples text means the same in a SPARQL VALUES block: no blank node
    (VALUES cannot hold one), no escape in an IRI, no \\u escape (SPARQL reads those first)."""
    if term.startswith("<"):
        return "\\" not in term
    return term.startswith('"') and "\\u" not in term and "\\U" not in term


def _no_types(value: str, cls: str) -> bool:
    raise AssertionError("a test without sh:class looked up a class")


def _object(s: str, p: str, rest: str) -> str:
    """The object of a line split at its first two spaces, as the mapping writes lines."""
    try:
        if rest.startswith('"'):
            end = rest.rfind('"') + 1  # no IRI, tag or graph name can hold a quote
            if rest.startswith("^^<", end):
                end = rest.index(">", end) + 1
            elif rest.startswith("@", end):
                end = rest.index(" ", end)
        else:
            end = rest.index(" ")
    except ValueError:
        raise Undecidable("a line that is not single-spaced N-Quads") from None
    tail = rest[end:].rstrip()
    if not (
        s[:1] in "<_"
        and p.startswith("<")
        and (tail == " ." or (tail.startswith(" <") and tail.endswith("> .")))
    ):
        raise Undecidable("a line that is not single-spaced N-Quads")
    return rest[:end]
