"""Compare two releases: triples added and removed per graph; resources added, removed, changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..store import export

Quad = tuple[str, str, str, str]


@dataclass
class ReleaseDiff:
    """What changed between an old and a new release."""

    added: Counter[str] = field(default_factory=Counter)  # graph -> triples added
    removed: Counter[str] = field(default_factory=Counter)  # graph -> triples removed
    resources_added: list[str] = field(default_factory=list)
    resources_removed: list[str] = field(default_factory=list)
    resources_changed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed)

    def to_text(self, limit: int = 20) -> str:
        if self.unchanged:
            return "No differences."
        lines = ["Triples per graph (added / removed):"]
        for graph in sorted(set(self.added) | set(self.removed)):
            lines.append(f"  {graph.strip('<>')}  +{self.added[graph]} / -{self.removed[graph]}")
        for title, items in (
            ("Resources added", self.resources_added),
            ("Resources removed", self.resources_removed),
            ("Resources changed", self.resources_changed),
        ):
            lines.append(f"{title}: {len(items)}")
            lines += [f"  {item.strip('<>')}" for item in items[:limit]]
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit} more")
        return "\n".join(lines)

    def notes(self, old_version: str) -> dict[str, str]:
        """One sentence per language for the version notes of the catalog."""
        plus, minus = sum(self.added.values()), sum(self.removed.values())
        counts = (len(self.resources_added), len(self.resources_removed), len(self.resources_changed))
        return {
            "en": f"Changes since {old_version}: {plus} triples added, {minus} removed; "
            f"{counts[0]} resources added, {counts[1]} removed, {counts[2]} changed.",
            "de": f"Änderungen seit {old_version}: {plus} Tripel hinzugefügt, {minus} entfernt; "
            f"{counts[0]} Ressourcen hinzugefügt, {counts[1]} entfernt, {counts[2]} geändert.",
        }


def release_nquads(folder: Path) -> Path:
    """The N-Quads dump of a release folder."""
    found = sorted(folder.glob("*.nq.gz")) if folder.is_dir() else []
    if not found:
        raise InputError(f"{folder} holds no release (no *.nq.gz)", hint="give a folder written by publish")
    return found[0]


def diff_releases(old: Path, new: Path) -> ReleaseDiff:
    """Compare the N-Quads dumps of two release folders."""
    before = set(export.release_quads(release_nquads(old)))
    after = set(export.release_quads(release_nquads(new)))
    return diff_quads(before, after)


def diff_quads(before: set[Quad], after: set[Quad]) -> ReleaseDiff:
    result = ReleaseDiff()
    added, removed = after - before, before - after
    result.added = Counter(q[3] for q in added)
    result.removed = Counter(q[3] for q in removed)
    old_subjects = {q[0] for q in before if q[0].startswith("<")}
    new_subjects = {q[0] for q in after if q[0].startswith("<")}
    touched = {q[0] for q in added | removed}
    result.resources_added = sorted(new_subjects - old_subjects)
    result.resources_removed = sorted(old_subjects - new_subjects)
    result.resources_changed = sorted((old_subjects & new_subjects) & touched)
    return result
