"""Content negotiation: Accept with q-values, and Accept-Language for labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .i18n import UI_LANGUAGES


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches `media_type`: 3 exact, 2 type/*, 1 */*, 0 no."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def parse_accept(header: str) -> list[MediaRange]:
    ranges = []
    for position, item in enumerate(header.split(",")):
        media, *params = [p.strip() for p in item.split(";")]
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        ranges.append(MediaRange(kind, sub, _quality(params), position))
    return ranges


def choose(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (None when none is acceptable); no header means the first offer.

    For each offer the most specific matching range gives its q; ties go to the more specific
    match, then to what the client listed first, then to the server's order.
    """
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = parse_accept(header)
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        matched = [(r.matches(offer), r) for r in ranges if r.matches(offer)]
        if not matched:
            continue
        specificity, media_range = max(matched, key=lambda m: (m[0], -m[1].position))
        if media_range.q <= 0:
            continue
        score = (media_range.q, specificity, -media_range.position, -order)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen


def preferred_languages(header: str | None) -> list[str]:
    """Language tags from Accept-Language, best first, always ending with English."""
    tags: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, *params = [p.strip() for p in item.split(";")]
        if tag and tag != "*":
            tags.append((_quality(params), -position, tag.lower()))
    ordered = [tag for q, _, tag in sorted(tags, reverse=True) if q > 0]
    return [*ordered, "en"] if "en" not in ordered else ordered


def labels_by_language(
    rows: Iterable[Mapping[str, Any]],
    node: str,
    label: str = "label",
    into: dict[str, dict[str, str]] | None = None,
) -> dict[str, dict[str, str]]:
    """Each `node` value's labels from query rows, by language tag ('' untagged), the first per
    language kept; rows without a label are skipped. `pick_label` then chooses one."""
    labels: dict[str, dict[str, str]] = {} if into is None else into
    for row in rows:
        if node in row and label in row:
            text = row[label]
            labels.setdefault(row[node]["value"], {}).setdefault(text.get("xml:lang", ""), text["value"])
    return labels


def pick_label(labels: dict[str, str], languages: list[str]) -> str | None:
    """The label in the first language that has one (en-GB also takes en), else untagged, else any."""
    lowered = {lang.lower(): text for lang, text in labels.items()}
    for lang in languages:
        if lang in lowered:
            return lowered[lang]
        primary = lang.split("-")[0]
        for tag, text in sorted(lowered.items()):
            if tag and tag.split("-")[0] == primary:
                return text
    if "" in lowered:
        return lowered[""]
    return next(iter(sorted(lowered.items())), ("", None))[1]


LANGUAGE_COOKIE = "lang"


def request_languages(headers: Mapping[str, str], cookies: Mapping[str, str]) -> list[str]:
    """The reader's languages: the one chosen with the page's language switch (a cookie)
    first, then Accept-Language, always ending with English."""
    chosen = cookies.get(LANGUAGE_COOKIE, "")
    languages = preferred_languages(headers.get("accept-language"))
    if chosen in UI_LANGUAGES:
        return [chosen, *[tag for tag in languages if tag != chosen]]
    return languages
