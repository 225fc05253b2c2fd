"""Case moves, the penalty schedule, links and the nCEN record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customhouse.enforcement.errors import BadPenalty, IllegalCaseMove
from customhouse.enforcement.links import link_graph, linked
from customhouse.enforcement.models import (
    CASE_MOVES,
    DEFAULT_SCHEDULE,
    PenaltySchedule,
    check_case_move,
    compute_penalty,
)

FACTORS = sorted([*DEFAULT_SCHEDULE.aggravating, *DEFAULT_SCHEDULE.mitigating])


def test_every_path_to_closed_and_no_way_back() -> None:
    for a, b in [
        ("open", "investigation"),
        ("investigation", "penalty"),
        ("penalty", "appeal"),
        ("appeal", "closed"),
        ("investigation", "settlement"),
        ("settlement", "closed"),
    ]:
        check_case_move(a, b)
    for target in CASE_MOVES:
        with pytest.raises(IllegalCaseMove):
            check_case_move("closed", target)
    with pytest.raises(IllegalCaseMove):
        check_case_move("open", "penalty")


@given(
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
    st.lists(st.sampled_from(FACTORS), max_size=4),
)
def test_penalty_is_within_bounds_and_explained(evaded: Decimal, factors: list[str]) -> None:
    p = compute_penalty(evaded, DEFAULT_SCHEDULE, factors)
    assert DEFAULT_SCHEDULE.minimum <= p.amount <= DEFAULT_SCHEDULE.maximum
    assert len(p.explanation) == len(factors) + 2


def test_penalty_factors_move_the_amount() -> None:
    s = PenaltySchedule(percent=Decimal(50), minimum=Decimal(0), maximum=Decimal(10**6))
    assert compute_penalty(Decimal(1000), s, []).amount == Decimal("500.00")
    assert compute_penalty(Decimal(1000), s, ["organised"]).amount == Decimal("1000.00")
    assert compute_penalty(Decimal(1000), s, ["cooperation"]).amount == Decimal("400.00")
    with pytest.raises(BadPenalty):
        compute_penalty(Decimal(1000), s, ["bribery"])


def test_links_through_address_and_transport_not_unrelated() -> None:
    addr = {"street": "1 Dock Rd", "city": "Felixstowe", "country": "GB"}
    g = link_graph(
        {
            1: {"parties": {"importer": {"name": "A", "address": addr}}},
            2: {"parties": {"importer": {"name": "B", "address": dict(addr, city=" felixstowe")}}},
            3: {"transport": {"means_identity": "imo 9321483"}},
            4: {"transport": {"means_identity": "IMO 9321483"}},
            5: {"parties": {"declarant": {"name": "C", "eori": "GB9"}}},
        }
    )
    assert [x["declaration"] for x in linked(g, 1)] == [2]
    assert linked(g, 3) == [{"declaration": 4, "via": ["transport:IMO 9321483"]}]
    assert linked(g, 5) == [] and linked(g, 99) == []
