"""Audit selection and the limitation period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from customhouse.audit.models import TraderActivity, select_traders, within_limitation


def test_risk_and_volume_both_raise_the_score() -> None:
    base = TraderActivity("A", 100, Decimal(10000), 20, 1, 0)
    riskier = TraderActivity("B", 100, Decimal(10000), 20, 8, 0)
    bigger = TraderActivity("C", 100, Decimal(1000000), 20, 1, 0)
    ranked = [c.eori for c in select_traders([base, riskier, bigger])]
    assert ranked.index("A") > ranked.index("B") and ranked.index("A") > ranked.index("C")
    assert len(select_traders([base, riskier, bigger], top=2)) == 2


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)), st.integers(1, 5))
def test_limitation_runs_years_after_release(released: dt.date, years: int) -> None:
    assert within_limitation(released, released, years)
    assert not within_limitation(released, released + dt.timedelta(days=366 * years), years)
