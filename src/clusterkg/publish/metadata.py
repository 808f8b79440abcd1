"""The catalog metadata file (catalog/catalog.toml): what the release says about itself.

Only what cannot be read from the data lives there: titles, descriptions, keywords,
themes, licence, publisher, contact point. Coded values are authority-table codes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

Texts = dict[str, str]  # language tag -> text
LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class CatalogMetadata:
    """The parsed catalog/catalog.toml."""

    source: Path
    raw: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name)
        if not isinstance(value, dict):
            raise self._error(f"has no [{name}] section")
        return value

    def texts(self, section: str, key: str) -> Texts:
        """A text given in English and German."""
        value = self.section(section).get(key)
        if not isinstance(value, dict) or any(not value.get(lang) for lang in LANGUAGES):
            raise self._error(f"[{section}] {key} needs a text for each of {', '.join(LANGUAGES)}")
        return {lang: str(value[lang]) for lang in sorted(value)}

    def text(self, section: str, key: str, default: str | None = None) -> str:
        value = self.section(section).get(key, default)
        if not isinstance(value, str):
            raise self._error(f"[{section}] {key} must be a string")
        return value

    def codes(self, section: str, key: str) -> list[str]:
        value = self.section(section).get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(f"[{section}] {key} must be a list of codes")
        return list(value)

    def keywords(self, section: str) -> dict[str, list[str]]:
        value = self.section(section).get("keywords", {})
        if not isinstance(value, dict):
            raise self._error(f"[{section}] keywords must map a language to a list")
        return {lang: [str(k) for k in words] for lang, words in sorted(value.items())}

    def version_notes(self, version: str) -> Texts:
        notes = self.section("dataset").get("version_notes", {}).get(version)
        if notes is None:
            return {"en": f"Release {version}.", "de": f"Veröffentlichung {version}."}
        if not isinstance(notes, dict):
            raise self._error(f"[dataset.version_notes] {version} must give texts per language")
        return {lang: str(text) for lang, text in sorted(notes.items())}

    def _error(self, what: str) -> InputError:
        return InputError(
            f"{self.source}: {what}", hint="see the comments at the top of catalog/catalog.toml"
        )


def load_metadata(path: Path) -> CatalogMetadata:
    """Read and check the catalog metadata file."""
    if not path.is_file():
        raise InputError(f"no catalog metadata at {path}", hint="add catalog/catalog.toml to the project")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}", hint="fix the syntax at the line named") from exc
    metadata = CatalogMetadata(path, raw)
    for section, key in (("catalog", "title"), ("dataset", "title"), ("dataset", "description")):
        metadata.texts(section, key)
    return metadata
