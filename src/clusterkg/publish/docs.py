"""HTML documentation of the ontology, generated from the ontology graph itself.

One model (`ontology_model`) and one renderer (`ontology_html`) give both the release file
(`dumps/ontology.html`, a standalone page with its stylesheet beside it) and the server's
/ontology page (the same body inside the site's layout). Each term shows its label in the
page's language, the other language apart, never run together; the ontology's own IRI and
title come from its owl:Ontology, never from a concept scheme.

The page's fixed texts are in TEXTS, English and German; the server's `say()` reads them too
(serve/i18n.py merges them), because the release is written here and publish cannot import serve.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import Say, sayer
from ..namespaces import CKG, DCT, OWL, PREFIXES, RDF, RDFS, SKOS
from ..rdf import Graph, Literal, Node, URIRef, parse_graphs

LANGUAGES = ("en", "de")
Href = Callable[[str], str | None]

TEXTS: dict[str, dict[str, str]] = {
    "ontology.title": {"en": "Ontology", "de": "Ontologie"},
    "ontology.summary": {
        "en": "{classes} classes, {properties} properties and {schemes} concept schemes.",
        "de": "{classes} Klassen, {properties} Eigenschaften und {schemes} Begriffsschemata.",
    },
    "ontology.version": {"en": "Version", "de": "Version"},
    "ontology.licence": {"en": "Licence", "de": "Lizenz"},
    "ontology.iri": {"en": "IRI", "de": "IRI"},
    "ontology.contents": {"en": "Contents", "de": "Inhalt"},
    "ontology.classes": {"en": "Classes", "de": "Klassen"},
    "ontology.object_properties": {"en": "Object properties", "de": "Objekteigenschaften"},
    "ontology.datatype_properties": {"en": "Datatype properties", "de": "Datentyp-Eigenschaften"},
    "ontology.schemes": {"en": "Concept schemes", "de": "Begriffsschemata"},
    "ontology.kind.class": {"en": "class", "de": "Klasse"},
    "ontology.kind.object": {"en": "object property", "de": "Objekteigenschaft"},
    "ontology.kind.datatype": {"en": "datatype property", "de": "Datentyp-Eigenschaft"},
    "ontology.kind.scheme": {"en": "concept scheme", "de": "Begriffsschema"},
    "ontology.subclass_of": {"en": "Subclass of", "de": "Unterklasse von"},
    "ontology.subclasses": {"en": "Subclasses", "de": "Unterklassen"},
    "ontology.subproperty_of": {"en": "Subproperty of", "de": "Untereigenschaft von"},
    "ontology.domain": {"en": "Domain", "de": "Definitionsbereich"},
    "ontology.range": {"en": "Range", "de": "Wertebereich"},
    "ontology.functional": {"en": "Functional: at most one value", "de": "Funktional: höchstens ein Wert"},
    "ontology.properties_from": {"en": "Properties of its instances", "de": "Eigenschaften ihrer Instanzen"},
    "ontology.properties_to": {"en": "Properties pointing to it", "de": "Eigenschaften, die auf sie zeigen"},
    "ontology.requirements": {"en": "What an instance needs", "de": "Was eine Instanz braucht"},
    "ontology.requirements_link": {
        "en": "required and optional properties",
        "de": "Pflicht- und Wahlangaben",
    },
    "ontology.concepts": {"en": "Concepts", "de": "Begriffe"},
    "ontology.no_concepts": {
        "en": "Its concepts are part of the data, not of the ontology file.",
        "de": "Seine Begriffe gehören zu den Daten, nicht zur Ontologiedatei.",
    },
    "ontology.connections": {"en": "How the classes connect", "de": "Wie die Klassen zusammenhängen"},
    "ontology.connections_intro": {
        "en": "Each row: instances of the first class point with the property to instances of the third.",
        "de": "Jede Zeile: Instanzen der ersten Klasse zeigen mit der Eigenschaft auf Instanzen der dritten.",
    },
    "ontology.from": {"en": "from (domain)", "de": "von (Definitionsbereich)"},
    "ontology.property": {"en": "property", "de": "Eigenschaft"},
    "ontology.to": {"en": "to (range)", "de": "zu (Wertebereich)"},
    "ontology.downloads": {"en": "The ontology as RDF:", "de": "Die Ontologie als RDF:"},
    "ontology.lang.en": {"en": "English", "de": "Englisch"},
    "ontology.lang.de": {"en": "German", "de": "Deutsch"},
}

# The release page stands alone (a static host has no site stylesheet), so it brings its own.
RELEASE_CSS = """body { margin: 0 auto; max-width: 60rem; padding: 1rem; font: 16px/1.5 system-ui, sans-serif;
  color: #1d2733; }
a { color: #0b5cad; }
h2 { margin-top: 2rem; border-bottom: 1px solid #d8dee6; }
code, .iri { color: #5b6878; font-size: .85rem; overflow-wrap: anywhere; }
.term { border-top: 1px solid #eef2f6; padding: .4rem 0; }
.kind, .other-lang { color: #5b6878; font-size: .9rem; }
dl.facts { display: grid; grid-template-columns: minmax(6rem, max-content) 1fr; gap: .1rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.term-index { columns: 14rem; padding-left: 1.2rem; }
.table-scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d8dee6; padding: .3rem .5rem; text-align: left; overflow-wrap: break-word; }
"""


@dataclass
class Term:
    """A documented class, property or concept scheme, with its texts per language."""

    iri: str
    kind: str  # class | object | datatype | scheme
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    functional: bool = False
    members: list[str] = field(default_factory=list)  # concepts of a scheme
    notation: str = ""  # of a concept


@dataclass
class OntologyModel:
    """What the documentation shows: the ontology's own metadata and its terms by IRI."""

    iri: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    version: str
    licence: str
    terms: dict[str, Term]
    labels: dict[str, dict[str, str]]  # every labelled IRI of the graph, documented or not

    def of_kind(self, kind: str) -> list[Term]:
        return sorted((t for t in self.terms.values() if t.kind == kind), key=lambda t: t.iri)

    def children(self, iri: str) -> list[str]:
        return sorted(t.iri for t in self.terms.values() if iri in t.parents)


def texts(graph: Graph, subject: Node, predicate: str) -> dict[str, str]:
    """The literal values of `predicate` by language tag ("" for none), the first of each."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, URIRef(predicate)), key=str):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


def _iris(graph: Graph, subject: URIRef, predicate: str) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, URIRef(predicate)) if isinstance(o, URIRef))


KINDS = {
    OWL + "Class": "class",
    RDFS + "Class": "class",
    OWL + "ObjectProperty": "object",
    OWL + "DatatypeProperty": "datatype",
    SKOS + "ConceptScheme": "scheme",
}


def ontology_model(graph: Graph) -> OntologyModel:
    """The documentation model of an ontology graph (one owl:Ontology; concept schemes are terms)."""
    ontologies = sorted(str(s) for s in graph.subjects(URIRef(RDF + "type"), URIRef(OWL + "Ontology")))
    iri = next((o for o in ontologies if o.startswith(CKG.rstrip("#"))), ontologies[0] if ontologies else "")
    node = URIRef(iri)
    terms: dict[str, Term] = {}
    for type_iri, kind in KINDS.items():
        for subject in graph.subjects(URIRef(RDF + "type"), URIRef(type_iri)):
            if isinstance(subject, URIRef) and str(subject) not in terms:
                terms[str(subject)] = _term(graph, subject, kind)
    for scheme in [t for t in terms.values() if t.kind == "scheme"]:
        for member in scheme.members:
            terms.setdefault(member, _concept(graph, URIRef(member)))
    labels = {str(s): texts(graph, s, RDFS + "label") for s in set(graph.subjects(URIRef(RDFS + "label")))}
    licence = _iris(graph, node, DCT + "license")
    return OntologyModel(
        iri=iri,
        titles=texts(graph, node, DCT + "title") or texts(graph, node, RDFS + "label"),
        descriptions=texts(graph, node, DCT + "description") or texts(graph, node, RDFS + "comment"),
        version=next(iter(texts(graph, node, OWL + "versionInfo").values()), ""),
        licence=licence[0] if licence else "",
        terms=terms,
        labels=labels,
    )


def _term(graph: Graph, subject: URIRef, kind: str) -> Term:
    label_property = SKOS + "prefLabel" if kind == "scheme" else RDFS + "label"
    parent = RDFS + "subClassOf" if kind == "class" else RDFS + "subPropertyOf"
    members = sorted(str(s) for s in graph.subjects(URIRef(SKOS + "inScheme"), subject))
    return Term(
        iri=str(subject),
        kind=kind,
        labels=texts(graph, subject, label_property) or texts(graph, subject, RDFS + "label"),
        comments=texts(graph, subject, RDFS + "comment"),
        parents=_iris(graph, subject, parent) if kind != "scheme" else [],
        domains=_iris(graph, subject, RDFS + "domain"),
        ranges=_iris(graph, subject, RDFS + "range"),
        functional=(subject, URIRef(RDF + "type"), URIRef(OWL + "FunctionalProperty")) in graph,
        members=members,
    )


def _concept(graph: Graph, subject: URIRef) -> Term:
    notation = texts(graph, subject, SKOS + "notation")
    return Term(
        iri=str(subject),
        kind="concept",
        labels=texts(graph, subject, SKOS + "prefLabel") or texts(graph, subject, RDFS + "label"),
        comments=texts(graph, subject, RDFS + "comment") or texts(graph, subject, SKOS + "definition"),
        notation=next(iter(notation.values()), ""),
    )


def read_ontology(paths: Iterable[Path]) -> OntologyModel:
    """The documentation model of the ontology files (Turtle or any RDF syntax rdflib reads)."""
    return ontology_model(parse_graphs(sorted(paths)))


def release_say(lang: str = "en") -> Say:
    """`say` for pages written outside the server: the texts above in `lang`."""
    return sayer(TEXTS, lang)


def write_ontology_html(ontology_ttl: Path, out: Path) -> None:
    """Write the documentation of the ontology in `ontology_ttl` to `out`, and its stylesheet beside it."""
    model = read_ontology([ontology_ttl])
    say = release_say("en")
    title = pick(model.titles, "en") or say("ontology.title")
    downloads = " · ".join(
        f'<a href="{esc(ontology_ttl.with_suffix(s).name)}">{name}</a>'
        for s, name in ((".ttl", "Turtle"), (".rdf", "RDF/XML"))
    )
    body = ontology_html(model, "en", say, lambda iri: None)
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="{esc(out.stem)}.css"></head>'
        f'<body><main>{body}<p class="downloads">{esc(say("ontology.downloads"))} {downloads}</p>'
        "</main></body></html>\n"
    )
    out.write_text(page, encoding="utf-8")
    out.with_suffix(".css").write_text(RELEASE_CSS, encoding="utf-8")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def pick(by_lang: dict[str, str], lang: str) -> str:
    """The text in `lang`, else English, else untagged, else any."""
    for tag in (lang, "en", ""):
        if tag in by_lang:
            return by_lang[tag]
    return next(iter(sorted(by_lang.items())), ("", ""))[1]


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


# ---------------------------------------------------------------- rendering


class _Page:
    """Renders one model in one language; `shape_href` links a class to its requirements page."""

    def __init__(self, model: OntologyModel, lang: str, say: Say, shape_href: Href) -> None:
        self.model, self.lang, self.say, self.shape_href = model, lang, say, shape_href

    def name(self, iri: str) -> str:
        term = self.model.terms.get(iri)
        labels = term.labels if term else self.model.labels.get(iri, {})
        return pick(labels, self.lang) or compact(iri)

    def ref(self, iri: str) -> str:
        """A link to a term: its entry on this page, or the outside IRI."""
        if iri in self.model.terms:
            return f'<a href="#{esc(local_name(iri))}">{esc(self.name(iri))}</a>'
        text = self.name(iri)
        shown = text if text == compact(iri) else f"{text} ({compact(iri)})"
        return f'<a class="external" href="{esc(iri)}">{esc(shown)}</a>'

    def refs(self, iris: Iterable[str]) -> str:
        return ", ".join(self.ref(i) for i in sorted(iris, key=lambda i: self.name(i).lower()))

    def other_languages(self, by_lang: dict[str, str], shown: str, css: str = "other-lang") -> str:
        """The texts in the other languages, each marked with its language, apart from the main one."""
        parts = [
            f'<span class="{css}" lang="{tag}">{esc(self.say("ontology.lang." + tag))}: {esc(text)}</span>'
            for tag in LANGUAGES
            if tag != self.lang and (text := by_lang.get(tag)) and text != shown
        ]
        return " ".join(parts)

    def comments(self, term: Term) -> str:
        main = pick(term.comments, self.lang)
        out = f'<p lang="{self.lang}">{esc(main)}</p>' if main else ""
        for tag in LANGUAGES:
            text = term.comments.get(tag)
            if tag != self.lang and text and text != main:
                out += f'<p class="other-lang" lang="{tag}">{esc(text)}</p>'
        return out


def ontology_html(model: OntologyModel, lang: str, say: Say, shape_href: Href) -> str:
    """The documentation body in `lang`: metadata, classes, properties, schemes, connections."""
    page = _Page(model, lang, say, shape_href)
    classes, schemes = model.of_kind("class"), model.of_kind("scheme")
    objects, datatypes = model.of_kind("object"), model.of_kind("datatype")
    sections = [
        ("classes", "ontology.classes", classes),
        ("object-properties", "ontology.object_properties", objects),
        ("datatype-properties", "ontology.datatype_properties", datatypes),
        ("concept-schemes", "ontology.schemes", schemes),
    ]
    toc = "".join(
        f'<li><a href="#{anchor}">{esc(say(key))}</a> ({len(terms)})</li>' for anchor, key, terms in sections
    )
    toc += f'<li><a href="#class-connections">{esc(say("ontology.connections"))}</a></li>'
    parts = [
        _header(page, len(classes), len(objects) + len(datatypes), len(schemes)),
        f'<nav class="toc" aria-label="{esc(say("ontology.contents"))}"><ul>{toc}</ul></nav>',
    ]
    for anchor, key, terms in sections:
        index = "".join(f"<li>{page.ref(t.iri)}</li>" for t in _by_name(page, terms))
        entries = "".join(_entry(page, t) for t in _by_name(page, terms))
        parts.append(
            f'<section id="{anchor}"><h2>{esc(say(key))}</h2><ul class="term-index">{index}</ul>'
            f"{entries}</section>"
        )
    parts.append(_connections(page))
    return f'<div class="ontology-doc">{"".join(parts)}</div>'


def _by_name(page: _Page, terms: list[Term]) -> list[Term]:
    return sorted(terms, key=lambda t: page.name(t.iri).lower())


def _header(page: _Page, classes: int, properties: int, schemes: int) -> str:
    model, say = page.model, page.say
    title = pick(model.titles, page.lang) or say("ontology.title")
    facts = [(say("ontology.iri"), f"<code>{esc(model.iri)}</code>")]
    if model.version:
        facts.append((say("ontology.version"), esc(model.version)))
    if model.licence:
        facts.append((say("ontology.licence"), f'<a href="{esc(model.licence)}">{esc(model.licence)}</a>'))
    description = pick(model.descriptions, page.lang)
    summary = say("ontology.summary", classes=classes, properties=properties, schemes=schemes)
    return (
        f"<h1>{esc(title)}</h1><p>{page.other_languages(model.titles, title)}</p>"
        f'<p class="description">{esc(description)}</p>'
        f'<p class="summary">{esc(summary)}</p>' + _facts(facts)
    )


def _facts(facts: list[tuple[str, str]]) -> str:
    """A definition list from (plain label, HTML value) pairs."""
    items = "".join(f"<dt>{esc(label)}</dt><dd>{value}</dd>" for label, value in facts if value)
    return f'<dl class="facts">{items}</dl>' if items else ""


def _entry(page: _Page, term: Term) -> str:
    name, say = page.name(term.iri), page.say
    facts = _class_facts(page, term) if term.kind == "class" else _property_facts(page, term)
    if term.kind == "scheme":
        facts = [] if term.members else [(say("ontology.concepts"), esc(say("ontology.no_concepts")))]
    return (
        f'<section class="term" id="{esc(local_name(term.iri))}">'
        f'<h3>{esc(name)} <span class="kind">{esc(say("ontology.kind." + term.kind))}</span></h3>'
        f"{_labels_line(page, term, name)}"
        f'<p class="iri"><code>{esc(term.iri)}</code></p>{page.comments(term)}{_facts(facts)}'
        f"{_concepts(page, term)}</section>"
    )


def _concepts(page: _Page, scheme: Term) -> str:
    """The concepts of a scheme, each with its anchor, code, labels and definition."""
    items = []
    for iri in sorted(scheme.members, key=lambda i: page.name(i).lower()):
        concept = page.model.terms[iri]
        name = page.name(iri)
        code = f" <code>{esc(concept.notation)}</code>" if concept.notation else ""
        others = page.other_languages(concept.labels, name)
        comment = pick(concept.comments, page.lang)
        items.append(
            f'<li id="{esc(local_name(iri))}"><strong>{esc(name)}</strong>{code} {others}'
            + (f'<br><span lang="{page.lang}">{esc(comment)}</span>' if comment else "")
            + "</li>"
        )
    return (
        f'<h4>{esc(page.say("ontology.concepts"))}</h4><ul class="concepts">{"".join(items)}</ul>'
        if items
        else ""
    )


def _labels_line(page: _Page, term: Term, name: str) -> str:
    others = page.other_languages(term.labels, name)
    return f'<p class="labels">{others}</p>' if others else ""


def _class_facts(page: _Page, term: Term) -> list[tuple[str, str]]:
    model, say = page.model, page.say
    outgoing = [t.iri for t in model.terms.values() if term.iri in t.domains]
    incoming = [t.iri for t in model.terms.values() if term.iri in t.ranges]
    facts = [
        (say("ontology.subclass_of"), page.refs(term.parents)),
        (say("ontology.subclasses"), page.refs(model.children(term.iri))),
        (say("ontology.properties_from"), page.refs(outgoing)),
        (say("ontology.properties_to"), page.refs(incoming)),
    ]
    href = page.shape_href(term.iri)
    if href:
        facts.append(
            (
                say("ontology.requirements"),
                f'<a href="{esc(href)}">{esc(say("ontology.requirements_link"))}</a>',
            )
        )
    return facts


def _property_facts(page: _Page, term: Term) -> list[tuple[str, str]]:
    say = page.say
    return [
        (say("ontology.subproperty_of"), page.refs(term.parents)),
        (say("ontology.domain"), page.refs(term.domains)),
        (say("ontology.range"), page.refs(term.ranges)),
        (say("ontology.functional"), "✓" if term.functional else ""),
    ]


def _connections(page: _Page) -> str:
    say = page.say
    keys = ("ontology.from", "ontology.property", "ontology.to")
    labels = [f' data-label="{esc(say(k))}"' for k in keys]  # the site stacks rows as cards on phones
    rows = [
        f"<tr><td{labels[0]}>{page.ref(d)}</td><td{labels[1]}>{page.ref(p.iri)}</td>"
        f"<td{labels[2]}>{page.ref(r)}</td></tr>"
        for p in _by_name(page, [t for t in page.model.terms.values() if t.kind == "object"])
        for d in sorted(p.domains)
        for r in sorted(p.ranges)
    ]
    head = "".join(f"<th>{esc(say(k))}</th>" for k in keys)
    return (
        f'<section id="class-connections"><h2>{esc(say("ontology.connections"))}</h2>'
        f"<p>{esc(say('ontology.connections_intro'))}</p>"
        f'<div class="table-scroll"><table class="connections stacked"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        "</section>"
    )
