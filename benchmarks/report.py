"""Render the raw benchmark results (build.json) as the Markdown report (build.md)."""

from __future__ import annotations

from typing import Any

STAGES = [
    ("synth", "generate synthetic sources (not part of the build)"),
    ("sources", "sources check (CSVW schema, keys, references, countries)"),
    ("mapping", "mapping: RML → N-Quads (re-reads and re-checks the sources, as the pipeline does)"),
    ("validation", "SHACL validation (pyshacl, partitioned)"),
    ("validation without sh:sparql", "variant: the same validation with the sh:sparql constraints removed"),
    ("load", "store load (bulk_load + flush + optimize into a fresh build folder)"),
    ("whole build", "whole `clusterkg build` (shapes, mapping, validation, load, swap, counts)"),
    ("bare bulk_load", "baseline: pyoxigraph bulk_load of the same N-Quads into a fresh store"),
    ("Morph-KGC mapping", "baseline: Morph-KGC on the same, unmodified mappings and sources → N-Quads"),
]
BUILD_STAGES = ("mapping", "validation", "load")
GOAL_RATIO, GOAL_MIB = 2.0, 4096


def _quads(run: dict[str, Any]) -> int:
    return int(run["results"].get("mapping", {}).get("output", {}).get("quads", 0))


def _status(m: dict[str, Any]) -> str:
    if m["timed_out"]:
        return f"**stopped at the time limit** after {m['seconds']:.0f} s"
    if m["returncode"] != 0:
        first = (m.get("error") or "").strip().splitlines()
        return f"**failed** (exit {m['returncode']}): `{first[-1][:160] if first else ''}`"
    out = m.get("output", {})
    if "conforms" in out:
        return f"conforms: {out['conforms']}, {out['results']} result(s), batch {out['batch']}"
    return ""


def _row(name: str, what: str, m: dict[str, Any] | None, quads: int) -> str:
    if m is None:
        return f"| {what} | – | – | – | not run |"
    produced = int(m.get("output", {}).get("quads", 0)) if name == "Morph-KGC mapping" else quads
    rate = f"{produced / m['seconds']:,.0f}" if m["seconds"] and produced and name != "synth" else "–"
    return f"| {what} | {m['seconds']:.1f} | {rate} | {m['peak_mib']:,.0f} | {_status(m)} |"


def _build_seconds(run: dict[str, Any]) -> tuple[float | None, str]:
    res = run["results"]
    whole = res.get("whole build")
    if whole and whole["returncode"] == 0 and not whole["timed_out"]:
        return whole["seconds"], "whole `clusterkg build`"
    if all(s in res for s in BUILD_STAGES):
        stopped = any(res[s]["timed_out"] for s in BUILD_STAGES)
        how = "sum of mapping + validation + load" + (
            " (at least: a stage hit the time limit)" if stopped else ""
        )
        return sum(res[s]["seconds"] for s in BUILD_STAGES), how
    return None, ""


def _size_section(run: dict[str, Any]) -> list[str]:
    quads = _quads(run)
    lines = [
        f"### {run['label']} (target {run['target']:,} triples; mapped {quads:,} quads)",
        "",
        "| stage | seconds | triples/s | peak RSS (MiB) | notes |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [_row(name, what, run["results"].get(name), quads) for name, what in STAGES]
    morph = run["results"].get("Morph-KGC mapping")
    if morph and morph["returncode"] == 0 and quads:
        lines.append("")
        lines.append(f"Morph-KGC wrote {int(morph['output'].get('quads', 0)):,} quads; ours {quads:,}.")
    steps = run.get("validation_steps") or {}
    lines += ["", *_validation_breakdown("Validation", steps.get("validation", []), quads)]
    lines += [*_validation_breakdown("Without sh:sparql", steps.get("validation-no-sparql", []), quads), ""]
    return lines


def _validation_breakdown(
    title: str, steps: list[dict[str, Any]], quads: int, batch: int = 200_000
) -> list[str]:
    if not steps:
        return []
    sums: dict[str, float] = {}
    for step in steps:
        sums[step["step"]] = sums.get(step["step"], 0.0) + step["seconds"]
    shacl = [s for s in steps if s["step"] == "pyshacl"]
    checked = sum(s["triples"] or 0 for s in shacl)
    rate = checked / sums["pyshacl"] if sums.get("pyshacl") else 0
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in sums.items())
    total = -(-quads // batch) if quads else 0
    if shacl and len(shacl) < total:
        per_part = (sums.get("pyshacl", 0) + sums.get("partition_graph", 0)) / len(shacl)
        estimate = sums.get("partition", 0) + per_part * total
        parts += (
            f"; stopped after {len(shacl)} of {total} partitions: all partitions would take about "
            f"{estimate:,.0f} s, before the whole-graph constraints"
        )
    return [
        f"- {title} inside: {parts}; {len(shacl)} pyshacl partition(s) done over {checked:,} triples "
        f"(partition graphs include the ontology and the types of referenced objects): "
        f"pyshacl ran at {rate:,.0f} triples/s.",
    ]


def _ratios(runs: list[dict[str, Any]]) -> list[str]:
    lines = ["## Against the goals", ""]
    for run in runs:
        res = run["results"]
        build, how = _build_seconds(run)
        bare = res.get("bare bulk_load")
        if build and bare and bare["returncode"] == 0:
            ratio = build / bare["seconds"]
            verdict = "meets" if ratio <= GOAL_RATIO else "misses"
            lines.append(
                f"- **{run['label']}: build / bare bulk_load = {ratio:.1f}×** ({how} {build:.1f} s vs "
                f"{bare['seconds']:.1f} s); goal ≤ {GOAL_RATIO:.0f}× at 1M: {verdict}."
            )
            lines += _validation_share(run, build, bare["seconds"])
        peak = max((res[s]["peak_mib"] for s in (*BUILD_STAGES, "whole build") if s in res), default=0)
        if peak:
            verdict = "under" if peak < GOAL_MIB else "over"
            lines.append(
                f"- {run['label']}: peak memory of any build stage {peak:,.0f} MiB "
                f"({verdict} the {GOAL_MIB} MiB goal, which applies at 10M)."
            )
        lines += _morph_ratio(run)
    return [*lines, ""]


def _validation_share(run: dict[str, Any], build: float, bare: float) -> list[str]:
    validation = run["results"].get("validation")
    if not validation:
        return []
    share = validation["seconds"] / build
    without = (build - validation["seconds"]) / bare
    return [
        f"  - SHACL validation is {share:.0%} of that build ({validation['seconds']:.1f} s); without it the "
        f"build would be {without:.1f}× the bare bulk load."
    ]


def _morph_ratio(run: dict[str, Any]) -> list[str]:
    res = run["results"]
    ours, theirs = res.get("mapping"), res.get("Morph-KGC mapping")
    if not (ours and theirs):
        return []
    if theirs["returncode"] != 0 or theirs["timed_out"]:
        return [f"- {run['label']}: Morph-KGC did not finish: {_status(theirs)}"]
    return [
        f"- {run['label']}: our mapping {ours['seconds']:.1f} s vs Morph-KGC {theirs['seconds']:.1f} s "
        f"(ours takes {ours['seconds'] / theirs['seconds']:.2f}× Morph-KGC's time; "
        f"memory {ours['peak_mib']:,.0f} vs {theirs['peak_mib']:,.0f} MiB)."
    ]


def render(raw: dict[str, Any]) -> str:
    machine = raw["machine"]
    lines = [
        "# Build benchmark",
        "",
        f"Written by `benchmarks/bench_build.py`, run started {raw['started']}. "
        f"Machine: {machine['cpus']} CPUs, {machine['memory_gib']} GiB, Python {machine['python']}, "
        f"{machine['platform']}; load average at the end {tuple(round(x, 2) for x in machine['load'])}. "
        f"Morph-KGC {machine['morph_kgc']} (number_of_processes={machine['morph_processes']}), own venv.",
        "",
        "Each stage runs in its own process; seconds are wall-clock, triples/s is mapped quads per second, "
        "peak RSS is of the stage's whole process tree. Morph-KGC reads the project's own mappings/ and "
        "sources/, unmodified. Our mapping count includes the ontology and reference graphs, which are not "
        "mapped; Morph-KGC's includes the quads it adds by joining null keys (tests/test_morph_kgc.py).",
        "",
    ]
    if raw.get("note"):
        lines += [f"Note: {raw['note']}", ""]
    lines += _ratios(raw["runs"])
    lines += ["## Per size", ""]
    for run in raw["runs"]:
        lines += _size_section(run)
    return "\n".join(lines) + "\n"
