"""The pages in a real browser: Debian's headless Chromium driven by Playwright.

`clusterkg serve` runs in a subprocess on loopback; Chromium is launched from /usr/bin/chromium
(installed by tools/install-system-deps.sh; `playwright install` is never run). The test skips
only when Chromium or Playwright is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_support import make_project, running_server

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LABELLED = """#+ summary: Labelled resources
#+ description: Resources with a label, optionally in one language.
#+ param: lang | lang | default=en | The language of the label
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?label ?lang WHERE {
  ?resource rdfs:label ?label .
  FILTER(LANG(?label) = ?lang)
}
ORDER BY ?label
"""

OF_KIND = """\
#+ summary: Resources of a kind
#+ description: Clusters or projects, with their labels.
#+ param: kind | enum(cluster=ckg:Cluster,project=ckg:InternationalisationProject) | required \
| example=cluster | The kind
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?label ?kind WHERE { ?resource a ?kind ; rdfs:label ?label }
ORDER BY ?label
"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: run tools/install-system-deps.sh"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("browser"))
    (project / "queries").mkdir()
    (project / "queries" / "labelled.rq").write_text(LABELLED, encoding="utf-8")
    (project / "queries" / "of-kind.rq").write_text(OF_KIND, encoding="utf-8")
    with running_server(project) as root:
        yield root


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS
        )
        outside: list[str] = []
        context.on(
            "request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None
        )
        browser_page = context.new_page()
        errors: list[str] = []
        browser_page.on("pageerror", lambda e: errors.append(str(e)))
        browser_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield browser_page, errors, outside
        context.close()


def test_home_resource_and_query_pages_in_chromium(server: str, page) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/")
    assert browser_page.title().endswith("· clusterkg")
    assert browser_page.locator("form.search input").count() == 1
    assert browser_page.locator("table.class-counts td").first.inner_text() != ""

    browser_page.goto(server + "/id/cluster/biorn")
    assert browser_page.locator("h1").inner_text() == "BIORN cluster"
    description = browser_page.locator("p.description").inner_text()
    assert description.startswith("<script>alert(1)</script>")  # shown as text, never run
    browser_page.locator("a", has_text="TRACLIGHT").first.click()
    browser_page.wait_for_url("**/id/project/traclight")
    assert browser_page.locator("h1").inner_text() == "TRACLIGHT"

    browser_page.goto(server + "/query")
    set_query(
        browser_page,
        "SELECT ?cluster ?label WHERE { ?cluster a <https://w3id.org/clusterkg/ontology#Cluster> ;"
        " <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label",
    )
    browser_page.click("#run")
    browser_page.wait_for_selector("#results table.results tbody tr")
    headers = browser_page.locator("#results th").all_inner_texts()
    cells = browser_page.locator("#results tbody td").all_inner_texts()
    assert headers == ["cluster", "label"]
    assert "BIORN cluster @en" in [c.replace("\u00a0", " ").strip() for c in cells] or any(
        "BIORN cluster" in c for c in cells
    )
    assert "Done" in browser_page.locator("#status").inner_text()
    assert errors == [] and outside == []


def test_a_canned_query_form_leaves_empty_fields_out(server: str, page) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/queries/labelled?lang=de")
    assert browser_page.locator("table tbody tr").count() == 2  # the German labels only
    browser_page.fill("input[name=lang]", "")
    browser_page.click("form.canned button")
    browser_page.wait_for_url("**/queries/labelled*")
    assert "lang=" not in browser_page.url  # an empty value would be a 400 from the API
    assert browser_page.locator("table tbody tr").count() == 3  # the default, English
    assert errors == [] and outside == []


# ---------------------------------------------------------------- the query page and the canned-query forms

CLUSTERS = "SELECT ?cluster WHERE { ?cluster a ckg:Cluster }"
PROJECTS = "SELECT ?project ?by WHERE { ?project a ckg:InternationalisationProject ; ckg:runBy ?by }"


CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def csp(page):  # type: ignore[no-untyped-def]
    """Records the page's CSP violations (inline script or style, outside loads); yields a reader."""
    browser_page = page[0]
    browser_page.add_init_script(CSP_WATCH)
    yield lambda: browser_page.evaluate("() => window.__csp")


def set_query(browser_page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Put `text` into the editor (CodeMirror keeps the textarea hidden)."""
    browser_page.wait_for_selector(".CodeMirror")
    browser_page.evaluate("text => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", text)


def editor_text(browser_page) -> str:  # type: ignore[no-untyped-def]
    return str(browser_page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def run_with_ctrl_enter(browser_page, text: str) -> None:  # type: ignore[no-untyped-def]
    set_query(browser_page, text)
    browser_page.click(".CodeMirror-code")
    browser_page.keyboard.press("Control+Enter")
    browser_page.wait_for_selector("#results table.results tbody tr")


def test_query_page_highlights_and_runs_with_ctrl_enter(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/query")
    assert browser_page.locator(".CodeMirror .cm-keyword").count() > 0  # SELECT, WHERE… highlighted
    assert browser_page.locator("#query").is_hidden()  # the editor stands in for the textarea
    run_with_ctrl_enter(browser_page, CLUSTERS)
    assert browser_page.locator("#results th").all_inner_texts() == ["cluster"]
    link = browser_page.locator("#results tbody td a").first
    assert link.inner_text() == "BIORN cluster"  # the IRI shows its label, and links to its page
    assert link.get_attribute("href") == "/id/cluster/biorn"
    assert "query=SELECT" in browser_page.url  # the URL carries the query
    assert errors == [] and outside == [] and csp() == []


def test_query_page_url_state_and_back_button(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/query")
    run_with_ctrl_enter(browser_page, CLUSTERS)
    first_url = browser_page.url
    run_with_ctrl_enter(browser_page, PROJECTS)
    assert browser_page.locator("#results th").all_inner_texts() == ["project", "by"]
    assert browser_page.url != first_url
    browser_page.go_back()
    browser_page.wait_for_function("() => document.querySelector('#results th')?.textContent === 'cluster'")
    assert browser_page.url == first_url and editor_text(browser_page) == CLUSTERS
    browser_page.go_forward()
    browser_page.wait_for_function("() => document.querySelectorAll('#results th').length === 2")
    assert editor_text(browser_page) == PROJECTS
    # the shared URL, opened afresh, shows the query and its result (rendered by the server)
    browser_page.goto(first_url)
    assert editor_text(browser_page) == CLUSTERS
    assert browser_page.locator("#results tbody td a").first.inner_text() == "BIORN cluster"
    assert errors == [] and outside == [] and csp() == []


def test_query_page_completes_prefixes(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/query")
    set_query(browser_page, "")
    browser_page.click(".CodeMirror-code")
    browser_page.keyboard.type("PREFIX sk")
    hints = browser_page.locator(".CodeMirror-hints li")
    hints.first.wait_for()
    # The list opens on the first letter and narrows as the rest is typed: wait until it settles.
    expected = "skos: <http://www.w3.org/2004/02/skos/core#>"
    settled = "e => { const li = [...document.querySelectorAll('.CodeMirror-hints li')];"
    settled += " return li.length === 1 && li[0].textContent === e; }"
    browser_page.wait_for_function(settled, arg=expected, timeout=5000)
    assert hints.all_inner_texts() == [expected]
    browser_page.keyboard.press("Enter")
    assert editor_text(browser_page) == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    browser_page.keyboard.press("Enter")
    browser_page.keyboard.type("SELECT * WHERE { ?s a ckg:Clu")
    browser_page.wait_for_function(
        "() => [...document.querySelectorAll('.CodeMirror-hints li')]"
        ".some(li => li.textContent === 'ckg:Cluster')"
    )
    browser_page.keyboard.press("Enter")
    assert editor_text(browser_page).endswith("?s a ckg:Cluster")
    assert errors == [] and outside == [] and csp() == []


def test_query_page_download_links(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/query")
    run_with_ctrl_enter(browser_page, CLUSTERS)
    links = browser_page.locator("#downloads a")
    assert links.all_inner_texts() == ["CSV", "JSON"]
    csv_file = browser_page.request.get(server + links.nth(0).get_attribute("href"))
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.text().splitlines() == ["cluster", "https://w3id.org/clusterkg/id/cluster/biorn"]
    json_file = browser_page.request.get(server + links.nth(1).get_attribute("href"))
    assert json_file.json()["head"]["vars"] == ["cluster"]
    assert errors == [] and outside == [] and csp() == []


def test_endpoint_opened_in_the_browser_shows_the_query_page(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    browser_page, errors, outside = page
    browser_page.goto(server + "/sparql?" + urlencode({"query": CLUSTERS}))
    assert editor_text(browser_page) == CLUSTERS
    assert browser_page.locator("#results tbody td a").first.inner_text() == "BIORN cluster"
    assert errors == [] and outside == [] and csp() == []


def test_canned_query_form_with_a_drop_down(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.goto(server + "/queries/of-kind")  # bare: the form, not an error
    options = browser_page.locator("select[name=kind] option")
    assert options.all_inner_texts() == ["cluster", "project"]
    browser_page.select_option("select[name=kind]", "project")
    browser_page.click("form.canned button")
    browser_page.wait_for_url("**/queries/of-kind?kind=project")
    assert browser_page.locator("table.results tbody td .literal").first.inner_text() == "TRACLIGHT"
    assert browser_page.locator("select[name=kind]").input_value() == "project"
    csv_link = browser_page.locator(".downloads a", has_text="CSV").get_attribute("href")
    assert browser_page.request.get(server + csv_link).text().splitlines()[1].split(",")[1] == "TRACLIGHT"
    assert errors == [] and outside == [] and csp() == []


@pytest.mark.parametrize("width", [1280, 390])
def test_query_and_canned_pages_fit_the_screen(server: str, page, csp, width: int) -> None:  # type: ignore[no-untyped-def]
    browser_page, errors, outside = page
    browser_page.set_viewport_size({"width": width, "height": 900})
    try:
        for path in ("/query", "/queries", "/queries/of-kind?kind=project", "/openapi"):
            browser_page.goto(server + path)
            if path == "/query":
                run_with_ctrl_enter(browser_page, PROJECTS)
            overflow = browser_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow} px too wide at {width} px"
    finally:
        browser_page.set_viewport_size({"width": 1280, "height": 720})
    assert errors == [] and outside == [] and csp() == []


def test_result_links_from_the_script_equal_the_servers(server: str, page, csp) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    browser_page, errors, outside = page
    query = "SELECT ?x WHERE { VALUES ?x { country:FRA ckg:Cluster <https://example.org/elsewhere> } }"
    browser_page.goto(server + "/query")
    run_with_ctrl_enter(browser_page, query)
    by_script = [a.get_attribute("href") for a in browser_page.locator("#results tbody a").all()]
    browser_page.goto(server + "/query?" + urlencode({"query": query}))  # rendered by the server
    by_server = [a.get_attribute("href") for a in browser_page.locator("#results tbody a").all()]
    assert by_script == by_server
    assert by_script == ["/country/FRA", "/ontology#Cluster", "https://example.org/elsewhere"]
    assert errors == [] and outside == [] and csp() == []
