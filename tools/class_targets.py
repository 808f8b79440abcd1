"""Regenerate shapes/class-targets.ttl: each shape's sh:targetClass also names the subclasses
the ontology declares, so the published shapes validate data without the ontology loaded.
Usage: python tools/class_targets.py
"""

from pathlib import Path

from clusterkg.rdf import Graph, parse_graphs
from clusterkg.validation.class_targets import class_targets_turtle

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "shapes" / "class-targets.ttl"


def main() -> None:
    shapes = parse_graphs(sorted(p for p in (ROOT / "shapes").glob("*.ttl") if p != OUT), Graph())
    ontology = parse_graphs(sorted((ROOT / "ontology").glob("*.ttl")))
    OUT.write_text(class_targets_turtle(shapes, ontology), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
