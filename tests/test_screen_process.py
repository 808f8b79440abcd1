"""The screen in its own process: it reads the mapped quads while they are written, and gives
the verdicts the screen gives over the finished file; a failed child leaves the build to the
screen in the build's own process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import REPO

from clusterkg import pipeline
from clusterkg.settings import Settings
from clusterkg.validation import load_shapes, screen_nquads, screening
from clusterkg.validation.screen import Screen


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("mapped") / "data.nq"
    pipeline.map_sources(Settings.from_env(environ={}, project_dir=REPO), out)
    return out.read_bytes()


def _same(a: Screen, b: Screen) -> None:
    assert a.compiled.checks == b.compiled.checks
    assert a.verdicts == b.verdicts
    assert a.cleared > 100 and a.narrowed >= 1  # our data: most checks cleared, some narrowed


def _write_slowly(path: Path, data: bytes, pieces: int = 7) -> None:
    """Write in uneven pieces that cut lines (and characters) in two, pausing between them."""
    step = len(data) // pieces + 13
    with open(path, "wb") as f:
        for start in range(0, len(data), step):
            f.write(data[start : start + step])
            f.flush()
            time.sleep(0.1)


def test_the_screen_reads_the_quads_as_they_are_written(mapped: bytes, tmp_path: Path) -> None:
    shapes = load_shapes(REPO / "shapes")
    nquads = tmp_path / "data.nq"
    with screening(shapes, nquads) as run:
        _write_slowly(nquads, mapped)
        run.written()
        screen = run.result()
    assert run.failure is None
    assert not run.child.is_alive()
    _same(screen, screen_nquads(shapes, nquads))


def test_a_failed_screen_process_leaves_the_screen_to_the_build(mapped: bytes, tmp_path: Path) -> None:
    shapes = load_shapes(REPO / "shapes")
    nquads = tmp_path / "data.nq"
    with screening(shapes, nquads) as run:
        nquads.write_bytes(mapped)
        run.conn.send(len(mapped) + 100)  # a size the file never reaches: the child gives up
        screen = run.result()
    assert run.failure is not None and f"of {len(mapped) + 100}" in run.failure
    _same(screen, screen_nquads(shapes, nquads))


def test_a_block_that_fails_stops_the_screen_process(tmp_path: Path) -> None:
    shapes = load_shapes(REPO / "shapes")
    with pytest.raises(RuntimeError), screening(shapes, tmp_path / "data.nq") as run:
        raise RuntimeError("the mapping failed")
    assert not run.child.is_alive() and run.conn.closed
