"""The OpenAPI document as a page for people, rendered on the server from the document itself.

No Swagger UI and nothing from a CDN: each operation with its parameters (references resolved),
their allowed values, and its responses; then the schemas. Every value from the document is escaped.
"""

from __future__ import annotations

from typing import Any

from .html import esc, table
from .i18n import say

Spec = dict[str, Any]


def resolve(document: Spec, item: Spec) -> Spec:
    """`item`, or what its local `$ref` (#/components/…) points at."""
    ref = item.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return item
    target: Any = document
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return target if isinstance(target, dict) else {}


def scrolled(html: str) -> str:
    """A wide table scrolls in its own box, so a small screen never scrolls the whole page sideways."""
    return f'<div class="scroll">{html}</div>'


def schema_text(schema: Spec) -> str:
    """A schema in a few words: its type, allowed values, bounds, default and pattern."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    parts = [str(schema.get("type", "any"))]
    if "enum" in schema:
        parts.append("∈ {" + ", ".join(str(v) for v in schema["enum"]) + "}")
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}..{schema.get('maximum', '')}")
    if "maxLength" in schema:
        parts.append(f"len ≤ {schema['maxLength']}")
    if "default" in schema:
        parts.append(f"= {schema['default']}")
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        parts[0] = schema_text(schema["items"]) + "[]"
    return " ".join(parts)


def _parameters(document: Spec, operation: Spec, lang: str) -> str:
    rows = []
    for item in operation.get("parameters", []):
        param = resolve(document, item)
        example = f" ({say(lang, 'queries.example')}: {param['example']})" if "example" in param else ""
        rows.append(
            [
                f"<code>{esc(param.get('name', ''))}</code>",
                esc(say(lang, "api.yes" if param.get("required") else "api.no")),
                f"<code>{esc(schema_text(param.get('schema', {})))}</code>",
                esc(str(param.get("description", "")) + example),
            ]
        )
    headers = [say(lang, k) for k in ("api.name", "api.required", "api.schema", "api.description")]
    return f"<h3>{esc(say(lang, 'queries.parameters'))}</h3>" + scrolled(
        table(headers, rows, "api-parameters")
    )


def _responses(document: Spec, operation: Spec, lang: str) -> str:
    rows = []
    for status, item in operation.get("responses", {}).items():
        response = resolve(document, item)
        rows.append(
            [
                f"<code>{esc(status)}</code>",
                esc(response.get("description", "")),
                esc(", ".join(response.get("content", {}))),
            ]
        )
    headers = [say(lang, k) for k in ("api.status", "api.description", "api.content")]
    return f"<h3>{esc(say(lang, 'api.responses'))}</h3>" + scrolled(table(headers, rows, "api-responses"))


def _operation(document: Spec, path: str, method: str, operation: Spec, lang: str) -> str:
    anchor = esc(operation.get("operationId", path))
    try_it = "" if "{" in path else f' <a class="try" href="{esc(path)}">{esc(say(lang, "api.try"))}</a>'
    return (
        f'<section class="operation" id="{anchor}"><h2><code>{esc(method.upper())} {esc(path)}</code></h2>'
        f"<p><b>{esc(operation.get('summary', ''))}</b>{try_it}</p>"
        f"<p>{esc(operation.get('description', ''))}</p>"
        f"{_parameters(document, operation, lang)}{_responses(document, operation, lang)}</section>"
    )


def _schemas(document: Spec, lang: str) -> str:
    sections = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        rows = [
            [
                f"<code>{esc(prop)}</code>",
                f"<code>{esc(schema_text(spec))}</code>",
                esc(spec.get("description", "")),
            ]
            for prop, spec in schema.get("properties", {}).items()
        ]
        headers = [say(lang, k) for k in ("api.property", "api.type", "api.description")]
        sections.append(
            f'<section id="schema-{esc(name)}"><h3>{esc(name)}</h3>'
            f"<p>{esc(schema.get('description', ''))}</p>"
            + scrolled(table(headers, rows, "api-schema"))
            + "</section>"
        )
    return f"<h2>{esc(say(lang, 'api.schemas'))}</h2>" + "".join(sections)


def openapi_html(document: Spec, lang: str) -> str:
    """The whole document as HTML: info, servers, a list of operations, each operation, the schemas."""
    info = document.get("info", {})
    operations = [
        (path, method, operation)
        for path, methods in document.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    toc = "".join(
        f'<li><a href="#{esc(op.get("operationId", path))}">'
        f"<code>{esc(method.upper())} {esc(path)}</code></a> "
        f"{esc(op.get('summary', ''))}</li>"
        for path, method, op in operations
    )
    servers = ", ".join(f"<code>{esc(s.get('url', ''))}</code>" for s in document.get("servers", []))
    version = f"{info.get('version', '')} (OpenAPI {document.get('openapi', '')})"
    return (
        f"<h1>{esc(info.get('title', say(lang, 'api.title')))}</h1>"
        f"<p>{esc(info.get('description', ''))}</p>"
        f'<p class="api">{esc(say(lang, "api.intro", version=version))} '
        f'<a href="/openapi.json">{esc(say(lang, "queries.api_json"))}</a></p>'
        f"<p>{esc(say(lang, 'api.server'))} {servers}</p>"
        f'<h2>{esc(say(lang, "api.operations"))}</h2><ul class="operations">{toc}</ul>'
        + "".join(_operation(document, path, method, op, lang) for path, method, op in operations)
        + _schemas(document, lang)
    )


__all__ = ["openapi_html", "resolve", "schema_text"]
