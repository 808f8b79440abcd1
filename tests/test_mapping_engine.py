"""Focused tests of the RML engine behaviour clusterkg's own mappings rely on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph
import pytest

from clusterkg.errors import MappingError
from clusterkg.mapping import generate_quads, load_mappings

BASE = "https://w3id.org/clusterkg/"
PREFIXES = """
@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <https://example.org/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
SOURCE = """rml:logicalSource [
    rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "clusters.csv" ];
    rml:referenceFormulation rml:CSV ]"""


def _mapping(tmp_path: Path, body: str, name: str = "map.rml.ttl") -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def _run(tmp_path: Path, body: str, rows: list[dict[str, str | None]]) -> list[str]:
    """Map `rows` (given through read_records) with a one-triples-map mapping."""
    mapping = load_mappings([_mapping(tmp_path, body)])

    def read(path: Path, formulation: str) -> Iterable[Mapping[str, object]]:
        return rows

    return list(generate_quads(mapping, base_iri=BASE, read_records=read))


def _tm(subject: str, *poms: str, extra: str = "") -> str:
    pom_text = "".join(f"; rml:predicateObjectMap [ {p} ]" for p in poms)
    return f"<#Clusters> a rml:TriplesMap; {SOURCE}; rml:subjectMap [ {subject} {extra} ]{pom_text} ."


def test_template_values_are_percent_encoded(tmp_path: Path) -> None:
    body = _tm(
        'rml:template "https://ex.org/c/{key}"',
        'rml:predicate ex:p; rml:objectMap [ rml:template "https://ex.org/u/{key}"; rml:termType rml:URI ]',
    )
    [line] = _run(tmp_path, body, [{"key": "Nord West/ä-1_x.~"}])
    # rml:IRI (the default) keeps non-ASCII letters (RFC 3987); rml:URI encodes them as UTF-8 too.
    assert line == (
        "<https://ex.org/c/Nord%20West%2Fä-1_x.~> <https://example.org/ns#p> "
        "<https://ex.org/u/Nord%20West%2F%C3%A4-1_x.~> .\n"
    )


def test_relative_iri_templates_are_resolved_against_base_iri(tmp_path: Path) -> None:
    body = _tm('rml:template "cluster/{key}"', "rml:predicate ex:p; rml:object ex:o")
    assert _run(tmp_path, body, [{"key": "k 1"}]) == [
        f"<{BASE}cluster/k%201> <https://example.org/ns#p> <https://example.org/ns#o> .\n"
    ]


def test_null_cells_produce_no_triple(tmp_path: Path) -> None:
    body = _tm('rml:template "c/{key}"', 'rml:predicate ex:name; rml:objectMap [ rml:reference "name" ]')
    lines = _run(
        tmp_path, body, [{"key": "a", "name": None}, {"key": None, "name": "x"}, {"key": "b", "name": ""}]
    )
    assert lines == [f'<{BASE}c/b> <https://example.org/ns#name> "" .\n']


def test_graph_map_template(tmp_path: Path) -> None:
    body = _tm(
        'rml:template "c/{key}"',
        'rml:predicate ex:name; rml:objectMap [ rml:reference "name" ]',
        extra='; rml:graphMap [ rml:template "graph/{kind}" ]',
    )
    assert _run(tmp_path, body, [{"key": "a", "name": "A", "kind": "public"}]) == [
        f'<{BASE}c/a> <https://example.org/ns#name> "A" <{BASE}graph/public> .\n'
    ]


def test_language_tagged_and_typed_literals(tmp_path: Path) -> None:
    body = _tm(
        'rml:template "c/{key}"',
        'rml:predicate ex:label; rml:objectMap [ rml:reference "name"; rml:language "de" ]',
        'rml:predicate ex:founded; rml:objectMap [ rml:reference "year"; rml:datatype xsd:gYear ]',
        'rml:predicate ex:note; rml:objectMap [ rml:reference "note"; rml:datatype xsd:string ]',
    )
    lines = _run(tmp_path, body, [{"key": "a", "name": 'Süd "Cluster"', "year": "2019", "note": "a\\b\nc"}])
    assert sorted(lines) == [
        f'<{BASE}c/a> <https://example.org/ns#founded> "2019"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n',
        f'<{BASE}c/a> <https://example.org/ns#label> "Süd \\"Cluster\\""@de .\n',
        f'<{BASE}c/a> <https://example.org/ns#note> "a\\\\b\\nc" .\n',
    ]
    quads = list(pyoxigraph.parse("".join(lines), format=pyoxigraph.RdfFormat.N_QUADS))
    assert {q.object.value for q in quads} == {"2019", 'Süd "Cluster"', "a\\b\nc"}


def test_read_records_callback_is_used_for_csv(tmp_path: Path) -> None:
    calls: list[tuple[Path, str]] = []
    mapping = load_mappings(
        [_mapping(tmp_path, _tm('rml:template "c/{key}"', "rml:predicate ex:p; rml:object 1"))]
    )

    def read(path: Path, formulation: str) -> Iterable[Mapping[str, object]]:
        calls.append((path, formulation))
        yield {"key": "x"}

    lines = list(generate_quads(mapping, base_iri=BASE, read_records=read))
    assert calls == [(tmp_path.resolve() / "clusters.csv", "http://w3id.org/rml/CSV")]
    assert lines == [
        f'<{BASE}c/x> <https://example.org/ns#p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    ]


def test_default_reader_and_join_on_csv_files(tmp_path: Path) -> None:
    (tmp_path / "clusters.csv").write_text("key,country\nc1,DE\nc2,FR\n", encoding="utf-8")
    (tmp_path / "countries.csv").write_text("code,name\nDE,Germany\n", encoding="utf-8")
    countries = SOURCE.replace("clusters.csv", "countries.csv")
    body = (
        _tm(
            'rml:template "c/{key}"',
            "rml:predicate ex:country; rml:objectMap [ rml:parentTriplesMap <#Countries>;"
            ' rml:joinCondition [ rml:child "country"; rml:parent "code" ] ]',
        )
        + f' <#Countries> a rml:TriplesMap; {countries}; rml:subjectMap [ rml:template "country/{{code}}" ] .'
    )
    mapping = load_mappings([_mapping(tmp_path, body)])
    assert list(generate_quads(mapping, base_iri=BASE)) == [
        f"<{BASE}c/c1> <https://example.org/ns#country> <{BASE}country/DE> .\n"
    ]


def test_legacy_r2rml_vocabulary(tmp_path: Path) -> None:
    body = """@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix lrml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
<#Clusters> lrml:logicalSource [ lrml:source "clusters.csv"; lrml:referenceFormulation ql:CSV ];
  rr:subjectMap [ rr:template "c/{key}"; rr:class ex:Cluster ];
  rr:predicateObjectMap [ rr:predicate ex:name; rr:objectMap [ rr:column "name"; rr:language "en" ] ] ."""
    assert sorted(_run(tmp_path, body, [{"key": "a", "name": "A"}])) == [
        f"<{BASE}c/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/ns#Cluster> .\n",
        f'<{BASE}c/a> <https://example.org/ns#name> "A"@en .\n',
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"<#Clusters> a rml:TriplesMap; {SOURCE} .", "triples map <#Clusters> has no rml:subjectMap"),
        (_tm('rml:template "id/{key"'), "rml:template 'id/{key' has an unclosed brace"),
        (
            _tm('rml:template "c/{key}"').replace("rml:CSV", "rml:XPath"),
            "unsupported rml:referenceFormulation http://w3id.org/rml/XPath",
        ),
        (
            _tm(
                'rml:template "c/{key}"',
                "rml:predicate ex:p; rml:objectMap [ rml:parentTriplesMap <#Nothing> ]",
            ),
            "does not point to a triples map",
        ),
    ],
)
def test_malformed_mappings_raise_mapping_error_naming_the_file(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _mapping(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        load_mappings([path])
    assert str(path.resolve()) in caught.value.message
    assert message in caught.value.message
    assert caught.value.hint


def test_invalid_generated_iri_is_an_error(tmp_path: Path) -> None:
    body = _tm('rml:reference "url"', "rml:predicate ex:p; rml:object ex:o")
    with pytest.raises(MappingError, match="not a valid IRI"):
        _run(tmp_path, body, [{"url": "https://ex.org/a b"}])


def test_each_quad_is_emitted_once(tmp_path: Path) -> None:
    # Two rows and two triples maps state the same class and link; RDF is a set, so the output is too.
    first = _tm('rml:template "c/{key}"', "rml:predicate ex:p; rml:object ex:o", extra="; rml:class ex:C")
    second = first.replace("<#Clusters>", "<#Again>")
    lines = _run(tmp_path, first + "\n" + second, [{"key": "a"}, {"key": "a"}, {"key": "b"}])
    assert sorted(lines) == sorted(
        f"<{BASE}c/{k}> {p} .\n"
        for k in ("a", "b")
        for p in ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/ns#C>",
                  "<https://example.org/ns#p> <https://example.org/ns#o>")
    )  # fmt: skip
