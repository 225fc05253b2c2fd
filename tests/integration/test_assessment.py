"""Assessment in the pipeline, on SQLite and PostgreSQL: lines with reasons, holds, amendments,
quota drawdown under concurrency, estimates and the declaration's assessment over HTTP."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from customhouse.access.models import SYSTEM
from customhouse.api.app import create_app
from customhouse.services import declarations as svc
from customhouse.services.access import issue_token
from customhouse.services.assessment import (
    EstimateInput,
    assessment_history,
    current_assessment,
    estimate,
    load_tariff_into_db,
)
from customhouse.services.assessment import run as assess_step
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from customhouse.services.pipeline import run_after_acceptance
from customhouse.tariff.engine import ItemInput
from customhouse.tariff.errors import TariffNotLoaded
from customhouse.tariff.expressions import parse
from customhouse.tariff.models import (
    US_PROFILE,
    CommodityLine,
    Geography,
    Measure,
    MeasureType,
    Quota,
    Tariff,
)
from customhouse.tariff.tables import TariffQuotaBalance, TariffQuotaDrawdown
from tests.integration.factories import declarations

pytestmark = pytest.mark.integration

QUOTA_CODE = "020130"  # fresh boneless beef
QUOTA = "090001"


def small_tariff(quota_kg: Decimal = Decimal(1000)) -> Tariff:
    """5% on every chapter but 85 and 86 (national lines there); 86061000 free from Korea
    under KORUS; a beef quota at 2% in quota."""
    t = Tariff(US_PROFILE)
    mfn = Geography.erga_omnes(excluded={"CU", "KP"})
    for chapter in range(1, 98):
        code = f"{chapter:02d}"
        if code not in ("85", "86"):  # national lines only there
            t.add(Measure(f"MFN-{code}", MeasureType.THIRD_COUNTRY, code, mfn, parse("5%")))
    t.lines["86061000"] = CommodityLine("86061000", "tank cars")
    t.add(Measure("MFN-86061000", MeasureType.THIRD_COUNTRY, "86061000", mfn, parse("5%")))
    t.add(
        Measure(
            "KORUS-8606",
            MeasureType.PREFERENCE,
            "8606",
            Geography.group("KORUS", {"KR"}),
            parse("Free"),
            legal_base="HTSUS general note 33",
            preference_scheme="KORUS",
        )
    )
    # Two national lines under 850440 with different rates: a 6-digit code is not enough.
    for code, rate in (("85044040", "1.5%"), ("85044095", "Free")):
        t.lines[code] = CommodityLine(code)
        t.add(Measure(f"MFN-{code}", MeasureType.THIRD_COUNTRY, code, mfn, parse(rate)))
    t.add(
        Measure(
            "TQ-0201",
            MeasureType.TARIFF_QUOTA,
            QUOTA_CODE,
            Geography.erga_omnes(),
            parse("2%"),
            quota=Quota(QUOTA, quota_kg, "kg"),
        )
    )
    return t


def install(ctx: Context, tariff: Tariff | None = None) -> None:
    load_tariff_into_db(ctx, principal=SYSTEM, tariff=tariff or small_tariff(), source="test")


def import_doc(
    n: int = 0,
    *,
    code: str = "860610",
    origin: str = "CN",
    amount: str = "10000.00",
    net: str = "100.0",
    preference: str = "100",
    proof: bool = False,
    currency: str = "USD",
) -> dict[str, Any]:
    base = next(d for d in declarations(12, seed=11) if d["declaration_type"] == "IM")
    doc = copy.deepcopy(base)
    doc["lrn"] = f"ASSESS{n:06d}"
    doc["invoice_currency"] = currency
    doc["incoterm"] = {"code": "FOB"}
    item = copy.deepcopy(doc["items"][0])
    item.update(
        commodity_code=code,
        origin=origin,
        invoice_amount=amount,
        net_mass=net,
        gross_mass=str(Decimal(net) * 2),
        preference=preference,
    )
    item.pop("preferential_origin", None)
    item.pop("documents", None)
    if proof:
        item["preferential_origin"] = origin
        item["documents"] = [{"type": "U110", "reference": f"STATEMENT-{n}"}]
    doc["items"] = [item]
    doc["total_invoice_amount"] = amount
    doc["total_gross_mass"] = item["gross_mass"]
    doc["total_packages"] = item.get("packages", 1)
    return doc


def lodge_and_assess(ctx: Context, doc: dict[str, Any]) -> tuple[str, int]:
    outcome = svc.lodge(ctx, principal=SYSTEM, raw=doc)
    run_after_acceptance(ctx, [outcome.id], until="assess")
    return outcome.mrn or "", outcome.id


def test_accepted_import_is_assessed_with_a_reason_on_every_line(ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge_and_assess(ctx, import_doc())
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "assessed"
    a = current_assessment(ctx, did)
    assert a is not None and a["status"] == "current" and a["outcome"] == "assessed"
    assert a["currency"] == "USD" and a["duty"] == "500.00" and a["total"] == "500.00"
    (line,) = a["lines"]
    assert line["measure_id"] == "MFN-86061000" and line["rate_expression"] == "5%"
    assert line["base_amount"] == "10000.00" and line["amount"] == "500.00"
    assert "third_country" in line["reason"]
    assert a["items"][0]["assessed_code"] == "86061000"  # the only national line under it
    event = view.history[-1]
    assert event.kind == "declaration.assessed"
    assert event.payload["duty"] == "500.00" and event.payload["assessment"] == a["id"]
    assert verify_ledger(ctx).ok


def test_preference_needs_a_proof_of_origin(ctx: Context) -> None:
    install(ctx)
    _, with_proof = lodge_and_assess(ctx, import_doc(1, origin="KR", preference="300", proof=True))
    a = current_assessment(ctx, with_proof)
    assert a is not None and a["duty"] == "0.00"
    assert a["lines"][0]["measure_id"] == "KORUS-8606"
    assert "with proof of origin" in a["lines"][0]["reason"]
    # Claimed without proof: the lodging rules refuse it, so the engine is asked directly.
    from customhouse.tariff.engine import assess

    no_proof = assess(
        [ItemInput(1, "86061000", "KR", Decimal(1000), preference_claimed=True)],
        small_tariff(),
        dt.date(2025, 6, 1),
    )
    assert no_proof.duty == Decimal("50.00")
    assert "not granted: no valid proof of origin" in no_proof.lines[0].reason


def test_without_a_tariff_the_declaration_stays_accepted_with_the_problem(ctx: Context) -> None:
    mrn, did = lodge_and_assess(ctx, import_doc())
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "accepted"
    first = current_assessment(ctx, did)
    assert first is not None and first["outcome"] == "problem"
    assert [p["code"] for p in first["problems"]] == ["tariff.NotLoaded"]
    assert view.history[-1].kind == "assessment.failed"
    install(ctx)
    run_after_acceptance(ctx, [did], until="assess")
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state == "assessed"
    history = assessment_history(ctx, did)
    assert [h["status"] for h in history] == ["superseded", "current"]
    assert [h["outcome"] for h in history] == ["problem", "assessed"]


def test_a_code_the_tariff_cannot_tell_apart_is_held_with_the_reason(ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge_and_assess(ctx, import_doc(code="850440"))
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "held"
    assert "85044040" in view.history[-1].payload["reason"]
    a = current_assessment(ctx, did)
    assert a is not None and a["outcome"] == "held" and a["lines"] == []
    assert a["problems"][0]["code"] == "tariff.CommodityNotPrecise"
    assert a["problems"][0]["pointer"] == "/items/0/commodity_code"


def test_export_passes_with_a_note_and_no_duty(ctx: Context) -> None:
    install(ctx)
    export = next(d for d in declarations(12, seed=11) if d["declaration_type"] == "EX")
    mrn, did = lodge_and_assess(ctx, export)
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state == "assessed"
    a = current_assessment(ctx, did)
    assert a is not None and a["total"] == "0.00" and a["lines"] == []
    assert "no import duties" in a["notes"][0]


def test_an_amendment_is_assessed_again_and_the_old_assessment_kept(ctx: Context) -> None:
    install(ctx)
    doc = import_doc()
    mrn, did = lodge_and_assess(ctx, doc)
    amended = copy.deepcopy(doc)
    amended["items"][0]["invoice_amount"] = "20000.00"
    amended["total_invoice_amount"] = "20000.00"
    view = svc.amend(ctx, principal=SYSTEM, mrn=mrn, raw=amended, reason="price corrected")
    # The amendment runs the whole pipeline again; later steps may move it on from assessed.
    assert view.version == 2
    a = current_assessment(ctx, did)
    assert a is not None and a["duty"] == "1000.00" and a["declaration_version"] == 2
    history = assessment_history(ctx, did)
    assert [(h["declaration_version"], h["status"], h["duty"]) for h in history] == [
        (1, "superseded", "500.00"),
        (2, "current", "1000.00"),
    ]
    kinds = [e.kind for e in view.history]
    after = kinds[kinds.index("declaration.amended") :]
    assert after[:3] == ["declaration.amended", "declaration.accepted", "declaration.assessed"]


def _balance(ctx: Context) -> Decimal:
    with ctx.sessions() as s:
        return Decimal(
            s.scalar(
                select(TariffQuotaBalance.remaining).where(TariffQuotaBalance.order_number == QUOTA)
            )
        )


def test_quota_drawdown_is_safe_under_concurrent_assessments(ctx: Context) -> None:
    """Twelve declarations of 100 kg against 1,000 kg, assessed from four threads at once."""
    install(ctx, small_tariff(Decimal(1000)))
    ids = [
        svc.lodge(
            ctx,
            principal=SYSTEM,
            raw=import_doc(100 + n, code=QUOTA_CODE, net="100.0", preference="120"),
        ).id
        for n in range(12)
    ]
    opening = _balance(ctx)
    errors: list[BaseException] = []

    def worker(chunk: list[int]) -> None:
        try:
            for did in chunk:
                assess_step(ctx, [did])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ids[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    closing = _balance(ctx)
    assert closing >= 0
    with ctx.sessions() as s:
        drawn = s.scalar(select(func.sum(TariffQuotaDrawdown.quantity))) or Decimal(0)
    assert Decimal(drawn) == opening - closing == Decimal(1000)
    in_quota = out_of_quota = 0
    for did in ids:
        a = current_assessment(ctx, did)
        assert a is not None and a["outcome"] == "assessed"
        reason = a["lines"][0]["reason"]
        if a["drawdowns"]:
            in_quota += 1
            assert a["duty"] == "200.00" and "tariff quota 090001" in reason
        else:
            out_of_quota += 1
            assert a["duty"] == "500.00" and "exhausted" in reason
    assert (in_quota, out_of_quota) == (10, 2)
    assert verify_ledger(ctx).ok


def test_estimate_without_lodging(ctx: Context) -> None:
    with pytest.raises(TariffNotLoaded):
        estimate(ctx, EstimateInput("860610", "CN", Decimal(1000), "USD"))
    install(ctx)
    result = estimate(
        ctx,
        EstimateInput("86061000", "KR", Decimal(1000), "USD", preference_claimed=True),
    )
    assert result["duty"] == "50.00"
    assert "not granted" in result["lines"][0]["reason"]
    proved = estimate(
        ctx,
        EstimateInput(
            "86061000", "KR", Decimal(1000), "USD", preference_claimed=True, proof_of_origin=True
        ),
    )
    assert proved["duty"] == "0.00"


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def test_estimates_api_is_public_and_refuses_bad_input_with_422(
    client: TestClient, ctx: Context
) -> None:
    install(ctx)
    ok = client.post(
        "/api/v1/estimates",
        json={
            "commodity_code": "86061000",
            "origin": "cn",
            "value": "2000",
            "currency": "USD",
            "quantities": {"KGM": "10"},
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["duty"] == "100.00" and ok.json()["lines"][0]["reason"]
    for body in (
        {"commodity_code": "86A", "origin": "CN", "value": "1", "currency": "USD"},
        {"commodity_code": "86061000", "origin": "CN", "value": "-1", "currency": "USD"},
        {"commodity_code": "86061000", "origin": "CN", "value": "NaN", "currency": "USD"},
        {"commodity_code": "86061000", "origin": "CN", "value": "1e400", "currency": "USD"},
        {"commodity_code": "86061000", "origin": "CN", "value": "1", "currency": "XYZ"},
        {"commodity_code": "99999999", "origin": "CN", "value": "1", "currency": "USD"},
        {"commodity_code": "850440", "origin": "CN", "value": "1", "currency": "USD"},
        {"commodity_code": "86061000", "origin": "CN", "value": "1", "currency": "USD",
         "quantities": {"furlongs": "3"}},
        {"commodity_code": "86061000", "origin": "CN", "value": "1", "currency": "USD",
         "incoterm": "ZZZ"},
        {"commodity_code": "86061000", "origin": "CN", "value": "1", "currency": "EUR",
         "date": "1900-01-01"},
        {"origin": "CN"},
        [],
    ):  # fmt: skip
        r = client.post("/api/v1/estimates", json=body)
        assert r.status_code == 422, (body, r.status_code, r.text)
        assert r.json()["error"]["details"]["problems"], body


def test_declaration_is_read_with_its_assessment(client: TestClient, ctx: Context) -> None:
    install(ctx)
    headers = {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username='officer1')}"}
    mrn, _ = lodge_and_assess(ctx, import_doc())
    body = client.get(f"/api/v1/declarations/{mrn}", headers=headers).json()
    a = body["extra"]["assessment"]
    assert body["state"] == "assessed" and a["duty"] == "500.00"
    assert all(line["reason"] and line["measure_id"] for line in a["lines"])


def test_assess_command_prints_the_assessment_of_a_file(ctx: Context, tmp_path: Path) -> None:
    from customhouse.cli.main import app

    install(ctx)
    path = tmp_path / "d.json"
    path.write_text(json.dumps(import_doc()))
    result = CliRunner().invoke(
        app,
        ["assess", str(path), "--json"],
        env={"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["duty"] == "500.00" and out["lines"][0]["measure_id"] == "MFN-86061000"
