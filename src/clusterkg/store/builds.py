"""Build folders: load a build, swap it in atomically, keep the rollback, prune the rest.

A store path (the `store` setting) is a symbolic link to one build folder in
`<store>.builds/`. Each build holds two Oxigraph stores:

- `public/`: every public named graph, plus the default graph, which is the RDF merge of
  those graphs (each triple once, however many documents state it). Anonymous queries run on
  this store's real default graph, so personal data cannot be reached: it is not there.
- `private/`: the public store plus the private graphs (contacts), again with the merge of all
  of them as the default graph, for authorised callers and for the validation gate.

Builds and publishes of one store are serialised by `store_lock`; a server serving a build
`hold`s it with a lease, so that pruning never deletes a build still in use.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ..errors import BuildLocked, StoreError

PUBLIC, PRIVATE = "public", "private"
LEASES = ".leases"


def builds_dir(store_path: Path) -> Path:
    """Folder that holds every build of the store at `store_path`."""
    return store_path.with_name(store_path.name + ".builds")


def part(build: Path, private: bool = False) -> Path:
    """The public or private Oxigraph store inside a build folder."""
    return build / (PRIVATE if private else PUBLIC)


# Lines per bulk load, and loads at once. Oxigraph's bulk loader sorts each piece in memory on one
# thread (about 1 KB a quad). Pieces of 250k lines, two at a time, load the 1M synthetic project
# twice as fast as pieces of 1M one at a time, at half the memory (0.5 against 0.9 GB at 10M);
# the optimize() that then merges the pieces costs 3.5 s at 1M and 38 s at 10M (0.2 s and 34 s).
LOAD_CHUNK = 250_000
LOADERS = 2


class LoadFiles:
    """N-Quads lines routed into the files the two stores load, in `folder`.

    The public files hold the public quads and, apart, their triples (each line without its
    graph), so that loading them all fills the named graphs and their merge, the default graph;
    each holds at most `chunk` lines and is handed to `ready` once complete (the loads are
    independent: a store is a set). The private file holds each private quad followed by its
    triple.
    """

    def __init__(
        self, folder: Path, private_graphs: Iterable[str], chunk: int, ready: Callable[[Path], object]
    ) -> None:
        self.ends = tuple(f"<{g}>".encode() for g in private_graphs)
        self.private_suffixes = tuple(b" " + end + b" .\n" for end in self.ends)
        self.quads = _Pieces(folder, "public-quads", chunk, ready)
        self.triples = _Pieces(folder, "public-triples", chunk, ready)
        self.private = folder / "private.nq"
        self._private: BinaryIO = open(self.private, "wb")  # noqa: SIM115 - closed in close()

    def write(self, line: bytes) -> None:
        triple = triple_of(line)
        if self.ends and self._private_line(line):
            self._private.write(line + triple if triple is not None else line)
            return
        self.quads.write(line)
        if triple is not None:
            self.triples.write(triple)

    def _private_line(self, line: bytes) -> bool:
        """True when the line is in one of the private graphs."""
        if line.endswith(b"> .\n") and b"\t" not in line:  # as our engine writes it: one suffix test
            return line.endswith(self.private_suffixes)
        text = line.rstrip()
        return text.endswith(b".") and text[:-1].rstrip().endswith(self.ends)

    def close(self) -> None:
        try:
            self.quads.close()
            self.triples.close()
        finally:
            self._private.close()


class _Pieces:
    """Lines written to numbered files of at most `chunk` lines each; `ready` gets each full file."""

    def __init__(self, folder: Path, stem: str, chunk: int, ready: Callable[[Path], object]) -> None:
        self.folder, self.stem, self.chunk, self.ready = folder, stem, max(chunk, 1), ready
        self.paths: list[Path] = []
        self.lines = 0
        self.out: BinaryIO | None = None

    def write(self, line: bytes) -> None:
        if self.out is None or self.lines >= self.chunk:
            self.close()
            self.paths.append(self.folder / f"{self.stem}-{len(self.paths):04d}.nq")
            self.out, self.lines = open(self.paths[-1], "wb"), 0  # noqa: SIM115 - closed in close()
        self.out.write(line)
        self.lines += 1

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
            self.ready(self.paths[-1])


def triple_of(line: bytes) -> bytes | None:
    """The default-graph triple of an N-Quads line in a named graph; None for a triple or a blank line."""
    if not line.endswith(b" .\n") or b"\t" in line or line.startswith(b"#"):
        return _parsed_triple(line) if line.strip() else None  # not written by our engine
    quote = line.rfind(b'"')  # a literal's last quote: no IRI, blank node or language tag has one
    if quote >= 0:  # after it, the literal's datatype or language (no spaces), then the graph, if any
        cut = line.find(b" ", quote, len(line) - 3)
        return None if cut < 0 else line[:cut] + b" .\n"
    spaces = line.count(b" ")  # no literal: no term holds a space, so a graph is a fourth term
    if spaces == 4:
        return line[: line.rindex(b" ", 0, len(line) - 3)] + b" .\n"
    return None if spaces == 3 else _parsed_triple(line)


def _parsed_triple(line: bytes) -> bytes | None:
    try:
        quads = list(ox.parse(line, format=ox.RdfFormat.N_QUADS))
    except SyntaxError:
        return None  # the bulk load reports it, with its position
    if not quads or isinstance(quads[0].graph_name, ox.DefaultGraph):
        return None
    return ox.serialize([quads[0].triple], format=ox.RdfFormat.N_TRIPLES) or None


def new_build(store_path: Path, nquads: Path, private_graphs: Iterable[str] = ()) -> Path:
    """Load an N-Quads file into a fresh build folder (public and private store); nothing live changes."""
    with loading(store_path) as build:
        build.route_file(nquads, private_graphs)
        build.finish()
    return build.folder


class BuildLoader:
    """A fresh build folder filled from N-Quads lines as they come.

    Lines are routed into the public store's pieces and the private file (`LoadFiles`), here
    (`route_file`) or by another process into `pieces_folder` (each full piece handed to
    `load_piece`). Each full piece loads in the engine, without the GIL, while the next lines are
    routed, `LOADERS` pieces at a time so that memory stays at their worth. `finish` loads the rest,
    compacts the public store, copies it to the private one (hard links) and adds the private lines.
    """

    def __init__(self, store_path: Path) -> None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
        self.folder = builds_dir(store_path) / f"build-{stamp}-{os.getpid()}"
        self.folder.mkdir(parents=True, exist_ok=False)
        self.staging = self.folder / "load"
        try:
            self.staging.mkdir()
            self.public: ox.Store | None = ox.Store(str(part(self.folder)))
        except OSError as exc:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise _load_failed(exc, self.folder) from exc
        self.loader = ThreadPoolExecutor(max_workers=LOADERS, thread_name_prefix="bulk-load")
        self.loads: list[Future[None]] = []
        self.files: LoadFiles | None = None

    def pieces_folder(self, name: str) -> Path:
        """A new folder for one router's pieces (two routers' pieces never share a name)."""
        folder = self.staging / name
        folder.mkdir()
        return folder

    def load_piece(self, piece: Path) -> None:
        """Start loading one full piece of public lines (a store is a set: a triple loaded twice,
        by two pieces or two routers, is there once)."""
        self.loads.append(self.loader.submit(self._load, piece))

    def _load(self, piece: Path) -> None:
        assert self.public is not None
        self.public.bulk_load(path=str(piece), format=ox.RdfFormat.N_QUADS)
        piece.unlink()

    def route_file(self, nquads: Path, private_graphs: Iterable[str]) -> None:
        """Route every line of an N-Quads file here (its private file is the one `finish` loads)."""
        self.files = files = LoadFiles(
            self.pieces_folder("here"), private_graphs, LOAD_CHUNK, self.load_piece
        )
        with open(nquads, "rb") as lines:
            for line in lines:
                files.write(line)

    def finish(self, private: Path | None = None) -> None:
        """Load what is left and write the private store with the private lines (of the router
        here, or the file `private` another router wrote)."""
        if self.files is not None:
            self.files.close()
            private = self.files.private
        try:
            for done in self.loads:
                done.result()  # the first failure, if any
        finally:
            self.loader.shutdown(wait=True, cancel_futures=True)
        public, self.public = self.public, None  # closed when this ends: the gate opens it again
        assert public is not None
        public.flush()
        # Compacting the pieces costs a few seconds and makes the gate's queries about a third faster.
        public.optimize()
        public.backup(str(part(self.folder, private=True)))
        del public
        private_store = ox.Store(str(part(self.folder, private=True)))
        if private is not None:
            private_store.bulk_load(path=str(private), format=ox.RdfFormat.N_QUADS)
        private_store.flush()
        del private_store
        shutil.rmtree(self.staging)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            if self.files is not None:
                self.files.close()
        self.loader.shutdown(wait=True, cancel_futures=True)
        self.public = None
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def loading(store_path: Path) -> Iterator[BuildLoader]:
    """A `BuildLoader` for the `with` block (which calls `finish`); on any failure in the block the
    new folder is removed (a full disk or a line that does not parse becomes a StoreError)."""
    build = BuildLoader(store_path)
    try:
        yield build
    except OSError as exc:
        build.discard()
        raise _load_failed(exc, build.folder) from exc
    except SyntaxError as exc:
        build.discard()
        raise StoreError(
            f"the mapped quads do not parse as N-Quads: {exc}", hint="fix the data that produced it"
        ) from exc
    except BaseException:
        build.discard()
        raise


def _load_failed(exc: OSError, folder: Path) -> StoreError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in str(exc)
    return StoreError(
        f"loading {exc.filename or 'the mapped quads'} into {folder} failed: "
        f"{'the disk is full' if full else exc}",
        hint="free disk space and build again; the current store was not changed",
    )


def discard_build(build: Path) -> None:
    """Remove a build that will not be activated."""
    shutil.rmtree(build, ignore_errors=True)


def activate(store_path: Path, build: Path, keep: int = 2) -> Path | None:
    """Point `store_path` at `build` atomically; return the previous build (the rollback)."""
    previous = store_path.resolve() if store_path.is_symlink() else None
    if store_path.exists() and not store_path.is_symlink():
        previous = builds_dir(store_path) / f"adopted-{build.name}"
        store_path.rename(previous)  # an old plain folder becomes a build
    link = store_path.with_name(f".{store_path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build, store_path.parent))
    os.replace(link, store_path)
    _prune(store_path, keep={build.resolve(), *([previous] if previous else [])}, count=keep)
    return previous


def _prune(store_path: Path, keep: set[Path], count: int) -> None:
    """Delete old builds beyond `count`; never a leased build, never another run's staging folder."""
    # Only finished builds are candidates: `.staging-*` and anything else belong to other runs.
    builds = [p for p in builds_dir(store_path).iterdir() if p.name.startswith(("build-", "adopted-"))]
    builds.sort(key=_built_at, reverse=True)
    # A leased build is kept on top of `count`, so serving an old build never costs a rollback.
    spare = [b for b in builds if b.resolve() not in keep and not is_leased(b)]
    for build in spare[max(count - len(keep), 0) :]:
        shutil.rmtree(build, ignore_errors=True)


def _built_at(build: Path) -> float:
    """When a build was loaded: its public store's mtime, which leases (in the build folder) leave alone."""
    public = part(build)
    return (public if public.is_dir() else build).stat().st_mtime


def lock_path(store_path: Path) -> Path:
    """The lock file that serialises builds and publishes of the store at `store_path`."""
    return store_path.parent / f".{store_path.name}.lock"


@contextlib.contextmanager
def store_lock(store_path: Path, what: str = "build") -> Iterator[None]:
    """Hold the store's lock for a `what` (build, publish); BuildLocked when another run holds it."""
    path = lock_path(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            # flock, not a pid file: the kernel drops it when its holder dies, so a stale lock
            # left by a killed run is simply taken over.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _locked(path, store_path) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{what}\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # while still held: a free lock names no holder
    finally:
        os.close(fd)


def _locked(path: Path, store_path: Path) -> BuildLocked:
    """The error for a lock another run holds, naming that run from the lock file."""
    pid, what = _holder(path)
    return BuildLocked(
        f"another {what} is running (pid {pid}) on the store {store_path}",
        hint=f"wait for it to finish, or stop process {pid}; a killed run's lock is released by itself",
    )


def _holder(path: Path) -> tuple[str, str]:
    """(pid, what) from a held lock file; the holder writes them just after taking the lock."""
    for _ in range(20):  # the holder may not have written them yet
        with contextlib.suppress(OSError):
            lines = path.read_text(encoding="utf-8").split()
            if len(lines) >= 2:
                return lines[0], lines[1]
        time.sleep(0.01)
    return "unknown", "build or publish"


class Lease:
    """A running process's claim on a build: while it is held, pruning leaves the build alone."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def release(self) -> None:
        """Give the build up (again is fine)."""
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def hold(build: Path) -> Lease:
    """Lease `build` (a build folder or the store link) for this process, until released."""
    build = build.resolve()
    lease = Lease(build / LEASES / f"{os.getpid()}-{secrets.token_hex(6)}")
    try:
        lease.path.parent.mkdir(exist_ok=True)
        lease.path.write_text(f"{os.getpid()}\n", encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"cannot hold the build {build}: {exc}", hint="is the store built?") from exc
    if not part(build).is_dir():  # pruned just before the lease was written
        lease.release()
        raise StoreError(f"the build {build} is gone", hint="open the store again")
    return lease


def is_leased(build: Path) -> bool:
    """True when a live process holds a lease on `build`; leases of dead processes are removed."""
    folder, leased = build / LEASES, False
    if not folder.is_dir():
        return False
    for lease in folder.iterdir():
        pid = lease.name.split("-", 1)[0]
        if not pid.isdigit() or int(pid) <= 0:
            continue  # not a lease this module wrote: leave it be
        if _alive(int(pid)):
            leased = True
        else:
            lease.unlink(missing_ok=True)
    return leased


def _alive(pid: int) -> bool:
    """True when process `pid` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just another user's
    return True


def open_read_only(build: Path, private: bool = False) -> ox.Store:
    """One of a build's two stores, read-only; StoreError names what to do when it is missing."""
    folder = part(build, private)
    if not folder.is_dir():
        raise StoreError(
            f"{build} holds no {folder.name} store (an older layout, or an unfinished build)",
            hint="run `clusterkg build` to build the store again",
        )
    try:
        return ox.Store.read_only(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {folder}: {exc}", hint="rebuild it") from exc


def write_build_file(build: Path, name: str, text: str) -> None:
    """Write a small file into a build folder atomically (a record about the build, never data)."""
    target = build / name
    scratch = target.with_name(f".{name}.{os.getpid()}")
    try:
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, target)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        raise StoreError(f"cannot write {target}: {exc}", hint="free disk space, then build again") from exc


def read_build_file(build: Path, name: str) -> str | None:
    """A small file of a build folder, or None when it is not there."""
    try:
        return (build / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
