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
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BULK_LOAD = (
    "import pyoxigraph as ox, sys; "
    "ox.Store(sys.argv[2]).bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)"
)
STAGE = re.compile(r"^(\w+) done in ([\d.]+) s$", re.MULTILINE)


class Run(NamedTuple):
    """One command under GNU time: wall seconds, CPU seconds (user + system, children included),
    the largest process's peak RSS (GNU time), the peak of the whole process tree's RSS (sampled
    every 0.1 s: the build's screen runs in a child process) and stderr."""

    seconds: float
    cpu: float
    peak: int
    tree_peak: int
    stderr: str


def timed(command: list[str]) -> Run:
    """`command` run under /usr/bin/time -v, its process tree's memory sampled as it runs."""
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=err)
        tree_kib = 0
        while proc.poll() is None:
            tree_kib = max(tree_kib, _tree_rss_kib(proc.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}):\n{stderr[-2000:]}")
    field = lambda name: re.search(rf"{name}: ([\d.]+)", stderr).group(1)  # type: ignore[union-attr]  # noqa: E731
    cpu = float(field(r"User time \(seconds\)")) + float(field(r"System time \(seconds\)"))
    peak_kib = int(field(r"Maximum resident set size \(kbytes\)"))
    return Run(seconds, cpu, peak_kib // 1024, max(tree_kib, peak_kib) // 1024, stderr)


def _tree_rss_kib(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


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
    mapping = timed([str(BIN / "python"), "-c", _MAP, str(project), str(nquads)])
    with open(nquads, "rb") as f:
        quads = sum(1 for _ in f)
    loads = [os.getloadavg()]
    bare = timed([str(BIN / "python"), "-c", BULK_LOAD, str(nquads), str(work / "bare")])
    shutil.rmtree(work / "bare")
    loads.append(os.getloadavg())
    build_argv = ["--project-dir", str(project), "build", "--store", str(work / "store")]
    build = timed([str(BIN / "clusterkg"), *build_argv])
    loads.append(os.getloadavg())
    stages = {name: float(s) for name, s in STAGE.findall(build.stderr)}
    engine = timed([str(BIN / "python"), "-c", _ENGINE, str(nquads), str(work / "alone")])
    _report(args.size, quads, build, bare, stages, loads, (mapping, engine))
    shutil.rmtree(work, ignore_errors=True)  # an --project given is left alone


_MAP = (
    "import sys; from pathlib import Path; from clusterkg import pipeline; "
    "from clusterkg.settings import Settings; "
    "pipeline.map_sources(Settings.from_env(environ={}, project_dir=Path(sys.argv[1])), Path(sys.argv[2]))"
)


# The build's loading alone, on the mapped file: routing into the public quads, their merged default
# graph and the private lines, the pieces' bulk loads (two at a time), optimize(), the private store.
_ENGINE = (
    "import sys; from pathlib import Path; from clusterkg import store; "
    "store.new_build(Path(sys.argv[2]), Path(sys.argv[1]), ['https://w3id.org/clusterkg/graph/contacts'])"
)


def _floor(bare: Run, parts: tuple[Run, Run]) -> str:
    """What the mapping and the engine's loading, each timed alone, put under any build on this
    machine: their CPU seconds spread over every core, or the longer of the two, whichever is more."""
    mapping, engine = parts
    cores = os.cpu_count() or 1
    floor = max((mapping.cpu + engine.cpu) / cores, mapping.seconds, engine.seconds)
    return f"""
Two parts of the build, each run alone in a process of its own: the mapping (`pipeline.map_sources`,
sources checked and RML mapped to the N-Quads file) and the engine's loading of those N-Quads as the
build loads them (`store.new_build`: public quads and their merged default graph in pieces of
250k lines, two bulk loads at a time, `optimize()`, the private store), no screen, validation or counts.

| part, alone | seconds | CPU seconds | × bare load (time) | × bare load (CPU) |
|---|---:|---:|---:|---:|
{_part("mapping", mapping, bare)}
{_part("engine loading", engine, bare)}

- Together they need {mapping.cpu + engine.cpu:.1f} CPU seconds; on {cores} cores no build that does
  both can take less than {floor:.1f} s, **{floor / bare.seconds:.2f}×** the bare load, before its screen,
  validation and counts.
"""


def _part(name: str, run: Run, bare: Run) -> str:
    return (
        f"| {name} | {run.seconds:.1f} | {run.cpu:.1f} | {run.seconds / bare.seconds:.2f}× "
        f"| {run.cpu / bare.cpu:.2f}× |"
    )


def _report(
    size: str,
    quads: int,
    build: Run,
    bare: Run,
    stages: dict[str, float],
    loads: list[tuple[float, float, float]],
    parts: tuple[Run, Run],
) -> None:
    stages["other (start-up, shapes check, swap)"] = build.seconds - sum(stages.values())
    rows = "\n".join(
        f"| {name} | {s:.1f} | {100 * s / build.seconds:.0f} % | {s / bare.seconds:.2f}× |"
        for name, s in stages.items()
    )
    load_text = "; ".join(" ".join(f"{x:.1f}" for x in load) for load in loads)
    text = f"""# Scale benchmark: {size}

Written by `benchmarks/bench_scale.py` on {time.strftime("%Y-%m-%d %H:%M")}; {os.cpu_count()} cores
shared with other engineers' work, load average (1, 5, 15 min) before the bare load, before the build
and at the end:
{load_text}. Each row is one command under GNU time: wall-clock seconds, CPU seconds (user + system,
child processes included), the largest process's peak resident memory, and the peak of the whole
process tree's resident memory, sampled every 0.1 s (the build's screen is a child process).
The whole build is `clusterkg build` with default settings (compiled SHACL validation); the baseline is a
bare pyoxigraph `bulk_load` of the same {quads:,} N-Quads the build maps, into a fresh store, run just before.

| run | seconds | CPU seconds | quads/s | peak RSS, largest process (MiB) | peak RSS, process tree (MiB) |
|---|---:|---:|---:|---:|---:|
{_row("whole `clusterkg build` (sources, mapping, load, validation, swap, counts)", build, quads)}
{_row("bare `bulk_load`", bare, quads)}

- whole build / bare bulk_load = **{build.seconds / bare.seconds:.2f}×** (time; goal: within 2×);
  CPU {build.cpu / bare.cpu:.2f}× the bare load's;
  peak memory of the build's process tree {build.tree_peak:,} MiB (goal at 10M: under 2 GB).

The build's stages, from its progress lines (validation runs over {quads:,} quads:
{quads / stages.get("validation", float("nan")):,.0f} triples/s):

| stage | seconds | share of the build | × bare load |
|---|---:|---:|---:|
{rows}
{_floor(bare, parts)}"""
    out = REPO / "benchmarks" / "reports" / f"scale-{size.lower()}.md"
    out.write_text(text, encoding="utf-8")
    print(text)


def _row(name: str, run: Run, quads: int) -> str:
    return (
        f"| {name} | {run.seconds:.1f} | {run.cpu:.1f} | {quads / run.seconds:,.0f} "
        f"| {run.peak:,} | {run.tree_peak:,} |"
    )


if __name__ == "__main__":
    main()
