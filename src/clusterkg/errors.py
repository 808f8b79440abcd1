"""The one exception tree of clusterkg.

Every error carries `hint`: what the user should do next. The CLI maps the
tree to exit codes: `InputError` → 2, `NonConformingError` → 1.
"""

from __future__ import annotations


class ClusterKGError(Exception):
    """Base of every error clusterkg raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(ClusterKGError):
    """Bad input or usage: a file, a setting, a query or a parameter is wrong."""


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


class SettingsError(InputError):
    """A setting has an invalid value."""


class StoreError(ClusterKGError):
    """The store is missing, locked or damaged."""


class QueryTimeout(StoreError):
    """A query ran past the time limit and was stopped."""


class QueryPoolBusy(StoreError):
    """Every query slot is taken; the caller should retry shortly."""


class Unauthorized(ClusterKGError):
    """A request carried a bearer token that is not the configured one."""


class NonConformingError(ClusterKGError):
    """The data does not conform to the shapes; `report` holds the results."""

    exit_code = 1

    def __init__(self, message: str, *, report: object, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.report = report
