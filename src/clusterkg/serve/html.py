"""HTML building blocks: escaping, the page layout, and RDF terms as links.

Every text that comes from the data goes through `esc` (literals, IRIs, labels); attribute
values are quoted and escaped the same way. There is no template engine: pages are small.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..namespaces import PREFIXES
from .i18n import UI_LANGUAGES, say

if TYPE_CHECKING:
    from . import ServeContext

Term = dict[str, Any]
SITE_NAME = "clusterkg"


def esc(text: object) -> str:
    """Text escaped for element content and double-quoted attributes."""
    return html.escape(str(text), quote=True)


def compact(iri: str) -> str:
    """prefix:local for well-known namespaces, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def link(href: str, text: str, *, external: bool = False) -> str:
    rel = ' rel="nofollow noopener noreferrer"' if external else ""
    return f'<a href="{esc(href)}"{rel}>{esc(text)}</a>'


def iri_link(iri: str, context: ServeContext, label: str | None = None) -> str:
    """A link to the IRI's page here (IRIs under the base) or to the IRI itself."""
    href = context.href(iri)
    text = label or compact(iri)
    title = f' title="{esc(iri)}"'
    external = href == iri and href.startswith(("http://", "https://"))
    if not href.startswith(("/", "http://", "https://")):
        return f"<span{title}>{esc(text)}</span>"  # urn:, mailto: etc. are shown, not linked
    return link(href, text, external=external).replace("<a ", f"<a{title} ", 1)


def term_html(term: Term, context: ServeContext, labels: dict[str, str] | None = None) -> str:
    """One RDF term: a link for IRIs, the text with its language or datatype for literals."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return iri_link(value, context, (labels or {}).get(value))
    if kind == "bnode":
        return f'<span class="bnode">_:{esc(value)}</span>'
    if kind == "triple":
        parts = " ".join(term_html(value[k], context, labels) for k in ("subject", "predicate", "object"))
        return f"&lt;&lt; {parts} &gt;&gt;"
    extra = ""
    if "xml:lang" in term:
        extra = f' <span class="lang">@{esc(term["xml:lang"])}</span>'
    elif "datatype" in term:
        extra = f' <span class="datatype">^^{esc(compact(term["datatype"]))}</span>'
    lang_attr = f' lang="{esc(term["xml:lang"])}"' if "xml:lang" in term else ""
    return f'<span class="literal"{lang_attr}>{esc(value)}</span>{extra}'


def table(
    headers: Iterable[str], rows: Iterable[Iterable[str]], css: str = "", *, labelled: bool = False
) -> str:
    """A table from already-escaped cell HTML; `labelled` gives each cell its column's heading as
    data-label, which style.css shows when a narrow screen stacks the rows as cards."""
    headers = list(headers)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    names = [f' data-label="{esc(h)}"' if labelled else "" for h in headers]
    body = "".join(
        "<tr>"
        + "".join(f"<td{names[i] if i < len(names) else ''}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    cls = f' class="{esc(css)}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def alternates(links: Iterable[tuple[str, str]], lang: str = "en") -> str:
    """Links to the other representations of the page (href, label)."""
    items = " · ".join(link(href, label) for href, label in links)
    return f'<p class="alternates">{esc(say(lang, "alternates"))} {items}</p>' if items else ""


NAV = (
    ("/", "nav.home"),
    ("/query", "nav.query"),
    ("/queries", "nav.queries"),
    ("/ontology", "nav.ontology"),
    ("/shapes", "nav.shapes"),
    ("/validate", "nav.validate"),
    ("/sparql", "nav.sparql"),
    ("/catalog", "nav.catalog"),
    ("/dumps/", "nav.dumps"),
)
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def language_switch(lang: str, here: str) -> str:
    """Links that set the interface language and come back to this page."""
    others = [
        f'<a lang="{code}" href="/language?{esc(urlencode({"set": code, "next": here}))}">{esc(name)}</a>'
        for code, name in LANGUAGE_NAMES.items()
        if code != lang
    ]
    return f'<span class="language" title="{esc(say(lang, "nav.language"))}">{" ".join(others)}</span>'


def layout(
    title: str,
    body: str,
    *,
    lang: str = "en",
    here: str = "/",
    head_links: str = "",
    scripts: Iterable[str] = (),
) -> str:
    """A whole page in interface language `lang`: `title` is plain text (escaped here),
    `body` is HTML built with `esc`, `here` is the page's path for the language switch."""
    lang = lang if lang in UI_LANGUAGES else "en"
    script_tags = "".join(f'<script src="{esc(src)}" defer></script>' for src in scripts)
    nav = " ".join(link(href, say(lang, key)) for href, key in NAV[1:])
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · {SITE_NAME}</title>"
        '<link rel="stylesheet" href="/static/style.css"><link rel="icon" href="data:,">'
        f"{head_links}{script_tags}</head><body>"
        f'<header><nav><a class="brand" href="/">{SITE_NAME}</a> {nav} {language_switch(lang, here)}'
        f"</nav></header><main>{body}</main>"
        f"<footer>{esc(say(lang, 'footer'))}</footer>"
        "</body></html>\n"
    )
