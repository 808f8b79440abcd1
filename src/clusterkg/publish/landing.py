"""The release folder's own landing page (index.html), and the file listing /dumps/ shows.

A static host serves a folder only through its index.html, so the catalogue's landing page
and access URL (the download base) resolve from the release folder alone. The same listing,
inside the site's layout, is the server's /dumps/ page: one model (`release_files`), one
renderer (`listing_html`). Fixed texts are in TEXTS, English and German; the server's
`say()` reads them too (serve/i18n.py merges them), because publish cannot import serve.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..i18n import Say, sayer
from .dumps import DATA_FORMATS, SCHEMA_FORMATS, sha256_of

INDEX = "index.html"
STYLESHEET = "ontology.css"  # the release's stylesheet, written beside ontology.html (docs.py)
CHECKSUMS = "SHA256SUMS"

TEXTS: dict[str, dict[str, str]] = {
    "dumps.title": {"en": "Downloads", "de": "Downloads"},
    "dumps.intro": {
        "en": "The release {version} of {date}: every file, with its format, size and SHA-256 checksum "
        "(check them all with sha256sum -c SHA256SUMS).",
        "de": "Die Veröffentlichung {version} vom {date}: jede Datei mit Format, Größe und SHA-256-Prüfsumme "
        "(alle prüfen mit sha256sum -c SHA256SUMS).",
    },
    "dumps.described": {
        "en": "Described by the {catalog} (DCAT-AP 3) and the {void}.",
        "de": "Beschrieben im {catalog} (DCAT-AP 3) und in der {void}.",
    },
    "dumps.catalog": {"en": "catalogue", "de": "Katalog"},
    "dumps.void": {"en": "VoID description", "de": "VoID-Beschreibung"},
    "dumps.licence": {"en": "Licence: {licence}.", "de": "Lizenz: {licence}."},
    "dumps.file": {"en": "File", "de": "Datei"},
    "dumps.what": {"en": "Content", "de": "Inhalt"},
    "dumps.format": {"en": "Format", "de": "Format"},
    "dumps.media_type": {"en": "Media type", "de": "Medientyp"},
    "dumps.size": {"en": "Size", "de": "Größe"},
    "dumps.checksum": {"en": "SHA-256", "de": "SHA-256"},
    "dumps.bytes": {"en": "{count} bytes", "de": "{count} Bytes"},
    "dumps.decimal_mark": {"en": ".", "de": ","},
    "dumps.gzip": {"en": "{media_type}, gzip-compressed", "de": "{media_type}, gzip-komprimiert"},
    "dumps.kind.data": {
        "en": "The public graphs of the knowledge graph",
        "de": "Die öffentlichen Graphen des Wissensgraphen",
    },
    "dumps.kind.data.nquads": {
        "en": "The public graphs of the knowledge graph, each statement in its named graph",
        "de": "Die öffentlichen Graphen des Wissensgraphen, jede Aussage in ihrem benannten Graphen",
    },
    "dumps.kind.ontology": {"en": "The ontology", "de": "Die Ontologie"},
    "dumps.kind.shapes": {"en": "The SHACL shapes the data conforms to", "de": "Die SHACL-Shapes der Daten"},
    "dumps.kind.docs": {"en": "Documentation of the ontology", "de": "Dokumentation der Ontologie"},
    "dumps.kind.stylesheet": {"en": "Stylesheet of the documentation", "de": "Stylesheet der Dokumentation"},
    "dumps.kind.catalog": {
        "en": "DCAT-AP 3 catalogue of the release, VoID included",
        "de": "DCAT-AP-3-Katalog der Veröffentlichung, mit VoID",
    },
    "dumps.kind.void": {"en": "VoID description of the dataset", "de": "VoID-Beschreibung des Datensatzes"},
    "dumps.kind.checksums": {
        "en": "SHA-256 checksums of all files",
        "de": "SHA-256-Prüfsummen aller Dateien",
    },
    "dumps.kind.index": {
        "en": "Landing page of the release folder (what a static host shows for it)",
        "de": "Einstiegsseite des Veröffentlichungsordners (was ein statischer Host dafür zeigt)",
    },
    "dumps.kind.other": {"en": "Release file", "de": "Datei der Veröffentlichung"},
}

# name or suffix -> (kind, format label, media type); data and schema formats come from dumps.py
_FIXED = {
    "ontology.html": ("docs", "HTML", "text/html"),
    "ontology.css": ("stylesheet", "CSS", "text/css"),
    "catalog.ttl": ("catalog", "Turtle", "text/turtle"),
    "catalog.rdf": ("catalog", "RDF/XML", "application/rdf+xml"),
    "catalog.jsonld": ("catalog", "JSON-LD", "application/ld+json"),
    "void.ttl": ("void", "Turtle", "text/turtle"),
    CHECKSUMS: ("checksums", "sha256sum", "text/plain"),
    INDEX: ("index", "HTML", "text/html"),
}


@dataclass(frozen=True)
class ReleaseFile:
    """One file of the release folder, as the listing shows it."""

    name: str
    kind: str  # key suffix of TEXTS dumps.kind.*
    format_label: str
    media_type: str
    compressed: bool
    size: int
    sha256: str  # "" for SHA256SUMS itself and for a page listing its own folder


def _describe(name: str) -> tuple[str, str, str, bool]:
    if name in _FIXED:
        kind, label, media_type = _FIXED[name]
        return kind, label, media_type, False
    stem = name.split(".", 1)[0]
    formats = SCHEMA_FORMATS if stem in ("ontology", "shapes") else DATA_FORMATS
    for form in formats:
        if name.endswith(form.suffix):
            kind = stem if stem in ("ontology", "shapes") else "data"
            if form.serialisation == "nquads":
                kind = "data.nquads"
            return kind, form.label, form.media_type, form.compressed
    return "other", "", "application/octet-stream", False


def release_files(folder: Path) -> list[ReleaseFile]:
    """The files of a release folder, with their checksums (from SHA256SUMS, else computed)."""
    sums: dict[str, str] = {}
    if (folder / CHECKSUMS).is_file():
        for line in (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            sums[name] = digest
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        kind, label, media_type, compressed = _describe(path.name)
        digest = sums.get(path.name, "")
        if not digest and path.name not in (CHECKSUMS, INDEX):
            digest = sha256_of(path)
        found.append(ReleaseFile(path.name, kind, label, media_type, compressed, path.stat().st_size, digest))
    return found


def _size(size: int, say: Say) -> str:
    count = f"{size:,}".replace(",", "\u202f")  # a thin space groups digits in every language
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= factor:
            number = f"{size / factor:.1f}".replace(".", say("dumps.decimal_mark"))
            return f"{number} {unit} ({say('dumps.bytes', count=count)})"
    return say("dumps.bytes", count=count)


def listing_html(files: list[ReleaseFile], say: Say, href: Callable[[str], str]) -> str:
    """The table of release files; `href` gives each file's link."""
    esc = html.escape
    rows = []
    for f in files:
        media = say("dumps.gzip", media_type=f.media_type) if f.compressed else f.media_type
        checksum = f'<span class="iri"><code>{esc(f.sha256)}</code></span>' if f.sha256 else ""
        rows.append(
            f'<tr><td><a href="{esc(href(f.name))}">{esc(f.name)}</a></td>'
            f"<td>{esc(say('dumps.kind.' + f.kind))}</td><td>{esc(f.format_label)}</td>"
            f"<td><code>{esc(media)}</code></td><td>{esc(_size(f.size, say))}</td><td>{checksum}</td></tr>"
        )
    heads = ("file", "what", "format", "media_type", "size", "checksum")
    head = "".join(f"<th>{esc(say('dumps.' + h))}</th>" for h in heads)
    table = f'<table class="dumps"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="table-scroll">{table}</div>'


@dataclass(frozen=True)
class LandingFacts:
    """What the landing page says about the release besides its files."""

    title: str
    description: str
    version: str
    date: str
    licence: str  # IRI
    endpoint: str


def release_say(lang: str = "en") -> Say:
    """`say` for pages written outside the server: the texts above in `lang`."""
    return sayer(TEXTS, lang)


def intro_html(say: Say, version: str, date: str, catalog_href: str, void_href: str) -> str:
    esc = html.escape
    catalog = f'<a href="{esc(catalog_href)}">{esc(say("dumps.catalog"))}</a>'
    void = f'<a href="{esc(void_href)}">{esc(say("dumps.void"))}</a>'
    return (
        f"<p>{esc(say('dumps.intro', version=version, date=date))}</p>"
        f"<p>{say('dumps.described', catalog=catalog, void=void)}</p>"
    )


def write_landing_page(folder: Path, facts: LandingFacts, lang: str = "en") -> Path:
    """index.html of the release folder: a standalone page (no scripts), relative links, and the
    release's stylesheet when there is one."""
    esc, say = html.escape, release_say(lang)
    style = f'<link rel="stylesheet" href="{STYLESHEET}">' if (folder / STYLESHEET).is_file() else ""
    licence = f'<a href="{esc(facts.licence)}">{esc(facts.licence.rsplit("/", 1)[-1])}</a>'
    endpoint = f'<a href="{esc(facts.endpoint)}">SPARQL</a>'
    body = (
        f"<h1>{esc(facts.title)}</h1><p>{esc(facts.description)}</p>"
        + intro_html(say, facts.version, facts.date, "catalog.ttl", "void.ttl")
        + f"<p>{say('dumps.licence', licence=licence)} {endpoint}</p>"
        + listing_html(release_files(folder), say, lambda name: name)
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(facts.title)} · {esc(say('dumps.title'))}</title>{style}</head>"
        f"<body><main>{body}</main></body></html>\n"
    )
    path = folder / INDEX
    path.write_text(page, encoding="utf-8")
    return path
