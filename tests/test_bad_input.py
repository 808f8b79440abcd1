"""Every kind of bad input stops `clusterkg build` with exit 2, a message naming
file/row/column, and leaves the existing store byte-for-byte unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project, tree_digest

from clusterkg.cli import main


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("bad-input"))
    result = CliRunner().invoke(main, ["--project-dir", str(project), "build", "--quiet"])
    assert result.exit_code == 0, result.output
    return project


def _rewrite(path: Path, edit: Callable[[str], str]) -> None:
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def _header(text: str) -> str:
    return text.replace("key,name,", "id,name,", 1)


def _drop_required(text: str) -> str:
    lines = text.splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[1] = ""  # name
    lines[2] = ",".join(cells)
    return "".join(lines)


def _duplicate_key(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines, lines[1]])


def _unknown_country(text: str) -> str:
    return text.replace(",Germany,", ",Germanyland,", 1)


def _dangling_reference(text: str) -> str:
    lines = text.splitlines(keepends=True)
    first = lines[1].split(",")
    header = lines[0].strip().split(",")
    first[header.index("managed_by")] = "no-such-organisation"
    lines[1] = ",".join(first)
    return "".join(lines)


def _latin1(path: Path) -> None:
    path.write_bytes(path.read_bytes() + "x,Übel,de\n".encode("latin-1"))


CASES = {
    "wrong header": (
        "sources/clusters.csv",
        lambda p: _rewrite(p, _header),
        ["clusters.csv", "row 1", "key"],
    ),
    "missing required cell": (
        "sources/clusters.csv",
        lambda p: _rewrite(p, _drop_required),
        ["clusters.csv", "row 3", "column 'name'", "required"],
    ),
    "not utf-8": ("sources/clusters.csv", _latin1, ["clusters.csv", "not UTF-8", "row"]),
    "duplicate key": (
        "sources/clusters.csv",
        lambda p: _rewrite(p, _duplicate_key),
        ["duplicate key", "column 'key'"],
    ),
    "unknown country": (
        "sources/organisations.csv",
        lambda p: _rewrite(p, _unknown_country),
        ["organisations.csv", "column 'country'", "Germanyland", "country_aliases.csv"],
    ),
    "dangling reference": (
        "sources/clusters.csv",
        lambda p: _rewrite(p, _dangling_reference),
        ["clusters.csv", "row 2", "column 'managed_by'", "no-such-organisation", "organisations.csv"],
    ),
    "malformed mapping": (
        "mappings/clusters.rml.ttl",
        lambda p: _rewrite(p, lambda t: t.replace("rml:subjectMap", "rml:subjectMapp")),
        ["clusters.rml.ttl"],
    ),
    "shapes do not parse": (
        "shapes/clusterkg-shapes.ttl",
        lambda p: _rewrite(p, lambda t: t + "\n this is { not turtle\n"),
        ["clusterkg-shapes.ttl", "does not parse"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_and_keeps_store(project: Path, case: str) -> None:
    relative, breaker, expected = CASES[case]
    target = project / relative
    backup = target.read_bytes()
    before = tree_digest(project / "var" / "store")
    try:
        breaker(target)
        result = CliRunner().invoke(main, ["--project-dir", str(project), "build", "--quiet"])
    finally:
        target.write_bytes(backup)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output, f"{text!r} not in {result.output!r}"
    assert "hint:" in result.output
    assert tree_digest(project / "var" / "store") == before


def test_non_conforming_data_exits_1_and_keeps_store(project: Path) -> None:
    shapes = project / "shapes" / "extra-test-shape.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        "<urn:test:shape> a sh:NodeShape ; sh:targetClass ckg:Cluster ;\n"
        "  sh:property [ sh:path ckg:noSuchProperty ; sh:minCount 1 ;"
        ' sh:message "test: every cluster needs ckg:noSuchProperty" ] .\n',
        encoding="utf-8",
    )
    before = tree_digest(project / "var" / "store")
    try:
        result = CliRunner().invoke(main, ["--project-dir", str(project), "build", "--quiet"])
    finally:
        shapes.unlink()
    assert result.exit_code == 1, result.output
    assert "every cluster needs ckg:noSuchProperty" in result.output
    assert "clusters.csv record" in result.output
    assert tree_digest(project / "var" / "store") == before


def test_second_build_keeps_previous_for_rollback(project: Path) -> None:
    result = CliRunner().invoke(main, ["--project-dir", str(project), "build", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Previous build kept for rollback" in result.output
    builds = list((project / "var" / "store.builds").iterdir())
    assert len(builds) >= 2


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sparql", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no store at" in result.output and "clusterkg build" in result.output
