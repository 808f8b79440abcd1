"""The edges of the HTTP surface: bad tokens, odd parameter values, hostile paths, `If-None-Match: *`,
a forged Host, oversized or slow request headers, and an OpenAPI document that matches behaviour."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_support import TOKEN, make_project, running_server, settings_for
from starlette.testclient import TestClient

from clusterkg.serve import create_app

REPO = Path(__file__).resolve().parents[1]
JSON = "application/json"
BIG = "9" * 5000


def project_with_queries(folder: Path) -> Path:
    """The sample store with the project's canned queries and the country table beside it."""
    project = make_project(folder)
    for name in ("queries", "reference"):
        shutil.copytree(REPO / name, project / name, dirs_exist_ok=True)
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_with_queries(tmp_path_factory.mktemp("http-edges"))


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(project, max_result_rows=500))) as test_client:
        yield test_client


def _is_json_error(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON)
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["error"] and body["hint"]
    return body


# ---------------------------------------------------------------- 1. a wrong bearer token


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_a_wrong_bearer_token_on_a_canned_query_is_a_json_401(client: TestClient, fmt: str) -> None:
    response = client.get(
        f"/queries/cluster-overview?format={fmt}", headers={"Authorization": "Bearer not-the-token"}
    )
    _is_json_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    right = client.get("/queries/cluster-overview", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


# ---------------------------------------------------------------- 2 and 3. odd values: 400 naming them

ODD_VALUES = [
    ("/queries/cluster-overview?limit=²", "limit"),
    ("/queries/cluster-overview?limit=" + BIG, "limit"),
    ("/queries/cluster-overview?offset=" + BIG, "offset"),
    ("/queries/cluster-overview?limit=", "limit"),
    ("/queries/cluster-overview?offset=", "offset"),
    ("/queries/cluster-overview?limit=501", "limit"),
    ("/queries/outcomes-by-country?kind=", "kind"),  # kind has a default: still not "absent"
    ("/queries/clusters-by-target-country?country=CAN&phase=", "phase"),
    ("/queries/clusters-by-target-country?country=", "country"),
    ("/queries/find-by-label?text=bio&lang=", "lang"),
    ("/queries/clusters-by-sector?sector=i:2)6]WH2@", "sector"),  # passes the type, not RDF's IRI rules
    ("/queries/source-records?entity=https://x.example/%C2%80", "entity"),
    ("/queries/cluster-overview?colour=", "colour"),
]


@pytest.mark.parametrize(("url", "parameter"), ODD_VALUES)
def test_an_odd_value_is_a_400_naming_the_parameter(client: TestClient, url: str, parameter: str) -> None:
    body = _is_json_error(client.get(url), 400)
    assert body["parameter"] == parameter
    assert repr(parameter) in str(body["error"])
    assert isinstance(body["problems"], dict) and parameter in body["problems"]


@pytest.mark.parametrize(("url", "parameter"), ODD_VALUES[::3])
@pytest.mark.parametrize("asked", [{"format": "csv"}, {"format": "html"}, {"accept": "text/csv"}])
def test_a_400_is_json_whatever_format_was_asked_for(
    client: TestClient, url: str, parameter: str, asked: dict[str, str]
) -> None:
    if "format" in asked:
        url += f"&format={asked['format']}" if "?" in url else f"?format={asked['format']}"
    headers = {"Accept": asked["accept"]} if "accept" in asked else {}
    assert _is_json_error(client.get(url, headers=headers), 400)["parameter"] == parameter


def test_an_empty_format_is_a_400_naming_it(client: TestClient) -> None:
    for url in ("/queries?format=", "/queries/cluster-overview?format="):
        assert _is_json_error(client.get(url), 400)["parameter"] == "format"


def test_the_listing_offers_only_its_own_formats(client: TestClient) -> None:
    response = client.get("/queries?format=csv")
    assert response.status_code == 406 and "offered: json, html" in response.text


# ---------------------------------------------------------------- 4. a hostile path


def test_the_404_for_a_hostile_query_name_is_json_not_html(client: TestClient) -> None:
    for accept in ("text/html", "*/*"):
        response = client.get("/queries/<img src=x onerror=alert(1)>", headers={"Accept": accept})
        body = _is_json_error(response, 404)
        assert "<img" in str(body["error"])  # echoed as a JSON string, never as markup
        assert "text/html" not in response.headers["content-type"]
        assert response.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- 5. If-None-Match: *

ANY = {"If-None-Match": "*"}


def test_if_none_match_star_never_turns_an_error_into_304(client: TestClient) -> None:
    bad_query = client.get("/sparql", params={"query": "SELEC nothing"}, headers=ANY)
    assert bad_query.status_code == 400 and "does not parse" in bad_query.text
    missing = client.get("/id/cluster/no-such-cluster", headers=ANY)
    assert missing.status_code == 404 and missing.text.startswith("Not found")
    bad_parameter = client.get("/queries/cluster-overview?limit=x", headers=ANY)
    assert _is_json_error(bad_parameter, 400)["parameter"] == "limit"


def test_if_none_match_star_on_an_existing_representation_is_304(client: TestClient) -> None:
    for url in ("/id/cluster/biorn", "/sparql?query=ASK%20%7B%7D", "/queries/cluster-overview"):
        fresh = client.get(url)
        assert fresh.status_code == 200
        again = client.get(url, headers=ANY)
        assert again.status_code == 304 and again.headers["etag"] == fresh.headers["etag"]


# ---------------------------------------------------------------- 6. servers from public_url


def test_openapi_servers_come_from_public_url_not_the_host_header(project: Path) -> None:
    settings = settings_for(project, public_url="https://kg.example.org/api/")
    with TestClient(create_app(settings)) as public:
        forged = public.get("/openapi.json", headers={"Host": "evil.example"}).json()
    assert forged["servers"] == [{"url": "https://kg.example.org/api"}]


def test_openapi_servers_never_echo_a_forged_host(client: TestClient) -> None:
    document = client.get("/openapi.json", headers={"Host": "evil.example"}).json()
    assert "evil.example" not in str(document["servers"])


# ---------------------------------------------------------------- 7. request headers are bounded


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[tuple[str, int]]:
    with running_server(project, {"CLUSTERKG_HEADER_TIMEOUT": "1"}) as root:
        yield root, int(root.rsplit(":", 1)[1])


def _exchange(port: int, data: bytes, wait: float = 10.0) -> tuple[bytes, float]:
    """What the server answers to `data` before it closes the connection, and how long it took."""
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            sock.sendall(data)
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # closed while we were still sending: refused all the same
    return received, time.monotonic() - started


def _request(headers: bytes) -> bytes:
    return b"GET /health HTTP/1.1\r\nHost: localhost\r\n" + headers + b"Connection: close\r\n\r\n"


def test_a_100_kb_header_gets_431_and_the_server_carries_on(server: tuple[str, int]) -> None:
    root, port = server
    one_big, _ = _exchange(port, _request(b"X-Big: " + b"a" * 100_000 + b"\r\n"))
    many = b"".join(b"X-%d: %s\r\n" % (i, b"b" * 40) for i in range(2500))
    many_small, _ = _exchange(port, _request(many))
    for answer in (one_big, many_small):
        assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"HTTP/1.1 431 " in one_big + many_small  # at least one got to read its answer
    assert httpx.get(root + "/health").status_code == 200


def test_headers_under_the_cap_are_served(server: tuple[str, int]) -> None:
    _, port = server
    answer, _ = _exchange(port, _request(b"X-Big: " + b"a" * 50_000 + b"\r\n"))
    assert answer.startswith(b"HTTP/1.1 200 ")
    body = b"ASK {}" + b" " * 200_000  # a large body is not header: no 431 for it
    post = (
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    answer, _ = _exchange(port, post)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


@pytest.mark.parametrize("sent", [b"GET /hea", b"", b"GET /health HTTP/1.1\r\nHost: loc"])
def test_a_client_that_stalls_in_its_headers_is_disconnected(server: tuple[str, int], sent: bytes) -> None:
    root, port = server
    answer, took = _exchange(port, sent, wait=8.0)
    assert answer == b"" and took < 4.0  # CLUSTERKG_HEADER_TIMEOUT=1, plus slack for a busy machine
    assert httpx.get(root + "/health").status_code == 200


def test_a_stalled_second_request_closes_after_the_first_is_answered(server: tuple[str, int]) -> None:
    _, port = server
    answer, took = _exchange(port, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /hea", wait=8.0)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.count(b"HTTP/1.1") == 1
    assert took < 4.0


def test_a_slow_request_does_not_count_against_the_header_time(server: tuple[str, int]) -> None:
    root, _ = server
    with httpx.Client() as session:  # keep-alive: the second request comes after the first one's time
        assert session.get(root + "/health").status_code == 200
        time.sleep(1.5)
        assert session.get(root + "/health").status_code == 200


# ---------------------------------------------------------------- 8. the OpenAPI document matches behaviour


def test_openapi_declares_the_limit_bounds_and_every_error(client: TestClient) -> None:
    from openapi_spec_validator import validate

    document = client.get("/openapi.json").json()
    validate(document)
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (0, 500, 100)
    assert client.get("/queries/cluster-overview?limit=500").status_code == 200
    assert client.get("/queries/cluster-overview?limit=501").status_code == 400
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "hint", "status", "parameter", "problems"}
    responses = document["components"]["responses"]
    for path, item in document["paths"].items():
        statuses = item["get"]["responses"]
        wanted = {"200", "400", "406"} | ({"401", "503"} if path != "/queries" else set())
        assert wanted <= set(statuses), path
        for status in wanted - {"200"}:
            response = responses[statuses[status]["$ref"].rsplit("/", 1)[1]]
            media = "text/plain" if status == "406" else JSON
            assert set(response["content"]) == {media}, (path, status)
    assert "Retry-After" in responses["Unavailable"]["headers"]
    assert "WWW-Authenticate" in responses["Unauthorized"]["headers"]


def test_a_browser_gets_an_html_error_page_with_navigation(client: TestClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get("/id/cluster/<nothing>", headers=browser)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<nav><a class="brand" href="/">' in page.text and "<nothing>" not in page.text
    plain = client.get("/id/cluster/nothing", headers={"Accept": "*/*"})
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")
