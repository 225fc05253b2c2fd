"""The whole pipeline with simulated officers: ``customhouse bench pipeline`` as a script.

    .venv/bin/python bench/pipeline_full.py --count 2000

prints one JSON object: declarations, per_second (automated part), channels, release_time
(median and 90th percentile minutes from lodgement to release), step_seconds, ledger_ok.
"""

from __future__ import annotations

import argparse
import json

from customhouse.cli.bench import run_pipeline_bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    result = run_pipeline_bench(
        args.count, seed=args.seed, batch_size=args.batch_size, database_url=args.database_url
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
