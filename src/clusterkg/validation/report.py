"""Validation results and reports, whichever validator produced them.

A report renders as text (grouped, for people), JSON (the build's record) and as a W3C SHACL
validation report graph (Turtle, JSON-LD; see report_rdf.py), which validators read with their
own tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..rdf import Graph
from . import report_rdf


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the source record the focus node came from.

    `focus`, `value` are plain text (IRI, label or lexical form); `focus_term` and `value_term`
    keep the RDF term in N-Triples form, so the report graph can tell an IRI from a literal.
    `details` are the results that explain this one (sh:detail, e.g. under a failed sh:node).
    """

    severity: str
    focus: str
    path: str
    message: str
    value: str
    shape: str
    source_file: str = ""
    source_record: str = ""
    component: str = ""  # local name of the sh:sourceConstraintComponent, e.g. MinCountConstraintComponent
    focus_term: str = ""
    value_term: str = ""
    data_file: str = ""  # the validated file the focus node came from, when several were validated
    details: tuple[ValidationResult, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationResult:
        """A result from its JSON form (`to_json`), nested details included."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k != "details"}
        details = tuple(cls.from_dict(d) for d in data.get("details", ()))
        return cls(**values, details=details)


@dataclass
class ValidationReport:
    """All results of one validation run; conforms when no result is a violation.

    `shapes` (optional) is the shapes graph the run used: with it the report graph copies complex
    result paths and the text names anonymous shapes by where they sit.
    """

    triples: int
    results: list[ValidationResult] = field(default_factory=list)
    shapes: Graph | None = field(default=None, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> ValidationReport:
        """A report from `to_json` output (or its parsed form), e.g. a build's validation.json."""
        body = json.loads(text) if isinstance(text, str) else text
        results = [ValidationResult.from_dict(r) for r in body.get("results", [])]
        return cls(triples=int(body.get("triples", 0)), results=results)

    def counts(self) -> dict[str, int]:
        """Top-level results per severity."""
        found: dict[str, int] = {}
        for r in self.results:
            found[r.severity] = found.get(r.severity, 0) + 1
        return found

    def to_text(self) -> str:
        """One block per finding (same severity, message, shape, path), naming its components."""
        head = "Conforms" if self.conforms else "Does not conform"
        tally = ", ".join(f"{n} {severity.lower()}(s)" for severity, n in sorted(self.counts().items()))
        lines = [
            f"{head}: {len(self.results)} result(s) over {self.triples} triples"
            + (f" ({tally})." if tally else ".")
        ]
        for key, members in _grouped(self.results):
            severity, message, shape, path = key
            components = sorted({c for r in members for c in _components(r)})
            lines.append(f"\n{severity}: {message}")
            shown = report_rdf.compact(path) if path else "-"
            lines.append(f"  shape: {report_rdf.shape_name(self.shapes, shape)}  path: {shown}")
            lines.append(f"  constraint: {', '.join(components) or '-'}")
            lines += [f"  - {_where(r)}" for r in _distinct(members)]
            lines += _detail_lines(members, "      ")
        return "\n".join(lines)

    def to_json(self) -> str:
        body = {
            "conforms": self.conforms,
            "triples": self.triples,
            "results": [_plain_dict(r) for r in self.results],
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_graph(self) -> Graph:
        """The W3C SHACL validation report (§3.6) as an RDF graph."""
        return report_rdf.report_graph(self.results, self.shapes)

    def to_turtle(self) -> str:
        return report_rdf.serialize(self.to_graph(), "turtle")

    def to_jsonld(self) -> str:
        return report_rdf.serialize(self.to_graph(), "json-ld")

    def render(self, fmt: str) -> str:
        renderers = {"text": self.to_text, "json": self.to_json, "turtle": self.to_turtle}
        return {**renderers, "jsonld": self.to_jsonld}[fmt]()


def _plain_dict(result: ValidationResult) -> dict[str, Any]:
    """The JSON form: empty details left out, so records of conforming data stay as they were."""
    body = asdict(result)
    if not result.details:
        del body["details"]
    return body


def _components(result: ValidationResult) -> list[str]:
    return [f"sh:{result.component}"] if result.component else []


GroupKey = tuple[str, str, str, str]


def _grouped(results: Iterable[ValidationResult]) -> list[tuple[GroupKey, list[ValidationResult]]]:
    """Results with the same severity, message, shape and path, in first-seen order."""
    groups: dict[GroupKey, list[ValidationResult]] = {}
    for r in results:
        groups.setdefault((r.severity, r.message, r.shape, r.path), []).append(r)
    return list(groups.items())


def _distinct(members: list[ValidationResult]) -> list[ValidationResult]:
    """One line per focus node and value: two components failing on one value are one line."""
    seen: dict[tuple[str, str, str], ValidationResult] = {}
    for r in members:
        seen.setdefault((r.focus, r.value, r.data_file), r)
    return list(seen.values())


def _where(r: ValidationResult) -> str:
    source = f"{r.source_file} record {r.source_record}" if r.source_file else "no source record"
    value = f"  value: {r.value}" if r.value else ""
    file = f"  [in {r.data_file}]" if r.data_file else ""
    return f"focus: {r.focus}{value}  ({source}){file}"


def _detail_lines(members: list[ValidationResult], indent: str) -> list[str]:
    """The distinct reasons under the members' sh:detail results, once each."""
    reasons = {
        f"{d.severity} sh:{d.component or '-'}: {d.message}"
        + (f" (value: {d.value})" if d.value else ""): None
        for r in members
        for d in r.details
    }
    return [f"{indent}because: {reason}" for reason in reasons]
