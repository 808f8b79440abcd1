"""A lexical look at SPARQL text: its form, its dataset clauses, and what a public endpoint refuses.

Oxigraph parses the query for real; this scanner only answers what the engine will not tell us
before it runs: is it an update, does it call out (SERVICE), which graphs do FROM / FROM NAMED
name. Strings, IRIs, comments, variables and prefixed names are skipped as whole tokens, so a
keyword inside any of them never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from ..errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w\-.:%]|\\.)*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass
class QueryShape:
    """What the text says before it is run: its form and its own dataset clauses."""

    form: str | None
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    uses_service: bool = False

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def tokens(sparql: str) -> list[Token]:
    """The significant tokens of `sparql` (no whitespace, no comments)."""
    found = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group()))
    return found


def _prologue(toks: list[Token], base: str) -> tuple[int, str, dict[str, str]]:
    """Skip BASE and PREFIX declarations; return where the body starts, the base and the prefixes."""
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        if toks[i].text.upper() == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text[1:-1])
            i += 2
        elif i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":").split(":")[0]] = urljoin(base, toks[i + 2].text[1:-1])
            i += 3
        else:
            break
    return i, base, prefixes


def _graph_iri(token: Token, base: str, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def analyse(sparql: str, base: str = "") -> QueryShape:
    """The form (SELECT/ASK/CONSTRUCT/DESCRIBE, UPDATE, or None when unclear) and the dataset clauses."""
    toks = tokens(sparql)
    start, base, prefixes = _prologue(toks, base)
    first = toks[start].text.upper() if start < len(toks) and toks[start].kind == "word" else ""
    form = first if first in QUERY_FORMS else "UPDATE" if first in UPDATE_KEYWORDS else None
    shape = QueryShape(form)
    shape.uses_service = any(t.kind == "word" and t.text.upper() == "SERVICE" for t in toks)
    for i, tok in enumerate(toks[:-1]):
        if tok.kind != "word" or tok.text.upper() != "FROM":
            continue
        named = toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
        target = toks[i + 2] if named and i + 2 < len(toks) else toks[i + 1]
        iri = _graph_iri(target, base, prefixes)
        if iri is not None:
            (shape.from_named if named else shape.from_graphs).append(iri)
    return shape


def check_read_only(shape: QueryShape) -> None:
    """Refuse what a public read-only endpoint must never run: updates and federated calls."""
    if shape.is_update:
        raise QueryError(
            "SPARQL Update is not accepted: this endpoint is read-only",
            hint="send a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        )
    if shape.uses_service:
        raise QueryError(
            "SERVICE (federated query) is disabled: this endpoint makes no outbound requests",
            hint="query the other endpoint yourself and combine the results",
        )
