"""Canned queries: SPARQL files in queries/ with a `#+` header of metadata and typed parameters.

Load them (`load_queries`), turn raw parameter values into RDF terms (`bind`), and run them
against the local store a page at a time with a true total (`run_page`). Parameters are bound
by substitution in the store, never pasted into the query text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..settings import Settings
from ..store import KnowledgeStore
from .header import CannedQuery, Parameter, parse_query_file
from .params import TermContext, bind_value, load_countries
from .text import TOTAL, count_query, page_query, with_values, without_header

__all__ = [
    "CannedQuery",
    "Page",
    "Parameter",
    "Table",
    "TermContext",
    "bind",
    "count_query",
    "find_query",
    "load_queries",
    "page_query",
    "parameter_problems",
    "parse_query_file",
    "run_page",
    "term_context",
    "total_from",
    "with_values",
    "without_header",
]


def load_queries(folder: Path) -> dict[str, CannedQuery]:
    """Every `*.rq` file of `folder` by name; the first malformed file raises a QueryError."""
    if not folder.is_dir():
        raise QueryError(f"no queries folder at {folder}", hint="set --project-dir to the project folder")
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def find_query(queries: Mapping[str, CannedQuery], name: str) -> CannedQuery:
    if name not in queries:
        raise QueryError(f"no canned query named {name!r}", hint=f"choose one of: {', '.join(queries)}")
    return queries[name]


def term_context(settings: Settings) -> TermContext:
    """What binding needs from the project: the base IRI and the country table."""
    return TermContext(settings.base_iri, load_countries(settings.path("reference") / "country_names.csv"))


def parameter_problems(query: CannedQuery, values: Mapping[str, str], ctx: TermContext) -> dict[str, str]:
    """{parameter: what is wrong} for unknown, missing and malformed values (empty when all is well)."""
    problems = {
        name: f"query {query.name!r} has no parameter {name!r}"
        for name in values
        if query.parameter(name) is None
    }
    for param in query.parameters:
        raw = values.get(param.name)
        if raw is None or raw == "":
            if param.required:
                problems[param.name] = f"parameter {param.name!r} is required ({param.kind.help})"
            continue
        try:
            bind_value(param.name, param.kind, raw, ctx)
        except QueryError as exc:
            problems[param.name] = exc.message
    return problems


def bind(query: CannedQuery, values: Mapping[str, str], ctx: TermContext) -> dict[str, str]:
    """{variable: N-Triples term} for the given values and the defaults; a QueryError names any bad one."""
    problems = parameter_problems(query, values, ctx)
    if problems:
        raise QueryError("; ".join(problems.values()), hint=_hint(query, list(problems)))
    terms: dict[str, str] = {}
    for param in query.parameters:
        raw = values.get(param.name) or param.default
        if raw:
            terms[param.name] = bind_value(param.name, param.kind, raw, ctx)
    return terms


def _hint(query: CannedQuery, names: list[str]) -> str:
    known = [p for p in query.parameters if p.name in names]
    accepted = "; ".join(f"{p.name}: {p.kind.help}" for p in known)
    listed = ", ".join(p.name for p in query.parameters) or "none"
    return accepted or f"the parameters of {query.name!r} are: {listed}"


@dataclass(frozen=True)
class Table:
    """SELECT results: column names and rows of SPARQL JSON terms (None where unbound)."""

    columns: list[str]
    rows: list[list[dict[str, str] | None]]

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> Table:
        """From the SPARQL 1.1 Query Results JSON format."""
        doc = json.loads(data) if isinstance(data, bytes | str) else data
        columns = list(doc.get("head", {}).get("vars", []))
        bindings = doc.get("results", {}).get("bindings", [])
        return cls(columns, [[b.get(c) for c in columns] for b in bindings])

    def records(self) -> list[dict[str, dict[str, str]]]:
        """Rows as {column: term} without the unbound columns (the SPARQL JSON binding shape)."""
        return [{c: t for c, t in zip(self.columns, row, strict=True) if t} for row in self.rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows([plain(t) for t in row] for row in self.rows)
        return out.getvalue()

    def to_tsv(self) -> str:
        lines = ["\t".join(f"?{c}" for c in self.columns)]
        lines += ["\t".join(plain(t).replace("\t", " ").replace("\n", " ") for t in r) for r in self.rows]
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        """An aligned text table, for the terminal."""
        rows = [[plain(t, lang=True).replace("\n", " ") for t in row] for row in self.rows]
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
        return "\n".join(lines)


def plain(term: Mapping[str, str] | None, lang: bool = False) -> str:
    """The value of a SPARQL JSON term as text (with @lang for language-tagged literals if asked)."""
    if not term:
        return ""
    tag = term.get("xml:lang")
    return f"{term['value']}@{tag}" if lang and tag else term["value"]


def total_from(table: Table) -> int:
    """The row count from the result of `count_query` (one row; summed in case of several groups)."""
    return sum(int(plain(row[table.columns.index(TOTAL)]) or 0) for row in table.rows)


@dataclass(frozen=True)
class Page:
    """One page of a canned query's results and the number of rows of the whole result."""

    table: Table
    total: int
    limit: int | None
    offset: int


def run_page(
    kg: KnowledgeStore,
    query: CannedQuery,
    terms: Mapping[str, str],
    limit: int | None = None,
    offset: int = 0,
) -> Page:
    """Run a bound canned query against the local store: one page and the true total."""
    rows = kg.query(page_query(query.sparql, limit, offset), "json", substitutions=terms)
    counted = kg.query(count_query(query.sparql, list(terms)), "json", substitutions=terms)
    return Page(Table.from_json(rows.body), total_from(Table.from_json(counted.body)), limit, offset)
