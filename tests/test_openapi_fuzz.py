"""schemathesis against /openapi.json of a real `clusterkg serve`: every documented operation, all checks.

It runs the schemathesis command line (its stable interface) against `running_server`, so requests go
through uvicorn and the header limits too. Deterministic generation and a bounded number of examples
keep it repeatable and under a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from serve_support import running_server
from test_http_edges import project_with_queries

from clusterkg import queries
from clusterkg.queries.params import CountryType, IdType, IriType

MAX_EXAMPLES = 25
# Values whose validity a JSON Schema cannot state: a country must be one the country resolver knows,
# an IRI must meet the whole RFC 3987 grammar (the schema's pattern only approximates it). For an
# operation taking one, a schema-valid value may get the documented 400 that names the parameter
# (response_schema_conformance still checks that body); anywhere else such a 400 is a failure.
LOOKED_UP = (CountryType, IriType, IdType)
POSITIVE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]


def _config(project: Path, folder: Path) -> Path:
    """A schemathesis.toml that allows the documented 400 where the schema cannot be exact."""
    catalogue = queries.load_queries(project / "queries")
    looked_up = [
        "query_" + name.replace("-", "_")
        for name, query in sorted(catalogue.items())
        if any(isinstance(p.kind, LOOKED_UP) for p in query.parameters)
    ]
    statuses = ", ".join(f'"{s}"' for s in POSITIVE_STATUSES)
    ids = ", ".join(f'"{i}"' for i in looked_up)
    path = folder / "schemathesis.toml"
    path.write_text(
        "[[operations]]\n"
        f"include-operation-id = [{ids}]\n"
        f"checks.positive_data_acceptance.expected-statuses = [{statuses}]\n",
        encoding="utf-8",
    )
    return path


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    project = project_with_queries(tmp_path / "project")
    config = _config(project, tmp_path)
    with running_server(project) as root:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{root}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",  # the same cases every run
            "--workers",
            "1",
            "--suppress-health-check",
            "all",  # the tiny sample store answers fast; no health check is about our API
            "--no-color",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-2_000:]
    assert "No issues found" in result.stdout
