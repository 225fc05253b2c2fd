"""Screening in the pipeline, on SQLite and PostgreSQL: a sanctioned party holds a declaration,
a false-match judgement releases it and is remembered until the list entry changes, goods that
need a document ask the declarant for it, and who may see and judge what."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.screening.cites import CitesIndex, CitesTaxon
from customhouse.screening.goods import load_controls
from customhouse.screening.models import EntityType, ListedEntity, ListKind, SanctionsList
from customhouse.screening.tables import ScreeningHitRow, ScreeningQueryRow, ScreeningRunRow
from customhouse.services import declarations as svc
from customhouse.services.access import issue_token, user_by_name
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from customhouse.services.pipeline import run_after_acceptance
from customhouse.services.screening import (
    SHIPPED_CONTROLS,
    declaration_screening,
    judge_hit,
    load_sanctions_list,
    run,
    screening_index,
)
from customhouse.tariff.expressions import parse
from customhouse.tariff.models import US_PROFILE, Geography, Measure, MeasureType, Tariff
from tests.integration.factories import owned_by
from tests.integration.test_assessment import import_doc, install

pytestmark = pytest.mark.integration

SELLER = "Oceanic Shadow Shipping Company"
# Where a declaration may be once screening let it go: the later steps (risk, controls) move it.
GONE_ON = ("assessed", "selected", "under_control", "released")


def free_tariff() -> Tariff:
    """No duty anywhere: the controls step then releases or controls, never holds for duty."""
    t = Tariff(US_PROFILE)
    for chapter in range(1, 98):
        code = f"{chapter:02d}"
        t.add(
            Measure(
                f"FREE-{code}",
                MeasureType.THIRD_COUNTRY,
                code,
                Geography.erga_omnes(),
                parse("Free"),
            )
        )
    return t


def sanctions(version: str = "v1", remarks: str = "") -> SanctionsList:
    entity = ListedEntity(
        "TEST",
        "T-1",
        SELLER,
        EntityType.ORGANIZATION,
        aliases=("Oceanic Shadow Shipping Co",),
        countries=("IR",),
        programmes=("TEST-PROGRAMME",),
        remarks=remarks,
    )
    other = ListedEntity("TEST", "T-2", "Ivan Petrovich Sidorov", EntityType.PERSON)
    return SanctionsList("TEST", ListKind.UN, version, (entity, other))


def with_seller(doc: dict[str, Any], name: str = SELLER) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["parties"]["seller"] = {"name": name, "address": {"country": "IR"}}
    return doc


def lodge(ctx: Context, doc: dict[str, Any]) -> tuple[str, int]:
    outcome = svc.lodge(ctx, principal=SYSTEM, raw=doc)
    run_after_acceptance(ctx, [outcome.id])
    assert outcome.mrn is not None
    return outcome.mrn, outcome.id


def principal(ctx: Context, username: str) -> Any:
    user = user_by_name(ctx, username)
    assert user is not None
    return user


def party_hits(ctx: Context, declaration_id: int) -> list[ScreeningHitRow]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(ScreeningHitRow)
                .where(
                    ScreeningHitRow.declaration_id == declaration_id,
                    ScreeningHitRow.subject == "party",
                )
                .order_by(ScreeningHitRow.id)
            )
        )


@pytest.fixture
def listed(ctx: Context) -> Context:
    install(ctx, free_tariff())
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions(), source="test")
    return ctx


def test_a_sanctioned_party_holds_the_declaration_with_the_reason(listed: Context) -> None:
    ctx = listed
    mrn, did = lodge(ctx, with_seller(import_doc(1)))
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "held"
    held = view.history[-1]
    assert held.kind == "declaration.held" and held.payload["because"] == "screening"
    # The declarant's history says a review is needed, not which list entry matched.
    assert "seller" in held.payload["reason"] and "T-1" not in held.payload["reason"]
    (hit,) = party_hits(ctx, did)
    assert (hit.party_role, hit.list_name, hit.entity_id, hit.status) == (
        "seller",
        "TEST",
        "T-1",
        "open",
    )
    assert hit.score is not None and hit.score >= float(ctx.settings.screening_threshold)
    assert {"literal", "country_match"} <= {f["feature"] for f in hit.explanation["features"]}
    staff = declaration_screening(ctx, principal=principal(ctx, "analyst1"), mrn=mrn)
    assert staff["outcome"] == "held" and staff["lists"] == {"TEST": "v1"}
    assert any("T-1" in r for r in staff["reasons"])
    assert verify_ledger(ctx).ok


def test_a_clean_declaration_is_not_moved_and_is_screened_once(listed: Context) -> None:
    ctx = listed
    mrn, did = lodge(ctx, import_doc(2))
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state in GONE_ON
    run(ctx, [did])  # the pipeline again: this version is already screened
    with ctx.sessions() as session:
        runs = session.scalars(
            select(ScreeningRunRow.outcome).where(ScreeningRunRow.declaration_id == did)
        ).all()
    assert runs == ["clear"]


def test_the_index_is_built_once_per_list_versions(listed: Context) -> None:
    ctx = listed
    first = screening_index(ctx)
    assert first is not None and first is screening_index(ctx)
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions("v2", "amended"))
    second = screening_index(ctx)
    assert second is not None and second is not first and second.versions == {"TEST": "v2"}


def test_a_false_match_releases_and_is_remembered_until_the_entry_changes(
    listed: Context,
) -> None:
    ctx = listed
    mrn, did = lodge(ctx, with_seller(import_doc(3)))
    (hit,) = party_hits(ctx, did)
    analyst = principal(ctx, "analyst1")
    unsure = judge_hit(ctx, principal=analyst, hit_id=hit.id, verdict="unsure")
    assert unsure["status"] == "open" and unsure["declaration_state"] == "held"
    out = judge_hit(
        ctx, principal=analyst, hit_id=hit.id, verdict="false_match", note="other company"
    )
    assert out["status"] == "dismissed"
    # Released to assessed, and the rest of the pipeline (risk, controls) ran over it.
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state in GONE_ON and out["declaration_state"] == view.state
    lifted = next(e for e in view.history if e.payload.get("because") == "screening hold lifted")
    assert lifted.kind == "declaration.assessed" and lifted.actor == "user:analyst1"
    # The same party and the same entry: stored as remembered, not raised.
    mrn2, did2 = lodge(ctx, with_seller(import_doc(4)))
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn2).state != "held"
    (again,) = party_hits(ctx, did2)
    assert (again.action, again.status) == ("remembered", "dismissed")
    # The entry changes: re-screening recent declarations raises the pair again.
    report = load_sanctions_list(
        ctx, principal=SYSTEM, sanctions_list=sanctions("v2", remarks="new address")
    )
    assert report["changed"] == 1 and report["added"] == 0
    raised = {h["mrn"]: h for h in report["rescreen"]["hits"]}
    assert set(raised) == {mrn, mrn2} and raised[mrn]["entity"] == "T-1"
    for m, d in ((mrn, did), (mrn2, did2)):
        view = svc.get_declaration(ctx, principal=SYSTEM, mrn=m)
        assert party_hits(ctx, d)[-1].status == "open"
        # Held again unless the goods were already released (then reported for an officer).
        assert raised[m]["held"] == (raised[m]["state"] != "released")
        assert (view.state == "held") == raised[m]["held"]
    # Reloading the same version raises nothing new.
    same = load_sanctions_list(
        ctx, principal=SYSTEM, sanctions_list=sanctions("v2", remarks="new address")
    )
    assert same["rescreen"]["hits"] == []
    assert verify_ledger(ctx).ok


def test_a_true_match_keeps_the_hold(listed: Context) -> None:
    ctx = listed
    _, did = lodge(ctx, with_seller(import_doc(5)))
    (hit,) = party_hits(ctx, did)
    out = judge_hit(ctx, principal=principal(ctx, "officer1"), hit_id=hit.id, verdict="true_match")
    assert out["status"] == "confirmed" and out["declaration_state"] == "held"


def cites_controls(ctx: Context) -> None:
    python = CitesTaxon("Python regius", "II", "Animalia", "Reptilia", ("Ball Python",))
    ctx.forget("screening.goods_controls")
    ctx.cached(
        "screening.goods_controls",
        lambda: load_controls(SHIPPED_CONTROLS, CitesIndex([python])),
    )


def test_goods_needing_a_document_ask_the_declarant(listed: Context) -> None:
    ctx = listed
    cites_controls(ctx)
    doc = import_doc(6, code="420221", origin="ID")
    doc["items"][0]["description"] = "Handbags of ball python leather"
    mrn, did = lodge(ctx, doc | {"lrn": "CITES000007"})
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state == "held"
    with ctx.sessions() as session:
        (query,) = session.scalars(
            select(ScreeningQueryRow).where(ScreeningQueryRow.declaration_id == did)
        ).all()
    assert query.status == "open" and query.missing.startswith("CITES permit for Python regius")
    assert "CITES" in query.legal_base


def test_an_embargo_holds_and_a_certificate_answers_its_query(listed: Context) -> None:
    ctx = listed
    steel = import_doc(7, code="720851", origin="RU")
    mrn, did = lodge(ctx, steel)
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "held" and "833/2014" in view.history[-1].payload["reason"]
    citrus = import_doc(8, code="080510", origin="MA")
    mrn, did = lodge(ctx, citrus)
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state == "held"
    amended = copy.deepcopy(citrus)
    amended["items"][0]["documents"] = [{"type": "N851", "reference": "PHYTO-MA-1"}]
    view = svc.amend(ctx, principal=SYSTEM, mrn=mrn, raw=amended, reason="phytosanitary cert")
    assert view.state in GONE_ON
    with ctx.sessions() as session:
        queries = session.scalars(
            select(ScreeningQueryRow).where(ScreeningQueryRow.declaration_id == did)
        ).all()
    assert [(q.status, q.declaration_version) for q in queries] == [("answered", 1)]


def test_without_a_list_the_declaration_is_not_pretended_clean(ctx: Context) -> None:
    install(ctx, free_tariff())
    mrn, did = lodge(ctx, with_seller(import_doc(9)))
    summary = declaration_screening(ctx, principal=principal(ctx, "officer1"), mrn=mrn)
    assert summary["outcome"] == "not_screened" and "no sanctions list" in summary["note"]
    kinds = [e.kind for e in svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).history]
    assert "screening.not_screened" in kinds
    # Once a list is loaded, a reload re-screens recent declarations: the party is raised.
    report = load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions())
    assert [h["entity"] for h in report["rescreen"]["hits"]] == ["T-1"]
    assert party_hits(ctx, did)[0].status == "open"


def test_screening_required_holds_when_no_list_is_loaded(ctx: Context) -> None:
    install(ctx, free_tariff())
    ctx.settings.screening_required = True
    mrn, _ = lodge(ctx, import_doc(11))
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn)
    assert view.state == "held" and "manual screening" in view.history[-1].payload["reason"]


# --- over HTTP: who may see and judge what ------------------------------------------------------


@pytest.fixture
def client(listed: Context) -> Iterator[TestClient]:
    with TestClient(create_app(listed), raise_server_exceptions=False) as c:
        yield c


def _auth(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username=username)}"}


def test_judging_and_reading_over_the_api_with_refusals(
    client: TestClient, listed: Context
) -> None:
    ctx = listed
    trader = principal(ctx, "trader1")
    doc = owned_by(with_seller(import_doc(12)), trader.eori)
    doc["items"][0].update(commodity_code="080510", origin="MA")  # also a query: no PHYTO
    mrn, did = lodge(ctx, doc)
    (hit,) = party_hits(ctx, did)
    url = f"/api/v1/screening/hits/{hit.id}/judgement"

    own = client.get(f"/api/v1/declarations/{mrn}/screening", headers=_auth(ctx, "trader1"))
    assert own.status_code == 200
    body = own.json()
    assert body["outcome"] == "held" and "hits" not in body and "reasons" not in body
    assert [q["missing"] for q in body["queries"]] == ["PHYTO"]
    full = client.get(f"/api/v1/declarations/{mrn}", headers=_auth(ctx, "trader1")).json()
    assert full["extra"]["screening"]["queries"] and "hits" not in full["extra"]["screening"]
    other = client.get(f"/api/v1/declarations/{mrn}/screening", headers=_auth(ctx, "trader2"))
    assert other.status_code == 403
    staff = client.get(f"/api/v1/declarations/{mrn}/screening", headers=_auth(ctx, "analyst1"))
    assert staff.status_code == 200 and staff.json()["hits"][0]["entity"] == "T-1"

    for username in ("trader1", "inspector1", "auditor1", "admin"):
        refused = client.post(url, json={"verdict": "false_match"}, headers=_auth(ctx, username))
        assert refused.status_code == 403, username
        assert refused.json()["error"]["code"] == PermissionDenied.code
    analyst = _auth(ctx, "analyst1")
    assert client.post(url, json={"verdict": "maybe"}, headers=analyst).status_code == 422
    missing = client.post(
        "/api/v1/screening/hits/999999/judgement", json={"verdict": "unsure"}, headers=analyst
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "screening.UnknownHit"
    with ctx.sessions() as session:
        goods_hit = session.scalars(
            select(ScreeningHitRow.id).where(
                ScreeningHitRow.declaration_id == did, ScreeningHitRow.subject == "goods"
            )
        ).first()
    assert goods_hit is not None
    goods = client.post(
        f"/api/v1/screening/hits/{goods_hit}/judgement",
        json={"verdict": "false_match"},
        headers=analyst,
    )
    assert (
        goods.status_code == 422 and goods.json()["error"]["code"] == "screening.InvalidJudgement"
    )

    judged = client.post(url, json={"verdict": "false_match", "note": "n"}, headers=analyst)
    assert judged.status_code == 200 and judged.json()["status"] == "dismissed"
    # The phytosanitary query still holds it: a false match alone does not release it.
    assert judged.json()["declaration_state"] == "held"
