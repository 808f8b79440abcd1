"""`clusterkg publish`: turn the validated store into a harvestable release folder.

The release holds the public graphs (N-Quads and N-Triples gzipped, Turtle, JSON-LD),
the ontology and shapes (Turtle, RDF/XML), ontology docs (HTML), a DCAT-AP 3 catalog
(Turtle, RDF/XML, JSON-LD) that includes the VoID description, void.ttl and SHA256SUMS.

Before anything is written the public graphs are checked twice: they must not touch
the private contacts graph or contain e-mail addresses or phone numbers, and they
must conform to the project's shapes (the store was validated when it was built, but a
store can be built by other means or from other shapes). Files are written to a
staging folder next to the target, which replaces the target in one rename.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import validation
from ..errors import NonConformingError
from ..namespaces import contacts_graph
from ..rdf import parse_graphs
from ..settings import Settings
from ..store import KnowledgeStore, export
from ..timing import Progress, quiet, step
from .catalog import CatalogWriter, ReleaseFacts
from .diff import ReleaseDiff, diff_releases
from .docs import write_ontology_html
from .dumps import DumpFile, write_checksums, write_data_dumps, write_schema
from .metadata import load_metadata
from .profile import DataProfile, profile_lines
from .release import staged_release
from .vocab import RELEASE_PREFIXES
from .void import void_triples

__all__ = ["Release", "ReleaseDiff", "contact_details", "diff_releases", "private_resources_query", "publish"]

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
    validate: bool = True,
    progress: Progress = quiet,
) -> Release:
    """Write the release of `kg` into `out` (default: the dumps_dir setting), atomically.

    `previous` is an earlier release folder; the differences go into the version notes.
    """
    target = out or settings.dumps_dir
    metadata = load_metadata(settings.project_dir / METADATA_FILE)
    seconds: dict[str, float] = {}
    skolem = f"{settings.base_iri}.well-known/genid/"
    with step("reading the public graphs", seconds, progress):
        graphs = {g: export.graph_lines(kg, g, skolem + _graph_key(g) + "-") for g in kg.graph_names()}
        union = sorted(set().union(*graphs.values()))
    with step("checking for personal data", seconds, progress):
        refuse_personal_data(settings, kg, union)
    if validate:
        with step("validating", seconds, progress):
            refuse_nonconforming(settings, graphs)
    with step("profiling", seconds, progress):
        profile = profile_lines(union)
    release = Release(target, [], sorted(graphs), profile, seconds=seconds)
    with staged_release(target) as folder:
        with step("writing dumps", seconds, progress):
            data = write_data_dumps(folder, DATA_STEM, graphs, union)
            release.files = [*data, *_write_schemas(settings, folder, skolem)]
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
            write_checksums(folder, [p.name for p in folder.iterdir()])
    return release


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


def refuse_personal_data(settings: Settings, kg: KnowledgeStore, union: list[bytes]) -> None:
    """Raise NonConformingError if the public graphs touch a contact or hold contact details.

    The contacts graph also links public resources (a cluster, its contact); a contact is
    a resource described there that no public graph gives a type.
    """
    leaks = [
        row["c"]
        for row in kg.select(private_resources_query(settings, leaked_only=True), include_private=True)
    ]
    found = contact_details(b"".join(union))
    if found:
        leaks.append(f"contact details in the public graphs: {found}")
    if leaks:
        raise NonConformingError(
            "the public graphs hold personal data: " + "; ".join(leaks),
            report=_TextReport("\n".join(leaks)),
            hint="keep people, e-mail addresses and phone numbers in the contacts graph only",
        )


def private_resources_query(settings: Settings, *, leaked_only: bool = False) -> str:
    """SPARQL for the resources of the contacts graph; with `leaked_only`, those a public graph names."""
    contacts = contacts_graph(settings.base_iri)
    public = f"FILTER(?g != <{contacts}>)"
    leaked = f"GRAPH ?g {{ {{ ?c ?p ?o }} UNION {{ ?s ?p ?c }} }} {public}" if leaked_only else ""
    # Distinct subjects first, so the checks below run once per resource, not once per triple.
    subjects = f"{{ SELECT DISTINCT ?c WHERE {{ GRAPH <{contacts}> {{ ?c ?x ?y }} FILTER(isIRI(?c)) }} }}"
    return (
        f"SELECT DISTINCT ?c WHERE {{ {subjects} "
        f"FILTER NOT EXISTS {{ GRAPH ?t {{ ?c a ?type }} FILTER(?t != <{contacts}>) }} {leaked} }} "
        "ORDER BY ?c LIMIT 1000"
    )


def refuse_nonconforming(settings: Settings, graphs: dict[str, export.Lines]) -> None:
    """Validate the public graphs against the project's shapes; raise if they do not conform."""
    shapes = validation.load_shapes(settings.path("shapes"))
    ontology = parse_graphs(sorted(settings.path("ontology").glob("*.ttl")))
    with tempfile.TemporaryDirectory(prefix="clusterkg-publish-") as tmp:
        data = Path(tmp) / "public.nt"
        with open(data, "wb") as f:
            for lines in graphs.values():
                f.writelines(lines)
        report = validation.validate_nquads(data, shapes, ontology, settings.validation_batch)
    if not report.conforms:
        raise NonConformingError(
            f"the store does not conform to the shapes ({len(report.results)} results); nothing published",
            report=report,
            hint="fix the data, rebuild the store, then publish again",
        )


@dataclass(frozen=True)
class _TextReport:
    text: str

    def to_text(self) -> str:
        return self.text
