"""The sanctions lists shipped in the package: stored once, screened against, never reloaded.

Storing all three takes 35 s on SQLite and 50 s on PostgreSQL, so these tests store the UN
snapshot (877 entries) only; tests/unit/screening/test_loaders.py parses the other two and
screens a name against the OFAC one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from customhouse.access.models import SYSTEM
from customhouse.demo.generator import with_listed_sellers
from customhouse.ledger.tables import LedgerEventRow
from customhouse.screening.loaders import load_list
from customhouse.screening.models import ListKind
from customhouse.screening.tables import ScreeningEntityRow, ScreeningListVersionRow
from customhouse.services import declarations as svc
from customhouse.services import screening as screening_service
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from customhouse.services.screening import (
    SHIPPED_LISTS_DIR,
    listed_organisations,
    load_sanctions_list,
    load_shipped_lists,
)
from tests.integration.test_assessment import import_doc, install
from tests.integration.test_screening import free_tariff, lodge, party_hits, with_seller

pytestmark = pytest.mark.integration

# A real entry of the shipped UN snapshot and its reference number.
UN_NAME, UN_ID = "ASBAT AL-ANSAR", "QDe.007"


@pytest.fixture
def un_only(monkeypatch: pytest.MonkeyPatch) -> None:
    un = tuple(s for s in screening_service.SHIPPED_LISTS if s[0] == "UN")
    monkeypatch.setattr(screening_service, "SHIPPED_LISTS", un)


def _stored(ctx: Context) -> tuple[int, int, int]:
    """Entities, list versions and list-load ledger events in the store."""
    with ctx.sessions() as session:
        entities = session.scalar(select(func.count(ScreeningEntityRow.id)))
        versions = session.scalar(select(func.count(ScreeningListVersionRow.id)))
        events = session.scalar(
            select(func.count(LedgerEventRow.seq)).where(
                LedgerEventRow.kind == "screening.list_loaded"
            )
        )
    return entities or 0, versions or 0, events or 0


@pytest.mark.usefixtures("un_only")
def test_the_shipped_list_loads_once_and_holds_a_listed_party(ctx: Context) -> None:
    install(ctx, free_tariff())
    assert listed_organisations(ctx) == []  # no list stored yet: the demo declares none
    (first,) = load_shipped_lists(ctx, principal=SYSTEM)
    assert (first["list"], first["kept"], first["added"]) == ("UN", False, 877)
    assert first["version"] == "2025-04-19T23:00:04.625Z"
    assert _stored(ctx) == (877, 1, 1)

    mrn, did = lodge(ctx, with_seller(import_doc(1), UN_NAME))
    assert svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).state == "held"
    assert ("UN", UN_ID) in {(h.list_name, h.entity_id) for h in party_hits(ctx, did)}

    # The demo declares a few listed organisations, so its officers see true hits too.
    orgs = listed_organisations(ctx)
    assert len(orgs) == 5 and all(len(country) == 2 for _, country in orgs)
    (sold,) = with_listed_sellers([import_doc(2)], orgs)
    _, listed_did = lodge(ctx, sold)
    hits = party_hits(ctx, listed_did)
    assert hits and {h.list_name for h in hits} == {"UN"}
    assert hits[0].screened_name == orgs[0][0] and hits[0].status == "open"

    # Again: the list is held already, so nothing is parsed or stored, not even an event.
    (again,) = load_shipped_lists(ctx, principal=SYSTEM)
    assert again == {"list": "UN", "kind": "un", "version": first["version"], "kept": True}
    assert _stored(ctx) == (877, 1, 1)
    assert verify_ledger(ctx).ok


@pytest.mark.usefixtures("un_only")
def test_a_reload_of_the_same_shipped_list_adds_nothing(ctx: Context) -> None:
    load_shipped_lists(ctx, principal=SYSTEM)
    # The service's own diffing, which `load-list` of the same file relies on.
    un = load_list(ListKind.UN, SHIPPED_LISTS_DIR / "un/consolidated.xml.gz")
    same = load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=un)
    assert (same["added"], same["changed"], same["removed"]) == (0, 0, 0)
    assert same["rescreen"] == {"since": same["rescreen"]["since"], "declarations": 0, "hits": []}
    # No entity and no version; the service does record the attempt on the ledger.
    assert _stored(ctx) == (877, 1, 2)


@pytest.mark.usefixtures("un_only")
def test_a_list_loaded_from_other_files_is_not_replaced_by_the_snapshot(ctx: Context) -> None:
    un = load_list(ListKind.UN, SHIPPED_LISTS_DIR / "un/consolidated.xml.gz")
    newer = type(un)(un.name, un.kind, "2026-01-01T00:00:00Z", un.entities[:10])
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=newer, source="current.xml")
    (kept,) = load_shipped_lists(ctx, principal=SYSTEM)
    assert kept == {"list": "UN", "kind": "un", "version": "2026-01-01T00:00:00Z", "kept": True}
    assert _stored(ctx) == (10, 1, 1)
