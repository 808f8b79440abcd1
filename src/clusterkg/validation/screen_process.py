"""The screen in a process of its own, reading the mapped N-Quads while the mapping writes them.

The screen is Python: in the build's process it could only start once the mapping is done (they
would share one interpreter lock). In a process of its own it reads the file as it grows, on the
core the engine's loaders leave free, and its verdicts are ready soon after the last line.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from ..rdf import Graph
from .compiled import compile_shapes
from .screen import Screen, screen_lines, screen_nquads

BLOCK = 1 << 20  # bytes read at a time
POLL = 0.05  # seconds to wait for more lines


class Screening:
    """A screen running in a child process over `nquads`, which the caller is writing.

    Call `written` once the file is complete, then `result`. If the child fails, `result` screens
    the file here instead, so a build never depends on the child, and `failure` says why.
    """

    def __init__(self, shapes: Graph, nquads: Path) -> None:
        self.shapes, self.nquads = shapes, nquads
        self.failure: str | None = None
        nquads.touch()  # the child opens it at once; the writer's truncation keeps the same file
        context = multiprocessing.get_context("spawn")  # no fork: the loaders' threads run here
        self.conn, child_conn = context.Pipe()
        self.child = context.Process(
            target=_screen_as_written, args=(shapes, str(nquads), child_conn), daemon=True
        )
        self.child.start()
        child_conn.close()

    def written(self) -> None:
        """The file is complete: the child reads up to its size and gives its verdicts."""
        with contextlib.suppress(OSError):
            self.conn.send(self.nquads.stat().st_size)

    def result(self) -> Screen:
        """The child's screen (waits for it), or the file screened here if the child failed."""
        try:
            while not self.conn.poll(POLL):
                if not self.child.is_alive() and not self.conn.poll(0):
                    raise EOFError("the screen's process ended without an answer")
            outcome = self.conn.recv()
        except (EOFError, OSError) as exc:
            outcome = str(exc)
        finally:
            self.close()
        if isinstance(outcome, Screen):
            return outcome
        self.failure = str(outcome)
        return screen_nquads(self.shapes, self.nquads)

    def close(self) -> None:
        """Stop the child (a no-op once it has answered)."""
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()
        self.conn.close()


@contextlib.contextmanager
def screening(shapes: Graph, nquads: Path) -> Iterator[Screening]:
    """A `Screening` for the `with` block; its process is stopped when the block ends."""
    run = Screening(shapes, nquads)
    try:
        yield run
    finally:
        if not run.conn.closed:
            run.close()


def _screen_as_written(shapes: Graph, nquads: str, conn: Connection) -> None:
    """The child: screen the lines as they are written, send the Screen (or the failure's text)."""
    try:
        start = time.process_time()
        compiled = compile_shapes(shapes)
        verdicts = screen_lines(compiled.checks, shapes, growing_lines(Path(nquads), conn))
        conn.send(Screen(compiled, verdicts, time.process_time() - start))
    except Exception as exc:  # any failure: the parent screens the file itself
        conn.send(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def growing_lines(path: Path, conn: Connection) -> Iterator[str]:
    """The lines of a file another process is writing, until the size it sends over `conn`."""
    size: int | None = None
    rest = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(BLOCK)
            if block:
                *whole, rest = (rest + block).split(b"\n")
                for line in whole:
                    yield line.decode("utf-8") + "\n"
            elif size is not None:
                if f.tell() < size:
                    raise OSError(f"{path} ended at byte {f.tell()} of {size}")
                break
            elif conn.poll(POLL):
                size = conn.recv()
    if rest:
        yield rest.decode("utf-8")
