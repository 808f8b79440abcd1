"""What data.europa.eu's Metadata Quality Assessment scores against, read from the standards folder.

The folder (../shared/standards in this workspace; README "Standards data") holds the MQA's
indicator table and format lists (mqa/), the EU authority tables (eu-authority/), the ADMS
SKOS tables (vocabularies/adms-skos/) and the DCAT-AP 3.0.1 shapes (dcat-ap/3.0.1/).
Nothing is fetched: a missing file is an InputError naming it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..namespaces import RDF, SH, SKOS
from ..rdf import Graph, Literal, URIRef, parse_graph, parse_graphs
from .vocab import AUTHORITY

DCAT_AP = Path("dcat-ap") / "3.0.1"
MANDATORY_SHAPES = ("dcat-ap-SHACL.ttl", "ranges.ttl", "mdr-vocabularies.shape.ttl")
RECOMMENDED_SHAPES = ("shapes_recommended.ttl",)
ADMS_SKOS = Path("vocabularies") / "adms-skos" / "ADMS_SKOS_v1.00.rdf"
LANGUAGE_TABLE = Path("eu-authority") / "language" / "language.gc"


@dataclass(frozen=True)
class Indicator:
    """One MQA check (a DQV metric of the piveau vocabulary) and its points."""

    dimension: str
    name: str
    metric: str  # local name in https://piveau.eu/ns/voc#
    applies_to: str
    points: int


@dataclass(frozen=True)
class MqaTables:
    """The indicator table and the vocabularies the MQA checks values against."""

    indicators: tuple[Indicator, ...]
    machine_readable: frozenset[str]
    non_proprietary: frozenset[str]
    file_types: frozenset[str]
    licences: frozenset[str]  # EU licence table concepts and the IRIs they skos:exactMatch
    access_rights: frozenset[str]

    @property
    def maximum(self) -> int:
        return sum(i.points for i in self.indicators)


def _need(path: Path) -> Path:
    if not path.is_file():
        raise InputError(
            f"the MQA check needs {path}, which is missing",
            hint="give --standards the standards folder (or set CLUSTERKG_STANDARDS)",
        )
    return path


def _json(path: Path) -> object:
    try:
        return json.loads(_need(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON: {exc}", hint="restore the file from the standards"
        ) from exc


def _concepts(graph: Graph, scheme: str) -> set[str]:
    return {str(c) for c in graph.subjects(URIRef(SKOS + "inScheme"), URIRef(scheme))}


@lru_cache(maxsize=4)
def load_tables(standards: Path) -> MqaTables:
    """The MQA indicators, its two format lists and the EU tables it aligns values with."""
    rows = _json(standards / "mqa" / "indicators.json")
    if not isinstance(rows, list):
        raise InputError(f"{standards / 'mqa' / 'indicators.json'}: expected a list of indicators")
    indicators = tuple(
        Indicator(
            r["dimension"], r["indicator"], r["metric"].rsplit("#", 1)[-1], r["applies_to"], r["points"]
        )
        for r in rows
    )
    formats = {}
    for name in ("machine-readable", "non-proprietary"):
        data = _json(standards / "mqa" / f"{name}-formats.json")
        formats[name] = frozenset(data["formats"]) if isinstance(data, dict) else frozenset()
    authority = standards / "eu-authority"
    licence = parse_graph(_need(authority / "licence" / "licences-skos.rdf"))
    licences = _concepts(licence, AUTHORITY + "licence")
    licences |= {str(o) for c in licences for o in licence.objects(URIRef(c), URIRef(SKOS + "exactMatch"))}
    file_type = parse_graph(_need(authority / "file-type" / "filetypes-skos.rdf"))
    access = parse_graph(_need(authority / "access-right" / "access-right-skos-ap-act.rdf"))
    return MqaTables(
        indicators,
        formats["machine-readable"],
        formats["non-proprietary"],
        frozenset(_concepts(file_type, AUTHORITY + "file-type")),
        frozenset(licences),
        frozenset(_concepts(access, AUTHORITY + "access-right")),
    )


def dcat_ap_shapes(standards: Path, files: tuple[str, ...] = MANDATORY_SHAPES) -> Graph:
    """The DCAT-AP 3.0.1 shapes, ready for pySHACL."""
    shapes = parse_graphs([_need(standards / DCAT_AP / name) for name in files])
    # ranges.ttl lists property shapes it never defines; pySHACL rejects such a reference,
    # and a shape that does not exist constrains nothing, so the references are dropped.
    prop, path = URIRef(SH + "property"), URIRef(SH + "path")
    dangling = [(s, o) for s, o in shapes.subject_objects(prop) if (o, path, None) not in shapes]
    for s, o in dangling:
        shapes.remove((s, prop, o))
    return shapes


@lru_cache(maxsize=2)
def authority_tables(standards: Path) -> Graph:
    """The EU authority tables and ADMS tables as SKOS, the data DCAT-AP's vocabulary shapes read.

    The language table exists only as Genericode, so its codes are read into SKOS here.
    """
    files = sorted((standards / "eu-authority").glob("*/*.rdf"))
    tables = parse_graphs([*files, _need(standards / ADMS_SKOS)])
    scheme = URIRef(AUTHORITY + "language")
    for row in ET.parse(_need(standards / LANGUAGE_TABLE)).getroot().iter("Row"):
        values = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.iter("Value")}
        concept = URIRef(f"{scheme}/{values['code']}")
        tables.add((concept, URIRef(RDF + "type"), URIRef(SKOS + "Concept")))
        tables.add((concept, URIRef(SKOS + "inScheme"), scheme))
        label = Literal(values.get("Name") or values["code"], lang="en")
        tables.add((concept, URIRef(SKOS + "prefLabel"), label))
    return tables
