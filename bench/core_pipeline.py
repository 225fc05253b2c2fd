"""Benchmark: `customhouse demo generate` then `customhouse process --json` on a fresh database.

Prints one JSON object: the process summary, whether every deliberately broken declaration was
rejected with its expected code (and no valid one rejected), and whether the ledger verifies.

    python bench/core_pipeline.py --count 20000 [--database-url URL]

Without --database-url it uses a fresh SQLite file in a temporary folder. With a PostgreSQL URL
it creates and drops a schema of its own.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent


def run(args: list[str], env: dict[str, str], stdout: object = subprocess.PIPE) -> str:
    result = subprocess.run(
        [str(BIN / "customhouse"), *args],
        env=env,
        check=True,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return result.stdout or ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int)
    parser.add_argument(
        "--full", action="store_true", help="Run every pipeline step, not only intake."
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="customhouse-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # a run leaves no database
    env = dict(os.environ)
    schema = None
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        import sqlalchemy

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    env["CUSTOMHOUSE_DATABASE_URL"] = url
    try:
        run(["db", "upgrade"], env)
        run(["reference", "load"], env)
        run(["demo", "load"], env)
        data, expect = tmp / "d.jsonl", tmp / "expect.jsonl"
        with data.open("w") as fh:
            run(
                [
                    "demo",
                    "generate",
                    "--count",
                    str(args.count),
                    "--seed",
                    str(args.seed),
                    "--expect",
                    str(expect),
                ],
                env,
                stdout=fh,
            )
        process_args = ["process", str(data), "--json"]
        if not args.full:
            process_args.append("--intake-only")
        if args.workers is not None:
            process_args += ["--workers", str(args.workers)]
        summary = json.loads(run(process_args, env))
        ledger = json.loads(run(["ledger", "verify"], env))
        expected_broken = [json.loads(line) for line in expect.open()]
        broken = sum(1 for e in expected_broken if e["expected"])
        # Every broken one rejected, every valid one accepted: compare state counts and codes.
        expected_codes: dict[str, int] = {}
        for e in expected_broken:
            for code in e["expected"]:
                expected_codes[code] = expected_codes.get(code, 0) + 1
        rejected = summary["states"].get("rejected", 0)
        codes_ok = all(summary["rejections"].get(c, 0) >= n for c, n in expected_codes.items())
        print(
            json.dumps(
                {
                    "benchmark": "core_pipeline",
                    "database": "postgresql" if schema else "sqlite",
                    "steps": "all" if args.full else "intake (validate and store, ledger included)",
                    "declarations": summary["declarations"],
                    "per_second": summary["per_second"],
                    "seconds": summary["seconds"],
                    "startup_seconds": summary.get("startup_seconds"),
                    "states": summary["states"],
                    "rejections": summary["rejections"],
                    "deliberately_broken": broken,
                    "rejected": rejected,
                    "every_broken_rejected_with_its_code": rejected == broken and codes_ok,
                    "ledger_ok": ledger["ok"],
                    "ledger_events": ledger["events"],
                }
            )
        )
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
