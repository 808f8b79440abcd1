"""Compiling term maps into closures that turn a record into N-Quads term strings.

Everything here runs in the per-record hot loop, so it works on plain strings:
no RDF library objects, no per-record parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from ..errors import MappingError
from ..namespaces import XSD
from ..terms import escape
from .model import Constant, LogicalSource, TemplatePart, TermMap
from .records import Accessor, compile_reference

TermFn = Callable[[Any], list[str]]

XSD_STRING = XSD + "string"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]|%(?![0-9A-Fa-f]{2})')
_UNSAFE_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+"
)
_NATURAL = {bool: f"^^<{XSD}boolean>", int: f"^^<{XSD}integer>", float: f"^^<{XSD}double>"}


@dataclass
class TermContext:
    """What compiling a triples map's term maps needs."""

    source: LogicalSource
    base: str
    where: str
    fresh: Iterator[int]


def is_language_tag(tag: str) -> bool:
    return _LANGUAGE_TAG.fullmatch(tag) is not None


def is_absolute_iri(iri: str) -> bool:
    return _SCHEME.match(iri) is not None and _BAD_IRI.search(iri) is None


def lexical(value: object) -> str:
    """The lexical form of a source value (JSON numbers and booleans in XSD canonical form)."""
    if type(value) is str:
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _canonical_double(value)
    return str(value)


def _canonical_double(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "INF" if value > 0 else "-INF"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp = len(digits) - 1 + int(exponent) if text != "0" else 0
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{exp}"


def uri_safe(text: str) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (rml:URI)."""
    return quote(text, safe="")


def iri_safe(text: str) -> str:
    """Percent-encode everything but RFC 3987 iunreserved characters (rml:IRI)."""
    if text.isascii():
        return quote(text, safe="")
    return "".join(c if _is_ucschar(ord(c)) else quote(c, safe="") for c in text)


def _is_ucschar(cp: int) -> bool:
    if cp < 0xA0:
        return False
    if cp <= 0xD7FF:
        return True
    if cp < 0x10000:
        return 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF
    if cp >= 0xE0000:
        return 0xE1000 <= cp <= 0xEFFFD
    return (cp & 0xFFFF) <= 0xFFFD


def blank_label(value: str) -> str:
    """A deterministic, N-Quads-safe blank node for a value: equal values, equal nodes."""
    if value.isascii() and value.isalnum():
        return "_:b" + value
    out = []
    for char in value:
        if char.isascii() and char.isalnum():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"_{code:02X}" if code < 0x100 else f"__{code:06X}")
    return "_:b" + "".join(out)


def iri_term(value: str, base: str, where: str) -> str:
    """`<iri>` for a generated IRI, resolved against `base` when relative; invalid IRIs are errors."""
    if _SCHEME.match(value) is None:
        value = base + value
    if _BAD_IRI.search(value) is not None:
        raise MappingError(
            f"{where}: generated IRI {value!r} is not a valid IRI",
            hint="use rml:template (which percent-encodes values) or clean the source value",
        )
    return "<" + value + ">"


def unsafe_iri_term(value: str, base: str) -> str:
    """`<iri>` for rml:UnsafeIRI: characters N-Quads forbids are written as \\u escapes."""
    if _SCHEME.match(value) is None:
        value = base + value
    return "<" + _UNSAFE_IRI_CHARS.sub(lambda m: f"\\u{ord(m.group()):04X}", value) + ">"


def datatype_suffix(datatype: str) -> str:
    return "" if datatype == XSD_STRING else f"^^<{datatype}>"


def render_constant(constant: Constant, where: str) -> str:
    if constant.kind == "iri":
        return iri_term(constant.value, "", where)
    if constant.kind == "blank":
        return blank_label(constant.value)
    suffix = ""
    if constant.language:
        suffix = "@" + constant.language
    elif constant.datatype:
        suffix = datatype_suffix(constant.datatype)
    return '"' + escape(constant.value) + '"' + suffix


def compile_values(tm: TermMap, ctx: TermContext, encode: Callable[[str], str] | None = None) -> Accessor:
    """The raw values of a term map (before term generation); templates are encoded by `encode`."""
    if tm.constant is not None:
        value: list[object] = [tm.constant.value]
        return lambda record: value
    if tm.reference is not None:
        return compile_reference(ctx.source, tm.reference, ctx.where)
    return _template_values(tm.template, ctx, encode)


def _template_values(
    parts: tuple[TemplatePart, ...], ctx: TermContext, encode: Callable[[str], str] | None
) -> Accessor:
    pieces: list[tuple[bool, Any]] = [
        (True, compile_reference(ctx.source, text, ctx.where)) if is_ref else (False, text)
        for is_ref, text in parts
    ]

    def values(record: object) -> list[object]:
        """The common case, every reference single-valued; else the cartesian product."""
        out: list[str] = []
        for is_ref, item in pieces:
            if not is_ref:
                out.append(item)
                continue
            found = item(record)
            if len(found) != 1:
                return _product(pieces, record, encode) if found else []
            text = found[0] if type(found[0]) is str else lexical(found[0])
            out.append(text if encode is None else encode(text))
        return ["".join(out)]

    return values


def _product(
    pieces: list[tuple[bool, Any]], record: object, encode: Callable[[str], str] | None
) -> list[object]:
    strings = [""]
    for is_ref, item in pieces:
        if not is_ref:
            strings = [s + item for s in strings]
            continue
        found = item(record)
        if not found:
            return []
        texts = [lexical(v) for v in found] if encode is None else [encode(lexical(v)) for v in found]
        strings = [s + t for s in strings for t in texts]
    return list(strings)


def compile_term(tm: TermMap, ctx: TermContext) -> TermFn:
    """A closure: record -> N-Quads strings of the terms this term map generates."""
    if tm.constant is not None:
        rendered = [render_constant(tm.constant, ctx.where)]
        return lambda record: rendered
    if tm.kind == "blank":
        fresh = ctx.fresh
        return lambda record: [f"_:n{next(fresh)}"]
    if tm.term_type in ("iri", "uri"):
        encode = iri_safe if tm.term_type == "iri" else uri_safe
        values = compile_values(tm, ctx, encode)
        prefix = _safe_template_prefix(tm.template, ctx.base)
        if prefix is not None:
            start = "<" + prefix
            return lambda record: [start + str(v) + ">" for v in values(record)]
        return _iri_fn(values, ctx)
    values = compile_values(tm, ctx)
    if tm.term_type == "unsafe":
        base = ctx.base
        return lambda record: [unsafe_iri_term(lexical(v), base) for v in values(record)]
    if tm.term_type == "blank":
        return lambda record: [blank_label(lexical(v)) for v in values(record)]
    return _literal_fn(tm, values, ctx)


def _safe_template_prefix(template: tuple[TemplatePart, ...], base: str) -> str | None:
    """What to put before an IRI template's (percent-encoded, so safe) values to get a valid
    absolute IRI: "" if the template starts with a scheme, the base IRI if it cannot have one
    (no ':' outside the values), None when only a check per IRI can tell."""
    texts = [text for is_ref, text in template if not is_ref]
    if not template or any(_BAD_IRI.search(text) for text in texts):
        return None
    if not template[0][0] and _SCHEME.match(template[0][1]):
        return ""
    if not any(":" in text for text in texts) and is_absolute_iri(base):
        return base
    return None


def _iri_fn(values: Accessor, ctx: TermContext) -> TermFn:
    base, where = ctx.base, ctx.where
    return lambda record: [iri_term(lexical(v), base, where) for v in values(record)]


def _literal_fn(tm: TermMap, values: Accessor, ctx: TermContext) -> TermFn:
    if tm.language_map is not None:
        return _language_map_fn(values, compile_values(tm.language_map, ctx), ctx.where)
    if tm.datatype_map is not None:
        return _datatype_map_fn(values, compile_term(tm.datatype_map, ctx))
    if tm.language is not None or tm.datatype is not None:
        suffix = "@" + tm.language if tm.language is not None else datatype_suffix(tm.datatype or "")
        return lambda record: ['"' + escape(lexical(v)) + '"' + suffix for v in values(record)]

    def natural(record: object) -> list[str]:
        out = []
        for v in values(record):
            if type(v) is str:
                out.append('"' + escape(v) + '"')
            else:
                out.append('"' + lexical(v) + '"' + _NATURAL.get(type(v), ""))
        return out

    return natural


def _language_map_fn(values: Accessor, languages: Accessor, where: str) -> TermFn:
    valid: set[str] = set()

    def literals(record: object) -> list[str]:
        tags = [lexical(tag) for tag in languages(record)]
        for tag in tags:
            if tag not in valid:
                if not is_language_tag(tag):
                    raise MappingError(
                        f"{where}: language tag {tag!r} is not a valid BCP 47 tag",
                        hint="use tags such as en, de or en-GB",
                    )
                valid.add(tag)
        texts = ['"' + escape(lexical(v)) + '"' for v in values(record)]
        return [text + "@" + tag for text in texts for tag in tags]

    return literals


def _datatype_map_fn(values: Accessor, datatypes: TermFn) -> TermFn:
    def literals(record: object) -> list[str]:
        suffixes = ["" if dt == f"<{XSD_STRING}>" else "^^" + dt for dt in datatypes(record)]
        texts = ['"' + escape(lexical(v)) + '"' for v in values(record)]
        return [text + suffix for text in texts for suffix in suffixes]

    return literals
