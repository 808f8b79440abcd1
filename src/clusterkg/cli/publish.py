"""`clusterkg publish` and `clusterkg diff`: write a release, compare two releases."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import pipeline
from .. import publish as releases
from ..errors import InputError
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
@click.option(
    "--check",
    is_flag=True,
    help="Then score the release's catalogue as data.europa.eu's MQA would (405 points) and list "
    "each indicator that falls short; exit 1 below full marks.",
)
@click.option(
    "--standards",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Standards folder the MQA check reads (default: CLUSTERKG_STANDARDS, else "
    "../shared/standards beside the project).",
)
@click.option(
    "--served-at",
    default="",
    metavar="URL",
    help="With --check: HEAD-request the access and download URLs where the release folder is "
    "served (the catalogue's download base replaced by URL) instead of looking in the folder.",
)
@click.pass_context
@handle_errors
def publish(
    ctx: click.Context,
    out: Path | None,
    store: Path | None,
    previous: Path | None,
    quiet: bool,
    check: bool,
    standards: Path | None,
    served_at: str,
) -> None:
    """Publish the store's public graphs as a release: dumps, DCAT-AP catalog, VoID, docs.

    The build must carry its gate's record that it conforms to the current shapes and ontology
    (`clusterkg build` writes it; exit 2 otherwise, with what to do), and its public graphs must
    hold no personal data (exit 1). The release replaces OUT in one atomic rename.

    With --check the written release is then scored by the MQA rules, offline: the access and
    download URLs count as reachable when the release folder holds what they name (with
    --served-at, when a HEAD request there succeeds). Exit 0 at
    405/405, 1 when an indicator falls short (the release is written either way), 2 when the
    standards folder is missing.
    """
    settings = _settings(ctx, store=store, dumps_dir=out)
    folder = _standards_folder(settings.project_dir, standards) if check else None
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
    if folder is not None:
        report = releases.assess_release(release.folder, folder, served_at=served_at)
        click.echo("\n" + report.to_text())
        if not report.full_marks:
            sys.exit(1)


def _standards_folder(project_dir: Path, given: Path | None) -> Path:
    """The standards folder: --standards, CLUSTERKG_STANDARDS, or ../shared/standards; checked first,
    so a missing folder stops before anything is written."""
    env = os.environ.get("CLUSTERKG_STANDARDS")
    folder = given or (Path(env) if env else project_dir.absolute().parent / "shared" / "standards")
    if not (folder / "mqa" / "indicators.json").is_file():
        raise InputError(
            f"the MQA check needs the standards folder, and {folder} has no mqa/indicators.json",
            hint="give --standards DIR or set CLUSTERKG_STANDARDS to the standards folder",
        )
    return folder.absolute()


@main.command()
@click.argument("old", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--limit", default=20, show_default=True, help="Resources listed per kind of change.")
@handle_errors
def diff(old: Path, new: Path, limit: int) -> None:
    """Compare two release folders: triples per graph, resources added, removed, changed."""
    click.echo(releases.diff_releases(old, new).to_text(limit))
