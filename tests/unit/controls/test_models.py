"""Task planning, findings and the release decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from customhouse.controls.models import (
    CHECKLISTS,
    Finding,
    FindingCode,
    ReleaseCheck,
    TaskKind,
    check_finding,
    decide_release,
    plan_tasks,
)
from customhouse.controls.timing import percentile, release_times

DAY = dt.date(2025, 6, 2)
money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


def test_channels_make_tasks_with_instructions_checklist_and_deadline() -> None:
    assert plan_tasks("green", ["x"], DAY) == plan_tasks("blue", ["x"], DAY) == []
    [doc] = plan_tasks("yellow", ["P1: low value"], DAY)
    assert doc.kind == TaskKind.DOCUMENTARY_CHECK and doc.role == "officer"
    assert doc.instructions == ("P1: low value",) and doc.checklist == CHECKLISTS[doc.kind]
    assert doc.deadline == DAY + dt.timedelta(days=1)
    kinds = [t.kind for t in plan_tasks("red", ["scanner first"], DAY)]
    assert kinds == [TaskKind.SCANNER_REVIEW, TaskKind.PHYSICAL_EXAMINATION]
    [physical] = plan_tasks("red", [], DAY)
    assert physical.role == "inspector" and physical.instructions[0].startswith("selected at")


def test_findings_are_checked() -> None:
    ok = Finding(FindingCode.MISCLASSIFICATION, {1: {"commodity_code": "8606100000"}})
    assert check_finding(ok, [1]) == []
    assert check_finding(Finding(FindingCode.QUANTITY, {2: {"net_mass": "1"}}), [1]) == [
        "item 2 is not on the declaration"
    ]


@given(money, money, money, st.integers(0, 3), st.integers(0, 2))
def test_release_only_when_tasks_closed_and_duties_secured(
    due: Decimal, paid: Decimal, guarantee: Decimal, open_tasks: int, blocking: int
) -> None:
    d = decide_release(ReleaseCheck(open_tasks, blocking, due, paid, guarantee))
    shortfall = max(due - paid, Decimal(0))
    assert d.release == (open_tasks == 0 and blocking == 0 and shortfall <= guarantee)
    if d.release:
        assert d.draw_from_guarantee == shortfall and not d.reasons
    else:
        assert d.reasons and d.draw_from_guarantee == 0


def test_missing_permit_holds() -> None:
    d = decide_release(ReleaseCheck(0, 0, Decimal(0), Decimal(0), Decimal(0), ("C400",)))
    assert not d.release and d.reasons == ("permit missing or expired: C400",)


@given(st.lists(st.floats(min_value=0, max_value=10**5), min_size=1, max_size=200))
def test_percentiles_are_ordered_and_bounded(values: list[float]) -> None:
    v = sorted(values)
    med, p90 = percentile(v, 0.5), percentile(v, 0.9)
    assert v[0] <= med <= p90 <= v[-1]


def test_release_times_per_channel_and_office() -> None:
    r = release_times([("red", "A", 60.0), ("red", "B", 180.0), ("green", "A", 0.0)])
    assert r["by_channel"]["red"]["median_minutes"] == 120.0
    assert r["by_office"]["A"]["count"] == 2 and r["by_office_channel"]["B/red"]["count"] == 1
