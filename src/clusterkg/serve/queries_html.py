"""The canned queries for people: the index, a form per query, and a page of results.

A form takes each parameter by its type: an enumeration from the `#+` header becomes a drop-down
of exactly its values, an integer a number field, anything else a text field with the header's
example as placeholder. Every fixed text comes from `say()`, every value goes through `esc`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from ..queries import CannedQuery, Page, Parameter
from ..queries.params import (
    CountryType,
    EnumType,
    IdType,
    IntegerType,
    IriType,
    LangStringType,
    LangType,
    ParamType,
    StringType,
)
from .html import compact, esc, table
from .i18n import say

SIMPLE_HELP: dict[type[ParamType], str] = {
    IriType: "type.iri",
    CountryType: "type.country",
    StringType: "type.string",
    LangStringType: "type.langstring",
    LangType: "type.lang",
}


def accepts(kind: ParamType, lang: str) -> str:
    """What a parameter of type `kind` accepts, in the reader's language."""
    if isinstance(kind, EnumType):
        return say(lang, "type.enum", choices=", ".join(kind.choices))
    if isinstance(kind, IntegerType):
        if kind.low is None and kind.high is None:
            return say(lang, "type.integer")
        return say(lang, "type.integer_range", range=kind.spec[len("integer(") : -1])
    if isinstance(kind, IdType):
        return say(lang, "type.id", kind=kind.kind)
    key = SIMPLE_HELP.get(type(kind))
    return say(lang, key) if key else kind.help


def _control(param: Parameter, field_id: str, value: str, lang: str) -> str:
    """The input for one parameter: a drop-down for an enumeration, a number field for an integer."""
    attrs = f'name="{esc(param.name)}" id="{esc(field_id)}"' + (" required" if param.required else "")
    kind = param.kind
    if isinstance(kind, EnumType):
        blank = (
            ""
            if param.required or param.default
            else f'<option value="">{esc(say(lang, "queries.any"))}</option>'
        )
        options = "".join(
            f'<option value="{esc(choice)}"{" selected" if choice == value else ""}>{esc(choice)}</option>'
            for choice in kind.choices
        )
        return f"<select {attrs}>{blank}{options}</select>"
    if isinstance(kind, IntegerType):
        bounds = "".join(
            f' {name}="{bound}"'
            for name, bound in (("min", kind.low), ("max", kind.high))
            if bound is not None
        )
        return f'<input type="number" step="1"{bounds} {attrs} value="{esc(value)}">'
    placeholder = f' placeholder="{esc(param.example)}"' if param.example else ""
    return f'<input type="text" {attrs} value="{esc(value)}"{placeholder}>'


def _field(query: CannedQuery, param: Parameter, value: str, lang: str, problem: str | None) -> str:
    field_id = f"{query.name}-{param.name}"  # unique on the index, where every query has its form
    notes = [param.description, accepts(param.kind, lang)]
    if param.required:
        notes.append(say(lang, "queries.required"))
    elif param.default is not None:
        notes.append(say(lang, "queries.default", value=param.default))
    error = f'<span class="problem">{esc(problem)}</span>' if problem else ""
    return (
        f'<div class="field{" invalid" if problem else ""}"><label for="{esc(field_id)}">'
        f"{esc(param.name)}</label> {_control(param, field_id, value, lang)}"
        f'<small class="help">{esc(" · ".join(notes))}</small>{error}</div>'
    )


def form_html(
    query: CannedQuery, values: Mapping[str, str], lang: str, problems: Mapping[str, str] | None = None
) -> str:
    """The form for `query`, filled with `values` (else the defaults), bad fields marked."""
    problems = problems or {}
    fields = "".join(
        _field(query, p, values.get(p.name, p.default or ""), lang, problems.get(p.name))
        for p in query.parameters
    )
    if not query.parameters:
        fields = f'<p class="help">{esc(say(lang, "queries.no_parameters"))}</p>'
    return (
        f'<form class="canned" method="get" action="/queries/{esc(query.name)}">{fields}'
        f'<button type="submit">{esc(say(lang, "queries.run"))}</button></form>'
    )


def _heading(query: CannedQuery, lang: str) -> str:
    tags = (
        f'<p class="tags">{esc(say(lang, "queries.tags"))} {esc(", ".join(query.tags))}</p>'
        if query.tags
        else ""
    )
    return f'<h1>{esc(query.summary)}</h1><p class="description">{esc(query.description)}</p>{tags}'


def api_links(lang: str) -> str:
    return (
        f'<p class="api">{esc(say(lang, "queries.api"))} '
        f'<a href="/openapi.json">{esc(say(lang, "queries.api_json"))}</a> · '
        f'<a href="/openapi">{esc(say(lang, "api.title"))}</a></p>'
    )


def listing_html(catalogue: Iterable[CannedQuery], lang: str) -> str:
    """Every query: its summary, description and parameters, its form, and an example."""
    queries = list(catalogue)
    items = []
    for query in queries:
        example = f"/queries/{query.name}" + (
            f"?{urlencode(query.example_values())}" if query.example_values() else ""
        )
        items.append(
            f'<li id="{esc(query.name)}"><a href="/queries/{esc(query.name)}"><b>{esc(query.summary)}</b></a>'
            f" <code>{esc(query.name)}</code><br><small>{esc(query.description)}</small>"
            f"<details><summary>{esc(say(lang, 'queries.open'))}</summary>"
            f"{form_html(query, {}, lang)}</details>"
            f' <a class="example" href="{esc(example)}">{esc(say(lang, "queries.example"))}</a></li>'
        )
    return (
        f"<h1>{esc(say(lang, 'nav.queries'))}</h1>"
        f"<p>{esc(say(lang, 'queries.intro', count=len(queries)))}</p>"
        f'{api_links(lang)}<ul class="canned-queries">{"".join(items)}</ul>'
    )


def form_page_html(
    query: CannedQuery, values: Mapping[str, str], lang: str, problems: Mapping[str, str]
) -> str:
    """The query's form alone: bare (no values yet) or with what is wrong with the values given."""
    if problems:
        # a field's problem shows beside the field; listed here only what no field stands for
        loose = [text for name, text in problems.items() if query.parameter(name) is None]
        listed = "".join(f"<li>{esc(text)}</li>" for text in loose)
        note = f'<div class="error"><p>{esc(say(lang, "queries.problems"))}</p><ul>{listed}</ul></div>'
    else:
        note = f'<p class="help">{esc(say(lang, "queries.fill"))}</p>'
    return _heading(query, lang) + note + form_html(query, values, lang, problems) + _sparql(query, lang)


def _sparql(query: CannedQuery, lang: str, editable: str = "") -> str:
    """The query's SPARQL; with `editable`, a link that opens it (values written in) on the query page."""
    summary = esc(say(lang, "queries.sparql"))
    edit = ""
    if editable:
        href = "/query?" + urlencode({"query": editable})
        edit = f'<p><a class="edit" href="{esc(href)}">{esc(say(lang, "queries.edit"))}</a></p>'
    return (
        f'<details class="sparql"><summary>{summary}</summary>{edit}<pre>{esc(query.sparql)}</pre></details>'
    )


def _cell(term: Mapping[str, Any] | None, href: Callable[[str], str]) -> str:
    if not term:
        return ""
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        return f'<a href="{esc(href(value))}" title="{esc(value)}">{esc(compact(value))}</a>'
    lang = term.get("xml:lang")
    if not lang:
        return f'<span class="literal">{esc(value)}</span>'
    return (
        f'<span class="literal" lang="{esc(lang)}">{esc(value)}</span> <span class="lang">@{esc(lang)}</span>'
    )


def result_html(
    query: CannedQuery,
    values: Mapping[str, str],
    page: Page,
    links: Mapping[str, str],
    downloads: Mapping[str, str],
    href: Callable[[str], str],
    lang: str,
    *,
    editable: str = "",
) -> str:
    """A page of results under the query's form, with the pager and the CSV and JSON links;
    `editable` is the query with its values, offered on the query page."""
    shown = (
        say(
            lang,
            "queries.shown",
            first=page.offset + 1,
            last=page.offset + len(page.table.rows),
            total=page.total,
        )
        if page.table.rows
        else say(lang, "queries.none_shown", total=page.total)
    )
    pager = " ".join(
        f'<a rel="{esc(rel)}" href="{esc(url)}">{esc(say(lang, "queries." + rel))}</a>'
        for rel, url in links.items()
    )
    files = " · ".join(
        f'<a href="{esc(url)}" data-format="{esc(fmt)}">{esc(fmt.upper())}</a>'
        for fmt, url in downloads.items()
    )
    cells = [[_cell(term, href) for term in row] for row in page.table.rows]
    return (
        _heading(query, lang)
        + form_html(query, values, lang)
        + f'<p class="paging">{esc(shown)} {pager}</p>'
        + f'<p class="downloads">{esc(say(lang, "query.download"))} {files}</p>'
        + f'<div class="scroll">{table(page.table.columns, cells, "results")}</div>'
        + _sparql(query, lang, editable)
    )


__all__ = ["accepts", "api_links", "form_html", "form_page_html", "listing_html", "result_html"]
