"""The build's side process: it checks the shapes, then reads the mapped N-Quads while the
mapping writes them, routes each line into the new build's load files and screens it.

Mapping, routing and the screen are Python, so in one process they would take turns under one
interpreter lock. Here the mapping only writes its file; the side process does the rest on the
other core and hands each full piece back, to load in the engine (`BuildLoader.load_piece`).
If it fails, the build checks the shapes, routes and screens the file itself: loading a piece
twice changes nothing, since a store is a set. Shapes that fail their check stop the mapping
(`check`) and the build.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from .. import store, validation
from ..errors import ClusterKGError
from ..rdf import Graph

BLOCK = 1 << 20  # bytes read at a time
POLL = 0.05  # seconds to wait for more lines


class SideProcess:
    """The shapes check (given `shape_folders`: the shapes and ontology folders), then routing and
    screening of `nquads`, which the caller is writing, in a child process.

    Its messages: ("shapes", None or the error) when it checked the shapes, ("piece", path) for
    each full piece, then ("done", private file, Screen) or ("failed", why). Call `check` while
    writing, `written` once the file is complete, then `result`.
    """

    def __init__(
        self,
        build: store.BuildLoader,
        shapes: Graph,
        nquads: Path,
        private_graphs: list[str],
        shape_folders: tuple[Path, Path] | None = None,
    ) -> None:
        self.build, self.shapes, self.nquads, self.private_graphs = build, shapes, nquads, private_graphs
        self.shape_folders = shape_folders
        self.failure: str | None = None
        self.answer: tuple[Path, validation.Screen] | None = None
        self.shapes_checked = shape_folders is None
        self.shapes_error: ClusterKGError | None = None
        nquads.touch()  # the child opens it at once; the writer's truncation keeps the same file
        context = multiprocessing.get_context("spawn")  # no fork: the loaders' threads run here
        self.conn, child_conn = context.Pipe()
        folder = build.pieces_folder("side")
        args = (shapes, shape_folders, str(nquads), str(folder), private_graphs, child_conn)
        self.child = context.Process(target=_route_and_screen, args=args, daemon=True)
        self.child.start()
        child_conn.close()
        self.listener = threading.Thread(target=self._listen, name="side-process", daemon=True)
        self.listener.start()

    def _listen(self) -> None:
        try:
            while (message := self.conn.recv())[0] in ("piece", "shapes"):
                if message[0] == "shapes":
                    self.shapes_error, self.shapes_checked = message[1], True
                else:
                    self.build.load_piece(Path(message[1]))
        except (EOFError, OSError) as exc:
            message = ("failed", f"the side process ended without an answer ({exc or type(exc).__name__})")
        if message[0] == "done":
            self.answer = (Path(message[1]), message[2])
        else:
            self.failure = str(message[1])

    def check(self) -> None:
        """Raise the shapes' error if the child found one (the mapping calls this as it goes)."""
        if self.shapes_error is not None:
            raise self.shapes_error

    def written(self) -> None:
        """The file is complete: the child reads up to its size, then answers."""
        try:
            self.conn.send(self.nquads.stat().st_size)
        except OSError:
            self.close()  # the child would wait for ever; the build reads the file itself

    def result(self) -> tuple[Path | None, validation.Screen]:
        """(the private lines' file, the screen), from the child; if it failed (see `failure`), the
        shapes checked, the file routed and screened here, and None for the private file (the
        build's router has it). Broken shapes raise their ShapesError."""
        self.listener.join()  # it ends with the child's answer, or when the child's end closes
        self.close()
        self.check()
        if not self.shapes_checked:
            assert self.shape_folders is not None
            validation.load_shapes(*self.shape_folders)
        if self.answer is not None:
            return self.answer
        self.build.route_file(self.nquads, self.private_graphs)
        return None, validation.screen_nquads(self.shapes, self.nquads)

    def close(self) -> None:
        """Stop the child (a no-op once it has answered) and the listener."""
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()
        self.listener.join()  # the child's end is closed: its recv ends
        self.conn.close()


@contextlib.contextmanager
def side_process(
    build: store.BuildLoader,
    shapes: Graph,
    nquads: Path,
    private_graphs: list[str],
    shape_folders: tuple[Path, Path] | None = None,
) -> Iterator[SideProcess]:
    """A `SideProcess` for the `with` block; the child is stopped when the block ends."""
    side = SideProcess(build, shapes, nquads, private_graphs, shape_folders)
    try:
        yield side
    finally:
        side.close()


def _route_and_screen(
    shapes: Graph,
    shape_folders: tuple[Path, Path] | None,
    nquads: str,
    folder: str,
    private_graphs: list[str],
    conn: Connection,
) -> None:
    """The child: check the shapes; route and screen the lines as they are written; send pieces,
    then the answer."""
    try:
        if shape_folders is not None:
            try:
                validation.load_shapes(*shape_folders)
            except ClusterKGError as exc:  # broken shapes: the build stops
                conn.send(("shapes", exc))
                return
            conn.send(("shapes", None))
        start = time.process_time()
        files = store.LoadFiles(
            Path(folder), private_graphs, store.LOAD_CHUNK, lambda piece: conn.send(("piece", str(piece)))
        )
        compiled = validation.compile_shapes(shapes)
        lines = _routed(growing_lines(Path(nquads), conn), files)
        verdicts = validation.screen_lines(compiled.checks, shapes, lines)
        for _ in lines:
            pass  # a screen that gave up early leaves lines to route
        files.close()
        screen = validation.Screen(compiled, verdicts, time.process_time() - start)
        conn.send(("done", str(files.private), screen))
    except Exception as exc:  # any failure: the build routes and screens the file itself
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _routed(lines: Iterator[bytes], files: store.LoadFiles) -> Iterator[str]:
    for line in lines:
        files.write(line)
        yield line.decode("utf-8")


def growing_lines(path: Path, conn: Connection) -> Iterator[bytes]:
    """The lines of a file another process is writing, until the size it sends over `conn`."""
    size: int | None = None
    rest = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(BLOCK)
            if block:
                *whole, rest = (rest + block).split(b"\n")
                for line in whole:
                    yield line + b"\n"
            elif size is not None:
                if f.tell() < size:
                    raise OSError(f"{path} ended at byte {f.tell()} of {size}")
                break
            elif conn.poll(POLL):
                size = conn.recv()
    if rest:
        yield rest
