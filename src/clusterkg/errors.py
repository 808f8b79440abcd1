"""The one exception tree of clusterkg.

Every error carries `hint`: what the user should do next. The CLI maps the
tree to exit codes (`InputError` → 2, `NonConformingError` → 1); the server maps it to HTTP
statuses through `http_status`, in one exception handler.
"""

from __future__ import annotations


class ClusterKGError(Exception):
    """Base of every error clusterkg raises on purpose."""

    exit_code = 2
    http_status = 500
    retry_after: int | None = None

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(ClusterKGError):
    """Bad input or usage: a file, a setting, a query or a parameter is wrong."""

    http_status = 400


class SourceError(InputError):
    """A source record file is broken; names file, row and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
        hint: str = "",
    ) -> None:
        where = file
        if row is not None:
            where += f", row {row}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}", hint=hint)
        self.file, self.row, self.column = file, row, column


class MappingError(InputError):
    """An RML mapping is malformed or refers to something that does not exist."""


class RdfSyntaxError(InputError):
    """An RDF file (shapes, ontology, data) does not parse."""


class QueryError(InputError):
    """A SPARQL query is malformed, or a canned query got a bad parameter."""


class GeoDataError(InputError):
    """Country outlines are missing or unreadable, or a country code has no outline."""


class SettingsError(InputError):
    """A setting has an invalid value."""


class StoreError(ClusterKGError):
    """The store is missing, locked or damaged."""


class ParameterError(QueryError):
    """A request parameter is missing, unknown or malformed; names it (and every other bad one)."""

    def __init__(
        self, message: str, *, parameter: str, problems: dict[str, str] | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.parameter = parameter
        self.problems = dict(problems or {parameter: message})

    @property
    def details(self) -> dict[str, object]:
        return {"parameter": self.parameter, "problems": self.problems}


class QueryAborted(QueryError):
    """A query stopped its worker: it needed more memory or nesting than a worker allows."""


class QueryTimeout(StoreError):
    """A query ran past the time limit and was stopped."""

    http_status = 503


class QueryPoolBusy(StoreError):
    """Every query slot is taken; the caller should retry shortly."""

    http_status = 503
    retry_after = 2


class BackendUnavailable(StoreError):
    """A remote SPARQL endpoint cannot be reached or answers with a server error."""

    http_status = 502


class BuildLocked(StoreError):
    """Another build or publish holds the store's lock."""


class NotFound(ClusterKGError):
    """No such resource, graph or query."""

    http_status = 404


class Unauthorized(ClusterKGError):
    """A request carried a bearer token that is not the configured one."""

    http_status = 401


class NonConformingError(ClusterKGError):
    """The data does not conform to the shapes; `report` holds the results."""

    exit_code = 1

    def __init__(self, message: str, *, report: object, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.report = report


class ShapesError(InputError):
    """The shapes graph is not valid SHACL, or leaves ontology classes unchecked; names file and shape."""
