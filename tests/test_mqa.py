"""The MQA scorer (data.europa.eu's Metadata Quality Assessment) and `clusterkg publish --check`.

The rules, points and format lists come from the standards folder's mqa/; each test changes
one thing in a real release's catalogue and checks exactly the indicators that rule covers.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from publish_support import make_project, open_kg
from serve_support import running_server

from clusterkg import publish as releases
from clusterkg.cli import main
from clusterkg.errors import InputError
from clusterkg.publish import mqa
from clusterkg.publish.mqa_tables import load_tables
from clusterkg.settings import Settings

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.DCTERMS
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_project(tmp_path_factory.mktemp("mqa"))


@pytest.fixture(scope="module")
def release(project: Settings) -> Path:
    return releases.publish(project, open_kg(project)).folder


def _graph(release: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(release / "catalog.ttl")


def _score(graph: rdflib.Graph, standards: Path, release: Path) -> mqa.DatasetScore:
    """The rules alone (no pySHACL): compliance is taken as met; `test_a_dcat_ap_violation…` covers it."""
    reachable = mqa.folder_reachability(release, mqa.download_bases(graph))
    scoring = mqa.Scoring(graph, load_tables(standards), reachable, violations={})
    (dataset,) = graph.subjects(rdflib.RDF.type, DCAT.Dataset)
    return mqa.score_dataset(scoring, dataset)


def _short(score: mqa.DatasetScore) -> dict[str, int]:
    return {m.metric: m.earned for m in score.shortfalls()}


def test_the_indicator_table_adds_up_to_405_over_five_dimensions(standards_dir: Path) -> None:
    tables = load_tables(standards_dir)
    assert tables.maximum == 405 and len(tables.indicators) == 23
    per_dimension: dict[str, int] = {}
    for i in tables.indicators:
        per_dimension[i.dimension] = per_dimension.get(i.dimension, 0) + i.points
    assert per_dimension == {
        "Findability": 100,
        "Accessibility": 100,
        "Interoperability": 110,
        "Reusability": 75,
        "Contextuality": 20,
    }


def test_the_release_scores_full_marks(release: Path, standards_dir: Path) -> None:
    report = releases.assess_release(release, standards_dir)
    assert [d.total for d in report.datasets] == [405]
    assert report.full_marks and report.datasets[0].rating == "Excellent"
    assert report.datasets[0].dimensions()["Accessibility"] == (100, 100)
    assert "Every indicator earns its full points." in report.to_text()


def test_without_rights_and_landing_page_it_scores_350_as_the_old_release_did(
    release: Path, standards_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(release, old)
    (old / "index.html").unlink()
    graph = _graph(old)
    graph.remove((None, DCT.rights, None))
    score = _score(graph, standards_dir, old)
    assert score.total == 350 and score.rating == "Good"
    assert _short(score) == {"accessUrlStatusCode": 0, "rightsAvailability": 0}
    why = {m.metric: m.why for m in score.shortfalls()}
    assert "names the release folder, which has no index.html" in why["accessUrlStatusCode"]


def test_a_download_url_naming_no_file_of_the_release_loses_30(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    for dist, url in list(graph.subject_objects(DCAT.downloadURL)):
        graph.set((dist, DCAT.downloadURL, rdflib.URIRef(str(url) + ".missing")))
    score = _score(graph, standards_dir, release)
    assert _short(score) == {"downloadUrlStatusCode": 0} and score.total == 375


def test_a_url_outside_the_download_base_cannot_be_checked_offline(
    release: Path, standards_dir: Path
) -> None:
    graph = _graph(release)
    for dist in list(graph.subjects(DCAT.accessURL, None)):
        graph.set((dist, DCAT.accessURL, rdflib.URIRef("https://elsewhere.example/data/")))
    score = _score(graph, standards_dir, release)
    assert _short(score) == {"accessUrlStatusCode": 0}
    assert "outside the download base" in score.shortfalls()[0].why


def test_formats_off_the_lists_lose_interoperability(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    for dist in list(graph.subjects(rdflib.RDF.type, DCAT.Distribution)):
        graph.set((dist, DCT.format, rdflib.URIRef(FILE_TYPE + "XLS")))  # machine-readable, proprietary
        graph.set((dist, DCAT.mediaType, rdflib.URIRef("https://example.org/types/excel")))
    score = _score(graph, standards_dir, release)
    assert _short(score) == {"formatMediaTypeVocabularyAlignment": 0, "formatMediaTypeNonProprietary": 0}
    assert score.total == 405 - 10 - 20


def test_an_unknown_licence_still_counts_as_given(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    for dist in list(graph.subjects(rdflib.RDF.type, DCAT.Distribution)):
        graph.set((dist, DCT.license, rdflib.URIRef("https://example.org/our-own-licence")))
    assert _short(_score(graph, standards_dir, release)) == {"knownLicence": 0}


def test_a_licence_matched_to_the_eu_table_is_known(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    cc0 = rdflib.URIRef("http://creativecommons.org/publicdomain/zero/1.0/")  # exactMatch of CC0
    for dist in list(graph.subjects(rdflib.RDF.type, DCAT.Distribution)):
        graph.set((dist, DCT.license, cc0))
    assert _short(_score(graph, standards_dir, release)) == {}


def test_dataset_level_indicators(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    (dataset,) = graph.subjects(rdflib.RDF.type, DCAT.Dataset)
    for prop in (DCAT.keyword, DCT.temporal, DCAT.contactPoint):
        graph.remove((dataset, prop, None))
    graph.set((dataset, DCT.accessRights, rdflib.URIRef("https://example.org/open")))
    short = _short(_score(graph, standards_dir, release))
    assert short == {
        "keywordAvailability": 0,
        "temporalAvailability": 0,
        "accessRightsVocabularyAlignment": 0,
        "contactPointAvailability": 0,
    }


def test_the_best_distribution_counts_not_an_average(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    distributions = sorted(graph.subjects(rdflib.RDF.type, DCAT.Distribution), key=str)
    for dist in distributions[1:]:  # all but the first lose their size and rights
        graph.remove((dist, DCAT.byteSize, None))
        graph.remove((dist, DCT.rights, None))
    score = _score(graph, standards_dir, release)
    assert score.total == 405 and score.distribution == str(distributions[0])
    graph.remove((distributions[0], DCAT.byteSize, None))  # now the first is the worst: 5 short
    graph.remove((distributions[0], DCT.rights, None))
    graph.remove((distributions[0], DCAT.mediaType, None))
    score = _score(graph, standards_dir, release)
    assert score.total == 395 and score.distribution == str(distributions[1])  # earlier of the ties


def test_a_dataset_without_distributions_keeps_only_its_own_dates(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    graph.remove((None, DCAT.distribution, None))
    score = _score(graph, standards_dir, release)
    assert score.distribution is None
    dates = {"dateIssuedAvailability", "dateModifiedAvailability"}
    assert {m.metric for m in score.measurements if m.earned and m.dimension == "Contextuality"} == dates
    assert score.dimensions()["Accessibility"] == (0, 100)


def test_a_dcat_ap_violation_in_the_dataset_loses_compliance(release: Path, standards_dir: Path) -> None:
    graph = _graph(release)
    (dataset,) = graph.subjects(rdflib.RDF.type, DCAT.Dataset)
    graph.remove((dataset, DCT.description, None))  # mandatory in DCAT-AP 3
    report = mqa.score_catalogue(graph, standards_dir, release=release)
    assert {m.metric: m.earned for m in report.datasets[0].shortfalls()} == {"dcatApCompliance": 0}
    assert "description" in report.datasets[0].shortfalls()[0].why


def test_an_indicator_without_a_rule_is_refused(tmp_path: Path, standards_dir: Path) -> None:
    standards = tmp_path / "standards"
    shutil.copytree(standards_dir / "mqa", standards / "mqa")
    text = (standards / "mqa" / "indicators.json").read_text(encoding="utf-8")
    (standards / "mqa" / "indicators.json").write_text(text.replace("keywordAvailability", "newMetric"))
    for name in ("eu-authority",):
        shutil.copytree(standards_dir / name, standards / name)
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("https://example.org/d"), rdflib.RDF.type, DCAT.Dataset))
    scoring = mqa.Scoring(graph, load_tables(standards), lambda url: "", violations={})
    with pytest.raises(InputError, match="newMetric"):
        mqa.score_dataset(scoring, rdflib.URIRef("https://example.org/d"))


@pytest.fixture()
def static_host(release: Path) -> Iterator[str]:
    """The release folder behind a plain static file server (Python's http.server), as a web host."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(release))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_static_host_serves_every_url_the_catalogue_names(
    release: Path, standards_dir: Path, static_host: str
) -> None:
    graph = _graph(release)
    (base,) = mqa.download_bases(graph)
    # Every IRI under the download base, wherever it stands: access and download URLs, landing
    # page, VoID data dumps.
    named = {str(t) for triple in graph for t in triple if str(t).startswith(base)}
    landing = {str(o) for o in graph.objects(None, DCAT.landingPage)}
    assert base in named and landing == {base} and len(named) == 5  # the folder and the four dumps
    reachable = mqa.http_reachability({base: static_host})
    assert {url: reachable(url) for url in named} == {url: "" for url in named}
    report = releases.assess_release(release, standards_dir, reachable)
    assert report.score == 405
    assert reachable(base + "no-such-file.ttl").endswith("answered 404")


def test_our_server_serves_every_url_the_catalogue_names(
    project: Settings, release: Path, standards_dir: Path
) -> None:
    """`clusterkg serve` as the host: the catalogue it serves scores 405 with real HEAD requests."""
    env = {"CLUSTERKG_STORE": str(project.store), "CLUSTERKG_DUMPS_DIR": str(release)}
    with running_server(project.project_dir, env) as root:
        served = urllib.request.urlopen(
            urllib.request.Request(root + "/catalog", headers={"Accept": "text/turtle"})
        )
        graph = rdflib.Graph().parse(data=served.read(), format="turtle")
        (base,) = mqa.download_bases(graph)
        (endpoint,) = set(graph.objects(None, DCAT.endpointURL))
        reachable = mqa.http_reachability({base: root + "/dumps/", str(endpoint): root + "/sparql"})
        report = mqa.score_catalogue(graph, standards_dir, reachable)
        assert report.score == 405, report.to_text()
        named = {str(t) for triple in graph for t in triple if str(t).startswith(base)}
        assert {url: reachable(url) for url in named} == {url: "" for url in named}


def test_publish_check_prints_the_score_and_exits_0_at_full_marks(
    project: Settings, standards_dir: Path, tmp_path: Path
) -> None:
    args = ["--project-dir", str(project.project_dir), "publish", "--store", str(project.store), "-q"]
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, [*args, "--out", str(out), "--check", "--standards", str(standards_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "405/405 (Excellent)" in result.output and (out / "index.html").is_file()


def test_publish_check_lists_what_falls_short_and_exits_1(tmp_path: Path, standards_dir: Path) -> None:
    settings = make_project(tmp_path)
    metadata = settings.project_dir / "catalog" / "catalog.toml"
    text = metadata.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("keywords = ")]
    metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["--project-dir", str(settings.project_dir), "publish", "--store", str(settings.store), "-q"]
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, [*args, "--out", str(out), "--check", "--standards", str(standards_dir)]
    )
    assert result.exit_code == 1, result.output
    assert "375/405" in result.output
    assert "Findability: Keyword usage (keywordAvailability) 0/30: no dcat:keyword is given" in result.output
    assert (out / "catalog.ttl").is_file()  # the release is written either way


def test_publish_check_served_at_a_static_host_asks_it(
    project: Settings, standards_dir: Path, static_host: str, tmp_path: Path
) -> None:
    """--served-at: HEAD requests to the static host (serving the same release) replace the folder."""
    args = ["--project-dir", str(project.project_dir), "publish", "--store", str(project.store), "-q"]
    check = ["--check", "--standards", str(standards_dir), "--served-at", static_host]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"), *check])
    assert result.exit_code == 0 and "405/405" in result.output, result.output
    report = releases.assess_release(tmp_path / "out", standards_dir, served_at=static_host + "nowhere/")
    assert report.score == 405 - 50 - 30  # neither the folder nor a file answers there
    assert "answered 404" in report.to_text()


def test_publish_check_without_the_standards_exits_2_before_writing(
    project: Settings, tmp_path: Path
) -> None:
    args = ["--project-dir", str(project.project_dir), "publish", "--store", str(project.store), "-q"]
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, [*args, "--out", str(out), "--check", "--standards", str(tmp_path / "none")]
    )
    assert result.exit_code == 2
    assert "mqa/indicators.json" in result.output and "--standards" in result.output
    assert not out.exists()
