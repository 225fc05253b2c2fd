from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customhouse.classification.engine import Calibration, SuggestionModel
from customhouse.classification.text import normalise


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("mens cotton t-shirt", "6109"),
        ("100 ariel pods", "3402"),
        ("womens leather handbag", "4202"),
        ("lipstick", "3304"),
    ],
)
def test_top_suggestion_heading(model: SuggestionModel, text: str, heading: str) -> None:
    result = model.suggest(text)
    assert not result.abstained
    assert result.codes[0][:4] == heading


@pytest.mark.parametrize(
    ("misspelt", "heading"),
    [
        ("bluetooth speker", "8518"),
        ("t-shrt", "6109"),
        ("womens leathr handbag", "4202"),
        ("lipstik", "3304"),
        ("chocolat bar", "1806"),
    ],
)
def test_misspellings_keep_the_right_heading_in_the_top_five(
    model: SuggestionModel, misspelt: str, heading: str
) -> None:
    assert heading in {c[:4] for c in model.suggest(misspelt).codes}


def test_truncated_parcel_text(model: SuggestionModel) -> None:
    # Parcel systems cut descriptions at 30 characters: "trous" for trousers.
    assert model.suggest("2 pack pull on trous").codes[0][:2] in {"61", "62"}


def test_brand_name_alone(model: SuggestionModel) -> None:
    assert model.suggest("ariel pods").codes[0][:4] == "3402"


def test_suggestion_carries_its_reasons(model: SuggestionModel) -> None:
    best = model.suggest("mens cotton t-shirt").suggestions[0]
    assert [n.level for n in best.path] == ["section", "chapter", "heading", "subheading"]
    assert best.examples and all(e.code[:6] == best.code for e in best.examples)
    assert 0.0 < best.confidence <= 1.0


def test_national_lines_sit_under_their_subheading(model: SuggestionModel) -> None:
    for s in model.suggest("mens cotton t-shirt").suggestions:
        assert all(n.code.startswith(s.code) for n in s.national_lines)


def test_calibration_is_monotone_and_bounded() -> None:
    cal = Calibration((0.0, 0.2, 0.6, 1.0), (0.0, 0.1, 0.5, 0.9))
    values = [cal.probability(x / 100) for x in range(101)]
    assert values == sorted(values)
    assert cal.probability(-1) == 0.0 and cal.probability(2) == 0.9


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_ranked_bounded_confidences(text: str) -> None:
    # A pure helper check: normalise never yields characters outside the feature alphabet.
    assert set(normalise(text)) <= set("abcdefghijklmnopqrstuvwxyz0123456789% ")


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=30))
def test_suggestions_are_sorted_and_within_bounds(model: SuggestionModel, text: str) -> None:
    result = model.suggest(text)
    confidences = [s.confidence for s in result.suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert result.abstained == (not result.suggestions)
    assert len(set(result.codes)) == len(result.codes)


def test_batch_suggestions_match_single_ones(model: SuggestionModel) -> None:
    texts = ["mens cotton t-shirt", "gift", "lipstik", "zzzz qqqq", "mens cotton t-shirt"]
    batch = model.suggest_many(texts, k=3)
    assert [r.query for r in batch] == texts
    for text, result in zip(texts, batch, strict=True):
        single = model.suggest(text, k=3)
        assert result.codes == single.codes
        assert result.abstained == single.abstained
        assert [s.confidence for s in result.suggestions] == [
            s.confidence for s in single.suggestions
        ]


def test_abbreviated_parcel_text_finds_its_chapter(model: SuggestionModel) -> None:
    # Parcel systems drop vowels to fit 30 characters: "sanitary towels" -> "sntry twls".
    assert model.suggest("always ultra sntry twls").codes[0][:2] == "96"


def _small(chapters: set[str]) -> SuggestionModel:
    """A model trained on a few texts of the given chapters (a local training set)."""
    from customhouse.classification import loaders
    from customhouse.classification.engine import ModelConfig
    from customhouse.classification.models import LabelledText

    texts = [
        t
        for t in (
            LabelledText("red lipstick", "330410", loaders.FPO_PARCEL),
            LabelledText("matte lipstick", "330410", loaders.FPO_PARCEL),
            LabelledText("anti dandruff shampoo", "330510", loaders.FPO_PARCEL),
            LabelledText("leather handbag", "420221", loaders.FPO_PARCEL),
            LabelledText("leather wallet", "420232", loaders.FPO_PARCEL),
        )
        if t.code[:2] in chapters
    ]
    nodes = [n for n in loaders.nomenclature_nodes() if n.code[:2] in chapters]
    config = ModelConfig(chapter_epochs=5, softmax_epochs=5)
    return SuggestionModel.train(texts, nodes, loaders.vague_lists(), config=config)


def test_two_chapters_give_each_chapter_its_probability() -> None:
    # sklearn keeps one column for two classes; the chapter prior reads one per chapter.
    model = _small({"33", "42"})
    p = model._chapter_probabilities(model._vectoriser.transform([normalise("red lipstick")]))
    assert p.shape == (2,) and p.sum() == pytest.approx(1.0)
    assert p[model._chapter_index["33"]] > p[model._chapter_index["42"]]
    assert model.suggest("leather handbag").codes[0][:2] == "42"


def test_one_chapter_trains_without_a_chapter_prior() -> None:
    model = _small({"33"})
    assert model._chapter_w is None
    assert model.suggest("red lipstick").codes[0][:4] == "3304"
