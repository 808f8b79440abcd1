"""CSV writers for the synthetic tables: one per declared table, with a running triple estimate."""

from __future__ import annotations

import csv
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from ..sources import ALIASES_TABLE, country_resolver, load_tables

# Triples a record yields besides one per filled cell: rdf:type, prov:wasDerivedFrom, ckg:sourceFile,
# ckg:sourceRecord. Calibrated against the real mappings (see benchmarks/README.md).
TRIPLES_PER_RECORD = 4


class Tables:
    """One open CSV writer per declared table; counts rows and estimates triples."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        tables = [t for t in load_tables(folder) if t.url != ALIASES_TABLE]
        self.headers = {t.url: t.header for t in tables}
        # Country code columns the file carries: filled from the written name, as the sources stage checks.
        self.codes = {
            t.url: [(c.name, c.country_of) for c in t.country_codes if not c.virtual] for t in tables
        }
        self.countries = country_resolver(folder, folder.parent / "reference")
        self.rows: dict[str, int] = dict.fromkeys(self.headers, 0)
        self.estimate = 0
        self._stack = ExitStack()
        self._writers: dict[str, csv.DictWriter[str]] = {}

    def __enter__(self) -> Tables:
        for url, header in self.headers.items():
            f: IO[str] = self._stack.enter_context(open(self.folder / url, "w", encoding="utf-8", newline=""))
            writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            self._writers[url] = writer
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def emit(self, url: str, **row: object) -> str:
        """Write one record (None and '' leave the cell empty); return its key."""
        cells = {k: "" if v is None else str(v) for k, v in row.items()}
        for code, written in self.codes[url]:
            cells[code] = (
                (self.countries.resolve(cells.get(written or "", "")) or "")
                if cells.get(written or "")
                else ""
            )
        self._writers[url].writerow(cells)
        self.rows[url] += 1
        filled = sum(1 for k, v in cells.items() if v and k not in ("key", "document"))
        self.estimate += TRIPLES_PER_RECORD + filled
        return cells.get("key", "")


def slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ó": "o"})
    chars = [c if c.isascii() and c.isalnum() else "-" for c in text.lower().translate(table)]
    return "-".join(part for part in "".join(chars).split("-") if part)
