"""Atomic release folders: build beside the target, then swap it in with one rename.

A publish that fails or is killed before the swap leaves the previous release exactly
as it was; leftovers of a killed publish are hidden folders next to it, removed by the
next publish.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def staged_release(target: Path) -> Iterator[Path]:
    """Yield an empty folder next to `target`; on success it replaces `target` atomically."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    staging.mkdir()
    try:
        yield staging
        _swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):  # staging now holds the previous release
        return
    # Without an atomic exchange, the previous release is moved aside first; if the
    # process dies between the two renames, the next publish restores it.
    previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
    os.rename(target, previous)
    os.rename(staging, target)
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths with one renameat2(RENAME_EXCHANGE) call (Linux); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _remove_leftovers(target: Path) -> None:
    previous = sorted(target.parent.glob(f".{target.name}.previous-*"))
    if previous and not target.exists():
        os.rename(previous[-1], target)  # a publish died between its two renames
    for leftover in [*target.parent.glob(f".{target.name}.staging-*"), *previous]:
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)
