"""The OpenAPI 3 description of the canned-query API: one path per query, one parameter per `#+ param`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import __version__
from .header import CannedQuery, Parameter

OPENAPI_VERSION = "3.0.3"
PAGE_PARAMETERS: dict[str, dict[str, Any]] = {
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Rows per page (at most the server's row cap).",
        "schema": {"type": "integer", "minimum": 0, "default": 100},
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "required": False,
        "description": "Rows to skip before the page starts.",
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
    "format": {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Response format; overrides the Accept header.",
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
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "parameter": {"type": "string", "description": "The parameter whose value is wrong."},
        "problems": {"type": "object", "additionalProperties": {"type": "string"}},
        "hint": {"type": "string"},
    },
}


def _parameter(param: Parameter) -> dict[str, Any]:
    schema = param.kind.schema()
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
    paging = [{"$ref": f"#/components/parameters/{name}"} for name in PAGE_PARAMETERS]
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
            "400": {"$ref": "#/components/responses/BadParameter"},
            "406": {"description": "None of the offered formats is acceptable."},
            "503": {"description": "The query ran past the time limit, or the server is busy."},
        },
    }


def _listing() -> dict[str, Any]:
    return {
        "operationId": "list_queries",
        "summary": "The canned queries and their parameters",
        "tags": ["queries"],
        "parameters": [{"$ref": "#/components/parameters/format"}],
        "responses": {
            "200": {
                "description": "Every canned query.",
                "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {}},
            }
        },
    }


def document(queries: Mapping[str, CannedQuery], server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3 document for `queries` as served under `server_url`."""
    paths: dict[str, Any] = {"/queries": {"get": _listing()}}
    for name, query in sorted(queries.items()):
        paths[f"/queries/{name}"] = {"get": _operation(query)}
    bad = {
        "description": "A parameter value is missing or malformed; `parameter` names it.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "clusterkg canned queries",
            "version": __version__,
            "description": "Ready-made SPARQL queries over the clusterkg knowledge graph, as a REST API. "
            "Parameter values are bound as RDF terms, never pasted into the query text.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "parameters": PAGE_PARAMETERS,
            "schemas": {"ResultPage": PAGE_SCHEMA, "Term": TERM_SCHEMA, "Error": ERROR_SCHEMA},
            "responses": {"BadParameter": bad},
        },
    }
