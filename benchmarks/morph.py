"""Prepare a Morph-KGC run on the same mappings: rewritten mapping copies and a config file.

Morph-KGC cannot compute clusterkg's virtual `*_iso3` country columns (the sources stage
resolves them), so stage.py `normalise` writes the checked tables with those columns
filled in, and the mapping copies written here read those normalised CSVs instead of
sources/. Two further rewrites, both mechanical:
- every file source becomes an absolute path literal (`rml:source "/abs/file.csv"`), as
  the copies no longer sit next to the data;
- relative IRI templates ("id/cluster/{key}") get the base IRI prepended, since
  Morph-KGC does not resolve relative IRIs against a base the way our engine does.
Nothing else changes: same triples maps, term maps, joins and lookups.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import Namespace

RML = Namespace("http://w3id.org/rml/")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
VENV = Path(__file__).resolve().parent / ".venv-morph"


def rewrite_mappings(mappings: Path, normalised: Path, out: Path, base_iri: str) -> list[Path]:
    """Write rewritten copies of mappings/*.rml.ttl into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(mappings.glob("*.rml.ttl")):
        graph = Graph()
        graph.parse(path, format="turtle")
        _absolute_sources(graph, path.parent, normalised)
        _absolute_templates(graph, base_iri)
        target = out / path.name
        graph.serialize(target, format="turtle")
        written.append(target)
    return written


def _absolute_sources(graph: Graph, mapping_dir: Path, normalised: Path) -> None:
    for logical, source in list(graph.subject_objects(RML.source)):
        relative = graph.value(source, RML.path) if not isinstance(source, Literal) else source
        if relative is None:
            continue
        original = (mapping_dir / str(relative)).resolve()
        replacement = normalised / original.name if original.parent.name == "sources" else original
        graph.remove((logical, RML.source, source))
        if isinstance(source, BNode):
            graph.remove((source, None, None))
        graph.add((logical, RML.source, Literal(str(replacement))))


def _absolute_templates(graph: Graph, base_iri: str) -> None:
    for term_map, template in list(graph.subject_objects(RML.template)):
        if graph.value(term_map, RML.termType) == RML.Literal:
            continue
        absolute = str(template) if _SCHEME.match(str(template)) else base_iri + str(template)
        if "{" not in absolute:  # Morph-KGC rejects a template without a reference: make it a constant
            graph.remove((term_map, RML.template, template))
            graph.add((term_map, RML.constant, URIRef(absolute)))
        else:
            graph.set((term_map, RML.template, Literal(absolute)))


def write_config(mapping_files: list[Path], output: Path, config: Path, processes: int) -> Path:
    """A Morph-KGC config: one data source section over all mapping files, N-Quads out."""
    mappings = ",".join(str(p) for p in mapping_files)
    config.write_text(
        "[CONFIGURATION]\n"
        f"output_file={output}\n"
        "output_format=N-QUADS\n"
        f"number_of_processes={processes}\n"
        "na_values=\n"
        "logging_level=WARNING\n\n"
        "[DataSource1]\n"
        f"mappings={mappings}\n",
        encoding="utf-8",
    )
    return config


def command(config: Path) -> list[str]:
    return [str(VENV / "bin" / "python"), "-m", "morph_kgc", str(config)]


def version() -> str:
    dist = next(VENV.glob("lib/python*/site-packages/morph_kgc-*.dist-info"), None)
    return dist.name.removesuffix(".dist-info").split("-")[1] if dist else "not installed"
