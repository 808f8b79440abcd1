"""HTML documentation of the ontology: the one module that imports pyLODE.

pyLODE renders classes and properties with their labels, comments, domains and ranges;
a table of how the classes connect (domain -> property -> range) is added after its body.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..namespaces import RDFS
from ..store import export

_LITERAL = re.compile(r'^"(.*)"(?:@([a-zA-Z-]+))?$', re.S)
_JSON_LD = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.S)


def write_ontology_html(ontology_ttl: Path, out: Path) -> None:
    """Write the documentation of the ontology in `ontology_ttl` to `out`."""
    logging.getLogger("root").setLevel(logging.WARNING)  # pyLODE logs every step at INFO
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise InputError("pyLODE is not installed", hint="pip install 'pylode==3.2.1'") from exc
    page = _stable_json_ld(OntPub(ontology=str(ontology_ttl)).make_html())
    table = connections_table(export.release_quads(ontology_ttl))
    page = page.replace("</body>", f"{table}\n</body>", 1) if "</body>" in page else page + table
    out.write_text(page, encoding="utf-8")


def _stable_json_ld(page: str) -> str:
    """Sort the schema.org JSON-LD pyLODE embeds: its order changes from run to run."""

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [canonical(v) for v in value]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    def rewrite(match: re.Match[str]) -> str:
        body = json.dumps(canonical(json.loads(match.group(2))), indent=2, ensure_ascii=False)
        return f"{match.group(1)}\n{body}\n{match.group(3)}"

    return _JSON_LD.sub(rewrite, page)


def connections_table(quads: Iterable[tuple[str, str, str, str]]) -> str:
    """An HTML table of every property with a declared domain and range."""
    labels: dict[str, dict[str, str]] = {}
    domains: dict[str, list[str]] = {}
    ranges: dict[str, list[str]] = {}
    for s, p, o, _ in quads:
        if p == f"<{RDFS}label>":
            match = _LITERAL.match(o)
            if match:
                labels.setdefault(s, {})[match.group(2) or ""] = match.group(1)
        elif p == f"<{RDFS}domain>" and o.startswith("<"):
            domains.setdefault(s, []).append(o)
        elif p == f"<{RDFS}range>" and o.startswith("<"):
            ranges.setdefault(s, []).append(o)

    def name(term: str) -> str:
        found = labels.get(term, {})
        label = found.get("en") or found.get("") or term.strip("<>").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        german = found.get("de")
        text = f"{label} / {german}" if german and german != label else label
        return f'<a href="{html.escape(term.strip("<>"))}">{html.escape(text)}</a>'

    rows = [
        f"<tr><td>{name(d)}</td><td>{name(p)}</td><td>{name(r)}</td></tr>"
        for p in sorted(domains)
        for d in sorted(domains[p])
        for r in sorted(ranges.get(p, []))
    ]
    return (
        '<section id="class-connections"><h2>How the classes connect</h2>'
        "<p>Each row: instances of the first class point with the property to instances of the third.</p>"
        "<table><thead><tr><th>from (domain)</th><th>property</th><th>to (range)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )
