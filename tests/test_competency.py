"""Competency questions answered from the built store, with answers read off the seed documents."""

from __future__ import annotations

import pytest

PREFIXES = """
BASE <https://w3id.org/clusterkg/>
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX locn: <http://www.w3.org/ns/locn#>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
"""
BASE = "https://w3id.org/clusterkg/"


def keys(kg, query: str, var: str = "x") -> set[str]:  # type: ignore[no-untyped-def]
    return {row[var].rsplit("/", 1)[-1] for row in kg.select(PREFIXES + query) if var in row}


def values(kg, query: str, var: str = "x") -> set[str]:  # type: ignore[no-untyped-def]
    return {row[var] for row in kg.select(PREFIXES + query) if var in row}


def test_clusters_targeting_canada_in_the_concept_phase(kg) -> None:  # type: ignore[no-untyped-def]
    found = keys(
        kg,
        """SELECT DISTINCT ?x WHERE {
             ?tm ckg:targetCountry country:CAN ; ckg:inPhase/ckg:phaseType ckg:ConceptPhase ;
                 ckg:targetOf/ckg:runBy ?x . ?x a ckg:Cluster }""",
    )
    assert found == {"arena2036", "hamburg-aviation", "sinn", "its-owl", "leichtbau-bw", "optonet"}


def test_partnerships_in_the_energy_or_environment_sector(kg) -> None:  # type: ignore[no-untyped-def]
    found = keys(
        kg,
        """SELECT DISTINCT ?x WHERE {
             ?x a ckg:Partnership ; ckg:sector/skos:broader* <id/sector/energy-environment> }""",
    )
    assert {"escp-energy-in-water", "icn", "natureef"} <= found
    assert "elca-lighting" not in found


def test_cities_in_bavaria_hosting_a_cluster_organisation(kg) -> None:  # type: ignore[no-untyped-def]
    found = values(
        kg,
        """SELECT DISTINCT ?x WHERE {
             ?cluster a ckg:Cluster ; ckg:managedBy ?org .
             ?org ckg:region <id/region/bavaria> ; locn:address/locn:postName ?x }""",
    )
    assert found == {"Martinsried", "Nürnberg", "Augsburg", "München", "Erlangen"}


def test_thirty_two_clusters_in_the_bmbf_list(kg) -> None:  # type: ignore[no-untyped-def]
    found = keys(
        kg,
        """SELECT DISTINCT ?x WHERE {
             ?p a ckg:InternationalisationProject ; ckg:runBy ?x ;
                ckg:programme <id/programme/bmbf-cluster-internationalisation> }""",
    )
    assert len(found) == 32
    assert {"amz", "bio-nrw", "wigratec", "mai-carbon", "optence", "software-cluster"} <= found


def test_targets_of_the_two_phases_are_kept_apart(kg) -> None:  # type: ignore[no-untyped-def]
    query = """SELECT ?x WHERE {
        ?tm ckg:targetOf/ckg:runBy <id/cluster/bioeconomy-cluster> ;
            ckg:inPhase/ckg:phaseType ckg:PHASE ; ckg:targetCountry ?x }"""
    concept = keys(kg, query.replace("PHASE", "ConceptPhase"))
    implementation = keys(kg, query.replace("PHASE", "ImplementationPhase"))
    assert concept == {"CHN", "GBR", "FIN", "FRA", "NLD"}
    assert implementation == {"FRA"}


def test_spelling_variants_resolve_and_keep_their_wording(kg) -> None:  # type: ignore[no-untyped-def]
    rows = kg.select(
        PREFIXES
        + """SELECT ?written ?country WHERE { ?tm ckg:asWritten ?written ; ckg:targetCountry ?country
             FILTER(?written IN ("Finnland", "Brasil", "Sinapore", "Taiwa", "England", "Great Britain")) }"""
    )
    resolved = {r["written"]: r["country"].rsplit("/", 1)[-1] for r in rows}
    assert resolved == {
        "Finnland": "FIN",
        "Brasil": "BRA",
        "Sinapore": "SGP",
        "Taiwa": "TWN",
        "England": "GBR",
        "Great Britain": "GBR",
    }


def test_regions_are_not_countries(kg) -> None:  # type: ignore[no-untyped-def]
    regions = values(kg, "SELECT ?x WHERE { ?tm ckg:targetRegion/rdfs:label ?x }")
    assert {"Mediterranean Region", "Baltic Sea Region"} <= regions
    quebec = keys(
        kg, "SELECT ?x WHERE { ?r a ckg:Region ; rdfs:label ?l ; ckg:country ?x FILTER(STRSTARTS(?l, 'Qu')) }"
    )
    assert quebec == {"CAN"}
    asia = keys(
        kg,
        "SELECT ?x WHERE { ?r a ckg:Region ; rdfs:label ?l ; ckg:country ?x FILTER(CONTAINS(?l, 'Asia')) }",
    )
    assert asia == set()


def test_tentative_target_is_kept(kg) -> None:  # type: ignore[no-untyped-def]
    found = keys(
        kg,
        """SELECT ?x WHERE { ?tm ckg:certainty ckg:Tentative ; ckg:targetCountry ?x ;
             ckg:targetOf <id/partnership/escp-energy-in-water> }""",
    )
    assert found == {"IND"}


def test_one_acronym_two_alliances(kg) -> None:  # type: ignore[no-untyped-def]
    found = keys(kg, 'SELECT ?x WHERE { ?x a ckg:Partnership ; ckg:acronym "ELCA" }')
    assert found == {"elca-lighting", "elca-lightweight"}


def test_same_organisation_in_two_documents_is_one_resource(kg) -> None:  # type: ignore[no-untyped-def]
    documents = keys(kg, "SELECT ?x WHERE { <id/cluster/amz> prov:wasDerivedFrom ?x }")
    assert documents == {"bmbf-leading-edge-clusters", "elca-lightweight-cosme"}
    lead = keys(
        kg,
        """SELECT ?x WHERE { ?m ckg:membershipOf ?x ; org:member <id/cluster/amz> ; org:role ckg:LeadRole .
             }""",
    )
    assert "elca-lightweight-internationalisation" in lead


@pytest.mark.parametrize("needle", ["Schöps", "Helbych", "+49", "@ec.europa.eu", "Mirjam"])
def test_personal_data_is_not_public(kg, needle: str) -> None:  # type: ignore[no-untyped-def]
    rows = list(kg.select(f'SELECT ?s WHERE {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{needle}")) }}'))
    assert rows == []
    in_graphs = f'SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{needle}")) }} }}'
    assert list(kg.select(in_graphs)) == []
    private = list(kg.select(in_graphs, include_private=True))
    assert private, f"{needle!r} should be in the private contacts graph"


@pytest.mark.parametrize(
    "condition",
    [
        "FILTER NOT EXISTS { ?s ckg:sourceFile ?f ; ckg:sourceRecord ?k }",
        # Source documents are the origin themselves; everything else derives from one.
        "FILTER NOT EXISTS { ?s a ckg:SourceDocument } FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?d }",
    ],
)
def test_every_resource_records_its_source(kg, condition: str) -> None:  # type: ignore[no-untyped-def]
    # An address is a structured value of its organisation (a skolemised node), which carries the provenance.
    # The reference graph holds authority data (country labels and codes), derived from its EU table.
    query = """SELECT ?s WHERE { GRAPH ?g { ?s a ?c FILTER(?c != locn:Address) }
        FILTER(STRSTARTS(STR(?g), STR(<graph/>)))
        FILTER(?g NOT IN (<graph/ontology>, <graph/reference>)) %s } LIMIT 5"""
    assert list(kg.select(PREFIXES + query % condition)) == []
