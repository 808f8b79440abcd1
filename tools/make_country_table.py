"""Regenerate reference/country_names.csv from the standards files.

The table maps every English, German, French, Spanish, Italian, Dutch, Portuguese
and Polish name, plus ISO alpha-2/alpha-3 codes and the EU table's legacy codes,
to the EU authority country code. Names that point to two countries are dropped.
Usage: python tools/make_country_table.py [STANDARDS_DIR]
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parents[1]
STANDARDS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "standards"
LANGS = {"en", "de", "fr", "es", "it", "nl", "pt", "pl"}
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
AT = rdflib.Namespace("http://publications.europa.eu/ontology/authority/")

EU = "http://publications.europa.eu/resource/authority/country/"


# Tiers: 0 = codes, 1 = English names, 2 = other languages and legacy codes.
# A name is kept at its best tier; within that tier it must name exactly one country.
Tiers = list[dict[str, set[str]]]


def eu_names(tiers: Tiers) -> set[str]:
    g = rdflib.Graph().parse(STANDARDS / "eu-authority/country/countries-skos.rdf")
    codes = set()
    for concept in g.subjects(SKOS.inScheme, rdflib.URIRef(EU.rstrip("/"))):
        code = str(concept)[len(EU) :]
        if len(code) != 3 or str(g.value(concept, AT.deprecated)) == "true":
            continue
        codes.add(code)
        tiers[0][code].add(code)
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in g.objects(concept, prop):
                if label.language in LANGS:
                    tiers[1 if label.language == "en" else 2][str(label)].add(code)
        for mapped in g.objects(concept, AT["op-mapped-code"]):
            legacy = g.value(mapped, AT["legacy-code"])
            if legacy is not None and len(str(legacy)) == 2:
                tiers[2][str(legacy)].add(code)
    return codes


def iso_names(tiers: Tiers, codes: set[str]) -> None:
    with open(STANDARDS / "iso3166/country-codes.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["ISO3166-1-Alpha-3"]
            if code not in codes:
                continue
            for col, tier in (
                ("ISO3166-1-Alpha-2", 0),
                ("official_name_en", 1),
                ("CLDR display name", 1),
                ("UNTERM English Short", 1),
            ):
                if row[col].strip():
                    tiers[tier][row[col].strip()].add(code)


def main() -> None:
    tiers: Tiers = [defaultdict(set) for _ in range(3)]
    codes = eu_names(tiers)
    iso_names(tiers, codes)
    chosen: dict[str, str] = {}
    for tier in tiers:
        folded: dict[str, set[str]] = defaultdict(set)
        for name, found in tier.items():
            folded[name.casefold()] |= found
        for name, found in folded.items():
            if name not in chosen and len(found) == 1:
                chosen[name] = next(iter(found))
    out = ROOT / "reference" / "country_names.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "iso3"])
        writer.writerows(sorted(chosen.items()))
    print(f"{out}: {len(codes)} countries, {len(chosen)} names")


if __name__ == "__main__":
    main()
