"""Choosing the interface's own words: English or German, by the reader's preferences.

Each part that writes pages keeps its texts as `{key: {"en": …, "de": …}}` tables (the server's
in serve/i18n.py, the release pages' beside them in publish/); `text` picks one, falling back
to English. A test checks that every key has both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

UI_LANGUAGES = ("en", "de")
Texts = Mapping[str, Mapping[str, str]]
Say = Callable[..., str]


def ui_language(languages: list[str]) -> str:
    """The first preferred language the interface speaks (en-GB counts as en), else English."""
    for tag in languages:
        primary = tag.lower().split("-")[0]
        if primary in UI_LANGUAGES:
            return primary
    return "en"


def text(texts: Texts, lang: str, key: str, **fields: object) -> str:
    """The text `key` of `texts` in `lang` (else English), with `{name}` fields filled in."""
    chosen = texts[key].get(lang) or texts[key]["en"]
    return chosen.format(**fields) if fields else chosen


def sayer(texts: Texts, lang: str = "en") -> Say:
    """`say(key, **fields)` bound to one table and language, for pages written outside the server."""

    def say(key: str, **fields: object) -> str:
        return text(texts, lang, key, **fields)

    return say
