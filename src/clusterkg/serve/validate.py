"""/validate: check RDF against the project's shapes, like the EU ITB SHACL validator.

POST the data as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML (by Content-Type), or from
the page's form; the answer is the W3C SHACL validation report as Turtle, JSON-LD or HTML (by
Accept). GET shows the form. The limits are those of /sparql: the body cap (BodyLimitMiddleware),
settings.query_timeout for the wait and the run together, settings.query_workers validations at
once with settings.query_queue more waiting (503 beyond). Each validation runs in a child process
(validation/posted.py) that is killed at the time limit and fetches nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import errors
from ..errors import ParameterError, QueryPoolBusy, QueryTimeout
from ..rdf import Graph
from ..settings import Settings
from ..validation import ValidationReport, load_shapes
from .negotiation import choose, request_languages
from .validate_page import form_page, report_page

if TYPE_CHECKING:
    from . import ServeContext

INPUT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
FORM = "application/x-www-form-urlencoded"
FORM_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}
FORM_FORMATS["rdfxml"] = "xml"
REPORT_TYPES = {"text/turtle": "turtle", "application/ld+json": "jsonld", "text/html": "html"}
_CHILD = [sys.executable, "-m", "clusterkg.validation.posted"]


class Validations:
    """The shapes (loaded once) and the admission of validations: `workers` run, `queue` wait."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.running = anyio.CapacityLimiter(max(1, settings.query_workers))
        self.admitted = 0
        self._shapes: Graph | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="clusterkg-validate-")
        self.shapes_file = Path(self._folder.name) / "shapes.nt"

    def shapes(self) -> Graph:
        if self._shapes is None:
            settings = self.settings
            shapes = load_shapes(settings.path("shapes"), settings.path("ontology"))
            self.shapes_file.write_text(shapes.serialize(format="nt"), encoding="utf-8")
            self._shapes = shapes
        return self._shapes

    async def validate(self, data: bytes, fmt: str) -> ValidationReport:
        settings = self.settings
        if self.admitted >= max(1, settings.query_workers) + settings.query_queue:
            raise QueryPoolBusy(
                "every validation slot is taken", hint="retry in a moment (see the Retry-After header)"
            )
        deadline = time.monotonic() + settings.query_timeout
        self.admitted += 1
        try:
            shapes = await anyio.to_thread.run_sync(self.shapes)
            with anyio.move_on_after(settings.query_timeout):
                async with self.running:
                    left = deadline - time.monotonic()
                    reply = await anyio.to_thread.run_sync(self._run, data, fmt, left)
                    return _report(reply, shapes)
            raise _timeout(settings.query_timeout)
        finally:
            self.admitted -= 1

    def _run(self, data: bytes, fmt: str, seconds: float) -> dict[str, Any]:
        header = {"format": fmt, "shapes": str(self.shapes_file), "memory_mb": self.settings.worker_memory_mb}
        try:
            done = subprocess.run(
                _CHILD,
                input=json.dumps(header).encode() + b"\n" + data,
                capture_output=True,
                timeout=max(seconds, 0.1),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:  # subprocess.run has killed the child
            raise _timeout(self.settings.query_timeout) from exc
        if done.returncode != 0 or not done.stdout:
            raise errors.QueryAborted(
                "the validation stopped before it finished (it needed more memory than a worker has)",
                hint="validate a smaller document, or use `clusterkg validate FILE` locally",
            )
        reply: dict[str, Any] = json.loads(done.stdout)
        return reply

    def close(self) -> None:
        self._folder.cleanup()


def _timeout(seconds: float) -> QueryTimeout:
    return QueryTimeout(
        f"the validation ran past the time limit ({seconds:g} s, as for SPARQL queries) and was stopped",
        hint="validate a smaller document, or use `clusterkg validate FILE` locally",
    )


def _report(reply: dict[str, Any], shapes: Graph) -> ValidationReport:
    if "error" in reply:
        error = reply["error"]
        kind = getattr(errors, str(error.get("class")), errors.RdfSyntaxError)
        kind = (
            kind if isinstance(kind, type) and issubclass(kind, errors.InputError) else errors.RdfSyntaxError
        )
        raise kind(str(error.get("message")), hint=str(error.get("hint", "")))
    report = ValidationReport.from_json(reply["report"])
    report.shapes = shapes
    return report


async def posted_data(request: Request) -> tuple[bytes, str]:
    """(data, rdflib format) of a POST: a body by its Content-Type, or the form's fields."""
    kind, *params = [p.strip().lower() for p in request.headers.get("content-type", "").split(";")]
    charset = next((p.split("=", 1)[1].strip('"') for p in params if p.startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ParameterError(
            f"charset {charset} is not supported", parameter="Content-Type", hint="send UTF-8"
        )
    body = await request.body()
    if kind == FORM:
        return _form_data(body)
    if kind not in INPUT_TYPES:
        raise ParameterError(
            f"Content-Type {kind or '(none)'} is not an RDF format this validator reads",
            parameter="Content-Type",
            hint="send " + ", ".join(sorted(INPUT_TYPES)) + f", or the form ({FORM})",
        )
    if not body.strip():
        raise ParameterError("the request body is empty", parameter="body", hint="POST the RDF to validate")
    return body, INPUT_TYPES[kind]


def _form_data(body: bytes) -> tuple[bytes, str]:
    try:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise ParameterError(
            "the form is not UTF-8", parameter="data", hint="send the form in UTF-8"
        ) from exc
    data, name = fields.get("data", ""), fields.get("format", "turtle")
    if not data.strip():
        raise ParameterError("no data to validate", parameter="data", hint="paste RDF into the data field")
    if name not in FORM_FORMATS:
        raise ParameterError(
            f"unknown format {name!r}", parameter="format", hint="one of " + ", ".join(FORM_FORMATS)
        )
    return data.encode("utf-8"), FORM_FORMATS[name]


def routes(context: ServeContext) -> list[BaseRoute]:
    validations = Validations(context.settings)

    async def endpoint(request: Request) -> Response:
        lang_prefs = request_languages(request.headers, request.cookies)
        if request.method != "POST":
            return Response(form_page(lang_prefs, request.url.path), media_type="text/html; charset=utf-8")
        wanted = choose(request.headers.get("accept"), list(REPORT_TYPES))
        if wanted is None:
            raise ParameterError(
                "no acceptable report format", parameter="Accept", hint="accept " + ", ".join(REPORT_TYPES)
            )
        data, fmt = await posted_data(request)
        report = await validations.validate(data, fmt)
        headers = {"Cache-Control": "no-store", "Vary": "Accept"}
        if REPORT_TYPES[wanted] == "html":
            page = report_page(report, lang_prefs, request.url.path)
            return Response(page, headers=headers, media_type="text/html; charset=utf-8")
        body = report.render(REPORT_TYPES[wanted])
        return Response(body, headers=headers, media_type=f"{wanted}; charset=utf-8")

    return [Route("/validate", endpoint, methods=["GET", "HEAD", "POST"], name="validate")]
