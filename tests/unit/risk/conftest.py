"""Synthetic declarations with a known risk signal, for the risk tests."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from customhouse.risk.models import RiskSubject, TrainingExample


def make_examples(n: int, seed: int = 7) -> list[TrainingExample]:
    """Risky importers and undervalued goods find more; everything else is noise."""
    rng = random.Random(seed)
    risky = {f"IMP{i}" for i in range(0, 200, 7)}
    out = []
    for i in range(n):
        importer = f"IMP{rng.randrange(200)}"
        hs = rng.choice(["392690", "950300", "071080", "630790", "850440"])
        mass = Decimal(rng.randint(1, 500))
        under = rng.random() < 0.2
        unit = Decimal(rng.randint(5, 15)) * (Decimal("0.2") if under else 1)
        p = 0.05 + 0.5 * (importer in risky) + 0.35 * under
        subject = RiskSubject(
            declaration_id=f"D{i}",
            commodity_code=hs,
            origin=rng.choice(["CN", "VN", "US"]),
            departure=rng.choice(["CN", "HK"]),
            customs_value=mass * unit,
            net_mass=mass,
            lodged_on=date(2024, 1, 1) + timedelta(days=i * 300 // n),
            importer_id=importer,
            declarant_id=f"DEC{rng.randrange(20)}",
            transport_mode=rng.choice(["10", "40"]),
            office="O1",
            duty_amount=mass * unit * Decimal("0.08"),
            tax_rate=Decimal(8),
        )
        out.append(TrainingExample(subject, rng.random() < p, subject.duty_amount))
    return out


@pytest.fixture(scope="session")
def synthetic() -> list[TrainingExample]:
    return make_examples(3000)


@pytest.fixture(scope="session")
def make() -> object:
    return make_examples
