"""The graph says what the documents say, in a shape generic tools can use (issue 9 §1).

Checked on the mapped N-Quads of the real sources (every graph, the private one included),
with rdflib as an independent reader, and on the built store for the questions a user asks.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_project
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from clusterkg import pipeline, queries
from clusterkg.errors import NonConformingError
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


# ---------------------------------------------------------------- countries in a reference graph


def test_the_country_reference_is_up_to_date_with_the_standards_and_sources(standards_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_country_reference", REPO / "tools/make_country_reference.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    expected = tool.render(standards_dir)
    assert (REPO / "reference/countries.ttl").read_text(encoding="utf-8") == expected, (
        "run tools/make_country_reference.py"
    )


def test_every_country_used_has_labels_codes_and_a_continent_in_the_reference_graph(dataset: Dataset) -> None:
    reference = dataset.graph(URIRef(BASE + "graph/reference"))
    used = {
        o
        for p in ("country", "targetCountry", "partnerCountry")
        for _, _, o, _ in dataset.quads((None, URIRef(CKG + p), None, None))
    }
    assert len(used) > 30
    for country in used:
        labels = [lit for lit in reference.objects(country, SKOS.prefLabel) if isinstance(lit, Literal)]
        assert {"en", "de", "fr"} <= {lit.language for lit in labels}, country
        notations = [n for n in reference.objects(country, SKOS.notation) if isinstance(n, Literal)]
        kinds = {str(n.datatype).rsplit("#", 1)[-1] for n in notations}
        assert kinds == {"ISO_3166_1_ALPHA_2", "ISO_3166_1_ALPHA_3"}, country
        assert len(set(reference.objects(country, URIRef(CKG + "continent")))) == 1, country
    jpn = URIRef("http://publications.europa.eu/resource/authority/country/JPN")
    assert {str(n) for n in reference.objects(jpn, SKOS.notation)} == {"JP", "JPN"}


def test_clusters_targeting_asian_countries_show_japan_in_english_and_german(
    kg: Any, built_project: Path
) -> None:
    query = queries.parse_query_file(REPO / "queries/clusters-by-target-continent.rq")
    ctx = queries.term_context(Settings.from_env(environ={}, project_dir=built_project))

    def names(continent: str) -> set[tuple[str, str]]:
        table = queries.run_page(kg, query, queries.bind(query, {"continent": continent}, ctx)).table
        return {(r["countryEn"]["value"], r["countryDe"]["value"]) for r in table.records()}

    asia = names("asia")
    assert {("Japan", "Japan"), ("Singapore", "Singapur"), ("South Korea", "Südkorea")} <= asia
    assert ("Japan", "Japan") not in names("europe")


# ---------------------------------------------------------------- targets, partner countries, places

PREFIXES = f"""BASE <{BASE}>
PREFIX ckg: <{CKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX locn: <http://www.w3.org/ns/locn#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
"""


def select(kg: Any, query: str) -> list[dict[str, str]]:
    return list(kg.select(PREFIXES + query))


def test_every_project_target_has_a_phase_or_says_the_phase_is_not_stated(kg: Any) -> None:
    rows = select(
        kg,
        """SELECT ?tm WHERE { ?tm a ckg:TargetMarket ; ckg:targetOf ?p .
           ?p a ckg:InternationalisationProject .
           FILTER NOT EXISTS { ?tm ckg:inPhase ?phase } FILTER NOT EXISTS { ?tm ckg:phaseStated false } }""",
    )
    assert rows == []
    unphased = select(kg, "SELECT ?tm WHERE { ?tm ckg:phaseStated false }")
    keys = {r["tm"].rsplit("/", 1)[-1] for r in unphased}
    # ELCA's four targets (000 has no phases) and Hamburg's Québec ("target regions, for example Québec").
    assert keys == {
        "elca-lightweight-target-usa",
        "elca-lightweight-target-japan",
        "elca-lightweight-target-india",
        "elca-lightweight-target-latin-america",
        "hamburg-aviation-internationalisation-quebec",
    }


@pytest.mark.parametrize(
    ("project", "countries", "targets"),
    [
        # "partners from Australia and the USA": partners, not targets (Australia is one by the phase lines).
        ("arena2036-internationalisation", {"AUS", "USA"}, {"AUS", "CAN"}),
        # "cooperation partner from France, Belgium, Norway and Poland/East-Europe"; targets France, Norway.
        ("dsma-internationalisation", {"FRA", "BEL", "NOR", "POL"}, {"FRA", "NOR"}),
    ],
)
def test_cooperation_partner_countries_are_not_targets(
    kg: Any, project: str, countries: set[str], targets: set[str]
) -> None:
    partners = select(kg, f"SELECT ?c WHERE {{ <id/project/{project}> ckg:partnerCountry ?c }}")
    assert {r["c"].rsplit("/", 1)[-1] for r in partners} == countries
    found = select(
        kg, f"SELECT ?c WHERE {{ ?tm ckg:targetOf <id/project/{project}> ; ckg:targetCountry ?c }}"
    )
    assert {r["c"].rsplit("/", 1)[-1] for r in found} == targets
    named = select(kg, f"SELECT ?o WHERE {{ ?m ckg:membershipOf <id/project/{project}> ; org:member ?o }}")
    assert all("/organisation/" not in r["o"] for r in named)  # no partner organisation is needed


def test_a_region_includes_the_countries_the_document_lists(kg: Any) -> None:
    rows = select(kg, "SELECT ?c WHERE { <id/region/asia-pacific> ckg:includesCountry ?c }")
    assert {r["c"].rsplit("/", 1)[-1] for r in rows} == {"CHN", "AUS", "SGP"}
    # Open Hybrid LabFactory targets the region (concept) and Singapore (implementation), not the members.
    targets = select(
        kg,
        "SELECT ?c WHERE { ?tm ckg:targetOf <id/project/open-hybrid-labfactory-asia-pacific> ;"
        " ckg:targetCountry ?c }",
    )
    assert {r["c"].rsplit("/", 1)[-1] for r in targets} == {"SGP"}


@pytest.mark.parametrize(
    ("cluster", "street", "city"),
    [
        ("software-cluster", "Stuhlsatzenhausweg 3", "Saarbrücken"),
        ("open-hybrid-labfactory", "Langer Kamp 8", "Braunschweig"),
    ],
)
def test_the_contact_address_is_public_on_an_organisation_linked_to_the_cluster(
    kg: Any, cluster: str, street: str, city: str
) -> None:
    rows = select(
        kg,
        f"""SELECT ?street ?city WHERE {{ <id/cluster/{cluster}> ckg:contactOrganisation ?org .
            ?org locn:address [ locn:thoroughfare ?street ; locn:postName ?city ] }}""",
    )
    assert [(r["street"], r["city"]) for r in rows] == [(street, city)]
    people = select(kg, f"SELECT ?c WHERE {{ <id/cluster/{cluster}> ckg:contact ?c }}")
    assert people == []  # the person stays in the private graph


def test_a_project_target_without_a_phase_or_its_absence_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    csv_path = project / "sources/target_markets.csv"
    text = csv_path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("hamburg-aviation-internationalisation-quebec,"))
    csv_path.write_text(text.replace(line, line.replace(",false,", ",,")), encoding="utf-8")
    with pytest.raises(NonConformingError):
        pipeline.build(Settings.from_env(environ={}, project_dir=project))


# ---------------------------------------------------------------- what the documents call a cluster


def keys_of(kg: Any, query: str, var: str = "x") -> set[str]:
    return {r[var].rsplit("/", 1)[-1] for r in select(kg, query)}


def test_ckg_cluster_is_only_what_the_documents_present_as_a_cluster(kg: Any) -> None:
    clusters = keys_of(kg, "SELECT ?x WHERE { ?x a ckg:Cluster }")
    assert len(clusters) == 39  # 32 listed (001) + AMZ's four ELCA partners (000) + 2 ELAt + 1 (004)
    assert not clusters & {
        "elat-energy-cleantech",
        "m4",
        "clic-innovation",
        "minalogic",
        "korean-carbon-valley",
    }
    partners = keys_of(kg, "SELECT ?x WHERE { ?x a ckg:PartnerCluster , org:Organization }")
    assert {"clic-innovation", "biovale", "dsp-valley", "high-tech-nl", "lutb-raac"} <= partners
    assert keys_of(kg, "SELECT ?x WHERE { ?x a ckg:PotentialClusterArea }") == {"elat-energy-cleantech"}
    assert "m4" in keys_of(kg, "SELECT ?x WHERE { ?x a ckg:FundingProgramme }")


def test_the_elat_document_keeps_its_distinctions(kg: Any) -> None:
    standouts = keys_of(kg, "SELECT ?x WHERE { ?x ckg:standsOut true }")
    assert standouts == {"elat-high-tech-systems-materials", "elat-lifetec"}
    for measure, value in (("added-value", "30000000000"), ("employees", "330000")):
        rows = select(
            kg,
            f"""SELECT ?x ?v WHERE {{ ?f ckg:measure "{measure}" ; ckg:figureOf ?x ;
                <https://schema.org/value> ?v ;
                <http://www.w3.org/ns/prov#wasDerivedFrom> <id/document/elat-clusters> }}""",
        )
        assert {r["x"].rsplit("/", 1)[-1] for r in rows} == standouts, measure
        assert {float(r["v"]) for r in rows} == {float(value)}
    # DSP Valley: a partner cluster in 001, one of ELAt's network and platform organisations in 002.
    network = select(
        kg,
        """SELECT ?r WHERE { GRAPH <graph/elat-clusters> {
            <id/cluster/dsp-valley> a ckg:OrganisationNetwork , org:FormalOrganization ; ckg:region ?r } }""",
    )
    assert [r["r"].rsplit("/", 1)[-1] for r in network] == ["elat"]


def test_every_region_is_linked_to_something(kg: Any) -> None:
    lonely = keys_of(kg, "SELECT ?x WHERE { ?x a ckg:Region FILTER NOT EXISTS { ?s ?p ?x } }")
    assert lonely == set()
    assert keys_of(kg, "SELECT ?x WHERE { ?x ckg:region <id/region/rhein-main-neckar> }") == {"biorn"}


# ---------------------------------------------------------------- names and attestation


@pytest.mark.parametrize(
    ("key", "label", "alt"),
    [
        ("clib2021", "CLIB2021", "Cluster industrielle Biotechnologie"),
        ("wigratec", "WIGRATEC", "Wirbelschicht- und Granuliertechnik"),
        ("sinn", "International Sports-Innovation-Network", "Sport-Innovation-Network"),
        ("kimw-cluster", "Kunststoff-Institut Lüdenscheid", "KIMW Cluster"),
    ],
)
def test_labels_are_the_usual_names_and_other_wordings_alternative(
    kg: Any, key: str, label: str, alt: str
) -> None:
    rows = select(kg, f"SELECT ?l ?a WHERE {{ <id/cluster/{key}> rdfs:label ?l ; skos:altLabel ?a }}")
    assert [(r["l"], r["a"]) for r in rows] == [(label, alt)]


def test_names_and_targets_say_how_the_text_attests_them(kg: Any) -> None:
    implied = keys_of(kg, "SELECT ?x WHERE { ?x ckg:nameCertainty ckg:Implied }")
    assert implied == {"tada", "big-c"}
    assert "bwi" in keys_of(kg, "SELECT ?x WHERE { ?x ckg:nameCertainty ckg:Stated }")
    unnamed = keys_of(kg, "SELECT ?x WHERE { ?x ckg:namedInSource false ; ckg:nameCertainty ?c }")
    assert unnamed == set()  # a descriptive label is no name, so it has no attestation
    tentative = select(kg, "SELECT ?w WHERE { ?tm ckg:certainty ckg:Tentative ; ckg:asWritten ?w }")
    assert [r["w"] for r in tentative] == ["possibly India"]


# ---------------------------------------------------------------- descriptions in own words

WORD = re.compile(r"[\w’'-]+")
RUN = 6  # words in a row


def copied_runs(summary: str, seed_grams: set[tuple[str, ...]]) -> list[str]:
    """Runs of RUN words a summary shares with its seed, unless they are names or lists of names
    (fewer than three words of the run are lower-case in the summary): facts carry over, sentences not."""
    words = WORD.findall(summary)
    found = []
    for i in range(len(words) - RUN + 1):
        run = words[i : i + RUN]
        if tuple(w.lower() for w in run) in seed_grams and sum(w.islower() for w in run) >= 3:
            found.append(" ".join(run))
    return found


def test_descriptions_are_in_own_words() -> None:
    with open(REPO / "sources/documents.csv", encoding="utf-8") as f:
        documents = {r["key"]: r["seed_file"] for r in csv.DictReader(f)}
    seeds = REPO.parent / "shared" / "seeds"
    grams: dict[str, set[tuple[str, ...]]] = {}
    for key, name in documents.items():
        words = [w.lower() for w in WORD.findall((seeds / name).read_text(encoding="utf-8"))]
        grams[key] = {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
    copied = []
    for path in sorted((REPO / "sources").glob("*.csv")):
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("summary") and row.get("document") in grams:
                    runs = copied_runs(row["summary"], grams[row["document"]])
                    copied += [f"{path.name} {row['key']}: {run!r}" for run in runs]
    assert not copied, copied
