"""The risk domain's value objects: what the engines take in and what they give back.

:class:`RiskSubject` is the engine's own view of one declaration item; the pipeline adapts its
Declaration to it, and the Korea Customs CSV adapter builds it from a row.

>>> from datetime import date
>>> s = RiskSubject(declaration_id="D1", commodity_code="392690", origin="CN",
...     customs_value=Decimal("1000"), net_mass=Decimal("4"), lodged_on=date(2024, 1, 2))
>>> s.unit_value
Decimal('250')
>>> s.hs_level(4)
'3926'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

#: The rounding rule for money the risk engine derives (expected revenue at stake).
MONEY_ROUNDING = ROUND_HALF_UP
MONEY_QUANTUM = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Round a derived amount to the minor unit, half up.

    >>> round_money(Decimal("2.345"))
    Decimal('2.35')
    """
    return amount.quantize(MONEY_QUANTUM, rounding=MONEY_ROUNDING)


class Channel(StrEnum):
    """Where a declaration goes after risk assessment."""

    GREEN = "green"  # release
    YELLOW = "yellow"  # documentary check
    RED = "red"  # physical or scanner examination
    BLUE = "blue"  # release now, post-clearance audit later

    @property
    def severity(self) -> int:
        """Orders channels by how much control they mean (red highest)."""
        return _SEVERITY[self]

    @property
    def is_inspection(self) -> bool:
        """Yellow and red hold the goods for a control before release."""
        return self in (Channel.YELLOW, Channel.RED)


_SEVERITY = {Channel.GREEN: 0, Channel.BLUE: 1, Channel.YELLOW: 2, Channel.RED: 3}


@dataclass(frozen=True, slots=True)
class RiskSubject:
    """One declaration item as the risk engine sees it.

    ``attributes`` carries further categorical fields a source has (for the Korea Customs data:
    import use, payment type, tax type, origin indicator, courier); the model learns from every
    attribute key present at training time.
    """

    declaration_id: str
    commodity_code: str
    origin: str
    customs_value: Decimal
    net_mass: Decimal
    lodged_on: date
    departure: str = ""
    importer_id: str = ""
    declarant_id: str = ""
    seller_id: str = ""
    procedure: str = ""
    transport_mode: str = ""
    office: str = ""
    currency: str = ""
    quantity: Decimal | None = None
    duty_amount: Decimal | None = None
    tax_rate: Decimal | None = None
    aeo: bool = False
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def unit_value(self) -> Decimal | None:
        """Customs value per kilogram, or None when the net mass is zero."""
        if self.net_mass <= 0:
            return None
        return self.customs_value / self.net_mass

    def hs_level(self, digits: int) -> str:
        """The commodity code cut to ``digits`` (2 chapter, 4 heading, 6 subheading)."""
        return self.commodity_code[:digits]


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a risk result, in words and as data.

    ``source`` is ``profile``, ``model``, ``random``, ``exploration``, ``capacity``, ``aeo`` or
    ``policy``; ``weight`` is the feature contribution (log-odds) for model reasons.
    """

    source: str
    code: str
    message: str
    weight: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "code": self.code,
            "message": self.message,
            "weight": self.weight,
        }


@dataclass(frozen=True, slots=True)
class ModelScore:
    """The model's opinion on one subject: probability of a finding and the duty at stake."""

    declaration_id: str
    probability: float
    expected_revenue: Decimal | None
    reasons: tuple[Reason, ...] = ()
    model_version: str = ""


@dataclass(frozen=True, slots=True)
class ProfileHit:
    """A selectivity profile matched a subject; ``reasons`` says which criteria matched."""

    declaration_id: str
    profile_code: str
    profile_version: int
    channel: Channel
    priority: int
    instructions: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ChannelDecision:
    """The channel a declaration goes to, with every reason that led there.

    ``random_sample`` marks members of the compliance-measurement sample (drawn uniformly, so
    their findings estimate the true non-compliance rate); ``exploration`` marks subjects picked
    outside the model's ranking so the model keeps learning about what it would not select.
    """

    declaration_id: str
    channel: Channel
    reasons: tuple[Reason, ...]
    mandatory: bool = False
    random_sample: bool = False
    exploration: bool = False
    model_selected: bool = False
    probability: float | None = None
    expected_revenue: Decimal | None = None
    profile_hits: tuple[ProfileHit, ...] = ()
    instructions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "declaration_id": self.declaration_id,
            "channel": self.channel.value,
            "mandatory": self.mandatory,
            "random_sample": self.random_sample,
            "exploration": self.exploration,
            "model_selected": self.model_selected,
            "probability": self.probability,
            "expected_revenue": None
            if self.expected_revenue is None
            else str(self.expected_revenue),
            "profiles": [f"{h.profile_code}@{h.profile_version}" for h in self.profile_hits],
            "instructions": list(self.instructions),
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """A labelled past declaration: did its control find something, and what was recovered.

    ``split`` is an optional tag from the source (the Korea Customs data's ``source_split``).
    """

    subject: RiskSubject
    finding: bool
    revenue_at_stake: Decimal | None = None
    split: str | None = None
