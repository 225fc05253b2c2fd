"""Risk in the pipeline, on SQLite and PostgreSQL: channels with stored reasons, profiles that
win over the model, the daily capacity, four eyes over the API, models stored and activated."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from customhouse.access.models import SYSTEM, Principal
from customhouse.api.app import create_app
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import Forbidden
from customhouse.ledger.tables import LedgerEventRow
from customhouse.risk.loaders import demo_examples
from customhouse.risk.model import RiskModel, train_model
from customhouse.risk.repository import RiskRepository
from customhouse.risk.tables import RiskDaySeedRow, RiskDecisionRow
from customhouse.services import declarations as svc
from customhouse.services import risk
from customhouse.services.access import issue_token, user_by_name
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from customhouse.services.pipeline import STEPS
from customhouse.traders.tables import AuthorisationRow
from tests.integration.factories import owned_by
from tests.integration.test_assessment import import_doc, install

pytestmark = pytest.mark.integration


@lru_cache(maxsize=1)
def _model() -> RiskModel:
    return train_model(demo_examples(), version="test-model")


def _user(ctx: Context, name: str) -> Principal:
    user = user_by_name(ctx, name)
    assert user is not None
    return user


def _office() -> str:
    return str(import_doc()["office"])


def _with_model(ctx: Context, office: str) -> None:
    with ctx.uow() as uow:
        uow.lock()
        RiskRepository(uow.session).add_model(_model(), trained_by="test", at=ctx.clock.now())
        uow.commit()
    risk.activate_model(ctx, principal=SYSTEM, version="test-model", office=office)


def _profile(ctx: Context, code: str, criteria: dict[str, Any], channel: str = "yellow") -> None:
    author, approver = _user(ctx, "analyst1"), _user(ctx, "analyst2")
    risk.create_profile(
        ctx,
        principal=author,
        data={"code": code, "criteria": criteria, "channel": channel, "priority": 5},
    )
    risk.submit_profile(ctx, principal=author, code=code)
    risk.approve_profile(ctx, principal=approver, code=code)


def _without_sampling(ctx: Context, office: str, **policy: Any) -> None:
    """The office's policy with no random sample and no exploration: each channel follows from
    the model, the profiles and the inspection rate and capacity alone."""
    risk.set_office_policy(
        ctx, principal=SYSTEM, office=office, random_rate=0.0, exploration_rate=0.0, **policy
    )


def _lodge(ctx: Context, docs: list[dict[str, Any]]) -> list[int]:
    """Lodge, then run the pipeline up to and including ``risk`` (controls come after)."""
    import customhouse.services.steps  # noqa: F401  (registers every step, in order)

    ids = [svc.lodge(ctx, principal=SYSTEM, raw=d).id for d in docs]
    for step in STEPS:
        step.run(ctx, ids)
        if step.name == risk.STEP:
            break
    return ids


def _decisions(ctx: Context, ids: list[int]) -> dict[int, RiskDecisionRow]:
    with ctx.sessions() as session:
        rows = session.scalars(
            select(RiskDecisionRow).where(RiskDecisionRow.declaration_id.in_(ids))
        )
        return {r.declaration_id: r for r in rows}


def test_assessed_declaration_is_selected_with_reasons_and_a_ledger_event(ctx: Context) -> None:
    install(ctx)
    _without_sampling(ctx, _office())
    [did] = _lodge(ctx, [import_doc()])
    with ctx.sessions() as session:
        row = session.get(DeclarationRow, did)
        assert row is not None and row.state == "selected" and row.channel == "green"
        event = session.scalars(
            select(LedgerEventRow)
            .where(LedgerEventRow.subject_id == str(did))
            .order_by(LedgerEventRow.seq.desc())
        ).first()
        seed = session.scalar(select(RiskDaySeedRow.seed))
    assert event is not None and event.kind == "declaration.selected"
    payload = json.loads(event.payload)
    assert payload["channel"] == "green" and payload["model"] is None
    codes = [r["code"] for r in payload["reasons"]]
    assert "policy.no_model" in codes and "policy.no_score" in codes
    decision = risk.current_decision(ctx, did)
    assert decision is not None and decision["channel"] == "green"
    assert decision["model_version"] is None
    assert [r["code"] for r in decision["reasons"]] == codes
    assert seed is not None and _decisions(ctx, [did])[did].seed  # the draw can be replayed
    assert verify_ledger(ctx).ok


def test_profile_hit_wins_over_the_model(ctx: Context) -> None:
    install(ctx)
    office = _office()
    _with_model(ctx, office)
    # The model may take everything and would send it all red; the profile says yellow.
    _without_sampling(ctx, office, inspection_rate=1.0, red_threshold=0.0)
    _profile(ctx, "CN-DOCS", {"origins": ["CN"]}, channel="yellow")
    ids = _lodge(ctx, [import_doc(1, origin="CN"), import_doc(2, origin="US")])
    d = _decisions(ctx, ids)
    hit, other = d[ids[0]], d[ids[1]]
    assert hit.channel == "yellow" and hit.mandatory and hit.profile_hits == ["CN-DOCS@1"]
    assert not hit.model_selected and hit.model_version == "test-model"
    assert other.channel == "red" and other.model_selected and not other.profile_hits
    assert any(r["source"] == "model" and r["weight"] is not None for r in other.reasons)
    listed = {p["code"]: p for p in risk.list_profiles(ctx, principal=_user(ctx, "analyst1"))}
    assert listed["CN-DOCS"]["hits"] == 1


def test_nothing_above_the_daily_capacity_but_mandatory_hits(ctx: Context) -> None:
    install(ctx)
    office = _office()
    _with_model(ctx, office)
    _without_sampling(ctx, office, inspection_rate=1.0, daily_capacity=2)
    _profile(ctx, "KR-RED", {"origins": ["KR"]}, channel="red")
    first = _lodge(ctx, [import_doc(i, origin="US") for i in range(3)])
    second = _lodge(ctx, [import_doc(10 + i, origin="US") for i in range(3)])
    mandatory = _lodge(ctx, [import_doc(20, origin="KR", preference="100")])
    d = _decisions(ctx, first + second + mandatory)
    inspected = [i for i in first + second if d[i].channel in ("red", "yellow")]
    assert len(inspected) == 2  # the day's capacity, used by the first batch
    assert all(d[i].channel in ("green", "blue") for i in second)
    assert d[mandatory[0]].channel == "red" and d[mandatory[0]].mandatory
    assert all(
        r["code"] == "capacity.exceeded" or r["source"] != "capacity"
        for i in second
        for r in d[i].reasons
    )


def test_without_a_model_profiles_and_the_random_sample_still_route(ctx: Context) -> None:
    install(ctx)
    risk.set_office_policy(
        ctx, principal=SYSTEM, office=_office(), inspection_rate=1.0, random_rate=1.0
    )
    ids = _lodge(ctx, [import_doc(i) for i in range(4)])
    d = _decisions(ctx, ids)
    assert all(x.channel == "red" and x.random_sample for x in d.values())
    assert all(
        {"random.sample", "policy.no_model"} <= {r["code"] for r in x.reasons} for x in d.values()
    )


def test_control_results_count_toward_hit_rates_and_become_labels(ctx: Context) -> None:
    install(ctx)
    _profile(ctx, "ANY-CN", {"origins": ["CN"]})
    [did] = _lodge(ctx, [import_doc(origin="CN")])
    risk.record_control_label(
        ctx, principal=SYSTEM, declaration_id=did, finding=True, revenue=None, currency="USD"
    )
    [p] = [p for p in risk.list_profiles(ctx, principal=SYSTEM) if p["code"] == "ANY-CN"]
    assert (p["hits"], p["controlled"], p["findings"], p["hit_rate"]) == (1, 1, 1, 1.0)
    [example] = risk.examples_from_controls(ctx)
    assert example.finding and example.subject.declaration_id == str(did)
    assert example.subject.origin == "CN" and example.subject.duty_amount is not None
    with pytest.raises(Forbidden):
        risk.record_control_label(
            ctx, principal=_user(ctx, "officer1"), declaration_id=did, finding=False
        )


# --- over HTTP --------------------------------------------------------------------------------


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def _auth(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username=username)}"}


def test_four_eyes_over_the_api(client: TestClient, ctx: Context) -> None:
    ana, arjun = _auth(ctx, "analyst1"), _auth(ctx, "analyst2")
    body = {
        "code": "TOBACCO",
        "criteria": {"commodity_prefixes": ["2402"]},
        "channel": "red",
        "priority": 10,
        "instructions": "count the sticks",
    }
    assert (
        client.post("/api/v1/risk/profiles", json=body, headers=_auth(ctx, "officer1")).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/risk/profiles", json={**body, "criteria": {"colour": ["red"]}}, headers=ana
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "risk.InvalidProfile"
    empty = client.post("/api/v1/risk/profiles", json={**body, "criteria": {}}, headers=ana)
    assert empty.status_code == 422
    r = client.post("/api/v1/risk/profiles", json=body, headers=ana)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft" and r.json()["version"] == 1
    # Not submitted yet; then submitted by someone who did not write it.
    assert client.post("/api/v1/risk/profiles/TOBACCO/approve", headers=arjun).status_code == 409
    assert client.post("/api/v1/risk/profiles/TOBACCO/submit", headers=arjun).status_code == 409
    assert client.post("/api/v1/risk/profiles/TOBACCO/submit", headers=ana).status_code == 200
    own = client.post("/api/v1/risk/profiles/TOBACCO/approve", headers=ana)
    assert own.status_code == 409 and own.json()["error"]["code"] == "risk.FourEyesViolation"
    officer = client.post("/api/v1/risk/profiles/TOBACCO/approve", headers=_auth(ctx, "officer1"))
    assert officer.status_code == 403
    ok = client.post("/api/v1/risk/profiles/TOBACCO/approve", headers=arjun)
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    assert ok.json()["approved_by"] == "analyst2"
    # A second version, approved by a supervisor, retires the first.
    assert client.post("/api/v1/risk/profiles", json=body, headers=ana).json()["version"] == 2
    client.post("/api/v1/risk/profiles/TOBACCO/submit", headers=ana)
    sup = client.post("/api/v1/risk/profiles/TOBACCO/approve", headers=_auth(ctx, "supervisor1"))
    assert sup.status_code == 200 and sup.json()["version"] == 2
    listed = client.get("/api/v1/risk/profiles", headers=_auth(ctx, "officer1"))
    assert listed.status_code == 200
    versions = {(p["version"], p["status"]) for p in listed.json()["items"]}
    assert versions == {(1, "retired"), (2, "active")}
    assert all("hit_rate" in p and "hits" in p for p in listed.json()["items"])
    assert client.get("/api/v1/risk/profiles", headers=_auth(ctx, "trader1")).status_code == 403
    kinds = [e.kind for e in svc_events(ctx, "TOBACCO")]
    assert kinds.count("risk.profile_approved") == 2 and "risk.profile_drafted" in kinds


def svc_events(ctx: Context, subject_id: str) -> list[LedgerEventRow]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(LedgerEventRow)
                .where(LedgerEventRow.subject_id == subject_id)
                .order_by(LedgerEventRow.seq)
            )
        )


def test_officer_sees_why_and_the_trader_does_not(client: TestClient, ctx: Context) -> None:
    install(ctx)
    trader = _user(ctx, "trader1")
    assert trader.eori is not None
    _profile(ctx, "ANY-CN", {"origins": ["CN"]})
    doc = owned_by(copy.deepcopy(import_doc(origin="CN")), trader.eori)
    r = client.post("/api/v1/declarations", json=doc, headers=_auth(ctx, "trader1"))
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    seen = client.get(f"/api/v1/declarations/{mrn}", headers=_auth(ctx, "officer1")).json()
    # The controls step may have moved it on since; the selection is on its record.
    [selected] = [e for e in seen["history"] if e["kind"] == "declaration.selected"]
    assert selected["payload"]["channel"] == "yellow"
    assert seen["extra"]["risk"]["channel"] == "yellow"
    assert "ANY-CN" in seen["extra"]["risk"]["profiles"][0]
    assert any("origin CN" in x["message"] for x in seen["extra"]["risk"]["reasons"])
    own = client.get(f"/api/v1/declarations/{mrn}", headers=_auth(ctx, "trader1")).json()
    assert own["extra"]["risk"] is None


def test_model_trained_stored_and_activated_from_the_cli(client: TestClient, ctx: Context) -> None:
    from customhouse.cli.main import app

    env = {"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url}
    runner = CliRunner()
    trained = runner.invoke(app, ["risk", "train", "--demo", "--version", "m1", "--json"], env=env)
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["model"]["trained_rows"] == 3000
    refused = runner.invoke(app, ["risk", "activate", "nope", "--office", "GB000060"], env=env)
    assert refused.exit_code == 1
    done = runner.invoke(app, ["risk", "activate", "m1", "--office", "GB000060", "--json"], env=env)
    assert done.exit_code == 0, done.output
    r = client.get("/api/v1/risk/models", headers=_auth(ctx, "analyst1"))
    assert r.status_code == 200
    [m] = r.json()["items"]
    assert m["version"] == "m1" and m["active_at"] == ["GB000060"]
    assert 0.5 < m["metrics"]["validation"]["auc"] <= 1.0
    assert client.get("/api/v1/risk/models", headers=_auth(ctx, "trader1")).status_code == 403
    kinds = [e.kind for e in svc_events(ctx, "m1")]
    assert kinds == ["risk.model_trained", "risk.model_activated"]
    with ctx.sessions() as session:
        assert RiskRepository(session).active_model_version("GB000060") == "m1"
    assert verify_ledger(ctx).ok


def test_warming_loads_every_active_model_once_for_the_batches(ctx: Context) -> None:
    install(ctx)
    risk.warm(ctx)  # no model stored: nothing to load, no failure
    assert "risk.model.test-model" not in ctx._cache
    _with_model(ctx, _office())
    risk.warm(ctx)
    warmed = ctx._cache["risk.model.test-model"]
    assert warmed.version == "test-model"
    (did,) = _lodge(ctx, [import_doc()])
    assert _decisions(ctx, [did])[did].model_version == "test-model"
    assert ctx._cache["risk.model.test-model"] is warmed  # the batch used it, not a new load


def test_an_aeo_importer_has_its_risk_weighted_down_in_the_step(ctx: Context) -> None:
    install(ctx)
    office = _office()
    _with_model(ctx, office)
    # Nothing selected by the model, the random sample or exploration: every declaration
    # goes through the last rule, where an AEO holder's risk is weighted.
    _without_sampling(ctx, office, inspection_rate=0.0)
    (before,) = _lodge(ctx, [import_doc(1)])
    importer = import_doc()["parties"]["importer"]["eori"]
    with ctx.uow() as uow:
        uow.session.add(
            AuthorisationRow(
                eori=importer, kind="AEOF", reference="AEOF-1", valid_from="2000-01-01"
            )
        )
        uow.commit()
    (after,) = _lodge(ctx, [import_doc(2)])
    codes = {i: {r["code"] for r in d.reasons} for i, d in _decisions(ctx, [before, after]).items()}
    assert "policy.no_score" not in codes[after]  # scored: the AEO rule applied
    assert "aeo.reduction" not in codes[before] and "aeo.reduction" in codes[after]
