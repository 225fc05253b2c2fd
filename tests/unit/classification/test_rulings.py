from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customhouse.classification.errors import InvalidRuling, RulingAlreadyRevoked
from customhouse.classification.rulings import (
    BindingRuling,
    check_item_against_rulings,
    codes_agree,
    issue_ruling,
)

HOLDER = "GB123456789000"


def ruling(**overrides: object) -> BindingRuling:
    fields: dict[str, object] = {
        "reference": "GB600014703",
        "holder_eori": HOLDER,
        "goods_description": "Rubber bellow for a mechanical seal assembly, moulded EPDM",
        "commodity_code": "4016999790",
        "justification": "GIR 1 and GIR 6; heading 4016 covers other articles of rubber",
        "issued_on": date(2024, 3, 1),
    }
    fields.update(overrides)
    return issue_ruling(**fields)  # type: ignore[arg-type]


def check(declared: str, description: str = "EPDM rubber bellow for mechanical seal", **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "holder_eori": HOLDER,
        "description": description,
        "declared_code": declared,
        "rulings": [ruling()],
        "at": date(2025, 6, 1),
    }
    args.update(kw)
    return check_item_against_rulings(**args)  # type: ignore[arg-type]


def test_default_validity_is_three_years() -> None:
    r = ruling()
    assert r.valid_from == date(2024, 3, 1) and r.valid_to == date(2027, 3, 1)
    assert r.is_valid_at(date(2027, 2, 28)) and not r.is_valid_at(date(2027, 3, 1))


def test_leap_day_issue() -> None:
    assert ruling(issued_on=date(2024, 2, 29)).valid_to == date(2027, 2, 28)


def test_same_goods_other_code_is_flagged() -> None:
    conflicts = check("8484900000")
    assert [c.ruling.reference for c in conflicts] == ["GB600014703"]
    assert "4016999790" in conflicts[0].reason and "8484900000" in conflicts[0].reason


def test_same_code_is_not_flagged_even_when_shorter() -> None:
    assert check("40169997") == []
    assert check("4016999790") == []


def test_other_goods_are_not_flagged() -> None:
    assert check("8484900000", description="stainless steel kitchen knives") == []
    assert check("8484900000", description="rubber") == []


def test_other_holder_expired_or_revoked_is_not_flagged() -> None:
    assert check("8484900000", holder_eori="GB999999999000") == []
    assert check("8484900000", at=date(2027, 3, 1)) == []
    assert check("8484900000", at=date(2024, 2, 29)) == []
    revoked = ruling().revoke(on=date(2025, 1, 1), reason="code changed by HS amendment")
    assert check("8484900000", rulings=[revoked]) == []
    assert check("8484900000", rulings=[revoked], at=date(2024, 12, 31)) != []


def test_revoking_twice_is_refused() -> None:
    revoked = ruling().revoke(on=date(2025, 1, 1), reason="wrong")
    with pytest.raises(RulingAlreadyRevoked):
        revoked.revoke(on=date(2025, 2, 1), reason="again")


def test_invalid_rulings_are_refused() -> None:
    with pytest.raises(InvalidRuling):
        ruling(justification=" ")
    with pytest.raises(InvalidRuling):
        ruling(valid_to=date(2024, 3, 1))


codes = st.text(alphabet="0123456789", min_size=2, max_size=10)


@given(codes, codes)
def test_codes_agree_is_symmetric(a: str, b: str) -> None:
    assert codes_agree(a, b) == codes_agree(b, a)
    assert codes_agree(a, a)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 2000))
def test_validity_window_is_half_open(issued: date, offset: int) -> None:
    r = ruling(issued_on=issued)
    at = issued + timedelta(days=offset)
    assert r.is_valid_at(at) == (at < r.valid_to)
    assert not r.is_valid_at(issued - timedelta(days=1))
