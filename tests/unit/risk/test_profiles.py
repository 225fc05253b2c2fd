"""Selectivity profiles: criteria, windows, four eyes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from customhouse.risk.errors import FourEyesViolation, IllegalProfileTransition, InvalidProfile
from customhouse.risk.models import Channel, RiskSubject
from customhouse.risk.profiles import (
    ProfileCriteria,
    ProfileStatus,
    ReferencePrices,
    SelectivityProfile,
    activate,
    evaluate_profiles,
    profile_from_dict,
    profile_to_dict,
    retire,
)

SUBJECT = RiskSubject(
    declaration_id="D1",
    commodity_code="851712",
    origin="CN",
    departure="HK",
    customs_value=Decimal(1000),
    net_mass=Decimal(100),
    lodged_on=date(2024, 3, 1),
    importer_id="IMP1",
    transport_mode="40",
)


def _profile(**criteria: object) -> SelectivityProfile:
    return SelectivityProfile(
        code="PHONES",
        version=1,
        name="Phones",
        author="ana",
        criteria=ProfileCriteria(**criteria),  # type: ignore[arg-type]
        channel=Channel.RED,
        priority=5,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 4, 1),
        instructions="scan",
    )


def _active(**criteria: object) -> SelectivityProfile:
    return activate(_profile(**criteria), approver="ben", at=date(2024, 1, 1))


def test_the_author_cannot_activate_their_own_profile() -> None:
    with pytest.raises(FourEyesViolation):
        activate(_profile(origins=("CN",)), approver="ANA ", at=date(2024, 1, 1))
    with pytest.raises(InvalidProfile):
        replace(_profile(origins=("CN",)), status=ProfileStatus.ACTIVE, approved_by="ana")


def test_only_drafts_are_activated_and_retired_twice_refused() -> None:
    active = _active(origins=("CN",))
    with pytest.raises(IllegalProfileTransition):
        activate(active, approver="carl", at=date(2024, 1, 2))
    with pytest.raises(IllegalProfileTransition):
        retire(retire(active))


def test_a_draft_never_hits() -> None:
    assert evaluate_profiles([_profile(origins=("CN",))], [SUBJECT], at=date(2024, 3, 1)) == {}


def test_validity_window_is_half_open() -> None:
    p = _active(origins=("CN",))
    assert evaluate_profiles([p], [SUBJECT], at=date(2024, 1, 1))
    assert not evaluate_profiles([p], [SUBJECT], at=date(2024, 4, 1))


def test_all_criteria_must_match_and_each_gives_a_reason() -> None:
    p = _active(
        commodity_prefixes=("8517", "8471"),
        origins=("CN",),
        departures=("HK",),
        transport_modes=("40",),
        value_min=Decimal(500),
        unit_value_max=Decimal(20),
    )
    [hit] = evaluate_profiles([p], [SUBJECT], at=date(2024, 3, 1))["D1"]
    assert hit.channel is Channel.RED and hit.instructions == "scan"
    assert len(hit.reasons) == 6
    assert not evaluate_profiles(
        [replace(p, criteria=replace(p.criteria, importers=("X",)))], [SUBJECT], at=date(2024, 3, 1)
    )


def test_unit_value_against_reference_price() -> None:
    refs = ReferencePrices({("8517", "CN"): Decimal(50)})  # SUBJECT declares 10/kg
    low = _active(unit_value_below_reference=Decimal("0.5"))
    high = _active(unit_value_above_reference=Decimal(2))
    assert evaluate_profiles([low], [SUBJECT], at=date(2024, 3, 1), reference_prices=refs)
    assert not evaluate_profiles([high], [SUBJECT], at=date(2024, 3, 1), reference_prices=refs)
    assert not evaluate_profiles([low], [SUBJECT], at=date(2024, 3, 1))  # no reference


def test_strongest_hit_first() -> None:
    weak = _active(origins=("CN",))
    strong = replace(weak, code="STRONG", priority=9, channel=Channel.YELLOW)
    hits = evaluate_profiles([weak, strong], [SUBJECT], at=date(2024, 3, 1))["D1"]
    assert [h.profile_code for h in hits] == ["STRONG", "PHONES"]


def test_empty_criteria_and_empty_window_refused() -> None:
    with pytest.raises(InvalidProfile):
        _profile()
    with pytest.raises(InvalidProfile):
        replace(_profile(origins=("CN",)), valid_to=date(2024, 1, 1))
    with pytest.raises(InvalidProfile):
        ProfileCriteria.from_dict({"colour": ["red"]})


def test_dict_round_trip() -> None:
    p = _active(commodity_prefixes=("8517",), value_max=Decimal("1e6"))
    assert profile_from_dict(profile_to_dict(p)) == p
