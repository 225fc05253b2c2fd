"""Container number (ISO 6346 freight container identification, via python-stdnum).

Eleven characters: owner code (3 letters), category identifier (U, J or Z), a 6-digit serial
number and a check digit.

>>> validate('csqu 305438 3')
'CSQU3054383'
>>> calc_check_digit('CSQU305438')
'3'
>>> format('CSQU3054383')
'CSQU 305438 3'
>>> validate('CSQU3054384')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidChecksum: container number check digit does not match
"""

from __future__ import annotations

from stdnum import iso6346
from stdnum.exceptions import ValidationError

from customhouse.identifiers._stdnum import translate
from customhouse.identifiers.errors import InvalidIdentifier


def compact(number: str) -> str:
    """Convert the container number to its minimal form: upper case, no spaces."""
    return str(iso6346.compact(number))


def calc_check_digit(number: str) -> str:
    """The check digit for the first 10 characters of a container number."""
    return str(iso6346.calc_check_digit(compact(number)))


def validate(number: str) -> str:
    """Check the container number and its check digit; return its compact form."""
    try:
        return str(iso6346.validate(number))
    except ValidationError as exc:
        raise translate(exc, "container number", number) from exc


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid ISO 6346 container number."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def format(number: str) -> str:
    """Reformat as marked on containers: owner+category, serial, check digit."""
    return str(iso6346.format(number))
