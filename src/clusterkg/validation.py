"""The SHACL gate: the one module that imports pyshacl.

Data is validated in partitions so memory stays bounded at scale: every
subject's triples land in one partition (chosen by a hash of the subject), and
each partition also gets the rdf:type triples of the objects it points to and
the ontology, so sh:class checks still see their targets' types.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl

from .errors import RdfSyntaxError
from .namespaces import CKG, RDF, SH
from .rdf import Graph, URIRef, parse_dataset_text, parse_graphs, rdflib

_TYPE = f"<{RDF}type>"


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the source record the focus node came from."""

    severity: str
    focus: str
    path: str
    message: str
    value: str
    shape: str
    source_file: str = ""
    source_record: str = ""


@dataclass
class ValidationReport:
    """All results of one validation run; conforms when no result is a violation."""

    triples: int
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph, repr=False)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def to_text(self) -> str:
        head = "Conforms" if self.conforms else "Does not conform"
        lines = [f"{head}: {len(self.results)} result(s) over {self.triples} triples."]
        for r in self.results:
            where = f"{r.source_file} record {r.source_record}" if r.source_file else "no source record"
            lines.append(f"- {r.severity}: {r.message}")
            lines.append(f"    focus: {r.focus}  ({where})")
            lines.append(f"    path: {r.path or '-'}  value: {r.value or '-'}  shape: {r.shape}")
        return "\n".join(lines)

    def to_json(self) -> str:
        body = {
            "conforms": self.conforms,
            "triples": self.triples,
            "results": [asdict(r) for r in self.results],
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        return {"text": self.to_text, "json": self.to_json, "turtle": self.to_turtle}[fmt]()


def load_shapes(shapes_dir: Path) -> Graph:
    """Parse every Turtle file in `shapes_dir`; a file that does not parse is an input error."""
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise RdfSyntaxError(f"no shapes (*.ttl) in {shapes_dir}", hint="add SHACL shapes to shapes/")
    return parse_graphs(files)


def validate_files(files: Iterable[Path], shapes: Graph, extra: Iterable[Path] = ()) -> ValidationReport:
    """Validate any RDF files (graphs merged) against the shapes."""
    data = parse_graphs([*files, *extra])
    return validate_graph(data, shapes)


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate one in-memory graph."""
    report = ValidationReport(triples=len(data))
    _run_pyshacl(data, shapes, report)
    return report


def validate_nquads(nquads: Path, shapes: Graph, ontology: Graph, batch_triples: int) -> ValidationReport:
    """Validate an N-Quads file (graph names ignored) in partitions of about `batch_triples`."""
    lines = _count_lines(nquads)
    partitions = max(1, -(-lines // max(batch_triples, 1)))
    report = ValidationReport(triples=lines)
    with tempfile.TemporaryDirectory(prefix="clusterkg-validate-") as tmp:
        parts, types = _partition(nquads, Path(tmp), partitions)
        for part in parts:
            data = _partition_graph(part, types, ontology)
            _run_pyshacl(data, shapes, report)
    return report


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
                digest = hashlib.blake2b(subject.encode(), digest_size=4).digest()
                outs[int.from_bytes(digest) % partitions].write(line)
    finally:
        for out in outs:
            out.close()
    return paths, types


def _partition_graph(part: Path, types: dict[str, list[str]], ontology: Graph) -> Graph:
    data = Graph()
    for triple in ontology:
        data.add(triple)
    _add_quads(data, part.read_text(encoding="utf-8"))
    objects = {str(o) for o in data.objects() if isinstance(o, URIRef)}
    _add_quads(data, "".join(t for iri in objects for t in types.get(f"<{iri}>", ())))
    return data


def _add_quads(graph: Graph, text: str) -> None:
    """Add the triples of N-Quads text to `graph`, dropping graph names."""
    if text:
        for s, p, o, _ in parse_dataset_text(text).quads((None, None, None, None)):
            graph.add((s, p, o))


def _run_pyshacl(data: Graph, shapes: Graph, report: ValidationReport) -> None:
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results_graph, Graph)
    report.graph += results_graph
    report.results.extend(_results(results_graph, data))


def _results(results: Graph, data: Graph) -> list[ValidationResult]:
    sh = rdflib.Namespace(SH)
    found = []
    for node in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(node, sh.focusNode)
        severity = results.value(node, sh.resultSeverity)
        found.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                path=_text(results.value(node, sh.resultPath)),
                message=_text(results.value(node, sh.resultMessage)),
                value=_text(results.value(node, sh.value)),
                shape=_text(results.value(node, sh.sourceShape)),
                source_file=_text(data.value(focus, URIRef(CKG + "sourceFile"))),
                source_record=_text(data.value(focus, URIRef(CKG + "sourceRecord"))),
            )
        )
    return sorted(found, key=lambda r: (r.source_file, r.source_record, r.focus, r.path, r.message))


def _text(node: object) -> str:
    return "" if node is None else str(node)
