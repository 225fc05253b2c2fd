"""Full pipeline with assessment on a fresh SQLite database: validate, lodge, value, assess, store.

    python bench/pipeline_assess.py [--count 5000] [--batch-size 1000]

Generates demo declarations (HS6 codes of the shipped nomenclature, US-style currencies),
loads the bundled US tariff into the database, then runs lodge + the ``assess`` step in batches
and prints one JSON object: {"declarations", "per_second", "states", ...}. Reading the
reference data and the tariff into memory is start-up (as for a server) and reported apart.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from customhouse.access.models import SYSTEM
from customhouse.declarations.intake import prepare_document
from customhouse.declarations.tables import DeclarationRow
from customhouse.demo.generator import BUNDLED_US_TARIFF, generate, national_lines
from customhouse.demo.users import load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.services.assessment import active_tariff, load_tariff_into_db
from customhouse.services.context import Context
from customhouse.services.declarations import store_prepared
from customhouse.services.pipeline import run_after_acceptance
from customhouse.settings import Settings
from customhouse.storage.migrate import upgrade
from customhouse.tariff.assessment_tables import AssessmentRow
from customhouse.tariff.loaders import load_us

DATA = Path(__file__).resolve().parents[1] / "src/customhouse/data/tariff/us_hts8_rates.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="customhouse-assess-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a run leaves no database
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    ctx = Context.create(Settings(database_url=url))
    snapshot = ctx.cached("reference.snapshot", shipped_snapshot)
    load_demo(ctx)
    t0 = time.perf_counter()
    load_tariff_into_db(ctx, principal=SYSTEM, tariff=load_us(DATA), source=DATA.name)
    store_tariff_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    active_tariff(ctx)  # start-up: the tariff read from the database once per process
    read_tariff_s = time.perf_counter() - t0
    hs6 = sorted(snapshot.hs6_codes(date(2025, 1, 6)))
    national = national_lines(BUNDLED_US_TARIFF)  # declared at HTS8 lines, as in the US
    docs = [g.document for g in generate(args.count, args.seed, hs6, national=national)]

    lodge_s = assess_s = 0.0
    ids: list[int] = []
    started = time.perf_counter()
    for start in range(0, len(docs), args.batch_size):
        t0 = time.perf_counter()
        prepared = [prepare_document(d, snapshot) for d in docs[start : start + args.batch_size]]
        outcomes = store_prepared(ctx, principal=SYSTEM, prepared=prepared, source="bench")
        t1 = time.perf_counter()
        run_after_acceptance(
            ctx, [o.id for o in outcomes if o.accepted and not o.replayed], until="assess"
        )
        t2 = time.perf_counter()
        lodge_s += t1 - t0
        assess_s += t2 - t1
        ids.extend(o.id for o in outcomes)
    seconds = time.perf_counter() - started

    with ctx.sessions() as s:
        states = dict(
            s.execute(
                select(DeclarationRow.state, func.count()).group_by(DeclarationRow.state)
            ).all()
        )
        problems: Counter[str] = Counter()
        for (row_problems,) in s.execute(
            select(AssessmentRow.problems).where(AssessmentRow.status == "current")
        ):
            problems.update(p["code"] for p in row_problems or [])
        lines = s.scalar(select(func.count()).select_from(AssessmentRow))
    print(
        json.dumps(
            {
                "benchmark": "pipeline_assess",
                "database": "sqlite",
                "tariff": "US HTS 2025 (bundled)",
                "declarations": len(ids),
                "seconds": round(seconds, 3),
                "per_second": round(len(ids) / seconds, 1),
                "lodge_seconds": round(lodge_s, 3),
                "assess_seconds": round(assess_s, 3),
                "assess_per_second": round(len(ids) / assess_s, 1) if assess_s else None,
                "states": dict(sorted(states.items())),
                "assessment_problems": dict(problems.most_common()),
                "assessments": lines,
                "startup": {
                    "store_tariff_seconds": round(store_tariff_s, 2),
                    "read_tariff_seconds": round(read_tariff_s, 2),
                },
                "target_per_second": 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
