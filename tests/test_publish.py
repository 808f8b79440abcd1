"""`clusterkg publish` and `clusterkg diff` on a small store: files, reproducibility, privacy, safety."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner
from publish_support import (
    BASE,
    CONTACTS,
    DATA,
    DATA_DUMPS,
    RDFLIB_FORMATS,
    make_project,
    open_kg,
    oxigraph_dataset,
    read_bytes,
    suffix_of,
    tree_bytes,
)

from clusterkg import pipeline
from clusterkg import publish as releases
from clusterkg.cli import main
from clusterkg.errors import NonConformingError, StoreError
from clusterkg.settings import Settings

EXPECTED_FILES = {
    *DATA_DUMPS,
    "ontology.ttl",
    "ontology.rdf",
    "ontology.html",
    "ontology.css",
    "index.html",
    "shapes.ttl",
    "shapes.rdf",
    "catalog.ttl",
    "catalog.rdf",
    "catalog.jsonld",
    "void.ttl",
    "SHA256SUMS",
}
EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[A-Za-z]{2,}")
PHONE = re.compile(rb"(?:tel:|\+\d[\d ()/.-]{6,}\d)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_project(tmp_path_factory.mktemp("publish"))


@pytest.fixture(scope="module")
def release(project: Settings) -> Path:
    return releases.publish(project, open_kg(project)).folder


def test_release_holds_every_file(release: Path) -> None:
    assert {p.name for p in release.iterdir()} == EXPECTED_FILES


def test_two_publishes_are_byte_identical(project: Settings, release: Path, tmp_path: Path) -> None:
    again = releases.publish(project, open_kg(project), tmp_path / "again").folder
    assert tree_bytes(again) == tree_bytes(release)


def test_gzip_members_carry_no_name_or_time(release: Path) -> None:
    for name in ("clusterkg.nq.gz", "clusterkg.nt.gz"):
        header = (release / name).read_bytes()[:10]
        assert header[3] & 0x08 == 0, f"{name} stores a file name"
        assert header[4:8] == b"\0\0\0\0", f"{name} stores a modification time"


def test_sha256sums_match_the_files(release: Path) -> None:
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(EXPECTED_FILES) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def _public_store_dataset(project: Settings) -> ox.Dataset:
    """The store's public graphs, blank nodes skolemised the way a release does."""
    from clusterkg.store import export

    kg = open_kg(project)
    quads = []
    for graph in kg.graph_names():
        key = graph.rsplit("/", 1)[-1]
        lines = export.graph_lines(kg, graph, f"{BASE}.well-known/genid/{key}-")
        for t in ox.parse(b"".join(lines), ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)))
    return ox.Dataset(quads)


def _triples(dataset: ox.Dataset) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in dataset}


@pytest.mark.parametrize("name", DATA_DUMPS)
def test_dump_equals_the_public_graphs_in_oxigraph(project: Settings, release: Path, name: str) -> None:
    expected = _public_store_dataset(project)
    found = oxigraph_dataset(release / name)
    if name.endswith(".nq.gz"):
        assert {str(q) for q in found} == {str(q) for q in expected}
    else:
        assert _triples(found) == _triples(expected)
    assert not any(isinstance(t, ox.BlankNode) for q in found for t in (q.subject, q.object))


@pytest.mark.parametrize("name", [*DATA_DUMPS, "ontology.ttl", "ontology.rdf", "shapes.ttl", "shapes.rdf"])
def test_every_dump_parses_in_rdflib(project: Settings, release: Path, name: str) -> None:
    path = release / name
    suffix = suffix_of(path)
    if suffix == ".nq":
        parsed: rdflib.Graph = rdflib.Dataset()
    else:
        parsed = rdflib.Graph()
    parsed.parse(data=read_bytes(path), format=RDFLIB_FORMATS[suffix])
    assert len(parsed) > 0
    if name in DATA_DUMPS:
        theirs = rdflib.Graph()
        for s, p, o in _triples(_public_store_dataset(project)):
            theirs.parse(data=f"{s} {p} {o} .\n", format="nt")
        ours = rdflib.Graph()
        if isinstance(parsed, rdflib.Dataset):
            for s, p, o, _ in parsed.quads((None, None, None, None)):
                ours.add((s, p, o))
        else:
            ours += parsed
        assert rdflib.compare.isomorphic(ours, theirs)


RAPPER_SYNTAX = {".nq": "nquads", ".nt": "ntriples", ".ttl": "turtle", ".rdf": "rdfxml"}


@pytest.mark.parametrize("name", [*DATA_DUMPS, "ontology.ttl", "ontology.rdf", "catalog.ttl", "catalog.rdf"])
def test_every_dump_parses_in_rapper(project: Settings, release: Path, tmp_path: Path, name: str) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.skip("rapper (raptor2-utils) is not installed; run tools/install-system-deps.sh")
    suffix = suffix_of(release / name)
    if suffix not in RAPPER_SYNTAX:
        pytest.skip("raptor 2 has no JSON-LD parser")
    plain = tmp_path / name.removesuffix(".gz")
    plain.write_bytes(read_bytes(release / name))
    done = subprocess.run(
        [rapper, "-q", "-i", RAPPER_SYNTAX[suffix], "-o", "ntriples", str(plain)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    parsed = {line for line in done.stdout.decode().splitlines() if line.strip()}
    if name in DATA_DUMPS:
        expected = _public_store_dataset(project)
        assert len(parsed) == len(_triples(expected))


def _private_resources_query(settings: Settings) -> str:
    """An independent oracle, in SPARQL: the contacts-graph resources no public graph types."""
    contacts = f"{settings.base_iri}graph/contacts"
    subjects = f"{{ SELECT DISTINCT ?c WHERE {{ GRAPH <{contacts}> {{ ?c ?x ?y }} FILTER(isIRI(?c)) }} }}"
    return (
        f"SELECT DISTINCT ?c WHERE {{ {subjects} "
        f"FILTER NOT EXISTS {{ GRAPH ?t {{ ?c a ?type }} FILTER(?t != <{contacts}>) }} }} ORDER BY ?c"
    )


def test_no_personal_data_in_any_file(project: Settings, release: Path) -> None:
    kg = open_kg(project)
    query = _private_resources_query(project)
    people = [row["c"] for row in kg.select(query, include_private=True)]
    assert people, "the test store must hold contacts"
    for path in release.iterdir():
        body = read_bytes(path)
        for person in people:
            assert person.encode() not in body, f"{path.name} names {person}"
        assert CONTACTS.encode() not in body, f"{path.name} names the contacts graph"
        assert not PHONE.search(body), f"{path.name} holds a phone number"
        if path.name not in ("catalog.ttl", "catalog.rdf", "catalog.jsonld"):
            assert not EMAIL.search(body), f"{path.name} holds an e-mail address"
        assert b"Jane Doe" not in body


def test_public_graphs_linking_a_person_are_refused(tmp_path: Path) -> None:
    leak = (DATA / "data.nq").read_text() + (
        f"<{BASE}id/cluster/biorn> <http://www.w3.org/ns/org#hasMember> <{BASE}id/person/jane-doe> "
        f"<{BASE}graph/doc-a> .\n"
    )
    settings = make_project(tmp_path, leak)
    with pytest.raises(NonConformingError, match="person/jane-doe"):
        releases.publish(settings, open_kg(settings))
    assert not settings.dumps_dir.exists()


def test_a_store_that_does_not_conform_gets_no_record_and_is_not_published(tmp_path: Path) -> None:
    broken = (DATA / "data.nq").read_text().replace("ontology#runBy", "ontology#ranBy")
    with pytest.raises(NonConformingError, match="does not conform"):
        make_project(tmp_path / "gated", broken)
    settings = make_project(tmp_path / "ungated", broken, validate=False)  # built by other means
    with pytest.raises(StoreError, match="has no validation record"):
        pipeline.publish_release(settings)
    assert not settings.dumps_dir.exists()


def test_a_build_checked_against_other_shapes_is_refused_by_the_cli(tmp_path: Path) -> None:
    settings = make_project(tmp_path)
    shapes = settings.path("shapes") / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# edited after the build\n", encoding="utf-8")
    args = ["--project-dir", str(settings.project_dir), "publish", "--store", str(settings.store)]
    result = CliRunner().invoke(main, [*args, "-q", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "validated against other shapes" in result.output and "clusterkg build" in result.output
    assert not (tmp_path / "out").exists()


def test_publish_trusts_the_record_and_runs_no_shacl(
    project: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyshacl

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("publish ran pySHACL")

    monkeypatch.setattr(pyshacl, "validate", refuse)
    release = pipeline.publish_release(dataclasses.replace(project, dumps_dir=tmp_path / "out"))
    assert (release.folder / "clusterkg.nq.gz").is_file()


def test_a_failing_publish_leaves_the_previous_release(
    project: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dumps"
    releases.publish(project, open_kg(project), out)
    before = tree_bytes(out)

    def fail(*_: object) -> None:
        raise RuntimeError("killed midway")

    monkeypatch.setattr(releases, "write_ontology_html", fail)  # after the dumps, before the catalog
    with pytest.raises(RuntimeError, match="killed midway"):
        releases.publish(project, open_kg(project), out)
    assert tree_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dumps"], "the staging folder was left behind"


def test_catalog_checksums_and_sizes_match_the_dumps(release: Path) -> None:
    catalog = oxigraph_dataset(release / "catalog.ttl")
    spdx, dcat = "http://spdx.org/rdf/terms#", "http://www.w3.org/ns/dcat#"
    for name in DATA_DUMPS:
        dist = f"{BASE}distribution/{name}"
        checksum = _value(catalog, dist, spdx + "checksum")
        assert (
            _value(catalog, checksum, spdx + "checksumValue")
            == hashlib.sha256((release / name).read_bytes()).hexdigest()
        )
        assert int(_value(catalog, dist, dcat + "byteSize")) == (release / name).stat().st_size


def _value(dataset: ox.Dataset, subject: str, predicate: str) -> str:
    values = [
        q.object.value
        for q in dataset.quads_for_subject(ox.NamedNode(subject))
        if q.predicate.value == predicate
    ]
    assert len(values) == 1, f"{subject} has {len(values)} {predicate}"
    return values[0]


def test_catalog_states_coverage_read_from_the_data(release: Path) -> None:
    text = (release / "catalog.ttl").read_text()
    for country in ("country:DEU", "country:FRA", "country:CAN"):
        assert country in text
    assert '"2019-01-01"^^xsd:date' in text and '"2021-12-31"^^xsd:date' in text
    void = oxigraph_dataset(release / "void.ttl")
    assert int(_value(void, f"{BASE}dataset", "http://rdfs.org/ns/void#triples")) == len(
        _triples(oxigraph_dataset(release / "clusterkg.nt.gz"))
    )
    assert "void:Linkset" in (release / "void.ttl").read_text()


def test_ontology_docs_show_labels_in_both_languages_and_connections(release: Path) -> None:
    page = (release / "ontology.html").read_text()
    assert "Projekt" in page and "Project" in page
    assert 'id="class-connections"' in page
    assert re.search(r"Project.*run by.*Cluster", page.split('id="class-connections"')[1])


def test_cli_publish_and_diff(project: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--project-dir", str(project.project_dir), "publish", "--store", str(project.store), "-q"]
    first = runner.invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert "Published release 0.1.0" in first.output
    changed = make_project(tmp_path / "changed", (DATA / "data.nq").read_text().replace('"2021"', '"2022"'))
    second = runner.invoke(
        main,
        [
            "--project-dir",
            str(changed.project_dir),
            "publish",
            "--store",
            str(changed.store),
            "-q",
            "--out",
            str(tmp_path / "b"),
            "--previous",
            str(tmp_path / "a"),
        ],
    )
    assert second.exit_code == 0, second.output
    assert "Changes since" in (tmp_path / "b" / "catalog.ttl").read_text()
    result = runner.invoke(main, ["diff", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert f"{BASE}graph/doc-b  +1 / -1" in result.output
    assert "Resources changed: 1" in result.output and "project/alps" in result.output
    same = runner.invoke(main, ["diff", str(tmp_path / "a"), str(tmp_path / "a")])
    assert same.output.strip() == "No differences."


def test_cli_publish_without_a_store_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "no store" in result.output
