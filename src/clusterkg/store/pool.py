"""Query execution for the server: worker processes with a real time limit.

pyoxigraph cannot interrupt a running query, so every query runs in a worker process that
opened the store read-only. When a query passes the time limit, the worker is killed (SIGKILL:
its CPU and memory are freed at once) and a fresh worker takes its place. The pool also
enforces what a public endpoint must guarantee whoever calls it:

- only the visible graphs (the public ones, or all of them for a private caller) can be read,
  whatever dataset the query or the protocol asks for;
- no updates and no SERVICE calls; on Linux each worker also drops into a network namespace
  of its own, so even an engine bug cannot reach the network;
- result rows (and graph triples) are capped at `max_rows`, and a cut is flagged, never silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import multiprocessing.connection
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, QueryPoolBusy, QueryTimeout, StoreError
from ..namespaces import PREFIXES
from . import GRAPH_FORMATS, results
from .querytext import QueryShape, analyse, check_read_only

RESULT_FORMATS = ("json", "xml", "csv", "tsv")
RDF_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
TRUNCATED_NOTE = "sparql#truncated"  # under the base IRI: where the server documents the cap
_ENTRY = "from clusterkg.store.pool import _worker_entry; _worker_entry()"


@dataclass(frozen=True)
class QueryRequest:
    """One query for a worker. `fmt` is the results format for SELECT/ASK (json, xml, csv, tsv),
    `graph_fmt` the RDF format for CONSTRUCT/DESCRIBE (turtle, ntriples, jsonld, rdfxml);
    fmt="rows" returns Python rows (SPARQL-JSON term dicts) for any form.

    `default_graphs` / `named_graphs` are the protocol's dataset (None: not given); substitutions
    map variable names to RDF terms in N-Triples syntax ('<https://…>', '"x"@en', '"3"^^<…#integer>').
    """

    sparql: str
    fmt: str = "json"
    graph_fmt: str = "turtle"
    include_private: bool = False
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: tuple[tuple[str, str], ...] = ()
    base_iri: str | None = None


@dataclass
class QueryResult:
    """A query's outcome: kind (bindings, boolean, graph), serialised body, and the rows for "rows"."""

    kind: str
    body: bytes
    media_type: str
    truncated: bool = False
    count: int = 0
    variables: list[str] = field(default_factory=list)
    rows: list[results.Row] = field(default_factory=list)
    boolean: bool | None = None


# ---------------------------------------------------------------- worker side


def _isolate_network() -> bool:
    """Enter an empty network namespace (Linux); True when it worked. Must run single-threaded."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the server
        new_net, new_user = 0x40000000, 0x10000000
        return libc.unshare(new_net) == 0 or libc.unshare(new_user | new_net) == 0
    except (OSError, AttributeError):
        return False


def _worker_entry() -> None:
    """Entry point of a worker process: argv is the socket fd, the store path, the private graphs."""
    conn = multiprocessing.connection.Connection(int(sys.argv[1]))
    _worker_main(conn, sys.argv[2], json.loads(sys.argv[3]))


def _worker_main(conn: multiprocessing.connection.Connection, store_path: str, private: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which closes the pool
    isolated = _isolate_network()
    try:
        store = ox.Store.read_only(store_path)
        graphs = frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    except OSError as exc:
        conn.send(("failed", f"cannot open the store at {store_path}: {exc}"))
        return
    public = graphs - set(private)
    conn.send(("ready", isolated))
    while True:
        try:
            request, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = (
                "ok",
                _execute(store, request, graphs if request.include_private else public, max_rows),
            )
        except QueryError as exc:
            reply = ("query-error", exc.message, exc.hint)
        except (SyntaxError, ValueError) as exc:
            reply = ("query-error", f"the query does not parse: {exc}", "fix the SPARQL syntax")
        except Exception as exc:  # a failing query must never take the worker down
            reply = ("internal", f"{type(exc).__name__}: {exc}", "")
        conn.send(reply)


def _dataset(shape: QueryShape, request: QueryRequest, visible: frozenset[str]) -> dict[str, Any]:
    """The dataset to run on, reduced to visible graphs. An unknown or hidden graph reads as empty."""
    if request.default_graphs is not None or request.named_graphs is not None:
        default, named = request.default_graphs or (), request.named_graphs or ()
    elif shape.has_dataset:
        default, named = tuple(shape.from_graphs), tuple(shape.from_named)
    else:
        default = named = tuple(sorted(visible))
    return {
        "default_graph": [ox.NamedNode(g) for g in default if g in visible],
        "named_graphs": [ox.NamedNode(g) for g in named if g in visible],
    }


def _parse_term(name: str, text: str) -> Any:
    try:
        triples = list(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise QueryError(f"value for ?{name} is not an RDF term: {text!r}", hint=str(exc)) from exc
    if len(triples) != 1:
        raise QueryError(f"value for ?{name} is not one RDF term: {text!r}", hint="give one term")
    return triples[0].object


def _execute(store: ox.Store, request: QueryRequest, visible: frozenset[str], max_rows: int) -> QueryResult:
    shape = analyse(request.sparql, request.base_iri or "")
    check_read_only(shape)
    substitutions = {ox.Variable(k): _parse_term(k, v) for k, v in request.substitutions}
    result = store.query(
        request.sparql,
        base_iri=request.base_iri,
        substitutions=substitutions or None,
        **_dataset(shape, request, visible),
    )
    note = ((request.base_iri or "") + TRUNCATED_NOTE,)
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        fmt = "json" if request.fmt == "rows" else request.fmt
        return QueryResult("boolean", results.boolean(value, fmt), results.MEDIA_TYPES[fmt], boolean=value)
    if isinstance(result, ox.QuerySolutions):
        return _bindings(result, request.fmt, max_rows, note)
    return _graph(result, "rows" if request.fmt == "rows" else request.graph_fmt, max_rows)


def _term(term: Any) -> results.Term:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return {"type": "triple", "value": {k: _term(t) for k, t in parts}}
    out: results.Term = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != results.XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _bindings(solutions: ox.QuerySolutions, fmt: str, max_rows: int, note: tuple[str, ...]) -> QueryResult:
    variables = [v.value for v in solutions.variables]
    rows: list[results.Row] = []
    for solution in islice(solutions, max_rows + 1):
        rows.append({v: _term(solution[v]) for v in variables if solution[v] is not None})
    truncated = len(rows) > max_rows
    del rows[max_rows:]
    if fmt == "rows":
        return QueryResult("bindings", b"", "", truncated, len(rows), variables, rows)
    body = results.bindings(variables, rows, fmt, note if truncated else ())
    return QueryResult("bindings", body, results.MEDIA_TYPES[fmt], truncated, len(rows), variables)


def _graph(triples: Iterable[ox.Triple], fmt: str, max_rows: int) -> QueryResult:
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    del kept[max_rows:]
    if fmt == "rows":
        rows = [
            {"subject": _term(t.subject), "predicate": _term(t.predicate), "object": _term(t.object)}
            for t in kept
        ]
        return QueryResult("graph", b"", "", truncated, len(kept), ["subject", "predicate", "object"], rows)
    rdf_format = GRAPH_FORMATS[fmt]
    body = ox.serialize(kept, format=rdf_format, prefixes=PREFIXES if fmt == "turtle" else None) or b""
    return QueryResult("graph", body, rdf_format.media_type, truncated, len(kept))


# ---------------------------------------------------------------- server side


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, store_path: Path, private: list[str]) -> None:
        self.store_path, self.private = store_path, private
        self.process: Any = None
        self.conn: multiprocessing.connection.Connection | None = None
        self.isolated = False

    def spawn(self, wait: float = 60.0) -> None:
        # A fresh interpreter (not fork, not multiprocessing's spawn): nothing of the server's
        # threads or event loop leaks in, and the server's __main__ is never re-imported.
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _ENTRY,
                str(theirs.fileno()),
                str(self.store_path),
                json.dumps(self.private),
            ],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        try:
            ready = self.conn.poll(wait)
            status, detail = self.conn.recv() if ready else ("failed", "no answer in time")
        except (EOFError, OSError):
            status, detail = "failed", "the worker exited while starting"
        if status != "ready":
            self.kill()
            raise StoreError(
                f"a query worker could not start: {detail}", hint="run `clusterkg build` or check --store"
            )
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

    def call(self, request: QueryRequest, max_rows: int, timeout: float) -> tuple[Any, ...]:
        """Run one request; kill and respawn the worker when it passes `timeout` or dies."""
        if not self.alive():
            self.kill()
            self.spawn()
        assert self.conn is not None
        try:
            self.conn.send((request, max_rows))
            if self.conn.poll(timeout):
                return tuple(self.conn.recv())
            reply: tuple[Any, ...] = ("timeout",)
        except (EOFError, OSError, BrokenPipeError):
            reply = ("internal", "the query worker stopped unexpectedly (out of memory?)", "")
        self.kill()
        with contextlib.suppress(StoreError):  # a failed respawn is retried on the next call
            self.spawn()
        return reply


class QueryPool:
    """Worker processes running queries with a time limit, a row cap and a cap on queries at once."""

    def __init__(
        self,
        store_path: Path,
        private_graphs: Iterable[str] = (),
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        max_concurrent: int = 4,
    ) -> None:
        if not store_path.exists():
            raise StoreError(f"no store at {store_path}", hint="run `clusterkg build` first")
        self.store_path = store_path.resolve()
        self.timeout, self.max_rows = timeout, max_rows
        self.max_concurrent = max(max_concurrent, 1)
        self._workers = [_Worker(self.store_path, list(private_graphs)) for _ in range(max(workers, 1))]
        self._idle: asyncio.Queue[_Worker] | None = None
        self._inflight = 0
        self._threads = ThreadPoolExecutor(max_workers=len(self._workers), thread_name_prefix="query")

    def start(self) -> None:
        """Start every worker (blocking, in parallel); StoreError when the store cannot be opened."""
        futures = [self._threads.submit(w.spawn) for w in self._workers]
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            self.close()
            raise StoreError(
                f"cannot start the query workers on {self.store_path}: {errors[0]}",
                hint="run `clusterkg build` first, or check --store",
            )

    def close(self) -> None:
        for worker in self._workers:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def worker_pids(self) -> list[int | None]:
        return [w.pid for w in self._workers]

    @property
    def running(self) -> int:
        """Queries running or waiting for a worker now."""
        return self._inflight

    @property
    def network_isolated(self) -> bool:
        return all(w.isolated for w in self._workers)

    async def execute(self, request: QueryRequest) -> QueryResult:
        """Run `request` on a free worker; QueryTimeout, QueryPoolBusy or QueryError when it fails."""
        if self._inflight >= self.max_concurrent:
            raise QueryPoolBusy(
                f"{self._inflight} queries are running, the most this server runs at once",
                hint="retry in a few seconds",
            )
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        self._inflight += 1
        try:
            return await self._on_worker(self._idle, request)
        finally:
            self._inflight -= 1

    async def _on_worker(self, idle: asyncio.Queue[_Worker], request: QueryRequest) -> QueryResult:
        try:
            worker = await asyncio.wait_for(idle.get(), self.timeout)
        except TimeoutError as exc:
            raise QueryPoolBusy("no query worker became free in time", hint="retry later") from exc
        try:
            loop = asyncio.get_running_loop()
            reply = await loop.run_in_executor(
                self._threads, worker.call, request, self.max_rows, self.timeout
            )
        finally:
            idle.put_nowait(worker)
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
        raise StoreError(f"the query failed inside the engine: {reply[1]}", hint="report this")


# ---------------------------------------------------------------- small RDF documents


def convert_rdf(data: bytes, source: str, target: str, base_iri: str | None = None) -> bytes:
    """Re-serialise an RDF document (format names as in GRAPH_FORMATS), e.g. Turtle to JSON-LD."""
    triples = [q.triple for q in ox.parse(data, format=GRAPH_FORMATS[source], base_iri=base_iri)]
    prefixes = PREFIXES if target == "turtle" else None
    return ox.serialize(triples, format=GRAPH_FORMATS[target], prefixes=prefixes) or b""


def read_rdf_files(paths: Iterable[Path]) -> tuple[bytes, list[dict[str, results.Term]]]:
    """Merge RDF files into one N-Triples document and its triples as term dicts (for HTML)."""
    triples: list[ox.Triple] = []
    for path in paths:
        try:
            triples += [q.triple for q in ox.parse(path=str(path))]
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"cannot read {path}: {exc}", hint="fix the file") from exc
    rows = [
        {"subject": _term(t.subject), "predicate": _term(t.predicate), "object": _term(t.object)}
        for t in triples
    ]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", rows


__all__ = [
    "RDF_FORMATS",
    "RESULT_FORMATS",
    "QueryPool",
    "QueryPoolBusy",
    "QueryRequest",
    "QueryResult",
    "QueryTimeout",
    "convert_rdf",
    "read_rdf_files",
]
