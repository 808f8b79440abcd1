"""Run a command as a child process and measure wall time and peak memory of its whole process tree.

Peak memory is the larger of (a) the highest sum of RSS over the process and all its
descendants, sampled every `interval` seconds from /proc, and (b) the kernel's
ru_maxrss for the child (from wait4), which catches a peak between two samples.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measurement:
    """One measured run: seconds, peak RSS (MiB), exit status, the JSON the stage printed."""

    name: str
    seconds: float = 0.0
    peak_mib: float = 0.0
    returncode: int | None = None
    timed_out: bool = False
    output: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                text = Path(f"/proc/{current}/task/{task}/children").read_text()
                todo.extend(int(c) for c in text.split())
        except OSError:
            continue
    return found


def _tree_rss(pid: int) -> int:
    total = 0
    for member in _descendants(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self.stop.wait(self.interval)


def measure(
    name: str,
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1500.0,
    log: Path | None = None,
    interval: float = 0.2,
) -> Measurement:
    """Run `command`; its last stdout line, if JSON, becomes `output`; stderr goes to `log`."""
    result = Measurement(name)
    err = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL  # noqa: SIM115
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True
    )
    sampler = _Sampler(proc.pid, interval)
    sampler.start()
    killer = threading.Timer(timeout, _kill_group, args=(proc.pid, result))
    killer.start()
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    result.seconds = time.perf_counter() - start
    killer.cancel()
    sampler.stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result.returncode = proc.returncode
    result.peak_mib = max(sampler.peak, usage.ru_maxrss * 1024) / 2**20
    if log:
        err.close()  # type: ignore[union-attr]
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        result.output = json.loads(lines[-1]) if lines else {}
    except ValueError:
        result.output = {"stdout": lines[-1][:500]}
    if not result.ok and log:
        result.error = _tail(log)
    return result


def _kill_group(pid: int, result: Measurement) -> None:
    result.timed_out = True
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _tail(log: Path, lines: int = 12) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])
