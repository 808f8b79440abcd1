"""The one query policy: what any executor (in-process, worker pool, remote) refuses to run.

Read-only (no SPARQL Update), no SERVICE (no outbound requests), bounded nesting. The
decisions are taken on the text the engine will parse: SPARQL 1.1 §19.2 codepoint escapes
(\\uXXXX, \\UXXXXXXXX) are applied first, as the engine applies them, so an escape cannot hide
a keyword from the policy. Then strings, IRIs, comments, variables and prefixed names are
skipped as whole tokens, so a keyword inside any of them never counts. A comment that names
SERVICE is refused too: it is where a scanner and an engine could disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
MAX_NESTING = 256  # deeper groups overflow the engine's parser stack (5,000 braces crash it)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
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
PROLOGUE = re.compile(
    r"\A(?:\s+|#[^\n]*(?:\n|\Z)|PREFIX\s+[^\s:]*:\s*<[^<>\s]*>|BASE\s+<[^<>\s]*>)*", re.IGNORECASE
)
WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SERVICE_WORD = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class QueryShape:
    """What the text says before it is run: its form, and whether it calls out or nests too deep."""

    form: str | None
    uses_service: bool = False
    service_in_comment: bool = False
    nesting: int = 0

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"


def split_prologue(sparql: str) -> tuple[str, str]:
    """(PREFIX/BASE declarations and comments, the query from its form keyword on)."""
    match = PROLOGUE.match(sparql)
    end = match.end() if match else 0
    return sparql[:end], sparql[end:]


def unescape_codepoints(sparql: str) -> str:
    """SPARQL 1.1 §19.2: replace \\uXXXX and \\UXXXXXXXX escapes by their characters."""
    if "\\u" not in sparql and "\\U" not in sparql:
        return sparql

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"{match.group(0)} is not a Unicode character", hint="fix the escape")
        return chr(code)

    return _ESCAPE.sub(char, sparql)


def all_tokens(sparql: str) -> list[Token]:
    """Every token of `sparql` after codepoint escapes, comments included, whitespace not."""
    found = []
    for match in _TOKEN.finditer(unescape_codepoints(sparql)):
        kind = match.lastgroup or "other"
        if kind != "space":
            found.append(Token(kind, match.group()))
    return found


def _body_start(toks: list[Token]) -> int:
    """Where the query body starts, after BASE and PREFIX declarations."""
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        step = 2 if toks[i].text.upper() == "BASE" else 3
        if i + step > len(toks):
            break
        i += step
    return i


def _nesting(toks: list[Token]) -> int:
    depth = deepest = 0
    for tok in toks:
        if tok.kind == "other":
            if tok.text in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif tok.text in _CLOSE:
                depth -= 1
    return deepest


def analyse(sparql: str) -> QueryShape:
    """The form (SELECT/ASK/CONSTRUCT/DESCRIBE, UPDATE, or None when unclear) and what it reaches."""
    toks = all_tokens(sparql)
    comments = [t for t in toks if t.kind == "comment"]
    code = [t for t in toks if t.kind != "comment"]
    start = _body_start(code)
    first = code[start].text.upper() if start < len(code) and code[start].kind == "word" else ""
    form = first if first in QUERY_FORMS else "UPDATE" if first in UPDATE_KEYWORDS else None
    return QueryShape(
        form,
        uses_service=any(t.kind == "word" and t.text.upper() == "SERVICE" for t in code),
        service_in_comment=any(_SERVICE_WORD.search(t.text) for t in comments),
        nesting=_nesting(code),
    )


def check(sparql: str) -> QueryShape:
    """The shape of a query the policy accepts; QueryError (naming what to change) otherwise."""
    shape = analyse(sparql)
    if shape.is_update:
        raise QueryError(
            "SPARQL Update is not accepted: this endpoint is read-only",
            hint="send a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        )
    if shape.uses_service or shape.service_in_comment:
        where = "in a comment" if not shape.uses_service else "(federated query)"
        raise QueryError(
            f"SERVICE {where} is refused: this endpoint makes no outbound requests",
            hint="query the other endpoint yourself and combine the results"
            + ("; or drop the comment" if not shape.uses_service else ""),
        )
    if shape.nesting > MAX_NESTING:
        raise QueryError(
            f"the query nests {shape.nesting} groups deep, more than the {MAX_NESTING} this endpoint runs",
            hint="flatten the query",
        )
    return shape
