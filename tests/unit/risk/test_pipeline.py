"""The pipeline's view of a declaration: item subjects for profiles, the declaration's own
subject for the model, the seeded draw, profile submission."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.summary import summarise
from customhouse.risk.engine import select_channels
from customhouse.risk.errors import IllegalProfileTransition
from customhouse.risk.models import Channel, RiskSubject
from customhouse.risk.policy import OfficePolicy
from customhouse.risk.profiles import (
    ProfileCriteria,
    ProfileStatus,
    SelectivityProfile,
    activate,
    submit,
)
from customhouse.services.risk import _rng_seed, subjects_for
from tests.integration.factories import declarations

AT = date(2025, 6, 2)


def _profile(**criteria: tuple[str, ...]) -> SelectivityProfile:
    p = SelectivityProfile(
        code="P",
        version=1,
        name="P",
        criteria=ProfileCriteria(**criteria),  # type: ignore[arg-type]
        channel=Channel.RED,
        priority=1,
        valid_from=date(2020, 1, 1),
        author="ana",
    )
    return activate(submit(p), approver="ben", at=AT)


def _subject(did: str, code: str, origin: str, value: int) -> RiskSubject:
    return RiskSubject(
        declaration_id=did,
        commodity_code=code,
        origin=origin,
        customs_value=Decimal(value),
        net_mass=Decimal(10),
        lodged_on=AT,
    )


def test_a_profile_sees_every_item_not_only_the_largest() -> None:
    whole = _subject("1", "392690", "CN", 1000)
    items = {"1": [_subject("1:1", "392690", "CN", 900), _subject("1:2", "240220", "AE", 100)]}
    no_items = select_channels(
        [whole],
        profiles=[_profile(commodity_prefixes=("2402",))],
        model=None,
        policy=OfficePolicy(random_rate=0, exploration_rate=0),
        rng=random.Random(1),
        at=AT,
    )
    assert no_items[0].channel is Channel.GREEN
    [d] = select_channels(
        [whole],
        profiles=[_profile(commodity_prefixes=("2402",)), _profile(origins=("AE",))],
        model=None,
        policy=OfficePolicy(random_rate=0, exploration_rate=0),
        rng=random.Random(1),
        at=AT,
        item_subjects=items,
    )
    assert d.channel is Channel.RED and d.mandatory and d.declaration_id == "1"
    assert [h.declaration_id for h in d.profile_hits] == ["1"]  # one hit per profile code
    assert any("240220 starts with 2402" in r.message for r in d.reasons)


def test_declaration_subject_takes_its_largest_item_and_the_duty_at_stake() -> None:
    raw = next(d for d in declarations(30, seed=5) if len(d["items"]) > 1)
    doc = DeclarationDocument.model_validate(raw)
    whole, items = subjects_for(7, summarise(doc), None, aeo=True)
    assert [s.declaration_id for s in items] == [f"7:{i.sequence}" for i in doc.items]
    largest = max(doc.items, key=lambda i: i.invoice_amount)
    assert whole.declaration_id == "7" and whole.commodity_code.startswith(
        "".join(c for c in largest.commodity_code if c.isdigit())[:6]
    )
    assert whole.customs_value == sum(Decimal(i.invoice_amount) for i in doc.items)
    assert whole.net_mass == sum(Decimal(i.net_mass) for i in doc.items)
    assert whole.duty_amount is None and whole.aeo and whole.office == doc.office


def test_the_draw_is_seeded_by_the_day_and_the_batch_not_its_order() -> None:
    a = _rng_seed("day-seed", "GB1", [3, 1, 2])
    assert a == _rng_seed("day-seed", "GB1", [1, 2, 3])
    assert a != _rng_seed("other-day", "GB1", [1, 2, 3])
    assert a != _rng_seed("day-seed", "GB2", [1, 2, 3])


def test_submission_only_from_draft() -> None:
    p = _profile(origins=("AE",))
    assert p.status is ProfileStatus.ACTIVE
    with pytest.raises(IllegalProfileTransition):
        submit(p)
