"""Validation results and reports, whichever validator produced them."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from ..namespaces import SH
from ..rdf import BNode, Graph, Literal, Node, URIRef, rdflib


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
    component: str = ""  # local name of the sh:sourceConstraintComponent, e.g. MinCountConstraintComponent


@dataclass
class ValidationReport:
    """All results of one validation run; conforms when no result is a violation."""

    triples: int
    results: list[ValidationResult] = field(default_factory=list)

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
        """The results as one W3C SHACL validation report graph."""
        sh = rdflib.Namespace(SH)
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode("report")
        graph.add((report, rdflib.RDF.type, sh.ValidationReport))
        graph.add((report, sh.conforms, Literal(self.conforms)))
        for number, r in enumerate(self.results):
            node = BNode(f"result{number}")
            graph.add((report, sh.result, node))
            graph.add((node, rdflib.RDF.type, sh.ValidationResult))
            graph.add((node, sh.resultSeverity, sh[r.severity]))
            graph.add((node, sh.focusNode, _term(r.focus)))
            graph.add((node, sh.resultMessage, Literal(r.message)))
            for prop, value in ((sh.resultPath, r.path), (sh.value, r.value), (sh.sourceShape, r.shape)):
                if value:
                    graph.add((node, prop, _term(value)))
        return graph.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        return {"text": self.to_text, "json": self.to_json, "turtle": self.to_turtle}[fmt]()


def _term(text: str) -> Node:
    return URIRef(text) if re.match(r"^[a-z][a-z0-9+.-]*:\S*$", text) else Literal(text)
