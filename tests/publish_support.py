"""Helpers for the publish tests: a small store built from tests/data/publish, and release readers."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox

from clusterkg import pipeline, store
from clusterkg.rdf import graph_to_nquads, parse_graphs
from clusterkg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "publish"
BASE = "https://w3id.org/clusterkg/"
CONTACTS = f"{BASE}graph/contacts"
DATA_DUMPS = ("clusterkg.nq.gz", "clusterkg.nt.gz", "clusterkg.ttl", "clusterkg.jsonld")
OXIGRAPH_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}
RDFLIB_FORMATS = {".nq": "nquads", ".nt": "nt", ".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml"}


def make_project(root: Path, data: str | None = None, *, validate: bool = True) -> Settings:
    """A project with the small test ontology, shapes, the repo's catalog metadata and a built store
    (through the SHACL gate, which records that it conforms, unless `validate` is false)."""
    project = root / "project"
    for folder, name in (("ontology", "ontology.ttl"), ("shapes", "shapes.ttl")):
        (project / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / name, project / folder / name)
    shutil.copytree(REPO / "catalog", project / "catalog", dirs_exist_ok=True)
    settings = Settings.from_env(environ={}, project_dir=project, store=root / "store")
    ontology = graph_to_nquads(parse_graphs([project / "ontology" / "ontology.ttl"]), f"{BASE}graph/ontology")
    nquads = root / "input.nq"
    nquads.write_text(ontology + (data or (DATA / "data.nq").read_text(encoding="utf-8")), encoding="utf-8")
    build = store.new_build(settings.store, nquads, pipeline.private_graphs(settings))
    if validate:
        pipeline.validate_build(settings, build, nquads, len(nquads.read_text(encoding="utf-8").splitlines()))
    store.activate(settings.store, build)
    return settings


def open_kg(settings: Settings) -> store.KnowledgeStore:
    return pipeline.open_store(settings)


def suffix_of(path: Path) -> str:
    return [s for s in path.suffixes if s != ".gz"][-1]


def read_bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def oxigraph_dataset(path: Path) -> ox.Dataset:
    return ox.Dataset(ox.parse(read_bytes(path), OXIGRAPH_FORMATS[suffix_of(path)]))


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
