"""Errors raised by valuation, each with a stable ``code``."""

from __future__ import annotations

from customhouse.errors import DomainError, InvalidInput, NotFound


class RateNotFound(NotFound):
    """No official exchange rate for the currency pair on that date."""

    code = "valuation.RateNotFound"


class InvalidValuation(InvalidInput):
    code = "valuation.InvalidValuation"


class JustificationRequired(DomainError):
    """Methods 2 to 6 are an officer's decision and must be justified."""

    code = "valuation.JustificationRequired"
