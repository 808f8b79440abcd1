"""Source records: read CSV tables described by a CSVW table schema, check them, normalise them.

`sources/csv-metadata.json` (W3C CSV on the Web) declares each table's columns,
datatypes, required cells, primary key and foreign keys. A column annotated
`"ckg:countryOf": "<column>"` holds the EU authority code of the country
name as written in `<column>`: a real column of the file (what any RML engine
reads) is checked to be that code; a `"virtual": true` one is computed here.

`check_sources` reads everything once and raises `SourceError` (file, row,
column, what to do) at the first problem; `SourceSet.records` streams the
normalised rows of one table for the RML engine.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from .csv_rows import Row, read_rows

METADATA_FILE = "csv-metadata.json"
COUNTRY_NAMES_FILE = "country_names.csv"
ALIASES_TABLE = "country_aliases.csv"


_RESTORE = (
    f"restore reference/{COUNTRY_NAMES_FILE} (from version control, or run tools/make_country_table.py)"
)

_DATATYPE_PATTERNS = {
    "integer": (r"-?\d+", "a whole number such as 12"),
    "decimal": (r"-?\d+(\.\d+)?", "a number such as 30000 or 48.6 (no thousands separators)"),
    "gYear": (r"\d{4}", "a four-digit year such as 2019"),
    "boolean": (r"true|false", "true or false"),
    "anyURI": (r"https?://\S+", "an http(s) URL"),
    "date": (r"\d{4}-\d{2}-\d{2}", "a date written YYYY-MM-DD"),
}


@dataclass(frozen=True)
class Column:
    """One column of a table schema."""

    name: str
    datatype: str = "string"
    pattern: str | None = None
    required: bool = False
    country_of: str | None = None  # set on country code columns
    virtual: bool = False  # computed, not in the file

    def check(self, value: str) -> str | None:
        """Why `value` is not valid for this column, or None when it is."""
        if self.datatype in _DATATYPE_PATTERNS:
            regex, expected = _DATATYPE_PATTERNS[self.datatype]
            if not re.fullmatch(regex, value):
                return f"{value!r} is not {expected}"
            if self.datatype == "date":
                return _check_date(value)
        if self.pattern and not re.search(self.pattern, value):
            return f"{value!r} does not match the allowed values {self.pattern}"
        return None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    target_column: str


@dataclass(frozen=True)
class Table:
    """A table of the CSVW schema: file name, columns, keys."""

    url: str
    columns: tuple[Column, ...]
    primary_key: str | None
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns if not c.virtual]

    @property
    def virtual(self) -> list[Column]:
        return [c for c in self.columns if c.virtual]

    @property
    def country_codes(self) -> list[Column]:
        """The country code columns, real and virtual."""
        return [c for c in self.columns if c.country_of is not None]


@dataclass
class CountryResolver:
    """Country names as written (any case, several languages, aliases) → EU authority code."""

    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_files(cls, names_file: Path) -> CountryResolver:
        if not names_file.is_file():
            raise SourceError("the country name table is missing", file=str(names_file), hint=_RESTORE)
        resolver = cls()
        table = Table(names_file.name, (Column("name", required=True), Column("iso3", required=True)), None)
        for line, row in read_rows(names_file, table.header):
            name, code = row["name"], row["iso3"]
            if name is None or code is None:
                raise SourceError("required cell is empty", file=str(names_file), row=line, hint=_RESTORE)
            resolver.names[name.casefold()] = code
        return resolver

    @property
    def codes(self) -> set[str]:
        return set(self.names.values())

    def add_alias(self, alias: str, code: str) -> None:
        self.names[alias.strip().casefold()] = code

    def resolve(self, written: str) -> str | None:
        return self.names.get(written.strip().casefold())


def load_tables(sources_dir: Path) -> list[Table]:
    """The tables declared in `sources_dir/csv-metadata.json`."""
    path = sources_dir / METADATA_FILE
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
        return [_table(t) for t in metadata["tables"]]
    except FileNotFoundError as exc:
        raise SourceError(
            "no table schema", file=str(path), hint="add csv-metadata.json describing the tables"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            f"table schema is not valid CSVW JSON: {exc}",
            file=str(path),
            hint="fix the JSON; each table needs url and tableSchema.columns",
        ) from exc


def _table(spec: dict) -> Table:
    schema = spec["tableSchema"]
    columns = tuple(_column(c) for c in schema["columns"])
    fks = tuple(
        ForeignKey(fk["columnReference"], fk["reference"]["resource"], fk["reference"]["columnReference"])
        for fk in schema.get("foreignKeys", [])
    )
    return Table(spec["url"], columns, schema.get("primaryKey"), fks)


def _column(spec: dict) -> Column:
    datatype = spec.get("datatype", "string")
    pattern = None
    if isinstance(datatype, dict):
        pattern = datatype.get("format")
        datatype = datatype.get("base", "string")
    return Column(
        name=spec["name"],
        datatype=datatype,
        pattern=pattern,
        required=bool(spec.get("required", False)),
        country_of=spec.get("ckg:countryOf"),
        virtual=bool(spec.get("virtual", False)),
    )


def _check_date(value: str) -> str | None:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real calendar date"
    return None


@dataclass
class SourceSet:
    """Checked source tables; `records` streams one table's normalised rows."""

    directory: Path
    tables: dict[str, Table]
    countries: CountryResolver
    row_counts: dict[str, int] = field(default_factory=dict)

    def records(self, url: str) -> Iterator[Row]:
        """Rows of table `url`: empty cells as None, virtual country codes filled in."""
        table = self.tables[url]
        for _, row in read_rows(self.directory / url, table.header):
            for column in table.virtual:
                written = row.get(column.country_of or "")
                row[column.name] = self.countries.resolve(written) if written else None
            yield row

    def reader(self) -> Callable[[Path, str], Iterator[Row] | None]:
        """A record reader for the RML engine: a logical source path → its checked rows; None for a file
        outside the sources folder (a mapping's own lookup table), which the engine reads itself."""

        def read(path: Path, formulation: str) -> Iterator[Row] | None:
            url = path.name
            if path.resolve().parent != self.directory.resolve():
                return None
            if url not in self.tables:
                raise SourceError(
                    "a mapping reads a file that is not a declared source table",
                    file=str(path),
                    hint=f"declare it in {self.directory / METADATA_FILE} or fix rml:path",
                )
            return self.records(url)

        return read


def country_names(reference_dir: Path) -> CountryResolver:
    """The reference country names and codes alone (empty when the project has no reference table)."""
    path = reference_dir / COUNTRY_NAMES_FILE
    return CountryResolver.from_files(path) if path.is_file() else CountryResolver()


def country_resolver(sources_dir: Path, reference_dir: Path) -> CountryResolver:
    """The one country resolver: the reference names plus the project's aliases, as the build uses them."""
    return _countries({t.url: t for t in load_tables(sources_dir)}, sources_dir, reference_dir)


def _countries(tables: dict[str, Table], sources_dir: Path, reference_dir: Path) -> CountryResolver:
    countries = CountryResolver.from_files(reference_dir / COUNTRY_NAMES_FILE)
    if ALIASES_TABLE in tables:
        _load_aliases(sources_dir / ALIASES_TABLE, tables[ALIASES_TABLE], countries)
    return countries


def check_sources(sources_dir: Path, reference_dir: Path) -> SourceSet:
    """Read every declared table once and raise SourceError at the first problem."""
    tables = {t.url: t for t in load_tables(sources_dir)}
    countries = _countries(tables, sources_dir, reference_dir)
    sources = SourceSet(sources_dir, tables, countries)
    keys: dict[str, dict[str, int]] = {}
    references: list[tuple[str, ForeignKey, dict[str, int]]] = []
    for url, table in tables.items():
        keys[url], refs, sources.row_counts[url] = _check_table(sources_dir / url, table, countries)
        references.extend((url, fk, refs[fk.column]) for fk in table.foreign_keys)
    for url, fk, values in references:
        _check_references(url, fk, values, keys)
    return sources


def _load_aliases(path: Path, table: Table, countries: CountryResolver) -> None:
    known = countries.codes
    for line, row in read_rows(path, table.header):
        alias, code = row.get("alias"), row.get("iso3")
        if alias is None or code is None:
            continue  # _check_table reports the missing cell
        if code not in known:
            raise SourceError(
                f"{code!r} is not a code of the EU country table",
                file=str(path),
                row=line,
                column="iso3",
                hint="use the ISO 3166 alpha-3 code, e.g. DEU",
            )
        countries.add_alias(alias, code)


def _check_table(
    path: Path, table: Table, countries: CountryResolver
) -> tuple[dict[str, int], dict[str, dict[str, int]], int]:
    """Check every row; return primary keys, referencing values (value → first row), row count."""
    key_rows: dict[str, int] = {}
    refs: dict[str, dict[str, int]] = {fk.column: {} for fk in table.foreign_keys}
    count = 0
    for line, row in read_rows(path, table.header):
        count += 1
        _check_cells(path, table, line, row, countries)
        key = row.get(table.primary_key or "")
        if key is not None:
            if key in key_rows:
                raise SourceError(
                    f"duplicate key {key!r} (first used in row {key_rows[key]})",
                    file=str(path),
                    row=line,
                    column=table.primary_key,
                    hint="keys must be unique within a file: rename one of the two",
                )
            key_rows[key] = line
        for column, values in refs.items():
            value = row.get(column)
            if value is not None:
                values.setdefault(value, line)
    return key_rows, refs, count


def _check_cells(path: Path, table: Table, line: int, row: Row, countries: CountryResolver) -> None:
    for column in table.columns:
        if column.country_of is not None:
            _check_country(path, line, row, column, countries)
            continue
        value = row.get(column.name)
        if value is None:
            if column.required:
                raise SourceError(
                    "required cell is empty",
                    file=str(path),
                    row=line,
                    column=column.name,
                    hint=f"fill in '{column.name}'",
                )
            continue
        problem = column.check(value)
        if problem:
            raise SourceError(problem, file=str(path), row=line, column=column.name, hint="fix the cell")


def _check_country(path: Path, line: int, row: Row, column: Column, countries: CountryResolver) -> None:
    """The name in `column.country_of` must resolve; a real code column must hold that code."""
    written = row.get(column.country_of or "")
    code = countries.resolve(written) if written else None
    if written and code is None:
        raise SourceError(
            f"unknown country name {written!r}",
            file=str(path),
            row=line,
            column=column.country_of,
            hint=f"correct the name, or add a row '{written},<ISO alpha-3>' to {ALIASES_TABLE}",
        )
    if column.virtual or row.get(column.name) == code:
        return
    found = row.get(column.name)
    raise SourceError(
        f"{column.name} is {repr(found) if found else 'empty'} but the country {written!r} is {code}"
        if written
        else f"{column.name} is {found!r} but {column.country_of} is empty",
        file=str(path),
        row=line,
        column=column.name,
        hint=f"write {code} in {column.name}"
        if code
        else f"empty {column.name}, or fill in {column.country_of}",
    )


def _check_references(
    url: str, fk: ForeignKey, values: dict[str, int], keys: dict[str, dict[str, int]]
) -> None:
    target = keys.get(fk.table)
    if target is None:
        raise SourceError(
            f"foreign key on '{fk.column}' points to undeclared table {fk.table!r}",
            file=METADATA_FILE,
            hint="fix the foreignKeys of the table schema",
        )
    for value, line in values.items():
        if value not in target:
            raise SourceError(
                f"{value!r} is not a key in {fk.table}",
                file=url,
                row=line,
                column=fk.column,
                hint=f"add a row with key {value!r} to {fk.table}, or correct the reference",
            )
