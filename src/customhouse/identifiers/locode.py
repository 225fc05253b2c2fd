"""UN/LOCODE (United Nations Code for Trade and Transport Locations).

Five characters: the ISO 3166-1 alpha-2 country code and a 3-character location code of
letters and digits (the UN uses digits 2-9, but a few historic codes hold 0). Printed with a
space ("DE HAM"). Whether a code exists is a reference data question: see
:meth:`customhouse.reference.ReferenceSnapshot.is_locode`.

More information:

* https://unece.org/trade/cefact/unlocode-code-list-country-and-territory

>>> validate('de ham')
'DEHAM'
>>> format('DEHAM')
'DE HAM'
>>> validate('D1HAM')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidFormat: LOCODE must be a country code and 3 letters or digits
>>> validate('QQHAM')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidComponent: unknown LOCODE country QQ
"""

from __future__ import annotations

from customhouse.identifiers._util import ISO_COUNTRIES, clean, is_alnum_ascii
from customhouse.identifiers.errors import (
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

LENGTH = 5
# XZ: UN/LOCODE's pseudo-country for installations in international waters.
_COUNTRIES = ISO_COUNTRIES | {"XZ"}


def compact(number: str) -> str:
    """Convert the LOCODE to its minimal form: upper case, no spaces."""
    return clean(number)


def validate(number: str) -> str:
    """Check the LOCODE's structure and country; return its compact form."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(f"LOCODE must be 5 characters, got {len(number)}", {"value": number})
    if not (number[:2].isalpha() and is_alnum_ascii(number)):
        raise InvalidFormat(
            "LOCODE must be a country code and 3 letters or digits", {"value": number}
        )
    if number[:2] not in _COUNTRIES:
        raise InvalidComponent(f"unknown LOCODE country {number[:2]}", {"value": number})
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed LOCODE."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def country(number: str) -> str:
    """The country part of a LOCODE.

    >>> country('NLRTM')
    'NL'
    """
    return compact(number)[:2]


def format(number: str) -> str:
    """Reformat as the UN prints it: country, space, location."""
    number = compact(number)
    return f"{number[:2]} {number[2:]}"
