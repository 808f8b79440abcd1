"""What the SHACL shapes ask of each class, read from the shapes and the ontology.

A node shape targets a class (sh:targetClass); SHACL applies it to every instance of that
class and of its subclasses (rdfs:subClassOf in the ontology), so a Cluster must satisfy the
shape of org:Organization too; a node-level sh:class (a formal organisation must also be an
org:Organization) brings in that class's shapes the same way. `ShapesModel.requirements(cls)`
gathers the property shapes of every shape that applies, and `rules(cls)` the node-level
constraints (sh:or, sh:xone, sh:class, sh:sparql ...), each with the shape it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import CKG, OWL, PREFIXES, RDF, RDFS, SH, SKOS
from ..rdf import BNode, Collection, Graph, Literal, Node, URIRef

SH_TERMS = (
    "targetClass", "property", "path", "minCount", "maxCount", "datatype", "class", "nodeKind", "node",
    "pattern", "in", "hasValue", "languageIn", "uniqueLang", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "or", "xone", "and", "not", "sparql",
    "severity", "message", "inversePath", "NodeShape",
)  # fmt: skip
_SH = {name: URIRef(SH + name) for name in SH_TERMS}
BOUNDS = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength")
LOGIC = ("or", "xone", "and", "not")


@dataclass
class Value:
    """What a value must be: the union of the constraints one shape puts on it."""

    datatypes: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    node_kind: str = ""
    nodes: list[str] = field(default_factory=list)  # sh:node shapes
    pattern: str = ""
    members: list[Node] = field(default_factory=list)  # sh:in
    has_value: Node | None = None
    languages: list[str] = field(default_factory=list)
    unique_lang: bool = False
    bounds: dict[str, str] = field(default_factory=dict)
    alternatives: list[Value] = field(default_factory=list)  # sh:or of value shapes


@dataclass
class Requirement:
    """One property shape as it applies to a class."""

    path: str  # the property IRI
    inverse: bool
    min_count: int
    max_count: int | None
    value: Value
    severity: str  # Violation | Warning | Info
    messages: dict[str, str]
    shape: str  # the node shape it belongs to

    @property
    def required(self) -> bool:
        return self.min_count > 0


@dataclass
class Rule:
    """A node-level constraint: `kind` is or, xone, and, not, class, sparql; `parts` the options."""

    kind: str
    parts: list[Requirement | Value]
    messages: dict[str, str]
    severity: str
    shape: str


def texts(graph: Graph, subject: Node, predicate: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, predicate), key=str):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


class ShapesModel:
    """The shapes graph with the ontology beside it, for reading requirements per class."""

    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.shapes, self.ontology = shapes, ontology
        self.labels: dict[str, dict[str, str]] = {}
        for graph in (ontology, shapes):
            for subject in set(graph.subjects(URIRef(RDFS + "label"))) | set(
                graph.subjects(URIRef(SKOS + "prefLabel"))
            ):
                if isinstance(subject, URIRef):
                    found = texts(graph, subject, URIRef(RDFS + "label"))
                    found = found or texts(graph, subject, URIRef(SKOS + "prefLabel"))
                    self.labels.setdefault(str(subject), found)
        self.targets: dict[str, list[str]] = {}  # class -> node shapes targeting it
        for shape, cls in shapes.subject_objects(_SH["targetClass"]):
            self.targets.setdefault(str(cls), []).append(str(shape))
        for shapes_of in self.targets.values():
            shapes_of.sort()
        self._classes: list[str] = []

    # -- classes
    def classes(self) -> list[str]:
        """Every class with a page: the ontology's classes and every class a shape targets."""
        if not self._classes:
            declared = {
                str(s)
                for kind in (OWL + "Class", RDFS + "Class")
                for s in self.ontology.subjects(URIRef(RDF + "type"), URIRef(kind))
                if isinstance(s, URIRef)
            }
            self._classes = sorted(declared | set(self.targets))
        return self._classes

    def superclasses(self, cls: str) -> list[str]:
        """`cls` and every class its instances belong to, nearest first: the classes above it
        (rdfs:subClassOf) and those a shape of it requires (a node-level sh:class), transitively."""
        seen, queue = [cls], [cls]
        while queue:
            current = URIRef(queue.pop(0))
            above = set(self.ontology.objects(current, URIRef(RDFS + "subClassOf")))
            for shape in self.targets.get(str(current), []):
                above |= set(self.shapes.objects(URIRef(shape), _SH["class"]))
            for parent in sorted(above, key=str):
                if isinstance(parent, URIRef) and str(parent) not in seen:
                    seen.append(str(parent))
                    queue.append(str(parent))
        return seen

    def subclasses(self, cls: str) -> list[str]:
        return sorted(
            str(s)
            for s in self.ontology.subjects(URIRef(RDFS + "subClassOf"), URIRef(cls))
            if isinstance(s, URIRef)
        )

    def shapes_for(self, cls: str) -> list[tuple[str, str]]:
        """(node shape, the class it targets) for every shape that applies to instances of `cls`, each
        shape once: a shape that targets a class and also its superclass is named by the superclass."""
        found: dict[str, str] = {}
        for target in self.superclasses(cls):
            for shape in self.targets.get(target, []):
                found[shape] = target  # nearest first: the last one written is the farthest
        return list(found.items())

    # -- constraints
    def requirements(self, cls: str) -> list[Requirement]:
        found = []
        for shape, _ in self.shapes_for(cls):
            for prop in sorted(self.shapes.objects(URIRef(shape), _SH["property"]), key=str):
                requirement = self.requirement(prop, shape)
                if requirement is not None:
                    found.append(requirement)
        return found

    def rules(self, cls: str) -> list[Rule]:
        found = []
        for shape, _ in self.shapes_for(cls):
            node = URIRef(shape)
            messages, severity = self.messages(node), self.severity(node)
            for kind in LOGIC:
                for head in self.shapes.objects(node, _SH[kind]):
                    members = self.members(head) if kind != "not" else [head]
                    parts = [self.requirement(m, shape) or self.value(m) for m in members]
                    found.append(Rule(kind, parts, messages, severity, shape))
            classes = sorted(str(c) for c in self.shapes.objects(node, _SH["class"]))
            if classes:
                found.append(Rule("class", [Value(classes=classes)], messages, severity, shape))
            for check in self.shapes.objects(node, _SH["sparql"]):
                found.append(Rule("sparql", [], self.messages(check) or messages, severity, shape))
        return found

    def requirement(self, node: Node, shape: str) -> Requirement | None:
        """The property shape `node`, or None when it has no simple or inverse path."""
        path = self.shapes.value(node, _SH["path"])
        inverse = path is not None and self.shapes.value(path, _SH["inversePath"]) is not None
        if inverse:
            path = self.shapes.value(path, _SH["inversePath"])
        if not isinstance(path, URIRef):
            return None
        minimum, maximum = self.shapes.value(node, _SH["minCount"]), self.shapes.value(node, _SH["maxCount"])
        return Requirement(
            path=str(path),
            inverse=inverse,
            min_count=int(str(minimum)) if minimum is not None else 0,
            max_count=int(str(maximum)) if maximum is not None else None,
            value=self.value(node),
            severity=self.severity(node),
            messages=self.messages(node),
            shape=shape,
        )

    def value(self, node: Node) -> Value:
        graph = self.shapes

        def iris(name: str) -> list[str]:
            return sorted(str(o) for o in graph.objects(node, _SH[name]) if isinstance(o, URIRef))

        kind = graph.value(node, _SH["nodeKind"])
        members = [m for head in graph.objects(node, _SH["in"]) for m in self.members(head)]
        languages = [str(m) for head in graph.objects(node, _SH["languageIn"]) for m in self.members(head)]
        return Value(
            datatypes=iris("datatype"),
            classes=iris("class"),
            node_kind=str(kind).removeprefix(SH) if kind is not None else "",
            nodes=iris("node"),
            pattern=str(graph.value(node, _SH["pattern"]) or ""),
            members=members,
            has_value=graph.value(node, _SH["hasValue"]),
            languages=languages,
            unique_lang=str(graph.value(node, _SH["uniqueLang"]) or "").lower() == "true",
            bounds={b: str(v) for b in BOUNDS if (v := graph.value(node, _SH[b])) is not None},
            alternatives=[
                self.value(m)
                for head in graph.objects(node, _SH["or"])
                for m in self.members(head)
                if graph.value(m, _SH["path"]) is None
            ]
            if graph.value(node, _SH["path"]) is not None
            else [],
        )

    def members(self, head: Node) -> list[Node]:
        return list(Collection(self.shapes, head)) if isinstance(head, (BNode, URIRef)) else []

    def severity(self, node: Node) -> str:
        found = self.shapes.value(node, _SH["severity"])
        return str(found).removeprefix(SH) if found is not None else "Violation"

    def messages(self, node: Node) -> dict[str, str]:
        return texts(self.shapes, node, _SH["message"])

    def shape_members(self, shape: str) -> list[Node]:
        """The sh:in values of a node shape (e.g. the country table), for "one of N"."""
        return [m for head in self.shapes.objects(URIRef(shape), _SH["in"]) for m in self.members(head)]

    def other_shapes(self) -> list[str]:
        """Named node shapes that target no class: shapes used by sh:node, or with a target node."""
        named = {
            str(s)
            for s in self.shapes.subjects(URIRef(RDF + "type"), _SH["NodeShape"])
            if isinstance(s, URIRef)
        }
        targeting = {shape for shapes_of in self.targets.values() for shape in shapes_of}
        return sorted(named - targeting)


def class_slug(iri: str) -> str:
    """The last part of a class page's path: Cluster for ckg:Cluster, org:Organization for others."""
    if iri.startswith(CKG):
        return iri[len(CKG) :]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return ""


def class_of_slug(slug: str) -> str:
    """The class IRI a class page's path names ("" when it names none)."""
    prefix, colon, local = slug.partition(":")
    if not colon:
        return CKG + slug if slug else ""
    namespace = PREFIXES.get(prefix)
    return namespace + local if namespace and local else ""
