"""The W3C SPARQL 1.1 Protocol tests (and the Service Description tests) against /sparql.

One parametrized test runs every entry of the official manifests; the entries that do not
apply to a read-only endpoint are listed in UNSUPPORTED with the reason.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from serve_support import build_store, settings_for
from starlette.testclient import TestClient

from clusterkg.serve import create_app

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

_READ_ONLY = "read-only endpoint: SPARQL Update is refused (403) by design, so an update cannot succeed"
UNSUPPORTED = {
    "update_dataset_default_graph": _READ_ONLY,
    "update_dataset_default_graphs": _READ_ONLY,
    "update_dataset_named_graphs": _READ_ONLY,
    "update_dataset_full": _READ_ONLY,
    "update_post_form": _READ_ONLY,
    "update_post_direct": _READ_ONLY,
    "update_base_uri": _READ_ONLY,
}
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    fmt: str | None
    boolean: bool | None


@dataclass
class Case:
    name: str
    kind: str
    exchanges: list[Exchange] = field(default_factory=list)
    graphs: dict[str, Path] = field(default_factory=dict)


def _exchange(graph: rdflib.Graph, request: rdflib.term.Node) -> Exchange:
    headers = {}
    for header in Collection(graph, graph.value(request, HT.headers) or RDF.nil):
        headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    response = graph.value(request, HT.resp)
    statuses = {int(str(s)[len(HTS)]) for s in graph.objects(response, MF.expectedStatus)}
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    path = str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    return Exchange(
        str(graph.value(request, HT.methodName)),
        path,
        headers,
        body,
        statuses,
        None if fmt is None else str(fmt),
        None if boolean is None else bool(boolean.toPython()),
    )


def load_cases(folder: Path) -> Iterator[Case]:
    graph = rdflib.Graph().parse(folder / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        case = Case(str(test).rsplit("#", 1)[-1], "protocol")
        for data in graph.objects(test, UT.graphData):
            case.graphs[str(graph.value(data, RDFS.label))] = (
                folder / Path(str(graph.value(data, UT.graph))).name
            )
        action = graph.value(test, MF.action)
        for request in Collection(graph, graph.value(action, HT.requests)):
            case.exchanges.append(_exchange(graph, request))
        yield case
    sd_graph = rdflib.Graph().parse(folder / "service-description" / "manifest.ttl", format="turtle")
    sd_manifest = next(sd_graph.subjects(RDF.type, MF.Manifest))
    for test in Collection(sd_graph, sd_graph.value(sd_manifest, MF.entries)):
        yield Case(str(test).rsplit("#", 1)[-1], "service-description")


def _cases() -> list[object]:
    from conftest import STANDARDS

    folder = STANDARDS / "sparql11-protocol"
    if not folder.is_dir():
        return [pytest.param(None, id="standards-missing")]
    return [
        pytest.param(case, id=case.name, marks=pytest.mark.skip(reason=UNSUPPORTED[case.name]))
        if case.name in UNSUPPORTED
        else pytest.param(case, id=case.name)
        for case in load_cases(folder)
    ]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, standards_dir: Path) -> Iterator[TestClient]:
    """A store holding the protocol test data: each data file in the graph its label names."""
    folder = standards_dir / "sparql11-protocol"
    graphs = {}
    for case in load_cases(folder):
        graphs.update(case.graphs)
    nquads = "".join(
        line.rstrip().removesuffix(".").rstrip() + f" <{name}> .\n"
        for name, path in sorted(graphs.items())
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    project = tmp_path_factory.mktemp("protocol")
    build_store(project, nquads)
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


def _check_format(exchange: Exchange, response: object) -> None:
    content_type = response.headers["content-type"].split(";")[0].strip()  # type: ignore[attr-defined]
    body: bytes = response.content  # type: ignore[attr-defined]
    if exchange.fmt in ("boolean", "tabular"):
        assert content_type in RESULT_TYPES, content_type
        if exchange.fmt == "boolean":
            assert content_type in RESULT_TYPES[:2]
            value = _boolean(content_type, body)
            if exchange.boolean is not None:
                assert value is exchange.boolean
        else:
            assert body.strip(), "empty tabular result"
    elif exchange.fmt == "RDF":
        assert content_type in RDF_TYPES, content_type
        rdflib.Graph().parse(data=body, format=RDF_TYPES[content_type])


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.endswith("json"):
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    tag = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert tag is not None
    return tag.text == "true"


def _check_service_description(case: Case, client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert len(graph) > 0
    services = list(graph.subjects(RDF.type, SD.Service))
    if case.name == "has-endpoint-triple":
        assert (services[0], SD.endpoint, rdflib.URIRef("http://testserver/sparql")) in graph
    if case.name == "conforms-to-schema":
        assert len(services) == 1
        service = services[0]
        assert isinstance(graph.value(service, SD.endpoint), rdflib.URIRef)
        languages = set(graph.objects(service, SD.supportedLanguage))
        assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        assert all(isinstance(f, rdflib.URIRef) for f in graph.objects(service, SD.resultFormat))
        dataset = graph.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in graph
        assert graph.value(dataset, SD.defaultGraph) is not None
        for named in graph.objects(dataset, SD.namedGraph):
            assert isinstance(graph.value(named, SD.name), rdflib.URIRef)


@pytest.mark.parametrize("case", _cases())
def test_protocol(case: Case | None, client: TestClient) -> None:
    assert case is not None, "standards folder missing"
    if case.kind == "service-description":
        _check_service_description(case, client)
        return
    for exchange in case.exchanges:
        response = client.request(
            exchange.method, exchange.path, headers=exchange.headers, content=exchange.body
        )
        assert response.status_code // 100 in exchange.statuses, (response.status_code, response.text)
        if response.status_code // 100 == 2:
            _check_format(exchange, response)
