"""The repository on SQLite in memory: list versions, diffs, judgements remembered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from customhouse.screening import tables
from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.errors import InvalidJudgement
from customhouse.screening.models import (
    EntityType,
    ListedEntity,
    ListKind,
    Party,
    SanctionsList,
    Verdict,
    party_key,
)
from customhouse.screening.repository import (
    latest_verdict,
    load_lists,
    record_judgement,
    save_list,
    unjudged_hits,
)
from customhouse.storage.base import Base

AT = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
IVAN = ListedEntity("EU", "1", "Ivan Petrov", EntityType.PERSON, aliases=("Ivan Petroff",))
ACME = ListedEntity("EU", "2", "Acme Trading LLC", EntityType.ORGANIZATION)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(
        engine,
        tables=[
            t.__table__
            for t in (  # type: ignore[attr-defined]
                tables.ScreeningListRow,
                tables.ScreeningListVersionRow,
                tables.ScreeningEntityRow,
                tables.ScreeningNameRow,
                tables.ScreeningJudgementRow,
            )
        ],
    )
    with Session(engine) as s:
        yield s


def test_versions_and_diffs(session: Session) -> None:
    first = save_list(session, SanctionsList("EU", ListKind.EU, "v1", (IVAN, ACME)), AT)
    assert first.added == ("1", "2")
    again = save_list(session, SanctionsList("EU", ListKind.EU, "v1", (IVAN, ACME)), AT)
    assert (again.added, again.changed, again.removed) == ((), (), ())
    moved = ListedEntity("EU", "1", "Ivan Petrov", EntityType.PERSON, countries=("RU",))
    second = save_list(session, SanctionsList("EU", ListKind.EU, "v2", (moved,)), AT)
    assert (second.added, second.changed, second.removed) == ((), ("1",), ("2",))
    (stored,) = load_lists(session)
    assert stored.version == "v2" and stored.entities == (moved,)
    versions = session.scalars(select(tables.ScreeningListVersionRow.version)).all()
    assert versions == ["v1", "v2"]
    back = save_list(session, SanctionsList("EU", ListKind.EU, "v3", (moved, ACME)), AT)
    assert back.added == ("2",)


def test_dismissed_pair_returns_when_the_entry_changes(session: Session) -> None:
    save_list(session, SanctionsList("EU", ListKind.EU, "v1", (IVAN,)), AT)
    party = Party("Ivan Petrov", country="RU")
    key = party_key(party)
    hits = screen_party(ScreeningIndex(load_lists(session)), party).hits
    assert hits
    record_judgement(
        session, party_key=key, hit=hits[0], verdict="false_match", judged_by="analyst1", at=AT
    )
    assert latest_verdict(session, key, hits[0]) is Verdict.FALSE_MATCH
    assert unjudged_hits(session, key, hits) == []
    changed = ListedEntity("EU", "1", "Ivan Petrov", EntityType.PERSON, dates_of_birth=("1970",))
    save_list(session, SanctionsList("EU", ListKind.EU, "v2", (changed,)), AT)
    fresh = screen_party(ScreeningIndex(load_lists(session)), party).hits
    assert unjudged_hits(session, key, fresh) == list(fresh)
    with pytest.raises(InvalidJudgement):
        record_judgement(
            session, party_key=key, hit=fresh[0], verdict="maybe", judged_by="a", at=AT
        )
