"""Storing and finding binding rulings; takes a Session, never commits (the unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from customhouse.classification.errors import DuplicateRuling, RulingNotFound
from customhouse.classification.models import LabelledText
from customhouse.classification.rulings import BindingRuling
from customhouse.classification.tables import BindingRulingRow


def _to_domain(row: BindingRulingRow) -> BindingRuling:
    return BindingRuling(
        row.reference,
        row.holder_eori,
        row.goods_description,
        row.commodity_code,
        row.justification,
        row.valid_from,
        row.valid_to,
        row.revoked_on,
        row.revocation_reason,
    )


class RulingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, ruling: BindingRuling) -> None:
        if self.session.get(BindingRulingRow, ruling.reference) is not None:
            raise DuplicateRuling(
                f"ruling {ruling.reference} exists", {"reference": ruling.reference}
            )
        self.session.add(
            BindingRulingRow(
                reference=ruling.reference,
                holder_eori=ruling.holder_eori,
                goods_description=ruling.goods_description,
                commodity_code=ruling.commodity_code,
                justification=ruling.justification,
                valid_from=ruling.valid_from,
                valid_to=ruling.valid_to,
                revoked_on=ruling.revoked_on,
                revocation_reason=ruling.revocation_reason,
            )
        )
        self.session.flush()

    def get(self, reference: str) -> BindingRuling:
        row = self.session.get(BindingRulingRow, reference)
        if row is None:
            raise RulingNotFound(f"no ruling {reference}", {"reference": reference})
        return _to_domain(row)

    def save_revocation(self, ruling: BindingRuling) -> None:
        """Persist a ruling returned by :meth:`BindingRuling.revoke`."""
        row = self.session.get(BindingRulingRow, ruling.reference)
        if row is None:
            raise RulingNotFound(f"no ruling {ruling.reference}", {"reference": ruling.reference})
        row.revoked_on = ruling.revoked_on
        row.revocation_reason = ruling.revocation_reason
        self.session.flush()

    def for_holder(self, holder_eori: str, *, at: date | None = None) -> list[BindingRuling]:
        """The holder's rulings; with ``at``, only those in force on that date."""
        stmt = select(BindingRulingRow).where(
            BindingRulingRow.holder_eori == holder_eori.strip().upper()
        )
        if at is not None:
            stmt = stmt.where(
                BindingRulingRow.valid_from <= at,
                BindingRulingRow.valid_to > at,
                or_(BindingRulingRow.revoked_on.is_(None), BindingRulingRow.revoked_on > at),
            )
        rows = self.session.scalars(stmt.order_by(BindingRulingRow.reference))
        return [_to_domain(r) for r in rows]

    def search(self, text: str, *, limit: int = 20) -> list[BindingRuling]:
        """Rulings whose description or code contains ``text`` (case-insensitive)."""
        like = f"%{text.strip().lower()}%"
        stmt = (
            select(BindingRulingRow)
            .where(
                or_(
                    BindingRulingRow.goods_description.ilike(like),
                    BindingRulingRow.commodity_code.like(f"{text.strip()}%"),
                    BindingRulingRow.reference == text.strip(),
                )
            )
            .order_by(BindingRulingRow.reference)
            .limit(limit)
        )
        return [_to_domain(r) for r in self.session.scalars(stmt)]

    def training_texts(self, *, at: date) -> Sequence[LabelledText]:
        """Rulings in force ``at`` as labelled descriptions for the suggestion model."""
        stmt = select(BindingRulingRow).where(
            BindingRulingRow.valid_from <= at,
            BindingRulingRow.valid_to > at,
            or_(BindingRulingRow.revoked_on.is_(None), BindingRulingRow.revoked_on > at),
        )
        return [
            LabelledText(r.goods_description, r.commodity_code, "binding-ruling", "GB")
            for r in self.session.scalars(stmt)
        ]
