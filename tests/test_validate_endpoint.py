"""POST /validate: posted RDF in any format, the SHACL report by Accept, the /sparql limits, and
nothing fetched; GET /validate: the form, in English and German."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import anyio
import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from serve_support import BASE, CKG, LABEL, Canary, make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.errors import QueryPoolBusy, RdfSyntaxError
from clusterkg.rdf import parse_data
from clusterkg.serve import create_app
from clusterkg.serve.validate import Validations

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
CLUSTER = f"<{BASE}id/cluster/x>"
UNLABELLED = f"{CLUSTER} a <{CKG}Cluster> .\n"
LABELLED = f'{CLUSTER} a <{CKG}Cluster> ; <{LABEL}> "X"@en .\n'
INPUTS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("validate"))


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


def _post(
    client: TestClient, body: str, kind: str = "text/turtle", accept: str = "text/turtle", **headers: str
) -> httpx.Response:
    return client.post(
        "/validate", content=body.encode(), headers={"Content-Type": kind, "Accept": accept, **headers}
    )


def _report(text: str, fmt: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


def test_conforming_data(client: TestClient) -> None:
    response = _post(client, LABELLED)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    report = _report(response.text)
    assert (None, SH.conforms, rdflib.Literal(True)) in report and not list(report.objects(None, SH.result))


def test_report_by_accept(client: TestClient) -> None:
    turtle = _post(client, UNLABELLED)
    jsonld = _post(client, UNLABELLED, accept="application/ld+json")
    assert turtle.status_code == jsonld.status_code == 200
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    graph = _report(turtle.text)
    assert isomorphic(graph, _report(jsonld.text, "json-ld"))
    (result,) = graph.objects(None, SH.result)
    assert graph.value(result, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent
    assert graph.value(result, SH.focusNode) == rdflib.URIRef(CLUSTER[1:-1])
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


@pytest.mark.parametrize("kind", INPUTS)
def test_every_input_format(client: TestClient, kind: str) -> None:
    data = rdflib.Dataset()
    data.graph(rdflib.URIRef("urn:g:x")).parse(data=UNLABELLED, format="turtle")
    fmt = INPUTS[kind]
    body = (
        data.serialize(format=fmt)
        if fmt in ("nquads", "trig")
        else data.graph(rdflib.URIRef("urn:g:x")).serialize(format=fmt)
    )
    response = _post(client, body, kind=kind)
    assert response.status_code == 200, response.text
    assert len(list(_report(response.text).objects(None, SH.result))) == 1


def test_html_report_in_german(client: TestClient) -> None:
    response = _post(client, UNLABELLED, accept="text/html", **{"Accept-Language": "de"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Die Daten entsprechen nicht den Shapes: 1 Ergebnis(se)." in response.text
    assert "sh:MinCountConstraintComponent" in response.text and 'lang="de"' in response.text


def test_form_post(client: TestClient) -> None:
    form = urlencode({"data": UNLABELLED, "format": "turtle"})
    response = client.post(
        "/validate",
        content=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
    )
    assert response.status_code == 200 and "The data does not conform: 1 result(s)." in response.text


@pytest.mark.parametrize(
    "lang, words", [("en", "Validate RDF against the shapes"), ("de", "RDF gegen die Shapes prüfen")]
)
def test_form_page(client: TestClient, lang: str, words: str) -> None:
    response = client.get("/validate", headers={"Accept-Language": lang})
    assert response.status_code == 200 and words in response.text
    assert (
        '<textarea id="validate-data" name="data"' in response.text and "/static/validate.js" in response.text
    )
    assert "<script>" not in response.text  # the CSP forbids inline scripts
    assert client.get("/static/validate.js").status_code == 200


# ---------------------------------------------------------------- errors, through the one handler


def test_bad_turtle_names_the_line(client: TestClient) -> None:
    response = _post(client, "<urn:a> <urn:b> .\n", accept="text/turtle, text/plain;q=0.5")
    assert response.status_code == 400 and "line 1" in response.text


def test_unknown_content_type(client: TestClient) -> None:
    response = _post(client, LABELLED, kind="text/csv", accept="text/turtle, text/plain;q=0.5")
    assert response.status_code == 400 and "Content-Type" in response.text


def test_empty_form_field(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=b"data=&format=turtle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "data" in response.text


def test_body_limit(project: Path) -> None:
    with TestClient(create_app(settings_for(project, max_request_bytes=200))) as small:
        response = _post(small, LABELLED * 20, accept="text/turtle, text/plain;q=0.5")
    assert response.status_code == 413


def test_time_limit(project: Path) -> None:
    """A limit shorter than a validation process takes to start: the validation is stopped."""
    with TestClient(create_app(settings_for(project, query_timeout=0.001))) as hurried:
        response = _post(hurried, LABELLED, accept="text/turtle, text/plain;q=0.5")
    assert response.status_code == 503 and "time" in response.text.lower()


def test_admission_is_bounded(project: Path) -> None:
    validations = Validations(settings_for(project, query_workers=1, query_queue=1))
    validations.admitted = 2  # one running, one waiting

    async def attempt() -> None:
        await validations.validate(LABELLED.encode(), "turtle")

    with pytest.raises(QueryPoolBusy):
        anyio.run(attempt)


# ---------------------------------------------------------------- nothing is fetched


@pytest.fixture()
def listener() -> Iterator[Canary]:
    """A loopback HTTP server that records the requests it gets."""
    with Canary() as canary:
        yield canary


def test_remote_jsonld_context_refused_without_a_call(client: TestClient, listener: Canary) -> None:
    body = f'{{"@context": "{listener.url}context.jsonld", "@id": "{CLUSTER[1:-1]}", "name": "x"}}'
    response = _post(client, body, kind="application/ld+json", accept="text/turtle, text/plain;q=0.5")
    assert response.status_code == 400
    assert "remote JSON-LD context" in response.text and listener.url in response.text
    scoped = f'{{"x": {{"@id": "http://e/x", "@context": "{listener.url}c"}}}}'
    nested = f'{{"@context": [{{"@vocab": "http://e/"}}, {scoped}]}}'
    assert (
        _post(client, nested, kind="application/ld+json", accept="text/turtle, text/plain;q=0.5").status_code
        == 400
    )
    assert listener.hits == []


def test_owl_imports_not_followed(client: TestClient, listener: Canary) -> None:
    body = LABELLED + f"<urn:x:doc> <http://www.w3.org/2002/07/owl#imports> <{listener.url}more.ttl> .\n"
    response = _post(client, body)
    assert response.status_code == 200 and listener.hits == []


def test_parse_data_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network call was made")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(RdfSyntaxError, match="remote JSON-LD context"):
        parse_data(b'{"@context": "https://schema.org/", "@type": "Thing"}', "json-ld")
