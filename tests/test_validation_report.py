"""The validation report: valid SHACL (report shapes from SHACL §3.6), equal as a graph to
pySHACL's own report on the W3C core suite and on our data, stable across runs, readable as text;
and `clusterkg validate` on every release file format, several files, and the build's record."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from test_shapes import VALID
from test_validation_compiled import CASES, MF, SHT, UNSUPPORTED, _canonical, _load, memory_select, parse

from clusterkg import pipeline, validation
from clusterkg.cli import main
from clusterkg.rdf import parse_graphs
from clusterkg.settings import Settings
from clusterkg.validation.details import add_details
from clusterkg.validation.report_rdf import SKOLEM, skolemise

SH = Namespace("http://www.w3.org/ns/shacl#")
REPORT_SHAPES = Path(__file__).parent / "data" / "validation-report-shapes.ttl"

# W3C cases where pySHACL's own report is not the reference, and why.
STRANGE_PATHS = (
    "a path whose blank nodes are shared with other paths or lists: pySHACL copies them its own way"
)
PYSHACL_PATHS = {
    n: STRANGE_PATHS for n in ("path/path-complex-002", "path/path-strange-001", "path/path-strange-002")
}
COMPILED_DIFFERS = {
    **UNSUPPORTED,
    **PYSHACL_PATHS,
    "property/datatype-ill-formed": "the store keeps an ill-formed xsd:byte as an xsd:integer value",
    "property/uniqueLang-002": "pySHACL finds a result the W3C report has not (compiled agrees with W3C)",
}


# ---------------------------------------------------------------- comparing reports as graphs


def report_proper(graph: Graph, *, messages: bool = True, collapse: bool = False) -> Graph:
    """The report itself: the report node, its results and details, their paths. pySHACL also
    copies data triples about blank focus nodes; those are not part of the report. Literals in
    canonical form (the store normalises "4.0"^^xsd:decimal to "4"). With `collapse`, identical
    results count once (the compiled validator writes each distinct result once)."""
    out = Graph()
    seen: set[frozenset[object]] = set()
    for report in graph.subjects(RDF.type, SH.ValidationReport):
        out.add((report, RDF.type, SH.ValidationReport))
        out.add((report, SH.conforms, graph.value(report, SH.conforms)))  # type: ignore[arg-type]
        for result in graph.objects(report, SH.result):
            key = _signature(graph, result)
            if collapse and key in seen:
                continue
            seen.add(key)
            out.add((report, SH.result, result))
            _copy_result(graph, result, out, messages)
    return out


def _signature(graph: Graph, node: object) -> frozenset[object]:
    return frozenset(
        (p, _signature(graph, o) if p == SH.detail else _canon(o))
        for p, o in graph.predicate_objects(node)  # type: ignore[arg-type]
        if p != SH.resultMessage
    )


def _copy_result(graph: Graph, result: object, out: Graph, messages: bool) -> None:
    for p, o in graph.predicate_objects(result):  # type: ignore[arg-type]
        if p == SH.resultMessage and not messages:
            continue
        out.add((result, p, _canon(o)))  # type: ignore[arg-type]
        if p == SH.detail:
            _copy_result(graph, o, out, messages)
        if p == SH.resultPath:
            _copy_path(graph, o, out)


def _copy_path(graph: Graph, node: object, out: Graph) -> None:
    if isinstance(node, BNode):
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            _copy_path(graph, o, out)


def _canon(node: object) -> object:
    if isinstance(node, Literal) and node.datatype is not None:
        return Literal(_canonical(node), datatype=node.datatype)
    return node


def _conforms_to_report_shapes(report: Graph) -> None:
    shapes = Graph().parse(REPORT_SHAPES)
    result = validation.validate_graph(report, shapes)
    assert not result.results, result.to_text()


# ---------------------------------------------------------------- the W3C core suite


def _case(name: str) -> tuple[Graph, Graph]:
    """(data, shapes) of a W3C case, blank-node shapes skolemised (in the data too when shared)."""
    manifest_path, case = CASES[name]
    manifest = parse(manifest_path)
    action = manifest.value(case, MF.action)
    shapes = _load(manifest.value(action, SHT.shapesGraph), manifest_path, manifest)
    data = _load(manifest.value(action, SHT.dataGraph), manifest_path, manifest)
    named = skolemise(shapes)
    return (named if data is shapes else data), named


def _params(reasons: dict[str, str]) -> list[object]:
    return [
        pytest.param(n, marks=pytest.mark.skip(reason=reasons[n])) if n in reasons else n
        for n in sorted(CASES)
    ]


@pytest.mark.parametrize("name", _params(PYSHACL_PATHS))
def test_w3c_report_equals_pyshacl(name: str) -> None:
    data, shapes = _case(name)
    ours = validation.validate_graph(data, shapes).to_graph()
    reference = validation.pyshacl_report(data, shapes)
    assert isomorphic(report_proper(ours), report_proper(reference))
    _conforms_to_report_shapes(ours)


@pytest.mark.parametrize("name", _params(COMPILED_DIFFERS))
def test_w3c_compiled_report_equals_pyshacl(name: str) -> None:
    """Messages aside (the W3C suite does not compare them; the defaults are worded differently)."""
    data, shapes = _case(name)
    select = memory_select(data)
    report = validation.validate_with_queries(validation.compile_shapes(shapes), select)
    report.shapes = shapes
    add_details(report, shapes, select)
    reference = validation.pyshacl_report(data, shapes)
    ours = report.to_graph()
    assert isomorphic(
        report_proper(ours, messages=False, collapse=True),
        report_proper(reference, messages=False, collapse=True),
    )
    _conforms_to_report_shapes(ours)


# ---------------------------------------------------------------- our data

CKG = "https://w3id.org/clusterkg/ontology#"


def _break(lines: list[str]) -> list[str]:
    """Four kinds of error at once: a missing label, a bad country (sh:node: details), a literal
    where an IRI is required, a wrong datatype."""
    cluster = "<https://w3id.org/clusterkg/id/cluster/amz>"
    out = [x for x in lines if not x.startswith(f"{cluster} <http://www.w3.org/2000/01/rdf-schema#label> ")]
    edits = [
        ("country", r"country/[A-Z0-9]{3}>", "country/ZZZ>"),
        ("managedBy", r"^(<[^>]+> <[^>]+> )<[^>]+>", r'\1"an organisation"'),
        ("founded", r"XMLSchema#gYear>", "XMLSchema#date>"),
    ]
    for predicate, pattern, replacement in edits:
        i = next(i for i, x in enumerate(out) if f" <{CKG}{predicate}> " in x and not x.startswith(f"<{CKG}"))
        out[i] = re.sub(pattern, replacement, out[i], count=1)
    return out


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph, Graph]:
    """(N-Quads of our mapped data with errors, the same as a graph with the ontology, the shapes)."""
    settings = Settings.from_env(environ={}, project_dir=REPO)
    folder = tmp_path_factory.mktemp("broken")
    pipeline.map_sources(settings, folder / "mapped.nq")
    lines = (folder / "mapped.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    nquads = folder / "broken.nq"
    nquads.write_text("".join(_break(lines)), encoding="utf-8")
    data = parse_graphs([nquads, *sorted((REPO / "ontology").glob("*.ttl"))])
    return nquads, data, validation.load_shapes(REPO / "shapes", REPO / "ontology")


def test_report_on_our_data_equals_pyshacl(broken: tuple[Path, Graph, Graph]) -> None:
    _, data, shapes = broken
    reference = validation.pyshacl_report(data, shapes)
    ours = validation.validate_graph(data, shapes)
    assert isomorphic(report_proper(ours.to_graph()), report_proper(reference))
    assert len(list(reference.objects(None, SH.result))) == len(ours.results) >= 4
    assert any(r.details for r in ours.results)  # sh:node results keep their sh:detail, nested
    _conforms_to_report_shapes(ours.to_graph())


def test_compiled_report_on_our_data_equals_pyshacl(broken: tuple[Path, Graph, Graph]) -> None:
    _, data, shapes = broken
    select = memory_select(data)
    report = validation.validate_with_queries(validation.compile_shapes(shapes), select)  # type: ignore[arg-type]
    report.shapes = shapes
    add_details(report, shapes, select)  # type: ignore[arg-type]
    reference = validation.pyshacl_report(data, shapes)
    assert isomorphic(report_proper(report.to_graph()), report_proper(reference))


def test_skolem_names_are_stable() -> None:
    """Two parses (fresh blank node labels each) name every anonymous shape the same."""
    first = validation.load_shapes(REPO / "shapes", REPO / "ontology")
    second = validation.load_shapes(REPO / "shapes", REPO / "ontology")
    named = {str(s) for s in first.all_nodes() if str(s).startswith(SKOLEM)}
    assert named and named == {str(s) for s in second.all_nodes() if str(s).startswith(SKOLEM)}
    assert not [s for s in first.subjects(SH.path) if isinstance(s, BNode)]
    assert isomorphic(first, second)


def test_result_json_round_trip(broken: tuple[Path, Graph, Graph]) -> None:
    _, data, shapes = broken
    report = validation.validate_graph(data, shapes)
    again = validation.ValidationReport.from_json(report.to_json())
    assert again.results == report.results and again.triples == report.triples


# ---------------------------------------------------------------- text


def _bad_turtle(tmp_path: Path) -> Path:
    bad = VALID.replace('rdfs:label "AMZ Sachsen"@de , "AMZ Saxony"@en ;', "")
    bad = bad.replace("ckg:country country:DEU ; ckg:founded", "ckg:country country:ZZZ ; ckg:founded")
    bad = bad.replace("ckg:managedBy <id/organisation/amz-ev>", 'ckg:managedBy "an organisation"')
    path = tmp_path / "bad.ttl"
    path.write_text(bad, encoding="utf-8")
    return path


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project-dir", str(REPO), "validate", *args])
    return result.exit_code, result.output


def test_text_names_components_and_anonymous_shapes(tmp_path: Path) -> None:
    code, out = _run(tmp_path, str(_bad_turtle(tmp_path)))
    assert code == 1
    # sh:class and sh:nodeKind both fail on one value with one message: one finding, both named
    managed = out.split("managed by at most one organisation")[1].split("\n\n")[0]
    assert "sh:ClassConstraintComponent, sh:NodeKindConstraintComponent" in managed
    assert managed.count("focus: https://example.org/kg/id/cluster/amz") == 1
    assert "shape: ckgsh:ClusterShape / property ckg:managedBy" in managed
    assert "because: Violation sh:InConstraintComponent" in out  # the sh:detail under sh:node
    assert SKOLEM not in out and not re.search(r"\bn[0-9a-f]{20,}", out)


def test_turtle_report_is_reproducible(tmp_path: Path) -> None:
    """Two runs (fresh parses, fresh blank node labels in the shapes) write the same bytes."""
    bad = str(_bad_turtle(tmp_path))
    first, second = (_run(tmp_path, "--format", "turtle", bad) for _ in range(2))
    assert first == second and first[0] == 1
    report = Graph().parse(data=first[1], format="turtle")
    assert len(set(report.objects(None, SH.conforms))) == 1
    assert all(isinstance(s, URIRef) for s in report.objects(None, SH.sourceShape))


# ---------------------------------------------------------------- files


def test_every_release_format_validates_directly(tmp_path: Path) -> None:
    """Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML, and each gzipped: the same results."""
    source = Graph().parse(_bad_turtle(tmp_path))
    forms = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
    outputs = set()
    for suffix, fmt in forms.items():
        plain_file = tmp_path / f"data.{suffix}"
        plain_file.write_text(source.serialize(format=fmt), encoding="utf-8")
        packed = tmp_path / f"data.{suffix}.gz"
        packed.write_bytes(gzip.compress(plain_file.read_bytes()))
        for path in (plain_file, packed):
            code, out = _run(tmp_path, "--format", "json", str(path))
            assert code == 1, out
            outputs.add(json.dumps(sorted(json.dumps(r, sort_keys=True) for r in json.loads(out)["results"])))
    assert len(outputs) == 1


def test_release_dump_validates(tmp_path: Path) -> None:
    nq = tmp_path / "clusterkg.nq.gz"
    lines = Graph().parse(_bad_turtle(tmp_path)).serialize(format="nt")
    nq.write_bytes(
        gzip.compress("".join(f"{x[:-2]} <urn:g:x> .\n" for x in lines.splitlines() if x).encode())
    )
    code, out = _run(tmp_path, str(nq))
    assert code == 1 and "codec" not in out and "Does not conform" in out


def test_several_files_name_their_file(tmp_path: Path) -> None:
    bad = _bad_turtle(tmp_path)
    good = tmp_path / "other.ttl"
    good.write_text(
        VALID.replace("id/cluster/amz", "id/cluster/other").replace('"amz"', '"other"'), encoding="utf-8"
    )
    code, out = _run(tmp_path, "--format", "json", str(bad), str(good))
    results = json.loads(out)["results"]
    described = {str(s) for s in Graph().parse(bad).subjects()} | {
        str(s) for s in Graph().parse(good).subjects()
    }
    assert code == 1
    assert {r["data_file"] for r in results if r["focus"].endswith("/cluster/amz")} == {str(bad)}
    for r in results:  # a focus node described in no file (e.g. a country IRI) names none
        assert (r["data_file"] in (str(bad), str(good))) == (r["focus"] in described), r


def test_bad_gzip_named(tmp_path: Path) -> None:
    broken = tmp_path / "x.nq.gz"
    broken.write_bytes(b"not gzip at all")
    code, out = _run(tmp_path, str(broken))
    assert code == 2 and "x.nq.gz" in out


# ---------------------------------------------------------------- the build's record


def test_validate_without_files_shows_the_builds_report(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    contacts = project / "sources" / "contacts.csv"
    text = contacts.read_text(encoding="utf-8")
    if "deepsea-mining-alliance." not in text:  # make sure there is a warning to show
        pytest.skip("the sources no longer carry the e-mail warning")
    runner = CliRunner()
    build = runner.invoke(
        main,
        ["--project-dir", str(project), "build", "--quiet"],
        env={"CLUSTERKG_STORE": str(project / "var" / "store")},
    )
    assert build.exit_code == 0, build.output
    assert "Warning:" in build.output and "sh:PatternConstraintComponent" in build.output
    shown = runner.invoke(
        main,
        ["--project-dir", str(project), "validate"],
        env={"CLUSTERKG_STORE": str(project / "var" / "store")},
    )
    assert shown.exit_code == 0, shown.output
    assert "dsma-contact" in shown.output and "sh:PatternConstraintComponent" in shown.output
    assert "shape: ckgsh:" in shown.output


# ---------------------------------------------------------------- shapes without the ontology


SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def _without_hierarchy(data: Graph) -> Graph:
    out = Graph()
    out += data
    out.remove((None, SUBCLASS, None))
    return out


def _most_specific_types(data: Graph, ontology: Graph) -> Graph:
    """`data` with only each node's most specific types, as a third party's data may come."""
    from clusterkg.validation.class_targets import subclasses

    below = subclasses(ontology)
    out = Graph()
    for s, p, o in data:
        if p == RDF.type and any((s, RDF.type, sub) in data for sub in below.get(o, ())):
            continue
        out.add((s, p, o))
    return out


def _keys(report: validation.ValidationReport) -> set[tuple[str, ...]]:
    return {_keys_of(r) for r in report.results}


def test_shapes_alone_need_no_ontology(broken: tuple[Path, Graph, Graph]) -> None:
    """pySHACL with shapes/ alone on our data, no rdfs:subClassOf in the data graph (SHACL's
    targets and sh:class read the hierarchy there): the same results as with the ontology."""
    _, data, shapes = broken
    alone = validation.validate_graph(_without_hierarchy(data), shapes)
    assert _keys(alone) == _keys(validation.validate_graph(data, shapes))


def test_class_targets_reach_instances_of_subclasses(broken: tuple[Path, Graph, Graph]) -> None:
    """Data that types a node only by its most specific class: shapes/class-targets.ttl lets the
    superclass's shapes find it without the ontology; without that file they miss results.
    (sh:class still needs the superclass type on the value, which our data carries.)"""
    _, data, shapes = broken
    ontology = parse_graphs(sorted((REPO / "ontology").glob("*.ttl")))
    specific = _most_specific_types(data, ontology)
    bare = _without_hierarchy(specific)
    with_ontology = _keys(validation.validate_graph(specific, shapes))
    alone = validation.validate_graph(bare, shapes)
    assert with_ontology <= _keys(alone) and len(with_ontology) >= 4
    extra = {r.component for r in alone.results if _keys_of(r) not in with_ontology}
    assert extra <= {"ClassConstraintComponent", "OrConstraintComponent"}  # sh:class, alone or in sh:or
    files = sorted(p for p in (REPO / "shapes").glob("*.ttl") if p.name != "class-targets.ttl")
    without = _keys(validation.validate_graph(bare, skolemise(parse_graphs(files))))
    assert with_ontology - without


def _keys_of(r: validation.ValidationResult) -> tuple[str, ...]:
    return (r.focus, r.path, r.component, r.value, r.shape)


def test_class_targets_file_is_current() -> None:
    from clusterkg.validation.class_targets import class_targets_turtle

    target = REPO / "shapes" / "class-targets.ttl"
    others = sorted(p for p in (REPO / "shapes").glob("*.ttl") if p != target)
    expected = class_targets_turtle(
        parse_graphs(others), parse_graphs(sorted((REPO / "ontology").glob("*.ttl")))
    )
    assert target.read_text(encoding="utf-8") == expected, "run: python tools/class_targets.py"
