"""The SHACL shapes: well-formed (SHACL-SHACL), accept a small valid graph, catch typical breakages."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
SHACL_SHACL = ROOT.parent / "shared" / "standards" / "shacl" / "shacl-shacl.ttl"

CKG = Namespace("https://w3id.org/clusterkg/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
BASE = "https://example.org/kg/"  # any base: the shapes must not depend on it

VALID = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
@base <https://example.org/kg/> .

<id/document/doc-a> a ckg:SourceDocument ;
    dct:title "A document"@en ; dct:language "en" ; ckg:seedFile "000_x.txt" ;
    dct:description "A test document."@en ; ckg:sourceFile "documents.csv" ; ckg:sourceRecord "doc-a" .

<id/organisation/amz-ev> a org:Organization , org:FormalOrganization , ckg:Association ;
    rdfs:label "AMZ e.V."@de ; ckg:country country:DEU ; locn:address <id/address/amz-ev> ;
    prov:wasDerivedFrom <id/document/doc-a> ; ckg:sourceFile "organisations.csv" ; ckg:sourceRecord "amz-ev" .

<id/address/amz-ev> a locn:Address ; locn:postName "Chemnitz" ; prov:wasDerivedFrom <id/document/doc-a> .

<id/cluster/amz> a ckg:Cluster ;
    rdfs:label "AMZ Sachsen"@de , "AMZ Saxony"@en ; ckg:acronym "AMZ" ;
    ckg:managedBy <id/organisation/amz-ev> ; ckg:country country:DEU ; ckg:founded "1999"^^xsd:gYear ;
    prov:wasDerivedFrom <id/document/doc-a> ; ckg:sourceFile "clusters.csv" ; ckg:sourceRecord "amz" .

<id/project/tada> a ckg:InternationalisationProject ;
    rdfs:label "TADA"@en ; ckg:namedInSource true ; ckg:runBy <id/cluster/amz> ;
    prov:wasDerivedFrom <id/document/doc-a> ; ckg:sourceFile "projects.csv" ; ckg:sourceRecord "tada" .

<id/target-market/tada-usa> a ckg:TargetMarket ;
    ckg:targetOf <id/project/tada> ; ckg:targetCountry country:USA ; ckg:certainty ckg:Stated ;
    ckg:asWritten "USA" ; ckg:phaseStated false ;
    prov:wasDerivedFrom <id/document/doc-a> ;
    ckg:sourceFile "target_markets.csv" ; ckg:sourceRecord "tada-usa" .

<id/figure/amz-members> a ckg:Figure ;
    ckg:figureOf <id/cluster/amz> ; ckg:measure "members" ; schema:value "120"^^xsd:decimal ;
    ckg:qualifier ckg:MoreThan ; ckg:asWritten "more than 120 members" ;
    prov:wasDerivedFrom <id/document/doc-a> ; ckg:sourceFile "figures.csv" ; ckg:sourceRecord "amz-members" .
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "clusterkg.ttl")


def data_graph(ontology: Graph, turtle: str = VALID) -> Graph:
    graph = Graph().parse(data=turtle, format="turtle")
    for triple in ontology:
        graph.add(triple)
    graph.parse(ROOT / "reference" / "countries.ttl")  # labels and codes of the countries used
    return graph


def violations(data: Graph, shapes: Graph) -> list[tuple[str, str, str]]:
    """(focus node, result path, message) of every violation."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(
            (
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
                str(report.value(result, SH.resultMessage)),
            )
        )
    return found


def test_shapes_conform_to_shacl_shacl(shapes: Graph) -> None:
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=Graph().parse(SHACL_SHACL), inference="none")
    assert conforms, text


def test_every_constraint_shape_has_a_message(shapes: Graph) -> None:
    top_level = (
        set(shapes.objects(None, SH.property))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.objects(None, SH.sparql))
    )
    plain = {
        SH.path,
        SH.targetClass,
        SH.targetSubjectsOf,
        SH.targetNode,
        SH.property,
        SH.sparql,
        RDF.type,
        RDFS.label,
    }
    missing = [
        s for s in top_level if shapes.value(s, SH.message) is None and set(shapes.predicates(s)) - plain
    ]
    assert not missing, missing


def test_valid_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    assert violations(data_graph(ontology), shapes) == []


def test_missing_label(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    cluster = URIRef(BASE + "id/cluster/amz")
    data.remove((cluster, RDFS.label, None))
    assert (str(cluster), str(RDFS.label)) in {(f, p) for f, p, _ in violations(data, shapes)}


def test_label_without_language_tag(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    project = URIRef(BASE + "id/project/tada")
    data.remove((project, RDFS.label, None))
    data.add((project, RDFS.label, Literal("TADA")))
    assert (str(project), str(RDFS.label)) in {(f, p) for f, p, _ in violations(data, shapes)}


def test_country_not_in_eu_table(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    cluster = URIRef(BASE + "id/cluster/amz")
    data.remove((cluster, CKG.country, None))
    data.add((cluster, CKG.country, URIRef("http://publications.europa.eu/resource/authority/country/XXX")))
    found = violations(data, shapes)
    assert (str(cluster), str(CKG.country)) in {(f, p) for f, p, _ in found}
    assert any("EU authority" in m for _, _, m in found)


def test_target_country_must_be_eu_iri_not_iso2(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    target = URIRef(BASE + "id/target-market/tada-usa")
    data.remove((target, CKG.targetCountry, None))
    data.add(
        (target, CKG.targetCountry, URIRef("http://publications.europa.eu/resource/authority/country/US"))
    )
    assert (str(target), str(CKG.targetCountry)) in {(f, p) for f, p, _ in violations(data, shapes)}


def test_literal_where_iri_required(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    cluster = URIRef(BASE + "id/cluster/amz")
    data.remove((cluster, CKG.managedBy, None))
    data.add((cluster, CKG.managedBy, Literal("AMZ e.V.")))
    assert (str(cluster), str(CKG.managedBy)) in {(f, p) for f, p, _ in violations(data, shapes)}


def test_duplicate_source_record(shapes: Graph, ontology: Graph) -> None:
    twin = """
    @prefix ckg: <https://w3id.org/clusterkg/ontology#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://example.org/kg/id/cluster/amz-twin> a ckg:Cluster ; rdfs:label "AMZ twin"@en ;
        prov:wasDerivedFrom <https://example.org/kg/id/document/doc-a> ;
        ckg:sourceFile "clusters.csv" ; ckg:sourceRecord "amz" .
    """
    data = data_graph(ontology, VALID + twin)
    found = [(f, p, m) for f, p, m in violations(data, shapes) if p == str(CKG.sourceRecord)]
    assert len(found) == 1, found
    focus, _, message = found[0]
    assert focus == "https://w3id.org/clusterkg/ontology"  # whole-graph shape: one focus node
    assert "clusters.csv record amz" in message and "amz" in message


def test_missing_source_document(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    figure = URIRef(BASE + "id/figure/amz-members")
    data.remove((figure, PROV.wasDerivedFrom, None))
    assert (str(figure), str(PROV.wasDerivedFrom)) in {(f, p) for f, p, _ in violations(data, shapes)}


def test_role_outside_the_role_list(shapes: Graph, ontology: Graph) -> None:
    membership = """
    @prefix ckg: <https://w3id.org/clusterkg/ontology#> .
    @prefix org: <http://www.w3.org/ns/org#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    <https://example.org/kg/id/membership/tada-amz> a ckg:Membership ;
        ckg:membershipOf <https://example.org/kg/id/project/tada> ;
        org:member <https://example.org/kg/id/cluster/amz> ; org:role ckg:lead ;
        prov:wasDerivedFrom <https://example.org/kg/id/document/doc-a> ;
        ckg:sourceFile "memberships.csv" ; ckg:sourceRecord "tada-amz" .
    """
    found = {(f, p) for f, p, _ in violations(data_graph(ontology, VALID + membership), shapes)}
    assert found == {(BASE + "id/membership/tada-amz", str(ORG.role))}


def test_duplicate_call_identifier(shapes: Graph, ontology: Graph) -> None:
    calls = """
    @prefix ckg: <https://w3id.org/clusterkg/ontology#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://example.org/kg/id/programme/cosme> a ckg:FundingProgramme ; rdfs:label "COSME"@en ;
        prov:wasDerivedFrom <https://example.org/kg/id/document/doc-a> ;
        ckg:sourceFile "programmes.csv" ; ckg:sourceRecord "cosme" .
    <https://example.org/kg/id/call/a> a ckg:Call ; rdfs:label "Call A"@en ; ckg:identifier "COS-1" ;
        ckg:programme <https://example.org/kg/id/programme/cosme> ;
        prov:wasDerivedFrom <https://example.org/kg/id/document/doc-a> ;
        ckg:sourceFile "calls.csv" ; ckg:sourceRecord "a" .
    <https://example.org/kg/id/call/b> a ckg:Call ; rdfs:label "Call B"@en ; ckg:identifier "COS-1" ;
        ckg:programme <https://example.org/kg/id/programme/cosme> ;
        prov:wasDerivedFrom <https://example.org/kg/id/document/doc-a> ;
        ckg:sourceFile "calls.csv" ; ckg:sourceRecord "b" .
    """
    found = [(f, p, m) for f, p, m in violations(data_graph(ontology, VALID + calls), shapes)]
    assert len(found) == 1, found
    focus, path, message = found[0]
    assert (focus, path) == ("https://w3id.org/clusterkg/ontology", str(CKG.identifier))
    assert "COS-1" in message and "id/call/a" in message and "id/call/b" in message


def test_target_with_country_and_region(shapes: Graph, ontology: Graph) -> None:
    data = data_graph(ontology)
    target = URIRef(BASE + "id/target-market/tada-usa")
    region = URIRef(BASE + "id/region/michigan")
    data.add((target, CKG.targetRegion, region))
    data.add((region, RDF.type, CKG.Region))
    focus = {f for f, _, m in violations(data, shapes) if "exactly one of a country" in m}
    assert focus == {str(target)}
