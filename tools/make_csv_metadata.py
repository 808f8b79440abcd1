"""Writes sources/csv-metadata.json, the CSVW table schema of the source records.

Run once when a table or column changes; the JSON file is what the code reads.
"""

import json
from pathlib import Path

S, I, Y, M, D, B = "string", "integer", "gYear", "gMonth", "decimal", "boolean"


def enum(*values):
    return {"base": "string", "format": "^(" + "|".join(values) + ")$"}


SLUG = {"base": "string", "format": "^[a-z0-9][a-z0-9-]*$"}
LANG = {"base": "string", "format": "^[a-z]{2}$"}


def col(name, datatype=S, required=False, **extra):
    c = {"name": name, "titles": name, "datatype": datatype}
    if required:
        c["required"] = True
    c.update(extra)
    return c


def country(name="country"):
    return [col(name), {"name": f"{name}_iso3", "virtual": True, "ckg:countryOf": name}]


KEY = col("key", SLUG, True)
DOC = col("document", SLUG, True)


def fk(column, table):
    return {"columnReference": column, "reference": {"resource": table, "columnReference": "key"}}


TABLES = {
    "documents.csv": (
        [
            KEY,
            col("seed_file", S, True),
            col("title", S, True),
            col("title_lang", LANG, True),
            col("publisher"),
            col("issued", "date"),
            col("language", LANG, True),
            col("summary", S, True),
        ],
        {},
    ),
    "organisations.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col("alt_name"),
            col("acronym"),
            col(
                "kind",
                enum(
                    "association",
                    "company",
                    "university",
                    "research-institute",
                    "public-body",
                    "network",
                    "foundation",
                    "other",
                ),
                True,
            ),
            col("street"),
            col("postcode"),
            col("city"),
            col("region", SLUG),
            *country(),
            col("founded", Y),
            col("website", "anyURI"),
            DOC,
            col("summary"),
        ],
        {"region": "regions.csv"},
    ),
    "clusters.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col("alt_name"),
            col("acronym"),
            col("managed_by", SLUG),
            col("city"),
            col("region", SLUG),
            *country(),
            col("founded", Y),
            DOC,
            col("summary"),
        ],
        {"managed_by": "organisations.csv", "region": "regions.csv"},
    ),
    "partnerships.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col("acronym"),
            col("kind", enum("escp", "escp-4x", "alliance", "network"), True),
            col("partner_count", I),
            col("partner_country_count", I),
            col("programme", SLUG),
            DOC,
            col("summary"),
        ],
        {"programme": "programmes.csv"},
    ),
    "programmes.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col("acronym"),
            col("funder", SLUG),
            col("period_start", Y),
            col("period_end", Y),
            DOC,
            col("summary"),
        ],
        {"funder": "organisations.csv"},
    ),
    "calls.csv": (
        [
            KEY,
            col("identifier"),
            col("name", S, True),
            col("name_lang", LANG, True),
            col("programme", SLUG, True),
            DOC,
        ],
        {"programme": "programmes.csv"},
    ),
    "projects.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col("named_in_source", B, True),
            col("acronym"),
            col("cluster", SLUG),
            col("partnership", SLUG),
            col("programme", SLUG),
            col("call", SLUG),
            col("start_year", Y),
            col("start_month", I),
            col("end_year", Y),
            DOC,
            col("summary"),
        ],
        {
            "cluster": "clusters.csv",
            "partnership": "partnerships.csv",
            "programme": "programmes.csv",
            "call": "calls.csv",
        },
    ),
    "phases.csv": (
        [
            KEY,
            col("project", SLUG, True),
            col("phase_type", enum("concept", "implementation"), True),
            col("duration_months", I),
            col("start_year", Y),
            DOC,
        ],
        {"project": "projects.csv"},
    ),
    "regions.csv": (
        [
            KEY,
            col("name", S, True),
            col("name_lang", LANG, True),
            col(
                "kind",
                enum(
                    "world-region",
                    "economic-area",
                    "sea-region",
                    "state",
                    "province",
                    "metropolitan-area",
                    "city",
                    "cross-border-region",
                    "other",
                ),
                True,
            ),
            *country(),
            col("parent_region", SLUG),
            DOC,
        ],
        {"parent_region": "regions.csv"},
    ),
    "target_markets.csv": (
        [
            KEY,
            col("project", SLUG),
            col("phase", SLUG),
            col("partnership", SLUG),
            *country(),
            col("region", SLUG),
            col("certainty", enum("stated", "tentative"), True),
            col("maturity", enum("mature", "less-mature")),
            col("as_written", S, True),
            DOC,
        ],
        {
            "project": "projects.csv",
            "phase": "phases.csv",
            "partnership": "partnerships.csv",
            "region": "regions.csv",
        },
    ),
    "memberships.csv": (
        [
            KEY,
            col("project", SLUG),
            col("partnership", SLUG),
            col("cluster", SLUG),
            col("organisation", SLUG),
            col("region", SLUG),
            col(
                "role",
                enum("lead", "partner", "participant", "partner-region", "funder", "managing-body"),
                True,
            ),
            DOC,
        ],
        {
            "project": "projects.csv",
            "partnership": "partnerships.csv",
            "cluster": "clusters.csv",
            "organisation": "organisations.csv",
            "region": "regions.csv",
        },
    ),
    "partner_countries.csv": (
        [KEY, col("partnership", SLUG, True), *country(), col("as_written", S, True), DOC],
        {"partnership": "partnerships.csv"},
    ),
    "outcomes.csv": (
        [
            KEY,
            col("project", SLUG, True),
            col(
                "kind",
                enum(
                    "mou",
                    "joint-office",
                    "office",
                    "business-trip",
                    "roadmap",
                    "matchmaking-event",
                    "incoming-consultant",
                ),
                True,
            ),
            col("count", I),
            *country(),
            col("region", SLUG),
            col("city"),
            col("as_written", S, True),
            DOC,
        ],
        {"project": "projects.csv", "region": "regions.csv"},
    ),
    "figures.csv": (
        [
            KEY,
            col("cluster", SLUG),
            col("organisation", SLUG),
            col("partnership", SLUG),
            col("project", SLUG),
            col("programme", SLUG),
            col("region", SLUG),
            col("measure", SLUG, True),
            col("value", D, True),
            col("unit", SLUG),
            col("qualifier", enum("exact", "approximately", "more-than", "at-least", "up-to"), True),
            col("year", Y),
            col("as_written", S, True),
            DOC,
        ],
        {
            "cluster": "clusters.csv",
            "organisation": "organisations.csv",
            "partnership": "partnerships.csv",
            "project": "projects.csv",
            "programme": "programmes.csv",
            "region": "regions.csv",
        },
    ),
    "sectors.csv": (
        [KEY, col("label", S, True), col("label_lang", LANG, True), col("label_de"), col("broader", SLUG)],
        {"broader": "sectors.csv"},
    ),
    "classifications.csv": (
        [
            KEY,
            col("cluster", SLUG),
            col("partnership", SLUG),
            col("project", SLUG),
            col("organisation", SLUG),
            col("sector", SLUG, True),
            DOC,
        ],
        {
            "cluster": "clusters.csv",
            "partnership": "partnerships.csv",
            "project": "projects.csv",
            "organisation": "organisations.csv",
            "sector": "sectors.csv",
        },
    ),
    "mentions.csv": (
        [
            KEY,
            col("cluster", SLUG),
            col("organisation", SLUG),
            col("partnership", SLUG),
            col("project", SLUG),
            col("programme", SLUG),
            col("name_as_written", S, True),
            DOC,
        ],
        {
            "cluster": "clusters.csv",
            "organisation": "organisations.csv",
            "partnership": "partnerships.csv",
            "project": "projects.csv",
            "programme": "programmes.csv",
        },
    ),
    "contacts.csv": (
        [
            KEY,
            col("cluster", SLUG),
            col("organisation", SLUG),
            col("person_name"),
            col("job_title"),
            col("phone"),
            col("fax"),
            col("mobile"),
            col("email"),
            DOC,
        ],
        {"cluster": "clusters.csv", "organisation": "organisations.csv"},
    ),
    "country_aliases.csv": (
        [col("alias", S, True), col("iso3", {"base": "string", "format": "^[A-Z]{3}$"}, True)],
        {},
    ),
}


def table(url, columns, fks):
    keys = [c["name"] for c in columns if not c.get("virtual")]
    fk_list = [fk(c, t) for c, t in fks.items()]
    if "document" in keys and url != "documents.csv":
        fk_list.append(fk("document", "documents.csv"))
    schema = {"columns": columns, "primaryKey": "key" if "key" in keys else "alias"}
    if fk_list:
        schema["foreignKeys"] = fk_list
    return {"url": url, "tableSchema": schema}


meta = {
    "@context": [
        "http://www.w3.org/ns/csvw",
        {"@language": "en", "ckg": "https://w3id.org/clusterkg/ontology#"},
    ],
    "dc:title": "clusterkg source records",
    "tables": [table(u, c, f) for u, (c, f) in TABLES.items()],
}
Path(__file__).resolve().parent.parent.joinpath("sources", "csv-metadata.json").write_text(
    json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
)
