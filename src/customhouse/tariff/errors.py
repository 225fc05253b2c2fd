"""Errors raised by the tariff package, each with a stable ``code``."""

from __future__ import annotations

from typing import Any

from customhouse.errors import DomainError, InvalidInput, NotFound


class UnparsableExpression(InvalidInput):
    """A duty expression that the language does not accept; carries the text and the position."""

    code = "tariff.UnparsableExpression"

    def __init__(self, message: str, text: str, position: int) -> None:
        super().__init__(f"{message} at position {position} in {text!r}")
        self.details.update({"text": text, "position": position, "reason": message})
        self.text = text
        self.position = position
        self.reason = message


class InvalidMonetaryUnit(UnparsableExpression):
    code = "tariff.InvalidMonetaryUnit"


class InvalidMeasurementUnit(UnparsableExpression):
    code = "tariff.InvalidMeasurementUnit"


class InvalidMeasurementUnitQualifier(UnparsableExpression):
    code = "tariff.InvalidMeasurementUnitQualifier"


class QualifierNotPermittedForUnit(UnparsableExpression):
    code = "tariff.QualifierNotPermittedForUnit"


class DuplicateDutyExpression(UnparsableExpression):
    code = "tariff.DuplicateDutyExpression"


class NotComputable(DomainError):
    """A textual rate ("The rate applicable to ...") recognised as such: it cannot be priced."""

    code = "tariff.NotComputable"


class MissingQuantity(DomainError):
    """A specific rate needs a quantity that the item does not declare."""

    code = "tariff.MissingQuantity"


class MissingBasisValue(DomainError):
    """An ad valorem part on a sub-value (case, battery ...) whose value was not declared."""

    code = "tariff.MissingBasisValue"


class MissingAttribute(DomainError):
    """A rate driven by an attribute (% vol, polarimetric degrees ...) that is not declared."""

    code = "tariff.MissingAttribute"


class MissingExchangeRate(DomainError):
    code = "tariff.MissingExchangeRate"


class UnknownCommodity(NotFound):
    code = "tariff.UnknownCommodity"


class NoApplicableMeasure(DomainError):
    code = "tariff.NoApplicableMeasure"


class ReliefNotSupported(InvalidInput):
    """A relief claimed without the document or authorisation it needs."""

    code = "tariff.ReliefNotSupported"


def details(**kwargs: Any) -> dict[str, Any]:
    """Small helper so callers build ``details`` dicts uniformly.

    >>> details(unit="kg")
    {'unit': 'kg'}
    """
    return dict(kwargs)


class TariffNotLoaded(NotFound):
    """No tariff is stored for the profile in force: nothing can be assessed (never as zero)."""

    code = "tariff.NotLoaded"


class CommodityNotPrecise(DomainError):
    """The declared code covers national lines with different duties: declare the line."""

    code = "tariff.CommodityNotPrecise"
