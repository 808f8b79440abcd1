"""Run ONE stage of the build in this process and print a JSON line with what it produced.

bench_build.py starts this script once per stage in a fresh process, so each stage's
time and peak memory are its own. Stages call the same library functions the
pipeline calls (clusterkg.pipeline / sources / validation / store).

    python benchmarks/stage.py sources PROJECT
    python benchmarks/stage.py mapping PROJECT OUT.nq
    python benchmarks/stage.py validation PROJECT DATA.nq PROGRESS.jsonl
    python benchmarks/stage.py load PROJECT DATA.nq STORE
    python benchmarks/stage.py bare-load DATA.nq STORE
    python benchmarks/stage.py normalise PROJECT OUT_DIR
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clusterkg import pipeline, sources, store, validation
from clusterkg.settings import Settings


def _settings(project: str) -> Settings:
    return Settings.from_env(project_dir=Path(project))


def run_sources(project: str) -> dict[str, Any]:
    settings = _settings(project)
    checked = sources.check_sources(settings.path("sources"), settings.path("reference"))
    return {"rows": sum(checked.row_counts.values()), "tables": len(checked.row_counts)}


def run_mapping(project: str, out: str) -> dict[str, Any]:
    rows, quads = pipeline.map_sources(_settings(project), Path(out))
    return {"rows": sum(rows.values()), "quads": quads}


def run_validation(project: str, data: str, progress_file: str, variant: str = "as-is") -> dict[str, Any]:
    """validate_nquads as the pipeline runs it, with per-step timings written as it goes.

    variant "no-sparql" drops the shapes' sh:sparql constraints first, to measure their cost.
    """
    settings = _settings(project)
    timings: dict[str, float] = {"partition": 0.0, "partition_graph": 0.0, "pyshacl": 0.0}
    with open(progress_file, "w", encoding="utf-8") as log:
        _instrument(timings, log)
        start = time.perf_counter()
        shapes = validation.load_shapes(settings.path("shapes"))
        if variant == "no-sparql":
            _drop_sparql_constraints(shapes)
        ontology = pipeline.load_ontology(settings)
        timings["load_shapes_ontology"] = time.perf_counter() - start
        report = validation.validate_nquads(Path(data), shapes, ontology, settings.validation_batch)
    violations = [r for r in report.results if r.severity == "Violation"]
    return {
        "triples": report.triples,
        "conforms": report.conforms,
        "results": len(report.results),
        "first_violations": [f"{r.focus} {r.path} {r.message}" for r in violations[:3]],
        "batch": settings.validation_batch,
        "variant": variant,
        "timings": timings,
    }


def _drop_sparql_constraints(shapes: Any) -> None:
    sparql = "http://www.w3.org/ns/shacl#sparql"
    for shape, constraint in list(shapes.subject_objects(validation.URIRef(sparql))):
        shapes.remove((shape, validation.URIRef(sparql), constraint))


def _instrument(timings: dict[str, float], log: Any) -> None:
    """Wrap validation's internal steps to time them; validate_nquads looks them up at call time."""

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = func(*args, **kwargs)
            elapsed = time.perf_counter() - start
            timings[name] += elapsed
            size = len(args[0]) if name == "pyshacl" else None
            log.write(json.dumps({"step": name, "seconds": round(elapsed, 3), "triples": size}) + "\n")
            log.flush()
            return result

        return wrapper

    validation._partition = timed("partition", validation._partition)  # type: ignore[attr-defined]
    validation._partition_graph = timed("partition_graph", validation._partition_graph)  # type: ignore[attr-defined]
    validation._run_pyshacl = timed("pyshacl", validation._run_pyshacl)  # type: ignore[attr-defined]


def run_load(project: str, data: str, store_path: str) -> dict[str, Any]:
    build = store.new_build(Path(store_path), Path(data))
    return {"quads": len(store.KnowledgeStore(build)), "build": str(build)}


def run_bare_load(data: str, store_path: str) -> dict[str, Any]:
    import pyoxigraph as ox  # the baseline: the library alone, no clusterkg code

    db = ox.Store(store_path)
    db.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
    db.flush()
    return {"quads": len(db)}


def run_normalise(project: str, out_dir: str) -> dict[str, Any]:
    """The checked source tables with their virtual *_iso3 columns filled in, as plain CSV."""
    import csv

    settings = _settings(project)
    checked = sources.check_sources(settings.path("sources"), settings.path("reference"))
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    rows = 0
    for url, table in checked.tables.items():
        header = [c.name for c in table.columns]
        with open(target / url, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            for record in checked.records(url):
                writer.writerow(["" if record.get(c) is None else record[c] for c in header])
                rows += 1
    return {"rows": rows, "tables": len(checked.tables)}


STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "sources": run_sources,
    "mapping": run_mapping,
    "validation": run_validation,
    "load": run_load,
    "bare-load": run_bare_load,
    "normalise": run_normalise,
}

if __name__ == "__main__":
    outcome = STAGES[sys.argv[1]](*sys.argv[2:])
    sys.stdout.write(json.dumps(outcome) + "\n")
