"""Economic operators and their authorisations (AEO and others) with validity."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base


class OperatorRow(Base):
    __tablename__ = "operators"

    eori: Mapped[str] = mapped_column(String(17), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    street: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[str | None] = mapped_column(String(10))
    valid_to: Mapped[str | None] = mapped_column(String(10))


class AuthorisationRow(Base):
    """AEO (AEOC, AEOS, AEOF) and other authorisations (CW, IP, EU/UK deferment, SDE...)."""

    __tablename__ = "authorisations"
    __table_args__ = (UniqueConstraint("eori", "kind", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    eori: Mapped[str] = mapped_column(ForeignKey("operators.eori"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[str] = mapped_column(String(10))
    valid_to: Mapped[str | None] = mapped_column(String(10))
