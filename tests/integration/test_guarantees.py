"""Deferment accounts on SQLite and PostgreSQL: a release draws on the holder's account, a
settlement is recorded and restores it, revenue counts money received (not what was drawn),
and the routes refuse what each role may not do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.cli.controls import app as cli
from customhouse.controls import errors as ce
from customhouse.controls.tables import GuaranteeSettlementRow
from customhouse.services import controls as ctl
from customhouse.services import declarations as svc
from customhouse.services import guarantees as gtee
from customhouse.services.assessment import run as assess_step
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from tests.integration.factories import owned_by
from tests.integration.test_api import _auth
from tests.integration.test_assessment import import_doc, install
from tests.integration.test_controls import route, state, user

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def _released_on_account(ctx: Context) -> tuple[int, str]:
    """trader1's green declaration released against its new account: (account, EORI)."""
    install(ctx)
    holder = user(ctx, "trader1").eori
    assert holder is not None
    outcome = svc.lodge_batch(
        ctx, principal=SYSTEM, requests=[svc.LodgeRequest(owned_by(import_doc(1), holder))]
    )[0]
    assert outcome.mrn, outcome.problems
    assess_step(ctx, [outcome.id])
    account = gtee.open_guarantee(
        ctx,
        principal=user(ctx, "supervisor1"),
        holder_eori=holder,
        currency="USD",
        limit=Decimal(100000),
    )
    route(ctx, [outcome.id], "green", [])
    assert state(ctx, outcome.id) == "released"
    return account, holder


def test_settlement_is_recorded_and_counted_as_collected(ctx: Context) -> None:
    account, _ = _released_on_account(ctx)
    officer = user(ctx, "officer1")
    view = gtee.guarantee_account(ctx, principal=officer, account_id=account)
    assert view["outstanding"] == "500.00" and view["balance"] == "99500.00"
    assert [d["amount"] for d in view["drawdowns"]] == ["500.00"] and view["settlements"] == []

    usd = ctl.revenue_report(ctx, principal=officer)["by_currency"]["USD"]
    # Drawn on the account is owed, not collected.
    assert usd["drawn_on_guarantee"] == Decimal("500.00")
    assert usd["collected"] == Decimal("0.00") and usd["deferred_unsettled"] == Decimal("500.00")

    balance = gtee.settle_guarantee(
        ctx, principal=officer, account_id=account, amount=Decimal("300.00"), reference="DD-1"
    )
    assert balance == Decimal("99800.00")
    view = gtee.guarantee_account(ctx, principal=officer, account_id=account)
    assert view["outstanding"] == "200.00"
    assert [(s["amount"], s["reference"]) for s in view["settlements"]] == [("300.00", "DD-1")]
    usd = ctl.revenue_report(ctx, principal=officer)["by_currency"]["USD"]
    assert usd["settled"] == Decimal("300.00") and usd["collected"] == Decimal("300.00")
    assert usd["deferred_unsettled"] == Decimal("200.00")
    assert verify_ledger(ctx).ok


def test_settlement_above_outstanding_is_refused_and_changes_nothing(ctx: Context) -> None:
    account, _ = _released_on_account(ctx)
    officer = user(ctx, "officer1")
    with pytest.raises(ce.SettlementExceedsOutstanding) as refused:
        gtee.settle_guarantee(
            ctx, principal=officer, account_id=account, amount=Decimal("500.01"), reference="X"
        )
    assert refused.value.details == {"amount": "500.01", "outstanding": "500.00"}
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(GuaranteeSettlementRow)) == 0
    assert gtee.guarantee_account(ctx, principal=officer, account_id=account)["balance"] == (
        "99500.00"
    )
    with pytest.raises(ce.AccountNotFound):
        gtee.settle_guarantee(
            ctx, principal=officer, account_id=account + 99, amount=Decimal(1), reference="X"
        )


def test_every_problem_of_an_account_is_reported_at_once(ctx: Context) -> None:
    supervisor = user(ctx, "supervisor1")
    with pytest.raises(ce.BadAccount) as bad:
        gtee.open_guarantee(
            ctx, principal=supervisor, holder_eori="GB12", currency="XYZ", limit=Decimal("-1")
        )
    pointers = [p["pointer"] for p in bad.value.details["problems"]]
    assert pointers == ["/holder_eori", "/currency", "/limit"]
    with pytest.raises(ce.BadAccount) as bad:
        gtee.settle_guarantee(
            ctx, principal=supervisor, account_id=1, amount=Decimal("1.001"), reference=" "
        )
    assert [p["pointer"] for p in bad.value.details["problems"]] == ["/amount", "/reference"]
    first = gtee.open_guarantee(
        ctx, principal=supervisor, holder_eori="GB123456789000", currency="usd", limit=Decimal(10)
    )
    with pytest.raises(ce.AccountExists) as taken:
        gtee.open_guarantee(
            ctx,
            principal=supervisor,
            holder_eori="GB 123456789000",
            currency="USD",
            limit=Decimal(10),
        )
    assert taken.value.details == {"account": first}


def test_roles_on_accounts(ctx: Context) -> None:
    account, holder = _released_on_account(ctx)
    with pytest.raises(PermissionDenied):  # opening needs a supervisor
        gtee.open_guarantee(
            ctx,
            principal=user(ctx, "officer1"),
            holder_eori=holder,
            currency="EUR",
            limit=Decimal(1),
        )
    trader = user(ctx, "trader1")
    with pytest.raises(PermissionDenied):  # a holder's payment is recorded by customs
        gtee.settle_guarantee(
            ctx, principal=trader, account_id=account, amount=Decimal(1), reference="X"
        )
    assert [a["id"] for a in gtee.list_guarantees(ctx, principal=trader)] == [account]
    other = user(ctx, "trader2")
    assert gtee.list_guarantees(ctx, principal=other) == []
    with pytest.raises(ce.AccountNotFound):  # another's account: not found, as a declaration
        gtee.guarantee_account(ctx, principal=other, account_id=account)
    with pytest.raises(PermissionDenied):
        ctl.revenue_report(ctx, principal=trader)


def test_api_routes_both_ways(client: TestClient, ctx: Context) -> None:
    account, holder = _released_on_account(ctx)
    supervisor, officer = _auth(ctx, "supervisor1"), _auth(ctx, "officer1")
    body = {"holder_eori": holder, "currency": "EUR", "limit": "2500.00"}
    assert client.post("/api/v1/controls/guarantees", json=body, headers=officer).status_code == 403
    opened = client.post("/api/v1/controls/guarantees", json=body, headers=supervisor)
    assert opened.status_code == 201, opened.text
    again = client.post("/api/v1/controls/guarantees", json=body, headers=supervisor)
    assert again.status_code == 409 and again.json()["error"]["code"] == "controls.AccountExists"
    bad = client.post(
        "/api/v1/controls/guarantees",
        json={**body, "holder_eori": "GB1", "currency": "QQQ"},
        headers=supervisor,
    )
    assert bad.status_code == 422
    assert [x["pointer"] for x in bad.json()["error"]["details"]["problems"]] == [
        "/holder_eori",
        "/currency",
    ]

    listed = client.get("/api/v1/controls/guarantees", headers=officer).json()["accounts"]
    assert {a["id"] for a in listed} == {account, opened.json()["account"]}
    path = f"/api/v1/controls/guarantees/{account}"
    assert client.get(path, headers=officer).json()["outstanding"] == "500.00"

    settle = {"amount": "500.00", "reference": "DD-7"}
    holder_auth = _auth(ctx, "trader1")
    assert client.post(f"{path}/settlements", json=settle, headers=holder_auth).status_code == 403
    done = client.post(f"{path}/settlements", json=settle, headers=officer)
    assert done.status_code == 201 and done.json()["balance"] == "100000.00"
    over = client.post(f"{path}/settlements", json=settle, headers=officer)
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "controls.SettlementExceedsOutstanding"

    # The holder sees its own account; the other trader does not.
    assert client.get(path, headers=holder_auth).json()["settlements"][0]["reference"] == "DD-7"
    other = _auth(ctx, "trader2")
    assert client.get(path, headers=other).status_code == 404

    revenue = client.get("/api/v1/controls/revenue", headers=officer)
    assert revenue.status_code == 200
    usd = revenue.json()["by_currency"]["USD"]
    assert usd["collected"] == "500.00" and usd["drawn_on_guarantee"] == "500.00"
    assert client.get("/api/v1/controls/revenue", headers=holder_auth).status_code == 403


def test_cli_opens_settles_and_reports(ctx: Context) -> None:
    env = {"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url}
    runner = CliRunner()
    opened = runner.invoke(cli, ["guarantee-open", "GB123456789000", "GBP", "900"], env=env)
    assert opened.exit_code == 0, opened.output
    account = json.loads(opened.stdout)["account"]
    refused = runner.invoke(
        cli, ["guarantee-settle", str(account), "5", "--reference", "R"], env=env
    )
    assert refused.exit_code == 1  # nothing drawn yet: nothing to settle
    assert "controls.SettlementExceedsOutstanding" in refused.output
    listed = runner.invoke(cli, ["guarantees", "--holder", "GB123456789000"], env=env)
    assert json.loads(listed.stdout)[0]["outstanding"] == "0.00"
    revenue = runner.invoke(cli, ["revenue"], env=env)
    assert revenue.exit_code == 0 and json.loads(revenue.stdout)["by_currency"] == {}
