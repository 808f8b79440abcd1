"""`clusterkg query`: locally on the store, and remotely on `clusterkg serve` and Oxigraph server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg.cli import main

REPO = Path(__file__).resolve().parents[1]
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project-dir", str(project), "query", *args])
    return result.exit_code, result.stdout, result.stderr


def rows(output: str) -> list[dict[str, str]]:
    doc = json.loads(output)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


# ---------------------------------------------------------------- local


def test_list(built_project: Path) -> None:
    code, out, _ = run(built_project, "--list")
    assert code == 0
    assert "clusters-by-target-country\n  Clusters by target country and phase" in out
    assert "-p country=…  country (required, e.g. CAN)" in out


def test_local_table(built_project: Path) -> None:
    code, out, _ = run(
        built_project, "clusters-by-target-country", "-p", "country=CAN", "-p", "phase=concept"
    )
    assert code == 0
    assert "Hamburg Aviation" in out and out.rstrip().endswith("rows)")


def test_local_json_and_csv(built_project: Path) -> None:
    code, out, _ = run(built_project, "clusters-by-country", "-p", "country=FR", "--format", "json")
    assert code == 0
    found = rows(out)
    assert {r["cluster"].rsplit("/", 1)[1] for r in found} >= {"minalogic", "plastipolis"}
    code, out, _ = run(built_project, "clusters-by-country", "-p", "country=FRA", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("cluster,clusterLabel")
    assert len(out.splitlines()) == len(found) + 1


def test_local_paging_shows_the_total(built_project: Path) -> None:
    code, out, _ = run(built_project, "cluster-overview", "--limit", "3", "--offset", "2")
    assert code == 0
    assert "(3 rows)" in out and "(rows 3–5 of " in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["clusters-by-target-country"], "parameter 'country' is required"),
        (["clusters-by-target-country", "-p", "country=Atlantis"], "parameter 'country'"),
        (["clusters-by-target-country", "-p", "country=CAN", "-p", "phase=later"], "parameter 'phase'"),
        (["clusters-by-target-country", "-p", "country=CAN", "-p", "colour=red"], "no parameter 'colour'"),
        (["no-such-query"], "no canned query named 'no-such-query'"),
    ],
)
def test_local_errors_exit_2_with_a_message(built_project: Path, args: list[str], words: str) -> None:
    code, _, err = run(built_project, *args)
    assert code == 2 and words in err


def test_bad_pair_and_missing_name(built_project: Path) -> None:
    code, _, err = run(built_project, "cluster-overview", "-p", "novalue")
    assert code == 2 and "is not KEY=VALUE" in err
    code, _, err = run(built_project)
    assert code == 2 and "give a query NAME" in err


def test_show_sparql_binds_with_values(built_project: Path) -> None:
    code, out, _ = run(built_project, "organisations-by-city", "-p", 'city=a" } DROP ALL {', "--show-sparql")
    assert code == 0
    assert 'VALUES (?city) { ("a\\" } DROP ALL {") }' in out


# ---------------------------------------------------------------- remote


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def clusterkg_server(built_project: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "CLUSTERKG_QUERY_WORKERS": "1"}
    command = [sys.executable, "-m", "clusterkg.cli", "--project-dir", str(built_project)]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}/queries?format=json", process)
        yield f"http://127.0.0.1:{port}/sparql"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def oxigraph_server(built_project: Path, kg, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if not Path(OXIGRAPH).is_file():
        pytest.skip("the `oxigraph` server binary is not installed (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("oxigraph")
    dump = folder / "public.nq"
    with dump.open("wb") as out:
        kg.dump(out, "nquads")
    public = [
        line for line in dump.read_text(encoding="utf-8").splitlines() if "/graph/contacts>" not in line
    ]
    dump.write_text("\n".join(public) + "\n", encoding="utf-8")
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(folder / "db"), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    command = [OXIGRAPH, "serve-read-only", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop(process)


@pytest.fixture(params=["clusterkg-serve", "oxigraph-server"])
def endpoint(request: pytest.FixtureRequest) -> str:
    name = "clusterkg_server" if request.param == "clusterkg-serve" else "oxigraph_server"
    return str(request.getfixturevalue(name))


@pytest.mark.parametrize(
    "args",
    [
        ["clusters-by-target-country", "-p", "country=CAN", "-p", "phase=concept"],
        ["clusters-by-target-country", "-p", "country=CAN"],
        ["partnerships-by-sector", "-p", "sector=energy-environment"],
        ["entities-in-several-documents"],
        ["find-by-label", "-p", "text=bio", "-p", "lang=en"],
        ["resources-by-label", "-p", "label=Bavaria@en"],
        ["outcomes-by-country", "-p", "country=USA"],
    ],
    ids=lambda a: a[0] + ("+" + "+".join(a[2::2]) if len(a) > 1 else ""),
)
def test_remote_matches_local(built_project: Path, endpoint: str, args: list[str]) -> None:
    code, local, err = run(built_project, *args, "--format", "json")
    assert code == 0, err
    code, remote, err = run(built_project, *args, "--format", "json", "--endpoint", endpoint)
    assert code == 0, err
    assert rows(remote) and sorted(map(sorted, (r.items() for r in rows(remote)))) == sorted(
        map(sorted, (r.items() for r in rows(local)))
    )


def test_remote_paging_total(built_project: Path, endpoint: str) -> None:
    code, out, err = run(built_project, "cluster-overview", "--limit", "5", "--endpoint", endpoint)
    assert code == 0, err
    _, local, _ = run(built_project, "cluster-overview", "--limit", "5")
    assert "(5 rows)" in out and out.splitlines()[-1] == local.splitlines()[-1]  # same "of N" total


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; { "', "} ; DROP ALL ; {", "\\u0022) }", "a\nb > c"])
def test_remote_injection_stays_one_literal(built_project: Path, endpoint: str, value: str) -> None:
    code, out, err = run(
        built_project,
        "organisations-by-city",
        "-p",
        f"city={value}",
        "--format",
        "json",
        "--endpoint",
        endpoint,
    )
    assert code == 0, err
    assert rows(out) == []
    code, out, err = run(built_project, "cluster-overview", "--format", "json", "--endpoint", endpoint)
    assert code == 0 and len(rows(out)) > 10  # still all there


def test_unreachable_endpoint_is_a_clear_error(built_project: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    code, _, err = run(built_project, "cluster-overview", "--endpoint", url)
    assert code == 2 and f"cannot reach the SPARQL endpoint {url}" in err
