"""What the release's data holds, read from its canonical lines in one pass.

Feeds VoID (counts, partitions, vocabularies, linksets) and the catalog (countries
covered, period covered).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..namespaces import EU_COUNTRY, RDF, XSD
from .vocab import AUTHORITY

_TYPE = f"<{RDF}type>".encode()
_AUTHORITY = f"<{AUTHORITY}".encode()
_YEAR = re.compile(
    rb'^"(\d{4})(?:-\d\d-\d\d)?[^"]*"\^\^<' + re.escape(XSD.encode()) + rb"(?:gYear|date|dateTime)>$"
)


@dataclass
class DataProfile:
    """Counts and coverage of the published triples."""

    triples: int = 0
    subjects: set[bytes] = field(default_factory=set)
    classes: Counter[str] = field(default_factory=Counter)  # class -> distinct instances
    properties: Counter[str] = field(default_factory=Counter)  # property -> triples
    distinct_objects: int = 0
    links: Counter[tuple[str, str]] = field(default_factory=Counter)  # (authority table, predicate) -> n
    countries: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    @property
    def entities(self) -> int:
        return sum(1 for s in self.subjects if s.startswith(b"<"))

    def vocabularies(self) -> list[str]:
        """Namespaces of every property and class used."""
        return sorted({_namespace(term) for term in (*self.classes, *self.properties)})


def profile_lines(lines: Iterable[bytes]) -> DataProfile:
    """Profile sorted, unique N-Triples lines (the union of the public graphs)."""
    profile = DataProfile()
    typed: dict[bytes, set[bytes]] = {}
    objects: set[bytes] = set()
    predicates: Counter[bytes] = Counter()
    for line in lines:
        subject, predicate, rest = line.split(b" ", 2)
        obj = rest[:-3]  # drop " .\n"
        profile.triples += 1
        profile.subjects.add(subject)
        predicates[predicate] += 1
        objects.add(obj)
        if predicate == _TYPE:
            typed.setdefault(obj, set()).add(subject)
        elif obj.startswith(_AUTHORITY):
            _note_authority_link(profile, predicate, obj)
        elif obj.endswith(b">") and obj.startswith(b'"'):
            match = _YEAR.match(obj)
            if match:
                profile.years.add(int(match.group(1)))
    profile.properties = Counter({p.decode()[1:-1]: n for p, n in predicates.items()})
    profile.classes = Counter({c.decode()[1:-1]: len(s) for c, s in typed.items() if c.startswith(b"<")})
    profile.distinct_objects = len(objects)
    return profile


def _note_authority_link(profile: DataProfile, predicate: bytes, obj: bytes) -> None:
    target = obj.decode()[1:-1]
    table = target[len(AUTHORITY) :].split("/", 1)[0]
    profile.links[(AUTHORITY + table, predicate.decode()[1:-1])] += 1
    if target.startswith(EU_COUNTRY):
        profile.countries.add(target)


def _namespace(term: str) -> str:
    cut = max(term.rfind("#"), term.rfind("/"))
    return term[: cut + 1]
