"""Whole `clusterkg build` against a bare pyoxigraph bulk_load of the same N-Quads, at one size.

Each runs in its own process under GNU time, which gives wall-clock seconds and peak resident memory.
Writes benchmarks/reports/scale-<size>.md. Usage:
    .venv/bin/python benchmarks/bench_scale.py --size 10M [--work /tmp/clusterkg-scale]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BULK_LOAD = (
    "import pyoxigraph as ox, sys; "
    "ox.Store(sys.argv[2]).bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)"
)


def timed(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of `command`, run under /usr/bin/time -v."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    return seconds, peak_kib // 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1M")
    parser.add_argument("--work", type=Path, default=Path("/tmp/clusterkg-scale"))
    args = parser.parse_args()
    work = args.work / args.size
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    subprocess.run([BIN / "clusterkg", "synth", str(project), "--triples", args.size], check=True)
    build = timed(
        [
            str(BIN / "clusterkg"),
            "--project-dir",
            str(project),
            "build",
            "--quiet",
            "--store",
            str(work / "store"),
        ]
    )
    nquads = work / "data.nq"
    subprocess.run([BIN / "python", "-c", _MAP, str(project), str(nquads)], check=True)
    with open(nquads, "rb") as f:
        quads = sum(1 for _ in f)
    bare = timed([str(BIN / "python"), "-c", BULK_LOAD, str(nquads), str(work / "bare")])
    _report(args.size, quads, build, bare)
    shutil.rmtree(work, ignore_errors=True)


_MAP = (
    "import sys; from pathlib import Path; from clusterkg import pipeline; "
    "from clusterkg.settings import Settings; "
    "pipeline.map_sources(Settings.from_env(environ={}, project_dir=Path(sys.argv[1])), Path(sys.argv[2]))"
)


def _report(size: str, quads: int, build: tuple[float, int], bare: tuple[float, int]) -> None:
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()[:3]
    text = f"""# Scale benchmark: {size}

Written by `benchmarks/bench_scale.py` on {time.strftime("%Y-%m-%d %H:%M")}; 2 shared cores, load average at
the end {" ".join(load)}. Each row is one process under GNU time (wall-clock seconds, peak resident memory).
The whole build is `clusterkg build` with default settings (compiled SHACL validation); the baseline is a
bare pyoxigraph `bulk_load` of the same {quads:,} N-Quads the build maps, into a fresh store.

| run | seconds | quads/s | peak RSS (MiB) |
|---|---:|---:|---:|
| whole `clusterkg build` (sources, mapping, load, validation, swap, counts) \
| {build[0]:.1f} | {quads / build[0]:,.0f} | {build[1]:,} |
| bare `bulk_load` | {bare[0]:.1f} | {quads / bare[0]:,.0f} | {bare[1]:,} |

- whole build / bare bulk_load = **{build[0] / bare[0]:.2f}×** (time);
  peak memory of the build {build[1]:,} MiB
  (goal at 10M: under 4,096 MiB).
"""
    out = REPO / "benchmarks" / "reports" / f"scale-{size.lower()}.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
