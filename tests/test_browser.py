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

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: run tools/install-system-deps.sh"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("browser"))
    (project / "queries").mkdir()
    (project / "queries" / "labelled.rq").write_text(LABELLED, encoding="utf-8")
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
    assert browser_page.title().startswith("Home")
    assert browser_page.locator("table.class-counts td").first.inner_text() != ""

    browser_page.goto(server + "/id/cluster/biorn")
    assert browser_page.locator("h1").inner_text() == "BIORN cluster"
    description = browser_page.locator("p.description").inner_text()
    assert description.startswith("<script>alert(1)</script>")  # shown as text, never run
    browser_page.locator("a", has_text="TRACLIGHT").first.click()
    browser_page.wait_for_url("**/id/project/traclight")
    assert browser_page.locator("h1").inner_text() == "TRACLIGHT"

    browser_page.goto(server + "/query")
    browser_page.fill(
        "#query",
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
