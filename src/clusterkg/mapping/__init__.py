"""The RML mapping engine: RML mapping files + source records -> N-Quads lines.

    document = load_mappings([Path("mappings/clusters.rml.ttl")])
    for line in generate_quads(document, base_iri="https://w3id.org/clusterkg/"):
        sink.write(line)

`load_mappings` parses RML-Core (http://w3id.org/rml/) mapping files, and the
legacy rr:/rml:/ql: vocabularies, into an immutable `MappingDocument`; any
problem raises `MappingError` naming the file, the triples map and the fault.

`generate_quads` streams N-Quads lines. CSV sources are read through
`read_records(path, reference_formulation_iri)` when given (rows as dicts
column -> str, None for null). The engine reads a file itself when the reader
returns None for it, for JSON sources, and when there is no reader. Data errors
(an invalid generated IRI, an invalid language tag, a reference selecting a JSON array) raise
`MappingError`; a broken source file raises `SourceError`.

See README.md in this directory for the supported RML features.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..namespaces import CKG, DEFAULT_BASE_IRI, SHAPES
from .engine import generate_quads as _generate_quads
from .loader import load_mappings as _load_mappings
from .model import MappingDocument, Rebase, TriplesMap
from .records import RecordReader

__all__ = [
    "MappingDocument",
    "Rebase",
    "RecordReader",
    "TriplesMap",
    "generate_quads",
    "load_mappings",
    "project_rebase",
]


def load_mappings(paths: Sequence[Path], rebase: Rebase | None = None) -> MappingDocument:
    """Parse RML mapping files (Turtle) into an immutable `MappingDocument`; `rebase` moves the IRIs
    they write under one base to another (see `Rebase`)."""
    return _load_mappings(tuple(paths), rebase)


def generate_quads(
    mapping: MappingDocument, *, base_iri: str, read_records: RecordReader | None = None
) -> Iterator[str]:
    """Yield N-Quads lines (each ending in "\\n"), reading and mapping one record at a time.

    Relative IRIs are resolved against the triples map's rml:baseIRI, else `base_iri`.
    """
    return _generate_quads(mapping, base_iri=base_iri, read_records=read_records)


def project_rebase(base_iri: str) -> Rebase:
    """The project's mappings write absolute IRIs under the canonical base DEFAULT_BASE_IRI (the one
    form every RML engine reads); generate them under `base_iri`, the setting. The ontology and shapes
    namespaces, which share that base, stay as they are."""
    return Rebase(DEFAULT_BASE_IRI, base_iri, (CKG, SHAPES))
