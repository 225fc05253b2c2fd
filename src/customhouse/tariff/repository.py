"""Save and load a :class:`Tariff` (and quota balances) through a SQLAlchemy session."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from customhouse.tariff.engine import QuotaDrawdown
from customhouse.tariff.expressions import DutyExpression, parse
from customhouse.tariff.models import (
    CommodityLine,
    Geography,
    Measure,
    MeasureType,
    Profile,
    Quota,
    QuotaBalances,
    Tariff,
    Validity,
)
from customhouse.tariff.tables import (
    TariffCommodityLine,
    TariffMeasure,
    TariffProfileRow,
    TariffQuotaBalance,
    TariffQuotaDrawdown,
)


def save_tariff(session: Session, tariff: Tariff, *, loaded_at: str = "", source: str = "") -> None:
    """Replace the stored tariff of ``tariff.profile.name`` (bulk inserts, one flush).

    Quota balances are opened for order numbers not seen before; a reload keeps the balances
    already drawn (re-opening a quota is an administrative act, not a side effect of a reload).
    """
    name = tariff.profile.name
    session.execute(delete(TariffMeasure).where(TariffMeasure.profile == name))
    session.execute(delete(TariffCommodityLine).where(TariffCommodityLine.profile == name))
    if tariff.lines:
        session.execute(
            insert(TariffCommodityLine),
            [
                {
                    "profile": name,
                    "code": line.code,
                    "description": line.description,
                    "supplementary_units": " ".join(line.supplementary_units),
                    "valid_from": line.validity.start,
                    "valid_to": line.validity.end,
                }
                for line in tariff.lines.values()
            ],
        )
    if tariff.measures:
        session.execute(
            insert(TariffMeasure),
            [
                {
                    "profile": name,
                    "id": m.id,
                    "type": str(m.type),
                    "commodity_code": m.commodity_code,
                    "geography_code": m.geography.code,
                    "geography_members": None
                    if m.geography.members is None
                    else " ".join(sorted(m.geography.members)),
                    "geography_excluded": " ".join(sorted(m.geography.excluded)),
                    "expression": m.expression.text if m.expression else None,
                    "valid_from": m.validity.start,
                    "valid_to": m.validity.end,
                    "legal_base": m.legal_base,
                    "description": m.description,
                    "preference_scheme": m.preference_scheme,
                    "quota_order_number": m.quota.order_number if m.quota else None,
                    "exporter": m.exporter,
                    "required_document": m.required_document,
                    "vat_rate": m.vat_rate,
                }
                for m in tariff.measures
            ],
        )
    opened = set(
        session.scalars(
            select(TariffQuotaBalance.order_number).where(TariffQuotaBalance.profile == name)
        )
    )
    for m in tariff.measures:
        q = m.quota
        if q is not None and q.order_number not in opened:
            opened.add(q.order_number)
            session.add(
                TariffQuotaBalance(
                    profile=name,
                    order_number=q.order_number,
                    unit=q.unit,
                    volume=q.volume,
                    remaining=q.volume,
                    valid_from=m.validity.start,
                    valid_to=m.validity.end,
                )
            )
    row = session.get(TariffProfileRow, name)
    if row is None:
        row = TariffProfileRow(profile=name)
        session.add(row)
    row.currency = tariff.profile.currency
    row.loaded_at = loaded_at
    row.source = source
    row.commodity_lines = len(tariff.lines)
    row.measures = len(tariff.measures)
    session.flush()


def loaded_at(session: Session, profile: str) -> str | None:
    """When ``profile``'s tariff was last stored, or None if it never was."""
    return session.scalar(
        select(TariffProfileRow.loaded_at).where(TariffProfileRow.profile == profile)
    )


def load_tariff(session: Session, profile: Profile) -> Tariff:
    """Load the stored tariff of ``profile``; expressions are parsed once per distinct text."""
    tariff = Tariff(profile)
    for row in session.scalars(
        select(TariffCommodityLine).where(TariffCommodityLine.profile == profile.name)
    ):
        units = tuple(row.supplementary_units.split()) if row.supplementary_units else ()
        tariff.lines[row.code] = CommodityLine(
            row.code, row.description, units, Validity(row.valid_from, row.valid_to)
        )
    quotas = {
        b.order_number: (b.volume, b.unit)
        for b in session.scalars(
            select(TariffQuotaBalance).where(TariffQuotaBalance.profile == profile.name)
        )
    }
    cache: dict[str, DutyExpression] = {}
    for r in session.scalars(select(TariffMeasure).where(TariffMeasure.profile == profile.name)):
        expr = None
        if r.expression is not None:
            expr = cache.get(r.expression)
            if expr is None:
                expr = cache[r.expression] = _parse_stored(r.expression, profile)
        members = None if r.geography_members is None else frozenset(r.geography_members.split())
        tariff.measures.append(
            Measure(
                id=r.id,
                type=MeasureType(r.type),
                commodity_code=r.commodity_code,
                geography=Geography(
                    r.geography_code, members, frozenset(r.geography_excluded.split())
                ),
                expression=expr,
                validity=Validity(r.valid_from, r.valid_to),
                legal_base=r.legal_base,
                description=r.description,
                preference_scheme=r.preference_scheme,
                quota=Quota(r.quota_order_number, *quotas.get(r.quota_order_number, _NO_QUOTA))
                if r.quota_order_number
                else None,
                exporter=r.exporter,
                required_document=r.required_document,
                vat_rate=r.vat_rate,
            )
        )
    tariff.reindex()
    return tariff


_NO_QUOTA = (Decimal(0), "kg")


def _parse_stored(text: str, profile: Profile) -> DutyExpression:
    from customhouse.tariff.errors import UnparsableExpression

    try:
        return parse(text, profile.parse_options)
    except UnparsableExpression:
        # structured rates (US FTA columns) are stored by description; keep them visible, unpriced
        return DutyExpression(text=text, computable=False, notes=("stored text not parseable",))


def quota_balances(session: Session, profile: str) -> QuotaBalances:
    rows = session.scalars(select(TariffQuotaBalance).where(TariffQuotaBalance.profile == profile))
    return QuotaBalances({r.order_number: r.remaining for r in rows})


def apply_drawdowns(
    session: Session, profile: str, reference: str, drawdowns: list[QuotaDrawdown]
) -> bool:
    """Apply the engine's decisions atomically: each UPDATE only succeeds if enough remains.

    Returns False (and changes nothing the caller commits) when a balance moved meanwhile; the
    caller rolls back and re-assesses. The guarded UPDATE is safe under concurrent sessions.
    """
    for d in drawdowns:
        result = session.execute(
            update(TariffQuotaBalance)
            .where(
                TariffQuotaBalance.profile == profile,
                TariffQuotaBalance.order_number == d.order_number,
                TariffQuotaBalance.remaining >= d.quantity,
            )
            .values(remaining=TariffQuotaBalance.remaining - d.quantity)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.add(
            TariffQuotaDrawdown(
                profile=profile,
                order_number=d.order_number,
                reference=f"{reference}/{d.item}",
                quantity=d.quantity,
                unit=d.unit,
            )
        )
    session.flush()
    return True
