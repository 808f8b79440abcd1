"""What differs between the SPARQL engines `clusterkg push` writes to (the `push_engine` setting).

Three things differ, and only these are kept here:

- where the three endpoints live under the engine's URL (query, update, Graph Store Protocol);
- how a staging graph loads fastest: Oxigraph server takes `no_transaction` (its bulk loader, about
  3x faster than a transactional load, measured at 1M) and `lenient` (no re-validation of the IRIs
  and language tags the build already wrote) on a Graph Store Protocol upload. Staging graphs are
  not live, and each is verified by count and digest before the switch, so a load that is not
  atomic is safe there;
- what the default graph is. Oxigraph server (without --union-default-graph) and Fuseki (with
  `tdb:unionDefaultGraph false`, its default) have a real default graph: the build's merged
  default graph is pushed into it, and readers see each public triple once without asking.
  Virtuoso answers a query without FROM from the union of ALL its graphs (its system graphs, the
  staging graphs and the kept previous release included) and has no default graph to write to: the
  merged default graph goes into a named graph of its own (`Names.merged`), and readers scope
  their queries to it (`FROM <merged>`, or `default-graph-uri=`); `clusterkg serve --backend` does
  this by itself, reading the live dataset from the release marker the push writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SettingsError
from ..settings import env_var


@dataclass(frozen=True)
class Profile:
    """One engine family: its endpoint paths under the engine's URL (None: give each URL), and
    whether its default graph is the union of all its graphs."""

    name: str
    paths: tuple[str, str, str] | None
    union_default: bool = False
    auth: str = ""  # the scheme its write endpoints ask for, where known (named in errors)
    load_params: str = ""  # added to a Graph Store Protocol upload into a staging graph


PROFILES = {
    "oxigraph": Profile("oxigraph", ("query", "update", "store"), load_params="no_transaction&lenient"),
    "fuseki": Profile("fuseki", ("query", "update", "data")),  # URL: the dataset's, e.g. :3030/ds
    "virtuoso": Profile(
        "virtuoso", ("sparql", "sparql-auth", "sparql-graph-crud-auth"), union_default=True, auth="digest"
    ),
    "generic": Profile("generic", None),
}


def profile(name: str) -> Profile:
    """The profile called `name`; SettingsError naming the known ones otherwise."""
    found = PROFILES.get(name.strip().lower())
    if found is None:
        raise SettingsError(
            f"push_engine {name!r} is not one of {', '.join(PROFILES)}",
            hint=f"set {env_var('push_engine')} (or --engine) to one of them",
        )
    return found
