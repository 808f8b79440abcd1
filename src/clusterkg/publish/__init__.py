"""`clusterkg publish`: turn the validated store into a harvestable release folder.

The release holds the public graphs (N-Quads and N-Triples gzipped, Turtle, JSON-LD),
the ontology and shapes (Turtle, RDF/XML), ontology docs (HTML), a DCAT-AP 3 catalog
(Turtle, RDF/XML, JSON-LD) that includes the VoID description, void.ttl and SHA256SUMS.

Before anything is written the public graphs are checked for personal data: they must not
name a resource of the private contacts graph, nor contain e-mail addresses or phone
numbers. SHACL is not run again: the pipeline refuses a build whose gate did not record
that it conforms to the current shapes and ontology. Files are written to a staging folder
next to the target, which replaces the target in one rename.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NonConformingError
from ..namespaces import contacts_graph
from ..settings import Settings
from ..store import KnowledgeStore, export
from ..timing import Progress, quiet, step
from .catalog import CatalogWriter, ReleaseFacts
from .diff import ReleaseDiff, diff_releases
from .docs import write_ontology_html
from .dumps import DumpFile, file_chunks, write_checksums, write_data_dumps, write_schema
from .landing import LandingFacts, write_landing_page
from .metadata import CatalogMetadata, load_metadata
from .mqa import MqaReport, assess_release
from .profile import DataProfile, profile_lines
from .release import staged_release
from .vocab import AUTHORITY, RELEASE_PREFIXES
from .void import void_triples

__all__ = [
    "MqaReport",
    "Release",
    "ReleaseDiff",
    "assess_release",
    "contact_details",
    "contacts_named_in",
    "diff_releases",
    "publish",
]

DATA_STEM = "clusterkg"
METADATA_FILE = Path("catalog") / "catalog.toml"
# E-mail addresses and phone numbers are personal data: they never leave the contacts graph.
# Each pattern starts with a literal, which Python's re scans for fast; "@" also starts
# every language tag, so an address needs a name character right before it.
_PHONE = re.compile(rb"\+\d[\d ()/.-]{6,}\d")
_EMAIL = re.compile(rb"@[\w-]+\.[A-Za-z]{2,}")
_NAME_CHAR = re.compile(rb"[\w.+-]")


def contact_details(data: bytes) -> str | None:
    """The first e-mail address, phone number, mailto: or tel: IRI in `data`, if any."""
    for scheme in (b"<mailto:", b"<tel:"):
        at = data.find(scheme)
        if at >= 0:
            return data[at : at + 40].decode(errors="replace")
    phone = _PHONE.search(data)
    if phone:
        return phone.group(0).decode(errors="replace")
    for email in _EMAIL.finditer(data):
        if email.start() > 0 and _NAME_CHAR.fullmatch(data[email.start() - 1 : email.start()]):
            return data[max(email.start() - 20, 0) : email.end()].decode(errors="replace")
    return None


@dataclass
class Release:
    """What a publish wrote, for the CLI to print."""

    folder: Path
    files: list[DumpFile]
    graphs: list[str]
    profile: DataProfile
    diff: ReleaseDiff | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def publish(
    settings: Settings,
    kg: KnowledgeStore,
    out: Path | None = None,
    *,
    previous: Path | None = None,
    progress: Progress = quiet,
) -> Release:
    """Write the release of `kg` into `out` (default: the dumps_dir setting), atomically.

    `previous` is an earlier release folder; the differences go into the version notes.
    """
    target = out or settings.dumps_dir
    metadata = load_metadata(settings.project_dir / METADATA_FILE)
    seconds: dict[str, float] = {}
    skolem = f"{settings.base_iri}.well-known/genid/"
    with staged_release(target) as folder:
        work = folder / ".work"  # the graphs' canonical lines, on disk: memory stays flat at any size
        work.mkdir()
        with step("reading the public graphs", seconds, progress):
            graphs = export.write_graph_files(
                kg, kg.graph_names(), work, lambda g: skolem + _graph_key(g) + "-"
            )
            union = export.write_union(graphs.values(), work / "union.nt")
        with step("checking for personal data", seconds, progress):
            refuse_personal_data(settings, kg, union)
        with step("profiling", seconds, progress), open(union, "rb") as lines:
            profile = profile_lines(lines)
        release = Release(target, [], sorted(graphs), profile, seconds=seconds)
        with step("writing dumps", seconds, progress):
            data = write_data_dumps(folder, DATA_STEM, graphs, union)
            release.files = [*data, *_write_schemas(settings, folder, skolem)]
        shutil.rmtree(work)
        with step("writing docs", seconds, progress):
            write_ontology_html(folder / "ontology.ttl", folder / "ontology.html")
        notes = metadata.version_notes(settings.release_version)
        if previous is not None:
            release.diff = diff_releases(previous, folder)
            notes = {
                lang: f"{text} {release.diff.notes(previous.name)[lang]}" for lang, text in notes.items()
            }
        with step("writing catalog", seconds, progress):
            void = void_triples(settings, profile, data)
            catalog = CatalogWriter(settings, metadata).build(ReleaseFacts(profile, data, notes))
            catalog.extend(void)
            _write_metadata(folder, "void", void.to_bytes(), ("turtle",))
            _write_metadata(folder, "catalog", catalog.to_bytes(), ("turtle", "rdfxml", "jsonld"))
        with step("writing the landing page", seconds, progress):
            write_checksums(folder, [p.name for p in folder.iterdir()])
            write_landing_page(folder, _landing_facts(settings, metadata))
            write_checksums(folder, [p.name for p in folder.iterdir() if p.name != "SHA256SUMS"])
    return release


def _landing_facts(settings: Settings, metadata: CatalogMetadata) -> LandingFacts:
    return LandingFacts(
        title=metadata.texts("dataset", "title")["en"],
        description=metadata.texts("dataset", "description")["en"],
        version=settings.release_version,
        date=settings.release_date,
        licence=f"{AUTHORITY}licence/{metadata.text('dataset', 'licence')}",
        endpoint=settings.endpoint_url,
    )


def _graph_key(graph: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", graph.rstrip("/").rsplit("/", 1)[-1])


def _write_schemas(settings: Settings, folder: Path, skolem: str) -> list[DumpFile]:
    written = []
    for name in ("ontology", "shapes"):
        files = sorted(settings.path(name).glob("*.ttl"))
        written += write_schema(folder, name, export.file_lines(files, f"{skolem}{name}-"))
    return written


_SUFFIXES = {"turtle": ".ttl", "rdfxml": ".rdf", "jsonld": ".jsonld"}


def _write_metadata(folder: Path, stem: str, ntriples: bytes, formats: tuple[str, ...]) -> None:
    lines = export.canonical_lines(ntriples, "", normalise=True)
    for fmt in formats:
        with open(folder / f"{stem}{_SUFFIXES[fmt]}", "wb") as out:
            export.write_serialisation(lines, fmt, out, RELEASE_PREFIXES)


def refuse_personal_data(settings: Settings, kg: KnowledgeStore, union: Path) -> None:
    """Raise NonConformingError if the public graphs name a contact or hold contact details.

    The contacts graph also links public resources (a cluster, its contact); a contact is a
    resource described there that no public graph gives a type. Sets, not a SPARQL join: one
    pass over the public lines, whatever their number.
    """
    contacts = kg.graph_ntriples(contacts_graph(settings.base_iri), private=True)
    found: list[str] = []

    def lines() -> Iterator[bytes]:  # one read of the file for both checks
        for chunk in file_chunks(union):
            if not found and (detail := contact_details(b"".join(chunk))):
                found.append(detail)
            yield from chunk

    leaks = contacts_named_in(contacts, lines())[:1000]
    if found:
        leaks.append(f"contact details in the public graphs: {found[0]}")
    if leaks:
        raise NonConformingError(
            "the public graphs hold personal data: " + "; ".join(leaks),
            report=_TextReport("\n".join(leaks)),
            hint="keep people, e-mail addresses and phone numbers in the contacts graph only",
        )


_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def contacts_named_in(contacts: bytes, public: Iterable[bytes]) -> list[str]:
    """The contacts a public line names: IRIs described in the contacts graph (N-Triples) that no
    public line gives a type, standing as subject or object in the public lines (one pass)."""
    described = {line.split(b" ", 1)[0] for line in contacts.splitlines() if line.startswith(b"<")}
    named: set[bytes] = set()
    typed: set[bytes] = set()
    for line in public:
        subject, _, rest = line.partition(b" ")
        predicate, _, obj = rest.partition(b" ")
        named.add(subject)
        if predicate == _TYPE:
            typed.add(subject)
        obj = obj[:-3]  # before " .\n"
        if obj.startswith(b"<"):
            named.add(obj)
    return sorted(term.decode()[1:-1] for term in (described - typed) & named)


@dataclass(frozen=True)
class _TextReport:
    text: str

    def to_text(self) -> str:
        return self.text
