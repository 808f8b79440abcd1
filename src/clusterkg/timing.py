"""Progress reporting for long steps: library code reports through a callback, never prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """A progress callback that reports nothing."""
    return None


@contextmanager
def step(name: str, seconds: dict[str, float], progress: Progress) -> Iterator[None]:
    """Time the block into `seconds[name]` and report its start and end."""
    progress(f"{name}…")
    start = time.perf_counter()
    yield
    seconds[name] = time.perf_counter() - start
    progress(f"{name} done in {seconds[name]:.1f} s")
