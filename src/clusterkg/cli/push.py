"""`clusterkg push`: load the current build into an existing SPARQL engine, or roll the engine back."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from ..store.engines import PROFILES
from ..store.push import Engine
from . import _settings, handle_errors, main, store_option


@main.command()
@click.argument("url", required=False)
@click.option(
    "--engine",
    type=click.Choice(sorted(PROFILES)),
    default=None,
    help="The engine at URL (default: the push_engine setting, oxigraph); it sets the endpoint paths "
    "and where the merged default graph goes.",
)
@click.option(
    "--query-url", default=None, help="The engine's SPARQL query endpoint (default: from URL and --engine)."
)
@click.option(
    "--update-url", default=None, help="The engine's SPARQL Update endpoint (default: from URL and --engine)."
)
@click.option(
    "--store-url",
    default=None,
    help="The engine's Graph Store Protocol endpoint (default: from URL and --engine).",
)
@click.option("--rollback", is_flag=True, help="Swap the engine's previous release back in (in one update).")
@store_option
@click.option("--quiet", "-q", is_flag=True, help="Do not show progress.")
@click.pass_context
@handle_errors
def push(
    ctx: click.Context,
    url: str | None,
    engine: str | None,
    query_url: str | None,
    update_url: str | None,
    store_url: str | None,
    rollback: bool,
    store: Path | None,
    quiet: bool,
) -> None:
    """Push the build's public graphs into the SPARQL engine at URL (its root URL; Fuseki: the dataset's).

    Every public named graph goes in under its own name and the merged default graph into the
    engine's default graph; never the contacts graph. Each graph is loaded into a staging graph,
    verified (triple count and SHA-256 of its canonical N-Triples), and all are switched in by one
    SPARQL Update, so readers see the old release or the new one, never a mix. The release that
    was live stays in the engine for `--rollback`. A push that was interrupted resumes, keeping
    the staging graphs that verified. On any failure the live graphs stay as they were (exit 2).
    Endpoints and credentials also come from the CLUSTERKG_PUSH_* settings. Virtuoso (--engine
    virtuoso, digest authentication as dba) answers default-graph queries from the union of all
    its graphs: the merged default graph goes into its own named graph there, and readers scope
    their queries to the live graphs (`clusterkg serve --backend` does).
    """
    settings = _settings(ctx, store=store)
    target = Engine.from_settings(
        settings, url or "", engine or "", query_url=query_url, update_url=update_url, store_url=store_url
    )
    progress = (lambda _: None) if quiet else (lambda msg: click.echo(msg, err=True))
    report = pipeline.push_release(settings, target, rollback=rollback, progress=progress)
    if report.action == "rolled back":
        click.echo(f"Rolled back {target.update_url}: release {report.release or '(unnamed)'} is live again")
        return
    named = [p for p in report.graphs if p.graph]
    total = sum(p.triples for p in report.graphs if not p.graph)
    click.echo(f"Release {report.release} {report.action} at {target.query_url}: {len(named)} named graphs")
    for payload in named:
        kept = " (kept from an interrupted push)" if payload.graph in report.resumed else ""
        click.echo(f"  {payload.graph:<70} {payload.triples:>9} triples{kept}")
    click.echo(f"  default graph (the merge){'':<45} {total:>9} triples")
