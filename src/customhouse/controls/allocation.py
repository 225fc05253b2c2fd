"""Verifiable random allocation of control tasks to officers (pure).

Each day has a secret seed. Its SHA-256 commitment is published before the day and the seed is
revealed after it, so anyone can recompute every allocation of that day and no one (officer,
supervisor or operator of the system) could have steered one during the day without it showing.

>>> seed = "00" * 32
>>> commitment(seed)
'60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55'
>>> pick(seed, 41, ["inspector2", "inspector1"])
'inspector1'
>>> pick(seed, 41, ["inspector1", "inspector2"]) == pick(seed, 41, ["inspector2", "inspector1"])
True
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence

from customhouse.controls.errors import NoEligibleOfficer


def new_seed() -> str:
    """A fresh 256-bit seed, hex encoded (the only randomness; drawn by the service)."""
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's hex text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def eligible(
    on_duty: Iterable[str],
    conflicts: Mapping[str, set[str]],
    parties: Iterable[str | None],
    exclude: Iterable[str] = (),
) -> list[str]:
    """Officers on duty with no link to any party of the declaration, sorted.

    >>> eligible(["b", "a", "c"], {"c": {"GB1"}}, ["GB1", None], exclude=["a"])
    ['b']
    """
    named = {p for p in parties if p}
    barred = set(exclude)
    return sorted(
        o for o in set(on_duty) if o not in barred and not (conflicts.get(o, set()) & named)
    )


def pick(seed: str, task_id: int, officers: Sequence[str]) -> str:
    """The officer a task goes to: SHA-256(seed, task id) modulo the sorted eligible list."""
    pool = sorted(officers)
    if not pool:
        raise NoEligibleOfficer("no eligible officer is on duty", {"task": task_id})
    digest = hashlib.sha256(f"{seed}:{task_id}".encode("ascii")).digest()
    return pool[int.from_bytes(digest, "big") % len(pool)]


def pool_digest(officers: Sequence[str]) -> str:
    """A short digest of the eligible list, put on the ledger with each allocation."""
    return hashlib.sha256("\n".join(sorted(officers)).encode()).hexdigest()[:16]
