"""The graph says what the documents say, in a shape generic tools can use (issue 9 §1).

Checked on the mapped N-Quads of the real sources (every graph, the private one included),
with rdflib as an independent reader, and on the built store for the questions a user asks.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from clusterkg import pipeline
from clusterkg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/clusterkg/"
CKG = "https://w3id.org/clusterkg/ontology#"
ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")


@pytest.fixture(scope="module")
def mapped_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("mapped") / "data.nq"
    pipeline.map_sources(Settings.from_env(environ={}, project_dir=REPO), out)
    return out.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def dataset(mapped_lines: list[str]) -> Dataset:
    ds = Dataset()
    ds.parse(data="\n".join(mapped_lines) + "\n", format="nquads")
    return ds


def superclasses() -> dict[URIRef, set[URIRef]]:
    """Each class of the ontology files → all its superclasses (rdfs:subClassOf, transitively)."""
    ontology = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        ontology.parse(path)
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}
    for cls in direct:
        seen: set[URIRef] = set()
        todo = list(direct[cls])
        while todo:
            sup = todo.pop()
            if sup not in seen:
                seen.add(sup)
                todo.extend(direct.get(sup, ()))
        closure[cls] = seen
    return closure


def test_the_mapping_emits_each_quad_once(mapped_lines: list[str]) -> None:
    repeated = {line: n for line, n in Counter(mapped_lines).items() if n > 1}
    assert not repeated, f"{len(repeated)} quads repeated, e.g. {next(iter(repeated))}"


def test_every_instance_carries_the_superclasses_the_ontology_implies(dataset: Dataset) -> None:
    closure = superclasses()
    assert closure[URIRef(CKG + "Cluster")] >= {URIRef("http://www.w3.org/ns/org#Organization")}
    missing = []
    for graph in dataset.graphs():
        if graph.identifier == ONTOLOGY_GRAPH:
            continue
        for subject, cls in graph.subject_objects(RDF.type):
            for sup in closure.get(cls, ()):  # type: ignore[call-overload]
                if (subject, RDF.type, sup) not in graph:
                    missing.append(f"{subject} a {cls} but not {sup} in {graph.identifier}")
    assert not missing, f"{len(missing)} missing types, e.g. {sorted(missing)[:5]}"


@pytest.mark.parametrize(
    "generic",
    [
        "http://www.w3.org/ns/org#Organization",
        "http://www.w3.org/ns/prov#Activity",
        "http://www.w3.org/ns/prov#Entity",
        "http://purl.org/dc/terms/Location",
        "http://www.w3.org/ns/org#Membership",
        "https://schema.org/QuantitativeValue",
    ],
)
def test_generic_tools_find_instances_of_the_reused_classes(dataset: Dataset, generic: str) -> None:
    assert any(True for _ in dataset.quads((None, RDF.type, URIRef(generic), None)))
