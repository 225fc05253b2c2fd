"""Goods controls: each kind of control, its legal base and the documents it asks for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customhouse.screening.cites import CitesIndex, CitesTaxon, load_cites
from customhouse.screening.goods import (
    Action,
    Document,
    Flow,
    GoodsControls,
    GoodsItem,
    add_working_days,
    load_controls,
    screen_goods,
)

DATA = Path(__file__).resolve().parents[3] / "src/customhouse/data/screening/goods_controls.json"
MAHOGANY = CitesTaxon("Swietenia macrophylla", "II", "Plantae", "", ("Big-leaf Mahogany",))
CONTROLS = load_controls(DATA, CitesIndex([MAHOGANY]))
MONDAY = date(2025, 1, 6)


def hits(item: GoodsItem, flow: Flow = Flow.IMPORT, importer: str = "") -> list[tuple[str, str]]:
    (result,) = screen_goods([item], CONTROLS, at=MONDAY, flow=flow, importer=importer)
    assert all(h.legal_base for h in result.hits)
    return [(h.control, str(h.action)) for h in result.hits]


def test_embargo_by_chapter_and_direction() -> None:
    coal = GoodsItem("2701120000", "bituminous coal", origin="KP")
    assert hits(coal) == [("embargo", "prohibited")]
    assert hits(GoodsItem("0901210000", "roasted coffee", origin="KP")) == []
    rifle = GoodsItem("9303300000", "hunting rifle", destination="KP")
    assert ("embargo", "prohibited") in hits(rifle, Flow.EXPORT)


def test_export_control_needs_a_licence_unless_one_is_presented() -> None:
    router = GoodsItem("8517620000", "encrypting router", destination="CN")
    assert hits(router, Flow.EXPORT) == [("export_control", "licence_required")]
    licensed = GoodsItem("8517620000", "router", documents=(Document("EXPORT_LICENCE", "X1"),))
    assert hits(licensed, Flow.EXPORT) == []


def test_ipr_suspect_detains_and_starts_the_clock() -> None:
    bags = GoodsItem("4202210000", "handbags EXAMPLEMARK logo", origin="CN")
    (result,) = screen_goods([bags], CONTROLS, at=date(2025, 1, 3), importer="Somebody Ltd")
    (hit,) = result.hits
    assert hit.action is Action.DETAIN and result.held
    assert hit.deadline == date(2025, 1, 17)  # 10 working days after Friday 3 January
    assert hits(bags, importer="Example Brands Distribution GmbH") == []


def test_cites_permit_must_name_the_species_and_cover_the_quantity() -> None:
    timber = GoodsItem("4407290000", "sawn big-leaf mahogany", quantity=Decimal("40"))
    (result,) = screen_goods([timber], CONTROLS, at=MONDAY)
    assert [h.action for h in result.hits] == [Action.PERMIT_REQUIRED]
    assert "Swietenia macrophylla" in result.missing_documents[0]
    small = Document("CITES", "P1", "Swietenia macrophylla", Decimal("10"))
    enough = Document("CITES", "P2", "Swietenia macrophylla", Decimal("40"))
    assert hits(
        GoodsItem("4407290000", "big-leaf mahogany", quantity=Decimal("40"), documents=(small,))
    ) == [("cites", "permit_required")]
    assert (
        hits(
            GoodsItem(
                "4407290000", "big-leaf mahogany", quantity=Decimal("40"), documents=(enough,)
            )
        )
        == []
    )


def test_cultural_goods_thresholds() -> None:
    old = GoodsItem("9701100000", "oil painting", value=Decimal("200000"), age_years=80)
    assert hits(old) == [("cultural_goods", "licence_required")]
    assert (
        hits(GoodsItem("9701100000", "oil painting", value=Decimal("200000"), age_years=20)) == []
    )
    assert hits(GoodsItem("9701100000", "oil painting", value=Decimal("1000"), age_years=80)) == []
    unknown_age = GoodsItem("9706000000", "antique clock", value=Decimal("60000"))
    assert hits(unknown_age) == [("cultural_goods", "licence_required")]


def test_plant_and_animal_health() -> None:
    assert hits(GoodsItem("0805100000", "oranges", origin="MA")) == [
        ("health", "certificate_required")
    ]
    phyto = Document("PHYTO", "PC-1")
    assert hits(GoodsItem("0805100000", "oranges", origin="MA", documents=(phyto,))) == []
    assert hits(GoodsItem("0701100000", "seed potatoes", origin="EG")) == [("health", "prohibited")]
    assert hits(GoodsItem("0201100000", "beef carcasses", origin="AR")) == [
        ("health", "certificate_required")
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(1, 30))
def test_working_day_deadline_is_a_weekday_and_far_enough(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert end.weekday() < 5
    assert (end - start).days >= days


def test_empty_controls_hit_nothing() -> None:
    item = GoodsItem("2701120000", "coal", origin="KP")
    assert screen_goods([item], GoodsControls(), at=MONDAY)[0].hits == ()


@pytest.mark.data
def test_shared_cites_index_finds_trade_names(shared_data: Path) -> None:
    index = load_cites(shared_data / "cites-species/cites_species_2017-04-21.csv")
    assert {t.name for t in index.find("carved elephant ivory", "9601")} >= {"Loxodonta africana"}
    assert index.find("python programming handbook", "4901") == []
    assert [t.name for t in index.find("live Psittacus erithacus", "0106")] == [
        "Psittacus erithacus"
    ]
