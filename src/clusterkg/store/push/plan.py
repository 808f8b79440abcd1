"""The engine's graph names for a push, and the SPARQL Update requests that switch them.

See the package for the layout under `{base}graph/.push/`. Every function here only builds text;
`clusterkg.store.push` sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ...terms import literal_term as literal

DEFAULT = ""  # the default graph, where a graph name is expected
Scope = tuple[tuple[str, ...], tuple[str, ...]]  # a dataset: default graphs, named graphs


@dataclass(frozen=True)
class Payload:
    """One graph of the build (DEFAULT: the merged default graph), ready to send and to check."""

    graph: str
    ntriples: bytes
    triples: int
    digest: str


class Names:
    """The engine's graph names for one base IRI and release."""

    def __init__(self, base_iri: str, release: str = "", *, union_default: bool = False) -> None:
        self.base, self.union_default = base_iri, union_default
        self.prefix = f"{base_iri}graph/.push/"
        self.staging_root = self.prefix + "staging/"
        self.release_root = f"{self.staging_root}{quote(release, safe='')}/"
        self.verified, self.live = self.release_root + ".verified", self.prefix + "live"
        self.previous_root, self.swap_root = self.prefix + "previous/", self.prefix + "swap/"
        self.previous_live = self.previous_root + ".live"
        self.merged = self.prefix + "default"

    def home(self, graph: str) -> str:
        """Where a live graph of the build is: its own name; the merge (DEFAULT) in the engine's
        default graph, or in `merged` where the default graph is the union of all graphs."""
        return graph or (self.merged if self.union_default else DEFAULT)

    @staticmethod
    def ref(place: str) -> str:
        """A graph in SPARQL Update's graph management syntax (MOVE, DROP)."""
        return f"GRAPH <{place}>" if place else "DEFAULT"

    @staticmethod
    def key(graph: str) -> str:
        return quote(graph, safe="") if graph else ".default"

    def staging(self, graph: str) -> str:
        return self.release_root + self.key(graph)

    def previous(self, graph: str) -> str:
        return self.previous_root + self.key(graph)

    def live_graphs(self, counts: dict[str, int]) -> set[str]:
        """Named graphs readers see that are ours: under the base IRI, outside the bookkeeping."""
        return {g for g in counts if g.startswith(self.base) and not g.startswith(self.prefix)}

    def previous_graphs(self, counts: dict[str, int]) -> set[str]:
        """The live names of the kept previous release's named graphs."""
        keys = (g[len(self.previous_root) :] for g in counts if g.startswith(self.previous_root))
        return {unquote(k) for k in keys if not k.startswith(".")}  # .default, .live: no IRI starts so


def switch_update(names: Names, counts: dict[str, int], sent: list[Payload], stamp: str) -> str:
    """The one update that makes the live release the previous one and the staged release live."""
    sizes = {p.graph: p.triples for p in sent}
    live, kept = names.live_graphs(counts), names.previous_graphs(counts)
    new = {g for g, n in sizes.items() if n and g != DEFAULT}
    ops = [f"DROP SILENT GRAPH <{names.previous(g)}>" for g in sorted(kept - live)]
    for graph in [*sorted(live), DEFAULT]:
        previous, home = names.previous(graph), names.home(graph)
        ops += replace_ops(previous, home, counts.get(previous, 0), counts.get(home, 0))
    for graph in [*sorted(live | new), DEFAULT]:
        home = names.home(graph)
        ops += replace_ops(home, names.staging(graph), counts.get(home, 0), sizes.get(graph, 0))
    # the release's name last: readers (the server's cache) notice every switch
    ops.append(f"MOVE SILENT GRAPH <{names.live}> TO GRAPH <{names.previous_live}>")
    marker = " . ".join([marker_triple(names.live, stamp), *datasetmarker_triple(names, sorted(new))])
    ops.append(f"INSERT DATA {{ GRAPH <{names.live}> {{ {marker} }} }}")
    return " ;\n".join(ops)


def replace_ops(target: str, source: str, target_triples: int, source_triples: int) -> list[str]:
    """Make `target` hold exactly `source`'s triples (DEFAULT: the default graph): dropped when
    `source` is empty, a COPY when `target` is, else a DELETE and an INSERT of the difference only."""
    if not source_triples:
        return [f"DROP SILENT {Names.ref(target)}"]
    if not target_triples:
        return [f"COPY {Names.ref(source)} TO {Names.ref(target)}"]
    old, new = _pattern(target), _pattern(source)
    return [
        f"DELETE {{ {old} }} WHERE {{ {old} FILTER NOT EXISTS {{ {new} }} }}",
        f"INSERT {{ {old} }} WHERE {{ {new} FILTER NOT EXISTS {{ {old} }} }}",
    ]


def swap_ops(names: Names, graph: str) -> list[str]:
    """Exchange a live graph and its previous copy by writing only their difference: what only the
    live one holds goes to swap/plus, what only the previous holds to swap/minus, each side trades."""
    live, kept = _pattern(names.home(graph)), _pattern(names.previous(graph))
    plus, minus = (f"{names.swap_root}{side}/{names.key(graph)}" for side in ("plus", "minus"))
    more, less = _pattern(plus), _pattern(minus)
    return [
        f"INSERT {{ {more} }} WHERE {{ {live} FILTER NOT EXISTS {{ {kept} }} }}",
        f"INSERT {{ {less} }} WHERE {{ {kept} FILTER NOT EXISTS {{ {live} }} }}",
        f"DELETE {{ {live} }} WHERE {{ {more} }}",
        f"INSERT {{ {live} }} WHERE {{ {less} }}",
        f"DELETE {{ {kept} }} WHERE {{ {less} }}",
        f"INSERT {{ {kept} }} WHERE {{ {more} }}",
        f"DROP SILENT GRAPH <{plus}>",
        f"DROP SILENT GRAPH <{minus}>",
    ]


def _pattern(place: str) -> str:
    return f"GRAPH <{place}> {{ ?s ?p ?o }}" if place else "?s ?p ?o"


def marker_triple(graph: str, stamp: str) -> str:
    """The live marker's triple naming a release (its stamp)."""
    return f"<{graph}> <{graph}#release> {literal(stamp)}"


def datasetmarker_triple(names: Names, graphs: list[str]) -> list[str]:
    """The live dataset, for readers that must scope their queries (`serve --backend`): its named
    graphs (#graph) and, where the engine's default graph is the union of all, the merge (#default)."""
    live = names.live
    found = [f"<{live}> <{live}#graph> <{g}>" for g in graphs]
    return found + ([f"<{live}> <{live}#default> <{names.merged}>"] if names.union_default else [])


def marker_query(marker: str) -> str:
    return f"SELECT ?p ?o WHERE {{ GRAPH <{marker}> {{ <{marker}> ?p ?o }} }}"


def live_dataset(marker: str, pairs: Iterable[tuple[str, str]]) -> tuple[str, Scope | None]:
    """From the live marker's (predicate, object) pairs: the release id readers see, and the dataset
    they must scope to (merged graph, named graphs) when the engine unions its default graph."""
    found: dict[str, list[str]] = {}
    for predicate, value in pairs:
        found.setdefault(predicate.removeprefix(marker), []).append(value)
    release = (found.get("#release") or [""])[0]
    if not found.get("#default"):
        return release, None
    return release, (tuple(found["#default"]), tuple(sorted(found.get("#graph", []))))
