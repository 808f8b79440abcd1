"""Run Morph-KGC on the project's own mappings/ and sources/, unmodified.

Morph-KGC lives in its own venv, tools/morph/.venv (`make morph-deps`, pinned by
tools/morph/requirements.txt), since it pins old pyoxigraph and rdflib. Nothing is
rewritten: the mapping files write absolute IRIs, `rml:constant` for IRIs without a
reference, plain `rml:source` paths and real `country_iso3` columns. Morph-KGC opens a
relative `rml:source` from its working directory where RML (and clusterkg) resolve it
against the mapping file, so it runs in the mappings folder.

Morph-KGC joins null keys (an empty child cell matches an empty parent cell); RML-Core
says a null never joins. `null_join_quads` gives exactly the quads that adds: clusterkg's
own mapping run with the empty cells of join columns read as one ordinary value.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from clusterkg import mapping, sources
from clusterkg.mapping import MappingDocument
from clusterkg.namespaces import DEFAULT_BASE_IRI

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / "tools" / "morph" / ".venv"
READY = VENV / ".installed"  # written by `make morph-deps` once the pinned install succeeded
_NULL = "nulljoin0c1f7e"  # stands for an empty join cell; never in real data


def write_config(mappings: Path, output: Path, config: Path, processes: int = 1) -> Path:
    """A Morph-KGC config: one data source over every mapping file, N-Quads out, only "" is null."""
    files = ",".join(str(p.resolve()) for p in sorted(mappings.glob("*.rml.ttl")))
    config.write_text(
        "[CONFIGURATION]\n"
        f"output_file={output.resolve()}\n"
        "output_format=N-QUADS\n"
        f"number_of_processes={processes}\n"
        "na_values=\n"
        "logging_level=WARNING\n\n"
        "[DataSource1]\n"
        f"mappings={files}\n",
        encoding="utf-8",
    )
    return config


def command(config: Path) -> list[str]:
    return [str(VENV / "bin" / "python"), "-m", "morph_kgc", str(config.resolve())]


def run(project: Path, work: Path, timeout: float = 900) -> Path:
    """Morph-KGC's N-Quads for `project` (its mappings/ and sources/), written under `work`."""
    output = work / "morph.nq"
    config = write_config(project / "mappings", output, work / "morph.ini")
    done = subprocess.run(
        command(config), cwd=project / "mappings", capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0 or not output.is_file():
        raise RuntimeError(f"Morph-KGC failed ({done.returncode}): {done.stderr[-2000:]}")
    return output


def version() -> str:
    dist = next(VENV.glob("lib/python*/site-packages/morph_kgc-*.dist-info"), None)
    return dist.name.removesuffix(".dist-info").split("-")[1] if dist else "not installed"


def clusterkg_quads(project: Path, *, nulls_join: bool = False) -> Iterator[str]:
    """clusterkg's mapped N-Quads lines (no ontology or reference graphs), as the build maps them.
    With `nulls_join`, the empty cells of join columns join each other, as in Morph-KGC; the
    quads that then carry the stand-in value itself are left out."""
    checked = sources.check_sources(project / "sources", project / "reference")
    rules = mapping.load_mappings(
        sorted((project / "mappings").glob("*.rml.ttl")), rebase=mapping.project_rebase(DEFAULT_BASE_IRI)
    )
    reader = checked.reader()
    if nulls_join:
        columns = _join_columns(rules)

        def read(path: Path, formulation: str) -> Iterator[sources.Row] | None:
            rows = reader(path, formulation)
            wanted = columns.get(path.resolve(), set())
            return (
                None
                if rows is None
                else ({k: _NULL if v is None and k in wanted else v for k, v in r.items()} for r in rows)
            )

        lines = mapping.generate_quads(rules, base_iri=DEFAULT_BASE_IRI, read_records=read)
        return (line for line in lines if _NULL not in line)
    return mapping.generate_quads(rules, base_iri=DEFAULT_BASE_IRI, read_records=reader)


def null_join_quads(project: Path) -> set[str]:
    """The quads Morph-KGC adds by joining null keys: those of the null-joining run not in ours."""
    return set(clusterkg_quads(project, nulls_join=True)) - set(clusterkg_quads(project))


def _join_columns(rules: MappingDocument) -> dict[Path, set[str]]:
    """Source file → the columns its rows are joined on, as child or as parent."""
    by_name = {tm.name: tm for tm in rules.triples_maps}
    columns: dict[Path, set[str]] = {}
    for tm in rules.triples_maps:
        for pom in tm.predicate_object_maps:
            for ref in pom.ref_objects:
                parent = by_name[ref.parent]
                for join in ref.joins:
                    columns.setdefault(tm.source.path.resolve(), set()).add(join.child.reference or "")
                    columns.setdefault(parent.source.path.resolve(), set()).add(join.parent.reference or "")
    return columns
