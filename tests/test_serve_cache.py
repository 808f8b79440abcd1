"""The response cache: concurrent misses of one public key share one query."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.requests import Request

from clusterkg.errors import QueryError
from clusterkg.serve import ServeContext
from clusterkg.serve.cache import Cached
from clusterkg.settings import Settings


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""})


def _context(tmp_path: Path) -> ServeContext:
    return ServeContext(Settings.from_env(environ={}, project_dir=tmp_path))


def test_a_burst_of_identical_requests_runs_one_query(tmp_path: Path) -> None:
    context, runs = _context(tmp_path), []

    async def produce() -> Cached:
        runs.append(1)
        await asyncio.sleep(0.05)
        return Cached(b"answer", "text/plain")

    async def burst() -> list[bytes]:
        calls = [context.cached(_request(), ("k",), produce, private=False) for _ in range(20)]
        return [bytes(r.body) for r in await asyncio.gather(*calls)]

    assert asyncio.run(burst()) == [b"answer"] * 20
    assert len(runs) == 1


def test_private_requests_are_never_shared_or_kept(tmp_path: Path) -> None:
    context, runs = _context(tmp_path), []

    async def produce() -> Cached:
        runs.append(1)
        return Cached(b"secret", "text/plain")

    async def twice() -> None:
        for _ in range(2):
            await context.cached(_request(), ("k",), produce, private=True)

    asyncio.run(twice())
    assert len(runs) == 2


def test_a_failed_query_is_not_cached(tmp_path: Path) -> None:
    context, runs = _context(tmp_path), []

    async def produce() -> Cached:
        runs.append(1)
        raise QueryError("boom", hint="none")

    async def twice() -> list[str]:
        failures = []
        for _ in range(2):
            with pytest.raises(QueryError) as caught:  # raised on to the app's one error handler
                await context.cached(_request(), ("k",), produce, private=False)
            failures.append(caught.value.message)
        return failures

    assert asyncio.run(twice()) == ["boom", "boom"]
    assert len(runs) == 2
