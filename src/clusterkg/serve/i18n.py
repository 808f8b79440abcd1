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
