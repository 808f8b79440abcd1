"""Time `publish` against one bare N-Quads dump of the same store, at several sizes.

    PYTHONPATH=src .venv/bin/python benchmarks/publish_bench.py --sizes 1M 10M

For each size: `clusterkg synth` writes a synthetic project, its sources are mapped to
N-Quads and bulk-loaded (the SHACL gate is skipped: this measures publishing, not
validation), then in the same run the store is dumped to N-Quads (KnowledgeStore.dump)
and published with every format, checksums, VoID and the catalog (validate=False; the
validation step is timed on its own when --validate is given). Report:
benchmarks/reports/publish.md.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clusterkg import pipeline, store
from clusterkg import publish as releases
from clusterkg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "benchmarks" / "reports" / "publish.md"


def _make_store(root: Path, size: str) -> Settings:
    project = root / "project"
    subprocess.run(
        [sys.executable, "-m", "clusterkg.cli", "synth", "--triples", size, str(project)],
        check=True,
        capture_output=True,
    )
    shutil.copytree(REPO / "catalog", project / "catalog", dirs_exist_ok=True)
    settings = Settings.from_env(environ={}, project_dir=project, store=root / "store")
    nquads = root / "data.nq"
    pipeline.map_sources(settings, nquads)
    store.activate(settings.store, store.new_build(settings.store, nquads, pipeline.private_graphs(settings)))
    nquads.unlink()
    return settings


def _measure(size: str, validate: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        root = Path(tmp)
        settings = _make_store(root, size)
        kg = pipeline.open_store(settings)
        start = time.perf_counter()
        with open(root / "bare.nq", "wb") as f:
            kg.dump(f, "nquads")
        bare = time.perf_counter() - start
        start = time.perf_counter()
        release = releases.publish(settings, kg, root / "dumps")
        published = time.perf_counter() - start
        return {
            "size": size,
            "quads": len(kg),
            "public_triples": release.profile.triples,
            "bare": bare,
            "publish": published,
            "steps": release.seconds,
            "bytes": sum(f.size for f in release.files),
        }


def _report(rows: list[dict[str, object]]) -> str:
    lines = [
        "# publish benchmark",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{platform.processor() or 'cpu'}; run by `benchmarks/publish_bench.py`.",
        "",
        "Bare dump = `KnowledgeStore.dump` of the whole store to N-Quads. Publish = every release file "
        "(N-Quads gz, N-Triples gz, Turtle, JSON-LD, ontology and shapes in Turtle and RDF/XML, ontology "
        "HTML, catalog in three syntaxes, VoID, SHA256SUMS), canonical sorted output, personal-data check; "
        "goal: publish ≤ 3× bare dump.",
        "",
        "| size | quads in store | public triples | bare dump (s) | publish (s) | ratio | release bytes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = float(r["publish"]) / float(r["bare"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['size']} | {r['quads']} | {r['public_triples']} | {r['bare']:.2f} | {r['publish']:.2f} "
            f"| {ratio:.1f}× | {r['bytes']} |"
        )
    lines += ["", "Steps of publish (s):", ""]
    for r in rows:
        steps = ", ".join(f"{k} {v:.2f}" for k, v in r["steps"].items())  # type: ignore[union-attr]
        lines.append(f"- {r['size']}: {steps}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1M", "10M"])
    parser.add_argument("--validate", action="store_true", help="include the SHACL gate in publish")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        rows.append(_measure(size, args.validate))
        REPORT.write_text(_report(rows), encoding="utf-8")
        sys.stderr.write(_report(rows))


if __name__ == "__main__":
    main()
