"""Offence cases, penalties and the nCEN-style seizure record (pure).

>>> check_case_move("open", "investigation")
>>> check_case_move("open", "closed")
Traceback (most recent call last):
...
customhouse.enforcement.errors.IllegalCaseMove: an open case cannot move to closed
>>> p = compute_penalty(Decimal("1000.00"), DEFAULT_SCHEDULE, ["repeat_offence"])
>>> p.amount, p.explanation[-1]
(Decimal('1250.00'), 'penalty 1250.00 (between 100.00 and 50000.00)')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customhouse.enforcement.errors import BadPenalty, IllegalCaseMove

CASE_MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"investigation"}),
    "investigation": frozenset({"penalty", "settlement", "closed"}),
    "penalty": frozenset({"appeal", "settlement", "closed"}),
    "settlement": frozenset({"closed"}),
    "appeal": frozenset({"penalty", "closed"}),
    "closed": frozenset(),
}


def check_case_move(current: str, target: str) -> None:
    if target not in CASE_MOVES.get(current, frozenset()):
        article = "an" if current[0] in "aeiou" else "a"
        raise IllegalCaseMove(
            f"{article} {current} case cannot move to {target}", {"from": current, "to": target}
        )


@dataclass(frozen=True)
class PenaltySchedule:
    """Per cent of the duty evaded, bounded, moved by named factors (each a percentage change)."""

    percent: Decimal = Decimal(100)
    minimum: Decimal = Decimal("100.00")
    maximum: Decimal = Decimal("50000.00")
    aggravating: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "repeat_offence": Decimal(25),
            "concealment": Decimal(50),
            "organised": Decimal(100),
        }
    )
    mitigating: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "voluntary_disclosure": Decimal(50),
            "cooperation": Decimal(20),
            "first_offence": Decimal(10),
        }
    )


DEFAULT_SCHEDULE = PenaltySchedule()


@dataclass(frozen=True)
class Penalty:
    amount: Decimal
    explanation: tuple[str, ...]


def compute_penalty(
    duty_evaded: Decimal, schedule: PenaltySchedule, factors: Sequence[str]
) -> Penalty:
    """The penalty and every step of how it was reached."""
    if duty_evaded < 0:
        raise BadPenalty("the duty evaded cannot be negative", [])
    steps = [f"{schedule.percent}% of duty evaded {duty_evaded:.2f}"]
    change = Decimal(0)
    for f in factors:
        if f in schedule.aggravating:
            change += schedule.aggravating[f]
            steps.append(f"aggravating {f}: +{schedule.aggravating[f]}%")
        elif f in schedule.mitigating:
            change -= schedule.mitigating[f]
            steps.append(f"mitigating {f}: -{schedule.mitigating[f]}%")
        else:
            raise BadPenalty(f"unknown factor {f}", [])
    base = duty_evaded * schedule.percent / 100
    raw = base * (100 + change) / 100
    amount = min(max(raw, schedule.minimum), schedule.maximum).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    steps.append(f"penalty {amount} (between {schedule.minimum} and {schedule.maximum})")
    return Penalty(amount, tuple(steps))


def ncen_record(seizure: Mapping[str, Any], declaration: Mapping[str, Any]) -> dict[str, Any]:
    """A seizure in the shape of a WCO nCEN seizure record (case, location, goods, persons,
    conveyance); field names follow the nCEN data model's sections, values are ours.

    >>> r = ncen_record({"number": "S1", "seized_at": "2025-06-02T10:00:00+00:00",
    ...     "office": "GB000060", "offence": "ipr_infringement", "detection": "physical",
    ...     "goods": [{"description": "bags", "quantity": "10", "unit": "NAR"}]},
    ...     {"mrn": "25GB1", "transport": {"mode_at_border": "1", "containers": ["C1"]},
    ...      "parties": {"declarant": {"name": "X", "address": {"country": "GB"}}}})
    >>> r["case"]["seizure_date"], r["conveyance"]["containers"], r["persons"][0]["role"]
    ('2025-06-02', ['C1'], 'declarant')
    """
    transport = declaration.get("transport") or {}
    locations = declaration.get("locations") or {}
    parties = declaration.get("parties") or {}
    return {
        "case": {
            "reference": seizure["number"],
            "seizure_date": str(seizure["seized_at"])[:10],
            "customs_office": seizure["office"],
            "offence_type": seizure["offence"],
            "detection_method": seizure["detection"],
            "declaration": declaration.get("mrn"),
        },
        "location": {
            "place_of_loading": locations.get("place_of_loading"),
            "place_of_unloading": locations.get("place_of_unloading"),
            "country_of_dispatch": locations.get("country_of_dispatch"),
            "country_of_destination": locations.get("country_of_destination"),
        },
        "goods": [
            {
                "description": g.get("description"),
                "hs_code": g.get("commodity_code"),
                "quantity": g.get("quantity"),
                "unit": g.get("unit"),
            }
            for g in seizure.get("goods", [])
        ],
        "persons": [
            {
                "role": role,
                "name": p.get("name"),
                "eori": p.get("eori"),
                "country": (p.get("address") or {}).get("country"),
            }
            for role, p in parties.items()
            if isinstance(p, dict)
        ],
        "conveyance": {
            "mode": transport.get("mode_at_border"),
            "identity": transport.get("means_identity"),
            "nationality": transport.get("means_nationality"),
            "containers": list(transport.get("containers", [])),
        },
    }
