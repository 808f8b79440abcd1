"""The score data.europa.eu's Metadata Quality Assessment (MQA) would give the release's catalogue.

Rules, points and format lists are the standards folder's mqa/ (405 points over five
dimensions). Each dcat:Dataset is scored on its own indicators plus those of its best
distribution (the one whose distribution indicators earn most; the earlier IRI on a tie),
as piveau's Scoring.kt does. Nothing goes over the network:

- the HTTP HEAD checks of access and download URLs ask a `Reachability`: by default the
  release folder itself (a URL under the download base is reachable when its last segment
  is a file there; the base itself only when the folder has index.html, all a static host
  serves for a folder); `http_reachability` asks a running server instead;
- DCAT-AP compliance is pySHACL with the DCAT-AP 3.0.1 mandatory shapes, the EU authority
  tables as data; a violation counts when its focus node belongs to the dataset's description
  (nodes reachable from it without entering another dataset or the catalogue). The
  spdx:algorithm pattern results are an upstream defect and are left out.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import validation
from ..errors import InputError
from ..namespaces import DCAT, DCT, RDF
from ..rdf import BNode, Graph, Node, URIRef, parse_graph
from .mqa_tables import Indicator, MqaTables, authority_tables, dcat_ap_shapes, load_tables
from .vocab import IANA_MEDIA, SPDX

Reachability = Callable[[str], str]  # a URL -> "" when it answers with success, else why not
IANA_PREFIXES = (IANA_MEDIA, IANA_MEDIA.replace("https:", "http:", 1))
SPDX_ALGORITHM = SPDX + "algorithm"
BANDS = ((351, "Excellent"), (221, "Good"), (121, "Sufficient"), (0, "Bad"))  # the manual's bands


@dataclass(frozen=True)
class Measurement:
    """One indicator as measured: points earned of the possible, and why any fell short."""

    dimension: str
    indicator: str
    metric: str
    earned: int
    points: int
    why: str = ""


@dataclass
class DatasetScore:
    dataset: str
    distribution: str | None
    measurements: list[Measurement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(m.earned for m in self.measurements)

    @property
    def maximum(self) -> int:
        return sum(m.points for m in self.measurements)

    @property
    def rating(self) -> str:
        return next(name for floor, name in BANDS if self.total >= floor)

    def shortfalls(self) -> list[Measurement]:
        return [m for m in self.measurements if m.earned < m.points]

    def dimensions(self) -> dict[str, tuple[int, int]]:
        sums: dict[str, tuple[int, int]] = {}
        for m in self.measurements:
            earned, points = sums.get(m.dimension, (0, 0))
            sums[m.dimension] = (earned + m.earned, points + m.points)
        return sums


@dataclass
class MqaReport:
    """The scores of every dataset of a catalogue; the catalogue is as good as its lowest."""

    datasets: list[DatasetScore]
    maximum: int

    @property
    def score(self) -> int:
        return min((d.total for d in self.datasets), default=0)

    @property
    def full_marks(self) -> bool:
        return bool(self.datasets) and self.score == self.maximum

    def to_text(self) -> str:
        if not self.datasets:
            return "MQA: the catalogue describes no dcat:Dataset, so there is nothing to score (0 points)."
        lines = []
        for d in self.datasets:
            lines.append(f"MQA score of {d.dataset}: {d.total}/{d.maximum} ({d.rating})")
            lines.append(f"  scored on its best distribution: {d.distribution or 'none'}")
            for dimension, (earned, points) in d.dimensions().items():
                lines.append(f"  {dimension:<17}{earned:>4}/{points}")
            short = d.shortfalls()
            lines.append("  Every indicator earns its full points." if not short else "  Falls short:")
            for m in short:
                lines.append(f"  - {m.dimension}: {m.indicator} ({m.metric}) {m.earned}/{m.points}: {m.why}")
        return "\n".join(lines)


# -- reachability ------------------------------------------------------------------------------


def folder_reachability(folder: Path, bases: Iterable[str]) -> Reachability:
    """Reachability as a static host serving `folder` at each of `bases` would answer."""
    roots = sorted(set(bases), key=len, reverse=True)

    def reachable(url: str) -> str:
        base = next((b for b in roots if url.startswith(b)), None)
        if base is None:
            return f"{url} lies outside the download base ({', '.join(roots) or 'none'}): not checked offline"
        rest = url[len(base) :]
        if not rest:
            has_index = (folder / "index.html").is_file()
            return "" if has_index else f"{url} names the release folder, which has no index.html"
        if "/" in rest or not (folder / rest).is_file():
            return f"{url} names {rest!r}, which is not a file of the release"
        return ""

    return reachable


def http_reachability(rebase: dict[str, str] | None = None, timeout: float = 10.0) -> Reachability:
    """Reachability by HTTP HEAD, success being 2xx; `rebase` maps URL prefixes onto a test server."""

    def reachable(url: str) -> str:
        target = url
        for old, new in (rebase or {}).items():
            if url.startswith(old):
                target = new + url[len(old) :]
        request = urllib.request.Request(target, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            return f"HEAD {target} failed: {exc}"
        return "" if 200 <= status < 300 else f"HEAD {target} answered {status}"

    return reachable


def download_bases(graph: Graph) -> set[str]:
    """The download base of a catalogue: each dcat:downloadURL minus its last path segment."""
    return {str(u).rsplit("/", 1)[0] + "/" for u in graph.objects(None, URIRef(DCAT + "downloadURL"))}


# -- the rules ---------------------------------------------------------------------------------


@dataclass
class Scoring:
    """A catalogue graph with what its rules need: tables, reachability, compliance findings."""

    graph: Graph
    tables: MqaTables
    reachable: Reachability
    violations: dict[str, list[str]]  # focus node -> violation messages

    def values(self, node: Node, prop: str) -> list[Node]:
        return sorted(self.graph.objects(node, URIRef(prop)), key=str)


Rule = Callable[[Scoring, Node], str]  # "" when the indicator earns its points, else why not


def _has(prop: str, what: str) -> Rule:
    return lambda s, node: "" if s.values(node, prop) else f"no {what} is given"


def _in(prop: str, table: Callable[[MqaTables], frozenset[str]], what: str) -> Rule:
    def rule(s: Scoring, node: Node) -> str:
        values = [str(v) for v in s.values(node, prop)]
        if any(v in table(s.tables) for v in values):
            return ""
        return f"{', '.join(values) or 'no value'} is not in {what}"

    return rule


def _url_answers(prop: str) -> Rule:
    def rule(s: Scoring, node: Node) -> str:
        urls = [str(u) for u in s.values(node, DCAT + prop)]
        failures = [s.reachable(u) for u in urls]
        if urls and not all(failures):
            return ""
        return "; ".join(failures) if urls else f"no dcat:{prop} is given"

    return rule


def _aligned(s: Scoring, node: Node) -> str:
    formats = [str(v) for v in s.values(node, DCT + "format")]
    media = [str(v) for v in s.values(node, DCAT + "mediaType")]
    problems = []
    if not any(f in s.tables.file_types for f in formats):
        problems.append(f"dct:format {', '.join(formats) or '(none)'} is not in the EU file-type table")
    if not any(m.startswith(IANA_PREFIXES) for m in media):
        problems.append(f"dcat:mediaType {', '.join(media) or '(none)'} is not an IANA media type")
    return "; ".join(problems)


def _listed(table: Callable[[MqaTables], frozenset[str]], what: str) -> Rule:
    def rule(s: Scoring, node: Node) -> str:
        values = [str(v) for p in (DCT + "format", DCAT + "mediaType") for v in s.values(node, p)]
        return "" if any(v in table(s.tables) for v in values) else f"neither format nor media type is {what}"

    return rule


def _compliant(s: Scoring, node: Node) -> str:
    found = [m for focus in description(s.graph, node) for m in s.violations.get(str(focus), [])]
    return "" if not found else f"{len(found)} DCAT-AP violation(s), first: {found[0]}"


DATASET_RULES: dict[str, Rule] = {
    "keywordAvailability": _has(DCAT + "keyword", "dcat:keyword"),
    "categoryAvailability": _has(DCAT + "theme", "dcat:theme"),
    "spatialAvailability": _has(DCT + "spatial", "dct:spatial"),
    "temporalAvailability": _has(DCT + "temporal", "dct:temporal"),
    "dcatApCompliance": _compliant,
    "accessRightsAvailability": _has(DCT + "accessRights", "dct:accessRights"),
    "accessRightsVocabularyAlignment": _in(
        DCT + "accessRights", lambda t: t.access_rights, "the EU access-right table"
    ),
    "contactPointAvailability": _has(DCAT + "contactPoint", "dcat:contactPoint"),
    "publisherAvailability": _has(DCT + "publisher", "dct:publisher"),
    "dateIssuedAvailability": _has(DCT + "issued", "dct:issued"),
    "dateModifiedAvailability": _has(DCT + "modified", "dct:modified"),
}
DISTRIBUTION_RULES: dict[str, Rule] = {
    "accessUrlStatusCode": _url_answers("accessURL"),
    "downloadUrlAvailability": _has(DCAT + "downloadURL", "dcat:downloadURL"),
    "downloadUrlStatusCode": _url_answers("downloadURL"),
    "formatAvailability": _has(DCT + "format", "dct:format"),
    "mediaTypeAvailability": _has(DCAT + "mediaType", "dcat:mediaType"),
    "formatMediaTypeVocabularyAlignment": _aligned,
    "formatMediaTypeNonProprietary": _listed(
        lambda t: t.non_proprietary, "on the MQA's non-proprietary list"
    ),
    "formatMediaTypeMachineInterpretable": _listed(
        lambda t: t.machine_readable, "on the MQA's machine-readable list"
    ),
    "licenceAvailability": _has(DCT + "license", "dct:license"),
    "knownLicence": _in(DCT + "license", lambda t: t.licences, "the EU licence table (nor matched to it)"),
    "rightsAvailability": _has(DCT + "rights", "dct:rights"),
    "byteSizeAvailability": _has(DCAT + "byteSize", "dcat:byteSize"),
    "dateIssuedAvailability": _has(DCT + "issued", "dct:issued"),
    "dateModifiedAvailability": _has(DCT + "modified", "dct:modified"),
}


def description(graph: Graph, dataset: Node) -> set[Node]:
    """The dataset and every node reachable from it, not entering another dataset or a catalogue."""
    stop = {URIRef(DCAT + "Dataset"), URIRef(DCAT + "Catalog")}
    seen: set[Node] = {dataset}
    todo = [dataset]
    while todo:
        for obj in graph.objects(todo.pop(), None):
            if not isinstance(obj, (URIRef, BNode)) or obj in seen:
                continue
            if any((obj, URIRef(RDF + "type"), cls) in graph for cls in stop):
                continue
            seen.add(obj)
            todo.append(obj)
    return seen


def _measure(s: Scoring, rules: list[tuple[Indicator, Rule]], node: Node) -> list[Measurement]:
    found = []
    for i, rule in rules:
        why = rule(s, node)
        found.append(Measurement(i.dimension, i.name, i.metric, 0 if why else i.points, i.points, why))
    return found


def score_dataset(s: Scoring, dataset: Node) -> DatasetScore:
    """One dataset's score: its own indicators plus its best distribution's."""
    own: list[tuple[Indicator, Rule]] = []
    per_distribution: list[tuple[Indicator, Rule]] = []
    for indicator in s.tables.indicators:
        on_distribution = indicator.applies_to.startswith("Distribution")
        rules = DISTRIBUTION_RULES if on_distribution else DATASET_RULES
        if indicator.metric not in rules:
            raise_unknown(indicator.metric)
        (per_distribution if on_distribution else own).append((indicator, rules[indicator.metric]))
    distributions = s.values(dataset, DCAT + "distribution")
    best: list[Measurement] | None = None
    best_node: Node | None = None
    for dist in distributions:  # sorted by IRI; a later one must earn strictly more to win
        measured = _measure(s, per_distribution, dist)
        if best is None or sum(m.earned for m in measured) > sum(m.earned for m in best):
            best, best_node = measured, dist
    if best is None:  # no distribution: only the dates fall back to the dataset
        fallback = [(i, DATASET_RULES.get(i.metric, _none)) for i, _ in per_distribution]
        best = _measure(s, fallback, dataset)
    score = DatasetScore(str(dataset), str(best_node) if best_node is not None else None)
    score.measurements = _measure(s, own, dataset) + best
    order = {i.metric: n for n, i in enumerate(s.tables.indicators)}
    score.measurements.sort(key=lambda m: order[m.metric])
    return score


def _none(_s: Scoring, _node: Node) -> str:
    return "the dataset has no distribution"


def raise_unknown(metric: str) -> None:
    raise InputError(
        f"mqa/indicators.json names the metric {metric!r}, which the MQA scorer has no rule for",
        hint="add its rule to clusterkg/publish/mqa.py, or use the indicator table this version knows",
    )


def compliance_violations(graph: Graph, standards: Path) -> dict[str, list[str]]:
    """DCAT-AP 3.0.1 violations of the catalogue, by focus node (the spdx:algorithm defect left out)."""
    report = validation.validate_profile(graph + authority_tables(standards), dcat_ap_shapes(standards))
    found: dict[str, list[str]] = {}
    for r in report.results:
        if r.severity != "Violation" or r.path == SPDX_ALGORITHM:
            continue
        found.setdefault(r.focus, []).append(f"{r.focus} {r.path}: {r.message}")
    return found


def score_catalogue(
    graph: Graph, standards: Path, reachable: Reachability | None = None, release: Path | None = None
) -> MqaReport:
    """The MQA score of every dataset in a catalogue graph.

    `reachable` answers the HTTP checks; without it the `release` folder does (see the module).
    """
    tables = load_tables(standards)
    if reachable is None:
        reachable = folder_reachability(release or Path("."), download_bases(graph))
    s = Scoring(graph, tables, reachable, compliance_violations(graph, standards))
    datasets = sorted(graph.subjects(URIRef(RDF + "type"), URIRef(DCAT + "Dataset")), key=str)
    return MqaReport([score_dataset(s, d) for d in datasets], tables.maximum)


def assess_release(
    folder: Path, standards: Path, reachable: Reachability | None = None, served_at: str = ""
) -> MqaReport:
    """The MQA score of a release folder's catalog.ttl. Its URLs are checked against the folder
    itself, or with `served_at` by HEAD requests to where the folder is served (the catalogue's
    download base replaced by that URL)."""
    graph = parse_graph(folder / "catalog.ttl")
    if served_at and reachable is None:
        root = served_at if served_at.endswith("/") else served_at + "/"
        reachable = http_reachability(dict.fromkeys(download_bases(graph), root))
    return score_catalogue(graph, standards, reachable, folder)
