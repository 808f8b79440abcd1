"""Copy the Natural Earth country outlines into the package and write their code table.

The server and `clusterkg publish` read src/clusterkg/geodata/ only, so a release never
depends on ../shared at run time. The TopoJSON files are copied byte for byte; iso-numeric.csv
maps each ISO 3166-1 numeric code to alpha-2 and alpha-3 (from the ISO table).
Usage: python tools/make_geo_data.py [STANDARDS_DIR]
"""

import csv
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STANDARDS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "standards"
OUT = ROOT / "src" / "clusterkg" / "geodata"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name in ("countries-110m.json", "countries-50m.json", "LICENSE-world-atlas.txt"):
        shutil.copyfile(STANDARDS / "geo" / name, OUT / name)
    with (STANDARDS / "iso3166" / "country-codes.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["ISO3166-1-numeric"].strip()]
    rows.sort(key=lambda r: int(r["ISO3166-1-numeric"]))
    with (OUT / "iso-numeric.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["numeric", "alpha2", "alpha3"])
        for r in rows:
            out.writerow(
                [f"{int(r['ISO3166-1-numeric']):03d}", r["ISO3166-1-Alpha-2"], r["ISO3166-1-Alpha-3"]]
            )


if __name__ == "__main__":
    main()
