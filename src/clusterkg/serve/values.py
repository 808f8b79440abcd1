"""Literals as readers expect them: numbers grouped per language, dates spelled out, yes/no.

`literal_html` replaces the raw `8 ^^xsd:integer` of a triple browser: the datatype is kept in
the element's title for those who want it, never in the text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..namespaces import XSD
from .html import compact, esc
from .i18n import say

NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
DECIMAL = {XSD + t for t in ("decimal", "double", "float")}
SEPARATORS = {"en": (",", "."), "de": (".", ",")}  # (thousands, decimal point)
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}


def format_number(text: str, lang: str) -> str:
    """`text` (an xsd number) in the reader's convention: 330,000 / 330.000; 1.5 / 1,5.
    Four-digit whole numbers stay ungrouped (2019, not 2,019), as DIN 5008 and English style allow."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return text
    thousands, point = SEPARATORS.get(lang, SEPARATORS["en"])
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    if len(whole) > 4:
        groups = [whole[max(0, i - 3) : i] for i in range(len(whole), 0, -3)][::-1]
        whole = thousands.join(groups)
    return sign + whole + (point + fraction if fraction else "")


def format_date(text: str, lang: str) -> str:
    """An xsd:date as `1 March 2019` / `1. März 2019`; anything unparsable as written."""
    try:
        day = datetime.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return text
    month = MONTHS.get(lang, MONTHS["en"]).split()[day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"


def literal_text(term: dict[str, Any], lang: str) -> str:
    """The literal's value as text for a reader of `lang`."""
    value, datatype = term["value"], term.get("datatype", "")
    if datatype in NUMERIC or datatype in DECIMAL:
        return format_number(value, lang)
    if datatype == XSD + "date":
        return format_date(value, lang)
    if datatype == XSD + "dateTime":
        return format_date(value, lang) + value[10:16].replace("T", " ")
    if datatype == XSD + "boolean":
        return say(lang, "value.yes" if value.strip() in ("true", "1") else "value.no")
    return value


def literal_html(term: dict[str, Any], lang: str) -> str:
    """A literal as an element: language-tagged text keeps its lang, typed values their datatype
    (in the title); numbers and dates formatted for the reader."""
    if "xml:lang" in term:
        return f'<span class="literal" lang="{esc(term["xml:lang"])}">{esc(term["value"])}</span>'
    datatype = term.get("datatype", "")
    text = literal_text(term, lang)
    if not datatype or datatype == XSD + "string":
        return f'<span class="literal">{esc(text)}</span>'
    kind = "number" if datatype in NUMERIC or datatype in DECIMAL else "typed"
    return f'<span class="literal {kind}" title="{esc(compact(datatype))}">{esc(text)}</span>'
