"""The SHACL gate: the one module that imports pyshacl.

Data is validated in partitions so memory stays bounded at scale: every
subject's triples land in one partition (chosen by a hash of the subject), and
each partition also gets the rdf:type triples of the objects it points to and
the ontology, so sh:class checks still see their targets' types.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyshacl

from ..errors import RdfSyntaxError
from ..namespaces import CKG, OWL, RDF, SH
from ..rdf import Graph, Literal, Node, URIRef, parse_dataset_text, parse_graphs, rdflib
from .compiled import CompiledShapes, Select, compile_shapes, validate_with_queries
from .details import add_details
from .expressions import result_path
from .report import ValidationReport, ValidationResult
from .report_rdf import node_of, nt_term, severity_name, skolemise
from .screen import Screen, screen_lines, screen_nquads
from .shapes_check import ShapesFile, check_coverage, check_shapes, read_shapes

__all__ = [
    "CompiledShapes",
    "Screen",
    "Select",
    "ValidationReport",
    "ValidationResult",
    "check_coverage",
    "check_shapes",
    "compile_shapes",
    "load_shapes",
    "record_checked",
    "screen_lines",
    "screen_nquads",
    "split_shapes",
    "unchecked_shapes",
    "validate_files",
    "validate_graph",
    "validate_nquads",
    "validate_profile",
    "validate_store",
    "validate_with_queries",
]

_TYPE = f"<{RDF}type>"


def load_shapes(shapes_dir: Path, ontology_dir: Path | None = None, *, check: bool = True) -> Graph:
    """Parse every Turtle file in `shapes_dir` and check the shapes before use.

    A file that does not parse is an RdfSyntaxError; a shape that is not valid SHACL (SHACL-SHACL,
    regexes, counts) or an ontology class no shape targets is a ShapesError. The ontology is read
    from `ontology_dir`, by default the project's ontology/ next to `shapes_dir` (skipped if absent).
    With `check=False` only the parse: the caller has the checks run elsewhere (`unchecked_shapes`).
    """
    paths = _shape_paths(shapes_dir)
    shapes, files = read_shapes(paths)
    if check:
        _check_once(shapes, files, paths, shapes_dir, _ontology_dir(shapes_dir, ontology_dir))
    return skolemise(shapes)  # blank-node shapes get stable names, so reports are reproducible


def _check_once(
    shapes: Graph, files: list[ShapesFile], paths: list[Path], shapes_dir: Path, ontology_dir: Path
) -> None:
    """The checks of `load_shapes`; they take about a second, so the same files need them once."""
    ontology_files = _ontology_files(ontology_dir)
    key = _digest([*paths, *ontology_files])
    if key not in _CHECKED:
        check_shapes(shapes, files)
        if ontology_files:
            check_coverage(shapes, parse_graphs(ontology_files), shapes_dir, ontology_dir)
        _CHECKED.add(key)


def unchecked_shapes(shapes_dir: Path, ontology_dir: Path | None = None) -> str | None:
    """The digest of the shapes and ontology files when they have not passed `load_shapes`' checks
    in this process (None when they have): a process that has them checked elsewhere, while it
    maps, passes it to `record_checked` once they pass."""
    ontology_files = _ontology_files(_ontology_dir(shapes_dir, ontology_dir))
    key = _digest([*_shape_paths(shapes_dir), *ontology_files])
    return None if key in _CHECKED else key


def record_checked(key: str) -> None:
    """The files of `key` (from `unchecked_shapes`) passed the checks in another process."""
    _CHECKED.add(key)


_CHECKED: set[str] = set()  # digests of shapes + ontology files that passed the checks


def _shape_paths(shapes_dir: Path) -> list[Path]:
    paths = sorted(shapes_dir.glob("*.ttl"))
    if not paths:
        raise RdfSyntaxError(f"no shapes (*.ttl) in {shapes_dir}", hint="add SHACL shapes to shapes/")
    return paths


def _ontology_dir(shapes_dir: Path, ontology_dir: Path | None) -> Path:
    return shapes_dir.parent / "ontology" if ontology_dir is None else ontology_dir


def _ontology_files(ontology_dir: Path) -> list[Path]:
    return sorted(ontology_dir.glob("*.ttl")) if ontology_dir.is_dir() else []


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{path}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def validate_files(files: Iterable[Path], shapes: Graph, extra: Iterable[Path] = ()) -> ValidationReport:
    """Validate RDF files (any release format, gzip too) against the shapes, graphs merged so
    references across files resolve. `extra` files (the ontology) are read alongside unless the
    files bring the clusterkg ontology themselves (a release dump holds the one it was built with). With
    several files each result names the file its focus node is described in."""
    files = list(files)
    data = Graph()
    owners: dict[Node, str] = {}
    for path in files:
        part = parse_graphs([path])
        for subject in part.subjects():
            owners.setdefault(subject, str(path))
        data += part
    if (URIRef(CKG.rstrip("#")), URIRef(RDF + "type"), URIRef(OWL + "Ontology")) not in data:
        parse_graphs(list(extra), data)
    report = validate_graph(data, shapes)
    if len(files) > 1:
        report.results = [_with_file(r, owners) for r in report.results]
    return report


def _with_file(result: ValidationResult, owners: dict[Node, str]) -> ValidationResult:
    focus = node_of(result.focus_term, result.focus)
    details = tuple(_with_file(d, owners) for d in result.details)
    return dataclasses.replace(result, data_file=owners.get(focus, ""), details=details)


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate one in-memory graph."""
    report = ValidationReport(triples=len(data), shapes=shapes)
    _run_pyshacl(data, shapes, report)
    return report


def validate_nquads(nquads: Path, shapes: Graph, ontology: Graph, batch_triples: int) -> ValidationReport:
    """Validate an N-Quads file (graph names ignored) in partitions of about `batch_triples`.

    Shapes with SPARQL constraints look across nodes; they run once, over only the triples whose
    predicates their queries mention. Every other shape runs partition by partition.
    """
    lines = _count_lines(nquads)
    partitions = max(1, -(-lines // max(batch_triples, 1)))
    report = ValidationReport(triples=lines)
    local, whole, predicates = split_shapes(shapes)
    with tempfile.TemporaryDirectory(prefix="clusterkg-validate-") as tmp:
        parts, types = _partition(nquads, Path(tmp), partitions)
        unowned: dict[ValidationResult, None] = {}
        for part in parts:
            data, own = _partition_graph(part, types, ontology)
            found = ValidationReport(triples=0)
            _run_pyshacl(data, local, found)
            report.shapes = found.shapes
            report.results += [r for r in found.results if r.focus in own]
            unowned.update((r, None) for r in found.results if r.focus not in own)
        report.results += _never_subjects(list(unowned), parts)
    if predicates:
        _run_pyshacl(_projection(nquads, predicates), whole, report)
    report.results.sort(key=_order)
    return report


def _never_subjects(results: list[ValidationResult], parts: list[Path]) -> list[ValidationResult]:
    """The results about a node no partition holds as a subject (e.g. a country IRI that is only
    ever an object): every partition that points to it judged it alike, so each counts once. A node
    that is a subject is judged in its own partition only; a blank node there only."""
    homes = {_home(r.focus_term, len(parts)) for r in results if r.focus_term.startswith("<")}
    subjects = {home: _subjects(parts[home]) for home in homes}

    def never_a_subject(term: str) -> bool:
        if term.startswith('"'):
            return True  # a literal
        return term.startswith("<") and term not in subjects[_home(term, len(parts))]

    return [r for r in results if never_a_subject(r.focus_term)]


def _home(subject: str, partitions: int) -> int:
    """The partition of a subject (its N-Quads form), by hash."""
    return int.from_bytes(hashlib.blake2b(subject.encode(), digest_size=4).digest()) % partitions


def _subjects(part: Path) -> set[str]:
    with open(part, encoding="utf-8") as f:
        return {line.split(" ", 1)[0] for line in f if line.strip()}


def validate_store(
    select: Select,
    shapes: Graph,
    nquads: Path,
    ontology: Graph,
    batch_triples: int,
    triples: int,
    screen: Screen | None = None,
) -> ValidationReport:
    """Validate a built store through `select` with the compiled shapes; the shapes the compiler
    cannot express (none of ours) are validated by pySHACL from the N-Quads, the others left out.
    With a `screen` of the same shapes over `nquads`, the checks it cleared are not run and those
    it narrowed run narrowed."""
    compiled = screen.compiled if screen is not None else compile_shapes(shapes)
    verdicts = screen.verdicts if screen is not None else None
    report = validate_with_queries(compiled, select, triples=triples, verdicts=verdicts)
    report.shapes = shapes
    add_details(report, shapes, select)  # why each failed sh:node failed, as pySHACL nests it
    if compiled.unsupported:
        rest = _deactivate(shapes, set(_top_shapes(shapes)) - set(compiled.unsupported_nodes))
        report.results += validate_nquads(nquads, rest, ontology, batch_triples).results
    return report


def _top_shapes(shapes: Graph) -> set[Node]:
    sh = rdflib.Namespace(SH)
    targets = (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf)
    return {s for p in targets for s in shapes.subjects(p, None)}


def split_shapes(shapes: Graph) -> tuple[Graph, Graph, set[str]]:
    """(per-node shapes, whole-graph shapes, predicates the whole-graph queries use).

    Each returned graph is the full shapes graph with the other kind marked sh:deactivated.
    """
    sh = rdflib.Namespace(SH)
    targets = (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf)
    top = {s for p in targets for s in shapes.subjects(p, None)}
    whole = {s for s in top if (s, sh.sparql, None) in shapes}
    predicates: set[str] = set()
    for shape in whole:
        for constraint in shapes.objects(shape, sh.sparql):
            predicates |= _query_predicates(shapes, constraint)
    return _deactivate(shapes, whole), _deactivate(shapes, top - whole), predicates


def _deactivate(shapes: Graph, nodes: set[Node]) -> Graph:
    copy = Graph()
    copy += shapes
    for node in nodes:
        copy.set((node, URIRef(SH + "deactivated"), Literal(True)))
    return copy


def _query_predicates(shapes: Graph, constraint: Node) -> set[str]:
    """IRIs a SPARQL constraint's query names, expanding its declared prefixes."""
    sh = rdflib.Namespace(SH)
    text = str(shapes.value(constraint, sh.select) or "")
    prefixes = {
        str(shapes.value(d, sh.prefix)): str(shapes.value(d, sh.namespace))
        for owner in shapes.objects(constraint, sh.prefixes)
        for d in shapes.objects(owner, sh.declare)
    }
    found = {iri for iri in re.findall(r"<([^<>\s]+)>", text)}
    for prefix, local in re.findall(r"\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", text):
        if prefix in prefixes:
            found.add(prefixes[prefix] + local)
    return found | {RDF + "type"}


def _projection(nquads: Path, predicates: set[str]) -> Graph:
    """The triples of `nquads` whose predicate is one of `predicates`."""
    wanted = {f"<{p}>" for p in predicates}
    with open(nquads, encoding="utf-8") as f:
        text = "".join(line for line in f if line.strip() and line.split(" ", 2)[1] in wanted)
    graph = Graph()
    _add_quads(graph, text)
    return graph


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def _partition(nquads: Path, folder: Path, partitions: int) -> tuple[list[Path], dict[str, list[str]]]:
    """Split by subject hash; collect every subject's rdf:type lines for the object lookups."""
    paths = [folder / f"part-{i}.nq" for i in range(partitions)]
    outs = [open(p, "w", encoding="utf-8") for p in paths]  # noqa: SIM115 - closed below
    types: dict[str, list[str]] = {}
    try:
        with open(nquads, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                subject, predicate, _ = line.split(" ", 2)
                if predicate == _TYPE:
                    types.setdefault(subject, []).append(line)
                outs[_home(subject, partitions)].write(line)
    finally:
        for out in outs:
            out.close()
    return paths, types


def _partition_graph(part: Path, types: dict[str, list[str]], ontology: Graph) -> tuple[Graph, set[str]]:
    """The partition's triples, the ontology and its objects' types; and the partition's own subjects."""
    data = Graph()
    data += ontology
    _add_quads(data, part.read_text(encoding="utf-8"))
    own = {str(s) for s in data.subjects()} - {str(s) for s in ontology.subjects()}
    objects = {str(o) for o in data.objects() if isinstance(o, URIRef)}
    _add_quads(data, "".join(t for iri in objects for t in types.get(f"<{iri}>", ())))
    return data, own


def _add_quads(graph: Graph, text: str) -> None:
    """Add the triples of N-Quads text to `graph`, dropping graph names."""
    if text:
        for s, p, o, _ in parse_dataset_text(text).quads((None, None, None, None)):
            graph.add((s, p, o))


def _run_pyshacl(
    data: Graph, shapes: Graph, report: ValidationReport, focus_filter: set[str] | None = None
) -> None:
    """Validate and add the results; with `focus_filter`, keep only results about those nodes
    (a partition also holds other nodes' types, which must not be judged there)."""
    report.shapes = shapes if report.shapes is None else report.shapes
    results = _results(_pyshacl_report(data, shapes), data)
    if focus_filter is not None:
        results = [r for r in results if r.focus in focus_filter]
    report.results.extend(results)


def _pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    """pySHACL's report (never following owl:imports: validation fetches nothing)."""
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, do_owl_imports=False
    )
    assert isinstance(results_graph, Graph)
    return results_graph


def pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    """pySHACL's own report graph for `data` (the reference the project's report is tested against)."""
    return _pyshacl_report(data, shapes)


def _results(results: Graph, data: Graph) -> list[ValidationResult]:
    """The top-level results (objects of sh:result), each with its sh:detail results nested."""
    top = results.objects(None, URIRef(SH + "result"))
    found = [_result(results, node, data) for node in top]
    return sorted(found, key=_order)


def _order(r: ValidationResult) -> tuple[str, ...]:
    """A total order (pySHACL's graph has none), so the same data gives the same report."""
    return (r.source_file, r.source_record, r.focus, r.path, r.message, r.component, r.value_term, r.shape)


def _result(results: Graph, node: Node, data: Graph) -> ValidationResult:
    sh = rdflib.Namespace(SH)
    focus = results.value(node, sh.focusNode)
    value = results.value(node, sh.value)
    severity = results.value(node, sh.resultSeverity)
    details = sorted(
        (_result(results, d, data) for d in results.objects(node, sh.detail)),
        key=_order,
    )
    return ValidationResult(
        severity=severity_name(severity),
        focus=_text(focus),
        path=result_path(results, results.value(node, sh.resultPath)),
        message=_text(results.value(node, sh.resultMessage)),
        value=_text(value),
        shape=_text(results.value(node, sh.sourceShape)),
        source_file=_text(data.value(focus, URIRef(CKG + "sourceFile"))),
        source_record=_text(data.value(focus, URIRef(CKG + "sourceRecord"))),
        component=_text(results.value(node, sh.sourceConstraintComponent)).rsplit("#", 1)[-1],
        focus_term=nt_term(focus) if focus is not None else "",
        value_term=nt_term(value) if value is not None else "",
        details=tuple(details),
    )


def _text(node: object) -> str:
    return "" if node is None else str(node)


def validate_profile(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate against an outside profile's shapes (e.g. DCAT-AP), keeping only top-level results.

    The sh:detail results that explain a failed sh:node are left out, so each result is one
    finding as the profile's own validators count them.
    """
    report = ValidationReport(triples=len(data), shapes=shapes)
    found = _results(_pyshacl_report(data, shapes), data)
    report.results = sorted(
        (dataclasses.replace(r, details=()) for r in found), key=lambda r: (r.focus, r.path, r.message)
    )
    return report
