"""IRIs of the vocabularies clusterkg uses, as plain strings.

Plain strings keep this module free of any RDF library, so every stage can
import it.
"""

from __future__ import annotations

CKG = "https://w3id.org/clusterkg/ontology#"
SHAPES = "https://w3id.org/clusterkg/shapes#"
DEFAULT_BASE_IRI = "https://w3id.org/clusterkg/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
LOCN = "http://www.w3.org/ns/locn#"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
RML = "http://w3id.org/rml/"
RML_LEGACY = "http://semweb.mmlab.be/ns/rml#"
R2RML = "http://www.w3.org/ns/r2rml#"
QL = "http://semweb.mmlab.be/ns/ql#"

EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

PREFIXES: dict[str, str] = {
    "ckg": CKG,
    "ckgsh": SHAPES,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "sh": SH,
    "skos": SKOS,
    "dct": DCT,
    "dcat": DCAT,
    "prov": PROV,
    "org": ORG,
    "foaf": FOAF,
    "vcard": VCARD,
    "locn": LOCN,
    "schema": SCHEMA,
    "void": VOID,
    "country": EU_COUNTRY,
}


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of the named graph `name` under `base_iri`."""
    return f"{base_iri}graph/{name}"


def contacts_graph(base_iri: str) -> str:
    """The private graph that holds personal data."""
    return graph_iri(base_iri, "contacts")
