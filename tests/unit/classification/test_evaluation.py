from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from customhouse.classification import service
from customhouse.classification.engine import SuggestionModel
from customhouse.classification.evaluation import expected_calibration_error, score
from customhouse.cli.classify import app


def test_abstentions_count_as_misses() -> None:
    r = score([(["610910"], "6109100010"), ([], "6109100010")])
    assert r.n == 2 and r.abstained == 1
    assert r.top1 == {"2": 0.5, "4": 0.5, "6": 0.5}


def test_top5_counts_lower_ranks() -> None:
    r = score([(["420221", "610990", "610910"], "61091000")])
    assert r.top1["6"] == 0.0 and r.top5["6"] == 1.0 and r.top5["2"] == 1.0


def test_perfect_calibration_has_no_error() -> None:
    assert expected_calibration_error([(1.0, True), (0.0, False)]) == 0.0


def test_cli_evaluate_prints_the_agreed_json(
    model: SuggestionModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "get_model", lambda **_: model)
    path = tmp_path / "rows.csv"
    path.write_text("desc,code\nmens cotton t-shirt,6109100010\ngift,9503000000\n")
    out = CliRunner().invoke(
        app, ["evaluate", str(path), "--text-column", "desc", "--code-column", "code", "--json"]
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert set(payload) == {"n", "top1", "top5", "abstained"}
    assert payload["n"] == 2 and payload["abstained"] == 1
    assert payload["top1"]["4"] == 0.5
