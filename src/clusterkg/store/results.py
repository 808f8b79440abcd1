"""SPARQL results (SELECT rows, ASK booleans) written as JSON, XML, CSV and TSV.

The pool caps rows before serialising, so it cannot hand the engine's own serialiser a
partial iterator; these writers take rows as SPARQL-JSON term dicts
({"type": "uri"|"literal"|"bnode"|"triple", "value": …, "xml:lang"/"datatype": …}),
which is also what `QueryPool` returns to Python callers.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..terms import quoted

Term = dict[str, Any]
Row = dict[str, Term]

MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD = "http://www.w3.org/2001/XMLSchema#"


def bindings(variables: list[str], rows: list[Row], fmt: str, links: tuple[str, ...] = ()) -> bytes:
    """SELECT results in `fmt` (json, xml, csv, tsv); `links` go into the head (e.g. a truncation note)."""
    if fmt == "json":
        head: dict[str, Any] = {"vars": variables}
        if links:
            head["link"] = list(links)
        return json.dumps(
            {"head": head, "results": {"bindings": rows}}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
    if fmt == "xml":
        return _xml_bindings(variables, rows, links)
    if fmt == "csv":
        lines = [",".join(_csv_field(v) for v in variables)]
        lines += [",".join(_csv_field(_csv_value(row.get(v))) for v in variables) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_tsv_value(row.get(v)) for v in variables) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {fmt!r}")


def boolean(value: bool, fmt: str) -> bytes:
    """An ASK result in `fmt`."""
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{text}</boolean></sparql>\n"
        ).encode()
    if fmt == "csv":
        return f"_askResult\r\n{text}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{text}\n".encode()
    raise ValueError(f"unknown results format {fmt!r}")


def _xml_term(term: Term) -> str:
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return f"<uri>{escape(value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(value)}</bnode>"
    if kind == "triple":
        parts = "".join(f"<{k}>{_xml_term(value[k])}</{k}>" for k in ("subject", "predicate", "object"))
        return f"<triple>{parts}</triple>"
    attrs = ""
    if "xml:lang" in term:
        attrs = f" xml:lang={quoteattr(term['xml:lang'])}"
    elif "datatype" in term:
        attrs = f" datatype={quoteattr(term['datatype'])}"
    return f"<literal{attrs}>{escape(value)}</literal>"


def _xml_bindings(variables: list[str], rows: list[Row], links: tuple[str, ...]) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out += [f"<link href={quoteattr(link)}/>" for link in links]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in row.items()]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_value(term: Term | None) -> str:
    """CSV carries plain values only (the spec drops datatypes and languages)."""
    if term is None:
        return ""
    if term["type"] == "bnode":
        return "_:" + term["value"]
    if term["type"] == "triple":
        return "<< " + " ".join(_nt(term["value"][k]) for k in ("subject", "predicate", "object")) + " >>"
    return str(term["value"])


def _tsv_value(term: Term | None) -> str:
    return "" if term is None else _nt(term)


def _nt(term: Term) -> str:
    """A term in N-Triples / Turtle syntax, as TSV results require."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    if kind == "triple":
        return "<< " + " ".join(_nt(value[k]) for k in ("subject", "predicate", "object")) + " >>"
    datatype = term.get("datatype")
    if datatype in (XSD + "integer", XSD + "decimal", XSD + "boolean") and _plain_number_ok(value, datatype):
        return str(value)
    text = quoted(str(value), tabs=True)
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if datatype and datatype != XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def _plain_number_ok(value: str, datatype: str) -> bool:
    """Turtle's bare number / boolean forms only fit canonical-looking lexical values."""
    patterns = {
        XSD + "integer": r"[+-]?\d+",
        XSD + "decimal": r"[+-]?\d*\.\d+",
        XSD + "boolean": r"true|false",
    }
    return re.fullmatch(patterns[datatype], value) is not None


def plain(term: Term | None, lang: bool = False) -> str:
    """The value of a term as text (with @lang for language-tagged literals if asked)."""
    if not term:
        return ""
    tag = term.get("xml:lang")
    return f"{term['value']}@{tag}" if lang and tag else str(term["value"])


def text_table(variables: list[str], rows: list[Row]) -> str:
    """Rows as an aligned text table with a row count, for the terminal."""
    cells = [[plain(row.get(v), lang=True).replace("\n", " ") for v in variables] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
