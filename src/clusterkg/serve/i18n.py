"""The interface's own words in English and German (data labels come from the graph).

Pages ask `say(lang, key)` for every fixed text they show; `ui_language` picks the
interface language from the reader's preferences. A missing German text falls back to
English, and a test checks that every key has both.
"""

from __future__ import annotations

UI_LANGUAGES = ("en", "de")

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


def ui_language(languages: list[str]) -> str:
    """The first preferred language the interface speaks (en-GB counts as en), else English."""
    for tag in languages:
        primary = tag.lower().split("-")[0]
        if primary in UI_LANGUAGES:
            return primary
    return "en"


def say(lang: str, key: str, **fields: object) -> str:
    """The interface text `key` in `lang`, with `{name}` fields filled in."""
    texts = MESSAGES[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**fields) if fields else text
