"""Store and read assessments through a SQLAlchemy session (inside the caller's unit of work).

A new assessment of a declaration supersedes the current one: the old row stays, marked
``superseded`` with the time, so every assessment ever made can be shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from customhouse.storage.bulk import bulk_insert, table_of
from customhouse.tariff.assessment_tables import AssessmentLineRow, AssessmentRow

CURRENT = "current"
SUPERSEDED = "superseded"


def next_id(session: Session) -> int:
    """The next assessment id; call under the ledger lock (writers are serialised there)."""
    return int(session.scalar(select(func.coalesce(func.max(AssessmentRow.id), 0))) or 0) + 1


def supersede(session: Session, declaration_ids: Sequence[int], stamp: str) -> None:
    """Mark the current assessments of these declarations superseded (never deleted)."""
    for start in range(0, len(declaration_ids), 1000):
        chunk = list(declaration_ids[start : start + 1000])
        session.execute(
            update(AssessmentRow)
            .where(AssessmentRow.declaration_id.in_(chunk), AssessmentRow.status == CURRENT)
            .values(status=SUPERSEDED, superseded_at=stamp)
        )


def insert_assessments(
    session: Session, rows: Sequence[dict[str, Any]], lines: Sequence[dict[str, Any]]
) -> None:
    """Bulk insert assessment rows (with their ids) and their lines."""
    bulk_insert(session, table_of(AssessmentRow), rows)
    bulk_insert(session, table_of(AssessmentLineRow), lines)


def _line(r: AssessmentLineRow) -> dict[str, Any]:
    return {
        "item": r.item,
        "tax": r.tax,
        "measure_id": r.measure_id,
        "measure_type": r.measure_type,
        "legal_base": r.legal_base,
        "rate_expression": r.rate_expression,
        "base_amount": r.base_amount,
        "quantity": r.quantity,
        "unit": r.unit,
        "amount": f"{r.amount:.2f}" if r.amount is not None else None,
        "amount_unrounded": r.amount_unrounded,
        "currency": r.currency,
        "reason": r.reason,
    }


def as_dict(row: AssessmentRow, lines: Sequence[AssessmentLineRow]) -> dict[str, Any]:
    return {
        "id": row.id,
        "declaration_version": row.declaration_version,
        "status": row.status,
        "outcome": row.outcome,
        "at": row.at.isoformat(),
        "profile": row.profile,
        "currency": row.currency,
        "rounding": row.rounding,
        "customs_value": f"{row.customs_value:.2f}",
        "duty": f"{row.duty:.2f}",
        "excise": f"{row.excise:.2f}",
        "vat": f"{row.vat:.2f}",
        "total": f"{row.total:.2f}",
        "created_at": row.created_at,
        "superseded_at": row.superseded_at,
        "items": row.items or [],
        "lines": [_line(x) for x in lines],
        "notes": row.notes or [],
        "problems": row.problems or [],
        "requirements": row.requirements or [],
        "drawdowns": row.drawdowns or [],
    }


def current(session: Session, declaration_id: int) -> dict[str, Any] | None:
    """The current assessment of a declaration with its lines, or None."""
    row = session.scalar(
        select(AssessmentRow).where(
            AssessmentRow.declaration_id == declaration_id, AssessmentRow.status == CURRENT
        )
    )
    if row is None:
        return None
    lines = session.scalars(
        select(AssessmentLineRow)
        .where(AssessmentLineRow.assessment_id == row.id)
        .order_by(AssessmentLineRow.id)
    ).all()
    return as_dict(row, lines)


def history(session: Session, declaration_id: int) -> list[dict[str, Any]]:
    """Every assessment of a declaration, oldest first, without lines."""
    rows = session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.declaration_id == declaration_id)
        .order_by(AssessmentRow.id)
    ).all()
    return [as_dict(r, []) | {"lines": None} for r in rows]
