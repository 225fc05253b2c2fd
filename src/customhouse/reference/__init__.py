"""Reference data: HS nomenclature, countries, currencies, exchange rates, UN/LOCODEs.

The data ships in ``customhouse/data/reference`` (see NOTICE.md there);
:func:`load_reference` puts it in the database and :class:`ReferenceSnapshot` gives the
validation pipeline fast, pure lookups.
"""

from __future__ import annotations

from customhouse.reference.errors import (
    RateNotFound,
    ReferenceDataMissing,
    UnknownRateSource,
    UnknownReferenceSet,
)
from customhouse.reference.service import SET_NAMES, load_reference
from customhouse.reference.snapshot import RateQuote, ReferenceSnapshot, shipped_snapshot

__all__ = [
    "SET_NAMES",
    "RateNotFound",
    "RateQuote",
    "ReferenceDataMissing",
    "ReferenceSnapshot",
    "UnknownRateSource",
    "UnknownReferenceSet",
    "load_reference",
    "shipped_snapshot",
]
