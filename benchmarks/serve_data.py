"""Prepare the data sets of bench_serve.py: build, publish, and load our public dump into Oxigraph.

Each data set lives under benchmarks/.cache/serve-<label>/: project/ (with var/store, built by
`clusterkg build`), release/ (`clusterkg publish`) and native/ (`oxigraph load` of
release/clusterkg.nq.gz, gunzipped, then `oxigraph optimize`). ready.json records the steps' seconds;
a folder with it is reused unless --rebuild.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
BIN = Path(sys.executable).parent
CLUSTERKG, OXIGRAPH = str(BIN / "clusterkg"), str(BIN / "oxigraph")
REAL_FOLDERS = ("sources", "mappings", "shapes", "ontology", "reference", "queries", "catalog")
sys.path.insert(0, str(REPO / "src"))

from clusterkg.synth import parse_size  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def clean_env() -> dict[str, str]:
    """The environment without CLUSTERKG_* variables: every server and command runs at its defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERKG_")}


# ---------------------------------------------------------------- the data


class TooLong(Exception):
    pass


def timed(command: list[str], limit: float, logfile: Path) -> float:
    """Run `command` (output appended to `logfile`) within `limit` seconds; its wall-clock seconds."""
    started = time.perf_counter()
    with open(logfile, "ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        try:
            done = subprocess.run(command, timeout=limit, env=clean_env(), stdout=out, stderr=out)
        except subprocess.TimeoutExpired as exc:
            raise TooLong(f"`{' '.join(command[1:4])} …` ran past the {limit:.0f} s limit") from exc
    if done.returncode:
        tail = logfile.read_text(errors="replace").strip().splitlines()[-1:]
        raise TooLong(f"`{' '.join(command[1:4])} …` failed (exit {done.returncode}): {tail}")
    return round(time.perf_counter() - started, 1)


def prepare(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build, publish and load into Oxigraph one data set, step by step; a step done (recorded in
    state.json) is not redone, so an interrupted preparation resumes; --rebuild starts afresh."""
    label = f"synth-{args.triples.lower()}-seed{args.seed}" if kind == "synth" else "real"
    folder = CACHE / f"serve-{label}"
    project, native, release = folder / "project", folder / "native", folder / "release"
    state_file, logfile = folder / "state.json", folder / "prepare.log"
    if args.rebuild or not state_file.exists():
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("# built stores and scratch files (re-creatable)\n*\n")
    facts: dict[str, Any] = {"kind": kind, "label": label, "project": str(project), "native": str(native)}
    if state_file.exists():
        facts = json.loads(state_file.read_text())
    reused = "ready" in facts
    facts.setdefault("steps", {})
    facts.setdefault("notes", [])

    def step(name: str, work: Any) -> None:
        if name in facts["steps"]:
            return
        log(f"{label}: {name}")
        facts["steps"][name] = work()
        state_file.write_text(json.dumps(facts, indent=1))

    ckg = [CLUSTERKG, "--project-dir", str(project)]
    limit = args.build_timeout
    try:
        if kind == "synth":
            size, seed = str(parse_size(args.triples)), str(args.seed)
            command = [CLUSTERKG, "synth", str(project), "--triples", size, "--seed", seed]
            step("clusterkg synth", lambda: fresh(project, command, limit, logfile))
            if not (project / "catalog").exists():  # synth copies no catalog/; publish reads catalog.toml
                shutil.copytree(REPO / "catalog", project / "catalog")
        else:
            step("copy the repository's folders", lambda: copy_real(project))
        step("clusterkg build", lambda: timed([*ckg, "build", "-q"], limit, logfile))
        step("clusterkg publish", lambda: publish(project, release, args, facts, logfile))
        step("gunzip clusterkg.nq.gz", lambda: gunzip(release / "clusterkg.nq.gz", folder / "dump.nq", facts))
        load = [OXIGRAPH, "load", "--location", str(native), "--file", str(folder / "dump.nq")]
        step("oxigraph load", lambda: fresh(native, load, limit, logfile))
        optimize = [OXIGRAPH, "optimize", "--location", str(native)]
        step("oxigraph optimize", lambda: timed(optimize, limit, logfile))
    except TooLong as exc:
        facts["failed"] = str(exc)
        log(f"{label}: {exc}; this data set is left out of the loads")
        return facts
    (folder / "dump.nq").unlink(missing_ok=True)
    facts["ready"] = True
    state_file.write_text(json.dumps(facts, indent=1))
    return {**facts, "reused": reused}


def fresh(target: Path, command: list[str], limit: float, logfile: Path) -> float:
    """`command`, which writes `target`, after removing what an interrupted run left there."""
    shutil.rmtree(target, ignore_errors=True)
    return timed(command, limit, logfile)


def copy_real(project: Path) -> float:
    shutil.rmtree(project, ignore_errors=True)
    for name in REAL_FOLDERS:
        shutil.copytree(REPO / name, project / name)
    return 0.0


def publish(
    project: Path, release: Path, args: argparse.Namespace, facts: dict[str, Any], logfile: Path
) -> float:
    """`clusterkg publish --out release`, the command a user runs, within --publish-timeout."""
    command = [CLUSTERKG, "--project-dir", str(project), "publish", "--out", str(release), "-q"]
    return timed(command, args.publish_timeout, logfile)


def gunzip(packed: Path, dump: Path, facts: dict[str, Any]) -> float:
    started = time.perf_counter()
    with gzip.open(packed, "rb") as source, open(dump, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    with open(dump, "rb") as lines:
        facts["dump_quads"] = sum(1 for _ in lines)
    return round(time.perf_counter() - started, 1)
