"""ISO 4217 minor units (pycountry has codes and names but not the number of decimals)."""

from __future__ import annotations

MINOR_UNITS_DEFAULT = 2
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
# Precious metals, SDR, bond-market units, test and "no currency" codes: "N.A." in ISO 4217.
_NONE = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"
MINOR_UNITS: dict[str, int | None] = {
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
    **dict.fromkeys(_NONE.split(), None),
}


def minor_unit(code: str) -> int | None:
    """Decimals of ``code`` per ISO 4217.

    >>> minor_unit('EUR'), minor_unit('JPY'), minor_unit('KWD'), minor_unit('XAU')
    (2, 0, 3, None)
    """
    return MINOR_UNITS.get(code, MINOR_UNITS_DEFAULT)
