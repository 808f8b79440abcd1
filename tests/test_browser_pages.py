"""Every kind of page in Debian's Chromium, at 1280 and at 390 px wide, on the real data.

For each page: nothing scrolls sideways (document.scrollingElement.scrollWidth <= innerWidth),
no console error or uncaught exception, no CSP violation (the `securitypolicyviolation` event),
no failed same-origin request and no request off the machine. The partnership page's target
table and map show the countries its source records target. The server runs on conftest's
`built_project` (the real sources, built once per session) with a release published for it;
Chromium is set up as in test_browser.py (no `playwright install`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_support import running_server
from test_browser import ARGS, CHROMIUM
from test_maps import COUNTRY_IRI, expected_targets

from clusterkg import pipeline
from clusterkg import publish as releases
from clusterkg.settings import Settings

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: run tools/install-system-deps.sh"
)

PAGES = {
    "home": "/",
    "cluster": "/id/cluster/amz",
    "partnership": "/id/partnership/natureef",
    "project": "/id/project/sinni",
    "country": "/country/CHN",
    "document": "/id/document/elca-lightweight-cosme",
    "query": "/query",
    "canned query form": "/queries/clusters-by-target-country",
    "ontology": "/ontology",
    "Cluster class": "/shapes/Cluster",
    "catalog": "/catalog",
    "dumps": "/dumps/",
}
WIDTHS = (1280, 390)
PARTNERSHIP = "natureef"

# Collected in the page from its first script on: a CSP violation is an event, not always a console line.
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
});
"""
# The elements that stick out on the right, to say where an overflow comes from.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .map(el => [Math.round(el.getBoundingClientRect().right), el])
  .filter(([right]) => right > innerWidth + 1).sort((a, b) => b[0] - a[0]).slice(0, 5)
  .map(([right, el]) => `${el.tagName}.${el.className} ${right}px: ${el.textContent.slice(0, 40)}`)"""


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dumps = tmp_path_factory.mktemp("release") / "dumps"
    settings = Settings.from_env(environ={}, project_dir=built_project, dumps_dir=dumps)
    releases.publish(settings, pipeline.open_store(settings), dumps)
    with running_server(built_project, {"CLUSTERKG_DUMPS_DIR": str(dumps)}) as root:
        yield root


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def browser(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    width = request.param
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": width, "height": 900},
        )
        context.add_init_script(WATCH_CSP)
        yield context
        context.close()


class Visit:
    """One page opened in the browser, with what went wrong while it loaded."""

    def __init__(self, context: Any, root: str, path: str) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        self.page.on(
            "console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None
        )
        self.page.on("request", self._request)
        self.page.on("response", self._response)
        self.root = root
        response = self.page.goto(root + path, wait_until="load")
        self.status = response.status if response else 0
        self.page.wait_for_load_state("networkidle")

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.root, "data:")):
            self.problems.append(f"request off the machine: {request.url}")

    def _response(self, response: Any) -> None:
        if response.url.startswith(self.root) and response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations || []"))

    def overflow(self) -> tuple[int, int]:
        return self.page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")  # type: ignore[no-any-return]


@pytest.fixture()
def visit(browser: Any, server: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_page(path: str) -> Visit:
        opened.append(Visit(browser, server, path))
        return opened[-1]

    yield open_page
    for page in opened:
        page.page.close()


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_fits_the_screen_without_errors(visit: Any, path: str) -> None:
    page = visit(path)
    assert page.status == 200, f"{path} answered {page.status}"
    scroll_width, inner_width = page.overflow()
    assert scroll_width <= inner_width, (
        f"{path} is {scroll_width}px wide in a {inner_width}px window; sticking out: "
        f"{page.page.evaluate(WIDEST)}"
    )
    assert page.violations() == [], f"CSP violations on {path}"
    assert page.problems == [], f"problems on {path}"


def test_partnership_table_and_map_show_its_target_countries(visit: Any) -> None:
    page = visit(PAGES["partnership"]).page
    expected = {code for code, _ in expected_targets("partnership", PARTNERSHIP)}
    assert expected, "the oracle found no targets"
    titles = page.locator("table.targets a[title]").evaluate_all("links => links.map(a => a.title)")
    assert {t.removeprefix(COUNTRY_IRI) for t in titles if t.startswith(COUNTRY_IRI)} == expected
    shaded = page.locator("svg [data-country][class*='shade-']").evaluate_all(
        "shapes => shapes.map(s => s.dataset.country)"
    )
    assert set(shaded) == expected
    assert page.locator("svg [data-country][class*='shade-']").first.is_visible()


def test_the_checks_catch_what_they_look_for(visit: Any) -> None:
    """The watchers above see a broken page: an inline style (blocked by the CSP), a console
    error and an element wider than the window."""
    page = visit("/ontology")
    page.page.evaluate(
        """() => {
          document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline</p>');
          document.body.append(Object.assign(document.createElement('pre'), {textContent: 'x'.repeat(3000)}));
          console.error('a test error');
        }"""
    )
    page.page.wait_for_function("window.__violations.length > 0")
    assert any("style-src" in v for v in page.violations())
    assert any("a test error" in p for p in page.problems)
    scroll_width, inner_width = page.overflow()
    assert scroll_width > inner_width
