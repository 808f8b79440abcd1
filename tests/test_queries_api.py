"""The canned-query HTTP API: listing, results as JSON/CSV/HTML, paging with a true total, 400s, OpenAPI."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clusterkg import queries
from clusterkg.queries import CannedQuery
from clusterkg.queries.params import EnumType
from clusterkg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
QUERY_NAMES = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def client(built_project: Path) -> Iterator[TestClient]:
    from clusterkg.serve import create_app

    settings = Settings.from_env(environ={}, project_dir=built_project, query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_listing_as_json_names_every_query(client: TestClient) -> None:
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert sorted(listed) == QUERY_NAMES
    country = next(p for p in listed["clusters-by-target-country"]["parameters"] if p["name"] == "country")
    assert country["required"] is True and country["type"] == "country" and country["example"] == "CAN"


def test_listing_as_html(client: TestClient) -> None:
    response = client.get("/queries", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'href="/queries/clusters-by-target-country?country=CAN' in response.text
    assert response.headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_example_url_of_every_query_returns_rows(client: TestClient, name: str) -> None:
    example = next(
        q["example"] for q in client.get("/queries?format=json").json()["queries"] if q["name"] == name
    )
    body = client.get(example, headers={"Accept": "application/json"}).json()
    assert body["total"] > 0 and body["results"]["bindings"]


def test_json_results_page_with_true_total(client: TestClient) -> None:
    whole = client.get("/queries/cluster-overview", params={"limit": 1000}).json()
    total = whole["total"]
    assert total == len(whole["results"]["bindings"]) > 10
    first = client.get("/queries/cluster-overview", params={"limit": 4}).json()
    second = client.get("/queries/cluster-overview", params={"limit": 4, "offset": 4}).json()
    assert first["total"] == second["total"] == total  # the total counts every row, not the page
    assert len(first["results"]["bindings"]) == len(second["results"]["bindings"]) == 4
    assert first["results"]["bindings"] + second["results"]["bindings"] == whole["results"]["bindings"][:8]
    assert first["next"] == "/queries/cluster-overview?limit=4&offset=4" and first["previous"] is None
    assert second["previous"].endswith("offset=0")
    assert first["head"]["vars"][0] == "cluster"


def test_last_page_and_past_the_end(client: TestClient) -> None:
    total = client.get("/queries/cluster-overview").json()["total"]
    last = client.get("/queries/cluster-overview", params={"limit": 10, "offset": total - 3}).json()
    assert len(last["results"]["bindings"]) == 3 and last["next"] is None
    beyond = client.get("/queries/cluster-overview", params={"offset": total + 5})
    assert beyond.status_code == 200 and beyond.json()["results"]["bindings"] == []
    assert beyond.json()["total"] == total


def test_parameters_and_defaults(client: TestClient) -> None:
    both = client.get("/queries/clusters-by-target-country", params={"country": "CA", "limit": 1000}).json()
    concept = client.get("/queries/clusters-by-target-country", params={"country": "can", "phase": "concept"})
    phases = {row["phase"]["value"] for row in both["results"]["bindings"]}
    assert phases == {
        "https://w3id.org/clusterkg/ontology#ConceptPhase",
        "https://w3id.org/clusterkg/ontology#ImplementationPhase",
    }
    assert 0 < concept.json()["total"] < both["total"]
    assert concept.json()["parameters"] == {"country": "can", "phase": "concept"}


def test_csv_results(client: TestClient) -> None:
    response = client.get(
        "/queries/clusters-by-country", params={"country": "FRA"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["cluster", "clusterLabel"]
    assert int(response.headers["x-total-count"]) == len(rows) - 1 > 0
    assert client.get("/queries/clusters-by-country?country=FRA&format=csv").text == response.text


def test_html_results_are_escaped(client: TestClient) -> None:
    response = client.get(
        "/queries/organisations-by-city",
        params={"city": "<script>alert(1)</script>"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    page = client.get("/queries/clusters-by-country?country=FRA", headers={"Accept": "text/html"})
    total = client.get("/queries/clusters-by-country?country=FRA&format=json").json()["total"]
    assert "<table" in page.text and f"of {total}." in page.text and total > 0


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/queries/clusters-by-target-country", "country"),
        ("/queries/clusters-by-target-country?country=Atlantis", "country"),
        ("/queries/clusters-by-target-country?country=CAN&phase=maybe", "phase"),
        ("/queries/clusters-by-target-country?country=CAN&colour=red", "colour"),
        ("/queries/clusters-by-target-country?country=CAN&country=DE", "country"),
        ("/queries/entities-in-several-documents?min=1", "min"),
        ("/queries/entities-in-several-documents?min=two", "min"),
        ("/queries/source-records?entity=https://x.example/a%3E%20%7D", "entity"),
        ("/queries/cluster-overview?limit=-1", "limit"),
        ("/queries/cluster-overview?limit=999999999", "limit"),
        ("/queries/cluster-overview?offset=x", "offset"),
    ],
)
def test_bad_values_get_400_naming_the_parameter(client: TestClient, url: str, parameter: str) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert repr(parameter) in response.json()["error"]
    as_text = client.get(url, headers={"Accept": "text/csv"})
    assert as_text.status_code == 400 and repr(parameter) in as_text.text


def test_unknown_query_and_unacceptable_format(client: TestClient) -> None:
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/cluster-overview", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/queries/cluster-overview?format=xlsx").status_code == 406


def test_etag_revalidation(client: TestClient) -> None:
    first = client.get("/queries/cluster-overview?limit=3")
    again = client.get("/queries/cluster-overview?limit=3", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_injection_through_http_changes_nothing(client: TestClient) -> None:
    for value in ['x" } ; DROP ALL ; { "', "} ; DROP ALL ; {", "a>b", "\\u0022", "new\nline"]:
        body = client.get("/queries/organisations-by-city", params={"city": value}).json()
        assert body["total"] == 0 and body["parameters"] == {"city": value}
    assert client.get("/queries/cluster-overview").json()["total"] > 10  # the data is still there


def test_openapi_document_is_valid_and_complete(client: TestClient) -> None:
    from openapi_spec_validator import validate

    document = client.get("/openapi.json").json()
    validate(document)
    for name in QUERY_NAMES:
        operation = document["paths"][f"/queries/{name}"]["get"]
        declared = {p["name"] for p in operation["parameters"] if "name" in p}
        listed = client.get("/queries?format=json").json()["queries"]
        wanted = {p["name"] for q in listed if q["name"] == name for p in q["parameters"]}
        assert declared == wanted
    phase = next(
        p
        for p in document["paths"]["/queries/clusters-by-target-country"]["get"]["parameters"]
        if p.get("name") == "phase"
    )
    assert phase["schema"]["enum"] == ["concept", "implementation"]


def test_total_is_true_when_the_result_is_longer_than_the_row_cap(built_project: Path) -> None:
    from clusterkg.serve import create_app

    settings = Settings.from_env(environ={}, project_dir=built_project, max_result_rows=7)
    with TestClient(create_app(settings)) as capped:
        body = capped.get("/queries/cluster-overview", params={"limit": 5, "offset": 2}).json()
    assert len(body["results"]["bindings"]) == 5
    assert body["total"] > 10  # counted apart, not cut at the 7-row cap


# ---------------------------------------------------------------- pages for people: forms, downloads, OpenAPI

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Tags(HTMLParser):
    """Start tags with their attributes, and the option values of each drop-down by (form, name)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.options: dict[tuple[str, str], list[str]] = {}
        self._form = ""
        self._select: tuple[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "form":
            self._form = found.get("action", "")
        elif tag == "select":
            self._select = (self._form, found["name"])
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(found["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


def catalogue() -> dict[str, CannedQuery]:
    return queries.load_queries(REPO / "queries")


def test_a_bare_query_url_in_a_browser_shows_its_form(client: TestClient) -> None:
    query = catalogue()["clusters-by-target-country"]
    page = client.get("/queries/clusters-by-target-country", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert query.description in html.unescape(page.text) and "Bad parameter" not in page.text
    tags = Tags(page.text)
    assert tags.find("input", name="country", required="")  # the required field, marked required
    country = query.parameter("country")
    assert country is not None and country.description in html.unescape(page.text)
    assert "an ISO 3166 alpha-2 or alpha-3 code" in page.text  # what the parameter accepts
    assert not tags.find("table")  # no result yet
    api = client.get("/queries/clusters-by-target-country", headers={"Accept": "application/json"})
    assert api.status_code == 400 and api.json()["parameter"] == "country"  # API clients: the 400
    asked = client.get("/queries/clusters-by-target-country?format=html")  # HTML asked by name: an API call
    assert asked.status_code == 400 and asked.json()["parameter"] == "country"


def test_bad_values_in_a_browser_show_the_form_with_the_problem(client: TestClient) -> None:
    page = client.get("/queries/clusters-by-target-country?country=Atlantis", headers=BROWSER)
    assert page.status_code == 400 and "&#x27;Atlantis&#x27; is not a known country" in page.text
    assert Tags(page.text).find("input", name="country", value="Atlantis")  # kept, to correct it
    assert 'class="field invalid"' in page.text
    unknown = client.get("/queries/cluster-overview?colour=red", headers=BROWSER)
    assert unknown.status_code == 400 and "has no parameter &#x27;colour&#x27;" in unknown.text


@pytest.mark.parametrize(
    ("name", "parameter"),
    [("clusters-by-target-country", "phase"), ("most-targeted-countries", "certainty")],
)
def test_enumerations_are_drop_downs_of_the_headers_values(
    client: TestClient, name: str, parameter: str
) -> None:
    enum = catalogue()[name].parameter(parameter)
    assert enum is not None and isinstance(enum.kind, EnumType)
    declared = list(enum.kind.choices)
    example = client.get("/queries?format=json").json()["queries"]
    url = next(q["example"] for q in example if q["name"] == name)
    for page in (client.get(url, headers=BROWSER), client.get("/queries", headers=BROWSER)):
        options = Tags(page.text).options[(f"/queries/{name}", parameter)]
        assert [o for o in options if o] == declared  # plus "(any)" ("") where the value is optional
        assert options[0] == ""


def test_the_chosen_value_stays_selected(client: TestClient) -> None:
    page = client.get("/queries/clusters-by-target-country?country=CAN&phase=implementation", headers=BROWSER)
    assert Tags(page.text).find("option", value="implementation", selected="")
    assert not Tags(page.text).find("option", value="concept", selected="")


def test_every_query_has_a_form_on_the_index_and_its_own_page(client: TestClient) -> None:
    index = Tags(client.get("/queries", headers=BROWSER).text)
    forms = [a["action"] for a in index.find("form", **{"class": "canned"})]
    assert forms == [f"/queries/{name}" for name in QUERY_NAMES]
    assert index.find("a", href="/openapi.json") and index.find("a", href="/openapi")
    for name in QUERY_NAMES:
        page = client.get(f"/queries/{name}", headers=BROWSER)
        assert page.status_code == 200, name
        assert Tags(page.text).find("form", action=f"/queries/{name}"), name


def test_csv_and_json_links_give_the_current_result(client: TestClient) -> None:
    url = "/queries/clusters-by-target-country?country=CAN&phase=concept&limit=5"
    page = client.get(url, headers=BROWSER)
    links = {a["data-format"]: a["href"] for a in Tags(page.text).find("a") if "data-format" in a}
    assert set(links) == {"csv", "json"}
    as_json = client.get(links["json"], headers=BROWSER).json()  # format= wins over a browser's Accept
    as_csv = list(csv.reader(io.StringIO(client.get(links["csv"], headers=BROWSER).text)))
    assert as_json["parameters"] == {"country": "CAN", "phase": "concept"} and as_json["limit"] == 5
    assert len(as_csv) - 1 == len(as_json["results"]["bindings"]) > 0
    assert [row[0] for row in as_csv[1:]] == [b["cluster"]["value"] for b in as_json["results"]["bindings"]]


def test_the_pages_speak_german(client: TestClient) -> None:
    page = client.get("/queries/clusters-by-target-country", headers={**BROWSER, "Accept-Language": "de"})
    assert "Ausführen" in page.text and "erforderlich" in page.text and 'lang="de"' in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_the_openapi_document_has_a_browsable_view(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["externalDocs"]["url"] == "/openapi"  # the document points at its own view
    view = client.get("/openapi", headers=BROWSER)
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html")
    tags = Tags(view.text)
    assert "<script" not in view.text.split("<main>")[1]  # rendered on the server, no Swagger UI
    for path, methods in document["paths"].items():
        operation = methods["get"]
        assert f"GET {path}" in view.text
        assert tags.find("section", id=operation["operationId"])
        for parameter in operation["parameters"]:
            name = parameter.get("name") or parameter["$ref"].rsplit("/", 1)[-1]
            assert f"<code>{name}</code>" in view.text
    assert "∈ {concept, implementation}" in view.text  # the phase enumeration, from the schema
    assert tags.find("a", href="/openapi.json")
    assert tags.find("a", href="/queries/cluster-overview")  # try it: the operation's own page


def test_a_result_opens_on_the_query_page_with_its_values(client: TestClient) -> None:
    url = "/queries/clusters-by-target-country?country=CAN&phase=concept"
    total = client.get(url + "&format=json").json()["total"]
    edit = next(a["href"] for a in Tags(client.get(url, headers=BROWSER).text).find("a", **{"class": "edit"}))
    assert edit.startswith("/query?query=")
    page = client.get(edit)  # the query page runs the same question: the values are written in
    assert page.status_code == 200 and f'<p class="count">{total} rows</p>' in page.text and total > 0
