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


def eu_names(names: dict[str, set[str]]) -> set[str]:
    g = rdflib.Graph().parse(STANDARDS / "eu-authority/country/countries-skos.rdf")
    codes = set()
    for concept in g.subjects(SKOS.inScheme, rdflib.URIRef(EU.rstrip("/"))):
        code = str(concept)[len(EU):]
        if len(code) != 3 or str(g.value(concept, AT.deprecated)) == "true":
            continue
        codes.add(code)
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in g.objects(concept, prop):
                if label.language in LANGS:
                    names[str(label)].add(code)
        for mapped in g.objects(concept, AT["op-mapped-code"]):
            legacy = g.value(mapped, AT["legacy-code"])
            if legacy is not None and len(str(legacy)) == 2:
                names[str(legacy)].add(code)
    return codes


def iso_names(names: dict[str, set[str]], codes: set[str]) -> None:
    with open(STANDARDS / "iso3166/country-codes.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["ISO3166-1-Alpha-3"]
            if code not in codes:
                continue
            for col in ("ISO3166-1-Alpha-2", "ISO3166-1-Alpha-3", "official_name_en",
                        "CLDR display name", "UNTERM English Short"):
                if row[col].strip():
                    names[row[col].strip()].add(code)


def main() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    codes = eu_names(names)
    iso_names(names, codes)
    for code in codes:
        names[code].add(code)
    folded: dict[str, set[str]] = defaultdict(set)
    for name, found in names.items():
        folded[name.casefold()] |= found
    out = ROOT / "reference" / "country_names.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "iso3"])
        for name in sorted(folded):
            if len(folded[name]) == 1:
                writer.writerow([name, next(iter(folded[name]))])
    print(f"{out}: {len(codes)} countries")


if __name__ == "__main__":
    main()
