"""Screen 10,000 names against ALL loaded lists and against the UN list alone.

Names: the shown UN positives (names as listed and with typos) plus synthetic negatives
(OpenSanctions screening fixtures) up to 10,000. Prints one JSON object with, per index, recall of
the UN positives (a hit on the UN list), false alerts per 1,000 negatives (any hit) and names per
second (screening only, one process; the index is built before the clock starts), by the wall
clock and by this process's CPU time (the machine is shared: the CPU figure is the steadier one).

    .venv/bin/python bench/screening_names.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.loaders import country_code, load_list
from customhouse.screening.models import Party, SanctionsList

DATA = (
    Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data"
)
LISTS = [
    ("un", "sanctions-un/consolidated.xml"),
    ("ofac", "sanctions-ofac"),
    ("us-csl", "sanctions-us-csl/csl_names.csv"),
    ("eu", "sanctions-other/eu_consolidated_parsed.csv"),
    ("uk", "sanctions-other/uk_sanctions_parsed.csv"),
    ("ca", "sanctions-other/canada_consolidated_autonomous.xml"),
    ("au", "sanctions-other/australia_consolidated_parsed.csv"),
]
TOTAL = 10_000


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / "sanctions-name-matching" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def party(row: dict[str, str]) -> Party:
    nationality = row.get("nationality") or ""
    return Party(
        row["full_name"],
        country=country_code(nationality) if nationality else "",
        date_of_birth=row.get("date_of_birth") or "",
    )


def run(index: ScreeningIndex, positives: list[Party], negatives: list[Party]) -> dict[str, float]:
    started, cpu = time.perf_counter(), time.process_time()
    pos = [screen_party(index, p) for p in positives]
    neg = [screen_party(index, p) for p in negatives]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    found = sum(1 for r in pos if any(h.list_name == "UN" for h in r.hits))
    alerts = sum(1 for r in neg if r.hits)
    return {
        "names": len(pos) + len(neg),
        "un_positives": len(pos),
        "recall": round(found / len(pos), 4),
        "negatives": len(neg),
        "false_alerts_per_1000": round(1000 * alerts / len(neg), 3),
        "names_per_second": round((len(pos) + len(neg)) / elapsed, 1),
        # CPU time of this one process: what one core does, whatever else the machine runs.
        "names_per_cpu_second": round((len(pos) + len(neg)) / cpu, 1),
    }


def main() -> None:
    started = time.perf_counter()
    lists: list[SanctionsList] = [load_list(kind, DATA / path) for kind, path in LISTS]
    load_s = time.perf_counter() - started
    positives = [
        party(r)
        for f in ("positives_un_untreated.csv", "positives_un_treated.csv")
        for r in rows(f)
    ]
    negatives_all = [
        party(r) for f in ("negatives_global.csv", "negatives_us.csv") for r in rows(f)
    ]
    # Every other negative from both files, so global and US fixtures are both represented.
    negatives = negatives_all[:: max(1, len(negatives_all) // (TOTAL - len(positives)))]
    negatives = negatives[: TOTAL - len(positives)]
    started = time.perf_counter()
    every = ScreeningIndex(lists)
    index_s = time.perf_counter() - started
    un_only = ScreeningIndex([lists[0]])
    out = {
        "lists": {s.name: len(s.entities) for s in lists},
        "listed_names": len(every.names),
        "load_seconds": round(load_s, 2),
        "index_seconds": round(index_s, 2),
        "all_lists": run(every, positives, negatives),
        "un_list": run(un_only, positives, negatives),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
