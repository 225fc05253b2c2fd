"""Valuation inputs and results (pure dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Basis(StrEnum):
    """Where the customs value stops: at the place of entry (CIF, EU/UK) or at export (FOB, US)."""

    CIF = "CIF"
    FOB = "FOB"


# Incoterms 2020 by what the invoice price already covers.
INCOTERMS = frozenset({"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"})
MAIN_CARRIAGE_IN_PRICE = frozenset({"CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"})
INSURANCE_IN_PRICE = frozenset({"CIF", "CIP", "DAP", "DPU", "DDP"})

# Article 8 additions (when borne by the buyer and not in the price) and allowed deductions.
ADDITIONS = frozenset(
    {
        "freight",  # transport to the place of entry (8.2 a)
        "insurance",  # insurance to the place of entry (8.2 c)
        "loading",  # loading, unloading, handling to the place of entry (8.2 b)
        "commission",  # selling commissions and brokerage (8.1 a i)
        "containers",  # containers treated as one with the goods (8.1 a ii)
        "packing",  # packing labour and materials (8.1 a iii)
        "assist",  # goods and services supplied free or at reduced cost (8.1 b)
        "royalty",  # royalties and licence fees as a condition of sale (8.1 c)
        "proceeds",  # proceeds of resale accruing to the seller (8.1 d)
    }
)
DEDUCTIONS = frozenset(
    {
        "post_entry_transport",  # transport after the place of entry, shown separately
        "post_entry_insurance",
        "construction",  # construction, erection, assembly after importation
        "import_duties",  # duties and taxes of the country of importation
        "buying_commission",
        "interest",  # under a financing arrangement, shown separately
    }
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An Article 8 addition or an allowed deduction, in its own currency."""

    kind: str
    amount: Money
    note: str = ""


@dataclass(frozen=True, slots=True)
class ValuationInput:
    """What the declarant states for one item (or the share of a consignment apportioned to it)."""

    price: Money
    incoterm: str
    additions: tuple[Adjustment, ...] = ()
    deductions: tuple[Adjustment, ...] = ()
    related_parties: bool = False
    relationship_influenced_price: bool = False
    restrictions_on_use: bool = False


@dataclass(frozen=True, slots=True)
class OfficerDecision:
    """Methods 2 to 6 (identical goods, similar goods, deductive, computed, fall-back)."""

    method: int
    value: Money
    justification: str
    officer: str = ""


@dataclass(frozen=True, slots=True)
class ValuationProfile:
    """Configuration of an administration: basis and the currency values are declared in."""

    basis: Basis
    currency: str


@dataclass(frozen=True, slots=True)
class ValuationLine:
    """One step of the calculation, in the national currency, with the reason."""

    label: str
    amount: Decimal
    source_amount: Money | None = None
    rate: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CustomsValue:
    """The customs value of an item, with the method and every step that made it."""

    amount: Decimal
    currency: str
    method: int
    lines: tuple[ValuationLine, ...] = ()
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
