"""Country geometry (clusterkg.geo) and the SVG maps and charts drawn from it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from clusterkg import geo
from clusterkg.errors import GeoDataError

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"


def test_packaged_outlines_are_the_natural_earth_files() -> None:
    for name in (geo.MAP_FILE, geo.DETAIL_FILE):
        source = STANDARDS / "geo" / name
        if source.exists():
            assert (geo.GEO_DIR / name).read_bytes() == source.read_bytes()
    assert (geo.GEO_DIR / "LICENSE-world-atlas.txt").exists()


def test_every_outline_gets_its_iso_alpha3_code() -> None:
    topology = json.loads((geo.GEO_DIR / geo.MAP_FILE).read_text(encoding="utf-8"))
    numbered = [g for g in topology["objects"]["countries"]["geometries"] if "id" in g]
    names = geo.country_names()
    assert names["DEU"] == "Germany" and names["USA"] == "United States of America"
    assert names["XKX"] == "Kosovo"
    # Every numbered outline has a code; the 110m file has 175 distinct countries with codes.
    assert len(geo.countries()) == len({g["id"] for g in numbered}) + 1
    with (geo.GEO_DIR / "iso-numeric.csv").open(encoding="utf-8") as f:
        table = {row["numeric"]: row["alpha3"] for row in csv.DictReader(f)}
    assert table["276"] == "DEU" and table["250"] == "FRA"


def test_bboxes_contain_known_places() -> None:
    west, south, east, north = geo.country_bbox("DEU")
    assert west < 13.4 < east and south < 52.5 < north  # Berlin
    assert 5.5 < west < 6.2 and 54.8 < north < 55.2  # Germany's westernmost and northernmost points
    # Small countries come from the 1:50m file: Malta and Singapore are not in 1:110m.
    assert not geo.has_country("MLT", geo.MAP_FILE) and geo.has_country("MLT")
    west, south, east, north = geo.country_bbox("SGP")
    assert west < 103.85 < east and south < 1.29 < north
    box = geo.countries_bbox(["PRT", "FIN"])
    assert box[0] < -9 and box[3] > 70
    with pytest.raises(GeoDataError, match="ZZZ"):
        geo.country_bbox("ZZZ")
    with pytest.raises(GeoDataError):
        geo.countries_bbox([])


def test_centroids_sit_in_the_mainland() -> None:
    lon, lat = geo.country_centroid("FRA")
    assert 1 < lon < 4 and 45 < lat < 48  # mainland France, not between it and its overseas parts
    lon, lat = geo.country_centroid("RUS")
    assert 80 < lon < 110 and 55 < lat < 70  # the polygon across 180° is unwrapped
    lon, lat = geo.country_centroid("USA")
    assert -105 < lon < -90 and 35 < lat < 45
    box = geo.country_bbox("FRA", largest_only=True)
    assert box[0] > -6 and box[1] > 41


def test_frame_projects_into_its_box() -> None:
    frame = geo.Frame((-180, -58, 180, 84), 800)
    x, y = frame.point(0, 0)
    assert x == pytest.approx(400) and 0 < y < frame.height
    assert frame.point(-180, 0)[0] == pytest.approx(0, abs=1e-6)
    assert frame.point(180, 0)[0] == pytest.approx(800)
    assert frame.point(13.4, 52.5)[1] < frame.point(13.4, 40)[1]  # north is up
    path = frame.path(geo.countries()["DEU"])
    assert path.startswith("M") and path.endswith("z")
