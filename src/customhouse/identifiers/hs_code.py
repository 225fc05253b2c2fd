"""HS commodity code (Harmonized System, with national 8- and 10-digit extensions).

The first 6 digits are the HS subheading (chapter 2 digits, heading 4, subheading 6); the
Combined Nomenclature adds 2 digits (8), TARIC or the UK tariff 2 more (10). Dots and spaces
used in print ("0101.21.00") are removed. Whether a code exists at a date is a reference data
question: see :meth:`customhouse.reference.ReferenceSnapshot.commodity_valid`.

>>> validate('0101.21 00')
'01012100'
>>> chapter('0101210000'), heading('0101210000'), subheading('0101210000')
('01', '0101', '010121')
>>> format('0101210000')
'0101.21.00.00'
>>> validate('01012')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidLength: commodity code must have 6, 8 or 10 digits, got 5
>>> validate('9900ab')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidFormat: commodity code must be digits
"""

from __future__ import annotations

from customhouse.identifiers._util import clean
from customhouse.identifiers.errors import (
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

LENGTHS = (6, 8, 10)


def compact(number: str) -> str:
    """Convert the code to its minimal form: digits only, dots and spaces removed."""
    return clean(number)


def validate(number: str) -> str:
    """Check the code's structure (digits, length, chapter 01..97); return its compact form."""
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("commodity code must be digits", {"value": number})
    if len(number) not in LENGTHS:
        raise InvalidLength(
            f"commodity code must have 6, 8 or 10 digits, got {len(number)}", {"value": number}
        )
    if not "01" <= number[:2] <= "97":
        raise InvalidComponent(f"no HS chapter {number[:2]}", {"value": number})
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a structurally valid commodity code."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def chapter(number: str) -> str:
    """The 2-digit HS chapter."""
    return compact(number)[:2]


def heading(number: str) -> str:
    """The 4-digit HS heading."""
    return compact(number)[:4]


def subheading(number: str) -> str:
    """The 6-digit HS subheading (the internationally harmonised part)."""
    return compact(number)[:6]


def format(number: str) -> str:
    """Reformat as printed in tariffs: heading, then pairs of digits separated by dots."""
    number = compact(number)
    parts = [number[:4]] + [number[i : i + 2] for i in range(4, len(number), 2)]
    return ".".join(parts)
