"""Country outlines from Natural Earth (TopoJSON in geodata/), keyed by ISO 3166 alpha-3.

Pure Python (json only). Maps draw the 1:110m outlines; bounding boxes and centroids use
1:50m, which also holds the small countries 1:110m leaves out (Malta, Singapore, ...).
Coordinates are (longitude, latitude) in degrees.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from .errors import GeoDataError

GEO_DIR = Path(__file__).with_name("geodata")
MAP_FILE = "countries-110m.json"
DETAIL_FILE = "countries-50m.json"
# Territories Natural Earth gives no numeric id; the EU authority table has a code for Kosovo.
UNNUMBERED = {"Kosovo": "XKX"}

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # outer ring first, then holes
BBox = tuple[float, float, float, float]  # west, south, east, north


def countries(file: str = MAP_FILE, geo_dir: Path = GEO_DIR) -> dict[str, list[Polygon]]:
    """Polygons of every country in `file`, keyed by alpha-3 code."""
    return _decoded(str(geo_dir / file), str(geo_dir / "iso-numeric.csv"))


def country_names(file: str = MAP_FILE, geo_dir: Path = GEO_DIR) -> dict[str, str]:
    """English short name (as Natural Earth writes it) of every country, keyed by alpha-3."""
    topology = _topology(str(geo_dir / file))
    alpha3 = _alpha3(str(geo_dir / "iso-numeric.csv"))
    names = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = _code(geometry, alpha3)
        if code:
            names[code] = geometry["properties"]["name"]
    return names


def country_bbox(code: str, geo_dir: Path = GEO_DIR, largest_only: bool = False) -> BBox:
    """(west, south, east, north) of a country, overseas parts included unless `largest_only`.

    A country that crosses 180° (Russia, the USA, Fiji) spans the whole range of longitudes.
    """
    polygons = _detail(code, geo_dir)
    if largest_only:
        polygons = [_largest(polygons)]
    return _bbox(point for polygon in polygons for point in polygon[0])


def countries_bbox(codes: Iterable[str], geo_dir: Path = GEO_DIR) -> BBox:
    """The smallest (west, south, east, north) box around all the given countries."""
    boxes = [country_bbox(code, geo_dir) for code in codes]
    if not boxes:
        raise GeoDataError("no countries given for a bounding box", hint="pass at least one alpha-3 code")
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def country_centroid(code: str, geo_dir: Path = GEO_DIR) -> Point:
    """(lon, lat) centroid of the country's largest polygon: mainland France, not its overseas parts."""
    outer = _unwrapped(_largest(_detail(code, geo_dir))[0])
    lon, lat = _ring_centroid(outer)
    return (lon - 360 if lon > 180 else lon), lat


def has_country(code: str, file: str = DETAIL_FILE, geo_dir: Path = GEO_DIR) -> bool:
    """Whether `file` has an outline for this alpha-3 code."""
    return code in countries(file, geo_dir)


def natural_earth(lon: float, lat: float) -> Point:
    """The Natural Earth I projection (Šavrič et al. 2015), x east and y north, in radians of the globe."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


class Frame:
    """Projects (lon, lat) into an SVG box of `width` pixels around the projected `bbox`."""

    def __init__(self, bbox: BBox, width: float, projection: Callable[[float, float], Point] = natural_earth):
        self.projection = projection
        west, south, east, north = bbox
        # x is widest where |lat| is smallest; y depends on lat alone.
        lats = (south, north, min(max(0.0, south), north))
        corners = [projection(lon, lat) for lon in (west, east) for lat in lats]
        self.x0 = min(x for x, _ in corners)
        self.y1 = max(y for _, y in corners)
        span_x = max(x for x, _ in corners) - self.x0
        span_y = self.y1 - min(y for _, y in corners)
        self.scale = width / span_x if span_x else 1.0
        self.width = width
        self.height = span_y * self.scale

    def point(self, lon: float, lat: float) -> Point:
        """SVG coordinates (y grows downward) of a geographic point."""
        x, y = self.projection(lon, lat)
        return (x - self.x0) * self.scale, (self.y1 - y) * self.scale

    def path(self, polygons: Iterable[Polygon], unit: float = 1.0) -> str:
        """Compact SVG path data: points rounded to `unit` pixels, relative moves, repeats dropped."""
        return "".join(self._ring(ring, unit) for polygon in polygons for ring in polygon)

    def _ring(self, ring: Ring, unit: float) -> str:
        kept: list[tuple[int, int]] = []
        for lon, lat in ring:
            x, y = self.point(lon, lat)
            snapped = (round(x / unit), round(y / unit))
            if not kept or snapped != kept[-1]:
                kept.append(snapped)
        if len(kept) < 3:
            return ""
        steps = " ".join(
            _num((x1 - x0) * unit) + "," + _num((y1 - y0) * unit) for (x0, y0), (x1, y1) in pairwise(kept)
        )
        return f"M{_num(kept[0][0] * unit)},{_num(kept[0][1] * unit)}l{steps}z"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _detail(code: str, geo_dir: Path) -> list[Polygon]:
    polygons = countries(DETAIL_FILE, geo_dir).get(code)
    if not polygons:
        raise GeoDataError(
            f"no outline for country code {code!r} in {geo_dir / DETAIL_FILE}",
            hint="pass an ISO 3166 alpha-3 code Natural Earth has (Kosovo is XKX)",
        )
    return polygons


@cache
def _topology(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            topology: dict[str, Any] = json.load(f)
    except (OSError, ValueError) as exc:
        raise GeoDataError(
            f"cannot read country outlines {path}: {exc}",
            hint="restore it with: python tools/make_geo_data.py",
        ) from exc
    return topology


@cache
def _alpha3(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as f:
            return {row["numeric"]: row["alpha3"] for row in csv.DictReader(f)}
    except (OSError, KeyError) as exc:
        raise GeoDataError(
            f"cannot read country codes {path}: {exc}", hint="restore it with: python tools/make_geo_data.py"
        ) from exc


def _code(geometry: dict[str, Any], alpha3: dict[str, str]) -> str:
    number = geometry.get("id")
    if number is None:
        return UNNUMBERED.get(geometry.get("properties", {}).get("name", ""), "")
    return alpha3.get(str(number).zfill(3), "")


@cache
def _decoded(path: str, codes_path: str) -> dict[str, list[Polygon]]:
    topology = _topology(path)
    alpha3 = _alpha3(codes_path)
    arcs = _arcs(topology)
    result: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = _code(geometry, alpha3)
        if not code:
            continue
        shapes = geometry.get("arcs", [])
        if geometry.get("type") == "Polygon":
            shapes = [shapes]
        elif geometry.get("type") != "MultiPolygon":
            continue
        result.setdefault(code, []).extend(
            [[_ring_points(ring, arcs) for ring in polygon] for polygon in shapes]
        )
    return result


def _arcs(topology: dict[str, Any]) -> list[Ring]:
    """Arcs in degrees: undo the quantisation's delta encoding and apply the transform."""
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = (transform["scale"], transform["translate"]) if transform else ((1, 1), (0, 0))
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            if transform:
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring_points(ring: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _largest(polygons: list[Polygon]) -> Polygon:
    return max(polygons, key=lambda polygon: abs(_area(_unwrapped(polygon[0]))))


def _unwrapped(ring: Ring) -> Ring:
    """The ring with western longitudes moved past 180° when it crosses the antimeridian."""
    lons = [lon for lon, _ in ring]
    if max(lons) - min(lons) <= 180:
        return ring
    return [(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring]


def _bbox(points: Iterable[Point]) -> BBox:
    lons, lats = zip(*points, strict=True)
    return min(lons), min(lats), max(lons), max(lats)


def _area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _ring_centroid(ring: Ring) -> Point:
    area = _area(ring)
    if not area:
        lon, lat = zip(*ring, strict=True)
        return sum(lon) / len(lon), sum(lat) / len(lat)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)
