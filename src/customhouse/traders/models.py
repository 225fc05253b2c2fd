"""Operators and authorisations as the domain sees them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from customhouse.declarations.rules import OperatorRecord

AEO_KINDS = frozenset({"AEOC", "AEOS", "AEOF"})


@dataclass(frozen=True, slots=True)
class Authorisation:
    kind: str
    reference: str
    valid_from: date
    valid_to: date | None = None

    def valid_at(self, at: date) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True, slots=True)
class Operator:
    eori: str
    name: str
    country: str
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    authorisations: tuple[Authorisation, ...] = ()

    def aeo_status(self, at: date) -> str | None:
        """The strongest AEO authorisation valid on ``at`` (AEOF covers C and S)."""
        kinds = {a.kind for a in self.authorisations if a.kind in AEO_KINDS and a.valid_at(at)}
        for kind in ("AEOF", "AEOS", "AEOC"):
            if kind in kinds:
                return kind
        return None

    def as_record(self) -> OperatorRecord:
        aeo = [a for a in self.authorisations if a.kind in AEO_KINDS]
        latest = max(aeo, key=lambda a: a.valid_from, default=None)
        return OperatorRecord(
            eori=self.eori,
            name=self.name,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            aeo_status=latest.kind if latest else None,
            aeo_valid_to=latest.valid_to if latest else None,
        )


@dataclass
class OperatorRegister:
    """An in-memory view of the register, built once per batch for fast lookups."""

    operators: dict[str, Operator] = field(default_factory=dict)
    _records: dict[str, OperatorRecord] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, operators: Iterable[Operator]) -> OperatorRegister:
        ops = {o.eori: o for o in operators}
        return cls(ops, {e: o.as_record() for e, o in ops.items()})

    def get(self, eori: str) -> OperatorRecord | None:
        return self._records.get(eori)

    def operator(self, eori: str) -> Operator | None:
        return self.operators.get(eori)
