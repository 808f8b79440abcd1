"""The build's side process: it checks the shapes, then routes and screens the mapped quads while
they are written, and the build it fills equals one loaded from the finished file; if it fails, the
build checks, routes and screens itself, with the same result."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import REPO

from clusterkg import pipeline, store
from clusterkg.errors import ShapesError
from clusterkg.namespaces import contacts_graph
from clusterkg.pipeline.side import SideProcess, side_process
from clusterkg.settings import Settings
from clusterkg.validation import Screen, load_shapes, screen_nquads

SETTINGS = Settings.from_env(environ={}, project_dir=REPO)
PRIVATE = [contacts_graph(SETTINGS.base_iri)]


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("mapped") / "data.nq"
    pipeline.map_sources(SETTINGS, out)
    return out.read_bytes()


def _write_slowly(path: Path, data: bytes, pieces: int = 7) -> None:
    """Write in uneven pieces that cut lines (and characters) in two, pausing between them."""
    step = len(data) // pieces + 13
    with open(path, "wb") as f:
        for start in range(0, len(data), step):
            f.write(data[start : start + step])
            f.flush()
            time.sleep(0.1)


def _quads(build: Path, private: bool) -> set[str]:
    loaded = store.open_read_only(build, private=private)
    return {str(q) for q in loaded}


def _same_build(tmp_path: Path, build: Path, nquads: Path) -> None:
    reference = store.new_build(tmp_path / "reference", nquads, PRIVATE)
    for private in (False, True):
        assert _quads(build, private) == _quads(reference, private)
    assert any(contacts_graph(SETTINGS.base_iri) in q for q in _quads(build, True))
    assert not any(contacts_graph(SETTINGS.base_iri) in q for q in _quads(build, False))


def _same_screen(screen: Screen, nquads: Path) -> None:
    here = screen_nquads(load_shapes(REPO / "shapes"), nquads)
    assert screen.compiled.checks == here.compiled.checks and screen.verdicts == here.verdicts
    assert screen.cleared > 100 and screen.narrowed >= 1  # our data: most cleared, some narrowed


def _side_build(tmp_path: Path, mapped: bytes, write: object) -> tuple[Path, SideProcess, Screen]:
    nquads = tmp_path / "data.nq"
    with (
        store.loading(tmp_path / "store") as build,
        side_process(build, load_shapes(REPO / "shapes"), nquads, PRIVATE) as side,
    ):
        write(side, nquads)  # type: ignore[operator]
        private, screen = side.result()
        build.finish(private)
    assert not side.child.is_alive() and side.conn.closed
    return build.folder, side, screen


def test_the_side_process_routes_and_screens_as_the_quads_are_written(mapped: bytes, tmp_path: Path) -> None:
    def write(side: SideProcess, nquads: Path) -> None:
        _write_slowly(nquads, mapped)
        side.written()

    folder, side, screen = _side_build(tmp_path, mapped, write)
    assert side.failure is None
    _same_build(tmp_path, folder, tmp_path / "data.nq")
    _same_screen(screen, tmp_path / "data.nq")


def test_a_failed_side_process_leaves_routing_and_screening_to_the_build(
    mapped: bytes, tmp_path: Path
) -> None:
    def write(side: SideProcess, nquads: Path) -> None:
        nquads.write_bytes(mapped)
        side.conn.send(len(mapped) + 100)  # a size the file never reaches: the child gives up

    folder, side, screen = _side_build(tmp_path, mapped, write)
    assert side.failure is not None and f"of {len(mapped) + 100}" in side.failure
    _same_build(tmp_path, folder, tmp_path / "data.nq")
    _same_screen(screen, tmp_path / "data.nq")


def test_a_block_that_fails_stops_the_side_process_and_removes_the_build(tmp_path: Path) -> None:
    shapes = load_shapes(REPO / "shapes")
    with (
        pytest.raises(RuntimeError),
        store.loading(tmp_path / "store") as build,
        side_process(build, shapes, tmp_path / "data.nq", PRIVATE) as side,
    ):
        raise RuntimeError("the mapping failed")
    assert not side.child.is_alive() and side.conn.closed
    assert not build.folder.exists()


def _broken_shapes(tmp_path: Path) -> tuple[Path, Path]:
    """The project's shapes with one sh:maxCount made negative, and the ontology."""
    folder = tmp_path / "shapes"
    shutil.copytree(REPO / "shapes", folder)
    main = folder / "clusterkg-shapes.ttl"
    text = main.read_text(encoding="utf-8")
    broken = text.replace(
        "sh:path ckg:managedBy ;\n        sh:maxCount 1 ;",
        "sh:path ckg:managedBy ;\n        sh:maxCount -1 ;",
    )
    assert broken != text
    main.write_text(broken, encoding="utf-8")
    return folder, REPO / "ontology"


@pytest.mark.parametrize("child", ["checks", "dies before its verdict"])
def test_broken_shapes_stop_the_mapping_and_the_build(tmp_path: Path, child: str) -> None:
    folders = _broken_shapes(tmp_path)
    shapes = load_shapes(folders[0], check=False)
    with (
        pytest.raises(ShapesError, match=r"ckgsh:ClusterShape > property ckg:managedBy.*maxCount -1"),
        store.loading(tmp_path / "store") as build,
        side_process(build, shapes, tmp_path / "data.nq", PRIVATE, folders) as side,
    ):
        if child == "checks":  # what the mapping calls as it goes raises once the verdict is in
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                side.check()
                time.sleep(0.05)
            pytest.fail("the side process sent no verdict on the shapes within 60 s")
        side.child.kill()  # the build checks the shapes itself
        side.written()
        side.result()
    assert not build.folder.exists()
