"""The one writer of RDF terms as text: IRIs and literals in N-Triples syntax, and as SPARQL.

N-Triples escaping here is strict and also valid SPARQL, so a term made here can be bound by
substitution (a store) or written into a VALUES block (a remote endpoint) without the value
being able to change the query's structure.
"""

from __future__ import annotations

import re

IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def iri_term(iri: str) -> str:
    """`<iri>`; ValueError for a relative IRI or one with characters N-Triples forbids."""
    if not IRI_SCHEME.match(iri) or IRI_FORBIDDEN.search(iri):
        raise ValueError(f'{iri!r} is not an absolute IRI (no spaces or any of <>"{{}}|^`\\)')
    return f"<{iri}>"


def escape(text: str) -> str:
    """The body of a string literal as canonical N-Triples writes it: \\ \" \n \r escaped.

    The one literal escaper: the RML engine, publish, the validator's SPARQL and the results
    writers all use it (cheap when nothing needs escaping, which is almost always).
    """
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return text


def quoted(text: str, *, tabs: bool = False) -> str:
    """`"text"`, escaped; `tabs` escapes tabs too (where a tab separates fields: TSV, VALUES rows)."""
    body = escape(text)
    if tabs:
        body = body.replace("\t", "\\t")
    return f'"{body}"'


def literal_term(text: str, lang: str = "", datatype: str = "") -> str:
    """An escaped N-Triples literal; control characters other than tab/newline are refused."""
    if CONTROL.search(text):
        raise ValueError("contains a control character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("is not valid Unicode text") from exc
    body = quoted(text, tabs=True)
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^{iri_term(datatype)}" if datatype else body


def sparql_term(term: str) -> str:
    """An N-Triples term (made here) as SPARQL text that every parser reads as the same term.

    SPARQL 1.1 lets a parser decode `\\uXXXX` anywhere before it tokenises, so an escaped
    backslash followed by `u` (the text `\\u0022`) could turn into a quote. Writing that `u` as the
    8-digit escape `\\U00000075` gives the same value whether or not the parser decodes early.
    """
    out: list[str] = []
    i = 0
    while i < len(term):
        pair = term[i : i + 2] if term[i] == "\\" else term[i]
        out.append(pair)
        i += len(pair)
        if pair == "\\\\" and term[i : i + 1] in ("u", "U"):
            out.append("\\U00000075" if term[i] == "u" else "\\U00000055")
            i += 1
    return "".join(out)


_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def plain(ntriples: str) -> str:
    """The plain value of a term written in N-Triples: an IRI, a blank node label, or a lexical form."""
    if ntriples.startswith("<") and ntriples.endswith(">"):
        return ntriples[1:-1]
    if ntriples.startswith("_:"):
        return ntriples[2:]
    if not ntriples.startswith('"'):
        return ntriples
    body = ntriples[1 : ntriples.rindex('"')]
    return re.sub(
        r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
        lambda m: (
            chr(int(m.group(1)[1:], 16)) if len(m.group(1)) > 1 else _ESCAPES.get(m.group(1), m.group(1))
        ),
        body,
    )
