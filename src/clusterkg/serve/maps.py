"""Offline inline SVG: a map of target countries shaded per phase, and a bar chart.

No scripts and no remote loads: the outlines come from clusterkg.geo, the colours from
static/style.css (classes `shade-…`), so the CSP's ban on inline styles holds. Each map has a
title for screen readers, a legend, and a tooltip (SVG <title>) per shaded country. Countries a
targeted region includes are hatched: the pattern is the map's own (an id per map), named by a
presentation attribute, which the CSP allows (it forbids only style attributes and elements).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import geo
from .html import esc
from .i18n import say

# Shading of a country on a map, from the phases its targets name; order is the legend's. "region":
# included in a targeted region, not targeted itself; "here": the country a country page is about.
SHADES = ("concept", "implementation", "both", "unphased", "region", "here")
HATCHED = "region"
WORLD: geo.BBox = (-180.0, -58.0, 180.0, 84.0)  # Antarctica left out
MAP_WIDTH = 800
MIN_SPAN = (70.0, 35.0)  # smallest window (lon, lat degrees) a regional map shows


def shade_of(phases: Iterable[str]) -> str:
    """The shade for a country targeted in these phases ("concept", "implementation", or "" for none)."""
    named = {p for p in phases if p in ("concept", "implementation")}
    if len(named) == 2:
        return "both"
    return named.pop() if named else "unphased"


@dataclass(frozen=True)
class Shaded:
    """A country on the map: its shade, the tooltip text (name and phases) and the page it links to
    (none: not a link)."""

    shade: str
    tooltip: str
    href: str = ""


def target_map(
    countries: Mapping[str, Shaded],
    lang: str,
    title: str,
    *,
    world: bool = False,
    ident: str = "map",
    css: str = "",
    shade_names: Mapping[str, str] | None = None,
) -> str:
    """A <figure> with the SVG map (the targeted countries shaded, each a link to its page where it
    has one) and its legend; `ident` is the id of its title, unique on the page; `css` more
    classes of the figure; `shade_names` what the legend calls a shade where not the usual. With
    links the map is a group, not an image, for screen readers."""
    if not countries:
        return ""
    frame = geo.Frame(WORLD if world else _window(countries), MAP_WIDTH)
    outlines = {code: _unsplit(polygons) for code, polygons in geo.countries().items()}
    hatch = f"{ident}-hatch"
    background, shaded = [], []
    for code, polygons in sorted(outlines.items()):
        if code in countries:
            shaded.append(_country(code, polygons, countries[code], frame, hatch))
        elif _visible(polygons, frame):
            background.append(frame.path(polygons))
    land = [f'<path class="land" d="{"".join(background)}"/>', *shaded]
    markers = [
        _marker(code, shaded, frame) for code, shaded in sorted(countries.items()) if code not in outlines
    ]
    hatched = any(c.shade == HATCHED for c in countries.values())
    role = "group" if any(c.href for c in countries.values()) else "img"
    svg = (
        f'<svg class="map-svg" viewBox="0 0 {frame.width:.0f} {frame.height:.0f}" role="{role}" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}">{esc(title)}</title>{_hatch_pattern(hatch) if hatched else ""}'
        '<rect class="sea" width="100%" height="100%"/>'
        f"{''.join(land)}{''.join(m for m in markers if m)}</svg>"
    )
    classes = esc(" ".join(["map", *css.split()]))
    return f'<figure class="{classes}">{svg}{legend(countries.values(), lang, hatch, shade_names)}</figure>'


def _hatch_pattern(ident: str) -> str:
    """Diagonal stripes for the countries a targeted region includes (colours in style.css)."""
    return (
        f'<defs><pattern id="{esc(ident)}" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect class="hatch-ground" width="5" height="5"/>'
        '<rect class="hatch-stripe" width="2" height="5"/></pattern></defs>'
    )


def _fill(shade: str, hatch: str) -> str:
    """The hatched shade names its pattern by attribute; the others are coloured by class."""
    return f' fill="url(#{esc(hatch)})"' if shade == HATCHED else ""


def legend(
    countries: Iterable[Shaded], lang: str, hatch: str = "map-hatch", names: Mapping[str, str] | None = None
) -> str:
    """The legend: one swatch per shade the map uses; `hatch` is the id of the map's pattern."""
    used = {c.shade for c in countries}
    names = names or {}
    items = "".join(
        f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class="shade-{shade}" '
        f'width="10" height="10"{_fill(shade, hatch)}/></svg>'
        f"{esc(names.get(shade) or say(lang, 'map.shade.' + shade))}</li>"
        for shade in SHADES
        if shade in used
    )
    return f'<figcaption><ul class="legend">{items}</ul></figcaption>'


def _window(countries: Mapping[str, Shaded]) -> geo.BBox:
    """The targeted countries' mainlands, padded, at least MIN_SPAN wide, inside the world."""
    boxes = []
    for code in countries:
        try:
            boxes.append(geo.country_bbox(code, largest_only=True))
        except geo.GeoDataError:
            continue  # a code without an outline has no place on the map
    if not boxes:
        return WORLD
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad_x = max((MIN_SPAN[0] - (east - west)) / 2, (east - west) * 0.08)
    pad_y = max((MIN_SPAN[1] - (north - south)) / 2, (north - south) * 0.08)
    return (
        max(WORLD[0], west - pad_x),
        max(WORLD[1], south - pad_y),
        min(WORLD[2], east + pad_x),
        min(WORLD[3], north + pad_y),
    )


def _unsplit(polygons: list[geo.Polygon]) -> list[geo.Polygon]:
    """Rings that cross 180° (Fiji) on one side of it: drawn as they are, a sliver spans the map."""
    return [[_one_side(ring) for ring in polygon] for polygon in polygons]


def _one_side(ring: geo.Ring) -> geo.Ring:
    lons = [lon for lon, _ in ring]
    if max(lons) - min(lons) <= 180:
        return ring
    east = sum(lons) / len(lons) > 0
    return [
        (lon + 360 if east and lon < 0 else lon - 360 if not east and lon > 0 else lon, lat)
        for lon, lat in ring
    ]


def _visible(polygons: list[geo.Polygon], frame: geo.Frame) -> bool:
    for polygon in polygons:
        xs, ys = zip(*(frame.point(lon, lat) for lon, lat in polygon[0]), strict=True)
        if max(xs) >= 0 and min(xs) <= frame.width and max(ys) >= 0 and min(ys) <= frame.height:
            return True
    return False


def _country(code: str, polygons: list[geo.Polygon], shaded: Shaded, frame: geo.Frame, hatch: str) -> str:
    return _linked(
        f'<path class="land shade-{shaded.shade}" data-country="{esc(code)}"{_fill(shaded.shade, hatch)} '
        f'd="{frame.path(polygons)}">'
        f"<title>{esc(shaded.tooltip)}</title></path>",
        shaded,
    )


def _linked(shape: str, shaded: Shaded) -> str:
    return f'<a href="{esc(shaded.href)}">{shape}</a>' if shaded.href else shape


def _marker(code: str, shaded: Shaded, frame: geo.Frame) -> str:
    """A dot for a targeted country too small for the 1:110m outlines (Singapore, Malta)."""
    try:
        lon, lat = geo.country_centroid(code)
    except geo.GeoDataError:
        return ""
    x, y = frame.point(lon, lat)
    if not (0 <= x <= frame.width and 0 <= y <= frame.height):
        return ""
    return _linked(
        f'<circle class="marker shade-{shaded.shade}" data-country="{esc(code)}" cx="{x:.1f}" '
        f'cy="{y:.1f}" r="4"><title>{esc(shaded.tooltip)}</title></circle>',
        shaded,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, the page it links to, and its value."""

    label: str
    href: str
    value: int


def bar_chart(bars: list[Bar], title: str, value_text: str = "{value}", ident: str = "chart") -> str:
    """A horizontal bar chart as inline SVG, each bar a link (so a group, not an image, for screen
    readers); `value_text` formats the number."""
    if not bars:
        return ""
    top = max(bar.value for bar in bars) or 1
    row, label_width, width = 22, 150, 420
    rows = []
    for i, bar in enumerate(bars):
        y = i * row
        length = max(1.0, (width - label_width - 40) * bar.value / top)
        rows.append(
            f'<a href="{esc(bar.href)}"><g class="bar"><title>{esc(bar.label)}: '
            f"{esc(value_text.format(value=bar.value))}</title>"
            f'<text class="bar-label" x="{label_width - 6}" y="{y + 15}">{esc(_clip(bar.label))}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}"/>'
            f'<text class="bar-value" x="{label_width + length + 4:.1f}" y="{y + 15}">{bar.value}</text>'
            "</g></a>"
        )
    return (
        f'<figure class="chart"><svg class="chart-svg" viewBox="0 0 {width} {row * len(bars)}" role="group" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}">{esc(title)}</title>'
        f"{''.join(rows)}</svg></figure>"
    )


def _clip(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
