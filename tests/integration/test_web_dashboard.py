"""The dashboard on SQLite and PostgreSQL: revenue assessed and collected per day and currency,
and the channel mix, from the stored assessments, payments and channels."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.services import controls as ctl
from customhouse.services import declarations as svc
from customhouse.services.assessment import current_assessment
from customhouse.services.context import Context
from tests.integration.test_assessment import install
from tests.integration.test_controls import lodge, route, user
from tests.integration.test_web import sign_in, text

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    install(ctx)
    with TestClient(create_app(ctx)) as c:
        yield c


def test_revenue_and_channel_mix_from_stored_data(client: TestClient, ctx: Context) -> None:
    lodged = [lodge(ctx, n, amount=f"{1000 * n}.00") for n in (1, 2, 3)]
    totals = {}
    for _, did in lodged:
        a = current_assessment(ctx, did)
        assert a is not None and a["currency"] == "USD"
        totals[did] = Decimal(str(a["total"]))
    assert all(totals.values())
    (mrn1, id1), (_, id2), (mrn3, _) = lodged
    route(ctx, [id1], "red", ["profile X"])
    route(ctx, [id2], "yellow", ["profile Y"])
    officer = user(ctx, "officer1")
    ctl.record_payment(ctx, principal=officer, mrn=mrn1, amount=Decimal("12.34"), reference="R1")
    # An invalidated declaration's duties are not revenue.
    svc.invalidate(ctx, principal=SYSTEM, mrn=mrn3, reason="lodged twice")

    report = ctl.revenue_report(ctx, principal=officer)
    usd = report["by_currency"]["USD"]
    assert usd["assessed"] == totals[id1] + totals[id2]
    assert usd["declarations"] == 2
    assert usd["payment"] == Decimal("12.34") and usd["collected"] >= Decimal("12.34")
    assert [d["day"] for d in report["days"]] == ["2025-06-02"]

    sign_in(client, "officer1")
    page = client.get("/dashboard")
    assert page.status_code == 200
    body = text(page.text)
    assert "Duties and taxes per day, USD" in page.text
    assert f"{totals[id1] + totals[id2]:.2f}" in body and "12.34" in body
    assert "Declarations by channel" in page.text
    assert 'href="/declarations?channel=red"' in page.text
    # The page title is the title only (no section leaked into it).
    assert "<title>Dashboard · customhouse</title>" in page.text


def test_revenue_needs_customs_staff(ctx: Context) -> None:
    with pytest.raises(PermissionDenied):
        ctl.revenue_report(ctx, principal=user(ctx, "trader1"))
