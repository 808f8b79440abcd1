"""The DCAT-AP 3 catalog of the release: catalog, dataset, one distribution per dump, the endpoint.

Every resource the DCAT-AP range shapes expect to be typed (licence, format, media type,
language, location, ...) is typed here, because harvesters and the official shapes read
only what the catalog itself states.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import geo
from ..namespaces import CKG, DCAT, DCT, FOAF, RDF, RDFS, SHAPES, SKOS, VCARD, XSD
from ..settings import Settings
from .dumps import DumpFile
from .metadata import CatalogMetadata, Texts
from .profile import DataProfile
from .vocab import (
    ADMS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    AUTHORITY,
    DCATAP,
    IANA_MEDIA,
    SPDX,
    Triples,
    iri,
    literal,
)
from .void import dataset_iri

A = iri(RDF + "type")
_DATE = XSD + "date"
PLANNED_AVAILABILITY = AUTHORITY + "planned-availability"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


@dataclass(frozen=True)
class ReleaseFacts:
    """Everything the catalog states that is not in the metadata file."""

    profile: DataProfile
    data_dumps: list[DumpFile]
    version_notes: Texts


class CatalogWriter:
    """Builds the catalog graph as N-Triples lines."""

    def __init__(self, settings: Settings, metadata: CatalogMetadata) -> None:
        self.s = settings
        self.m = metadata
        self.t = Triples()
        base = settings.base_iri
        self.catalog = iri(f"{base}catalog")
        self.dataset = iri(dataset_iri(settings))
        self.service = iri(f"{base}service/sparql")
        self.publisher = iri(f"{base}publisher")
        self.contact = iri(f"{base}contact-point")
        self.licence = iri(f"{AUTHORITY}licence/{metadata.text('dataset', 'licence')}")
        self.rights = iri(f"{base}dataset/rights")

    def build(self, facts: ReleaseFacts) -> Triples:
        self._catalog(facts)
        self._dataset(facts)
        for dump in facts.data_dumps:
            self._distribution(dump)
        self._service()
        self._agents()
        self._locations(facts)
        self._rights()
        return self.t

    # -- helpers -------------------------------------------------------------------------------
    def _texts(self, subject: str, predicate: str, texts: Texts) -> None:
        for lang, text in texts.items():
            self.t.add(subject, iri(predicate), literal(text, lang=lang))

    def _typed(self, subject: str, predicate: str, obj: str, *classes: str) -> None:
        """Link `obj` and state its classes, as the DCAT-AP range shapes require."""
        self.t.add(subject, iri(predicate), iri(obj))
        for cls in classes:
            self.t.add(iri(obj), A, iri(cls))

    def _dates(self, subject: str) -> None:
        for predicate in ("issued", "modified"):
            self.t.add(subject, iri(DCT + predicate), literal(self.s.release_date, datatype=_DATE))

    def _authority(self, subject: str, predicate: str, table: str, codes: list[str], *classes: str) -> None:
        for code in codes:
            self._typed(subject, predicate, f"{AUTHORITY}{table}/{code}", *classes)

    def _keywords(self, subject: str, section: str) -> None:
        for lang, words in self.m.keywords(section).items():
            for word in words:
                self.t.add(subject, iri(DCAT + "keyword"), literal(word, lang=lang))

    # -- resources -----------------------------------------------------------------------------
    def _catalog(self, facts: ReleaseFacts) -> None:
        c = self.catalog
        self.t.add(c, A, iri(DCAT + "Catalog"))
        self._texts(c, DCT + "title", self.m.texts("catalog", "title"))
        self._texts(c, DCT + "description", self.m.texts("catalog", "description"))
        self.t.add(c, iri(DCT + "publisher"), self.publisher)
        self._typed(c, FOAF + "homepage", self.m.text("catalog", "homepage"), FOAF + "Document")
        self._authority(
            c, DCT + "language", "language", self.m.codes("catalog", "languages"), DCT + "LinguisticSystem"
        )
        self.t.add(c, iri(DCT + "license"), self.licence)
        self._dates(c)
        self.t.add(c, iri(DCAT + "dataset"), self.dataset)
        self.t.add(c, iri(DCAT + "service"), self.service)
        self._typed(c, DCAT + "themeTaxonomy", AUTHORITY + "data-theme", SKOS + "ConceptScheme")
        self._texts(iri(AUTHORITY + "data-theme"), DCT + "title", {"en": "Data theme", "de": "Datenthema"})
        for country in sorted(facts.profile.countries):
            self._typed(c, DCT + "spatial", country, DCT + "Location")

    def _dataset(self, facts: ReleaseFacts) -> None:
        d = self.dataset
        self.t.add(d, A, iri(DCAT + "Dataset"))
        self._texts(d, DCT + "title", self.m.texts("dataset", "title"))
        self._texts(d, DCT + "description", self.m.texts("dataset", "description"))
        self._keywords(d, "dataset")
        self._authority(d, DCAT + "theme", "data-theme", self.m.codes("dataset", "themes"), SKOS + "Concept")
        for country in sorted(facts.profile.countries):
            self._typed(d, DCT + "spatial", country, DCT + "Location")
        self._temporal(d, facts.profile)
        self.t.add(d, iri(DCT + "publisher"), self.publisher)
        self.t.add(d, iri(DCAT + "contactPoint"), self.contact)
        self._authority(
            d,
            DCT + "accessRights",
            "access-right",
            [self.m.text("dataset", "access_rights")],
            DCT + "RightsStatement",
        )
        self._authority(
            d,
            DCT + "accrualPeriodicity",
            "frequency",
            [self.m.text("dataset", "frequency")],
            DCT + "Frequency",
        )
        self._authority(
            d, DCT + "language", "language", self.m.codes("dataset", "languages"), DCT + "LinguisticSystem"
        )
        self._standards(d)
        self._provenance(d)
        self.t.add(d, iri(DCAT + "version"), literal(self.s.release_version))
        self._texts(d, ADMS + "versionNotes", facts.version_notes)
        # The release folder's index.html: served by any static host, and by `clusterkg serve`.
        self._typed(d, DCAT + "landingPage", self.s.download_url, FOAF + "Document")
        self._dates(d)
        for dump in facts.data_dumps:
            self.t.add(d, iri(DCAT + "distribution"), self._distribution_iri(dump))

    def _temporal(self, d: str, profile: DataProfile) -> None:
        start = self.m.text("dataset", "temporal_start", "") or (
            f"{min(profile.years)}-01-01" if profile.years else ""
        )
        end = self.m.text("dataset", "temporal_end", "") or (
            f"{max(profile.years)}-12-31" if profile.years else ""
        )
        if not (start and end):
            return
        period = iri(f"{self.s.base_iri}dataset/temporal")
        self.t.add(d, iri(DCT + "temporal"), period)
        self.t.add(period, A, iri(DCT + "PeriodOfTime"))
        self.t.add(period, iri(DCAT + "startDate"), literal(start, datatype=_DATE))
        self.t.add(period, iri(DCAT + "endDate"), literal(end, datatype=_DATE))

    def _standards(self, d: str) -> None:
        names = {
            CKG.rstrip("#"): ("clusterkg ontology", "clusterkg-Ontologie"),
            SHAPES.rstrip("#"): ("clusterkg SHACL shapes", "clusterkg-SHACL-Shapes"),
        }
        for standard, (en, de) in names.items():
            self._typed(d, DCT + "conformsTo", standard, DCT + "Standard")
            self._texts(iri(standard), DCT + "title", {"en": en, "de": de})

    def _provenance(self, d: str) -> None:
        statement = iri(f"{self.s.base_iri}dataset/provenance")
        self.t.add(d, iri(DCT + "provenance"), statement)
        self.t.add(statement, A, iri(DCT + "ProvenanceStatement"))
        self._texts(statement, RDFS + "label", self.m.texts("dataset", "provenance"))

    def _distribution_iri(self, dump: DumpFile) -> str:
        return iri(f"{self.s.base_iri}distribution/{dump.name}")

    def _distribution(self, dump: DumpFile) -> None:
        dist = self._distribution_iri(dump)
        self.t.add(dist, A, iri(DCAT + "Distribution"))
        self.t.add(dist, iri(DCT + "title"), literal(f"clusterkg, {dump.form.label}", lang="en"))
        self.t.add(dist, iri(DCT + "title"), literal(f"clusterkg, {dump.form.label}", lang="de"))
        version, label = self.s.release_version, dump.form.label
        self._texts(
            dist,
            DCT + "description",
            {
                "en": f"The public graphs of clusterkg {version} as {label}.",
                "de": f"Die öffentlichen Graphen von clusterkg {version} als {label}.",
            },
        )
        self.t.add(dist, iri(DCAT + "accessURL"), iri(self.s.download_url))
        self.t.add(dist, iri(DCAT + "downloadURL"), iri(self.s.download_url + dump.name))
        self._typed(dist, DCAT + "mediaType", IANA_MEDIA + dump.form.media_type, DCT + "MediaType")
        self._authority(dist, DCT + "format", "file-type", [dump.form.file_type], DCT + "MediaTypeOrExtent")
        if dump.form.compressed:
            self._typed(dist, DCAT + "compressFormat", IANA_MEDIA + "application/gzip", DCT + "MediaType")
        self.t.add(dist, iri(DCAT + "byteSize"), literal(dump.size, datatype=XSD + "nonNegativeInteger"))
        self._checksum(dist, dump)
        self.t.add(dist, iri(DCT + "license"), self.licence)
        self.t.add(dist, iri(DCT + "rights"), self.rights)
        self._availability(dist)
        self._dates(dist)

    def _rights(self) -> None:
        self.t.add(self.rights, A, iri(DCT + "RightsStatement"))
        self._texts(self.rights, RDFS + "label", self.m.texts("dataset", "rights"))

    def _locations(self, facts: ReleaseFacts) -> None:
        """Each country covered gets its bounding box and centroid (WKT, longitude first)."""
        for country in sorted(facts.profile.countries):
            code = country.rsplit("/", 1)[-1]
            if not geo.has_country(code):
                continue  # no outline in Natural Earth: the country stays without geometry
            west, south, east, north = (_degrees(v) for v in geo.country_bbox(code))
            box = f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
            lon, lat = (_degrees(v) for v in geo.country_centroid(code))
            self.t.add(iri(country), iri(DCAT + "bbox"), literal(box, datatype=WKT))
            self.t.add(iri(country), iri(DCAT + "centroid"), literal(f"POINT({lon} {lat})", datatype=WKT))

    def _checksum(self, dist: str, dump: DumpFile) -> None:
        checksum = iri(f"{self.s.base_iri}distribution/{dump.name}/sha256")
        self.t.add(dist, iri(SPDX + "checksum"), checksum)
        self.t.add(checksum, A, iri(SPDX + "Checksum"))
        self._typed(
            checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256", SPDX + "ChecksumAlgorithm"
        )
        self.t.add(checksum, iri(SPDX + "checksumValue"), literal(dump.sha256, datatype=XSD + "hexBinary"))

    def _availability(self, dist: str) -> None:
        # The planned-availability table is not among the EU tables a harvester is sure to
        # hold, so the catalog states the concept's scheme itself.
        stable = f"{PLANNED_AVAILABILITY}/STABLE"
        self._typed(dist, DCATAP + "availability", stable, SKOS + "Concept")
        self.t.add(iri(stable), iri(SKOS + "inScheme"), iri(PLANNED_AVAILABILITY))
        self.t.add(iri(stable), iri(SKOS + "prefLabel"), literal("stable", lang="en"))

    def _service(self) -> None:
        svc = self.service
        self.t.add(svc, A, iri(DCAT + "DataService"))
        self._texts(svc, DCT + "title", self.m.texts("service", "title"))
        self._texts(svc, DCT + "description", self.m.texts("service", "description"))
        self.t.add(svc, iri(DCAT + "endpointURL"), iri(self.s.endpoint_url))
        self.t.add(svc, iri(DCAT + "endpointDescription"), iri(self.s.endpoint_url))
        self.t.add(iri(self.s.endpoint_url), A, iri(RDFS + "Resource"))
        self.t.add(svc, iri(DCAT + "servesDataset"), self.dataset)
        self._typed(svc, DCT + "conformsTo", SPARQL_PROTOCOL, DCT + "Standard")
        self.t.add(svc, iri(DCAT + "contactPoint"), self.contact)
        self.t.add(svc, iri(DCT + "publisher"), self.publisher)
        self._authority(
            svc, DCAT + "theme", "data-theme", self.m.codes("dataset", "themes"), SKOS + "Concept"
        )
        self._keywords(svc, "service")
        self.t.add(svc, iri(DCT + "license"), self.licence)
        self._authority(
            svc,
            DCT + "accessRights",
            "access-right",
            [self.m.text("dataset", "access_rights")],
            DCT + "RightsStatement",
        )

    def _agents(self) -> None:
        pub = self.publisher
        self.t.add(pub, A, iri(FOAF + "Agent"))
        self.t.add(pub, A, iri(FOAF + "Organization"))
        self._texts(pub, FOAF + "name", self.m.texts("publisher", "name"))
        self._typed(pub, FOAF + "homepage", self.m.text("publisher", "homepage"), FOAF + "Document")
        publisher_type = ADMS_PUBLISHER_TYPE + self.m.text("publisher", "type")
        self._typed(pub, DCT + "type", publisher_type, SKOS + "Concept")
        self.t.add(self.licence, A, iri(DCT + "LicenseDocument"))
        licence_type = ADMS_LICENCE_TYPE + self.m.text("dataset", "licence_type")
        self._typed(self.licence, DCT + "type", licence_type, SKOS + "Concept")
        self._contact_point()

    def _contact_point(self) -> None:
        cp = self.contact
        self.t.add(cp, A, iri(VCARD + "Kind"))
        self.t.add(cp, A, iri(VCARD + "Organization"))
        self.t.add(cp, iri(VCARD + "fn"), literal(self.m.text("contact_point", "name")))
        self.t.add(cp, iri(VCARD + "hasURL"), iri(self.m.text("contact_point", "page")))
        mailbox = self.m.text("contact_point", "mailbox", "")
        if mailbox:
            self.t.add(cp, iri(VCARD + "hasEmail"), iri(mailbox))


def _degrees(value: float) -> str:
    """Four decimals (about 10 m): plenty for a country, and stable across platforms."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
