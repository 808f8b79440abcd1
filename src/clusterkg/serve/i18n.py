"""The interface's own words in English and German (data labels come from the graph).

Pages ask `say(lang, key)` for every fixed text they show; `ui_language` picks the
interface language from the reader's preferences. A missing German text falls back to
English, and a test checks that every key has both.
"""

from __future__ import annotations

from ..i18n import UI_LANGUAGES, text, ui_language
from ..publish.docs import TEXTS as ONTOLOGY_TEXTS
from ..publish.landing import TEXTS as RELEASE_TEXTS

__all__ = ["MESSAGES", "UI_LANGUAGES", "say", "ui_language"]

MESSAGES: dict[str, dict[str, str]] = {
    "nav.home": {"en": "Home", "de": "Start"},
    "nav.query": {"en": "Query", "de": "Abfrage"},
    "nav.queries": {"en": "Canned queries", "de": "Gespeicherte Abfragen"},
    "nav.ontology": {"en": "Ontology", "de": "Ontologie"},
    "nav.shapes": {"en": "Shapes", "de": "Shapes"},
    "nav.sparql": {"en": "SPARQL endpoint", "de": "SPARQL-Endpunkt"},
    "nav.catalog": {"en": "Catalogue", "de": "Katalog"},
    "nav.dumps": {"en": "Downloads", "de": "Downloads"},
    "nav.language": {"en": "Language", "de": "Sprache"},
    "footer": {
        "en": "European industry clusters as linked data · served by clusterkg",
        "de": "Europäische Industriecluster als Linked Data · bereitgestellt von clusterkg",
    },
    "alternates": {"en": "Also as:", "de": "Auch als:"},
    # the query page (serve/query_page.py, static/query.js)
    "query.title": {"en": "Query", "de": "Abfrage"},
    "query.heading": {"en": "Query the graph", "de": "Den Graphen abfragen"},
    "query.intro": {
        "en": "SPARQL 1.1 over the public graphs (read-only). Results are capped at {rows} rows "
        "and queries stop after {seconds} s.",
        "de": "SPARQL 1.1 über die öffentlichen Graphen (nur lesend). Ergebnisse haben höchstens "
        "{rows} Zeilen, Abfragen enden nach {seconds} s.",
    },
    "query.label": {"en": "SPARQL query", "de": "SPARQL-Abfrage"},
    "query.run": {"en": "Run query", "de": "Abfrage ausführen"},
    "query.shortcut": {
        "en": "Ctrl+Enter runs the query; type a prefix and Ctrl+Space to complete it.",
        "de": "Strg+Enter führt die Abfrage aus; Präfix tippen und Strg+Leertaste ergänzt es.",
    },
    "query.prefixes": {
        "en": "Predeclared prefixes (no PREFIX line needed)",
        "de": "Vordeklarierte Präfixe (ohne PREFIX-Zeile nutzbar)",
    },
    "query.download": {"en": "Download:", "de": "Herunterladen:"},
    "query.rows": {"en": "{count} rows", "de": "{count} Zeilen"},
    "query.truncated": {
        "en": "Only the first {rows} rows are shown: the result was cut at the server's row limit.",
        "de": "Nur die ersten {rows} Zeilen werden gezeigt: das Ergebnis wurde an der "
        "Zeilengrenze des Servers abgeschnitten.",
    },
    "query.running": {"en": "Running…", "de": "Läuft …"},
    "query.done": {"en": "Done in {seconds} s", "de": "Fertig in {seconds} s"},
    "query.error": {"en": "Error {status}", "de": "Fehler {status}"},
    "query.failed": {"en": "The request failed: {error}", "de": "Die Anfrage ist fehlgeschlagen: {error}"},
    # canned queries (serve/queries_api.py)
    "queries.intro": {
        "en": "{count} ready-made questions. Each has a form; results come as a table, CSV or JSON, "
        "and the same URLs are a REST API.",
        "de": "{count} vorbereitete Fragen. Jede hat ein Formular; Ergebnisse gibt es als Tabelle, "
        "CSV oder JSON, und dieselben URLs sind eine REST-API.",
    },
    "queries.api": {"en": "The API in OpenAPI:", "de": "Die API in OpenAPI:"},
    "queries.api_json": {"en": "OpenAPI document (JSON)", "de": "OpenAPI-Dokument (JSON)"},
    "queries.parameters": {"en": "Parameters", "de": "Parameter"},
    "queries.no_parameters": {"en": "No parameters.", "de": "Keine Parameter."},
    "queries.open": {"en": "Form", "de": "Formular"},
    "queries.example": {"en": "Example", "de": "Beispiel"},
    "queries.run": {"en": "Run", "de": "Ausführen"},
    "queries.required": {"en": "required", "de": "erforderlich"},
    "queries.any": {"en": "(any)", "de": "(alle)"},
    "queries.default": {"en": "default: {value}", "de": "Vorgabe: {value}"},
    "queries.fill": {
        "en": "Fill in the form and run the query.",
        "de": "Formular ausfüllen und die Abfrage ausführen.",
    },
    "queries.shown": {"en": "Rows {first}–{last} of {total}.", "de": "Zeilen {first}–{last} von {total}."},
    "queries.none_shown": {
        "en": "No rows on this page; {total} in all.",
        "de": "Keine Zeilen auf dieser Seite; insgesamt {total}.",
    },
    "queries.next": {"en": "next", "de": "weiter"},
    "queries.prev": {"en": "previous", "de": "zurück"},
    "queries.sparql": {"en": "The SPARQL query", "de": "Die SPARQL-Abfrage"},
    "queries.problems": {"en": "Please correct:", "de": "Bitte korrigieren:"},
    "queries.tags": {"en": "Tags:", "de": "Schlagwörter:"},
    "queries.edit": {"en": "Open on the query page", "de": "Auf der Abfrageseite öffnen"},
    "type.iri": {
        "en": "an absolute IRI, or a path under the base IRI",
        "de": "eine absolute IRI oder ein Pfad unter der Basis-IRI",
    },
    "type.id": {"en": "the key of a {kind} or its IRI", "de": "der Schlüssel eines {kind} oder seine IRI"},
    "type.country": {
        "en": "an ISO 3166 alpha-2 or alpha-3 code, an English country name, or the EU authority IRI",
        "de": "ein ISO-3166-Code (zwei- oder dreistellig), ein englischer Ländername oder die "
        "IRI der EU-Normdatei",
    },
    "type.string": {"en": "text", "de": "Text"},
    "type.langstring": {
        "en": "text with a language tag, as text@lang",
        "de": "Text mit Sprachkennung, als Text@Sprache",
    },
    "type.lang": {"en": "a language tag such as en or de", "de": "eine Sprachkennung wie en oder de"},
    "type.integer": {"en": "a whole number", "de": "eine ganze Zahl"},
    "type.integer_range": {"en": "a whole number in {range}", "de": "eine ganze Zahl in {range}"},
    "type.enum": {"en": "one of {choices}", "de": "einer der Werte {choices}"},
    # the OpenAPI view (serve/queries_api.py)
    "api.title": {"en": "API reference", "de": "API-Referenz"},
    "api.intro": {
        "en": "Generated from the OpenAPI document {version}; every operation is a GET.",
        "de": "Erzeugt aus dem OpenAPI-Dokument {version}; jede Operation ist ein GET.",
    },
    "api.server": {"en": "Server:", "de": "Server:"},
    "api.name": {"en": "Name", "de": "Name"},
    "api.required": {"en": "Required", "de": "Pflicht"},
    "api.schema": {"en": "Values", "de": "Werte"},
    "api.description": {"en": "Description", "de": "Beschreibung"},
    "api.responses": {"en": "Responses", "de": "Antworten"},
    "api.status": {"en": "Status", "de": "Status"},
    "api.content": {"en": "Content types", "de": "Inhaltstypen"},
    "api.schemas": {"en": "Schemas", "de": "Schemas"},
    "api.property": {"en": "Property", "de": "Eigenschaft"},
    "api.type": {"en": "Type", "de": "Typ"},
    "api.yes": {"en": "yes", "de": "ja"},
    "api.no": {"en": "no", "de": "nein"},
    "api.try": {"en": "Try it", "de": "Ausprobieren"},
    "api.operations": {"en": "Operations", "de": "Operationen"},
}

# The shapes pages (serve/shapes_pages.py).
MESSAGES.update(
    {
        "shapes.title": {"en": "Shapes (SHACL)", "de": "Shapes (SHACL)"},
        "shapes.intro": {
            "en": "The SHACL shapes every build of the data must conform to. Pick a class to see what its "
            "instances need: required and optional properties, how many values and of which kind.",
            "de": "Die SHACL-Shapes, denen jeder Build der Daten entsprechen muss. Wählen Sie eine "
            "Klasse, um zu sehen, was ihre Instanzen brauchen: Pflicht- und Wahlangaben, wie viele "
            "Werte welcher Art.",
        },
        "shapes.class": {"en": "Class", "de": "Klasse"},
        "shapes.required_count": {"en": "Required", "de": "Pflicht"},
        "shapes.optional_count": {"en": "Optional", "de": "Optional"},
        "shapes.checked_by": {"en": "Checked by", "de": "Geprüft von"},
        "shapes.node_shapes": {"en": "Shapes and their classes", "de": "Shapes und ihre Zielklassen"},
        "shapes.targets": {"en": "applies to {classes}", "de": "gilt für {classes}"},
        "shapes.other": {"en": "Shapes used by other shapes", "de": "Von anderen Shapes genutzte Shapes"},
        "shapes.class_title": {"en": "{name}: what it needs", "de": "{name}: was eine Instanz braucht"},
        "shapes.in_ontology": {"en": "the class in the ontology", "de": "die Klasse in der Ontologie"},
        "shapes.all_classes": {"en": "all classes", "de": "alle Klassen"},
        "shapes.see_also": {"en": "See also:", "de": "Siehe auch:"},
        "shapes.none": {
            "en": "No shape constrains instances of this class.",
            "de": "Keine Shape schränkt Instanzen dieser Klasse ein.",
        },
        "shapes.inherited": {
            "en": "{shape}, for every instance of {target}",
            "de": "{shape}, für jede Instanz von {target}",
        },
        "shapes.required": {"en": "Required properties", "de": "Pflichtangaben"},
        "shapes.optional": {"en": "Optional properties", "de": "Wahlangaben"},
        "shapes.rules": {"en": "Further rules", "de": "Weitere Regeln"},
        "shapes.subclasses": {"en": "Subclasses", "de": "Unterklassen"},
        "shapes.property": {"en": "Property", "de": "Eigenschaft"},
        "shapes.how_many": {"en": "How many", "de": "Wie viele"},
        "shapes.value": {"en": "Value", "de": "Wert"},
        "shapes.if_broken": {"en": "If not met", "de": "Wenn nicht erfüllt"},
        "shapes.exactly": {"en": "exactly {n}", "de": "genau {n}"},
        "shapes.between": {"en": "{low} to {high}", "de": "{low} bis {high}"},
        "shapes.at_most": {"en": "at most {n}", "de": "höchstens {n}"},
        "shapes.at_least": {"en": "at least {n}", "de": "mindestens {n}"},
        "shapes.any_number": {"en": "any number", "de": "beliebig viele"},
        "shapes.inverse": {"en": "inverse of", "de": "invers zu"},
        "shapes.instance_of": {"en": "an instance of {classes}", "de": "eine Instanz von {classes}"},
        "shapes.kind.IRI": {"en": "an IRI", "de": "eine IRI"},
        "shapes.kind.Literal": {"en": "a literal", "de": "ein Literal"},
        "shapes.kind.BlankNode": {"en": "a blank node", "de": "ein leerer Knoten"},
        "shapes.kind.BlankNodeOrIRI": {"en": "an IRI or a blank node", "de": "IRI oder leerer Knoten"},
        "shapes.kind.IRIOrLiteral": {"en": "an IRI or a literal", "de": "eine IRI oder ein Literal"},
        "shapes.kind.BlankNodeOrLiteral": {
            "en": "a blank node or a literal",
            "de": "ein leerer Knoten oder ein Literal",
        },
        "shapes.conforms_to": {"en": "conforms to {shape}", "de": "entspricht {shape}"},
        "shapes.one_of": {"en": "one of", "de": "eines von"},
        "shapes.one_of_n": {"en": "one of {n} values", "de": "einer von {n} Werten"},
        "shapes.has_value": {"en": "includes {value}", "de": "enthält {value}"},
        "shapes.pattern": {"en": "matches", "de": "passt auf"},
        "shapes.languages": {"en": "languages", "de": "Sprachen"},
        "shapes.unique_lang": {"en": "at most one per language", "de": "höchstens einer je Sprache"},
        "shapes.minLength": {"en": "at least {n} characters", "de": "mindestens {n} Zeichen"},
        "shapes.maxLength": {"en": "at most {n} characters", "de": "höchstens {n} Zeichen"},
        "shapes.or": {"en": "or", "de": "oder"},
        "shapes.severity.Violation": {"en": "error", "de": "Fehler"},
        "shapes.severity.Warning": {"en": "warning", "de": "Warnung"},
        "shapes.severity.Info": {"en": "note", "de": "Hinweis"},
        "shapes.from_shape": {"en": "from {shape}", "de": "aus {shape}"},
        "shapes.has_property": {"en": "has {property}", "de": "hat {property}"},
        "shapes.rule.or": {"en": "At least one of these holds:", "de": "Mindestens eines davon gilt:"},
        "shapes.rule.xone": {"en": "Exactly one of these holds:", "de": "Genau eines davon gilt:"},
        "shapes.rule.and": {"en": "All of these hold:", "de": "All dies gilt:"},
        "shapes.rule.not": {"en": "This must not hold:", "de": "Dies darf nicht gelten:"},
        "shapes.rule.class": {"en": "Must also be typed as:", "de": "Muss auch den Typ haben:"},
        "shapes.rule.sparql": {
            "en": "A check over the whole graph.",
            "de": "Eine Prüfung des ganzen Graphen.",
        },
    }
)
# The ontology documentation's texts live with the page `clusterkg publish` writes into the release.
MESSAGES.update(ONTOLOGY_TEXTS)


def say(lang: str, key: str, **fields: object) -> str:
    """The interface text `key` in `lang`, with `{name}` fields filled in."""
    return text(MESSAGES, lang, key, **fields)


# Resource pages and the home page (serve/resources.py, domain.py, maps.py, values.py, pages.py).
MESSAGES.update(
    {
        "resource.source": {"en": "Source:", "de": "Quelle:"},
        "resource.source_record": {"en": "Source record: {record}", "de": "Quelldatensatz: {record}"},
        "resource.properties": {"en": "Properties", "de": "Eigenschaften"},
        "resource.property": {"en": "Property", "de": "Eigenschaft"},
        "resource.value": {"en": "Value", "de": "Wert"},
        "resource.incoming": {"en": "Links to this resource", "de": "Verweise auf diese Ressource"},
        "resource.from": {"en": "From", "de": "Von"},
        "resource.graphs": {"en": "In {count} named graph(s)", "de": "In {count} benannten Graph(en)"},
        "resource.graph": {"en": "Named graph", "de": "Benannter Graph"},
        "resource.graph_size": {"en": "{count} triples.", "de": "{count} Tripel."},
        "resource.class": {"en": "Class", "de": "Klasse"},
        "resource.instances": {"en": "Instances", "de": "Instanzen"},
        "value.yes": {"en": "yes", "de": "ja"},
        "value.no": {"en": "no", "de": "nein"},
        "targets.heading": {"en": "Target markets", "de": "Zielmärkte"},
        "targets.place": {"en": "Country or region", "de": "Land oder Region"},
        "targets.phase": {"en": "Phase", "de": "Phase"},
        "targets.certainty": {"en": "Certainty", "de": "Gewissheit"},
        "targets.via": {"en": "Targeted by", "de": "Angestrebt von"},
        "map.title": {
            "en": "Map of the countries {name} targets, shaded by phase",
            "de": "Karte der Zielländer von {name}, nach Phase eingefärbt",
        },
        "map.shade.concept": {"en": "concept phase", "de": "Konzeptphase"},
        "map.shade.implementation": {"en": "implementation phase", "de": "Umsetzungsphase"},
        "map.shade.both": {"en": "both phases", "de": "beide Phasen"},
        "map.shade.unphased": {"en": "no phase stated", "de": "ohne Phasenangabe"},
        "partners.heading": {"en": "Partners", "de": "Partner"},
        "partners.member": {"en": "Partner", "de": "Partner"},
        "partners.role": {"en": "Role", "de": "Rolle"},
        "partners.country": {"en": "Country", "de": "Land"},
        "partners.takes_part": {"en": "Takes part in", "de": "Beteiligt an"},
        "outcomes.heading": {"en": "Outcomes", "de": "Ergebnisse"},
        "outcomes.outcome": {"en": "Outcome", "de": "Ergebnis"},
        "outcomes.count": {"en": "Count", "de": "Anzahl"},
        "outcomes.as_written": {"en": "As the source writes it", "de": "Wortlaut der Quelle"},
        "home.title": {"en": "European industry clusters", "de": "Europäische Industriecluster"},
        "home.about": {
            "en": "A knowledge graph of European industry clusters, the partnerships they form, their "
            "internationalisation projects, target markets, programmes and calls, built from public "
            "source documents. Every resource records the document it came from.",
            "de": "Ein Wissensgraph europäischer Industriecluster, ihrer Partnerschaften, "
            "Internationalisierungsprojekte, Zielmärkte, Programme und Ausschreibungen, erstellt aus "
            "öffentlichen Quelldokumenten. Jede Ressource nennt das Dokument, aus dem sie stammt.",
        },
        "home.version": {"en": "Version", "de": "Version"},
        "home.issued": {"en": "Released", "de": "Veröffentlicht"},
        "home.licence": {"en": "Licence", "de": "Lizenz"},
        "home.downloads": {"en": "Release", "de": "Veröffentlichung"},
        "home.search": {"en": "Search by name", "de": "Nach Namen suchen"},
        "home.search_hint": {"en": "e.g. bio, cluster, COSME", "de": "z. B. bio, Cluster, COSME"},
        "home.search_button": {"en": "Search", "de": "Suchen"},
        "home.chart_title": {
            "en": "The {count} most-targeted countries",
            "de": "Die {count} häufigsten Zielländer",
        },
        "home.chart_value": {
            "en": "targeted by {value} projects or partnerships",
            "de": "Ziel von {value} Projekten oder Partnerschaften",
        },
        "home.map_title": {
            "en": "All target countries, shaded by phase",
            "de": "Alle Zielländer, nach Phase eingefärbt",
        },
        "home.classes": {"en": "What is in it", "de": "Was enthalten ist"},
        "home.list": {"en": "list", "de": "Liste"},
        "figures.heading": {"en": "Figures", "de": "Kennzahlen"},
        "figures.measure": {"en": "Measure", "de": "Größe"},
        "figures.value": {"en": "Value", "de": "Wert"},
        "figures.year": {"en": "Year", "de": "Jahr"},
        "resource.values": {"en": "{count} values", "de": "{count} Werte"},
        "browse.heading": {"en": "Instances of {cls}", "de": "Instanzen von {cls}"},
        "browse.shown": {"en": "{count} shown.", "de": "{count} angezeigt."},
        # region targets on maps and in target tables (serve/domain.py, serve/maps.py)
        "targets.includes": {"en": "including", "de": "darunter"},
        "map.shade.region": {"en": "in a targeted region", "de": "in einer Zielregion"},
        "map.shade.here": {"en": "this country", "de": "dieses Land"},
        "region.map": {"en": "Countries it includes", "de": "Länder, die sie umfasst"},
        "region.in_region": {"en": "in this region", "de": "in dieser Region"},
        "region.map_title": {
            "en": "Map of the countries {name} includes",
            "de": "Karte der Länder von {name}",
        },
        "map.via_region": {
            "en": "{country}: in the targeted region {region}",
            "de": "{country}: in der Zielregion {region}",
        },
        # country pages (serve/countries.py)
        "country.kind": {"en": "Country", "de": "Land"},
        "country.same_as": {"en": "Same as", "de": "Identisch mit"},
        "country.all": {"en": "All countries", "de": "Alle Länder"},
        "country.index_title": {"en": "Countries", "de": "Länder"},
        "country.index_intro": {
            "en": "The countries the graph names, by continent, with the number of projects and "
            "partnerships that target each.",
            "de": "Die Länder, die der Graph nennt, nach Kontinent, mit der Zahl der Projekte und "
            "Partnerschaften, die sie als Zielmarkt nennen.",
        },
        "country.other_continent": {"en": "Elsewhere", "de": "Anderswo"},
        "country.authority": {"en": "EU authority table entry", "de": "Eintrag der EU-Normdatentabelle"},
        "country.codes": {"en": "ISO 3166 codes", "de": "ISO-3166-Codes"},
        "country.continent": {"en": "Continent", "de": "Kontinent"},
        "country.in_regions": {"en": "In the regions", "de": "In den Regionen"},
        "country.names": {"en": "Names in {count} languages", "de": "Namen in {count} Sprachen"},
        "country.map_title": {"en": "Map: {name}", "de": "Karte: {name}"},
        "country.targets": {"en": "Target market of", "de": "Zielmarkt von"},
        "country.targeter": {"en": "Project or partnership", "de": "Projekt oder Partnerschaft"},
        "country.clusters": {"en": "Clusters", "de": "Cluster"},
        "country.via_region": {"en": "via the region {region}", "de": "über die Region {region}"},
        "country.partners": {"en": "Partners here", "de": "Partner hier"},
        "country.initiative": {"en": "Partnership or project", "de": "Partnerschaft oder Projekt"},
        "country.partners_here": {"en": "Partners from here", "de": "Partner von hier"},
        "country.organisations": {"en": "Organisations located here", "de": "Organisationen mit Sitz hier"},
        "country.outcomes": {"en": "Outcomes here", "de": "Ergebnisse hier"},
        "country.empty": {
            "en": "No cluster, partnership or project in the graph names this country yet.",
            "de": "Noch nennt kein Cluster, keine Partnerschaft und kein Projekt im Graphen dieses Land.",
        },
    }
)

# the release: /dumps/ (the release's own index.html texts), /catalog, VoID, the catalogue's resources
MESSAGES.update(RELEASE_TEXTS)
MESSAGES.update(
    {
        "release.catalog_title": {"en": "Catalogue (DCAT-AP)", "de": "Katalog (DCAT-AP)"},
        "release.void_title": {"en": "Dataset description (VoID)", "de": "Datensatzbeschreibung (VoID)"},
        "release.document": {"en": "Release document", "de": "Dokument der Veröffentlichung"},
        "release.as_published": {
            "en": "As published in the release: {file}.",
            "de": "Wie in der Veröffentlichung: {file}.",
        },
        "release.rebased": {
            "en": "Download and endpoint URLs point at this instance, {url}.",
            "de": "Download- und Endpunkt-URLs zeigen auf diese Instanz, {url}.",
        },
        "catalog.resource.intro": {
            "en": "A resource the {catalog} of the release describes.",
            "de": "Eine Ressource, die der {catalog} der Veröffentlichung beschreibt.",
        },
    }
)
MESSAGES.update(  # the validation page (serve/validate_page.py, static/validate.js)
    {
        "nav.validate": {"en": "Validate", "de": "Validieren"},
        "validate.title": {"en": "Validate RDF against the shapes", "de": "RDF gegen die Shapes prüfen"},
        "validate.intro": {
            "en": "Paste RDF, or load a file, and get the SHACL validation report of the clusterkg shapes."
            " Nothing is stored and nothing is fetched.",
            "de": "RDF einfügen oder eine Datei laden und den SHACL-Validierungsbericht der clusterkg-Shapes"
            " erhalten. Nichts wird gespeichert, nichts wird nachgeladen.",
        },
        "validate.file": {"en": "Load a file:", "de": "Datei laden:"},
        "validate.data": {"en": "RDF data", "de": "RDF-Daten"},
        "validate.format": {"en": "Format", "de": "Format"},
        "validate.submit": {"en": "Validate", "de": "Prüfen"},
        "validate.api": {
            "en": "Also as an API: POST the data to /validate with its Content-Type (text/turtle,"
            " application/n-triples, application/n-quads, application/trig, application/ld+json,"
            " application/rdf+xml); Accept picks the report: text/turtle, application/ld+json or text/html.",
            "de": "Auch als API: die Daten mit ihrem Content-Type (text/turtle, application/n-triples,"
            " application/n-quads, application/trig, application/ld+json, application/rdf+xml) an /validate"
            " senden (POST); Accept wählt den Bericht: text/turtle, application/ld+json oder text/html.",
        },
        "validate.report": {"en": "Validation report", "de": "Validierungsbericht"},
        "validate.conforms": {
            "en": "The data conforms to the shapes.",
            "de": "Die Daten entsprechen den Shapes.",
        },
        "validate.results": {
            "en": "The data does not conform: {count} result(s).",
            "de": "Die Daten entsprechen nicht den Shapes: {count} Ergebnis(se).",
        },
        "validate.severity": {"en": "Severity", "de": "Schweregrad"},
        "validate.focus": {"en": "Focus node", "de": "Fokusknoten"},
        "validate.path": {"en": "Path", "de": "Pfad"},
        "validate.value": {"en": "Value", "de": "Wert"},
        "validate.message": {"en": "Message", "de": "Meldung"},
        "validate.shape": {"en": "Shape", "de": "Shape"},
        "validate.constraint": {"en": "Constraint", "de": "Bedingung"},
        "validate.because": {"en": "because:", "de": "weil:"},
        "validate.again": {"en": "Validate other data", "de": "Andere Daten prüfen"},
    }
)
