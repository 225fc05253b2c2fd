from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from customhouse.classification import evaluation, service
from customhouse.classification.engine import SuggestionModel
from customhouse.classification.evaluation import expected_calibration_error, score
from customhouse.classification.loaders import FPO_PARCEL, VagueLists
from customhouse.classification.models import LabelledText
from customhouse.cli.classify import app

_NO_VAGUE = VagueLists(frozenset(), (), (), ())


class _Echo:
    """A stand-in model that abstains on everything."""

    @staticmethod
    def suggest_many(texts: Sequence[str], k: int = 5) -> list[SimpleNamespace]:
        return [SimpleNamespace(codes=[], suggestions=()) for _ in texts]


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


def test_a_learning_curve_trains_on_a_share_of_the_parcel_texts_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[LabelledText]] = []

    class Recorder:
        @staticmethod
        def train(texts: Sequence[LabelledText], *_: object, **__: object) -> object:
            seen.append(list(texts))
            return _Echo()

    monkeypatch.setattr(evaluation, "SuggestionModel", Recorder)
    parcels = [LabelledText(f"parcel text {i}", "610910", FPO_PARCEL) for i in range(40)]
    others = [LabelledText(f"ruling {i}", "610910", "gb-ruling") for i in range(10)]
    for fraction in (0.25, 1.0):
        seen.clear()
        evaluation.cross_validate([*parcels, *others], [], _NO_VAGUE, train_fraction=fraction)
        trained = {t.text for fold in seen for t in fold if t.source == FPO_PARCEL}
        assert len(trained) == round(fraction * 40)
        assert all(sum(t.source == "gb-ruling" for t in fold) == 10 for fold in seen)
