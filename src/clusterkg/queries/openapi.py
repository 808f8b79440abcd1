"""The OpenAPI 3 description of the canned-query API: one path per query, one parameter per `#+ param`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import __version__
from .header import CannedQuery, Parameter
from .params import MAX_TEXT, IdType, IntegerType, IriType, LangStringType, ParamType, StringType

OPENAPI_VERSION = "3.0.3"
DEFAULT_LIMIT = 100  # rows per page when the request names no limit (capped at the server's row cap)
PAGING_DIGITS = 12  # limit and offset: enough for any result, short enough to parse cheaply
MAX_OFFSET = 10**PAGING_DIGITS - 1
MAX_INTEGER = 10**18 - 1  # integer parameters take at most 18 digits (queries.params.INTEGER)
# What the parameter types refuse, as JSON Schema: control characters (tab and newlines are text),
# and the characters N-Triples forbids in an IRI.
NO_CONTROL = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
IRI_CHARS = '[^\\u0000-\\u0020<>"{}|^`\\\\]'
IRI_PATTERN = f"^{IRI_CHARS}+$"
ID_PATTERN = f"^([A-Za-z][A-Za-z0-9+.-]*:{IRI_CHARS}*|([A-Za-z0-9._~-]|%[0-9A-Fa-f]{{2}})+)$"


def page_parameters(max_rows: int) -> dict[str, dict[str, Any]]:
    """limit, offset and format, as every query takes them; `max_rows` is the server's row cap."""
    return {
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": f"Rows per page, at most the server's row cap ({max_rows}).",
            "schema": {
                "type": "integer",
                "minimum": 0,
                "maximum": max_rows,
                "default": min(DEFAULT_LIMIT, max_rows),
            },
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Rows to skip before the page starts.",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        },
        "format": {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Response format; overrides the Accept header (any other value: 406).",
            "schema": {"type": "string", "enum": ["json", "csv", "html"]},
        },
    }


TERM_SCHEMA = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "xml:lang": {"type": "string"},
        "datatype": {"type": "string"},
    },
}
PAGE_SCHEMA = {
    "type": "object",
    "description": "A page of SPARQL 1.1 JSON results, with the paging facts beside head and results.",
    "required": ["query", "total", "offset", "head", "results"],
    "properties": {
        "query": {"type": "string"},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "total": {"type": "integer", "description": "Rows of the whole result, not just this page."},
        "limit": {"type": "integer", "nullable": True},
        "offset": {"type": "integer"},
        "next": {"type": "string", "nullable": True},
        "previous": {"type": "string", "nullable": True},
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {
            "type": "object",
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/Term"},
                    },
                }
            },
        },
    },
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API: what is wrong, what to do next, and the HTTP status.",
    "required": ["error", "hint", "status"],
    "properties": {
        "error": {"type": "string"},
        "hint": {"type": "string"},
        "status": {"type": "integer"},
        "parameter": {"type": "string", "description": "The (first) parameter whose value is wrong."},
        "problems": {
            "type": "object",
            "description": "What is wrong with each bad parameter, by name.",
            "additionalProperties": {"type": "string"},
        },
    },
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A documented error response: JSON with the Error schema, whatever format was asked for."""
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = {name: {"schema": schema} for name, schema in headers.items()}
    return response


RESPONSES: dict[str, dict[str, Any]] = {
    "BadParameter": _error(
        "A parameter is unknown, repeated, empty or malformed: `parameter` names it and `problems` "
        "says what is wrong with each bad one. JSON also when format=csv or format=html was asked for "
        "(a browser that asks HTML by its Accept header alone gets the query's form with the problems)."
    ),
    "Unauthorized": _error(
        "The request carried a bearer token that is not this server's; send the right one, or none.",
        {"WWW-Authenticate": {"type": "string"}},
    ),
    "NotAcceptable": {
        "description": "None of the formats this operation offers (its `format` values) is acceptable.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    },
    "Unavailable": _error(
        "The query ran past the time limit, or every query slot is taken; retry after Retry-After seconds.",
        {"Retry-After": {"type": "integer"}},
    ),
}
ERRORS = {"400": "BadParameter", "401": "Unauthorized", "406": "NotAcceptable", "503": "Unavailable"}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/{ERRORS[status]}"} for status in statuses}


def _schema(kind: ParamType) -> dict[str, Any]:
    """The JSON Schema of a parameter type, as close to the type's own check as a schema can be.

    A country needs the country table and an IRI the whole RFC 3987 grammar, so a value that fits
    the schema may still get the documented 400 that names its parameter."""
    schema = kind.schema()
    if isinstance(kind, IntegerType):
        schema.setdefault("minimum", -MAX_INTEGER)
        schema.setdefault("maximum", MAX_INTEGER)
    elif isinstance(kind, (StringType, LangStringType)):
        schema.update(minLength=1, maxLength=MAX_TEXT, pattern=NO_CONTROL)
    elif isinstance(kind, IriType):
        schema["pattern"] = IRI_PATTERN
    elif isinstance(kind, IdType):
        schema["pattern"] = ID_PATTERN
    elif schema["type"] == "string":
        schema.setdefault("minLength", 1)  # an empty value is refused, never taken as "not given"
    return schema


def _parameter(param: Parameter) -> dict[str, Any]:
    schema = _schema(param.kind)
    if param.default is not None:
        schema["default"] = int(param.default) if schema["type"] == "integer" else param.default
    spec: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": f"{param.description} ({param.kind.spec}: {param.kind.help})",
        "schema": schema,
    }
    if param.example is not None:
        spec["example"] = int(param.example) if schema["type"] == "integer" else param.example
    return spec


def _operation(query: CannedQuery) -> dict[str, Any]:
    paging = [{"$ref": f"#/components/parameters/{name}"} for name in ("limit", "offset", "format")]
    return {
        "operationId": "query_" + query.name.replace("-", "_"),
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags) or ["queries"],
        "parameters": [_parameter(p) for p in query.parameters] + paging,
        "responses": {
            "200": {
                "description": "One page of the results, with the total number of rows.",
                "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ResultPage"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            **_errors("400", "401", "406", "503"),
        },
    }


def _listing() -> dict[str, Any]:
    return {
        "operationId": "list_queries",
        "summary": "The canned queries and their parameters",
        "tags": ["queries"],
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "Response format; overrides the Accept header (any other value: 406).",
                "schema": {"type": "string", "enum": ["json", "html"]},
            }
        ],
        "responses": {
            "200": {
                "description": "Every canned query.",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            **_errors("400", "406"),
        },
    }


def document(
    queries: Mapping[str, CannedQuery], server_url: str = "/", *, max_rows: int = 10_000
) -> dict[str, Any]:
    """The OpenAPI 3 document for `queries` as served under `server_url`, with `max_rows` the row cap."""
    paths: dict[str, Any] = {"/queries": {"get": _listing()}}
    for name, query in sorted(queries.items()):
        paths[f"/queries/{name}"] = {"get": _operation(query)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "clusterkg canned queries",
            "version": __version__,
            "description": "Ready-made SPARQL queries over the clusterkg knowledge graph, as a REST API. "
            "Parameter values are bound as RDF terms, never pasted into the query text.",
        },
        "servers": [{"url": server_url}],
        "externalDocs": {  # the same document as a page for people (serve/openapi_page.py)
            "description": "This document as a browsable page",
            "url": server_url.rstrip("/") + "/openapi",
        },
        "paths": paths,
        "components": {
            "parameters": page_parameters(max_rows),
            "schemas": {"ResultPage": PAGE_SCHEMA, "Term": TERM_SCHEMA, "Error": ERROR_SCHEMA},
            "responses": RESPONSES,
        },
    }
