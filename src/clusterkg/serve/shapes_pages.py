"""The SHACL shapes for people and for programs: /shapes and a page per class at /shapes/{class}.

/shapes gives RDF clients the shapes graph (Turtle, JSON-LD, ...) and browsers an index of the
classes; /shapes/Cluster (ckg terms by local name, others as prefix:Local, e.g.
/shapes/org:Organization) answers "what does a Cluster need?": its required and optional
properties, how many values of which kind, and the rules of every shape that applies to it,
including the shapes of its superclasses. Read from the project's shapes/ and ontology/ folders
once and kept in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..namespaces import CKG, RDFS, SHAPES
from ..rdf import Literal, Node, URIRef, parse_graphs
from ..store.export import convert_rdf, read_rdf_files
from .cache import Cached
from .html import alternates, compact, esc, iri_link, layout, link, table
from .i18n import say, ui_language
from .negotiation import choose, pick_label, request_languages
from .resources import RDF_TYPES
from .shapes_model import Requirement, Rule, ShapesModel, Value, class_of_slug, class_slug, texts

if TYPE_CHECKING:
    from . import ServeContext

HTML = "text/html; charset=utf-8"
VARY = "Accept, Accept-Language, Cookie"
BOUND_SIGNS = {"minInclusive": "≥", "maxInclusive": "≤", "minExclusive": ">", "maxExclusive": "<"}
MEMBERS_SHOWN = 12  # longer sh:in lists (the country table) are summarised as "one of N values"


def shape_href(iri: str) -> str:
    """The page of a class's requirements."""
    return "/shapes/" + class_slug(iri)


class ShapesDocument:
    """The SHACL shapes, read from the project's shapes/ folder once and kept in memory."""

    def __init__(self) -> None:
        self.ntriples: bytes | None = None
        self.model: ShapesModel | None = None

    async def load(self, context: ServeContext) -> ShapesModel:
        if self.model is None or self.ntriples is None:
            shapes = sorted(context.settings.path("shapes").glob("*.ttl"))
            ontology = sorted(context.settings.path("ontology").glob("*.ttl"))

            def read() -> tuple[bytes, ShapesModel]:
                ntriples, _ = read_rdf_files(shapes)
                return ntriples, ShapesModel(parse_graphs(shapes), parse_graphs(ontology))

            self.ntriples, self.model = await anyio.to_thread.run_sync(read)
        assert self.model is not None
        return self.model

    async def render(self, context: ServeContext, media_type: str, languages: list[str]) -> Cached:
        """/shapes: the shapes graph in `media_type`, or the index of classes for browsers."""
        model = await self.load(context)
        assert self.ntriples is not None
        if media_type != "text/html":
            fmt = RDF_TYPES[media_type]  # the formats the resource pages offer
            rdf = self.ntriples if fmt == "ntriples" else convert_rdf(self.ntriples, "ntriples", fmt)
            return Cached(rdf, media_type + ("; charset=utf-8" if media_type.startswith("text/") else ""))
        lang = ui_language(languages)
        page = _Writer(context, model, languages)
        body = f"<h1>{esc(say(lang, 'shapes.title'))}</h1><p>{esc(say(lang, 'shapes.intro'))}</p>"
        body += _formats(lang) + page.index()
        return Cached(layout(say(lang, "shapes.title"), body, lang=lang, here="/shapes").encode(), HTML)

    async def class_page(self, context: ServeContext, slug: str, languages: list[str]) -> Cached:
        """/shapes/{class}: what an instance of the class needs."""
        model = await self.load(context)
        cls = class_of_slug(slug)
        if cls not in model.classes():
            raise NotFound(
                f"no class {slug!r} in the ontology or the shapes", hint="see /shapes for the classes"
            )
        lang = ui_language(languages)
        page = _Writer(context, model, languages)
        title = say(lang, "shapes.class_title", name=page.name(cls))
        body = f"<h1>{esc(title)}</h1>" + page.class_body(cls)
        return Cached(layout(title, body, lang=lang, here=shape_href(cls)).encode(), HTML)


def _formats(lang: str) -> str:
    return alternates(
        [
            ("/shapes?format=turtle", "Turtle"),
            ("/shapes?format=jsonld", "JSON-LD"),
            ("/shapes?format=ntriples", "N-Triples"),
            ("/shapes?format=rdfxml", "RDF/XML"),
        ],
        lang,
    )


class _Writer:
    """HTML for the shapes pages in the reader's languages."""

    def __init__(self, context: ServeContext, model: ShapesModel, languages: list[str]) -> None:
        self.context, self.model, self.languages = context, model, languages
        self.lang = ui_language(languages)

    def say(self, key: str, **fields: object) -> str:
        return say(self.lang, key, **fields)

    def name(self, iri: str) -> str:
        return pick_label(self.model.labels.get(iri, {}), self.languages) or compact(iri)

    def class_link(self, iri: str) -> str:
        if iri in self.model.classes():
            return f'<a href="{esc(shape_href(iri))}" title="{esc(iri)}">{esc(self.name(iri))}</a>'
        return iri_link(iri, self.context, self.name(iri))

    def shape_link(self, shape: str) -> str:
        anchor = shape[len(SHAPES) :] if shape.startswith(SHAPES) else ""
        text = esc(self.name(shape))
        return f'<a href="/shapes#{esc(anchor)}" title="{esc(shape)}">{text}</a>' if anchor else text

    # -- the index
    def index(self) -> str:
        rows = []
        for cls in sorted(self.model.classes(), key=lambda c: self.name(c).lower()):
            found = self.model.requirements(cls)
            required = sum(1 for r in found if r.required)
            shapes = ", ".join(self.shape_link(s) for s, _ in self.model.shapes_for(cls))
            rows.append([self.class_link(cls), str(required), str(len(found) - required), shapes])
        headers = [self.say(k) for k in ("shapes.class", "shapes.required_count", "shapes.optional_count")]
        headers.append(self.say("shapes.checked_by"))
        listing = table(headers, rows, "shape-classes stacked", labelled=True)
        parts = [f'<div class="table-scroll">{listing}</div>']
        parts.append(f"<h2>{esc(self.say('shapes.node_shapes'))}</h2>")
        parts.append(
            '<ul class="node-shapes">' + "".join(self._shape_item(s) for s in self._targeting()) + "</ul>"
        )
        parts.append(f"<h2>{esc(self.say('shapes.other'))}</h2>")
        parts.append(
            '<ul class="node-shapes">'
            + "".join(self._other_item(s) for s in self.model.other_shapes())
            + "</ul>"
        )
        return "".join(parts)

    def _targeting(self) -> list[tuple[str, list[str]]]:
        by_shape: dict[str, list[str]] = {}
        for cls, shapes in self.model.targets.items():
            for shape in shapes:
                by_shape.setdefault(shape, []).append(cls)
        return sorted(by_shape.items())

    def _shape_item(self, item: tuple[str, list[str]]) -> str:
        shape, classes = item
        targets = ", ".join(self.class_link(c) for c in sorted(classes))
        return (
            f'<li id="{esc(shape[len(SHAPES) :])}"><strong>{esc(self.name(shape))}</strong> '
            f"<code>{esc(compact(shape))}</code>: {self.say('shapes.targets', classes=targets)}</li>"
        )

    def _other_item(self, shape: str) -> str:
        members = self.model.shape_members(shape)
        extra = f" {esc(self.say('shapes.one_of_n', n=len(members)))}" if members else ""
        message = pick_label(self.model.messages(URIRef(shape)), self.languages) or ""
        return (
            f'<li id="{esc(shape[len(SHAPES) :])}"><strong>{esc(self.name(shape))}</strong> '
            f"<code>{esc(compact(shape))}</code>{extra}"
            + (f'<br><span class="message">{esc(message)}</span>' if message else "")
            + "</li>"
        )

    # -- a class
    def class_body(self, cls: str) -> str:
        model, say_ = self.model, self.say
        comment = pick_label(_comments(model, cls), self.languages)
        links = [(self.context.href(cls), say_("shapes.in_ontology"))] if cls.startswith(CKG) else []
        parts = [f'<p class="iri"><code>{esc(cls)}</code></p>']
        if comment:
            parts.append(f'<p class="description">{esc(comment)}</p>')
        items = " · ".join(
            link(href, text) for href, text in [*links, ("/shapes", say_("shapes.all_classes"))]
        )
        parts.append(f'<p class="alternates">{esc(say_("shapes.see_also"))} {items}</p>')
        applying = model.shapes_for(cls)
        if not applying:
            parts.append(f"<p>{esc(say_('shapes.none'))}</p>")
        else:
            checked = "".join(f"<li>{self._applies(shape, target, cls)}</li>" for shape, target in applying)
            parts.append(f'<p>{esc(say_("shapes.checked_by"))}:</p><ul class="applying">{checked}</ul>')
        found = model.requirements(cls)
        for key, rows in (
            ("shapes.required", [r for r in found if r.required]),
            ("shapes.optional", [r for r in found if not r.required]),
        ):
            if rows:
                parts.append(f"<h2>{esc(say_(key))}</h2>" + self._requirements_table(rows))
        rules = model.rules(cls)
        if rules:
            items = "".join(f"<li>{self._rule(r)}</li>" for r in rules)
            parts.append(f'<h2>{esc(say_("shapes.rules"))}</h2><ul class="rules">{items}</ul>')
        subclasses = model.subclasses(cls)
        if subclasses:
            items = ", ".join(self.class_link(c) for c in subclasses)
            parts.append(f"<h2>{esc(say_('shapes.subclasses'))}</h2><p>{items}</p>")
        return "".join(parts)

    def _applies(self, shape: str, target: str, cls: str) -> str:
        if target == cls:
            return self.shape_link(shape)
        return self.say("shapes.inherited", shape=self.shape_link(shape), target=self.class_link(target))

    def _requirements_table(self, rows: list[Requirement]) -> str:
        ordered = sorted(rows, key=lambda r: (self.name(r.path).lower(), r.path, r.shape))
        cells = [
            [self._property(r), esc(self.cardinality(r)), self.value_html(r.value), self._outcome(r)]
            for r in ordered
        ]
        headers = [
            self.say(k) for k in ("shapes.property", "shapes.how_many", "shapes.value", "shapes.if_broken")
        ]
        return (
            f'<div class="table-scroll">{table(headers, cells, "requirements stacked", labelled=True)}</div>'
        )

    def _property(self, requirement: Requirement) -> str:
        anchor = iri_link(requirement.path, self.context, self.name(requirement.path))
        inverse = (
            f'<span class="inverse">{esc(self.say("shapes.inverse"))}</span> ' if requirement.inverse else ""
        )
        name = compact(requirement.path)
        path = "" if anchor.endswith(f">{esc(name)}</a>") else f'<br><code class="path">{esc(name)}</code>'
        return f"{inverse}{anchor}{path}"

    def cardinality(self, requirement: Requirement) -> str:
        low, high = requirement.min_count, requirement.max_count
        if high is not None and low == high:
            return self.say("shapes.exactly", n=low)
        if high is not None and low > 0:
            return self.say("shapes.between", low=low, high=high)
        if high is not None:
            return self.say("shapes.at_most", n=high)
        return self.say("shapes.at_least", n=low) if low > 0 else self.say("shapes.any_number")

    def _outcome(self, requirement: Requirement) -> str:
        severity = requirement.severity
        message = pick_label(requirement.messages, self.languages) or ""
        return (
            f'<span class="severity severity-{esc(severity.lower())}">'
            f"{esc(self.say('shapes.severity.' + severity) if severity in SEVERITIES else severity)}</span>"
            + (f' <span class="message">{esc(message)}</span>' if message else "")
            + f'<br><span class="from">{self._from(requirement.shape)}</span>'
        )

    def _from(self, shape: str) -> str:
        return self.say("shapes.from_shape", shape=self.shape_link(shape))

    def value_html(self, value: Value) -> str:
        """What a value must be, as short phrases joined by semicolons."""
        say_ = self.say
        parts = [f"<code>{esc(compact(d))}</code>" for d in value.datatypes]
        if value.classes:
            parts.append(
                say_("shapes.instance_of", classes=", ".join(self.class_link(c) for c in value.classes))
            )
        if value.node_kind and not value.classes and not value.datatypes:
            parts.append(esc(say_("shapes.kind." + value.node_kind)))
        for node in value.nodes:
            members = self.model.shape_members(node)
            count = f" ({esc(say_('shapes.one_of_n', n=len(members)))})" if members else ""
            parts.append(say_("shapes.conforms_to", shape=self.shape_link(node)) + count)
        if value.members:
            parts.append(self._members(value.members))
        if value.has_value is not None:
            parts.append(say_("shapes.has_value", value=self.term(value.has_value)))
        if value.pattern:
            parts.append(f'{esc(say_("shapes.pattern"))} <code class="pattern">{esc(value.pattern)}</code>')
        if value.languages:
            parts.append(f"{esc(say_('shapes.languages'))}: {esc(', '.join(value.languages))}")
        if value.unique_lang:
            parts.append(esc(say_("shapes.unique_lang")))
        parts += [self._bound(name, limit) for name, limit in value.bounds.items()]
        if value.alternatives:
            either = f" {esc(say_('shapes.or'))} ".join(self.value_html(v) for v in value.alternatives)
            parts.append(either)
        return "; ".join(p for p in parts if p)

    def _bound(self, name: str, limit: str) -> str:
        if name in BOUND_SIGNS:
            return f"{BOUND_SIGNS[name]} {esc(limit)}"
        return esc(self.say("shapes." + name, n=limit))

    def _members(self, members: list[Node]) -> str:
        shown = ", ".join(self.term(m) for m in members[:MEMBERS_SHOWN])
        more = (
            f" … ({esc(self.say('shapes.one_of_n', n=len(members)))})" if len(members) > MEMBERS_SHOWN else ""
        )
        return f"{esc(self.say('shapes.one_of'))}: {shown}{more}"

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return iri_link(str(node), self.context, self.name(str(node)))
        if isinstance(node, Literal):
            return f"<code>{esc(str(node))}</code>"
        return esc(str(node))

    def _rule(self, rule: Rule) -> str:
        described = []
        for part in rule.parts:
            if isinstance(part, Requirement):
                described.append(
                    self.say(
                        "shapes.has_property",
                        property=iri_link(part.path, self.context, self.name(part.path)),
                    )
                    + f" ({esc(self.cardinality(part))})"
                )
            else:
                described.append(self.value_html(part))
        options = "".join(f"<li>{d}</li>" for d in described if d)
        message = pick_label(rule.messages, self.languages) or ""
        return (
            f"{esc(self.say('shapes.rule.' + rule.kind))}"
            + (f"<ul>{options}</ul>" if options else " ")
            + (f'<span class="message">{esc(message)}</span> ' if message else "")
            + f'<span class="from">{self._from(rule.shape)}</span>'
        )


SEVERITIES = ("Violation", "Warning", "Info")


def _comments(model: ShapesModel, cls: str) -> dict[str, str]:
    return texts(model.ontology, URIRef(cls), URIRef(RDFS + "comment"))


def routes(context: ServeContext, shapes: ShapesDocument) -> list[BaseRoute]:
    """/shapes/{class}; /shapes itself is dereferenced with the other IRIs under the base."""

    async def class_page(request: Request) -> Response:
        slug = request.path_params["slug"]
        if choose(request.headers.get("accept"), ["text/html"]) is None:
            return PlainTextResponse(
                "Not acceptable: class pages are text/html; the shapes as RDF are at /shapes\n", 406
            )
        canonical = class_slug(class_of_slug(slug))
        if canonical and canonical != slug:  # ckg:Cluster -> Cluster: one address per class
            return RedirectResponse("/shapes/" + canonical, 301)
        languages = request_languages(request.headers, request.cookies)

        async def produce() -> Cached:
            return await shapes.class_page(context, slug, languages)

        key = ("shapes-class", slug, tuple(languages))
        return await context.cached(request, key, produce, private=False, vary=VARY)

    return [Route("/shapes/{slug:path}", class_page, name="shape-class")]
