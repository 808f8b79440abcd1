"""The worker-pool executor: user SPARQL runs in killable worker processes.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that
opened the build read-only. A query past the deadline is killed with its worker (SIGKILL frees
its CPU and memory at once) and a fresh worker takes its place. On top of the policy that every
executor applies:

- each worker drops into a network namespace of its own, so even an engine bug cannot reach
  the network; a pool whose workers cannot do so refuses to start unless told otherwise;
- each worker's heap is capped (RLIMIT_DATA), so one query cannot take the machine's memory;
- admission is bounded: `workers` queries run, at most `queue` more wait, the rest get
  QueryPoolBusy at once; one deadline covers the wait and the run.

`execute` blocks: the server calls it from a thread. A worker goes back to the idle set only
when its query has ended, whatever happens to the caller meanwhile.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing.connection
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import QueryAborted, QueryError, QueryPoolBusy, QueryTimeout, StoreError
from . import engine, policy
from .builds import open_read_only
from .request import QueryRequest, QueryResult, check_formats

_ENTRY = "from clusterkg.store.pool import _worker_entry; _worker_entry()"


# ---------------------------------------------------------------- worker side


def _isolate_network() -> bool:
    """Enter an empty network namespace (Linux); True when it worked. Must run single-threaded."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the server
        new_net, new_user = 0x40000000, 0x10000000
        return bool(libc.unshare(new_net) == 0 or libc.unshare(new_user | new_net) == 0)
    except (OSError, AttributeError):
        return False


def _cap_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _worker_entry() -> None:
    """Entry point of a worker process: argv is the socket fd, the build folder, the memory cap."""
    conn = multiprocessing.connection.Connection(int(sys.argv[1]))
    _worker_main(conn, Path(sys.argv[2]), int(sys.argv[3]))


def _worker_main(conn: multiprocessing.connection.Connection, build: Path, memory_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which closes the pool
    isolated = _isolate_network()
    try:
        stores = {False: open_read_only(build)}
        _cap_memory(memory_mb)
    except (StoreError, OSError, ValueError) as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", isolated))
    while True:
        try:
            request, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(stores, build, request, max_rows))


def _answer(stores: dict[bool, Any], build: Path, request: QueryRequest, max_rows: int) -> tuple[Any, ...]:
    try:
        if request.private not in stores:
            stores[request.private] = open_read_only(build, private=True)
        return ("ok", engine.evaluate(stores[request.private], request, max_rows))
    except QueryError as exc:
        return ("query-error", exc.message, exc.hint)
    except MemoryError:
        return ("aborted", "it needed more memory than a query worker may use")
    except Exception as exc:  # a failing query must never take the worker down
        return ("internal", f"{type(exc).__name__}: {exc}")


# ---------------------------------------------------------------- server side


class _Worker:
    """One worker process and the server's end of its pipe.

    Workers die with the thread that started them (PR_SET_PDEATHSIG is per thread), so every
    spawn runs on the pool's own long-lived spawner threads, never on a short-lived caller's.
    """

    def __init__(self, build: Path, memory_mb: int, spawner: ThreadPoolExecutor) -> None:
        self.build, self.memory_mb, self.spawner = build, memory_mb, spawner
        self.process: Any = None
        self.conn: multiprocessing.connection.Connection | None = None
        self.isolated = False

    def spawn(self, wait: float = 60.0) -> None:
        # A fresh interpreter (not fork): nothing of the server's threads or event loop leaks in.
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        argv = [sys.executable, "-c", _ENTRY, str(theirs.fileno()), str(self.build), str(self.memory_mb)]
        self.process = subprocess.Popen(argv, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        try:
            status, detail = self.conn.recv() if self.conn.poll(wait) else ("failed", "no answer in time")
        except (EOFError, OSError):
            status, detail = "failed", "the worker exited while starting"
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker could not start: {detail}", hint="run `clusterkg build`")
        self.isolated = bool(detail)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()  # SIGKILL: the engine cannot be interrupted any other way
            self.process.wait(10)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def respawn(self) -> None:
        self.kill()
        self.spawner.submit(self.spawn).result()

    def call(self, request: QueryRequest, max_rows: int, timeout: float) -> tuple[Any, ...]:
        """Run one request; kill and respawn the worker when it passes `timeout` or dies."""
        if not self.alive():
            self.respawn()
        assert self.conn is not None
        try:
            self.conn.send((request, max_rows))
            if self.conn.poll(max(timeout, 0.0)):
                return tuple(self.conn.recv())
            reply: tuple[Any, ...] = ("timeout",)
        except (EOFError, OSError):
            cap = f"the {self.memory_mb} MiB" if self.memory_mb > 0 else "the memory"
            reply = (
                "aborted",
                f"it stopped its query worker, most likely by needing more than {cap} a worker "
                "may use (CLUSTERKG_WORKER_MEMORY_MB); the same query will stop again",
            )
        with contextlib.suppress(StoreError):  # a failed respawn is retried on the next call
            self.respawn()
        return reply


class QueryPool:
    """Worker processes over one build, with a deadline, a row cap and bounded admission."""

    def __init__(
        self,
        build: Path,
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        queue_length: int = 32,
        memory_mb: int = 1024,
        require_isolation: bool = True,
    ) -> None:
        self.build = build.resolve()
        self.timeout, self.max_rows = timeout, max_rows
        self.require_isolation = require_isolation
        count = max(workers, 1)
        self._spawner = ThreadPoolExecutor(max_workers=count, thread_name_prefix="query-spawner")
        self._workers = [_Worker(self.build, memory_mb, self._spawner) for _ in range(count)]
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._admit_limit = len(self._workers) + max(queue_length, 0)
        self._admitted = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start every worker (in parallel); StoreError when the build cannot be opened, or when the
        workers cannot isolate themselves from the network and isolation is required."""
        failures = [f.exception() for f in [self._spawner.submit(w.spawn) for w in self._workers]]
        failed = next((f for f in failures if f is not None), None)
        if failed is not None:
            self.close()
            raise StoreError(f"cannot start the query workers on {self.build}: {failed}", hint="rebuild")
        if self.require_isolation and not self.network_isolated:
            self.close()
            raise StoreError(
                "the query workers cannot enter a network namespace of their own (unshare is not allowed)",
                hint="allow user namespaces, or set CLUSTERKG_ALLOW_UNISOLATED_WORKERS=true where the host "
                "blocks outbound traffic itself",
            )
        for worker in self._workers:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._workers:
            worker.kill()
        self._spawner.shutdown(wait=False, cancel_futures=True)

    @property
    def worker_pids(self) -> list[int | None]:
        return [w.pid for w in self._workers]

    @property
    def running(self) -> int:
        """Queries running or waiting for a worker now."""
        return self._admitted

    @property
    def network_isolated(self) -> bool:
        return all(w.isolated for w in self._workers)

    def execute(self, request: QueryRequest) -> QueryResult:
        """Run `request` on a free worker: QueryTimeout, QueryPoolBusy, QueryAborted or QueryError."""
        check_formats(request)
        policy.check(request.sparql)  # refuse early; the worker checks again
        deadline = time.monotonic() + self.timeout
        with self._lock:
            if self._admitted >= self._admit_limit:
                raise QueryPoolBusy(
                    f"{self._admitted} queries are running or waiting, the most this server admits",
                    hint="retry in a few seconds",
                )
            self._admitted += 1
        try:
            return self._on_worker(request, deadline)
        finally:
            with self._lock:
                self._admitted -= 1

    def _on_worker(self, request: QueryRequest, deadline: float) -> QueryResult:
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty as exc:
            raise QueryPoolBusy(
                "no query worker became free within the time limit", hint="retry later"
            ) from exc
        try:
            reply = worker.call(request, self.max_rows, deadline - time.monotonic())
        finally:
            self._idle.put(worker)
        return self._outcome(reply)

    def _outcome(self, reply: tuple[Any, ...]) -> QueryResult:
        status = reply[0]
        if status == "ok":
            result: QueryResult = reply[1]
            return result
        if status == "timeout":
            raise QueryTimeout(
                f"the query was stopped after {self.timeout:g} s, the time limit of this server",
                hint="make the query more selective (LIMIT, fewer joins) or run it on a local copy",
            )
        if status == "query-error":
            raise QueryError(reply[1], hint=reply[2])
        if status == "aborted":
            raise QueryAborted(f"the query was stopped: {reply[1]}", hint="simplify the query")
        raise QueryAborted(  # a failure inside the engine is about this query: never a bare 500
            f"the query engine could not run this query: {reply[1]}",
            hint="simplify the query; if a simple query fails like this, tell the operators",
        )
