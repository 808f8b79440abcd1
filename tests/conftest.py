"""Shared fixtures: the standards folder, a disposable copy of the project, a built store."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STANDARDS = Path(os.environ.get("CLUSTERKG_STANDARDS", REPO.parent / "shared" / "standards"))
PROJECT_FOLDERS = ("sources", "mappings", "shapes", "ontology", "reference", "queries", "catalog")


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    if not STANDARDS.is_dir():
        pytest.fail(f"standards folder missing: {STANDARDS} (set CLUSTERKG_STANDARDS)")
    return STANDARDS


def copy_project(target: Path) -> Path:
    """Copy the project's data folders (not the code) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in PROJECT_FOLDERS:
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


def tree_digest(path: Path) -> str:
    """A digest of every file name and byte under `path` (following the store link)."""
    digest = hashlib.sha256()
    for root in (path, path.with_name(path.name + ".builds")):
        if not root.exists():
            continue
        digest.update(f"{root.name}->{root.resolve().name}".encode())
        for file in sorted(p for p in root.resolve().rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(root.resolve())).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the real data built into var/store (built once per session)."""
    from clusterkg import pipeline
    from clusterkg.settings import Settings

    project = copy_project(tmp_path_factory.mktemp("project"))
    pipeline.build(Settings.from_env(environ={}, project_dir=project))
    return project


@pytest.fixture(scope="session")
def kg(built_project: Path):  # type: ignore[no-untyped-def]
    from clusterkg import pipeline
    from clusterkg.settings import Settings

    return pipeline.open_store(Settings.from_env(environ={}, project_dir=built_project))
