"""The pages of /validate: the form, and a validation report for people."""

from __future__ import annotations

from ..validation import ValidationReport, ValidationResult
from ..validation.report_rdf import shape_name
from .html import compact, esc, layout
from .i18n import say, ui_language

FORMAT_NAMES = (
    ("turtle", "Turtle"),
    ("ntriples", "N-Triples"),
    ("nquads", "N-Quads"),
    ("trig", "TriG"),
    ("jsonld", "JSON-LD"),
    ("rdfxml", "RDF/XML"),
)


def form_page(languages: list[str], here: str) -> str:
    """The form: paste (or load from a file) RDF, pick its format, get the report."""
    lang = ui_language(languages)
    options = "".join(f'<option value="{esc(v)}">{esc(n)}</option>' for v, n in FORMAT_NAMES)
    body = (
        f"<h1>{esc(say(lang, 'validate.title'))}</h1>"
        f"<p>{esc(say(lang, 'validate.intro'))}</p>"
        '<form method="post" action="/validate" class="validate">'
        f'<p><label for="validate-file">{esc(say(lang, "validate.file"))}</label> '
        '<input type="file" id="validate-file" data-target="validate-data"></p>'
        f'<p><label for="validate-data">{esc(say(lang, "validate.data"))}</label><br>'
        '<textarea id="validate-data" name="data" rows="16" cols="100" required></textarea></p>'
        f'<p><label for="validate-format">{esc(say(lang, "validate.format"))}</label> '
        f'<select id="validate-format" name="format">{options}</select> '
        f'<button type="submit">{esc(say(lang, "validate.submit"))}</button></p>'
        "</form>"
        f'<p class="hint">{esc(say(lang, "validate.api"))}</p>'
    )
    return layout(say(lang, "validate.title"), body, lang=lang, here=here, scripts=["/static/validate.js"])


def report_page(report: ValidationReport, languages: list[str], here: str) -> str:
    """The report as a page: the verdict, then one row per result, its sh:detail below it."""
    lang = ui_language(languages)
    count = len(report.results)
    verdict = say(lang, "validate.conforms") if not count else say(lang, "validate.results", count=count)
    headers = ("severity", "focus", "path", "value", "message", "shape", "constraint")
    head = "".join(f"<th>{esc(say(lang, 'validate.' + h))}</th>" for h in headers)
    rows = "".join(_rows(report, r, lang, 0) for r in report.results)
    table = (
        f'<table class="report"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>' if count else ""
    )
    body = (
        f"<h1>{esc(say(lang, 'validate.report'))}</h1>"
        f'<p class="verdict">{esc(verdict)}</p>{table}'
        f'<p><a href="/validate">{esc(say(lang, "validate.again"))}</a></p>'
    )
    return layout(say(lang, "validate.report"), body, lang=lang, here=here)


def _rows(report: ValidationReport, r: ValidationResult, lang: str, depth: int) -> str:
    cells = (
        r.severity.rsplit("#", 1)[-1],
        r.focus,
        compact(r.path) if r.path else "",
        r.value,
        r.message,
        shape_name(report.shapes, r.shape),
        f"sh:{r.component}" if r.component else "",
    )
    css = f' class="detail detail-{depth}"' if depth else ""
    first = f"{esc(say(lang, 'validate.because'))} " if depth else ""
    row = f"<tr{css}>" + "".join(f"<td>{first if i == 0 else ''}{esc(c)}</td>" for i, c in enumerate(cells))
    return row + "</tr>" + "".join(_rows(report, d, lang, depth + 1) for d in r.details)
