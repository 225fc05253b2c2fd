from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import customhouse.classification.tables  # noqa: F401  (registers the table)
from customhouse.classification.errors import DuplicateRuling, RulingNotFound
from customhouse.classification.repository import RulingRepository
from customhouse.classification.rulings import issue_ruling
from customhouse.storage.base import Base


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def make(reference: str, holder: str = "GB123456789000", code: str = "4016999790"):  # type: ignore[no-untyped-def]
    return issue_ruling(
        reference=reference,
        holder_eori=holder,
        goods_description="Rubber bellow for a mechanical seal",
        commodity_code=code,
        justification="GIR 1",
        issued_on=date(2024, 3, 1),
    )


def test_round_trip_and_holder_queries(session: Session) -> None:
    repo = RulingRepository(session)
    repo.add(make("R1"))
    repo.add(make("R2", holder="GB999999999000", code="8484900000"))
    assert repo.get("R1") == make("R1")
    assert [r.reference for r in repo.for_holder("gb123456789000")] == ["R1"]
    assert repo.for_holder("GB123456789000", at=date(2027, 3, 1)) == []
    assert [r.reference for r in repo.search("BELLOW")] == ["R1", "R2"]
    assert [r.reference for r in repo.search("8484")] == ["R2"]


def test_revocation_is_stored_and_ends_validity(session: Session) -> None:
    repo = RulingRepository(session)
    repo.add(make("R1"))
    repo.save_revocation(repo.get("R1").revoke(on=date(2025, 1, 1), reason="wrong heading"))
    stored = repo.get("R1")
    assert stored.revoked_on == date(2025, 1, 1) and stored.revocation_reason == "wrong heading"
    assert repo.for_holder("GB123456789000", at=date(2025, 6, 1)) == []
    assert repo.training_texts(at=date(2025, 6, 1)) == []
    assert len(repo.training_texts(at=date(2024, 6, 1))) == 1


def test_duplicate_and_missing(session: Session) -> None:
    repo = RulingRepository(session)
    repo.add(make("R1"))
    with pytest.raises(DuplicateRuling):
        repo.add(make("R1"))
    with pytest.raises(RulingNotFound):
        repo.get("nope")
