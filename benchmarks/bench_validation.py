"""Benchmark the compiled SHACL validator against a bare bulk load, and the whole build.

For each size: generate a synthetic project (`clusterkg synth`), map it to N-Quads, then time
the bare pyoxigraph bulk_load of those N-Quads, the build's load step (bulk_load + flush +
optimize), the compiled validation over that build, optionally pySHACL (partitioned) up to
--pyshacl-max triples, and the whole `clusterkg build` (in a child process, default settings).
Writes benchmarks/reports/validation.md.

    .venv/bin/python benchmarks/bench_validation.py --sizes 100k,1m
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

import pyoxigraph as ox  # noqa: E402  (the baseline: the library alone)

from clusterkg import pipeline, store, validation  # noqa: E402
from clusterkg.settings import Settings  # noqa: E402
from clusterkg.synth import parse_size  # noqa: E402

CLI = "import sys; sys.argv[0] = 'clusterkg'; from clusterkg.cli import main; main()"


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def _cli(argv: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    env.pop("CLUSTERKG_VALIDATOR", None)
    seconds, result = _timed(lambda: subprocess.run([sys.executable, "-c", CLI, *argv], env=env, check=False))
    if result.returncode != 0:
        raise SystemExit(f"clusterkg {' '.join(argv)} failed with exit {result.returncode}")
    return seconds


def _bare_load(data: Path, path: Path) -> int:
    db = ox.Store(str(path))
    db.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    db.flush()
    return len(db)


def run_size(label: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement for one size."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    project, data = work / "project", work / "data.nq"
    _cli(["--project-dir", str(REPO), "synth", str(project), "--triples", str(parse_size(label))])
    if args.shapes:  # a variant: other shapes (e.g. a proposed rewrite) instead of the project's
        shutil.rmtree(project / "shapes")
        shutil.copytree(args.shapes, project / "shapes")
    settings = Settings.from_env(environ={}, project_dir=project, store=work / "store")
    row: dict[str, Any] = {"size": label}
    row["mapping"], (_, quads) = _timed(lambda: pipeline.map_sources(settings, data))
    row["quads"] = quads
    row["bare bulk_load"], _ = _timed(lambda: _bare_load(data, work / "bare"))
    row["load (bulk_load + optimize)"], build = _timed(
        lambda: store.new_build(settings.store, data, pipeline.private_graphs(settings))
    )
    shapes = validation.load_shapes(settings.path("shapes"))
    ontology = pipeline.load_ontology(settings)
    row["screen (in the build: during the load)"], screen = _timed(
        lambda: validation.screen_nquads(shapes, data)
    )
    row["cleared"] = f"{screen.cleared} (+{screen.narrowed} narrowed) of {len(screen.compiled.checks)}"
    with store.BuildReader(build) as reader:
        row["compiled validation"], report = _timed(
            lambda: validation.validate_store(reader.select, shapes, data, ontology, 200_000, quads, screen)
        )
        row["compiled validation, no screen"], _ = _timed(
            lambda: validation.validate_store(reader.select, shapes, data, ontology, 200_000, quads)
        )
    row["results"] = len(report.results)
    if quads <= args.pyshacl_max:
        row["pySHACL validation"], _ = _timed(
            lambda: validation.validate_nquads(data, shapes, ontology, settings.validation_batch)
        )
    row["whole build"] = _cli(
        ["--project-dir", str(project), "build", "--quiet", "--store", str(work / "cli")]
    )
    print(row, flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return row


def _write(rows: list[dict[str, Any]], started: str, out: Path) -> None:
    stages = [
        "mapping",
        "bare bulk_load",
        "load (bulk_load + optimize)",
        "screen (in the build: during the load)",
    ]
    stages += ["compiled validation", "compiled validation, no screen", "pySHACL validation", "whole build"]
    lines = [
        "# Validation benchmark",
        "",
        f"Written by `benchmarks/bench_validation.py`, run started {started}. Machine: {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}, {platform.platform()};"
        f" load average at the end {os.getloadavg()}.",
        "",
        "Seconds are wall-clock, in one process except the whole build (a child process running "
        "`clusterkg build`, default settings: validator = compiled). Triples/s is mapped quads per second. "
        "The build runs the screen while it loads; here it is timed on its own.",
        "",
    ]
    for row in rows:
        quads = row["quads"]
        lines += [f"## {row['size']} ({quads:,} quads, {row['results']} results)", ""]
        lines += ["| stage | seconds | triples/s |", "|---|---:|---:|"]
        for stage in stages:
            if stage in row:
                lines.append(f"| {stage} | {row[stage]:.2f} | {quads / max(row[stage], 1e-9):,.0f} |")
        ratio = row["whole build"] / row["bare bulk_load"]
        lines += ["", f"- whole build / bare bulk_load = **{ratio:.2f}×**"]
        lines += [f"- the screen cleared {row['cleared']} checks; the gate ran the others", ""]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--work", type=Path, default=HERE / ".cache" / "validation")
    parser.add_argument("--pyshacl-max", type=int, default=0, help="run pySHACL up to this many quads")
    parser.add_argument("--shapes", type=Path, help="use the shapes in this folder instead (a variant)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and stores")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "validation.md")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    rows = [run_size(label, args.work / label, args) for label in args.sizes.split(",")]
    _write(rows, started, args.out)


if __name__ == "__main__":
    main()
