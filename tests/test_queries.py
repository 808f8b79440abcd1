"""Canned queries: the `#+` header, parameter binding, every query in queries/, injection safety."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg import queries, store
from clusterkg.errors import QueryError
from clusterkg.queries import TermContext
from clusterkg.queries.params import parse_type
from clusterkg.settings import Settings
from clusterkg.sources import CountryResolver
from clusterkg.store import results

REPO = Path(__file__).resolve().parents[1]
QUERY_FILES = sorted((REPO / "queries").glob("*.rq"))
CTX = TermContext(
    "https://w3id.org/clusterkg/", CountryResolver({"ca": "CAN", "can": "CAN", "canada": "CAN", "de": "DEU"})
)
INJECTIONS = [
    'x" } ; DROP ALL ; { "',
    "} ; DROP ALL ; {",
    "a>b <http://evil.example/> .",
    "\\u0022) } #",
    '\\" FILTER(true) #',
    "line one\nline two\r\n} SELECT * WHERE {",
    '\'single\' and "double" and """triple"""',
    "?s ?p ?o . # comment",
    "tab\tand ünïcødé 😀",
]

GOOD = """#+ summary: Clusters by target country and phase
#+ description: Which clusters target a country,
#+ description: in one phase or both.
# an ordinary comment may sit in the header
#+ param: country | country | required | example=CAN | The target country
#+ param: phase | enum(concept=ckg:ConceptPhase,implementation=ckg:ImplementationPhase) | default=concept | P
#+ param: n | integer(1..5) | example=2 | A number
#+ tags: clusters, target markets
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
SELECT ?c ?country ?phase ?n WHERE { ?c ckg:targetCountry ?country ; ckg:phase ?phase ; ckg:n ?n }
"""


def write(tmp_path: Path, text: str, name: str = "sample.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- header


def test_good_header_is_read(tmp_path: Path) -> None:
    query = queries.parse_query_file(write(tmp_path, GOOD))
    assert query.name == "sample"
    assert query.summary == "Clusters by target country and phase"
    assert query.description == "Which clusters target a country, in one phase or both."
    assert query.tags == ("clusters", "target markets")
    country, phase, n = query.parameters
    assert (country.name, country.required, country.example, country.kind.spec) == (
        "country",
        True,
        "CAN",
        "country",
    )
    assert (phase.required, phase.default) == (False, "concept")
    assert phase.kind.spec == "enum(concept,implementation)"
    assert n.kind.spec == "integer(1..5)"


@pytest.mark.parametrize(
    ("header", "line", "words"),
    [
        ("#+ summary: A\n#+ colour: red\n", 2, "unknown header key 'colour'"),
        ("#+ summary: A\n#+ summary: B\n", 2, "a second summary"),
        ("#+ summary: A\n#+ description: B\n#+ param: country | planet | C\n", 3, "unknown type 'planet'"),
        ("#+ summary: A\n#+ description: B\n#+ param: country | country\n", 3, "at least: name | type"),
        ("#+ summary: A\n#+ description: B\n#+ param: country | country | required | C\n", 3, "no example"),
        (
            "#+ summary: A\n#+ description: B\n#+ param: n | integer | default=x | C\n",
            3,
            "'x' is not an integer",
        ),
        ("#+ summary: A\n#+ description: B\n#+ param: p | enum(a,b) | default=c | C\n", 3, "not one of a, b"),
        (
            "#+ summary: A\n#+ description: B\n#+ param: limit | integer | C\n",
            3,
            "bad parameter name 'limit'",
        ),
        (
            "#+ summary: A\n#+ description: B\n#+ param: p | string | sometimes | C\n",
            3,
            "bad or repeated option",
        ),
        ("#+ summary: A\n#+ description: B\n#+ param: p | enum(a=zz:A) | C\n", 3, "known prefix"),
        (
            "#+ summary: A\n#+ description: B\n#+ param: p | string | C\n#+ param: p | string | D\n",
            4,
            "twice",
        ),
        ("#+ summary A\n", 1, "unreadable header line"),
        ("#+ description: B\n", 1, "no summary"),
    ],
)
def test_malformed_header_names_file_and_line(tmp_path: Path, header: str, line: int, words: str) -> None:
    path = write(tmp_path, header + "SELECT ?p ?country ?n WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError) as caught:
        queries.parse_query_file(path)
    assert f"{path}, line {line}" in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o } LIMIT 10", "must not end in LIMIT"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "must be a SELECT"),
        ("SELECT ?x { ?x ?p ?o }", "WHERE keyword"),
        ("SELECT ?x WHERE { ?x ?p ?country }", "'country' is not in the SELECT clause"),
        ("SELECT ?x WHERE { ?x ?p ?o }", "'country' is not a variable of the query"),
    ],
)
def test_query_shape_is_checked(tmp_path: Path, body: str, words: str) -> None:
    header = "#+ summary: A\n#+ description: B\n#+ param: country | country | C\n"
    with pytest.raises(QueryError, match=words):
        queries.parse_query_file(write(tmp_path, header + body + "\n"))


def test_header_line_after_query_start_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "#+ summary: A\n#+ description: B\nSELECT * WHERE { ?s ?p ?o }\n#+ tags: late\n")
    with pytest.raises(QueryError, match=r"line 4: a #\+ header line after the query"):
        queries.parse_query_file(path)


# ---------------------------------------------------------------- every query in queries/


def test_there_are_at_least_fifteen_queries() -> None:
    assert len(QUERY_FILES) >= 15


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_complete_and_parses(path: Path) -> None:
    query = queries.parse_query_file(path)
    assert query.summary and query.description and query.tags
    for param in query.parameters:
        assert param.description, param.name
        assert param.example is not None or param.default is not None or not param.required
    ox.Store().query(query.sparql)  # raises SyntaxError if it does not parse
    ox.Store().query(queries.count_query(query.sparql, [p.name for p in query.parameters]))
    ox.Store().query(queries.page_query(query.sparql, 10, 20))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_examples_return_rows_from_the_built_data(path: Path, kg, built_project: Path) -> None:  # type: ignore[no-untyped-def]
    query = queries.parse_query_file(path)
    ctx = queries.term_context(Settings.from_env(environ={}, project_dir=built_project))
    terms = queries.bind(query, query.example_values(), ctx)
    page = queries.run_page(kg, query, terms, limit=5)
    assert page.total > 0, f"{query.name} returns no rows with {query.example_values()}"
    assert len(page.table.rows) == min(5, page.total)
    everything = queries.run_page(kg, query, terms)
    assert len(everything.table.rows) == page.total  # the count is the true total


# ---------------------------------------------------------------- binding and validation


@pytest.mark.parametrize(
    ("spec", "raw", "term"),
    [
        ("country", "CAN", "<http://publications.europa.eu/resource/authority/country/CAN>"),
        ("country", "ca", "<http://publications.europa.eu/resource/authority/country/CAN>"),
        ("country", "Canada", "<http://publications.europa.eu/resource/authority/country/CAN>"),
        (
            "country",
            "http://publications.europa.eu/resource/authority/country/CAN",
            "<http://publications.europa.eu/resource/authority/country/CAN>",
        ),
        ("iri", "id/cluster/biorn", "<https://w3id.org/clusterkg/id/cluster/biorn>"),
        ("iri", "https://example.org/x", "<https://example.org/x>"),
        ("id(cluster)", "biorn", "<https://w3id.org/clusterkg/id/cluster/biorn>"),
        ("string", 'say "hi"\n', '"say \\"hi\\"\\n"'),
        ("langstring(en)", "Bayern@de", '"Bayern"@de'),
        ("langstring(en)", "Bavaria", '"Bavaria"@en'),
        ("langstring", "me@example.org@en", '"me@example.org"@en'),
        ("lang", "de-AT", '"de-at"'),
        ("integer(2..)", "3", '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("enum(a=ckg:A,b)", "a", "<https://w3id.org/clusterkg/ontology#A>"),
        ("enum(a=ckg:A,b)", "b", '"b"'),
    ],
)
def test_values_become_terms(spec: str, raw: str, term: str) -> None:
    assert parse_type(spec).bind(raw, CTX) == term


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        ("country", "Atlantis"),
        ("iri", "https://example.org/a b"),
        ("iri", "https://example.org/x> } DROP ALL {"),
        ("id(cluster)", "biorn> } ; DROP ALL ; {"),
        ("integer(2..)", "1"),
        ("integer", "2; DROP"),
        ("lang", "en } {"),
        ("langstring", "no tag"),
        ("enum(a,b)", "c"),
        ("string", "bell\x07"),
    ],
)
def test_bad_values_are_refused(spec: str, raw: str) -> None:
    with pytest.raises(ValueError):
        parse_type(spec).bind(raw, CTX)


def test_validation_errors_name_the_parameter(tmp_path: Path) -> None:
    query = queries.parse_query_file(write(tmp_path, GOOD))
    problems = queries.parameter_problems(query, {"country": "Atlantis", "n": "9", "colour": "red"}, CTX)
    assert set(problems) == {"country", "n", "colour"}
    assert "parameter 'country'" in problems["country"] and "Atlantis" in problems["country"]
    assert "out of range" in problems["n"]
    with pytest.raises(QueryError, match="parameter 'country' is required"):
        queries.bind(query, {}, CTX)


def test_defaults_apply_and_optional_parameters_stay_free(tmp_path: Path) -> None:
    query = queries.parse_query_file(write(tmp_path, GOOD))
    terms = queries.bind(query, {"country": "ca"}, CTX)
    assert terms == {
        "country": "<http://publications.europa.eu/resource/authority/country/CAN>",
        "phase": "<https://w3id.org/clusterkg/ontology#ConceptPhase>",
    }


# ---------------------------------------------------------------- injection


ECHO = """#+ summary: Echo
#+ description: Returns its parameter.
#+ param: text | string | required | example=x | Any text
SELECT ?text (STRLEN(?text) AS ?length) WHERE { }
"""


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_arrives_as_one_literal_by_substitution(tmp_path: Path, value: str, kg) -> None:  # type: ignore[no-untyped-def]
    echo = queries.parse_query_file(write(tmp_path, ECHO, "echo.rq"))
    terms = queries.bind(echo, {"text": value}, CTX)
    page = queries.run_page(kg, echo, terms)
    assert [results.plain(t) for t in page.table.rows[0]] == [value, str(len(value))]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_into_a_real_query_changes_nothing(value: str, kg, built_project: Path) -> None:  # type: ignore[no-untyped-def]
    query = queries.parse_query_file(REPO / "queries" / "organisations-by-city.rq")
    before = len(kg)
    page = queries.run_page(kg, query, queries.bind(query, {"city": value}, CTX))
    assert page.total == 0 and page.table.rows == []  # no city has that name; the query ran as written
    assert len(kg) == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_a_values_block_keeps_the_query_structure(tmp_path: Path, value: str) -> None:
    from rdflib import Literal
    from rdflib.plugins.sparql import prepareQuery

    echo = queries.parse_query_file(write(tmp_path, ECHO, "echo.rq"))
    text = queries.with_values(echo.sparql, queries.bind(echo, {"text": value}, CTX))
    benign = queries.with_values(echo.sparql, queries.bind(echo, {"text": "benign"}, CTX))
    # Oxigraph parses it and the value comes back whole: one literal, nothing else executed.
    solutions = list(ox.Store().query(text))
    assert [s["text"].value for s in solutions] == [value]
    # rdflib's algebra is the benign query's algebra with only the literal swapped.
    algebra = str(prepareQuery(text).algebra)
    assert algebra.replace(repr(Literal(value)), repr(Literal("benign"))) == str(prepareQuery(benign).algebra)


def test_values_block_binds_like_substitution(kg, built_project: Path) -> None:  # type: ignore[no-untyped-def]
    query = queries.parse_query_file(REPO / "queries" / "clusters-by-target-country.rq")
    terms = queries.bind(query, query.example_values(), CTX)
    substituted = queries.run_page(kg, query, terms)
    inline = kg.execute(store.QueryRequest(queries.with_values(query.sparql, terms), fmt=store.ROWS))
    assert queries.Table.from_rows(inline.variables, inline.rows).rows == substituted.table.rows
