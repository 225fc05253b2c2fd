from __future__ import annotations

import pytest

from customhouse.classification.engine import SuggestionModel


@pytest.mark.parametrize(
    "text",
    [
        "accessories",  # HMRC intercept term (Generic)
        "adapter",
        "gift",
        "beige, one size",  # from vague_terms.csv: colour and size only
        "10.00, girls",
        "[bn-00011-166w50h-banner_vy] p",  # vague_terms_patterns.txt
        "CONSOLIDATED COLLI 1234",
        "   ",
        "no commercial value",
    ],
)
def test_vague_descriptions_abstain_and_say_what_is_missing(
    model: SuggestionModel, text: str
) -> None:
    result = model.suggest(text)
    assert result.abstained
    assert result.suggestions == ()
    assert result.missing and result.reasons


def test_generic_term_asks_for_kind_material_and_use(model: SuggestionModel) -> None:
    missing = " ".join(model.suggest("adapters").missing)
    assert "adapter" in missing and "made of" in missing


@pytest.mark.parametrize("text", ["mens cotton t-shirt", "stainless steel kitchen knife"])
def test_specific_descriptions_do_not_abstain(model: SuggestionModel, text: str) -> None:
    assert not model.suggest(text).abstained
