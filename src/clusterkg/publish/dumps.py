"""The release files: the public graphs in four serialisations, the ontology and the shapes.

Every file is written from canonical (sorted, skolemised) lines, and gzip members carry
no file name and mtime 0, so the same data always gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..store import export
from .vocab import RELEASE_PREFIXES

GZIP_LEVEL = 6
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DumpFormat:
    """One kind of release file: its serialisation and how the catalog describes it."""

    suffix: str
    serialisation: str
    media_type: str  # IANA
    file_type: str  # EU file-type authority code
    compressed: bool
    label: str


DATA_FORMATS = (
    DumpFormat(".nq.gz", "nquads", "application/n-quads", "RDF_N_QUADS", True, "N-Quads, gzip"),
    DumpFormat(".nt.gz", "ntriples", "application/n-triples", "RDF_N_TRIPLES", True, "N-Triples, gzip"),
    DumpFormat(".ttl", "turtle", "text/turtle", "RDF_TURTLE", False, "Turtle"),
    DumpFormat(".jsonld", "jsonld", "application/ld+json", "JSON_LD", False, "JSON-LD"),
)
SCHEMA_FORMATS = (
    DumpFormat(".ttl", "turtle", "text/turtle", "RDF_TURTLE", False, "Turtle"),
    DumpFormat(".rdf", "rdfxml", "application/rdf+xml", "RDF_XML", False, "RDF/XML"),
)


@dataclass(frozen=True)
class DumpFile:
    """A written release file with the facts the catalog states about it."""

    name: str
    form: DumpFormat
    size: int
    sha256: str


def write_data_dumps(folder: Path, stem: str, graphs: dict[str, Path], union: Path) -> list[DumpFile]:
    """Write the public graphs as N-Quads (named graphs kept) and the union in three triple formats,
    from files of canonical lines (`graphs`: one per graph; `union`: their union), read as written."""
    writers = {
        "nquads": lambda path: _write_gzip(path, _quad_chunks(graphs)),
        "ntriples": lambda path: _write_gzip(path, _joined_chunks(union)),
        "turtle": lambda path: _write_serialisation(path, union, "turtle"),
        "jsonld": lambda path: _write_serialisation(path, union, "jsonld"),
    }
    with ThreadPoolExecutor(max_workers=len(DATA_FORMATS)) as pool:  # zlib and oxigraph release the GIL
        jobs = [pool.submit(writers[f.serialisation], folder / f"{stem}{f.suffix}") for f in DATA_FORMATS]
        for job in jobs:
            job.result()
    return [describe(folder / f"{stem}{f.suffix}", f) for f in DATA_FORMATS]


def write_schema(folder: Path, stem: str, lines: export.Lines) -> list[DumpFile]:
    """Write the ontology or the shapes in Turtle and RDF/XML."""
    for form in SCHEMA_FORMATS:
        _write_serialisation(folder / f"{stem}{form.suffix}", lines, form.serialisation)
    return [describe(folder / f"{stem}{f.suffix}", f) for f in SCHEMA_FORMATS]


def describe(path: Path, form: DumpFormat) -> DumpFile:
    return DumpFile(path.name, form, path.stat().st_size, sha256_of(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path, names: Iterable[str]) -> Path:
    """SHA256SUMS in the format `sha256sum -c` reads."""
    path = folder / "SHA256SUMS"
    lines = [f"{sha256_of(folder / name)}  {name}\n" for name in sorted(names)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _write_gzip(path: Path, chunks: Iterable[bytes]) -> None:
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as out,
    ):
        for chunk in chunks:
            out.write(chunk)


def _write_serialisation(path: Path, lines: export.Lines | Path, serialisation: str) -> None:
    with open(path, "wb") as out:
        export.write_serialisation(lines, serialisation, out, RELEASE_PREFIXES)


def file_chunks(path: Path, size: int = 50_000) -> Iterator[list[bytes]]:
    """The lines of a file, `size` at a time."""
    with open(path, "rb") as lines:
        while chunk := list(itertools.islice(lines, size)):
            yield chunk


def _joined_chunks(path: Path) -> Iterator[bytes]:
    for chunk in file_chunks(path):
        yield b"".join(chunk)


def _quad_chunks(graphs: dict[str, Path]) -> Iterator[bytes]:
    for graph in sorted(graphs):
        label = f" <{graph}> .\n".encode()
        for chunk in file_chunks(graphs[graph]):
            yield b"".join(line[:-3] + label for line in chunk)
