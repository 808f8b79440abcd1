"""Real clients against a live `clusterkg serve` on the real data: SPARQLWrapper, rdflib, Comunica.

Each works with its defaults, on the first try. Also what a client meets first: the negotiation of
`format=` against Accept, short parse errors, the predeclared prefixes in the service description,
gzip dumps served as application/gzip, and a serve command that refuses a bad or busy port.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import socket
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, SH
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from serve_support import make_project, running_server, settings_for
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from starlette.testclient import TestClient

from clusterkg.cli import main
from clusterkg.namespaces import PREFIXES
from clusterkg.serve import create_app

# rdflib's own deprecation, raised inside SPARQLWrapper's RDF/XML and JSON-LD conversion
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")

REPO = Path(__file__).resolve().parents[1]
COMUNICA = REPO / "tools" / "comunica" / "node_modules" / ".bin" / "comunica-sparql"
CKG = rdflib.Namespace(PREFIXES["ckg"])
# clusters in the real data, counted from the source table (what a document calls a cluster)
with (Path(__file__).resolve().parents[1] / "sources" / "clusters.csv").open(encoding="utf-8") as _table:
    CLUSTERS = sum(1 for row in csv.DictReader(_table) if row["kind"] == "cluster")
QUERIES = {
    "SELECT": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ckg:Cluster }",
    "ASK": "ASK { ?c a ckg:Cluster }",
    "CONSTRUCT": "CONSTRUCT { ?c a ckg:Cluster } WHERE { ?c a ckg:Cluster }",
    "DESCRIBE": "DESCRIBE <{cluster}>",
}
RESULT_FORMATS = (JSON, XML, CSV, TSV)
GRAPH_FORMATS = (JSON, XML, TURTLE, N3, RDFXML, JSONLD)
CASES = [(form, fmt) for form in ("SELECT", "ASK") for fmt in RESULT_FORMATS] + [
    (form, fmt) for form in ("CONSTRUCT", "DESCRIBE") for fmt in GRAPH_FORMATS
]


@pytest.fixture(scope="module")
def root(built_project: Path) -> Iterator[str]:
    with running_server(built_project) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(root: str) -> str:
    return root + "/sparql"


@pytest.fixture(scope="module")
def cluster(endpoint: str) -> str:
    """One cluster's IRI, for DESCRIBE."""
    query = "SELECT ?c WHERE { ?c a ckg:Cluster } ORDER BY ?c LIMIT 1"
    answer = httpx.get(endpoint, params={"query": query}, headers={"Accept": "application/json"})
    value: str = answer.json()["results"]["bindings"][0]["c"]["value"]
    return value


# ---------------------------------------------------------------- SPARQLWrapper


def _ask(endpoint: str, query: str, fmt: str, method: str | None = None) -> tuple[Any, list[str]]:
    """SPARQLWrapper with its defaults (it sends format=, output=, results= and its Accept)."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        converted = client.query().convert()
    return converted, [str(w.message) for w in caught]


def _single_value(fmt: str, converted: Any) -> str:
    """The one value of a one-row, one-column result, or an ASK's boolean, as text."""
    if fmt == JSON:
        if "boolean" in converted:
            return str(converted["boolean"]).lower()
        [row] = converted["results"]["bindings"]
        [term] = row.values()
        return str(term["value"])
    if fmt == XML:  # a DOM document
        for tag in ("boolean", "literal"):
            nodes = converted.getElementsByTagName(tag)
            if nodes:
                return str(nodes[0].firstChild.data)
        raise AssertionError(converted.toxml())
    text = converted.decode("utf-8")
    if fmt == CSV:
        _, row = list(csv.reader(io.StringIO(text)))
        return row[0]
    _, line = text.splitlines()  # TSV: terms in Turtle syntax, a number bare or as "50"^^xsd:integer
    value = line.split("\t")[0]
    return value.split('"')[1] if value.startswith('"') else value


def _graph(fmt: str, converted: Any) -> rdflib.Graph:
    """SPARQLWrapper parses RDF/XML and JSON-LD itself; Turtle and N3 it hands back as text."""
    if isinstance(converted, rdflib.Graph):
        return converted
    assert isinstance(converted, bytes), type(converted)
    return rdflib.Graph().parse(data=converted, format="n3" if fmt == N3 else "turtle")


@pytest.mark.parametrize(("form", "fmt"), CASES, ids=[f"{form}-{fmt}" for form, fmt in CASES])
def test_sparqlwrapper_defaults(endpoint: str, cluster: str, form: str, fmt: str) -> None:
    converted, warned = _ask(endpoint, QUERIES[form].replace("{cluster}", cluster), fmt)
    assert not [w for w in warned if w.startswith("Format requested")], warned  # got what it asked for
    if form == "SELECT":
        assert _single_value(fmt, converted) == str(CLUSTERS)
    elif form == "ASK":
        assert _single_value(fmt, converted) == "true"
    elif form == "CONSTRUCT":
        graph = _graph(fmt, converted)
        assert len(graph) == CLUSTERS
        assert len(set(graph.subjects(RDF.type, CKG.Cluster))) == CLUSTERS
    else:
        graph = _graph(fmt, converted)
        assert (rdflib.URIRef(cluster), RDF.type, CKG.Cluster) in graph


@pytest.mark.parametrize(("form", "fmt"), [("SELECT", TURTLE), ("ASK", RDFXML), ("CONSTRUCT", CSV)])
def test_sparqlwrapper_format_the_form_cannot_have(endpoint: str, form: str, fmt: str) -> None:
    """SPARQLWrapper then sends Accept */*: the answer comes in the form's first format, not a 406."""
    converted, _ = _ask(endpoint, QUERIES[form], fmt)
    if form == "CONSTRUCT":
        assert len(_graph(TURTLE, converted)) == CLUSTERS
    else:
        assert _single_value(JSON, converted) in (str(CLUSTERS), "true")


def test_sparqlwrapper_post(endpoint: str) -> None:
    converted, _ = _ask(endpoint, QUERIES["SELECT"], JSON, method=POST)
    assert _single_value(JSON, converted) == str(CLUSTERS)


# ---------------------------------------------------------------- rdflib, Comunica


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    [row] = list(graph.query(QUERIES["SELECT"]))
    assert row[0].toPython() == CLUSTERS  # type: ignore[index, union-attr]
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    constructed = graph.query(QUERIES["CONSTRUCT"]).graph
    assert constructed is not None
    assert len(set(constructed.subjects(RDF.type, CKG.Cluster))) == CLUSTERS


@pytest.mark.skipif(
    not COMUNICA.exists() or shutil.which("node") is None,
    reason="Comunica is not installed: run `make client-deps` (npm ci in tools/comunica; needs Node 20)",
)
def test_comunica_select(endpoint: str) -> None:
    # Comunica parses the query itself, so it declares its prefix; sparql@ names the source's type
    query = f"PREFIX ckg: <{CKG}> SELECT ?c WHERE {{ ?c a ckg:Cluster }} ORDER BY ?c"
    done = subprocess.run(
        [str(COMUNICA), f"sparql@{endpoint}", query, "-t", "application/sparql-results+json"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    bindings = json.loads(done.stdout)["results"]["bindings"]
    iris = [b["c"]["value"] for b in bindings]
    assert len(set(iris)) == CLUSTERS
    assert all(iri.startswith("https://w3id.org/clusterkg/id/cluster/") for iri in iris)


# ---------------------------------------------------------------- negotiation, errors, description


def _get(endpoint: str, query: str, accept: str, **params: str) -> httpx.Response:
    return httpx.get(endpoint, params={"query": query, **params}, headers={"Accept": accept}, timeout=30)


def test_a_known_format_wins_over_accept(endpoint: str) -> None:
    answer = _get(endpoint, QUERIES["CONSTRUCT"], "application/rdf+xml", format="turtle")
    assert answer.headers["content-type"].startswith("text/turtle")
    assert _get(endpoint, QUERIES["SELECT"], "text/csv", output="json").json()["results"]["bindings"]


def test_accept_wins_over_an_unknown_format(endpoint: str) -> None:
    answer = _get(endpoint, QUERIES["CONSTRUCT"], "application/n-triples", format="no-such-format")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/n-triples"


def test_406_when_neither_fits(endpoint: str) -> None:
    unknown = _get(endpoint, QUERIES["CONSTRUCT"], "", format="no-such-format")  # no Accept to fall back on
    wrong = _get(endpoint, QUERIES["CONSTRUCT"], "application/sparql-results+json")
    for answer in (unknown, wrong):
        assert answer.status_code == 406
        assert "text/turtle" in answer.text and "format=" in answer.text, answer.text


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("SELECT * WHERE { ?s ?p }", "line 1, column 25"),
        ("ASK {", "line 1, column 6"),  # the engine lists seven lines of Unicode ranges here
        ("SELECT ?x WHERE {\n ?s ?p ?o .\n FILTER(?o = ) }", "line 3, column 17"),
        ("SELECT * WHERE { ?s nope:p ?o }", "not declared"),
    ],
)
def test_a_parse_error_is_short(endpoint: str, query: str, where: str) -> None:
    answer = _get(endpoint, query, "application/sparql-results+json")
    assert answer.status_code == 400
    lines = answer.text.strip().splitlines()
    assert len(lines) <= 2 and len(lines[0]) < 200, answer.text
    assert "does not parse" in lines[0] and where in lines[0], answer.text


def test_the_service_description_lists_the_predeclared_prefixes(endpoint: str) -> None:
    answer = httpx.get(endpoint, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.content, format="turtle")
    declared = {
        str(graph.value(d, SH.prefix)): graph.value(d, SH.namespace) for d in graph.objects(None, SH.declare)
    }
    any_uri = rdflib.namespace.XSD.anyURI  # not imported by name: pytest's collection trips rdflib's XSD
    assert declared == {p: rdflib.Literal(ns, datatype=any_uri) for p, ns in PREFIXES.items()}
    # and they work undeclared, as the description says
    asked = _get(endpoint, "ASK { ?c a ckg:Cluster ; rdfs:label ?l . ckg:Cluster a owl:Class }", "text/csv")
    assert asked.text.split() == ["_askResult", "true"]


# ---------------------------------------------------------------- dumps, serve start-up


def test_gzip_dumps_are_application_gzip(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "dumps" / "clusterkg.nq.gz").write_bytes(gzip.compress(b"<urn:a> <urn:b> <urn:c> <urn:g> .\n"))
    with TestClient(create_app(settings_for(project))) as client:
        answer = client.get("/dumps/clusterkg.nq.gz", headers={"Accept-Encoding": "identity"})
        plain = client.get("/dumps/clusterkg.nt")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in answer.headers
    assert gzip.decompress(answer.content).startswith(b"<urn:a>")
    assert plain.headers["content-type"].startswith("application/n-triples")


def _serve(project: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project-dir", str(project), "serve", *args], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    code, output = _serve(make_project(tmp_path), "--port", port)
    assert code == 2 and "not in the range 1<=x<=65535" in output, output
    assert "Serving" not in output


def test_serve_refuses_a_port_setting_out_of_range(tmp_path: Path) -> None:
    code, output = _serve(make_project(tmp_path), env={"CLUSTERKG_PORT": "70000"})
    assert code == 2 and "port 70000 is out of range" in output and "1 to 65535" in output, output
    assert "Serving" not in output


def test_serve_refuses_a_busy_port_before_it_prints(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = _serve(project, "--host", "127.0.0.1", "--port", str(port))
    assert code == 2, output
    assert f"cannot listen on 127.0.0.1:{port}" in output and "another --port" in output, output
    assert "Serving" not in output
