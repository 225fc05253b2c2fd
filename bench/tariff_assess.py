"""Item assessments per second with the US tariff loaded (one core). Prints one JSON object."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from decimal import Decimal
from pathlib import Path

from customhouse.tariff.engine import ItemInput, assess
from customhouse.tariff.loaders import load_us

DATA = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "customhouse"
    / "data"
    / "tariff"
    / "us_hts8_rates.csv.gz"
)


def main() -> None:
    t0 = time.perf_counter()
    tariff = load_us(DATA)
    load_s = time.perf_counter() - t0
    at = dt.date(2025, 6, 1)
    rng = random.Random(7)
    # items whose general rate is computable with a kg / item quantity
    codes = [
        m.commodity_code
        for m in tariff.measures
        if m.type == "third_country"
        and m.expression is not None
        and m.expression.computable
        and m.validity.contains(at)
        and not any(
            c.basis
            or c.qualifier
            or c.kind in ("adjustment", "base_rate_reference")
            or (c.per and c.per.unit not in ("kg", "item"))
            for c in m.expression.components
        )
    ]
    origins = ["CN", "DE", "MX", "KR", "VN", "CA", "AU"]
    items = [
        ItemInput(
            i,
            rng.choice(codes),
            rng.choice(origins),
            Decimal(rng.randint(100, 100000)),
            quantities={"kg": Decimal(rng.randint(1, 5000)), "item": Decimal(rng.randint(1, 500))},
            preference_claimed=True,
            proof_of_origin=rng.random() < 0.5,
        )
        for i in range(20000)
    ]
    # one item per declaration-sized call of 10 items
    batches = [items[i : i + 10] for i in range(0, len(items), 10)]
    t0 = time.perf_counter()
    lines = 0
    for b in batches:
        lines += len(assess(b, tariff, at).lines)
    secs = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "benchmark": "tariff_assess",
                "tariff": "US HTS 2025 (bundled)",
                "load_seconds": round(load_s, 2),
                "measures": len(tariff.measures),
                "items": len(items),
                "lines": lines,
                "seconds": round(secs, 3),
                "items_per_second": round(len(items) / secs),
                "target_items_per_second": 20000,
            }
        )
    )


if __name__ == "__main__":
    main()
