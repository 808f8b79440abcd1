"""`clusterkg query`: run a canned query from queries/, on the local store or a remote endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline, queries
from ..queries import CannedQuery, Page
from ..store import Executor
from ..store.remote import RemoteEndpoint
from . import _settings, handle_errors, main, store_option

FORMATS = ["table", "json", "csv", "tsv"]


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="-p/--param")
        if key.strip() in pairs:
            raise click.BadParameter(f"{key.strip()!r} is given twice", param_hint="-p/--param")
        pairs[key.strip()] = value
    return pairs


def _listing(catalogue: dict[str, CannedQuery]) -> str:
    lines = []
    for query in catalogue.values():
        lines.append(f"{query.name}\n  {query.summary}")
        for p in query.parameters:
            need = "required" if p.required else f"optional, default {p.default}" if p.default else "optional"
            example = f", e.g. {p.example}" if p.example else ""
            lines.append(f"  -p {p.name}=…  {p.kind.spec} ({need}{example}): {p.description}")
    return "\n".join(lines)


def _render(page: Page, fmt: str) -> str:
    table = page.table
    if fmt == "json":
        return table.write(fmt) + "\n"
    if fmt in ("csv", "tsv"):
        return table.write(fmt)
    text = table.to_text()
    if page.total != len(table.rows):
        text += f"\n(rows {page.offset + 1}–{page.offset + len(table.rows)} of {page.total})"
    return text + "\n"


@main.command(name="query")
@click.argument("name", required=False)
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter value (repeatable)."
)
@click.option(
    "--endpoint", default=None, metavar="URL", help="Run against this SPARQL endpoint, not the local store."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Return at most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first.")
@click.option("--list", "list_only", is_flag=True, help="List the canned queries and their parameters.")
@click.option("--show-sparql", is_flag=True, help="Print the query (and its bindings) instead of running it.")
@store_option
@click.pass_context
@handle_errors
def query_command(
    ctx: click.Context,
    name: str | None,
    params: tuple[str, ...],
    endpoint: str | None,
    fmt: str,
    limit: int | None,
    offset: int,
    list_only: bool,
    show_sparql: bool,
    store: Path | None,
) -> None:
    """Run the canned query NAME from queries/, with parameters given as -p KEY=VALUE.

    Locally it runs on the public graphs of the store; with --endpoint on any SPARQL 1.1
    endpoint (clusterkg serve's /sparql, Oxigraph, Fuseki...). `clusterkg query --list` lists
    the queries and their parameters.
    """
    settings = _settings(ctx, store=store)
    catalogue = queries.load_queries(settings.path("queries"))
    if list_only:
        click.echo(_listing(catalogue))
        return
    if not name:
        raise click.UsageError("give a query NAME, or --list to see them")
    query = queries.find_query(catalogue, name)
    terms = queries.bind(query, _pairs(params), queries.term_context(settings))
    if show_sparql:
        click.echo(queries.with_values(query.sparql, terms))
        return
    executor: Executor
    if endpoint:
        executor = RemoteEndpoint(endpoint, timeout=settings.query_timeout, max_rows=settings.max_result_rows)
    else:
        executor = pipeline.open_store(settings, max_rows=settings.max_result_rows)
    page = queries.run_page(executor, query, terms, limit, offset)
    click.echo(_render(page, fmt), nl=False)
