"""Allocation is a deterministic, fair function of the revealed seed, the task and the pool."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customhouse.controls.allocation import commitment, eligible, new_seed, pick, pool_digest
from customhouse.controls.errors import NoEligibleOfficer

seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
pools = st.lists(st.from_regex(r"[a-z]{3,8}[0-9]", fullmatch=True), min_size=1, unique=True)


@given(seeds, st.integers(min_value=1, max_value=10**9), pools)
def test_pick_is_deterministic_and_in_pool_whatever_the_order(
    seed: str, task: int, pool: list[str]
) -> None:
    chosen = pick(seed, task, pool)
    assert chosen in pool
    assert pick(seed, task, list(reversed(pool))) == chosen
    assert pool_digest(pool) == pool_digest(sorted(pool))


def test_pick_spreads_tasks_evenly() -> None:
    seed = "ab" * 32
    counts = Counter(pick(seed, t, ["a", "b", "c", "d"]) for t in range(4000))
    assert set(counts) == {"a", "b", "c", "d"}
    assert all(800 < n < 1200 for n in counts.values()), counts


def test_a_different_seed_gives_different_allocations() -> None:
    pool = [f"o{i}" for i in range(10)]
    one = [pick("00" * 32, t, pool) for t in range(50)]
    two = [pick("11" * 32, t, pool) for t in range(50)]
    assert one != two


def test_commitment_binds_the_seed() -> None:
    s = new_seed()
    assert len(s) == 64 and commitment(s) != commitment(new_seed())
    assert commitment(s) == commitment(s)


def test_conflicts_and_exclusions_leave_the_pool() -> None:
    assert eligible(["x", "y", "z"], {"x": {"GB1"}}, ["GB1"], exclude=["z"]) == ["y"]
    assert eligible(["x"], {"x": {"GB2"}}, ["GB1", None]) == ["x"]
    with pytest.raises(NoEligibleOfficer):
        pick("00" * 32, 1, [])
