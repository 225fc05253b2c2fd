"""Lodging, reading, amending and invalidating declarations, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from sqlalchemy import text

from customhouse.access.models import SYSTEM, PermissionDenied, Principal, Role
from customhouse.declarations.errors import (
    DeclarationRejected,
    IdempotencyKeyReused,
    IllegalTransition,
    NotAmendable,
)
from customhouse.declarations.lifecycle import State
from customhouse.declarations.repository import DeclarationFilter
from customhouse.declarations.tables import DeclarationRow
from customhouse.demo.operators import demo_operators
from customhouse.identifiers import mrn as mrn_id
from customhouse.services import declarations as svc
from customhouse.services.access import user_by_name
from customhouse.services.context import Context
from customhouse.services.documents import CACHE_KEY, document_cache, summaries_in_states
from customhouse.services.ledger import verify_ledger
from tests.integration.factories import declaration, declarations, owned_by

pytestmark = pytest.mark.integration


def _user(ctx: Context, name: str) -> Principal:
    user = user_by_name(ctx, name)
    assert user is not None
    return user


def test_valid_declaration_is_accepted_with_an_mrn_and_on_the_ledger(ctx: Context) -> None:
    outcome = svc.lodge(ctx, principal=SYSTEM, raw=declaration())
    assert outcome.accepted and outcome.state == "accepted"
    assert mrn_id.is_valid(outcome.mrn or "")
    assert (outcome.mrn or "")[2:4] == ctx.settings.country
    view = svc.get_declaration(ctx, principal=SYSTEM, mrn=outcome.mrn or "")
    assert [e.kind for e in view.history] == ["declaration.lodged", "declaration.accepted"]
    assert verify_ledger(ctx).ok


def test_rejection_lists_every_problem_at_once_and_is_stored(ctx: Context) -> None:
    doc = declaration()
    doc["invoice_currency"] = "XYZ"
    doc["items"][0]["origin"] = "QQ"
    doc["items"][0]["net_mass"] = str(float(doc["items"][0]["gross_mass"]) + 1)
    doc["items"][0]["commodity_code"] = "010110"
    with pytest.raises(DeclarationRejected) as info:
        svc.lodge(ctx, principal=SYSTEM, raw=doc)
    found = {(p.code, p.pointer) for p in info.value.problems if p.severity == "error"}
    assert {
        ("reference.unknown_currency", "/invoice_currency"),
        ("reference.unknown_country", "/items/0/origin"),
        ("item.net_exceeds_gross", "/items/0/net_mass"),
        ("reference.unknown_commodity_code", "/items/0/commodity_code"),
    } <= found
    page = svc.list_declarations(ctx, principal=SYSTEM, filters=DeclarationFilter(state="rejected"))
    assert page.total == 1 and page.items[0].mrn is None
    assert verify_ledger(ctx).ok


def test_unreadable_fields_are_reported_with_pointers(ctx: Context) -> None:
    doc = declaration()
    doc["items"][0]["gross_mass"] = "heavy"
    del doc["office"]
    with pytest.raises(DeclarationRejected) as info:
        svc.lodge(ctx, principal=SYSTEM, raw=doc)
    pointers = {p.pointer for p in info.value.problems}
    assert {"/items/0/gross_mass", "/office"} <= pointers


def test_a_retry_with_the_same_key_makes_no_second_declaration(ctx: Context) -> None:
    doc = declaration()
    first = svc.lodge(ctx, principal=SYSTEM, raw=doc, idempotency_key="k-1")
    again = svc.lodge(ctx, principal=SYSTEM, raw=copy.deepcopy(doc), idempotency_key="k-1")
    assert again.replayed and again.mrn == first.mrn and again.id == first.id
    assert svc.list_declarations(ctx, principal=SYSTEM, filters=DeclarationFilter()).total == 1
    changed = copy.deepcopy(doc)
    changed["lrn"] = "OTHER-LRN"
    with pytest.raises(IdempotencyKeyReused):
        svc.lodge(ctx, principal=SYSTEM, raw=changed, idempotency_key="k-1")


def test_an_lrn_is_used_once_per_declarant_but_a_rejected_one_may_be_lodged_again(
    ctx: Context,
) -> None:
    doc = declaration()
    broken = copy.deepcopy(doc)
    broken["invoice_currency"] = "XYZ"
    with pytest.raises(DeclarationRejected):
        svc.lodge(ctx, principal=SYSTEM, raw=broken)
    svc.lodge(ctx, principal=SYSTEM, raw=doc)  # the corrected version, same LRN
    with pytest.raises(DeclarationRejected) as info:
        svc.lodge(ctx, principal=SYSTEM, raw=doc)
    assert [p.code for p in info.value.problems] == ["declaration.duplicate_lrn"]


def test_amendment_makes_a_new_version_and_keeps_history(ctx: Context) -> None:
    doc = declaration()
    mrn = svc.lodge(ctx, principal=SYSTEM, raw=doc).mrn or ""
    amended = copy.deepcopy(doc)
    amended["items"][0]["description"] = "corrected description of the goods"
    view = svc.amend(ctx, principal=SYSTEM, mrn=mrn, raw=amended, reason="typo")
    assert view.version == 2
    assert [v["version"] for v in view.versions] == [1, 2]
    assert view.versions[0]["document"]["items"][0]["description"] == doc["items"][0]["description"]
    assert "declaration.amended" in [e.kind for e in view.history]


def test_steps_read_each_version_once_and_never_a_stale_one(ctx: Context) -> None:
    doc = declaration()
    lodged = svc.lodge(ctx, principal=SYSTEM, raw=doc)
    cache = document_cache(ctx)
    assert (lodged.id, 1) in cache  # intake left the text it committed
    amended = copy.deepcopy(doc)
    amended["items"][0]["description"] = "corrected description of the goods"
    svc.amend(ctx, principal=SYSTEM, mrn=lodged.mrn or "", raw=amended, reason="typo")
    states = [s.value for s in State]
    with ctx.sessions() as session:
        ((found_id, version, found),) = summaries_in_states(ctx, session, [lodged.id], states)
        assert (found_id, version) == (lodged.id, 2)
        assert found.items[0].description == "corrected description of the goods"
        assert (lodged.id, 2) in cache
        # A cold process (empty cache) reads the same from the database.
        ctx.forget(CACHE_KEY)
        ((_, version_again, again),) = summaries_in_states(ctx, session, [lodged.id], states)
        assert version_again == 2 and again == found
        assert summaries_in_states(ctx, session, [lodged.id], ["rejected"]) == []


def test_amendment_with_errors_changes_nothing(ctx: Context) -> None:
    doc = declaration()
    mrn = svc.lodge(ctx, principal=SYSTEM, raw=doc).mrn or ""
    bad = copy.deepcopy(doc)
    bad["items"][0]["origin"] = "QQ"
    with pytest.raises(DeclarationRejected):
        svc.amend(ctx, principal=SYSTEM, mrn=mrn, raw=bad, reason="oops")
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).version == 1


def test_invalidated_declaration_refuses_further_changes(ctx: Context) -> None:
    doc = declaration()
    mrn = svc.lodge(ctx, principal=SYSTEM, raw=doc).mrn or ""
    view = svc.invalidate(ctx, principal=SYSTEM, mrn=mrn, reason="goods not shipped")
    assert view.state == "invalidated"
    with pytest.raises(IllegalTransition):
        svc.invalidate(ctx, principal=SYSTEM, mrn=mrn, reason="again")
    with pytest.raises(NotAmendable):
        svc.amend(ctx, principal=SYSTEM, mrn=mrn, raw=doc, reason="too late")


def test_declarant_sees_and_changes_only_its_own(ctx: Context) -> None:
    trader1, trader2 = _user(ctx, "trader1"), _user(ctx, "trader2")
    assert trader1.eori and trader2.eori
    own = owned_by(declaration(seed=3), trader1.eori)
    mrn = svc.lodge(ctx, principal=trader1, raw=own).mrn or ""
    other = owned_by(declaration(seed=4), trader2.eori)
    svc.lodge(ctx, principal=trader2, raw=other)
    assert svc.get_declaration(ctx, principal=trader1, mrn=mrn).mrn == mrn
    with pytest.raises(PermissionDenied):
        svc.get_declaration(ctx, principal=trader2, mrn=mrn)
    with pytest.raises(PermissionDenied):
        svc.invalidate(ctx, principal=trader2, mrn=mrn, reason="not mine")
    with pytest.raises(PermissionDenied):
        svc.amend(ctx, principal=trader2, mrn=mrn, raw=own, reason="not mine")
    listed = svc.list_declarations(ctx, principal=trader1, filters=DeclarationFilter())
    assert [v.mrn for v in listed.items] == [mrn]
    # Lodging in another trader's name is refused outright.
    with pytest.raises(PermissionDenied):
        svc.lodge(ctx, principal=trader2, raw=owned_by(declaration(seed=5), trader1.eori))


def test_roles_without_lodging_rights_are_refused(ctx: Context) -> None:
    for name in ("officer1", "auditor1", "agency1", "analyst1"):
        with pytest.raises(PermissionDenied):
            svc.lodge(ctx, principal=_user(ctx, name), raw=declaration())


def test_unknown_eori_is_a_warning_or_an_error_as_configured(ctx: Context) -> None:
    doc = declaration()
    doc["parties"]["declarant"]["eori"] = "GB999999999999"
    outcome = svc.lodge(ctx, principal=SYSTEM, raw=doc)
    assert [p.code for p in outcome.problems] == ["party.unknown_eori"]
    assert outcome.problems[0].severity == "warning"
    strict = Context(
        settings=ctx.settings.model_copy(update={"unknown_eori": "error"}),
        engine=ctx.engine,
        sessions=ctx.sessions,
        clock=ctx.clock,
        _cache=ctx._cache,
    )
    doc2 = declaration(seed=12)
    doc2["parties"]["declarant"]["eori"] = "GB999999999999"
    with pytest.raises(DeclarationRejected):
        svc.lodge(ctx=strict, principal=SYSTEM, raw=doc2)


def test_mrns_stay_unique_when_lodging_concurrently(ctx: Context) -> None:
    docs = declarations(40, seed=21)
    mrns: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(chunk: list[dict[str, Any]]) -> None:
        try:
            for doc in chunk:
                outcome = svc.lodge(ctx, principal=SYSTEM, raw=doc)
                with lock:
                    mrns.append(outcome.mrn or "")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(docs[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(mrns) == 40 and len(set(mrns)) == 40
    result = verify_ledger(ctx)
    assert result.ok and result.events >= 80


def test_ledger_verify_names_the_event_that_was_edited(ctx: Context) -> None:
    for doc in declarations(3, seed=5):
        svc.lodge(ctx, principal=SYSTEM, raw=doc)
    before = verify_ledger(ctx)
    assert before.ok
    with ctx.engine.begin() as conn:
        target = (
            conn.execute(
                text(
                    "SELECT seq FROM ledger_events WHERE kind = 'declaration.accepted' ORDER BY seq"
                )
            )
            .scalars()
            .all()[1]
        )
        conn.execute(
            text("UPDATE ledger_events SET payload = :p WHERE seq = :s"),
            {"p": '{"mrn":"25GB000000000099H0","version":1}', "s": target},
        )
    after = verify_ledger(ctx)
    assert not after.ok and after.first_broken == target


def test_ledger_verify_notices_a_removed_event(ctx: Context) -> None:
    for doc in declarations(2, seed=6):
        svc.lodge(ctx, principal=SYSTEM, raw=doc)
    with ctx.engine.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM ledger_events")).scalar_one()
        conn.execute(text("DELETE FROM ledger_events WHERE seq = :s"), {"s": last})
    result = verify_ledger(ctx)
    assert not result.ok and result.first_broken == last


def test_staff_roles_read_any_declaration(ctx: Context) -> None:
    mrn = svc.lodge(ctx, principal=SYSTEM, raw=declaration()).mrn or ""
    for name in ("officer1", "inspector1", "auditor1", "supervisor1"):
        assert svc.get_declaration(ctx, principal=_user(ctx, name), mrn=mrn).mrn == mrn
    trader = Principal(user_id=None, username="x", roles=frozenset({Role.DECLARANT}), eori=None)
    assert svc.list_declarations(ctx, principal=trader, filters=DeclarationFilter()).total == 0


def test_demo_register_is_loaded(ctx: Context) -> None:
    assert len(demo_operators()) == 40


def test_trader_history_hides_targeting_reasons(ctx: Context) -> None:
    trader1 = _user(ctx, "trader1")
    assert trader1.eori
    outcome = svc.lodge(ctx, principal=SYSTEM, raw=owned_by(declaration(seed=8), trader1.eori))
    with ctx.uow() as uow:
        uow.lock()
        uow.ledger.append(
            at=ctx.clock.now(),
            actor="system",
            kind="declaration.selected",
            subject_type=svc.SUBJECT,
            subject_id=str(outcome.id),
            payload={"channel": "red", "reasons": ["profile TOBACCO-1 hit"], "from": "assessed"},
        )
        uow.commit()
    mrn = outcome.mrn or ""
    seen = svc.get_declaration(ctx, principal=trader1, mrn=mrn).history[-1].payload
    assert seen == {"channel": "red", "from": "assessed", "redacted": True}
    staff = svc.get_declaration(ctx, principal=_user(ctx, "officer1"), mrn=mrn).history[-1]
    assert staff.payload["reasons"] == ["profile TOBACCO-1 hit"]


def test_batched_state_changes_are_written_at_commit_with_their_events(ctx: Context) -> None:
    lodged = svc.lodge(ctx, principal=SYSTEM, raw=declaration())
    at = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        svc.batch_states(uow)
        row = uow.session.get(DeclarationRow, lodged.id)
        assert row is not None
        svc.transition(uow, row, State.ASSESSED, at=at, actor="system")
        svc.set_channel(uow, row, "green")
        svc.transition(uow, row, State.SELECTED, at=at, actor="system")
        assert (row.state, row.channel) == ("selected", "green")  # the session sees them
        uow.commit()
    with ctx.sessions() as session:
        stored = session.get(DeclarationRow, lodged.id)
        assert stored is not None and (stored.state, stored.channel) == ("selected", "green")
    history = svc.get_declaration(ctx, principal=SYSTEM, mrn=lodged.mrn or "").history
    assert [e.kind for e in history][-2:] == ["declaration.assessed", "declaration.selected"]
    assert verify_ledger(ctx).ok


def test_batched_states_and_channels_of_several_rows_each_reach_their_own_row(
    ctx: Context,
) -> None:
    # One row moves and is routed (one statement writes both), one only moves, one is only
    # routed: each ends with its own values and none takes another's.
    moved, routed, both = (
        svc.lodge(ctx, principal=SYSTEM, raw=d) for d in declarations(3, seed=23)
    )
    at = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        svc.batch_states(uow)

        def row(lodged: svc.LodgeOutcome) -> DeclarationRow:
            found = uow.session.get(DeclarationRow, lodged.id)
            assert found is not None
            return found

        svc.transition(uow, row(moved), State.ASSESSED, at=at, actor="system")
        svc.set_channel(uow, row(routed), "yellow")
        svc.transition(uow, row(both), State.ASSESSED, at=at, actor="system")
        svc.set_channel(uow, row(both), "red")
        uow.commit()
    with ctx.sessions() as session:
        stored = {
            o.id: (r.state, r.channel)
            for o in (moved, routed, both)
            if (r := session.get(DeclarationRow, o.id)) is not None
        }
    assert stored == {
        moved.id: ("assessed", None),
        routed.id: ("accepted", "yellow"),
        both.id: ("assessed", "red"),
    }
