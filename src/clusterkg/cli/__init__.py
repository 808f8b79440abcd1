"""The `clusterkg` command: a thin shell over the library.

The only place that prints and that turns errors into exit codes:
0 ok, 1 data does not conform, 2 bad input or usage.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__, pipeline
from ..errors import ClusterKGError, NonConformingError
from ..namespaces import PREFIXES
from ..settings import Settings, describe
from ..store import RDF_FORMATS, RESULT_FORMATS, ROWS, QueryRequest, text_table

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Print a ClusterKGError as a message and exit with its code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NonConformingError as exc:
            click.echo(exc.report.to_text() if hasattr(exc.report, "to_text") else "", err=True)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except ClusterKGError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def store_option(func: F) -> F:
    return click.option(
        "--store",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Store folder (default: the CLUSTERKG_STORE setting, var/store).",
    )(func)


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    base: Settings = ctx.obj
    given: dict[str, Any] = {
        k: (v.absolute() if isinstance(v, Path) else v) for k, v in overrides.items() if v is not None
    }
    return dataclasses.replace(base, **given).resolved()


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _echo_counts(title: str, counts: list[tuple[str, int]]) -> None:
    click.echo(f"\n{title}")
    width = max((len(_compact(k)) for k, _ in counts), default=0)
    for key, count in counts:
        click.echo(f"  {_compact(key).ljust(width)}  {count:>9}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkg")
@click.option(
    "--project-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder with sources/, mappings/, shapes/, ontology/ (default: CLUSTERKG_PROJECT_DIR or .).",
)
@click.pass_context
@handle_errors
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Publish a knowledge graph of European industry clusters as linked data.

    Settings come from CLUSTERKG_* environment variables; run `clusterkg settings` to list them.
    """
    ctx.obj = Settings.from_env(project_dir=project_dir)


@main.command()
@store_option
@click.option("--quiet", "-q", is_flag=True, help="Do not show progress.")
@click.pass_context
@handle_errors
def build(ctx: click.Context, store: Path | None, quiet: bool) -> None:
    """Map the sources, validate them against the shapes and load a fresh store.

    The new store replaces the current one atomically, and only when it is complete
    and valid; the previous build is kept for rollback.
    """
    settings = _settings(ctx, store=store)
    progress = (lambda _: None) if quiet else (lambda msg: click.echo(msg, err=True))
    summary = pipeline.build(settings, progress)
    click.echo(f"Built {summary.triples} public triples into {summary.store} -> {summary.build.name}")
    if summary.previous:
        click.echo(f"Previous build kept for rollback: {summary.previous}")
    _echo_counts("Triples per named graph:", summary.graph_counts)
    _echo_counts("Instances per class (public graphs):", summary.class_counts)
    if summary.report.results:  # warnings only (violations stop the build): show them here
        click.echo(f"\n{summary.report.to_text()}")
        click.echo("`clusterkg validate` (no files) shows this report again; --format turtle as SHACL.")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "jsonld", "json"]),
    default="text",
    show_default=True,
    help="text for people; turtle or jsonld: a W3C SHACL validation report; json: clusterkg's record.",
)
@store_option
@click.pass_context
@handle_errors
def validate(ctx: click.Context, files: tuple[Path, ...], fmt: str, store: Path | None) -> None:
    """Validate RDF files against the shapes; without files, show the current build's report.

    FILES may be in any release format (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD), each
    also gzipped (.gz). Exit code 0 when they conform, 1 when they do not, 2 when a file does not parse.
    """
    settings = _settings(ctx, store=store)
    if files:
        report = pipeline.validate_files(settings, list(files))
    else:
        build, report = pipeline.recorded_report(settings)
        if fmt == "text":
            click.echo(f"The validation recorded by the build {build}:", err=True)
    click.echo(report.render(fmt))
    if not report.conforms:
        sys.exit(1)


@main.command()
@click.argument("query")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld", "rdfxml"]),
    default=None,
    help="Output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE).",
)
@click.pass_context
@handle_errors
def sparql(ctx: click.Context, query: str, store: Path | None, fmt: str | None) -> None:
    """Run a SPARQL query against the public graphs of the local store.

    QUERY is the query text, @FILE to read it from a file, or - to read standard input.
    """
    text = _read_query(query)
    settings = _settings(ctx, store=store)
    kg = pipeline.open_store(settings)
    if fmt in (None, "table"):
        result = kg.execute(QueryRequest(text, fmt=ROWS, base_iri=settings.base_iri))
        if result.kind != "graph":
            click.echo(text_table(result))
            return
        fmt = "turtle"
    result = kg.execute(
        QueryRequest(
            text,
            fmt=fmt if fmt in RESULT_FORMATS else "json",
            graph_fmt=fmt if fmt in RDF_FORMATS else "turtle",
            base_iri=settings.base_iri,
        )
    )
    if (result.kind == "graph") != (fmt in RDF_FORMATS):
        wanted = (
            "an RDF format (turtle, ntriples, jsonld, rdfxml)"
            if result.kind == "graph"
            else "json, xml, csv or tsv"
        )
        raise click.BadParameter(
            f"{fmt} cannot hold this query's {result.kind} result: use {wanted}", param_hint="--format"
        )
    click.echo(result.body.decode("utf-8"), nl=False)


def _read_query(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        path = Path(query[1:])
        if not path.is_file():
            raise click.BadParameter(f"no such file: {path}", param_hint="QUERY")
        return path.read_text(encoding="utf-8")
    return query


@main.command()
@store_option
@click.pass_context
@handle_errors
def stats(ctx: click.Context, store: Path | None) -> None:
    """Summarise the store: size, named graphs, classes."""
    settings = _settings(ctx, store=store)
    kg = pipeline.open_store(settings)
    click.echo(f"Store: {settings.store} -> {kg.path.resolve().name}")
    triples, classes, graphs = kg.summary()
    click.echo(f"Public triples (default graph): {triples}")
    _echo_counts("Triples per named graph:", graphs)
    _echo_counts("Instances per class (public graphs):", classes)


@main.command(name="settings")
def show_settings() -> None:
    """List every setting with its environment variable, default and meaning."""
    for name, env, default, help_text in describe():
        click.echo(f"{name}\n  env: {env}\n  default: {default}\n  {help_text}\n")


# Commands that live in their own modules register themselves on `main` when imported.
from . import extra_commands  # noqa: E402,F401
