"""Risk benchmark: training time on 50,000 declarations and declarations scored per second.

Uses the Korea Customs data when ../shared/data is present (topped up to 50,000 rows by
repeating it with fresh ids), synthetic declarations otherwise. Prints one JSON object.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from customhouse.risk.engine import select_channels
from customhouse.risk.loaders import read_kcs_csv
from customhouse.risk.model import train_model
from customhouse.risk.models import TrainingExample
from customhouse.risk.policy import OfficePolicy

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "kcs-customs-declarations"
BATCH = 5_000


def _rows(n: int) -> tuple[list[TrainingExample], str]:
    path = DATA / "declarations.csv"
    if path.exists():
        base = read_kcs_csv(path)
        source = "kcs"
    else:  # pragma: no cover - a laptop without shared data
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "risk"))
        from conftest import make_examples  # type: ignore[import-not-found]

        base = make_examples(n)
        source = "synthetic"
    out = []
    for i in range(n):
        e = base[i % len(base)]
        out.append(replace(e, subject=replace(e.subject, declaration_id=f"B{i}")))
    return out, source


def main() -> None:
    rows, source = _rows(50_000)
    started = time.perf_counter()
    model = train_model(rows)
    train_s = time.perf_counter() - started

    subjects = [e.subject for e in rows]
    started = time.perf_counter()
    for i in range(0, len(subjects), BATCH):
        model.predict(subjects[i : i + BATCH])
    score_s = time.perf_counter() - started

    policy = OfficePolicy()
    started = time.perf_counter()
    for i in range(0, len(subjects), BATCH):
        select_channels(
            subjects[i : i + BATCH],
            profiles=[],
            model=model,
            policy=policy,
            rng=random.Random(i),
            at=subjects[0].lodged_on,
        )
    select_s = time.perf_counter() - started

    sample = subjects[:1000]
    started = time.perf_counter()
    model.score(sample, explain=True)
    explain_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "source": source,
                "train_rows": len(rows),
                "train_seconds": round(train_s, 2),
                "rounds": model.card.rounds,
                "batch": BATCH,
                "scored_per_second": round(len(subjects) / score_s),
                "channel_decisions_per_second": round(len(subjects) / select_s),
                "explained_per_second": round(len(sample) / explain_s),
            }
        )
    )


if __name__ == "__main__":
    main()
