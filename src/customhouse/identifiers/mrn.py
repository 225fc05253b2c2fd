"""MRN (Movement Reference Number, EU Union Customs Code).

The MRN is 18 characters: the last two digits of the year (2 digits), the ISO 3166-1 alpha-2
code of the country that allocates it (2 letters), a 13-character alphanumeric serial (under
the UCC: 12 characters chosen by the member state plus a procedure identifier letter), and a
check character computed with the ISO 6346 algorithm over the first 17 characters.

More information:

* Implementing Regulation (EU) 2015/2447, Annex B, Title II (data element 12 01 000 000)
* https://en.wikipedia.org/wiki/ISO_6346 (the check character algorithm)

>>> validate('24DE 0000 0000 0000 A1')
'24DE000000000000A1'
>>> calc_check_char('06DE586600006143E')
'1'
>>> make(2024, 'DE', '000000000000A')
'24DE000000000000A1'
>>> validate('24DE000000000000A2')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidChecksum: MRN check character is 1, not 2
>>> format('24de000000000000a1')
'24DE000000000000A1'
"""

from __future__ import annotations

from customhouse.identifiers._util import ISO_COUNTRIES, clean, is_alnum_ascii
from customhouse.identifiers.errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

LENGTH = 18

# ISO 6346 letter values: A=10 upwards, skipping multiples of 11 (11, 22, 33).
_VALUES: dict[str, int] = {str(d): d for d in range(10)}
_value = 10
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    if _value % 11 == 0:
        _value += 1
    _VALUES[_letter] = _value
    _value += 1
_WEIGHTS = tuple(2**i for i in range(LENGTH - 1))


def compact(number: str) -> str:
    """Convert the MRN to its minimal form: upper case, no spaces or separators."""
    return clean(number)


def calc_check_char(body: str) -> str:
    """The check character for the first 17 characters of an MRN."""
    try:
        total = sum(_VALUES[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    except (KeyError, ValueError) as exc:
        raise InvalidFormat("MRN body must be 17 ASCII letters or digits", {"value": body}) from exc
    return str(total % 11 % 10)


def make(year: int, country: str, serial: str) -> str:
    """Build an MRN from the year (2 or 4 digits), country and 13-character serial."""
    country = country.upper()
    serial = serial.upper()
    if not 0 <= year <= 9999:
        raise InvalidComponent("MRN year out of range", {"year": year})
    if len(serial) != 13 or not is_alnum_ascii(serial):
        raise InvalidFormat("MRN serial must be 13 letters or digits", {"serial": serial})
    if country not in ISO_COUNTRIES and country != "XI":
        raise InvalidComponent(f"unknown MRN country {country}", {"country": country})
    body = f"{year % 100:02d}{country}{serial}"
    return body + calc_check_char(body)


def validate(number: str) -> str:
    """Check the MRN's structure and check character; return its compact form."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(
            f"MRN must be {LENGTH} characters, got {len(number)}", {"value": number}
        )
    if not (number[:2].isdigit() and number[2:4].isalpha() and is_alnum_ascii(number)):
        raise InvalidFormat(
            "MRN must be YY + country + 13 letters/digits + check", {"value": number}
        )
    country = number[2:4]
    if country not in ISO_COUNTRIES and country != "XI":
        raise InvalidComponent(f"unknown MRN country {country}", {"country": country})
    expected = calc_check_char(number[:17])
    if number[17] != expected:
        raise InvalidChecksum(
            f"MRN check character is {expected}, not {number[17]}",
            {"value": number, "expected": expected},
        )
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid MRN."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def year(number: str) -> int:
    """The two-digit year of a (compact) MRN as a four-digit year in 2000..2099.

    >>> year('24DE000000000000A1')
    2024
    """
    return 2000 + int(compact(number)[:2])


def country(number: str) -> str:
    """The allocating country of a (compact) MRN.

    >>> country('24DE000000000000A1')
    'DE'
    """
    return compact(number)[2:4]


def procedure_identifier(number: str) -> str:
    """The UCC procedure identifier letter (the 17th character), e.g. 'A' for export.

    >>> procedure_identifier('24DE000000000000A1')
    'A'
    """
    return compact(number)[16]


def format(number: str) -> str:
    """Reformat the MRN to the standard presentation (compact, upper case)."""
    return compact(number)
