"""Risk persistence on SQLite in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from customhouse.risk.errors import ModelNotFound, ProfileNotFound
from customhouse.risk.model import TrainingParameters, train_model
from customhouse.risk.models import Channel, ProfileHit, TrainingExample
from customhouse.risk.profiles import ProfileCriteria, SelectivityProfile, activate
from customhouse.risk.repository import RiskRepository

NOW = datetime(2024, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def repo() -> Iterator[RiskRepository]:
    from customhouse.storage.registry import metadata

    engine = create_engine("sqlite://")
    metadata().create_all(engine)  # risk decisions and labels refer to declarations
    with Session(engine) as session:
        yield RiskRepository(session)
    engine.dispose()


def _draft(version: int = 1) -> SelectivityProfile:
    return SelectivityProfile(
        code="P1",
        version=version,
        name="Toys",
        author="ana",
        criteria=ProfileCriteria(commodity_prefixes=("9503",)),
        channel=Channel.YELLOW,
        priority=1,
        valid_from=date(2024, 1, 1),
    )


def test_profile_versions_approvals_and_hit_rates(repo: RiskRepository) -> None:
    repo.save_profile(_draft(), at=NOW)
    assert repo.profiles_in_force(date(2024, 2, 1)) == []
    approved = activate(repo.get_profile("P1"), approver="ben", at=date(2024, 1, 1))
    repo.save_profile(approved, at=NOW)
    repo.record_decision("P1", 1, approver="ben", decision="approved", at=NOW)
    repo.save_profile(_draft(2), at=NOW)
    assert repo.get_profile("P1").version == 2
    assert repo.profiles_in_force(date(2024, 2, 1)) == [approved]
    assert repo.approvals("P1", 1) == [("ben", "approved")]

    hit = ProfileHit("D1", "P1", 1, Channel.YELLOW, 1, "", ())
    repo.record_hits([hit, hit], office="O1")
    repo.record_control_result("P1", 1, office="O1", finding=True)
    repo.record_control_result("P1", 1, office="O1", finding=False)
    [rate] = repo.hit_rates("O1")
    assert (rate.hits, rate.controlled, rate.findings, rate.hit_rate) == (2, 2, 1, 0.5)


def test_missing_things_are_not_found(repo: RiskRepository) -> None:
    with pytest.raises(ProfileNotFound):
        repo.get_profile("NOPE")
    with pytest.raises(ModelNotFound):
        repo.load_model("v9")
    assert repo.active_model("O1") is None


def test_models_are_stored_and_one_is_active_per_office(
    repo: RiskRepository, synthetic: list[TrainingExample]
) -> None:
    params = TrainingParameters(max_rounds=30, early_stopping_rounds=5, num_leaves=7)
    for version in ("v1", "v2"):
        repo.add_model(
            train_model(synthetic[:600], params=params, version=version), trained_by="ana", at=NOW
        )
    repo.activate_model("O1", "v1", by="ben", at=NOW)
    repo.activate_model("O1", "v2", by="ben", at=NOW)
    repo.activate_model("O2", "v1", by="ben", at=NOW)
    assert repo.active_model_version("O1") == "v2"
    model = repo.active_model("O2")
    assert model is not None and model.version == "v1"
    assert model.predict([synthetic[0].subject]).shape == (1,)
    assert [v for v, _ in repo.model_versions()] == ["v1", "v2"]
