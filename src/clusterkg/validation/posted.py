"""Validating data someone posted, in a process of its own (`python -m clusterkg.validation.posted`).

pySHACL cannot be interrupted, so the server runs each validation in a child process it can kill
at the time limit, with its heap capped. The child reads one JSON header line (format, the shapes
as an N-Triples file, the memory cap) and then the data from standard input, and answers one JSON
object on standard output: {"report": ...} (ValidationReport.to_json) or {"error": {...}}.
Nothing is fetched: no owl:imports, no remote JSON-LD context (rdf.parse_data refuses them).
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any, BinaryIO

from .. import errors
from ..rdf import parse_data, parse_graphs
from . import validate_graph


def validate_posted(
    data: bytes, fmt: str, shapes_file: Path, name: str = "the posted data"
) -> dict[str, Any]:
    """The answer for one posted document: the report, or the error that stopped it."""
    try:
        graph = parse_data(data, fmt, name)
        report = validate_graph(graph, parse_graphs([shapes_file]))
        return {"report": json.loads(report.to_json())}
    except errors.ClusterKGError as exc:
        return {"error": {"class": type(exc).__name__, "message": exc.message, "hint": exc.hint}}


def answer(stdin: BinaryIO, stdout: BinaryIO) -> None:
    header = json.loads(stdin.readline())
    megabytes = int(header.get("memory_mb", 0))
    if megabytes > 0:  # the same cap as a SPARQL worker's heap
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    reply = validate_posted(stdin.read(), header["format"], Path(header["shapes"]))
    stdout.write(json.dumps(reply, ensure_ascii=False).encode("utf-8"))
    stdout.flush()


if __name__ == "__main__":
    answer(sys.stdin.buffer, sys.stdout.buffer)
