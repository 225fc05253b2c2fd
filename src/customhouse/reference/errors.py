"""Errors of the reference package, each with a stable code."""

from __future__ import annotations

from customhouse.errors import DomainError, NotFound


class RateNotFound(NotFound):
    """No exchange rate for the currency pair at that date from that source."""

    code = "reference.RateNotFound"


class UnknownRateSource(DomainError):
    code = "reference.UnknownRateSource"


class UnknownReferenceSet(DomainError):
    code = "reference.UnknownReferenceSet"


class ReferenceDataMissing(NotFound):
    """The database holds no reference data (run ``customhouse reference load``)."""

    code = "reference.ReferenceDataMissing"
