"""Helpers for the serve tests: a small store, settings over it, a real server, a canary."""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from clusterkg import store
from clusterkg.settings import Settings

BASE = "https://w3id.org/clusterkg/"
CKG = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CONTACTS = BASE + "graph/contacts"
SECRET = "Jane Secretperson"
TOKEN = "s3cret-token"
SRC = Path(__file__).resolve().parents[1] / "src"


def _q(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} <{g}> .\n"


def sample_nquads() -> str:
    """A few resources in two document graphs, the ontology graph and the private contacts graph."""
    doc1, doc2, onto = BASE + "graph/doc1", BASE + "graph/doc2", BASE + "graph/ontology"
    biorn, project = f"<{BASE}id/cluster/biorn>", f"<{BASE}id/project/traclight>"
    org, person = f"<{BASE}id/organisation/acme>", f"<{BASE}id/person/jane>"
    quads = [
        _q(biorn, f"<{RDF_TYPE}>", f"<{CKG}Cluster>", doc1),
        _q(biorn, f"<{LABEL}>", '"BIORN cluster"@en', doc1),
        _q(biorn, f"<{LABEL}>", '"BIORN-Cluster"@de', doc1),
        _q(biorn, "<http://purl.org/dc/terms/description>", '"<script>alert(1)</script> & more"@en', doc1),
        _q(biorn, "<http://www.w3.org/ns/prov#wasDerivedFrom>", f"<{BASE}id/document/doc1>", doc1),
        _q(biorn, f"<{CKG}managedBy>", org, doc1),
        _q(project, f"<{RDF_TYPE}>", f"<{CKG}InternationalisationProject>", doc2),
        _q(project, f"<{LABEL}>", '"TRACLIGHT"@en', doc2),
        _q(project, f"<{CKG}runBy>", biorn, doc2),
        _q(org, f"<{RDF_TYPE}>", "<http://www.w3.org/ns/org#Organization>", doc1),
        _q(org, f"<{LABEL}>", '"ACME Org"', doc1),
        _q(person, f"<{RDF_TYPE}>", "<http://xmlns.com/foaf/0.1/Person>", CONTACTS),
        _q(person, "<http://xmlns.com/foaf/0.1/name>", f'"{SECRET}"', CONTACTS),
        _q(org, "<http://www.w3.org/ns/org#hasMember>", person, CONTACTS),
        _q(f"<{CKG}Cluster>", f"<{RDF_TYPE}>", "<http://www.w3.org/2002/07/owl#Class>", onto),
        _q(f"<{CKG}Cluster>", f"<{LABEL}>", '"Cluster"@en', onto),
        _q(f"<{CKG}Cluster>", f"<{LABEL}>", '"Cluster (de)"@de', onto),
        _q(f"<{BASE}ontology>", f"<{RDF_TYPE}>", "<http://www.w3.org/2002/07/owl#Ontology>", onto),
    ]
    return "".join(quads)


SHAPES_TTL = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ckgsh: <{BASE}shapes#> .
ckgsh:ClusterShape a sh:NodeShape ; sh:targetClass <{CKG}Cluster> ;
  sh:property [ sh:path <{LABEL}> ; sh:minCount 1 ] .
"""


def build_store(folder: Path, nquads: str) -> Path:
    """Build and activate a store at folder/var/store from N-Quads text."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "data.nq"
    source.write_text(nquads, encoding="utf-8")
    store_path = folder / "var" / "store"
    store.activate(store_path, store.new_build(store_path, source, [CONTACTS]))
    return store_path


def make_project(folder: Path) -> Path:
    """A project folder with the sample store, shapes and a dumps folder."""
    build_store(folder, sample_nquads())
    (folder / "shapes").mkdir(exist_ok=True)
    (folder / "shapes" / "clusters.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    (folder / "dumps").mkdir(exist_ok=True)
    (folder / "dumps" / "clusterkg.nt").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    return folder


def settings_for(project: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"project_dir": project, "private_token": TOKEN, "query_workers": 2}
    values.update(overrides)
    return Settings.from_env(environ={}, **values)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(project: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`clusterkg serve` in a subprocess on a free loopback port; yields its root URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "CLUSTERKG_PRIVATE_TOKEN": TOKEN, **(extra_env or {})}
    command = [
        sys.executable,
        "-c",
        "from clusterkg.cli import main; main()",
        "--project-dir",
        str(project),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(root, process)
        yield root
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(root: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"clusterkg serve exited with {process.returncode}:\n{output}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(root + "/health", timeout=2).json().get("status") == "ok":
                return
        time.sleep(0.1)
    raise RuntimeError("clusterkg serve did not become healthy")


class Canary:
    """An HTTP server on loopback that records every request it gets (`hits`: "METHOD path"; `ports`:
    the client port each came from) and answers each with `status` and `body`.

    `keep_alive`: HTTP/1.1 with Content-Length, so a client can send its next request on the same
    connection; `hang_up` then closes each connection after its answer without saying so, as an
    engine does with a connection left idle too long.
    """

    def __init__(
        self,
        body: bytes = b"<urn:canary> <urn:was> <urn:called> .\n",
        content_type: str = "text/turtle",
        status: int = 200,
        keep_alive: bool = False,
        hang_up: bool = False,
    ) -> None:
        hits: list[str] = []
        ports: list[int] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def _record(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hits.append(f"{self.command} {self.path}")
                ports.append(self.client_address[1])
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if keep_alive:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = hang_up or not keep_alive

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args: object) -> None:
                return None

        self.hits, self.ports = hits, ports
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
