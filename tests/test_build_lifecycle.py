"""Build lifecycle: the store lock, leases that protect served builds, and what pruning may delete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project

from clusterkg import store
from clusterkg.cli import main
from clusterkg.errors import BuildLocked
from clusterkg.store import builds

PYTHON = str(Path(sys.executable))
NQUADS = '<urn:s> <urn:p> "o" <https://w3id.org/clusterkg/graph/doc1> .\n'

HOLD_LOCK = """
import sys, time
from pathlib import Path
from clusterkg.store.builds import store_lock
with store_lock(Path(sys.argv[1]), "build"):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "store"


def tiny_build(store_path: Path) -> Path:
    """A fresh, real build of one quad (not yet active)."""
    source = store_path.parent.parent / "data.nq"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(NQUADS, encoding="utf-8")
    return store.new_build(store_path, source)


def dead_pid() -> int:
    """The pid of a process that has finished (and been reaped)."""
    done = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(done.stdout)


def test_second_lock_while_held_is_refused(store_path: Path) -> None:
    with store.store_lock(store_path):
        with pytest.raises(BuildLocked) as caught, store.store_lock(store_path):
            pass
        assert f"another build is running (pid {os.getpid()})" in str(caught.value)
        assert caught.value.exit_code == 2
    with store.store_lock(store_path, "publish"):  # released on exit: free again
        refused = pytest.raises(BuildLocked, match=f"another publish is running \\(pid {os.getpid()}\\)")
        with refused, store.store_lock(store_path):
            pass


def test_lock_of_a_killed_run_is_taken_over(store_path: Path) -> None:
    command = [PYTHON, "-c", HOLD_LOCK, str(store_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            refused = pytest.raises(BuildLocked, match=f"another build is running \\(pid {holder.pid}\\)")
            with refused, store.store_lock(store_path):
                pass
        finally:
            holder.send_signal(signal.SIGKILL)  # no cleanup runs: the lock file still names it
            holder.wait()
    assert builds.lock_path(store_path).read_text(encoding="utf-8").split() == [str(holder.pid), "build"]
    assert builds.lock_path(store_path).exists()  # the lock file stays; only the kernel lock went
    with store.store_lock(store_path, "build"):
        lines = builds.lock_path(store_path).read_text(encoding="utf-8").split()
        assert lines == [str(os.getpid()), "build"]


def test_prune_deletes_the_oldest_without_a_lease(store_path: Path) -> None:
    made = [tiny_build(store_path)]
    store.activate(store_path, made[0], keep=1)
    for _ in range(2):
        made.append(tiny_build(store_path))
        store.activate(store_path, made[-1], keep=1)
    assert not made[0].exists()
    assert made[1].is_dir() and made[2].is_dir()  # the rollback and the current build
    assert store_path.resolve() == made[2].resolve()


def test_live_lease_protects_a_build_from_pruning(store_path: Path) -> None:
    first = tiny_build(store_path)
    store.activate(store_path, first, keep=1)
    with store.hold(store_path) as lease:  # a server holds what the link points at
        assert lease.path.parent == first.resolve() / builds.LEASES
        for _ in range(3):
            store.activate(store_path, tiny_build(store_path), keep=1)
        assert store.builds.part(first).is_dir()
    assert not lease.path.exists()
    lease.release()  # again: harmless
    store.activate(store_path, tiny_build(store_path), keep=1)
    assert not first.exists()  # released, so the next prune takes it


def test_lease_of_a_dead_process_does_not_protect(store_path: Path) -> None:
    first = tiny_build(store_path)
    store.activate(store_path, first, keep=1)
    stale = first / builds.LEASES / f"{dead_pid()}-abcdef"
    stale.parent.mkdir()
    stale.write_text("0\n", encoding="utf-8")
    assert not builds.is_leased(first)
    assert not stale.exists()  # the stale lease was cleared away
    stale.write_text("0\n", encoding="utf-8")
    store.activate(store_path, tiny_build(store_path), keep=1)
    store.activate(store_path, tiny_build(store_path), keep=1)
    assert not first.exists()


def test_staging_folders_of_other_runs_survive_activate(store_path: Path) -> None:
    staging = store.builds_dir(store_path) / ".staging-123"
    staging.mkdir(parents=True)
    (staging / "data.nq").write_text(NQUADS, encoding="utf-8")
    for _ in range(3):
        store.activate(store_path, tiny_build(store_path), keep=1)
    assert (staging / "data.nq").read_text(encoding="utf-8") == NQUADS


def test_cli_build_is_refused_while_another_build_holds_the_lock(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    store_path = (tmp_path / "elsewhere" / "store").absolute()
    with store.store_lock(store_path, "build"):
        result = CliRunner().invoke(
            main, ["--project-dir", str(project), "build", "--store", str(store_path)]
        )
    assert result.exit_code == 2, result.output
    assert f"another build is running (pid {os.getpid()})" in result.output
    assert not store.builds_dir(store_path).exists()  # refused before anything was staged


@pytest.mark.parametrize(
    ("line", "triple"),
    [
        (b"<urn:s> <urn:p> <urn:o> <urn:g> .\n", b"<urn:s> <urn:p> <urn:o> .\n"),
        (b'<urn:s> <urn:p> "a b <urn:x> c" <urn:g> .\n', b'<urn:s> <urn:p> "a b <urn:x> c" .\n'),
        (b'<urn:s> <urn:p> "say \\"hi\\""@en-GB <urn:g> .\n', b'<urn:s> <urn:p> "say \\"hi\\""@en-GB .\n'),
        (b'<urn:s> <urn:p> "5"^^<urn:int> <urn:g> .\n', b'<urn:s> <urn:p> "5"^^<urn:int> .\n'),
        (b"_:b1 <urn:p> _:b2 <urn:g> .\n", b"_:b1 <urn:p> _:b2 .\n"),
        (b"<urn:s>\t<urn:p>  <urn:o>   <urn:g> .\n", b"<urn:s> <urn:p> <urn:o> .\n"),  # hand-written
        (b"<urn:s>  <urn:p> <urn:o> <urn:g>  .\n", b"<urn:s> <urn:p> <urn:o> .\n"),
        (b'<urn:s> <urn:p> "a"  <urn:g> .\n', b'<urn:s> <urn:p> "a" .\n'),
        (b"<urn:s> <urn:p> <urn:o> <urn:g> .", b"<urn:s> <urn:p> <urn:o> .\n"),  # the last line
        (b"<urn:s> <urn:p> <urn:o> .\n", None),  # already in the default graph
        (b'<urn:s> <urn:p> "5"^^<urn:int> .\n', None),
        (b'<urn:s> <urn:p> "a b"@en .\n', None),
        (b"\n", None),
    ],
)
def test_each_quad_gets_its_default_graph_triple(line: bytes, triple: bytes | None) -> None:
    assert store.builds.triple_of(line) == triple


@pytest.mark.parametrize(
    "line",
    [
        b'<urn:jane> <urn:name> "Jane" <urn:contacts> .\n',
        b"<urn:jane> <urn:knows> <urn:joe>\t<urn:contacts> .\n",
        b"<urn:jane> <urn:knows> <urn:joe> <urn:contacts>  .\n",
        b"<urn:jane> <urn:knows> <urn:joe> <urn:contacts> .",
    ],
)
def test_a_private_line_goes_to_the_private_file_however_it_is_spaced(tmp_path: Path, line: bytes) -> None:
    files = store.LoadFiles(tmp_path, ["urn:contacts"], 10, lambda piece: None)
    files.write(line)
    files.write(b"<urn:s> <urn:p> <urn:o> <urn:public> .\n")
    files.close()
    assert files.private.read_bytes().startswith(line)
    assert b"jane" not in b"".join(piece.read_bytes() for piece in tmp_path.glob("public-*"))


def test_the_default_graph_is_the_merge_of_the_public_graphs_only(tmp_path: Path) -> None:
    source = tmp_path / "data.nq"
    source.write_text(
        "<urn:s> <urn:p> <urn:o> <https://w3id.org/clusterkg/graph/doc1> .\n"
        "<urn:s> <urn:p> <urn:o> <https://w3id.org/clusterkg/graph/doc2> .\n"
        '<urn:jane> <urn:name> "Jane" <https://w3id.org/clusterkg/graph/contacts> .\n',
        encoding="utf-8",
    )
    link = tmp_path / "var" / "store"
    store.activate(link, store.new_build(link, source, ["https://w3id.org/clusterkg/graph/contacts"]))
    kg = store.KnowledgeStore(link)
    assert kg.triples() == 1  # stated twice, merged once
    assert kg.triples(include_private=True) == 2
    assert kg.graph_names() == [f"https://w3id.org/clusterkg/graph/doc{n}" for n in (1, 2)]
    assert b"Jane" not in b"".join(
        p.read_bytes() for p in (link.resolve() / "public").rglob("*") if p.is_file()
    )


def test_a_build_loaded_in_pieces_holds_every_quad_and_the_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.builds, "LOAD_CHUNK", 2)  # ten pieces: five of quads, five of triples
    graphs = [f"https://w3id.org/clusterkg/graph/doc{n}" for n in (1, 2)]
    lines = [f"<urn:s{i}> <urn:p> <urn:o{i % 3}> <{graphs[i % 2]}> .\n" for i in range(9)]
    lines.append(f"<urn:s0> <urn:p> <urn:o0> <{graphs[1]}> .\n")  # s0 p o0 stated in both graphs
    lines.append('<urn:jane> <urn:name> "Jane" <https://w3id.org/clusterkg/graph/contacts> .\n')
    source = tmp_path / "data.nq"
    source.write_text("".join(lines), encoding="utf-8")
    link = tmp_path / "var" / "store"
    build = store.new_build(link, source, ["https://w3id.org/clusterkg/graph/contacts"])
    store.activate(link, build)
    kg = store.KnowledgeStore(link)
    assert kg.triples() == 9 and kg.triples(include_private=True) == 10
    assert dict(kg.graph_counts(include_private=False)) == {graphs[0]: 5, graphs[1]: 5}
    assert not (build / "load").exists()  # the pieces are gone
