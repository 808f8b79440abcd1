"""Every kind of bad input stops `clusterkg build` with exit 2, a message naming
file/row/column, and leaves the existing store byte-for-byte unchanged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project, tree_digest
from rdflib import Graph

from clusterkg.cli import main
from clusterkg.errors import ShapesError
from clusterkg.validation.shapes_check import check_shapes, read_shapes


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


def _replace(old: str, new: str) -> Callable[[Path], None]:
    """A breaker replacing `old` (which must be there, so a stale case cannot pass unbroken)."""

    def edit(text: str) -> str:
        assert old in text, f"{old!r} no longer in the file: update the test case"
        return text.replace(old, new, 1)

    return lambda path: _rewrite(path, edit)


def _control_character(char: str) -> Callable[[Path], None]:
    return _replace(",AMZ Sachsen,", f",AMZ{char}Sachsen,")  # row 2, column name


def _huge_cell(path: Path) -> None:
    """A 10 MB cell in row 3 (the limit is Python's csv.field_size_limit, 131072 characters)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[-1] = "x" * 10_000_000 + "\n"  # summary, the last column
    lines[2] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")


def _unclosed_quote(path: Path) -> None:
    """Row 3's name opens a quote that never closes; the rows after it run into one huge cell."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[1] = '"' + cells[1]
    lines[2] = ",".join(cells)
    filler = "".join(f"filler-{i},a cluster that is not one,en,,,,,,Germany,,x,y\n" for i in range(4000))
    path.write_text("".join([*lines[:3], filler, *lines[3:]]), encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _prefixes_only(path: Path) -> None:
    path.write_text("@prefix rml: <http://w3id.org/rml/> .\n# every triples map deleted\n", encoding="utf-8")


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
    # issue 10 §3: no traceback, whatever the input
    "escape character in a cell": (
        "sources/clusters.csv",
        _control_character("\x1b"),
        ["clusters.csv", "row 2", "column 'name'", "U+001B", "ESC"],
    ),
    "NUL in a cell": (
        "sources/clusters.csv",
        _control_character("\x00"),
        ["clusters.csv", "row 2", "column 'name'", "U+0000", "NUL"],
    ),
    "DEL in a cell": (
        "sources/clusters.csv",
        _control_character("\x7f"),
        ["clusters.csv", "row 2", "column 'name'", "U+007F", "DEL"],
    ),
    "10 MB cell": (
        "sources/clusters.csv",
        _huge_cell,
        ["clusters.csv", "row 3", "column 'summary'", "field limit", "more than 131072 characters; split it"],
    ),
    "unclosed quote": (
        "sources/clusters.csv",
        _unclosed_quote,
        ["clusters.csv", "row 3", "column 'name'", "field limit", "unclosed quote", "starting in row 3"],
    ),
    "missing country names": (
        "reference/country_names.csv",
        lambda p: p.unlink(),
        ["country_names.csv", "missing", "restore reference/country_names.csv"],
    ),
    "empty mapping file": ("mappings/clusters.rml.ttl", _empty, ["clusters.rml.ttl", "is empty"]),
    "mapping file without triples maps": (
        "mappings/clusters.rml.ttl",
        _prefixes_only,
        ["clusters.rml.ttl", "no triples map"],
    ),
    **{
        f"broken shape: {name}": (
            "shapes/clusterkg-shapes.ttl",
            _replace(old, new),
            ["clusterkg-shapes.ttl", *expected],
        )
        for name, (old, new, expected) in {
            "sh:minCount not an integer": (
                "sh:path prov:wasDerivedFrom ;\n    sh:minCount 1 ;",
                'sh:path prov:wasDerivedFrom ;\n    sh:minCount "one" ;',
                ["ckgsh:wasDerivedFromDocument", 'sh:minCount "one"', "xsd:integer"],
            ),
            "sh:pattern not a regex": (
                'sh:pattern "^[a-z]{2}$"',
                'sh:pattern "^[a-z{2}$"',
                ["ckgsh:SourceDocumentShape > property dct:language", "not a valid regular expression"],
            ),
            "sh:pattern with a look-around": (
                'sh:pattern "^[a-z]{2}$"',
                'sh:pattern "^(?=[a-z])..$"',
                ["ckgsh:SourceDocumentShape > property dct:language", "look-around"],
            ),
            "sh:minCount above sh:maxCount": (
                "sh:path ckg:sourceRecord ;\n    sh:minCount 1 ; sh:maxCount 1 ;",
                "sh:path ckg:sourceRecord ;\n    sh:minCount 2 ; sh:maxCount 1 ;",
                ["ckgsh:sourceRecord", "sh:minCount 2 is above sh:maxCount 1"],
            ),
            "sh:maxCount negative": (
                "sh:path ckg:managedBy ;\n        sh:maxCount 1 ;",
                "sh:path ckg:managedBy ;\n        sh:maxCount -1 ;",
                ["ckgsh:ClusterShape > property ckg:managedBy", "sh:maxCount -1 is negative"],
            ),
            "sh:datatype a literal": (
                "sh:path ckg:sourceRecord ;\n    sh:minCount 1 ; sh:maxCount 1 ;\n    sh:datatype xsd:string",
                'sh:path ckg:sourceRecord ;\n    sh:minCount 1 ; sh:maxCount 1 ;\n    sh:datatype "string"',
                ["ckgsh:sourceRecord", 'sh:datatype "string"', "IRI"],
            ),
            "sh:in not a list": (
                'sh:in ( ckg:Stated ckg:Implied ckg:Tentative ) ;\n        sh:message "A target market',
                'sh:in ckg:Stated ;\n        sh:message "A target market',
                ["ckgsh:TargetMarketShape > property ckg:certainty", "sh:in ckg:Stated", "RDF list"],
            ),
        }.items()
    },
    "shapes file emptied": (
        "shapes/clusterkg-shapes.ttl",
        _empty,
        ["shapes", "no active shape targets any of the", "ckg:Cluster", "ontology"],
    ),
    "class left without a shape": (
        "shapes/clusterkg-shapes.ttl",
        _replace("sh:targetClass ckg:TargetMarket ;", ""),
        ["shapes", "no active shape targets the class(es) ckg:TargetMarket"],
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


@pytest.mark.parametrize("case", ["real shapes", *(c for c in CASES if c.startswith("broken shape: "))])
def test_w3c_shacl_shacl_gives_the_same_verdict(tmp_path: Path, standards_dir: Path, case: str) -> None:
    """The build checks shapes against the SHACL-SHACL that pySHACL bundles; the W3C copy agrees."""
    w3c = Graph().parse(standards_dir / "shacl" / "shacl-shacl.ttl")
    shutil.copytree(REPO / "shapes", tmp_path / "shapes")
    if case != "real shapes":
        relative, breaker, _ = CASES[case]
        breaker(tmp_path / relative)
    shapes, files = read_shapes(sorted((tmp_path / "shapes").glob("*.ttl")))
    if case == "real shapes":
        check_shapes(shapes, files, meta=w3c)
        return
    with pytest.raises(ShapesError) as caught:
        check_shapes(shapes, files, meta=w3c)
    for text in CASES[case][2][1:]:  # the file, then the shape and what is wrong
        assert text in str(caught.value)


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
