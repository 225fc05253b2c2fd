"""The ``screen`` pipeline step on a fresh SQLite database with every list stored.

    .venv/bin/python bench/screening_pipeline.py [--count 2000] [--batch-size 500] [DATA_DIR]

Stores the seven lists of ../shared/data through the service (``load_sanctions_list``), lodges
demo declarations, marks them assessed (the tariff is not this bench's subject), then runs the
screen step over them in batches. Prints one JSON object: the time to store the lists, the first
batch (which builds the index from the database once), the later batches (which reuse it from
the context's cache: not rebuilt per batch), declarations per second over the later batches,
outcomes, and the on-disk index cache (pickle size, cold build vs load from the pickle).
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

from sqlalchemy import select, update

from customhouse.access.models import SYSTEM
from customhouse.declarations.intake import prepare_document
from customhouse.declarations.tables import DeclarationRow
from customhouse.demo.generator import generate
from customhouse.demo.users import load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.screening.loaders import load_list
from customhouse.screening.tables import ScreeningRunRow
from customhouse.services.context import Context
from customhouse.services.declarations import store_prepared
from customhouse.services.screening import load_sanctions_list, run, screening_index
from customhouse.settings import Settings
from customhouse.storage.migrate import upgrade

LISTS = [
    ("un", "sanctions-un/consolidated.xml"),
    ("ofac", "sanctions-ofac"),
    ("us-csl", "sanctions-us-csl/csl_names.csv"),
    ("eu", "sanctions-other/eu_consolidated_parsed.csv"),
    ("uk", "sanctions-other/uk_sanctions_parsed.csv"),
    ("ca", "sanctions-other/canada_consolidated_autonomous.xml"),
    ("au", "sanctions-other/australia_consolidated_parsed.csv"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "data", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data")
    )
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    data = Path(args.data)
    tmp = Path(tempfile.mkdtemp(prefix="customhouse-screen-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a run leaves no database
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    ctx = Context.create(Settings(database_url=url))
    snapshot = ctx.cached("reference.snapshot", shipped_snapshot)
    load_demo(ctx)
    t0 = time.perf_counter()
    entities = 0
    for kind, path in LISTS:
        lst = load_list(kind, data / path)
        entities += len(lst.entities)
        load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=lst, source=path)
    store_lists_s = time.perf_counter() - t0
    hs6 = sorted(snapshot.hs6_codes(date(2025, 1, 6)))
    docs = [g.document for g in generate(args.count, 7, hs6, error_rate=0.0)]
    prepared = [prepare_document(d, snapshot) for d in docs]
    outcomes = store_prepared(ctx, principal=SYSTEM, prepared=prepared, source="bench")
    ids = [o.id for o in outcomes if o.accepted]
    with ctx.uow() as uow:
        uow.session.execute(
            update(DeclarationRow).where(DeclarationRow.id.in_(ids)).values(state="assessed")
        )
        uow.commit()
    batches = [ids[i : i + args.batch_size] for i in range(0, len(ids), args.batch_size)]
    timings = []
    for batch in batches:
        t0 = time.perf_counter()
        run(ctx, batch)
        timings.append(time.perf_counter() - t0)
    later = timings[1:] or timings
    later_n = sum(len(b) for b in batches[1:]) or len(batches[0])
    with ctx.sessions() as session:
        outcomes_count = Counter(session.scalars(select(ScreeningRunRow.outcome)).all())
        states = Counter(
            session.scalars(select(DeclarationRow.state).where(DeclarationRow.id.in_(ids))).all()
        )
    # The on-disk cache a new process (``customhouse screen name``) uses.
    cache = tmp / "cache"
    ctx.forget()
    t0 = time.perf_counter()
    screening_index(ctx, cache_dir=cache)
    cold_s = time.perf_counter() - t0
    ctx.forget()
    t0 = time.perf_counter()
    screening_index(ctx, cache_dir=cache)
    warm_s = time.perf_counter() - t0
    (pickle_file,) = cache.glob("*.pickle")
    out = {
        "entities": entities,
        "store_lists_seconds": round(store_lists_s, 2),
        "declarations": len(ids),
        "batch_size": args.batch_size,
        "first_batch_seconds": round(timings[0], 2),
        "later_batch_seconds": [round(t, 2) for t in later],
        "per_second_later_batches": round(later_n / sum(later), 1),
        "outcomes": dict(outcomes_count),
        "states": dict(states),
        "index_from_database_seconds": round(cold_s, 2),
        "index_from_pickle_seconds": round(warm_s, 2),
        "pickle_mb": round(pickle_file.stat().st_size / 1e6, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
