"""Golden cases: each folder under tests/golden/ holds sources/ (CSV + CSVW schema), mapping.rml.ttl and
expected.nq. Sources are checked and mapped with base https://example.org/kg/; the output must be
isomorphic to expected.nq, graph by graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from clusterkg.mapping import generate_quads, load_mappings
from clusterkg.sources import check_sources

GOLDEN = Path(__file__).parent / "golden"
REFERENCE = Path(__file__).resolve().parents[1] / "reference"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _graphs(nquads: str) -> dict[str, Dataset]:
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str) -> None:
    folder = GOLDEN / case
    checked = check_sources(folder / "sources", REFERENCE)
    rules = load_mappings([folder / "mapping.rml.ttl"])
    quads = generate_quads(rules, base_iri="https://example.org/kg/", read_records=checked.reader())
    produced = "".join(quads)
    expected = _graphs((folder / "expected.nq").read_text(encoding="utf-8"))
    actual = _graphs(produced)
    assert sorted(actual) == sorted(expected)
    for name, graph in expected.items():
        assert isomorphic(actual[name], graph), f"graph {name} differs:\n{produced}"
