"""The core commands through click's CliRunner: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from clusterkg.cli import main

VALID_DOCUMENT = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
<https://example.org/kg/id/document/d> a ckg:SourceDocument ;
    ckg:sourceFile "documents.csv" ; ckg:sourceRecord "d" .
"""
BROKEN_CLUSTER = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
<https://example.org/kg/id/cluster/nameless> a ckg:Cluster ;
    ckg:sourceFile "clusters.csv" ; ckg:sourceRecord "nameless" .
"""


def run(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project-dir", str(project), *args])
    return result.exit_code, result.output


@pytest.fixture()
def cluster_file(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.ttl"
    path.write_text(BROKEN_CLUSTER, encoding="utf-8")
    return path


def test_validate_reports_focus_path_message_and_record(built_project: Path, cluster_file: Path) -> None:
    code, output = run(built_project, "validate", str(cluster_file))
    assert code == 1
    assert "Does not conform" in output
    assert "https://example.org/kg/id/cluster/nameless" in output
    assert "path: rdfs:label" in output  # the path of the missing label
    assert "clusters.csv record nameless" in output


def test_validate_json_and_turtle_formats(built_project: Path, cluster_file: Path) -> None:
    code, output = run(built_project, "validate", "--format", "json", str(cluster_file))
    assert code == 1
    body = json.loads(output)
    assert body["conforms"] is False
    assert {r["source_record"] for r in body["results"]} == {"nameless"}
    code, output = run(built_project, "validate", "--format", "turtle", str(cluster_file))
    assert code == 1
    report = Graph().parse(data=output, format="turtle")
    assert len(report) > 5


def test_validate_unparsable_file_exits_2(built_project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> ", encoding="utf-8")
    code, output = run(built_project, "validate", str(bad))
    assert code == 2
    assert "bad.ttl" in output and "does not parse" in output


def test_validate_release_dump_conforms(built_project: Path) -> None:
    code, output = run(
        built_project, "validate", str(Path(__file__).resolve().parents[1] / "dumps" / "clusterkg.ttl")
    )
    assert code == 0, output
    assert output.startswith("Conforms")


def test_sparql_table_json_and_graph_formats(built_project: Path) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/clusterkg/ontology#Cluster> }"
    code, output = run(built_project, "sparql", query)
    assert code == 0 and "(1 row)" in output
    code, output = run(built_project, "sparql", query, "--format", "json")
    assert int(json.loads(output)["results"]["bindings"][0]["n"]["value"]) >= 32
    code, output = run(built_project, "sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    assert code == 0 and len(Graph().parse(data=output, format="turtle")) == 3


def test_sparql_from_file_and_errors(built_project: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    code, output = run(built_project, "sparql", f"@{query_file}")
    assert (code, output.strip()) == (0, "true")
    code, output = run(built_project, "sparql", "SELEKT nothing")
    assert code == 2 and "does not parse" in output
    code, output = run(built_project, "sparql", "ASK {}", "--format", "turtle")
    assert code == 2 and "cannot hold" in output


def test_stats_and_settings(built_project: Path) -> None:
    code, output = run(built_project, "stats")
    assert code == 0
    assert "graph/contacts" in output and "ckg:Cluster" in output
    code, output = run(built_project, "settings")
    assert code == 0 and "CLUSTERKG_STORE" in output


def test_bad_setting_is_a_usage_error(built_project: Path) -> None:
    result = CliRunner().invoke(
        main, ["--project-dir", str(built_project), "stats"], env={"CLUSTERKG_KEEP_STORES": "many"}
    )
    assert result.exit_code == 2
    assert "CLUSTERKG_KEEP_STORES" in result.output


def test_sparql_predeclares_the_usual_prefixes(built_project: Path) -> None:
    code, output = run(
        built_project,
        "sparql",
        "SELECT ?l WHERE { <id/cluster/biorn> rdfs:label ?l }".replace(
            "<id/", "<https://w3id.org/clusterkg/id/"
        ),
    )
    assert code == 0, output
    assert "BioRN" in output
    code, output = run(built_project, "sparql", "ASK { ?c a ckg:Cluster ; skos:altLabel ?a }")
    assert (code, output.strip()) == (0, "true")
