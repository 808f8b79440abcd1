"""Benchmark the build at several sizes and write benchmarks/reports/build.md.

For each size: generate a synthetic project (`clusterkg synth`), then run each stage
of the build in its own process (sources check, mapping, SHACL validation, store
load), the whole `clusterkg build` (up to --full-build-max triples), and the two
baselines: pyoxigraph bulk_load of the same N-Quads into a fresh store, and
Morph-KGC (its own venv, tools/morph/.venv: `make morph-deps`) on the same, unmodified mappings.

    .venv/bin/python benchmarks/bench_build.py --sizes 100k,1m,10m
    .venv/bin/python benchmarks/bench_build.py --sizes 100k --skip-morph

Timings are wall-clock seconds; memory is the peak RSS of the stage's process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import morph  # noqa: E402
import report  # noqa: E402
from measure import Measurement, measure  # noqa: E402

from clusterkg.synth import parse_size  # noqa: E402

PYTHON = sys.executable
CLI = "import sys; sys.argv[0] = 'clusterkg'; from clusterkg.cli import main; main()"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src")
    env.pop("CLUSTERKG_PROJECT_DIR", None)
    env.pop("CLUSTERKG_STORE", None)
    return env


class SizeRun:
    """Every measurement for one target size, in the order they run."""

    def __init__(self, label: str, target: int, work: Path, args: argparse.Namespace) -> None:
        self.label, self.target, self.work, self.args = label, target, work, args
        self.project = work / "project"
        self.data = work / "data.nq"
        self.results: dict[str, Measurement] = {}

    def run(self) -> dict[str, object]:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self._cli(
            "synth",
            [
                "--project-dir",
                str(REPO),
                "synth",
                str(self.project),
                "--triples",
                str(self.target),
                "--seed",
                str(self.args.seed),
            ],
        )
        if self._stage("sources", [str(self.project)]).ok and self._mapping():
            self._stage(
                "validation", [str(self.project), str(self.data), str(self.work / "validation.jsonl")]
            )
            if self._quads() <= self.args.variant_max:
                log = str(self.work / "validation-no-sparql.jsonl")
                argv = [str(self.project), str(self.data), log, "no-sparql"]
                self._stage("validation", argv, name="validation without sh:sparql")
            self._stage("load", [str(self.project), str(self.data), str(self.work / "store")])
            self._stage("bare-load", [str(self.data), str(self.work / "bare-store")], name="bare bulk_load")
            if self._quads() <= self.args.full_build_max:
                self._cli(
                    "whole build",
                    [
                        "--project-dir",
                        str(self.project),
                        "build",
                        "--quiet",
                        "--store",
                        str(self.work / "cli-store"),
                    ],
                )
        if not self.args.skip_morph:
            self._morph()
        return self.summary()

    def _log(self, name: str) -> Path:
        return self.work / f"{name.replace(' ', '-')}.log"

    def _record(self, result: Measurement) -> Measurement:
        self.results[result.name] = result
        status = "ok" if result.ok else ("TIMED OUT" if result.timed_out else f"exit {result.returncode}")
        print(
            f"[{self.label}] {result.name}: {result.seconds:.1f} s, {result.peak_mib:.0f} MiB, {status}",
            flush=True,
        )
        return result

    def _cli(self, name: str, argv: list[str]) -> Measurement:
        return self._record(
            measure(
                name, [PYTHON, "-c", CLI, *argv], env=_env(), timeout=self.args.timeout, log=self._log(name)
            )
        )

    def _stage(self, stage: str, argv: list[str], name: str | None = None) -> Measurement:
        command = [PYTHON, str(HERE / "stage.py"), stage, *argv]
        label = name or stage
        return self._record(
            measure(label, command, env=_env(), timeout=self.args.timeout, log=self._log(label))
        )

    def _mapping(self) -> bool:
        result = self._stage("mapping", [str(self.project), str(self.data)])
        return result.ok and self.data.is_file()

    def _quads(self) -> int:
        return int(self.results["mapping"].output.get("quads", 0))

    def _morph(self) -> None:
        # The synthetic project's own mappings/ and sources/, unmodified (see morph.py).
        output = self.work / "morph.nq"
        config = morph.write_config(
            self.project / "mappings", output, self.work / "morph.ini", self.args.morph_processes
        )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        result = measure(
            "Morph-KGC mapping",
            morph.command(config),
            env=env,
            cwd=self.project / "mappings",
            timeout=self.args.timeout,
            log=self._log("morph"),
        )
        if output.is_file():
            with open(output, "rb") as f:
                result.output["quads"] = sum(1 for _ in f)
        self._record(result)

    def summary(self) -> dict[str, object]:
        steps = {name: self._steps(name) for name in ("validation", "validation-no-sparql")}
        return {
            "label": self.label,
            "target": self.target,
            "results": {k: asdict(v) for k, v in self.results.items()},
            "validation_steps": steps,
        }

    def _steps(self, name: str) -> list[dict[str, object]]:
        progress = self.work / f"{name}.jsonl"
        return [json.loads(x) for x in progress.read_text().splitlines()] if progress.is_file() else []

    def clean(self) -> None:
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100k,1m,10m", help="comma-separated triple targets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/clusterkg-bench"), help="scratch folder")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "build.md")
    parser.add_argument("--timeout", type=float, default=1500.0, help="seconds a stage may run (25 min)")
    parser.add_argument(
        "--full-build-max",
        type=int,
        default=2_000_000,
        help="run the whole `clusterkg build` too up to this many quads",
    )
    parser.add_argument(
        "--variant-max",
        type=int,
        default=2_000_000,
        help="also validate without the sh:sparql constraints up to this many quads",
    )
    parser.add_argument("--skip-morph", action="store_true", help="do not run the Morph-KGC baseline")
    parser.add_argument("--morph-processes", type=int, default=1, help="Morph-KGC number_of_processes")
    parser.add_argument("--render-only", action="store_true", help="re-render --out from its .json")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--note", default="", help="free text for the report (e.g. machine load)")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.render_only:
        raw = json.loads(args.out.with_suffix(".json").read_text(encoding="utf-8"))
        args.out.write_text(report.render(raw), encoding="utf-8")
        return
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    runs = []
    for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        size = SizeRun(label, parse_size(label), args.work / label, args)
        runs.append(size.run())
        size.clean()
        _write(args, started, runs)
    print(f"report: {args.out}")


def _write(args: argparse.Namespace, started: str, runs: list[dict[str, object]]) -> None:
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": os.getloadavg(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "morph_kgc": morph.version(),
        "morph_processes": args.morph_processes,
    }
    raw = {"started": started, "machine": machine, "note": args.note, "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    args.out.write_text(report.render(raw), encoding="utf-8")


if __name__ == "__main__":
    main()
