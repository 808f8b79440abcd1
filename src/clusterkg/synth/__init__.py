"""Deterministic synthetic source records of any size, for benchmarks and scale tests.

`write_project` writes a complete project folder: `sources/` with every table
the CSVW schema declares (same headers and value shapes as the real records,
every foreign key resolving, country cells written the way documents write
them: "Deutschland", "UK", "Taiwa", "ROK"…), plus copies of the repository's
mappings/, shapes/, ontology/ and reference/, so `clusterkg --project-dir OUT
build` runs on it. Copies, not links: the RML engine resolves logical sources
relative to the mapping files, and a link would lead it back to the real data.

The same seed and size give byte-identical files. The size is chosen by an
approximate target number of triples: records are generated cluster by cluster
until the estimate (per record: its type, provenance and one triple per filled
cell) reaches the target.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..sources import ALIASES_TABLE, COUNTRY_NAMES_FILE, METADATA_FILE, CountryResolver
from .data import ALIASES, HOME_COUNTRIES, TARGET_COUNTRIES
from .generator import Generator
from .tables import TRIPLES_PER_RECORD, Tables

__all__ = [
    "ALIASES",
    "HOME_COUNTRIES",
    "TARGET_COUNTRIES",
    "TRIPLES_PER_RECORD",
    "SynthReport",
    "parse_size",
    "write_project",
]

PROJECT_FOLDERS = ("mappings", "shapes", "ontology", "reference", "queries")


@dataclass
class SynthReport:
    """What was written: the folder, rows per table, the triple estimate."""

    directory: Path
    rows: dict[str, int] = field(default_factory=dict)
    estimated_triples: int = 0


def parse_size(text: str) -> int:
    """'100k', '1M', '2.5m' or '5000' → a number of triples."""
    factors = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
    raw = text.strip().lower().replace("_", "")
    try:
        if raw and raw[-1] in factors:
            return int(float(raw[:-1]) * factors[raw[-1]])
        return int(raw)
    except ValueError as exc:
        raise InputError(f"{text!r} is not a size", hint="write e.g. 100k, 1M or 250000") from exc


def write_project(out: Path, repo: Path, target_triples: int, seed: int = 0) -> SynthReport:
    """Write a complete synthetic project folder of about `target_triples` triples into `out`."""
    if target_triples < 1:
        raise InputError(f"target of {target_triples} triples", hint="ask for at least 1 triple")
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out} exists and is not empty", hint="give a new or empty folder")
    if not (repo / "sources" / METADATA_FILE).is_file():
        raise InputError(f"{repo} has no sources/{METADATA_FILE}", hint="run from the clusterkg project")
    for folder in PROJECT_FOLDERS:
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, out / folder)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(repo / "sources" / METADATA_FILE, out / "sources" / METADATA_FILE)
    _write_aliases(out / "sources" / ALIASES_TABLE, repo / "sources" / ALIASES_TABLE)
    _check_countries(out / "reference" / COUNTRY_NAMES_FILE, out / "sources" / ALIASES_TABLE)
    with Tables(out / "sources") as tables:
        Generator(tables, random.Random(seed), target_triples).run()
        report = SynthReport(out, dict(tables.rows), tables.estimate)
    return report


def _write_aliases(target: Path, repo_aliases: Path) -> None:
    """The repository's aliases plus the ones the synthetic names need, in a stable order."""
    aliases: dict[str, str] = {}
    if repo_aliases.is_file():
        with open(repo_aliases, encoding="utf-8", newline="") as f:
            aliases.update((r["alias"], r["iso3"]) for r in csv.DictReader(f))
    for alias, code in ALIASES.items():
        aliases.setdefault(alias, code)
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["alias", "iso3"])
        writer.writerows(aliases.items())


def _check_countries(names_file: Path, aliases_file: Path) -> None:
    """Every name the generator writes must resolve to its code, else the build would stop."""
    resolver = CountryResolver.from_files(names_file)
    with open(aliases_file, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            resolver.add_alias(row["alias"], row["iso3"])
    for code, names in (HOME_COUNTRIES | TARGET_COUNTRIES).items():
        for name in names:
            if resolver.resolve(name) != code:
                raise InputError(
                    f"synthetic country name {name!r} does not resolve to {code}",
                    hint=f"check {names_file} and {aliases_file}",
                )
