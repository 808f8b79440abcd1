"""`clusterkg serve`: the SPARQL endpoint, the canned-query API and the linked-data pages."""

from __future__ import annotations

from pathlib import Path

import click

from . import _settings, handle_errors, main, store_option


@main.command()
@store_option
@click.option(
    "--host", default=None, help="Address to listen on (default: the CLUSTERKG_HOST setting, 127.0.0.1)."
)
@click.option(
    "--port", type=int, default=None, help="Port to listen on (default: the CLUSTERKG_PORT setting, 8000)."
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request (costs throughput under load).",
)
@click.pass_context
@handle_errors
def serve(
    ctx: click.Context, store: Path | None, host: str | None, port: int | None, access_log: bool
) -> None:
    """Serve the store over HTTP: /sparql, /queries, and a page for every resource.

    Read-only and safe for the public internet: updates are refused, queries never call out,
    each query is stopped at the time limit (CLUSTERKG_QUERY_TIMEOUT), results are capped, and
    the contacts graph is visible only with the CLUSTERKG_PRIVATE_TOKEN bearer token.
    """
    import uvicorn

    from ..serve import create_app
    from ..store import KnowledgeStore

    settings = _settings(ctx, store=store, host=host, port=port)
    KnowledgeStore(settings.store)  # fail fast, with the usual message, when there is no store
    click.echo(
        f"Serving {settings.store} on http://{settings.host}:{settings.port}/ (Ctrl-C to stop)", err=True
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
    )
