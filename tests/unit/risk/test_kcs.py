"""On the Korea Customs data (a slice, to stay fast): the adapter reads it and the model ranks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from customhouse.risk.evaluation import metrics
from customhouse.risk.loaders import read_kcs_csv, split_examples
from customhouse.risk.model import TrainingParameters, train_model

pytestmark = pytest.mark.data


def test_train_on_train_and_valid_rows_rank_test_rows(shared_data: Path) -> None:
    path = shared_data / "kcs-customs-declarations" / "declarations.csv"
    examples = read_kcs_csv(path)
    assert len(examples) > 40_000 and {e.split for e in examples} == {"train", "valid", "test"}
    train, test = split_examples(examples[::4])
    model = train_model(train, params=TrainingParameters(max_rounds=200, num_leaves=31))
    y = np.array([int(e.finding) for e in test])
    found = metrics(y, model.predict([e.subject for e in test]))
    assert found.auc > 0.85
    assert found.precision_at[5] > 0.8
