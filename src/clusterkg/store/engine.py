"""The one evaluation: run a checked request on an Oxigraph store and write its result.

Shared by the in-process executor and the worker processes, and (from the parsed answer)
by the remote executor, so every path caps rows and serialises the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import PREFIXES
from . import policy, results
from .request import ROWS, TRUNCATED_NOTE, QueryRequest, QueryResult, check_formats

GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def parse_term(text: str, name: str = "value") -> Term:
    """One RDF term from its N-Triples form (the one parser of terms); QueryError otherwise."""
    try:
        quads = list(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise QueryError(
            f"{name} is not an RDF term: {text!r} ({exc})", hint="give one N-Triples term"
        ) from exc
    if len(quads) != 1:
        raise QueryError(f"{name} is not one RDF term: {text!r}", hint="give exactly one term")
    term: Term = quads[0].object
    return term


def term_dict(term: Any) -> results.Term:
    """A pyoxigraph term as a SPARQL-JSON term dict."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return {"type": "triple", "value": {k: term_dict(t) for k, t in parts}}
    out: results.Term = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != results.XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _dataset(request: QueryRequest) -> dict[str, Any]:
    """The protocol's dataset, when given; otherwise the query's own FROM clauses or the default graph."""
    dataset: dict[str, Any] = {}
    if request.default_graphs is not None or request.named_graphs is not None:
        dataset["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        dataset["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
    return dataset


# The engine says "error at LINE:COLUMN: expected one of A, B, [char class], …"; a character class
# can run to seven lines of Unicode ranges, so the message keeps the position and a few named tokens.
_PARSE_ERROR = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:\'(?:[^\'\\]|\\.)*\'|[^\]\'])*\]|[^,\s][^,]*')
_MAX_EXPECTED = 6


def parse_error_message(engine_text: str) -> str:
    """A one-line parse error: line, column and a few of the tokens the engine expected there."""
    found = _PARSE_ERROR.match(engine_text.strip())
    if found is None:
        return "the query does not parse: " + " ".join(engine_text.split())[:200]
    line, column, expected = found.groups()
    items = [m.group().strip() for m in _EXPECTED_ITEM.finditer(expected)]
    where = f"the query does not parse at line {line}, column {column}"
    if "Prefix not found" in items:
        return f"{where}: a prefix that is not declared (add a PREFIX line for it)"
    # character classes ([_] is "any character") say little and run long: only the named tokens stay
    named = [i for i in items if not i.startswith("[")]
    if not named:
        return f"{where}: unexpected text there"
    shown = ", ".join(named[:_MAX_EXPECTED]) + (", …" if len(named) > _MAX_EXPECTED else "")
    return f"{where}: expected {'one of ' if len(named) > 1 else ''}{shown}"


def evaluate(store: ox.Store, request: QueryRequest, max_rows: int | None) -> QueryResult:
    """Check `request` against the policy, run it, cap it at `max_rows` and write it."""
    check_formats(request)
    policy.check(request.sparql)
    substitutions = {ox.Variable(k): parse_term(v, f"the value of ?{k}") for k, v in request.substitutions}
    try:
        result = store.query(
            request.sparql,
            base_iri=request.base_iri,
            prefixes=PREFIXES,
            substitutions=substitutions or None,
            **_dataset(request),
        )
    except SyntaxError as exc:
        raise QueryError(parse_error_message(str(exc)), hint="fix the SPARQL syntax") from exc
    except (RuntimeError, ValueError) as exc:  # e.g. a substituted variable the query does not project
        raise QueryError(f"the query cannot run: {exc}", hint="check the query and its bindings") from exc
    return write(result, request, max_rows)


def write(result: Any, request: QueryRequest, max_rows: int | None) -> QueryResult:
    """Cap and serialise a pyoxigraph result (from the store, or parsed from a remote answer)."""
    note = ((request.base_iri or "") + TRUNCATED_NOTE,)
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        fmt = "json" if request.fmt == ROWS else request.fmt
        return QueryResult("boolean", results.boolean(value, fmt), results.MEDIA_TYPES[fmt], boolean=value)
    if isinstance(result, ox.QuerySolutions):
        return _bindings(result, request.fmt, max_rows, note)
    return _graph(result, ROWS if request.fmt == ROWS else request.graph_fmt, max_rows)


def _capped(items: Iterable[Any], max_rows: int | None) -> tuple[list[Any], bool]:
    if max_rows is None:
        return list(items), False
    kept = list(islice(items, max_rows + 1))
    truncated = len(kept) > max_rows
    del kept[max_rows:]
    return kept, truncated


def _bindings(
    solutions: ox.QuerySolutions, fmt: str, max_rows: int | None, note: tuple[str, ...]
) -> QueryResult:
    variables = [v.value for v in solutions.variables]
    kept, truncated = _capped(solutions, max_rows)
    rows = [{v: term_dict(s[v]) for v in variables if s[v] is not None} for s in kept]
    if fmt == ROWS:
        return QueryResult("bindings", b"", "", truncated, len(rows), variables, rows)
    body = results.bindings(variables, rows, fmt, note if truncated else ())
    return QueryResult("bindings", body, results.MEDIA_TYPES[fmt], truncated, len(rows), variables)


def _graph(triples: Iterable[ox.Triple], fmt: str, max_rows: int | None) -> QueryResult:
    kept, truncated = _capped(triples, max_rows)
    if fmt == ROWS:
        rows = [
            {
                "subject": term_dict(t.subject),
                "predicate": term_dict(t.predicate),
                "object": term_dict(t.object),
            }
            for t in kept
        ]
        return QueryResult("graph", b"", "", truncated, len(kept), ["subject", "predicate", "object"], rows)
    rdf_format = GRAPH_FORMATS[fmt]
    body = ox.serialize(kept, format=rdf_format, prefixes=PREFIXES if fmt == "turtle" else None) or b""
    return QueryResult("graph", body, rdf_format.media_type, truncated, len(kept))
