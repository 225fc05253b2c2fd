"""Customs identifiers, one small module each, python-stdnum style.

Each module has ``compact``, ``validate`` (returns the compact form or raises a typed
:class:`~customhouse.identifiers.errors.InvalidIdentifier`), ``is_valid`` and ``format``:
``mrn``, ``eori``, ``hs_code``, ``locode``, ``container`` (ISO 6346) and ``vat``.
"""

from __future__ import annotations

from customhouse.identifiers import container, eori, hs_code, locode, mrn, vat
from customhouse.identifiers.errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "container",
    "eori",
    "hs_code",
    "locode",
    "mrn",
    "vat",
]
