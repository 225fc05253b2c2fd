"""The screening repository: lists and judgements in the database, behind plain functions.

Takes a SQLAlchemy :class:`~sqlalchemy.orm.Session`; the caller owns the transaction (the unit of
work commits). Dates are passed in, never read from the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from customhouse.screening.errors import InvalidJudgement
from customhouse.screening.models import (
    EntityType,
    Identifier,
    ListDiff,
    ListedEntity,
    ListKind,
    PartyHit,
    SanctionsList,
    Verdict,
)
from customhouse.screening.names import normalize
from customhouse.screening.tables import (
    ScreeningEntityRow,
    ScreeningJudgementRow,
    ScreeningListRow,
    ScreeningListVersionRow,
    ScreeningNameRow,
)


def _payload(entity: ListedEntity) -> dict[str, Any]:
    return asdict(entity)


def _entity(payload: dict[str, Any]) -> ListedEntity:
    return ListedEntity(
        list_name=payload["list_name"],
        entity_id=payload["entity_id"],
        name=payload["name"],
        entity_type=EntityType(payload["entity_type"]),
        aliases=tuple(payload["aliases"]),
        countries=tuple(payload["countries"]),
        dates_of_birth=tuple(payload["dates_of_birth"]),
        identifiers=tuple(Identifier(**i) for i in payload["identifiers"]),
        programmes=tuple(payload["programmes"]),
        listed_on=payload["listed_on"],
        remarks=payload["remarks"],
        weak_aliases=tuple(payload.get("weak_aliases", ())),
    )


def _names(row: ScreeningEntityRow, entity: ListedEntity) -> list[ScreeningNameRow]:
    weak = set(entity.weak_aliases)
    return [
        ScreeningNameRow(entity_row_id=row.id, name=n, normalized=normalize(n), weak=n in weak)
        for n in dict.fromkeys(entity.names)
    ]


def save_list(session: Session, sanctions_list: SanctionsList, at: datetime) -> ListDiff:
    """Store a loaded list version; record and return what was added, changed and removed.

    Loading the version already current changes nothing and returns an empty diff.
    """
    list_row = session.scalar(
        select(ScreeningListRow).where(ScreeningListRow.name == sanctions_list.name)
    )
    if list_row is None:
        list_row = ScreeningListRow(name=sanctions_list.name, kind=str(sanctions_list.kind))
        session.add(list_row)
        session.flush()
    old_version = list_row.current_version
    rows = {
        r.entity_id: r
        for r in session.scalars(
            select(ScreeningEntityRow).where(ScreeningEntityRow.list_id == list_row.id)
        )
    }
    live = {k: r for k, r in rows.items() if r.removed_in_version_id is None}
    incoming = {e.entity_id: e for e in sanctions_list.entities}
    added = sorted(set(incoming) - set(live))
    removed = sorted(set(live) - set(incoming))
    changed = sorted(
        k for k in set(incoming) & set(live) if live[k].fingerprint != incoming[k].fingerprint()
    )
    if old_version == sanctions_list.version and not (added or removed or changed):
        return ListDiff(sanctions_list.name, old_version, old_version, (), (), ())
    version = ScreeningListVersionRow(
        list_id=list_row.id,
        version=sanctions_list.version,
        loaded_at=at,
        entities=len(incoming),
        added=len(added),
        changed=len(changed),
        removed=len(removed),
    )
    session.add(version)
    session.flush()
    fresh: list[tuple[ScreeningEntityRow, ListedEntity]] = []
    for key in added:
        row = rows.get(key)
        if row is None:
            row = ScreeningEntityRow(
                list_id=list_row.id, entity_id=key, first_version_id=version.id
            )
            session.add(row)
        _fill(row, incoming[key], version.id)
        row.removed_in_version_id = None
        fresh.append((row, incoming[key]))
    session.flush()  # one round trip for the ids, not one per entry
    for row, entity in fresh:
        _replace_names(session, row, entity, known_new=row.entity_id not in rows)
    for key in changed:
        _fill(live[key], incoming[key], version.id)
        _replace_names(session, live[key], incoming[key])
    for key in removed:
        live[key].removed_in_version_id = version.id
    list_row.current_version = sanctions_list.version
    session.flush()
    return ListDiff(
        sanctions_list.name,
        old_version,
        sanctions_list.version,
        tuple(added),
        tuple(changed),
        tuple(removed),
    )


def _fill(row: ScreeningEntityRow, entity: ListedEntity, version_id: int) -> None:
    row.name = entity.name
    row.entity_type = str(entity.entity_type)
    row.fingerprint = entity.fingerprint()
    row.payload = _payload(entity)
    row.last_changed_version_id = version_id


def _replace_names(
    session: Session, row: ScreeningEntityRow, entity: ListedEntity, known_new: bool = False
) -> None:
    if not known_new:
        session.execute(delete(ScreeningNameRow).where(ScreeningNameRow.entity_row_id == row.id))
    session.add_all(_names(row, entity))


def load_lists(session: Session, names: Iterable[str] | None = None) -> list[SanctionsList]:
    """The current version of every stored list (or of those named), ready for an index."""
    query = select(ScreeningListRow)
    if names is not None:
        query = query.where(ScreeningListRow.name.in_(list(names)))
    out = []
    for list_row in session.scalars(query.order_by(ScreeningListRow.name)):
        payloads = session.scalars(
            select(ScreeningEntityRow.payload).where(
                ScreeningEntityRow.list_id == list_row.id,
                ScreeningEntityRow.removed_in_version_id.is_(None),
            )
        )
        entities = tuple(_entity(p) for p in payloads)
        out.append(
            SanctionsList(
                list_row.name, ListKind(list_row.kind), list_row.current_version, entities
            )
        )
    return out


def record_judgement(
    session: Session,
    *,
    party_key: str,
    hit: PartyHit,
    verdict: Verdict | str,
    judged_by: str,
    at: datetime,
    note: str = "",
) -> ScreeningJudgementRow:
    """Remember an analyst's verdict on (party, entity) at the entity's current content."""
    try:
        value = Verdict(verdict)
    except ValueError as exc:
        raise InvalidJudgement(f"unknown verdict {verdict!r}", {"verdict": str(verdict)}) from exc
    if not hit.fingerprint:
        raise InvalidJudgement("the hit carries no entity fingerprint", {"entity": hit.entity_id})
    row = ScreeningJudgementRow(
        party_key=party_key,
        list_name=hit.list_name,
        entity_id=hit.entity_id,
        fingerprint=hit.fingerprint,
        verdict=str(value),
        judged_by=judged_by,
        judged_at=at,
        note=note,
    )
    session.add(row)
    session.flush()
    return row


def latest_verdict(session: Session, party_key: str, hit: PartyHit) -> Verdict | None:
    """The newest verdict on this pair at the entity's current content, if any."""
    verdict = session.scalar(
        select(ScreeningJudgementRow.verdict)
        .where(
            ScreeningJudgementRow.party_key == party_key,
            ScreeningJudgementRow.list_name == hit.list_name,
            ScreeningJudgementRow.entity_id == hit.entity_id,
            ScreeningJudgementRow.fingerprint == hit.fingerprint,
        )
        .order_by(ScreeningJudgementRow.judged_at.desc(), ScreeningJudgementRow.id.desc())
        .limit(1)
    )
    return Verdict(verdict) if verdict else None


def unjudged_hits(session: Session, party_key: str, hits: Sequence[PartyHit]) -> list[PartyHit]:
    """The hits to raise: those not dismissed as a false match at the entry's current content."""
    return [h for h in hits if latest_verdict(session, party_key, h) is not Verdict.FALSE_MATCH]
