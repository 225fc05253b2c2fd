"""Binding tariff rulings and the check that a holder declares ruled goods under the ruled code.

A ruling binds the customs administration and its holder for the goods it describes, from
``valid_from`` (inclusive) to ``valid_to`` (exclusive; three years by default) unless revoked.
A declaration by the holder for the same goods under another code is flagged.

>>> r = issue_ruling(reference="GB600014703", holder_eori="GB123456789000",
...     goods_description="Rubber bellow for a mechanical seal, EPDM, moulded",
...     commodity_code="4016999790", justification="GIR 1 and 6", issued_on=date(2024, 3, 1))
>>> r.valid_to
datetime.date(2027, 3, 1)
>>> [c.ruling.reference for c in check_item_against_rulings(
...     holder_eori="GB123456789000", description="EPDM rubber bellow for mechanical seal",
...     declared_code="8484900000", rulings=[r], at=date(2025, 1, 1))]
['GB600014703']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from customhouse.classification.errors import InvalidRuling, RulingAlreadyRevoked
from customhouse.classification.models import hs_digits
from customhouse.classification.text import normalise

DEFAULT_VALIDITY_YEARS = 3
SAME_GOODS_THRESHOLD = 0.7  # similarity at or above which two descriptions count as the same goods


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True, slots=True)
class BindingRuling:
    """A binding tariff ruling (BTI / ATaR) issued to one holder."""

    reference: str
    holder_eori: str
    goods_description: str
    commodity_code: str
    justification: str
    valid_from: date
    valid_to: date
    revoked_on: date | None = None
    revocation_reason: str | None = None

    def is_valid_at(self, at: date) -> bool:
        """In force on ``at``: inside [valid_from, valid_to) and not revoked by then."""
        if self.revoked_on is not None and at >= self.revoked_on:
            return False
        return self.valid_from <= at < self.valid_to

    def revoke(self, *, on: date, reason: str) -> BindingRuling:
        """The ruling revoked from ``on``; revoking twice is refused."""
        if self.revoked_on is not None:
            raise RulingAlreadyRevoked(
                f"ruling {self.reference} already revoked on {self.revoked_on.isoformat()}",
                {"reference": self.reference},
            )
        if not reason.strip():
            raise InvalidRuling("a revocation needs a reason")
        return dataclasses.replace(self, revoked_on=on, revocation_reason=reason.strip())

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "holder_eori": self.holder_eori,
            "goods_description": self.goods_description,
            "commodity_code": self.commodity_code,
            "justification": self.justification,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
            "revocation_reason": self.revocation_reason,
        }


def issue_ruling(
    *,
    reference: str,
    holder_eori: str,
    goods_description: str,
    commodity_code: str,
    justification: str,
    issued_on: date,
    valid_to: date | None = None,
) -> BindingRuling:
    """A new ruling valid from ``issued_on`` for three years unless ``valid_to`` is given."""
    problems = [
        name
        for name, value in (
            ("reference", reference),
            ("holder_eori", holder_eori),
            ("goods_description", goods_description),
            ("justification", justification),
        )
        if not value.strip()
    ]
    if problems:
        raise InvalidRuling(f"ruling fields must not be empty: {', '.join(problems)}")
    end = valid_to or _add_years(issued_on, DEFAULT_VALIDITY_YEARS)
    if end <= issued_on:
        raise InvalidRuling("valid_to must be after the issue date")
    return BindingRuling(
        reference.strip(),
        holder_eori.strip().upper(),
        goods_description.strip(),
        hs_digits(commodity_code),
        justification.strip(),
        issued_on,
        end,
    )


def goods_similarity(a: str, b: str) -> float:
    """How alike two goods descriptions are, 0..1, whatever the word order.

    Word-set overlap alone would call "rubber" the same goods as any rubber article, so it is
    averaged with the whole-text similarity.

    >>> goods_similarity("Rubber bellow, EPDM", "EPDM rubber bellow") == 1.0
    True
    >>> goods_similarity("rubber", "EPDM rubber bellow for a mechanical seal") < 0.7
    True
    """
    x, y = normalise(a), normalise(b)
    return (fuzz.token_set_ratio(x, y) + fuzz.token_sort_ratio(x, y)) / 200


def codes_agree(declared: str, ruled: str) -> bool:
    """Same code on the digits both give (a 8-digit declaration vs a 10-digit ruling).

    >>> codes_agree("40169997", "4016999790"), codes_agree("4016", "8484900000")
    (True, False)
    """
    n = min(len(declared), len(ruled))
    return declared[:n] == ruled[:n]


@dataclass(frozen=True, slots=True)
class RulingConflict:
    """A declared item that looks like ruled goods but carries another code."""

    ruling: BindingRuling
    declared_code: str
    similarity: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ruling": self.ruling.reference,
            "ruled_code": self.ruling.commodity_code,
            "declared_code": self.declared_code,
            "similarity": round(self.similarity, 3),
            "reason": self.reason,
        }


def check_item_against_rulings(
    *,
    holder_eori: str,
    description: str,
    declared_code: str,
    rulings: Iterable[BindingRuling],
    at: date,
    threshold: float = SAME_GOODS_THRESHOLD,
) -> list[RulingConflict]:
    """Rulings of this holder, in force ``at``, for the same goods but under another code."""
    code = hs_digits(declared_code)
    holder = holder_eori.strip().upper()
    conflicts = []
    for r in rulings:
        if r.holder_eori != holder or not r.is_valid_at(at) or codes_agree(code, r.commodity_code):
            continue
        sim = goods_similarity(description, r.goods_description)
        if sim >= threshold:
            conflicts.append(
                RulingConflict(
                    r,
                    code,
                    sim,
                    f"holder's ruling {r.reference} classifies these goods under "
                    f"{r.commodity_code}, declared {code} (description similarity {sim:.2f})",
                )
            )
    return sorted(conflicts, key=lambda c: -c.similarity)
