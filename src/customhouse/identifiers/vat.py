"""VAT identification numbers of the EU member states, Northern Ireland (XI) and the UK (GB).

Dispatches on the 2-letter prefix to python-stdnum's country modules (``stdnum.eu.vat`` for
the member states, which use EL for Greece, and XI; ``stdnum.gb.vat`` for GB), so every
national check digit algorithm is applied.

>>> validate('DE 136 695 976')
'DE136695976'
>>> validate('GB 980 7806 84')
'GB980780684'
>>> validate('XI980780684')
'XI980780684'
>>> validate('DE136695977')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidChecksum: VAT number check digit does not match
>>> validate('US123456789')
Traceback (most recent call last):
    ...
customhouse.identifiers.errors.InvalidComponent: no VAT number scheme for prefix US
>>> format('el 094259216')
'EL094259216'
"""

from __future__ import annotations

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.gb import vat as gb_vat

from customhouse.identifiers._stdnum import translate
from customhouse.identifiers._util import clean
from customhouse.identifiers.errors import InvalidComponent, InvalidIdentifier, InvalidLength

# stdnum lists Greece as GR but accepts EL, the prefix Greece actually uses for VAT.
PREFIXES: frozenset[str] = frozenset(cc.upper() for cc in eu_vat.MEMBER_STATES) | {"EL", "GB"}


def compact(number: str) -> str:
    """Convert the VAT number to its minimal form: prefix and number, upper case."""
    return clean(number)


def validate(number: str) -> str:
    """Check the VAT number with its country's algorithm; return its compact form."""
    number = compact(number)
    if len(number) < 3:
        raise InvalidLength("VAT number too short", {"value": number})
    prefix = number[:2]
    if prefix not in PREFIXES:
        raise InvalidComponent(f"no VAT number scheme for prefix {prefix}", {"value": number})
    try:
        if prefix == "GB":
            gb_vat.validate(number)
        else:
            eu_vat.validate(number)
    except ValidationError as exc:
        raise translate(exc, "VAT number", number) from exc
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid VAT number."""
    try:
        return bool(validate(number))
    except InvalidIdentifier:
        return False


def country(number: str) -> str:
    """The VAT prefix (EL for Greece, XI for Northern Ireland).

    >>> country('EL094259216')
    'EL'
    """
    return compact(number)[:2]


def format(number: str) -> str:
    """Reformat the VAT number (compact, upper case)."""
    return compact(number)
