"""`clusterkg serve`: the SPARQL endpoint, the canned-query API and the linked-data pages."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import InputError
from ..settings import Settings
from . import _settings, handle_errors, main, store_option

if TYPE_CHECKING:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpTools
else:
    _HttpTools = object  # uvicorn is imported only when the server starts: `clusterkg --help` stays quick

STARTUP_FAILURE = 3  # uvicorn's exit code when the app's start-up fails
PORT_RANGE = (1, 65535)
PORTS = click.IntRange(*PORT_RANGE)
STATUS_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"


class _HeadersTooLarge(Exception):
    """Raised in a parser callback: stops httptools before the request reaches the app."""


class HeaderLimits(_HttpTools):
    """Bounds on what a client sends before its request starts, mixed into uvicorn's httptools protocol.

    At most `max_header_bytes` of request line and headers (else 431 and the connection closed), sent
    within `header_timeout` seconds of connecting or of the request's first byte (else the connection is
    closed): without them one client could hold a connection, and memory, for as long as it likes.
    """

    max_header_bytes = 65_536
    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _awaiting_headers = False
    _header_bytes = 0  # request line and complete headers, as the parser hands them on
    _unparsed_bytes = 0  # whole reads that ended inside the headers: a header the parser still holds
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn
        super().connection_made(transport)
        self._expect_headers()  # a client that connects and sends nothing is timed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting = self._awaiting_headers
        super().data_received(data)
        if waiting and self._awaiting_headers and not self.transport.is_closing():
            self._unparsed_bytes += len(data)  # one endless header never reaches on_header
            if self._unparsed_bytes > self.max_header_bytes:
                self._refuse_headers()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = self._unparsed_bytes = 0
        self._expect_headers()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # with ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        self._awaiting_headers = False
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers any exception from a parser callback with a 400; ours means 431
        if self._refused:
            self._refuse_headers()
        else:
            super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            self._refused = True
            raise _HeadersTooLarge

    def _expect_headers(self) -> None:
        self._awaiting_headers = True
        if self._header_timer is None:  # the first request's time runs from the connection
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        self.logger.info(
            "Closing a connection that sent no complete request headers in %ss", self.header_timeout
        )
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # a response still on its way (pipelining) finishes, then the close
        else:
            self.transport.close()

    def _refuse_headers(self) -> None:
        self._refused = True
        self._stop_header_timer()
        body = (
            f"Request header fields too large: this server reads at most {self.max_header_bytes} bytes "
            "of request line and headers; send fewer or shorter headers\n"
        ).encode()
        head = [
            STATUS_431,
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
        ]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def bounded_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with the header limits of `settings`."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpToolsProtocol(HeaderLimits, HttpToolsProtocol):
        max_header_bytes = settings.max_header_bytes
        header_timeout = settings.header_timeout

    return BoundedHttpToolsProtocol


def _check_port(port: int) -> None:
    """CLUSTERKG_PORT is checked here; --port is checked by click (PORTS)."""
    if not PORT_RANGE[0] <= port <= PORT_RANGE[1]:
        raise InputError(
            f"port {port} is out of range", hint="give a port from 1 to 65535 (--port or CLUSTERKG_PORT)"
        )


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything is printed: a busy port fails here, not after start-up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn; a listening port still fails
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port (or stop what is using this one), or check --host",
        ) from exc
    return sock


def _run(settings: Settings, sock: socket.socket, access_log: bool) -> None:
    """uvicorn on the already bound socket (what uvicorn.run does, minus the binding)."""
    import uvicorn

    from ..serve import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=bounded_protocol(settings),
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


@main.command()
@store_option
@click.option(
    "--host", default=None, help="Address to listen on (default: the CLUSTERKG_HOST setting, 127.0.0.1)."
)
@click.option(
    "--port", type=PORTS, default=None, help="Port to listen on (default: the CLUSTERKG_PORT setting, 8000)."
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request (costs throughput under load).",
)
@click.option(
    "--backend",
    default=None,
    metavar="URL",
    help="Answer from this SPARQL query endpoint (e.g. Oxigraph server's URL/query) instead of the store.",
)
@click.pass_context
@handle_errors
def serve(
    ctx: click.Context,
    store: Path | None,
    host: str | None,
    port: int | None,
    access_log: bool,
    backend: str | None,
) -> None:
    """Serve the store over HTTP: /sparql, /queries, and a page for every resource.

    Read-only and safe for the public internet: updates are refused, queries never call out,
    each query is stopped at the time limit (CLUSTERKG_QUERY_TIMEOUT), results are capped, and
    the contacts graph is visible only with the CLUSTERKG_PRIVATE_TOKEN bearer token. Request
    headers are capped too (CLUSTERKG_MAX_HEADER_BYTES, CLUSTERKG_HEADER_TIMEOUT).
    """
    from ..store import KnowledgeStore

    settings = _settings(ctx, store=store, host=host, port=port, backend_url=backend)
    _check_port(settings.port)
    if not settings.backend_url:
        KnowledgeStore(settings.store)  # fail fast, with the usual message, when there is no store
    sock = listen(settings.host, settings.port)  # before the message: a busy port is refused, exit 2
    click.echo(
        f"Serving {settings.store} on http://{settings.host}:{settings.port}/ (Ctrl-C to stop)", err=True
    )
    _run(settings, sock, access_log)
