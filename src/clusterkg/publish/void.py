"""The VoID description of the release: counts, partitions, endpoint, dumps, vocabularies, linksets."""

from __future__ import annotations

import hashlib

from ..namespaces import DCT, PREFIXES, RDF, VOID, XSD
from ..settings import Settings
from .dumps import DumpFile
from .profile import DataProfile
from .vocab import Triples, iri, literal

_INT = XSD + "integer"


def dataset_iri(settings: Settings) -> str:
    return f"{settings.base_iri}dataset"


def void_triples(settings: Settings, profile: DataProfile, dumps: list[DumpFile]) -> Triples:
    """VoID statements about the dataset, its partitions and its links to the EU authority tables."""
    t = Triples()
    ds = iri(dataset_iri(settings))
    t.add(ds, iri(RDF + "type"), iri(VOID + "Dataset"))
    counts = {
        "triples": profile.triples,
        "entities": profile.entities,
        "classes": len(profile.classes),
        "properties": len(profile.properties),
        "distinctSubjects": len(profile.subjects),
        "distinctObjects": profile.distinct_objects,
    }
    for name, count in counts.items():
        t.add(ds, iri(VOID + name), literal(count, datatype=_INT))
    t.add(ds, iri(VOID + "sparqlEndpoint"), iri(settings.endpoint_url))
    t.add(ds, iri(VOID + "uriSpace"), literal(f"{settings.base_iri}id/"))
    for dump in dumps:
        t.add(ds, iri(VOID + "dataDump"), iri(settings.download_url + dump.name))
    for vocabulary in profile.vocabularies():
        t.add(ds, iri(VOID + "vocabulary"), iri(vocabulary))
    _partitions(t, ds, settings, "class", profile.classes, "entities")
    _partitions(t, ds, settings, "property", profile.properties, "triples")
    _linksets(t, ds, settings, profile)
    return t


def _partitions(
    t: Triples, ds: str, settings: Settings, kind: str, counts: dict[str, int], measure: str
) -> None:
    """void:classPartition / void:propertyPartition nodes, one per class or property, with their count."""
    for term, count in sorted(counts.items()):
        part = iri(f"{settings.base_iri}void/{kind}/{_slug(term)}")
        t.add(ds, iri(VOID + f"{kind}Partition"), part)
        t.add(part, iri(VOID + kind), iri(term))
        t.add(part, iri(VOID + measure), literal(count, datatype=_INT))


def _linksets(t: Triples, ds: str, settings: Settings, profile: DataProfile) -> None:
    """One linkset per (authority table, link predicate), as VoID advises."""
    for (table, predicate), count in sorted(profile.links.items()):
        table_name = table.rstrip("/").rsplit("/", 1)[-1]
        linkset = iri(f"{settings.base_iri}void/linkset/{table_name}/{_slug(predicate)}")
        t.add(linkset, iri(RDF + "type"), iri(VOID + "Linkset"))
        t.add(linkset, iri(VOID + "subjectsTarget"), ds)
        t.add(linkset, iri(VOID + "objectsTarget"), iri(table))
        t.add(linkset, iri(VOID + "linkPredicate"), iri(predicate))
        t.add(linkset, iri(VOID + "triples"), literal(count, datatype=_INT))
        t.add(ds, iri(VOID + "subset"), linkset)
        t.add(iri(table), iri(RDF + "type"), iri(VOID + "Dataset"))
        t.add(iri(table), iri(DCT + "title"), literal(f"EU authority table: {table_name}", lang="en"))


def _slug(term: str) -> str:
    """A readable, stable path segment for a class or property: prefix-local, else a hash."""
    for prefix, namespace in sorted(PREFIXES.items()):
        local = term[len(namespace) :]
        if term.startswith(namespace) and local.replace("-", "").replace("_", "").isalnum():
            return f"{prefix}-{local}"
    return "h" + hashlib.sha256(term.encode()).hexdigest()[:16]
