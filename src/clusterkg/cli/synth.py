"""`clusterkg synth`: write a synthetic project folder of a chosen size, for benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from .. import synth as synthetic
from . import _settings, handle_errors, main


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--triples",
    "size",
    required=True,
    help="Approximate number of triples to generate: 100k, 1M, 250000…",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; same seed, same files.")
@click.pass_context
@handle_errors
def synth(ctx: click.Context, out: Path, size: str, seed: int) -> None:
    """Write a synthetic project into OUT: source records of the real shape, at any size.

    OUT gets sources/ (every table, every reference resolving, country names as documents
    write them) and copies of mappings/, shapes/, ontology/ and reference/, so
    `clusterkg --project-dir OUT build` runs on it. Same seed and size give the same bytes.
    """
    settings = _settings(ctx)
    report = synthetic.write_project(out, settings.project_dir, synthetic.parse_size(size), seed)
    rows = sum(report.rows.values())
    click.echo(f"Wrote {rows} records in {len(report.rows)} tables to {report.directory}")
    click.echo(f"About {report.estimated_triples} triples (estimate); build it with:")
    click.echo(f"  clusterkg --project-dir {report.directory} build --store {report.directory / 'var/store'}")
