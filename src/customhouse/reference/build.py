"""Rebuild the shipped reference files from the public data sets (a maintainer's tool).

``python -m customhouse.reference.build /path/to/shared/data`` rewrites
``customhouse/data/reference/``: compact, gzipped (with a fixed mtime, so rebuilding is
byte-stable) and described in ``manifest.json``. Only openly licensed sets are taken; see
NOTICE.md there. Nothing here runs when customhouse is used.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from customhouse.reference.loaders import DATA_DIR


def _write_gz(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    return count


def _hs_rows(path: Path) -> list[tuple[str, str, str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [
            (r["hscode"], r["level"], r["parent"], r["section"], r["description"])
            for r in csv.DictReader(f)
            if r.get("hscode") and r["hscode"] != "TOTAL"
        ]


def build(shared: Path, out: Path = DATA_DIR) -> dict[str, int]:
    """Write every shipped file from ``shared``; return the rows written per file."""
    hs = shared / "hs-nomenclature"
    counts: dict[str, int] = {}
    header = ("code", "level", "parent", "section", "description")
    counts["hs2022"] = _write_gz(out / "hs2022.csv.gz", header, _hs_rows(hs / "hs2022.csv"))
    counts["hs2017"] = _write_gz(out / "hs2017.csv.gz", header, _hs_rows(hs / "hs2017.csv"))
    with (hs / "sections.csv").open(encoding="utf-8-sig", newline="") as f:
        sections = [(r["section"], r["name"]) for r in csv.DictReader(f)]
    counts["hs_sections"] = _write_gz(out / "hs_sections.csv.gz", ("section", "name"), sections)

    ecb = (shared / "ecb-eurofxref" / "eurofxref-hist.csv").read_bytes()
    with (
        (out / "ecb_eurofxref.csv.gz").open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        gz.write(ecb)
    counts["ecb_rates"] = ecb.count(b"\n") - 1

    with (shared / "hmrc-exchange-rates" / "all_rates.csv").open(newline="") as f:
        hmrc = [row[:4] for row in csv.reader(f) if row]
    counts["hmrc_rates"] = _write_gz(
        out / "hmrc_monthly.csv.gz", ("currency", "valid_from", "valid_until", "rate"), hmrc
    )

    path = shared / "un-locode" / "code-list-2014-partial-A-to-N.csv"
    with path.open(encoding="utf-8", newline="") as f:
        # '=' rows are name cross-references without a code; 'X' rows are marked for deletion.
        locodes = sorted(
            {
                r["LOCODE"].replace(" ", ""): (
                    r["LOCODE"].replace(" ", ""),
                    r["Name"],
                    r["SubDiv"],
                    r["Function"],
                    r["Status"],
                )
                for r in csv.DictReader(f)
                if r["Ch"] not in ("=", "X") and len(r["LOCODE"].replace(" ", "")) == 5
            }.values()
        )
    counts["locodes"] = _write_gz(
        out / "unlocode.csv.gz", ("locode", "name", "subdivision", "function", "status"), locodes
    )
    return counts


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1]))))
