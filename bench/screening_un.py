"""The judged UN figures on every shown row: recall of the UN positives, false alerts per 1,000.

Screens each file of shared/data/sanctions-name-matching against the UN list alone, the way
`customhouse screen batch` does (full_name, date_of_birth, nationality), and prints one JSON object.

    .venv/bin/python bench/screening_un.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.loaders import country_code, load_list
from customhouse.screening.models import Party

DATA = (
    Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data"
)
FILES = {
    "positives_un_untreated.csv": "recall",
    "positives_un_treated.csv": "recall",
    "negatives_global.csv": "false_alerts_per_1000",
    "negatives_us.csv": "false_alerts_per_1000",
    "positives_us_congress_untreated.csv": "false_alerts_per_1000",  # hard negatives for UN
}


def main() -> None:
    index = ScreeningIndex([load_list("un", DATA / "sanctions-un/consolidated.xml")])
    out: dict[str, object] = {}
    for name, measure in FILES.items():
        with (DATA / "sanctions-name-matching" / name).open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        started = time.process_time()
        hits = 0
        for row in rows:
            nationality = row.get("nationality") or ""
            party = Party(
                row["full_name"],
                country=country_code(nationality) if nationality else "",
                date_of_birth=row.get("date_of_birth") or "",
            )
            hits += bool(screen_party(index, party).hits)
        cpu = time.process_time() - started
        value = hits / len(rows) if measure == "recall" else 1000 * hits / len(rows)
        out[name] = {
            "names": len(rows),
            "hits": hits,
            measure: round(value, 4),
            "names_per_cpu_second": round(len(rows) / cpu, 1),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
