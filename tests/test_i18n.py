"""The interface in English and German: every text has both, and the language switch works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_support import make_project, settings_for
from starlette.testclient import TestClient

from clusterkg.i18n import UI_LANGUAGES, ui_language
from clusterkg.serve import create_app
from clusterkg.serve.i18n import MESSAGES, say


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = make_project(tmp_path_factory.mktemp("i18n"))
    with TestClient(create_app(settings_for(project))) as test_client:
        yield test_client


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_interface_text_has_every_language(key: str) -> None:
    assert set(MESSAGES[key]) == set(UI_LANGUAGES), f"{key} lacks a language"
    assert all(text.strip() for text in MESSAGES[key].values())


def test_interface_language_follows_preferences_and_falls_back_to_english() -> None:
    assert ui_language(["de-AT", "en"]) == "de"
    assert ui_language(["fr", "de", "en"]) == "de"
    assert ui_language(["fr"]) == "en"
    assert say("fr", "nav.query") == "Query"


def test_accept_language_de_gives_the_german_interface(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html", "Accept-Language": "de"})
    assert '<html lang="de">' in page.text
    assert ">Abfrage</a>" in page.text and ">Query</a>" not in page.text
    assert 'lang="en" href="/language?set=en&amp;next=%2F"' in page.text  # the switch back


def test_the_language_switch_sets_a_cookie_and_returns_to_the_page(client: TestClient) -> None:
    switched = client.get("/language?set=de&next=/query", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/query"
    assert "lang=de" in switched.headers["set-cookie"]
    page = client.get("/", headers={"Accept": "text/html"}, cookies={"lang": "de"})
    assert '<html lang="de">' in page.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_language_switch_never_redirects_off_the_site(client: TestClient, target: str) -> None:
    switched = client.get("/language", params={"set": "en", "next": target}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/"


def test_an_unknown_interface_language_is_refused_naming_the_parameter(client: TestClient) -> None:
    refused = client.get("/language?set=xx", headers={"Accept": "text/plain"})
    assert refused.status_code == 400 and "set='xx'" in refused.text
