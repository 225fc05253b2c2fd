from __future__ import annotations

import pytest

from customhouse.classification.consistency import check_consistency, check_consistency_many
from customhouse.classification.engine import SuggestionModel
from customhouse.classification.errors import InvalidCommodityCode


def test_fitting_code_scores_high(model: SuggestionModel) -> None:
    result = check_consistency(model, "womens leather handbag", "4202210000")
    assert result.score is not None and result.score > 0.5


def test_misfit_code_scores_low_and_names_better_codes(model: SuggestionModel) -> None:
    result = check_consistency(model, "womens leather handbag", "8517130000")
    assert result.score is not None and result.score < 0.1
    assert result.better_codes[0].code.startswith("4202")
    assert any("better" in r for r in result.reasons)


def test_vague_description_cannot_be_judged(model: SuggestionModel) -> None:
    result = check_consistency(model, "gift", "9503000000")
    assert result.score is None
    assert result.reasons


def test_bad_code_is_refused(model: SuggestionModel) -> None:
    with pytest.raises(InvalidCommodityCode):
        check_consistency(model, "handbag", "42AB")


def test_batch_checks_match_single_ones(model: SuggestionModel) -> None:
    items = [("womens leather handbag", "8517130000"), ("gift", "9503000000")]
    assert check_consistency_many(model, items) == [
        check_consistency(model, d, c) for d, c in items
    ]
