"""Canned queries: SPARQL files in queries/ with a `#+` header of metadata and typed parameters.

Load them (`load_queries`), turn raw parameter values into RDF terms (`bind`), and run them
on any executor a page at a time with a true total (`run_page`). Parameters are bound by
substitution in the store (or a VALUES block remotely), never pasted into the query text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..settings import Settings
from ..sources import country_names, country_resolver
from ..store import ROWS, Executor, QueryRequest, QueryResult, results
from .header import CannedQuery, Parameter, parse_query_file
from .params import TermContext, bind_value
from .text import TOTAL, check_shape, count_query, page_query, with_values, without_header

__all__ = [
    "CannedQuery",
    "Page",
    "Parameter",
    "Table",
    "TermContext",
    "bind",
    "check_shape",
    "count_query",
    "find_query",
    "load_queries",
    "page_query",
    "parameter_problems",
    "parse_query_file",
    "run_page",
    "term_context",
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
    """What binding needs from the project: the base IRI and the build's own country resolver."""
    if not settings.path("sources").is_dir():  # a served store without its sources: names and codes only
        return TermContext(settings.base_iri, country_names(settings.path("reference")))
    return TermContext(
        settings.base_iri, country_resolver(settings.path("sources"), settings.path("reference"))
    )


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
    rows: list[list[dict[str, Any] | None]]

    @classmethod
    def from_rows(cls, variables: list[str], rows: list[results.Row]) -> Table:
        return cls(list(variables), [[r.get(v) for v in variables] for r in rows])

    def records(self) -> list[results.Row]:
        """Rows as {column: term} without the unbound columns (the SPARQL JSON binding shape)."""
        return [{c: t for c, t in zip(self.columns, row, strict=True) if t} for row in self.rows]

    def write(self, fmt: str) -> str:
        """The rows in a SPARQL results format (json, xml, csv, tsv), by the one results writer."""
        return results.bindings(self.columns, self.records(), fmt).decode("utf-8")

    def to_text(self) -> str:
        """An aligned text table, for the terminal."""
        return results.text_table(self.columns, self.records())


@dataclass(frozen=True)
class Page:
    """One page of a canned query's results and the number of rows of the whole result."""

    table: Table
    total: int
    limit: int | None
    offset: int


def _rows(executor: Executor, sparql: str, terms: Mapping[str, str], private: bool) -> QueryResult:
    return executor.execute(QueryRequest.of(sparql, dict(terms), fmt=ROWS, private=private))


def run_page(
    executor: Executor,
    query: CannedQuery,
    terms: Mapping[str, str],
    limit: int | None = None,
    offset: int = 0,
    *,
    private: bool = False,
) -> Page:
    """One page of a bound canned query and the true total, on any executor (the one paging).

    A result that fits under the executor's row cap is evaluated once and sliced, so the page
    and its total come from the same rows; a longer one is paged and counted apart.
    """
    whole = _rows(executor, page_query(query.sparql, None), terms, private)
    if not whole.truncated:
        end = None if limit is None else offset + limit
        return Page(Table.from_rows(whole.variables, whole.rows[offset:end]), len(whole.rows), limit, offset)
    rows = _rows(executor, page_query(query.sparql, limit, offset), terms, private)
    counted = _rows(executor, count_query(query.sparql, list(terms)), terms, private)
    total = sum(int(r[TOTAL]["value"]) for r in counted.rows if TOTAL in r)
    return Page(Table.from_rows(rows.variables, rows.rows), total, limit, offset)
