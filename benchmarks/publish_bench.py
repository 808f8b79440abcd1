"""The real `clusterkg publish` against one bare N-Quads dump of the same store, at several sizes.

    .venv/bin/python benchmarks/publish_bench.py --sizes 1M 10M

For each size: `clusterkg synth` writes a synthetic project and `clusterkg build` builds it (the real
build, so the build carries its validation record, as it must for publish). Then, each in a process of
its own under GNU time (wall seconds and peak resident memory), side by side in the same run:

- bare dump: pyoxigraph `Store.dump` of the build's public store to one N-Quads file;
- publish: the `clusterkg publish` command a user runs, end to end (every release file, the record check,
  the personal-data check; no SHACL: publish trusts the build's gate).

Report: benchmarks/reports/publish.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPORT = REPO / "benchmarks" / "reports" / "publish.md"
BARE_DUMP = (
    "import pyoxigraph as ox, sys; "
    "ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)"
)


def timed(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout) of `command`, run under /usr/bin/time -v."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, int(peak.group(1)) // 1024 if peak else 0, done.stdout


def _measure(size: str, work: Path, built: Path | None = None) -> dict[str, object]:
    folder = work / size
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    project = built or folder / "project"
    clusterkg = [str(BIN / "clusterkg"), "--project-dir", str(project)]
    if built is None:
        subprocess.run(
            [BIN / "clusterkg", "synth", str(project), "--triples", size], check=True, capture_output=True
        )
        shutil.copytree(REPO / "catalog", project / "catalog", dirs_exist_ok=True)
    build = timed([*clusterkg, "build", "--quiet"]) if built is None else (0.0, 0, "")
    public = (project / "var" / "store").resolve() / "public"
    bare = timed([str(BIN / "python"), "-c", BARE_DUMP, str(public), str(folder / "bare.nq")])
    published = timed([*clusterkg, "publish", "--quiet", "--out", str(folder / "dumps")])
    triples = re.search(r"\((\d+) triples", published[2])
    row: dict[str, object] = {
        "size": size,
        "public_triples": int(triples.group(1)) if triples else 0,
        "build": build[:2],
        "bare": bare[:2],
        "publish": published[:2],
        "bytes": sum(p.stat().st_size for p in (folder / "dumps").iterdir()),
    }
    shutil.rmtree(folder, ignore_errors=True)
    return row


def _report(rows: list[dict[str, object]]) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [
        "# publish benchmark",
        "",
        f"Written by `benchmarks/publish_bench.py` on {time.strftime('%Y-%m-%d %H:%M')}; "
        f"{platform.platform()}, Python {platform.python_version()}, 2 shared cores, "
        f"load average at the end {' '.join(load)}.",
        "",
        "Each figure is one process under GNU time. Bare dump = pyoxigraph `Store.dump` of the build's "
        "public store to N-Quads. Publish = the real `clusterkg publish` command end to end (N-Quads gz, "
        "N-Triples gz, Turtle, JSON-LD, ontology and shapes in Turtle and RDF/XML, ontology HTML, catalog "
        "in three syntaxes, VoID, SHA256SUMS; canonical sorted output; the validation-record and "
        "personal-data checks). "
        "Goal: publish within 2× the bare dump, peak memory under 2 GB at 10M.",
        "",
        "| size | public triples | bare dump (s) | publish (s) | publish / bare | peak MiB bare "
        "| peak MiB publish | release bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        bare, pub = r["bare"], r["publish"]
        lines.append(
            f"| {r['size']} | {r['public_triples']:,} | {bare[0]:.1f} | {pub[0]:.1f} "  # type: ignore[index]
            f"| **{pub[0] / bare[0]:.2f}×** | {bare[1]:,} | {pub[1]:,} | {r['bytes']:,} |"  # type: ignore[index]
        )
    lines += ["", "For reference, the `clusterkg build` that made each store (s, peak MiB):", ""]
    lines += [
        f"- {r['size']}: {r['build'][0]:.1f} s, {r['build'][1]:,} MiB"  # type: ignore[index]
        if r["build"][0]  # type: ignore[index]
        else f"- {r['size']}: built before the run (`--built`), not timed here"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1M", "10M"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/clusterkg-publish-bench"))
    parser.add_argument(
        "--built", nargs="*", type=Path, default=[], help="a built synthetic project per size, in order"
    )
    args = parser.parse_args()
    rows = []
    for i, size in enumerate(args.sizes):
        rows.append(_measure(size, args.work, args.built[i] if i < len(args.built) else None))
        REPORT.write_text(_report(rows), encoding="utf-8")
        sys.stderr.write(_report(rows))


if __name__ == "__main__":
    main()
