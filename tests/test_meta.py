"""Meta-tests: the architecture rules, documentation of settings and commands, one version."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import clusterkg
from clusterkg.cli import main
from clusterkg.settings import describe

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "clusterkg"
README = (REPO / "README.md").read_text(encoding="utf-8")

# Layer of each top-level module or package; a module may import only its own layer or lower ones,
# and a stage may import only stages that come before it in the flow.
LAYERS = {
    "cli": 4,
    "pipeline": 3,
    "serve": 3,
    "synth": 3,
    "sources": 2,
    "mapping": 2,
    "validation": 2,
    "store": 2,
    "publish": 2,
    "queries": 2,
    "errors": 1,
    "settings": 1,
    "namespaces": 1,
    "rdf": 1,
    "timing": 1,
    "terms": 1,
    "geo": 1,
    "i18n": 1,
}
STAGE_ORDER = ["sources", "mapping", "validation", "store", "publish", "queries"]
# An outside library and the one module (or package) allowed to import it.
OWNERS = {
    "pyoxigraph": "store",
    "pyshacl": "validation",
    "rdflib": "rdf",
    "jsonpath_ng": "mapping",
    "uvicorn": "cli",
    "starlette": "serve",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _top(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported top-level name, level) for every import; level>0 means relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += _from_import(path, node)
    return found


def _from_import(path: Path, node: ast.ImportFrom) -> list[tuple[str, int]]:
    if node.level == 0:
        return [((node.module or "").split(".")[0], 0)]
    depth = len(path.relative_to(PACKAGE).parts) - 1  # folders below the package root
    if node.level > depth:  # reaches the package root: names the top-level module
        if node.module:
            return [(node.module.split(".")[0], node.level)]
        return [(alias.name, node.level) for alias in node.names]
    return []  # stays inside its own package


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_downward(path: Path) -> None:
    me = _top(path)
    if me not in LAYERS:
        return
    for name, level in _imports(path):
        if level == 0 or name not in LAYERS or name == me:
            continue
        assert LAYERS[name] <= LAYERS[me], f"{me} (layer {LAYERS[me]}) imports {name} (layer {LAYERS[name]})"
        if me in STAGE_ORDER and name in STAGE_ORDER:
            assert STAGE_ORDER.index(name) < STAGE_ORDER.index(me), f"stage {me} imports later stage {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_outside_library_has_one_owner(path: Path) -> None:
    me = _top(path)
    for name, level in _imports(path):
        if level == 0 and name in OWNERS:
            assert OWNERS[name] == me, f"{path.name} imports {name}; only {OWNERS[name]} may"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_library_code_never_prints_or_exits(path: Path) -> None:
    if _top(path) == "cli":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = getattr(getattr(func, "value", None), "id", "")
            assert name != "print", f"{path.name}:{node.lineno} prints"
            assert not (owner == "sys" and name == "exit"), f"{path.name}:{node.lineno} calls sys.exit"


@pytest.mark.parametrize("name,env,default,help_text", describe())
def test_every_setting_is_documented(name: str, env: str, default: object, help_text: str) -> None:
    assert help_text.strip(), f"setting {name} has no help"
    assert f"`{env}`" in README, f"{env} is not documented in README.md"


def _commands() -> list[tuple[str, click.Command]]:
    return sorted(main.commands.items())  # type: ignore[attr-defined]


@pytest.mark.parametrize("name,command", _commands(), ids=[n for n, _ in _commands()])
def test_every_command_has_help_and_is_documented(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"`clusterkg {name}` has no help text"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert f"clusterkg {name}" in README, f"`clusterkg {name}` is not documented in README.md"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help or param.is_flag or param.show_default, f"{name} {param.opts} lacks help"


def test_one_version_source() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert clusterkg.__version__ in result.output
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'dynamic\s*=\s*\["version"\]', pyproject)
    assert 'clusterkg = "clusterkg.cli:main"' in pyproject


def test_modules_stay_small() -> None:
    for path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 550, f"{path.relative_to(PACKAGE)} has {lines} lines; split it into a package"


def _schema_columns() -> list[tuple[str, str]]:
    from clusterkg.sources import load_tables

    return [(t.url, c.name) for t in load_tables(REPO / "sources") for c in t.columns]


@pytest.mark.parametrize("table,column", _schema_columns())
def test_every_source_column_is_documented(table: str, column: str) -> None:
    dictionary = (REPO / "sources" / "README.md").read_text(encoding="utf-8")
    assert f"## {table}" in dictionary, f"{table} has no section in sources/README.md"
    section = dictionary.split(f"## {table}", 1)[1].split("\n## ", 1)[0]
    assert f"`{column}`" in section, f"{table} column {column} is not documented in sources/README.md"


def test_every_table_has_a_mapping_or_is_a_lookup() -> None:
    mapped = {p.name.removesuffix(".rml.ttl") for p in (REPO / "mappings").glob("*.rml.ttl")}
    tables = {t.removesuffix(".csv") for t, _ in _schema_columns()}
    assert tables - mapped == {"country_aliases"}
