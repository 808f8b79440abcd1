"""The one place that strings the stages together: sources → mapping → validation → store → publish.

Library code: reports progress through a callback and raises errors; never prints.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import mapping, publish, sources, store, validation
from ..errors import NonConformingError, SettingsError, StoreError
from ..namespaces import contacts_graph, graph_iri
from ..rdf import Graph, graph_to_nquads, parse_graphs
from ..settings import Settings, env_var
from ..store import push as engine_push
from ..timing import Progress, quiet, step
from .side import side_process


@dataclass
class BuildSummary:
    """What a build produced, for the CLI to print."""

    store: Path
    build: Path
    previous: Path | None
    triples: int  # distinct public triples: the default graph of the public store
    source_rows: dict[str, int]
    class_counts: list[tuple[str, int]]
    graph_counts: list[tuple[str, int]]
    report: validation.ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)


def load_ontology(settings: Settings) -> Graph:
    """The ontology graph: every Turtle file in ontology/."""
    return parse_graphs(sorted(settings.path("ontology").glob("*.ttl")))


def map_sources(
    settings: Settings, out: Path, progress: Progress = quiet, check: Callable[[], None] = lambda: None
) -> tuple[dict[str, int], int]:
    """Check the sources and write all quads (data + ontology graph) to `out`; return rows and quads.

    `check` is called every `CHECK_EVERY` quads; what it raises stops the mapping.
    """
    checked = sources.check_sources(settings.path("sources"), settings.path("reference"))
    progress(f"sources: {sum(checked.row_counts.values())} rows in {len(checked.row_counts)} tables")
    rules = mapping.load_mappings(
        sorted(settings.path("mappings").glob("*.rml.ttl")), rebase=mapping.project_rebase(settings.base_iri)
    )
    # The ontology, and the labels, codes and continents of the countries used (reference/*.ttl, made
    # by tools/make_country_reference.py), each in its graph; rdflib ends its output with a blank line.
    reference = parse_graphs(sorted(settings.path("reference").glob("*.ttl")))
    fixed = (
        graph_to_nquads(load_ontology(settings), graph_iri(settings.base_iri, "ontology")),
        graph_to_nquads(reference, graph_iri(settings.base_iri, "reference")),
    )
    ontology_quads = "".join(text.strip("\n") + "\n" for text in fixed if text.strip()).encode()
    count = 0
    try:
        with open(out, "wb") as f:
            f.write(ontology_quads)
            for text in mapping.generate_quads(
                rules, base_iri=settings.base_iri, read_records=checked.reader()
            ):
                f.write(text.encode())
                count += 1
                if count % CHECK_EVERY == 0:
                    check()
                    if count % 500_000 == 0:
                        progress(f"mapping: {count} quads")
    except OSError as exc:  # a write error names no file by itself
        raise OSError(exc.errno, exc.strerror, str(out)) from exc
    return checked.row_counts, count + ontology_quads.count(b"\n")


CHECK_EVERY = 10_000


def build(settings: Settings, progress: Progress = quiet) -> BuildSummary:
    """Build a fresh store from the sources; swap it in only when it is complete and valid."""
    # One lock around staging, loading and the swap: two builds of one store must not interleave.
    where = store.builds_dir(settings.store)
    with store.store_lock(settings.store, "build"), _file_errors("the build", "store", where):
        return _build(settings, progress)


@contextlib.contextmanager
def _file_errors(what: str, kept: str, where: Path) -> Iterator[None]:
    """A failed write (a full disk, a read-only folder) as an error that names the file, not a traceback.
    The run's own staging is cleaned up by the stages; what is live is never touched before the swap."""
    try:
        yield
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        reason = "the disk is full" if full else exc.strerror or str(exc)
        raise StoreError(
            f"{what} stopped: {reason} while writing {exc.filename or f'into {where}'}",
            hint=f"free disk space (or fix the folder's permissions) and run it again; the current {kept} "
            "was not changed",
        ) from exc


def _build(settings: Settings, progress: Progress) -> BuildSummary:
    """The body of `build`, run while the store's lock is held."""
    seconds: dict[str, float] = {}
    if settings.validator not in VALIDATORS:
        raise SettingsError(
            f"validator {settings.validator!r} is not one of {', '.join(VALIDATORS)}",
            hint=f"set {env_var('validator')} to compiled or pyshacl",
        )
    # Broken shapes fail the build before anything is mapped, or (compiled: checked by the side
    # process while the mapping runs) stop the mapping as soon as they are found.
    shapes = validation.load_shapes(
        settings.path("shapes"), settings.path("ontology"), check=settings.validator == "pyshacl"
    )
    staging = store.builds_dir(settings.store) / f".staging-{time.time_ns()}"
    staging.mkdir(parents=True)
    try:
        nquads = staging / "data.nq"
        if settings.validator == "pyshacl":
            with step("mapping", seconds, progress):
                rows, quads = map_sources(settings, nquads, progress)
            build_dir, report = _validate_then_load(settings, shapes, nquads, seconds, progress)
        else:
            build_dir, rows, quads, screen = _map_and_load(settings, shapes, nquads, seconds, progress)
            report = _gate(settings, build_dir, nquads, quads, shapes, screen, seconds, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    previous = store.activate(settings.store, build_dir, keep=settings.keep_stores)
    with step("counts", seconds, progress):
        kg = open_store(settings)
        triples, classes, graphs = kg.summary()
    return BuildSummary(settings.store, build_dir, previous, triples, rows, classes, graphs, report, seconds)


VALIDATORS = ("compiled", "pyshacl")


def _validate_then_load(
    settings: Settings, shapes: Graph, nquads: Path, seconds: dict[str, float], progress: Progress
) -> tuple[Path, validation.ValidationReport]:
    """pySHACL validates the mapped quads before anything is loaded."""
    with step("validation", seconds, progress):
        report = validation.validate_nquads(
            nquads, shapes, load_ontology(settings), settings.validation_batch
        )
    _require_conformance(report)
    with step("loading", seconds, progress):
        build_dir = store.new_build(settings.store, nquads, private_graphs(settings))
    record_validation(settings, build_dir, report)
    return build_dir, report


def _map_and_load(
    settings: Settings, shapes: Graph, nquads: Path, seconds: dict[str, float], progress: Progress
) -> tuple[Path, dict[str, int], int, validation.Screen]:
    """Map into a new build: the side process routes and screens the mapped quads as they are
    written, and each full piece loads in the engine while mapping goes on. The side process checks
    the shapes first, on the core the mapping leaves idle at its start."""
    folders = (settings.path("shapes"), settings.path("ontology"))
    unchecked = validation.unchecked_shapes(*folders)
    with (
        store.loading(settings.store) as build,
        side_process(build, shapes, nquads, private_graphs(settings), folders if unchecked else None) as side,
    ):
        with step("mapping", seconds, progress):
            rows, quads = map_sources(settings, nquads, progress, side.check)
        side.written()
        with step("loading", seconds, progress):
            private, screen = side.result()
            build.finish(private)
    if unchecked:
        validation.record_checked(unchecked)
    if side.failure:
        progress(f"the side process failed ({side.failure}); routed and screened here instead")
    cleared, checks = screen.cleared, len(screen.compiled.checks)
    progress(
        f"screen: {cleared} of {checks} checks cleared, {screen.narrowed} narrowed in {screen.seconds:.1f} s"
    )
    return build.folder, rows, quads, screen


def _gate(
    settings: Settings,
    build_dir: Path,
    nquads: Path,
    quads: int,
    shapes: Graph,
    screen: validation.Screen,
    seconds: dict[str, float],
    progress: Progress,
) -> validation.ValidationReport:
    """The compiled gate on the loaded build; a build that fails it is discarded."""
    try:
        with step("validation", seconds, progress):
            return validate_build(settings, build_dir, nquads, quads, shapes, screen)
    except BaseException:
        store.discard_build(build_dir)
        raise


def validate_build(
    settings: Settings,
    build_dir: Path,
    nquads: Path,
    quads: int,
    shapes: Graph | None = None,
    screen: validation.Screen | None = None,
) -> validation.ValidationReport:
    """Run the compiled SHACL gate on a loaded build (not yet active) and record that it conforms."""
    shapes = (
        validation.load_shapes(settings.path("shapes"), settings.path("ontology"))
        if shapes is None
        else shapes
    )
    with store.BuildReader(build_dir) as reader:
        report = validation.validate_store(
            reader.select, shapes, nquads, load_ontology(settings), settings.validation_batch, quads, screen
        )
    _require_conformance(report)
    record_validation(settings, build_dir, report)
    return report


RECORD = "validation.json"


def checked_against(settings: Settings) -> str:
    """The digest of what a build is validated against: every shapes and ontology file, names and bytes."""
    digest = hashlib.sha256()
    for folder in ("shapes", "ontology"):
        for path in sorted(settings.path(folder).glob("*.ttl")):
            digest.update(f"{folder}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def record_validation(settings: Settings, build_dir: Path, report: validation.ValidationReport) -> None:
    """Write the gate's outcome into the build folder: publish trusts it instead of validating again."""
    record = {
        "build": build_dir.name,
        "conforms": report.conforms,
        "validator": settings.validator,
        "checked_against": checked_against(settings),
        "report": json.loads(report.to_json()),
    }
    store.write_build_file(build_dir, RECORD, json.dumps(record, indent=1, ensure_ascii=False) + "\n")


def require_validated(settings: Settings, build_dir: Path) -> None:
    """Refuse a build whose record is missing, not conforming, or for other shapes or ontology."""
    text = store.read_build_file(build_dir, RECORD)
    record = json.loads(text) if text else {}
    if not record:
        problem = "has no validation record"
    elif not record.get("conforms") or record.get("build") != build_dir.name:
        problem = "did not conform to the shapes"
    elif record.get("checked_against") != checked_against(settings):
        problem = "was validated against other shapes or another ontology than the current ones"
    else:
        return
    raise StoreError(
        f"the build {build_dir.name} {problem}; nothing was published",
        hint="run `clusterkg build` (it validates the data and records the outcome), then publish again",
    )


def publish_release(
    settings: Settings, *, previous: Path | None = None, progress: Progress = quiet
) -> publish.Release:
    """Publish the current build, once its validation record vouches for it (no SHACL run here)."""
    # The lock: no build may swap the store mid-release.
    where = settings.dumps_dir.parent
    with store.store_lock(settings.store, "publish"), _file_errors("the publish", "release", where):
        kg = open_store(settings)
        require_validated(settings, kg.build)
        return publish.publish(settings, kg, settings.dumps_dir, previous=previous, progress=progress)


def push_release(
    settings: Settings, endpoint: engine_push.Engine, *, rollback: bool = False, progress: Progress = quiet
) -> engine_push.PushReport:
    """Push the current build's public graphs into a SPARQL engine, once its validation record vouches
    for it; or, with `rollback`, swap the engine's previous release back in (nothing is sent from here)."""
    # The lock: no build may swap the store mid-push, and two pushes from here never interleave.
    with store.store_lock(settings.store, "push"):
        session = engine_push.Session(endpoint)
        if rollback:
            return engine_push.rollback(session, base_iri=settings.base_iri, progress=progress)
        kg = open_store(settings)
        require_validated(settings, kg.build)
        sent = engine_push.payloads(kg, exclude=private_graphs(settings))
        return engine_push.push(
            session, sent, base_iri=settings.base_iri, release=kg.build.name, progress=progress
        )


def _require_conformance(report: validation.ValidationReport) -> None:
    if not report.conforms:
        raise NonConformingError(
            f"the data does not conform to the shapes ({len(report.results)} results)",
            report=report,
            hint="fix the source records named in the report; the current store was not changed",
        )


def private_graphs(settings: Settings) -> list[str]:
    """The graphs that go into the private store only: personal data."""
    return [contacts_graph(settings.base_iri)]


def open_store(settings: Settings, max_rows: int | None = None) -> store.KnowledgeStore:
    """The current build, read-only, as the in-process executor."""
    return store.KnowledgeStore(settings.store, max_rows=max_rows, base_iri=settings.base_iri)


def recorded_report(settings: Settings) -> tuple[str, validation.ValidationReport]:
    """(build name, report) the current build's validation recorded, with the shapes for names."""
    build = settings.store.resolve()
    text = store.read_build_file(build, RECORD) if settings.store.exists() else None
    if not text:
        raise StoreError(
            f"no validation record in {settings.store}: there is no complete build",
            hint="run `clusterkg build`, or name the files to validate: clusterkg validate FILE...",
        )
    record = json.loads(text)
    report = validation.ValidationReport.from_json(record["report"])
    report.shapes = validation.load_shapes(settings.path("shapes"), settings.path("ontology"))
    return str(record.get("build", build.name)), report


def validate_files(settings: Settings, files: list[Path]) -> validation.ValidationReport:
    """Validate RDF files against the project's shapes, with the ontology alongside."""
    shapes = validation.load_shapes(settings.path("shapes"), settings.path("ontology"))
    return validation.validate_files(files, shapes, extra=sorted(settings.path("ontology").glob("*.ttl")))
