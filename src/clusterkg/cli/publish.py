"""`clusterkg publish` and `clusterkg diff`: write a release, compare two releases."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from .. import publish as releases
from . import _settings, handle_errors, main, store_option


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Release folder to write (default: the CLUSTERKG_DUMPS_DIR setting, dumps/).",
)
@store_option
@click.option(
    "--previous",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="An earlier release folder; what changed since goes into the version notes.",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not show progress.")
@click.pass_context
@handle_errors
def publish(
    ctx: click.Context, out: Path | None, store: Path | None, previous: Path | None, quiet: bool
) -> None:
    """Publish the store's public graphs as a release: dumps, DCAT-AP catalog, VoID, docs.

    The build must carry its gate's record that it conforms to the current shapes and ontology
    (`clusterkg build` writes it; exit 2 otherwise, with what to do), and its public graphs must
    hold no personal data (exit 1). The release replaces OUT in one atomic rename.
    """
    settings = _settings(ctx, store=store, dumps_dir=out)
    progress = (lambda _: None) if quiet else (lambda msg: click.echo(msg, err=True))
    release = pipeline.publish_release(settings, previous=previous, progress=progress)
    click.echo(
        f"Published release {settings.release_version} ({release.profile.triples} triples in "
        f"{len(release.graphs)} public graphs) to {release.folder}"
    )
    for dump in release.files:
        click.echo(f"  {dump.name:<22} {dump.size:>12} bytes  sha256 {dump.sha256[:16]}…")
    if release.diff is not None:
        click.echo(f"\nChanges since {previous}:\n{release.diff.to_text()}")


@main.command()
@click.argument("old", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--limit", default=20, show_default=True, help="Resources listed per kind of change.")
@handle_errors
def diff(old: Path, new: Path, limit: int) -> None:
    """Compare two release folders: triples per graph, resources added, removed, changed."""
    click.echo(releases.diff_releases(old, new).to_text(limit))
