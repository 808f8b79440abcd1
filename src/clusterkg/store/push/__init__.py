"""Push a build into an existing SPARQL engine, atomically for its readers (`clusterkg push`).

Every public named graph of the build goes in under its own name, and the build's merged default
graph into the engine's default graph, so queries see each triple once without union mode. The
engine's bookkeeping lives under one reserved prefix, `{base}graph/.push/`:

- `staging/{release}/{key}` (`.default` for the default graph): a graph being loaded and verified;
  `staging/{release}/.verified` records the staging graphs that verified, so a rerun resumes;
  all of them are dropped once the release is live;
- `previous/{key}`: the release that was live before the last switch, the rollback;
- `swap/plus/{key}`, `swap/minus/{key}`: scratch inside a rollback (empty between requests);
- `live`: the marker naming the release readers see, new at every switch (the server's cache key),
  and its dataset: the live named graphs and, on a union-default engine, the merged graph;
  it is swapped with `previous/.live` like the data;
- `default`: the live merged default graph on an engine whose default graph is the union of all
  its graphs (Virtuoso, see engines.py); elsewhere it goes into the engine's real default graph.

`key` is the live graph's IRI, percent-encoded. Loading uses the Graph Store Protocol (PUT, then
POST in chunks). The switch and the rollback are each ONE SPARQL Update request, which Oxigraph
and Virtuoso each run in one transaction: a reader sees the old release or the new one, never a
mix (Virtuoso's readers wait for the switch's locks meanwhile). Each graph is made to hold its new
triples by writing only the difference (a DELETE and an INSERT of what differs; a COPY into an
empty graph), not by MOVE: Oxigraph runs MOVE as a copy and a delete of every triple, inside the
transaction, so a release that changes little of the last one now writes little.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox

from ...errors import BackendUnavailable, ClusterKGError, StoreError
from ...settings import Settings
from ...terms import literal_term as literal
from ...timing import Progress, quiet
from .. import KnowledgeStore
from ..builds import open_read_only
from ..engines import Profile, profile
from ..export import canonical_lines
from ..remote import Credentials, EngineHttp, as_boolean
from .plan import (
    DEFAULT,
    Names,
    Payload,
    Scope,
    live_dataset,
    marker_query,
    marker_triple,
    swap_ops,
    switch_update,
)

__all__ = [
    "DEFAULT",
    "Engine",
    "Names",
    "Payload",
    "PushReport",
    "Scope",
    "Session",
    "digest",
    "live_dataset",
    "marker_query",
    "payloads",
    "push",
    "rollback",
]

FORM = "application/x-www-form-urlencoded"
NTRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"
SURVEY = "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g"
NAMED_SURVEY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class Engine:
    """Where and how to write: the three endpoints, the engine's profile, credentials, request limits."""

    query_url: str
    update_url: str
    store_url: str
    profile: Profile = field(default_factory=lambda: profile("oxigraph"))
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 120.0
    retries: int = 3
    chunk_triples: int = 50_000

    @classmethod
    def from_settings(
        cls, settings: Settings, url: str = "", engine: str = "", **overrides: str | None
    ) -> Engine:
        """Endpoints: a flag (`overrides`), else derived from `url` by the engine's profile (Oxigraph
        server: URL/query, URL/update, URL/store), else the push_*_url settings."""
        family = profile(engine or settings.push_engine)
        root = url.rstrip("/")
        urls = {}
        for index, part in enumerate(("query", "update", "store")):
            derived = f"{root}/{family.paths[index]}" if root and family.paths else ""
            urls[f"{part}_url"] = (
                overrides.get(f"{part}_url") or derived or getattr(settings, f"push_{part}_url")
            )
            if not urls[f"{part}_url"]:
                raise StoreError(
                    f"no {part} endpoint for the engine",
                    hint=f"give the engine's URL (clusterkg push URL) or --{part}-url",
                )
        creds = Credentials(
            settings.push_auth, settings.push_user, settings.push_password, settings.push_token
        )
        return cls(
            **urls,
            profile=family,
            credentials=creds,
            timeout=settings.push_timeout,
            retries=settings.push_retries,
            chunk_triples=max(settings.push_chunk_triples, 1),
        )


@dataclass
class PushReport:
    """What a push or rollback did: `action` is pushed, already live or rolled back."""

    action: str
    release: str
    graphs: list[Payload] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # graphs whose verified staging was kept


# ---------------------------------------------------------------- the build side


def digest(ntriples: bytes, skolem_prefix: str, *, normalise: bool = True) -> str:
    """SHA-256 of a graph's sorted canonical N-Triples: equal for equal graphs, whoever wrote them.

    Without blank nodes, canonical means each line as pyoxigraph writes it: `normalise` re-writes
    an engine's answer so (parse and serialise, streamed in Rust); the build's own dump already is
    (False skips it). With blank nodes, their labels are canonicalised first (export.canonical_lines).
    """
    if b"_:" in ntriples:
        lines = canonical_lines(ntriples, skolem_prefix, normalise=True)
    else:
        text = _rewritten(ntriples) if normalise else ntriples
        lines = sorted(set(text.splitlines(keepends=True)))
    return hashlib.sha256(b"".join(lines)).hexdigest()


def _rewritten(ntriples: bytes) -> bytes:
    try:
        triples = (q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        raise StoreError(
            f"the engine answered N-Triples that do not parse: {exc}", hint="check the engine's store URL"
        ) from exc


def payloads(kg: KnowledgeStore, exclude: Iterable[str] = ()) -> list[Payload]:
    """Every public named graph of the build (never one in `exclude`), then its merged default graph."""
    skolem = f"{kg.base_iri or ''}.well-known/genid/"
    hidden = set(exclude)
    found = [_payload(g, kg.graph_ntriples(g), skolem) for g in kg.graph_names() if g not in hidden]
    public = open_read_only(kg.build)  # the public store only: the contacts graph is not in it
    merged = public.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    return [*found, _payload(DEFAULT, merged, skolem)]


def _payload(graph: str, ntriples: bytes, skolem: str) -> Payload:
    return Payload(graph, ntriples, ntriples.count(b"\n"), digest(ntriples, skolem, normalise=False))


def chunks(ntriples: bytes, size: int) -> Iterator[bytes]:
    """N-Triples in pieces of `size` lines; a graph with blank nodes goes whole, so that one
    document scopes its labels (the engine would otherwise make two nodes of one)."""
    if b"_:" in ntriples:
        yield ntriples
        return
    lines = ntriples.splitlines(keepends=True)
    for start in range(0, len(lines), size):
        yield b"".join(lines[start : start + size])


# ---------------------------------------------------------------- the engine side


class Session:
    """The requests a push makes to one engine: queries, updates and Graph Store Protocol."""

    def __init__(self, engine: Engine, http: EngineHttp | None = None) -> None:
        self.engine = engine
        self.http = http or EngineHttp(
            engine.credentials, timeout=engine.timeout, retries=engine.retries, wants=engine.profile.auth
        )

    def _query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean:
        body = self.http.send(
            "POST",
            self.engine.query_url,
            urlencode({"query": sparql}).encode(),
            content_type=FORM,
            accept=RESULTS_JSON,
        )
        try:
            return ox.parse_query_results(body or b"", format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise BackendUnavailable(
                f"{self.engine.query_url} did not answer with SPARQL results: {exc}",
                hint="give the engine's SPARQL query endpoint (--query-url)",
            ) from exc

    def counts(self) -> dict[str, int]:
        """Triples per named graph, and DEFAULT for the default graph (absent: empty; not asked
        where the default graph is the union of all graphs)."""
        solutions = self._query(NAMED_SURVEY if self.engine.profile.union_default else SURVEY)
        assert isinstance(solutions, ox.QuerySolutions)
        found = {}
        for row in solutions:
            graph, count = row["g"], row["n"]
            found[graph.value if isinstance(graph, ox.NamedNode) else DEFAULT] = int(count.value)
        return found

    def ask(self, sparql: str) -> bool:
        return as_boolean(self._query(sparql))

    def select(self, sparql: str) -> list[dict[str, str]]:
        solutions = self._query(sparql)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]

    def update(self, sparql: str, *, retry: bool = False) -> None:
        """One SPARQL Update request; retried only when it is idempotent."""
        body = urlencode({"update": sparql}).encode()
        self.http.send("POST", self.engine.update_url, body, content_type=FORM, retry=retry)

    def _graph_url(self, graph: str, extra: str = "") -> str:
        join = "&" if "?" in self.engine.store_url else "?"
        where = urlencode({"graph": graph}) if graph else "default"
        return self.engine.store_url + join + where + (f"&{extra}" if extra else "")

    def fetch(self, graph: str) -> bytes:
        """A graph as N-Triples (empty when the engine has no such graph)."""
        return self.http.send("GET", self._graph_url(graph), accept=NTRIPLES, missing_ok=True) or b""

    def store(self, graph: str, data: bytes, *, replace: bool) -> None:
        """PUT (replace) or POST (add) N-Triples into a staging graph, by the engine's fastest load
        (its profile's load_params); both are safe to retry without blank nodes."""
        url = self._graph_url(graph, self.engine.profile.load_params)
        self.http.send("PUT" if replace else "POST", url, data, content_type=NTRIPLES)

    def drop(self, graph: str) -> None:
        self.http.send("DELETE", self._graph_url(graph), missing_ok=True)


def push(
    session: Session, sent: list[Payload], *, base_iri: str, release: str, progress: Progress = quiet
) -> PushReport:
    """Stage, verify and switch in `sent`; on any failure before the switch nothing live changes."""
    names = Names(base_iri, release, union_default=session.engine.profile.union_default)
    try:
        if not names.union_default:
            refuse_union_default(session, names)
        counts = session.counts()
        if is_live(session, names, counts, sent):
            progress(f"release {release} is already live; nothing to do")
            drop_staging(session, names, counts)  # left by a push killed after its switch
            return PushReport("already live", release, sent)
        drop_staging(session, names, counts, keep=names.release_root)  # this release's resumes
        resumed = [p.graph for p in sent if stage(session, names, counts, p, progress)]
    except ClusterKGError as exc:
        raise _unchanged(exc) from exc
    switch(session, names, counts, sent, release)
    progress(f"release {release} is live ({len(sent) - 1} named graphs and the default graph)")
    clean_up(session, names, [p for p in sent if p.triples])
    progress("staging graphs dropped")
    return PushReport("pushed", release, sent, resumed)


def clean_up(session: Session, names: Names, sent: list[Payload]) -> None:
    """Drop the staging graphs of a release now live, largest first, one request each (smaller
    transactions); a failure changes nothing readers see, and the next push drops what is left."""
    for payload in sorted(sent, key=lambda p: -p.triples):
        with contextlib.suppress(ClusterKGError):
            session.update(f"DROP SILENT GRAPH <{names.staging(payload.graph)}>", retry=True)
    with contextlib.suppress(ClusterKGError):
        session.update(f"DROP SILENT GRAPH <{names.verified}>", retry=True)


def _unchanged(exc: ClusterKGError) -> ClusterKGError:
    exc.message += "; the engine's live graphs were not changed"
    exc.args = (exc.message,)
    return exc


def refuse_union_default(session: Session, names: Names) -> None:
    """Refuse an engine whose default graph is the union of its graphs: readers would count every
    public triple once per graph, plus the staging and the kept previous release."""
    probe = names.prefix + "probe"
    nonce = secrets.token_hex(8)
    session.store(probe, f"<{probe}> <{probe}> {literal(nonce)} .\n".encode(), replace=True)
    try:
        union = session.ask(f"ASK {{ <{probe}> <{probe}> {literal(nonce)} }}")
    finally:
        session.drop(probe)
    if union:
        raise StoreError(
            "the engine answers default-graph queries from the union of all its graphs",
            hint="run Oxigraph server without --union-default-graph (Fuseki: tdb:unionDefaultGraph false), "
            "or say it is Virtuoso (push_engine virtuoso): clusterkg pushes the merged default graph itself",
        )


def is_live(session: Session, names: Names, counts: dict[str, int], sent: list[Payload]) -> bool:
    """True when the engine's live graphs already are `sent` (counts first, digests only then)."""
    wanted = {p.graph for p in sent if p.triples and p.graph != DEFAULT}
    if names.live_graphs(counts) != wanted or any(
        counts.get(names.home(p.graph), 0) != p.triples for p in sent
    ):
        return False
    skolem = f"{names.base}.well-known/genid/"
    return all(digest(session.fetch(names.home(p.graph)), skolem) == p.digest for p in sent if p.triples)


def drop_staging(session: Session, names: Names, counts: dict[str, int], *, keep: str = "") -> None:
    """Drop the staging graphs among `counts`, but those under `keep` (this release's: they resume)."""
    stale = sorted(
        g for g in counts if g.startswith(names.staging_root) and not (keep and g.startswith(keep))
    )
    if stale:
        session.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale), retry=True)


def verified_record(session: Session, names: Names) -> dict[str, str]:
    rows = session.select(
        f"SELECT ?g ?d WHERE {{ GRAPH <{names.verified}> {{ ?g <{names.verified}#sha256> ?d }} }}"
    )
    return {row["g"]: row["d"] for row in rows if "g" in row and "d" in row}


def stage(
    session: Session, names: Names, counts: dict[str, int], payload: Payload, progress: Progress
) -> bool:
    """Load and verify one staging graph; True when a verified one from an interrupted run is kept."""
    target = names.staging(payload.graph)
    label = payload.graph or "the default graph"
    if payload.triples == 0:
        return False
    record = verified_record(session, names) if target in counts else {}
    if record.get(target) == payload.digest and counts.get(target) == payload.triples:
        progress(f"{label}: verified staging kept from an interrupted push")
        return True
    for number, chunk in enumerate(chunks(payload.ntriples, session.engine.chunk_triples)):
        session.store(target, chunk, replace=number == 0)
    verify(session, names, target, payload)
    predicate = f"<{names.verified}#sha256>"
    session.update(
        f"DELETE WHERE {{ GRAPH <{names.verified}> {{ <{target}> {predicate} ?d }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{names.verified}> {{ <{target}> {predicate} {literal(payload.digest)} }} }}",
        retry=True,
    )
    progress(f"{label}: {payload.triples} triples staged and verified")
    return False


def verify(session: Session, names: Names, target: str, payload: Payload) -> None:
    """The staging graph holds exactly the build's graph: its triple count, then its digest."""
    rows = session.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}")
    count = int(rows[0]["n"]) if rows and "n" in rows[0] else 0
    fetched = (
        digest(session.fetch(target), f"{names.base}.well-known/genid/") if count == payload.triples else ""
    )
    if fetched != payload.digest:
        what = f"{count} triples, not {payload.triples}" if count != payload.triples else "other triples"
        raise StoreError(
            f"verification failed: the engine's staging copy of {payload.graph or 'the default graph'} "
            f"holds {what} (SHA-256 of its canonical N-Triples differs)",
            hint="check the engine (does it rewrite literals or drop triples?), then push again",
        )


def switch(session: Session, names: Names, counts: dict[str, int], sent: list[Payload], release: str) -> None:
    """Send the switch (never retried: it is not idempotent); after a lost answer, ask what happened."""
    stamp = f"{release}#{secrets.token_hex(4)}"
    try:
        session.update(switch_update(names, counts, sent, stamp))
    except BackendUnavailable as exc:
        if not _switched(session, names, stamp):
            raise _unchanged(exc) from exc
    except ClusterKGError as exc:
        raise _unchanged(exc) from exc


def _switched(session: Session, names: Names, stamp: str) -> bool:
    try:
        return session.ask(f"ASK {{ GRAPH <{names.live}> {{ {marker_triple(names.live, stamp)} }} }}")
    except ClusterKGError:
        return False


def release_in(session: Session, graph: str) -> str:
    """The release id a marker graph (Names.live, Names.previous_live) names; empty when none."""
    rows = session.select(f"SELECT ?id WHERE {{ GRAPH <{graph}> {{ <{graph}> <{graph}#release> ?id }} }}")
    return rows[0].get("id", "") if rows else ""


def rollback(session: Session, *, base_iri: str, progress: Progress = quiet) -> PushReport:
    """Swap the kept previous release and the live one, in one update (run again: forward)."""
    names = Names(base_iri, union_default=session.engine.profile.union_default)
    counts = session.counts()
    kept = names.previous_graphs(counts)
    if not kept and names.previous(DEFAULT) not in counts:
        raise StoreError(
            "the engine holds no previous release to roll back to",
            hint="a rollback needs two pushes: it restores the release pushed before the live one",
        )
    restored = release_in(session, names.previous_live).partition("#")[0]
    ops = []
    for graph in [*sorted(names.live_graphs(counts) | kept), DEFAULT]:
        ops += swap_ops(names, graph)
    spare = names.swap_root + ".live"
    for source, target in (
        (names.live, spare),
        (names.previous_live, names.live),
        (spare, names.previous_live),
    ):
        ops.append(f"MOVE SILENT GRAPH <{source}> TO GRAPH <{target}>")
    session.update(" ;\n".join(ops))
    progress(f"rolled back: release {restored or '(unnamed)'} is live again")
    return PushReport("rolled back", restored)
