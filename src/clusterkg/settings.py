"""The one settings object: each setting has a name, default, help and env variable.

Build it once with `Settings.from_env()` (the CLI does) and pass it down.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SettingsError
from .namespaces import DEFAULT_BASE_IRI

ENV_PREFIX = "CLUSTERKG_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of clusterkg. The env variable is CLUSTERKG_ + the name in capitals."""

    base_iri: str = _setting(DEFAULT_BASE_IRI, "Base IRI of every published resource, graph and document.")
    project_dir: Path = _setting(
        Path("."), "Folder holding sources/, mappings/, shapes/, ontology/ and queries/."
    )
    store: Path = _setting(Path("var/store"), "The embedded Oxigraph store every command uses by default.")
    keep_stores: int = _setting(
        2, "How many earlier store builds to keep beside the current one, for rollback."
    )
    validation_batch: int = _setting(
        200_000,
        "Triples per SHACL validation batch; larger batches use more memory.",
    )
    validator: str = _setting(
        "compiled",
        "SHACL validator of `clusterkg build`: compiled (the shapes as SPARQL queries over the new "
        "store; fast) or pyshacl (the reference validator, partitioned; slow at scale).",
    )
    query_timeout: float = _setting(30.0, "Seconds a SPARQL query may run before it is stopped.")
    host: str = _setting("127.0.0.1", "Address `clusterkg serve` listens on.")
    port: int = _setting(8000, "Port `clusterkg serve` listens on.")
    public_url: str = _setting(
        "", "Public root URL of the server, if it differs from base_iri (e.g. http://localhost:8000/)."
    )
    max_result_rows: int = _setting(
        10_000, "Most result rows a query returns; a longer result is cut and flagged as truncated."
    )
    max_request_bytes: int = _setting(1_048_576, "Largest request body the server accepts (413 beyond).")
    max_header_bytes: int = _setting(
        65_536, "Largest request line plus headers the server reads (431 and the connection closed beyond)."
    )
    header_timeout: float = _setting(
        10.0, "Seconds a client has to send a request's line and headers before the server hangs up."
    )
    query_workers: int = _setting(2, "Worker processes that execute SPARQL queries for the server.")
    query_queue: int = _setting(
        64, "Queries that may wait for a free worker; beyond that a request gets 503 with Retry-After."
    )
    worker_memory_mb: int = _setting(
        1024, "Heap each query worker may use (MiB); a query that needs more is stopped (0: no cap)."
    )
    allow_unisolated_workers: bool = _setting(
        False,
        "Start the server even where query workers cannot enter a network namespace of their own "
        "(only where the host blocks outbound traffic itself).",
    )
    reload_interval: float = _setting(
        2.0, "Seconds between the server's checks for a new build to serve (it swaps in without restart)."
    )
    private_token: str = _setting(
        "", "Bearer token that unlocks the private contacts graph; empty means nobody can see it."
    )
    dumps_dir: Path = _setting(Path("dumps"), "Folder `clusterkg publish` writes the release into.")
    download_url: str = _setting(
        "https://w3id.org/clusterkg/dumps/", "Base URL under which the release files are downloadable."
    )
    endpoint_url: str = _setting(
        "https://w3id.org/clusterkg/sparql", "Public URL of the SPARQL endpoint, for the catalog and VoID."
    )
    release_version: str = _setting("0.1.0", "Version of the published release (not the software).")
    release_date: str = _setting("2026-11-21", "Issue date of the release, ISO 8601 (never the clock).")
    push_engine: str = _setting(
        "oxigraph",
        "The engine `clusterkg push` writes to: oxigraph, fuseki, virtuoso or generic; it sets the "
        "endpoint paths under the engine's URL and where the merged default graph goes (Virtuoso: "
        "a named graph, as its default graph is the union of all graphs).",
    )
    push_query_url: str = _setting(
        "",
        "SPARQL query endpoint of the engine `clusterkg push` writes to (default: from URL and push_engine).",
    )
    push_update_url: str = _setting(
        "",
        "SPARQL Update endpoint of the engine `clusterkg push` writes to (default: URL and push_engine).",
    )
    push_store_url: str = _setting(
        "",
        "Graph Store Protocol endpoint of the engine `clusterkg push` writes to (default: from URL and "
        "push_engine).",
    )
    push_auth: str = _setting(
        "basic",
        "How `clusterkg push` authenticates: basic, digest (push_user, push_password), bearer (push_token).",
    )
    push_user: str = _setting("", "User name `clusterkg push` sends (basic or digest); empty: none.")
    push_password: str = _setting("", "Password `clusterkg push` sends with push_user.")
    push_token: str = _setting("", "Bearer token `clusterkg push` sends when push_auth is bearer.")
    push_chunk_triples: int = _setting(
        50_000, "Triples per Graph Store Protocol request of `clusterkg push`."
    )
    push_retries: int = _setting(
        3, "Times `clusterkg push` retries a request after a 5xx answer or a timeout (with back-off)."
    )
    push_timeout: float = _setting(120.0, "Seconds each request of `clusterkg push` may take.")
    backend_url: str = _setting(
        "",
        "SPARQL query endpoint `clusterkg serve --backend` answers from instead of the local store "
        "(empty: the local store).",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then CLUSTERKG_* variables, then explicit overrides (e.g. CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            raw = env.get(env_var(spec.name))
            if raw is not None:
                values[spec.name] = _convert(spec.name, spec.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).resolved()

    def resolved(self) -> Settings:
        """Relative folders are taken from project_dir; the base IRI must end in / or #."""
        if not self.base_iri.endswith(("/", "#")):
            raise SettingsError(
                f"base_iri {self.base_iri!r} must end with '/' or '#'",
                hint=f"set {env_var('base_iri')} to e.g. https://example.org/kg/",
            )
        return dataclasses.replace(
            self, store=self._absolute(self.store), dumps_dir=self._absolute(self.dumps_dir)
        )

    def _absolute(self, path: Path) -> Path:
        return (path if path.is_absolute() else self.project_dir / path).absolute()

    def path(self, folder: str) -> Path:
        """A folder of the project: sources, mappings, shapes, ontology, queries."""
        return self.project_dir / folder


def env_var(name: str) -> str:
    """The environment variable of setting `name`."""
    return ENV_PREFIX + name.upper()


def describe() -> list[tuple[str, str, object, str]]:
    """(name, env variable, default, help) for every setting, for docs and --help."""
    return [(f.name, env_var(f.name), f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)]


def _convert(name: str, default: Any, raw: str) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, (int, float, Path)):
            return type(default)(raw)
        return raw
    except ValueError as exc:
        raise SettingsError(
            f"{env_var(name)}={raw!r} is not a valid {type(default).__name__}",
            hint=f"unset {env_var(name)} or give a {type(default).__name__}",
        ) from exc
