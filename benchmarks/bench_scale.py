"""Whole `clusterkg build` against a bare pyoxigraph bulk_load of the same N-Quads, at one size.

Each runs in its own process under GNU time, which gives wall-clock seconds and peak resident memory;
the build's own progress lines give each stage's seconds. Writes benchmarks/reports/scale-<size>.md.
    .venv/bin/python benchmarks/bench_scale.py --size 10M [--work /tmp/clusterkg-scale]
"""

from __future__ import annotations

import argparse
import os
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
STAGE = re.compile(r"^(\w+) done in ([\d.]+) s$", re.MULTILINE)


def timed(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stderr) of `command`, run under /usr/bin/time -v."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    return seconds, peak_kib // 1024, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1M")
    parser.add_argument("--work", type=Path, default=Path("/tmp/clusterkg-scale"))
    parser.add_argument("--project", type=Path, help="an existing synthetic project (else `clusterkg synth`)")
    args = parser.parse_args()
    work = args.work / args.size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    project = args.project or work / "project"
    if not args.project:
        subprocess.run([BIN / "clusterkg", "synth", str(project), "--triples", args.size], check=True)
    nquads = work / "data.nq"
    subprocess.run([BIN / "python", "-c", _MAP, str(project), str(nquads)], check=True)
    with open(nquads, "rb") as f:
        quads = sum(1 for _ in f)
    loads = [os.getloadavg()]
    bare = timed([str(BIN / "python"), "-c", BULK_LOAD, str(nquads), str(work / "bare")])
    shutil.rmtree(work / "bare")
    loads.append(os.getloadavg())
    build_argv = ["--project-dir", str(project), "build", "--store", str(work / "store")]
    build = timed([str(BIN / "clusterkg"), *build_argv])
    loads.append(os.getloadavg())
    stages = {name: float(s) for name, s in STAGE.findall(build[2])}
    _report(args.size, quads, build, bare, stages, loads)
    shutil.rmtree(work, ignore_errors=True)  # an --project given is left alone


_MAP = (
    "import sys; from pathlib import Path; from clusterkg import pipeline; "
    "from clusterkg.settings import Settings; "
    "pipeline.map_sources(Settings.from_env(environ={}, project_dir=Path(sys.argv[1])), Path(sys.argv[2]))"
)


def _report(
    size: str,
    quads: int,
    build: tuple[float, int, str],
    bare: tuple[float, int, str],
    stages: dict[str, float],
    loads: list[tuple[float, float, float]],
) -> None:
    stages["other (start-up, shapes check, swap)"] = build[0] - sum(stages.values())
    rows = "\n".join(
        f"| {name} | {s:.1f} | {100 * s / build[0]:.0f} % | {s / bare[0]:.2f}× |"
        for name, s in stages.items()
    )
    load_text = "; ".join(" ".join(f"{x:.1f}" for x in load) for load in loads)
    text = f"""# Scale benchmark: {size}

Written by `benchmarks/bench_scale.py` on {time.strftime("%Y-%m-%d %H:%M")}; 2 cores shared with other
engineers' work, load average (1, 5, 15 min) before the bare load, before the build and at the end:
{load_text}. Each row is one process under GNU time (wall-clock seconds, peak resident memory).
The whole build is `clusterkg build` with default settings (compiled SHACL validation); the baseline is a
bare pyoxigraph `bulk_load` of the same {quads:,} N-Quads the build maps, into a fresh store, run just before.

| run | seconds | quads/s | peak RSS (MiB) |
|---|---:|---:|---:|
| whole `clusterkg build` (sources, mapping, load, validation, swap, counts) \
| {build[0]:.1f} | {quads / build[0]:,.0f} | {build[1]:,} |
| bare `bulk_load` | {bare[0]:.1f} | {quads / bare[0]:,.0f} | {bare[1]:,} |

- whole build / bare bulk_load = **{build[0] / bare[0]:.2f}×** (time; goal: within 2×);
  peak memory of the build {build[1]:,} MiB (goal at 10M: under 2 GB).

The build's stages, from its progress lines (validation runs over {quads:,} quads:
{quads / stages.get("validation", float("nan")):,.0f} triples/s):

| stage | seconds | share of the build | × bare load |
|---|---:|---:|---:|
{rows}
"""
    out = REPO / "benchmarks" / "reports" / f"scale-{size.lower()}.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
