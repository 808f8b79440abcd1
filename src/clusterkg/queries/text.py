"""The rewrites a canned query needs: a page of it, a count of all its rows, and a VALUES binding.

Only the project's own query text is rewritten, never a parameter value: values are substituted
by the store as RDF terms, or for a remote endpoint written as escaped N-Triples terms in a
VALUES block, where they cannot change the query's structure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import QueryError
from ..store.policy import WHERE_OPEN, split_prologue
from ..store.remote import with_values

if TYPE_CHECKING:
    from .header import CannedQuery

SELECT = re.compile(r"\ASELECT\b", re.IGNORECASE)
SELECT_ALL = re.compile(r"\ASELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)
TRAILING_SLICE = re.compile(r"\b(LIMIT|OFFSET)\s+[0-9]+\s*\Z", re.IGNORECASE)
COMMENT_LINE = re.compile(r"^\s*#[^\n]*$", re.MULTILINE)
TOTAL = "clusterkg_total"


def without_header(sparql: str) -> str:
    """The query without its leading comment lines (the `#+` header), e.g. to send elsewhere."""
    lines = sparql.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)
    return "\n".join(lines[start:]) + "\n"


def _projection(body: str) -> str:
    where = WHERE_OPEN.search(body)
    return body[: where.start()] if where else ""


def check_shape(query: CannedQuery, sparql: str) -> None:
    """A canned query is one SELECT with a WHERE keyword, no final LIMIT/OFFSET, every parameter projected."""
    _, body = split_prologue(query.sparql)
    where = f"{query.path}"
    if not sparql.strip():
        raise QueryError(f"{where}: there is no query after the header", hint="write a SELECT query")
    if not SELECT.match(body):
        raise QueryError(f"{where}: a canned query must be a SELECT query", hint="start it with SELECT")
    if not WHERE_OPEN.search(body):
        raise QueryError(f"{where}: write the WHERE keyword before the query pattern", hint="WHERE { … }")
    if TRAILING_SLICE.search(COMMENT_LINE.sub("", body).rstrip()):
        raise QueryError(
            f"{where}: a canned query must not end in LIMIT or OFFSET",
            hint="the API pages results itself (limit/offset)",
        )
    projection = _projection(body)
    for param in query.parameters:
        variable = re.compile(rf"[?$]{param.name}\b")
        if not variable.search(body):
            raise QueryError(
                f"{where}: parameter {param.name!r} is not a variable of the query",
                hint=f"use ?{param.name} in the query",
            )
        if not SELECT_ALL.match(body) and not variable.search(projection):
            raise QueryError(
                f"{where}: parameter {param.name!r} is not in the SELECT clause",
                hint=f"project ?{param.name}: substitution binds projected variables only",
            )


def page_query(sparql: str, limit: int | None, offset: int = 0) -> str:
    """The query restricted to one page of its rows."""
    parts = [sparql.rstrip(), ""]
    if limit is not None:
        parts.append(f"LIMIT {int(limit)}")
    if offset:
        parts.append(f"OFFSET {int(offset)}")
    return "\n".join(parts) + "\n"


def count_query(sparql: str, bound: list[str]) -> str:
    """A query whose one row holds the number of rows of `sparql` (grouped by the bound parameters,
    which substitution requires in the projection; there is one such group)."""
    prologue, body = split_prologue(sparql)
    variables = " ".join(f"?{name}" for name in bound)
    group = f" GROUP BY {variables}" if bound else ""
    return f"{prologue}SELECT {variables} (COUNT(*) AS ?{TOTAL}) WHERE {{\n{{\n{body}\n}}\n}}{group}\n"


__all__ = ["check_shape", "count_query", "page_query", "split_prologue", "with_values", "without_header"]
