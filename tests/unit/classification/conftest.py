"""A small suggestion model shared by the tests: shipped texts without the US HTS lines."""

from __future__ import annotations

import pytest

from customhouse.classification import loaders
from customhouse.classification.engine import Calibration, ModelConfig, SuggestionModel


@pytest.fixture(scope="session")
def model() -> SuggestionModel:
    texts = [t for t in loaders.labelled_texts() if t.source != loaders.US_HTS]
    shares, probabilities = loaders.calibration_table()
    return SuggestionModel.train(
        texts,
        loaders.nomenclature_nodes(),
        loaders.vague_lists(),
        config=ModelConfig(chapter_epochs=3),
        calibration=Calibration(shares, probabilities),
    )
