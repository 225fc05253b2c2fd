"""EORI (Economic Operators Registration and Identification number).

An EORI is the ISO 3166-1 alpha-2 code of the issuing country followed by up to 15 letters or
digits. In the United Kingdom (GB) and Northern Ireland (XI) it is 12 or 15 digits: the 9-digit
VAT number followed by 000, or a 15-digit number. Member states check their own national part;
here only the common structure is checked.

More information:

* Commission Delegated Regulation (EU) 2015/2446, Article 1(18) and Annex 12-01
* https://www.gov.uk/eori

>>> validate('de 1234567')
'DE1234567'
>>> validate('GB123456789000')
'GB123456789000'
>>> validate('GB12345678900')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidLength: GB EORI must have 12 or 15 digits after GB
>>> validate('QQ1234')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidComponent: unknown EORI country QQ
>>> format('gb 123456789000')
'GB123456789000'
"""

from __future__ import annotations

from customhouse.identifiers._util import ISO_COUNTRIES, clean, is_alnum_ascii
from customhouse.identifiers.errors import (
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

MAX_LENGTH = 17
_UK = frozenset({"GB", "XI"})
# Greece issues EORIs with GR (ISO), but EL (its VAT prefix) is seen in the wild; XI is NI.
_COUNTRIES = ISO_COUNTRIES | {"XI"}


def compact(number: str) -> str:
    """Convert the EORI to its minimal form: upper case, no spaces or separators."""
    return clean(number)


def validate(number: str) -> str:
    """Check the EORI's structure; return its compact form."""
    number = compact(number)
    if not 3 <= len(number) <= MAX_LENGTH:
        raise InvalidLength(
            f"EORI must be 3 to {MAX_LENGTH} characters, got {len(number)}", {"value": number}
        )
    country, national = number[:2], number[2:]
    if not country.isalpha() or not is_alnum_ascii(national):
        raise InvalidFormat("EORI must be a country code and letters or digits", {"value": number})
    if country not in _COUNTRIES:
        raise InvalidComponent(f"unknown EORI country {country}", {"country": country})
    if country in _UK:
        if not national.isdigit():
            raise InvalidFormat(f"{country} EORI must be digits after {country}", {"value": number})
        if len(national) not in (12, 15):
            raise InvalidLength(
                f"{country} EORI must have 12 or 15 digits after {country}", {"value": number}
            )
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed EORI."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def country(number: str) -> str:
    """The issuing country of an EORI.

    >>> country('XI123456789000')
    'XI'
    """
    return compact(number)[:2]


def format(number: str) -> str:
    """Reformat the EORI to the standard presentation (compact, upper case)."""
    return compact(number)
