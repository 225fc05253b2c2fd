"""The ``risk`` pipeline step on a fresh SQLite database: declarations routed per second.

    python bench/risk_pipeline.py [--count 5000] [--batch-size 1000] [--no-model]

Loads the bundled US tariff, the demo users and the demo risk set (two approved profiles and the
model trained on the shipped KCS sample, active at every demo office), lodges generated
declarations in batches and runs every pipeline step, timing each step apart. Prints one JSON
object: {"risk_per_second", "steps": {name: seconds}, "channels", ...}.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from customhouse.access.models import SYSTEM
from customhouse.declarations.intake import prepare_document
from customhouse.declarations.tables import DeclarationRow
from customhouse.demo.generator import generate
from customhouse.demo.users import load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.risk.tables import RiskDecisionRow
from customhouse.services import risk
from customhouse.services.assessment import active_tariff, load_tariff_into_db
from customhouse.services.context import Context
from customhouse.services.declarations import store_prepared
from customhouse.services.pipeline import STEPS
from customhouse.settings import Settings
from customhouse.storage.migrate import upgrade
from customhouse.tariff.loaders import load_us

DATA = Path(__file__).resolve().parents[1] / "src/customhouse/data/tariff/us_hts8_rates.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-model", action="store_true", help="profiles + random only")
    parser.add_argument(
        "--skip", default="classify", help="steps not run (comma list; risk needs none of them)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the risk step")
    args = parser.parse_args()
    import customhouse.services.steps  # noqa: F401  (registers the steps in order)

    tmp = Path(tempfile.mkdtemp(prefix="customhouse-risk-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a run leaves no database
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    ctx = Context.create(Settings(database_url=url))
    snapshot = ctx.cached("reference.snapshot", shipped_snapshot)
    load_demo(ctx)
    load_tariff_into_db(ctx, principal=SYSTEM, tariff=load_us(DATA), source=DATA.name)
    active_tariff(ctx)
    t0 = time.perf_counter()
    if args.no_model:
        risk.seed_demo(ctx, offices=["none"])
    else:
        risk.seed_demo(ctx)
    seed_s = time.perf_counter() - t0
    hs6 = sorted(snapshot.hs6_codes(date(2025, 1, 6)))
    docs = [g.document for g in generate(args.count, args.seed, hs6)]

    skip = {x for x in args.skip.split(",") if x}
    run = [s for s in STEPS if s.name not in skip]
    steps: dict[str, float] = {s.name: 0.0 for s in run}
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    lodge_s = 0.0
    for start in range(0, len(docs), args.batch_size):
        t0 = time.perf_counter()
        prepared = [prepare_document(d, snapshot) for d in docs[start : start + args.batch_size]]
        outcomes = store_prepared(ctx, principal=SYSTEM, prepared=prepared, source="bench")
        lodge_s += time.perf_counter() - t0
        ids = [o.id for o in outcomes if o.accepted and not o.replayed]
        for step in run:
            t0 = time.perf_counter()
            if profiler is not None and step.name == "risk":
                profiler.runcall(step.run, ctx, ids)
            else:
                step.run(ctx, ids)
            steps[step.name] += time.perf_counter() - t0
    if profiler is not None:
        import pstats
        import sys

        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)

    with ctx.sessions() as s:
        routed = s.scalar(select(func.count()).select_from(RiskDecisionRow)) or 0
        channels = dict(
            s.execute(
                select(RiskDecisionRow.channel, func.count()).group_by(RiskDecisionRow.channel)
            ).all()
        )
        states = dict(
            s.execute(
                select(DeclarationRow.state, func.count()).group_by(DeclarationRow.state)
            ).all()
        )
    risk_s = steps.get("risk", 0.0)
    print(
        json.dumps(
            {
                "benchmark": "risk_pipeline",
                "database": "sqlite",
                "model": None if args.no_model else risk.DEMO_MODEL,
                "declarations": len(docs),
                "batch_size": args.batch_size,
                "skipped_steps": sorted(skip),
                "routed": routed,
                "risk_seconds": round(risk_s, 3),
                "risk_per_second": round(routed / risk_s, 1) if risk_s else None,
                "steps": {k: round(v, 3) for k, v in steps.items()},
                "lodge_seconds": round(lodge_s, 3),
                "seed_demo_seconds": round(seed_s, 2),
                "channels": dict(sorted(channels.items())),
                "states": dict(sorted(states.items())),
            }
        )
    )


if __name__ == "__main__":
    main()
