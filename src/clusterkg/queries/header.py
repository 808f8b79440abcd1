"""The `#+` header of a canned query file (grammar in queries/README.md).

    #+ summary: Clusters by target country and phase
    #+ description: Which clusters target a country, in the concept or implementation phase.
    #+ param: country | country | required | example=CAN | The target country
    #+ param: phase | enum(concept=ckg:ConceptPhase,implementation=ckg:ImplementationPhase) | The phase
    #+ tags: clusters, target markets

The header is every `#+` line before the first line of SPARQL; plain `#` comments and blank lines
may sit between them. Any mistake is a QueryError naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QueryError
from .params import ParamType, parse_type
from .text import check_shape

KEYS = ("summary", "description", "param", "tags")
RESERVED = ("limit", "offset", "format")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADER_LINE = re.compile(r"^#\+\s*(?P<key>[A-Za-z_-]*)\s*:\s?(?P<value>.*)$")
QUERY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Parameter:
    """One parameter: bound to the query variable of the same name."""

    name: str
    kind: ParamType
    required: bool
    default: str | None
    example: str | None
    description: str

    def describe(self) -> dict[str, object]:
        """A JSON-friendly description, for the API and `--list`."""
        return {
            "name": self.name,
            "type": self.kind.spec,
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "description": self.description,
            "accepts": self.kind.help,
        }


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its name (the file stem), header and SPARQL text."""

    name: str
    path: Path
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    tags: tuple[str, ...]
    sparql: str = field(repr=False)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def example_values(self) -> dict[str, str]:
        """The example value of every parameter that has one."""
        return {p.name: p.example for p in self.parameters if p.example is not None}


@dataclass
class _Header:
    summary: str = ""
    description: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


class _Reader:
    """Reads header lines, remembering where each came from for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header = _Header()

    def fail(self, line: int, message: str, hint: str = "") -> QueryError:
        return QueryError(f"{self.path}, line {line}: {message}", hint=hint or "see queries/README.md")

    def add(self, line: int, key: str, value: str) -> None:
        value = value.strip()
        if key not in KEYS:
            raise self.fail(line, f"unknown header key {key!r}", f"use one of {', '.join(KEYS)}")
        if not value:
            raise self.fail(line, f"header key {key!r} has no value")
        if key == "summary":
            if self.header.summary:
                raise self.fail(line, "a second summary line", "give one summary; continue in description")
            self.header.summary = value
        elif key == "description":
            self.header.description.append(value)
        elif key == "tags":
            self.header.tags += [t.strip() for t in value.split(",") if t.strip()]
        else:
            self.add_parameter(line, value)

    def add_parameter(self, line: int, value: str) -> None:
        fields = [f.strip() for f in value.split("|")]
        if len(fields) < 3:
            raise self.fail(line, "a param needs at least: name | type | description")
        name, spec, *options = fields
        description = options.pop()
        if not PARAM_NAME.match(name) or name in RESERVED:
            raise self.fail(
                line, f"bad parameter name {name!r}", f"use a SPARQL variable name, not {RESERVED}"
            )
        if any(p.name == name for p in self.header.parameters):
            raise self.fail(line, f"parameter {name!r} is declared twice")
        try:
            kind = parse_type(spec)
        except ValueError as exc:
            raise self.fail(line, f"parameter {name!r}: {exc}") from exc
        self.header.parameters.append(self.parameter(line, name, kind, options, description))

    def parameter(self, line: int, name: str, kind: ParamType, options: list[str], text: str) -> Parameter:
        found: dict[str, str | None] = {"required": None, "default": None, "example": None}
        for option in options:
            key, sep, raw = option.partition("=")
            key = key.strip()
            if key not in found or (key == "required") == bool(sep) or found[key] is not None:
                raise self.fail(
                    line,
                    f"parameter {name!r}: bad or repeated option {option!r}",
                    "options are: required, default=VALUE, example=VALUE",
                )
            found[key] = raw.strip() if sep else "yes"
        for key in ("default", "example"):
            value = found[key]
            if value is None:
                continue
            try:
                kind.check(value)
            except ValueError as exc:
                raise self.fail(line, f"parameter {name!r}: {key} {exc}") from exc
        required = found["required"] is not None
        if required and found["default"] is not None:
            raise self.fail(line, f"parameter {name!r} is required and has a default", "drop one of them")
        if required and found["example"] is None:
            raise self.fail(line, f"required parameter {name!r} has no example", "add example=VALUE")
        return Parameter(name, kind, required, found["default"], found["example"], text)


def split_header(path: Path, text: str) -> tuple[_Header, str]:
    """The header of `text` and the SPARQL after it; header errors name `path` and the line."""
    reader = _Reader(path)
    lines = text.splitlines()
    body_start = len(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            if body_start < number:
                raise reader.fail(
                    number, "a #+ header line after the query has started", "move it to the top of the file"
                )
            match = HEADER_LINE.match(stripped)
            if not match:
                raise reader.fail(number, f"unreadable header line {stripped!r}", "write `#+ key: value`")
            reader.add(number, match["key"], match["value"])
        elif stripped and not stripped.startswith("#") and body_start == len(lines):
            body_start = number
    return reader.header, "\n".join(lines[body_start - 1 :]) if body_start <= len(lines) else ""


def parse_query_file(path: Path, text: str | None = None) -> CannedQuery:
    """A canned query from its file; a QueryError names the file and line of any mistake."""
    text = path.read_text(encoding="utf-8") if text is None else text
    header, sparql = split_header(path, text)
    if not QUERY_NAME.match(path.stem):
        raise QueryError(f"{path}: query name {path.stem!r} is not a lower-case slug", hint="rename the file")
    if not header.summary:
        raise QueryError(f"{path}, line 1: the header has no summary", hint="add `#+ summary: …` at the top")
    if not header.description:
        raise QueryError(f"{path}, line 1: the header has no description", hint="add `#+ description: …`")
    query = CannedQuery(
        path.stem,
        path,
        header.summary,
        " ".join(header.description),
        tuple(header.parameters),
        tuple(header.tags),
        text,
    )
    check_shape(query, sparql)
    return query
