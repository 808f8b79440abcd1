"""The synthetic generator: deterministic, referentially sound, buildable, and it scales."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg import pipeline
from clusterkg.cli import main
from clusterkg.errors import InputError
from clusterkg.settings import Settings
from clusterkg.sources import check_sources
from clusterkg.synth import ALIASES, HOME_COUNTRIES, TARGET_COUNTRIES, parse_size, write_project

REPO = Path(__file__).resolve().parents[1]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(project: Path, table: str) -> list[dict[str, str]]:
    with open(project / "sources" / table, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "project"
    write_project(out, REPO, 4_000, seed=7)
    return out


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_project(tmp_path / "a", REPO, 20_000, seed=1)
    second = write_project(tmp_path / "b", REPO, 20_000, seed=1)
    assert _files(tmp_path / "a" / "sources") == _files(tmp_path / "b" / "sources")
    assert first.rows == second.rows and first.estimated_triples == second.estimated_triples


def test_another_seed_gives_other_records(tmp_path: Path) -> None:
    write_project(tmp_path / "a", REPO, 5_000, seed=1)
    write_project(tmp_path / "b", REPO, 5_000, seed=2)
    first, second = (tmp_path / name / "sources" / "clusters.csv" for name in ("a", "b"))
    assert first.read_bytes() != second.read_bytes()


def test_every_declared_table_is_written_with_the_real_header(small: Path) -> None:
    real = {p.name for p in (REPO / "sources").glob("*.csv")}
    assert real <= {p.name for p in (small / "sources").glob("*.csv")}
    for name in real:
        with open(REPO / "sources" / name, encoding="utf-8") as a, open(small / "sources" / name) as b:
            assert a.readline() == b.readline(), f"{name}: header differs from the real table"


def test_sources_pass_the_real_check_with_all_references_resolving(small: Path) -> None:
    checked = check_sources(small / "sources", small / "reference")
    assert checked.row_counts["clusters.csv"] > 10
    assert all(count > 0 for count in checked.row_counts.values()), checked.row_counts


def test_country_cells_use_written_variants_that_resolve(small: Path) -> None:
    written = {r["country"] for r in _rows(small, "target_markets.csv") if r["country"]}
    assert written & set(ALIASES), "no alias spelling (Taiwa, UK, ROK…) among the target countries"
    assert len(written) > len(TARGET_COUNTRIES), "only one spelling per country"
    checked = check_sources(small / "sources", small / "reference")
    codes = {r["country_iso3"] for r in checked.records("target_markets.csv") if r["country"]}
    assert codes <= set(TARGET_COUNTRIES) and len(codes) > 5
    homes = {r["country_iso3"] for r in checked.records("clusters.csv")}
    assert homes <= set(HOME_COUNTRIES)


def test_size_scales_with_the_target(tmp_path: Path) -> None:
    small = write_project(tmp_path / "s", REPO, 10_000, seed=3)
    large = write_project(tmp_path / "l", REPO, 100_000, seed=3)
    for report, target in ((small, 10_000), (large, 100_000)):
        assert target <= report.estimated_triples < target * 1.05
    ratio = sum(large.rows.values()) / sum(small.rows.values())
    assert 7 < ratio < 12, ratio


def test_the_project_folder_is_complete(small: Path) -> None:
    for folder in ("mappings", "shapes", "ontology", "reference"):
        assert (small / folder).is_dir() and not (small / folder).is_symlink(), folder
    assert (small / "sources" / "csv-metadata.json").is_file()
    assert (small / "sources" / "country_aliases.csv").is_file()


def test_a_small_run_builds_through_the_real_pipeline(small: Path, tmp_path: Path) -> None:
    if not list((REPO / "mappings").glob("*.rml.ttl")):
        pytest.skip("no mappings in the repository yet")
    result = CliRunner().invoke(
        main, ["--project-dir", str(small), "build", "--quiet", "--store", str(tmp_path / "store")]
    )
    assert result.exit_code == 0, result.output
    settings = Settings.from_env(project_dir=small, store=tmp_path / "store")
    counts = dict(pipeline.open_store(settings).class_counts())
    clusters = counts.get("https://w3id.org/clusterkg/ontology#Cluster")
    assert clusters == len(_rows(small, "clusters.csv"))


def test_parse_size_reads_suffixes() -> None:
    assert parse_size("100k") == 100_000
    assert parse_size("1M") == 1_000_000
    assert parse_size("2.5m") == 2_500_000
    assert parse_size("250000") == 250_000
    with pytest.raises(InputError):
        parse_size("lots")


def test_cli_writes_a_project_and_refuses_a_used_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "p"
    result = runner.invoke(main, ["--project-dir", str(REPO), "synth", str(out), "--triples", "3k"])
    assert result.exit_code == 0, result.output
    assert "records in" in result.output and (out / "sources" / "clusters.csv").is_file()
    again = runner.invoke(main, ["--project-dir", str(REPO), "synth", str(out), "--triples", "3k"])
    assert again.exit_code == 2 and "not empty" in again.output


def test_cli_rejects_a_bad_size(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", str(tmp_path / "p"), "--triples", "many"])
    assert result.exit_code == 2
    assert "'many' is not a size" in result.output
