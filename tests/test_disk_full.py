"""A disk that fills up during build or publish: exit 2, a message naming the file, nothing live changed.

The disk is real: a small tmpfs mounted in a user and mount namespace of the test's own (no root
needed, nothing outside the namespace sees it), filled up after a first good build and publish.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INSIDE = r"""
import json, os, shutil, subprocess, sys
sys.path.insert(0, sys.argv[3])
from conftest import copy_project, tree_digest
disk, headroom = sys.argv[1], int(sys.argv[2])
from pathlib import Path
project = copy_project(Path(disk) / "project")
cli = [sys.executable, "-c", "from clusterkg.cli import main; main()", "--project-dir", str(project)]
def run(*args):
    done = subprocess.run([*cli, *args], capture_output=True, text=True)
    return {"code": done.returncode, "output": done.stdout + done.stderr}
out = {"first_build": run("build", "-q"), "first_publish": run("publish", "-q")}
store, dumps = project / "var" / "store", project / "dumps"
before = tree_digest(store), tree_digest(dumps)
with open(os.path.join(disk, "filler"), "wb") as filler:
    try:
        while True:
            filler.write(b"\0" * (1 << 20))
            filler.flush()
    except OSError:
        pass
    os.truncate(filler.name, max(os.path.getsize(filler.name) - headroom, 0))
out["build"], out["publish"] = run("build", "-q"), run("publish", "-q")
out["unchanged"] = [tree_digest(store), tree_digest(dumps)] == list(before)
out["left"] = sorted(p.name for p in store.parent.joinpath("store.builds").iterdir())
print(json.dumps(out))
"""


def _on_a_small_disk(tmp_path: Path, headroom: int) -> dict[str, object]:
    if not shutil.which("unshare"):
        pytest.skip("util-linux unshare is not installed")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "inside.py"
    script.write_text(INSIDE, encoding="utf-8")
    shell = 'mount -t tmpfs -o size=24m tmpfs "$1" && exec "$2" "$3" "$1" "$4" "$5"'
    command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell, "sh"]
    command += [str(disk), sys.executable, str(script), str(headroom), str(REPO / "tests")]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0 and "mount" in done.stderr and not done.stdout:
        pytest.skip(f"cannot mount a tmpfs in a namespace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("headroom", [64 * 1024, 1024 * 1024], ids=["64KB-free", "1MB-free"])
def test_a_full_disk_stops_build_and_publish_cleanly(tmp_path: Path, headroom: int) -> None:
    out = _on_a_small_disk(tmp_path, headroom)
    assert out["first_build"]["code"] == 0, out["first_build"]  # type: ignore[index]
    assert out["first_publish"]["code"] == 0, out["first_publish"]  # type: ignore[index]
    for run in ("build", "publish"):
        code, output = out[run]["code"], out[run]["output"]  # type: ignore[index]
        assert code == 2, (run, output)
        assert "Traceback" not in output, output
        assert "disk is full" in output and "was not changed" in output, output
        assert "/" in output.split("while writing", 1)[-1], output  # names the file it was writing
    assert out["unchanged"] is True
    assert all(not name.startswith(".staging") for name in out["left"]), out["left"]  # type: ignore[attr-defined]
