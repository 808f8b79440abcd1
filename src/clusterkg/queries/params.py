"""Parameter types of canned queries, and how a raw value becomes one RDF term.

A value is turned into an N-Triples term (`<iri>`, `"text"@en`, `"5"^^<xsd:integer>`) that the store
binds to the query's variable by substitution; it never becomes query text. The escaping here is
strict N-Triples and also valid SPARQL, so the remote path can write the same terms into a VALUES
block without the value being able to change the query's structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..errors import QueryError
from ..namespaces import EU_COUNTRY, PREFIXES, XSD
from ..sources import CountryResolver
from ..terms import IRI_SCHEME, iri_term, literal_term

LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
KEY = re.compile(r"^[A-Za-z0-9._~%-]+$")
MAX_TEXT = 1000


@dataclass(frozen=True)
class TermContext:
    """What binding needs besides the value: the base IRI and the country name table."""

    base_iri: str
    countries: CountryResolver = field(default_factory=CountryResolver)


def expand(name: str) -> str:
    """A term written in a header: `<iri>` or `prefix:local` with a prefix of namespaces.PREFIXES."""
    if name.startswith("<") and name.endswith(">"):
        return iri_term(name[1:-1])
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES or not local:
        raise ValueError(f"{name!r} is neither <iri> nor prefix:name with a known prefix")
    return iri_term(PREFIXES[prefix] + local)


class ParamType:
    """A parameter type: `bind` turns a raw value into an N-Triples term or raises ValueError."""

    spec = ""
    help = ""

    def bind(self, raw: str, ctx: TermContext) -> str:
        raise NotImplementedError

    def check(self, raw: str) -> None:
        """Check a value without a context (header defaults and examples)."""
        self.bind(raw, TermContext("https://example.org/"))

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class IriType(ParamType):
    spec = "iri"
    help = "an absolute IRI, or a path under the base IRI (e.g. id/cluster/biorn)"

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        return iri_term(value if IRI_SCHEME.match(value) else ctx.base_iri + value.lstrip("/"))


@dataclass
class IdType(ParamType):
    """The key of a resource of one kind, e.g. id(cluster): `biorn` → {base}id/cluster/biorn."""

    kind: str

    @property
    def spec(self) -> str:  # type: ignore[override]
        return f"id({self.kind})"

    @property
    def help(self) -> str:  # type: ignore[override]
        return f"the key of a {self.kind} (e.g. as in {{base}}id/{self.kind}/KEY) or its full IRI"

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        if IRI_SCHEME.match(value):
            return iri_term(value)
        if not KEY.match(value):
            raise ValueError(f"{value!r} is not a {self.kind} key (letters, digits, - . _ ~)")
        return iri_term(f"{ctx.base_iri}id/{self.kind}/{quote(value, safe='%-._~')}")


class CountryType(ParamType):
    spec = "country"
    help = "an ISO 3166 alpha-2 or alpha-3 code, an English country name, or the EU authority IRI"

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        code = value[len(EU_COUNTRY) :] if value.startswith(EU_COUNTRY) else value
        iso3 = ctx.countries.resolve(code)
        if iso3 is None:
            raise ValueError(f"{value!r} is not a known country code, name or EU country IRI")
        return iri_term(EU_COUNTRY + iso3)

    def check(self, raw: str) -> None:
        if not raw.strip():
            raise ValueError("is empty")


class StringType(ParamType):
    spec = "string"
    help = "text, matched as a plain string literal"

    def bind(self, raw: str, ctx: TermContext) -> str:
        if len(raw) > MAX_TEXT:
            raise ValueError(f"is longer than {MAX_TEXT} characters")
        return literal_term(raw)


@dataclass
class LangStringType(ParamType):
    """Text with a language tag: `Bayern@de`; without `@tag` the type's default language."""

    default_lang: str = ""

    @property
    def spec(self) -> str:  # type: ignore[override]
        return f"langstring({self.default_lang})" if self.default_lang else "langstring"

    @property
    def help(self) -> str:  # type: ignore[override]
        fallback = f" (default language: {self.default_lang})" if self.default_lang else ""
        return f"text with a language tag, as text@lang{fallback}"

    def bind(self, raw: str, ctx: TermContext) -> str:
        text, sep, lang = raw.rpartition("@")
        if not sep or not LANG_TAG.match(lang):
            text, lang = raw, self.default_lang
        if not lang:
            raise ValueError(f"{raw!r} has no language tag (write it as text@en)")
        if len(text) > MAX_TEXT:
            raise ValueError(f"is longer than {MAX_TEXT} characters")
        return literal_term(text, lang=lang.lower())


class LangType(ParamType):
    spec = "lang"
    help = "a BCP 47 language tag such as en or de"

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        if not LANG_TAG.match(value):
            raise ValueError(f"{value!r} is not a language tag such as en or de-AT")
        return literal_term(value.lower())

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": LANG_TAG.pattern}


@dataclass
class IntegerType(ParamType):
    """An integer, optionally within bounds: integer, integer(1..), integer(0..100)."""

    low: int | None = None
    high: int | None = None

    @property
    def spec(self) -> str:  # type: ignore[override]
        if self.low is None and self.high is None:
            return "integer"
        return f"integer({'' if self.low is None else self.low}..{'' if self.high is None else self.high})"

    @property
    def help(self) -> str:  # type: ignore[override]
        return "an integer" + ("" if self.spec == "integer" else f" in {self.spec[8:-1]}")

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        if not INTEGER.match(value):
            raise ValueError(f"{value!r} is not an integer")
        number = int(value)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise ValueError(f"{number} is out of range {self.spec[8:-1]}")
        return literal_term(str(number), datatype=XSD + "integer")

    def schema(self) -> dict[str, Any]:
        bounds = {"minimum": self.low, "maximum": self.high}
        return {"type": "integer", **{k: v for k, v in bounds.items() if v is not None}}


@dataclass
class EnumType(ParamType):
    """One of listed values; a value may stand for an IRI: enum(concept=ckg:ConceptPhase,…)."""

    choices: dict[str, str]  # value → N-Triples term

    @property
    def spec(self) -> str:  # type: ignore[override]
        return f"enum({','.join(self.choices)})"

    @property
    def help(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.choices)

    def bind(self, raw: str, ctx: TermContext) -> str:
        value = raw.strip()
        if value not in self.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(self.choices)}")
        return self.choices[value]

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


def _enum(args: str) -> EnumType:
    choices: dict[str, str] = {}
    for item in (a.strip() for a in args.split(",")):
        value, sep, term = item.partition("=")
        if not value or value in choices:
            raise ValueError(f"empty or repeated enum value in {args!r}")
        choices[value] = expand(term.strip()) if sep else literal_term(value)
    return EnumType(choices)


def _integer(args: str) -> IntegerType:
    low, sep, high = args.partition("..")
    if not sep or not all(INTEGER.match(b) for b in (low, high) if b):
        raise ValueError(f"integer bounds {args!r} should read like 1.. or 0..100")
    return IntegerType(int(low) if low else None, int(high) if high else None)


SIMPLE_TYPES: dict[str, type[ParamType]] = {
    "iri": IriType,
    "country": CountryType,
    "string": StringType,
    "langstring": LangStringType,
    "lang": LangType,
    "integer": IntegerType,
}
TYPE_SPEC = re.compile(r"^(?P<name>[a-z]+)(?:\((?P<args>.*)\))?$")


def parse_type(spec: str) -> ParamType:
    """A type from its header spelling; ValueError says what is wrong."""
    match = TYPE_SPEC.match(spec.strip())
    if not match:
        raise ValueError(f"unreadable type {spec!r}")
    name, args = match["name"], match["args"]
    if args is None and name in SIMPLE_TYPES:
        return SIMPLE_TYPES[name]()
    if args is not None and name == "enum":
        return _enum(args)
    if args is not None and name == "integer":
        return _integer(args)
    if args is not None and name == "langstring" and (LANG_TAG.match(args) or not args):
        return LangStringType(args.lower())
    if args is not None and name == "id" and re.match(r"^[a-z][a-z0-9-]*$", args):
        return IdType(args)
    known = ", ".join([*SIMPLE_TYPES, "integer(LOW..HIGH)", "langstring(LANG)", "id(KIND)", "enum(A,B,…)"])
    raise ValueError(f"unknown type {spec!r}; the types are {known}")


def bind_value(name: str, kind: ParamType, raw: str, ctx: TermContext) -> str:
    """The N-Triples term for one parameter value; a QueryError names the parameter."""
    try:
        return kind.bind(raw, ctx)
    except ValueError as exc:
        raise QueryError(f"parameter {name!r}: {exc}", hint=f"give {kind.help}") from exc
