"""The release's catalog against the official DCAT-AP 3.0.1 shapes, and the committed release.

Shapes: dcat-ap-SHACL.ttl + ranges.ttl + mdr-vocabularies.shape.ttl (must give no violation)
and shapes_recommended.ttl (no warning). Data: the catalog plus the EU authority tables in
the standards folder and the ADMS SKOS tables (publisher and licence types); the language
table exists there only as Genericode, so its codes are read into SKOS here.

Results that cannot be met, each pinned exactly so anything new fails:
- mdr :ChecksumAlgorithmRestriction requires spdx:algorithm to match "^https://spdx.org/rdf/terms",
  but the SPDX namespace DCAT-AP itself uses is http://spdx.org/rdf/terms# (upstream defect):
  one violation per checksum.
- mdr dct:publisher must be in the EU corporate-body table (warning): the clusterkg publisher is
  not an EU institution.

Every country covered carries dcat:bbox and dcat:centroid (from the Natural Earth outlines), so
the recommended shapes give no warning at all. The shapes and tables are loaded as the MQA check
loads them (clusterkg.publish.mqa_tables).
"""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

import pytest
import rdflib
from publish_support import REPO, make_project, open_kg

from clusterkg import publish as releases
from clusterkg import validation
from clusterkg.publish.mqa_tables import (
    MANDATORY_SHAPES,
    RECOMMENDED_SHAPES,
    authority_tables,
    dcat_ap_shapes,
)
from clusterkg.settings import Settings

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#algorithm"
SHAPE_SETS = {"mandatory": MANDATORY_SHAPES, "recommended": RECOMMENDED_SHAPES}
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
WKT = rdflib.URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = make_project(tmp_path_factory.mktemp("dcat"))
    return releases.publish(settings, open_kg(settings)).folder / "catalog.ttl"


def _ours(report: validation.ValidationReport, subjects: set[str]) -> list[tuple[str, str, str, str]]:
    """(severity, focus, path, shape) of each result about a resource the catalog describes."""
    return sorted((r.severity, r.focus, r.path, r.shape) for r in report.results if r.focus in subjects)


def _allowed(result: tuple[str, str, str, str], shape_set: str) -> bool:
    severity, focus, path, _ = result
    if shape_set == "mandatory":
        upstream_spdx = severity == "Violation" and path == SPDX_ALGORITHM and focus.endswith("/sha256")
        not_eu_body = severity == "Warning" and path == "http://purl.org/dc/terms/publisher"
        return upstream_spdx or not_eu_body
    return False


@pytest.mark.parametrize("shape_set", sorted(SHAPE_SETS))
def test_catalog_passes_dcat_ap_3(catalog: Path, standards_dir: Path, shape_set: str) -> None:
    ours = rdflib.Graph().parse(catalog)
    data = ours + authority_tables(standards_dir)
    report = validation.validate_profile(data, dcat_ap_shapes(standards_dir, SHAPE_SETS[shape_set]))
    results = _ours(report, {str(s) for s in ours.subjects()})
    unexpected = [r for r in results if not _allowed(r, shape_set)]
    assert not unexpected, "\n".join(map(str, unexpected))
    if shape_set == "mandatory":  # the pinned upstream defect: exactly one per checksum
        assert sum(r[0] == "Violation" for r in results) == 4


def test_every_authority_code_used_is_in_its_table(catalog: Path, standards_dir: Path) -> None:
    tables = authority_tables(standards_dir)
    ours = rdflib.Graph().parse(catalog)
    prefix = "http://publications.europa.eu/resource/authority/"
    used = {o for o in ours.objects() if str(o).startswith(prefix) and str(o).count("/") == 6}
    missing = [
        str(o)
        for o in used
        if (o, rdflib.SKOS.inScheme, None) not in tables and "planned-availability" not in str(o)
    ]
    assert not missing


def test_every_country_covered_has_its_box_around_its_centroid(catalog: Path) -> None:
    ours = rdflib.Graph().parse(catalog)
    countries = set(ours.objects(None, rdflib.DCTERMS.spatial))
    assert countries
    for country in countries:
        box, point = ours.value(country, DCAT.bbox), ours.value(country, DCAT.centroid)
        assert isinstance(box, rdflib.Literal) and isinstance(point, rdflib.Literal), country
        assert box.datatype == WKT and point.datatype == WKT, country
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", str(box))]
        west, south, east, north = numbers[0], numbers[1], numbers[2], numbers[5]
        lon, lat = (float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", str(point)))
        assert west <= lon <= east and south <= lat <= north, (country, box, point)
    germany = rdflib.URIRef("http://publications.europa.eu/resource/authority/country/DEU")
    if germany in countries:  # Germany lies between 5.8 and 15.1 E, 47.2 and 55.1 N
        lon, lat = (float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", str(ours.value(germany, DCAT.centroid))))
        assert 9 < lon < 11.5 and 50 < lat < 52


def test_committed_release_equals_a_fresh_build(built_project: Path, tmp_path: Path) -> None:
    committed = REPO / "dumps"
    if not committed.is_dir():
        pytest.fail("dumps/ is not in the repository; run `clusterkg publish` and commit it")
    shutil.copytree(REPO / "catalog", built_project / "catalog", dirs_exist_ok=True)  # not in PROJECT_FOLDERS
    settings = Settings.from_env(environ={}, project_dir=built_project)
    fresh = releases.publish(settings, open_kg(settings), tmp_path / "dumps").folder
    names = sorted(p.name for p in fresh.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == names
    _, mismatch, errors = filecmp.cmpfiles(committed, fresh, names, shallow=False)
    assert not mismatch and not errors, f"stale in dumps/: {mismatch + errors}; run `clusterkg publish`"
