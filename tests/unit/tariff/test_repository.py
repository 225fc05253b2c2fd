from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from customhouse.storage.base import Base
from customhouse.tariff import tables  # noqa: F401  (registers the tables)
from customhouse.tariff.engine import ItemInput, QuotaDrawdown, assess
from customhouse.tariff.expressions import parse
from customhouse.tariff.models import Geography, Measure, MeasureType, Profile, Tariff, Validity
from customhouse.tariff.repository import apply_drawdowns, load_tariff, quota_balances, save_tariff
from customhouse.tariff.tables import TariffQuotaBalance


def test_save_load_round_trip_and_guarded_drawdown() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    profile = Profile("t", "GBP")
    t = Tariff(profile)
    t.add(
        Measure(
            "mfn",
            MeasureType.THIRD_COUNTRY,
            "0102",
            Geography.erga_omnes({"KP"}),
            parse("10.20 % + 93.10 GBP / 100 kg"),
            Validity(dt.date(2020, 1, 1), None),
            "R 1/2",
        )
    )
    with Session(engine) as s:
        save_tariff(s, t)
        s.add(
            TariffQuotaBalance(
                profile="t",
                order_number="051104",
                unit="kg",
                volume=Decimal(1000),
                remaining=Decimal(1000),
            )
        )
        s.commit()
    with Session(engine) as s:
        loaded = load_tariff(s, profile)
        assert loaded.measures[0].geography.covers("AR") and not loaded.measures[
            0
        ].geography.covers("KP")
        item = ItemInput(1, "0102291010", "AR", Decimal("2500"), quantities={"kg": Decimal("450")})
        assert (
            assess([item], loaded, dt.date(2025, 1, 1)).duty
            == assess([item], t, dt.date(2025, 1, 1)).duty
        )
        assert quota_balances(s, "t").remaining["051104"] == Decimal(1000)
        assert apply_drawdowns(s, "t", "MRN1", [QuotaDrawdown("051104", 1, Decimal(600), "kg")])
        assert not apply_drawdowns(s, "t", "MRN2", [QuotaDrawdown("051104", 1, Decimal(600), "kg")])
        s.commit()
        assert quota_balances(s, "t").remaining["051104"] == Decimal(400)
