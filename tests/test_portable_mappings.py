"""mappings/ is plain RML any engine runs (issue 9 §2), and the base_iri setting still governs the output.

These checks need no second engine: tests/test_morph_kgc.py runs Morph-KGC itself.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from clusterkg import mapping, sources
from clusterkg.errors import SourceError
from clusterkg.namespaces import CKG, DEFAULT_BASE_IRI

REPO = Path(__file__).resolve().parent.parent
MAPPINGS = sorted((REPO / "mappings").glob("*.rml.ttl"))
RML = Namespace("http://w3id.org/rml/")
_REFERENCE = re.compile(r"(?<!\\)\{([^}]*)\}")


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_iri_templates_are_absolute_and_have_a_reference(path: Path) -> None:
    graph = _parse(path)
    for term_map, template in graph.subject_objects(RML.template):
        if graph.value(term_map, RML.termType) == RML.Literal:
            continue
        assert _REFERENCE.search(str(template)), f"{path.name}: {template} has no reference: use rml:constant"
        assert re.match(r"[a-z]+:", str(template)), (
            f"{path.name}: {template} is relative: no engine shares a base"
        )
    for constant in graph.objects(None, RML.constant):
        assert not isinstance(constant, URIRef) or str(constant).startswith(("http://", "https://"))


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_every_referenced_column_is_in_the_file_the_mapping_reads(path: Path) -> None:
    """No virtual columns: an engine that reads the CSV file finds every column the mapping names."""
    graph = _parse(path)
    for triples_map, logical in graph.subject_objects(RML.logicalSource):
        source = graph.value(logical, RML.source)
        assert isinstance(source, Literal), (
            f"{path.name}: rml:source should be a plain path every engine reads"
        )
        with open(path.parent / str(source), encoding="utf-8", newline="") as f:
            header = set(next(csv.reader(f)))
        used = _columns(graph, triples_map) - header
        assert not used, (
            f"{path.name}: {triples_map} reads columns {sorted(used)} that {source} does not have"
        )


def _columns(graph: Graph, triples_map: URIRef) -> set[str]:
    """The columns the term maps of `triples_map` (and the child side of its joins) refer to."""
    maps = [graph.value(triples_map, RML.subjectMap)]
    for pom in graph.objects(triples_map, RML.predicateObjectMap):
        maps += list(graph.objects(pom, RML.objectMap)) + list(graph.objects(pom, RML.graphMap))
    maps += [g for m in list(maps) for g in graph.objects(m, RML.graphMap)]
    maps += [lang for m in list(maps) for lang in graph.objects(m, RML.languageMap)]
    columns = {str(r) for m in maps for r in graph.objects(m, RML.reference)}
    columns |= {
        ref for m in maps for t in graph.objects(m, RML.template) for ref in _REFERENCE.findall(str(t))
    }
    columns |= {
        str(c) for m in maps for j in graph.objects(m, RML.joinCondition) for c in graph.objects(j, RML.child)
    }
    return columns


def _mapped(project: Path, base_iri: str) -> set[str]:
    checked = sources.check_sources(project / "sources", project / "reference")
    rules = mapping.load_mappings(
        sorted((project / "mappings").glob("*.rml.ttl")), mapping.project_rebase(base_iri)
    )
    return set(mapping.generate_quads(rules, base_iri=base_iri, read_records=checked.reader()))


def test_the_base_iri_setting_governs_the_mapped_iris_but_not_the_ontology() -> None:
    other = "https://example.org/kg/"
    canonical, rebased = _mapped(REPO, DEFAULT_BASE_IRI), _mapped(REPO, other)
    assert not any(f"<{DEFAULT_BASE_IRI}id/" in q or f"<{DEFAULT_BASE_IRI}graph/" in q for q in rebased)
    assert any(f"<{CKG}" in q for q in rebased), "ontology IRIs must stay in their namespace"
    assert {q.replace(other, DEFAULT_BASE_IRI) for q in rebased} == canonical


def test_rebase_leaves_fixed_namespaces_and_other_iris_alone() -> None:
    rebase = mapping.Rebase("https://w3id.org/x/", "http://localhost/kg/", ("https://w3id.org/x/ontology#",))
    assert rebase.apply("https://w3id.org/x/id/a/{key}") == "http://localhost/kg/id/a/{key}"
    assert rebase.apply("https://w3id.org/x/ontology#Cluster") == "https://w3id.org/x/ontology#Cluster"
    assert rebase.apply("http://publications.europa.eu/{c}") == "http://publications.europa.eu/{c}"


def _project_with(tmp_path: Path, table: str, edit: tuple[str, str]) -> Path:
    for folder in ("sources", "reference"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    path = tmp_path / "sources" / table
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("written", "problem", "hint"),
    [
        (
            ",Germany,FRA,",
            "country_iso3 is 'FRA' but the country 'Germany' is DEU",
            "write DEU in country_iso3",
        ),
        (",Germany,,", "country_iso3 is empty but the country 'Germany' is DEU", "write DEU in country_iso3"),
    ],
)
def test_a_country_code_column_must_hold_the_code_of_the_written_name(
    tmp_path: Path, written: str, problem: str, hint: str
) -> None:
    project = _project_with(tmp_path, "clusters.csv", (",Germany,DEU,", written))
    with pytest.raises(SourceError) as caught:
        sources.check_sources(project / "sources", project / "reference")
    message = str(caught.value)
    assert problem in message and hint in message and "clusters.csv" in message
