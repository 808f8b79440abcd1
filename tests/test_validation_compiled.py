"""The compiled (SPARQL) SHACL validator: the W3C core test suite, and equal to pySHACL on our data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import REPO, STANDARDS
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from clusterkg import pipeline
from clusterkg.settings import Settings
from clusterkg.validation import (
    ValidationReport,
    compile_shapes,
    load_shapes,
    validate_nquads,
    validate_with_queries,
)
from clusterkg.validation.compiled import with_class_closures
from clusterkg.validation.expressions import result_path
from clusterkg.validation.report_rdf import severity_name
from clusterkg.validation.screen import PASSED, screen_lines, screen_nquads

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CORE = STANDARDS / "shacl" / "test-suite" / "core"

# W3C cases the compiler does not support, and why; everything else must match the expected report.
QUALIFIED = "sh:qualifiedValueShape is not compiled (our shapes do not use it); pySHACL handles it"
UNSUPPORTED: dict[str, str] = {
    "property/qualifiedMinCountDisjoint-001": QUALIFIED,
    "property/qualifiedValueShape-001": QUALIFIED,
    "property/qualifiedValueShapesDisjoint-001": QUALIFIED,
}


def parse(path: Path) -> Graph:
    """Parse Turtle keeping lexical forms as written (rdflib would turn "none"^^xsd:boolean into false)."""
    saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(path, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def manifest_cases(manifest: Path) -> Iterator[tuple[str, Path, URIRef]]:
    """(case id, manifest file, case IRI) of every sht:Validate entry, following mf:include."""
    graph = Graph().parse(manifest, format="turtle")
    for include in graph.objects(None, MF.include):
        yield from manifest_cases(Path(str(include).removeprefix("file://")))
    for entries in graph.objects(None, MF.entries):
        for case in Collection(graph, entries):
            if (case, RDF.type, SHT.Validate) in graph:
                name = f"{manifest.parent.name}/{str(case).rsplit('/', 1)[-1]}"
                yield name, manifest, URIRef(str(case))


CASES = {name: (manifest, case) for name, manifest, case in manifest_cases(CORE / "manifest.ttl")}


def memory_select(data: Graph):  # type: ignore[no-untyped-def]
    """A select function over `data` in an in-memory Oxigraph store, terms as N-Triples."""
    store = ox.Store()  # parse() keeps blank node labels (Store.load renames them)
    store.extend(ox.parse(data.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES))
    return _select_over(store)


def _select_over(store: ox.Store):  # type: ignore[no-untyped-def]
    """Rows of a SELECT over the merge of the store's graphs, terms as N-Triples."""

    def select(query: str) -> Iterator[dict[str, str]]:
        result = store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        for row in result:
            yield {n: str(row[n]) for n in names if row[n] is not None}

    return select


def _load(iri: object, manifest_path: Path, manifest: Graph) -> Graph:
    """The graph a case names; its own manifest file is reused, so blank node ids agree."""
    path = Path(str(iri).removeprefix("file://"))
    return manifest if path == manifest_path else parse(path)


def _expected(manifest: Graph, case: URIRef) -> tuple[bool, set[tuple[str, ...]]]:
    found: set[tuple[str, ...]] = set()
    report = manifest.value(case, MF.result)
    conforms = bool(manifest.value(report, SH.conforms).toPython())  # type: ignore[union-attr]
    for r in manifest.objects(report, SH.result):
        value = manifest.value(r, SH.value)
        found.add(
            (
                _canonical(manifest.value(r, SH.focusNode)),  # type: ignore[arg-type]
                result_path(manifest, manifest.value(r, SH.resultPath)),
                "" if value is None else _canonical(value),
                severity_name(manifest.value(r, SH.resultSeverity)),  # a severity of one's own: its IRI
                str(manifest.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            )
        )
    return conforms, found


def _canonical(value: Node) -> str:
    """A literal's lexical form as Oxigraph stores it (it normalises e.g. "4.0"^^xsd:decimal to "4")."""
    if not isinstance(value, Literal):
        return str(value)
    kind = ox.Literal(str(value), language=value.language) if value.language else None
    literal = kind or ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype or XSD_STRING)))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), literal))
    return str(next(iter(store)).object.value)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.skip(reason=UNSUPPORTED[n])) if n in UNSUPPORTED else n
        for n in sorted(CASES)
    ],
)
@pytest.mark.parametrize("screened", [False, True], ids=["queries", "screened"])
def test_w3c_shacl_core(name: str, screened: bool) -> None:
    manifest_path, case = CASES[name]
    manifest = parse(manifest_path)
    action = manifest.value(case, MF.action)
    shapes = _load(manifest.value(action, SHT.shapesGraph), manifest_path, manifest)
    data = _load(manifest.value(action, SHT.dataGraph), manifest_path, manifest)
    compiled = compile_shapes(shapes)
    assert not compiled.unsupported, f"unsupported: {compiled.unsupported} (add {name} to UNSUPPORTED)"
    # Screened: the checks the screen clears over the data's N-Triples are not run at all, the
    # ones it narrows run narrowed.
    lines = data.serialize(format="nt").splitlines(keepends=True)
    verdicts = screen_lines(compiled.checks, shapes, lines) if screened else {}
    report = validate_with_queries(compiled, memory_select(data), verdicts=verdicts)
    conforms, expected = _expected(manifest, case)
    got = {(r.focus, r.path, r.value, r.severity, r.component) for r in report.results}
    assert got == expected
    assert (not report.results) == conforms


# ---------------------------------------------------------------- equal to pySHACL on the real data

CKG = "https://w3id.org/clusterkg/ontology#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
CLUSTER = "<https://w3id.org/clusterkg/id/cluster/amz>"


def _drop_labels(lines: list[str]) -> list[str]:
    return [x for x in lines if not x.startswith(f"{CLUSTER} {RDFS_LABEL} ")]


def _replace_first(predicate: str, pattern: str, replacement: str) -> object:
    def mutate(lines: list[str]) -> list[str]:
        for i, line in enumerate(lines):
            if f" <{CKG}{predicate}> " in line and not line.startswith(f"<{CKG}"):
                changed = re.sub(pattern, replacement, line, count=1)
                assert changed != line, f"mutation of {predicate} did not apply to {line}"
                return [*lines[:i], changed, *lines[i + 1 :]]
        raise AssertionError(f"no {predicate} triple to mutate")

    return mutate


def _duplicate_record(lines: list[str]) -> list[str]:
    copy = CLUSTER.replace("amz>", "amz-copy>")
    return lines + [copy + x[len(CLUSTER) :] for x in lines if x.startswith(CLUSTER + " ")]


MUTATIONS = {
    "as built": lambda lines: lines,
    "label removed": _drop_labels,
    "literal where an IRI is required": _replace_first(
        "managedBy", r"^(<[^>]+> <[^>]+> )<[^>]+>", r'\1"an organisation"'
    ),
    "bad country IRI": _replace_first("country", r"country/[A-Z0-9]{3}>", "country/ZZZ>"),
    "duplicate record": _duplicate_record,
    "wrong datatype": _replace_first("founded", r"XMLSchema#gYear>", "XMLSchema#date>"),
}


@pytest.fixture(scope="module")
def real_quads(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Graph, Graph, int]:
    settings = Settings.from_env(environ={}, project_dir=REPO)
    out = tmp_path_factory.mktemp("real") / "data.nq"
    pipeline.map_sources(settings, out)
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    return lines, load_shapes(REPO / "shapes"), pipeline.load_ontology(settings), settings.validation_batch


def _compiled(nquads: Path, shapes: Graph, screened: bool = False) -> ValidationReport:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    select = _select_over(store)
    if screened:
        screen = screen_nquads(shapes, nquads)
        assert not screen.compiled.unsupported and screen.cleared  # our shapes: most checks cleared
        return validate_with_queries(screen.compiled, select, verdicts=screen.verdicts)
    compiled = compile_shapes(shapes)
    assert not compiled.unsupported
    return validate_with_queries(compiled, select)


def _keys(report: ValidationReport) -> set[tuple[str, ...]]:
    return {(r.focus, r.path, r.severity, r.component, r.value) for r in report.results}


@pytest.mark.parametrize("screened", [False, True], ids=["queries", "screened"])
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_compiled_equals_pyshacl_on_real_data(
    real_quads, tmp_path: Path, mutation: str, screened: bool
) -> None:  # type: ignore[no-untyped-def]
    lines, shapes, ontology, batch = real_quads
    nquads = tmp_path / "data.nq"
    nquads.write_text("".join(MUTATIONS[mutation](list(lines))), encoding="utf-8")  # type: ignore[operator]
    compiled = _compiled(nquads, shapes, screened)
    reference = validate_nquads(nquads, shapes, ontology, batch)
    assert _keys(compiled) == _keys(reference)
    assert {(r.focus, r.source_file, r.source_record) for r in compiled.results} == {
        (r.focus, r.source_file, r.source_record) for r in reference.results
    }
    assert compiled.conforms == (mutation == "as built")


@pytest.mark.parametrize("validator", ["pyshacl", "no-such-validator"])
def test_build_validator_setting(tmp_path: Path, validator: str) -> None:
    from conftest import copy_project

    from clusterkg.errors import SettingsError

    settings = Settings.from_env(environ={}, project_dir=copy_project(tmp_path / "p"), validator=validator)
    if validator == "pyshacl":
        summary = pipeline.build(settings)
        assert summary.report.conforms and summary.triples > 0
    else:
        with pytest.raises(SettingsError, match="no-such-validator"):
            pipeline.build(settings)


CLASS_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:class ex:A ] ."""


@pytest.mark.parametrize("blank_subclass", [False, True])
def test_sh_class_sees_every_subclass_in_the_data(blank_subclass: bool) -> None:
    sub = "_:sub" if blank_subclass else "<urn:ex:Sub>"
    data = Graph().parse(
        data=f"""@prefix ex: <urn:ex:> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        {sub} rdfs:subClassOf ex:Mid . ex:Mid rdfs:subClassOf ex:A .
        ex:a a ex:A . ex:m a ex:Mid . ex:s a {sub} . ex:o a ex:Other .
        ex:x ex:p ex:a , ex:m , ex:s , ex:o , ex:untyped , "literal" .""",
        format="turtle",
    )
    compiled = compile_shapes(Graph().parse(data=CLASS_SHAPES, format="turtle"))
    select = memory_select(data)
    queries = with_class_closures(compiled.checks, select)
    # A blank-node subclass cannot be listed in VALUES: that query keeps the path.
    assert any("subClassOf>*" in q for q in queries) == blank_subclass
    report = validate_with_queries(compiled, select)
    assert sorted(r.value for r in report.results) == ["literal", "urn:ex:o", "urn:ex:untyped"]


SCREEN_SHAPES = r"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n , ex:code , ex:digits , ex:k , ex:day ;
  sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] , [ sh:path ex:code ; sh:pattern "^[a-z ]+$" ] ,
    [ sh:path ex:digits ; sh:pattern "^\\d+$" ] , [ sh:path ex:k ; sh:class ex:K ] ,
    [ sh:path ex:day ; sh:datatype xsd:date ] ."""
INTEGER, DATE = "<http://www.w3.org/2001/XMLSchema#integer>", "<http://www.w3.org/2001/XMLSchema#date>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@pytest.mark.parametrize(
    ("path", "lines", "cleared"),
    [
        ("n", [f'<urn:ex:x> <urn:ex:n> "12"^^{INTEGER} <urn:g> .'], True),
        ("n", [f'<urn:ex:x> <urn:ex:n> "123456789012345678901234567890"^^{INTEGER} .'], False),  # beyond i64
        ("n", ['<urn:ex:x> <urn:ex:n> "12" .'], False),  # a string: a violation, for the query to report
        ("code", ['<urn:ex:x> <urn:ex:code> "a b"@en <urn:g> .'], True),
        ("code", ['<urn:ex:x> <urn:ex:code> "a\\tb" .'], False),  # an escape: not unescaped here
        ("digits", ['<urn:ex:x> <urn:ex:digits> "12" .'], False),  # \d: never judged (XPath's is Unicode)
        ("day", [f'<urn:ex:x> <urn:ex:day> "2024-02-29"^^{DATE} .'], True),
        ("day", [f'<urn:ex:x> <urn:ex:day> "2023-02-29"^^{DATE} .'], False),  # no such day
        (
            "k",
            [
                "<urn:ex:x> <urn:ex:k> <urn:ex:y> .",
                f"<urn:ex:y> {TYPE} <urn:ex:K2> .",
                f"<urn:ex:K2> {SUBCLASS} <urn:ex:K> .",
            ],
            True,
        ),
        ("k", ["<urn:ex:x> <urn:ex:k> <urn:ex:y> .", f"<urn:ex:y> {TYPE} <urn:ex:K2> ."], False),
        ("k", ["<urn:ex:x>\t<urn:ex:k> <urn:ex:y> ."], False),  # not as the mapping writes: nothing cleared
    ],
)
def test_the_screen_clears_only_what_surely_conforms(path: str, lines: list[str], cleared: bool) -> None:
    shapes = Graph().parse(data=SCREEN_SHAPES, format="turtle")
    compiled = compile_shapes(shapes)
    verdicts = screen_lines(compiled.checks, shapes, [line + "\n" for line in lines])
    (index,) = [i for i, c in enumerate(compiled.checks) if c.kind == "values" and c.path == f"urn:ex:{path}"]
    assert (index in verdicts and verdicts[index] is None) == cleared


def _letters(n: int) -> str:
    """A distinct lowercase word for each n (the code pattern's alphabet)."""
    word = ""
    while True:
        n, digit = divmod(n, 26)
        word += chr(ord("a") + digit)
        if not n:
            return word


COUNT_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
ex:S a sh:NodeShape ; sh:targetClass ex:K ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path ex:code ; sh:pattern "^[a-z]+$" ] ."""
NAMED = [f'<urn:ex:{n}> {TYPE} <urn:ex:K> .\n<urn:ex:{n}> <urn:ex:name> "{n}" .\n' for n in "abc"]


def _nquads_select(text: str):  # type: ignore[no-untyped-def]
    """A select function over N-Quads whose default graph is the merge of their graphs."""
    store = ox.Store()
    store.extend(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))
    return _select_over(store)


@pytest.mark.parametrize(
    ("kind", "extra", "verdict", "results"),
    [
        ("counts", "", "cleared", 0),
        ("counts", f"<urn:ex:x> {TYPE} <urn:ex:K> .\n", "<urn:ex:x>", 1),  # no name: sh:minCount
        ("counts", '<urn:ex:a> <urn:ex:name> "a" <urn:g> .\n', "<urn:ex:a>", 0),  # the same name twice
        ("counts", '<urn:ex:a> <urn:ex:name> "A" .\n', "<urn:ex:a>", 1),  # two names: sh:maxCount
        (  # an instance of a subclass is a focus node too
            "counts",
            f"<urn:ex:x> {TYPE} <urn:ex:K2> .\n<urn:ex:K2> {SUBCLASS} <urn:ex:K> .\n",
            "<urn:ex:x>",
            1,
        ),
        ("counts", f"<urn:ex:x\\u0041> {TYPE} <urn:ex:K> .\n", "not judged", 1),  # an escape: not judged
        (  # more doubts than a VALUES block should hold: the whole query
            "counts",
            "".join(f"<urn:ex:m{i}> {TYPE} <urn:ex:K> .\n" for i in range(1001)),
            "not judged",
            1001,
        ),
        ("values", '<urn:ex:a> <urn:ex:code> "ok" .\n', "cleared", 0),
        ("values", '<urn:ex:a> <urn:ex:code> "ok" .\n<urn:ex:b> <urn:ex:code> "NO" .\n', '"NO"', 1),
        ("values", "<urn:ex:a> <urn:ex:code> _:b1 .\n", "not judged", 1),  # VALUES cannot name a blank node
        (  # a value that recurs is tested once, and a bad one after it is still found
            "values",
            '<urn:ex:a> <urn:ex:code> "ok" .\n<urn:ex:c> <urn:ex:code> "ok" .\n'
            '<urn:ex:b> <urn:ex:code> "NO" .\n<urn:ex:c> <urn:ex:code> "NO" .\n',
            '"NO"',
            2,
        ),
        (  # more passed values than the screen remembers, then a bad one
            "values",
            "".join(f'<urn:ex:v{i}> <urn:ex:code> "{_letters(i)}" .\n' for i in range(PASSED + 10))
            + '<urn:ex:a> <urn:ex:code> "ok" .\n' * 2
            + '<urn:ex:b> <urn:ex:code> "NO" .\n',
            '"NO"',
            1,
        ),
    ],
)
def test_the_screen_narrows_checks_to_what_is_in_doubt(
    kind: str, extra: str, verdict: str, results: int
) -> None:
    shapes = Graph().parse(data=COUNT_SHAPES, format="turtle")
    compiled = compile_shapes(shapes)
    text = "".join(NAMED) + extra
    verdicts = screen_lines(compiled.checks, shapes, text.splitlines(keepends=True))
    (index,) = [i for i, c in enumerate(compiled.checks) if c.kind == kind]
    select = _nquads_select(text)
    if verdict == "not judged":
        assert index not in verdicts
    elif verdict == "cleared":
        assert index in verdicts and verdicts[index] is None
    else:  # narrowed to the doubts: a VALUES block naming them, and the whole query's results
        narrowed = verdicts[index]
        variable = "this" if kind == "counts" else "value"
        assert narrowed is not None and f"VALUES ?{variable} {{ {verdict} }}" in narrowed.query
        assert {tuple(sorted(r.items())) for r in select(narrowed.query)} == {
            tuple(sorted(r.items())) for r in select(compiled.checks[index].query)
        }
    screened = validate_with_queries(compiled, select, verdicts=verdicts)
    assert _keys(screened) == _keys(validate_with_queries(compiled, select))
    assert len(screened.results) == results
