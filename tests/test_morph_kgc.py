"""Morph-KGC, a second RML engine, maps the unmodified mappings/ and sources/ to the same graph as clusterkg.

Morph-KGC runs from its own venv, tools/morph/.venv, made by `make morph-deps` (a prerequisite of
`make test`) from the pinned tools/morph/requirements.txt; this test never installs anything.
The one documented difference: Morph-KGC joins null keys (RML-Core: a null never joins), and
exactly those quads, computed by `morph.null_join_quads`, are subtracted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import morph  # noqa: E402

from clusterkg.namespaces import DEFAULT_BASE_IRI, graph_iri  # noqa: E402
from clusterkg.pipeline import map_sources  # noqa: E402
from clusterkg.settings import Settings  # noqa: E402

NOT_MAPPED = {graph_iri(DEFAULT_BASE_IRI, "ontology"), graph_iri(DEFAULT_BASE_IRI, "reference")}

pytestmark = pytest.mark.skipif(
    not morph.READY.is_file(),
    reason=f"Morph-KGC is not installed in {morph.VENV}: run `make morph-deps` (pip install of "
    "tools/morph/requirements.txt; needs PyPI once)",
)


def _graphs(nquads: str) -> dict[str, Graph]:
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    graphs: dict[str, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return graphs


@pytest.fixture(scope="module")
def build_output(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The lines the build's mapping stage (pipeline.map_sources) writes."""
    out = tmp_path_factory.mktemp("build") / "mapped.nq"
    map_sources(Settings.from_env({}, project_dir=REPO), out)
    return set(out.read_text(encoding="utf-8").splitlines(keepends=True))


@pytest.fixture(scope="module")
def morph_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    return morph.run(REPO, tmp_path_factory.mktemp("morph")).read_text(encoding="utf-8")


def test_morph_kgc_maps_the_unmodified_mappings_to_our_graph_but_for_its_null_joins(
    morph_output: str, build_output: set[str]
) -> None:
    ours = "".join(morph.clusterkg_quads(REPO))
    # `ours` is what the build maps: its output less the ontology and country reference it adds unmapped.
    added = build_output - set(ours.splitlines(keepends=True))
    assert set(ours.splitlines(keepends=True)) <= build_output
    assert added and all(line.rstrip().endswith(tuple(f"<{g}> ." for g in NOT_MAPPED)) for line in added)
    extras = morph.null_join_quads(REPO)
    theirs = "".join(line for line in morph_output.splitlines(keepends=True) if line not in extras)
    mine, other = _graphs(ours), _graphs(theirs)
    assert sorted(mine) == sorted(other), "the two engines wrote different named graphs"
    for name, graph in mine.items():
        if not isomorphic(graph, other[name]):
            _, only_ours, only_morph = graph_diff(graph, other[name])
            pytest.fail(f"{name}: {len(only_ours)} triples only in ours, {len(only_morph)} only in Morph-KGC")


def test_what_morph_kgc_adds_is_only_null_joins_and_all_of_them_are_in_its_output(morph_output: str) -> None:
    extras = morph.null_join_quads(REPO)
    lines = set(morph_output.splitlines(keepends=True))
    # The sources have organisations without a city and contacts without a person: Morph joins their nulls.
    assert extras, "no null joins found: the comparison would not test the subtraction"
    assert extras <= lines
    assert not extras & set(morph.clusterkg_quads(REPO))
