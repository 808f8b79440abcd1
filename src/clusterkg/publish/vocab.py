"""IRIs and term syntax the release metadata uses, on top of clusterkg.namespaces.

Release metadata (catalog, VoID) is built as N-Triples lines: plain strings, so this
package needs no RDF library of its own; store.export parses and re-serialises them.
"""

from __future__ import annotations

from ..namespaces import PREFIXES
from ..terms import escape

SPDX = "http://spdx.org/rdf/terms#"
ADMS = "http://www.w3.org/ns/adms#"
DCATAP = "http://data.europa.eu/r5r/"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"

RELEASE_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "spdx": SPDX,
    "adms": ADMS,
    "dcatap": DCATAP,
}


def iri(value: str) -> str:
    """An IRI in N-Triples syntax."""
    return f"<{value}>"


def literal(value: object, *, lang: str = "", datatype: str = "") -> str:
    """A literal in N-Triples syntax (escapes as canonical N-Triples does)."""
    text = escape(str(value))
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


class Triples:
    """Collects N-Triples lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} .\n")

    def extend(self, other: Triples) -> None:
        self.lines.extend(other.lines)

    def to_bytes(self) -> bytes:
        return "".join(self.lines).encode("utf-8")
