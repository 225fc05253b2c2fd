"""`customhouse bench pipeline --json`: the figures issue 6 asks for, from a real run.

Speed is never asserted here (benchmarks measure it); what is asserted is that every
declaration went through, the counts agree with each other, the ledger verifies and the run
leaves no scratch database behind. SQLite only, the database the target is set on: each run
loads the whole US tariff (over half a minute here), and the steps themselves run on
PostgreSQL in the process and clearance-journey tests.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from customhouse.cli.main import app

pytestmark = pytest.mark.integration

COUNT = 40


def test_bench_pipeline_reports_every_declaration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    args = ["bench", "pipeline", "--count", str(COUNT), "--no-lists", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)

    assert out["declarations"] == COUNT
    assert out["ledger_ok"] is True
    assert out["per_second"] > 0
    assert set(out["channels"]) == {"green", "yellow", "red", "blue"}
    assert sum(out["states"].values()) == COUNT
    # Every released declaration was routed; one held at assessment (a permit it lacks) has no
    # channel yet.
    assert out["states"]["released"] <= sum(out["channels"].values()) <= COUNT
    # Officers closed every task the channels made; what is left held waits for payment or a
    # finding, and every released declaration has a release time.
    assert out["tasks_closed"] >= out["channels"]["yellow"] + out["channels"]["red"]
    assert (
        sum(c["count"] for c in out["release_time_by_channel"].values())
        == out["states"]["released"]
    )
    assert out["release_time"]["median_minutes"] <= out["release_time"]["p90_minutes"]
    assert set(out["step_seconds"]) == {"assess", "screen", "classify", "risk", "controls"}
    assert out["cpu_ms_per_declaration"]["writer"] > 0
    assert out["cpu_ms_per_declaration"]["workers"] > 0
    # The writer's CPU by step adds up to the writer's CPU (rounding aside), every step named.
    by_step = out["cpu_ms_per_declaration"]["writer_by_step"]
    assert set(by_step) == {"intake", "assess", "screen", "classify", "risk", "controls"}
    assert all(v >= 0 for v in by_step.values())
    assert abs(sum(by_step.values()) - out["cpu_ms_per_declaration"]["writer"]) < 0.01
    assert out["database"] == "sqlite"
    assert list(scratch.iterdir()) == []  # the scratch SQLite file is gone
